"""What a continued study must share with the run that began it (:func:`fingerprint`).

A study kept in a storage is continued by a later run (or by other workers)
only where its trials' scores still mean the same: the same data and split,
family and its parameters, size, scorer, score rows, draws per trial,
sampling mode and oracle.  Values are plain JSON (the storage keeps them as
the study's user attribute), so objects are described by their class and
parameters, never by their ``repr``, which may hold a memory address.
"""

from __future__ import annotations

import hashlib
import numbers

import numpy as np

#: Estimator parameters (of the family, its oracle and any estimator inside them) that change
#: how fast or where a model is fitted, or what it prints, not which model: a study may be
#: continued with other values (more threads, another device).
RUNTIME_PARAMS = frozenset({
    "n_jobs", "nthread", "num_threads", "thread_count", "device", "device_type", "task_type", "devices",
    "verbose", "verbosity", "silent", "logging_level", "train_dir", "cache_size", "memory",
})


def fingerprint(search, adapter, request: dict, scoring, *, X: np.ndarray, y: np.ndarray, validation_data,
                class_balance: bool, score_on: str) -> dict:
    """The settings of ``search`` (a :class:`~compact.search.CompactSearch`) that its study records.

    ``X`` and ``y`` are the validated data; ``validation_data`` as given.
    """
    estimator = adapter.estimator
    return {
        "method": search.method, "rows": len(X), "estimator": type(estimator).__name__,
        "size": dict(request), "scoring": scoring_name(scoring), "class_balance": class_balance,
        "score_on": score_on,
        # Hashed only where a study outlives the run: nothing compares an in-memory study's.
        "data_hash": (None if search.storage is None else
                      data_digest(X, y, validation_data, validation_size=search.validation_size)),
        "params": {k: v for k, v in describe(estimator)["params"].items() if k not in request},
        "scorer": describe(scoring), "n_draws": search.n_draws_for(adapter),
        "weights_mode": bool(search.weights_mode), "flatten": bool(search.flatten),
        "oracle": describe(search.oracle) if search.method == "oracle" else None,
    }


def data_digest(X: np.ndarray, y: np.ndarray, validation_data, *, validation_size: float) -> str:
    """A short hash of the data and of how its validation part is made.

    Classification labels enter as their codes in sorted order (the labels'
    partition of the rows), so the same labels read as another dtype match.
    """
    digest = hashlib.blake2b(digest_size=8)
    for part in _parts(X, y):
        digest.update(part)
    if validation_data is None:
        digest.update(f"validation_size={float(validation_size)!r}".encode())
    else:
        try:
            X_val, y_val = validation_data
            parts = list(_parts(X_val, y_val))
        except (TypeError, ValueError):  # not data: make_problem refuses it, with its own message
            parts = [repr(type(validation_data)).encode()]
        for part in parts:
            digest.update(part)
    return digest.hexdigest()


def _parts(X, y):
    """Bytes of X column by column (the same in C or Fortran order, one column copied at a
    time), then of y (labels as their codes)."""
    X = np.asarray(X, dtype=np.float64)
    yield repr(X.shape).encode()
    for j in range(X.shape[1] if X.ndim == 2 else 0):
        yield np.ascontiguousarray(X[:, j]).tobytes()
    y = np.asarray(y)
    if y.dtype.kind == "f":
        yield np.ascontiguousarray(y, dtype=np.float64).tobytes()
    else:
        yield np.unique(y, return_inverse=True)[1].astype(np.int64).tobytes()


def describe(value):
    """``value`` as plain JSON: numbers, strings and containers as they are; an estimator as its
    class and parameters; a function or class as its qualified name; anything else as its type."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):  # NaN as text: NaN != NaN would refuse every continued study
        return float(value) if np.isfinite(value) else str(float(value))
    if isinstance(value, (list, tuple)):
        return [describe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): describe(v) for k, v in value.items()}
    if isinstance(value, np.ndarray) and value.size <= 64:
        return describe(value.tolist())
    if hasattr(value, "get_params") and not isinstance(value, type):
        params = value.get_params(deep=False)
        return {"class": _qualname(type(value)),
                "params": {k: describe(v) for k, v in params.items() if k not in RUNTIME_PARAMS}}
    if hasattr(value, "_score_func"):  # make_scorer(...): its parts (its repr may hold addresses)
        return {"scorer": _qualname(value._score_func), "sign": getattr(value, "_sign", None),
                "response_method": describe(getattr(value, "_response_method", None)),
                "kwargs": describe(getattr(value, "_kwargs", {}))}
    if callable(value):
        return _qualname(value)
    return _qualname(type(value))


def scoring_name(scoring) -> str:
    """A scorer's name as recorded in studies and results: the string, or the callable's name."""
    return scoring if isinstance(scoring, str) else getattr(scoring, "__name__", type(scoring).__name__)


def _qualname(obj) -> str:
    return f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', type(obj).__name__)}"
