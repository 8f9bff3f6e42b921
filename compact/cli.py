"""Command line: ``compact fit``, ``compact compare`` and ``compact demo`` (also ``python -m compact``).

    compact fit --data train.csv --target label --model tree --size 3 --out model.joblib
    compact compare --data train.csv --target label --model tree --sizes 1-5 --out report/
    compact demo

CSV files have a header row; every column but the target must be numeric.
``--data`` may also name a dataset that scikit-learn ships (digits,
breast_cancer, wine, iris).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time

import numpy as np

BUILTIN = ("digits", "breast_cancer", "wine", "iris")
MODELS = ("tree", "linear", "lpm", "xgboost", "forest", "hist", "mlp")


def make_estimator(model: str):
    """The small-model family behind a ``--model`` name."""
    if model == "tree":
        from sklearn.tree import DecisionTreeClassifier

        return DecisionTreeClassifier()
    if model == "linear":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression()
    if model == "lpm":
        from .linear_probability import LinearProbabilityClassifier

        return LinearProbabilityClassifier()
    if model == "xgboost":
        from xgboost import XGBClassifier

        return XGBClassifier(n_jobs=1)
    if model == "forest":
        from sklearn.ensemble import RandomForestClassifier

        return RandomForestClassifier(n_jobs=1)
    if model == "hist":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier()
    if model == "mlp":
        from .neural import TorchMLPClassifier

        return TorchMLPClassifier((32,))
    raise ValueError(f"Unknown model {model!r}; choose from {MODELS}.")


def parse_size(text: str):
    """``"3"`` -> 3; ``"10x2"`` -> (10, 2) (ensembles: trees x depth)."""
    try:
        parts = [int(p) for p in text.lower().split("x")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"size {text!r} is not an integer or NxM.") from None
    return parts[0] if len(parts) == 1 else tuple(parts)


def parse_sizes(text: str) -> list:
    """``"1-5"``, ``"2,4,8"``, ``"5-20:5"`` (start-stop:step) or ``"5x2,10x2"``."""
    sizes: list = []
    for part in text.split(","):
        part, _, step = part.partition(":")
        if "-" in part:
            low, high = part.split("-")
            sizes.extend(range(int(low), int(high) + 1, int(step or 1)))
        else:
            sizes.append(parse_size(part))
    return sizes


def load_data(data: str, target: str | None):
    """``(X, y, feature names)`` from a CSV file with a header, or a built-in dataset."""
    if data in BUILTIN:
        from sklearn import datasets

        bunch = getattr(datasets, f"load_{data}")()
        return bunch.data, bunch.target, list(bunch.feature_names)
    if not os.path.exists(data):
        raise SystemExit(f"compact: no file {data!r} (nor a built-in dataset: {', '.join(BUILTIN)}).")
    if target is None:
        raise SystemExit("compact: --target COLUMN is required with a CSV file.")
    with open(data, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], [r for r in rows[1:] if r]
    if target not in header:
        raise SystemExit(f"compact: no column {target!r} in {data}; columns: {', '.join(header)}.")
    t = header.index(target)
    features = [name for i, name in enumerate(header) if i != t]
    try:
        X = np.array([[float(v) for i, v in enumerate(r) if i != t] for r in body])
    except ValueError as err:
        raise SystemExit(f"compact: every column but the target must be numeric ({err}).") from None
    y = np.array([r[t] for r in body])
    return X, y, features


def _common(parser):
    parser.add_argument("--data", required=True, help="CSV file with a header row, or a built-in dataset name")
    parser.add_argument("--target", help="name of the label column (CSV files)")
    parser.add_argument("--model", choices=MODELS, default="tree")
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--method", choices=("oracle", "density_tree"), default="oracle")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def cmd_fit(args) -> int:
    """Compact one model and save it with joblib, and its report as JSON beside it."""
    import joblib

    import compact

    X, y, _ = load_data(args.data, args.target)
    started = time.perf_counter()
    result = compact.fit(
        make_estimator(args.model), X, y, size=args.size, n_trials=args.trials, n_draws=args.draws,
        method=args.method, weights_mode=args.weights_mode, random_state=args.seed, n_jobs=args.n_jobs,
        storage=args.storage, study_name=args.study_name, verbose=0 if args.quiet else 1,
    )
    joblib.dump(result.model_, args.out)
    report = os.path.splitext(args.out)[0] + ".json"
    result.to_json(report)
    print(f"validation {result.scoring}: baseline {result.baseline_score_:.4f} -> compacted "
          f"{result.best_score_:.4f}; size {result.size_}; {time.perf_counter() - started:.1f} s")
    print(f"model: {args.out}  report: {report}")
    return 0


def cmd_compare(args) -> int:
    """Compare compacted, baseline, pruned and distilled models; write CSV, JSON and PNG."""
    import compact

    X, y, _ = load_data(args.data, args.target)
    os.makedirs(args.out, exist_ok=True)
    comparison = compact.compare(
        make_estimator(args.model), X, y, sizes=args.sizes, size_name=args.size_name, seeds=args.seeds,
        n_trials=args.trials, n_draws=args.draws, compact_method=args.method, n_jobs=args.n_jobs,
        verbose=0 if args.quiet else 1,
    )
    comparison.to_csv(os.path.join(args.out, "comparison.csv"))
    comparison.to_json(os.path.join(args.out, "comparison.json"))
    comparison.plot(os.path.join(args.out, "comparison.png"))
    for s in comparison.summary():
        print(f"{s['method']:>15}  size {s['size']!s:>6}  test {comparison.scoring} {s['mean']:.4f} ± {s['std']:.4f}")
    print(f"written: {', '.join(os.path.join(args.out, f) for f in ('comparison.csv', 'comparison.json', 'comparison.png'))}")
    return 0


def cmd_demo(args) -> int:
    """Compact a decision tree on a dataset that scikit-learn ships and print the gain."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import train_test_split
    from sklearn.tree import DecisionTreeClassifier

    import compact

    X, y, _ = load_data(args.dataset, None)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=args.seed
    )
    print(f"{args.dataset}: {len(X)} rows, {X.shape[1]} features; decision tree of depth {args.size}, "
          f"{args.trials} trials")
    started = time.perf_counter()
    result = compact.fit(
        DecisionTreeClassifier(), X_train, y_train, size=args.size, n_trials=args.trials,
        random_state=args.seed, verbose=0 if args.quiet else 1,
    )
    base = f1_score(y_test, result.baseline_model_.predict(X_test), average="macro")
    comp = f1_score(y_test, result.model_.predict(X_test), average="macro")
    print(f"validation F1-macro: baseline {result.baseline_score_:.3f} -> compacted {result.best_score_:.3f}")
    print(f"test F1-macro:       baseline {base:.3f} -> compacted {comp:.3f}  "
          f"(depth {result.size_}, {time.perf_counter() - started:.1f} s)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="compact", description="Small models that are as accurate as possible.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("fit", help="compact one model and save it")
    _common(p)
    p.add_argument("--size", type=parse_size, required=True, help="e.g. 3 (depth, coefficients...) or 10x2")
    p.add_argument("--weights-mode", action="store_true")
    p.add_argument("--storage", help="Optuna storage to keep (and resume) the trials: a journal file or RDB URL")
    p.add_argument("--study-name")
    p.add_argument("--out", default="model.joblib", help="where the fitted model goes (joblib)")
    p.set_defaults(func=cmd_fit)

    p = sub.add_parser("compare", help="compacted vs baseline vs pruned vs distilled over sizes and seeds")
    _common(p)
    p.add_argument("--sizes", type=parse_sizes, required=True, help="e.g. 1-5, 2,4,8, 5-20:5 or 5x2,10x2")
    p.add_argument("--size-name", help="size parameter the numbers stand for (n_params for --model mlp)")
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--out", default="report", help="folder for comparison.csv, .json and .png")
    p.set_defaults(func=cmd_compare, trials=50)

    p = sub.add_parser("demo", help="compact a decision tree on a built-in dataset")
    p.add_argument("--dataset", choices=BUILTIN, default="digits")
    p.add_argument("--size", type=int, default=3, help="tree depth (default 3)")
    p.add_argument("--trials", type=int, default=60)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, TypeError) as err:  # bad input: one clear line, not a traceback
        print(f"compact: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
