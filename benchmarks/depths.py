"""Baseline vs compacted test F1-macro of decision trees over a range of depths.

Usage::

    python benchmarks/depths.py --dataset optdigits            # ../shared/data/optdigits.csv
    python benchmarks/depths.py --dataset digits --depths 1-5  # scikit-learn's digits
    python benchmarks/depths.py --dataset my.csv --trials 100 --seeds 3

Each seed splits the data 60/20/20 (train/validation/test, stratified), fits the
oracle once on the training part and runs ``compact.fit`` for every depth, the
depths in parallel processes.  Wall time includes the oracle.
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
from sklearn.tree import DecisionTreeClassifier

sys.path.insert(0, os.path.dirname(__file__))
from _data import DEFAULT_DATA_DIR, load, parse_range  # noqa: E402

import compact  # noqa: E402
from compact.oracle import resolve_oracle  # noqa: E402


def run_depth(depth, X_tr, y_tr, X_val, y_val, X_te, y_te, oracle, args, seed):
    result = compact.fit(
        DecisionTreeClassifier(),
        X_tr,
        y_tr,
        size=depth,
        oracle=oracle,
        validation_data=(X_val, y_val),
        n_trials=args.trials,
        n_draws=args.draws,
        weights_mode=args.weights_mode,
        random_state=seed,
    )
    return {
        "seed": seed,
        "depth": depth,
        "measured_depth": result.size_,
        "val_baseline": result.baseline_score_,
        "val_compacted": result.best_score_,
        "test_baseline": f1_score(y_te, result.baseline_model_.predict(X_te), average="macro"),
        "test_compacted": f1_score(y_te, result.model_.predict(X_te), average="macro"),
        "seconds": result.fit_seconds_,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="digits", help="built-in name, CSV path, or NAME in --data-dir")
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--depths", default="1-5")
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=1, help="number of seeds (0, 1, ...)")
    parser.add_argument("--n-jobs", type=int, default=2, help="parallel processes over depths")
    parser.add_argument("--weights-mode", action="store_true")
    parser.add_argument("--json", help="write the rows to this file")
    args = parser.parse_args(argv)

    X, y = load(args.dataset, args.data_dir)
    depths = parse_range(args.depths)
    print(f"{args.dataset}: {X.shape[0]} rows, {X.shape[1]} features, {len(np.unique(y))} classes; "
          f"depths {depths}, {args.trials} trials x {args.draws} draws, {args.seeds} seed(s)")
    started = time.perf_counter()
    rows = []
    with Parallel(n_jobs=args.n_jobs) as parallel:
        for seed in range(args.seeds):
            X_rest, X_te, y_rest, y_te = train_test_split(X, y, test_size=0.2, stratify=y, random_state=seed)
            X_tr, X_val, y_tr, y_val = train_test_split(
                X_rest, y_rest, test_size=0.25, stratify=y_rest, random_state=seed
            )
            codes = np.unique(y_tr, return_inverse=True)[1]
            oracle = resolve_oracle("xgboost", X_tr, codes, random_state=seed, n_jobs=args.n_jobs)
            # Deepest first: they take longest, so the pool stays balanced.
            rows += parallel(
                delayed(run_depth)(d, X_tr, y_tr, X_val, y_val, X_te, y_te, oracle, args, seed)
                for d in sorted(depths, reverse=True)
            )
    wall = time.perf_counter() - started

    print(f"{'depth':>5} {'test base':>10} {'test comp':>10} {'gain':>8} {'val base':>9} {'val comp':>9}")
    for depth in depths:
        sel = [r for r in rows if r["depth"] == depth]
        tb = np.array([r["test_baseline"] for r in sel])
        tc = np.array([r["test_compacted"] for r in sel])
        vb = np.mean([r["val_baseline"] for r in sel])
        vc = np.mean([r["val_compacted"] for r in sel])
        spread = f" ±{np.std(tc - tb):.3f}" if len(sel) > 1 else ""
        print(f"{depth:>5} {tb.mean():>10.3f} {tc.mean():>10.3f} {tc.mean() - tb.mean():>+8.3f}{spread} "
              f"{vb:>9.3f} {vc:>9.3f}")
        assert all(r["measured_depth"] <= depth for r in sel)
    print(f"wall time {wall:.1f} s ({args.n_jobs} processes)")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"args": vars(args), "wall_seconds": wall, "rows": rows}, fh, indent=2)


if __name__ == "__main__":
    main()
