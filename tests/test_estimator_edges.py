"""Edges of CompactClassifier and CompactRegressor: the wrong task, failed fits, parameters of the
default family, column names and numpy sizes in the result."""

import dataclasses
import json

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_iris
from sklearn.ensemble import RandomForestRegressor
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.naive_bayes import GaussianNB
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import compact
from compact import CompactClassifier, CompactRegressor

FITTED = ("estimator_", "result_", "size_", "classes_", "n_features_in_", "feature_names_in_")


def small_classifier(**kw):
    return CompactClassifier(**{"n_trials": 2, "n_draws": 1, "oracle": GaussianNB(), "random_state": 0, **kw})


def small_regressor(**kw):
    return CompactRegressor(**{"n_trials": 2, "n_draws": 1, "oracle": RandomForestRegressor(n_estimators=5),
                               "random_state": 0, **kw})


def assert_unfitted(est, X):
    assert not [name for name in FITTED if hasattr(est, name)]
    with pytest.raises(NotFittedError):
        est.predict(X)


# -- 1. the family must be of the estimator's task --------------------------------------------------
def test_a_family_of_the_other_task_is_refused_before_any_work():
    X, y = load_iris(return_X_y=True)
    clf = small_classifier(estimator=DecisionTreeRegressor())
    with pytest.raises(ValueError, match=r"CompactClassifier needs a classifier; got DecisionTreeRegressor \(use "
                                         r"CompactRegressor\)"):
        clf.fit(X, y)
    assert_unfitted(clf, X)
    reg = small_regressor(estimator=DecisionTreeClassifier())
    with pytest.raises(ValueError, match=r"CompactRegressor needs a regressor; got DecisionTreeClassifier \(use "
                                         r"CompactClassifier\)"):
        reg.fit(X, y.astype(float))
    assert_unfitted(reg, X)


# -- 2. a failed fit leaves the estimator unfitted ------------------------------------------------
def test_parameter_errors_come_before_the_data_and_leave_a_fresh_estimator_unfitted():
    X, y = load_iris(return_X_y=True)
    bad_X = X.copy()
    bad_X[0, 0] = np.nan  # the data's error would be "Input X contains NaN"
    clf = small_classifier(n_trials=0)
    with pytest.raises(ValueError, match="n_trials must be a positive integer"):
        clf.fit(bad_X, y)
    assert_unfitted(clf, X)


def test_a_failed_refit_forgets_the_earlier_fit():
    X, y = load_iris(return_X_y=True)
    clf = small_classifier().fit(X, y)
    with pytest.raises(ValueError, match="single class"):  # found by the search, after validate_data
        clf.fit(X[:50], y[:50])
    assert_unfitted(clf, X)
    clf.fit(X, y)
    with pytest.raises(ValueError, match="n_trials"):
        clf.set_params(n_trials=0).fit(X[:, :2], y)
    assert_unfitted(clf, X[:, :2])
    assert clf.set_params(n_trials=2).fit(X, y).predict(X).shape == (150,)  # usable again

    Xd, yd = load_diabetes(return_X_y=True)
    reg = small_regressor().fit(Xd, yd)
    bad_y = yd.copy()
    bad_y[0] = np.inf
    with pytest.raises(ValueError):
        reg.fit(Xd, bad_y)
    assert_unfitted(reg, Xd)


# -- 3. estimator__<name> with the default estimator ---------------------------------------------
def test_nested_parameters_reach_the_default_estimator():
    X, y = load_iris(return_X_y=True)
    clf = small_classifier(size=2).set_params(estimator__criterion="entropy")
    assert isinstance(clf.estimator, DecisionTreeClassifier) and clf.estimator.criterion == "entropy"
    assert clf.get_params()["estimator__criterion"] == "entropy"
    copy = clone(clf)
    assert copy.estimator is not clf.estimator and copy.get_params()["estimator__criterion"] == "entropy"
    assert clf.fit(X, y).estimator_.criterion == "entropy"
    explicit_none = CompactRegressor(DecisionTreeRegressor(max_depth=9))
    explicit_none.set_params(estimator=None, estimator__criterion="absolute_error")
    assert explicit_none.estimator.get_params() == DecisionTreeRegressor(criterion="absolute_error").get_params()

    base = small_classifier(size=2)
    grid = GridSearchCV(base, {"estimator__criterion": ["gini", "entropy"]}, cv=2).fit(X, y)
    assert base.estimator is None  # the grid set its clones' parameters
    assert grid.best_estimator_.estimator_.criterion == grid.best_params_["estimator__criterion"]


# -- 4. a DataFrame's column names reach result_ -----------------------------------------------------
def test_result_keeps_the_column_names_of_a_dataframe():
    pytest.importorskip("pandas")
    X, y = load_iris(return_X_y=True, as_frame=True)
    clf = small_classifier(size=2).fit(X, y)
    names = list(X.columns)
    assert list(clf.result_.feature_names_in_) == names == list(clf.feature_names_in_)
    card = clf.result_.model_card()
    assert card["feature_names"] == names
    direct = compact.fit(DecisionTreeClassifier(), X, y, size=2, n_trials=2, n_draws=1, oracle=GaussianNB(),
                         random_state=0)
    assert direct.model_card()["feature_names"] == card["feature_names"]
    clf.fit(X.values, y.values)  # no names now: none left over from the frame
    assert clf.result_.feature_names_in_ is None and not hasattr(clf, "feature_names_in_")


# -- 5. numpy sizes in the JSON summary ------------------------------------------------------------
def test_to_json_takes_numpy_sizes():
    X, y = load_iris(return_X_y=True)
    grid = GridSearchCV(small_classifier(), {"size": np.arange(1, 3)}, cv=2).fit(X, y)
    result = grid.best_estimator_.result_
    assert isinstance(result.requested_size, np.integer)
    summary = json.loads(result.to_json())
    assert summary["requested_size"] == int(grid.best_params_["size"]) and summary["size"] <= summary["requested_size"]
    assert type(result.to_dict()["requested_size"]) is int

    result = compact.fit(DecisionTreeClassifier(), X, y, size={"max_depth": np.int64(2)}, n_trials=2, n_draws=1,
                         oracle=GaussianNB(), random_state=0)
    summary = json.loads(result.to_json())
    assert summary["requested_size"] == {"max_depth": 2} and summary["size"]["max_depth"] <= 2
    nested = dataclasses.replace(result, size_=(np.int64(2), [np.int32(3)]),
                                 requested_size={"layers": (np.int64(2), np.int64(3)), "depth": np.array([1, 2])})
    assert nested.to_dict()["size"] == (2, [3])
    assert json.loads(nested.to_json())["requested_size"] == {"layers": [2, 3], "depth": [1, 2]}
