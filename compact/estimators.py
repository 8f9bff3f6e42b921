"""scikit-learn meta-estimators: ``CompactClassifier`` and ``CompactRegressor``.

They wrap :func:`compact.fit` so compaction can sit in a ``Pipeline``, be
tuned by ``GridSearchCV`` (``size`` or ``estimator__criterion`` alike), be
cross-validated and persisted with joblib.  Each ``fit`` holds out
``validation_size`` of the data it is given to score candidate distributions.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager

import numpy as np
from sklearn.base import ClassifierMixin, MetaEstimatorMixin, RegressorMixin, is_regressor
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .adapters import get_adapter
from .search import CompactSearch


def _model_has(method):
    def check(self):
        return hasattr(self.estimator_ if hasattr(self, "estimator_") else self._template(), method)

    return check


class _CompactBase(MetaEstimatorMixin, CompactSearch):
    """A :class:`CompactSearch` that is also an estimator of its task: the
    parameters are the search's (one definition), ``fit`` keeps the model."""

    def set_params(self, **params):
        """Set the parameters; ``estimator__<name>`` works with ``estimator=None`` too.

        Parameters
        ----------
        **params : dict
            Parameters of this estimator, and of ``estimator`` as ``estimator__<name>``.

        Returns
        -------
        self : estimator
        """
        # None stands for the default family: make it explicit so its parameters can be set (and
        # stay in get_params, so clone keeps them).
        nested = any(key.startswith("estimator__") for key in params)
        if nested and params.get("estimator", self.estimator) is None:
            params = {**params, "estimator": self._default_estimator()}
        return super().set_params(**params)

    @contextmanager
    def _fitting(self):
        """Check the parameters before the data; on any error, leave the estimator unfitted."""
        try:
            self._check_task()
            with warnings.catch_warnings():  # the search checks them again, and warns once, from there
                warnings.simplefilter("ignore")
                self.check_params()
            yield
        except BaseException:
            # Attributes of this fit (or of an earlier one) would make check_is_fitted pass on a
            # half-fitted or stale model.
            for name in [name for name in vars(self) if name.endswith("_") and not name.startswith("__")]:
                delattr(self, name)
            raise

    def _check_task(self):
        """The family must be of this estimator's task: the search follows the family's."""
        family = get_adapter(self._template(), self.size_param).estimator
        if is_regressor(family) != is_regressor(self):
            needed, other = ("regressor", "Classifier") if is_regressor(self) else ("classifier", "Regressor")
            raise ValueError(f"{type(self).__name__} needs a {needed}; got {type(family).__name__} "
                             f"(use Compact{other}).")

    def _compact(self, X, y):
        CompactSearch.fit(self, X, y)
        # validate_data handed the search a bare array: give the result the column names it kept.
        self.result_.feature_names_in_ = getattr(self, "feature_names_in_", None)
        self.estimator_ = self.result_.model_
        self.size_ = self.result_.size_
        return self


class CompactClassifier(ClassifierMixin, _CompactBase):
    """A small classifier of fixed size, fitted on a learned training distribution.

    Parameters
    ----------
    estimator : classifier, default=None
        The small model family; ``None`` means ``DecisionTreeClassifier()``.
        Its parameters are reachable as ``estimator__<name>``.
    size : int, tuple or dict, default=3
        Size in the family's units (see :func:`compact.fit`).
    size_param : str, optional
        Use any classifier, its size being this integer parameter.
    oracle : "xgboost" or estimator, default="xgboost"
    n_trials : int, default=100
    n_draws : int, optional
        Draws per trial; by default the family's (2 for trees, 3 otherwise).
    prune_draws : float or None, default=0.5
        Stop a trial's draws early when clearly below the best trial (see
        :func:`compact.fit`); ``None``: every draw.
    scoring : str or callable, optional
        Scorer of the candidates; ``"f1_macro"`` by default.
    validation_size : float, default=0.25
        Part of the data given to ``fit`` held out to score candidates.
    flatten : bool, default=True
    class_balance : bool or None, default=None
        Search how far candidates' rows are reweighed toward classes of equal
        weight (see :func:`compact.fit`); ``None``: where the family takes
        ``sample_weight``.
    score_on : {"validation", "train+validation"} or None, default=None
        Rows candidates are scored on (see :func:`compact.fit`); ``None``:
        the family's default (the training and validation parts for tree
        classifiers, logistic regression, the linear probability model and
        random forest classifiers).
    sample_frac_scale : {"linear", "log"} or None, default=None
        Range of the sample size (see :func:`compact.fit`); ``None``: the
        family's default for the size (``"log"`` for decision tree stumps,
        ``"linear"`` otherwise).
    method : {"oracle", "density_tree"}, default="oracle"
    weights_mode : bool, default=False
    random_state : int, RandomState or None
    n_jobs : int, optional
        Threads for a batch's trials and their draws (default: every
        available core for trees); the result does not depend on it.
    verbose : int, default=0
    trial_batch : int, optional
        Trials asked for at once (default: 2 for trees, 8 for PyTorch nets);
        the result depends on it.
    timeout : float, optional
        Stop starting new trials after this many seconds.
    storage : str or optuna storage, optional
    study_name : str, optional
    heartbeat_interval, grace_period : float, optional
        Keep, resume or share the search's trials (see :func:`compact.fit`).

    Attributes
    ----------
    estimator_ : classifier
        The compacted model.
    result_ : CompactResult
        Scores, parameters and history of the search.
    size_ : int, tuple or dict
        Measured size of ``estimator_``.
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when ``X`` had string column names.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from compact import CompactClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = CompactClassifier(size=2, n_trials=10, random_state=0).fit(X, y)
    >>> clf.size_ <= 2
    True
    """

    def _default_estimator(self):
        from sklearn.tree import DecisionTreeClassifier

        return DecisionTreeClassifier()

    def fit(self, X, y):
        """Compact the estimator on ``(X, y)``; returns ``self`` (left unfitted where it raises)."""
        with self._fitting():
            X, y = validate_data(self, X, y)
            check_classification_targets(y)
            self.classes_ = np.unique(y)
            return self._compact(X, y)

    def predict(self, X):
        """Class labels predicted by the compacted model."""
        check_is_fitted(self)
        return self.estimator_.predict(validate_data(self, X, reset=False))

    @available_if(_model_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities, one column per class in ``classes_``.

        A candidate fitted on a resample may have missed a class; its column
        is then zero.
        """
        check_is_fitted(self)
        proba = self.estimator_.predict_proba(validate_data(self, X, reset=False))
        model_classes = getattr(self.estimator_, "classes_", self.classes_)
        if len(model_classes) == len(self.classes_):
            return proba
        full = np.zeros((proba.shape[0], len(self.classes_)))
        full[:, np.searchsorted(self.classes_, model_classes)] = proba
        return full


class CompactRegressor(RegressorMixin, _CompactBase):
    """A small regressor of fixed size, fitted on a learned training distribution.

    The reference method is for classifiers; this counterpart replaces the
    classification margin by a regression oracle's uncertainty: the width of a
    predictive interval (default: xgboost's 10 %-90 % quantile regression) or
    the spread of an ensemble's members (pass a fitted or unfitted
    ``RandomForestRegressor`` as ``oracle``).  The "original" part of a sample
    is stratified by target deciles.  The default scorer is ``"r2"``.

    Limits: interval width mixes noise (aleatoric) with model uncertainty, so
    on noisy targets the distribution may favour points a small model cannot
    fit anyway; small data (a few hundred rows) over-fits the validation part,
    so gains seen there may not carry to test data.

    Parameters
    ----------
    estimator : regressor, default=None
        The small model family; ``None`` means ``DecisionTreeRegressor()``.
    size, size_param, oracle, n_trials, n_draws, prune_draws, scoring, validation_size,
    flatten, score_on, method, weights_mode, random_state, n_jobs, verbose, trial_batch,
    timeout, storage, study_name, heartbeat_interval, grace_period
        As in :class:`CompactClassifier`.
    class_balance : None or False, default=None
        Never searched for regressors (no classes); ``True`` is an error.
    sample_frac_scale : {"linear", "log"} or None, default=None
        As in :class:`CompactClassifier`; ``None`` is ``"linear"`` for
        regression trees and the other regressors (not measured with ``"log"``).

    Attributes
    ----------
    estimator_ : regressor
    result_ : CompactResult
    size_ : int, tuple or dict
    n_features_in_ : int
    feature_names_in_ : ndarray
    """

    def _default_estimator(self):
        from sklearn.tree import DecisionTreeRegressor

        return DecisionTreeRegressor()

    def fit(self, X, y):
        """Compact the estimator on ``(X, y)``; returns ``self`` (left unfitted where it raises)."""
        with self._fitting():
            X, y = validate_data(self, X, y, y_numeric=True)
            return self._compact(X, y)

    def predict(self, X):
        """Predictions of the compacted model."""
        check_is_fitted(self)
        return self.estimator_.predict(validate_data(self, X, reset=False))
