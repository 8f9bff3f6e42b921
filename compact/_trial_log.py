"""The trial log of one run: every trial's scores, the best trial, the model to return and the baseline.

Ranking: the best trial is the one with the highest *mean* score over its
draws on the score rows (``score_on``; ties: the lowest trial number): what
the sampler optimises and what the rule that stops hopeless trials compares
with.  A trial whose draws were stopped early (``stopped``) is never the
best trial.  The model returned (``select``) is

* ``"mean"``: the best-scoring draw of the best trial;
* ``"draw"``: the best-scoring draw of any trial, stopped ones included
  (ties: the lowest trial number).  Where the score rows hold the training
  rows too, a draw's score is taken on thousands of rows and picking the top
  one overfits little; measured on generated problems (docs/benchmarks.md, "Returned
  model").

The baseline is the original distribution's model.  Trials run by other
processes of a shared study are adopted from the study, and a model the log
does not hold is refitted (candidates are seeded by their trial number, so
a refit is the same model).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .distributions import DistributionParams
from .result import TrialRecord, mean_score


@dataclass
class Kept:
    """A trial whose model the run keeps (``number`` is ``None`` for the baseline
    fitted before the search, when no trial of the study holds it yet)."""

    number: int | None
    model: object
    draw_score: float


#: How the returned model is chosen (see the module's docstring).
SELECT = ("mean", "draw")


class TrialLog:
    """Thread-safe record of finished trials, the best one, the top draw and the baseline."""

    def __init__(self, *, select: str = "mean"):
        if select not in SELECT:
            raise ValueError(f"select must be one of {SELECT}; got {select!r}.")
        self.select = select
        self.records: dict[int, TrialRecord] = {}
        self.best: Kept | None = None  # the best trial (mean), its top draw
        self.top: Kept | None = None  # the top draw of any trial (kept with select="draw")
        self.baseline: Kept | None = None
        self._lock = threading.Lock()

    def _rank(self, number: int) -> tuple[float, int]:
        return self.records[number].score, -number

    def _draw_rank(self, number: int) -> tuple[float, int]:
        return max(self.records[number].scores), -number

    def set_baseline(self, model, score: float) -> None:
        """The original data's model, fitted before the search (no trial number yet)."""
        with self._lock:
            if self.baseline is None:
                self.baseline = Kept(None, model, score)

    def add(self, number: int, params: DistributionParams, scores: list[float], top_model,
            seconds: float, *, stopped: bool = False, fits: int | None = None) -> TrialRecord:
        """Record a trial (its draws' scores and best model)."""
        record = TrialRecord(number, params.to_dict(), list(scores), seconds, stopped, fits)
        kept = Kept(number, top_model, max(scores))
        with self._lock:
            self.records[number] = record
            if params.is_original and (self.baseline is None or self.baseline.number is None):
                self.baseline = kept
            if not stopped and (self.best is None or self._rank(number) > self._rank(self.best.number)):
                self.best = kept
            top = self.top
            if self.select == "draw" and (top is None or self._draw_rank(number) > self._draw_rank(top.number)):
                self.top = kept
        return record

    def stop_rule(self, z: float, *, n_draws: int, min_trials: int = 3) -> Callable[[list[float]], bool] | None:
        """``hopeless(scores)``: whether a trial of ``n_draws`` draws whose first draws scored
        ``scores`` is clearly below the best trial, judged on the trials finished now
        (``None`` while it cannot say).

        What decides whether a trial is chosen is the mean of all its draws,
        so the rule judges that final mean.  A trial is hopeless when either

        * even if each remaining draw scored as well as the best draw
          recorded so far, its final mean would at most tie the best
          trial's mean (a tie is never chosen: ties go to the earlier
          trial).  This stops the trials of stumps that predict the same
          classes whatever the sample: they tie the best, and nothing ever
          scored above it; or
        * its predicted final mean plus ``z`` predictive standard deviations
          is at most the best trial's mean.  After ``k`` of ``n`` draws with
          running mean ``m`` and draw spread ``s``, the remaining draws are
          predicted to score ``m`` on average, with the uncertainty of ``m``
          and their own: the final mean has standard deviation
          ``s * sqrt((n - k) / (n * k))``, which is zero once every draw is in.
          ``s`` comes from the spread of the draws within the finished trials
          (pooled variance: that of one trial's draws, not of the trials' means).

        Until ``min_trials`` trials with several draws have finished, there
        is no rule.  The rule is fixed when made, so trials evaluated
        together are judged alike whatever order they finish in.
        """
        with self._lock:
            full = [r.scores for r in self.records.values() if not r.stopped and len(r.scores) > 1]
            best = None if self.best is None else self.records[self.best.number].score
            top = max(max(r.scores) for r in self.records.values()) if self.records else None
        if len(full) < min_trials or best is None:
            return None
        spread = math.sqrt(float(np.mean([np.var(s, ddof=1) for s in full])))

        def hopeless(scores: list[float]) -> bool:
            # Means as the trials' scores are taken, so that a tie compares equal.
            k = len(scores)
            if mean_score([*scores, *[top] * (n_draws - k)]) <= best:
                return True
            return mean_score(scores) + z * spread * math.sqrt((n_draws - k) / (n_draws * k)) <= best

        return hopeless

    def best_score(self) -> float:
        """Mean score of the best trial so far (the baseline's before any trial)."""
        with self._lock:
            return self.baseline.draw_score if self.best is None else self.records[self.best.number].score

    def chosen(self) -> Kept:
        """The model to return (``select``), or the baseline when no trial finished."""
        kept = self.top if self.select == "draw" else self.best
        return self.baseline if kept is None else kept

    def chosen_score(self) -> float:
        """The score that chose :meth:`chosen`: its trial's mean (``select="mean"``; the baseline's
        score before any trial), or the draw's own score (``"draw"``)."""
        kept = self.chosen()
        if self.select == "draw" or kept.number is None or kept.number not in self.records:
            return kept.draw_score
        return self.records[kept.number].score

    def adopt(self, finished: list[TrialRecord], refit) -> None:
        """Take in trials finished elsewhere; refit the chosen and baseline models if not held.

        ``refit(number, params, draw) -> (score, model)`` fits one draw of a trial again.
        """
        for record in finished:
            self.records.setdefault(record.number, record)
        eligible = [n for n, r in self.records.items() if not r.stopped]
        best = max(eligible, key=self._rank) if eligible else None
        if best is not None and (self.best is None or self.best.number != best):
            # Its model is refitted only where it is returned; with select="draw" it only ranks.
            self.best = (self._refit(best, refit) if self.select == "mean"
                         else Kept(best, None, max(self.records[best].scores)))
        if self.select == "draw" and self.records:
            top = max(self.records, key=self._draw_rank)
            if self.top is None or self.top.number != top:
                self.top = self._refit(top, refit)
        originals = [n for n in sorted(self.records) if self.params_of(n).is_original]
        if originals and self.baseline is not None and self.baseline.number is None:
            # The original data is one candidate whatever its trial: the model fitted before the search is it.
            self.baseline = Kept(originals[0], self.baseline.model, self.baseline.draw_score)
        elif originals and (self.baseline is None or self.baseline.number != originals[0]):
            self.baseline = self._refit(originals[0], refit)

    def params_of(self, number: int) -> DistributionParams:
        return DistributionParams(**self.records[number].params)

    def _refit(self, number: int, refit) -> Kept:
        """The trial's top draw (the first of equals, as the trial kept it), fitted again: only
        that draw, so a trial stopped early does not get a model from a draw it never had."""
        scores = self.records[number].scores
        draw = int(np.argmax(scores))
        _, model = refit(number, self.params_of(number), draw)
        return Kept(number, model, scores[draw])

    def trials(self) -> list[TrialRecord]:
        return [self.records[k] for k in sorted(self.records)]
