"""PyTorch networks: size is hidden units (or the factory's size), parameters, or non-zero parameters.

:class:`compact.neural.TorchMLPClassifier`: ``{"hidden_units": h}`` sets every
hidden layer to width ``h`` (the number of layers is the estimator's);
``{"n_params": p}`` picks the widest such net with at most ``p`` weights and
biases, which depends on the data's number of features and classes, so the
width is set when fitting.  ``{"n_nonzero": q}`` is the *compacted sparse
net*: :meth:`TorchMLPAdapter.prepare` finds a mask with at most ``q``
non-zero parameters by iterative magnitude pruning (the lottery ticket, on
the estimator's own width) and keeps the rewound initial weights; every
candidate retrains that masked net from those weights on its own sample, so
the non-zero count never exceeds ``q``.

:class:`compact.neural.TorchModuleClassifier` (your ``torch.nn.Module``
factory): ``{"size": s}`` is passed to the factory; ``{"n_params": p}`` picks
the largest size whose module has at most ``p`` parameters (the parameter
count must grow with the size).

What is seeded by what: a candidate built with ``random_state=s`` (by
:meth:`~Adapter.build`, or as ``random_states[k]`` of ``fit_batch``) takes
its initial weights and its minibatch order from ``s``
(:meth:`~compact.neural.TorchClassifierBase.training_seeds`), so the draws of
a trial, given different seeds, start from different weights, and a
candidate trained in a batch equals the one fitted alone.  A ``random_state``
set on the user's estimator wins (then every candidate shares it).  Sparse
candidates all start from the rewound weights of the mask found in
``prepare``; their seed sets their minibatch order.
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


def _seeds_of(random_states, k: int) -> list:
    if len(random_states) != k:
        raise ValueError(f"{len(random_states)} random_states for {k} rows of weights.")
    return list(random_states)


class TorchMLPAdapter(Adapter):
    """Adapter for :class:`compact.neural.TorchMLPClassifier`."""

    size_names = ("hidden_units", "n_params", "n_nonzero")
    resample_as_weights = True  # as fit_batch trains, so both give the same candidates

    def __init__(self, estimator):
        super().__init__(estimator)
        estimator.training_options()  # bad training settings: one line before any work
        self.ticket = None  # the sparse net's mask and rewound weights, set by prepare

    @classmethod
    def accepts(cls, estimator) -> bool:
        return isinstance(estimator, TorchMLPClassifier)

    def build(self, size, random_state=None):
        return super().build({}, random_state)

    def seed_for(self, random_state) -> int:
        """The seed of a net trained for the sparse net's ticket or a counterpart: the estimator's own
        ``random_state`` where set (it wins, as in :meth:`build`), else ``random_state`` (0 for None)."""
        from compact._validation import check_seed

        own = self.estimator.random_state
        return check_seed(own) if own is not None else 0 if random_state is None else int(random_state)

    def width(self, size: dict[str, int], n_features: int, n_classes: int) -> int:
        """Widest hidden layer allowed by ``size`` for this data (the estimator's own without a limit)."""
        n_layers = len(self.estimator.hidden_layers())
        width = size.get("hidden_units", np.inf)
        if "n_params" in size:
            n_out = max(n_classes, 2)
            width = min(width, largest_within(
                lambda w: count_parameters(n_features, (w,) * n_layers, n_out), size["n_params"],
                f"width 1 for {n_features} features",
            ))
        return int(max(self.estimator.hidden_layers()) if width == np.inf else width)

    def _hidden(self, size, X, n_classes):
        """Hidden widths for ``size``: the estimator's own when the size sets no width."""
        if "hidden_units" not in size and "n_params" not in size:
            return self.estimator.hidden_layers()
        return (self.width(size, X.shape[1], n_classes),) * len(self.estimator.hidden_layers())

    # -- the compacted sparse net ----------------------------------------------------
    def prepare(self, X, y, *, size, random_state=None) -> None:
        """For ``n_nonzero``: find the mask by iterative magnitude pruning on ``(X, y)``.

        The dense net has the estimator's widths (limited by ``hidden_units``
        / ``n_params`` when those are also given) and ``random_state``; the
        lottery ticket rewinds to its initial weights
        (:func:`compact.pruning.find_ticket`), which every candidate then
        retrains from.  Other sizes need no preparation.
        """
        self.ticket = None
        if "n_nonzero" not in size:
            return
        from compact.pruning import find_ticket

        hidden = self._hidden(size, X, np.unique(y).size)
        seed = self.seed_for(random_state)
        dense = self.build({}, seed).set_params(hidden_layer_sizes=hidden)
        self.ticket = find_ticket(dense, X, y, size["n_nonzero"], seed=seed)
        self.ticket_budget = size["n_nonzero"]

    def _sparse(self, models, X, y, weights, size):
        if self.ticket is None or self.ticket_budget != size["n_nonzero"]:
            raise RuntimeError("size n_nonzero needs the mask: call adapter.prepare(X, y, size=..., "
                               "random_state=...) on the training data first.")
        from compact.pruning import train_masked

        shuffle_seeds = [m.training_seeds()[1] for m in models]
        epochs = max(models[0].epochs - self.ticket.rewind_epoch, 1)
        nets = train_masked(models[0], X, y, weights, masks=self.ticket.masks, start=self.ticket.rewind,
                            shuffle_seeds=shuffle_seeds, epochs=epochs)
        return [model.set_params(hidden_layer_sizes=net.hidden_layer_sizes).load_layers(
            net.layers(), classes=net.classes_, n_features_in=net.n_features_in_) for model, net in zip(models, nets)]

    # -- fitting ---------------------------------------------------------------------
    def fit(self, model, X, y, sample_weight=None, *, size=None):
        if size is None:
            raise ValueError("TorchMLPAdapter needs the requested size to fit.")
        if "n_nonzero" in size:
            weights = np.ones((1, len(X))) if sample_weight is None else np.asarray(sample_weight)[None, :]
            (fitted,) = self._sparse([model], X, y, weights, size)
            return fitted
        model.set_params(hidden_layer_sizes=self._hidden(size, X, np.unique(y).size))
        return super().fit(model, X, y, sample_weight)

    def fit_batch(self, X, y, weights, *, size, random_states):
        """Train one candidate per row of ``weights`` (K, n) in one stacked computation.

        Candidate ``k`` equals ``fit(build(size, random_states[k]), X, y,
        weights[k])``: its own initial weights and minibatch order.
        """
        from compact.neural import train_mlps

        models = [self.build(size, s) for s in _seeds_of(random_states, len(weights))]
        if "n_nonzero" in size:
            return self._sparse(models, X, y, weights, size)
        classes, codes = np.unique(y, return_inverse=True)
        hidden = self._hidden(size, X, classes.size)
        seeds = [m.training_seeds() for m in models]
        layers = train_mlps(X, codes, weights, hidden=hidden, n_classes=max(classes.size, 2),
                            seeds=[s for s, _ in seeds], shuffle_seed=[s for _, s in seeds],
                            **models[0].training_options())
        return [model.set_params(hidden_layer_sizes=hidden).load_layers(
            [(w[k], b[k]) for w, b in layers], classes=classes, n_features_in=X.shape[1])
            for k, model in enumerate(models)]

    # -- sizes -------------------------------------------------------------------------
    def measure(self, model):
        from compact.pruning import nonzero_parameters

        hidden = [w.shape[1] for w in model.coefs_[:-1]]
        return {"hidden_units": max(hidden, default=0), "n_params": int(model.n_params_),
                "n_nonzero": nonzero_parameters(model)}

    def size_report(self, model) -> dict[str, int]:
        """``dense_params`` (stored weights and biases), ``nonzero_params`` (non-zero weights and
        every bias) and ``model_bytes`` (bytes of the stored parameter arrays)."""
        from compact.pruning import model_bytes, nonzero_parameters

        return {"dense_params": int(model.n_params_), "nonzero_params": nonzero_parameters(model),
                "model_bytes": model_bytes(model)}

    # -- pruned counterparts and controls ------------------------------------------
    def counterparts(self) -> tuple[str, ...]:
        from compact.pruning import MLP_COUNTERPARTS

        return MLP_COUNTERPARTS

    def counterpart_size(self, name, size):
        """Pruned nets keep the dense net's width: they are held to non-zero parameters."""
        return {"n_nonzero": size.get("n_nonzero", size.get("n_params"))}

    def fit_counterpart(self, name, X, y, *, size, random_state, cache, rounds=None, fraction=None,
                        rewind_epoch=1, finetune_epochs=10):
        """A pruned net (or open_lth control) at the budget ``size["n_nonzero"]`` or ``size["n_params"]``.

        The dense net is the estimator as configured (its own widths),
        trained with ``random_state``; ``cache`` (a dict per seed) keeps it
        and the tickets that several rows share.  ``"pruned_layer"`` /
        ``"pruned_global"``: one-shot magnitude pruning + ``finetune_epochs``;
        ``"lottery_ticket"``: IMP rewinding to the initial weights;
        ``"late_rewinding"``: to the weights after ``rewind_epoch`` epochs;
        ``"random_pruning"`` / ``"random_reinit"``: the controls of the
        lottery ticket's mask.  ``rounds`` / ``fraction``: the IMP schedule.
        """
        from compact import pruning

        if name not in pruning.MLP_COUNTERPARTS:
            raise ValueError(f"Unknown counterpart {name!r}; available: {list(pruning.MLP_COUNTERPARTS)}.")
        budget = size.get("n_nonzero", size.get("n_params"))
        if budget is None:
            raise ValueError("MLP counterparts need a parameter budget: size n_params or n_nonzero.")
        seed = self.seed_for(random_state)
        estimator = self.build({}, seed)
        late = name == "late_rewinding"
        key = ("dense", seed, rewind_epoch if late else 0)
        if key not in cache:
            cache[key] = pruning.train_dense(estimator, X, y, seed=seed, rewind_epoch=key[2])
        dense = cache[key]
        if name in ("pruned_layer", "pruned_global"):
            return pruning.prune_mlp(dense.model, X, y, budget, scope=name.split("_")[1],
                                     finetune_epochs=finetune_epochs, seed=seed)
        ticket_key = ("ticket", seed, budget, key[2], rounds, fraction)
        if ticket_key not in cache:
            cache[ticket_key] = pruning.find_ticket(estimator, X, y, budget, rounds=rounds, fraction=fraction,
                                                    rewind_epoch=key[2], seed=seed, dense=dense)
        ticket = cache[ticket_key]
        if name in ("lottery_ticket", "late_rewinding"):
            return ticket.model
        if name == "random_pruning":
            return pruning.random_pruning(estimator, X, y, ticket, seed=seed)
        return pruning.random_reinit(estimator, X, y, ticket, seed=seed)


class TorchModuleAdapter(Adapter):
    """Adapter for :class:`compact.neural.TorchModuleClassifier`."""

    size_names = ("size", "n_params")
    resample_as_weights = True  # as fit_batch trains, so both give the same candidates

    def __init__(self, estimator):
        super().__init__(estimator)
        estimator.training_options()  # bad training settings: one line before any work
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
        return int(self.estimator.size if value == np.inf else value)

    def fit(self, model, X, y, sample_weight=None, *, size=None):
        if size is None:
            raise ValueError("TorchModuleAdapter needs the requested size to fit.")
        model.set_params(size=self.module_size(size, X.shape[1], np.unique(y).size))
        return super().fit(model, X, y, sample_weight)

    def fit_batch(self, X, y, weights, *, size, random_states):
        """One candidate per row of ``weights``, trained together (``torch.vmap``); candidate ``k`` is
        initialised from ``random_states[k]`` as :meth:`fit` of ``build(size, random_states[k])`` is."""
        from compact.neural import train_modules

        models = [self.build(size, s) for s in _seeds_of(random_states, len(weights))]
        classes, codes = np.unique(y, return_inverse=True)
        value = self.module_size(size, X.shape[1], classes.size)
        seeds = [m.training_seeds() for m in models]
        modules = [models[0].build_module(value, X.shape[1], max(classes.size, 2), s) for s, _ in seeds]
        modules = train_modules(modules, X, codes, weights, shuffle_seed=[s for _, s in seeds],
                                **models[0].training_options())
        return [model.set_params(size=value).load_module(module, classes=classes, n_features_in=X.shape[1])
                for model, module in zip(models, modules)]

    def measure(self, model):
        return {"size": int(model.size), "n_params": int(model.n_params_)}

    def size_report(self, model) -> dict[str, int]:
        """``dense_params``, ``nonzero_params`` and ``model_bytes`` (parameters and buffers, as stored)."""
        module = model.module_
        return {"dense_params": int(model.n_params_),
                "nonzero_params": int(sum(int(p.count_nonzero()) for p in module.parameters())),
                "model_bytes": int(sum(t.numel() * t.element_size() for t in module.state_dict().values()))}
