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


def test_default_oracle_is_the_same_model_whatever_its_threads(small_data):
    """Its folds are fitted in threads, each booster on one thread: the threads change no probability."""
    X, y = small_data
    one, three = (resolve_oracle("xgboost", X, y, random_state=0, n_jobs=n) for n in (1, 3))
    assert one.n_jobs == 1 and three.n_jobs == 3
    assert [c.estimator.get_params()["n_jobs"] for c in three.calibrated_classifiers_] == [1, 1, 1]
    assert three.estimator.get_params()["max_bin"] == 64
    assert np.array_equal(one.predict_proba(X), three.predict_proba(X))


class _MeetsAnotherFold(LogisticRegression):
    """Fits only if another fold is being fitted at the same moment, in this process."""

    barrier = None

    def fit(self, X, y, sample_weight=None):
        import os

        self.pid_ = os.getpid()
        type(self).barrier.wait()  # raises BrokenBarrierError after its timeout when alone
        return super().fit(X, y, sample_weight=sample_weight)


def test_default_oracle_fits_its_folds_in_threads_of_this_process(small_data):
    import os
    import threading

    from sklearn.calibration import CalibratedClassifierCV

    from compact.oracle import fit_default_oracle

    X, y = small_data
    _MeetsAnotherFold.barrier = threading.Barrier(2, timeout=20)
    oracle = fit_default_oracle(CalibratedClassifierCV(_MeetsAnotherFold(max_iter=500), cv=2, n_jobs=2), X, y)
    assert {c.estimator.pid_ for c in oracle.calibrated_classifiers_} == {os.getpid()}


def test_available_cores_honours_omp_num_threads(monkeypatch):
    import os

    from compact._threads import available_cores

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(4)), raising=False)
    for value, cores in [("", 4), ("2", 2), ("16", 4), ("0", 4), ("two", 4)]:
        monkeypatch.setenv("OMP_NUM_THREADS", value)
        assert available_cores() == cores, value
