"""Seed streams of one run: every random choice derives from the run's seed.

One root seed gives independent streams (numpy ``SeedSequence``) for the
validation split, the oracle (or the density tree, which takes its place),
Optuna's sampler, the draws of the training distribution and the small models.  A candidate is named by
``(trial number, draw)``: its sample and its model seed depend on nothing
else, so any process can refit any trial of a shared study exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Seeds handed to scikit-learn, xgboost and torch must fit in 31 bits.
_INT31 = 2**31


def int31(seed: int) -> int:
    """``seed`` folded into ``[0, 2**31)``, the range every library accepts."""
    return int(seed) % _INT31


@dataclass(frozen=True)
class SeedStreams:
    """The independent seeds of a run, derived from ``root``."""

    root: int

    def __post_init__(self):
        names = ("split", "oracle", "model", "draw", "study")
        for name, value in zip(names, np.random.SeedSequence(self.root).generate_state(len(names))):
            object.__setattr__(self, name, int(value))

    def draw_rng(self, trial: int, draw: int) -> np.random.Generator:
        """The generator of draw ``draw`` of trial ``trial`` (its sample)."""
        return np.random.default_rng([self.draw, trial, draw])

    def model_seed(self, trial: int, draw: int) -> int:
        """The seed of the model fitted on that draw (its initial weights, its tie-breaks)."""
        return int31(np.random.SeedSequence([self.model, trial, draw]).generate_state(1)[0])
