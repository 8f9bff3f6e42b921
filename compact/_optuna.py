"""The one module that talks to Optuna (imported lazily): studies, suggestions and the loops.

Two loops drive a search, both asking the study for trials and telling it
their mean score:

* :func:`_optimize_each`: Optuna's own ``study.optimize``, one trial at a time;
* :func:`_optimize_batches`: ask ``batch`` trials (``trial_batch``), evaluate
  them together (as one computation for families that train many candidates
  at once, else in threads), tell each in order.

A trial whose draws were stopped early (``prune_draws``) is told as PRUNED;
one that failed (:class:`Failed`: a draw could not be fitted or scored) as
FAIL, with its error as the user attribute ``"error"``.  A run attempts at
most the trials missing from ``n_trials`` when it starts, failed ones
included, as ``study.optimize`` does, so a search whose trials all fail ends.

Bookkeeping (which trial is best, the baseline) is the caller's
(:class:`compact._trial_log.TrialLog`); here only the study's side.
"""

from __future__ import annotations

import logging
import threading
import time
import warnings
from contextlib import contextmanager
from typing import Callable, NamedTuple

from .distributions import ORIGINAL, DistributionParams, Param, original_params
from .result import TrialRecord
from .storage import finished_states


class Failed(NamedTuple):
    """A trial that failed: the error (type and first line) of the draw that could not be
    fitted or scored."""

    error: str


class _TrialFailed(Exception):
    """Raised by the objective of :func:`_optimize_each` so that Optuna marks the trial FAIL."""


#: ``evaluate([(trial number, params), ...]) -> [TrialRecord or Failed, ...]``
Evaluate = Callable[[list[tuple[int, DistributionParams]]], list["TrialRecord | Failed"]]


def open_study(storage, study_name: str | None, *, settings: dict, space: tuple[Param, ...]):
    """A maximising study, new or (with ``storage``) loaded to be continued.

    ``storage`` is resolved already (:func:`compact.storage.resolve_storage`).
    The process that creates the study records ``settings`` and queues the
    original distribution, once, even when several workers start together.
    """
    from .storage import create_or_load_study

    return create_or_load_study(storage, study_name, direction="maximize", settings=settings,
                                enqueue=original_params(space))


def check_fingerprint(study, fingerprint: dict, *, seed: int, seed_given: bool, scale: str,
                      scale_given: bool, n_draws_given: bool) -> tuple[int, str, int]:
    """The run's seed, ``sample_frac_scale`` and ``n_draws``, after checking that a continued study
    was run with the same settings.

    The study records ``fingerprint`` (what must not change between runs of
    one study: :func:`compact._fingerprint.fingerprint`), the seed and
    ``sample_frac_scale``; a continued study must match the fingerprint
    (:func:`compact.storage.check_settings`; the parameters of the family and
    of the oracle on the entries both runs have), and lends its seed, its
    ``sample_frac_scale`` and its ``n_draws`` to a run that left them out (to
    the family's default), so a default changed since never refuses a study.
    A study begun before a setting was recorded counts as run with what its
    trials show: the scale they were drawn from (``"linear"`` before the scale
    existed), the draws of its complete trials, validation rows for ``score_on``.

    Returns
    -------
    seed : int
    scale : {"linear", "log"}
    n_draws : int

    Raises
    ------
    ValueError
        Naming each setting that differs, or an unknown stored scale.
    """
    from .distributions import SAMPLE_FRAC_SCALES
    from .storage import check_settings

    stored = study.user_attrs.get("compact") or {}
    mended = {}
    if stored and "score_on" not in stored:  # begun before score_on existed: its trials scored on validation
        mended["score_on"] = "validation"
    drawn = _drawn_scale(study)
    if drawn is not None and stored.get("sample_frac_scale") != drawn:
        mended["sample_frac_scale"] = drawn
    draws = _drawn_n_draws(study) if stored and "n_draws" not in stored else None
    if draws is not None:
        mended["n_draws"] = draws
    if mended:  # one write to the storage
        stored = {**stored, **mended}
        study.set_user_attr("compact", stored)

    def given(key, value, explicit):  # None: take the study's
        return value if explicit or key not in stored else None

    used = check_settings(study, {**fingerprint, "random_state": given("random_state", seed, seed_given),
                                  "sample_frac_scale": given("sample_frac_scale", scale, scale_given),
                                  "n_draws": given("n_draws", fingerprint["n_draws"], n_draws_given)},
                          adopt=("random_state", "sample_frac_scale", "n_draws"), lenient=("params", "oracle"))
    if used["sample_frac_scale"] not in SAMPLE_FRAC_SCALES:
        raise ValueError(f"Study {study.study_name!r} records sample_frac_scale={used['sample_frac_scale']!r}, "
                         f"not one of {sorted(SAMPLE_FRAC_SCALES)}.")
    return int(used["random_state"]), used["sample_frac_scale"], int(used["n_draws"])


def _drawn_n_draws(study) -> int | None:
    """The draws per trial of ``study``'s complete trials of drawn samples (None before any finished;
    the original data's trial has one score whatever ``n_draws``)."""
    import optuna

    counts = [len(t.user_attrs["scores"]) for t in study.get_trials(
        deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)) if "scores" in t.user_attrs and not _original(t)]
    return max(counts) if counts else None


def _original(trial) -> bool:
    """Whether a stored trial ran the original distribution (a variable it lacks had its original value)."""
    return all(trial.params.get(k, v) == v for k, v in ORIGINAL.items()) and not trial.params.get("class_balance")


def _drawn_scale(study) -> str | None:
    """``"log"`` or ``"linear"``: the range of ``sample_frac`` a trial of ``study`` was drawn from
    (None before any was)."""
    for trial in study.get_trials(deepcopy=False):
        frac = trial.distributions.get("sample_frac")
        if frac is not None:
            return "log" if frac.log else "linear"
    return None


def prepare_study(study, seed: int, *, space: tuple[Param, ...], n_startup_trials: int = 10):
    """Give ``study`` a seeded multivariate TPE sampler and queue the original distribution.

    The original distribution is queued unless a trial of the study already
    has it (finished, running or waiting), so a study whose first trial failed
    or was killed runs it again.
    """
    import optuna

    from .storage import enqueue_once

    study.sampler = optuna.samplers.TPESampler(
        seed=seed,
        multivariate=True,
        n_startup_trials=n_startup_trials,
        constant_liar=True,  # keeps parallel workers from proposing the same point
    )
    # A trial of an earlier version lacks the variables added since; it used their original values.
    original = original_params(space)
    enqueue_once(study, original, missing=original)
    return study


def suggest(trial, space: tuple[Param, ...]) -> DistributionParams:
    """Ask ``trial`` for the variables of ``space``."""
    return DistributionParams(**{p.name: trial.suggest_float(p.name, p.low, p.high, log=p.log) for p in space})


def n_finished(study) -> int:
    """Finished trials of the study (complete or stopped early), from every run and worker."""
    return len(study.get_trials(deepcopy=False, states=finished_states()))


def finished_records(study, space: tuple[Param, ...]) -> list[TrialRecord]:
    """The study's finished trials (complete or stopped early) that carry compact's per-draw scores.

    A variable that a trial lacks (``class_balance`` in a study begun by an
    earlier version) takes its original value: what that trial used.
    """
    import optuna

    original = original_params(space)
    return [
        TrialRecord(t.number, {p.name: t.params.get(p.name, original[p.name]) for p in space},
                    list(t.user_attrs["scores"]),
                    t.user_attrs.get("seconds", 0.0), stopped=t.state == optuna.trial.TrialState.PRUNED,
                    fits=t.user_attrs.get("fits"))
        for t in study.get_trials(deepcopy=False, states=finished_states())
        if "scores" in t.user_attrs
    ]


def optimize(study, evaluate: Evaluate, *, space, n_trials: int, timeout: float | None,
             batch: int | None, on_trial: Callable[[], None]) -> bool:
    """Run trials until the study has ``n_trials`` finished ones (or ``timeout``).

    ``batch`` set: ask that many trials at a time and evaluate them together
    (the same trials, in the same order, whatever the timing: reproducible).
    Returns whether the run was interrupted (Ctrl-C); the trials finished by
    then stay in the study.
    """
    try:
        if batch is not None:
            _optimize_batches(study, evaluate, space=space, n_trials=n_trials, timeout=timeout, batch=batch,
                              on_trial=on_trial)
        else:
            _optimize_each(study, evaluate, space=space, n_trials=n_trials, timeout=timeout, on_trial=on_trial)
    except KeyboardInterrupt:
        return True
    return False


def _optimize_each(study, evaluate: Evaluate, *, space, n_trials, timeout, on_trial) -> None:
    import optuna

    left = n_trials - n_finished(study)
    if left <= 0:
        return

    def objective(trial):
        record = evaluate([(trial.number, suggest(trial, space))])[0]
        if isinstance(record, Failed):
            trial.set_user_attr("error", record.error)
            raise _TrialFailed(record.error)
        value = _keep(trial, record)
        if record.stopped:
            raise optuna.TrialPruned()
        return value

    stop = optuna.study.MaxTrialsCallback(n_trials, states=finished_states())
    study.optimize(objective, n_trials=left, timeout=timeout, catch=(_TrialFailed,),
                   callbacks=[stop, lambda study, trial: on_trial()])


def _optimize_batches(study, evaluate: Evaluate, *, space, n_trials, timeout, batch, on_trial) -> None:
    import optuna

    from .storage import ask, keep_alive

    began = time.perf_counter()
    budget = n_trials - n_finished(study)  # attempts, as study.optimize(n_trials=left) makes
    while (left := min(n_trials - n_finished(study), budget)) > 0:
        if timeout is not None and time.perf_counter() - began > timeout:
            break
        trials = ask(study, min(batch, left))
        budget -= len(trials)
        told, records = 0, None
        try:
            with keep_alive(study, trials):  # a long batch must not look like a dead worker
                records = evaluate([(trial.number, suggest(trial, space)) for trial in trials])
            for trial, record in zip(trials, records):
                _tell(study, trial, record=record)
                told += 1
                on_trial()
        except BaseException:  # Ctrl-C included: no trial of the batch is left RUNNING
            # Evaluated trials are in the run's result: the study gets them too (a trial told already,
            # the one the interrupt hit, say, is skipped); the others fail.
            with warnings.catch_warnings():  # the interrupted trial's draws may be reported already
                warnings.filterwarnings("ignore", message="The reported value is ignored")
                for k, trial in enumerate(trials[told:], start=told):
                    _tell(study, trial, **({"state": optuna.trial.TrialState.FAIL} if records is None
                                           else {"record": records[k]}))
            raise


def _tell(study, trial, *, record: TrialRecord | Failed | None = None, state=None) -> None:
    """Store ``record`` and tell its score (PRUNED if its draws stopped early, FAIL with its error
    if it failed), or tell ``state``; nothing if the heartbeat already failed the trial (its worker
    looked dead): then it is lost."""
    import optuna

    try:
        if record is None:
            study.tell(trial, state=state)
        elif isinstance(record, Failed):
            trial.set_user_attr("error", record.error)
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
        elif record.stopped:
            _keep(trial, record)
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        else:
            study.tell(trial, _keep(trial, record))
    except optuna.exceptions.UpdateFinishedTrialError:
        pass


def wait_for_others(study, *, trial_seconds: float, settle: float = 0.5, rounds: int = 10) -> None:
    """On a shared study: wait until no trial runs, so that every worker sees the same finished
    trials and returns the same model.

    With heartbeats a dead worker's trial fails within the grace period;
    without, a trial left running by a killed worker is waited for a bounded
    time (a few trials' length).  A worker that finished a trial just as this
    one stopped may start one more batch (the study ends at most (workers - 1) x batch over):
    the wait ends only when the study has stayed still for ``settle`` seconds.
    """
    from .storage import stale_after, wait_for_running

    limit = stale_after(study._storage)
    timeout = 2 * limit if limit is not None else min(60.0, max(5.0, 5 * trial_seconds))
    for _ in range(rounds):
        if not wait_for_running(study, timeout=timeout):
            return  # a trial that never ends: a dead worker without heartbeat
        seen = len(study.get_trials(deepcopy=False))
        time.sleep(settle)
        if len(study.get_trials(deepcopy=False)) == seen:
            return


def _keep(trial, record: TrialRecord) -> float:
    """Store the per-draw scores in the study (runs that continue it adopt them); the objective.

    A trial stopped early reports its mean at its last draw as an intermediate
    value: TPE ranks stopped trials by (last step, value).  Complete trials
    report nothing (one storage write fewer per draw).
    """
    trial.set_user_attr("scores", record.scores)
    trial.set_user_attr("seconds", record.seconds)
    trial.set_user_attr("fits", record.fits)
    if record.stopped:
        trial.report(record.score, len(record.scores) - 1)
    return record.score


_quiet_lock = threading.Lock()
_quiet_depth = 0
_quiet_previous = None


class _NoTrialFailures(logging.Filter):
    """Drops ``study.optimize``'s lines on failed trials (two per trial, with a traceback): a run
    reports its failed trials once, in its own warning, and an error that ends it propagates."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.getMessage().startswith("Trial ") and " failed with " in record.getMessage())


_NO_TRIAL_FAILURES = _NoTrialFailures()


@contextmanager
def quiet_optuna():
    """Silence Optuna's per-trial INFO lines, and its lines on failed trials, while any run is
    inside this block.

    Nested and concurrent runs share one counter, so the verbosity is set by
    the first to enter and restored by the last to leave.
    """
    import optuna

    global _quiet_depth, _quiet_previous
    failures = logging.getLogger("optuna.study._optimize")
    with _quiet_lock:
        if _quiet_depth == 0:
            _quiet_previous = optuna.logging.get_verbosity()
            optuna.logging.set_verbosity(optuna.logging.WARNING)
            failures.addFilter(_NO_TRIAL_FAILURES)
        _quiet_depth += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_depth -= 1
            if _quiet_depth == 0:
                optuna.logging.set_verbosity(_quiet_previous)
                failures.removeFilter(_NO_TRIAL_FAILURES)
