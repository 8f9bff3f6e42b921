"""Compacted vs baseline vs pruned vs distilled, for a decision tree and an MLP, on digits.

Usage::

    python examples/compare_pruning.py [OUTPUT_DIR]    # default: current directory

Writes compare_tree.png / .csv and compare_mlp.png / .csv.  Trees: depths 1-5,
pruned = cost-complexity pruning of the full tree.  MLPs: parameter budgets;
pruned = a 32-unit network cut to that many non-zero parameters
(l1_unstructured per layer, global_unstructured, lottery ticket), compacted =
a dense network with at most that many parameters.
"""

import os
import sys
import time

from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

import compact


def main(out="."):
    os.makedirs(out, exist_ok=True)
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)  # for the MLP; trees do not care

    started = time.perf_counter()
    trees = compact.compare(DecisionTreeClassifier(), X, y, sizes=[1, 2, 3, 4, 5], seeds=3, n_trials=30)
    trees.to_csv(os.path.join(out, "compare_tree.csv"))
    trees.plot(os.path.join(out, "compare_tree.png"),
               title="Decision trees on digits: test F1-macro by depth (3 seeds, mean ± std)")
    print(f"trees: {time.perf_counter() - started:.0f} s")

    started = time.perf_counter()
    mlps = compact.compare(
        compact.TorchMLPClassifier((32,), epochs=30, device="cpu"), X, y,
        sizes=[150, 300, 600, 1200], size_name="n_params", seeds=3, n_trials=15, n_draws=2,
    )
    mlps.to_csv(os.path.join(out, "compare_mlp.csv"))
    mlps.plot(os.path.join(out, "compare_mlp.png"),
              title="MLPs on digits: test F1-macro by parameter count (3 seeds, mean ± std)")
    print(f"MLPs: {time.perf_counter() - started:.0f} s")
    for name, result in (("tree", trees), ("mlp", mlps)):
        for s in result.summary():
            print(f"{name:>4} {s['method']:>15} size {s['size']:>5}: {s['mean']:.3f} ± {s['std']:.3f}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
