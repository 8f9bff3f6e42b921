"""Anytime curves: best validation and test F1 vs trials and vs seconds, for a few sampler settings.

Usage::

    python benchmarks/anytime.py --dataset phoneme --data-dir ../shared/data
    python benchmarks/anytime.py --dataset digits --depth 3 --checkpoints 5,10,20,50,100 --seeds 3
    python benchmarks/anytime.py --settings mv10,mv5,ind10      # a subset of the settings
    python benchmarks/anytime.py --settings mv10 --batches 1,2  # one trial at a time against two

Settings (Optuna's TPE sampler): ``mv`` multivariate, ``ind`` independent
(``multivariate=False``), followed by ``n_startup_trials``: mv5, mv10, mv20,
ind5, ind10, ind20.  ``--prune`` crosses them with values of ``prune_draws``
(``none`` = every trial gets all its draws; default: compact's default), and
``--batches`` with values of ``trial_batch`` (trials asked for at once, run
in threads over every core; default: compact's default).
The sampler settings are applied by substituting ``optuna.samplers.TPESampler``
while ``compact.fit`` runs (its seed and ``constant_liar`` kept), so this
works whatever the engine's defaults are; the script stops if the engine did
not build a TPE sampler.

For each setting and seed, ``compact.fit`` runs once per checkpoint ``t``
with ``n_trials=t``: with one worker a seeded study proposes the same first
``t`` trials whatever ``n_trials`` is, so each run is the prefix of the
longest, and its result is the best model after ``t`` trials, scored on the
test part.  The full-resolution curve of best mean validation score vs trial
and vs cumulative trial seconds comes from the longest run's ``trials_``.
Data: 60/20/20 stratified split per seed, xgboost oracle fitted once per seed.
Writes ``--out/anytime_<dataset>.json`` and ``.csv`` and prints a table of
the checkpoints (best val: the best mean, on compact's score rows, of a trial
that got all its draws, the only ones compact may choose; the score rows are
the training and validation parts for trees by default; fits: candidate
models trained).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from contextlib import contextmanager

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
from _data import DEFAULT_DATA_DIR, load, prune_draws_kwargs  # noqa: E402

SETTINGS = {f"{kind}{n}": {"multivariate": kind == "mv", "n_startup_trials": n}
            for kind in ("mv", "ind") for n in (5, 10, 20)}


@contextmanager
def tpe_setting(multivariate: bool, n_startup_trials: int):
    """Make every ``optuna.samplers.TPESampler(...)`` built inside use these two settings."""
    import optuna

    original = optuna.samplers.TPESampler
    built = []

    def patched(*args, **kwargs):
        kwargs["multivariate"] = multivariate
        kwargs["n_startup_trials"] = n_startup_trials
        if not multivariate:
            kwargs.pop("group", None)
        built.append(kwargs)
        return original(*args, **kwargs)

    optuna.samplers.TPESampler = patched
    try:
        yield built
    finally:
        optuna.samplers.TPESampler = original


def batch_kwargs(batch: str) -> dict:
    """``compact.fit``'s ``trial_batch`` for a ``--batches`` value (``default``: none given)."""
    return {} if batch == "default" else {"trial_batch": int(batch)}


def run(setting: str, prune, batch, split, oracle, args, seed: int):
    from sklearn.metrics import f1_score
    from sklearn.tree import DecisionTreeClassifier

    import compact

    X_tr, y_tr, X_va, y_va, X_te, y_te = split
    points, curve = [], None
    for t in sorted(args.checkpoints):
        with tpe_setting(**SETTINGS[setting]) as built:
            t0 = time.perf_counter()
            result = compact.fit(DecisionTreeClassifier(), X_tr, y_tr, size=args.depth, oracle=oracle,
                                 validation_data=(X_va, y_va), n_trials=t, random_state=seed,
                                 **prune_draws_kwargs(prune), **batch_kwargs(batch))
            seconds = time.perf_counter() - t0
        if not built:
            raise SystemExit("compact.fit built no optuna.samplers.TPESampler: this script cannot set the sampler.")
        scores = [-np.inf if r.stopped else r.score for r in result.trials_]
        points.append({"setting": setting, "prune": prune, "batch": batch, "seed": seed, "trials": t,
                       "seconds": seconds, "fits": sum(r.fits for r in result.trials_),
                       "best_val": float(max(scores)),
                       "test_f1": float(f1_score(y_te, result.model_.predict(X_te), average="macro")),
                       "baseline_test_f1": float(f1_score(y_te, result.baseline_model_.predict(X_te),
                                                          average="macro"))})
        curve = {"setting": setting, "prune": prune, "batch": batch, "seed": seed,
                 "best_val_by_trial": np.maximum.accumulate(scores).tolist(),
                 "seconds_by_trial": np.cumsum([r.seconds for r in result.trials_]).tolist()}
    return points, curve


def print_table(points, combos, checkpoints):
    """Means over seeds at each checkpoint, one row per (setting, prune_draws, trial_batch)."""
    print("\n| setting | prune_draws | trial_batch | trials | best val (mean) | test F1 (mean) | fits (mean) | "
          "seconds (mean) |\n|---|---|---|---|---|---|---|---|")
    for setting, prune, batch in combos:
        for t in checkpoints:
            key = (setting, prune, batch, t)
            sel = [q for q in points if (q["setting"], q["prune"], q["batch"], q["trials"]) == key]
            print(f"| {setting} | {prune} | {batch} | {t} | {np.mean([q['best_val'] for q in sel]):.4f} | "
                  f"{np.mean([q['test_f1'] for q in sel]):.4f} | {np.mean([q['fits'] for q in sel]):.0f} | "
                  f"{np.mean([q['seconds'] for q in sel]):.1f} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="phoneme", help="built-in name, CSV path or NAME in --data-dir")
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--depth", type=int, default=4)
    parser.add_argument("--checkpoints", default="10,20,50,100")
    parser.add_argument("--settings", default=",".join(SETTINGS))
    parser.add_argument("--prune", default="default",
                        help="comma-separated prune_draws values: 'default', 'none' or numbers")
    parser.add_argument("--batches", default="default",
                        help="comma-separated trial_batch values: 'default' or positive integers")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--out", default=os.path.join(HERE, "results"))
    args = parser.parse_args(argv)
    args.checkpoints = [int(c) for c in args.checkpoints.split(",")]
    settings = args.settings.split(",")
    prunes = args.prune.split(",")
    batches = args.batches.split(",")
    combos = [(s, p, b) for s in settings for p in prunes for b in batches]
    unknown = set(settings) - set(SETTINGS)
    if unknown:
        raise SystemExit(f"Unknown settings {sorted(unknown)}; known: {list(SETTINGS)}")

    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import LabelEncoder

    from compact.oracle import resolve_oracle

    X, y = load(args.dataset, args.data_dir)
    y = LabelEncoder().fit_transform(y)
    points, curves = [], []
    for seed in range(args.seeds):
        X_rest, X_te, y_rest, y_te = train_test_split(X, y, test_size=0.2, stratify=y, random_state=seed)
        X_tr, X_va, y_tr, y_va = train_test_split(X_rest, y_rest, test_size=0.25, stratify=y_rest,
                                                  random_state=seed)
        oracle = resolve_oracle("xgboost", X_tr, y_tr, random_state=seed, n_jobs=1)
        for setting, prune, batch in combos:
            p, c = run(setting, prune, batch, (X_tr, y_tr, X_va, y_va, X_te, y_te), oracle, args, seed)
            points += p
            curves.append(c)
            print(f"seed {seed} {setting} prune {prune} batch {batch}: " + ", ".join(
                f"{q['trials']}t val {q['best_val']:.4f} test {q['test_f1']:.4f} ({q['seconds']:.1f}s)" for q in p),
                flush=True)

    print_table(points, combos, args.checkpoints)
    os.makedirs(args.out, exist_ok=True)
    stem = os.path.join(args.out, f"anytime_{os.path.splitext(os.path.basename(args.dataset))[0]}")
    with open(stem + ".csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(points[0]))
        writer.writeheader()
        writer.writerows(points)
    with open(stem + ".json", "w") as fh:
        json.dump({"command": " ".join([os.path.basename(sys.executable), *sys.argv]), "args": vars(args),
                   "points": points, "curves": curves}, fh, indent=2)
    print(f"\nwritten: {stem}.csv, {stem}.json")


if __name__ == "__main__":
    main()
