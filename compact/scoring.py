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
"""

from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["fast_scorer", "label_codes", "CLASSIFICATION_SCORERS", "REGRESSION_SCORERS"]


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
    k = int(max(t.max(), p.max())) + 1 if n_classes is None else n_classes
    flat = np.bincount(t * k + p, minlength=k * k)
    if flat.size != k * k:
        raise ValueError(f"Label codes must lie in 0..{k - 1}; got {max(t.max(), p.max())}.")
    return flat.reshape(k, k)


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


def validation_scorer(scoring, scorer, y_true, *, labels=None, regression: bool = False):
    """``score(model, X) -> float`` against the fixed validation target ``y_true``.

    The exact fast path of :func:`fast_scorer` where ``scoring`` has one, else
    ``scorer(model, X, y_true)`` (any scikit-learn scorer).  For
    classification, ``labels`` are every label the models may predict (the
    training classes, or their codes); validation labels beyond them get
    codes of their own, so the score equals scikit-learn's.
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
        return lambda model, X: float(scorer(model, X, y_true))
    true_codes = label_codes(every, y_true)
    return lambda model, X: float(fast(true_codes, label_codes(every, model.predict(X))))
