"""Search settings compared on generated problems: test F1 of the returned tree, fits and CPU time.

Usage::

    python benchmarks/generated.py --arms "n_draws=3;n_draws=2"
    python benchmarks/generated.py --arms "n_draws=3;n_draws=2" --problem-seed 500
    python benchmarks/generated.py --arms "class_balance=False;" --imbalanced

A place to choose defaults without touching the shared datasets' test parts:
four ``make_classification`` problems (2, 3, 4 and 6 classes; 5,000 rows;
10-20 features; label noise; with ``--imbalanced``, class ``k`` is drawn in
proportion to ``0.55 ** k``), each split 60/20/20 as ``benchmarks/peers.py``
splits, decision trees at depths 1-5, seeds 0..``--seeds``-1 (the split, the
oracle and the search), 100 trials.  Each arm is a ``;``-separated set of
``compact.fit`` parameters (``NAME=VALUE,NAME=VALUE``, Python literals; an
empty arm is the defaults).  Prints, per arm, the models trained, the CPU
seconds of the searches, the mean validation and test F1-macro; then each
arm against the first: the mean paired test-F1 difference over the
problem x seed x depth cells, how many went up and down, Wilcoxon's
signed-rank p, and the mean per depth.  "validation" is the returned tree's
F1 on the validation part (earlier runs, the ``gen_so*`` runs of ``score_on``
included, recorded the chosen trial's mean score there instead, on the score rows).  Rows go to ``--out`` as JSON with
the command line.  The tasks run in 2 processes, each search in one thread.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
from _data import literal_params  # noqa: E402
from peers import splits  # noqa: E402

PROBLEMS = (
    dict(n_classes=2, n_features=10, n_informative=4, flip_y=0.05, class_sep=0.8),
    dict(n_classes=3, n_features=10, n_informative=5, flip_y=0.05, class_sep=0.8),
    dict(n_classes=6, n_features=20, n_informative=8, flip_y=0.05, class_sep=1.0),
    dict(n_classes=4, n_features=15, n_informative=6, flip_y=0.10, class_sep=1.2),
)


def parse_arms(text: str) -> dict[str, dict]:
    """``"a=1,b=2;c=3"`` -> ``{"a=1,b=2": {"a": 1, "b": 2}, "c=3": {"c": 3}}``."""
    return {arm.strip() or "defaults": literal_params(item for item in arm.split(",") if item.strip())
            for arm in text.split(";")}


def make_problem(problem: int, seed: int, problem_seed: int, imbalanced: bool):
    """``(X, y)`` of problem ``problem`` for split seed ``seed``."""
    from sklearn.datasets import make_classification

    spec = dict(PROBLEMS[problem])
    if imbalanced:
        share = 0.55 ** np.arange(spec["n_classes"])
        spec["weights"] = list(share / share.sum())
    return make_classification(n_samples=5000, n_clusters_per_class=2,
                               random_state=problem_seed + 10 * problem + seed, **spec)


def run_cell(problem: int, seed: int, depth: int, params: dict, problem_seed: int, imbalanced: bool) -> dict:
    """One search: the problem's split for ``seed``, its oracle, ``compact.fit`` with ``params``."""
    from sklearn.metrics import f1_score
    from sklearn.tree import DecisionTreeClassifier

    import compact
    from compact.oracle import resolve_oracle

    X, y = make_problem(problem, seed, problem_seed, imbalanced)
    X_tr, y_tr, X_va, y_va, X_te, y_te = splits(X, y, seed)
    oracle = resolve_oracle("xgboost", X_tr, y_tr, random_state=seed, n_jobs=1)
    began = time.process_time()
    result = compact.fit(DecisionTreeClassifier(), X_tr, y_tr, size=depth, oracle=oracle,
                         validation_data=(X_va, y_va), n_trials=100, random_state=seed, n_jobs=1, **params)
    return {"problem": problem, "seed": seed, "depth": depth, "cpu_s": time.process_time() - began,
            "fits": int(sum(t.fits for t in result.trials_)),
            "val_f1": float(f1_score(y_va, result.model_.predict(X_va), average="macro")),
            "score": float(result.best_score_), "score_on": result.score_on,
            "test_f1": float(f1_score(y_te, result.model_.predict(X_te), average="macro"))}


def report(rows: list[dict], arms: list[str]) -> str:
    from scipy.stats import wilcoxon

    lines = []
    for arm in arms:
        sel = [r for r in rows if r["arm"] == arm]
        lines.append(f"{arm}: fits {sum(r['fits'] for r in sel)}, cpu {sum(r['cpu_s'] for r in sel):.1f} s, "
                     f"validation {np.mean([r['val_f1'] for r in sel]):.4f}, "
                     f"test {np.mean([r['test_f1'] for r in sel]):.4f}")
    key = lambda r: (r["problem"], r["seed"], r["depth"])  # noqa: E731
    first = {key(r): r["test_f1"] for r in rows if r["arm"] == arms[0]}
    for arm in arms[1:]:
        sel = [r for r in rows if r["arm"] == arm]
        diff = np.array([r["test_f1"] - first[key(r)] for r in sel])
        p = wilcoxon(diff).pvalue if np.any(diff) else 1.0
        by_depth = ", ".join(f"{d}: {np.mean([r['test_f1'] - first[key(r)] for r in sel if r['depth'] == d]):+.4f}"
                             for d in sorted({r["depth"] for r in sel}))
        lines.append(f"{arm} - {arms[0]}: test {diff.mean():+.4f} ({np.sum(diff > 0)} up, {np.sum(diff < 0)} down, "
                     f"Wilcoxon p = {p:.2f}); by depth {by_depth}")
    return "\n".join(lines)


def main(argv=None):
    from joblib import Parallel, delayed

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arms", default="n_draws=3;n_draws=2")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--depths", default="1,2,3,4,5")
    parser.add_argument("--problem-seed", type=int, default=100, help="generates other problems")
    parser.add_argument("--imbalanced", action="store_true", help="class k in proportion to 0.55 ** k")
    parser.add_argument("--n-jobs", type=int, default=2, help="processes")
    parser.add_argument("--out", default=os.path.join(HERE, "results"))
    parser.add_argument("--tag", default="generated")
    args = parser.parse_args(argv)
    arms = parse_arms(args.arms)
    depths = [int(d) for d in args.depths.split(",")]
    cells = list(itertools.product(range(len(PROBLEMS)), range(args.seeds), depths, arms))
    print(f"{len(cells)} searches in {args.n_jobs} processes", flush=True)
    found = Parallel(n_jobs=args.n_jobs)(
        delayed(run_cell)(problem, seed, depth, arms[arm], args.problem_seed, args.imbalanced)
        for problem, seed, depth, arm in cells)
    rows = [{**row, "arm": cell[3]} for row, cell in zip(found, cells)]
    text = report(rows, list(arms))
    print(text)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, f"{args.tag}.json")
    with open(path, "w") as fh:
        json.dump({"command": " ".join(sys.argv), "rows": rows, "report": text}, fh, indent=1)
    print(f"written: {path}")


if __name__ == "__main__":
    main()
