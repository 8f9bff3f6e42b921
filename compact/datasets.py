"""Datasets: the built-in ones scikit-learn ships, and CSV files.

Used by the command line and the benchmark scripts alike.

* :func:`load_builtin` - ``(X, y, feature names)`` of ``digits``, ``breast_cancer``,
  ``wine`` or ``iris``.
* :func:`read_csv` - a CSV file with a header row, read with pandas into a
  feature frame and a target column; every problem (missing file, folder,
  empty file, header only, ragged rows, unknown target, empty or non-numeric
  cells) is a :class:`DataError` of one line.
* :func:`make_preprocessor` - numeric columns passed through, string and
  categorical columns one-hot encoded (a scikit-learn ``ColumnTransformer``).
* :func:`read_headerless_csv` - features then label in the last column, no
  header (the benchmarks' KEEL exports).
"""

from __future__ import annotations

import csv
import os

import numpy as np

BUILTIN = ("digits", "breast_cancer", "wine", "iris")


class DataError(ValueError):
    """A dataset that cannot be used, with a one-line message saying why and what to do."""


def load_builtin(name: str):
    """``(X, y, feature names)`` of a dataset that scikit-learn ships (one of ``BUILTIN``)."""
    if name not in BUILTIN:
        raise DataError(f"no built-in dataset {name!r}; choose from {', '.join(BUILTIN)}.")
    from sklearn import datasets

    bunch = getattr(datasets, f"load_{name}")()
    return bunch.data, bunch.target, [str(f) for f in bunch.feature_names]


def _check_file(path: str) -> None:
    if os.path.isdir(path):
        raise DataError(f"{path} is a folder; --data needs a CSV file or a built-in dataset "
                        f"({', '.join(BUILTIN)}).")
    if not os.path.exists(path):
        raise DataError(f"no file {path!r} (nor a built-in dataset: {', '.join(BUILTIN)}).")


def _read_rows(path: str, comment: str | None = None) -> list[tuple[int, list[str]]]:
    """Non-blank rows with their line numbers; a UTF-8 byte-order mark is dropped."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            return [(reader.line_num, row) for row in reader
                    if any(cell.strip() for cell in row) and not (comment and row[0].startswith(comment))]
    except UnicodeDecodeError as err:
        raise DataError(f"{path} is not UTF-8 text ({err.reason} at byte {err.start}); save it as UTF-8.") from None
    except csv.Error as err:
        raise DataError(f"{path} is not a readable CSV file ({err}).") from None
    except OSError as err:
        raise DataError(f"cannot read {path}: {err.strerror or err}.") from None


def _check_shape(path: str, rows) -> list[str]:
    if not rows:
        raise DataError(f"{path} is empty; a CSV file needs a header row and data rows.")
    header = [name.strip() for name in rows[0][1]]
    if len(rows) == 1:
        raise DataError(f"{path} has a header row but no data rows.")
    for line, row in rows[1:]:
        if len(row) != len(header):
            raise DataError(f"{path}: line {line} has {len(row)} fields, the header has {len(header)} "
                            "(a ragged row; check its commas and quotes).")
    return header


def read_csv(path: str, target: str | None):
    """``(X, y)``: a pandas DataFrame of the feature columns and the target Series.

    The file has a header row; blank lines are skipped, a UTF-8 byte-order mark
    and spaces around column names are stripped. Feature columns may be numeric,
    boolean or text (categorical); a column of numbers with a few cells that are
    not is reported rather than taken as categorical.

    Raises
    ------
    DataError
        With a one-line message naming the problem.
    """
    try:
        import pandas as pd
    except ImportError:
        raise DataError("reading CSV files needs pandas: pip install pandas") from None

    _check_file(path)
    header = _check_shape(path, _read_rows(path))
    if target is None:
        raise DataError(f"--target COLUMN is required with a CSV file; columns: {', '.join(header)}.")
    if target not in header:
        hint = next((f" (the header holds {sep!r}: compact reads comma-separated files)"
                     for sep in (";", "\t", "|") if len(header) == 1 and sep in header[0]), "")
        raise DataError(f"no column {target!r} in {path}; columns: {', '.join(header)}{hint}.")
    if len(set(header)) != len(header):
        twice = sorted({name for name in header if header.count(name) > 1})
        raise DataError(f"{path}: column names occur twice: {', '.join(twice)}.")
    frame = pd.read_csv(path, encoding="utf-8-sig", skip_blank_lines=True, skipinitialspace=True)
    frame.columns = header
    y = frame.pop(target)
    if y.isna().any():
        raise DataError(f"--target column {target!r} has {int(y.isna().sum())} empty cell(s) "
                        f"(first in data row {int(np.flatnonzero(y.isna())[0]) + 1}); fill or drop those rows.")
    if frame.shape[1] == 0:
        raise DataError(f"{path} has no feature column besides the target {target!r}.")
    for name in frame.columns:
        _check_column(frame[name], name)
    return frame, y


def _check_column(column, name: str) -> None:
    import pandas as pd

    if pd.api.types.is_bool_dtype(column):
        return
    if pd.api.types.is_numeric_dtype(column):
        if column.isna().any():
            row = int(np.flatnonzero(column.isna())[0]) + 1
            raise DataError(f"column {name!r} has {int(column.isna().sum())} empty cell(s) (first in data row "
                            f"{row}); fill or drop them.")
        return
    numbers = pd.to_numeric(column, errors="coerce")
    bad = numbers.isna() & column.notna()
    if bad.any() and bad.sum() <= max(1, 0.05 * len(column)) and numbers.notna().sum() > bad.sum():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(f"column {name!r} is numeric but data row {row + 1} holds {column.iloc[row]!r}; fix the "
                        "cell (text columns are one-hot encoded, a typo in a numeric one is an error).")


def is_regression_target(y) -> bool:
    """A target of numbers of which some are not whole: regression (whole numbers and text are classes)."""
    import pandas as pd

    if not pd.api.types.is_float_dtype(y):
        return False
    values = np.asarray(y, dtype=float)
    return bool(np.any(values != np.round(values)))


def categorical_columns(X) -> list[str]:
    """Names of the columns of a DataFrame that are neither numeric nor boolean."""
    import pandas as pd

    return [name for name in X.columns
            if not (pd.api.types.is_numeric_dtype(X[name]) or pd.api.types.is_bool_dtype(X[name]))]


def make_preprocessor(X):
    """A ``ColumnTransformer``: numeric columns passed through, categorical ones one-hot
    encoded (categories unseen in training give all-zero columns); ``None`` when every
    column is numeric."""
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder

    text = categorical_columns(X)
    if not text:
        return None
    return ColumnTransformer(
        [("categorical", OneHotEncoder(handle_unknown="ignore", sparse_output=False), text)],
        remainder="passthrough",
        verbose_feature_names_out=False,
    )


def read_headerless_csv(path: str, *, comment: str | None = None):
    """``(X, y)`` from a CSV file without a header: features first, the label in the last column.

    Lines starting with ``comment`` (e.g. ``"@"`` in KEEL ``.dat`` files) are skipped.
    """
    _check_file(path)
    rows = _read_rows(path, comment)
    if not rows:
        raise DataError(f"{path} is empty.")
    width = len(rows[0][1])
    for line, row in rows:
        if len(row) != width:
            raise DataError(f"{path}: line {line} has {len(row)} fields, line {rows[0][0]} has {width}.")
    raw = np.array([[cell.strip() for cell in row] for _, row in rows])
    try:
        X = raw[:, :-1].astype(float)
    except ValueError as err:
        raise DataError(f"{path}: every column but the last must be numeric ({err}).") from None
    return X, raw[:, -1]
