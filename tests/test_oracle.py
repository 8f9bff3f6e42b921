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
