"""Bayesian optimisation of the distribution parameters with Optuna (imported lazily)."""

from __future__ import annotations

from contextlib import contextmanager

from .distributions import SEARCH_SPACE, DistributionParams, Param, original_params


def resolve_storage(storage):
    """An Optuna storage from ``None``, a storage object, an RDB URL or a journal file path.

    ``"sqlite:///runs.db"``, ``"postgresql://..."`` and other URLs are RDB
    storages; any other string is the path of a ``JournalStorage`` file, which
    several processes (or machines sharing a file system) can use at once.
    """
    if storage is None or not isinstance(storage, str):
        return storage
    import optuna

    if "://" in storage:
        return optuna.storages.RDBStorage(storage)
    from optuna.storages.journal import JournalFileBackend

    return optuna.storages.JournalStorage(JournalFileBackend(storage))


def open_study(*, storage=None, study_name: str | None = None):
    """A maximising study, new or (with ``storage``) loaded to be continued."""
    import optuna

    return optuna.create_study(
        direction="maximize", storage=resolve_storage(storage), study_name=study_name, load_if_exists=True
    )


def prepare_study(study, random_state: int, *, space: tuple[Param, ...] = SEARCH_SPACE, n_startup_trials: int = 10):
    """Give ``study`` a seeded multivariate TPE sampler; enqueue the original distribution if it has no trial.

    The first trial is the original distribution (every training point once),
    so the best result is never below the baseline on validation.
    """
    import optuna

    study.sampler = optuna.samplers.TPESampler(
        seed=random_state,
        multivariate=True,
        n_startup_trials=n_startup_trials,
        constant_liar=True,  # keeps parallel workers from proposing the same point
    )
    if not study.trials:
        study.enqueue_trial(original_params(space))
    return study


def suggest(trial, space: tuple[Param, ...] = SEARCH_SPACE) -> DistributionParams:
    """Ask ``trial`` for the variables of ``space``."""
    values = {p.name: trial.suggest_float(p.name, p.low, p.high, log=p.log) for p in space}
    return DistributionParams(**values)


@contextmanager
def quiet_optuna():
    """Silence Optuna's per-trial INFO lines for the duration of a run."""
    import optuna

    previous = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(previous)
