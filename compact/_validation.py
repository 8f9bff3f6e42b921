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
    if not regression:
        _check_one_label_type(y)
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


def _check_one_label_type(y) -> None:
    """Labels of one type: ``np.unique`` cannot order ``1`` and ``"a"``."""
    values = np.asarray(y, dtype=object).ravel() if np.asarray(y).dtype == object else None
    if values is None:
        return
    kinds = {"number" if isinstance(v, (numbers.Number, np.number)) and not isinstance(v, bool) else type(v).__name__
             for v in values}
    if len(kinds) > 1:
        raise ValueError(f"y mixes label types ({', '.join(sorted(kinds))}); give every label the same type.")


def check_positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def check_flag(value, name: str) -> bool:
    """A bool (numpy's too): a string such as ``"no"`` would read as True."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


def check_verbose(value) -> int:
    """``verbose``: an integer from 0 (a bool reads as 0 or 1)."""
    if not isinstance(value, (numbers.Integral, np.integer)) or value < 0:
        raise ValueError(f"verbose must be an integer >= 0, got {value!r}.")
    return int(value)


def check_n_jobs(value) -> int | None:
    """``n_jobs``: ``None`` (the default threads), ``-1`` (every available core) or a positive integer."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)) or value == 0 or value < -1:
        raise ValueError(f"n_jobs must be None, -1 or a positive integer, got {value!r}.")
    return int(value)


def check_prune_draws(value) -> float | None:
    """``prune_draws`` as a number of standard deviations, or ``None`` (off; ``False`` too)."""
    if value is None or value is False:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value < 0:
        raise ValueError(f"prune_draws must be None or a non-negative number of standard deviations, got {value!r}.")
    return float(value)


def check_fraction(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0.0 < value < 1.0:
        raise ValueError(f"{name} must be a float strictly between 0 and 1, got {value!r}.")
    return float(value)


def check_seed(random_state) -> int:
    """An int seed from ``None``, an int or a ``RandomState``; ``None`` draws a fresh one.

    Unlike :func:`sklearn.utils.check_random_state`, the result is a plain
    int, so it can be recorded in the result and in a shared study.
    """
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, (numbers.Integral, np.integer)) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be non-negative, got {random_state}.")
        return int(random_state)
    raise ValueError(f"random_state must be None, an int or a numpy RandomState, got {random_state!r}.")


def check_oracle(oracle, *, regression: bool) -> None:
    """``"xgboost"`` or an estimator; for classification one with ``predict_proba``."""
    if isinstance(oracle, str):
        if oracle != "xgboost":
            raise ValueError(f"Unknown oracle {oracle!r}; use 'xgboost' or an estimator.")
        return
    if not regression and not hasattr(oracle, "predict_proba"):
        raise TypeError(
            f"The oracle {type(oracle).__name__} has no predict_proba; an oracle must give class probabilities."
        )


def first_line(err: BaseException) -> str:
    """An exception's message as one line (its first), for one-line error reports."""
    lines = str(err).strip().splitlines()
    return lines[0] if lines else type(err).__name__


def check_timeout(timeout) -> float | None:
    """``None`` or a positive number of seconds."""
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real) or not timeout > 0:
        raise ValueError(f"timeout must be None or a positive number of seconds, got {timeout!r}.")
    return float(timeout)


#: Scorers defined for two classes only (scikit-learn raises deep inside on more).
_BINARY_SCORERS = ("roc_auc", "average_precision", "neg_brier_score", "f1", "precision", "recall", "jaccard")


def check_scorer(scorer, scoring, y, *, regression: bool):
    """The scorer, refused up front where it cannot score this task."""
    if not regression and isinstance(scoring, str) and scoring in _BINARY_SCORERS and np.unique(y).size > 2:
        raise ValueError(
            f"scoring={scoring!r} is for two classes and y has {np.unique(y).size}; use a multi-class scorer "
            "such as 'f1_macro', 'balanced_accuracy' or 'roc_auc_ovr'."
        )
    return scorer
