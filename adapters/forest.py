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

    @property
    def default_score_on(self) -> str:
        """Random forest classifiers are scored on the training and validation rows together:
        measured on generated problems (docs/benchmarks.md, "Score rows"), their test F1 was higher than
        with the validation rows alone.  Extra trees (fitted on every training row, no
        bootstrap) and regressors were not measured and keep the validation rows."""
        return "train+validation" if isinstance(self.estimator, RandomForestClassifier) else "validation"

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
