"""A worker process for the storage tests and benchmarks/scale.py (not collected by pytest).

    python tests/storage_worker.py STORAGE --study NAME --n-trials N [--start-at EPOCH]
        [--heartbeat S --grace S] [--slow S] [--out result.json] [--pass-url]

Resolves STORAGE with compact.storage.resolve_storage (or, with --pass-url,
passes the URL string to compact.fit), waits until --start-at (so that
several workers start at the same instant), runs compact.fit on a fixed small
problem and writes what it returned as JSON.
"""

import argparse
import json
import os
import subprocess
import sys
import time

from sklearn.datasets import load_digits
from sklearn.naive_bayes import GaussianNB
from sklearn.tree import DecisionTreeClassifier


class SlowTree(DecisionTreeClassifier):
    """A decision tree whose fit takes ``slow`` more seconds (set on the class)."""

    slow = 0.0

    def fit(self, X, y, sample_weight=None, check_input=True):
        time.sleep(type(self).slow)
        return super().fit(X, y, sample_weight=sample_weight, check_input=check_input)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("storage")
    parser.add_argument("--study", default="s")
    parser.add_argument("--n-trials", type=int, default=8)
    parser.add_argument("--start-at", type=float, default=None)
    parser.add_argument("--heartbeat", type=float, default=None)
    parser.add_argument("--grace", type=float, default=None)
    parser.add_argument("--slow", type=float, default=0.0)
    parser.add_argument("--out", default=None)
    parser.add_argument("--pass-url", action="store_true")
    args = parser.parse_args()

    import compact
    from compact.storage import resolve_storage

    X, y = load_digits(return_X_y=True)
    keep = y < 3
    X, y = X[keep], y[keep]
    SlowTree.slow = args.slow
    if args.start_at is not None:
        time.sleep(max(0.0, args.start_at - time.time()))
    began = time.time()
    storage = args.storage if args.pass_url else resolve_storage(
        args.storage, heartbeat_interval=args.heartbeat, grace_period=args.grace
    )
    result = compact.fit(
        SlowTree(), X, y, size=2, oracle=GaussianNB(), n_trials=args.n_trials, n_draws=2,
        random_state=3, storage=storage, study_name=args.study, verbose=0,
    )
    best = max(result.trials_, key=lambda t: (t.score, -t.number))
    report = {
        "began": began,
        "ended": time.time(),
        "best_trial": best.number,
        "best_params": result.best_params_,
        "best_score": result.best_score_,
        "trials": [t.number for t in result.trials_],
    }
    if args.out:
        with open(args.out, "w") as f:
            json.dump(report, f)


def launch(storage, n_workers, folder, *, delay=None, **options):
    """Start ``n_workers`` worker processes that begin ``compact.fit`` at the same instant.

    ``delay`` seconds from now (default: enough for their imports); ``options``
    are the command-line options above (``n_trials=6`` -> ``--n-trials 6``).
    Returns ``[(process, out_path)]``.
    """
    if delay is None:
        delay = 4.0 + 1.5 * n_workers
    start_at = time.time() + delay
    workers = []
    for i in range(n_workers):
        out = os.path.join(str(folder), f"worker{i}-{time.time_ns()}.json")
        cmd = [sys.executable, __file__, str(storage), "--start-at", str(start_at), "--out", out]
        for key, value in options.items():
            flag = "--" + key.replace("_", "-")
            if value is True:
                cmd.append(flag)
            elif value is not None and value is not False:
                cmd += [flag, str(value)]
        workers.append((subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), out))
    return workers


def collect(workers, timeout=300):
    """Wait for ``launch``'s workers; the JSON report of each, or AssertionError with its stderr."""
    reports = []
    for process, out in workers:
        _, err = process.communicate(timeout=timeout)
        assert process.returncode == 0, f"worker exited {process.returncode}:\n{err[-3000:]}"
        with open(out) as f:
            reports.append(json.load(f))
    return reports


def kill_during_a_trial(storage, folder, *, n_trials, heartbeat, grace):
    """SIGKILL a worker while it fits a trial (after two complete ones) and wait until the heartbeat fails it.

    Checks that the trial is still RUNNING right after the kill and FAIL within
    the grace period.  Returns ``(resolved storage, the killed trial, its retries)``.
    """
    import signal

    import optuna

    from compact.storage import fail_stale_trials, resolve_storage

    state = optuna.trial.TrialState
    ((victim, _),) = launch(storage, 1, folder, delay=0, n_trials=n_trials, slow=1.0, heartbeat=heartbeat,
                            grace=grace)
    resolved = resolve_storage(storage, heartbeat_interval=heartbeat, grace_period=grace)
    deadline, killed, study = time.time() + 120, None, None
    while time.time() < deadline and victim.poll() is None:
        try:
            study = optuna.load_study(study_name="s", storage=resolved)
        except KeyError:  # not created yet
            time.sleep(0.2)
            continue
        trials = study.get_trials(deepcopy=False)
        running = [t for t in trials if t.state == state.RUNNING and t.params]  # suggested: fitting now
        if sum(t.state in (state.COMPLETE, state.PRUNED) for t in trials) >= 2 and running:
            # Half a second into the trial: its heartbeat thread has beaten.  (A worker killed in the
            # first milliseconds of a trial, before any beat, leaves a trial Optuna never marks stale.)
            time.sleep(0.5)
            if study.get_trials(deepcopy=False)[running[0].number].state != state.RUNNING:
                continue
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait()
            killed = running[0]
            break
        time.sleep(0.05)
    assert killed is not None, "the worker never had a running trial after two complete ones"
    killed_at = time.time()
    fail_stale_trials(study)
    assert study.get_trials(deepcopy=False)[killed.number].state == state.RUNNING  # still within grace
    while study.get_trials(deepcopy=False)[killed.number].state == state.RUNNING:
        assert time.time() - killed_at < grace + 2 * heartbeat + 2, "not failed within the grace period"
        time.sleep(0.25)
        fail_stale_trials(study)
    trials = study.get_trials(deepcopy=False)
    return resolved, trials[killed.number], [t for t in trials if t.system_attrs.get("failed_trial") == killed.number]


def kill_and_recover(storage, folder, *, n_trials=6, heartbeat=1, grace=3):
    """The kill scenario end to end: SIGKILL a worker mid-trial (:func:`kill_during_a_trial`), then run
    one more worker; the killed trial stays FAIL, its parameters are run again, the study ends with
    exactly ``n_trials`` finished trials and the worker's best is a complete one."""
    import optuna

    state = optuna.trial.TrialState
    finished = (state.COMPLETE, state.PRUNED)
    resolved, killed, retries = kill_during_a_trial(storage, folder, n_trials=n_trials, heartbeat=heartbeat,
                                                    grace=grace)
    assert killed.state == state.FAIL
    failed_params = killed.params
    assert len(retries) == 1 and retries[0].state == state.WAITING

    (report,) = collect(launch(storage, 1, folder, delay=0, n_trials=n_trials, heartbeat=heartbeat, grace=grace))
    trials = optuna.load_study(study_name="s", storage=resolved).get_trials(deepcopy=False)
    assert trials[killed.number].state == state.FAIL
    assert sum(t.state in finished for t in trials) == n_trials
    assert trials[retries[0].number].state in finished  # the killed trial's parameters were run again
    rerun = trials[retries[0].number].params
    assert failed_params and {k: rerun[k] for k in failed_params} == failed_params
    assert report["best_trial"] in [t.number for t in trials if t.state == state.COMPLETE]


if __name__ == "__main__":
    main()
