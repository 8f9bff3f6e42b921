"""compact side by side with the reference library compactem 0.9.8: same splits, same budget.

Usage::

    python benchmarks/peers.py --data-dir ../shared/data                    # every CSV there, 3 seeds
    python benchmarks/peers.py --data-dir ../shared/data --datasets phoneme --seeds 1 --depths 1,2 --trials 10
    python benchmarks/peers.py --data-dir benchmarks/results/norms_csv --ref-script ../shared/peer/run_compactem.py

The reference runs through ``../shared/peer/run_compactem.py`` in its own
virtual environment (``--ref-python``, default ``/work/.venv-ref/bin/python``;
set it up as that script's docstring says).  For every dataset and seed both
libraries get the same stratified 60/20/20 split (``train_test_split`` twice
with ``random_state=seed``, labels encoded as ``LabelEncoder`` does), decision
trees at each depth, the same number of optimisation trials; compact uses its
default ``n_draws`` (2 for trees) and its default xgboost oracle, fitted once per seed
(its calibration folds in one thread per core) and counted in its wall time;
the reference fits its calibrated LightGBM once per run, inside its wall
time.  Imports are outside both clocks: the reference's happen before its
clock starts (its process pool forks from there), and compact's worker
processes import compact, scikit-learn, xgboost and Optuna before its clock
starts (joblib restarts workers idle for 300 s, as they are while a
reference run goes on).  Each side runs alone (never both at once); the depths of one seed run
in ``--n-jobs`` processes on either side (the reference's ``poolsize`` is 2).
The reference's trees are ``DecisionTreeClassifier(class_weight="balanced")``
(with ``min_impurity_decrease`` chosen on a hold-out of each sample);
compact's are ``DecisionTreeClassifier()`` unless ``--tree`` sets parameters,
e.g. ``--tree "class_weight='balanced'"``.

Reported per dataset and depth (means over seeds): test F1-macro of the
baseline on each side (the reference fits its baseline on the training and
validation parts together, with a grid search over ``min_impurity_decrease``),
the reference's compacted figure (the mean test F1 of its best trial's draws:
compactem's ``test_score_obj_fn_at_best_params_val``), and two compact
figures: the test F1 of the tree ``compact.fit`` returns (the best-scoring
draw of any trial where the training rows are scored too, of the chosen
trial where only the validation part is), and the mean test F1 of the
chosen trial's draws (the models recorded as compact fits them), the
reference's own measure; with the differences to the reference's figure.  Per dataset: wall seconds
of each side and the ratio reference / compact.  Rows go to ``--out`` (``benchmarks/results/``) as
CSV and JSON together with the command line; a markdown table is printed.

Reference runs are cached in ``--out/peers_ref/`` by dataset, seed, depths and
trials (they take minutes each); ``--rerun-ref`` ignores the cache.

Neither side is seeded alike: the reference is not seeded at all, and
compact's result moves with its ``random_state``.  ``--search-seeds K`` runs
compact ``K`` times per split (``random_state`` = seed + 1000 k) and
``--ref-pool DIR`` adds the reference runs cached in another ``peers_ref``
folder (copies of one run count once); a second table then compares the
means per split, with a standard error from both sides' reruns and one from
the spread of the per-split differences (see :func:`pooled_table`).  The
reference's own measure, the best trial's mean, is compared with the model
compact returns.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
from _data import DEFAULT_DATA_DIR, literal_params  # noqa: E402

DEFAULT_OUT = os.path.join(HERE, "results")


def load_csv(path):
    """Features and encoded labels exactly as the reference's runner reads them."""
    from sklearn.preprocessing import LabelEncoder

    raw = np.genfromtxt(path, delimiter=",", dtype=str)
    return raw[:, :-1].astype(float), LabelEncoder().fit_transform(raw[:, -1])


def splits(X, y, seed: int):
    """The reference runner's 60/20/20 split."""
    from sklearn.model_selection import train_test_split

    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, stratify=y, random_state=seed)
    X_tr, X_va, y_tr, y_va = train_test_split(X_tr, y_tr, test_size=0.25, stratify=y_tr, random_state=seed)
    return X_tr, y_tr, X_va, y_va, X_te, y_te


# -- compact -----------------------------------------------------------------------
@contextmanager
def recorded_draws():
    """Every candidate model compact fits in this process, by ``(trial, draw)``.

    A measurement hook on compact's private trainer: the reference reports the
    mean test F1 of its best trial's draws, so the same measure for compact
    needs the models of the chosen trial's other draws too.
    """
    from compact._trainer import CandidateTrainer

    fitted, original = {}, CandidateTrainer.fit_one

    def fit_one(self, candidate):
        model = original(self, candidate)
        fitted[(candidate.trial, candidate.draw)] = model
        return model

    CandidateTrainer.fit_one = fit_one
    try:
        yield fitted
    finally:
        CandidateTrainer.fit_one = original


def trial_mean_test_f1(result, fitted, split) -> float:
    """Mean test F1 of the chosen trial's draws (the reference's measure), after checking that
    the recorded models are that trial's: their F1 on compact's score rows must be its recorded scores."""
    from sklearn.metrics import f1_score

    from compact._problem import score_rows

    X_tr, y_tr, X_va, y_va, X_te, y_te = split
    X_va, y_va = score_rows(result.score_on, X_tr, y_tr, X_va, y_va)
    # The trial model_ was drawn from (with score_on="train+validation" it may be one whose draws were stopped).
    best = next(t for t in result.trials_ if t.params == result.best_params_)
    original = best.number == 0  # the original data: one candidate, (0, 0)
    models = [fitted[(best.number, d)] for d in range(1 if original else len(best.scores))]
    for model, score in zip(models, best.scores):
        assert abs(f1_score(y_va, model.predict(X_va), average="macro") - score) < 1e-12
    return float(np.mean([f1_score(y_te, m.predict(X_te), average="macro") for m in models]))


def _compact_depth(depth, split, oracle, trials, draws, seed, extra, tree):
    """One depth's search on one split (``seed``: compact's ``random_state``)."""
    from sklearn.metrics import f1_score
    from sklearn.tree import DecisionTreeClassifier

    import compact

    X_tr, y_tr, X_va, y_va, X_te, y_te = split
    kwargs = {**({} if draws is None else {"n_draws": draws}), **extra}
    with recorded_draws() as fitted:
        t0 = time.perf_counter()
        result = compact.fit(DecisionTreeClassifier(**tree), X_tr, y_tr, size=depth, oracle=oracle,
                             validation_data=(X_va, y_va), n_trials=trials, random_state=seed, **kwargs)
        seconds = time.perf_counter() - t0
    return {
        "depth": depth,
        "baseline_test_f1": float(f1_score(y_te, result.baseline_model_.predict(X_te), average="macro")),
        "compact_test_f1": float(f1_score(y_te, result.model_.predict(X_te), average="macro")),
        "compact_trial_mean_test_f1": trial_mean_test_f1(result, fitted, split),
        "val_baseline": float(result.baseline_score_),  # on compact's score rows (score_on)
        "val_compacted": float(result.best_score_),
        "score_on": result.score_on,
        "sample_frac_scale": result.sample_frac_scale,
        "runtime_s": seconds,
    }


def _warm_up() -> int:
    """The imports of a depth's run, done in a worker process before the clock starts."""
    import optuna  # noqa: F401
    import sklearn.tree  # noqa: F401
    import xgboost  # noqa: F401

    import compact  # noqa: F401

    time.sleep(0.5)  # so that each worker gets one of these tasks
    return os.getpid()


def run_compact(path, depths, trials, draws, seed, n_jobs, extra=None, tree=None, search_seed=None):
    """Every depth on the split of ``seed``; compact's ``random_state`` is ``search_seed`` (default ``seed``)."""
    from joblib import Parallel, delayed

    from compact.oracle import resolve_oracle

    X, y = load_csv(path)
    # The reference's imports happen before its clock starts and its pool forks from that process;
    # compact's worker processes (restarted by joblib after 300 s idle, e.g. during a reference run)
    # import what they need before the clock starts too.
    Parallel(n_jobs=n_jobs)(delayed(_warm_up)() for _ in range(n_jobs))
    t0 = time.perf_counter()
    split = splits(X, y, seed)
    # The oracle is fitted alone, before the depths: its calibration folds may use every core.
    oracle = resolve_oracle("xgboost", split[0], split[1], random_state=seed, n_jobs=os.cpu_count() or 1)
    oracle_s = time.perf_counter() - t0
    # Deepest first: they take longest, so the pool stays balanced.
    rows = Parallel(n_jobs=n_jobs)(
        delayed(_compact_depth)(d, split, oracle, trials, draws, seed if search_seed is None else search_seed,
                                extra or {}, tree or {})
        for d in sorted(depths, reverse=True)
    )
    return {"wall_s": time.perf_counter() - t0, "oracle_s": oracle_s, "rows": sorted(rows, key=lambda r: r["depth"])}


# -- the reference -------------------------------------------------------------------
def run_reference(path, depths, trials, seed, args):
    name = os.path.splitext(os.path.basename(path))[0]
    cache_dir = os.path.join(args.out, "peers_ref")
    cache = os.path.join(cache_dir, cache_name(name, seed, depths, trials))
    if os.path.exists(cache) and not args.rerun_ref:
        with open(cache) as fh:
            return json.load(fh)
    with tempfile.TemporaryDirectory(prefix="compactem-") as work:
        cmd = [args.ref_python, os.path.abspath(args.ref_script), os.path.abspath(path),
               ",".join(map(str, depths)), str(trials), work, str(seed)]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=work)
        wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"reference run failed ({' '.join(cmd)}):\n{proc.stderr[-3000:]}")
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"reference run printed no JSON line:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    result = json.loads(lines[-1])
    result["process_wall_s"] = wall  # including its imports and start-up
    result["command"] = " ".join(cmd)
    os.makedirs(cache_dir, exist_ok=True)
    with open(cache, "w") as fh:
        json.dump(result, fh, indent=2)
    return result


def pooled_reference(ref, file_name, dirs):
    """``{depth: [test F1 of each distinct reference run]}``: ``ref`` and the runs cached as
    ``file_name`` in ``dirs`` (earlier ``--out/peers_ref`` folders); a copy of a run counts once."""
    runs = [ref]
    for path in (os.path.join(d, file_name) for d in dirs):
        if os.path.exists(path):
            with open(path) as fh:
                runs.append(json.load(fh))
    distinct = {tuple(round(r["compact_test_f1"], 12) for r in run["rows"]): run for run in runs}
    pooled = {}
    for run in distinct.values():
        for r in run["rows"]:
            pooled.setdefault(r["depth"], []).append(r["compact_test_f1"])
    return pooled


def cache_name(name, seed, depths, trials) -> str:
    return f"{name}_seed{seed}_d{'-'.join(map(str, depths))}_t{trials}.json"


# -- report ------------------------------------------------------------------------
def table(rows, runs):
    """Markdown tables: test F1 per dataset and depth (means over seeds), then wall times.

    Two compact figures: the test F1 of the model it returns (the best-scoring
    draw: of any trial where the training rows are scored too, else of the
    chosen trial), and the mean test F1 of the chosen trial's draws, which is
    what the reference reports for itself (its best trial's
    ``mean_test_score``): the like-for-like comparison.
    """
    lines = ["| dataset | depth | ref baseline | ref compacted (trial mean) | compact baseline | compact model | "
             "compact trial mean | model - ref | trial mean - ref |", "|---|---|---|---|---|---|---|---|---|"]
    keys = ("ref_baseline_test_f1", "ref_compact_test_f1", "baseline_test_f1", "compact_test_f1",
            "compact_trial_mean_test_f1")
    for dataset in sorted({r["dataset"] for r in rows}):
        for depth in sorted({r["depth"] for r in rows if r["dataset"] == dataset}):
            sel = [r for r in rows if r["dataset"] == dataset and r["depth"] == depth]
            m = {k: float(np.mean([r.get(k, np.nan) for r in sel])) for k in keys}
            diffs = [m[k] - m["ref_compact_test_f1"] for k in ("compact_test_f1", "compact_trial_mean_test_f1")]
            marks = ["" if np.isnan(d) or d >= 0 else " **no**" for d in diffs]
            lines.append(f"| {dataset} | {depth} | {m['ref_baseline_test_f1']:.3f} | {m['ref_compact_test_f1']:.3f} | "
                         f"{m['baseline_test_f1']:.3f} | {m['compact_test_f1']:.3f} | "
                         f"{m['compact_trial_mean_test_f1']:.3f} | {diffs[0]:+.3f}{marks[0]} | "
                         f"{diffs[1]:+.3f}{marks[1]} |")
    lines += ["", "| dataset | seeds | ref wall s | compact wall s | speed-up (ref / compact) |",
              "|---|---|---|---|---|"]
    for dataset in sorted({r["dataset"] for r in runs}):
        sel = [r for r in runs if r["dataset"] == dataset]
        ref = float(np.mean([r["ref_wall_s"] for r in sel]))
        comp = float(np.mean([r["compact_wall_s"] for r in sel]))
        ratio = "n/a" if np.isnan(ref) else f"{ref / comp:.1f}x"
        lines.append(f"| {dataset} | {len(sel)} | {ref:.1f} | {comp:.1f} | {ratio} |")
    return "\n".join(lines)


def pooled_table(rows):
    """Markdown table of compact's reruns (``--search-seeds``) against the pooled reference runs.

    Per split seed, the difference of the two sides' mean test F1 (compact's
    model, the reference's trial mean) with its variance from the reruns of
    each side on that split; per dataset and depth, the mean over seeds with
    its standard error and ``z`` = difference / error.  Each side's variation
    is rerun-to-rerun on fixed splits, so |z| < 2 is a difference the reruns
    cannot tell from zero.  The last two columns take the spread of the
    per-split differences instead (their standard deviation over
    ``sqrt(splits)``, from 3 splits on): whether the difference holds from
    split to split, what a claim about the dataset rather than these splits
    needs.
    """
    lines = ["| dataset | depth | ref runs / split | compact runs / split | ref | compact | compact - ref | "
             "standard error | z | error over splits | z over splits |", "|---" * 11 + "|"]
    for dataset in sorted({r["dataset"] for r in rows}):
        for depth in sorted({r["depth"] for r in rows if r["dataset"] == dataset}):
            cell = [r for r in rows if r["dataset"] == dataset and r["depth"] == depth]
            diffs, variances, refs, ours, n_ref, n_ours = [], [], [], [], [], []
            for seed in sorted({r["seed"] for r in cell}):
                sel = [r for r in cell if r["seed"] == seed]
                ref_runs, c = json.loads(sel[0]["ref_runs_test_f1"]), [r["compact_test_f1"] for r in sel]
                refs.append(np.mean(ref_runs))
                ours.append(np.mean(c))
                diffs.append(ours[-1] - refs[-1])
                variances.append(_var(c) / len(c) + _var(ref_runs) / len(ref_runs))
                n_ref.append(len(ref_runs))
                n_ours.append(len(c))
            diff, se = float(np.mean(diffs)), float(np.sqrt(np.sum(variances)) / len(diffs))
            z = f"{diff / se:+.1f}" if se > 1e-12 else "n/a"  # no spread: identical reruns (or rounding)
            split_se = float(np.std(diffs, ddof=1) / np.sqrt(len(diffs))) if len(diffs) > 2 else np.nan
            split_z = f"{diff / split_se:+.1f}" if split_se > 1e-12 else "n/a"
            lines.append(f"| {dataset} | {depth} | {min(n_ref)}-{max(n_ref)} | {min(n_ours)}-{max(n_ours)} | "
                         f"{np.mean(refs):.4f} | {np.mean(ours):.4f} | {diff:+.4f}{'' if diff >= 0 else ' **no**'} | "
                         f"{se:.4f} | {z} | {'n/a' if np.isnan(split_se) else f'{split_se:.4f}'} | {split_z} |")
    return "\n".join(lines)


def _var(values) -> float:
    """Sample variance; 0 for a single value (a side without reruns adds no spread)."""
    return float(np.var(values, ddof=1)) if len(values) > 1 else 0.0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--datasets", default=None, help="comma-separated names in --data-dir (default: all CSV)")
    parser.add_argument("--depths", default="1,2,3,4,5")
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--draws", type=int, default=None, help="compact's n_draws (default: compact's default)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="another compact.fit parameter, e.g. --set prune_draws=0.5 (a Python literal)")
    parser.add_argument("--tree", action="append", default=[], metavar="NAME=VALUE",
                        help="a parameter of compact's DecisionTreeClassifier, e.g. --tree \"class_weight='balanced'\"")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=2, help="processes over depths for compact")
    parser.add_argument("--ref-python", default="/work/.venv-ref/bin/python")
    parser.add_argument("--ref-script", default=None,
                        help="default: ../peer/run_compactem.py next to --data-dir")
    parser.add_argument("--rerun-ref", action="store_true", help="ignore cached reference runs")
    parser.add_argument("--ref-pool", action="append", default=[], metavar="DIR",
                        help="another peers_ref folder whose runs of the same split are pooled with this one's "
                             "(the pooled table); repeatable")
    parser.add_argument("--search-seeds", type=int, default=1,
                        help="compact runs per split, random_state = seed + 1000 * k (k = 0 is the usual run)")
    parser.add_argument("--skip-ref", action="store_true", help="compact only (no ratio)")
    parser.add_argument("--out", default=DEFAULT_OUT)
    parser.add_argument("--tag", default="peers", help="file name stem of the results")
    args = parser.parse_args(argv)

    if args.ref_script is None:
        args.ref_script = os.path.join(args.data_dir, "..", "peer", "run_compactem.py")
    depths = [int(d) for d in args.depths.split(",")]
    extra, tree = literal_params(args.set), literal_params(args.tree)
    names = (args.datasets.split(",") if args.datasets else
             sorted(f[:-4] for f in os.listdir(args.data_dir) if f.endswith(".csv")))
    os.makedirs(args.out, exist_ok=True)
    rows, runs = [], []
    for name in names:
        path = os.path.join(args.data_dir, f"{name}.csv")
        for seed in range(args.seeds):
            ref = None if args.skip_ref else run_reference(path, depths, args.trials, seed, args)
            ref_rows = {} if ref is None else {r["depth"]: r for r in ref["rows"]}
            pooled = {} if ref is None else pooled_reference(ref, cache_name(name, seed, depths, args.trials),
                                                            args.ref_pool)
            for k in range(args.search_seeds):
                ours = run_compact(path, depths, args.trials, args.draws, seed, args.n_jobs, extra, tree,
                                   search_seed=seed + 1000 * k)
                for r in ours["rows"]:
                    peer = ref_rows.get(r["depth"], {})
                    rows.append({"dataset": name, "seed": seed, "search_seed": seed + 1000 * k, **r,
                                 "ref_baseline_test_f1": peer.get("baseline_test_f1", np.nan),
                                 "ref_compact_test_f1": peer.get("compact_test_f1", np.nan),
                                 "ref_oracle_test_f1": peer.get("oracle_test_f1", np.nan),
                                 "ref_runs_test_f1": json.dumps(pooled.get(r["depth"], []))})
                runs.append({"dataset": name, "seed": seed, "search_seed": seed + 1000 * k,
                             "compact_wall_s": ours["wall_s"], "compact_oracle_s": ours["oracle_s"],
                             "ref_wall_s": np.nan if ref is None else ref["wall_s"],
                             "ref_process_wall_s": np.nan if ref is None else ref.get("process_wall_s", np.nan)})
                last = runs[-1]
                print(f"{name} seed {seed} (search seed {seed + 1000 * k}): compact {last['compact_wall_s']:.1f} s, "
                      f"reference {last['ref_wall_s']:.1f} s", flush=True)

    stem = os.path.join(args.out, args.tag)
    with open(stem + ".csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    md = table(rows, runs)
    if not args.skip_ref and (args.search_seeds > 1 or args.ref_pool):
        md += "\n\nReruns: compact's searches against the pooled reference runs\n\n" + pooled_table(rows)
    with open(stem + ".json", "w") as fh:
        json.dump({"command": " ".join([os.path.basename(sys.executable), *sys.argv]), "args": vars(args),
                   "rows": rows, "runs": runs, "markdown": md}, fh, indent=2, default=float)
    print()
    print(md)
    print(f"\nwritten: {stem}.csv, {stem}.json")


if __name__ == "__main__":
    main()
