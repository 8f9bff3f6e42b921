"""``compact.compare``'s controls on real datasets: compacted vs restarts vs balanced restarts.

Usage::

    python benchmarks/controls.py --data-dir ../shared/data --datasets phoneme,spambase
    python benchmarks/controls.py --datasets digits --sizes 1-3 --seeds 2 --trials 20

Decision trees at depths ``--sizes`` (default 1-5), ``--seeds`` splits
(60/20/20 as :func:`compact.compare` splits), ``--trials`` trials, methods
``--methods`` (default baseline, compacted, restarts, balanced_restarts).
The restarts controls spend compaction's budget (its models trained) on the
original data from distinct seeds; ``balanced_restarts`` weighs every class
to the same total (``class_weight="balanced"``), so on imbalanced data it
tells compaction's gain from plain class balancing.  Prints, per dataset,
:meth:`Comparison.report` (test scores only: mean ± sd per method and size,
and compacted vs each method paired over seeds x sizes with Wilcoxon's p),
then the same pairing over every dataset together.  Rows go to
``--out/controls_<tag>.json`` with the command line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from _data import DEFAULT_DATA_DIR, load  # noqa: E402

import compact  # noqa: E402
from compact.harness import Comparison  # noqa: E402
from compact.models import parse_sizes  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default="phoneme,spambase", help="comma-separated names (default: the "
                        "two imbalanced shared datasets)")
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--sizes", type=parse_sizes, default=parse_sizes("1-5"), help="tree depths (default 1-5)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--methods", default="baseline,compacted,restarts,balanced_restarts")
    parser.add_argument("--n-jobs", type=int, default=2, help="compare's tasks at once (default 2)")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results"))
    parser.add_argument("--tag", default=time.strftime("%Y%m%d_%H%M%S"))
    args = parser.parse_args(argv)
    from sklearn.tree import DecisionTreeClassifier

    methods = args.methods.split(",")
    every = []
    for name in args.datasets.split(","):
        X, y = load(name, args.data_dir)
        started = time.perf_counter()
        result = compact.compare(DecisionTreeClassifier(), X, y, sizes=args.sizes, seeds=args.seeds,
                                 n_trials=args.trials, methods=methods, n_jobs=args.n_jobs)
        print(f"\n## {name} ({len(X)} rows, {time.perf_counter() - started:.0f} s)\n\n{result.report()}", flush=True)
        # One pairing over every dataset: a dataset's seeds are distinct cells.
        every += [dict(r, seed=f"{name}/{r['seed']}") for r in result.rows]
    together = Comparison(every, result.scoring, result.size_name, result.estimator_name, 0)
    print("\n## every dataset\n\n" + together.report().split("\n\n")[1])  # the paired table
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, f"controls_{args.tag}.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"command": sys.argv, "rows": every}, fh, indent=1)
    print(f"\nrows: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
