import warnings

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.metrics import get_scorer

from compact.scoring import (
    CLASSIFICATION_SCORERS,
    REGRESSION_SCORERS,
    fast_scorer,
    label_codes,
)


class Fixed:
    """A 'model' whose predict returns fixed predictions, to call scikit-learn's scorers."""

    _estimator_type = "classifier"

    def __init__(self, pred, classes=None):
        self.pred = pred
        self.classes_ = classes

    def predict(self, X):
        return self.pred

    def __sklearn_tags__(self):
        return DummyClassifier().__sklearn_tags__()


def sklearn_score(name, y_true, y_pred):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return get_scorer(name)(Fixed(y_pred, np.unique(y_true)), np.zeros((len(y_true), 1)), y_true)


def random_case(rng):
    """Label codes with classes missing from y_true, y_pred or both, and one-class predictions."""
    k = int(rng.integers(2, 31))
    n = int(rng.integers(1, 400))
    kind = rng.integers(6)
    present = np.sort(rng.choice(k, size=int(rng.integers(1, k + 1)), replace=False))
    y_true = rng.choice(present, size=n)
    if kind == 0:  # one class predicted
        y_pred = np.full(n, rng.integers(k))
    elif kind == 1:  # mostly right
        y_pred = np.where(rng.random(n) < 0.8, y_true, rng.integers(k, size=n))
    elif kind == 2:  # predictions from other classes
        y_pred = rng.choice(np.arange(k), size=n)
    elif kind == 3:  # y_true one class
        y_true = np.full(n, present[0])
        y_pred = rng.choice(present, size=n)
    elif kind == 4:  # perfect
        y_pred = y_true.copy()
    else:  # skewed
        y_pred = np.minimum(rng.geometric(0.4, size=n) - 1, k - 1)
    return k, y_true, y_pred


@pytest.mark.parametrize("name", sorted(CLASSIFICATION_SCORERS))
def test_classification_scorers_equal_sklearn(name):
    rng = np.random.default_rng(hash(name) % 2**32)
    for _ in range(150):
        k, y_true, y_pred = random_case(rng)
        expected = sklearn_score(name, y_true, y_pred)
        assert fast_scorer(name, n_classes=k)(y_true, y_pred) == pytest.approx(expected, abs=1e-12, rel=0)
        # K larger than needed (unused codes) and K inferred give the same score.
        assert fast_scorer(name, n_classes=k + 3)(y_true, y_pred) == pytest.approx(expected, abs=1e-12, rel=0)
        assert fast_scorer(name)(y_true, y_pred) == pytest.approx(expected, abs=1e-12, rel=0)


@pytest.mark.parametrize("name", sorted(CLASSIFICATION_SCORERS))
def test_classification_on_codes_equals_sklearn_on_labels(name):
    """Scoring codes gives scikit-learn's score on the original (string) labels."""
    rng = np.random.default_rng(1)
    classes = np.array(["ant", "bee", "cat", "dog", "eel"])
    for _ in range(50):
        y_true = rng.choice(classes[:4], size=200)
        y_pred = rng.choice(classes, size=200)
        score = fast_scorer(name, n_classes=classes.size)
        expected = sklearn_score(name, y_true, y_pred)
        got = score(label_codes(classes, y_true), label_codes(classes, y_pred))
        assert got == pytest.approx(expected, abs=1e-12, rel=0)


def test_float_codes_accepted():
    y_true = np.array([0, 1, 2, 2, 1])
    y_pred = np.array([0.0, 1.0, 1.0, 2.0, 1.0])
    assert fast_scorer("f1_macro", n_classes=3)(y_true, y_pred) == pytest.approx(
        sklearn_score("f1_macro", y_true, y_pred.astype(int)), abs=1e-12)


def test_codes_out_of_range_raise():
    with pytest.raises(ValueError, match="codes"):
        fast_scorer("accuracy", n_classes=2)(np.array([0, 1]), np.array([0, 2]))


def test_label_codes_unseen_labels_get_extra_code():
    classes = np.array([1, 3, 5])
    assert label_codes(classes, np.array([5, 1, 2, 3, 9, 0])).tolist() == [2, 0, 3, 1, 3, 3]
    # An unseen validation label counts as its own (wrong) class, as in scikit-learn.
    y_true = np.array([1, 3, 5, 7, 7])
    y_pred = np.array([1, 3, 3, 5, 1])
    for name in CLASSIFICATION_SCORERS:
        got = fast_scorer(name, n_classes=4)(label_codes(classes, y_true), label_codes(classes, y_pred))
        assert got == pytest.approx(sklearn_score(name, y_true, y_pred), abs=1e-12, rel=0)


class FixedRegressor(Fixed):
    _estimator_type = "regressor"

    def __sklearn_tags__(self):
        from sklearn.dummy import DummyRegressor

        return DummyRegressor().__sklearn_tags__()


@pytest.mark.parametrize("name", sorted(REGRESSION_SCORERS))
def test_regression_scorers_equal_sklearn(name):
    rng = np.random.default_rng(7)
    scorer = get_scorer(name)
    score = fast_scorer(name, regression=True)
    for case in range(150):
        n = int(rng.integers(2, 500))
        y_true = rng.normal(size=n) * rng.uniform(0.01, 100)
        if case % 10 == 0:
            y_true[:] = 3.0  # constant target
        if case % 7 == 0:
            y_pred = y_true.copy()
        elif case % 5 == 0:
            y_pred = np.full(n, y_true.mean())
        else:
            y_pred = y_true + rng.normal(size=n) * rng.uniform(0.01, 10)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = scorer(FixedRegressor(y_pred), np.zeros((n, 1)), y_true)
        assert score(y_true, y_pred) == pytest.approx(expected, abs=1e-12, rel=1e-12)
        assert score(y_true, y_pred[:, None]) == pytest.approx(expected, abs=1e-12, rel=1e-12)


def test_r2_one_sample_is_nan():
    assert np.isnan(fast_scorer("r2", regression=True)(np.array([1.0]), np.array([2.0])))


def test_unknown_scorers_give_none():
    assert fast_scorer(None) is None
    assert fast_scorer(lambda est, X, y: 0.0) is None
    assert fast_scorer(get_scorer("f1_macro")) is None  # scorer objects keep scikit-learn's route
    for name in ("roc_auc", "neg_log_loss", "f1", "precision", "average_precision", "nonsense"):
        assert fast_scorer(name, n_classes=3) is None
    assert fast_scorer("r2") is None  # regression name, classification task
    assert fast_scorer("f1_macro", regression=True) is None
    assert fast_scorer("neg_median_absolute_error", regression=True) is None
    with pytest.raises(ValueError):
        fast_scorer("accuracy", n_classes=0)


@pytest.mark.parametrize("scoring", ["f1_macro", "accuracy", "balanced_accuracy"])
def test_search_scores_equal_scikit_learns_route(small_data, fitted_oracle, scoring):
    """compact.fit takes the fast path for a scorer name; a scorer object takes scikit-learn's: same trials."""
    from sklearn.metrics import get_scorer
    from sklearn.tree import DecisionTreeClassifier

    import compact

    X, y = small_data
    labels = np.array(["a", "b", "c"])[y]
    runs = [compact.fit(DecisionTreeClassifier(), X, labels, size=2, oracle=fitted_oracle, n_trials=6,
                        scoring=s, random_state=0) for s in (scoring, get_scorer(scoring))]
    for fast, slow in zip(runs[0].trials_, runs[1].trials_):
        assert fast.params == slow.params
        np.testing.assert_allclose(fast.scores, slow.scores, rtol=0, atol=1e-12)


# -- scikit-learn's route: candidates that missed a class, models fitted on codes, unseen predictions --------
class OneClass:
    """A fitted 'classifier' that saw one class: a constant decision value, a one-column probability."""

    def __init__(self, label):
        self.classes_ = np.array([label])

    def predict(self, X):
        return np.full(X.shape[0], self.classes_[0])

    def predict_proba(self, X):
        return np.ones((X.shape[0], 1))

    def decision_function(self, X):
        raise AssertionError("a one-class model has no decision value to ask for")


def test_probability_scorers_see_every_class_of_a_candidate_that_missed_one():
    """A candidate fitted on a resample without class 2 is scored with a zero column for it, as sklearn
    would score a model of all three classes; before, log_loss raised '3 vs 2' classes mid-search."""
    from sklearn.metrics import log_loss
    from sklearn.tree import DecisionTreeClassifier

    from compact.scoring import validation_scorer

    X = np.arange(9.0)[:, None]
    y = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
    model = DecisionTreeClassifier(max_depth=1).fit(X[:6], y[:6])  # classes 0 and 1 only
    score = validation_scorer("neg_log_loss", get_scorer("neg_log_loss"), y, labels=np.array([0, 1, 2]))
    proba = np.zeros((9, 3))
    proba[:, :2] = model.predict_proba(X)
    assert score(model, X) == pytest.approx(-log_loss(y, proba, labels=[0, 1, 2]), rel=1e-12)
    assert score(model, X) == pytest.approx(-(6 * np.log(1.0) + 3 * -np.log(np.finfo(float).eps)) / 9, rel=1e-9)


def test_search_with_a_probability_scorer_survives_candidates_that_miss_a_class():
    """iris, one split, neg_log_loss: small resamples miss a class; every trial is scored (before, such
    trials raised 'y_true and y_prob contain different number of classes: 3 vs 2')."""
    from sklearn.datasets import load_iris

    from compact import CompactClassifier

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = CompactClassifier(size=1, n_trials=20, random_state=0, n_jobs=1,
                                  scoring="neg_log_loss").fit(*load_iris(return_X_y=True))
    assert not [w for w in caught if "failed" in str(w.message)]
    trials = model.result_.trials_
    assert len(trials) == 20 and all(np.isfinite(t.scores).all() for t in trials)


def test_binary_scorers_of_a_one_class_candidate_rank_nothing():
    """roc_auc of a one-class candidate (a rare class missed): 0.5 through the padded probabilities and
    through the constant decision value, instead of 'predict_proba of shape (n, 1)'."""
    from compact.scoring import ScoringView, validation_scorer

    X = np.zeros((6, 1))
    y = np.array([0, 0, 0, 0, 1, 1])
    score = validation_scorer("roc_auc", get_scorer("roc_auc"), y, labels=np.array([0, 1]))
    assert score(OneClass(0), X) == 0.5  # decision_function first: the constant
    assert score(OneClass(1), X) == 0.5
    for label, sign in ((0, -1.0), (1, 1.0)):
        view = ScoringView(OneClass(label), np.array([0, 1]))
        assert view.decision_function(X).tolist() == [sign] * 6
        assert view.predict_proba(X)[0].tolist() == ([1.0, 0.0] if label == 0 else [0.0, 1.0])
    ap = validation_scorer("average_precision", get_scorer("average_precision"), y, labels=np.array([0, 1]))
    assert ap(OneClass(0), X) == pytest.approx(2 / 6)  # the prevalence: no ranking


def test_scoring_view_pads_multiclass_decision_values_below_the_known_classes():
    from sklearn.linear_model import LogisticRegression

    from compact.scoring import ScoringView

    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    three = LogisticRegression().fit(X, [0, 0, 2, 2])  # classes 0 and 2 of 0, 1, 2: one decision column
    d = three.decision_function(X)
    view = ScoringView(three, np.array([0, 1, 2]))
    np.testing.assert_allclose(view.decision_function(X), np.column_stack([-d, -np.abs(d) - 1, d]))
    assert view.decision_function(X).argmax(axis=1).tolist() == [0, 0, 2, 2] == view.predict(X).tolist()
    assert view.coef_ is three.coef_  # the candidate's own attributes
    top2 = get_scorer("top_k_accuracy")  # decision values, k=2: the missed class ranks last
    assert top2(view, X, np.array([1, 0, 1, 2])) == 0.5  # the rows of class 1 are never in the top 2


def test_models_fitted_on_codes_are_scored_on_the_labels():
    """labels {1, 2} coded 0, 1 (xgboost's families): f1 (pos_label=1) is label 1's F1, not code 1's
    (label 2), and a custom scorer sees the labels."""
    from sklearn.metrics import f1_score
    from sklearn.tree import DecisionTreeClassifier

    from compact.scoring import validation_scorer

    X = np.arange(12.0)[:, None]
    labels = np.array([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2])
    codes = labels - 1
    model = DecisionTreeClassifier(max_depth=1).fit(X, [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1])  # on codes
    pred = np.array([1, 2])[model.predict(X)]
    expected = f1_score(labels, pred, pos_label=1)
    assert expected == pytest.approx(0.75) and f1_score(labels, pred, pos_label=2) == pytest.approx(0.875)
    score = validation_scorer("f1", get_scorer("f1"), codes, labels=np.array([0, 1]), classes=np.array([1, 2]))
    assert score(model, X) == pytest.approx(expected, rel=1e-12)

    def sees(estimator, X, y):
        return float(set(np.unique(y)) == {1, 2} and set(np.unique(estimator.predict(X))) == {1, 2}
                     and estimator.classes_.tolist() == [1, 2])

    assert validation_scorer(sees, sees, codes, labels=np.array([0, 1]), classes=np.array([1, 2]))(model, X) == 1.0
    # The fast path keeps scoring codes, equal to scikit-learn's on the labels.
    fast = validation_scorer("f1_macro", get_scorer("f1_macro"), codes, labels=np.array([0, 1]),
                             classes=np.array([1, 2]))
    assert fast(model, X) == pytest.approx(f1_score(labels, pred, average="macro"), abs=1e-12)


def test_search_scores_xgboost_on_the_labels():
    """compact.fit with XGBClassifier (fitted on codes) and scoring='f1' on labels {1, 2}: the scores
    are label 1's F1, as for any other family."""
    pytest.importorskip("xgboost")
    from sklearn.metrics import f1_score
    from xgboost import XGBClassifier

    import compact

    rng = np.random.default_rng(0)
    X = rng.normal(size=(160, 2))
    y = np.where(X[:, 0] + 0.8 * rng.normal(size=160) > 0.6, 1, 2)
    X_tr, y_tr, X_val, y_val = X[:100], y[:100], X[100:], y[100:]
    result = compact.fit(XGBClassifier(n_jobs=1), X_tr, y_tr, size=(2, 1), n_trials=2, scoring="f1",
                         random_state=0, n_jobs=1, validation_data=(X_val, y_val))
    pred = result.baseline_model_.predict(X_val)
    assert f1_score(y_val, pred, pos_label=1) != pytest.approx(f1_score(y_val, pred, pos_label=2))
    assert result.baseline_score_ == pytest.approx(f1_score(y_val, pred, pos_label=1), rel=1e-12)


def test_predicted_labels_outside_the_known_ones_count_as_their_own():
    """A prediction outside the labels (here 3, 9 and 7 for labels 0, 1, 2) is a class of its own, as in
    scikit-learn; before, its code fell into another cell of the confusion matrix (0.822 for 0.667)."""
    from compact.scoring import validation_scorer

    y_true = np.array([0, 0, 1, 1, 2, 2])
    for y_pred in (np.array([3, 0, 1, 1, 2, 2]), np.array([3, 9, 1, 7, 2, 2])):
        for name in CLASSIFICATION_SCORERS:
            score = validation_scorer(name, get_scorer(name), y_true, labels=np.array([0, 1, 2]))
            assert score(Fixed(y_pred), None) == pytest.approx(sklearn_score(name, y_true, y_pred), abs=1e-12)
    score = validation_scorer("f1_macro", None, y_true, labels=np.array([0, 1, 2]))
    assert score(Fixed(np.array([3, 0, 1, 1, 2, 2])), None) == pytest.approx(2 / 3)


def test_codes_past_n_classes_raise_wherever_they_would_land():
    score = fast_scorer("f1_macro", n_classes=3)
    with pytest.raises(ValueError, match="codes"):
        score(np.array([0, 0, 1]), np.array([3, 0, 1]))  # 0 * 3 + 3: inside the 3 x 3 matrix
    with pytest.raises(ValueError, match="codes"):
        score(np.array([1, 0, 1]), np.array([-1, 0, 1]))
