"""Evaluation harness: compacted vs baseline vs pruned vs controls, at equal measured size.

:func:`compare` runs every method for every size and seed on one shared
train / validation / test split per seed (and one oracle per seed) and returns
a :class:`Comparison`: a tidy table (one row per method x size x seed) with
the test and validation score and the *measured* size of every row in every
unit its family has (:meth:`Adapter.size_report`: trees depth and leaves,
linear models non-zero coefficients and intercepts, ensembles trees and total
leaves, nets dense and non-zero parameters and bytes).  Models are selected
on the validation part (with the training part where compaction's
``score_on`` has it); the test part is only used to report.

Methods:

* ``baseline``: the same-size model fitted on the original training data.
* ``compacted``: :func:`compact.fit` (the validation part, and for trees the
  training part too, score its candidates).
* ``compacted_sparse``: :func:`compact.fit` with ``size={"n_nonzero": s}``,
  for families whose size names include ``n_nonzero`` (sparse nets: a mask
  found by iterative magnitude pruning, retrained on the learned distribution)
  when the request is not already that.
* ``pruned``: the family's pruned-to-size counterparts
  (:meth:`Adapter.counterparts`): cost-complexity pruning for trees, the L1
  path for linear models, the pruning rows and open_lth controls for MLPs.
  Families with none get no pruned rows (with a warning).
* ``restarts``: a control spending compaction's training budget on the
  original data: as many models as compaction trained for that seed and size
  (the draws of all its trials), each from its own seed, and the best on
  the rows compaction scores on (``score_on``: validation, or training and
  validation for trees).
* ``balanced_restarts`` (not in the default list): the restarts control
  with every class given the same total weight, as scikit-learn's
  ``class_weight="balanced"`` (``sample_weight`` from
  :func:`sklearn.utils.class_weight.compute_sample_weight`), from the same
  seeds and with the same budget: on imbalanced data it tells compaction's
  gain from plain class balancing (its ``class_balance`` variable).
  Families whose ``fit`` takes no ``sample_weight`` cannot have it.
* ``distilled``: the same-size model trained on the oracle's predicted labels
  for the training points and for two jittered copies of them (Gaussian noise
  of 10 % of each feature's standard deviation), as in model compression
  (Bucila et al., 2006).

:meth:`Comparison.summary` gives mean ± sd over seeds; :meth:`Comparison.paired`
gives, for compacted vs each other method, the paired difference over
seeds x sizes with a Wilcoxon signed-rank p-value.
"""

from __future__ import annotations

import csv
import inspect
import json
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import check_scoring

from ._problem import score_rows, split_validation
from ._validation import check_data, check_fraction, check_positive_int
from .oracle import resolve_oracle
from .search import CompactSearch

METHODS = ("baseline", "compacted", "compacted_sparse", "pruned", "restarts", "distilled")
#: Methods that run only when named.
OPTIONAL_METHODS = ("balanced_restarts",)
#: The controls spending compaction's training budget (one task trains them with it).
CONTROLS = ("restarts", "balanced_restarts")
#: Columns every row has; the family's size units (``size_report``) come between
#: ``measured_size`` and ``n_models``.
BASE_COLUMNS = ("method", "size", "seed", "test_score", "val_score", "measured_size")
TAIL_COLUMNS = ("n_models", "fit_seconds")
#: Models the restarts control trains at once with ``fit_batch``.
RESTART_CHUNK = 64
#: Size units that count non-zero parameters or features: ``compacted_sparse`` takes the request's value
#: as its ``n_nonzero`` budget, which means nothing in other units (an MLP's ``hidden_units``).
BUDGET_UNITS = ("n_params", "n_nonzero", "n_features")
#: Parameters of :class:`CompactSearch` that compare sets for each compaction, and its argument for them.
SET_BY_COMPARE = {"estimator": "estimator", "size": "sizes", "size_param": "size_param", "oracle": "oracle",
                  "method": "compact_method", "random_state": "seeds", "n_jobs": "n_jobs", "n_trials": "n_trials",
                  "n_draws": "n_draws", "scoring": "scoring", "validation_size": "validation_size"}
#: Arguments of :meth:`Adapter.fit_counterpart` that compare passes itself (not pruning options).
COUNTERPART_ARGS = ("name", "X", "y", "size", "random_state", "cache")


@dataclass
class Comparison:
    """Rows of a :func:`compare` run (one per method x size x seed).

    ``size`` is the requested size in ``size_name`` units, ``measured_size``
    the fitted model's size in the same units, and the columns between
    ``measured_size`` and ``n_models`` every size unit of the family
    (:meth:`Adapter.size_report`).  ``n_models`` counts the models trained
    for the row (compaction: the draws of all its trials).
    """

    rows: list[dict]
    scoring: str
    size_name: str
    estimator_name: str
    n_samples: int
    meta: dict = field(default_factory=dict)

    @property
    def size_columns(self) -> list[str]:
        """The family's size units, in the order the rows first report them."""
        seen = dict.fromkeys(k for row in self.rows for k in row)
        return [k for k in seen if k not in BASE_COLUMNS + TAIL_COLUMNS]

    @property
    def columns(self) -> list[str]:
        return [*BASE_COLUMNS, *self.size_columns, *TAIL_COLUMNS]

    def to_csv(self, path) -> None:
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=self.columns, restval="")
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

        return pd.DataFrame(self.rows, columns=self.columns)

    def methods(self) -> list[str]:
        return list(dict.fromkeys(row["method"] for row in self.rows))

    def summary(self) -> list[dict]:
        """Per method and size: test score mean and sd over seeds, and mean measured sizes.

        Each entry has ``method``, ``size``, ``mean``, ``std`` (sample standard
        deviation over seeds, 0 for one seed), ``n`` (seeds), ``val_mean``,
        ``compacted_lead`` (mean over seeds of compacted minus this row's test
        score, paired by seed; None without compacted rows), ``measured_size``
        and the mean of every size column.  :meth:`paired` tests the leads.
        """
        ref = {(r["seed"], r["size"]): r["test_score"] for r in self.rows if r["method"] == "compacted"}
        out = []
        for method in self.methods():
            mine = [r for r in self.rows if r["method"] == method]
            for size in sorted({r["size"] for r in mine}):
                rows = [r for r in mine if r["size"] == size]
                scores = np.array([r["test_score"] for r in rows])
                entry = {"method": method, "size": size, "mean": float(scores.mean()),
                         "std": float(scores.std(ddof=1)) if len(rows) > 1 else 0.0, "n": len(rows),
                         "val_mean": float(np.mean([r["val_score"] for r in rows]))}
                leads = [ref[r["seed"], size] - r["test_score"] for r in rows if (r["seed"], size) in ref]
                entry["compacted_lead"] = float(np.mean(leads)) if leads else None
                for column in ("measured_size", *self.size_columns):
                    values = [r[column] for r in rows if r.get(column) is not None]
                    entry[column] = float(np.mean(values)) if values else None
                out.append(entry)
        return out

    def paired(self, reference: str = "compacted", *, alpha: float = 0.05) -> list[dict]:
        """``reference`` vs each other method: paired test-score differences over seeds x sizes.

        Pairs are the (seed, size) cells both methods have; the difference is
        reference minus other.  Each entry: ``method``, ``n_pairs``,
        ``mean_diff``, ``std_diff``, ``wins`` / ``losses`` / ``ties`` of the
        reference, ``p_value`` of the two-sided Wilcoxon signed-rank test
        (:func:`scipy.stats.wilcoxon`; 1.0 when every difference is zero) and
        ``within_noise`` (``p_value >= alpha``).  With few pairs no
        difference can be significant (3 pairs: the smallest p is 0.25).
        """
        ref = {(r["seed"], r["size"]): r["test_score"] for r in self.rows if r["method"] == reference}
        out = []
        for method in self.methods():
            if method == reference:
                continue
            other = {(r["seed"], r["size"]): r["test_score"] for r in self.rows if r["method"] == method}
            cells = sorted(set(ref) & set(other))
            if not cells:
                continue
            diff = np.array([ref[c] - other[c] for c in cells])
            p = _wilcoxon(diff)
            out.append({"method": method, "n_pairs": len(cells), "mean_diff": float(diff.mean()),
                        "std_diff": float(diff.std(ddof=1)) if len(diff) > 1 else 0.0,
                        "wins": int((diff > 0).sum()), "losses": int((diff < 0).sum()),
                        "ties": int((diff == 0).sum()), "p_value": p, "within_noise": bool(p >= alpha)})
        return out

    def report(self, reference: str = "compacted") -> str:
        """Markdown tables: :meth:`summary` and :meth:`paired`."""
        units = ["measured_size", *self.size_columns]
        lines = ["| method | size | test " + self.scoring + " (mean ± sd) | " + " | ".join(units) + " |",
                 "|---|---|---|" + "---|" * len(units)]
        for s in self.summary():
            cells = " | ".join("" if s[u] is None else f"{s[u]:g}" for u in units)
            lines.append(f"| {s['method']} | {s['size']} | {s['mean']:.3f} ± {s['std']:.3f} | {cells} |")
        lines += ["", f"| {reference} vs | pairs | mean difference | wins / losses / ties | Wilcoxon p | |",
                  "|---|---|---|---|---|---|"]
        for p in self.paired(reference):
            note = "within noise" if p["within_noise"] else "significant"
            lines.append(f"| {p['method']} | {p['n_pairs']} | {p['mean_diff']:+.3f} ± {p['std_diff']:.3f} | "
                         f"{p['wins']} / {p['losses']} / {p['ties']} | {p['p_value']:.3g} | {note} |")
        return "\n".join(lines)

    def plot(self, path=None, *, title=None):
        """Test score against *measured* size: mean per method and size, ±1 sd band.

        Returns the matplotlib ``Figure``; saved as PNG when ``path`` is given.
        """
        from matplotlib.figure import Figure

        fig = Figure(figsize=(7, 4.5), dpi=120)
        ax = fig.add_subplot()
        stats = self.summary()
        markers = "osD^vPX*"
        for i, method in enumerate(self.methods()):
            rows = sorted((s for s in stats if s["method"] == method), key=lambda s: s["measured_size"])
            x = np.array([s["measured_size"] for s in rows], dtype=float)
            mean = np.array([s["mean"] for s in rows])
            std = np.array([s["std"] for s in rows])
            # Distinct markers and dashes keep coinciding methods visible.
            line = ax.plot(x, mean, marker=markers[i % len(markers)], linestyle="-" if i % 2 == 0 else "--",
                           markersize=6, label=method)[0]
            ax.fill_between(x, mean - std, mean + std, alpha=0.15, color=line.get_color())
        ax.set_xlabel(f"measured size ({self.size_name})")
        ax.set_ylabel(f"test {self.scoring}")
        seeds = len({r["seed"] for r in self.rows})
        ax.set_title(title or f"{self.estimator_name}: {self.n_samples} rows, {seeds} seed(s), mean ± sd")
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right")
        fig.tight_layout()
        if path is not None:
            fig.savefig(path)
        return fig


def _wilcoxon(diff: np.ndarray) -> float:
    """Two-sided Wilcoxon signed-rank p-value; 1.0 when all differences are zero."""
    from scipy.stats import wilcoxon

    if not np.any(diff != 0):
        return 1.0
    p = float(wilcoxon(diff).pvalue)
    return 1.0 if np.isnan(p) else p


# -- the plan of a run -----------------------------------------------------------
@dataclass
class _Setup:
    """What every task needs besides its seed's data (small; shipped with each task)."""

    adapter: object
    scoring: str
    primary: str
    fit_kwargs: dict
    pruning: dict
    oracle: object
    compact_method: str
    needs_oracle: bool


@dataclass
class _Split:
    """One seed's split, prepared training matrix and fitted oracle (shipped once per seed)."""

    seed: int
    X_tr: np.ndarray
    y_tr: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_te: np.ndarray
    y_te: np.ndarray
    X_fit: np.ndarray
    classes: np.ndarray
    oracle: object

    def __sizeof__(self) -> int:
        # Dask's sizeof (sys.getsizeof) decides whether joblib's Dask backend
        # scatters an argument once per Parallel call instead of shipping it
        # with every task: count the arrays.
        arrays = (self.X_tr, self.y_tr, self.X_val, self.y_val, self.X_te, self.y_te, self.X_fit)
        return object.__sizeof__(self) + sum(a.nbytes for a in arrays)


def _expand(methods, adapter, request) -> list[str]:
    """``pruned`` becomes the family's counterparts; ``compacted_sparse`` needs ``n_nonzero``."""
    requested = METHODS if methods is None else tuple(methods)
    counterparts = tuple(adapter.counterparts())
    known = set(METHODS) | set(OPTIONAL_METHODS) | set(counterparts)
    unknown = [m for m in requested if m not in known]
    if unknown:
        raise ValueError(f"Unknown method(s) {unknown}; choose from {sorted(known)}.")
    sparse_ok = "n_nonzero" in adapter.size_names and set(request) != {"n_nonzero"}
    out = []
    for method in requested:
        if method == "pruned":
            if not counterparts:
                warnings.warn(f"No pruned counterpart for {type(adapter.estimator).__name__}; skipped.",
                              UserWarning, stacklevel=3)
            out += counterparts
        elif method == "compacted_sparse" and not sparse_ok:
            if methods is not None:
                raise ValueError(f"compacted_sparse needs a family with size 'n_nonzero' and another request; "
                                 f"{type(adapter.estimator).__name__} has {list(adapter.size_names)}.")
        elif method == "balanced_restarts" and not adapter.supports_sample_weight:
            raise ValueError(f"balanced_restarts needs sample_weight; {type(adapter.estimator).__name__}.fit "
                             "does not accept it.")
        else:
            out.append(method)
    return list(dict.fromkeys(out))


def _check_sizes(sizes, requests, primary: str) -> None:
    """Rows are keyed (and paired) by the primary size parameter: every size must give it, once each."""
    for size, request in zip(sizes, requests):
        if primary not in request:
            raise ValueError(f"size {size!r} has no {primary}, the parameter compare keys its rows by (the first "
                             f"size's); give every size a {primary}.")
    values = [request[primary] for request in requests]
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(f"sizes {list(sizes)} repeat {primary}={repeated[0]}: compare keys each row by {primary} "
                         f"(the first size parameter), so its rows would merge; give every size its own {primary}, "
                         "or fix the other parameters on the estimator and pass size_name.")


def _check_budgets(adapter, names, requests, primary: str) -> None:
    """Rows held to a parameter budget (``compacted_sparse``, counterparts such as pruned nets) need sizes
    that give one: checked here, not after the other rows are fitted."""
    family = type(adapter.estimator).__name__
    if "compacted_sparse" in names and primary not in BUDGET_UNITS:
        units = [u for u in adapter.size_names if u in BUDGET_UNITS and u != "n_nonzero"]
        fix = f"pass size_name={units[0]!r} or leave it out of methods" if units else "leave it out of methods"
        raise ValueError(f"compacted_sparse takes the requested size as its n_nonzero budget, so it needs sizes "
                         f"counting parameters, not {primary}; {fix}.")
    for name in (m for m in names if m in adapter.counterparts()):
        for request in requests:
            unset = [k for k, v in adapter.counterpart_size(name, request).items() if v is None]
            if unset:
                units = [u for u in adapter.size_names
                         if None not in adapter.counterpart_size(name, {u: 1}).values()]
                by = f"compare by {' or '.join(units)} (size_name={units[0]!r}) or " if units else ""
                raise ValueError(f"the counterpart {name!r} of {family} is held to {' and '.join(unset)}, which "
                                 f"the size {request} does not give; {by}leave the pruned rows out of methods.")


def _check_options(adapter, search_params: dict, pruning: dict) -> None:
    """Keys of ``search_params`` that compare sets itself, and pruning options the family's
    :meth:`Adapter.fit_counterpart` does not take, would fail in the middle of the run."""
    shared = sorted({"storage", "study_name"} & {k for k, v in search_params.items() if v is not None})
    if shared:  # every compaction would continue one study: other data each, so refused after the first
        raise ValueError(f"search_params {shared}: compare runs a compaction per seed and size, each on its own "
                         "split, which cannot share one study; leave them out.")
    taken = sorted(set(search_params) & set(SET_BY_COMPARE))
    if taken:
        raise ValueError(f"search_params {taken}: compare sets {'it' if len(taken) == 1 else 'them'} for each "
                         f"compaction; pass compare's own {' and '.join(SET_BY_COMPARE[k] for k in taken)} instead.")
    if not pruning:
        return
    params = inspect.signature(adapter.fit_counterpart).parameters.values()
    keywords = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
    options = [p.name for p in params if p.kind in keywords and p.name not in COUNTERPART_ARGS]
    family = type(adapter.estimator).__name__
    reserved = [k for k in pruning if k in COUNTERPART_ARGS]
    if reserved:
        raise ValueError(f"pruning {reserved}: compare passes {', '.join(COUNTERPART_ARGS)} to the counterparts "
                         "itself; pruning holds only the family's options.")
    unknown = [k for k in pruning if not (takes_any or k in options)]
    if unknown:
        takes = f"only {', '.join(options)}" if options else "no pruning options"
        raise ValueError(f"pruning {unknown}: {family}'s counterparts take {takes} (Adapter.fit_counterpart).")


def _check_splits(y, seeds: int, test_size: float, validation_size: float) -> None:
    """Compaction scores its candidates on the validation part, which needs two classes: every seed's
    split (as :func:`_make_split` makes it, here on row indices: cheap) is checked before any oracle is fitted."""
    rows = np.arange(len(y))
    for seed in range(seeds):
        rest, _, y_rest, _ = split_validation(rows, y, test_size, seed)
        y_val = split_validation(rest, y_rest, validation_size, seed)[3]
        classes = np.unique(y_val)
        if classes.size < 2:
            raise ValueError(f"seed {seed}: the validation part ({len(y_val)} rows, validation_size="
                             f"{validation_size}) holds one class ({classes.tolist()[0]!r}), too few to score "
                             "candidates on; use more rows of the rarer classes or a larger validation_size.")


def compare(
    estimator,
    X,
    y,
    *,
    sizes,
    size_name: str | None = None,
    methods=None,
    seeds: int = 3,
    test_size: float = 0.2,
    validation_size: float = 0.25,
    oracle="xgboost",
    n_trials: int = 50,
    n_draws: int | None = None,
    scoring: str = "f1_macro",
    compact_method: str = "oracle",
    size_param: str | None = None,
    pruning: dict | None = None,
    search_params: dict | None = None,
    n_jobs: int = 1,
    verbose: int = 0,
) -> Comparison:
    """Compare compaction with pruning, controls and distillation over sizes and seeds (classification).

    Parameters
    ----------
    estimator : classifier
        The small model family, as for :func:`compact.fit`.  For pruned
        counterparts that start from a large model (trees, MLPs) it is also
        the large model.
    X, y : array-like
    sizes : list
        Sizes as for :func:`compact.fit`; with ``size_name`` plain numbers of
        that size parameter (trees: ``size_name="max_leaf_nodes"`` compares by
        leaves, where cost-complexity pruning is the natural competitor).
        Rows are keyed by the first size parameter (``size_name``, else the
        first size's first parameter): every size must give it, each a
        different value (``[(3, 1), (3, 3)]`` for a forest is refused).
    size_name : str, optional
    methods : sequence of str, optional
        Default ``("baseline", "compacted", "compacted_sparse", "pruned",
        "restarts", "distilled")``; ``compacted_sparse`` only where the family
        has size ``n_nonzero`` (its budget is the requested value, so it needs
        sizes counting parameters, e.g. ``size_name="n_params"``; MLP
        counterparts need such a budget too).  ``"pruned"`` stands for all the family's
        counterparts; single counterparts may be named too.  ``"balanced_restarts"``
        runs only when named (families whose ``fit`` takes ``sample_weight``).
        ``restarts`` gives each model its own seed through
        :meth:`Adapter.build`, which sets ``random_state`` only where the
        estimator leaves it ``None`` (as :func:`compact.fit` does).
    seeds : int, default=3
        Seeds 0..seeds-1; each has its own stratified split, shared by all
        methods and sizes, and its own oracle.  Every split's validation part
        must hold two classes (checked before any oracle is fitted).
    test_size, validation_size : float
        Test part of the data, then validation part of the rest.
    oracle, n_trials, n_draws, scoring, size_param
        Passed to :func:`compact.fit` (the oracle also labels for ``distilled``).
    compact_method : {"oracle", "density_tree"}
        ``method`` of :func:`compact.fit`.
    search_params : dict, optional
        Further parameters of :class:`compact.CompactSearch` for the
        compacted rows (e.g. ``{"flatten": False, "trial_batch": 4}``),
        checked by it: an unknown name is a ``TypeError``.  The parameters
        compare sets itself (:data:`SET_BY_COMPARE`: ``random_state``,
        ``n_jobs``, ``size``, ...) are a ``ValueError``.
    pruning : dict, optional
        The family's pruning settings, passed to
        :meth:`Adapter.fit_counterpart` as keywords (e.g. the MLPs' pruning
        schedule: rounds, fine-tuning epochs, rewind point); an option it
        does not take is a ``ValueError`` before any work.
    n_jobs : int, default=1
        Tasks (one seed's oracle; one method at one size and seed) run in
        parallel through :class:`joblib.Parallel`, so
        ``joblib.parallel_config(backend="dask")`` spreads them over a Dask
        cluster.  Each :func:`compact.fit` runs in one thread, so the rows
        do not depend on ``n_jobs``: its chosen model would not depend on
        threads either, but the number of models it trains can (a draw run
        beside another past a trial's stop is trained, then dropped), and
        that number is the restarts control's budget.  The default runs the
        tasks one at a time; ``n_jobs=-1`` runs as many as there are cores.
    verbose : int
        Print a line per row.

    Returns
    -------
    Comparison

    Raises
    ------
    ValueError
        For bad sizes, methods, options or data, before any model is fitted.
    KeyboardInterrupt
        On Ctrl-C, also when it only cut a compaction short (which then
        keeps its best model so far): no rows are returned, as rows of cut
        compactions (and restarts given their cut budget) would read as
        complete.
    """
    from .adapters import get_adapter

    adapter = get_adapter(estimator, size_param)
    seeds = check_positive_int(seeds, "seeds")
    test_size = check_fraction(test_size, "test_size")
    validation_size = check_fraction(validation_size, "validation_size")
    if not sizes:
        raise ValueError("sizes must list at least one size.")
    requests = [adapter.normalize_size({size_name: s} if size_name else s) for s in sizes]
    primary = size_name or next(iter(requests[0]))
    _check_sizes(sizes, requests, primary)
    names = _expand(methods, adapter, requests[0])
    _check_budgets(adapter, names, requests, primary)
    _check_options(adapter, dict(search_params or {}), dict(pruning or {}))
    X, y, _ = check_data(X, y)
    check_scoring(adapter.estimator, scoring=scoring)
    compacts = bool({"compacted", "compacted_sparse"} & set(names))
    if compacts:  # compaction scores its candidates on each split's validation part
        _check_splits(y, seeds, test_size, validation_size)
    search = dict(search_params or {}, n_trials=n_trials, n_draws=n_draws, scoring=scoring)
    searcher = CompactSearch(adapter, **search)
    searcher.check_params()  # bad search parameters fail before any task
    search["n_draws"] = n_draws = searcher.n_draws_for(adapter)  # the budget of the controls needs it
    search["score_on"] = searcher.score_on_for(adapter)  # and the restarts are chosen on the same rows
    setup = _Setup(adapter, scoring, primary, search,
                   dict(pruning or {}), oracle, compact_method,
                   "distilled" in names or (compact_method == "oracle" and compacts))
    rows = _run_all(setup, X, y, requests, names, seeds, test_size, validation_size, n_jobs, verbose)
    meta = {"estimator": type(adapter.estimator).__name__, "scoring": scoring, "size_name": primary,
            "seeds": seeds, "n_trials": n_trials, "n_draws": n_draws,
            "prune_draws": search.get("prune_draws", CompactSearch().prune_draws), "test_size": test_size,
            "sample_frac_scale": search.get("sample_frac_scale"),  # None: the family's, per size
            "validation_size": validation_size, "methods": names, "pruning": setup.pruning}
    return Comparison(rows, scoring, primary, type(adapter.estimator).__name__, len(X), meta)


def _run_all(setup, X, y, requests, names, seeds, test_size, validation_size, n_jobs, verbose) -> list[dict]:
    """Two rounds of joblib tasks: each seed's split and oracle; then methods x sizes on them."""
    from joblib import Parallel, delayed

    counterparts = [m for m in names if m in setup.adapter.counterparts()]
    # The controls spend compaction's budget: one task trains them all (alone: the nominal budget).
    controls = [m for m in CONTROLS if m in names]
    groups = [["compacted", *controls]] if "compacted" in names and controls else []
    groups += [[m] for m in names if m not in counterparts and not any(m in g for g in groups)]
    parallel = Parallel(n_jobs=n_jobs)
    splits = parallel(delayed(_make_split)(setup, X, y, s, test_size, validation_size) for s in range(seeds))
    tasks = [(split, group, [r]) for split in splits for r in requests for group in groups]
    if counterparts:  # one task per seed: its counterparts share a cache (e.g. the dense net)
        tasks += [(split, counterparts, requests) for split in splits]
    done = [row for rows in parallel(delayed(_task)(setup, *t) for t in tasks) for row in rows]
    order = {m: i for i, m in enumerate(names)}
    sizes = {r[setup.primary]: i for i, r in enumerate(requests)}
    done.sort(key=lambda r: (r["seed"], sizes[r["size"]], order[r["method"]]))
    if verbose:
        for r in done:
            print(f"[compact.compare] seed {r['seed']} size {r['size']} {r['method']}: "
                  f"test {r['test_score']:.4f} ({r['fit_seconds']:.1f} s)")
    return done


def _make_split(setup, X, y, seed, test_size, validation_size) -> _Split:
    # Stratified where the class counts allow, every class kept in training (as compact.fit splits).
    X_rest, X_te, y_rest, y_te = split_validation(X, y, test_size, seed)
    X_tr, X_val, y_tr, y_val = split_validation(X_rest, y_rest, validation_size, seed)
    classes, codes = np.unique(y_tr, return_inverse=True)
    fitted = resolve_oracle(setup.oracle, X_tr, codes, random_state=seed) if setup.needs_oracle else None
    return _Split(seed, X_tr, y_tr, X_val, y_val, X_te, y_te, setup.adapter.prepare_X(X_tr), classes, fitted)


def _task(setup, split, methods, requests) -> list[dict]:
    """Rows of ``methods`` x ``requests`` on one seed's split (``cache`` shared among them)."""
    cache: dict = {}
    rows = []
    for request in requests:
        spent = 1 + (setup.fit_kwargs["n_trials"] - 1) * setup.fit_kwargs["n_draws"]  # nominal budget
        for method in methods:
            if method in CONTROLS:
                rows.append(_restarts(setup, split, request, spent, method))
                continue
            started = time.perf_counter()
            model, row_request, n_models = _fit_method(setup, split, method, request, cache)
            spent = n_models if method == "compacted" else spent
            rows.append(_row(setup, split, method, request, row_request, model, n_models,
                             time.perf_counter() - started))
    return rows


def _fit_method(setup, split, method, request, cache):
    """``(fitted model, the size it must be within, models trained)`` for one method."""
    adapter = setup.adapter
    if method in ("compacted", "compacted_sparse"):
        if method == "compacted_sparse":
            request = adapter.normalize_size({"n_nonzero": request[setup.primary]})
        result = _compact(setup, split, request)
        return result.model_, request, sum(t.fits for t in result.trials_)
    if method == "baseline":
        return _fit_original(adapter, request, split.X_fit, split.y_tr, [split.seed])[0], request, 1
    if method == "distilled":
        rng = np.random.default_rng(split.seed)
        noise = 0.1 * split.X_tr.std(axis=0)
        X_more = np.vstack([split.X_tr] + [split.X_tr + rng.normal(size=split.X_tr.shape) * noise for _ in range(2)])
        labels = split.classes[split.oracle.predict(X_more).astype(int)]
        return _fit_original(adapter, request, adapter.prepare_X(X_more), labels, [split.seed])[0], request, 1
    model = adapter.fit_counterpart(method, split.X_fit, split.y_tr, size=request, random_state=split.seed,
                                    cache=cache, **setup.pruning)
    return model, adapter.counterpart_size(method, request), 1


def _compact(setup, split, request):
    oracle = split.oracle if split.oracle is not None else setup.oracle
    search = CompactSearch(setup.adapter, size=request, oracle=oracle, random_state=split.seed, n_jobs=1,
                           method=setup.compact_method, **setup.fit_kwargs)
    result = search.fit(split.X_tr, split.y_tr, validation_data=(split.X_val, split.y_val)).result_
    if result.interrupted_:
        # fit keeps the best model so far on Ctrl-C; a comparison of cut-short rows (and restarts given
        # their cut budget) would read as complete, so the whole comparison stops.
        raise KeyboardInterrupt(f"compaction interrupted at seed {split.seed}, size {request}; compare stopped "
                                "without rows.")
    return result


def _restarts(setup, split, request, budget: int, method: str = "restarts") -> dict:
    """The restarts control (``method``, one of :data:`CONTROLS`): ``budget`` models on the original
    data from distinct seeds, the best on the rows compaction scores its candidates on (``score_on``).
    ``"balanced_restarts"``: every class weighted to the same total (the seeds are the same, so the
    two controls pair model by model)."""
    from sklearn.utils.class_weight import compute_sample_weight

    started = time.perf_counter()
    scorer = check_scoring(setup.adapter.estimator, scoring=setup.scoring)
    states = np.random.default_rng([split.seed, 1]).integers(0, 2**31 - 1, size=budget).tolist()
    X_score, y_score = score_rows(setup.fit_kwargs["score_on"], split.X_tr, split.y_tr, split.X_val, split.y_val)
    weight = compute_sample_weight("balanced", split.y_tr) if method == "balanced_restarts" else None
    best, best_score = None, -np.inf
    for at in range(0, budget, RESTART_CHUNK):
        chunk = states[at:at + RESTART_CHUNK]
        for model in _fit_original(setup.adapter, request, split.X_fit, split.y_tr, chunk, sample_weight=weight):
            score = float(scorer(model, X_score, y_score))
            if score > best_score:  # the first of equals: a deterministic choice
                best, best_score = model, score
    return _row(setup, split, method, request, request, best, budget, time.perf_counter() - started)


def _fit_original(adapter, request, X, labels, random_states, *, sample_weight=None) -> list:
    """Same-size models on ``(X, labels)``, one per seed, predicting the original labels.

    Families that batch (``fit_batch``) train them together (all-ones weights
    unless ``sample_weight`` is given); label codes are used where the family
    needs them.
    """
    from .adapters import DecodedClassifier

    classes, codes = np.unique(labels, return_inverse=True)
    y = codes if adapter.encoded_labels else labels
    if adapter.fit_batch is not None and len(random_states) > 1:
        weight = np.ones(len(X)) if sample_weight is None else sample_weight
        models = adapter.fit_batch(X, y, np.tile(weight, (len(random_states), 1)), size=request,
                                   random_states=list(random_states))
    else:
        models = [adapter.fit(adapter.build(request, random_state=s), X, y, sample_weight=sample_weight,
                              size=request) for s in random_states]
    if adapter.encoded_labels:
        models = [DecodedClassifier.from_fitted(m, classes) for m in models]
    return models


def _row(setup, split, method, request, row_request, model, n_models, seconds) -> dict:
    """One table row; checks that the model is within the size it was asked for."""
    adapter = setup.adapter
    inner = adapter.unwrap(model)
    measured = adapter.measure(inner)
    if not adapter.within(measured, row_request):
        raise RuntimeError(f"{method} gave size {measured}, over the request {row_request}.")
    scorer = check_scoring(adapter.estimator, scoring=setup.scoring)
    key = setup.primary if setup.primary in row_request else next(iter(row_request))
    row = {"method": method, "size": request[setup.primary], "seed": split.seed,
           "test_score": float(scorer(model, split.X_te, split.y_te)),
           "val_score": float(scorer(model, split.X_val, split.y_val)),
           "measured_size": measured.get(key)}
    for unit, value in adapter.size_report(inner).items():
        reserved = unit in BASE_COLUMNS or unit in TAIL_COLUMNS
        row[f"{unit}_measured" if reserved else unit] = int(value)
    row.update(n_models=int(n_models), fit_seconds=seconds)
    return row
