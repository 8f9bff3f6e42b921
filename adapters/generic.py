"""Any scikit-learn classifier whose size is one integer hyper-parameter."""

from __future__ import annotations

from .base import Adapter


class GenericAdapter(Adapter):
    """Size is the value of ``size_param`` (``max_leaf_nodes``, ``n_neighbors``, ...).

    The measured size is the parameter's value on the fitted model, so this
    adapter trusts the estimator to honour it.

    Parameters
    ----------
    estimator : classifier
    size_param : str
        Name of an integer parameter of ``estimator``.
    """

    def __init__(self, estimator, size_param: str):
        super().__init__(estimator)
        if not isinstance(size_param, str) or size_param not in estimator.get_params():
            raise ValueError(
                f"{type(estimator).__name__} has no parameter {size_param!r} to use as its size."
            )
        self.size_param = size_param
        self.size_names = (size_param,)

    @classmethod
    def accepts(cls, estimator) -> bool:
        return False  # chosen explicitly with size_param, never by lookup

    def measure(self, model):
        return {self.size_param: int(model.get_params()[self.size_param])}
