"""PyTorch models for compaction: scikit-learn classifiers and batched training.

* :mod:`compact.neural.engine`: the training engine, ``K`` candidates of one
  architecture trained as one batch (:func:`train_mlps`,
  :func:`train_modules`, :func:`train_loop`), devices and seeds.
* :mod:`compact.neural.estimators`: :class:`TorchMLPClassifier` and
  :class:`TorchModuleClassifier`, on one base.

torch is imported inside the functions, so ``import compact`` stays light.
"""

from .engine import (
    as_tensors,
    count_parameters,
    forked_rng,
    init_layers,
    layer_sizes,
    mlp_forward,
    predict_logits,
    resolve_device,
    train_loop,
    train_mlps,
    train_modules,
)
from .estimators import TorchClassifierBase, TorchMLPClassifier, TorchModuleClassifier

__all__ = [
    "TorchClassifierBase",
    "TorchMLPClassifier",
    "TorchModuleClassifier",
    "as_tensors",
    "count_parameters",
    "forked_rng",
    "init_layers",
    "layer_sizes",
    "mlp_forward",
    "predict_logits",
    "resolve_device",
    "train_loop",
    "train_mlps",
    "train_modules",
]
