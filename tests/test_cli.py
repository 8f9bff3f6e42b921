import csv
import json
import subprocess
import sys

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_iris

from compact.cli import load_data, main, parse_size, parse_sizes


@pytest.fixture
def iris_csv(tmp_path):
    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    path = tmp_path / "iris.csv"
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["sepal_l", "sepal_w", "petal_l", "petal_w", "species"])
        writer.writerows([[*row, label] for row, label in zip(X, names)])
    return path


def test_parse_sizes():
    assert parse_size("3") == 3 and parse_size("10x2") == (10, 2)
    assert parse_sizes("1-3") == [1, 2, 3] and parse_sizes("2,4,8") == [2, 4, 8]
    assert parse_sizes("5-20:5") == [5, 10, 15, 20] and parse_sizes("5x2,10x2") == [(5, 2), (10, 2)]


def test_fit_writes_model_and_report(iris_csv, tmp_path, capsys):
    out = tmp_path / "model.joblib"
    rc = main(["fit", "--data", str(iris_csv), "--target", "species", "--size", "2", "--trials", "6",
               "--out", str(out), "--quiet"])
    assert rc == 0
    model = joblib.load(out)
    X, y, names = load_data(str(iris_csv), "species")
    assert names == ["sepal_l", "sepal_w", "petal_l", "petal_w"]
    assert model.get_depth() <= 2 and set(model.predict(X)) <= {"setosa", "versicolor", "virginica"}
    report = json.loads((tmp_path / "model.json").read_text())
    assert report["size"] <= 2 and len(report["trials"]) == 6
    assert "compacted" in capsys.readouterr().out


def test_fit_with_storage_resumes(iris_csv, tmp_path):
    args = ["fit", "--data", str(iris_csv), "--target", "species", "--size", "2", "--quiet",
            "--storage", str(tmp_path / "s.journal"), "--study-name", "iris", "--out", str(tmp_path / "m.joblib")]
    assert main(args + ["--trials", "4"]) == 0
    assert main(args + ["--trials", "7"]) == 0
    assert len(json.loads((tmp_path / "m.json").read_text())["trials"]) == 7


def test_compare_writes_csv_json_png(tmp_path, capsys):
    out = tmp_path / "report"
    rc = main(["compare", "--data", "iris", "--sizes", "1-2", "--seeds", "1", "--trials", "4", "--out", str(out),
               "--quiet"])
    assert rc == 0
    assert {p.name for p in out.iterdir()} == {"comparison.csv", "comparison.json", "comparison.png"}
    rows = list(csv.DictReader(open(out / "comparison.csv")))
    assert len(rows) == 2 * 4 and {r["method"] for r in rows} == {"baseline", "compacted", "pruned", "distilled"}
    assert "compacted" in capsys.readouterr().out


def test_bad_input_gives_one_clear_line(iris_csv, tmp_path, capsys):
    rc = main(["fit", "--data", str(iris_csv), "--target", "species", "--size", "0", "--quiet",
               "--out", str(tmp_path / "m.joblib")])
    assert rc == 2 and "size max_depth=0 must be a positive integer" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="no column 'kind'"):
        main(["fit", "--data", str(iris_csv), "--target", "kind", "--size", "2"])
    with pytest.raises(SystemExit, match="must be numeric"):
        main(["fit", "--data", str(iris_csv), "--target", "sepal_l", "--size", "2"])
    with pytest.raises(SystemExit, match="no file"):
        main(["fit", "--data", str(tmp_path / "missing.csv"), "--target", "y", "--size", "2"])
    with pytest.raises(SystemExit):
        main(["fit", "--data", str(iris_csv), "--target", "species", "--size", "two"])


def test_module_entry_point_demo():
    out = subprocess.run([sys.executable, "-m", "compact", "demo", "--quiet", "--trials", "5"],
                         capture_output=True, text=True, check=True)
    assert "test F1-macro" in out.stdout and out.stderr == ""
