"""Every family compacts through compact.fit: size respected, never below baseline on validation."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import (
    ExtraTreesClassifier,
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks
from xgboost import XGBClassifier

import compact
from compact import LinearProbabilityClassifier
from compact.adapters import (
    DecodedClassifier,
    ForestAdapter,
    GenericAdapter,
    GradientBoostingAdapter,
    HistGradientBoostingAdapter,
    LinearProbabilityAdapter,
    LogisticL1Adapter,
    XGBoostAdapter,
    get_adapter,
)


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def cancer_oracle(cancer):
    return LogisticRegression(max_iter=1000).fit(*cancer)


FAMILIES = [
    (LogisticRegression(), 4, LogisticL1Adapter),
    (LinearProbabilityClassifier(), {"n_features": 3}, LinearProbabilityAdapter),
    (XGBClassifier(n_jobs=1), (4, 2), XGBoostAdapter),
    (HistGradientBoostingClassifier(), (4, 2), HistGradientBoostingAdapter),
    (GradientBoostingClassifier(), (4, 2), GradientBoostingAdapter),
    (RandomForestClassifier(n_jobs=1), (4, 2), ForestAdapter),
    (ExtraTreesClassifier(n_jobs=1), {"n_estimators": 3, "max_depth": 3}, ForestAdapter),
]


@pytest.mark.parametrize("estimator, size, adapter_cls", FAMILIES, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize("weights_mode", [False, True])
def test_family_compacts_within_size(cancer, cancer_oracle, estimator, size, adapter_cls, weights_mode):
    X, y = cancer
    adapter = get_adapter(estimator)
    assert type(adapter) is adapter_cls
    labels = np.array(["malignant", "benign"])[y]
    # HistGradientBoosting with sample_weight bins slowly (about 1 s a fit).
    slow = weights_mode and adapter_cls is HistGradientBoostingAdapter
    result = compact.fit(
        estimator, X, labels, size=size, oracle=cancer_oracle, n_trials=2 if slow else 6, n_draws=2,
        weights_mode=weights_mode, random_state=0,
    )
    request = adapter.normalize_size(size)
    model = result.model_.estimator_ if isinstance(result.model_, DecodedClassifier) else result.model_
    measured = adapter.measure(model)
    assert adapter.within(measured, request), (measured, request)
    assert result.best_score_ >= result.baseline_score_
    assert set(result.predict(X)) <= {"malignant", "benign"}
    assert (result.predict(X) == labels).mean() > 0.8


def test_l1_path_reaches_the_requested_count(cancer):
    """The path search lands on (or just under) the requested number of coefficients."""
    X, y = cancer
    adapter = get_adapter(LogisticRegression())
    for k in (1, 5, 12):
        model = adapter.fit(adapter.build({"n_nonzero": k}), X, y, size={"n_nonzero": k})
        count = np.count_nonzero(model.coef_)
        assert k - 2 <= count <= k
    adapter = get_adapter(LinearProbabilityClassifier())
    model = adapter.fit(adapter.build({}), X, y, size={"n_nonzero": 6})
    assert 4 <= np.count_nonzero(model.coef_) <= 6


def test_l1_path_multiclass_counts_all_classes():
    from sklearn.datasets import load_wine

    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    for est in (LogisticRegression(), LinearProbabilityClassifier()):
        adapter = get_adapter(est)
        model = adapter.fit(adapter.build({}), X, y, size={"n_features": 4})
        measured = adapter.measure(model)
        assert measured["n_features"] <= 4 and measured["n_nonzero"] >= measured["n_features"]
        print(type(est).__name__, measured, model.score(X, y))
        assert model.score(X, y) > 0.7


def test_xgboost_measures_rounds_and_depth(cancer):
    X, y = cancer
    adapter = get_adapter(XGBClassifier(n_jobs=1))
    model = adapter.fit(adapter.build(adapter.normalize_size((7, 3))), X, y)
    assert adapter.measure(model) == {"n_estimators": 7, "max_depth": 3}
    stump = adapter.fit(adapter.build({"n_estimators": 2, "max_depth": 1}), X, y)
    assert adapter.measure(stump)["max_depth"] == 1


def test_xgboost_resample_keeps_every_class(cancer):
    """A resample without one class must still fit (weights over all rows)."""
    X, y = cancer
    adapter = get_adapter(XGBClassifier(n_jobs=1))
    only_zero = np.flatnonzero(y == 0)
    model = adapter.fit_resample(adapter.build({"n_estimators": 3, "max_depth": 2}), X, y, only_zero)
    assert model.predict_proba(X).shape == (len(X), 2)


def test_ensemble_size_errors():
    adapter = get_adapter(RandomForestClassifier())
    with pytest.raises(ValueError, match="more values"):
        adapter.normalize_size((3, 2, 1))
    with pytest.raises(ValueError, match="positive integer"):
        adapter.normalize_size((3, 0))
    assert adapter.normalize_size((5,)) == {"n_estimators": 5}


def test_generic_adapter_by_size_param(cancer, cancer_oracle):
    X, y = cancer
    with pytest.warns(UserWarning, match="falls back to resampling"):
        result = compact.fit(
            KNeighborsClassifier(), X, y, size=7, size_param="n_neighbors", oracle=cancer_oracle,
            n_trials=4, weights_mode=True, random_state=0,
        )
    assert result.model_.n_neighbors == 7 and result.size_ == 7
    assert isinstance(get_adapter(KNeighborsClassifier(), "n_neighbors"), GenericAdapter)
    with pytest.raises(ValueError, match="no parameter 'depth'"):
        get_adapter(KNeighborsClassifier(), "depth")
    with pytest.raises(TypeError, match="size_param"):
        get_adapter(KNeighborsClassifier())


def test_decoded_classifier_round_trip(cancer):
    X, y = cancer
    labels = np.array(["no", "yes"])[y]
    wrapper = DecodedClassifier(XGBClassifier(n_estimators=5, n_jobs=1)).fit(X, labels)
    assert set(wrapper.predict(X)) == {"no", "yes"} and wrapper.score(X, labels) > 0.9
    assert wrapper.predict_proba(X).shape == (len(X), 2)


@parametrize_with_checks([LinearProbabilityClassifier()])
def test_linear_probability_sklearn_contract(estimator, check):
    check(estimator)
