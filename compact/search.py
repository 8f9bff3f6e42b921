"""``CompactSearch``: the parameters of a compaction run, held once, and its ``fit``.

``compact.fit``, :class:`~compact.CompactClassifier`, :class:`~compact.CompactRegressor`,
``compact.compare`` and the command line all build this object, so a
parameter is defined (and validated) in one place.  ``fit`` reads top-down:
check the parameters, open the study, set up the problem, the distribution
family and the candidate trainer, then hand an ``evaluate`` function to the
Optuna loop (as scikit-learn's ``BaseSearchCV.fit`` hands ``evaluate_candidates``
to ``_run_search``).
"""

from __future__ import annotations

import copy
import os
import time
import warnings
from typing import NamedTuple

from sklearn.base import BaseEstimator, is_regressor
from sklearn.metrics import check_scoring

from . import _optuna
from ._fingerprint import fingerprint as study_fingerprint
from ._fingerprint import scoring_name
from ._mixture import METHODS, make_mixture, space_of
from ._problem import SCORE_ON, make_problem, with_score_rows
from ._progress import Progress
from ._seeds import SeedStreams, int31
from ._threads import available_cores
from ._trainer import CandidateError, CandidateTrainer
from ._trial_log import TrialLog
from ._validation import (
    check_data,
    check_flag,
    check_fraction,
    check_n_jobs,
    check_oracle,
    check_positive_int,
    check_prune_draws,
    check_scorer,
    check_seed,
    check_timeout,
    check_verbose,
)
from .adapters import DecodedClassifier, get_adapter
from .distributions import SAMPLE_FRAC_SCALES, DistributionParams, original_params
from .result import CompactResult
from .scoring import validation_scorer
from .storage import resolve_storage


class Checked(NamedTuple):
    """The checked parameters of a run."""

    adapter: object
    request: dict
    weights_mode: bool
    storage: object
    seed: int
    prune_draws: float | None  # predictive standard deviations, or None: every draw
    class_balance: bool  # whether the class_balance variable is searched
    score_on: str  # the rows candidates are scored on
    sample_frac_scale: str  # the range of sample_frac a new study searches


class CompactSearch(BaseEstimator):
    """Learn the training distribution on which a model of fixed size scores best.

    The parameters are those of :func:`compact.fit` (see there), less the data.
    ``fit(X, y, validation_data=None)`` sets ``result_``, a
    :class:`~compact.CompactResult`.
    """

    def __init__(
        self,
        estimator=None,
        *,
        size=3,
        size_param=None,
        oracle="xgboost",
        n_trials=100,
        n_draws=None,
        prune_draws=0.5,
        scoring=None,
        validation_size=0.25,
        flatten=True,
        class_balance=None,
        score_on=None,
        sample_frac_scale=None,
        method="oracle",
        weights_mode=False,
        random_state=None,
        n_jobs=None,
        verbose=0,
        trial_batch=None,
        timeout=None,
        storage=None,
        study_name=None,
        heartbeat_interval=None,
        grace_period=None,
    ):
        self.estimator = estimator
        self.size = size
        self.size_param = size_param
        self.oracle = oracle
        self.n_trials = n_trials
        self.n_draws = n_draws
        self.prune_draws = prune_draws
        self.scoring = scoring
        self.validation_size = validation_size
        self.flatten = flatten
        self.class_balance = class_balance
        self.score_on = score_on
        self.sample_frac_scale = sample_frac_scale
        self.method = method
        self.weights_mode = weights_mode
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.trial_batch = trial_batch
        self.timeout = timeout
        self.storage = storage
        self.study_name = study_name
        self.heartbeat_interval = heartbeat_interval
        self.grace_period = grace_period

    def _default_estimator(self):
        raise ValueError("estimator is required: the small model family to compact, e.g. DecisionTreeClassifier().")

    def _template(self):
        return self._default_estimator() if self.estimator is None else self.estimator

    # -- fit, top-down ---------------------------------------------------------------
    def fit(self, X, y, *, validation_data=None):
        """Search the training distribution; sets ``result_`` and returns ``self``."""
        started = time.perf_counter()
        adapter, request, weights_mode, storage, seed, prune_draws, class_balance, score_on, scale = self.check_params()
        regression = is_regressor(adapter.estimator)
        scoring = self.scoring if self.scoring is not None else ("r2" if regression else "f1_macro")
        X, y, feature_names = check_data(X, y, regression=regression)
        scorer = check_scorer(check_scoring(adapter.estimator, scoring=scoring), scoring, y, regression=regression)
        with _optuna.quiet_optuna():
            fingerprint = study_fingerprint(self, adapter, request, scoring, X=X, y=y,
                                            validation_data=validation_data, class_balance=class_balance,
                                            score_on=score_on)
            space = space_of(self.method, class_balance=class_balance, sample_frac_scale=scale)
            study = _optuna.open_study(storage, self.study_name, space=space,
                                       settings={**fingerprint, "random_state": seed, "sample_frac_scale": scale})
            seed, scale, n_draws = _optuna.check_fingerprint(study, fingerprint, seed=seed, scale=scale,
                                                             seed_given=self.random_state is not None,
                                                             scale_given=self.sample_frac_scale is not None,
                                                             n_draws_given=self.n_draws is not None)
            seeds = SeedStreams(seed)
            # A continued study keeps its range of sample_frac where none is given.
            space = space_of(self.method, class_balance=class_balance, sample_frac_scale=scale)
            problem = make_problem(X, y, feature_names=feature_names, validation_size=self.validation_size,
                                   validation_data=validation_data, seed=seeds.split, regression=regression,
                                   encoded_labels=adapter.encoded_labels)
            problem = with_score_rows(problem, score_on)
            mixture, oracle = make_mixture(self.method, problem, oracle=self.oracle, flatten=self.flatten,
                                           seeds=seeds, n_jobs=self._oracle_threads())
            score = validation_scorer(scoring, scorer, problem.y_score, labels=problem.fit_labels,
                                      classes=problem.classes if problem.encoded else None, regression=regression)
            trainer = CandidateTrainer(adapter, request, problem, mixture, seeds, score,
                                       n_draws=n_draws, weights_mode=weights_mode,
                                       **self._threads(adapter))
            # Scores on the training rows too are taken on many rows: the top draw of any trial is returned.
            log = TrialLog(select="draw" if score_on == "train+validation" else "mean")
            interrupted = self._run_search(study, trainer, log, space, seeds, prune_draws=prune_draws)
        self.result_ = self._make_result(adapter, request, problem, log, study, space, seeds, oracle=oracle,
                                         scoring=scoring, weights_mode=weights_mode, score_on=score_on,
                                         interrupted=interrupted, seconds=time.perf_counter() - started)
        return self

    def _run_search(self, study, trainer: CandidateTrainer, log: TrialLog, space, seeds: SeedStreams, *,
                    prune_draws: float | None) -> bool:
        """The baseline first (it also proves the family fits and scores), then the Optuna loop."""
        original = DistributionParams(**original_params(space))
        baseline = trainer.run_trials([(0, original)])[0]
        if baseline.error is not None:  # no search without a baseline: a trial failing is not the point here
            raise ValueError(f"{type(trainer.adapter.estimator).__name__} could not be fitted and scored at size "
                             f"{trainer.request} on the training data: {baseline.error}") from baseline.error
        log.set_baseline(baseline.model, baseline.scores[0])

        failures: list[CandidateError] = []

        def evaluate(trials):
            stop = None if prune_draws is None else log.stop_rule(prune_draws, n_draws=trainer.n_draws)
            outcomes = trainer.run_trials(trials, stop=stop)
            failures.extend(out.error for out in outcomes if out.error is not None)
            return [_optuna.Failed(str(out.error)) if out.error is not None else
                    log.add(number, params, out.scores, out.model, out.seconds, stopped=out.stopped, fits=out.fits)
                    for (number, params), out in zip(trials, outcomes)]

        # A shared study gets a sampler seed per process, or workers would propose the same points.
        sampler_seed = int31(seeds.study if self.storage is None else seeds.study + os.getpid())
        _optuna.prepare_study(study, sampler_seed, space=space)
        batch = self._trial_batch(trainer.adapter)
        with Progress(self.n_trials, initial=_optuna.n_finished(study), enabled=self.verbose > 0) as progress:
            interrupted = _optuna.optimize(study, evaluate, space=space, n_trials=self.n_trials,
                                           timeout=self.timeout, batch=batch,
                                           on_trial=lambda: progress.update(log.best_score()))
        if interrupted:
            warnings.warn(f"Interrupted after {len(log.records)} trials; returning the best model so far.",
                          RuntimeWarning, stacklevel=3)
        elif self.storage is not None:  # other workers may still be finishing trials of the study
            _optuna.wait_for_others(study, trial_seconds=max((r.seconds for r in log.records.values()), default=0.0))
        log.adopt(_optuna.finished_records(study, space), refit=trainer.refit_draw)
        drawn = any(not log.params_of(n).is_original for n in log.records)  # this run's or the study's
        if failures and not drawn and not interrupted:  # no drawn sample could be fitted and scored
            raise RuntimeError(f"Every trial failed ({len(failures)} in this run; a draw could not be fitted or "
                               f"scored); the first: {failures[0]}") from failures[0]
        if failures:  # the search went on without them; the study keeps them as FAIL with their error
            warnings.warn(f"{len(failures)} trial(s) failed and were left out (a draw could not be fitted or "
                          f"scored); the first: {failures[0]}", RuntimeWarning, stacklevel=3)
        return interrupted

    # -- parts -------------------------------------------------------------------------
    def check_params(self) -> Checked:
        """Every parameter checked before any work (no study, oracle or model touched yet)."""
        if self.method not in METHODS:
            raise ValueError(f"Unknown method {self.method!r}; available: {list(METHODS)}.")
        check_positive_int(self.n_trials, "n_trials")
        for name in ("n_draws", "trial_batch"):
            if getattr(self, name) is not None:
                check_positive_int(getattr(self, name), name)
        check_n_jobs(self.n_jobs)
        prune_draws = check_prune_draws(self.prune_draws)
        check_fraction(self.validation_size, "validation_size")
        seed = check_seed(self.random_state)
        check_timeout(self.timeout)
        if self.storage is None and self.study_name is not None:
            raise ValueError("study_name needs a storage to keep the study in.")
        # A copy: families keep data-dependent state from prepare() on their adapter.
        adapter = copy.copy(get_adapter(self._template(), self.size_param))
        request = adapter.normalize_size(self.size)
        if self.method == "oracle":
            check_oracle(self.oracle, regression=is_regressor(adapter.estimator))
        weights_mode = check_flag(self.weights_mode, "weights_mode")
        check_flag(self.flatten, "flatten")
        check_verbose(self.verbose)
        if weights_mode and not adapter.supports_sample_weight:
            warnings.warn(f"{type(adapter.estimator).__name__}.fit does not accept sample_weight; "
                          "weights_mode falls back to resampling.", UserWarning, stacklevel=3)
            weights_mode = False
        class_balance = self._class_balance(adapter)
        score_on = self.score_on_for(adapter)
        scale = self.sample_frac_scale_for(adapter, request)
        storage = resolve_storage(self.storage, heartbeat_interval=self.heartbeat_interval,
                                  grace_period=self.grace_period)
        return Checked(adapter, request, weights_mode, storage, seed, prune_draws, class_balance, score_on, scale)

    def _class_balance(self, adapter) -> bool:
        """Whether ``class_balance`` is searched: for classifiers whose family takes
        ``sample_weight`` by default; ``True`` demands it, ``False`` turns it off."""
        if self.class_balance not in (None, True, False):
            raise ValueError(f"class_balance must be None, True or False; got {self.class_balance!r}.")
        possible = not is_regressor(adapter.estimator) and adapter.supports_sample_weight
        if self.class_balance and not possible:
            why = ("a regressor has no classes" if is_regressor(adapter.estimator)
                   else f"{type(adapter.estimator).__name__}.fit does not accept sample_weight")
            raise ValueError(f"class_balance=True cannot be searched: {why}.")
        return possible if self.class_balance is None else bool(self.class_balance)

    def score_on_for(self, adapter) -> str:
        """The rows candidates are scored on: ``score_on``, or the family's default
        (``Adapter.default_score_on``: ``"train+validation"`` for decision tree
        classifiers, L1 logistic regression, the linear probability model and
        random forest classifiers, ``"validation"`` otherwise)."""
        if self.score_on is None:
            return adapter.default_score_on
        if self.score_on not in SCORE_ON:
            raise ValueError(f"score_on must be None, {' or '.join(map(repr, SCORE_ON))}; got {self.score_on!r}.")
        return self.score_on

    def sample_frac_scale_for(self, adapter, size: dict[str, int]) -> str:
        """The range of ``sample_frac`` a new study searches: ``sample_frac_scale``, or the family's
        default for ``size`` (``Adapter.default_sample_frac_scale``: ``"log"`` for decision tree
        classifiers of depth 1, ``"linear"`` otherwise).  A continued study keeps its own where this
        is ``None``."""
        if self.sample_frac_scale is None:
            return adapter.default_sample_frac_scale(size)
        if not isinstance(self.sample_frac_scale, str) or self.sample_frac_scale not in SAMPLE_FRAC_SCALES:
            raise ValueError(f"sample_frac_scale must be None, {' or '.join(map(repr, SAMPLE_FRAC_SCALES))}; "
                             f"got {self.sample_frac_scale!r}.")
        return self.sample_frac_scale

    def n_draws_for(self, adapter) -> int:
        """Draws per trial for ``adapter``'s family: ``n_draws``, or the family's default
        (``Adapter.default_n_draws``: 2 for decision trees, 3 otherwise)."""
        return adapter.default_n_draws if self.n_draws is None else self.n_draws

    def _trial_batch(self, adapter) -> int | None:
        """Trials asked for at once (``None``: one at a time): ``trial_batch``, or the family's
        default, 8 for families that train them as one computation, 2 for families whose fits
        release the GIL (so that two cores are used), 1 for the others.  Never the thread count:
        the batch decides which trials are proposed, and the result must not depend on the machine."""
        batch = self.trial_batch
        if batch is None:
            batch = 8 if adapter.fit_batch is not None else 2 if adapter.releases_gil else 1
        return batch if batch > 1 else None

    def _n_threads(self, adapter) -> int:
        """Threads of the search: ``n_jobs``; by default every available core for families
        whose fits release the GIL, one for the others (threads would only queue for the GIL)."""
        if self.n_jobs is None:
            return available_cores() if adapter.releases_gil else 1
        return available_cores() if self.n_jobs == -1 else self.n_jobs

    def _threads(self, adapter) -> dict[str, int]:
        """How the threads are shared out: a thread per trial of a batch, the rest to each
        trial's draws.  Families that train a batch as one computation use their own threads."""
        threads = self._n_threads(adapter)
        trials = min(threads, self._trial_batch(adapter) or 1)
        return {"trial_threads": trials, "draw_threads": max(1, threads // trials)}

    def _oracle_threads(self) -> int:
        """Threads for the oracle's fit, which runs alone before the search: ``n_jobs``,
        every available core by default."""
        return available_cores() if self.n_jobs in (None, -1) else self.n_jobs

    def _make_result(self, adapter, request, problem, log: TrialLog, study, space, seeds, *, oracle, scoring,
                     weights_mode, score_on, interrupted, seconds) -> CompactResult:
        chosen = log.chosen()
        measured = adapter.measure(chosen.model)
        if not adapter.within(measured, request):
            raise RuntimeError(f"Fitted model size {measured} exceeds the request {request}; adapter bug.")
        model, baseline_model = chosen.model, log.baseline.model
        if problem.encoded:
            model = DecodedClassifier.from_fitted(model, problem.classes)
            baseline_model = DecodedClassifier.from_fitted(baseline_model, problem.classes)
        best = log.records.get(chosen.number) if chosen.number is not None else None
        return CompactResult(
            model_=model, size_=_as_requested(self.size, measured, request), requested_size=self.size,
            baseline_model_=baseline_model, baseline_score_=log.baseline.draw_score,
            best_score_=log.chosen_score(), best_draw_score_=chosen.draw_score,
            best_params_=dict(best.params) if best else original_params(space), trials_=log.trials(),
            oracle_=oracle, classes_=problem.classes, random_state_=seeds.root, fit_seconds_=seconds,
            scoring=scoring_name(scoring), method=self.method,
            weights_mode=weights_mode, feature_names_in_=problem.feature_names, interrupted_=interrupted,
            study_=study, score_on=score_on,
            sample_frac_scale=next(name for name, frac in SAMPLE_FRAC_SCALES.items() if frac in space),
        )


def _as_requested(size, measured: dict, request: dict):
    """The measured size in the shape the user asked for (int, tuple or dict)."""
    if isinstance(size, dict):
        return {name: measured[name] for name in request}
    if isinstance(size, (tuple, list)):
        return tuple(measured[name] for name in request)
    return measured[next(iter(request))]
