"""Linear models: size is the number of non-zero coefficients, reached along an L1 path.

The model is never fitted large and pruned: the adapter walks the
regularisation path from the empty model (all coefficients zero) towards
weaker penalties and keeps the least-penalised fit whose coefficient count is
within the request, refined by bisection in log space.

Size ``n_nonzero`` counts non-zero entries of ``coef_`` (all classes);
``n_features`` counts input features with any non-zero coefficient.  The
intercept is not counted.  Put features on one scale first (a
``StandardScaler``): an L1 penalty is scale-dependent.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso, LogisticRegression

from compact.linear_probability import LinearProbabilityClassifier

from .base import Adapter


def count_nonzero(coef) -> dict[str, int]:
    coef = np.atleast_2d(coef)
    nonzero = coef != 0
    return {"n_nonzero": int(nonzero.sum()), "n_features": int(nonzero.any(axis=0).sum())}


class L1PathAdapter(Adapter):
    """Shared path search; subclasses say how the penalty is set and where it starts.

    ``strength`` is the inverse penalty: larger values allow more coefficients.
    """

    size_names = ("n_nonzero", "n_features")
    weights_as_counts = True
    #: Grid factor along the path, and bisection steps between the last fit
    #: within the size and the first one over it.
    grow = 2.0
    refine_steps = 4
    max_steps = 40

    def _start(self, model, X, y, sample_weight) -> float:
        """Set up ``model`` for this data and return the strength to start from."""
        raise NotImplementedError

    def _set_strength(self, model, strength: float):
        raise NotImplementedError

    def measure(self, model):
        return count_nonzero(model.coef_)

    def size_report(self, model):
        counts = count_nonzero(model.coef_)
        intercepts = np.atleast_1d(model.intercept_)
        return {"nonzero_coefs": counts["n_nonzero"], "nonzero_features": counts["n_features"],
                "intercepts": int(np.count_nonzero(intercepts))}

    def counterparts(self):
        return ("pruned",)

    def fit_counterpart(self, name, X, y, *, size, random_state=None, cache=None):
        """``"pruned"``: the L1 path down to ``size``, which is also how every model
        of this family is built (so it coincides with the baseline)."""
        if name != "pruned":
            return super().fit_counterpart(name, X, y, size=size, random_state=random_state, cache=cache)
        return self.fit(self.build(size, random_state), X, y, size=size)

    def fit(self, model, X, y, sample_weight=None, *, size=None):
        if size is None:
            raise ValueError("L1 path adapters need the requested size to fit.")
        best = None

        def attempt(strength):
            nonlocal best
            self._set_strength(model, strength)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                Adapter.fit(self, model, X, y, sample_weight)
            within = self.within(self.measure(model), size)
            if within:
                best = copy.deepcopy(model)
            return within

        # Walk up from the start until a fit exceeds the size (or down first,
        # when even the start exceeds it), then bisect the last step.
        low = high = self._start(model, X, y, sample_weight)
        if attempt(low):
            for _ in range(self.max_steps):
                if self.measure(model)["n_features"] == X.shape[1]:
                    high = None  # every feature is in: weaker penalties add nothing
                    break
                high = low * self.grow
                if not attempt(high):
                    break
                low = high
        else:
            for _ in range(self.max_steps):
                low = high / self.grow
                if attempt(low):
                    break
                high = low
        if high is not None and best is not None and high > low:
            for _ in range(self.refine_steps):
                mid = np.sqrt(low * high)
                if attempt(mid):
                    low = mid
                else:
                    high = mid
        if best is None:
            raise RuntimeError("Even the most penalised fit exceeds the requested size.")
        return best


class LogisticL1Adapter(L1PathAdapter):
    """L1-penalised :class:`~sklearn.linear_model.LogisticRegression`.

    Binary problems use ``liblinear``; multi-class ones ``saga`` (the only
    solver for a multinomial L1 fit), warm-started along the path.
    """

    #: Scored on the training and validation rows together: measured on generated
    #: problems (docs/benchmarks.md, "Score rows"), test F1 higher than with the validation rows alone.
    default_score_on = "train+validation"

    @classmethod
    def accepts(cls, estimator) -> bool:
        return isinstance(estimator, LogisticRegression)

    def build(self, size, random_state=None):
        model = super().build({}, random_state)
        model.set_params(l1_ratio=1.0, penalty="deprecated")
        return model

    def _start(self, model, X, y, sample_weight):
        from sklearn.svm import l1_min_c

        binary = np.unique(y).size == 2
        model.set_params(solver="liblinear" if binary else "saga", warm_start=not binary)
        return float(l1_min_c(X, y, loss="log", fit_intercept=True))

    def _set_strength(self, model, strength):
        model.set_params(C=strength)


class LassoAdapter(L1PathAdapter):
    """:class:`~sklearn.linear_model.Lasso` (regression): the path over ``alpha``."""

    @classmethod
    def accepts(cls, estimator) -> bool:
        return isinstance(estimator, Lasso)

    def build(self, size, random_state=None):
        return super().build({}, random_state)

    def _targets(self, y) -> np.ndarray:
        return np.asarray(y, dtype=float).reshape(len(y), -1)

    def _start(self, model, X, y, sample_weight):
        # alpha_max: the smallest penalty at which every coefficient is zero.
        w = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        targets = self._targets(y)
        Xc = X - np.average(X, axis=0, weights=w)
        Tc = targets - np.average(targets, axis=0, weights=w)
        alpha_max = np.abs((Xc * w[:, None]).T @ Tc).max() / w.sum()
        return 1.0 / max(alpha_max, 1e-12)

    def _set_strength(self, model, strength):
        model.set_params(alpha=1.0 / strength)


class LinearProbabilityAdapter(LassoAdapter):
    """:class:`compact.LinearProbabilityClassifier`: the Lasso path on one-hot labels."""

    #: Scored on the training and validation rows together: measured on generated
    #: problems (docs/benchmarks.md, "Score rows"), test F1 higher than with the validation rows alone
    #: (Lasso itself, a regressor, was not measured and keeps the validation rows).
    default_score_on = "train+validation"

    @classmethod
    def accepts(cls, estimator) -> bool:
        return isinstance(estimator, LinearProbabilityClassifier)

    def _targets(self, y) -> np.ndarray:
        return LinearProbabilityClassifier()._targets(y).reshape(len(y), -1)
