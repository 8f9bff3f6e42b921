"""Micro-benchmark: compact.scoring.fast_scorer against scikit-learn's scorer on the same predictions.

Usage::

    python benchmarks/scorers.py                         # 3000 validation points, 3 and 26 classes
    python benchmarks/scorers.py --n 20000 --repeats 200

scikit-learn's route is what the engine did before: ``get_scorer(name)(model,
X_val, y_val)`` with a fitted depth-4 tree (its ``predict`` included), and the
metric function alone (``f1_score`` etc.); the fast route is
``fast_scorer(name, n_classes=K)(y_val, model.predict(X_val))``.  No timing
assertion: it prints microseconds per call.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from compact.scoring import fast_scorer  # noqa: E402


def per_call(f, repeats):
    f()
    t0 = time.perf_counter()
    for _ in range(repeats):
        f()
    return (time.perf_counter() - t0) / repeats * 1e6


def main(argv=None):
    from sklearn.datasets import make_classification
    from sklearn.metrics import get_scorer
    from sklearn.tree import DecisionTreeClassifier

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=100)
    parser.add_argument("--scorers", default="f1_macro,accuracy,balanced_accuracy,f1_weighted")
    args = parser.parse_args(argv)
    print("| scorer | classes | sklearn scorer (us) | predict only (us) | fast incl. predict (us) | speed-up |")
    print("|---|---|---|---|---|---|")
    for k in (3, 26):
        X, y = make_classification(n_samples=2 * args.n, n_features=10, n_informative=8, n_classes=k,
                                   n_clusters_per_class=1, random_state=0)
        model = DecisionTreeClassifier(max_depth=4, random_state=0).fit(X[: args.n], y[: args.n])
        X_val, y_val = X[args.n:], y[args.n:]
        predict = per_call(lambda: model.predict(X_val), args.repeats)
        for name in args.scorers.split(","):
            slow = get_scorer(name)
            fast = fast_scorer(name, n_classes=k)
            assert abs(slow(model, X_val, y_val) - fast(y_val, model.predict(X_val))) < 1e-12
            t_slow = per_call(lambda: slow(model, X_val, y_val), args.repeats)
            t_fast = per_call(lambda: fast(y_val, model.predict(X_val)), args.repeats)
            print(f"| {name} | {k} | {t_slow:.0f} | {predict:.0f} | {t_fast:.0f} | {t_slow / t_fast:.1f}x |")


if __name__ == "__main__":
    main()
