"""Nets at a budget of non-zero parameters on digits: compacted dense vs compacted sparse vs pruning.

Usage::

    python benchmarks/sparse_nets.py > sparse_nets.csv

For 3 seeds (each its own stratified 60/20/20 train / validation / test
split) and budgets of 100, 150 and 300 non-zero parameters (weights +
biases): the dense net of at most that many parameters (``baseline_dense`` =
compaction's trial 0 on the original data, and ``compacted_dense``), the
compacted sparse net (``size={"n_nonzero": budget}``), and the MLP adapter's
counterparts of the 32-unit net (``fit_counterpart``).  Prints CSV rows
(seed, budget, method, test F1-macro, non-zero parameters, seconds).
Settings are small so it runs in minutes on 2 CPU cores: 20 epochs,
8 trials x 2 draws, a logistic-regression oracle.
"""

from __future__ import annotations

import time

from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import compact
from compact.adapters import get_adapter
from compact.neural import TorchMLPClassifier
from compact.pruning import nonzero_parameters

COUNTERPARTS = ("pruned_global", "lottery_ticket", "late_rewinding", "random_pruning", "random_reinit")


def main(seeds=3, budgets=(100, 150, 300)):
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    print("seed,budget,method,test_f1_macro,nonzero,seconds", flush=True)
    for seed in range(seeds):
        X_rest, X_te, y_rest, y_te = train_test_split(X, y, test_size=0.2, stratify=y, random_state=seed)
        X_tr, X_val, y_tr, y_val = train_test_split(X_rest, y_rest, test_size=0.25, stratify=y_rest,
                                                    random_state=seed)
        est = TorchMLPClassifier((32,), epochs=20, device="cpu")
        kw = dict(oracle=LogisticRegression(max_iter=300).fit(X_tr, y_tr), validation_data=(X_val, y_val),
                  n_trials=8, n_draws=2, random_state=seed)
        adapter, cache = get_adapter(est), {}
        for budget in budgets:
            def row(name, model, started):
                f1 = f1_score(y_te, model.predict(X_te), average="macro")
                print(f"{seed},{budget},{name},{f1:.4f},{nonzero_parameters(model)},{time.time() - started:.0f}",
                      flush=True)

            t = time.time()
            dense = compact.fit(est, X_tr, y_tr, size={"n_params": budget}, **kw)
            row("baseline_dense", dense.baseline_model_, t)
            row("compacted_dense", dense.model_, t)
            t = time.time()
            row("compacted_sparse", compact.fit(est, X_tr, y_tr, size={"n_nonzero": budget}, **kw).model_, t)
            for name in COUNTERPARTS:
                t = time.time()
                row(name, adapter.fit_counterpart(name, X_tr, y_tr, size={"n_nonzero": budget}, random_state=seed,
                                                  cache=cache), t)


if __name__ == "__main__":
    main()
