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
