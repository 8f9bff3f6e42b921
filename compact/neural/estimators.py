"""scikit-learn classifiers trained with PyTorch: the built-in MLP and your own module.

Both share :class:`TorchClassifierBase`: the training settings, the seeds,
the fit prologue and ``predict``.  Training goes through
:mod:`compact.neural.engine` with one candidate (``K = 1``), the same code
that trains many candidates in a batch, so a candidate trained in a batch
equals the estimator fitted alone with the same ``random_state``.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .._seeds import int31
from .._validation import check_seed
from .engine import forked_rng, predict_logits, resolve_device, train_mlps, train_modules


class TorchClassifierBase(ClassifierMixin, BaseEstimator):
    """What the PyTorch classifiers share: training settings, seeds, the fit prologue, predict.

    Parameters
    ----------
    epochs : int, default=50
    lr : float, default=1e-2
        Adam learning rate.
    batch_size : int, default=128
    weight_decay : float, default=0.0
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training rows, stop after
        ``patience`` epochs without a lower held-out loss and keep the
        weights of the best epoch.
    validation_fraction : float, default=0.1
    patience : int, default=10
    device : {"auto", "cpu", "cuda"}, default="auto"
        ``"auto"`` trains on a GPU when one is visible.
    random_state : int or None, default=None
        Seeds the initial weights and, separately, the minibatch order (and
        held-out rows, dropout masks): see :meth:`training_seeds`.  The same
        seed gives the same model on the same device.
    """

    def __init__(self, *, epochs=50, lr=1e-2, batch_size=128, weight_decay=0.0, early_stopping=False,
                 validation_fraction=0.1, patience=10, device="auto", random_state=None):
        self.epochs = epochs
        self.lr = lr
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.device = device
        self.random_state = random_state

    def training_seeds(self) -> tuple[int, int]:
        """``(initial-weight seed, minibatch-order seed)``, both derived from ``random_state``."""
        seed = check_seed(self.random_state)
        init_seed, shuffle_seed = np.random.SeedSequence(seed).generate_state(2)
        return int31(init_seed), int31(shuffle_seed)

    def training_options(self) -> dict:
        """Keyword arguments of the training engine (:func:`~compact.neural.engine.train_mlps`,
        :func:`~compact.neural.engine.train_modules`) besides data and seeds, checked: a bad value
        (``epochs=0``, a negative ``batch_size``) would train nothing, or diverge, without a word."""
        for name in ("epochs", "batch_size", "patience"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")
        for name, low in (("lr", 0.0), ("weight_decay", None)):
            value = getattr(self, name)
            if (isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value)
                    or (value <= low if low is not None else value < 0)):
                raise ValueError(f"{name} must be a {'positive' if low is not None else 'non-negative'} "
                                 f"number, got {value!r}.")
        if not isinstance(self.validation_fraction, numbers.Real) or not 0 < self.validation_fraction < 1:
            raise ValueError(f"validation_fraction must be in (0, 1), got {self.validation_fraction!r}.")
        return dict(epochs=self.epochs, lr=self.lr, batch_size=self.batch_size, weight_decay=self.weight_decay,
                    device=resolve_device(self.device), early_stopping=self.early_stopping,
                    validation_fraction=self.validation_fraction, patience=self.patience)

    def _start_fit(self, X, y, sample_weight):
        """Validated ``(X, class codes, row weights as shape (1, n))``; sets ``classes_``."""
        X, y = validate_data(self, X, y, dtype=np.float32)
        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        weights = _check_sample_weight(sample_weight, X, dtype=np.float32, ensure_non_negative=True)
        return X, codes, weights[None, :]

    def predict(self, X):
        """The class with the highest probability."""
        proba = self.predict_proba(X)  # checks fitted first
        return self.classes_[np.argmax(proba, axis=1)]


class TorchMLPClassifier(TorchClassifierBase):
    """A multi-layer perceptron classifier trained with PyTorch (CPU or CUDA).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(8,)
        Width of each hidden layer (ReLU).
    epochs, lr, batch_size, weight_decay, early_stopping, validation_fraction, patience, device, random_state
        See :class:`TorchClassifierBase`.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coefs_ : list of ndarray
        Weight matrices, shape (in, out) per layer (zeros where pruned).
    intercepts_ : list of ndarray
    n_features_in_ : int
    n_params_ : int
        Total number of weights and biases (stored, zero or not).
    """

    def __init__(self, hidden_layer_sizes=(8,), *, epochs=50, lr=1e-2, batch_size=128, weight_decay=0.0,
                 early_stopping=False, validation_fraction=0.1, patience=10, device="auto", random_state=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        super().__init__(epochs=epochs, lr=lr, batch_size=batch_size, weight_decay=weight_decay,
                         early_stopping=early_stopping, validation_fraction=validation_fraction, patience=patience,
                         device=device, random_state=random_state)

    def hidden_layers(self) -> tuple[int, ...]:
        """``hidden_layer_sizes`` validated, as a tuple of ints (an int is one layer)."""
        hidden = self.hidden_layer_sizes
        hidden = (hidden,) if isinstance(hidden, numbers.Integral) else tuple(hidden)
        if any(isinstance(h, bool) or not isinstance(h, numbers.Integral) or h < 1 for h in hidden):
            raise ValueError(f"hidden_layer_sizes must be positive integers, got {self.hidden_layer_sizes!r}.")
        return tuple(int(h) for h in hidden)

    def fit(self, X, y, sample_weight=None):
        """Train on ``(X, y)``, optionally weighting rows; returns ``self``."""
        X, codes, weights = self._start_fit(X, y, sample_weight)
        init_seed, shuffle_seed = self.training_seeds()
        layers = train_mlps(X, codes, weights, hidden=self.hidden_layers(), n_classes=max(len(self.classes_), 2),
                            seeds=[init_seed], shuffle_seed=[shuffle_seed], **self.training_options())
        return self.load_layers([(w[0], b[0]) for w, b in layers], classes=self.classes_, n_features_in=X.shape[1])

    def load_layers(self, layers, *, classes, n_features_in: int):
        """Make this a fitted model with these weights; returns ``self``.

        ``layers`` is a list of ``(weights (in, out), biases (out,) or (1, out))``
        per layer, e.g. one candidate of :func:`~compact.neural.train_mlps`.
        """
        coefs = [np.asarray(w, dtype=np.float32) for w, _ in layers]
        intercepts = [np.asarray(b, dtype=np.float32).reshape(-1) for _, b in layers]
        _check_finite(coefs + intercepts)
        self.classes_ = np.asarray(classes)
        self.n_features_in_ = int(n_features_in)
        self.coefs_, self.intercepts_ = coefs, intercepts
        self.n_params_ = int(sum(w.size + b.size for w, b in zip(self.coefs_, self.intercepts_)))
        return self

    def layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """``(weights (in, out), biases (out,))`` per layer of the fitted net."""
        check_is_fitted(self)
        return list(zip(self.coefs_, self.intercepts_))

    def predict_proba(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float32)
        logits = predict_logits(self.layers(), X)[:, : len(self.classes_)]
        logits = logits - logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)


class TorchModuleClassifier(TorchClassifierBase):
    """A classifier around your own ``torch.nn.Module``, built by a factory that takes the size.

    Any module of standard layers trains, also batched: ``Dropout`` draws a
    mask per candidate, ``BatchNorm`` keeps running statistics per candidate;
    the fitted module is in eval mode.

    Parameters
    ----------
    module_factory : callable
        ``module_factory(size, n_features, n_classes) -> torch.nn.Module``
        returning logits of shape (rows, n_classes).  Define it at module
        level so the estimator pickles.
    size : int, default=8
        Passed to the factory (hidden units, channels, ... as the factory
        reads it); this is what ``compact.fit``'s ``size={"size": s}`` sets.
    epochs, lr, batch_size, weight_decay, early_stopping, validation_fraction, patience, device, random_state
        See :class:`TorchClassifierBase`.

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained module, on CPU, in eval mode.
    classes_ : ndarray
    n_features_in_ : int
    n_params_ : int
        Parameters of ``module_``.
    """

    def __init__(self, module_factory=None, *, size=8, epochs=50, lr=1e-2, batch_size=128, weight_decay=0.0,
                 early_stopping=False, validation_fraction=0.1, patience=10, device="auto", random_state=None):
        self.module_factory = module_factory
        self.size = size
        super().__init__(epochs=epochs, lr=lr, batch_size=batch_size, weight_decay=weight_decay,
                         early_stopping=early_stopping, validation_fraction=validation_fraction, patience=patience,
                         device=device, random_state=random_state)

    def build_module(self, size: int, n_features: int, n_classes: int, seed: int):
        """The factory's module, its initial weights seeded by ``seed`` (torch's global RNG left alone)."""
        import torch

        if not callable(self.module_factory):
            raise TypeError("module_factory must be a callable (size, n_features, n_classes) -> torch.nn.Module.")
        with forked_rng():
            torch.manual_seed(int(seed))
            module = self.module_factory(size, n_features, n_classes)
        if not isinstance(module, torch.nn.Module):
            raise TypeError(f"module_factory returned {type(module).__name__}, not a torch.nn.Module.")
        return module

    def fit(self, X, y, sample_weight=None):
        """Train a module from the factory on ``(X, y)``; returns ``self``."""
        X, codes, weights = self._start_fit(X, y, sample_weight)
        init_seed, shuffle_seed = self.training_seeds()
        module = self.build_module(self.size, X.shape[1], max(len(self.classes_), 2), init_seed)
        (module,) = train_modules([module], X, codes, weights, shuffle_seed=[shuffle_seed], **self.training_options())
        return self.load_module(module, classes=self.classes_, n_features_in=X.shape[1])

    def load_module(self, module, *, classes, n_features_in: int):
        """Make this a fitted model around a trained ``module``; returns ``self``."""
        _check_finite([p.detach().cpu().numpy() for p in module.parameters()])
        self.classes_ = np.asarray(classes)
        self.n_features_in_ = int(n_features_in)
        self.module_ = module.eval()
        self.n_params_ = int(sum(p.numel() for p in module.parameters()))
        return self

    def predict_proba(self, X):
        import torch

        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float32)
        with torch.no_grad():
            logits = self.module_.eval()(torch.as_tensor(X))[:, : len(self.classes_)]
            return torch.softmax(logits.double(), dim=1).numpy()


def _check_finite(arrays) -> None:
    """Trained weights must be numbers: a diverged net (too high ``lr``) predicts one class from NaN."""
    if not all(np.isfinite(a).all() for a in arrays):
        raise ValueError("Training diverged: the net's weights are not all finite numbers; lower lr.")
