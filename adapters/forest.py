"""Random forests and extra trees (classifiers and regressors): size is ``(n_estimators, max_depth)``."""

from __future__ import annotations

from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)

from .base import Adapter


class ForestAdapter(Adapter):
    """Adapter for scikit-learn's random forests and extra trees.

    Bootstrap draws rows, not weights, so a resample is fitted as repeated rows.
    """

    size_names = ("n_estimators", "max_depth")

    @classmethod
    def accepts(cls, estimator) -> bool:
        return isinstance(
            estimator, (RandomForestClassifier, ExtraTreesClassifier, RandomForestRegressor, ExtraTreesRegressor)
        )

    def measure(self, model):
        depth = max((int(tree.get_depth()) for tree in model.estimators_), default=0)
        return {"n_estimators": len(model.estimators_), "max_depth": depth}

    def size_report(self, model):
        return {"n_trees": len(model.estimators_), "depth": self.measure(model)["max_depth"],
                "total_leaves": sum(int(tree.get_n_leaves()) for tree in model.estimators_)}
