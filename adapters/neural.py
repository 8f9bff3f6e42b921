"""PyTorch MLPs (:class:`compact.neural.TorchMLPClassifier`): size is hidden units or parameters.

``{"hidden_units": h}`` sets every hidden layer to width ``h`` (the number of
layers is the estimator's); ``{"n_params": p}`` picks the widest such net with
at most ``p`` weights and biases, which depends on the data's number of
features and classes, so the width is set when fitting.  Both may be given.
"""

from __future__ import annotations

import numpy as np

from compact.neural import TorchMLPClassifier, count_parameters

from .base import Adapter


class TorchMLPAdapter(Adapter):
    """Adapter for :class:`compact.neural.TorchMLPClassifier`."""

    size_names = ("hidden_units", "n_params")

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
            budget, n_out = size["n_params"], max(n_classes, 2)

            def count(w):
                return count_parameters(n_features, (w,) * n_layers, n_out)

            if count(1) > budget:
                raise ValueError(
                    f"size n_params={budget} is below the smallest such net "
                    f"(width 1, {count(1)} parameters for {n_features} features)."
                )
            low, high = 1, budget  # count(low) <= budget; the count grows with the width
            while low < high:
                mid = (low + high + 1) // 2
                low, high = (mid, high) if count(mid) <= budget else (low, mid - 1)
            width = min(width, low)
        return int(width)

    def fit(self, model, X, y, sample_weight=None, *, size=None):
        if size is None:
            raise ValueError("TorchMLPAdapter needs the requested size to fit.")
        n_layers = len(self.estimator._hidden())
        model.set_params(hidden_layer_sizes=(self.width(size, X.shape[1], np.unique(y).size),) * n_layers)
        return super().fit(model, X, y, sample_weight)

    def fit_resample(self, model, X, y, indices, *, size=None):
        # Repeat counts as weights over all rows: the batched path below
        # trains exactly this way, so both give the same candidates.
        counts = np.bincount(indices, minlength=len(X)).astype(float)
        return self.fit(model, X, y, sample_weight=counts, size=size)

    def fit_batch(self, X, y, weights, *, size, random_state=None):
        """Train one candidate per row of ``weights`` in one stacked computation.

        Every candidate equals ``fit(build(size, random_state), X, y, weights[k])``.
        """
        from compact.neural import resolve_device, train_mlps

        template = self.build(size, random_state)
        classes, codes = np.unique(y, return_inverse=True)
        hidden = (self.width(size, X.shape[1], classes.size),) * len(template._hidden())
        init_seed, shuffle_seed = template._seeds()
        layers = train_mlps(
            X, codes, weights, hidden=hidden, n_classes=max(classes.size, 2), seeds=[init_seed] * len(weights),
            shuffle_seed=shuffle_seed, epochs=template.epochs, lr=template.lr, batch_size=template.batch_size,
            weight_decay=template.weight_decay, device=resolve_device(template.device),
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
