"""The trial log of one run: every trial's scores, the best trial and the baseline.

Selection rule: the best trial is the one with the highest *mean* validation
score over its draws (ties: the lowest trial number); its best-scoring draw is
the model kept.  The baseline is the original distribution's model.  Trials
run by other processes of a shared study are adopted from the study, and a
model the log does not hold is refitted (candidates are seeded by their
trial number, so a refit is the same model).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .distributions import DistributionParams
from .result import TrialRecord


@dataclass
class Kept:
    """A trial whose model the run keeps (``number`` is ``None`` for the baseline
    fitted before the search, when no trial of the study holds it yet)."""

    number: int | None
    model: object
    draw_score: float


class TrialLog:
    """Thread-safe record of finished trials, the best one and the baseline."""

    def __init__(self):
        self.records: dict[int, TrialRecord] = {}
        self.best: Kept | None = None
        self.baseline: Kept | None = None
        self._lock = threading.Lock()

    def _rank(self, number: int) -> tuple[float, int]:
        return self.records[number].score, -number

    def set_baseline(self, model, score: float) -> None:
        """The original data's model, fitted before the search (no trial number yet)."""
        with self._lock:
            if self.baseline is None:
                self.baseline = Kept(None, model, score)

    def add(self, number: int, params: DistributionParams, scores: list[float], top_model,
            seconds: float) -> TrialRecord:
        """Record a trial (its draws' scores and best model)."""
        record = TrialRecord(number, params.to_dict(), list(scores), seconds)
        kept = Kept(number, top_model, max(scores))
        with self._lock:
            self.records[number] = record
            if params.is_original and (self.baseline is None or self.baseline.number is None):
                self.baseline = kept
            if self.best is None or self._rank(number) > self._rank(self.best.number):
                self.best = kept
        return record

    def best_score(self) -> float:
        """Mean validation score of the best trial so far (the baseline's before any trial)."""
        with self._lock:
            return self.baseline.draw_score if self.best is None else self.records[self.best.number].score

    def chosen(self) -> Kept:
        """The model to return: the best trial's, or the baseline when no trial finished."""
        return self.baseline if self.best is None else self.best

    def adopt(self, finished: list[TrialRecord], refit) -> None:
        """Take in trials finished elsewhere; refit the best and baseline models if not held.

        ``refit(number, params) -> (scores, top model)`` fits a trial's draws again.
        """
        for record in finished:
            self.records.setdefault(record.number, record)
        if not self.records:
            return
        top = max(self.records, key=self._rank)
        if self.best is None or self.best.number != top:
            self.best = self._refit(top, refit)
        originals = [n for n in sorted(self.records) if self.params_of(n).is_original]
        if originals and self.baseline is not None and self.baseline.number is None:
            # The original data is one candidate whatever its trial: the model fitted before the search is it.
            self.baseline = Kept(originals[0], self.baseline.model, self.baseline.draw_score)
        elif originals and (self.baseline is None or self.baseline.number != originals[0]):
            self.baseline = self._refit(originals[0], refit)

    def params_of(self, number: int) -> DistributionParams:
        return DistributionParams(**self.records[number].params)

    def _refit(self, number: int, refit) -> Kept:
        scores, model = refit(number, self.params_of(number))
        return Kept(number, model, max(scores))

    def trials(self) -> list[TrialRecord]:
        return [self.records[k] for k in sorted(self.records)]
