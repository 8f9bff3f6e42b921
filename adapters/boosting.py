"""Gradient boosting: size is ``(number of trees, tree depth)``.

* xgboost's ``XGBClassifier`` and ``XGBRegressor``: ``(n_estimators, max_depth)``;
  measured from the fitted booster (boosting rounds, deepest tree in its JSON
  dump).  xgboost wants labels 0..K-1, so its classifier trains on class codes.
* scikit-learn's ``HistGradientBoosting*``: ``(max_iter, max_depth)``
  (``max_depth`` counts edges from root to the deepest leaf, as everywhere).
* scikit-learn's ``GradientBoosting*``: ``(n_estimators, max_depth)``.
"""

from __future__ import annotations

import json

from sklearn.ensemble import (
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)

from .base import Adapter, rows_uncounted


def _json_depth(node) -> int:
    children = node.get("children")
    if not children:
        return 0
    return 1 + max(_json_depth(child) for child in children)


def _json_leaves(node) -> int:
    children = node.get("children")
    return 1 if not children else sum(_json_leaves(child) for child in children)


class XGBoostAdapter(Adapter):
    """Adapter for ``xgboost.XGBClassifier`` and ``XGBRegressor`` (xgboost is imported only when used)."""

    size_names = ("n_estimators", "max_depth")
    encoded_labels = True
    resample_as_weights = True  # the gradients equal those of the repeated rows

    @classmethod
    def accepts(cls, estimator) -> bool:
        module = type(estimator).__module__ or ""
        return module.startswith("xgboost") and type(estimator).__name__ in ("XGBClassifier", "XGBRegressor")

    def measure(self, model):
        booster = model.get_booster()
        dump = booster.get_dump(dump_format="json")
        depth = max((_json_depth(json.loads(tree)) for tree in dump), default=0)
        return {"n_estimators": int(booster.num_boosted_rounds()), "max_depth": int(depth)}

    def size_report(self, model):
        """Rounds, trees (rounds x trees per round: one per class for multi-class), depth, leaves."""
        booster = model.get_booster()
        trees = [json.loads(tree) for tree in booster.get_dump(dump_format="json")]
        return {"rounds": int(booster.num_boosted_rounds()), "n_trees": len(trees),
                "depth": max((_json_depth(tree) for tree in trees), default=0),
                "total_leaves": sum(_json_leaves(tree) for tree in trees)}


class HistGradientBoostingAdapter(Adapter):
    """Adapter for scikit-learn's ``HistGradientBoostingClassifier`` and ``HistGradientBoostingRegressor``."""

    size_names = ("max_iter", "max_depth")
    # Not weights_as_counts: with sample_weight, scikit-learn bins features by
    # weighted percentiles in Python (about 1 s a fit on 30 features), while
    # repeated rows take milliseconds.  weights_mode pays that cost.

    @classmethod
    def accepts(cls, estimator) -> bool:
        return isinstance(estimator, (HistGradientBoostingClassifier, HistGradientBoostingRegressor))

    def measure(self, model):
        depth = max(
            (int(predictor.nodes["depth"].max()) for stage in model._predictors for predictor in stage),
            default=0,
        )
        return {"max_iter": int(model.n_iter_), "max_depth": depth}

    def size_report(self, model):
        """Rounds, trees (rounds x trees per round: one per class for multi-class), depth, leaves."""
        predictors = [predictor for stage in model._predictors for predictor in stage]
        return {"rounds": int(model.n_iter_), "n_trees": len(predictors),
                "depth": self.measure(model)["max_depth"],
                "total_leaves": sum(int(p.get_n_leaf_nodes()) for p in predictors)}


class GradientBoostingAdapter(Adapter):
    """Adapter for scikit-learn's ``GradientBoostingClassifier`` and ``GradientBoostingRegressor``."""

    size_names = ("n_estimators", "max_depth")

    @property
    def weights_as_counts(self) -> bool:
        """Counts as weights equal repeated rows unless a setting counts or draws rows
        (``min_samples_leaf``, ``min_samples_split``, ``subsample``, ``n_iter_no_change``)."""
        return rows_uncounted(self.estimator)

    @classmethod
    def accepts(cls, estimator) -> bool:
        return isinstance(estimator, (GradientBoostingClassifier, GradientBoostingRegressor))

    def measure(self, model):
        trees = model.estimators_.ravel()
        depth = max((int(tree.get_depth()) for tree in trees), default=0)
        return {"n_estimators": int(model.n_estimators_), "max_depth": depth}

    def size_report(self, model):
        """Rounds, trees (rounds x trees per round: one per class for multi-class), depth, leaves."""
        trees = model.estimators_.ravel()
        return {"rounds": int(model.n_estimators_), "n_trees": int(trees.size),
                "depth": max((int(tree.get_depth()) for tree in trees), default=0),
                "total_leaves": sum(int(tree.get_n_leaves()) for tree in trees)}
