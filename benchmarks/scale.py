"""Trials per second with 1, 2, 4 worker processes sharing one study.

Usage::

    python benchmarks/scale.py [--workers 1 2 4] [--trials 40] [--slow 0.05]
                               [--storage postgres journal] [--postgres-url URL] [--smoke]
    python benchmarks/scale.py --dask

Each configuration starts its workers at the same instant (tests/storage_worker.py:
``compact.fit`` of a depth-2 tree on three digit classes, 2 draws a trial, each
fit slowed by ``--slow`` seconds to stand in for a real model) on a new study,
and reports the study's finished trials (complete or pruned) divided by the wall time from the
first worker's start to the last one's end. PostgreSQL comes from
``--postgres-url``, ``COMPACT_TEST_POSTGRES_URL`` or ``.ci/postgres.sh start``;
``journal`` is a journal file in a temporary folder (one machine).
``--smoke`` runs 1 and 2 workers with 8 trials: a check that it works, not a
measurement.

``--dask`` instead times one comparison sweep on scikit-learn's digits,
``compact.compare(DecisionTreeClassifier(), X, y, sizes=[1, 2, 3, 4], seeds=2,
n_trials=20)``, serially and under ``joblib.parallel_config(backend="dask")``
with a ``dask.distributed.LocalCluster(n_workers=2, processes=True,
threads_per_worker=1)`` (cluster start-up not timed), and says whether the rows
are equal (``fit_seconds`` left out).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import storage_worker  # noqa: E402  (tests/storage_worker.py)


def postgres_url(given: str | None) -> str:
    url = given or os.environ.get("COMPACT_TEST_POSTGRES_URL")
    if url:
        return url
    done = subprocess.run(["bash", str(ROOT / ".ci" / "postgres.sh"), "start"], capture_output=True, text=True)
    match = re.search(r"COMPACT_TEST_POSTGRES_URL=(\S+)", done.stdout)
    if done.returncode != 0 or not match:
        raise SystemExit(f"no PostgreSQL server: {done.stderr.strip()}")
    return match.group(1)


def measure(storage: str, n_workers: int, n_trials: int, slow: float, folder: str) -> tuple[float, int, float]:
    study = f"bench-{n_workers}-{time.time_ns()}"
    reports = storage_worker.collect(
        storage_worker.launch(storage, n_workers, folder, n_trials=n_trials, slow=slow, study=study), timeout=3600
    )
    import optuna

    from compact.storage import resolve_storage

    trials = optuna.load_study(study_name=study, storage=resolve_storage(storage)).get_trials(deepcopy=False)
    complete = sum(t.state in (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED) for t in trials)
    seconds = max(r["ended"] for r in reports) - min(r["began"] for r in reports)
    return complete / seconds, complete, seconds


def dask_sweep(n_workers: int = 2) -> None:
    """A ``compare`` sweep serially and on a local Dask cluster: wall time of each, equal rows or not."""
    import joblib
    from dask import distributed
    from sklearn.datasets import load_digits
    from sklearn.tree import DecisionTreeClassifier

    import compact

    X, y = load_digits(return_X_y=True)
    kwargs = dict(sizes=[1, 2, 3, 4], seeds=2, n_trials=20)
    t0 = time.perf_counter()
    serial = compact.compare(DecisionTreeClassifier(), X, y, **kwargs)
    serial_seconds = time.perf_counter() - t0
    with distributed.LocalCluster(n_workers=n_workers, processes=True, threads_per_worker=1) as cluster, \
            distributed.Client(cluster), joblib.parallel_config(backend="dask"):
        t0 = time.perf_counter()
        spread = compact.compare(DecisionTreeClassifier(), X, y, n_jobs=-1, **kwargs)
        dask_seconds = time.perf_counter() - t0
    strip = [[{k: v for k, v in r.items() if k != "fit_seconds"} for r in c.rows] for c in (serial, spread)]
    print(f"compare, digits, sizes 1-4, 2 seeds, 20 trials: {len(serial.rows)} rows")
    print(f"serial                          {serial_seconds:7.1f} s")
    print(f"dask LocalCluster ({n_workers} processes) {dask_seconds:7.1f} s   "
          f"speed-up {serial_seconds / dask_seconds:.2f}x; rows equal: {strip[0] == strip[1]}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--slow", type=float, default=0.05, help="extra seconds per model fit")
    parser.add_argument("--storage", nargs="+", choices=("postgres", "journal"), default=["postgres", "journal"])
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--smoke", action="store_true", help="1 and 2 workers, 8 trials: a check, not a measurement")
    parser.add_argument("--dask", action="store_true",
                        help="time a compare sweep serially and on a 2-process Dask LocalCluster instead")
    args = parser.parse_args(argv)
    if args.dask:
        dask_sweep()
        return
    if args.smoke:
        args.workers, args.trials = [1, 2], 8

    with tempfile.TemporaryDirectory() as folder:
        print(f"{'storage':<10} {'workers':>7} {'trials':>6} {'seconds':>8} {'trials/s':>9}")
        for kind in args.storage:
            for n_workers in args.workers:
                storage = (postgres_url(args.postgres_url) if kind == "postgres"
                           else os.path.join(folder, f"bench-{n_workers}-{time.time_ns()}.journal"))
                rate, complete, seconds = measure(storage, n_workers, args.trials, args.slow, folder)
                print(f"{kind:<10} {n_workers:>7} {complete:>6} {seconds:>8.1f} {rate:>9.2f}", flush=True)


if __name__ == "__main__":
    main()
