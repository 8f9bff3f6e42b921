import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_iris, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils.estimator_checks import parametrize_with_checks

from compact import CompactClassifier, CompactRegressor
from compact.oracle import QuantileIntervalOracle


def fast(cls, **kw):
    """Cheap settings for the contract checks: few trials, a fast oracle."""
    if cls is CompactClassifier:
        return CompactClassifier(n_trials=3, n_draws=1, oracle=GaussianNB(), **kw)
    from sklearn.ensemble import RandomForestRegressor

    return CompactRegressor(n_trials=3, n_draws=1, oracle=RandomForestRegressor(n_estimators=5), **kw)


@parametrize_with_checks([fast(CompactClassifier), fast(CompactRegressor)])
def test_sklearn_contract(estimator, check):
    check(estimator)


def test_params_route_to_the_inner_estimator():
    clf = CompactClassifier(DecisionTreeClassifier(criterion="entropy"), size=2)
    assert clf.get_params()["estimator__criterion"] == "entropy"
    clf.set_params(estimator__criterion="gini", size=4)
    assert clf.estimator.criterion == "gini" and clf.size == 4
    copy = clone(clf)
    assert copy.get_params()["estimator__criterion"] == "gini" and copy.estimator is not clf.estimator


def test_fit_predict_and_attributes():
    pytest.importorskip("pandas")  # load_wine(as_frame=True) needs it
    X, y = load_wine(return_X_y=True, as_frame=True)
    names = np.array(["barolo", "grignolino", "barbera"])[y]
    clf = CompactClassifier(size=2, n_trials=8, oracle=GaussianNB(), random_state=0).fit(X, names)
    assert list(clf.classes_) == ["barbera", "barolo", "grignolino"] and clf.n_features_in_ == 13
    assert list(clf.feature_names_in_) == list(X.columns)
    assert clf.estimator_.get_depth() <= 2 and clf.size_ <= 2
    assert clf.predict_proba(X).shape == (len(X), 3)
    assert clf.score(X, names) > 0.8
    with pytest.warns(UserWarning, match="feature names"):
        assert set(clf.predict(X.values)) <= set(clf.classes_)


def test_pipeline_grid_search_and_cross_validation():
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(),
                         CompactClassifier(n_trials=4, n_draws=1, oracle=GaussianNB(), random_state=0))
    grid = GridSearchCV(pipe, {"compactclassifier__size": [1, 2, 3]}, cv=3).fit(X, y)
    assert grid.best_params_["compactclassifier__size"] in (2, 3)
    assert grid.best_estimator_[-1].size_ <= grid.best_params_["compactclassifier__size"]
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.85


def test_grid_over_inner_parameters():
    X, y = load_iris(return_X_y=True)
    clf = CompactClassifier(DecisionTreeClassifier(), size=2, n_trials=3, n_draws=1, oracle=GaussianNB(),
                            random_state=0)
    grid = GridSearchCV(clf, {"estimator__criterion": ["gini", "entropy"]}, cv=3).fit(X, y)
    assert grid.best_estimator_.estimator_.criterion in ("gini", "entropy")


def test_persistence_round_trip(tmp_path):
    X, y = load_iris(return_X_y=True)
    clf = CompactClassifier(LogisticRegression(), size=3, n_trials=4, oracle=GaussianNB(), random_state=0)
    clf.fit(StandardScaler().fit_transform(X), y)
    path = tmp_path / "model.joblib"
    joblib.dump(clf, path)
    loaded = joblib.load(path)
    Xs = StandardScaler().fit_transform(X)
    assert np.array_equal(loaded.predict(Xs), clf.predict(Xs))
    assert np.allclose(loaded.predict_proba(Xs), clf.predict_proba(Xs))
    assert loaded.result_.study_ is None and len(loaded.result_.trials_) == 4


def test_predict_proba_fills_classes_missing_from_the_model():
    X, y = load_iris(return_X_y=True)
    clf = CompactClassifier(size=2, n_trials=2, oracle=GaussianNB(), random_state=0).fit(X, y)
    clf.estimator_ = DecisionTreeClassifier(max_depth=2).fit(X[y < 2], y[y < 2])  # as if class 2 were unseen
    proba = clf.predict_proba(X)
    assert proba.shape == (150, 3) and np.all(proba[:, 2] == 0) and np.allclose(proba.sum(axis=1), 1)


def test_regressor_with_both_oracle_kinds():
    from sklearn.ensemble import RandomForestRegressor

    X, y = load_diabetes(return_X_y=True)
    for oracle in ("xgboost", RandomForestRegressor(n_estimators=30, min_samples_leaf=3)):
        reg = CompactRegressor(size=3, n_trials=10, oracle=oracle, random_state=0).fit(X, y)
        assert reg.estimator_.get_depth() <= 3
        assert reg.result_.best_score_ >= reg.result_.baseline_score_
        assert reg.result_.scoring == "r2" and reg.result_.classes_ is None
        assert reg.score(X, y) > 0.3


def test_quantile_interval_oracle():
    from sklearn.ensemble import GradientBoostingRegressor

    X, y = load_diabetes(return_X_y=True)
    default = QuantileIntervalOracle(random_state=0).fit(X, y)
    sklearn_q = QuantileIntervalOracle(GradientBoostingRegressor(loss="quantile", n_estimators=30)).fit(X, y)
    for oracle in (default, sklearn_q):
        interval = oracle.predict_interval(X)
        assert interval.shape == (len(X), 2) and np.all(interval[:, 1] >= interval[:, 0])
        # Roughly 80 % of training targets fall inside a 10 %-90 % interval.
        inside = np.mean((y >= interval[:, 0]) & (y <= interval[:, 1]))
        assert 0.6 < inside <= 1.0
    with pytest.raises(ValueError, match="quantiles"):
        QuantileIntervalOracle(quantiles=(0.9, 0.1)).fit(X, y)


def test_regression_oracle_without_uncertainty():
    from sklearn.linear_model import Ridge

    import compact

    X, y = load_diabetes(return_X_y=True)
    with pytest.raises(TypeError, match="gives no uncertainty"):
        compact.fit(DecisionTreeRegressor(), X, y, size=2, oracle=Ridge(), n_trials=2)


def test_grid_search_on_a_dask_cluster_matches_the_serial_search():
    """GridSearchCV's fits of CompactClassifier run as Dask tasks through joblib's Dask backend."""
    distributed = pytest.importorskip("dask.distributed", reason="dask.distributed is not installed")
    X, y = load_wine(return_X_y=True)
    clf = CompactClassifier(oracle=GaussianNB(), n_trials=4, n_draws=1, random_state=0)
    grid = {"size": [1, 2]}
    serial = GridSearchCV(clf, grid, cv=2).fit(X, y)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster, \
            distributed.Client(cluster), joblib.parallel_config(backend="dask"), \
            distributed.get_task_stream() as stream:
        spread = GridSearchCV(clf, grid, cv=2, n_jobs=-1).fit(X, y)
    assert stream.data, "no Dask task ran"
    assert spread.best_params_ == serial.best_params_
    np.testing.assert_allclose(spread.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"])
