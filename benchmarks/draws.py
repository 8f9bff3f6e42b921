"""Speed of drawing training samples: the current sampler against the one before the speed work.

Usage::

    python benchmarks/draws.py                  # n=9000 points, 3 classes, 60 random trials x 3 draws
    python benchmarks/draws.py --n 20000 --classes 26 --old-rev 5113a53

The old implementation is read from git (``--old-rev``, default 5113a53, the
commit before) and imported as a module of its own.  For parameters drawn as
the optimiser's random start draws them, it times per trial (all draws):
old ``sample_indices`` (+ ``bincount``), new ``sample_indices``, new
``sample_counts``; old ``expected_weights``, new ``sample_weights``; and
checks that they give equal results.  Timings are the median of ``--repeats``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from compact.distributions import SEARCH_SPACE, DistributionParams, DPBetaMixture, flatten_uncertainty  # noqa: E402


def old_module(rev: str):
    source = subprocess.run(["git", "-C", HERE, "show", f"{rev}:compact/distributions.py"],
                            capture_output=True, text=True, check=True).stdout
    path = os.path.join(tempfile.mkdtemp(), "old_distributions.py")
    with open(path, "w") as fh:
        fh.write(source)
    spec = importlib.util.spec_from_file_location("old_distributions", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_distributions"] = module
    spec.loader.exec_module(module)
    return module


def random_params(rng):
    values = {p.name: float(np.exp(rng.uniform(np.log(p.low), np.log(p.high))) if p.log
                            else rng.uniform(p.low, p.high)) for p in SEARCH_SPACE}
    return DistributionParams(**values)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=9000)
    parser.add_argument("--classes", type=int, default=3)
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--old-rev", default="5113a53")
    args = parser.parse_args(argv)

    data = np.random.default_rng(0)
    u = flatten_uncertainty(data.beta(0.5, 3.0, size=args.n))
    y = data.integers(args.classes, size=args.n)
    old = old_module(args.old_rev).DPBetaMixture(u, y)
    new = DPBetaMixture(u, y)
    params = [random_params(data) for _ in range(args.trials)]

    def rngs(i):
        return [np.random.default_rng([i, d]) for d in range(args.draws)]

    cases = {
        "old sample_indices + bincount": lambda p, i: np.stack(
            [np.bincount(old.sample_indices(p, r), minlength=args.n) for r in rngs(i)]),
        "new sample_indices + bincount": lambda p, i: np.stack(
            [np.bincount(new.sample_indices(p, r), minlength=args.n) for r in rngs(i)]),
        "new sample_counts": lambda p, i: new.sample_counts(p, rngs(i)),
        "old expected_weights": lambda p, i: np.stack([old.expected_weights(p, r) for r in rngs(i)]),
        "new sample_weights": lambda p, i: new.sample_weights(p, rngs(i)),
    }
    for i, p in enumerate(params[:10]):  # equal results
        assert np.array_equal(cases["old sample_indices + bincount"](p, i), cases["new sample_counts"](p, i))
        assert np.array_equal(cases["old expected_weights"](p, i), cases["new sample_weights"](p, i))
    times = {name: [] for name in cases}
    for _ in range(args.repeats):
        for name, f in cases.items():
            t0 = time.perf_counter()
            for i, p in enumerate(params):
                f(p, i)
            times[name].append((time.perf_counter() - t0) / len(params) * 1e3)
    print(f"n={args.n}, {args.classes} classes, {args.trials} random trials x {args.draws} draws; "
          f"ms per trial (median of {args.repeats}); results equal: yes")
    base = {"resample": np.median(times["old sample_indices + bincount"]),
            "weights": np.median(times["old expected_weights"])}
    for name, t in times.items():
        ref = base["weights" if "weight" in name else "resample"]
        print(f"  {name:32s} {np.median(t):8.2f} ms   x{ref / np.median(t):.2f} vs old")


if __name__ == "__main__":
    main()
