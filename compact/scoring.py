"""Fast exact paths for scikit-learn's built-in scorers.

Scoring a candidate through scikit-learn's scorer machinery (``check_scoring``
then ``scorer(model, X, y)``) spends most of its time validating and
inspecting the labels (``type_of_target``, ``check_array``, ``unique_labels``)
rather than computing the score.  During a search the validation labels never
change and the predictions are integer class codes, so the classification
scores follow from one ``np.bincount`` confusion matrix, and the regression
scores from a few numpy reductions.

:func:`fast_scorer` returns such a function for the scorers it knows, equal
to scikit-learn's to floating-point rounding (tested to 1e-12), or ``None``
for anything else (callables, scorers that need probabilities or decision
values, unknown names): the caller then keeps scikit-learn's route.

Classification scorers take *label codes* ``0..K-1`` (``np.searchsorted(classes,
labels)``); labels are compared only for equality, so any one-to-one coding
gives scikit-learn's score on the original labels.  Like scikit-learn, the
averaged scores (``f1_macro``, ``precision_macro``, ...) average over the
labels present in ``y_true`` or ``y_pred`` only (codes absent from both do
not count), ``balanced_accuracy`` over the labels present in ``y_true``, and a
per-label ratio with a zero denominator is 0 (scikit-learn's
``zero_division="warn"``, without the warning).  The scores do not depend on
codes that never occur, so ``n_classes`` may be larger than needed: when the
validation labels may hold labels the training data lacks, code both sides
with ``labels = np.union1d(classes, y_val)`` and ``n_classes=labels.size``.

:func:`validation_scorer` is what a search scores its candidates with: the
fast path where there is one, else scikit-learn's scorer, which sees a
candidate through a :class:`ScoringView` where needed: with every label in
``classes_`` (a candidate fitted on a resample that missed a class gets zero
probability columns for it) and predicting labels (families fitted on class
codes are decoded, and scored against the original labels).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.metaestimators import available_if

__all__ = ["fast_scorer", "label_codes", "pad_proba", "validation_scorer", "ScoringView",
           "CLASSIFICATION_SCORERS", "REGRESSION_SCORERS"]


# -- classification, from the confusion matrix --------------------------------
def _confusion(y_true, y_pred, n_classes: int | None) -> np.ndarray:
    """``C[i, j]``: points of true code ``i`` predicted as ``j``; shape (K, K)."""
    t = np.asarray(y_true)
    p = np.asarray(y_pred)
    if t.shape != p.shape or t.ndim != 1:
        raise ValueError(f"y_true and y_pred must be 1-D arrays of the same length, got {t.shape} and {p.shape}.")
    if t.dtype.kind != "i" or p.dtype.kind != "i":
        t = t.astype(np.intp)  # float or unsigned codes (some models predict 0.0, 1.0, ...)
        p = p.astype(np.intp)
    if t.size == 0 and n_classes is not None:
        return np.zeros((n_classes, n_classes), dtype=np.intp)
    low, high = min(t.min(), p.min()), max(t.max(), p.max())
    k = int(high) + 1 if n_classes is None else n_classes
    if low < 0 or high >= k:  # t * k + p would land in another cell (or past the matrix)
        raise ValueError(f"Label codes must lie in 0..{k - 1}; got {low if low < 0 else high}.")
    return _bincount_confusion(t, p, k)


def _bincount_confusion(t: np.ndarray, p: np.ndarray, k: int) -> np.ndarray:
    """:func:`_confusion` of integer codes known to lie in ``0..k-1``."""
    return np.bincount(t * k + p, minlength=k * k).reshape(k, k)


def _sums(c: np.ndarray):
    tp = np.diagonal(c)
    true_sum = c.sum(axis=1)
    pred_sum = c.sum(axis=0)
    present = (true_sum + pred_sum) > 0  # labels in y_true or y_pred: scikit-learn's unique_labels
    return tp[present], true_sum[present], pred_sum[present]


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` with 0 where ``den == 0`` (scikit-learn's ``_prf_divide``)."""
    den = den.astype(float)
    zero = den == 0
    den[zero] = 1.0
    out = num.astype(float) / den
    out[zero] = 0.0
    return out


def _f1_per_label(c):
    tp, true_sum, pred_sum = _sums(c)
    return _ratio(2.0 * tp, 1.0 * true_sum + pred_sum), true_sum


def _f1_macro(c):
    return float(np.mean(_f1_per_label(c)[0]))


def _f1_weighted(c):
    f, true_sum = _f1_per_label(c)
    return float(np.average(f, weights=true_sum))


def _micro(c):
    """Micro-averaged F1, precision and recall over all labels: all equal the accuracy."""
    tp, true_sum, pred_sum = _sums(c)
    return float(_ratio(np.array([2.0 * tp.sum()]), np.array([1.0 * true_sum.sum() + pred_sum.sum()]))[0])


def _accuracy(c):
    return float(np.trace(c) / c.sum())


def _balanced_accuracy(c):
    true_sum = c.sum(axis=1)
    seen = true_sum > 0  # scikit-learn drops the classes absent from y_true (NaN recall)
    return float(np.mean(np.diagonal(c)[seen] / true_sum[seen]))


def _precision_macro(c):
    tp, _, pred_sum = _sums(c)
    return float(np.mean(_ratio(tp, pred_sum)))


def _recall_macro(c):
    tp, true_sum, _ = _sums(c)
    return float(np.mean(_ratio(tp, true_sum)))


def _precision_weighted(c):
    tp, true_sum, pred_sum = _sums(c)
    return float(np.average(_ratio(tp, pred_sum), weights=true_sum))


def _recall_weighted(c):
    tp, true_sum, _ = _sums(c)
    return float(np.average(_ratio(tp, true_sum), weights=true_sum))


#: Scorer name -> function of the confusion matrix.
CLASSIFICATION_SCORERS: dict[str, Callable[[np.ndarray], float]] = {
    "accuracy": _accuracy,
    "balanced_accuracy": _balanced_accuracy,
    "f1_macro": _f1_macro,
    "f1_micro": _micro,
    "f1_weighted": _f1_weighted,
    "precision_macro": _precision_macro,
    "precision_micro": _micro,
    "precision_weighted": _precision_weighted,
    "recall_macro": _recall_macro,
    "recall_micro": _micro,
    "recall_weighted": _recall_weighted,
}


# -- regression ------------------------------------------------------------------
def _as_float_pair(y_true, y_pred):
    t = np.asarray(y_true, dtype=float)
    p = np.asarray(y_pred, dtype=float)
    if p.ndim == 2 and p.shape[1] == 1:
        p = p[:, 0]
    if t.shape != p.shape or t.ndim != 1:
        raise ValueError(f"y_true and y_pred must be 1-D arrays of the same length, got {t.shape} and {p.shape}.")
    return t, p


def _r2(y_true, y_pred):
    t, p = _as_float_pair(y_true, y_pred)
    if t.size < 2:
        return float("nan")  # scikit-learn: not defined with fewer than two samples
    numerator = np.sum((t - p) ** 2)
    denominator = np.sum((t - np.mean(t)) ** 2)
    if numerator == 0:
        return 1.0
    if denominator == 0:
        return 0.0  # scikit-learn's force_finite
    return float(1 - numerator / denominator)


def _neg_mse(y_true, y_pred):
    t, p = _as_float_pair(y_true, y_pred)
    return -float(np.mean((t - p) ** 2))


def _neg_rmse(y_true, y_pred):
    t, p = _as_float_pair(y_true, y_pred)
    return -float(np.sqrt(np.mean((t - p) ** 2)))


def _neg_mae(y_true, y_pred):
    t, p = _as_float_pair(y_true, y_pred)
    return -float(np.mean(np.abs(t - p)))


#: Scorer name -> function ``(y_true, y_pred) -> float``.
REGRESSION_SCORERS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "r2": _r2,
    "neg_mean_squared_error": _neg_mse,
    "neg_root_mean_squared_error": _neg_rmse,
    "neg_mean_absolute_error": _neg_mae,
}


class _ConfusionScorer:
    """``score(y_true_codes, y_pred_codes) -> float`` from one bincount confusion matrix."""

    __slots__ = ("name", "n_classes", "_metric")

    def __init__(self, name: str, n_classes: int | None):
        self.name = name
        self.n_classes = n_classes
        self._metric = CLASSIFICATION_SCORERS[name]

    def __call__(self, y_true, y_pred) -> float:
        return self._metric(_confusion(y_true, y_pred, self.n_classes))

    def __repr__(self):
        return f"fast_scorer({self.name!r}, n_classes={self.n_classes})"


def fast_scorer(scoring, *, n_classes: int | None = None, regression: bool = False):
    """An exact fast replacement for a built-in scikit-learn scorer, or ``None``.

    Parameters
    ----------
    scoring : str or any
        A scorer name.  Classification: ``accuracy``, ``balanced_accuracy``,
        ``f1_macro``, ``f1_micro``, ``f1_weighted``, ``precision_macro``,
        ``precision_micro``, ``precision_weighted``, ``recall_macro``,
        ``recall_micro``, ``recall_weighted``.  Regression: ``r2``,
        ``neg_mean_squared_error``, ``neg_root_mean_squared_error``,
        ``neg_mean_absolute_error``.  Anything else (callables, scorer
        objects, probability scorers, unknown names, a name of the other
        task) gives ``None``.
    n_classes : int, optional
        Classification: the number ``K`` of label codes ``0..K-1``.  Without
        it the scorer takes ``K`` from the largest code of each call.
    regression : bool, default=False
        Whether the model is a regressor.

    Returns
    -------
    callable or None
        ``score(y_true, y_pred) -> float``, equal to ``get_scorer(scoring)``
        applied to a model whose ``predict`` gives ``y_pred``.  For
        classification ``y_true`` and ``y_pred`` are integer label codes.
    """
    if not isinstance(scoring, str):
        return None
    if regression:
        return REGRESSION_SCORERS.get(scoring)
    if scoring not in CLASSIFICATION_SCORERS:
        return None
    if n_classes is not None:
        n_classes = int(n_classes)
        if n_classes < 1:
            raise ValueError(f"n_classes must be a positive integer, got {n_classes}.")
    return _ConfusionScorer(scoring, n_classes)


def label_codes(classes, labels) -> np.ndarray:
    """Codes ``0..K-1`` of ``labels`` in the sorted array ``classes``; labels not in ``classes`` get ``K``.

    With ``fast_scorer(..., n_classes=K + 1)`` one unseen label scores as
    scikit-learn scores it; several distinct unseen labels would share the
    code ``K``: pass ``classes = np.union1d(train_classes, y_val)`` instead.
    """
    classes = np.asarray(classes)
    labels = np.asarray(labels)
    codes = np.searchsorted(classes, labels)
    inside = codes < classes.size
    unseen = ~inside
    unseen[inside] = classes[codes[inside]] != labels[inside]
    codes[unseen] = classes.size
    return codes


def pad_proba(proba, model_classes, classes) -> np.ndarray:
    """Class probabilities with one column per label of ``classes`` (sorted).

    ``proba`` has a column per label of ``model_classes`` (sorted labels, all in
    ``classes``): a model fitted on a sample that missed some classes.  The
    columns of the classes it lacks are zero.
    """
    proba = np.asarray(proba)
    if len(model_classes) == len(classes):
        return proba
    full = np.zeros((proba.shape[0], len(classes)), dtype=np.result_type(proba.dtype, float))
    full[:, np.searchsorted(classes, model_classes)] = proba
    return full


_RESPONSE_METHODS = ("predict_proba", "predict_log_proba", "decision_function")


def _has(method):
    return lambda view: hasattr(view.estimator, method)


class ScoringView(ClassifierMixin, BaseEstimator):
    """A fitted candidate as scikit-learn's scorers should see it.

    ``classes_`` is every label (``classes``); ``predict`` gives labels (class
    codes decoded through ``decode`` for families trained on codes);
    ``predict_proba`` and ``decision_function`` have a column per label, the
    labels the candidate lacks (its sample missed them) padded.  Other
    attributes are the candidate's, so a custom scorer can still read them.

    Padding: a probability of 0.  A decision value below every label the
    candidate knows (the row's lowest, less 1), so it never ranks first; with
    two labels (scikit-learn's one-column decision value, the positive
    label's) a candidate of one class gives a constant, +1 where it knows the
    positive label and -1 where it knows the negative one: it ranks no row
    above another, as its padded probabilities do not either.  A two-class
    candidate among more labels gives its labels ``-d`` and ``d``.

    Parameters
    ----------
    estimator : fitted classifier
    classes : array of shape (K,)
        Every label, sorted.
    decode : array, optional
        The label of each class code, where ``estimator`` predicts codes.
    """

    def __init__(self, estimator, classes, decode=None):
        self.estimator = estimator
        self.classes = classes
        self.decode = decode
        self.classes_ = np.asarray(classes)
        known = getattr(estimator, "classes_", None)
        if known is None:
            known = self.classes_
        elif decode is not None:
            known = np.asarray(decode)[np.asarray(known, dtype=int)]
        self.known_ = np.asarray(known)
        self._columns = np.searchsorted(self.classes_, self.known_)

    def __getattr__(self, name):  # only for names the view lacks: the candidate's attributes
        estimator = self.__dict__.get("estimator")
        if estimator is None or name.startswith("__") or name in _RESPONSE_METHODS:
            raise AttributeError(name)
        return getattr(estimator, name)

    def predict(self, X):
        pred = self.estimator.predict(X)
        return pred if self.decode is None else np.asarray(self.decode)[np.asarray(pred, dtype=int)]

    @available_if(_has("predict_proba"))
    def predict_proba(self, X):
        return pad_proba(self.estimator.predict_proba(X), self.known_, self.classes_)

    @available_if(_has("predict_log_proba"))
    def predict_log_proba(self, X):
        log = np.asarray(self.estimator.predict_log_proba(X))
        if self.known_.size == self.classes_.size:
            return log
        full = np.full((log.shape[0], self.classes_.size), -np.inf)
        full[:, self._columns] = log
        return full

    @available_if(_has("decision_function"))
    def decision_function(self, X):
        k, n_known = self.classes_.size, self.known_.size
        if n_known == k:
            return self.estimator.decision_function(X)
        if n_known == 1:  # a one-class candidate: no ranking of its own
            if k == 2:
                return np.full(X.shape[0], 1.0 if self._columns[0] == 1 else -1.0)
            values = np.zeros((X.shape[0], 1))
        else:
            values = np.asarray(self.estimator.decision_function(X), dtype=float)
            if values.ndim == 1:  # two known labels: the value of the second
                values = np.column_stack([-values, values])
        full = np.empty((values.shape[0], k))
        full[:] = (values.min(axis=1) - 1.0)[:, None]
        full[:, self._columns] = values
        return full


def _scoring_view(model, classes, decode):
    """``model`` where scikit-learn's scorers see every label in it, else a :class:`ScoringView`."""
    if decode is None:
        known = getattr(model, "classes_", None)
        if known is None or len(known) == len(classes):
            return model
    return ScoringView(model, classes, decode)


def validation_scorer(scoring, scorer, y_true, *, labels=None, classes=None, regression: bool = False):
    """``score(model, X) -> float`` against the fixed validation target ``y_true``.

    The exact fast path of :func:`fast_scorer` where ``scoring`` has one, else
    ``scorer(model, X, y_true)`` (any scikit-learn scorer).  For
    classification, ``labels`` are every label the models may predict (the
    training classes, or their codes); validation labels beyond them get
    codes of their own, and so do predicted labels outside both, so the
    score equals scikit-learn's.

    On scikit-learn's route a classifier is scored as a :class:`ScoringView`
    where it lacks labels (fitted on a sample that missed a class: its
    probability and decision columns are padded, so probability scorers see a
    model of every label) or predicts codes.  ``classes``: the label of each
    code, where the models are fitted on codes ``0..K-1`` (``labels`` and
    ``y_true`` are then codes): scikit-learn's route scores the models'
    decoded labels against ``classes[y_true]`` (so ``pos_label`` and custom
    scorers see the labels); the fast path scores the codes, which gives the
    same scores.
    """
    if regression:
        fast = fast_scorer(scoring, regression=True)
        if fast is None:
            return lambda model, X: float(scorer(model, X, y_true))
        y_float = np.asarray(y_true, dtype=float)
        return lambda model, X: float(fast(y_float, model.predict(X)))
    every = np.union1d(np.asarray(labels), y_true) if labels is not None else np.unique(y_true)
    fast = fast_scorer(scoring, n_classes=every.size)
    if fast is None:
        if classes is None:
            return lambda model, X: float(scorer(_scoring_view(model, every, None), X, y_true))
        decode = np.asarray(classes)
        y_labels, every_labels = decode[np.asarray(y_true, dtype=int)], decode[every.astype(int)]
        return lambda model, X: float(scorer(_scoring_view(model, every_labels, decode), X, y_labels))
    true_codes = label_codes(every, y_true)
    k, metric = every.size, CLASSIFICATION_SCORERS[scoring]

    def score(model, X) -> float:
        pred = model.predict(X)
        codes = label_codes(every, pred)  # 0..k, k for labels outside every
        if codes.shape != true_codes.shape or codes.ndim != 1:
            return float(fast(true_codes, codes))  # raises, naming the shapes
        if codes.size and codes.max() == k:  # labels outside every: a code for each
            wider = np.union1d(every, pred)
            return float(fast_scorer(scoring, n_classes=wider.size)(label_codes(wider, y_true),
                                                                     label_codes(wider, pred)))
        return float(metric(_bincount_confusion(true_codes, codes, k)))

    return score
