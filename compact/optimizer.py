"""Bayesian optimisation of the distribution parameters with Optuna (imported lazily)."""

from __future__ import annotations

from contextlib import contextmanager

from .distributions import ORIGINAL, SEARCH_SPACE, DistributionParams, Param


def create_study(random_state: int, *, space: tuple[Param, ...] = SEARCH_SPACE, n_startup_trials: int = 10):
    """A maximising study with a seeded multivariate TPE sampler.

    The first trial is enqueued as the original distribution (every training
    point once), so the best result is never below the baseline on validation.
    """
    import optuna

    sampler = optuna.samplers.TPESampler(
        seed=random_state,
        multivariate=True,
        n_startup_trials=n_startup_trials,
        constant_liar=True,  # keeps parallel workers from proposing the same point
    )
    study = optuna.create_study(direction="maximize", sampler=sampler)
    # Variables beyond the seven (the density tree's depth) take their top
    # value: irrelevant to the original data, but the trial must be complete.
    study.enqueue_trial({p.name: ORIGINAL.get(p.name, p.high) for p in space})
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
