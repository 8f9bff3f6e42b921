"""compact.export and compact.model_card: ONNX run in onnxruntime, C compiled with gcc, text, the card.

Every export is checked against the Python model's own predictions on real
data (scikit-learn's digits, iris and diabetes).
"""

import json
import shutil
import subprocess

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_digits, load_iris
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import Lasso, LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import compact
from compact.adapters import DecodedClassifier

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("skl2onnx")

DIGIT_NAMES = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X).astype(np.float32), y


@pytest.fixture(scope="module")
def compacted(digits):
    """A compacted depth-3 tree (few trials: the export, not the search, is under test)."""
    X, y = digits
    return compact.fit(DecisionTreeClassifier(), X, DIGIT_NAMES[y], size=3, n_trials=4, n_draws=1, random_state=0)


def run_onnx(proto, X):
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: np.asarray(X, dtype=np.float32)})


def c_predict(model, X, tmp_path, *, regression=False):
    """Compile ``compact.export(model, "c")`` with gcc and run it on every row of X."""
    if shutil.which("gcc") is None:
        pytest.skip("no C compiler")
    from compact.deployment import c_include_dir

    n = X.shape[1]
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "model.h").write_text(compact.export(model, format="c", name="model"))
    fmt = '"%.9g\\n", (double)' if regression else '"%d\\n", (int)'
    (tmp_path / "main.c").write_text(
        '#include <stdio.h>\n#include "model.h"\n'
        f"int main(void) {{ float row[{n}];\n"
        f"  while (fread(row, sizeof(float), {n}, stdin) == {n}) printf({fmt}model_predict(row, {n}));\n"
        "  return 0; }\n")
    binary = tmp_path / "predict"
    subprocess.run(["gcc", "-std=c99", "-Wall", "-O1", "-I", c_include_dir(), "-o", str(binary),
                    str(tmp_path / "main.c"), "-lm"], check=True)
    out = subprocess.run([str(binary)], input=np.ascontiguousarray(X, dtype=np.float32).tobytes(),
                         capture_output=True, check=True).stdout.split()
    return np.array(out, dtype=float if regression else int)


# -- the acceptance: a compacted depth-3 tree ------------------------------------------
def test_compacted_tree_onnx_predictions_equal(compacted, digits):
    X, _ = digits
    label, proba = run_onnx(compact.export(compacted.model_, format="onnx"), X)
    assert np.array_equal(label, compacted.model_.predict(X))
    np.testing.assert_allclose(proba, compacted.model_.predict_proba(X), atol=1e-6)


def test_compacted_tree_text_is_its_rules(compacted):
    text = compact.export(compacted, format="text", feature_names=[f"pixel{i}" for i in range(64)])
    assert "|--- pixel" in text and "class: " in text
    assert text.count("class: ") == compacted.model_.get_n_leaves()
    assert any(f"class: {name}" in text for name in DIGIT_NAMES)


def test_compacted_tree_c_predictions_equal(compacted, digits, tmp_path):
    X, _ = digits
    model = compacted.model_
    index = c_predict(model, X, tmp_path)
    assert np.array_equal(model.classes_[index], model.predict(X))
    assert f'"{model.classes_[0]}"' in compact.export(model, format="c")  # the label table


def test_export_writes_path_and_rejects_bad_requests(compacted, tmp_path):
    import onnx

    compact.export(compacted, format="onnx", path=tmp_path / "m.onnx")
    assert onnx.load(str(tmp_path / "m.onnx")).graph.output[0].name == "label"
    compact.export(compacted, format="text", path=tmp_path / "m.txt")
    assert "|---" in (tmp_path / "m.txt").read_text()
    with pytest.raises(ValueError, match="format must be one of"):
        compact.export(compacted.model_, format="pmml")
    with pytest.raises(ValueError, match="C export supports"):
        compact.export(LogisticRegression().fit([[0.0], [1.0]], [0, 1]), format="c")


# -- ONNX for the project's own wrappers --------------------------------------------------------
def test_onnx_decoded_classifier_gives_original_labels(digits):
    X, y = digits
    inner = DecisionTreeClassifier(max_depth=4, random_state=0).fit(X, y)
    model = DecodedClassifier.from_fitted(inner, DIGIT_NAMES)
    label, proba = run_onnx(compact.export(model), X)
    assert label.dtype == object and np.array_equal(label, model.predict(X))
    np.testing.assert_allclose(proba, model.predict_proba(X), atol=1e-6)


def test_onnx_xgboost_through_decoded_classifier():
    pytest.importorskip("onnxmltools")
    from xgboost import XGBClassifier

    X, y = load_iris(return_X_y=True)
    X = X.astype(np.float32)
    names = np.array(["setosa", "versicolor", "virginica"])
    model = DecodedClassifier.from_fitted(XGBClassifier(n_estimators=5, max_depth=2).fit(X, y), names)
    label, proba = run_onnx(compact.export(model), X)
    assert np.array_equal(label, model.predict(X))
    np.testing.assert_allclose(proba, model.predict_proba(X), atol=1e-5)


def test_onnx_torch_mlp(digits):
    X, y = digits
    model = compact.TorchMLPClassifier((12,), epochs=3, random_state=0).fit(X, DIGIT_NAMES[y])
    label, proba = run_onnx(compact.export(model), X)
    assert np.array_equal(label, model.predict(X))
    np.testing.assert_allclose(proba, model.predict_proba(X), atol=1e-5)


def _module(size, n_features, n_classes):
    import torch

    return torch.nn.Sequential(torch.nn.Linear(n_features, size), torch.nn.Tanh(), torch.nn.Linear(size, n_classes))


def test_onnx_torch_module_through_torch_onnx():
    X, y = load_iris(return_X_y=True)
    X = X.astype(np.float32)
    model = compact.TorchModuleClassifier(_module, size=4, epochs=5, random_state=0).fit(X, y)
    label, proba = run_onnx(compact.export(model), X)
    assert np.array_equal(label, model.predict(X))
    np.testing.assert_allclose(proba, model.predict_proba(X), atol=1e-5)


@pytest.mark.parametrize("binary", [False, True])
def test_onnx_linear_probability_model(digits, binary):
    X, y = digits
    y = y >= 5 if binary else y
    model = compact.LinearProbabilityClassifier(alpha=0.01).fit(X, y)
    label, proba = run_onnx(compact.export(model), X)
    assert np.array_equal(label, model.predict(X))
    np.testing.assert_allclose(proba, model.predict_proba(X), atol=1e-5)


def test_onnx_scikit_learn_models_and_regressors(digits):
    X, y = digits
    logistic = LogisticRegression(max_iter=300).fit(X[:600], y[:600])
    label, _ = run_onnx(compact.export(logistic), X)
    assert np.array_equal(label, logistic.predict(X))
    Xd, yd = load_diabetes(return_X_y=True)
    tree = DecisionTreeRegressor(max_depth=4, random_state=0).fit(Xd.astype(np.float32), yd)
    (pred,) = run_onnx(compact.export(tree), Xd)
    np.testing.assert_allclose(pred.ravel(), tree.predict(Xd.astype(np.float32)), rtol=1e-5)


# -- C through emlearn --------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_c_forest_and_mlps_agree(digits, tmp_path):
    X, y = digits
    forest = RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0).fit(X, y)
    # emlearn's soft voting uses 8-bit class proportions: near-ties may flip.
    assert np.mean(c_predict(forest, X, tmp_path / "forest") == forest.predict(X)) >= 0.99
    mlp = MLPClassifier((16,), max_iter=60, random_state=0).fit(X, y)
    assert np.array_equal(c_predict(mlp, X, tmp_path / "mlp"), mlp.predict(X))
    torch_mlp = compact.TorchMLPClassifier((16,), epochs=3, random_state=0).fit(X, DIGIT_NAMES[y])
    index = c_predict(torch_mlp, X, tmp_path / "torch")
    assert np.array_equal(torch_mlp.classes_[index], torch_mlp.predict(X))


def test_c_regression_trees_agree(tmp_path):
    X, y = load_diabetes(return_X_y=True)
    X = X.astype(np.float32)
    for i, model in enumerate([DecisionTreeRegressor(max_depth=4, random_state=0),
                               RandomForestRegressor(n_estimators=5, max_depth=3, random_state=0)]):
        model.fit(X, y)
        np.testing.assert_allclose(c_predict(model, X, tmp_path / str(i), regression=True), model.predict(X),
                                   rtol=1e-5)


def test_c_export_keeps_numpy_error_state():
    # emlearn.bayes calls numpy.seterr(all="raise") when imported
    before = np.geterr()
    compact.export(DecisionTreeClassifier(max_depth=1).fit([[0.0], [1.0]], [0, 1]), format="c")
    assert np.geterr() == before


# -- text ---------------------------------------------------------------------------------------
def test_text_of_linear_models_is_their_equation():
    X, y = load_iris(return_X_y=True)
    names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    binary = LogisticRegression().fit(X, y == 2)
    text = compact.export(binary, format="text", feature_names=names)
    assert "log-odds(True) =" in text and "petal_width" in text and "predict True when log-odds > 0" in text
    sparse = Lasso(alpha=0.5).fit(X, y.astype(float))
    text = compact.export(sparse, format="text", feature_names=names)
    used = [n for n, w in zip(names, sparse.coef_) if w != 0]
    assert text.startswith(f"Lasso: {len(used)} non-zero") and all(n in text for n in used)
    assert all(n not in text for n, w in zip(names, sparse.coef_) if w == 0)
    multi = compact.LinearProbabilityClassifier(alpha=0.01).fit(X, np.array(["a", "b", "c"])[y])
    text = compact.export(multi, format="text", feature_names=names)
    assert "score(a) =" in text and "score(c) =" in text and "highest score" in text


# -- model card ---------------------------------------------------------------------------------
def test_model_card(compacted):
    card = compact.model_card(compacted)
    json.dumps(card)  # JSON-safe
    assert card["feature_names"] == [f"x[{i}]" for i in range(64)] and card["n_features"] == 64
    assert card["classes"] == sorted(DIGIT_NAMES.tolist())
    units = card["size"]["units"]
    assert units["depth"] <= 3 and units["leaves"] <= 8 and units["model_bytes"] > 0
    assert card["size"]["requested"] == 3
    assert card["scores"]["compacted_validation"] == compacted.best_score_
    assert card["scores"]["scoring"] == compacted.scoring
    assert set(card["distribution"]["params"]) == set(compacted.best_params_)
    assert card["random_state"] == 0 and card["search"]["n_trials"] == len(compacted.trials_)
    assert card["search"]["trials_stopped_early"] == sum(t.stopped for t in compacted.trials_)
    assert card["search"]["models_trained"] == sum(t.fits for t in compacted.trials_) >= len(compacted.trials_)
    assert card["versions"]["compact-learn"] == compact.__version__
    assert {"numpy", "scikit-learn", "python"} <= set(card["versions"])
    names = [f"f{i}" for i in range(64)]
    assert compact.model_card(compacted, feature_names=names)["feature_names"] == names
