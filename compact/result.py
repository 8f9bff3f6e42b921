"""The outcome of a compaction run."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np


def mean_score(scores) -> float:
    """Mean of a trial's draw scores, taken about the first draw: draws that all
    score alike give exactly that score (``np.mean`` of three equal floats can be
    one unit in the last place off), so trials that tie compare equal."""
    first = scores[0]
    return float(first + math.fsum(s - first for s in scores) / len(scores))


@dataclass
class TrialRecord:
    """One optimisation trial: its distribution, per-draw scores (on the score rows,
    ``CompactResult.score_on``) and time.

    ``stopped`` marks a trial whose draws were stopped early because its first
    draws scored clearly below the best trial (``prune_draws``): it has fewer
    scores than ``n_draws`` and cannot be chosen.  ``fits`` counts the models
    trained for it, draws fitted in parallel past the stop included (by
    default, one per score).
    """

    number: int
    params: dict[str, float]
    scores: list[float]
    seconds: float
    stopped: bool = False
    fits: int | None = None

    def __post_init__(self):
        if self.fits is None:
            self.fits = len(self.scores)

    @property
    def score(self) -> float:
        """Mean score over the draws: the optimised objective (:func:`mean_score`)."""
        return mean_score(self.scores)

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "params": dict(self.params),
            "score": self.score,
            "scores": list(self.scores),
            "seconds": self.seconds,
            "stopped": self.stopped,
            "fits": self.fits,
        }


@dataclass
class CompactResult:
    """What :func:`compact.fit` returns.

    Attributes
    ----------
    model_ : estimator
        The small fitted model with the best score on the score rows
        (``score_on``); predicts the original labels.
    size_ : int or dict
        Measured size of ``model_``, in the form of the request.
    requested_size : int or dict
        The size that was asked for.
    baseline_model_ : estimator
        Same-size model fitted on the original training data (trial 0).
    baseline_score_ : float
        Score of ``baseline_model_`` on the score rows.
    best_score_ : float
        The score that chose ``model_`` on the score rows.  Scored on the
        validation part alone, the chosen trial's mean over its draws (the
        optimised objective, which ranks the trials) and ``model_`` is that
        trial's best draw; with the training part too
        (``score_on="train+validation"``), ``model_`` is the best draw of any
        trial and this is its own score (equal to ``best_draw_score_``).
        Never below ``baseline_score_`` (the original data is a candidate).
    best_draw_score_ : float
        Score of ``model_`` itself on the score rows.
        Being the maximum of many noisy scores, it overstates what
        ``model_`` scores on new data; report test scores instead.
    best_params_ : dict
        Distribution parameters of the trial ``model_`` was drawn from.
    trials_ : list of TrialRecord
        Every finished trial, in order.
    oracle_ : estimator or None
        The fitted oracle.
    classes_ : ndarray or None
        Class labels, as given (``None`` for regression).
    random_state_ : int
        Seed used; passing it again reproduces the run.
    fit_seconds_ : float
        Wall time of the run.
    interrupted_ : bool
        True when the run was stopped early (Ctrl-C); the result holds the best
        model found until then.
    score_on : str
        The rows every score above was taken on: ``"validation"`` (the
        validation part), or ``"train+validation"`` (the training part
        too, on which the candidates were fitted: the scores are not
        held-out estimates).
    sample_frac_scale : str
        The range ``sample_frac`` was searched over: ``"linear"`` (0.1 to 2)
        or ``"log"`` (0.05 to 2, log-uniform).
    """

    model_: Any
    size_: Any
    requested_size: Any
    baseline_model_: Any
    baseline_score_: float
    best_score_: float
    best_draw_score_: float
    best_params_: dict[str, float]
    trials_: list[TrialRecord]
    oracle_: Any
    classes_: np.ndarray
    random_state_: int
    fit_seconds_: float
    scoring: str
    method: str
    weights_mode: bool
    feature_names_in_: np.ndarray | None = None
    interrupted_: bool = False
    study_: Any = field(default=None, repr=False)
    score_on: str = "validation"
    sample_frac_scale: str = "linear"

    def __getstate__(self):
        # The Optuna study holds locks and cannot be pickled; the trial
        # history in trials_ survives.
        state = dict(self.__dict__)
        state["study_"] = None
        return state

    @property
    def improvement_(self) -> float:
        """``best_score_ - baseline_score_`` on the score rows."""
        return self.best_score_ - self.baseline_score_

    def predict(self, X):
        """Predictions of ``model_``."""
        return self.model_.predict(X)

    def predict_proba(self, X):
        """Class probabilities of ``model_``."""
        return self.model_.predict_proba(X)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe summary (models left out)."""
        return {
            # Sizes come as given: numpy integers from a grid (np.arange), in tuples or dicts.
            "size": _plain_tree(self.size_),
            "requested_size": _plain_tree(self.requested_size),
            "baseline_score": self.baseline_score_,
            "best_score": self.best_score_,
            "best_draw_score": self.best_draw_score_,
            "improvement": self.improvement_,
            "best_params": dict(self.best_params_),
            "classes": None if self.classes_ is None else [_plain(c) for c in self.classes_],
            "random_state": self.random_state_,
            "fit_seconds": self.fit_seconds_,
            "scoring": self.scoring,
            "score_on": self.score_on,
            "sample_frac_scale": self.sample_frac_scale,
            "method": self.method,
            "weights_mode": self.weights_mode,
            "interrupted": self.interrupted_,
            "model": type(self.model_).__name__,
            "oracle": None if self.oracle_ is None else type(self.oracle_).__name__,
            "trials": [t.to_dict() for t in self.trials_],
        }

    def model_card(self, *, feature_names=None) -> dict[str, Any]:
        """How the model was made, JSON-safe: see :func:`compact.deployment.model_card`."""
        from .deployment import model_card

        return model_card(self, feature_names=feature_names)

    def to_json(self, path=None, **kwargs) -> str:
        """The :meth:`to_dict` summary as JSON; written to ``path`` when given."""
        text = json.dumps(self.to_dict(), indent=kwargs.pop("indent", 2), **kwargs)
        if path is not None:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        return text

    def trials_table(self) -> dict[str, list]:
        """Trial history as columns (``pandas.DataFrame(result.trials_table())`` works)."""
        rows = [t.to_dict() for t in self.trials_]
        table: dict[str, list] = {"number": [], "score": [], "draws": [], "stopped": [], "seconds": []}
        table.update({name: [] for name in (rows[0]["params"] if rows else {})})
        for row in rows:
            table["number"].append(row["number"])
            table["score"].append(row["score"])
            table["draws"].append(len(row["scores"]))
            table["stopped"].append(row["stopped"])
            table["seconds"].append(row["seconds"])
            for name, value in row["params"].items():
                table[name].append(value)
        return table


def _plain(value):
    """numpy scalars to Python ones, for JSON."""
    return value.item() if isinstance(value, np.generic) else value


def _plain_tree(value):
    """:func:`_plain` through dicts, lists, tuples and arrays (a size in any of its forms)."""
    if isinstance(value, dict):
        return {_plain(key): _plain_tree(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_plain_tree(item) for item in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, np.ndarray):
        return value.tolist()
    return _plain(value)
