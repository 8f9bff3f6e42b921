import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC

from compact.oracle import resolve_oracle, uncertainty


def test_uncertainty_is_one_minus_top2_margin():
    proba = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.2, 0.7, 0.1], [0.4, 0.35, 0.25]])
    assert np.allclose(uncertainty(proba), [0.0, 1.0, 0.5, 0.95])


def test_uncertainty_rejects_single_column():
    with pytest.raises(ValueError, match="n_classes>=2"):
        uncertainty(np.ones((3, 1)))


def test_fitted_oracle_is_used_as_is(small_data, fitted_oracle):
    X, y = small_data
    assert resolve_oracle(fitted_oracle, X, y) is fitted_oracle


def test_unfitted_oracle_is_cloned_and_fitted(small_data):
    X, y = small_data
    template = LogisticRegression(max_iter=500)
    oracle = resolve_oracle(template, X, y)
    assert oracle is not template and not hasattr(template, "coef_")
    assert oracle.predict_proba(X).shape == (len(X), 3)


def test_default_xgboost_oracle_is_calibrated_and_accurate(small_data):
    X, y = small_data
    oracle = resolve_oracle("xgboost", X, y, random_state=0)
    assert type(oracle).__name__ == "CalibratedClassifierCV"
    assert type(oracle.estimator).__name__ == "XGBClassifier"
    assert (oracle.predict(X) == y).mean() > 0.95


def test_oracle_errors(small_data):
    X, y = small_data
    with pytest.raises(TypeError, match="predict_proba"):
        resolve_oracle(SVC(), X, y)
    with pytest.raises(ValueError, match="Unknown oracle"):
        resolve_oracle("lightgbm", X, y)


@pytest.mark.parametrize("members, folds", [(1, None), (2, 2), (3, 3)])
def test_default_oracle_adapts_to_tiny_classes(small_data, members, folds):
    X, y = small_data
    keep = np.flatnonzero(y != 2)
    keep = np.concatenate([keep, np.flatnonzero(y == 2)[:members]])
    if members == 1:
        with pytest.warns(UserWarning, match="1 member.*not calibrated"):
            oracle = resolve_oracle("xgboost", X[keep], y[keep], random_state=0)
        assert type(oracle).__name__ == "XGBClassifier"
    else:
        oracle = resolve_oracle("xgboost", X[keep], y[keep], random_state=0)
        assert type(oracle).__name__ == "CalibratedClassifierCV" and oracle.cv == folds
    assert oracle.predict_proba(X[keep]).shape == (len(keep), 3)


def test_fit_with_tiny_training_part_and_single_member_class():
    import warnings

    from sklearn.datasets import load_iris
    from sklearn.tree import DecisionTreeClassifier

    import compact

    X, y = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = compact.fit(DecisionTreeClassifier(), X, y, size=2, n_trials=3, validation_size=0.99,
                             random_state=0)
    assert result.model_.get_depth() <= 2
    # One member in a class (a check_estimator-style 1-feature fit).
    X1, y1 = X[:, :1][45:], y[45:]  # class 0 keeps 5 rows; drop to 1 below
    X1, y1 = np.vstack([X[:1, :1], X1[5:]]), np.concatenate([y[:1], y1[5:]])
    with pytest.warns(UserWarning, match="not calibrated"):
        result = compact.fit(DecisionTreeClassifier(), X1, y1, size=2, n_trials=3, random_state=0)
    assert result.model_.get_depth() <= 2
