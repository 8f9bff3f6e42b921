"""Progress output of a search: a tqdm bar on stderr (tqdm imported only when shown)."""

from __future__ import annotations

import sys


class Progress:
    """Trials done out of ``n_trials`` and the best trial's mean score."""

    def __init__(self, n_trials: int, *, initial: int = 0, enabled: bool = True):
        self.n_trials, self.initial, self.enabled = n_trials, initial, enabled
        self.bar = None

    def __enter__(self):
        if self.enabled:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=self.n_trials, initial=self.initial, desc="compact", unit="trial",
                            file=sys.stderr, dynamic_ncols=True)
        return self

    def update(self, best_score: float) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(f"best mean score {best_score:.4f}", refresh=False)
            self.bar.update(1)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
        return False
