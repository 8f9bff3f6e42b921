import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier

import compact
from compact.adapters import Adapter, DecisionTreeAdapter, get_adapter, register_adapter
from compact.adapters import _REGISTRY


def test_get_adapter_picks_tree():
    adapter = get_adapter(DecisionTreeClassifier())
    assert isinstance(adapter, DecisionTreeAdapter)


def test_get_adapter_unknown_family():
    with pytest.raises(TypeError, match="No adapter for KNeighborsClassifier"):
        get_adapter(KNeighborsClassifier())


@pytest.mark.parametrize(
    "size, message",
    [
        (None, "size is required"),
        (0, "positive integer"),
        (-2, "positive integer"),
        (2.5, "positive int"),
        ("3", "positive int"),
        (True, "positive int"),
        ({}, "at least one"),
        ({"n_estimators": 3}, "Unknown size parameter"),
        ({"max_leaf_nodes": 1}, "at least 2"),
    ],
)
def test_tree_size_errors(size, message):
    with pytest.raises(ValueError, match=message):
        get_adapter(DecisionTreeClassifier()).normalize_size(size)


def test_tree_build_keeps_other_params_and_measures(small_data):
    X, y = small_data
    adapter = get_adapter(DecisionTreeClassifier(criterion="entropy"))
    size = adapter.normalize_size(np.int64(2))
    model = adapter.build(size, random_state=3)
    assert model.get_params()["criterion"] == "entropy"
    assert model.max_depth == 2 and model.random_state == 3
    adapter.fit(model, adapter.prepare_X(X), y)
    measured = adapter.measure(model)
    assert measured["max_depth"] == 2 and adapter.within(measured, size)
    assert not adapter.within({"max_depth": 3}, size)


def test_user_random_state_is_kept():
    adapter = get_adapter(DecisionTreeClassifier(random_state=7))
    assert adapter.build({"max_depth": 2}, random_state=3).random_state == 7


def test_registered_adapter_compacts_a_new_family(small_data, fitted_oracle):
    X, y = small_data

    class KNNAdapter(Adapter):
        size_names = ("n_neighbors",)

        @classmethod
        def accepts(cls, estimator):
            return isinstance(estimator, KNeighborsClassifier)

        def measure(self, model):
            return {"n_neighbors": model.n_neighbors}

    register_adapter(KNNAdapter)
    try:
        result = compact.fit(
            KNeighborsClassifier(), X, y, size=5, oracle=fitted_oracle, n_trials=4, random_state=0
        )
        assert result.size_ == 5 and isinstance(result.model_, KNeighborsClassifier)
        assert result.best_score_ >= result.baseline_score_
    finally:
        _REGISTRY.remove(KNNAdapter)


def test_register_adapter_rejects_non_adapters():
    with pytest.raises(TypeError, match="Adapter subclass"):
        register_adapter(LogisticRegression)


def test_tree_resample_as_counts_equals_repeated_rows(small_data):
    X, y = small_data
    adapter = get_adapter(DecisionTreeClassifier())
    assert adapter.weights_as_counts
    Xf = adapter.prepare_X(X)
    idx = np.random.default_rng(0).integers(0, len(X), size=2 * len(X))
    weighted = adapter.fit_resample(adapter.build({"max_depth": 4}, random_state=0), Xf, y, idx)
    repeated = adapter.build({"max_depth": 4}, random_state=0).fit(Xf[idx], y[idx])
    assert np.array_equal(weighted.predict(Xf), repeated.predict(Xf))
    assert weighted.tree_.node_count == repeated.tree_.node_count


def test_balanced_tree_resample_equals_repeated_rows(small_data):
    # "balanced" class weights are counted over the rows given to fit, so counts
    # as weights would change them: such trees are fitted on the repeated rows.
    X, y = small_data
    adapter = get_adapter(DecisionTreeClassifier(class_weight="balanced"))
    Xf = adapter.prepare_X(X)
    skew = np.where(y == 0, 6.0, 1.0)
    idx = np.random.default_rng(0).choice(len(X), size=len(X), p=skew / skew.sum())
    resampled = adapter.fit_resample(adapter.build({"max_depth": 2}, random_state=0), Xf, y, idx)
    repeated = adapter.build({"max_depth": 2}, random_state=0).fit(Xf[idx], y[idx])
    assert np.array_equal(resampled.predict_proba(Xf), repeated.predict_proba(Xf))
    counts = np.bincount(idx, minlength=len(X))
    rows = np.flatnonzero(counts)
    as_counts = adapter.build({"max_depth": 2}, random_state=0).fit(Xf[rows], y[rows], sample_weight=counts[rows])
    assert not np.allclose(as_counts.predict_proba(Xf), repeated.predict_proba(Xf))
