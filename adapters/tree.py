"""Decision trees (classifiers and regressors): size is the depth (``max_depth``) or the number of leaves."""

from __future__ import annotations

import numpy as np
from sklearn.base import is_regressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from .base import Adapter, rows_uncounted


class DecisionTreeAdapter(Adapter):
    """Adapter for :class:`~sklearn.tree.DecisionTreeClassifier` and :class:`~sklearn.tree.DecisionTreeRegressor`.

    ``size=3`` means ``max_depth=3``; ``size={"max_leaf_nodes": 8}`` bounds the
    number of leaves instead (both may be given together).  Measured sizes come
    from the fitted tree's ``get_depth()`` and ``get_n_leaves()``.
    """

    size_names = ("max_depth", "max_leaf_nodes")
    releases_gil = True
    # Two draws a trial: a third costs a half more fits and, measured on
    # generated problems (docs/benchmarks.md, "Speed benchmarks"), did not give better trees on test data.
    default_n_draws = 2

    @property
    def default_score_on(self) -> str:
        """Classifiers are scored on the training and validation rows together: measured on
        generated problems (docs/benchmarks.md, "Score rows"), their test F1 was higher than with the
        validation rows alone; regressors' test R² did not clearly change, so they keep
        the validation rows."""
        return "validation" if is_regressor(self.estimator) else "train+validation"

    def default_sample_frac_scale(self, size: dict[str, int]) -> str:
        """Stumps (depth 1, or 2 leaves) of classifiers search ``sample_frac`` on a log scale from
        5 % (``"log"``): measured (docs/benchmarks.md, "Sample sizes"), it found better stumps where a tree's Gini
        split sits far from the one F1 prefers; deeper trees gained nothing on generated problems
        and keep ``"linear"``, as regressors (not measured)."""
        stump = size.get("max_depth") == 1 or size.get("max_leaf_nodes") == 2
        return "log" if stump and not is_regressor(self.estimator) else "linear"

    @property
    def weights_as_counts(self) -> bool:
        """Counts as weights equal repeated rows unless ``min_samples_leaf`` or ``min_samples_split``
        counts rows (then a resample is fitted on its repeated rows)."""
        return rows_uncounted(self.estimator)

    @classmethod
    def accepts(cls, estimator) -> bool:
        return isinstance(estimator, (DecisionTreeClassifier, DecisionTreeRegressor))

    def normalize_size(self, size):
        request = super().normalize_size(size)
        if request.get("max_leaf_nodes", 2) < 2:
            raise ValueError("size max_leaf_nodes must be at least 2.")
        return request

    def measure(self, model):
        measured = {"max_depth": int(model.get_depth()), "max_leaf_nodes": int(model.get_n_leaves())}
        return measured

    def size_report(self, model):
        return {"depth": int(model.get_depth()), "leaves": int(model.get_n_leaves())}

    def counterparts(self):
        return ("pruned",)

    def fit_counterpart(self, name, X, y, *, size, random_state=None, cache=None):
        """``"pruned"``: the fully grown tree cut back by cost-complexity pruning
        (the least ``ccp_alpha`` that brings it within ``size``)."""
        if name != "pruned":
            return super().fit_counterpart(name, X, y, size=size, random_state=random_state, cache=cache)
        from compact.pruning import prune_tree

        return prune_tree(self.estimator, X, y, size, random_state=random_state)[0]

    def fit_resample(self, model, X, y, indices, *, size=None, row_weight=None):
        """Fit on the distinct rows weighted by their counts, or on the repeated rows.

        ``class_weight="balanced"`` weighs class ``c`` by ``n / (K n_c)``
        counted over the rows given to ``fit`` (scikit-learn ignores
        ``sample_weight`` there), so distinct rows would change the balance;
        scaling their counts per class gives the same weights only up to
        rounding, which moves near-tied splits.  Those trees get the repeated rows.
        """
        if isinstance(getattr(model, "class_weight", None), str):
            return self.fit_repeated(model, X, y, indices, size=size, row_weight=row_weight)
        return super().fit_resample(model, X, y, indices, size=size, row_weight=row_weight)

    def prepare_X(self, X):
        # Trees work in float32; converting once spares a copy in every fit.
        return np.ascontiguousarray(X, dtype=np.float32)
