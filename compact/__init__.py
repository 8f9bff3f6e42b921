"""compact: small models that are as accurate as possible.

``compact.fit(estimator, X, y, size=...)`` learns the training distribution on
which a model of fixed size scores best on held-out data.  Heavy dependencies
(optuna, xgboost, torch) are imported only when used, so ``import compact`` is
fast.
"""

from __future__ import annotations

from importlib import metadata as _metadata

#: Name of the distribution on the package index (``pip install compact-learn``);
#: the import name is ``compact``.
DISTRIBUTION = "compact-learn"

try:  # the version is written once, in pyproject.toml
    __version__ = _metadata.version(DISTRIBUTION)
except _metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
__all__ = [
    "fit",
    "compare",
    "Comparison",
    "CompactClassifier",
    "CompactRegressor",
    "CompactResult",
    "CompactSearch",
    "LinearProbabilityClassifier",
    "TorchMLPClassifier",
    "TorchModuleClassifier",
    "export",
    "model_card",
    "__version__",
]

_LAZY = {
    "fit": ("compact.compaction", "fit"),
    "compare": ("compact.harness", "compare"),
    "Comparison": ("compact.harness", "Comparison"),
    "CompactClassifier": ("compact.estimators", "CompactClassifier"),
    "CompactRegressor": ("compact.estimators", "CompactRegressor"),
    "CompactResult": ("compact.result", "CompactResult"),
    "CompactSearch": ("compact.search", "CompactSearch"),
    "LinearProbabilityClassifier": ("compact.linear_probability", "LinearProbabilityClassifier"),
    "TorchMLPClassifier": ("compact.neural", "TorchMLPClassifier"),
    "TorchModuleClassifier": ("compact.neural", "TorchModuleClassifier"),
    "export": ("compact.deployment", "export"),
    "model_card": ("compact.deployment", "model_card"),
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'compact' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))
