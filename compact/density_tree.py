"""The density-tree method (Ghose & Ravindran, arXiv 1905.01520): no oracle needed.

A decision tree grown on the training data segments the input space; its
nodes at depth ``d`` (together with the leaves that stop above ``d``) form a
partition of the training points, finer as ``d`` grows: shallow levels are
broad regions, deep levels small regions near class boundaries.

A *sampling scheme* with shape ``(a, b)`` picks a depth with probability
proportional to the ``Beta(a, b)`` density at the normalised depth
``(d + 0.5) / (D + 1)``, then a segment of that depth uniformly, then a
training point uniformly inside the segment.  Schemes are mixed by the same
Dirichlet-process Beta mixture as the oracle method (:mod:`compact.distributions`:
stick-breaking clusters, ``a_k ~ scale * Beta(A_a, B_a)``, the stratified
original part), so the seven variables are shared, and an eighth,
``depth_frac``, caps the levels used at ``D = round(depth_frac * tree depth)``.

Choices where the paper leaves details open:

* The density tree is a ``DecisionTreeClassifier`` (``DecisionTreeRegressor``
  for regression) grown on the training data with ``min_samples_leaf=1`` and
  no depth limit, seeded by the run's seed.
* A leaf shallower than ``d`` stands for its own region at depth ``d``, so
  every level is a partition and each scheme reaches every point.
* Segments of a level are equally likely (not weighted by their size): deep
  levels then favour points in small regions, which is the method's intent.
* The eighth variable is the depth cap ``depth_frac``; the first trial (the
  original data) sets it to 1.

A point's probability under a scheme is ``sum_d pmf(d) / (S_d * |seg_d(i)|)``
with ``S_d`` segments at level ``d``: one matrix product for all schemes.
"""

from __future__ import annotations

import numpy as np

from .distributions import DistributionParams, DPBetaMixture, beta_rows


def segment_levels(tree, X) -> np.ndarray:
    """``level[i, d]``: the node holding point ``i`` at depth ``d`` (its leaf below the leaf's depth).

    Shape ``(n, max_depth + 1)``.
    """
    paths = tree.decision_path(X).tocsr()
    lengths = np.diff(paths.indptr)
    depth = int(lengths.max()) - 1
    # Node ids along a path increase with depth (depth-first numbering), so
    # position d of a row's sorted indices is its node at depth d.
    offsets = np.minimum(np.arange(depth + 1)[None, :], (lengths - 1)[:, None])
    return paths.indices[paths.indptr[:-1, None] + offsets]


def level_weights(levels: np.ndarray) -> np.ndarray:
    """``W[i, d] = 1 / (segments at d * size of i's segment at d)``; columns sum to one."""
    n, n_levels = levels.shape
    weights = np.empty((n, n_levels))
    for d in range(n_levels):  # one pass per tree level, vectorised over points
        _, inverse, counts = np.unique(levels[:, d], return_inverse=True, return_counts=True)
        weights[:, d] = 1.0 / (counts.size * counts[inverse])
    return weights


class DensityTreeMixture(DPBetaMixture):
    """Dirichlet-process mixture of depth-based sampling schemes over a density tree.

    Parameters
    ----------
    levels : array of shape (n, depth + 1)
        Segment of each point at each depth, from :func:`segment_levels`.
    y : array of shape (n,)
        Strata (class codes) for the original part.
    scale, max_components, min_part_size
        As in :class:`~compact.distributions.DPBetaMixture`.
    """

    def __init__(self, levels, y, *, scale: float = 20.0, max_components: int = 50, min_part_size: int = 10):
        levels = np.asarray(levels)
        if levels.ndim != 2 or levels.shape[0] != np.shape(y)[0]:
            raise ValueError("levels must have one row per point of y.")
        self._setup(y, scale, max_components, min_part_size)
        self._weights = level_weights(levels)
        self.tree_depth = levels.shape[1] - 1

    def depth_pmf(self, a: np.ndarray, b: np.ndarray, depth_frac: float) -> np.ndarray:
        """Probability of each depth 0..tree_depth under each scheme, shape (k, tree_depth + 1)."""
        top = int(round(np.clip(depth_frac, 0.0, 1.0) * self.tree_depth))
        z = (np.arange(top + 1) + 0.5) / (top + 1)
        pmf = np.zeros((a.size, self.tree_depth + 1))
        pmf[:, : top + 1] = beta_rows(a, b, np.log(z), np.log1p(-z))
        return pmf

    def _point_probabilities(self, a, b, params: DistributionParams, *, out=None) -> np.ndarray:
        depth_frac = 1.0 if params.depth_frac is None else params.depth_frac
        return np.matmul(self.depth_pmf(a, b, depth_frac), self._weights.T, out=out)


def fit_density_tree(X, y, *, regression: bool, random_state: int):
    """The fully grown tree that segments the training data."""
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    cls = DecisionTreeRegressor if regression else DecisionTreeClassifier
    return cls(random_state=random_state).fit(X, y)
