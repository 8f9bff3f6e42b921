"""Evaluation harness: compacted vs baseline vs pruned vs distilled, across sizes and seeds.

:func:`compare` runs every method for every size and seed on one shared
train / validation / test split per seed and returns a :class:`Comparison`:
a tidy table (one row per method x size x seed) that writes CSV or JSON,
summarises means and spreads, and plots test score against size.

Methods:

* ``baseline``: the same-size model fitted on the original training data.
* ``compacted``: :func:`compact.fit` (validation part for its search).
* ``pruned``: the family's pruned-to-size counterpart (:mod:`compact.pruning`):
  cost-complexity pruning for trees, the L1 path for linear models, and for
  PyTorch MLPs three rows: ``pruned_layer`` (``l1_unstructured`` per layer),
  ``pruned_global`` (``global_unstructured``) and ``lottery_ticket``.  MLP
  sizes must then be parameter counts (``size_name="n_params"``); pruned nets
  are counted by their non-zero parameters.  Families with no counterpart
  get no pruned rows (with a warning).
* ``distilled``: the same-size model trained on the oracle's predicted labels
  for the training points and for two jittered copies of them (Gaussian noise
  of 10 % of each feature's standard deviation), as in model compression
  (Bucila et al., 2006).  On the training points alone an oracle that fits
  them exactly would just hand back the true labels.
"""

from __future__ import annotations

import csv
import json
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split

from ._validation import check_data, check_fraction, check_positive_int
from .oracle import resolve_oracle

METHODS = ("baseline", "compacted", "pruned", "distilled")
COLUMNS = ("method", "size", "seed", "test_score", "val_score", "measured_size", "nonzero_params", "fit_seconds")


@dataclass
class Comparison:
    """Rows of a :func:`compare` run (one per method x size x seed)."""

    rows: list[dict]
    scoring: str
    size_name: str
    estimator_name: str
    n_samples: int
    meta: dict = field(default_factory=dict)

    def to_csv(self, path) -> None:
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(self.rows)

    def to_json(self, path=None) -> str:
        text = json.dumps({"meta": self.meta, "rows": self.rows}, indent=2)
        if path is not None:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        return text

    def to_frame(self):
        """The rows as a pandas DataFrame (pandas imported here, not a dependency)."""
        import pandas as pd

        return pd.DataFrame(self.rows, columns=COLUMNS)

    def methods(self) -> list[str]:
        return list(dict.fromkeys(row["method"] for row in self.rows))

    def summary(self) -> list[dict]:
        """Mean and standard deviation of the test score per method and size."""
        out = []
        for method in self.methods():
            for size in sorted({r["size"] for r in self.rows if r["method"] == method}):
                scores = [r["test_score"] for r in self.rows if r["method"] == method and r["size"] == size]
                out.append({"method": method, "size": size, "mean": float(np.mean(scores)),
                            "std": float(np.std(scores)), "n": len(scores)})
        return out

    def plot(self, path=None, *, title=None):
        """Test score against size: mean line and ±1 standard deviation band per method.

        Returns the matplotlib ``Figure``; saved as PNG when ``path`` is given.
        """
        from matplotlib.figure import Figure

        fig = Figure(figsize=(7, 4.5), dpi=120)
        ax = fig.add_subplot()
        stats = self.summary()
        markers = "osD^vPX*"
        for i, method in enumerate(self.methods()):
            rows = [s for s in stats if s["method"] == method]
            x = np.array([s["size"] for s in rows], dtype=float)
            mean = np.array([s["mean"] for s in rows])
            std = np.array([s["std"] for s in rows])
            # Distinct markers and dashes keep coinciding methods visible.
            line = ax.plot(x, mean, marker=markers[i % len(markers)], linestyle="-" if i % 2 == 0 else "--",
                           markersize=6, label=method)[0]
            ax.fill_between(x, mean - std, mean + std, alpha=0.15, color=line.get_color())
        ax.set_xlabel(f"model size ({self.size_name})")
        ax.set_ylabel(f"test {self.scoring}")
        seeds = len({r["seed"] for r in self.rows})
        ax.set_title(title or f"{self.estimator_name}: {self.n_samples} rows, {seeds} seed(s), mean ± std")
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right")
        fig.tight_layout()
        if path is not None:
            fig.savefig(path)
        return fig


def _expand(methods, adapter) -> list[str]:
    """``pruned`` becomes the family's pruning rows; unknown names are errors."""
    from .adapters import DecisionTreeAdapter, TorchMLPAdapter
    from .adapters.linear import L1PathAdapter

    known = set(METHODS) | {"pruned_layer", "pruned_global", "lottery_ticket"}
    unknown = [m for m in methods if m not in known]
    if unknown:
        raise ValueError(f"Unknown method(s) {unknown}; choose from {sorted(known)}.")
    out = []
    for method in methods:
        if method != "pruned":
            out.append(method)
        elif isinstance(adapter, TorchMLPAdapter):
            out += ["pruned_layer", "pruned_global", "lottery_ticket"]
        elif isinstance(adapter, (DecisionTreeAdapter, L1PathAdapter)):
            out.append("pruned")
        else:
            warnings.warn(f"No pruned counterpart for {type(adapter.estimator).__name__}; skipped.",
                          UserWarning, stacklevel=3)
    return list(dict.fromkeys(out))


def compare(
    estimator,
    X,
    y,
    *,
    sizes,
    size_name: str | None = None,
    methods=METHODS,
    seeds: int = 3,
    test_size: float = 0.2,
    validation_size: float = 0.25,
    oracle="xgboost",
    n_trials: int = 50,
    n_draws: int = 3,
    scoring: str = "f1_macro",
    compact_method: str = "oracle",
    size_param: str | None = None,
    n_jobs: int = 1,
    verbose: int = 0,
) -> Comparison:
    """Compare compaction with its baselines over sizes and seeds (classification).

    Parameters
    ----------
    estimator : classifier
        The small model family, as for :func:`compact.fit`.  For the pruned
        MLP rows it is also the dense network that gets pruned.
    X, y : array-like
    sizes : list
        Sizes as for :func:`compact.fit`; with ``size_name`` plain numbers of
        that size parameter (e.g. ``size_name="n_params"`` for MLPs).
    methods : sequence of str, default=("baseline", "compacted", "pruned", "distilled")
    seeds : int, default=3
        Seeds 0..seeds-1; each has its own stratified split, shared by all
        methods and sizes, and its own oracle.
    test_size, validation_size : float
        Test part of the data, then validation part of the rest.
    oracle, n_trials, n_draws, scoring, size_param, n_jobs
        Passed to :func:`compact.fit` (the oracle also labels for ``distilled``).
    compact_method : {"oracle", "density_tree"}
        ``method`` of :func:`compact.fit`.
    verbose : int
        Print a line per method and size.

    Returns
    -------
    Comparison
    """
    from .adapters import TorchMLPAdapter, get_adapter

    adapter = get_adapter(estimator, size_param)
    seeds = check_positive_int(seeds, "seeds")
    test_size = check_fraction(test_size, "test_size")
    validation_size = check_fraction(validation_size, "validation_size")
    if not sizes:
        raise ValueError("sizes must list at least one size.")
    requests = [adapter.normalize_size({size_name: s} if size_name else s) for s in sizes]
    primary = size_name or next(iter(requests[0]))
    rows_of = _expand(methods, adapter)
    if any(m in rows_of for m in ("pruned_layer", "pruned_global", "lottery_ticket")) and primary != "n_params":
        raise ValueError("Pruned MLPs are compared by parameter count: pass size_name='n_params'.")
    X, y, _ = check_data(X, y)
    scorer = check_scoring(adapter.estimator, scoring=scoring)

    rows = []
    for seed in range(seeds):
        X_rest, X_te, y_rest, y_te = train_test_split(X, y, test_size=test_size, stratify=y, random_state=seed)
        X_tr, X_val, y_tr, y_val = train_test_split(
            X_rest, y_rest, test_size=validation_size, stratify=y_rest, random_state=seed
        )
        classes, codes = np.unique(y_tr, return_inverse=True)
        cache: dict = {}  # per seed: the converted training matrix, the dense MLP the pruning rows cut down
        fitted_oracle = None
        if "distilled" in rows_of or ("compacted" in rows_of and compact_method == "oracle"):
            fitted_oracle = resolve_oracle(oracle, X_tr, codes, random_state=seed, n_jobs=n_jobs)
        for request in requests:
            for method in rows_of:
                started = time.perf_counter()
                model = _run(method, adapter, request, X_tr, y_tr, X_val, y_val, classes, fitted_oracle, seed,
                             cache=cache, fit_kwargs=dict(n_trials=n_trials, n_draws=n_draws, scoring=scoring, n_jobs=n_jobs,
                                             method=compact_method))
                seconds = time.perf_counter() - started
                measured = adapter.measure(_unwrap(model))
                nonzero = None
                if isinstance(adapter, TorchMLPAdapter):
                    from .pruning import nonzero_parameters

                    nonzero = nonzero_parameters(model)
                    measured = dict(measured, n_params=nonzero)
                if not adapter.within(measured, request):
                    raise RuntimeError(f"{method} gave size {measured}, over the request {request}.")
                row = {
                    "method": method,
                    "size": request[primary],
                    "seed": seed,
                    "test_score": float(scorer(model, X_te, y_te)),
                    "val_score": float(scorer(model, X_val, y_val)),
                    "measured_size": measured[primary],
                    "nonzero_params": nonzero,
                    "fit_seconds": seconds,
                }
                rows.append(row)
                if verbose:
                    print(f"[compact.compare] seed {seed} size {row['size']} {method}: "
                          f"test {row['test_score']:.4f} ({seconds:.1f} s)")
    meta = {"estimator": type(adapter.estimator).__name__, "scoring": scoring, "size_name": primary,
            "seeds": seeds, "n_trials": n_trials, "test_size": test_size, "validation_size": validation_size}
    return Comparison(rows, scoring, primary, type(adapter.estimator).__name__, len(X), meta)


def _unwrap(model):
    return getattr(model, "estimator_", model) if type(model).__name__ == "DecodedClassifier" else model


def _run(method, adapter, request, X_tr, y_tr, X_val, y_val, classes, oracle, seed, *, fit_kwargs, cache=None):
    """One fitted model of ``method`` at ``request`` on this seed's split."""
    from . import pruning
    from .compaction import fit

    cache = {} if cache is None else cache
    if "X_fit" not in cache:  # one conversion per seed, not per method and size
        cache["X_fit"] = adapter.prepare_X(X_tr)
    X_fit = cache["X_fit"]
    if method == "compacted":
        return fit(adapter, X_tr, y_tr, size=request, oracle=oracle, validation_data=(X_val, y_val),
                   random_state=seed, **fit_kwargs).model_
    if method == "baseline":
        return _fit_labels(adapter, request, X_fit, y_tr, seed)
    if method == "distilled":
        rng = np.random.default_rng(seed)
        noise = 0.1 * X_tr.std(axis=0)
        X_more = np.vstack([X_tr] + [X_tr + rng.normal(size=X_tr.shape) * noise for _ in range(2)])
        labels = classes[oracle.predict(X_more).astype(int)]
        return _fit_labels(adapter, request, adapter.prepare_X(X_more), labels, seed)
    if method == "pruned":  # trees: cost-complexity pruning; linear: the L1 path
        if hasattr(adapter.estimator, "cost_complexity_pruning_path"):
            return pruning.prune_tree(adapter.estimator, X_fit, y_tr, request, random_state=seed)[0]
        return _fit_labels(adapter, request, X_fit, y_tr, seed)
    if "dense" not in cache:
        cache["dense"] = adapter.fit(adapter.build({}, random_state=seed), X_fit, y_tr,
                                     size={"hidden_units": max(adapter.estimator.hidden_layers())})
    dense = cache["dense"]
    if method == "lottery_ticket":
        return pruning.lottery_ticket(dense, X_fit, y_tr, request["n_params"], seed=seed)
    scope = "layer" if method == "pruned_layer" else "global"
    return pruning.prune_mlp(dense, X_fit, y_tr, request["n_params"], scope=scope, seed=seed)


def _fit_labels(adapter, request, X, labels, seed):
    """The same-size model on ``labels``, with label codes where the family needs them."""
    from .adapters import DecodedClassifier

    model = adapter.build(request, random_state=seed)
    if adapter.encoded_labels:
        classes, codes = np.unique(labels, return_inverse=True)
        return DecodedClassifier.from_fitted(adapter.fit(model, X, codes, size=request), classes)
    return adapter.fit(model, X, labels, size=request)
