"""Oracles: probabilistic classifiers whose uncertainty shapes the training distribution.

The default oracle is an xgboost classifier with sigmoid-calibrated
probabilities.  Any estimator with ``predict_proba`` works, fitted or not.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted


def default_oracle(random_state: int | None = None, n_jobs: int = 1):
    """Calibrated xgboost classifier (imported lazily: xgboost is heavy)."""
    from sklearn.calibration import CalibratedClassifierCV
    from xgboost import XGBClassifier

    booster = XGBClassifier(
        n_estimators=200,
        max_depth=6,
        learning_rate=0.1,
        tree_method="hist",
        random_state=random_state,
        n_jobs=n_jobs,
    )
    return CalibratedClassifierCV(booster, method="sigmoid", cv=3)


def _is_fitted(estimator) -> bool:
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        return False
    return True


def resolve_oracle(oracle, X, y, *, random_state=None, n_jobs: int = 1):
    """A fitted oracle: ``"xgboost"`` is built and fitted, an unfitted estimator is
    cloned and fitted on ``(X, y)``, a fitted one is used as it is.

    Raises
    ------
    TypeError
        If the oracle has no ``predict_proba``.
    ValueError
        If ``oracle`` is an unknown name.
    """
    if isinstance(oracle, str):
        if oracle != "xgboost":
            raise ValueError(f"Unknown oracle {oracle!r}; use 'xgboost' or an estimator with predict_proba.")
        oracle = default_oracle(random_state, n_jobs)
    if not hasattr(oracle, "predict_proba"):
        raise TypeError(
            f"The oracle {type(oracle).__name__} has no predict_proba; an oracle must give class probabilities."
        )
    if _is_fitted(oracle):
        return oracle
    return clone(oracle).fit(X, y)


def uncertainty(proba) -> np.ndarray:
    """``1 - (p_top1 - p_top2)`` per row of a probability matrix, in ``[0, 1]``."""
    proba = np.asarray(proba, dtype=float)
    if proba.ndim != 2 or proba.shape[1] < 2:
        raise ValueError("predict_proba must return an (n_samples, n_classes>=2) array.")
    top2 = np.partition(proba, proba.shape[1] - 2, axis=1)[:, -2:]
    return np.clip(1.0 - (top2[:, 1] - top2[:, 0]), 0.0, 1.0)
