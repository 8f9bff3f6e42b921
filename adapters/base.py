"""The adapter protocol: what compaction needs to know about a model family.

An adapter gives a family its notion of *size*.  It can build an unfitted model
at a requested size, fit it on a resample or with sample weights, and measure
the size of a fitted model in the same units as the request, so that
``compact.fit`` can check that the result never exceeds what was asked for.

Sizes are normalised to a dict ``{parameter name: int}``; ``size_names`` lists
the parameters an adapter understands.  A bare integer sets the first of them;
a tuple sets them in order (``(10, 2)`` is ``{"n_estimators": 10,
"max_depth": 2}`` for ensembles).
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted, has_fit_parameter


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

    #: Whether an integer ``sample_weight`` is the same as repeating rows (true
    #: of the L1 path models, and of trees and gradient boosting while no
    #: setting counts rows: see :func:`rows_uncounted`; trees with
    #: ``class_weight="balanced"`` are fitted on the repeated rows; real-valued
    #: predictions agree to rounding).  Then a resample is fitted as its
    #: distinct rows weighted by their counts, cheaper than the repeated rows.
    #: :func:`check_adapter` tests the claim.
    weights_as_counts: bool = False

    #: Fit a resample on *all* rows with its repeat counts as ``sample_weight``
    #: (zero for rows not drawn): every class stays in ``y`` (xgboost infers
    #: the number of classes from it), and batching families train the draws
    #: of a trial the same way, so batched and one-by-one fits agree.
    resample_as_weights: bool = False

    #: Whether fitting and predicting run without holding Python's GIL
    #: (scikit-learn's Cython trees): then two trials run at once by default
    #: (``trial_batch=2``), and trials and their draws are fitted in threads,
    #: one per core by default (``CompactSearch(n_jobs=...)``).
    releases_gil: bool = False

    #: Draws (samples, and small models fitted) per trial when ``n_draws`` is
    #: not given: the objective is their mean validation score.
    default_n_draws: int = 3

    #: Rows candidates are scored on when ``score_on`` is not given:
    #: ``"validation"``, or ``"train+validation"`` where it was measured to
    #: choose better models (:func:`compact._problem.with_score_rows`).
    default_score_on: str = "validation"

    def default_sample_frac_scale(self, size: dict[str, int]) -> str:
        """The range of ``sample_frac`` for a model of ``size`` (normalised) when
        ``sample_frac_scale`` is not given (:data:`compact.distributions.SAMPLE_FRAC_SCALES`):
        ``"linear"`` from 10 % of the training size, or ``"log"`` from 5 % where small noisy
        samples were measured to give better small models."""
        return "linear"

    #: Whether the family needs class labels encoded as 0..K-1 (xgboost).
    #: Compaction then trains on the codes and wraps the final model in a
    #: :class:`DecodedClassifier` that predicts the original labels.
    encoded_labels: bool = False

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
        elif isinstance(size, (tuple, list)):
            if len(size) > len(self.size_names):
                raise ValueError(
                    f"size {tuple(size)} has more values than size parameters {list(self.size_names)}."
                )
            request = dict(zip(self.size_names, size))
        elif isinstance(size, (numbers.Integral, np.integer)) and not isinstance(size, bool):
            request = {self.size_names[0]: size}
        else:
            raise ValueError(
                f"size must be a positive int, a tuple, or a dict with keys among "
                f"{list(self.size_names)}, got {size!r}."
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

    def size_report(self, model) -> dict[str, int]:
        """Every size unit of a fitted model, for reports (e.g. trees: depth and leaves).

        Unlike :meth:`measure`, whose keys are the request's, the keys here
        name what is counted (``leaves``, ``nonzero_coefs``, ``n_trees``).
        Default: :meth:`measure`.
        """
        return dict(self.measure(model))

    @staticmethod
    def unwrap(model):
        """The family's own fitted model inside ``model``: the estimator that a
        :class:`DecodedClassifier` wraps, or ``model`` itself."""
        return model.estimator_ if isinstance(model, DecodedClassifier) else model

    # -- counterparts (pruned models and controls of the evaluation harness) --
    def counterparts(self) -> tuple[str, ...]:
        """Names of the pruned-to-size rows this family offers to :func:`compact.compare`.

        Default: none.  Trees: ``("pruned",)`` (cost-complexity pruning);
        L1 linear models: ``("pruned",)`` (the L1 path).
        """
        return ()

    def fit_counterpart(self, name: str, X, y, *, size: dict[str, int], random_state=None, cache=None, **options):
        """Fit the counterpart ``name`` (one of :meth:`counterparts`) at ``size`` on ``(X, y)``.

        ``X`` is the training matrix after :meth:`prepare_X`; ``y`` holds the
        original labels, and the returned model must predict them.  ``cache``
        is a dict kept for one seed's split (all sizes and counterparts), e.g.
        for a dense model that several counterparts prune; ``options`` are
        the family's pruning settings (``compare(..., pruning={...})``).
        """
        raise ValueError(
            f"{type(self.estimator).__name__} has no counterpart {name!r}; it offers {list(self.counterparts())}."
        )

    def counterpart_size(self, name: str, size: dict[str, int]) -> dict[str, int]:
        """The size a counterpart is held to at the request ``size``.  Default: ``size`` itself;
        a family whose pruned models keep their width is held to a non-zero budget instead."""
        return size

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

    @property
    def supports_sample_weight(self) -> bool:
        """Whether the estimator's ``fit`` takes ``sample_weight``."""
        return has_fit_parameter(self.estimator, "sample_weight")

    def prepare(self, X, y, *, size: dict[str, int], random_state: int | None = None) -> None:
        """Data-dependent set-up, called once on the training part before any candidate is built.

        Does nothing by default.  A family whose candidates share something
        learnt from the training data does it here (the sparse MLP of size
        ``n_nonzero`` finds its mask by iterative magnitude pruning).
        """

    def prepare_X(self, X: np.ndarray) -> np.ndarray:
        """Convert the training matrix once, before the many candidate fits."""
        return X

    def fit(self, model, X, y, sample_weight=None, *, size=None):
        """Fit ``model`` in place and return it.

        ``size`` is the normalised request; families whose size is reached
        during fitting (an L1 path) need it, the others set it in :meth:`build`.
        """
        if sample_weight is None:
            return model.fit(X, y)
        return model.fit(X, y, sample_weight=sample_weight)

    #: Families that can train several candidates of one size together (the
    #: draws of a trial) define ``fit_batch(X, y, weights, *, size,
    #: random_states) -> list of models``, with ``weights`` of shape (K, n):
    #: repeat counts of a resample or sampling frequencies, and one seed per
    #: candidate in ``random_states``.
    fit_batch = None

    def fit_resample(self, model, X, y, indices, *, size=None, row_weight=None):
        """Fit ``model`` on the rows ``indices`` (with repetitions) of ``(X, y)``.

        ``row_weight`` (shape ``(len(X),)``, optional): the ``sample_weight``
        of each copy of a row (the class balance of a candidate).
        """
        if self.resample_as_weights or self.weights_as_counts:
            counts = np.bincount(indices, minlength=len(X)).astype(float)
            if row_weight is not None:
                counts *= row_weight
            if self.resample_as_weights:
                return self.fit(model, X, y, sample_weight=counts, size=size)
            rows = np.flatnonzero(counts)
            return self.fit(model, X[rows], y[rows], sample_weight=counts[rows], size=size)
        return self.fit_repeated(model, X, y, indices, size=size, row_weight=row_weight)

    def fit_repeated(self, model, X, y, indices, *, size=None, row_weight=None):
        """Fit ``model`` on the rows ``indices`` repeated, as drawn."""
        weight = None if row_weight is None else row_weight[indices]
        return self.fit(model, X[indices], y[indices], sample_weight=weight, size=size)


class DecodedClassifier(ClassifierMixin, BaseEstimator):
    """A classifier fitted on class codes 0..K-1 that predicts the original labels.

    Parameters
    ----------
    estimator : fitted classifier
        Trained on integer codes (``estimator_`` after wrapping).
    classes : array of shape (K,)
        The label of each code.
    """

    def __init__(self, estimator=None, classes=None):
        self.estimator = estimator
        self.classes = classes

    def fit(self, X, y, sample_weight=None):
        """Encode ``y`` and fit a clone of ``estimator`` on the codes."""
        self.classes_, codes = np.unique(y, return_inverse=True)
        self.estimator_ = clone(self.estimator)
        kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
        self.estimator_.fit(X, codes, **kwargs)
        return self

    @classmethod
    def from_fitted(cls, estimator, classes):
        """Wrap an estimator already fitted on codes."""
        wrapper = cls(estimator, classes)
        wrapper.estimator_ = estimator
        wrapper.classes_ = np.asarray(classes)
        return wrapper

    def predict(self, X):
        check_is_fitted(self, "estimator_")
        return self.classes_[np.asarray(self.estimator_.predict(X), dtype=int)]

    def predict_proba(self, X):
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_proba(X)


def rows_uncounted(estimator) -> bool:
    """Whether none of a tree learner's settings counts rows, so weights can stand for copies.

    ``min_samples_leaf`` and ``min_samples_split`` (above 1 and 2, or as
    fractions) count the rows a node holds, a weighted row as one where its
    copies are several; ``subsample`` and ``n_iter_no_change`` (gradient
    boosting) draw rows.  With any of them set, counts as weights fit another model.
    """
    params = estimator.get_params()

    def default(name, value):
        given = params.get(name, value)
        return isinstance(given, numbers.Integral) and given == value

    return (default("min_samples_leaf", 1) and default("min_samples_split", 2)
            and params.get("subsample", 1.0) == 1.0 and params.get("n_iter_no_change") is None)
