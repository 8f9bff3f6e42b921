"""Input checks shared by the public entry points, with errors that name the problem."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import check_X_y
from sklearn.utils.multiclass import check_classification_targets


def check_data(X, y, *, regression: bool = False):
    """Validated ``(X, y, feature_names)``: finite 2-D float X, and a classification y
    with 2+ classes (or, with ``regression=True``, a finite numeric y).

    DataFrames are accepted; their column names are returned so results can
    report them, and numpy arrays are what the rest of the library sees.
    """
    columns = getattr(X, "columns", None)
    feature_names = None
    if columns is not None and all(isinstance(c, str) for c in columns):
        feature_names = np.asarray(columns, dtype=object)
    X, y = check_X_y(X, y, dtype=np.float64, ensure_all_finite=True, ensure_min_samples=2, y_numeric=regression)
    if regression:
        return X, y.astype(float), feature_names
    check_classification_targets(y)
    classes = np.unique(y)
    if classes.size < 2:
        raise ValueError(
            f"y has a single class ({classes[0]!r}); compaction needs at least two classes."
        )
    return X, y, feature_names


def check_positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def check_fraction(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0.0 < value < 1.0:
        raise ValueError(f"{name} must be a float strictly between 0 and 1, got {value!r}.")
    return float(value)


def check_seed(random_state) -> int:
    """An int seed from ``None``, an int or a ``RandomState``; ``None`` draws a fresh one."""
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, (numbers.Integral, np.integer)) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be non-negative, got {random_state}.")
        return int(random_state)
    raise ValueError(f"random_state must be None, an int or a numpy RandomState, got {random_state!r}.")
