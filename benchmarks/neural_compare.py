"""Nets through ``compact.compare``: compacted dense and sparse vs pruning, lottery tickets and controls.

Usage::

    python benchmarks/neural_compare.py --data digits --sizes 100 200 300 --seeds 5 \\
        --trials 30 --epochs 30 --out benchmarks/results
    python benchmarks/neural_compare.py --data texture --data-dir ../shared/data ...

One ``compact.compare`` run of ``TorchMLPClassifier((32,), epochs=E,
device="cpu")`` at budgets of ``n_params`` (dense rows: at most that many
weights + biases; ``compacted_sparse`` and the pruned 32-unit nets: at most
that many non-zero ones), rows ``baseline``, ``compacted``,
``compacted_sparse``, ``pruned`` (the MLP adapter's counterparts:
``pruned_layer``, ``pruned_global``, ``lottery_ticket``, ``late_rewinding``,
``random_pruning``, ``random_reinit``) and ``restarts`` (as many dense nets
as compaction trained, from different initial weights, best on validation).
Features are standardised on the whole data set; one CPU thread, ``n_jobs=1``.
Writes ``neural_<data>.csv``, ``.json`` and ``.md`` into ``--out``; the
``.md`` holds a table per method x size (test score mean ± sd over seeds, mean
non-zero parameters in brackets), the paired statistics of
``Comparison.report()`` against ``compacted`` and against
``compacted_sparse``, then the whole ``Comparison.report()``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _data import DEFAULT_DATA_DIR, load  # noqa: E402

METHODS = ["baseline", "compacted", "compacted_sparse", "pruned", "restarts"]


def wide_table(comparison) -> str:
    """Markdown: one row per method, one column per size: test score mean ± sd (mean non-zero parameters)."""
    summary = comparison.summary()
    sizes = sorted({s["size"] for s in summary})
    lines = ["| method | " + " | ".join(f"≤ {size}" for size in sizes) + " |", "|---|" + "---|" * len(sizes)]
    for method in comparison.methods():
        cells = {s["size"]: s for s in summary if s["method"] == method}
        text = (f"{cells[z]['mean']:.3f} ± {cells[z]['std']:.3f} ({cells[z]['nonzero_params']:.0f})" for z in sizes)
        lines.append(f"| `{method}` | " + " | ".join(text) + " |")
    return "\n".join(lines)


def paired_table(comparison, reference: str) -> str:
    """The paired part of ``Comparison.report(reference)``."""
    text = comparison.report(reference)
    return text[text.index(f"| {reference} vs"):]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="digits", help="digits, a CSV path or NAME of DATA_DIR/NAME.csv")
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 150, 300])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--draws", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--hidden", type=int, default=32, help="width of the dense net the pruned rows start from")
    parser.add_argument("--oracle", choices=["logreg", "xgboost"], default="logreg")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results"))
    args = parser.parse_args(argv)

    import torch
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    import compact
    from compact.neural import TorchMLPClassifier

    torch.set_num_threads(1)
    X, y = load(args.data, args.data_dir)
    X = StandardScaler().fit_transform(X)
    oracle = LogisticRegression(max_iter=1000) if args.oracle == "logreg" else "xgboost"
    started = time.time()
    comparison = compact.compare(
        TorchMLPClassifier((args.hidden,), epochs=args.epochs, device="cpu"), X, y,
        sizes=args.sizes, size_name="n_params", seeds=args.seeds, methods=METHODS,
        n_trials=args.trials, n_draws=args.draws, oracle=oracle, n_jobs=1, verbose=1,
    )
    seconds = time.time() - started
    os.makedirs(args.out, exist_ok=True)
    name = os.path.splitext(os.path.basename(args.data))[0]
    stem = os.path.join(args.out, f"neural_{name}")
    comparison.to_csv(stem + ".csv")
    comparison.to_json(stem + ".json")
    command = "python benchmarks/neural_compare.py " + " ".join(argv if argv is not None else sys.argv[1:])
    with open(stem + ".md", "w") as f:
        f.write(f"<!-- {command}; {len(X)} rows; {seconds:.0f} s -->\n\n")
        f.write(wide_table(comparison) + "\n\n")
        f.write(paired_table(comparison, "compacted") + "\n\n")
        f.write(paired_table(comparison, "compacted_sparse") + "\n\n")
        f.write(comparison.report() + "\n")
    print(comparison.report())
    print(paired_table(comparison, "compacted_sparse"))
    print(f"{args.data}: {seconds:.0f} s", flush=True)


if __name__ == "__main__":
    main()
