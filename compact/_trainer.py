"""Candidate training: from a distribution's parameters to fitted, scored small models.

A *candidate* is one draw of one trial, named by ``(trial number, draw)``.
:class:`CandidateTrainer` is the one place that decides how a draw is fitted:

* the original distribution: the training data as it is (one draw);
* weights mode: all rows, with the expected sampling frequency as ``sample_weight``;
* resample mode: the drawn rows (the adapter fits them as repeated rows or
  as distinct rows weighted by their counts, whichever its family allows).

A trial's ``class_balance`` (classifiers) multiplies each row's weight by its
class's factor (:func:`compact.distributions.balance_weights`).

Families that train several candidates as one computation (PyTorch nets,
``Adapter.fit_batch``) get all draws of several trials at once, as row
weights; the others are fitted one by one.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

from ._problem import Problem
from ._seeds import SeedStreams
from ._validation import first_line
from .distributions import DistributionParams, balance_weights


class CandidateError(Exception):
    """The family or the scorer raised on a candidate (its ``__cause__``), or its score was not a
    number: the candidate's trial fails, not the search.  Compact's own errors are not wrapped."""


@contextmanager
def family_call():
    """Wraps an error of the family or scorer called inside as :class:`CandidateError`; running out
    of memory is not a candidate's fault (the next would too) and propagates."""
    try:
        yield
    except (CandidateError, MemoryError):
        raise
    except Exception as err:
        if type(err).__name__ == "OutOfMemoryError":  # torch.cuda's
            raise
        raise CandidateError(f"{type(err).__name__}: {first_line(err)}") from err


@dataclass(frozen=True)
class Candidate:
    """One draw of one trial's distribution."""

    trial: int
    draw: int
    params: DistributionParams


class CandidateTrainer:
    """Fits and scores candidates for one run.

    Parameters
    ----------
    adapter : Adapter
        The model family.
    request : dict
        The normalised size.
    problem : Problem
        Training and validation parts.
    mixture : DPBetaMixture
        The distribution family the trials' parameters pick from.
    seeds : SeedStreams
        Seeds of the draws and of the models.
    scorer : callable
        ``scorer(model, X) -> float`` against the target of the score rows
        (``problem.X_score``; :func:`compact.scoring.validation_scorer`).
    n_draws : int
        Draws per trial (the original distribution has one).
    weights_mode : bool
        Fit with expected sampling frequencies instead of resamples.
    trial_threads : int, default=1
        Trials of a batch evaluated at once, each in a thread, for families
        fitted one by one.
    draw_threads : int, default=1
        Draws of a trial fitted and scored at once in threads, for families
        fitted one by one.  Each candidate is independent and seeded on its
        own, so the results depend on neither thread count.
    """

    def __init__(self, adapter, request: dict, problem: Problem, mixture, seeds: SeedStreams, scorer, *,
                 n_draws: int, weights_mode: bool, trial_threads: int = 1, draw_threads: int = 1):
        self.adapter, self.request, self.problem = adapter, request, problem
        self.mixture, self.seeds, self.scorer = mixture, seeds, scorer
        self.n_draws, self.weights_mode = n_draws, weights_mode
        self.trial_threads, self.draw_threads = trial_threads, draw_threads
        self._original = None  # the original data's model: fitted once (baseline and its trial)
        self.X_fit = adapter.prepare_X(problem.X_train)
        self.X_score = adapter.prepare_X(problem.X_score)
        adapter.prepare(self.X_fit, problem.y_fit, size=request, random_state=seeds.model_seed(0, 0))

    def candidates(self, trial: int, params: DistributionParams) -> list[Candidate]:
        """The draws of a trial.  The original distribution draws nothing at random,
        so it is one candidate named ``(0, 0)`` whatever its trial number."""
        if params.is_original:
            return [Candidate(0, 0, params)]
        return [Candidate(trial, d, params) for d in range(self.n_draws)]

    # -- samples ---------------------------------------------------------------
    def draw(self, candidate: Candidate) -> np.ndarray | None:
        """The candidate's sample: ``None`` for the original data, else expected
        row frequencies (weights mode) or drawn row indices (resample mode)."""
        if candidate.params.is_original:
            return None
        rng = self.seeds.draw_rng(candidate.trial, candidate.draw)
        if self.weights_mode:
            return self.mixture.expected_weights(candidate.params, rng)
        return self.mixture.sample_indices(candidate.params, rng)

    def row_weights(self, candidate: Candidate) -> np.ndarray:
        """How much each training row counts for this candidate (for batched fits): the
        draw's repeat counts, or its expected frequencies in weights mode, without index arrays."""
        if candidate.params.is_original:
            return np.ones(len(self.X_fit))
        rngs = [self.seeds.draw_rng(candidate.trial, candidate.draw)]
        if self.weights_mode:
            weights = self.mixture.sample_weights(candidate.params, rngs)[0]
        else:
            weights = self.mixture.sample_counts(candidate.params, rngs)[0].astype(float)
        return weights * self.class_factors(candidate, weights)

    def class_factors(self, candidate: Candidate, weights: np.ndarray) -> np.ndarray | float:
        """Each row's class factor for the candidate's ``class_balance`` (1 without one)."""
        strength = candidate.params.class_balance
        if not strength:
            return 1.0
        return balance_weights(weights, self.problem.strata, strength)

    # -- fitting -----------------------------------------------------------------
    def fit_one(self, candidate: Candidate):
        """One candidate, fitted on its own."""
        adapter, request, y = self.adapter, self.request, self.problem.y_fit
        if candidate.params.is_original and self._original is not None:
            return self._original  # the same seed and data: the same model
        model = adapter.build(request, random_state=self.seeds.model_seed(candidate.trial, candidate.draw))
        sample = self.draw(candidate)
        if sample is None:
            with family_call():
                self._original = adapter.fit(model, self.X_fit, y, size=request)
            return self._original
        if self.weights_mode:
            weight = sample * self.class_factors(candidate, sample)
            with family_call():
                return adapter.fit(model, self.X_fit, y, sample_weight=weight, size=request)
        row_weight = None
        if candidate.params.class_balance:
            row_weight = self.class_factors(candidate, np.bincount(sample, minlength=len(y)))
        with family_call():
            return adapter.fit_resample(model, self.X_fit, y, sample, size=request, row_weight=row_weight)

    def fit_many(self, candidates: list[Candidate]) -> list:
        """Several candidates: as one batch where the family batches, else one by one."""
        if self.adapter.fit_batch is None or len(candidates) < 2:
            return [self.fit_one(c) for c in candidates]
        weights = np.stack([self.row_weights(c) for c in candidates])
        with family_call():
            return self.adapter.fit_batch(
                self.X_fit, self.problem.y_fit, weights, size=self.request,
                random_states=[self.seeds.model_seed(c.trial, c.draw) for c in candidates],
            )

    # -- scoring -----------------------------------------------------------------
    def score(self, model) -> float:
        """Validation score of a fitted candidate; a score that is not a finite number
        (NaN from a scorer, say) raises :class:`CandidateError`, as a candidate that cannot be ranked."""
        with family_call():  # the model's predict and the scorer
            value = self.scorer(model, self.X_score)
        if not math.isfinite(value):
            raise CandidateError(f"ValueError: the candidate scored {value} on the score rows")
        return value

    def refit_draw(self, number: int, params: DistributionParams, draw: int) -> tuple[float, object]:
        """``(score, model)`` of one draw of a trial, fitted again: candidates are seeded by
        their trial and draw, so this is the model the trial had (for a trial run elsewhere)."""
        # Built directly: a trial of a study begun with more draws than this run's has its draw.
        model = self.fit_one(Candidate(0, 0, params) if params.is_original else Candidate(number, draw, params))
        return self.score(model), model

    def run_trials(self, trials: list[tuple[int, DistributionParams]], *,
                   stop: Callable[[list[float]], bool] | None = None) -> list[Outcome]:
        """Fit and score the candidates of several trials.

        Returns, per trial, the scores of its draws and its best-scoring model
        (the first of equals).  ``stop(scores so far) -> bool``, asked after
        each draw but the last, ends a trial's draws early; families fitted
        one by one then fit a trial's first draw, then the others in chunks
        of ``draw_threads`` (a chunk costs one draw's time); draws fitted
        past the stop are dropped, so the outcome does not depend on the
        threads.  Several trials of such a family run in up to
        ``trial_threads`` threads.  Batched families fit every draw of every
        trial as one computation.
        """
        if self.adapter.fit_batch is None:
            if len(trials) == 1 or self.trial_threads < 2:
                return [self._run_trial(*trial, stop) for trial in trials]
            with ThreadPoolExecutor(min(self.trial_threads, len(trials))) as pool:
                return list(pool.map(lambda trial: self._run_trial(*trial, stop), trials))
        began = time.perf_counter()
        groups = [self.candidates(number, params) for number, params in trials]
        try:
            models = iter(self.fit_many([c for group in groups for c in group]))
        except CandidateError as err:  # one computation: every trial of the batch failed
            return [_failed(err, fits=len(group), seconds=0.0) for group in groups]
        fitted = [[m for _, m in zip(group, models)] for group in groups]  # group first: stops at its end
        seconds = (time.perf_counter() - began) / len(trials)
        outcomes = []
        for group in fitted:
            try:
                outcomes.append(_outcome([(self.score(m), m) for m in group], stopped=False, fits=len(group),
                                         seconds=seconds))
            except CandidateError as err:
                outcomes.append(_failed(err, fits=len(group), seconds=seconds))
        return outcomes

    def _run_trial(self, number: int, params: DistributionParams, stop) -> Outcome:
        """One trial's draws; a draw that cannot be fitted or scored (a sample of one class
        for a family that needs two, a NaN score) fails the trial, not the search."""
        began = time.perf_counter()
        group = self.candidates(number, params)
        try:
            if stop is None:
                done, stopped, fits = self._fit_and_score(group), False, len(group)
            else:
                done, stopped, fits = self._race(group, stop)
        except CandidateError as err:
            return _failed(err, fits=len(group), seconds=time.perf_counter() - began)
        return _outcome(done, stopped=stopped, fits=fits, seconds=time.perf_counter() - began)

    def _race(self, group: list[Candidate], stop) -> tuple[list[tuple[float, object]], bool, int]:
        """The draws up to the stop, whether it stopped, and how many were fitted."""
        # The first draw alone: most stops come after it, and a draw fitted
        # beside it for nothing would cost a core that other work may need.
        bounds = [0, *range(1, len(group), max(1, self.draw_threads)), len(group)]
        done: list[tuple[float, object]] = []
        for start, end in zip(bounds[:-1], bounds[1:]):
            for pair in self._fit_and_score(group[start:end]):
                done.append(pair)
                if len(done) < len(group) and stop([score for score, _ in done]):
                    return done, True, end
        return done, False, len(group)

    def _fit_and_score(self, candidates: list[Candidate]) -> list[tuple[float, object]]:
        if self.adapter.fit_batch is not None or self.draw_threads < 2 or len(candidates) < 2:
            return [(self.score(m), m) for m in self.fit_many(candidates)]

        def work(candidate):
            model = self.fit_one(candidate)
            return self.score(model), model

        with ThreadPoolExecutor(min(self.draw_threads, len(candidates))) as pool:
            return list(pool.map(work, candidates))


class Outcome(NamedTuple):
    """A trial's draws: their scores, the best-scoring model, whether ``stop`` ended them
    early, the models fitted (draws fitted past the stop included) and the seconds taken;
    ``error`` for a trial that failed, with no scores (its message: the family's or scorer's
    exception type and first line; that exception is its ``__cause__``)."""

    scores: list[float]
    model: object
    stopped: bool
    fits: int
    seconds: float
    error: CandidateError | None = None


def _failed(err: CandidateError, *, fits: int, seconds: float) -> Outcome:
    return Outcome([], None, False, fits, seconds, error=err)


def _outcome(scored: list[tuple[float, object]], *, stopped: bool, fits: int, seconds: float) -> Outcome:
    top = max(range(len(scored)), key=lambda i: scored[i][0])
    return Outcome([score for score, _ in scored], scored[top][1], stopped, fits, seconds)
