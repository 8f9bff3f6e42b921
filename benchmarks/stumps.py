"""Every stump of a dataset, the best on validation: what a depth-1 search could reach at most.

Usage::

    python benchmarks/stumps.py --data-dir ../shared/data --dataset ring

For each seed, the peers split (60/20/20, ``benchmarks/peers.py``), every
feature at 99 quantile thresholds of the training part, each side of a
split predicting its majority training class; prints the five stumps with
the best validation F1-macro with their test F1-macro, and the best test
F1-macro of any stump.  A search for a depth-1 tree that always found the
validation-best stump would score the first of these on test.
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


def stumps(split):
    """``(validation F1, test F1, feature, threshold)`` of every stump, best validation first."""
    X_tr, y_tr, X_va, y_va, X_te, y_te = split
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
    args = parser.parse_args(argv)
    X, y = load_csv(os.path.join(args.data_dir, f"{args.dataset}.csv"))
    for seed in range(args.seeds):
        found = stumps(splits(X, y, seed))
        top = ", ".join(f"val {v:.4f} test {t:.4f} (feature {f})" for v, t, f, _ in found[:5])
        print(f"seed {seed}: best on validation: {top}; best test of any stump {max(t for _, t, _, _ in found):.4f}")


if __name__ == "__main__":
    main()
