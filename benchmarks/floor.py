"""The naive floor: compact.fit against plain resample-and-refit of as many models as its budget.

Usage::

    python benchmarks/floor.py                      # 12k x 10, 3 classes, depth 4, 100 trials x 3 draws
    python benchmarks/floor.py --repeats 3          # alternate the two, report the medians
    python benchmarks/floor.py --profile 30         # also cProfile one compact.fit, top 30 functions
    python benchmarks/floor.py --seed 2 --oracle 200/0.1/256   # another problem, the oracle before 0.2
    python benchmarks/floor.py --set class_balance=False      # another compact.fit parameter

On a generated 12,000 x 10 three-class problem (``make_classification``,
split 75/25 into training and validation parts), with an oracle fitted
beforehand (not timed), it times

* ``compact.fit(DecisionTreeClassifier(), X_tr, y_tr, size=4, n_trials=100,
  n_draws=3, validation_data=(X_val, y_val), oracle=<prefitted>)``, and
* the naive floor: fitting ``1 + 99 * 3 = 298`` depth-4 trees on bootstrap
  resamples of the training part and scoring each with ``f1_score`` on the
  validation part, the same number of candidate fits as compaction makes,

and prints their ratio and how many models ``compact.fit`` actually trained
(with its default ``prune_draws`` a trial clearly below the best gets fewer
than 3 draws: that is where most of the saving comes from; ``--prune-draws
none`` fits all 298).  The done-when of issue 14: ratio <= 0.6.  The naive
loop is single-threaded; ``compact.fit`` runs with its defaults (trees: two
trials at a time, in threads over every core) unless ``--n-jobs`` (threads;
``--n-jobs 1``: one thread, like the naive loop) or ``--trial-batch``
(trials asked for at once; ``1``: one at a time) is given.  With its
default ``score_on`` (trees: the training and validation parts) compaction
scores each candidate on four times the rows the naive loop scores on.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time

import numpy as np
from sklearn.datasets import make_classification
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import compact  # noqa: E402
from compact.oracle import fit_default_oracle, resolve_oracle  # noqa: E402

from _data import booster_oracle, literal_params, prune_draws_kwargs  # noqa: E402  (this folder: the script's own)


def make_problem(n_samples: int, n_features: int, n_classes: int, seed: int):
    X, y = make_classification(
        n_samples=n_samples, n_features=n_features, n_informative=min(n_features, 6), n_redundant=2,
        n_classes=n_classes, n_clusters_per_class=2, flip_y=0.05, random_state=seed,
    )
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)


def make_oracle(X_tr, y_tr, seed: int, config: str | None):
    """compact's default oracle, fitted; ``config`` (``trees/rate/bins``) changes its booster."""
    if config is None:
        return resolve_oracle("xgboost", X_tr, y_tr, random_state=seed, n_jobs=1)
    return fit_default_oracle(booster_oracle(config, seed, 1), X_tr, y_tr)


def run_compact(split, oracle, args):
    X_tr, X_val, y_tr, y_val = split
    t0 = time.perf_counter()
    result = compact.fit(
        DecisionTreeClassifier(), X_tr, y_tr, size=args.depth, n_trials=args.trials, n_draws=args.draws,
        validation_data=(X_val, y_val), oracle=oracle, random_state=args.seed,
        **({} if args.n_jobs is None else {"n_jobs": args.n_jobs}),
        **({} if args.trial_batch is None else {"trial_batch": args.trial_batch}),
        **prune_draws_kwargs(args.prune_draws), **literal_params(args.set),
    )
    return time.perf_counter() - t0, result


def run_naive(split, n_fits: int, depth: int, seed: int):
    """Fit ``n_fits`` trees on bootstrap resamples and score each with f1_score: the floor."""
    X_tr, X_val, y_tr, y_val = split
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    best = -np.inf
    for i in range(n_fits):
        idx = rng.integers(len(X_tr), size=len(X_tr))
        tree = DecisionTreeClassifier(max_depth=depth, random_state=i).fit(X_tr[idx], y_tr[idx])
        best = max(best, f1_score(y_val, tree.predict(X_val), average="macro"))
    return time.perf_counter() - t0, best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=12000)
    parser.add_argument("--features", type=int, default=10)
    parser.add_argument("--classes", type=int, default=3)
    parser.add_argument("--depth", type=int, default=4)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=None,
                        help="compact.fit's n_jobs, its threads (default: its default, every core)")
    parser.add_argument("--trial-batch", type=int, default=None,
                        help="compact.fit's trial_batch, trials asked for at once (default: its default, 2)")
    parser.add_argument("--prune-draws", default="default", help="compact.fit's prune_draws: a number or 'none'")
    parser.add_argument("--oracle", default=None, metavar="TREES/RATE/BINS",
                        help="the default oracle's booster with these n_estimators/learning_rate/max_bin, "
                             "e.g. 200/0.1/256 (the default before 0.2)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="another compact.fit parameter, e.g. --set class_balance=False (a Python literal)")
    parser.add_argument("--repeats", type=int, default=1, help="alternate compact and naive this many times")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="also profile one compact.fit and print its top N functions")
    parser.add_argument("--json", help="write the timings to this file")
    args = parser.parse_args(argv)

    split = make_problem(args.samples, args.features, args.classes, args.seed)
    X_tr, _, y_tr, _ = split
    t0 = time.perf_counter()
    oracle = make_oracle(X_tr, y_tr, args.seed, args.oracle)
    oracle_seconds = time.perf_counter() - t0
    n_fits = 1 + (args.trials - 1) * args.draws
    print(f"{args.samples} x {args.features}, {args.classes} classes; depth {args.depth}, "
          f"{args.trials} trials x {args.draws} draws = {n_fits} fits; oracle fitted in {oracle_seconds:.1f} s "
          "(not timed)")

    compact_times, naive_times = [], []
    for _ in range(args.repeats):
        seconds, result = run_compact(split, oracle, args)
        compact_times.append(seconds)
        seconds, naive_best = run_naive(split, n_fits, args.depth, args.seed)
        naive_times.append(seconds)
    c, n = float(np.median(compact_times)), float(np.median(naive_times))
    fits = sum(t.fits for t in result.trials_)  # the baseline is trial 0's model, fitted before the search
    print(f"compact.fit      {c:7.2f} s   (best score on {result.score_on} {result.best_score_:.4f}, "
          f"baseline {result.baseline_score_:.4f}; {fits} models trained, "
          f"{sum(t.stopped for t in result.trials_)} trials stopped early)")
    print(f"naive {n_fits} fits {n:7.2f} s   (best validation F1 of the resamples {naive_best:.4f})")
    print(f"ratio compact / naive = {c / n:.2f}  (done when <= 0.6)")

    report = {"args": vars(args), "compact_seconds": compact_times, "naive_seconds": naive_times,
              "ratio": c / n, "oracle_seconds": oracle_seconds}
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        run_compact(split, oracle, args)
        profiler.disable()
        for key in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(key).print_stats(args.profile)
            print(f"\n--- profile of one compact.fit, by {key} ---")
            print(out.getvalue().split("\n", 4)[-1].strip("\n"))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=2)


if __name__ == "__main__":
    main()
