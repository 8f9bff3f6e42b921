"""Property-based tests: over random small problems, compact.fit and CompactClassifier either
return a model within the requested size or raise a documented error (ValueError or TypeError)."""

import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.naive_bayes import GaussianNB
from sklearn.tree import DecisionTreeClassifier

import compact

LABELS = {
    "int": lambda k: np.arange(k) * 3 - 2,
    "str": lambda k: np.array([f"class {i}" for i in range(k)]),
    "float": lambda k: np.arange(k) + 0.5,
    "bool": lambda k: np.array([False, True])[:k],
}


@st.composite
def problems(draw):
    n = draw(st.integers(4, 60))
    n_features = draw(st.integers(1, 4))
    kind = draw(st.sampled_from(sorted(LABELS)))
    k = draw(st.integers(1, 2 if kind == "bool" else 4))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    labels = LABELS[kind](k)[rng.integers(0, k, size=n)]
    return X, labels


SETTINGS = dict(
    size=st.one_of(st.integers(-1, 4), st.just({"max_leaf_nodes": 3}), st.just("3")),
    n_trials=st.integers(0, 3),
    n_draws=st.integers(1, 2),
    validation_size=st.sampled_from([0.25, 0.5, 0.01, 0.99, 1.0]),
    weights_mode=st.booleans(),
    method=st.sampled_from(["oracle", "density_tree"]),
)


def _size_ok(model, size):
    limit = size if isinstance(size, int) else None
    if limit is not None:
        return model.get_depth() <= limit
    return model.get_n_leaves() <= size["max_leaf_nodes"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems(), **SETTINGS)
def test_fit_gives_a_model_within_size_or_a_documented_error(problem, size, n_trials, n_draws, validation_size,
                                                             weights_mode, method):
    X, y = problem
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = compact.fit(DecisionTreeClassifier(), X, y, size=size, oracle=GaussianNB(), n_trials=n_trials,
                                 n_draws=n_draws, validation_size=validation_size, weights_mode=weights_mode,
                                 method=method, random_state=0)
        except (ValueError, TypeError) as err:
            assert str(err) and "\n" not in str(err).strip()
            return
    model = result.model_
    assert _size_ok(model, size)
    assert set(np.unique(model.predict(X))) <= set(np.unique(y))
    assert result.best_score_ >= result.baseline_score_ or result.interrupted_


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems(), size=st.integers(1, 3), n_trials=st.integers(1, 3))
def test_classifier_predicts_known_labels_or_raises_a_documented_error(problem, size, n_trials):
    X, y = problem
    clf = compact.CompactClassifier(size=size, oracle=GaussianNB(), n_trials=n_trials, n_draws=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            clf.fit(X, y)
        except (ValueError, TypeError) as err:
            assert str(err)
            return
    assert clf.estimator_.get_depth() <= size
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), len(clf.classes_)) and np.allclose(proba.sum(axis=1), 1.0)
    assert set(clf.predict(X)) <= set(clf.classes_)
