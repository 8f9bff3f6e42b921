"""Adapters give each model family its notion of size.

Installed as ``compact.adapters``.  :func:`get_adapter` picks the adapter for an
estimator; :func:`register_adapter` adds one of your own (checked before the
built-in ones)::

    from compact.adapters import Adapter, register_adapter

    @register_adapter
    class KNNAdapter(Adapter):
        size_names = ("n_neighbors",)

        @classmethod
        def accepts(cls, estimator):
            return type(estimator).__name__ == "KNeighborsClassifier"

        def measure(self, model):
            return {"n_neighbors": model.n_neighbors}
"""

from __future__ import annotations

from .base import Adapter, DecodedClassifier
from .checks import check_adapter
from .boosting import GradientBoostingAdapter, HistGradientBoostingAdapter, XGBoostAdapter
from .forest import ForestAdapter
from .generic import GenericAdapter
from .linear import LassoAdapter, LinearProbabilityAdapter, LogisticL1Adapter
from .neural import TorchMLPAdapter, TorchModuleAdapter
from .tree import DecisionTreeAdapter

__all__ = [
    "Adapter",
    "DecisionTreeAdapter",
    "DecodedClassifier",
    "ForestAdapter",
    "GenericAdapter",
    "GradientBoostingAdapter",
    "HistGradientBoostingAdapter",
    "LassoAdapter",
    "LinearProbabilityAdapter",
    "LogisticL1Adapter",
    "TorchMLPAdapter",
    "TorchModuleAdapter",
    "XGBoostAdapter",
    "check_adapter",
    "get_adapter",
    "register_adapter",
]

_REGISTRY: list[type[Adapter]] = [
    DecisionTreeAdapter,
    LogisticL1Adapter,
    LinearProbabilityAdapter,
    LassoAdapter,
    XGBoostAdapter,
    HistGradientBoostingAdapter,
    GradientBoostingAdapter,
    ForestAdapter,
    TorchMLPAdapter,
    TorchModuleAdapter,
]


def register_adapter(adapter_cls: type[Adapter]) -> type[Adapter]:
    """Register an adapter class; usable as a decorator.

    Adapters registered later are tried first, so a user's adapter can take
    over a family that a built-in one also accepts.
    """
    if not (isinstance(adapter_cls, type) and issubclass(adapter_cls, Adapter)):
        raise TypeError(f"register_adapter expects an Adapter subclass, got {adapter_cls!r}.")
    if adapter_cls in _REGISTRY:
        _REGISTRY.remove(adapter_cls)
    _REGISTRY.insert(0, adapter_cls)
    return adapter_cls


def get_adapter(estimator, size_param: str | None = None) -> Adapter:
    """The adapter instance for ``estimator``.

    Parameters
    ----------
    estimator : estimator or Adapter
        An adapter instance is returned as it is.
    size_param : str, optional
        Use :class:`GenericAdapter` with this integer parameter as the size,
        whatever the family (e.g. ``"n_neighbors"``).

    Raises
    ------
    TypeError
        If no registered adapter accepts the estimator and no ``size_param``
        is given.
    """
    if isinstance(estimator, Adapter):
        return estimator
    if size_param is not None:
        return GenericAdapter(estimator, size_param)
    for adapter_cls in _REGISTRY:
        if adapter_cls.accepts(estimator):
            return adapter_cls(estimator)
    supported = ", ".join(cls.__name__ for cls in _REGISTRY)
    raise TypeError(
        f"No adapter for {type(estimator).__name__}; registered adapters: {supported}. "
        "Pass size_param='<integer parameter>' to use any scikit-learn classifier, or "
        "register your own adapter with compact.adapters.register_adapter."
    )
