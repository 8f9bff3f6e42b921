"""PyTorch networks: size is hidden units (or the factory's size) or parameters.

:class:`compact.neural.TorchMLPClassifier`: ``{"hidden_units": h}`` sets every
hidden layer to width ``h`` (the number of layers is the estimator's);
``{"n_params": p}`` picks the widest such net with at most ``p`` weights and
biases, which depends on the data's number of features and classes, so the
width is set when fitting.  Both may be given.

:class:`compact.neural.TorchModuleClassifier` (your ``torch.nn.Module``
factory): ``{"size": s}`` is passed to the factory; ``{"n_params": p}`` picks
the largest size whose module has at most ``p`` parameters (the parameter
count must grow with the size).
"""

from __future__ import annotations

import numpy as np

from compact.neural import TorchMLPClassifier, TorchModuleClassifier, count_parameters

from .base import Adapter


def largest_within(count, budget: int, what: str) -> int:
    """Largest ``s >= 1`` with ``count(s) <= budget``, for a ``count`` growing with ``s``."""
    if count(1) > budget:
        raise ValueError(f"size n_params={budget} is below the smallest such net ({what}: {count(1)} parameters).")
    low, high = 1, budget  # count(low) <= budget
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if count(mid) <= budget else (low, mid - 1)
    return low


class TorchMLPAdapter(Adapter):
    """Adapter for :class:`compact.neural.TorchMLPClassifier`."""

    size_names = ("hidden_units", "n_params")
    resample_as_weights = True  # as fit_batch trains, so both give the same candidates

    @classmethod
    def accepts(cls, estimator) -> bool:
        return isinstance(estimator, TorchMLPClassifier)

    def build(self, size, random_state=None):
        return super().build({}, random_state)

    def width(self, size: dict[str, int], n_features: int, n_classes: int) -> int:
        """Widest hidden layer allowed by ``size`` for this data."""
        n_layers = len(self.estimator._hidden())
        width = size.get("hidden_units", np.inf)
        if "n_params" in size:
            n_out = max(n_classes, 2)
            width = min(width, largest_within(
                lambda w: count_parameters(n_features, (w,) * n_layers, n_out), size["n_params"],
                f"width 1 for {n_features} features",
            ))
        return int(width)

    def fit(self, model, X, y, sample_weight=None, *, size=None):
        if size is None:
            raise ValueError("TorchMLPAdapter needs the requested size to fit.")
        n_layers = len(self.estimator._hidden())
        model.set_params(hidden_layer_sizes=(self.width(size, X.shape[1], np.unique(y).size),) * n_layers)
        return super().fit(model, X, y, sample_weight)

    def fit_batch(self, X, y, weights, *, size, random_states):
        """Train one candidate per row of ``weights`` in one stacked computation.

        Every candidate equals ``fit(build(size, random_state), X, y, weights[k])``.
        """
        from compact.neural import train_mlps

        random_state = random_states[0]
        template = self.build(size, random_state)
        classes, codes = np.unique(y, return_inverse=True)
        hidden = (self.width(size, X.shape[1], classes.size),) * len(template._hidden())
        init_seed, shuffle_seed = template._seeds()
        layers = train_mlps(
            X, codes, weights, hidden=hidden, n_classes=max(classes.size, 2), seeds=[init_seed] * len(weights),
            shuffle_seed=shuffle_seed, **template._training(),
        )
        models = []
        for k in range(len(weights)):
            model = self.build(size, random_state).set_params(hidden_layer_sizes=hidden)
            model.classes_, model.n_features_in_ = classes, X.shape[1]
            models.append(model._set_layers([(w[k], b[k]) for w, b in layers]))
        return models

    def measure(self, model):
        hidden = [w.shape[1] for w in model.coefs_[:-1]]
        return {"hidden_units": max(hidden, default=0), "n_params": int(model.n_params_)}


class TorchModuleAdapter(Adapter):
    """Adapter for :class:`compact.neural.TorchModuleClassifier`."""

    size_names = ("size", "n_params")
    resample_as_weights = True  # as fit_batch trains, so both give the same candidates

    def __init__(self, estimator):
        super().__init__(estimator)
        self._budget_sizes: dict[tuple[int, int, int], int] = {}

    @classmethod
    def accepts(cls, estimator) -> bool:
        return isinstance(estimator, TorchModuleClassifier)

    def build(self, size, random_state=None):
        return super().build({}, random_state)

    def module_size(self, size: dict[str, int], n_features: int, n_classes: int) -> int:
        """Largest factory size allowed by ``size`` for this data."""
        value = size.get("size", np.inf)
        if "n_params" in size:
            key = (size["n_params"], n_features, n_classes)
            if key not in self._budget_sizes:  # building modules to count them: once per budget
                n_out = max(n_classes, 2)

                def count(s):
                    module = self.estimator.build_module(s, n_features, n_out, seed=0)
                    return sum(p.numel() for p in module.parameters())

                self._budget_sizes[key] = largest_within(count, size["n_params"], "size 1")
            value = min(value, self._budget_sizes[key])
        return int(value)

    def fit(self, model, X, y, sample_weight=None, *, size=None):
        if size is None:
            raise ValueError("TorchModuleAdapter needs the requested size to fit.")
        model.set_params(size=self.module_size(size, X.shape[1], np.unique(y).size))
        return super().fit(model, X, y, sample_weight)

    def fit_batch(self, X, y, weights, *, size, random_states):
        """One candidate per row of ``weights``, trained together (``torch.vmap``)."""
        from compact.neural import train_modules

        random_state = random_states[0]
        template = self.build(size, random_state)
        classes, codes = np.unique(y, return_inverse=True)
        value = self.module_size(size, X.shape[1], classes.size)
        init_seed, shuffle_seed = template._seeds()
        modules = [template.build_module(value, X.shape[1], max(classes.size, 2), init_seed) for _ in weights]
        modules = train_modules(modules, X, codes, weights, shuffle_seed=shuffle_seed, **template._training())
        models = []
        for module in modules:
            model = self.build(size, random_state).set_params(size=value)
            model.classes_, model.n_features_in_ = classes, X.shape[1]
            models.append(model._set_module(module))
        return models

    def measure(self, model):
        return {"size": int(model.size), "n_params": int(model.n_params_)}
