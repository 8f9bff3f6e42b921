"""Pruned-to-size counterparts: a larger model cut down to the size of a compacted one.

* Trees: cost-complexity pruning (:func:`prune_tree`): the fully grown tree,
  pruned with the smallest ``ccp_alpha`` of its pruning path that brings it
  within the size.
* Linear models: the L1 path, which is how the linear adapters build every
  model (so for them the pruned model and the baseline coincide).
* PyTorch MLPs (:class:`~compact.neural.TorchMLPClassifier`): the dense
  network as the user configured it, trained, then cut to at most ``n_params``
  non-zero parameters (weights pruned, biases counted) with
  ``torch.nn.utils.prune``: ``l1_unstructured`` per layer or
  ``global_unstructured``, each followed by fine-tuning under the mask; or the
  lottery ticket (Frankle & Carbin, arXiv 1803.03635): iterative global
  magnitude pruning, rewinding the surviving weights to their values after
  the first epoch and retraining after each round.
"""

from __future__ import annotations

import copy

import numpy as np
from sklearn.base import clone

PRUNING_METHODS = ("ccp", "l1_path", "l1_unstructured", "global_unstructured", "lottery_ticket")


def prune_tree(estimator, X, y, size: dict[str, int], *, random_state=None):
    """Cost-complexity pruning of the fully grown tree down to ``size``.

    Returns the fitted tree and the ``ccp_alpha`` used.
    """
    full = clone(estimator).set_params(max_depth=None, max_leaf_nodes=None, ccp_alpha=0.0)
    if full.get_params().get("random_state") is None:
        full.set_params(random_state=random_state)
    alphas = full.cost_complexity_pruning_path(X, y).ccp_alphas
    for alpha in alphas:  # increasing: the first one within the size prunes least
        tree = clone(full).set_params(ccp_alpha=float(alpha)).fit(X, y)
        if tree.get_depth() <= size.get("max_depth", np.inf) and tree.get_n_leaves() <= size.get(
            "max_leaf_nodes", np.inf
        ):
            return tree, float(alpha)
    raise RuntimeError("Even the root-only tree exceeds the size.")  # unreachable: depth 0, 1 leaf


# -- neural networks -----------------------------------------------------------
def _sequential(model):
    """A torch ``nn.Sequential`` copy of a fitted TorchMLPClassifier."""
    import torch

    layers = []
    for i, (w, b) in enumerate(zip(model.coefs_, model.intercepts_)):
        linear = torch.nn.Linear(*w.shape)
        with torch.no_grad():
            linear.weight.copy_(torch.as_tensor(w.T))
            linear.bias.copy_(torch.as_tensor(b))
        layers.append(linear)
        if i < len(model.coefs_) - 1:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def _linears(net):
    import torch

    return [m for m in net if isinstance(m, torch.nn.Linear)]


def nonzero_parameters(model) -> int:
    """Non-zero weights plus all biases of a fitted TorchMLPClassifier."""
    return int(sum(np.count_nonzero(w) + b.size for w, b in zip(model.coefs_, model.intercepts_)))


def _store(net, template):
    """A copy of ``template`` carrying ``net``'s (masked) weights."""
    import torch.nn.utils.prune as prune

    model = copy.deepcopy(template)
    layers = []
    for linear in _linears(net):
        if prune.is_pruned(linear):
            prune.remove(linear, "weight")  # make the zeros permanent
        layers.append((linear.weight.detach().numpy().T.copy(), linear.bias.detach().numpy().copy()))
    return model._set_layers(layers)


def _train(net, X, y, *, epochs: int, lr: float, batch_size: int, seed: int):
    """Minibatch Adam on cross-entropy (the trainer of :mod:`compact.neural`, one candidate);
    masks set by torch.nn.utils.prune stay applied."""
    from .neural import _tensors, _train_loop

    X_t, y_t, w_t = _tensors(X, y, np.ones((1, len(X))), 1, "cpu")
    _train_loop(list(net.parameters()), lambda xb: net(xb).unsqueeze(0), X_t, y_t, w_t, shuffle_seed=seed,
                epochs=epochs, lr=lr, batch_size=batch_size, weight_decay=0.0)
    return net


def _weights_to_keep(net, n_params: int) -> int:
    weights = sum(m.weight.numel() for m in _linears(net))
    biases = sum(m.bias.numel() for m in _linears(net))
    keep = n_params - biases
    if keep < 1:
        raise ValueError(f"n_params={n_params} leaves no weight once the {biases} biases are counted.")
    return min(keep, weights)


def _codes(model, y):
    return np.searchsorted(model.classes_, y)


def prune_mlp(model, X, y, n_params: int, *, scope: str = "layer", finetune_epochs: int = 10, seed: int = 0):
    """Magnitude-prune a fitted TorchMLPClassifier to at most ``n_params`` non-zero parameters.

    ``scope="layer"``: ``l1_unstructured`` keeping the same fraction in every
    layer; ``"global"``: ``global_unstructured`` over all layers.  Then
    fine-tunes the surviving weights under the mask.
    """
    import torch.nn.utils.prune as prune

    net = _sequential(model)
    linears = _linears(net)
    keep = _weights_to_keep(net, n_params)
    total = sum(m.weight.numel() for m in linears)
    if scope == "layer":
        fraction = keep / total
        for m in linears:
            prune.l1_unstructured(m, "weight", amount=m.weight.numel() - int(np.floor(fraction * m.weight.numel())))
    elif scope == "global":
        prune.global_unstructured([(m, "weight") for m in linears], pruning_method=prune.L1Unstructured,
                                  amount=total - keep)
    else:
        raise ValueError(f"scope must be 'layer' or 'global', got {scope!r}.")
    _train(net, X, _codes(model, y), epochs=finetune_epochs, lr=model.lr, batch_size=model.batch_size, seed=seed)
    return _store(net, model)


def lottery_ticket(model, X, y, n_params: int, *, rounds: int = 4, rewind_epochs: int = 1, seed: int = 0):
    """Iterative magnitude pruning with rewinding (Frankle & Carbin), to at most ``n_params``.

    ``model`` is an unfitted or fitted TorchMLPClassifier giving the dense
    architecture and training settings.  The dense net is trained for
    ``rewind_epochs`` (the rewind point) and then to ``model.epochs``; each
    round prunes the same fraction of the surviving weights globally by
    magnitude, rewinds the survivors to the rewind point and retrains.
    """
    import torch
    import torch.nn.utils.prune as prune

    template = clone(model).set_params(epochs=rewind_epochs, random_state=seed, device="cpu").fit(X, y)
    codes = _codes(template, y)
    net = _sequential(template)
    early = [m.weight.detach().clone() for m in _linears(net)]
    early_bias = [m.bias.detach().clone() for m in _linears(net)]
    rest = max(model.epochs - rewind_epochs, 1)
    _train(net, X, codes, epochs=rest, lr=model.lr, batch_size=model.batch_size, seed=seed)
    linears = _linears(net)
    total = sum(m.weight.numel() for m in linears)
    keep = _weights_to_keep(net, n_params)
    for r in range(1, rounds + 1):
        target = int(round(total * (keep / total) ** (r / rounds))) if r < rounds else keep
        surviving = sum(int(m.weight_mask.sum()) if prune.is_pruned(m) else m.weight.numel() for m in linears)
        prune.global_unstructured([(m, "weight") for m in linears], pruning_method=prune.L1Unstructured,
                                  amount=surviving - target)
        with torch.no_grad():  # rewind the survivors (and biases) to the early weights
            for m, w0, b0 in zip(linears, early, early_bias):
                m.weight_orig.copy_(w0)
                m.bias.copy_(b0)
        _train(net, X, codes, epochs=rest, lr=model.lr, batch_size=model.batch_size, seed=seed + r)
    return _store(net, template.set_params(epochs=model.epochs))
