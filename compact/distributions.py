"""Training distributions over an uncertainty score: a Dirichlet-process Beta mixture.

Every training point carries a score ``u`` in ``[0, 1]`` (the oracle's
uncertainty).  One draw of the distribution:

1. A fraction ``p_orig`` of the ``N_s = sample_frac * n`` points is a
   class-stratified sample of the original training data.
2. The rest is split into clusters by a truncated stick-breaking draw with
   concentration ``alpha`` (the Dirichlet process); cluster ``k`` gets
   ``Beta(a_k, b_k)`` with ``a_k ~ scale * Beta(A_a, B_a)`` and
   ``b_k ~ scale * Beta(A_b, B_b)``, and its points are drawn with probability
   proportional to that density at ``u_i``.

Either part is rounded away when it would be smaller than ``min_part_size``.
For classifiers an eighth variable, ``class_balance``, reweighs the classes of
a draw toward equal totals (:func:`balance_weights`).
All of it is numpy over every point and cluster at once.  In *resample* mode a
draw is an index array; in *weights* mode it is the expected number of times
each point would be drawn, to be used as ``sample_weight``.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass

import numpy as np

_EPS = 1e-6


@dataclass(frozen=True)
class Param:
    """One optimisation variable: its range and whether it is searched in log space."""

    name: str
    low: float
    high: float
    log: bool = False


#: The seven variables of the oracle method, and the values of the first trial,
#: which reproduce the original training data exactly.
SEARCH_SPACE = (
    Param("alpha", 0.1, 100.0, log=True),
    Param("sample_frac", 0.1, 2.0),
    Param("p_orig", 0.0, 1.0),
    Param("A_a", 0.1, 100.0, log=True),
    Param("B_a", 0.1, 100.0, log=True),
    Param("A_b", 0.1, 100.0, log=True),
    Param("B_b", 0.1, 100.0, log=True),
)
#: The ranges of ``sample_frac`` (``sample_frac_scale``): ``"linear"``, its
#: range in ``SEARCH_SPACE``; ``"log"``, from 5 % of the training size on a
#: log scale, where half the random start-up trials draw samples below a
#: third of the training size (one in eight on the linear range): small noisy
#: samples, which gave better decision tree stumps on some problems
#: (``Adapter.default_sample_frac_scale``).
SAMPLE_FRAC_SCALES = {"linear": SEARCH_SPACE[1], "log": Param("sample_frac", 0.05, 2.0, log=True)}
ORIGINAL = {"alpha": 1.0, "sample_frac": 1.0, "p_orig": 1.0, "A_a": 1.0, "B_a": 1.0, "A_b": 1.0, "B_b": 1.0}

#: For classifiers: how far a candidate's training rows are reweighed toward
#: classes of equal total weight (0: as drawn; 1: equal, as scikit-learn's
#: ``class_weight="balanced"`` over the draw).  Its original value is 0.
CLASS_BALANCE_PARAM = Param("class_balance", 0.0, 1.0)

#: The density-tree method's extra variable: the deepest level of the density
#: tree that sampling schemes may use, as a fraction of the tree's depth.
DEPTH_PARAM = Param("depth_frac", 0.05, 1.0)


def original_params(space: tuple[Param, ...] = SEARCH_SPACE) -> dict[str, float]:
    """The original distribution over ``space``.

    ``class_balance`` is 0 (the classes as drawn); the density tree's depth
    takes its top value: irrelevant to the original data, but a trial must
    set every variable.
    """
    return {p.name: ORIGINAL.get(p.name, 0.0 if p.name == CLASS_BALANCE_PARAM.name else p.high) for p in space}


def balance_weights(weights: np.ndarray, codes: np.ndarray, strength: float) -> np.ndarray:
    """Per-row factors that move the classes of a draw toward equal total weight.

    Parameters
    ----------
    weights : array of shape (n,)
        How much each training row counts in the draw (repeat counts, or
        expected frequencies in weights mode).
    codes : array of shape (n,)
        Class code of each row, ``0..K-1``.
    strength : float in [0, 1]
        The ``class_balance`` variable.

    Returns
    -------
    array of shape (n,)
        ``(W / (K W_c)) ** strength`` for a row of class ``c``, where ``W_c``
        is the class's total weight, ``W`` the draw's and ``K`` the number of
        classes drawn: 0 keeps the draw's class mix, 1 gives every class the
        same total.
    """
    totals = np.bincount(codes, weights=weights)
    drawn = totals > 0
    factor = np.ones_like(totals)
    factor[drawn] = (totals.sum() / (drawn.sum() * totals[drawn])) ** strength
    return factor[codes]


def beta_rows(a: np.ndarray, b: np.ndarray, log_x: np.ndarray, log_1mx: np.ndarray, *, out=None, work=None):
    """``Beta(a_k, b_k)`` densities at points ``x``, each row normalised to sum to one.

    Takes ``log(x)`` and ``log(1 - x)``; the Beta normalising constant cancels.
    Shape (len(a), len(x)).  Rows are independent: stacking the shapes of
    several draws gives each draw's rows exactly.  ``out`` (the result) and
    ``work`` (scratch), both of that shape, are optional buffers to reuse:
    allocating fresh (k, n) arrays on every draw costs page faults.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    # The same operations as exp((a-1) log x + (b-1) log(1-x) - max) / sum,
    # in place: equal results, no temporaries.
    prob = np.multiply((a - 1.0)[:, None], log_x, out=out)
    prob += np.multiply((b - 1.0)[:, None], log_1mx, out=work)
    prob -= prob.max(axis=1, keepdims=True)
    np.exp(prob, out=prob)
    prob /= prob.sum(axis=1, keepdims=True)
    return prob


def flatten_uncertainty(u, n_bins: int = 10, low: float = 0.1, high: float = 0.9) -> np.ndarray:
    """Rank-preserving map of ``u`` onto a near-uniform spread inside ``[low, high]``.

    Equal-count bins (quantiles of ``u``) are mapped to equal-width slots, with
    linear interpolation inside each bin, so Beta densities can reach every
    region even when the raw scores pile up near 0.  Equal scores stay equal.
    This is scikit-learn's ``QuantileTransformer`` with ``n_bins + 1`` quantiles.
    """
    from sklearn.preprocessing import QuantileTransformer

    u = np.asarray(u, dtype=float)
    if u.ndim != 1 or u.size == 0:
        raise ValueError("u must be a non-empty 1-D array.")
    transformer = QuantileTransformer(n_quantiles=min(n_bins + 1, u.size), subsample=None)
    return low + (high - low) * transformer.fit_transform(u[:, None]).ravel()


@dataclass(frozen=True)
class DistributionParams:
    """The variables of one training distribution: seven, with ``class_balance``
    (classifiers) and ``depth_frac`` (density tree) where they are searched."""

    alpha: float
    sample_frac: float
    p_orig: float
    A_a: float
    B_a: float
    A_b: float
    B_b: float
    depth_frac: float | None = None  # density-tree method only
    class_balance: float | None = None  # classifiers only

    def to_dict(self) -> dict[str, float]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @property
    def is_original(self) -> bool:
        """The original data, each point once, as it is: the baseline distribution."""
        return self.p_orig == 1.0 and self.sample_frac == 1.0 and not self.class_balance


class DPBetaMixture:
    """Draws training samples from a Dirichlet-process Beta mixture over ``u``.

    Parameters
    ----------
    u : array of shape (n,)
        Score of each training point in ``[0, 1]``.
    y : array of shape (n,)
        Integer class codes, for the stratified original part.
    scale : float, default=20
        Upper bound of the Beta shape parameters ``a_k``, ``b_k``.
    max_components : int, default=50
        Truncation of the stick-breaking construction; the last stick takes the
        remaining mass so the weights sum to one.
    min_part_size : int, default=10
        A part (original or mixture) smaller than this is folded into the other.
    """

    def __init__(self, u, y, *, scale: float = 20.0, max_components: int = 50, min_part_size: int = 10):
        u = np.asarray(u, dtype=float)
        if u.ndim != 1 or u.shape != np.shape(y):
            raise ValueError("u and y must be 1-D arrays of the same length.")
        self._setup(y, scale, max_components, min_part_size)
        clipped = np.clip(u, _EPS, 1.0 - _EPS)
        self._log_u = np.log(clipped)
        self._log_1mu = np.log1p(-clipped)

    def _setup(self, y, scale, max_components, min_part_size):
        """What every mixture needs: sizes, and the points grouped by class."""
        y = np.asarray(y)
        self.n = y.size
        self.scale = float(scale)
        self.max_components = int(max_components)
        self.min_part_size = int(min_part_size)
        _, self._codes = np.unique(y, return_inverse=True)
        self._class_counts = np.bincount(self._codes)
        self._class_starts = np.concatenate(([0], np.cumsum(self._class_counts)[:-1]))
        # Fixed for every draw: the points of each class, in index order.
        self._by_class = np.argsort(self._codes, kind="stable")
        self._workspace = _Workspace()

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_workspace", None)  # per-thread scratch buffers: not data
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._workspace = _Workspace()

    def _buffer(self, name: str, rows: int) -> np.ndarray:
        """A reusable (rows, n) float scratch array of this thread (contents undefined)."""
        return self._workspace.get(name, rows, self.n)

    def _point_probabilities(self, a: np.ndarray, b: np.ndarray, params: DistributionParams, *, out=None):
        """Probability of each point under each component, shape (k, n), rows summing to one.

        Here: the ``Beta(a_k, b_k)`` density at each point's score ``u_i``.
        Rows are independent (one per component), so the components of
        several draws can be passed at once.  ``out``: a (k, n) buffer for
        the result.
        """
        work = None if out is None else self._buffer("work", len(a))
        return beta_rows(a, b, self._log_u, self._log_1mu, out=out, work=work)

    # -- parts ---------------------------------------------------------------
    def _part_sizes(self, params: DistributionParams) -> tuple[int, int]:
        total = max(1, int(round(params.sample_frac * self.n)))
        n_orig = int(round(params.p_orig * total))
        n_mix = total - n_orig
        if n_mix < self.min_part_size and n_orig > 0:
            n_orig, n_mix = total, 0
        elif n_orig < self.min_part_size and n_mix > 0:
            n_orig, n_mix = 0, total
        return n_orig, n_mix

    def _stratified_counts(self, n_orig: int, rng: np.random.Generator) -> np.ndarray:
        """How often each point appears in a class-stratified sample of size ``n_orig``.

        Below 100 % each class ``c`` keeps its ``per_class[c]`` points with the
        smallest random keys (ties to the lower index: a stable sort by class,
        then key).  Found by a partial sort per class, O(n).
        """
        reps, rest = divmod(n_orig, self.n)
        counts = np.full(self.n, reps, dtype=np.int64)
        if rest:
            per_class = self._allocate(rest, self._class_counts)
            keys = rng.random(self.n)[self._by_class]  # grouped by class, index order inside
            chosen = []
            for start, size, take in zip(self._class_starts, self._class_counts, per_class):
                if take == 0:
                    continue
                block = keys[start: start + size]
                if take == size:
                    chosen.append(np.arange(start, start + size))
                    continue
                cut = np.partition(block, take - 1)[take - 1]
                below = np.flatnonzero(block < cut)
                ties = np.flatnonzero(block == cut)[: take - below.size]
                chosen.append(start + below)
                chosen.append(start + ties)
            counts[self._by_class[np.concatenate(chosen)]] += 1
        return counts

    @staticmethod
    def _allocate(total: int, sizes: np.ndarray) -> np.ndarray:
        """Split ``total`` proportionally to ``sizes`` (largest remainder), capped by sizes."""
        exact = total * sizes / sizes.sum()
        alloc = np.floor(exact).astype(np.int64)
        short = total - alloc.sum()
        if short:
            alloc[np.argsort(alloc - exact, kind="stable")[:short]] += 1
        return np.minimum(alloc, sizes)

    def _component_shapes(self, params: DistributionParams, n_mix: int, rng: np.random.Generator):
        """Cluster sizes and Beta shapes ``(sizes, a, b)`` of the clusters that got points."""
        sticks = rng.beta(1.0, params.alpha, size=self.max_components)
        sticks[-1] = 1.0
        weights = sticks * np.concatenate(([1.0], np.cumprod(1.0 - sticks[:-1])))
        sizes = rng.multinomial(n_mix, weights / weights.sum())
        a = self.scale * rng.beta(params.A_a, params.B_a, size=self.max_components)
        b = self.scale * rng.beta(params.A_b, params.B_b, size=self.max_components)
        keep = sizes > 0
        return sizes[keep], np.maximum(a[keep], 1e-3), np.maximum(b[keep], 1e-3)

    def _components(self, params: DistributionParams, n_mix: int, rng: np.random.Generator):
        """Cluster sizes and per-cluster point probabilities, shape (k, n)."""
        sizes, a, b = self._component_shapes(params, n_mix, rng)
        return sizes, self._point_probabilities(a, b, params)

    def _inverse_cdf(self, sizes: np.ndarray, prob: np.ndarray, uniform: np.ndarray) -> np.ndarray:
        """Point drawn by each uniform number: cluster ``r`` takes the next ``sizes[r]`` of them.

        Inverse-CDF sampling.  Row ``r``'s CDF is shifted by ``r`` (as when all
        rows are searched as one increasing array), and each row is searched
        on its own: a small array that stays in cache.
        """
        k = sizes.size
        cdf = np.cumsum(prob, axis=1, out=self._buffer("cdf", k))
        cdf[:, -1] = 1.0
        cdf += np.arange(k, dtype=float)[:, None]
        rows = np.repeat(np.arange(k), sizes)
        keys = uniform + rows
        pos = np.empty(keys.size, dtype=np.intp)
        end = 0
        for r in range(k):
            start, end = end, end + int(sizes[r])
            pos[start:end] = np.searchsorted(cdf[r], keys[start:end], side="right")
        return np.minimum(pos, self.n - 1, out=pos)

    def _mixture_draws(self, params: DistributionParams, n_mix: int, rngs) -> list[tuple[np.ndarray, np.ndarray]]:
        """``(sizes, prob)`` of each draw's clusters, ``prob`` in a reused buffer."""
        shapes = [self._component_shapes(params, n_mix, rng) for rng in rngs]
        prob = self._buffer("prob", sum(a.size for _, a, _ in shapes))
        # Draw by draw into one buffer: as fast as one stacked call (which
        # leaves the cache), and a matrix product's rows (density tree) can
        # round differently with the number of rows.
        start = 0
        for _, a, b in shapes:
            self._point_probabilities(a, b, params, out=prob[start: start + a.size])
            start += a.size
        bounds = np.cumsum([0] + [sizes.size for sizes, _, _ in shapes])
        return [(sizes, prob[lo:hi]) for (sizes, _, _), lo, hi in zip(shapes, bounds[:-1], bounds[1:])]

    # -- draws ---------------------------------------------------------------
    def sample_indices(self, params: DistributionParams, rng: np.random.Generator) -> np.ndarray:
        """Indices of one resample (with repetitions), of length ``N_s``."""
        n_orig, n_mix = self._part_sizes(params)
        orig_counts = self._stratified_counts(n_orig, rng)
        parts = [np.repeat(np.arange(self.n), orig_counts)]
        if n_mix:
            ((sizes, prob),) = self._mixture_draws(params, n_mix, [rng])
            parts.append(self._inverse_cdf(sizes, prob, rng.random(n_mix)))
        return np.concatenate(parts)

    def sample_counts(self, params: DistributionParams, rngs) -> np.ndarray:
        """How often each point is drawn, for several draws at once: int64 array (len(rngs), n).

        Row ``d`` equals ``np.bincount(self.sample_indices(params, rngs[d]), minlength=n)``
        (the same random numbers are used in the same order), and sums to
        ``N_s``.  Fit on the rows with a non-zero count, the count as
        ``sample_weight``, where the model family allows it.  The original
        distribution gives ones and uses no random number.
        """
        rngs = list(rngs)
        n_orig, n_mix = self._part_sizes(params)
        counts = np.empty((len(rngs), self.n), dtype=np.int64)
        for d, rng in enumerate(rngs):  # the original part first: rng order as in sample_indices
            counts[d] = self._stratified_counts(n_orig, rng)
        if n_mix and rngs:
            for d, (rng, (sizes, prob)) in enumerate(zip(rngs, self._mixture_draws(params, n_mix, rngs))):
                counts[d] += np.bincount(self._inverse_cdf(sizes, prob, rng.random(n_mix)), minlength=self.n)
        return counts

    def _original_weights(self, n_orig: int) -> np.ndarray:
        """Expected counts of the stratified part (no randomness)."""
        reps, rest = divmod(n_orig, self.n)
        per_class = self._allocate(rest, self._class_counts)
        return reps + (per_class / self._class_counts)[self._codes]

    def expected_weights(self, params: DistributionParams, rng: np.random.Generator) -> np.ndarray:
        """Expected draw count of each point (sums to ``N_s``), for ``sample_weight``."""
        n_orig, n_mix = self._part_sizes(params)
        weights = np.zeros(self.n)
        if n_orig:
            weights += self._original_weights(n_orig)
        if n_mix:
            ((sizes, prob),) = self._mixture_draws(params, n_mix, [rng])
            weights += sizes @ prob
        return weights

    def sample_weights(self, params: DistributionParams, rngs) -> np.ndarray:
        """Weights-mode twin of :meth:`sample_counts`: float array (len(rngs), n).

        Row ``d`` equals ``self.expected_weights(params, rngs[d])``.
        """
        rngs = list(rngs)
        n_orig, n_mix = self._part_sizes(params)
        weights = np.zeros((len(rngs), self.n))
        if n_orig:
            weights += self._original_weights(n_orig)
        if n_mix and rngs:
            for d, (sizes, prob) in enumerate(self._mixture_draws(params, n_mix, rngs)):
                weights[d] += sizes @ prob
        return weights


class _Workspace(threading.local):
    """Scratch arrays of one thread, grown on demand and reused from draw to draw."""

    def __init__(self):
        self.arrays: dict[str, np.ndarray] = {}

    def get(self, name: str, rows: int, n: int) -> np.ndarray:
        array = self.arrays.get(name)
        if array is None or array.shape[0] < rows or array.shape[1] != n:
            array = np.empty((max(rows, 0 if array is None else array.shape[0]), n))
            self.arrays[name] = array
        return array[:rows]
