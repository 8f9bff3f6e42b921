"""The problem of one run: training and validation parts, strata, label codes.

:func:`make_problem` validates the data, splits off the validation part
(unless it is given) and works out what the candidates are fitted and scored
on: the original labels, or codes 0..K-1 for families that need them
(``Adapter.encoded_labels``), decoded again in the final model.
:func:`with_score_rows` chooses the rows candidates are scored on (``score_on``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

import numpy as np
from sklearn.model_selection import train_test_split

from ._validation import check_data, check_fraction


@dataclass(frozen=True)
class Problem:
    """Arrays every part of a run shares (read-only by convention)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    #: Strata of the training rows: class codes, or target deciles (regression).
    strata: np.ndarray
    #: Class labels (``None`` for regression).
    classes: np.ndarray | None
    #: Labels the candidates are fitted on and scored against.
    y_fit: np.ndarray
    y_score: np.ndarray
    regression: bool
    #: Whether candidates see class codes that the final model must decode.
    encoded: bool = False
    feature_names: np.ndarray | None = None
    #: Rows the candidates are scored on (``y_score`` their labels): the
    #: validation part, or the training and validation parts together.
    X_score: np.ndarray = field(default=None, repr=False)

    def __post_init__(self):
        if self.X_score is None:
            object.__setattr__(self, "X_score", self.X_val)

    @property
    def fit_labels(self) -> np.ndarray | None:
        """The labels candidates can predict: the classes, or their codes."""
        if self.classes is None:
            return None
        return np.arange(self.classes.size) if self.encoded else self.classes


def make_problem(X, y, *, feature_names=None, validation_size: float, validation_data, seed: int,
                 regression: bool, encoded_labels: bool) -> Problem:
    """Training and validation parts of validated data (:func:`compact._validation.check_data`).

    Raises
    ------
    ValueError
        For invalid validation data, a training part with one class, or
        validation labels the training part lacks (for families trained on codes).
    """
    if validation_data is None:
        validation_size = check_fraction(validation_size, "validation_size")
        X_tr, X_val, y_tr, y_val = split_validation(X, y, validation_size, seed, regression=regression)
    else:
        X_tr, y_tr = X, y
        X_val, y_val = _check_validation_data(validation_data, X_tr, regression=regression)
    if regression:
        if len(y_val) < 2:  # r2 and its kind are undefined on one row: every candidate would score NaN
            raise ValueError(f"The validation part has {len(y_val)} row; a regression score needs 2 or more: "
                             "raise validation_size, pass validation_data or use more data.")
        deciles = np.quantile(y_tr, np.linspace(0, 1, 11)[1:-1])
        strata = np.searchsorted(deciles, y_tr)
        return Problem(X_tr, y_tr, X_val, y_val, strata, None, y_tr, y_val, True, feature_names=feature_names)
    classes, codes = np.unique(y_tr, return_inverse=True)
    if classes.size < 2:
        raise ValueError("The training part holds a single class; use more data or a smaller validation_size.")
    _check_label_types(y_tr, y_val)
    if len(y_val) < 2 * classes.size:
        warnings.warn(
            f"The validation part has {len(y_val)} rows for {classes.size} classes: too few to rank candidates; "
            "raise validation_size or pass validation_data.", UserWarning, stacklevel=4,
        )
    if not encoded_labels:
        return Problem(X_tr, y_tr, X_val, y_val, codes, classes, y_tr, y_val, False, feature_names=feature_names)
    unseen = np.setdiff1d(y_val, classes)
    if unseen.size:
        raise ValueError(f"Validation labels {unseen.tolist()} do not occur in the training data.")
    return Problem(X_tr, y_tr, X_val, y_val, codes, classes, codes, np.searchsorted(classes, y_val), False,
                   encoded=True, feature_names=feature_names)


SCORE_ON = ("validation", "train+validation")


def with_score_rows(problem: Problem, score_on: str) -> Problem:
    """``problem`` scoring its candidates on ``score_on``: ``"validation"`` (the
    validation part), or ``"train+validation"`` (the training rows, each once, then the
    validation rows).  More rows rank candidates with less noise; the training rows
    favour candidates fitted on them, which for small models (few leaves or weights
    against many rows) is a small bias beside the validation part's noise."""
    if score_on == "validation":
        return problem
    X_score, y_score = score_rows(score_on, problem.X_train, problem.y_fit, problem.X_val, problem.y_score)
    return replace(problem, X_score=X_score, y_score=y_score)


def score_rows(score_on: str, X_train, y_train, X_val, y_val):
    """``(X, y)`` scored on for ``score_on``: the validation rows, or the training rows then the
    validation rows (the one definition, shared by the search and ``compare``'s restarts)."""
    if score_on == "validation":
        return X_val, y_val
    return np.concatenate([X_train, X_val]), np.concatenate([y_train, y_val])


def _check_label_types(y_train, y_val) -> None:
    if (y_train.dtype.kind in "OUS") != (y_val.dtype.kind in "OUS"):
        raise ValueError(f"validation labels are of another type ({y_val.dtype}) than the training labels "
                         f"({y_train.dtype}); give both the same label type.")


def _check_validation_data(validation_data, X_train, *, regression: bool):
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        raise ValueError("validation_data must be a tuple (X_val, y_val).")
    X_val, y_val, _ = check_data(*validation_data, regression=regression)
    if X_val.shape[1] != X_train.shape[1]:
        raise ValueError(f"validation_data has {X_val.shape[1]} features, training data has {X_train.shape[1]}.")
    return X_val, y_val


def split_validation(X, y, validation_size: float, seed: int, *, regression: bool = False):
    """Train / validation split: stratified where the class counts allow it, and
    every class kept in the training part (a model cannot learn an absent class)."""
    seed = seed % 2**32
    if regression:
        return train_test_split(X, y, test_size=validation_size, random_state=seed)
    try:
        return train_test_split(X, y, test_size=validation_size, stratify=y, random_state=seed)
    except ValueError:  # a class with one member, or fewer rows than classes on a side
        pass
    idx_tr, idx_val = train_test_split(np.arange(len(y)), test_size=validation_size, random_state=seed)
    _, first = np.unique(y, return_index=True)
    idx_tr = np.union1d(idx_tr, first)
    idx_val = np.setdiff1d(idx_val, first)
    if idx_val.size == 0:
        raise ValueError("Too few samples to hold out a validation set; pass validation_data.")
    return X[idx_tr], X[idx_val], y[idx_tr], y[idx_val]
