"""Pruned-to-size counterparts: a larger model cut down to the size of a compacted one.

* Trees: cost-complexity pruning (:func:`prune_tree`): the fully grown tree,
  pruned with the smallest ``ccp_alpha`` of its pruning path that brings it
  within the size.
* Linear models: the L1 path, which is how the linear adapters build every
  model (so for them the pruned model and the baseline coincide).
* PyTorch MLPs (:class:`~compact.neural.TorchMLPClassifier`), cut to at most
  ``n_params`` non-zero parameters (weights pruned, every bias counted):

  - :func:`prune_mlp`: one-shot magnitude pruning of the trained dense net,
    per layer (``scope="layer"``) or global, then fine-tuning under the mask;
  - :func:`lottery_ticket`: iterative magnitude pruning (IMP) rewinding the
    surviving weights to their *initial* values after each round (Frankle &
    Carbin, "The Lottery Ticket Hypothesis", ICLR 2019, arXiv 1803.03635);
  - :func:`late_rewinding`: the same, rewinding to the weights after epoch
    ``rewind_epoch`` (Frankle, Dziugaite, Roy & Carbin, "Linear Mode
    Connectivity and the Lottery Ticket Hypothesis", ICML 2020, arXiv
    1912.05671);
  - the controls of open_lth (github.com/facebookresearch/open_lth):
    :func:`random_pruning` (a random mask at the ticket's sparsity, trained
    from the same rewound weights) and :func:`random_reinit` (the winning
    mask, new random initial weights).

All training runs through :func:`compact.neural.train_mlps` (masked weights
stay exactly zero), on the estimator's ``device`` unless ``device`` is given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone

from ._seeds import int31

PRUNING_METHODS = ("ccp", "l1_path", "l1_unstructured", "global_unstructured", "lottery_ticket")

#: The MLP counterparts, by the name the harness shows.
MLP_COUNTERPARTS = ("pruned_layer", "pruned_global", "lottery_ticket", "late_rewinding", "random_pruning",
                    "random_reinit")


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


# -- neural networks: sizes --------------------------------------------------------
def nonzero_parameters(model) -> int:
    """Non-zero weights plus all biases of a fitted TorchMLPClassifier."""
    return int(sum(np.count_nonzero(w) + b.size for w, b in zip(model.coefs_, model.intercepts_)))


def model_bytes(model) -> int:
    """Bytes of the parameters a fitted TorchMLPClassifier stores (dense arrays, zeros included)."""
    return int(sum(w.nbytes + b.nbytes for w, b in zip(model.coefs_, model.intercepts_)))


def weights_to_keep(shapes, n_params: int) -> int:
    """Weights a net of these ``(in, out)`` layer shapes may keep under ``n_params`` non-zero
    parameters, once its biases (one per output) are counted."""
    weights = sum(i * o for i, o in shapes)
    biases = sum(o for _, o in shapes)
    keep = n_params - biases
    if keep < 1:
        raise ValueError(f"n_params={n_params} leaves no weight once the {biases} biases are counted.")
    return min(keep, weights)


# -- masks ---------------------------------------------------------------------------
def magnitude_masks(weights, keep: int, *, scope: str = "global", masks=None) -> list[np.ndarray]:
    """0/1 masks keeping the ``keep`` largest-magnitude weights (among those ``masks`` keeps).

    ``scope="global"`` ranks all layers together; ``"layer"`` keeps the same
    fraction, ``floor(keep / total * size)``, of every layer.  Ties go to
    the earlier weight.
    """
    if scope not in ("layer", "global"):
        raise ValueError(f"scope must be 'layer' or 'global', got {scope!r}.")
    masks = [np.ones_like(w, dtype=np.float32) for w in weights] if masks is None else masks
    scores = [np.where(m > 0, np.abs(w), -1.0).ravel() for w, m in zip(weights, masks)]
    if scope == "global":
        flat = np.concatenate(scores)
        kept = np.zeros(flat.size, dtype=np.float32)
        kept[np.argsort(-flat, kind="stable")[:keep]] = 1.0
        bounds = np.cumsum([0] + [s.size for s in scores])
        return [kept[a:b].reshape(w.shape) for a, b, w in zip(bounds[:-1], bounds[1:], weights)]
    fraction = keep / sum(s.size for s in scores)
    out = []
    for s, w in zip(scores, weights):
        kept = np.zeros(s.size, dtype=np.float32)
        kept[np.argsort(-s, kind="stable")[: int(np.floor(fraction * s.size))]] = 1.0
        out.append(kept.reshape(w.shape))
    return out


def random_masks(masks, *, seed: int, layerwise: bool = False) -> list[np.ndarray]:
    """Random masks with as many kept weights as ``masks``: in all (``layerwise=False``, open_lth's
    default) or in every layer."""
    rng = np.random.default_rng(seed)
    if layerwise:
        return [rng.permutation(m.ravel()).reshape(m.shape) for m in masks]
    flat = rng.permutation(np.concatenate([m.ravel() for m in masks]))
    bounds = np.cumsum([0] + [m.size for m in masks])
    return [flat[a:b].reshape(m.shape) for a, b, m in zip(bounds[:-1], bounds[1:], masks)]


def pruning_schedule(total: int, keep: int, *, rounds: int | None = None, fraction: float | None = None) -> list[int]:
    """Weights kept after each IMP round, ending at ``keep``.

    Give ``rounds`` (the same fraction pruned each round) or ``fraction``
    (pruned per round, Frankle & Carbin use 0.2; as many rounds as needed);
    by default 4 rounds.
    """
    if rounds is not None and fraction is not None:
        raise ValueError("give rounds or fraction, not both.")
    if fraction is not None:
        if not 0.0 < fraction < 1.0:
            raise ValueError(f"fraction must be in (0, 1), got {fraction!r}.")
        rounds = max(1, math.ceil(math.log(keep / total) / math.log(1.0 - fraction))) if keep < total else 1
        return [max(keep, int(round(total * (1.0 - fraction) ** r))) for r in range(1, rounds + 1)]
    rounds = 4 if rounds is None else int(rounds)
    if rounds < 1:
        raise ValueError(f"rounds must be a positive integer, got {rounds!r}.")
    return [int(round(total * (keep / total) ** (r / rounds))) if r < rounds else keep for r in range(1, rounds + 1)]


# -- training under a mask -----------------------------------------------------------
def _setup(model, X, y, seed, device):
    """``(estimator at seed, class codes, classes, init seed, shuffle seed, training options)``."""
    est = clone(model).set_params(random_state=seed)
    if device is not None:
        est.set_params(device=device)
    classes, codes = np.unique(y, return_inverse=True)
    init_seed, shuffle_seed = est.training_seeds()
    return est, codes, classes, init_seed, shuffle_seed, est.training_options()


def _sub_seed(seed: int, *keys: int) -> int:
    return int31(np.random.SeedSequence([int(seed), *keys]).generate_state(1)[0])


def train_masked(model, X, y, weights, *, masks, start, shuffle_seeds, epochs: int | None = None, device=None):
    """Train one masked net per row of ``weights`` (shape (K, n)) from the weights ``start``; masked
    weights stay zero.

    ``model`` gives the architecture and training settings; ``start`` and
    ``masks`` are per layer (shared, without a K axis); candidate ``k``'s
    minibatch order comes from ``shuffle_seeds[k]``.  Returns ``K`` fitted
    TorchMLPClassifiers (clones of ``model``).
    """
    classes, codes = np.unique(y, return_inverse=True)
    options = clone(model).set_params(**({} if device is None else {"device": device})).training_options()
    if epochs is not None:
        options["epochs"] = epochs
    hidden = tuple(w.shape[1] for w, _ in start[:-1])
    layers = train_mlps_masked(X, codes, weights, hidden, max(classes.size, 2), start, masks, shuffle_seeds, options)
    return [clone(model).set_params(hidden_layer_sizes=hidden).load_layers(
        [(w[k], b[k]) for w, b in layers], classes=classes, n_features_in=X.shape[1]) for k in range(len(weights))]


def train_mlps_masked(X, codes, weights, hidden, n_classes, start, masks, shuffle_seeds, options):
    from .neural import train_mlps

    initial = [(w, np.asarray(b).reshape(1, -1)) for w, b in start]
    return train_mlps(X, codes, np.asarray(weights, dtype=float), hidden=hidden, n_classes=n_classes,
                      initial=initial, masks=masks, shuffle_seed=list(shuffle_seeds), **options)


# -- one-shot magnitude pruning ------------------------------------------------------
def prune_mlp(model, X, y, n_params: int, *, scope: str = "layer", finetune_epochs: int = 10, seed: int = 0,
              device=None):
    """Magnitude-prune a fitted TorchMLPClassifier to at most ``n_params`` non-zero parameters.

    ``scope="layer"`` keeps the same fraction of every layer, ``"global"``
    ranks all weights together; then fine-tunes the survivors under the mask
    for ``finetune_epochs`` (minibatch order from ``seed``).  ``model`` is
    left as it was.
    """
    layers = model.layers()
    keep = weights_to_keep([w.shape for w, _ in layers], n_params)
    masks = magnitude_masks([w for w, _ in layers], keep, scope=scope)
    (pruned,) = train_masked(model, X, y, np.ones((1, len(X))), masks=masks, start=layers,
                             shuffle_seeds=[_sub_seed(seed, 1)], epochs=finetune_epochs, device=device)
    return pruned


# -- iterative magnitude pruning -----------------------------------------------------
@dataclass
class DenseRun:
    """A dense net trained from its initial weights, with the weights to rewind to."""

    model: object  #: the trained dense TorchMLPClassifier
    initial: list  #: its initial weights, ``(W (in, out), b (out,))`` per layer
    rewind: list  #: its weights after ``rewind_epoch`` epochs (the initial ones for 0)
    rewind_epoch: int
    seed: int


@dataclass
class Ticket:
    """The outcome of iterative magnitude pruning."""

    model: object  #: the retrained sparse net (a fitted TorchMLPClassifier)
    masks: list  #: 0/1 arrays (in, out) per layer
    rewind: list  #: the weights the survivors were rewound to, per layer
    initial: list  #: the dense net's initial weights
    rewind_epoch: int
    seed: int


def train_dense(model, X, y, *, seed: int = 0, rewind_epoch: int = 0, device=None) -> DenseRun:
    """Train ``model``'s dense architecture with ``random_state=seed``, keeping the initial weights and
    those after ``rewind_epoch`` epochs.  The trained net equals
    ``clone(model).set_params(random_state=seed).fit(X, y)``."""
    from .neural import train_mlps

    est, codes, classes, init_seed, shuffle_seed, options = _setup(model, X, y, seed, device)
    hidden = est.hidden_layers()
    final, snap = train_mlps(X, codes, np.ones((1, len(X))), hidden=hidden, n_classes=max(classes.size, 2),
                             seeds=[init_seed], shuffle_seed=[shuffle_seed], snapshot_epoch=rewind_epoch, **options)
    from .neural import init_layers

    initial = [(w[0], b[0].reshape(-1)) for w, b in init_layers([init_seed], X.shape[1], hidden, max(classes.size, 2))]
    dense = est.load_layers([(w[0], b[0]) for w, b in final], classes=classes, n_features_in=X.shape[1])
    rewind = [(w[0], b[0].reshape(-1)) for w, b in snap]
    return DenseRun(dense, initial, rewind, int(rewind_epoch), int(seed))


def find_ticket(model, X, y, n_params: int, *, rounds: int | None = None, fraction: float | None = None,
                rewind_epoch: int = 0, seed: int = 0, device=None, dense: DenseRun | None = None) -> Ticket:
    """Iterative magnitude pruning to at most ``n_params`` non-zero parameters.

    The dense net (``model``'s architecture, ``random_state=seed``) is
    trained; each round prunes the smallest-magnitude surviving weights
    globally (:func:`pruning_schedule`), rewinds the survivors and the biases
    to the weights after ``rewind_epoch`` epochs (0: the initial weights, the
    lottery ticket of Frankle & Carbin 2019; > 0: late rewinding, Frankle et
    al. 2020) and retrains them for the remaining ``epochs - rewind_epoch``
    epochs.  ``dense`` reuses a :func:`train_dense` run with the same seed
    and rewind epoch.
    """
    if dense is None or dense.rewind_epoch != rewind_epoch or dense.seed != seed:
        dense = train_dense(model, X, y, seed=seed, rewind_epoch=rewind_epoch, device=device)
    est = dense.model
    shapes = [w.shape for w in est.coefs_]
    keep = weights_to_keep(shapes, n_params)
    schedule = pruning_schedule(sum(i * o for i, o in shapes), keep, rounds=rounds, fraction=fraction)
    current, masks = est, None
    epochs = max(est.epochs - rewind_epoch, 1)
    for r, target in enumerate(schedule, start=1):
        masks = magnitude_masks(current.coefs_, target, scope="global", masks=masks)
        (current,) = train_masked(est, X, y, np.ones((1, len(X))), masks=masks, start=dense.rewind,
                                  shuffle_seeds=[_sub_seed(seed, 2, r)], epochs=epochs, device=device)
    return Ticket(current, masks, dense.rewind, dense.initial, int(rewind_epoch), int(seed))


def lottery_ticket(model, X, y, n_params: int, *, rounds: int | None = None, fraction: float | None = None,
                   rewind_epoch: int = 0, seed: int = 0, device=None, dense: DenseRun | None = None):
    """The lottery ticket (Frankle & Carbin 2019): IMP rewinding to the initial weights by default.

    ``model`` (fitted or not) gives the dense architecture and training
    settings; see :func:`find_ticket`.  Returns the fitted sparse
    TorchMLPClassifier.
    """
    return find_ticket(model, X, y, n_params, rounds=rounds, fraction=fraction, rewind_epoch=rewind_epoch,
                       seed=seed, device=device, dense=dense).model


def late_rewinding(model, X, y, n_params: int, *, rewind_epoch: int = 1, **kwargs):
    """IMP with late rewinding (Frankle et al. 2020): survivors rewind to their weights after
    ``rewind_epoch`` >= 1 epochs.  Other keywords as :func:`lottery_ticket`."""
    if rewind_epoch < 1:
        raise ValueError("late rewinding needs rewind_epoch >= 1; rewind_epoch=0 is lottery_ticket.")
    return lottery_ticket(model, X, y, n_params, rewind_epoch=rewind_epoch, **kwargs)


def random_pruning(model, X, y, ticket: Ticket, *, seed: int = 0, layerwise: bool = False, device=None):
    """open_lth's random-pruning control: a random mask keeping as many weights as ``ticket``'s
    (overall, or per layer with ``layerwise``), trained from the same rewound weights."""
    masks = random_masks(ticket.masks, seed=_sub_seed(seed, 3), layerwise=layerwise)
    epochs = max(model.epochs - ticket.rewind_epoch, 1)
    (net,) = train_masked(model, X, y, np.ones((1, len(X))), masks=masks, start=ticket.rewind,
                          shuffle_seeds=[_sub_seed(seed, 4)], epochs=epochs, device=device)
    return net


def random_reinit(model, X, y, ticket: Ticket, *, seed: int = 0, device=None):
    """open_lth's random-reinitialisation control: ``ticket``'s mask, new initial weights (seeded by
    ``seed``, independent of the ticket's), trained for the full ``epochs``."""
    from .neural import init_layers

    n_out = ticket.masks[-1].shape[1]
    hidden = tuple(m.shape[1] for m in ticket.masks[:-1])
    fresh = [(w[0], b[0].reshape(-1)) for w, b in init_layers([_sub_seed(seed, 5)], X.shape[1], hidden, n_out)]
    (net,) = train_masked(model, X, y, np.ones((1, len(X))), masks=ticket.masks, start=fresh,
                          shuffle_seeds=[_sub_seed(seed, 6)], device=device)
    return net
