"""Baseline vs compacted test F1-macro over a range of model sizes, for one model family.

Usage::

    python benchmarks/sizes.py --dataset optdigits                   # trees, depths 1-5
    python benchmarks/sizes.py --dataset digits --sizes 1-5          # scikit-learn's digits
    python benchmarks/sizes.py --dataset spambase --model linear --sizes 2,4,8,16
    python benchmarks/sizes.py --dataset texture --model xgboost --sizes 5-20:5 --max-depth 2
    python benchmarks/sizes.py --dataset my.csv --trials 100 --seeds 3

Models and what a size means: ``tree`` depth; ``linear`` (L1 logistic
regression) and ``lpm`` (linear probability model) non-zero coefficients;
``xgboost``, ``forest`` and ``hist`` number of trees, each of depth
``--max-depth``; ``mlp`` hidden units.  Each seed splits the data 60/20/20 (train/validation/test,
stratified), standardises it (fitted on train), fits the xgboost oracle once
(``--method oracle``; ``density_tree`` needs none) and runs ``compact.fit``
for every size, the sizes in parallel processes.  Wall time includes the oracle.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
from joblib import Parallel, delayed
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, os.path.dirname(__file__))
from _data import DEFAULT_DATA_DIR, load, prune_draws_kwargs  # noqa: E402

import compact  # noqa: E402
from compact.models import MODELS, make_estimator, parse_sizes  # noqa: E402
from compact.oracle import resolve_oracle  # noqa: E402

def make_size(model: str, size: int, max_depth: int):
    return (size, max_depth) if model in ("xgboost", "forest", "hist") else size


def run_size(size, split, oracle, args, seed):
    X_tr, y_tr, X_val, y_val, X_te, y_te = split
    result = compact.fit(
        make_estimator(args.model),
        X_tr,
        y_tr,
        size=make_size(args.model, size, args.max_depth),
        oracle=oracle,
        validation_data=(X_val, y_val),
        n_trials=args.trials,
        n_draws=args.draws,
        weights_mode=args.weights_mode,
        method=args.method,
        random_state=seed,
        **prune_draws_kwargs(args.prune_draws),
    )
    return {
        "seed": seed,
        "size": size,
        "measured_size": result.size_,
        "val_baseline": result.baseline_score_,
        "val_compacted": result.best_score_,
        "test_baseline": f1_score(y_te, result.baseline_model_.predict(X_te), average="macro"),
        "test_compacted": f1_score(y_te, result.model_.predict(X_te), average="macro"),
        "seconds": result.fit_seconds_,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="digits",
                        help="built-in name, CSV path, NAME in --data-dir, or keel:NAME")
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--model", choices=MODELS, default="tree")
    parser.add_argument("--sizes", "--depths", dest="sizes", default="1-5",
                        help="e.g. 1-5, 2,4,8 or 5-20:5")
    parser.add_argument("--max-depth", type=int, default=2, help="tree depth inside ensembles")
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=1, help="number of seeds (0, 1, ...)")
    parser.add_argument("--n-jobs", type=int, default=2, help="parallel processes over sizes")
    parser.add_argument("--weights-mode", action="store_true")
    parser.add_argument("--prune-draws", default="default",
                        help="compact.fit's prune_draws: a number or 'none' (every draw; the figures in "
                             "docs/benchmarks.md)")
    parser.add_argument("--method", choices=("oracle", "density_tree"), default="oracle")
    parser.add_argument("--json", help="write the rows to this file")
    args = parser.parse_args(argv)

    X, y = load(args.dataset, args.data_dir)
    sizes = parse_sizes(args.sizes)
    print(f"{args.dataset}: {X.shape[0]} rows, {X.shape[1]} features, {len(np.unique(y))} classes; "
          f"{args.model} sizes {sizes}, {args.method} method, {args.trials} trials x {args.draws} draws, "
          f"{args.seeds} seed(s)")
    started = time.perf_counter()
    rows = []
    with Parallel(n_jobs=args.n_jobs) as parallel:
        for seed in range(args.seeds):
            X_rest, X_te, y_rest, y_te = train_test_split(X, y, test_size=0.2, stratify=y, random_state=seed)
            X_tr, X_val, y_tr, y_val = train_test_split(
                X_rest, y_rest, test_size=0.25, stratify=y_rest, random_state=seed
            )
            scaler = StandardScaler().fit(X_tr)
            split = (scaler.transform(X_tr), y_tr, scaler.transform(X_val), y_val, scaler.transform(X_te), y_te)
            oracle = None
            if args.method == "oracle":
                codes = np.unique(y_tr, return_inverse=True)[1]
                oracle = resolve_oracle("xgboost", split[0], codes, random_state=seed, n_jobs=args.n_jobs)
            # Largest first: they take longest, so the pool stays balanced.
            rows += parallel(
                delayed(run_size)(s, split, oracle, args, seed) for s in sorted(sizes, reverse=True)
            )
    wall = time.perf_counter() - started

    print(f"{'size':>5} {'test base':>10} {'test comp':>10} {'gain':>8} {'val base':>9} {'val comp':>9}")
    for size in sizes:
        sel = [r for r in rows if r["size"] == size]
        tb = np.array([r["test_baseline"] for r in sel])
        tc = np.array([r["test_compacted"] for r in sel])
        vb = np.mean([r["val_baseline"] for r in sel])
        vc = np.mean([r["val_compacted"] for r in sel])
        spread = f" ±{np.std(tc - tb):.3f}" if len(sel) > 1 else ""
        print(f"{size:>5} {tb.mean():>10.3f} {tc.mean():>10.3f} {tc.mean() - tb.mean():>+8.3f}{spread} "
              f"{vb:>9.3f} {vc:>9.3f}")
    print(f"wall time {wall:.1f} s ({args.n_jobs} processes)")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"args": vars(args), "wall_seconds": wall, "rows": rows}, fh, indent=2, default=str)


if __name__ == "__main__":
    main()
