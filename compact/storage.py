"""Optuna storages for shared and resumable studies (optuna imported lazily)."""

from __future__ import annotations


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


def create_or_load_study(storage, study_name: str | None, *, direction: str = "maximize"):
    """A study, new or loaded to be continued."""
    import optuna

    return optuna.create_study(
        direction=direction, storage=resolve_storage(storage), study_name=study_name, load_if_exists=True
    )
