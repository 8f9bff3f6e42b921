"""PyTorch MLPs: a scikit-learn classifier, and training many candidates as one batch.

Candidates of one architecture are trained together: their weights are
stacked along a leading candidate axis and every layer is one ``torch.baddbmm``,
so ``K`` small nets cost one pass over each minibatch.  Each candidate has its
own initialisation seed and its own per-row weights (a resample is given as
repeat counts), while all share the minibatch order.  Adam is elementwise, so
a stacked run is the same computation as ``K`` separate runs; ``K = 1`` is how
:class:`TorchMLPClassifier` trains, which makes batched and one-by-one results
equal up to float rounding.

torch is imported inside the functions, so ``import compact`` stays light.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ._validation import check_seed


def resolve_device(device: str = "auto") -> str:
    """``"auto"`` is ``"cuda"`` when a GPU is visible, else ``"cpu"``."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device not in ("cpu", "cuda") and not str(device).startswith("cuda:"):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', got {device!r}.")
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise ValueError("device='cuda' but no CUDA device is available.")
    return device


def layer_sizes(n_features: int, hidden: tuple[int, ...], n_outputs: int) -> list[tuple[int, int]]:
    dims = [n_features, *hidden, n_outputs]
    return list(zip(dims[:-1], dims[1:]))


def count_parameters(n_features: int, hidden: tuple[int, ...], n_outputs: int) -> int:
    """Weights and biases of an MLP with these layer widths."""
    return sum(i * o + o for i, o in layer_sizes(n_features, hidden, n_outputs))


def _init_layers(seeds, n_features, hidden, n_outputs, device):
    """Stacked weights (K, in, out) and biases (K, 1, out), each candidate from its own seed.

    Uniform(-1/sqrt(in), 1/sqrt(in)) like ``torch.nn.Linear``.
    """
    import torch

    layers = []
    for fan_in, fan_out in layer_sizes(n_features, hidden, n_outputs):
        bound = 1.0 / np.sqrt(fan_in)
        weights, biases = [], []
        for seed in seeds:
            gen = torch.Generator().manual_seed(int(seed) * 1000 + len(layers))
            weights.append((torch.rand(fan_in, fan_out, generator=gen, dtype=torch.float64) * 2 - 1) * bound)
            biases.append((torch.rand(1, fan_out, generator=gen, dtype=torch.float64) * 2 - 1) * bound)
        layers.append((torch.stack(weights).float().to(device), torch.stack(biases).float().to(device)))
    return layers


def _forward(layers, X):
    """Logits of every candidate, shape (K, rows, outputs); X is (rows, features)."""
    import torch

    h = X.unsqueeze(0).expand(layers[0][0].shape[0], -1, -1)
    for i, (w, b) in enumerate(layers):
        h = torch.baddbmm(b, h, w)
        if i < len(layers) - 1:
            h = torch.relu(h)
    return h


def train_mlps(
    X,
    y,
    weights,
    *,
    hidden: tuple[int, ...],
    n_classes: int,
    seeds,
    shuffle_seed: int,
    epochs: int = 50,
    lr: float = 1e-2,
    batch_size: int = 128,
    weight_decay: float = 0.0,
    device: str = "cpu",
):
    """Train ``K = len(seeds)`` MLPs of one architecture at once.

    Parameters
    ----------
    X : array of shape (n, d)
    y : int array of shape (n,)
        Class codes 0..n_classes-1.
    weights : array of shape (K, n)
        Per-candidate row weights (resample counts or sampling frequencies);
        rows with weight 0 do not count for that candidate.
    hidden : tuple of int
        Hidden layer widths, shared by all candidates.
    seeds : sequence of int
        Initialisation seed of each candidate.
    shuffle_seed : int
        Seed of the minibatch order, shared by all candidates.

    Returns
    -------
    list of (weight, bias) numpy pairs per layer, each with a leading K axis.
    """
    X_t, y_t, w_t = _tensors(X, y, weights, len(seeds), device)
    layers = _init_layers(seeds, X_t.shape[1], tuple(hidden), n_classes, device)
    params = [t.requires_grad_() for layer in layers for t in layer]
    _train_loop(params, lambda xb: _forward(layers, xb), X_t, y_t, w_t, shuffle_seed=shuffle_seed,
                epochs=epochs, lr=lr, batch_size=batch_size, weight_decay=weight_decay)
    return [(w.detach().cpu().numpy(), b.detach().cpu().numpy()) for w, b in layers]


def _tensors(X, y, weights, n_candidates: int, device):
    import torch

    X_t = torch.as_tensor(np.asarray(X, dtype=np.float32), device=device)
    y_t = torch.as_tensor(np.asarray(y, dtype=np.int64), device=device)
    w_t = torch.as_tensor(np.asarray(weights, dtype=np.float32), device=device)
    if w_t.ndim != 2 or w_t.shape != (n_candidates, X_t.shape[0]):
        raise ValueError("weights must have shape (number of candidates, n_samples).")
    return X_t, y_t, w_t


def _train_loop(params, forward, X_t, y_t, w_t, *, shuffle_seed, epochs, lr, batch_size, weight_decay):
    """Adam on stacked parameters; ``forward(rows of X)`` gives logits (K, rows, classes).

    Adam is elementwise, so every candidate's slice is updated as if alone.
    """
    import torch

    optimizer = torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    order_gen = torch.Generator().manual_seed(int(shuffle_seed))
    n, k = X_t.shape[0], w_t.shape[0]
    for _ in range(epochs):
        order = torch.randperm(n, generator=order_gen).to(X_t.device)
        for start in range(0, n, batch_size):
            rows = order[start: start + batch_size]
            logits = forward(X_t[rows])  # (K, B, C)
            ce = torch.nn.functional.cross_entropy(
                logits.transpose(1, 2), y_t[rows].expand(k, -1), reduction="none"
            )  # (K, B)
            w = w_t[:, rows]
            # Each candidate's weighted mean loss; summing keeps the gradients separate.
            loss = ((w * ce).sum(dim=1) / w.sum(dim=1).clamp_min(1e-12)).sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


def train_modules(modules, X, y, weights, *, shuffle_seed: int, epochs: int = 50, lr: float = 1e-2,
                  batch_size: int = 128, weight_decay: float = 0.0, device: str = "cpu"):
    """Train ``K`` copies of one ``torch.nn.Module`` architecture at once; returns them trained, on CPU.

    The modules' parameters are stacked (``torch.func.stack_module_state``) and
    the forward pass is ``torch.vmap`` over ``torch.func.functional_call``, so
    any architecture batches like the built-in MLP.  ``weights`` has shape
    (K, n), as in :func:`train_mlps`.
    """
    import copy

    import torch
    from torch.func import functional_call, stack_module_state

    X_t, y_t, w_t = _tensors(X, y, weights, len(modules), device)
    modules = [m.to(device) for m in modules]
    params, buffers = stack_module_state(modules)
    skeleton = copy.deepcopy(modules[0]).to("meta")

    def one(p, b, xb):
        return functional_call(skeleton, (p, b), (xb,))

    batched = torch.vmap(one, in_dims=(0, 0, None))
    _train_loop(list(params.values()), lambda xb: batched(params, buffers, xb), X_t, y_t, w_t,
                shuffle_seed=shuffle_seed, epochs=epochs, lr=lr, batch_size=batch_size, weight_decay=weight_decay)
    with torch.no_grad():
        for k, module in enumerate(modules):
            for name, tensor in module.named_parameters():
                tensor.copy_(params[name][k])
    return [m.cpu() for m in modules]


def predict_logits(layers, X) -> np.ndarray:
    """Numpy forward pass of one candidate's layers (no leading K axis)."""
    h = np.asarray(X, dtype=np.float32)
    for i, (w, b) in enumerate(layers):
        h = h @ w + b
        if i < len(layers) - 1:
            h = np.maximum(h, 0.0)
    return h


class _TorchClassifier(ClassifierMixin, BaseEstimator):
    """What the PyTorch classifiers share: seeds, the fit prologue, training settings, predict."""

    def _seeds(self) -> tuple[int, int]:
        """Initialisation and minibatch-order seeds."""
        seed = check_seed(self.random_state) % 2**31
        return seed, seed + 1

    def _start_fit(self, X, y, sample_weight):
        """Validated ``(X, class codes, row weights as shape (1, n))``; sets ``classes_``."""
        X, y = validate_data(self, X, y, dtype=np.float32)
        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        weights = _check_sample_weight(sample_weight, X, dtype=np.float32)
        return X, codes, weights[None, :]

    def _training(self) -> dict:
        return dict(epochs=self.epochs, lr=self.lr, batch_size=self.batch_size, weight_decay=self.weight_decay,
                    device=resolve_device(self.device))

    def predict(self, X):
        """The class with the highest probability."""
        proba = self.predict_proba(X)  # checks fitted first
        return self.classes_[np.argmax(proba, axis=1)]


class TorchMLPClassifier(_TorchClassifier):
    """A multi-layer perceptron classifier trained with PyTorch (CPU or CUDA).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(8,)
        Width of each hidden layer (ReLU).
    epochs : int, default=50
    lr : float, default=1e-2
        Adam learning rate.
    batch_size : int, default=128
    weight_decay : float, default=0.0
    device : {"auto", "cpu", "cuda"}, default="auto"
    random_state : int or None, default=None
        Seeds initialisation and minibatch order; the same seed gives the same
        model on CPU.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coefs_ : list of ndarray
        Weight matrices, shape (in, out) per layer.
    intercepts_ : list of ndarray
    n_features_in_ : int
    n_params_ : int
        Total number of weights and biases.
    """

    def __init__(
        self,
        hidden_layer_sizes=(8,),
        *,
        epochs=50,
        lr=1e-2,
        batch_size=128,
        weight_decay=0.0,
        device="auto",
        random_state=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.epochs = epochs
        self.lr = lr
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.device = device
        self.random_state = random_state

    def _hidden(self) -> tuple[int, ...]:
        hidden = self.hidden_layer_sizes
        hidden = (hidden,) if isinstance(hidden, numbers.Integral) else tuple(hidden)
        if any(isinstance(h, bool) or not isinstance(h, numbers.Integral) or h < 1 for h in hidden):
            raise ValueError(f"hidden_layer_sizes must be positive integers, got {self.hidden_layer_sizes!r}.")
        return tuple(int(h) for h in hidden)

    def fit(self, X, y, sample_weight=None):
        """Train on ``(X, y)``, optionally weighting rows; returns ``self``."""
        X, codes, weights = self._start_fit(X, y, sample_weight)
        init_seed, shuffle_seed = self._seeds()
        layers = train_mlps(
            X, codes, weights, hidden=self._hidden(), n_classes=max(len(self.classes_), 2),
            seeds=[init_seed], shuffle_seed=shuffle_seed, **self._training(),
        )
        self._set_layers([(w[0], b[0]) for w, b in layers])
        return self

    def _set_layers(self, layers):
        self.coefs_ = [w for w, _ in layers]
        self.intercepts_ = [b.reshape(-1) for _, b in layers]
        self.n_params_ = int(sum(w.size + b.size for w, b in layers))
        return self

    def predict_proba(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float32)
        logits = predict_logits(list(zip(self.coefs_, self.intercepts_)), X)[:, : len(self.classes_)]
        logits = logits - logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)



class TorchModuleClassifier(_TorchClassifier):
    """A classifier around your own ``torch.nn.Module``, built by a factory that takes the size.

    Parameters
    ----------
    module_factory : callable
        ``module_factory(size, n_features, n_classes) -> torch.nn.Module``
        returning logits of shape (rows, n_classes).  Define it at module
        level so the estimator pickles.
    size : int, default=8
        Passed to the factory (hidden units, channels, ... as the factory
        reads it); this is what ``compact.fit``'s ``size={"size": s}`` sets.
    epochs, lr, batch_size, weight_decay, device, random_state
        As in :class:`TorchMLPClassifier`.

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained module, on CPU.
    classes_ : ndarray
    n_features_in_ : int
    n_params_ : int
        Parameters of ``module_``.
    """

    def __init__(self, module_factory=None, *, size=8, epochs=50, lr=1e-2, batch_size=128, weight_decay=0.0,
                 device="auto", random_state=None):
        self.module_factory = module_factory
        self.size = size
        self.epochs = epochs
        self.lr = lr
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.device = device
        self.random_state = random_state

    def build_module(self, size: int, n_features: int, n_classes: int, seed: int):
        """The factory's module, initialised from ``seed`` without touching torch's global RNG."""
        import torch

        if not callable(self.module_factory):
            raise TypeError("module_factory must be a callable (size, n_features, n_classes) -> torch.nn.Module.")
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            module = self.module_factory(size, n_features, n_classes)
        if not isinstance(module, torch.nn.Module):
            raise TypeError(f"module_factory returned {type(module).__name__}, not a torch.nn.Module.")
        return module

    def fit(self, X, y, sample_weight=None):
        """Train a module from the factory on ``(X, y)``; returns ``self``."""
        X, codes, weights = self._start_fit(X, y, sample_weight)
        init_seed, shuffle_seed = self._seeds()
        module = self.build_module(self.size, X.shape[1], max(len(self.classes_), 2), init_seed)
        (module,) = train_modules([module], X, codes, weights, shuffle_seed=shuffle_seed, **self._training())
        return self._set_module(module)

    def _set_module(self, module):
        self.module_ = module.eval()
        self.n_params_ = int(sum(p.numel() for p in module.parameters()))
        return self

    def predict_proba(self, X):
        import torch

        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float32)
        with torch.no_grad():
            logits = self.module_(torch.as_tensor(X))[:, : len(self.classes_)]
            return torch.softmax(logits.double(), dim=1).numpy()
