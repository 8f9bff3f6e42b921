"""Peak memory of a compaction run on a large table (default 200,000 rows x 50 features).

Usage::

    python benchmarks/memory.py [--rows 200000] [--features 50] [--trials 20] [--method oracle]

Runs ``compact.fit`` on generated data (5 classes) with a depth-5 tree and
the default xgboost oracle, and prints wall time and the process's peak
resident memory (``resource.getrusage``).
"""

from __future__ import annotations

import argparse
import resource
import time

from sklearn.datasets import make_classification
from sklearn.tree import DecisionTreeClassifier

import compact


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--method", choices=("oracle", "density_tree"), default="oracle")
    parser.add_argument("--weights-mode", action="store_true")
    args = parser.parse_args(argv)

    X, y = make_classification(n_samples=args.rows, n_features=args.features, n_informative=20,
                               n_classes=5, random_state=0)
    print(f"data: {X.nbytes / 2**20:.0f} MiB; peak so far {peak_mb():.0f} MiB")
    started = time.perf_counter()
    result = compact.fit(DecisionTreeClassifier(), X, y, size=5, n_trials=args.trials, n_draws=args.draws,
                         method=args.method, weights_mode=args.weights_mode, random_state=0, n_jobs=2)
    print(f"{args.rows} x {args.features}, {args.method}, {args.trials} trials x {args.draws} draws: "
          f"{time.perf_counter() - started:.0f} s, validation F1 {result.baseline_score_:.3f} -> "
          f"{result.best_score_:.3f}")
    print(f"peak resident memory: {peak_mb():.0f} MiB")


if __name__ == "__main__":
    main()
