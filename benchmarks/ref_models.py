"""The reference library's chosen trees, scored on every part of the split: search gap or selection luck?

Usage::

    python benchmarks/ref_models.py --data-dir ../shared/data --dataset spambase --depth 4 --seed 1
    python benchmarks/ref_models.py --data-dir ../shared/data --dataset spambase --depth 4 --seed 1 \
        --run-dir /tmp/refspam1     # reuse (or keep) the reference run's folder

Runs the reference (compactem 0.9.8, through ``../shared/peer/run_compactem.py``
in its own virtual environment, as ``benchmarks/peers.py`` does) for one
dataset, depth and split seed, reads back the trees of its best trial (its
``models/best_mean_val_score_models.pckl``) and prints, for each, its depth
and leaves and its F1-macro on the training part, the validation part, both
together (the rows compact scores trees on by default) and the test part.
With ``compact``'s figures on the same split (``benchmarks/peers.py``'s
``val_compacted`` and test columns), this tells whether the reference's trees
are ones compact's search failed to reach (higher on compact's score rows)
or ones it passed over because they score lower there (their test advantage
is then not something a search on those rows would find).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile

import numpy as np
from sklearn.metrics import f1_score

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from _data import DEFAULT_DATA_DIR  # noqa: E402
from peers import load_csv, splits  # noqa: E402


def reference_trees(csv_path: str, depth: int, trials: int, seed: int, run_dir: str, *, python: str, script: str):
    """The trees of the reference's best trial; runs the reference into ``run_dir`` unless it holds a run.

    A run made here leaves ``ref_models.json`` (what was run) beside it, so
    that a kept folder is not read back for another dataset, depth or split.
    """
    name = os.path.splitext(os.path.basename(csv_path))[0]
    models = os.path.join(run_dir, "run_1", f"{name}_0", "models", "best_mean_val_score_models.pckl")
    marker = os.path.join(run_dir, "ref_models.json")
    spec = {"dataset": name, "depth": depth, "trials": trials, "seed": seed}
    if os.path.exists(marker):
        with open(marker) as fh:
            kept = json.load(fh)
        if kept != spec:
            raise ValueError(f"{run_dir} holds a reference run of {kept}, not {spec}; give another --run-dir.")
    if not os.path.exists(models):
        cmd = [python, script, os.path.abspath(csv_path), str(depth), str(trials), run_dir, str(seed)]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=run_dir)
        if proc.returncode != 0 or not os.path.exists(models):
            raise RuntimeError(f"reference run failed ({' '.join(cmd)}):\n{proc.stderr[-3000:]}")
        with open(marker, "w") as fh:
            json.dump(spec, fh)
    with open(models, "rb") as fh:
        return list(pickle.load(fh))


def part_scores(tree, split) -> dict[str, float]:
    """F1-macro of ``tree`` on the training, validation, training + validation and test parts."""
    from compact._problem import score_rows

    X_tr, y_tr, X_va, y_va, X_te, y_te = split
    parts = {"train": (X_tr, y_tr), "validation": (X_va, y_va),
             "train+validation": score_rows("train+validation", X_tr, y_tr, X_va, y_va), "test": (X_te, y_te)}
    return {part: float(f1_score(y, tree.predict(X), average="macro")) for part, (X, y) in parts.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--dataset", default="spambase")
    parser.add_argument("--depth", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0, help="the split's seed (as peers.py's --seeds)")
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--run-dir", help="the reference run's folder (kept); default: a temporary one")
    parser.add_argument("--ref-python", default="/work/.venv-ref/bin/python")
    parser.add_argument("--ref-script", help="default: ../peer/run_compactem.py next to --data-dir")
    args = parser.parse_args(argv)
    csv_path = os.path.join(args.data_dir, f"{args.dataset}.csv")
    script = args.ref_script or os.path.join(args.data_dir, "..", "peer", "run_compactem.py")
    split = splits(*load_csv(csv_path), args.seed)
    with tempfile.TemporaryDirectory(prefix="compactem-") as tmp:
        run_dir = args.run_dir or tmp
        os.makedirs(run_dir, exist_ok=True)
        trees = reference_trees(csv_path, args.depth, args.trials, args.seed, run_dir,
                                python=args.ref_python, script=os.path.abspath(script))
    print(f"{args.dataset}, depth {args.depth}, split seed {args.seed}: the reference's best trial")
    print("| tree | depth | leaves | train | validation | train+validation | test |")
    print("|---|---|---|---|---|---|---|")
    scores = [part_scores(tree, split) for tree in trees]
    for i, (tree, s) in enumerate(zip(trees, scores)):
        print(f"| {i} | {tree.get_depth()} | {tree.get_n_leaves()} | {s['train']:.4f} | {s['validation']:.4f} "
              f"| {s['train+validation']:.4f} | {s['test']:.4f} |")
    mean = {part: np.mean([s[part] for s in scores]) for part in scores[0]}
    print(f"| mean | | | {mean['train']:.4f} | {mean['validation']:.4f} | {mean['train+validation']:.4f} "
          f"| {mean['test']:.4f} |")


if __name__ == "__main__":
    main()
