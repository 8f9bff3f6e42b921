"""Command line: ``compact demo`` (also ``python -m compact demo``)."""

from __future__ import annotations

import argparse
import sys
import time

DATASETS = ("digits", "breast_cancer", "wine")


def demo(args) -> int:
    """Compact a decision tree on a dataset that scikit-learn ships and print the gain."""
    from sklearn import datasets
    from sklearn.metrics import f1_score
    from sklearn.model_selection import train_test_split
    from sklearn.tree import DecisionTreeClassifier

    import compact

    X, y = getattr(datasets, f"load_{args.dataset}")(return_X_y=True)
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
    p = sub.add_parser("demo", help="compact a decision tree on a built-in dataset")
    p.add_argument("--dataset", choices=DATASETS, default="digits")
    p.add_argument("--size", type=int, default=3, help="tree depth (default 3)")
    p.add_argument("--trials", type=int, default=60)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=demo)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
