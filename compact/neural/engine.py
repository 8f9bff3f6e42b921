"""Training engine: ``K`` small PyTorch nets of one architecture trained as one batch.

Candidates of one architecture are trained together: their weights are
stacked along a leading candidate axis, so ``K`` small nets cost one pass over
each minibatch (one ``torch.baddbmm`` per layer for the built-in MLP,
``torch.vmap`` over ``torch.func.functional_call`` for any module).

What is seeded by what (every seed is an int, one per candidate):

* the *initial weights* of candidate ``k``: its ``seeds[k]`` (MLPs, through
  :func:`init_layers`) or the seed its module was built with
  (:meth:`~compact.neural.TorchModuleClassifier.build_module`);
* its *minibatch order*, and the rows it holds out for early stopping: its
  ``shuffle_seed[k]`` (an int is shared by all candidates);
* dropout masks of modules: the first candidate's shuffle seed seeds torch's
  generator inside :func:`forked_rng`, so a run is reproducible and the
  caller's global random state is left alone.

Each candidate has its own row weights (a resample is given as repeat
counts), its own minibatch order and, with early stopping, its own held-out
rows and best epoch.  Adam is elementwise, so a stacked run is the same
computation as ``K`` separate runs: batched and one-by-one results are equal
up to float rounding (modules with dropout excepted: their masks are drawn
for the whole batch at once).

No value is read back to the host inside the minibatch loop; with early
stopping one boolean per epoch says whether every candidate has stopped.
torch is imported inside the functions, so ``import compact`` stays light.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np


def resolve_device(device: str = "auto") -> str:
    """``"auto"`` is ``"cuda"`` when a GPU is visible, else ``"cpu"``; ``"cuda"`` needs a GPU."""
    import torch

    if device is None or device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device not in ("cpu", "cuda") and not str(device).startswith("cuda:"):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', got {device!r}.")
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise ValueError("device='cuda' but no CUDA device is available.")
    return device


def forked_rng():
    """``torch.random.fork_rng`` over the CPU and every CUDA device.

    ``torch.manual_seed`` reseeds all CUDA devices too, so all of them are
    restored on exit, not only the CPU generator.
    """
    import torch

    devices = list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
    return torch.random.fork_rng(devices=devices)


def layer_sizes(n_features: int, hidden: tuple[int, ...], n_outputs: int) -> list[tuple[int, int]]:
    """``(fan_in, fan_out)`` of each linear layer of an MLP."""
    dims = [n_features, *hidden, n_outputs]
    return list(zip(dims[:-1], dims[1:]))


def count_parameters(n_features: int, hidden: tuple[int, ...], n_outputs: int) -> int:
    """Weights and biases of an MLP with these layer widths."""
    return sum(i * o + o for i, o in layer_sizes(n_features, hidden, n_outputs))


def init_layers(seeds: Sequence[int], n_features: int, hidden: tuple[int, ...], n_outputs: int):
    """Initial MLP weights of each candidate, from its own seed.

    Returns a list per layer of ``(weights (K, in, out), biases (K, 1, out))``
    float32 arrays, Uniform(-1/sqrt(in), 1/sqrt(in)) like ``torch.nn.Linear``.
    Candidate ``k``'s values depend on ``seeds[k]`` alone (numpy's generator,
    so they are the same on every device).
    """
    rngs = [np.random.default_rng(int(seed)) for seed in seeds]
    layers = []
    for fan_in, fan_out in layer_sizes(n_features, tuple(hidden), n_outputs):
        bound = 1.0 / np.sqrt(fan_in)
        w = np.stack([rng.uniform(-bound, bound, size=(fan_in, fan_out)) for rng in rngs])
        b = np.stack([rng.uniform(-bound, bound, size=(1, fan_out)) for rng in rngs])
        layers.append((w.astype(np.float32), b.astype(np.float32)))
    return layers


def as_tensors(X, y, weights, device="cpu"):
    """``(X, y, weights)`` as float32 / int64 / float32 tensors on ``device``.

    ``weights`` must have shape (number of candidates, n_samples).
    """
    import torch

    X_t = torch.as_tensor(np.asarray(X, dtype=np.float32), device=device)
    y_t = torch.as_tensor(np.asarray(y, dtype=np.int64), device=device)
    w_t = torch.as_tensor(np.asarray(weights, dtype=np.float32), device=device)
    if w_t.ndim != 2 or w_t.shape[1] != X_t.shape[0]:
        raise ValueError("weights must have shape (number of candidates, n_samples).")
    return X_t, y_t, w_t


def _per_candidate(seed, k: int) -> list[int]:
    if isinstance(seed, (Sequence, np.ndarray)):
        if len(seed) != k:
            raise ValueError(f"{len(seed)} shuffle seeds for {k} candidates.")
        return [int(s) for s in seed]
    return [int(seed)] * k


def holdout_masks(shuffle_seeds: Sequence[int], n: int, fraction: float) -> np.ndarray:
    """Rows each candidate holds out for early stopping, shape (K, n), from its shuffle seed."""
    n_val = min(max(int(round(fraction * n)), 1), n - 1)
    masks = np.zeros((len(shuffle_seeds), n), dtype=bool)
    for k, seed in enumerate(shuffle_seeds):
        masks[k, np.random.default_rng([int(seed), 7]).permutation(n)[:n_val]] = True
    return masks


def _weighted_ce(logits, y, w):
    """Each candidate's weighted mean cross-entropy, shape (K,); logits (K, B, C), y and w (K, B)."""
    import torch

    ce = torch.nn.functional.cross_entropy(logits.transpose(1, 2), y, reduction="none")
    return (w * ce).sum(dim=1) / w.sum(dim=1).clamp_min(1e-12)


def train_loop(params, forward, X_t, y_t, w_t, *, shuffle_seed, epochs: int, lr: float = 1e-2,
               batch_size: int = 128, weight_decay: float = 0.0, early_stopping: bool = False,
               validation_fraction: float = 0.1, patience: int = 10, state=(), on_epoch=None):
    """Adam on stacked parameters; every candidate's slice is updated as if alone.

    Parameters
    ----------
    params : list of tensors with a leading K axis (``requires_grad``)
    forward : callable
        ``forward(xb, training)`` with ``xb`` of shape (K, rows, features)
        returns logits (K, rows, classes); ``training`` is False for the
        early-stopping evaluation (eval mode).
    X_t, y_t, w_t : tensors
        Data (n, d), class codes (n,), per-candidate row weights (K, n).
    shuffle_seed : int or sequence of K ints
        Each candidate's minibatch order (and held-out rows).
    early_stopping : bool
        Hold out ``validation_fraction`` of the rows per candidate (their
        weights count there, not in training), stop a candidate after
        ``patience`` epochs without a lower held-out loss, and restore its
        best weights (and ``state``, e.g. BatchNorm running statistics).
    state : tensors with a leading K axis restored with the best weights
    on_epoch : callable, optional
        ``on_epoch(epochs_done)`` after every epoch (0 before the first).

    Returns
    -------
    best_epoch : tensor (K,) or None
        With early stopping, the epoch count at each candidate's best weights.
    """
    import torch

    n, k = X_t.shape[0], w_t.shape[0]
    seeds = _per_candidate(shuffle_seed, k)
    gens = [torch.Generator().manual_seed(s) for s in seeds]
    optimizer = torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    w_train, stopper = w_t, None
    if early_stopping:
        val = torch.as_tensor(holdout_masks(seeds, n, validation_fraction), device=X_t.device)
        w_train = w_t * ~val
        stopper = _EarlyStopping(list(params) + list(state), forward, X_t, y_t, w_t, val, patience)
    if on_epoch is not None:
        on_epoch(0)
    for epoch in range(1, epochs + 1):
        order = torch.stack([torch.randperm(n, generator=g) for g in gens])
        if X_t.is_cuda:  # pinned, so the copy does not wait for the GPU's queue
            order = order.pin_memory()
        order = order.to(X_t.device, non_blocking=True)
        for start in range(0, n, batch_size):
            rows = order[:, start: start + batch_size]  # (K, B)
            loss = _weighted_ce(forward(X_t[rows], True), y_t[rows], torch.gather(w_train, 1, rows)).sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if on_epoch is not None:
            on_epoch(epoch)
        if stopper is not None and stopper.update(epoch):
            break
    return None if stopper is None else stopper.restore()


class _EarlyStopping:
    """Per-candidate best held-out loss, patience counters and best weights, all on the device."""

    def __init__(self, tensors, forward, X_t, y_t, w_t, val, patience):
        import torch

        self.tensors, self.forward, self.patience = tensors, forward, patience
        self.X = X_t.unsqueeze(0).expand(w_t.shape[0], -1, -1)
        self.y = y_t.unsqueeze(0).expand(w_t.shape[0], -1)
        vw = w_t * val
        # A candidate with no weight on its held-out rows scores them unweighted.
        self.w = torch.where(vw.sum(dim=1, keepdim=True) > 0, vw, val.float())
        k = w_t.shape[0]
        self.best = torch.full((k,), float("inf"), device=X_t.device)
        self.best_epoch = torch.zeros(k, dtype=torch.long, device=X_t.device)
        self.bad = torch.zeros(k, dtype=torch.long, device=X_t.device)
        self.active = torch.ones(k, dtype=torch.bool, device=X_t.device)
        self.saved = [t.detach().clone() for t in tensors]
        self.update(0)

    def update(self, epoch: int) -> bool:
        """Record this epoch; True when every candidate has stopped (one host read)."""
        import torch

        with torch.no_grad():
            loss = _weighted_ce(self.forward(self.X, False), self.y, self.w)
            better = (loss < self.best) & self.active
            self.best = torch.where(better, loss, self.best)
            self.best_epoch = torch.where(better, epoch, self.best_epoch)
            for saved, t in zip(self.saved, self.tensors):
                saved.copy_(torch.where(better.view(-1, *([1] * (t.ndim - 1))), t, saved))
            self.bad = torch.where(better, 0, self.bad + 1)
            self.active &= self.bad < self.patience
        return epoch > 0 and not bool(self.active.any())

    def restore(self):
        import torch

        with torch.no_grad():
            for saved, t in zip(self.saved, self.tensors):
                t.copy_(saved)
        return self.best_epoch.cpu()


def mlp_forward(layers, X, masks=None):
    """Logits (K, rows, outputs) of stacked MLPs; ``X`` is (K, rows, features); ReLU between layers."""
    import torch

    h = X
    for i, (w, b) in enumerate(layers):
        h = torch.baddbmm(b, h, w if masks is None else w * masks[i])
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
    seeds: Sequence[int] | None = None,
    shuffle_seed=0,
    epochs: int = 50,
    lr: float = 1e-2,
    batch_size: int = 128,
    weight_decay: float = 0.0,
    device: str = "cpu",
    initial=None,
    masks=None,
    early_stopping: bool = False,
    validation_fraction: float = 0.1,
    patience: int = 10,
    snapshot_epoch: int | None = None,
):
    """Train ``K`` MLPs of one architecture at once (``K = len(weights)``).

    Parameters
    ----------
    X : array of shape (n, d)
    y : int array of shape (n,)
        Class codes 0..n_classes-1.
    weights : array of shape (K, n)
        Per-candidate row weights (resample counts or sampling frequencies);
        rows with weight 0 add nothing to that candidate's loss.  Minibatches
        are drawn over all ``n`` rows, so with ``batch_size < n`` a candidate
        takes as many steps as on the full data (a minibatch of weight 0
        moves it only through Adam's momentum and ``weight_decay``), and each
        minibatch's loss is its weighted mean: weights act exactly as repeat
        counts in full-batch training (``batch_size >= n``).
    hidden : tuple of int
        Hidden layer widths, shared by all candidates.
    seeds : sequence of K ints
        Initial-weight seed of each candidate (:func:`init_layers`); not
        needed when ``initial`` is given.
    shuffle_seed : int or sequence of K ints
        Minibatch order (and early-stopping hold-out) of each candidate.
    initial : list of (weights, biases), optional
        Start from these weights instead (shapes as :func:`init_layers`
        returns, or without the K axis to share them), e.g. rewound weights.
    masks : list of arrays, optional
        One 0/1 array per layer, shape (in, out) or (K, in, out): weights
        where it is 0 stay 0 (a sparse net trained under a fixed mask).
    early_stopping, validation_fraction, patience
        See :func:`train_loop`.
    snapshot_epoch : int, optional
        Also return the weights after this many epochs (0: the initial ones).

    Returns
    -------
    list of (weights (K, in, out), biases (K, 1, out)) numpy pairs, masked;
    with ``snapshot_epoch`` a pair ``(final, snapshot)`` of such lists.
    """
    X_t, y_t, w_t = as_tensors(X, y, weights, device)
    k = w_t.shape[0]
    if initial is None:
        if seeds is None or len(seeds) != k:
            raise ValueError("seeds must give one initial-weight seed per row of weights.")
        initial = init_layers(seeds, X_t.shape[1], tuple(hidden), n_classes)
    layers = [tuple(_stacked(a, k, device).requires_grad_() for a in layer) for layer in initial]
    mask_t = None if masks is None else [_stacked(m, k, device) for m in masks]
    snapshot = []

    def on_epoch(done):
        if done == snapshot_epoch:
            snapshot.append(_numpy_layers(layers, mask_t))

    train_loop([t for layer in layers for t in layer], lambda xb, _: mlp_forward(layers, xb, mask_t),
               X_t, y_t, w_t, shuffle_seed=shuffle_seed, epochs=epochs, lr=lr, batch_size=batch_size,
               weight_decay=weight_decay, early_stopping=early_stopping, validation_fraction=validation_fraction,
               patience=patience, on_epoch=None if snapshot_epoch is None else on_epoch)
    final = _numpy_layers(layers, mask_t)
    if snapshot_epoch is None:
        return final
    return final, (snapshot[0] if snapshot else final)


def _stacked(array, k: int, device):
    """A float32 tensor with a leading K axis (arrays without it are shared by all candidates)."""
    import torch

    t = torch.as_tensor(np.asarray(array, dtype=np.float32), device=device)
    if t.ndim == 2:
        t = t.unsqueeze(0).expand(k, -1, -1)
    if t.shape[0] != k:
        raise ValueError(f"stacked array of {t.shape[0]} candidates, expected {k}.")
    return t.clone()


def _numpy_layers(layers, masks=None):
    import torch

    with torch.no_grad():
        return [((w if masks is None else w * masks[i]).detach().cpu().numpy().copy(), b.detach().cpu().numpy().copy())
                for i, (w, b) in enumerate(layers)]


def train_modules(modules, X, y, weights, *, shuffle_seed=0, epochs: int = 50, lr: float = 1e-2,
                  batch_size: int = 128, weight_decay: float = 0.0, device: str = "cpu",
                  early_stopping: bool = False, validation_fraction: float = 0.1, patience: int = 10):
    """Train ``K`` copies of one ``torch.nn.Module`` architecture at once; returns them trained, on CPU, in eval mode.

    The modules' parameters and buffers are stacked
    (``torch.func.stack_module_state``) and the forward pass is ``torch.vmap``
    over ``torch.func.functional_call`` with ``randomness="different"``, so
    any architecture of standard layers batches like the built-in MLP:
    dropout draws its own mask per candidate, and BatchNorm keeps running
    statistics per candidate (copied back into each module).  Training
    steps run in train mode, the early-stopping evaluation in eval mode.
    ``weights`` has shape (K, n), as in :func:`train_mlps`; dropout masks are
    seeded by the first candidate's shuffle seed.
    """
    import torch
    from torch.func import functional_call, stack_module_state

    X_t, y_t, w_t = as_tensors(X, y, weights, device)
    if len(modules) != w_t.shape[0]:
        raise ValueError("weights must have one row per module.")
    modules = [m.to(device).train() for m in modules]
    params, buffers = stack_module_state(modules)
    params = {name: p.detach().clone().requires_grad_() for name, p in params.items()}
    buffers = {name: b.clone() for name, b in buffers.items()}
    skeleton = copy.deepcopy(modules[0]).to("meta")

    def one(p, b, xb):
        return functional_call(skeleton, (p, b), (xb,))

    batched = torch.vmap(one, in_dims=(0, 0, 0), randomness="different")

    def forward(xb, training):
        skeleton.train(training)
        return batched(params, buffers, xb)

    float_buffers = [b for b in buffers.values() if b.is_floating_point()]
    with forked_rng():
        torch.manual_seed(_per_candidate(shuffle_seed, len(modules))[0])
        train_loop(list(params.values()), forward, X_t, y_t, w_t, shuffle_seed=shuffle_seed, epochs=epochs,
                   lr=lr, batch_size=batch_size, weight_decay=weight_decay, early_stopping=early_stopping,
                   validation_fraction=validation_fraction, patience=patience, state=float_buffers)
    with torch.no_grad():
        for k, module in enumerate(modules):
            for name, tensor in module.named_parameters():
                tensor.copy_(params[name][k])
            for name, tensor in module.named_buffers():
                tensor.copy_(buffers[name][k])
    return [m.cpu().eval() for m in modules]


def predict_logits(layers, X) -> np.ndarray:
    """Numpy forward pass of one candidate's layers (no leading K axis)."""
    h = np.asarray(X, dtype=np.float32)
    for i, (w, b) in enumerate(layers):
        h = h @ w + b
        if i < len(layers) - 1:
            h = np.maximum(h, 0.0)
    return h
