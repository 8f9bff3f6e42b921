"""Search settings compared on generated problems: test F1 of the returned tree, fits and CPU time.

Usage::

    python benchmarks/generated.py --arms "n_draws=3;n_draws=2"
    python benchmarks/generated.py --arms "n_draws=3;n_draws=2" --problem-seed 500
    python benchmarks/generated.py --arms "class_balance=False;" --imbalanced
    python benchmarks/generated.py --regression --arms "score_on='validation';score_on='train+validation'"
    python benchmarks/generated.py --model linear --depths 2,4,6 \
        --arms "score_on='validation';score_on='train+validation'"
    python benchmarks/generated.py --family norms --depths 1 --arms ""
    python benchmarks/generated.py --family norms --write-csv benchmarks/results/norms_csv

A place to choose defaults without touching the shared datasets' test parts:
four ``make_classification`` problems (2, 3, 4 and 6 classes; 5,000 rows;
10-20 features; label noise; with ``--imbalanced``, class ``k`` is drawn in
proportion to ``0.55 ** k``), each split 60/20/20 as ``benchmarks/peers.py``
splits, decision trees at depths 1-5, seeds 0..``--seeds``-1 (the split, the
oracle and the search), 100 trials.  With ``--regression``: four regression
problems instead (Friedman #1 with noise 1 and 3, ``make_regression`` with 4
of 10 and 8 of 20 informative features and noise 10 and 30; 5,000 rows;
split 60/20/20 unstratified), regression trees, compact's regression
oracle, and R² wherever F1 is said below.  With ``--family norms``: four
problems of Gaussians of unequal spread instead (:data:`NORMS`: Delve's
ringnorm in 20 and 10 dimensions, a three-class version, twonorm; on
ringnorm a tree's Gini split sits in a feature's tail, far from the split
F1-macro prefers, as on the shared ``ring`` dataset).  ``--write-csv DIR``
writes the classification problems (``--rows`` rows of each) for
``peers.py --data-dir DIR``, which runs the reference library on them.
``--model`` takes another family
(a name of compact's ``--model``; ``--depths`` are then its sizes, e.g.
non-zero coefficients for ``linear``, ``NxM`` for ensembles; "depth" in the
output means size).  Each arm is a ``;``-separated set of
``compact.fit`` parameters (``NAME=VALUE,NAME=VALUE``, Python literals; an
empty arm is the defaults).  Prints, per arm, the models trained, the CPU
seconds of the searches, the mean validation and test F1-macro; then each
arm against the first: the mean paired test-F1 difference over the
problem x seed x depth cells, how many went up and down, Wilcoxon's
signed-rank p, and the mean per depth.  "validation" is the returned tree's
F1 on the validation part (earlier runs, the ``gen_so*`` runs of ``score_on``
included, recorded the chosen trial's mean score there instead, on the score rows).  Rows go to ``--out`` as JSON with
the command line.  The tasks run in 2 processes, each search in one thread.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
from _data import literal_params  # noqa: E402
from compact.models import parse_sizes  # noqa: E402
from peers import splits  # noqa: E402

#: Rows of every generated problem a search runs on (``--write-csv`` may write others: ``--rows``).
ROWS = 5000

PROBLEMS = (
    dict(n_classes=2, n_features=10, n_informative=4, flip_y=0.05, class_sep=0.8),
    dict(n_classes=3, n_features=10, n_informative=5, flip_y=0.05, class_sep=0.8),
    dict(n_classes=6, n_features=20, n_informative=8, flip_y=0.05, class_sep=1.0),
    dict(n_classes=4, n_features=15, n_informative=6, flip_y=0.10, class_sep=1.2),
)


def parse_arms(text: str) -> dict[str, dict]:
    """``"a=1,b=2;c=3"`` -> ``{"a=1,b=2": {"a": 1, "b": 2}, "c=3": {"c": 3}}``."""
    return {arm.strip() or "defaults": literal_params(item for item in arm.split(",") if item.strip())
            for arm in text.split(";")}


REGRESSION_PROBLEMS = (
    ("friedman1", dict(n_features=10, noise=1.0)),
    ("friedman1", dict(n_features=10, noise=3.0)),
    ("linear", dict(n_features=10, n_informative=4, noise=10.0)),
    ("linear", dict(n_features=20, n_informative=8, noise=30.0)),
)


def make_regression_problem(problem: int, seed: int, problem_seed: int):
    """``(X, y)`` of regression problem ``problem`` for split seed ``seed``."""
    from sklearn.datasets import make_friedman1, make_regression

    kind, spec = REGRESSION_PROBLEMS[problem]
    maker = make_friedman1 if kind == "friedman1" else make_regression
    return maker(n_samples=ROWS, random_state=problem_seed + 10 * problem + seed, **spec)


def regression_splits(X, y, seed: int):
    """60/20/20 as :func:`peers.splits`, unstratified."""
    from sklearn.model_selection import train_test_split

    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=seed)
    X_tr, X_va, y_tr, y_va = train_test_split(X_tr, y_tr, test_size=0.25, random_state=seed)
    return X_tr, y_tr, X_va, y_va, X_te, y_te


#: ``--family norms``: ringnorm (a wide Gaussian around a narrow one; Delve's, as the shared ``ring``)
#: in 20 and 10 dimensions, a three-class version (variances 4, 1 and 0.25) and twonorm (two unit Gaussians).
#: On ringnorm a tree's Gini split sits in a feature's tail, far from the split F1 prefers.
NORMS = (
    dict(scales=(2.0, 1.0), shift=2.0, n_features=20),
    dict(scales=(2.0, 1.0), shift=2.0, n_features=10),
    dict(scales=(2.0, 1.0, 0.5), shift=2.0, n_features=20),
    dict(scales=(1.0, 1.0), shift=4.0, n_features=20),
)


def make_norms(problem: int, seed: int, problem_seed: int, imbalanced: bool, n_samples: int = ROWS):
    """``(X, y)`` of norms problem ``problem``: class ``k`` is ``N(m_k, scales[k]**2 I)`` with ``m_k``
    the vector of ``(k - (K - 1) / 2) * shift / sqrt(d)`` (Delve's ringnorm: scales 2 and 1, means
    0 and 2/sqrt(20) up to a common offset; twonorm: scale 1, means -+2/sqrt(20)); each row's class
    drawn with equal probabilities, or in proportion to ``0.55 ** k``."""
    spec = NORMS[problem]
    rng = np.random.default_rng(problem_seed + 10 * problem + seed)
    n_classes, d = len(spec["scales"]), spec["n_features"]
    share = 0.55 ** np.arange(n_classes) if imbalanced else np.ones(n_classes)
    y = rng.choice(n_classes, size=n_samples, p=share / share.sum())
    means = (np.arange(n_classes) - (n_classes - 1) / 2) * spec["shift"] / np.sqrt(d)
    X = means[y][:, None] + np.asarray(spec["scales"])[y][:, None] * rng.standard_normal((n_samples, d))
    return X, y


def make_problem(problem: int, seed: int, problem_seed: int, imbalanced: bool, family: str = "classification",
                 n_samples: int = ROWS):
    """``(X, y)`` of problem ``problem`` of ``family`` for split seed ``seed``."""
    from sklearn.datasets import make_classification

    if family == "norms":
        return make_norms(problem, seed, problem_seed, imbalanced, n_samples)
    spec = dict(PROBLEMS[problem])
    if imbalanced:
        share = 0.55 ** np.arange(spec["n_classes"])
        spec["weights"] = list(share / share.sum())
    return make_classification(n_samples=n_samples, n_clusters_per_class=2,
                               random_state=problem_seed + 10 * problem + seed, **spec)


def run_cell(problem: int, seed: int, depth, params: dict, problem_seed: int, imbalanced: bool,
             regression: bool = False, model: str = "tree", family: str = "classification") -> dict:
    """One search: the problem's split for ``seed``, its oracle, ``compact.fit`` with ``params``.
    ``depth`` is the size of the family ``model`` (a ``--model`` name of the command line; trees:
    an int depth; ensembles: a tuple, trees x depth).  ``val_f1`` and ``test_f1`` are R² for regression."""
    from sklearn.metrics import f1_score, r2_score

    import compact
    from compact.models import make_estimator
    from compact.oracle import resolve_oracle

    estimator = make_estimator(model, regression=regression)
    if regression:
        X, y = make_regression_problem(problem, seed, problem_seed)
        X_tr, y_tr, X_va, y_va, X_te, y_te = regression_splits(X, y, seed)
        metric = r2_score
    else:
        X, y = make_problem(problem, seed, problem_seed, imbalanced, family)
        X_tr, y_tr, X_va, y_va, X_te, y_te = splits(X, y, seed)
        metric = lambda t, p: f1_score(t, p, average="macro")  # noqa: E731
    oracle = resolve_oracle("xgboost", X_tr, y_tr, random_state=seed, n_jobs=1, regression=regression)
    began = time.process_time()
    result = compact.fit(estimator, X_tr, y_tr, size=depth, oracle=oracle,
                         validation_data=(X_va, y_va), n_trials=100, random_state=seed, n_jobs=1, **params)
    return {"problem": problem, "seed": seed, "depth": depth, "cpu_s": time.process_time() - began,
            "fits": int(sum(t.fits for t in result.trials_)),
            "val_f1": float(metric(y_va, result.model_.predict(X_va))),
            "score": float(result.best_score_), "score_on": result.score_on,
            "sample_frac_scale": result.sample_frac_scale,
            "test_f1": float(metric(y_te, result.model_.predict(X_te)))}


def write_csv(folder: str, family: str, problems, problem_seed: int, imbalanced: bool, n_samples: int) -> None:
    """Each problem's rows (seed 0's) as a CSV with no header, the class last: ``peers.py --data-dir``
    runs the reference library on them (``peers.py`` splits them with its own seeds)."""
    os.makedirs(folder, exist_ok=True)
    for problem in problems:
        X, y = make_problem(problem, 0, problem_seed, imbalanced, family, n_samples)
        path = os.path.join(folder, f"{family}{problem}_{problem_seed}{'_imb' if imbalanced else ''}.csv")
        np.savetxt(path, np.column_stack([X, y]), delimiter=",", fmt=["%.17g"] * X.shape[1] + ["%d"])
        print(f"written: {path}")


def report(rows: list[dict], arms: list[str]) -> str:
    from scipy.stats import wilcoxon

    lines = []
    for arm in arms:
        sel = [r for r in rows if r["arm"] == arm]
        lines.append(f"{arm}: fits {sum(r['fits'] for r in sel)}, cpu {sum(r['cpu_s'] for r in sel):.1f} s, "
                     f"validation {np.mean([r['val_f1'] for r in sel]):.4f}, "
                     f"test {np.mean([r['test_f1'] for r in sel]):.4f}")
    key = lambda r: (r["problem"], r["seed"], r["depth"])  # noqa: E731
    first = {key(r): r["test_f1"] for r in rows if r["arm"] == arms[0]}
    for arm in arms[1:]:
        sel = [r for r in rows if r["arm"] == arm]
        diff = np.array([r["test_f1"] - first[key(r)] for r in sel])
        p = wilcoxon(diff).pvalue if np.any(diff) else 1.0
        by_depth = ", ".join(f"{d}: {np.mean([r['test_f1'] - first[key(r)] for r in sel if r['depth'] == d]):+.4f}"
                             for d in sorted({r["depth"] for r in sel}))
        lines.append(f"{arm} - {arms[0]}: test {diff.mean():+.4f} ({np.sum(diff > 0)} up, {np.sum(diff < 0)} down, "
                     f"Wilcoxon p = {p:.2f}); by depth {by_depth}")
    return "\n".join(lines)


def main(argv=None):
    from joblib import Parallel, delayed

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arms", default="n_draws=3;n_draws=2")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--depths", default="1,2,3,4,5",
                        help="sizes of the family (trees: depths; ensembles: NxM, trees x depth, e.g. 3x2,5x3)")
    parser.add_argument("--model", default="tree", help="family, as compact's --model (default: tree; "
                        "linear: L1 logistic regression or Lasso, sizes non-zero coefficients)")
    parser.add_argument("--problem-seed", type=int, default=100, help="generates other problems")
    parser.add_argument("--imbalanced", action="store_true", help="class k in proportion to 0.55 ** k")
    parser.add_argument("--regression", action="store_true", help="regression problems and trees (R²)")
    parser.add_argument("--family", choices=("classification", "norms"), default="classification",
                        help="classification problems: make_classification's, or Gaussians of unequal spread")
    parser.add_argument("--n-jobs", type=int, default=2, help="processes")
    parser.add_argument("--write-csv", metavar="DIR", help="write each classification problem (seed 0's data) to "
                        "DIR/<family><problem>_<problem seed>[_imb].csv, as benchmarks/peers.py reads them, and stop")
    parser.add_argument("--rows", type=int, default=ROWS, help="rows of each problem --write-csv writes")
    parser.add_argument("--out", default=os.path.join(HERE, "results"))
    parser.add_argument("--tag", default="generated")
    args = parser.parse_args(argv)
    arms = parse_arms(args.arms)
    depths = parse_sizes(args.depths)
    problems = REGRESSION_PROBLEMS if args.regression else NORMS if args.family == "norms" else PROBLEMS
    if args.regression and args.family != "classification":
        parser.error("--family chooses classification problems; --regression has its own.")
    if args.rows != ROWS and not args.write_csv:
        parser.error(f"--rows sets the rows --write-csv writes; searches use {ROWS:,}.")
    if args.write_csv:
        if args.regression:
            parser.error("--write-csv writes classification problems (peers.py compares classifiers); "
                         "drop --regression.")
        return write_csv(args.write_csv, args.family, range(len(problems)), args.problem_seed, args.imbalanced,
                         args.rows)
    cells = list(itertools.product(range(len(problems)), range(args.seeds), depths, arms))
    print(f"{len(cells)} searches in {args.n_jobs} processes", flush=True)
    found = Parallel(n_jobs=args.n_jobs)(
        delayed(run_cell)(problem, seed, depth, arms[arm], args.problem_seed, args.imbalanced, args.regression,
                          args.model, args.family)
        for problem, seed, depth, arm in cells)
    rows = [{**row, "arm": cell[3]} for row, cell in zip(found, cells)]
    text = report(rows, list(arms))
    print(text)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, f"{args.tag}.json")
    with open(path, "w") as fh:
        json.dump({"command": " ".join(sys.argv), "rows": rows, "report": text}, fh, indent=1)
    print(f"written: {path}")


if __name__ == "__main__":
    main()
