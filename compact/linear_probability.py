"""The linear probability model: least squares on one-hot labels, with an L1 penalty."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import Lasso
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data


class LinearProbabilityClassifier(ClassifierMixin, BaseEstimator):
    """Linear probability model (as used by Ghose & Ravindran): Lasso on one-hot targets.

    Each class gets a linear score fitted by L1-penalised least squares on its
    0/1 indicator (one score for binary problems); the prediction is the class
    with the highest score.  ``predict_proba`` clips the scores to ``[0, 1]``
    and normalises them.

    Parameters
    ----------
    alpha : float, default=0.01
        L1 penalty of :class:`sklearn.linear_model.Lasso`; larger values give
        fewer non-zero coefficients.
    fit_intercept : bool, default=True
    max_iter : int, default=1000

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    n_iter_ : int
        Coordinate-descent iterations (the most over the per-class fits).
    """

    def __init__(self, alpha=0.01, *, fit_intercept=True, max_iter=1000):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter

    def _targets(self, y):
        self.classes_, codes = np.unique(y, return_inverse=True)
        if self.classes_.size == 2:
            return (codes == 1).astype(float)
        return (codes[:, None] == np.arange(self.classes_.size)).astype(float)

    def fit(self, X, y, sample_weight=None):
        """Fit the per-class Lasso scores; returns ``self``."""
        X, y = validate_data(self, X, y)
        check_classification_targets(y)
        targets = self._targets(y)
        lasso = Lasso(alpha=self.alpha, fit_intercept=self.fit_intercept, max_iter=self.max_iter)
        lasso.fit(X, targets, sample_weight=sample_weight)
        self.coef_ = np.atleast_2d(lasso.coef_)
        self.intercept_ = np.atleast_1d(lasso.intercept_).astype(float)
        self.n_iter_ = int(np.max(lasso.n_iter_))
        return self

    def _scores(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return X @ self.coef_.T + self.intercept_

    def decision_function(self, X):
        """Per-class scores; for binary problems the score minus 0.5 (positive means ``classes_[1]``)."""
        scores = self._scores(X)
        return scores.ravel() - 0.5 if self.classes_.size == 2 else scores

    def predict(self, X):
        scores = self.decision_function(X)
        if self.classes_.size == 2:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[np.argmax(scores, axis=1)]

    def predict_proba(self, X):
        """Scores clipped to ``[0, 1]`` and normalised (uniform where all clip to 0)."""
        p = np.clip(self._scores(X), 0.0, 1.0)
        if self.classes_.size == 2:
            return np.column_stack([1.0 - p[:, 0], p[:, 0]])
        total = p.sum(axis=1, keepdims=True)
        uniform = np.full_like(p, 1.0 / p.shape[1])
        return np.where(total > 0, p / np.where(total > 0, total, 1.0), uniform)
