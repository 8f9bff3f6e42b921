"""Throughput of candidate MLP training: batched (stacked weights) vs one by one.

Usage::

    python benchmarks/neural.py                          # CPU, 64 candidates, 50k rows
    python benchmarks/neural.py --device cuda            # batched on the GPU vs one by one on CPU
    python benchmarks/neural.py --rows 10000 --candidates 16 --epochs 1

Trains ``--candidates`` 2-layer MLPs (``--hidden`` units per layer) on
``--rows`` rows of generated data, each with its own resample weights, once as
one stacked batch on ``--device`` and once one candidate at a time on
``--sequential-device`` (``--sequential`` of them, scaled to the full count),
and prints candidates per second and the ratio (issue 12's target with
``--device cuda``: >= 20x).  Every candidate has its own initial weights and
minibatch order, as in compaction.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.datasets import make_classification

from compact.neural import resolve_device, train_mlps


def timed(fn) -> float:
    import torch

    started = time.perf_counter()
    fn()
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()
    return time.perf_counter() - started


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--classes", type=int, default=5)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--candidates", type=int, default=64)
    parser.add_argument("--sequential", type=int, default=4, help="candidates timed one by one")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--sequential-device", default="cpu", help="device of the one-by-one baseline")
    args = parser.parse_args(argv)

    X, y = make_classification(n_samples=args.rows, n_features=args.features, n_informative=10,
                               n_classes=args.classes, random_state=0)
    rng = np.random.default_rng(0)
    weights = rng.multinomial(args.rows, np.full(args.rows, 1.0 / args.rows), size=args.candidates).astype(float)
    kw = dict(hidden=(args.hidden, args.hidden), n_classes=args.classes, epochs=args.epochs,
              batch_size=args.batch_size)
    device = resolve_device(args.device)
    train_mlps(X[:1000], y[:1000], weights[:2, :1000], seeds=[0, 1], device=device, epochs=1,
               hidden=kw["hidden"], n_classes=args.classes, shuffle_seed=0)  # warm-up
    seeds = list(range(args.candidates))
    kw["shuffle_seed"] = seeds
    batched = timed(lambda: train_mlps(X, y, weights, seeds=seeds, device=device, **kw))
    kw.pop("shuffle_seed")
    one = timed(lambda: [train_mlps(X, y, weights[k: k + 1], seeds=[k], shuffle_seed=[k],
                                    device=resolve_device(args.sequential_device), **kw)
                         for k in range(args.sequential)])
    rate_b = args.candidates / batched
    rate_s = args.sequential / one
    print(f"{args.rows} rows, {args.candidates} candidates of a {args.features}-{args.hidden}-{args.hidden}-"
          f"{args.classes} MLP, {args.epochs} epoch(s), batch {args.batch_size}")
    print(f"batched on {device}: {batched:.2f} s, {rate_b:.2f} candidates/s")
    print(f"one by one on {args.sequential_device}: {one / args.sequential:.2f} s each, {rate_s:.2f} candidates/s")
    print(f"ratio: {rate_b / rate_s:.1f}x")


if __name__ == "__main__":
    main()
