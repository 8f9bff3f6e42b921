"""Oracles: models whose uncertainty shapes the training distribution.

Classification: the default oracle is an xgboost classifier with
sigmoid-calibrated probabilities; any estimator with ``predict_proba`` works,
fitted or not, and the uncertainty is ``1 - (p_top1 - p_top2)``.

Regression: the uncertainty is the width of a predictive interval
(:class:`QuantileIntervalOracle`, by default xgboost's multi-quantile
regression of the 10 % and 90 % quantiles) or the spread (standard deviation)
of an ensemble's members (any fitted ``estimators_``, e.g. a random forest).
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from ._validation import check_oracle


CALIBRATION_FOLDS = 3


def default_oracle(random_state: int | None = None, n_jobs: int = 1, *, min_class_count: int | None = None):
    """Sigmoid-calibrated xgboost classifier (imported lazily: xgboost is heavy).

    Calibration uses ``CALIBRATION_FOLDS`` (3) stratified folds, fewer when the
    smallest class (``min_class_count`` members) cannot fill them: 2 folds for
    a class of 2, and no calibration (the plain booster, with a warning) for a
    class of 1, where no fold split can keep the class on both sides.

    The folds' boosters are fitted in up to ``n_jobs`` threads (see
    :func:`fit_default_oracle`), each booster single-threaded: the oracle is
    the same model whatever ``n_jobs``, and no OpenMP thread pool waits on
    another.  100 trees at learning rate 0.2 with ``max_bin=64`` (histograms
    of 64 bins, not xgboost's 256) fit in a quarter of the time of 200 trees
    at 0.1 with 256 bins, with about the same validation log loss on the
    shared datasets (``benchmarks/oracle.py``).
    """
    from sklearn.calibration import CalibratedClassifierCV
    from xgboost import XGBClassifier

    folds = CALIBRATION_FOLDS if min_class_count is None else min(CALIBRATION_FOLDS, int(min_class_count))
    booster = XGBClassifier(
        n_estimators=100,
        max_depth=6,
        learning_rate=0.2,
        tree_method="hist",
        max_bin=64,
        random_state=random_state,
        n_jobs=1 if folds >= 2 else n_jobs,
    )
    if folds < 2:
        warnings.warn(
            f"The smallest class of the oracle's training data has {min_class_count} member(s): the default "
            "oracle's probabilities are not calibrated (calibration needs 2 members per class). Use more "
            "data, a smaller validation_size, or pass an oracle.",
            UserWarning,
            stacklevel=3,
        )
        return booster
    return CalibratedClassifierCV(booster, method="sigmoid", cv=folds, n_jobs=min(n_jobs, folds))


def fit_default_oracle(oracle, X, y):
    """Fit :func:`default_oracle`'s model, its calibration folds in threads.

    xgboost releases the GIL while it trains, so threads share the work with
    no process start-up and no copy of the data (joblib's default backend
    would start processes).
    """
    from joblib import parallel_config

    with parallel_config(backend="threading"):
        return oracle.fit(X, y)


def _is_fitted(estimator) -> bool:
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        return False
    return True


class QuantileIntervalOracle(RegressorMixin, BaseEstimator):
    """Regression oracle whose uncertainty is the width of a quantile interval.

    Parameters
    ----------
    estimator : regressor, optional
        A quantile regressor cloned once per quantile, with its quantile set
        through ``quantile_param``, e.g. ``GradientBoostingRegressor(loss="quantile")``
        (``quantile_param="alpha"``) or ``HistGradientBoostingRegressor(loss="quantile")``
        (``quantile_param="quantile"``).  ``None``: one xgboost model fitting
        both quantiles at once (``objective="reg:quantileerror"``).
    quantiles : tuple of two floats, default=(0.1, 0.9)
    quantile_param : str, default="alpha"
    random_state : int, optional
        Seed of the default xgboost model.
    n_jobs : int, default=1
        Threads of the default xgboost model.
    """

    def __init__(self, estimator=None, *, quantiles=(0.1, 0.9), quantile_param="alpha", random_state=None, n_jobs=1):
        self.estimator = estimator
        self.quantiles = quantiles
        self.quantile_param = quantile_param
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, X, y):
        low, high = self.quantiles
        if not 0.0 < low < high < 1.0:
            raise ValueError(f"quantiles must satisfy 0 < low < high < 1, got {self.quantiles!r}.")
        if self.estimator is None:
            from xgboost import XGBRegressor

            model = XGBRegressor(
                objective="reg:quantileerror",
                quantile_alpha=np.array([low, high]),
                n_estimators=200,
                max_depth=6,
                learning_rate=0.1,
                tree_method="hist",
                random_state=self.random_state,
                n_jobs=self.n_jobs,
            )
            self.estimators_ = [model.fit(X, y)]
        else:
            self.estimators_ = [
                clone(self.estimator).set_params(**{self.quantile_param: q}).fit(X, y) for q in (low, high)
            ]
        return self

    def predict_interval(self, X) -> np.ndarray:
        """Lower and upper quantile per row, shape (n_samples, 2)."""
        check_is_fitted(self)
        if len(self.estimators_) == 1:
            bounds = np.asarray(self.estimators_[0].predict(X)).reshape(len(X), 2)
        else:
            bounds = np.column_stack([m.predict(X) for m in self.estimators_])
        return np.sort(bounds, axis=1)  # quantile models may cross

    def predict(self, X):
        """Midpoint of the interval."""
        return self.predict_interval(X).mean(axis=1)


def default_regression_oracle(random_state: int | None = None, n_jobs: int = 1):
    """xgboost multi-quantile regression of the 10 % and 90 % quantiles."""
    return QuantileIntervalOracle(random_state=random_state, n_jobs=n_jobs)


def regression_uncertainty(oracle, X) -> np.ndarray:
    """Interval width (``predict_interval``) or ensemble spread (``estimators_``), scaled to [0, 1].

    Raises
    ------
    TypeError
        If the oracle offers neither.
    """
    if hasattr(oracle, "predict_interval"):
        interval = np.asarray(oracle.predict_interval(X))
        spread = interval[:, 1] - interval[:, 0]
    elif isinstance(getattr(oracle, "estimators_", None), (list, tuple)):
        features = getattr(oracle, "estimators_features_", None)
        members = [
            m.predict(X if features is None else X[:, features[i]]) for i, m in enumerate(oracle.estimators_)
        ]
        spread = np.std(np.asarray(members, dtype=float), axis=0)
    else:
        raise TypeError(
            f"The regression oracle {type(oracle).__name__} gives no uncertainty: use an ensemble "
            "with a list of estimators_ (e.g. RandomForestRegressor) or a QuantileIntervalOracle."
        )
    spread = np.asarray(spread, dtype=float)
    span = spread.max() - spread.min()
    return (spread - spread.min()) / span if span > 0 else np.zeros_like(spread)


def resolve_oracle(oracle, X, y, *, random_state=None, n_jobs: int = 1, regression: bool = False):
    """A fitted oracle: ``"xgboost"`` is built and fitted (in up to ``n_jobs``
    threads), an unfitted estimator is cloned, seeded with ``random_state``
    where it has none, and fitted on ``(X, y)``; a fitted one is used as it is.

    Raises
    ------
    TypeError
        If a classification oracle has no ``predict_proba``.
    ValueError
        If ``oracle`` is an unknown name.
    """
    check_oracle(oracle, regression=regression)
    if isinstance(oracle, str):
        if regression:
            oracle = default_regression_oracle(random_state, n_jobs)
        else:
            smallest = int(np.unique(y, return_counts=True)[1].min())
            return fit_default_oracle(default_oracle(random_state, n_jobs, min_class_count=smallest), X, y)
    if _is_fitted(oracle):
        return oracle
    oracle = clone(oracle)
    if oracle.get_params().get("random_state", 0) is None:
        oracle.set_params(random_state=random_state)  # reproducible with the run's seed
    return oracle.fit(X, y)


def uncertainty(proba) -> np.ndarray:
    """``1 - (p_top1 - p_top2)`` per row of a probability matrix, in ``[0, 1]``."""
    proba = np.asarray(proba, dtype=float)
    if proba.ndim != 2 or proba.shape[1] < 2:
        raise ValueError("predict_proba must return an (n_samples, n_classes>=2) array.")
    top2 = np.partition(proba, proba.shape[1] - 2, axis=1)[:, -2:]
    return np.clip(1.0 - (top2[:, 1] - top2[:, 0]), 0.0, 1.0)
