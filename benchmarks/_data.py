"""Dataset loading shared by the benchmark scripts."""

from __future__ import annotations

import os

import numpy as np

BUILTIN = ("digits", "breast_cancer", "wine", "iris")
DEFAULT_DATA_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")


def load(name: str, data_dir: str = DEFAULT_DATA_DIR):
    """``(X, y)`` for a scikit-learn dataset name, a CSV path, or ``NAME`` of ``data_dir/NAME.csv``.

    CSV files have no header; features first, the class label in the last column.
    """
    if name in BUILTIN:
        from sklearn import datasets

        return getattr(datasets, f"load_{name}")(return_X_y=True)
    path = name if name.endswith(".csv") else os.path.join(data_dir, f"{name}.csv")
    if not os.path.exists(path):
        raise SystemExit(f"No dataset {name!r}: not built-in ({', '.join(BUILTIN)}) and no file {path}.")
    raw = np.genfromtxt(path, delimiter=",", dtype=str, autostrip=True)
    return raw[:, :-1].astype(float), raw[:, -1]


def parse_range(text: str) -> list[int]:
    """``"1-5"`` -> [1, 2, 3, 4, 5]; ``"2,4,8"`` -> [2, 4, 8]."""
    values: list[int] = []
    for part in text.split(","):
        if "-" in part:
            lo, hi = part.split("-")
            values.extend(range(int(lo), int(hi) + 1))
        else:
            values.append(int(part))
    return values
