"""Every stump of a dataset, the best on validation: what a depth-1 search could reach at most.

Usage::

    python benchmarks/stumps.py --data-dir ../shared/data --dataset ring

For each seed, the peers split (60/20/20, ``benchmarks/peers.py``), every
feature at 99 quantile thresholds of the training part, each side of a
split predicting its majority training class; prints the three stumps with
the best validation F1-macro (feature and threshold) with their test
F1-macro, and the best test F1-macro of any stump.  ``--score-on
train+validation`` ranks them on the training and validation parts
together, the rows compact scores trees on.  A search for a depth-1 tree
that always found the best stump on its score rows would score the first of
these on test; the last line gives its mean over the seeds (to the grid's
resolution) and the mean of each split's best test F1 of any stump, which
only a choice made on the test part could be sure to reach.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np
from sklearn.metrics import f1_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _data import DEFAULT_DATA_DIR  # noqa: E402
from peers import load_csv, splits  # noqa: E402


def stumps(split, score_on: str = "validation"):
    """``(score F1, test F1, feature, threshold)`` of every stump, best score first; the score is
    taken on compact's score rows (``score_on``: the validation part, or training + validation)."""
    from compact._problem import score_rows

    X_tr, y_tr, X_va, y_va, X_te, y_te = split
    X_va, y_va = score_rows(score_on, X_tr, y_tr, X_va, y_va)
    found = []
    for f in range(X_tr.shape[1]):
        for t in np.unique(np.quantile(X_tr[:, f], np.linspace(0.01, 0.99, 99))):
            left = X_tr[:, f] <= t
            if left.all() or not left.any():
                continue
            cl, cr = np.bincount(y_tr[left]).argmax(), np.bincount(y_tr[~left]).argmax()
            if cl == cr:
                continue
            scores = [f1_score(y, np.where(X[:, f] <= t, cl, cr), average="macro")
                      for X, y in ((X_va, y_va), (X_te, y_te))]
            found.append((*scores, f, t))
    return sorted(found, key=lambda s: -s[0])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--dataset", default="ring")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--score-on", choices=("validation", "train+validation"), default="validation",
                        help="rows the stumps are ranked on (compact's score_on)")
    args = parser.parse_args(argv)
    X, y = load_csv(os.path.join(args.data_dir, f"{args.dataset}.csv"))
    chosen, best = [], []
    for seed in range(args.seeds):
        found = stumps(splits(X, y, seed), args.score_on)
        chosen.append(found[0][1])
        best.append(max(t for _, t, _, _ in found))
        top = ", ".join(f"score {v:.4f} test {t:.4f} (feature {f} at {x:g})" for v, t, f, x in found[:3])
        print(f"seed {seed}: best on {args.score_on}: {top}; best test of any stump {best[-1]:.4f}")
    # The first figure: what a depth-1 search that finds the best stump on these rows scores on test.
    print(f"mean over seeds: the best stump on {args.score_on} scores {np.mean(chosen):.4f} on test; "
          f"the best of any stump on test {np.mean(best):.4f}")


if __name__ == "__main__":
    main()
