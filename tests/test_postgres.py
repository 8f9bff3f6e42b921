"""Studies on a real PostgreSQL server: concurrent starts, N workers, a killed worker.

The server comes from ``COMPACT_TEST_POSTGRES_URL`` (what ``.ci/postgres.sh
start`` prints), or else ``.ci/postgres.sh start`` is tried here (without
installing anything). Where no server can be had the tests skip, saying why;
under CI (``CI=true``) they fail instead.
"""

import os
import re
import subprocess
import time
import uuid
from pathlib import Path

import optuna
import pytest

import storage_worker  # tests/storage_worker.py
from compact.storage import create_or_load_study, resolve_storage

ROOT = Path(__file__).resolve().parents[1]
FINISHED = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)  # pruned: draws stopped early


def _unavailable(reason):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _plain(url):
    """The libpq form of a SQLAlchemy URL (psycopg.connect refuses "+psycopg")."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


@pytest.fixture(scope="session")
def postgres_server():
    """The URL of a running server's database; starts one with .ci/postgres.sh if none is given."""
    try:
        import psycopg
    except ImportError:
        _unavailable("psycopg is not installed (pip install 'compact[postgres]')")
    started = False
    url = os.environ.get("COMPACT_TEST_POSTGRES_URL")
    if not url:
        script = ROOT / ".ci" / "postgres.sh"
        done = subprocess.run(["bash", str(script), "start"], capture_output=True, text=True,
                              env={**os.environ, "COMPACT_PG_NO_INSTALL": "1"}, timeout=180)
        match = re.search(r"COMPACT_TEST_POSTGRES_URL=(\S+)", done.stdout)
        if done.returncode != 0 or not match:
            _unavailable("COMPACT_TEST_POSTGRES_URL is not set and .ci/postgres.sh could not start a server: "
                         + (done.stderr.strip().splitlines() or ["no output"])[-1])
        url, started = match.group(1), True
    try:
        psycopg.connect(_plain(url), connect_timeout=10).close()
    except Exception as e:  # noqa: BLE001
        _unavailable(f"cannot connect to PostgreSQL at {url}: {str(e).strip().splitlines()[0]}")
    yield url
    if started:
        subprocess.run(["bash", str(ROOT / ".ci" / "postgres.sh"), "stop"], capture_output=True, timeout=120)


@pytest.fixture
def fresh_db(postgres_server):
    """The URL of a new, empty database on the server; dropped afterwards."""
    import psycopg

    name = "compact_" + uuid.uuid4().hex[:12]
    with psycopg.connect(_plain(postgres_server), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = postgres_server.rpartition("/")
    yield f"{base}/{name}"
    with psycopg.connect(_plain(postgres_server), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def finished_trials(url, study_name="s"):
    study = optuna.load_study(study_name=study_name, storage=resolve_storage(url))
    return [t for t in study.get_trials(deepcopy=False) if t.state in FINISHED]


def test_bare_postgresql_url_uses_psycopg3(fresh_db):
    bare = re.sub(r"^postgresql\+psycopg://", "postgresql://", fresh_db)
    storage = resolve_storage(bare, heartbeat_interval=1)
    assert storage.url.startswith("postgresql+psycopg://") and storage.engine_kwargs["pool_pre_ping"]
    assert create_or_load_study(storage, "s").study_name == "s"


def test_unreachable_server_is_one_clear_line():
    with pytest.raises(ValueError, match="cannot connect") as info:
        resolve_storage("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    assert "\n" not in str(info.value) and "secret" not in str(info.value)


def test_two_processes_starting_at_once_on_a_fresh_database(fresh_db, tmp_path):
    """Both create the tables and the study at the same instant; both exit 0, 8 to 10 trials complete."""
    reports = storage_worker.collect(storage_worker.launch(fresh_db, 2, tmp_path, n_trials=8))
    assert 8 <= len(finished_trials(fresh_db)) <= 10  # up to (workers - 1) x trial_batch over
    assert all(len(r["trials"]) >= 8 for r in reports)


def test_workers_share_one_study_and_return_the_same_best_model(fresh_db, tmp_path):
    n_workers, n_trials = 3, 12
    reports = storage_worker.collect(storage_worker.launch(fresh_db, n_workers, tmp_path, n_trials=n_trials))
    complete = finished_trials(fresh_db)
    assert n_trials <= len(complete) <= n_trials + (n_workers - 1) * 2  # trees ask for 2 trials at a time
    assert sorted(t.number for t in complete) == sorted({t.number for t in complete})
    best = {r["best_trial"] for r in reports}
    assert len(best) == 1, f"workers chose different best trials: {best}"
    assert len({repr(sorted(r["best_params"].items())) for r in reports}) == 1


def test_sigkilled_worker_trial_fails_within_grace_period_and_study_completes(fresh_db, tmp_path):
    storage_worker.kill_and_recover(fresh_db, tmp_path)


def test_threads_with_a_postgresql_storage(fresh_db):
    """Two trials at once in one process on PostgreSQL: every trial told once, exactly n_trials complete."""
    from sklearn.datasets import load_digits
    from sklearn.naive_bayes import GaussianNB
    from sklearn.tree import DecisionTreeClassifier

    import compact

    X, y = load_digits(return_X_y=True)
    X, y = X[y < 3], y[y < 3]
    storage = resolve_storage(fresh_db)
    for name in ("a", "b"):
        result = compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=GaussianNB(), n_trials=10, n_draws=2,
                             random_state=3, storage=storage, study_name=name, n_jobs=2, trial_batch=2)
        assert sorted(t.number for t in result.trials_) == list(range(10))
        assert len(finished_trials(fresh_db, name)) == 10


def test_processes_creating_one_study_at_once_agree_on_its_settings(fresh_db):
    import json
    import sys

    code = ("import sys, time, json; from compact.storage import create_or_load_study; "
            "time.sleep(max(0, float(sys.argv[1]) - time.time())); "
            f"s = create_or_load_study({fresh_db!r}, 's', settings={{'random_state': int(sys.argv[2])}}, "
            "enqueue={'a': 1.0}); print(json.dumps(s.user_attrs['compact']))")
    start = str(time.time() + 4)
    procs = [subprocess.Popen([sys.executable, "-c", code, start, str(i)], stdout=subprocess.PIPE, text=True)
             for i in range(4)]
    seen = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert all(s == seen[0] for s in seen), seen
    assert len(create_or_load_study(fresh_db, "s").trials) == 1
