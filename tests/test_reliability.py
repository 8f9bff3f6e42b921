"""Bad input gets one clear line before any work; a study never bricks (issue: reliability)."""

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

import compact


def run(X, y, estimator=None, **kw):
    kw = {"size": 2, "n_trials": 3, "n_draws": 1, "random_state": 0, **kw}
    kw.setdefault("oracle", _oracle())
    return compact.fit(estimator if estimator is not None else DecisionTreeClassifier(), X, y, **kw)


def _oracle():
    from sklearn.naive_bayes import GaussianNB

    return GaussianNB()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(scoring="roc_auc"), "scoring='roc_auc' is for two classes"),
        (dict(estimator=SVC(), size_param="kernel"), "not an integer parameter"),
        (dict(estimator=object(), size_param="k"), "needs a scikit-learn estimator"),
        (dict(estimator=KNeighborsClassifier(), size_param="n_neighbors", size=10**6), "could not be fitted"),
        (dict(validation_data="X"), "validation_data must be a tuple"),
        (dict(timeout=0), "timeout"),
        (dict(timeout="5"), "timeout"),
    ],
)
def test_bad_input_is_one_clear_error(small_data, kwargs, message):
    X, y = small_data
    with pytest.raises((ValueError, TypeError), match=message) as info:
        run(X, y, **kwargs)
    assert "\n" not in str(info.value)


def test_validation_data_of_one_array_is_refused(small_data):
    X, y = small_data
    with pytest.raises(ValueError, match="validation_data must be a tuple"):
        run(X, y, validation_data=(X,))


def test_validation_labels_of_another_type(small_data):
    X, y = small_data
    with pytest.raises(ValueError, match="another type"):
        run(X, y.astype(str), validation_data=(X[:50], y[:50]))


def test_labels_of_mixed_types(small_data):
    X, _ = small_data
    labels = np.array([1, "a", 2.0] * (len(X) // 3) + [1] * (len(X) % 3), dtype=object)
    with pytest.raises(ValueError, match="mixes label types"):
        run(X, labels)


def test_tiny_validation_part_warns(small_data):
    X, y = small_data
    with pytest.warns(UserWarning, match="too few to rank candidates"):
        run(X, y, validation_size=0.005)
