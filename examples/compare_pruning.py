"""Compacted vs baseline, pruned, restarts and distilled, for a decision tree and an MLP, on digits.

Usage::

    python examples/compare_pruning.py [OUTPUT_DIR] [N_JOBS]    # default: current directory, 1

Writes compare_tree.{png,csv,md} and compare_mlp.{png,csv,md}; the .md files
hold :meth:`Comparison.report` (mean ± sd over seeds with the measured sizes,
then compacted vs each row: paired differences over seeds x sizes with a
Wilcoxon signed-rank p-value).

Trees are compared by leaves (``size_name="max_leaf_nodes"``), where
cost-complexity pruning is the natural competitor; every row reports depth and
leaves.  MLPs by parameter count (``size_name="n_params"``): the compacted
dense net, the pruned 32-unit nets and the controls the MLP adapter offers
(``Adapter.counterparts``), and ``compacted_sparse`` (compaction of the sparse
net at that many non-zero parameters) where the adapter has size ``n_nonzero``.
``restarts`` spends compaction's training budget on the original data.
"""

import os
import sys
import time

from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

import compact


def run(name, out, title, **kwargs):
    started = time.perf_counter()
    result = compact.compare(**kwargs)
    result.to_csv(os.path.join(out, f"compare_{name}.csv"))
    result.plot(os.path.join(out, f"compare_{name}.png"), title=title)
    report = result.report()
    with open(os.path.join(out, f"compare_{name}.md"), "w", encoding="utf-8") as fh:
        fh.write(report + "\n")
    print(f"{name}: {time.perf_counter() - started:.0f} s\n{report}\n")
    return result


def main(out=".", n_jobs="1"):
    os.makedirs(out, exist_ok=True)
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)  # for the MLP; trees do not care
    n_jobs = int(n_jobs)
    run("tree", out, "Decision trees on digits: test F1-macro by leaves (3 seeds, mean ± sd)",
        estimator=DecisionTreeClassifier(), X=X, y=y, sizes=[4, 8, 16, 32], size_name="max_leaf_nodes",
        seeds=3, n_trials=30, n_jobs=n_jobs)
    run("mlp", out, "MLPs on digits: test F1-macro by parameter count (3 seeds, mean ± sd)",
        estimator=compact.TorchMLPClassifier((32,), epochs=30, device="cpu"), X=X, y=y,
        sizes=[150, 300, 600, 1200], size_name="n_params", seeds=3, n_trials=15, n_draws=2, n_jobs=n_jobs)


if __name__ == "__main__":
    main(*sys.argv[1:3])
