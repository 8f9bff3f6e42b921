"""Optuna storages for studies shared by several processes or machines (Optuna imported lazily).

``resolve_storage`` turns what a user passes as ``storage=`` into an Optuna
storage, checking it before any work starts:

- ``None`` or a storage object: returned unchanged;
- ``"postgresql://user:pw@host/db"`` (psycopg 3, extra ``[postgres]``),
  ``"mysql://..."``, ``"sqlite:///runs.db"``: an ``RDBStorage`` that retries
  the races of several processes creating its tables at once, with
  ``pool_pre_ping`` and, with ``heartbeat_interval``, a heartbeat that marks the
  trial of a killed worker FAIL after ``grace_period`` and queues its
  parameters again;
- ``"redis://host:6379/0"``: a ``JournalStorage`` on Optuna's Redis backend
  (extra ``[redis]``);
- any other string: the path of a journal file (``JournalFileBackend``), for
  the processes of one machine (or machines sharing a file system with
  working file locks).

Journal storages get the same heartbeat as RDB ones (Optuna has none for
them): each live trial records the time in a system attribute, and a trial
whose last beat is older than ``grace_period`` is stale. That compares wall
clocks of the processes, so on several machines their clocks must agree to
well within the grace period.

SQLite is for one process (its threads are safe: transactions begin
immediately): several processes writing one SQLite file can fail with
"database is locked"; ``single_process_only`` tells a caller which storages
those are.
"""

from __future__ import annotations

import contextlib
import math
import os
import random
import threading
import time
import warnings
from typing import Any

_RDB_SCHEMES = ("sqlite", "postgresql", "postgres", "mysql", "mariadb", "oracle", "mssql")
_REDIS_SCHEMES = ("redis", "rediss")
HEARTBEAT_ATTR = "compact:heartbeat"
# Attempts and total seconds for the races of concurrent creation.
_RACE_ATTEMPTS = 20
_RACE_SECONDS = 60.0


# --------------------------------------------------------------------------- public API


def resolve_storage(storage, *, heartbeat_interval: float | None = None, grace_period: float | None = None):
    """An Optuna storage from ``None``, a storage object, a database URL or a journal path.

    ``heartbeat_interval`` (seconds) makes each running trial record a
    heartbeat that often; a trial whose last heartbeat is older than
    ``grace_period`` (default: twice the interval) is marked FAIL by the next
    process that asks for a trial, and its parameters are queued again
    (``RetryHeartbeatStaleTrialCallback``). Ignored for ``None`` and objects.

    Raises ``ValueError`` (one line) for an unknown URL scheme, a SQLite or
    journal file whose folder does not exist, a database that cannot be
    reached, or bad heartbeat settings; ``ImportError`` when the database
    driver (``compact[postgres]``, ``compact[redis]``) is not installed.
    """
    if storage is None or not isinstance(storage, str):
        return storage
    heartbeat_interval, grace_period = _check_heartbeat(heartbeat_interval, grace_period)
    if not storage.strip():
        raise ValueError("storage is an empty string; pass a database URL or a journal file path.")
    scheme = storage.split("://", 1)[0].lower() if "://" in storage else None
    if scheme is None:
        return _journal_file(storage, heartbeat_interval, grace_period)
    dialect = scheme.split("+", 1)[0]
    if dialect in _REDIS_SCHEMES:
        return _journal_redis(storage, heartbeat_interval, grace_period)
    if dialect in _RDB_SCHEMES:
        return _rdb(storage, dialect, heartbeat_interval, grace_period)
    raise ValueError(
        f"storage={storage!r}: unknown scheme {scheme + '://'!r}; use postgresql://, mysql://, "
        "sqlite:///, redis:// or a journal file path."
    )


def create_or_load_study(
    storage,
    study_name: str | None,
    *,
    direction: str = "maximize",
    settings: dict | None = None,
    settings_key: str = "compact",
    wait: float = 30.0,
    enqueue: dict[str, float] | None = None,
):
    """The study ``study_name`` in ``storage``: created, or loaded when it exists.

    Safe when several processes start at the same instant on a fresh database
    or file: the races of concurrent creation (``DuplicatedStudyError``,
    ``IntegrityError``, "already exists", "database is locked") are retried
    with a short random back-off. ``storage`` may be anything
    ``resolve_storage`` accepts.

    ``settings`` (a JSON-able dict: seed, size, family, scoring, ...) are
    written as the study's user attribute ``settings_key`` by the one process
    that creates the study, at once; a process that loads it waits (up to
    ``wait`` seconds) for them, so every worker sees the creator's settings in
    ``study.user_attrs[settings_key]`` (compare with ``check_settings``). A
    study made without them (an older run) gets this run's.

    ``enqueue`` (parameters, e.g. the original distribution's) is queued as
    the first trial by the creator only, so workers starting together queue it
    once; a run continuing a study whose such trial failed calls
    ``enqueue_once``.
    """
    import optuna

    storage = resolve_storage(storage)

    def create_or_load():
        try:
            return optuna.create_study(storage=storage, study_name=study_name, direction=direction), True
        except optuna.exceptions.DuplicatedStudyError:
            return optuna.load_study(study_name=study_name, storage=storage), False

    study, created = _retry_races(create_or_load, what=f"study {study_name!r}")
    if created:
        if settings is not None:  # before the first trial: loaders take a study with trials as an old one
            study.set_user_attr(settings_key, settings)
        if enqueue is not None:
            study.enqueue_trial(enqueue)
        return study
    if settings is None:
        return study
    deadline = time.monotonic() + wait
    while settings_key not in study.user_attrs:
        # The creator writes them right after creating; a study with trials
        # but no settings was made by an older run or by hand.
        if study.trials or time.monotonic() > deadline:
            study.set_user_attr(settings_key, settings)
            break
        time.sleep(0.1)
    return study


def check_settings(study, settings: dict, *, settings_key: str = "compact", adopt=("random_state",),
                   lenient=()) -> dict:
    """The settings this run must use: the study's, checked against ``settings``.

    A key in ``adopt`` whose value here is ``None`` takes the study's value (a
    seed left out continues with the study's seed). Any other difference
    raises one ``ValueError`` naming each differing setting, e.g.
    ``Study 's' was run with size=6; this run has size=1. Pass the same
    settings or use another study_name.`` Keys the study lacks are added.  A key in ``lenient``
    (estimator parameters: a mapping of names, or an estimator described by its class and
    parameters) is compared on the parameter names both sides have, at every estimator inside: a
    parameter that a library added or dropped between runs does not refuse the study.
    """
    stored = dict(study.user_attrs.get(settings_key) or {})
    used = dict(settings)
    differ = []
    compared = {}
    for key, value in settings.items():
        if key not in stored:
            continue
        old, new = _jsonish(stored[key]), _jsonish(value)
        if key in lenient:
            old, new = _shared(old, new, params=not _described(old))
        if key in adopt and value is None:
            used[key] = stored[key]
        elif old != new:
            differ.append(key)
            compared[key] = old, new
    if differ:
        pairs = [pair for k in differ for pair in _differences(k, *compared[k])]
        was = ", ".join(f"{name}={old!r}" for name, old, _ in pairs)
        now = ", ".join(f"{name}={new!r}" for name, _, new in pairs)
        raise ValueError(
            f"Study {study.study_name!r} was run with {was}; this run has {now}. "
            "Pass the same settings or use another study_name."
        )
    missing = {k: v for k, v in used.items() if k not in stored}
    if missing:
        study.set_user_attr(settings_key, {**stored, **missing})
    return used


def _shared(old, new, *, params: bool) -> tuple:
    """``old`` and ``new`` restricted to the parameter names both have: at the top (``params``: a
    mapping of parameter names) and in every estimator described inside (``{"class", "params"}``).
    A parameter's own value, a dict too, is compared whole."""
    if params and isinstance(old, dict) and isinstance(new, dict):
        pairs = {k: _shared(old[k], new[k], params=False) for k in set(old) & set(new)}
        return {k: a for k, (a, _) in pairs.items()}, {k: b for k, (_, b) in pairs.items()}
    if _described(old) and _described(new):
        p_old, p_new = _shared(old["params"], new["params"], params=True)
        return {**old, "params": p_old}, {**new, "params": p_new}
    return old, new


def _described(value) -> bool:
    """An estimator as :func:`compact._fingerprint.describe` writes it."""
    return isinstance(value, dict) and set(value) == {"class", "params"} and isinstance(value["params"], dict)


#: An entry one side of a differing dict setting lacks, as the refusal names it.
ABSENT = "<absent>"


def _differences(name: str, old, new) -> list[tuple[str, object, object]]:
    """``(name, old, new)`` of a differing setting; for two dicts, of each differing entry
    (``params.criterion``; an entry one side lacks as ``<absent>``), so that a long setting reads
    as what changed."""
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return [(name, old, new)]
    return [pair for key in sorted(set(old) | set(new), key=str) if old.get(key, ABSENT) != new.get(key, ABSENT)
            for pair in _differences(f"{name}.{key}", old.get(key, ABSENT), new.get(key, ABSENT))]


def _jsonish(value):
    """A value as it comes back from a storage (tuples become lists)."""
    import json

    return json.loads(json.dumps(value))


def single_process_only(storage) -> bool:
    """True for SQLite storages (URL or RDBStorage object): safe for one process only."""
    url = storage if isinstance(storage, str) else getattr(_unwrap(storage), "url", None)
    return isinstance(url, str) and url.split("://", 1)[0].lower().split("+", 1)[0] == "sqlite"


def heartbeat_enabled(storage) -> bool:
    """True when ``storage`` (object or study's storage) records heartbeats of running trials."""
    from optuna.storages._heartbeat import is_heartbeat_enabled

    return is_heartbeat_enabled(_unwrap(storage))


def stale_after(storage) -> float | None:
    """Seconds of silence after which a running trial counts as dead; ``None`` without heartbeat."""
    storage = _unwrap(storage)
    if not heartbeat_enabled(storage):
        return None
    interval = storage.get_heartbeat_interval()
    grace = getattr(storage, "grace_period", None) or getattr(storage, "_compact_heartbeat", (None, None))[1]
    return float(grace if grace is not None else 2 * interval)


def fail_stale_trials(study) -> None:
    """Mark FAIL the trials whose heartbeat stopped (and queue their parameters again).

    ``study.optimize`` does this before each trial; an engine that uses
    ``study.ask`` / ``study.tell`` calls it before asking. No-op without heartbeat.
    """
    import optuna
    from optuna.exceptions import ExperimentalWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)


def ask(study, n: int = 1) -> list:
    """``n`` new trials for an ask-and-tell loop, after failing stale ones.

    Wrap the work on them in ``keep_alive(study, trials)`` so that their
    heartbeat goes on while they run.
    """
    import optuna

    fail_stale_trials(study)
    trials = []
    with warnings.catch_warnings():
        # Optuna warns that heartbeats are meant for study.optimize; keep_alive covers ask/tell.
        warnings.filterwarnings("ignore", message="Heartbeat of storage")
        try:
            for _ in range(n):
                trials.append(study.ask())
        except BaseException:  # Ctrl-C included: the trials asked so far must not stay RUNNING
            for trial in trials:
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
            raise
    return trials


@contextlib.contextmanager
def keep_alive(study, trials):
    """Record a heartbeat for each of ``trials`` every ``heartbeat_interval`` while the block runs.

    For ask-and-tell engines that hold trials across a long batch
    (``study.optimize`` runs its own heartbeat). No-op without heartbeat.
    """
    storage = _unwrap(study._storage)
    if not heartbeat_enabled(storage):
        yield
        return
    interval = storage.get_heartbeat_interval()
    ids = [t._trial_id for t in trials]
    stop = threading.Event()

    def beat():
        while True:
            for trial_id in ids:
                with contextlib.suppress(Exception):  # a trial told or failed meanwhile
                    storage.record_heartbeat(trial_id)
            if stop.wait(interval):
                return

    thread = threading.Thread(target=beat, name="compact-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def wait_for_running(study, *, timeout: float, poll: float = 0.5) -> bool:
    """Wait until no trial of ``study`` runs (failing stale ones meanwhile); False on timeout.

    For the end of a run on a shared study: a worker that stops when the study
    has ``n_trials`` finished trials calls this before choosing the best, so
    that it sees the trials other workers were finishing, and all workers
    return the same best model. Trials of dead workers end after the grace
    period with a heartbeat; without one they stay RUNNING until ``timeout``.
    """
    import optuna

    deadline = time.monotonic() + timeout
    while True:
        fail_stale_trials(study)
        if not study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(min(poll, max(0.0, deadline - time.monotonic())))


def finished_states() -> tuple:
    """Trial states that count as finished: COMPLETE, and PRUNED (a trial whose draws were
    stopped early, ``prune_draws``), which counts towards ``n_trials`` too."""
    import optuna

    return (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)


def enqueue_once(study, params: dict[str, float], *, missing: dict[str, float] | None = None) -> bool:
    """Queue a trial with ``params`` unless one with them is finished (complete or pruned), waiting or running.

    For the original-distribution trial: a run whose first trial failed (or was
    killed, and failed by the heartbeat) queues it again. ``missing``: the value
    a trial used for a variable it lacks (a study begun before the variable
    existed), so that such a trial still counts as having ``params``.
    Returns whether it queued.
    """
    import optuna

    states = (*finished_states(), optuna.trial.TrialState.WAITING, optuna.trial.TrialState.RUNNING)
    for trial in study.get_trials(deepcopy=False, states=states):
        given = trial.params or trial.system_attrs.get("fixed_params", {})
        if given:  # a trial with no variables yet (just asked, its worker killed) is not the original one
            given = {**(missing or {}), **given}
        if given.keys() == params.keys() and all(
            math.isclose(given[k], params[k], rel_tol=1e-12, abs_tol=1e-15) for k in params
        ):
            return False
    study.enqueue_trial(params)
    return True


# --------------------------------------------------------------------------- RDB


def _rdb(url: str, dialect: str, heartbeat_interval, grace_period):
    import optuna

    url = _normalize_rdb_url(url, dialect)
    engine_kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if dialect == "sqlite":
        _check_sqlite_path(url)
        # Wait for a writer's lock instead of failing at once ("database is locked").
        engine_kwargs = {"connect_args": {"timeout": 60}}
    kwargs: dict[str, Any] = {}
    if heartbeat_interval is not None:
        kwargs.update(
            heartbeat_interval=heartbeat_interval,
            grace_period=grace_period,
            heartbeat_stale_trial_callback=_retry_callback(),
        )
    cls = _sqlite_class() if dialect == "sqlite" else optuna.storages.RDBStorage
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        try:
            return _retry_races(
                lambda: cls(url, engine_kwargs=engine_kwargs, **kwargs),
                what=f"storage {_redact(url)}",
            )
        except ImportError as e:
            extra = {"postgresql": "postgres", "mysql": "mysql"}.get(dialect)
            hint = f" (pip install 'compact[{extra}]')" if extra else ""
            raise ImportError(f"storage {_redact(url)}: the database driver is not installed{hint}: {e}") from e
        except Exception as e:
            if _is_connection_error(e):
                raise ValueError(f"storage {_redact(url)}: cannot connect: {_first_line(e)}") from e
            raise


_SQLITE = None


def _sqlite_class():
    """RDBStorage on SQLite whose transactions take the write lock when they begin.

    SQLite ignores ``SELECT ... FOR UPDATE``, so two threads or processes can
    both pop the same waiting trial (the enqueued original one, a retried one)
    and the second ``tell`` fails ("Cannot tell a COMPLETE trial"), or a trial
    is lost. ``BEGIN IMMEDIATE`` makes each of Optuna's read-then-write
    sessions atomic, at the price of one writer at a time.
    """
    global _SQLITE
    if _SQLITE is not None:
        return _SQLITE
    from optuna.storages import RDBStorage

    class SQLiteStorage(RDBStorage):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            _begin_immediate(self.engine)

        def __setstate__(self, state):
            super().__setstate__(state)
            _begin_immediate(self.engine)

    SQLiteStorage.__module__ = __name__
    SQLiteStorage.__qualname__ = "SQLiteStorage"
    _SQLITE = SQLiteStorage
    return SQLiteStorage


def _begin_immediate(engine) -> None:
    from sqlalchemy import event

    engine.dispose()  # connections made before the listeners would keep pysqlite's own BEGIN

    @event.listens_for(engine, "connect")
    def _no_implicit_begin(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _normalize_rdb_url(url: str, dialect: str) -> str:
    """``postgres://`` and a bare ``postgresql://`` use psycopg 3 when it is what is installed."""
    scheme, rest = url.split("://", 1)
    if dialect == "postgres":  # Heroku-style spelling that SQLAlchemy refuses
        scheme = "postgresql" + scheme[len("postgres"):]
        dialect = "postgresql"
    if scheme.lower() == "postgresql" and not _importable("psycopg2"):
        if _importable("psycopg"):
            scheme = "postgresql+psycopg"
        else:
            raise ImportError(
                f"storage {_redact(url)}: PostgreSQL needs psycopg (pip install 'compact[postgres]')."
            )
    return f"{scheme}://{rest}"


def _check_sqlite_path(url: str) -> None:
    path = url.split("://", 1)[1]
    if path.split("?", 1)[0] == "":  # "sqlite://": in memory
        return
    if not path.startswith("/"):
        raise ValueError(f"storage {url!r}: a SQLite URL has three slashes, e.g. 'sqlite:///runs.db'.")
    path = path[1:].split("?", 1)[0]
    if path in ("", ":memory:"):
        return
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise ValueError(f"storage {url!r}: folder {folder!r} does not exist; create it or choose another path.")
    if os.path.isdir(path):
        raise ValueError(f"storage {url!r}: {path!r} is a folder; name a file.")


def _is_connection_error(exc: BaseException) -> bool:
    try:
        from sqlalchemy.exc import OperationalError
    except ImportError:  # pragma: no cover - optuna needs sqlalchemy
        return False
    return isinstance(exc, OperationalError) and not _is_race(exc)


# --------------------------------------------------------------------------- journal


def _journal_file(path: str, heartbeat_interval, grace_period):
    from optuna.storages.journal import JournalFileBackend

    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ValueError(f"storage {path!r}: folder {folder!r} does not exist; create it or choose another path.")
    if os.path.isdir(path):
        raise ValueError(f"storage {path!r} is a folder; name a journal file, e.g. 'runs.journal'.")
    return _journal(JournalFileBackend(path), heartbeat_interval, grace_period)


def _journal_redis(url: str, heartbeat_interval, grace_period):
    if not _importable("redis"):
        raise ImportError(f"storage {_redact(url)}: Redis needs the redis package (pip install 'compact[redis]').")
    from optuna.exceptions import ExperimentalWarning
    from optuna.storages.journal import JournalRedisBackend

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)
        backend = JournalRedisBackend(url)
    try:
        backend._redis.ping()
    except Exception as e:
        raise ValueError(f"storage {_redact(url)}: cannot connect: {_first_line(e)}") from e
    return _journal(backend, heartbeat_interval, grace_period)


def _journal(backend, heartbeat_interval, grace_period):
    storage = _heartbeat_journal_class()(backend)
    storage._compact_heartbeat = (heartbeat_interval, grace_period)
    return storage


_HEARTBEAT_JOURNAL = None


def _heartbeat_journal_class():
    """A JournalStorage with Optuna's heartbeat protocol (kept in trial system attributes)."""
    global _HEARTBEAT_JOURNAL
    if _HEARTBEAT_JOURNAL is not None:
        return _HEARTBEAT_JOURNAL
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages._heartbeat import BaseHeartbeat

    class HeartbeatJournalStorage(JournalStorage, BaseHeartbeat):
        """Journal storage whose live trials record ``time.time()`` as their heartbeat."""

        _compact_heartbeat = (None, None)

        def record_heartbeat(self, trial_id: int) -> None:
            self.set_trial_system_attr(trial_id, HEARTBEAT_ATTR, time.time())

        def _get_stale_trial_ids(self, study_id: int) -> list[int]:
            interval, grace = self._compact_heartbeat
            if interval is None:
                return []
            limit = time.time() - (grace if grace is not None else 2 * interval)
            running = self.get_all_trials(study_id, deepcopy=False, states=(optuna.trial.TrialState.RUNNING,))
            return [
                t._trial_id for t in running
                if HEARTBEAT_ATTR in t.system_attrs and t.system_attrs[HEARTBEAT_ATTR] < limit
            ]

        def get_heartbeat_interval(self):
            return self._compact_heartbeat[0]

        def get_heartbeat_stale_trial_callback(self):
            return _retry_callback() if self._compact_heartbeat[0] is not None else None

    HeartbeatJournalStorage.__module__ = __name__
    HeartbeatJournalStorage.__qualname__ = "HeartbeatJournalStorage"
    _HEARTBEAT_JOURNAL = HeartbeatJournalStorage
    globals()["HeartbeatJournalStorage"] = HeartbeatJournalStorage  # picklable by name
    return HeartbeatJournalStorage


def __getattr__(name):  # storage classes, made on first use (Optuna is imported lazily)
    if name == "HeartbeatJournalStorage":
        return _heartbeat_journal_class()
    if name == "SQLiteStorage":
        return _sqlite_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --------------------------------------------------------------------------- helpers


def _retry_callback():
    import optuna
    from optuna.exceptions import ExperimentalWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)
        return optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=3)


def _check_heartbeat(interval, grace):
    def positive(value, name):
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or math.isinf(value):
            raise ValueError(f"{name} must be a positive number of seconds, got {value!r}.")
        return value

    interval, grace = positive(interval, "heartbeat_interval"), positive(grace, "grace_period")
    if grace is not None and interval is None:
        raise ValueError("grace_period needs heartbeat_interval.")
    if grace is not None and grace <= interval:
        raise ValueError(
            f"grace_period={grace!r} must exceed heartbeat_interval={interval!r} "
            "(a live trial would be failed between two heartbeats)."
        )
    return interval, grace


def _is_race(exc: BaseException) -> bool:
    """An error of several processes creating the same tables or study at once."""
    import optuna

    if isinstance(exc, optuna.exceptions.DuplicatedStudyError):
        return True
    try:
        from sqlalchemy.exc import IntegrityError
    except ImportError:  # pragma: no cover
        IntegrityError = ()
    if isinstance(exc, IntegrityError):
        return True
    text = str(exc).lower()
    return any(
        s in text
        for s in ("already exists", "duplicate key", "unique constraint", "database is locked", "deadlock detected")
    )


def _retry_races(make, *, what: str):
    deadline = time.monotonic() + _RACE_SECONDS
    for attempt in range(_RACE_ATTEMPTS):
        try:
            return make()
        except Exception as e:
            if not _is_race(e) or attempt == _RACE_ATTEMPTS - 1 or time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.05, 0.2) * (attempt + 1))
    raise AssertionError(f"unreachable: {what}")  # pragma: no cover


def _unwrap(storage):
    """The storage behind Optuna's cache wrapper."""
    return getattr(storage, "_backend", storage) if type(storage).__name__ == "_CachedStorage" else storage


def _importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _redact(url: str) -> str:
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}{':***' if ':' in credentials else ''}@{host}"


def _first_line(exc: BaseException) -> str:
    """The first line of a database error (SQLAlchemy keeps the driver's in ``orig``)."""
    from ._validation import first_line

    return first_line(getattr(exc, "orig", None) or exc)
