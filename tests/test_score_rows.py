"""score_on: the rows candidates are scored on (validation part, or training and validation parts)."""

import numpy as np
import pytest
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.linear_model import Lasso, LogisticRegression
from sklearn.metrics import f1_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import compact
from compact._problem import make_problem, with_score_rows


@pytest.fixture(scope="module")
def parts(small_data):
    X, y = small_data
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


def _fit(estimator, parts, oracle, *, size=2, **kw):
    X_tr, X_va, y_tr, y_va = parts
    return compact.fit(estimator, X_tr, y_tr, size=size, validation_data=(X_va, y_va), oracle=oracle,
                       **{"n_trials": 4, "random_state": 0, **kw})


def _train_and_validation(parts):
    """The training and validation rows stacked, built here rather than by the code under test."""
    X_tr, X_va, y_tr, y_va = parts
    return np.vstack([X_tr, X_va]), np.concatenate([y_tr, y_va])


def _macro_f1(model, X, y) -> float:
    return f1_score(y, model.predict(X), average="macro")


def test_training_rows_come_first_then_the_validation_rows(small_data):
    X, y = small_data
    problem = make_problem(X, y, validation_size=0.25, validation_data=None, seed=0, regression=False,
                           encoded_labels=True)
    assert with_score_rows(problem, "validation") is problem and problem.X_score is problem.X_val
    both = with_score_rows(problem, "train+validation")
    np.testing.assert_array_equal(both.X_score, np.vstack([problem.X_train, problem.X_val]))
    np.testing.assert_array_equal(both.y_score, np.concatenate([problem.y_fit, problem.y_score]))  # codes
    assert both.X_val is problem.X_val and both.y_fit is problem.y_fit


def test_tree_classifiers_are_scored_on_training_and_validation_rows_by_default(parts, fitted_oracle):
    X_tr, X_va, y_tr, y_va = parts
    X_all, y_all = _train_and_validation(parts)
    result = _fit(DecisionTreeClassifier(), parts, fitted_oracle)
    assert result.score_on == "train+validation" and result.to_dict()["score_on"] == "train+validation"
    both = _macro_f1(result.baseline_model_, X_all, y_all)
    val = _macro_f1(result.baseline_model_, X_va, y_va)
    assert abs(result.baseline_score_ - both) < 1e-12 and abs(both - val) > 1e-3  # not the validation score
    assert abs(result.best_draw_score_ - _macro_f1(result.model_, X_all, y_all)) < 1e-12
    # On these rows the model is the top draw of any trial, and that draw's score chose it.
    draws = [score for t in result.trials_ for score in t.scores]
    assert result.best_score_ == result.best_draw_score_ == max(draws) >= result.baseline_score_

    alone = _fit(DecisionTreeClassifier(), parts, fitted_oracle, score_on="validation", n_trials=12)
    assert alone.score_on == "validation"
    assert abs(alone.baseline_score_ - val) < 1e-12  # the same baseline tree, scored on validation only
    # On the validation part alone: the best trial by mean, its best draw.
    best = max((t for t in alone.trials_ if not t.stopped), key=lambda t: (t.score, -t.number))
    assert alone.best_score_ == best.score and alone.best_draw_score_ == max(best.scores)
    assert alone.best_params_ == best.params


def test_logistic_regression_is_scored_on_training_and_validation_rows_by_default(parts, fitted_oracle):
    result = _fit(LogisticRegression(max_iter=300), parts, fitted_oracle)
    assert result.score_on == "train+validation"
    assert abs(result.baseline_score_ - _macro_f1(result.baseline_model_, *_train_and_validation(parts))) < 1e-12


def test_random_forest_classifiers_are_scored_on_training_and_validation_rows_by_default(parts, fitted_oracle):
    X_tr, X_va, y_tr, y_va = parts
    X_all, y_all = _train_and_validation(parts)
    result = _fit(RandomForestClassifier(n_jobs=1), parts, fitted_oracle, size=(3, 2))
    assert result.score_on == "train+validation"
    assert abs(result.baseline_score_ - _macro_f1(result.baseline_model_, X_all, y_all)) < 1e-12
    draws = [score for t in result.trials_ for score in t.scores]
    assert result.best_score_ == max(draws) >= result.baseline_score_
    assert abs(result.best_score_ - _macro_f1(result.model_, X_all, y_all)) < 1e-12
    # Extra trees see every training row (no bootstrap): not measured, so they keep the validation part.
    extra = _fit(ExtraTreesClassifier(n_jobs=1), parts, fitted_oracle, size=(3, 2))
    assert extra.score_on == "validation"
    assert abs(extra.baseline_score_ - _macro_f1(extra.baseline_model_, X_va, y_va)) < 1e-12


def test_linear_probability_classifiers_are_scored_on_training_and_validation_rows_by_default(parts, fitted_oracle):
    from compact.linear_probability import LinearProbabilityClassifier

    result = _fit(LinearProbabilityClassifier(), parts, fitted_oracle)
    assert result.score_on == "train+validation"
    assert abs(result.baseline_score_ - _macro_f1(result.baseline_model_, *_train_and_validation(parts))) < 1e-12


def test_other_families_keep_the_validation_rows(parts, fitted_oracle):
    from xgboost import XGBClassifier

    X_tr, X_va, y_tr, y_va = parts
    result = _fit(XGBClassifier(n_jobs=1), parts, fitted_oracle, size=(3, 2))  # measured: no clear gain
    assert result.score_on == "validation"
    assert abs(result.baseline_score_ - _macro_f1(result.baseline_model_, X_va, y_va)) < 1e-12
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = X[:, 0] + 0.3 * rng.normal(size=300)
    for regressor in (DecisionTreeRegressor(), Lasso()):
        reg = compact.fit(regressor, X[:200], y[:200], size=2, validation_data=(X[200:], y[200:]),
                          n_trials=3, random_state=0)
        assert reg.score_on == "validation"
        assert abs(reg.baseline_score_ - r2_score(y[200:], reg.baseline_model_.predict(X[200:]))) < 1e-12


@pytest.mark.parametrize("value", ["train", "all", 1, True])
def test_a_bad_score_on_is_one_line_before_any_work(parts, value):
    X_tr, X_va, y_tr, y_va = parts

    class Spy(LogisticRegression):
        fits = 0

        def fit(self, X, y, **kw):
            Spy.fits += 1
            return super().fit(X, y, **kw)

    with pytest.raises(ValueError, match=r"^score_on must be None, 'validation' or 'train\+validation'; got") as err:
        _fit(DecisionTreeClassifier(), parts, Spy(max_iter=300), score_on=value)
    assert "\n" not in str(err.value) and Spy.fits == 0


def test_the_restarts_control_is_chosen_on_the_rows_compaction_scores_on(small_data, monkeypatch):
    # Trees that draw their features at random differ by seed: the control keeps the best on the
    # rows compaction scores on (``fit_kwargs["score_on"]``, which ``compare`` resolves).
    from compact import harness
    from compact.adapters import get_adapter

    X, y = small_data
    trained = []

    def recording(*args, **kwargs):
        models = fit_original(*args, **kwargs)
        trained.extend(models)
        return models

    fit_original = harness._fit_original
    monkeypatch.setattr(harness, "_fit_original", recording)
    adapter = get_adapter(DecisionTreeClassifier(max_features=0.2))
    X_tr, X_rest, y_tr, y_rest = train_test_split(X, y, test_size=0.5, random_state=0)
    X_va, X_te, y_va, y_te = train_test_split(X_rest, y_rest, test_size=0.5, random_state=0)
    split = harness._Split(0, X_tr, y_tr, X_va, y_va, X_te, y_te, adapter.prepare_X(X_tr), np.unique(y), None)
    picked = {}
    for score_on, (X_s, y_s) in {"validation": (X_va, y_va),
                                 "train+validation": (np.vstack([X_tr, X_va]), np.concatenate([y_tr, y_va]))}.items():
        setup = harness._Setup(adapter, "f1_macro", "max_depth", {"score_on": score_on}, {}, None, "oracle", False)
        trained.clear()
        row = harness._restarts(setup, split, {"max_depth": 2}, 12)
        scores = [f1_score(y_s, m.predict(X_s), average="macro") for m in trained]
        best = trained[int(np.argmax(scores))]  # the first of equals
        assert len(trained) == 12 and row["test_score"] == f1_score(y_te, best.predict(X_te), average="macro")
        picked[score_on] = row["test_score"], row["val_score"]
    assert picked["validation"] != picked["train+validation"]  # the rows made a difference here
