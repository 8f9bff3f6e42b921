"""The adapter protocol: what compaction needs to know about a model family.

An adapter gives a family its notion of *size*.  It can build an unfitted model
at a requested size, fit it on a resample or with sample weights, and measure
the size of a fitted model in the same units as the request, so that
``compact.fit`` can check that the result never exceeds what was asked for.

Sizes are normalised to a dict ``{parameter name: int}``; ``size_names`` lists
the parameters an adapter understands and the first one is the default used
when the request is a bare integer.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import clone


class Adapter:
    """Base class of all adapters.

    Parameters
    ----------
    estimator : estimator
        The user's (unfitted) estimator; it is cloned for every candidate, so
        its other hyper-parameters are kept.
    """

    #: Size parameters this family understands; the first is the default.
    size_names: tuple[str, ...] = ()

    #: Whether an integer ``sample_weight`` is exactly the same as repeating
    #: rows (true of trees).  Then a resample is fitted as its distinct rows
    #: weighted by their counts, which is cheaper than the repeated rows.
    weights_as_counts: bool = False

    def __init__(self, estimator):
        self.estimator = estimator

    # -- discovery -------------------------------------------------------
    @classmethod
    def accepts(cls, estimator) -> bool:
        """Whether this adapter can handle ``estimator``."""
        raise NotImplementedError

    # -- size ------------------------------------------------------------
    def normalize_size(self, size) -> dict[str, int]:
        """Turn a user's size request into ``{name: positive int}``.

        Raises
        ------
        ValueError
            If the size is missing, not a positive integer, or names a
            parameter this family does not have.
        """
        if size is None:
            raise ValueError(
                f"size is required; for {type(self.estimator).__name__} give an int "
                f"({self.size_names[0]}) or a dict with keys among {list(self.size_names)}."
            )
        if isinstance(size, dict):
            request = dict(size)
        elif isinstance(size, (numbers.Integral, np.integer)) and not isinstance(size, bool):
            request = {self.size_names[0]: size}
        else:
            raise ValueError(
                f"size must be a positive int or a dict with keys among {list(self.size_names)}, "
                f"got {size!r}."
            )
        if not request:
            raise ValueError("size must name at least one size parameter.")
        unknown = set(request) - set(self.size_names)
        if unknown:
            raise ValueError(
                f"Unknown size parameter(s) {sorted(unknown)} for {type(self.estimator).__name__}; "
                f"valid ones are {list(self.size_names)}."
            )
        for name, value in request.items():
            if (
                isinstance(value, bool)
                or not isinstance(value, (numbers.Integral, np.integer))
                or value < 1
            ):
                raise ValueError(f"size {name}={value!r} must be a positive integer.")
        return {name: int(value) for name, value in request.items()}

    def measure(self, model) -> dict[str, int]:
        """Size of a fitted model, with the same keys as the request."""
        raise NotImplementedError

    @staticmethod
    def within(measured: dict[str, int], requested: dict[str, int]) -> bool:
        """Whether every measured size is at most the requested one."""
        return all(measured[name] <= requested[name] for name in requested)

    # -- building and fitting --------------------------------------------
    def build(self, size: dict[str, int], random_state: int | None = None):
        """An unfitted clone of the estimator at ``size``.

        ``random_state`` is set only where the estimator has one and the user
        left it as ``None``, so that every candidate is reproducible.
        """
        model = clone(self.estimator)
        params = model.get_params()
        if "random_state" in params and params["random_state"] is None:
            model.set_params(random_state=random_state)
        model.set_params(**size)
        return model

    def prepare_X(self, X: np.ndarray) -> np.ndarray:
        """Convert the training matrix once, before the many candidate fits."""
        return X

    def fit(self, model, X, y, sample_weight=None):
        """Fit ``model`` in place and return it."""
        if sample_weight is None:
            return model.fit(X, y)
        return model.fit(X, y, sample_weight=sample_weight)

    def fit_resample(self, model, X, y, indices):
        """Fit ``model`` on the rows ``indices`` (with repetitions) of ``(X, y)``."""
        if self.weights_as_counts:
            counts = np.bincount(indices, minlength=len(X))
            rows = np.flatnonzero(counts)
            return self.fit(model, X[rows], y[rows], sample_weight=counts[rows].astype(float))
        return self.fit(model, X[indices], y[indices])
