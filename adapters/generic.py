"""Any scikit-learn classifier whose size is one integer hyper-parameter."""

from __future__ import annotations

import numbers

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
        name = type(estimator).__name__
        if not hasattr(estimator, "get_params"):
            raise TypeError(f"size_param needs a scikit-learn estimator (with get_params); {name} has none.")
        params = estimator.get_params()
        if not isinstance(size_param, str) or size_param not in params:
            raise ValueError(f"{name} has no parameter {size_param!r} to use as its size.")
        value = params[size_param]
        if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Integral)):
            raise ValueError(f"size_param {size_param!r} of {name} is {value!r}, not an integer parameter; "
                             "name an integer size such as n_neighbors or max_leaf_nodes.")
        self.size_param = size_param
        self.size_names = (size_param,)

    @classmethod
    def accepts(cls, estimator) -> bool:
        return False  # chosen explicitly with size_param, never by lookup

    def measure(self, model):
        return {self.size_param: int(model.get_params()[self.size_param])}
