import csv
import json
import os
import subprocess
import sys
import time

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_iris

import compact
from compact import cli
from compact.cli import load_data, main
from compact.models import parse_size, parse_sizes

pd = pytest.importorskip("pandas")


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


@pytest.fixture
def no_search(monkeypatch):
    """Fail the test if a search starts: bad input must be refused before."""
    def refuse(*args, **kwargs):
        raise AssertionError("compact.fit ran on bad input")

    monkeypatch.setattr(compact, "fit", refuse)
    monkeypatch.setattr(compact, "compare", refuse)


def run_bad(capsys, argv):
    """main(argv) must exit 2 with exactly one line on stderr; that line is returned."""
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def fit_args(data, *extra, target="species", out=None):
    argv = ["fit", "--data", str(data), "--size", "2", "--trials", "3", "--quiet"]
    if target is not None:
        argv += ["--target", target]
    if out is not None:
        argv += ["--out", str(out)]
    return argv + list(extra)


def test_parse_sizes():
    assert parse_size("3") == 3 and parse_size("10x2") == (10, 2)
    assert parse_sizes("1-3") == [1, 2, 3] and parse_sizes("2,4,8") == [2, 4, 8]
    assert parse_sizes("5-20:5") == [5, 10, 15, 20] and parse_sizes("5x2,10x2") == [(5, 2), (10, 2)]
    for bad in ("two", "1x2x3"):
        with pytest.raises(ValueError, match="size"):
            parse_size(bad)


def test_fit_writes_model_and_report(iris_csv, tmp_path, capsys):
    out = tmp_path / "model.joblib"
    rc = main(["fit", "--data", str(iris_csv), "--target", "species", "--size", "2", "--trials", "6",
               "--out", str(out), "--quiet"])
    assert rc == 0
    model = joblib.load(out)
    X, y, names = load_data(str(iris_csv), "species")
    assert names == ["sepal_l", "sepal_w", "petal_l", "petal_w"]
    assert model.get_depth() <= 2 and set(model.predict(X.to_numpy())) <= {"setosa", "versicolor", "virginica"}
    report = json.loads((tmp_path / "model.json").read_text())
    assert report["size"] <= 2 and len(report["trials"]) == 6
    assert report["data"]["columns"] == names and report["data"]["task"] == "classification"
    assert "compacted" in capsys.readouterr().out
    assert not [p for p in os.listdir(tmp_path) if "partial" in p]  # no temporary file left


def test_fit_with_storage_resumes(iris_csv, tmp_path):
    args = ["fit", "--data", str(iris_csv), "--target", "species", "--size", "2", "--quiet",
            "--storage", str(tmp_path / "s.journal"), "--study-name", "iris", "--out", str(tmp_path / "m.joblib")]
    assert main(args + ["--trials", "4", "--timeout", "600"]) == 0
    assert main(args + ["--trials", "7"]) == 0
    assert len(json.loads((tmp_path / "m.json").read_text())["trials"]) == 7


def test_fit_sample_frac_scale(iris_csv, tmp_path):
    # A stump's default is the log range (samples from 5 % of the training rows); linear starts at 10 %.
    fractions = {}
    for scale in (None, "linear"):
        out = tmp_path / f"{scale}.joblib"
        assert main(["fit", "--data", str(iris_csv), "--target", "species", "--size", "1", "--trials", "25",
                     "--out", str(out), "--quiet"] + ([] if scale is None else ["--sample-frac-scale", scale])) == 0
        report = json.loads((tmp_path / f"{scale}.json").read_text())
        fractions[report["sample_frac_scale"]] = min(t["params"]["sample_frac"] for t in report["trials"])
    assert fractions["log"] < 0.1 <= fractions["linear"]


@pytest.mark.parametrize("value", [None, "linear"])
def test_compare_passes_sample_frac_scale(tmp_path, monkeypatch, value):
    seen = {}

    def capture(*args, **kwargs):
        seen.update(kwargs["search_params"])
        raise RuntimeError("stop here: only the arguments matter")

    monkeypatch.setattr(compact, "compare", capture)
    argv = ["compare", "--data", "iris", "--sizes", "1", "--out", str(tmp_path / "c"), "--quiet"]
    assert main(argv + ([] if value is None else ["--sample-frac-scale", value])) == 1
    assert seen["sample_frac_scale"] == value


def test_compare_writes_csv_json_png(tmp_path, capsys):
    out = tmp_path / "report"
    rc = main(["compare", "--data", "iris", "--sizes", "1-2", "--seeds", "1", "--trials", "4", "--out", str(out),
               "--quiet"])
    assert rc == 0
    assert {p.name for p in out.iterdir()} == {"comparison.csv", "comparison.json", "comparison.png"}
    rows = list(csv.DictReader(open(out / "comparison.csv")))
    methods = {"baseline", "compacted", "pruned", "restarts", "distilled"}
    assert len(rows) == 2 * 5 and {r["method"] for r in rows} == methods
    assert "compacted" in capsys.readouterr().out


def test_compare_methods_option(tmp_path, capsys):
    out = tmp_path / "report"
    rc = main(["compare", "--data", "iris", "--sizes", "1", "--seeds", "1", "--trials", "3", "--out", str(out),
               "--quiet", "--methods", "compacted, balanced_restarts"])
    assert rc == 0
    rows = list(csv.DictReader(open(out / "comparison.csv")))
    assert [r["method"] for r in rows] == ["compacted", "balanced_restarts"]
    assert rows[0]["n_models"] == rows[1]["n_models"]
    capsys.readouterr()
    assert main(["compare", "--data", "iris", "--sizes", "1", "--out", str(tmp_path / "r2"),
                 "--methods", "baseline,magic"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("compact: error: Unknown method(s) ['magic']") and err.count("\n") == 1


# -- categorical columns ----------------------------------------------------------------------------------------


@pytest.fixture
def mixed_csv(tmp_path):
    rng = np.random.default_rng(0)
    n = 120
    colour = rng.choice(["red", "green", "blue"], n)
    x = rng.normal(size=n)
    label = np.where((colour == "red") | (x > 1), "yes", "no")
    frame = pd.DataFrame({"colour": colour, "x": x, "flag": rng.integers(0, 2, n) == 1, "label": label})
    path = tmp_path / "mixed.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_string_column_is_one_hot_encoded_in_a_saved_pipeline(mixed_csv, tmp_path, capsys):
    path, frame = mixed_csv
    out = tmp_path / "m.joblib"
    assert main(fit_args(path, target="label", out=out)) == 0
    model = joblib.load(out)
    assert [name for name, _ in model.steps] == ["preprocess", "model"]
    data = json.loads((tmp_path / "m.json").read_text())["data"]
    assert data["categorical_columns"] == ["colour"] and "colour_red" in data["model_features"]
    raw = frame.drop(columns="label")
    predictions = model.predict(raw)
    assert set(predictions) <= {"yes", "no"} and (predictions == frame["label"]).mean() > 0.8
    # An unseen category is ignored (all-zero one-hot columns), not an error.
    unseen = raw.head(3).assign(colour="purple")
    assert len(model.predict(unseen)) == 3


def test_float_target_is_regression(tmp_path, capsys):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80)})
    frame["price"] = 3 * frame["a"] + rng.normal(scale=0.1, size=80)
    path = tmp_path / "reg.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "r.joblib"
    assert main(fit_args(path, target="price", out=out)) == 0
    model = joblib.load(out)
    assert type(model).__name__ == "DecisionTreeRegressor" and model.get_depth() <= 2
    assert "r2" in capsys.readouterr().out
    line = run_bad(capsys, fit_args(path, "--model", "lpm", target="price", out=out))
    assert "--model lpm has no regression form" in line


# -- bad input: one line, exit 2, before any search (issue 16 items 7-9) ---------------------------------------


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_missing_file(tmp_path, capsys, no_search):
    assert "no file" in run_bad(capsys, fit_args(tmp_path / "missing.csv"))


def test_directory_as_data(tmp_path, capsys, no_search):
    assert "is a folder" in run_bad(capsys, fit_args(tmp_path))


def test_empty_csv(tmp_path, capsys, no_search):
    assert "is empty" in run_bad(capsys, fit_args(write(tmp_path, "e.csv", "")))
    assert "is empty" in run_bad(capsys, fit_args(write(tmp_path, "blank.csv", "\n\n")))


def test_header_only_csv(tmp_path, capsys, no_search):
    line = run_bad(capsys, fit_args(write(tmp_path, "h.csv", "a,b,species\n")))
    assert "header row but no data rows" in line


def test_missing_and_misnamed_target(iris_csv, capsys, no_search):
    assert "--target COLUMN is required" in run_bad(capsys, fit_args(iris_csv, target=None))
    line = run_bad(capsys, fit_args(iris_csv, target="kind"))
    assert "no column 'kind'" in line and "species" in line


def test_semicolon_separated(tmp_path, capsys, no_search):
    line = run_bad(capsys, fit_args(write(tmp_path, "s.csv", "a;species\n1;x\n2;y\n")))
    assert "compact reads comma-separated files" in line


def test_ragged_row(tmp_path, capsys, no_search):
    path = write(tmp_path, "r.csv", "a,b,species\n1,2,x\n3,y\n4,5,y\n")
    line = run_bad(capsys, fit_args(path))
    assert "line 3 has 2 fields, the header has 3" in line and "ragged" in line
    path = write(tmp_path, "r2.csv", "a,b,species\n1,2,x\n3,4,5,y\n")
    assert "line 3 has 4 fields" in run_bad(capsys, fit_args(path))


def test_non_numeric_cell_in_numeric_column(tmp_path, capsys, no_search):
    rows = "".join(f"{i},{i % 3},{'x' if i % 2 else 'y'}\n" for i in range(30))
    path = write(tmp_path, "n.csv", "a,b,species\n" + rows + "1.5oops,2,x\n")
    line = run_bad(capsys, fit_args(path))
    assert "column 'a' is numeric but data row 31 holds '1.5oops'" in line


def test_empty_cells(tmp_path, capsys, no_search):
    path = write(tmp_path, "m.csv", "a,b,species\n1,2,x\n3,,y\n4,5,x\n6,7,y\n")
    assert "column 'b' has 1 empty cell" in run_bad(capsys, fit_args(path))
    path = write(tmp_path, "t.csv", "a,b,species\n1,2,x\n3,4,\n4,5,x\n6,7,y\n")
    assert "--target column 'species' has 1 empty cell" in run_bad(capsys, fit_args(path))


def test_utf8_bom_header_is_stripped(tmp_path):
    path = write(tmp_path, "bom.csv", "species,a\nx,1\ny,2\n", encoding="utf-8-sig")
    X, y, names = load_data(str(path), "species")
    assert names == ["a"] and list(y) == ["x", "y"]


def test_not_utf8(tmp_path, capsys, no_search):
    path = tmp_path / "latin.csv"
    path.write_bytes("a,species\n1,caf\xe9\n".encode("latin-1"))
    assert "not UTF-8" in run_bad(capsys, fit_args(path))


@pytest.mark.parametrize("storage, message", [
    ("sqlite:////nonexistent/x.db", "folder '/nonexistent' does not exist"),
    ("foo://bar", "unknown scheme 'foo://'"),
    ("/nonexistent/runs.journal", "folder '/nonexistent' does not exist"),
])
def test_bad_storage(iris_csv, tmp_path, capsys, no_search, storage, message):
    line = run_bad(capsys, fit_args(iris_csv, "--storage", storage, out=tmp_path / "m.joblib"))
    assert message in line


def test_storage_folder(iris_csv, tmp_path, capsys, no_search):
    line = run_bad(capsys, fit_args(iris_csv, "--storage", str(tmp_path), out=tmp_path / "m.joblib"))
    assert "is a folder" in line


def test_fit_out_missing_folder(iris_csv, tmp_path, capsys, no_search):
    line = run_bad(capsys, fit_args(iris_csv, out=tmp_path / "nope" / "m.joblib"))
    assert "does not exist" in line


def test_fit_out_is_a_directory(iris_csv, tmp_path, capsys, no_search):
    assert "is a folder" in run_bad(capsys, fit_args(iris_csv, out=tmp_path))


def test_fit_out_read_only_folder(iris_csv, tmp_path, capsys, no_search):
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # root writes into read-only folders: use sysfs
        if not os.path.isdir("/sys/kernel"):
            pytest.skip("no read-only folder for root")
        folder = "/sys/kernel"
        assert "cannot write in" in run_bad(capsys, fit_args(iris_csv, out=os.path.join(folder, "m.joblib")))
        return
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        assert "cannot write in" in run_bad(capsys, fit_args(iris_csv, out=folder / "m.joblib"))
    finally:
        folder.chmod(0o700)


def test_compare_out_existing_file(tmp_path, capsys, no_search):
    path = write(tmp_path, "taken", "x")
    line = run_bad(capsys, ["compare", "--data", "iris", "--sizes", "1-2", "--out", str(path), "--quiet"])
    assert "is an existing file" in line


@pytest.mark.parametrize("argv, message", [
    (["--trials", "0"], "argument --trials: '0' must be a positive integer"),
    (["--size", "two"], "argument --size: size 'two' is not an integer or NxM"),
    (["--model", "svm"], "argument --model: invalid choice: 'svm'"),
    (["--n-jobs", "0"], "argument --n-jobs: '0' must be a positive integer"),
    (["--timeout", "0"], "argument --timeout: '0' must be a positive number of seconds"),
    (["--prune-draws", "-1"], "argument --prune-draws: '-1' must be a non-negative number"),
    (["--prune-draws", "nan"], "argument --prune-draws: 'nan' must be a non-negative number"),
    (["--prune-draws", "off"], "argument --prune-draws: 'off' is neither a number nor 'none'"),
    (["--sample-frac-scale", "exp"], "argument --sample-frac-scale: invalid choice: 'exp'"),
])
def test_bad_option_values(iris_csv, capsys, no_search, argv, message):
    with pytest.raises(SystemExit) as exit_:
        main(fit_args(iris_csv, *argv))
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1 and message in err and "compact fit --help" in err


def test_too_many_classes(tmp_path, capsys, no_search):
    path = write(tmp_path, "ids.csv", "a,id\n" + "".join(f"{i},{i}\n" for i in range(20)))
    assert "20 distinct values in 20 rows" in run_bad(capsys, fit_args(path, target="id"))


def test_no_feature_column(tmp_path, capsys, no_search):
    assert "no feature column" in run_bad(capsys, fit_args(write(tmp_path, "y.csv", "species\nx\ny\n")))


def test_storage_server_unreachable(iris_csv, tmp_path, capsys, no_search):
    """A database URL is opened up front (compact.storage.resolve_storage): no server, one line, exit 2."""
    line = run_bad(capsys, fit_args(iris_csv, "--storage", "postgresql://u@127.0.0.1:9/db", out=tmp_path / "m.jl"))
    assert "cannot connect" in line and "127.0.0.1:9" in line


def test_storage_driver_missing(iris_csv, tmp_path, capsys, no_search, monkeypatch):
    import compact.storage

    def no_driver(storage, **_):
        raise ImportError("the PostgreSQL driver is missing: pip install 'compact-learn[postgres]'\nmore")

    monkeypatch.setattr(compact.storage, "resolve_storage", no_driver)
    line = run_bad(capsys, fit_args(iris_csv, "--storage", "postgresql://u@localhost/db", out=tmp_path / "m.jl"))
    assert "pip install 'compact-learn[postgres]'" in line


def test_size_error_from_fit_is_one_line(iris_csv, tmp_path, capsys):
    line = run_bad(capsys, ["fit", "--data", str(iris_csv), "--target", "species", "--size", "0", "--quiet",
                            "--out", str(tmp_path / "m.joblib")])
    assert "size max_depth=0 must be a positive integer" in line


def test_model_is_rescued_when_saving_fails(iris_csv, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    real = cli.atomic_write

    def full_disk(path, write):
        if os.path.basename(path) in ("m.joblib", "m.json"):
            raise OSError(28, "No space left on device")
        return real(path, write)

    monkeypatch.setattr(cli, "atomic_write", full_disk)
    rc = main(fit_args(iris_csv, out=tmp_path / "m.joblib"))
    err = capsys.readouterr().err
    assert rc == 1 and "No space left on device" in err and "saved instead as" in err
    rescued = [p for p in os.listdir(tmp_path) if p.startswith("compact-rescued-model")]
    assert len(rescued) == 1 and joblib.load(tmp_path / rescued[0]).get_depth() <= 2


def test_internal_error_exits_1(iris_csv, tmp_path, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(compact, "fit", broken)
    assert main(fit_args(iris_csv, out=tmp_path / "m.joblib")) == 1
    assert capsys.readouterr().err.strip() == "compact: internal error: RuntimeError: boom"


def test_help_for_every_option():
    parser = cli.build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, sub in commands.items():
        for action in sub._actions:
            assert action.help, f"{name} {action.option_strings} has no help text"
    assert "exit status" in parser.format_help()


# -- export -----------------------------------------------------------------------------------------------------


def test_export_plumbing_with_a_stand_in_export(mixed_csv, tmp_path, capsys, monkeypatch):
    import compact.deployment

    calls = []

    def export(model, format, path, feature_names=None):
        calls.append((type(model).__name__, format, feature_names))
        data = b"\x08\x01" if format == "onnx" else f"rules over {feature_names}".encode()
        with open(path, "wb") as fh:
            fh.write(data)

    monkeypatch.setattr(compact.deployment, "export", export)
    monkeypatch.setitem(cli.EXPORT_NEEDS, "onnx", ())
    path, _ = mixed_csv
    out = tmp_path / "m.joblib"
    assert main(fit_args(path, "--export", "text", "--export", "onnx", target="label", out=out)) == 0
    assert (tmp_path / "m.onnx").read_bytes() == b"\x08\x01"
    assert "colour_red" in (tmp_path / "m.txt").read_text()
    assert {c[0] for c in calls} == {"DecisionTreeClassifier"}  # the small model, not the Pipeline
    assert "takes the one-hot encoded columns" in capsys.readouterr().out


def test_export_text(iris_csv, tmp_path, capsys):
    assert main(fit_args(iris_csv, "--export", "text", out=tmp_path / "m.joblib")) == 0
    rules = (tmp_path / "m.txt").read_text()
    assert "petal" in rules or "sepal" in rules or "feature" in rules


def test_export_onnx(iris_csv, tmp_path):
    pytest.importorskip("skl2onnx")
    ort = pytest.importorskip("onnxruntime")
    assert main(fit_args(iris_csv, "--export", "onnx", out=tmp_path / "m.joblib")) == 0
    session = ort.InferenceSession(str(tmp_path / "m.onnx"))
    X = load_iris().data.astype(np.float32)
    predicted = session.run(None, {session.get_inputs()[0].name: X})[0]
    assert list(predicted) == list(joblib.load(tmp_path / "m.joblib").predict(X))


# -- entry points -----------------------------------------------------------------------------------------------


def test_module_entry_point_version_and_bad_input(tmp_path):
    done = subprocess.run([sys.executable, "-m", "compact", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == f"compact {compact.__version__}"
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    done = subprocess.run([sys.executable, "-m", "compact", "fit", "--data", str(empty), "--target", "y",
                           "--size", "2", "--out", str(tmp_path / "m.joblib")], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "is empty" in done.stderr
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "compact", "fit", "--data", "iris", "--size", "2",
                           "--out", str(tmp_path / "missing" / "m.joblib")], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "does not exist" in done.stderr
    assert time.perf_counter() - started < 30  # refused before searching


def test_module_entry_point_demo():
    out = subprocess.run([sys.executable, "-m", "compact", "demo", "--quiet", "--trials", "5"],
                         capture_output=True, text=True, check=True)
    assert "test F1-macro" in out.stdout and out.stderr == ""


def test_headerless_csv_for_the_benchmarks(tmp_path):
    from compact.datasets import DataError, read_headerless_csv

    path = write(tmp_path, "k.dat", "@relation x\n@attribute a real\n1, 2, pos\n3, 4, neg\n")
    X, y = read_headerless_csv(str(path), comment="@")
    assert X.tolist() == [[1.0, 2.0], [3.0, 4.0]] and y.tolist() == ["pos", "neg"]
    with pytest.raises(DataError, match="line 2 has 2 fields, line 1 has 3"):
        read_headerless_csv(str(write(tmp_path, "r.csv", "1,2,a\n3,b\n")))
    with pytest.raises(DataError, match="must be numeric"):
        read_headerless_csv(str(write(tmp_path, "n.csv", "1,x,a\n3,4,b\n")))


@pytest.mark.parametrize("command, value, expected", [("fit", "none", None), ("fit", "1.5", 1.5),
                                                      ("compare", "0", 0.0), ("compare", None, 0.5)])
def test_prune_draws_reaches_the_search(iris_csv, tmp_path, monkeypatch, command, value, expected):
    seen = {}

    def capture(*args, **kwargs):
        seen.update(kwargs.get("search_params") or kwargs)
        raise RuntimeError("stop here: only the arguments matter")

    monkeypatch.setattr(compact, command, capture)
    argv = (fit_args(iris_csv, out=tmp_path / "m.joblib") if command == "fit" else
            ["compare", "--data", "iris", "--sizes", "1", "--out", str(tmp_path / "c"), "--quiet"])
    assert main(argv + ([] if value is None else ["--prune-draws", value])) == 1  # the internal error above
    assert seen["prune_draws"] == expected


# -- review fixes: interruption, clashing outputs, compare's options, exports, seeds ----------------------------


def compare_args(out, *extra, data="iris"):
    return ["compare", "--data", str(data), "--sizes", "1", "--seeds", "1", "--trials", "2", "--out", str(out),
            "--quiet", *extra]


def test_interrupted_compare_writes_nothing_and_exits_130(tmp_path, capsys, monkeypatch):
    import compact.harness

    class Interrupted(compact.harness.CompactSearch):  # Ctrl-C in a compaction: fit keeps the best so far
        def fit(self, X, y, **kwargs):
            super().fit(X, y, **kwargs)
            self.result_.interrupted_ = True
            return self

    monkeypatch.setattr(compact.harness, "CompactSearch", Interrupted)
    out = tmp_path / "report"
    assert main(compare_args(out, "--methods", "compacted,restarts")) == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("compact: interrupted; nothing written to")
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("out, export", [("m.json", None), ("tree.txt", "text"), ("tree.c", "c"),
                                         ("m.onnx", "onnx")])
def test_fit_out_clashing_with_the_report_or_an_export(iris_csv, tmp_path, capsys, no_search, out, export):
    extra = [] if export is None else ["--export", export]
    line = run_bad(capsys, fit_args(iris_csv, *extra, out=tmp_path / out))
    what = "the report" if export is None else f"--export {export}"
    assert f"{what} is written to the same path" in line
    assert list(tmp_path.iterdir()) == [iris_csv]  # nothing written


def test_compare_mlp_sizes_default_to_n_params(tmp_path, monkeypatch):
    seen = {}

    def capture(*args, **kwargs):
        seen["size_name"] = kwargs["size_name"]
        raise RuntimeError("stop here: only the arguments matter")

    monkeypatch.setattr(compact, "compare", capture)
    for extra, expected in ((["--model", "mlp"], "n_params"), (["--model", "mlp", "--size-name", "hidden_units"],
                                                                "hidden_units"), ([], None)):
        assert main(compare_args(tmp_path / "c", *extra)) == 1
        assert seen["size_name"] == expected


def test_compare_mlp_without_budget_is_refused_before_work(tmp_path, capsys, monkeypatch):
    import compact.harness

    def refuse(*args, **kwargs):
        raise AssertionError("compare started work on bad input")

    monkeypatch.setattr(compact.harness, "_make_split", refuse)
    line = run_bad(capsys, compare_args(tmp_path / "c", "--model", "mlp", "--size-name", "hidden_units"))
    assert line.startswith("compact: error: compacted_sparse takes the requested size as its n_nonzero budget")
    line = run_bad(capsys, ["compare", "--data", "iris", "--model", "forest", "--sizes", "3x1,3x3",
                            "--out", str(tmp_path / "c")])
    assert "repeat n_estimators=3" in line


def test_compare_has_no_seed_option(tmp_path, capsys, no_search):
    with pytest.raises(SystemExit) as exit_:  # not taken for an abbreviation of --seeds either
        main(compare_args(tmp_path / "c", "--seed", "7"))
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1 and "compare has no --seed" in err
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize("model, fmt", [("xgboost", "c"), ("linear", "c"), ("mlp", "text"), ("hist", "onnx")])
def test_export_format_the_family_cannot_take_is_refused_before_work(iris_csv, tmp_path, capsys, no_search,
                                                                      model, fmt):
    line = run_bad(capsys, fit_args(iris_csv, "--model", model, "--export", fmt, out=tmp_path / "m.joblib"))
    assert f"--export {fmt} cannot export --model {model}" in line


def test_compare_without_matplotlib_skips_the_plot_with_a_note(tmp_path, capsys, monkeypatch):
    real = cli.importlib.util.find_spec
    monkeypatch.setattr(cli.importlib.util, "find_spec", lambda name, *a: None if name == "matplotlib" else
                        real(name, *a))
    out = tmp_path / "report"
    assert main(compare_args(out, "--methods", "baseline")) == 0
    assert {p.name for p in out.iterdir()} == {"comparison.csv", "comparison.json"}
    assert "comparison.png is skipped" in capsys.readouterr().err


def test_fit_seed_defaults(iris_csv, tmp_path, monkeypatch):
    seen = []

    def capture(*args, **kwargs):
        seen.append(kwargs["random_state"])
        raise RuntimeError("stop here: only the arguments matter")

    monkeypatch.setattr(compact, "fit", capture)
    storage = ["--storage", str(tmp_path / "s.journal"), "--study-name", "s"]
    for extra in ([], storage, [*storage, "--seed", "7"]):
        assert main(fit_args(iris_csv, *extra, out=tmp_path / "m.joblib")) == 1
    assert seen == [0, None, 7]  # with a storage the study's seed is kept


def test_fit_resumes_a_study_begun_with_another_seed(iris_csv, tmp_path):
    args = fit_args(iris_csv, "--storage", str(tmp_path / "s.journal"), "--study-name", "s",
                    out=tmp_path / "m.joblib")
    assert main([*args, "--seed", "7"]) == 0
    args[args.index("--trials") + 1] = "4"
    assert main(args) == 0  # no --seed: the study's 7, not 0 (which it would refuse)
    report = json.loads((tmp_path / "m.json").read_text())
    assert report["random_state"] == 7 and len(report["trials"]) == 4


def test_compare_with_a_validation_part_of_one_class(tmp_path, capsys):
    rows = [f"{i},{i % 7},{'rare' if i in (3, 11) else 'common'}\n" for i in range(20)]
    path = write(tmp_path, "tiny.csv", "a,b,label\n" + "".join(rows))
    line = run_bad(capsys, compare_args(tmp_path / "c", "--target", "label", data=path))
    assert "the validation part (4 rows, validation_size=0.25) holds one class ('common')" in line
