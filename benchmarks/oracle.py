"""The default oracle's settings: fit time and validation log loss.

Usage::

    python benchmarks/oracle.py --data-dir ../shared/data                   # every CSV there, 3 seeds
    python benchmarks/oracle.py --data-dir ../shared/data --configs 200/0.1/256,100/0.2/32 --threads 2

For each dataset and seed, the training part of ``benchmarks/peers.py``'s
60/20/20 split fits compact's default oracle (sigmoid-calibrated xgboost,
3 folds) with each configuration ``n_estimators/learning_rate/max_bin`` and
each number of fold threads; reported: fit seconds and the log loss and
F1-macro of its probabilities on the validation part (the test part is never
read).  It is the evidence behind the default (100 trees at 0.2, 64 bins;
before: 200 at 0.1, 256 bins) and the threaded folds: the same log loss for
any number of threads (the same model), and the time each saves.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
from _data import DEFAULT_DATA_DIR, booster_oracle  # noqa: E402
from peers import load_csv, splits  # noqa: E402


def measure(X_tr, y_tr, X_va, y_va, *, seed, config, threads) -> dict:
    from sklearn.metrics import f1_score, log_loss

    from compact.oracle import fit_default_oracle

    oracle = booster_oracle(config, seed, threads)
    t0 = time.perf_counter()
    fit_default_oracle(oracle, X_tr, y_tr)
    seconds = time.perf_counter() - t0
    proba = oracle.predict_proba(X_va)
    return {"fit_s": seconds, "val_log_loss": float(log_loss(y_va, proba, labels=oracle.classes_)),
            "val_f1": float(f1_score(y_va, oracle.classes_[proba.argmax(1)], average="macro"))}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--datasets", default=None, help="comma-separated names in --data-dir (default: all CSV)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--configs", default="200/0.1/256,100/0.2/64",
                        help="n_estimators/learning_rate/max_bin of the xgboost booster, comma-separated")
    parser.add_argument("--threads", default="1,2", help="numbers of threads fitting the calibration folds")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "oracle.json"))
    args = parser.parse_args(argv)

    names = (args.datasets.split(",") if args.datasets else
             sorted(f[:-4] for f in os.listdir(args.data_dir) if f.endswith(".csv")))
    configs = args.configs.split(",")
    threads = [int(t) for t in args.threads.split(",")]
    rows = []
    for name in names:
        X, y = load_csv(os.path.join(args.data_dir, f"{name}.csv"))
        for seed in range(args.seeds):
            X_tr, y_tr, X_va, y_va, _, _ = splits(X, y, seed)
            for config in configs:
                for n in threads:
                    rows.append({"dataset": name, "seed": seed, "config": config, "threads": n,
                                 **measure(X_tr, y_tr, X_va, y_va, seed=seed, config=config, threads=n)})
                    print(json.dumps(rows[-1]), flush=True)
    print("\n| dataset | trees/rate/bins | threads | fit s | validation log loss | validation F1 |\n"
          "|---|---|---|---|---|---|")
    for name in names:
        for config in configs:
            for n in threads:
                sel = [r for r in rows if (r["dataset"], r["config"], r["threads"]) == (name, config, n)]
                print(f"| {name} | {config} | {n} | {np.mean([r['fit_s'] for r in sel]):.2f} | "
                      f"{np.mean([r['val_log_loss'] for r in sel]):.4f} | {np.mean([r['val_f1'] for r in sel]):.4f} |")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump({"command": " ".join(["python", "benchmarks/oracle.py", *(argv or sys.argv[1:])]), "rows": rows},
                  fh, indent=1)
    print(f"\nwritten: {args.out}")


if __name__ == "__main__":
    main()
