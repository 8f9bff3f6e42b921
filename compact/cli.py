"""Command line: ``compact fit``, ``compact compare`` and ``compact demo`` (also ``python -m compact``).

    compact fit --data train.csv --target label --model tree --size 3 --out model.joblib
    compact compare --data train.csv --target label --model tree --sizes 1-5 --out report/
    compact demo

Every bad input (data, target, sizes, output paths, storage URL) is reported
in one line on stderr with exit status 2 before any search starts; an
internal error exits with 1, Ctrl-C with 130 (an interrupted ``compare``
writes nothing). Outputs are written to a temporary file in the
target folder and renamed, so a file is never left half written.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
import time

import numpy as np

from ._threads import available_cores
from ._validation import first_line
from .datasets import BUILTIN, is_regression_target, load_builtin, make_preprocessor, read_csv
from .models import MODELS, make_estimator, parse_size, parse_sizes

__all__ = ["main", "build_parser", "load_data", "BUILTIN", "MODELS", "make_estimator", "parse_size", "parse_sizes"]

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
EXPORT_SUFFIX = {"onnx": ".onnx", "c": ".c", "text": ".txt"}
EXPORT_NEEDS = {"onnx": ("skl2onnx", "onnx"), "c": ("emlearn",), "text": ()}
#: The --model families compact.deployment exports in each format (the others fail there, after the search):
#: C through emlearn for trees, forests and MLPs; text for trees, forests and linear models; ONNX for all but
#: hist (skl2onnx cannot convert its trees with the opset export uses) and the xgboost regressor (no converter).
EXPORT_MODELS = {"c": ("tree", "forest", "mlp"), "text": ("tree", "forest", "linear", "lpm"),
                 "onnx": ("tree", "linear", "lpm", "xgboost", "forest", "mlp")}


# -- data --------------------------------------------------------------------------------------------------------


def load_data(data: str, target: str | None):
    """``(X, y, feature names)``: a built-in dataset (numpy arrays) or a CSV file
    (a pandas DataFrame of the raw feature columns and the target Series)."""
    if data in BUILTIN and not os.path.exists(data):
        return load_builtin(data)
    X, y = read_csv(data, target)
    return X, y, list(X.columns)


def _is_regression(task: str, y, target) -> bool:
    regression = is_regression_target(y) if task == "auto" else task == "regression"
    if not regression:
        n_classes = len(np.unique(np.asarray(y).astype(str)))
        if n_classes > len(y) / 2:
            numeric = np.issubdtype(np.asarray(y).dtype, np.number)
            fix = "a numeric target needs --task regression" if numeric else "use more rows or fewer classes"
            raise ValueError(f"--target {target!r} has {n_classes} distinct values in {len(y)} rows, too few rows "
                             f"per class to train and validate; {fix}.")
    return regression


# -- output paths ------------------------------------------------------------------------------------------------


def _probe_folder(folder: str, option: str) -> None:
    """Raise ValueError unless a file can be created in ``folder`` (read-only places, full disks, permissions)."""
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".compact-probe-")
        os.close(fd)
        os.remove(probe)
    except OSError as err:
        raise ValueError(f"{option}: cannot write in {folder} ({err.strerror or err}).") from None


def check_output_file(path: str, option: str = "--out") -> str:
    """The absolute path of a file to be written, after checking that its folder exists and takes files."""
    if path.endswith(("/", os.sep)) or os.path.isdir(path):
        raise ValueError(f"{option} {path} is a folder; give a file name, e.g. {os.path.join(path, 'model.joblib')}.")
    full = os.path.abspath(path)
    folder = os.path.dirname(full)
    if not os.path.isdir(folder):
        what = "is not a folder" if os.path.exists(folder) else "does not exist"
        raise ValueError(f"{option} {path}: the folder {folder} {what}; create it or choose another path.")
    _probe_folder(folder, option)
    return full


def check_output_folder(path: str, option: str = "--out") -> str:
    """The absolute path of a folder to write into, created if missing; an existing file is refused."""
    full = os.path.abspath(path)
    if os.path.exists(full) and not os.path.isdir(full):
        raise ValueError(f"{option} {path} is an existing file; compare writes a folder, give a folder name.")
    try:
        os.makedirs(full, exist_ok=True)
    except OSError as err:
        raise ValueError(f"{option}: cannot create the folder {path} ({err.strerror or err}).") from None
    _probe_folder(full, option)
    return full


def check_storage(storage: str | None) -> None:
    """Refuse, before any work, an Optuna storage that cannot be opened: what
    :func:`compact.storage.resolve_storage` refuses (unknown scheme, missing
    folder or driver, unreachable server), and a file in a read-only folder."""
    if storage is None:
        return
    path = _storage_file(storage)
    if path is not None and not os.path.isdir(path) and os.path.isdir(os.path.dirname(os.path.abspath(path))):
        if not os.path.exists(path):
            _probe_folder(os.path.dirname(os.path.abspath(path)), "--storage")
        elif not os.access(path, os.R_OK | os.W_OK):
            raise ValueError(f"--storage {storage}: the file is not readable and writable.")
    from .storage import resolve_storage

    try:
        resolve_storage(storage)
    except ImportError as err:  # a missing driver: bad input here, with the package to install
        raise ValueError(f"--storage {storage}: {first_line(err)}") from None


def _storage_file(storage: str) -> str | None:
    """The file behind a journal path or a ``sqlite:///`` URL (``None`` for servers)."""
    if "://" not in storage:
        return storage
    scheme, _, rest = storage.partition("://")
    if scheme.split("+")[0].lower() != "sqlite" or rest in ("", "/", "/:memory:"):
        return None
    return rest[1:]


def _check_exports(formats, *, model: str) -> None:
    """Refuse a format that ``model``'s family cannot be exported to, or whose packages are missing."""
    for fmt in formats or ():
        if model not in EXPORT_MODELS[fmt]:
            raise ValueError(f"--export {fmt} cannot export --model {model}; {fmt} takes "
                             f"{', '.join(EXPORT_MODELS[fmt])}.")
        needs = EXPORT_NEEDS[fmt] + (("onnxmltools",) if fmt == "onnx" and model == "xgboost" else ())
        missing = [m for m in needs if importlib.util.find_spec(m) is None]
        if missing:
            raise ValueError(f"--export {fmt} needs {' and '.join(missing)}: pip install {' '.join(missing)}.")


def report_path(out: str) -> str:
    """The report written beside the model file ``out``."""
    return os.path.splitext(out)[0] + ".json"


def export_path(out: str, fmt: str) -> str:
    """The ``--export fmt`` file written beside the model file ``out``."""
    return os.path.splitext(out)[0] + EXPORT_SUFFIX[fmt]


def check_distinct_outputs(out: str, formats, option: str = "--out") -> None:
    """Refuse a model path that the report or an export would overwrite (``m.json``, ``tree.txt`` + text)."""
    def same(path: str) -> str:  # case folded: macOS and Windows file systems ignore case
        return os.path.normcase(os.path.abspath(path)).casefold()

    if same(report_path(out)) == same(out):
        raise ValueError(f"{option} {out}: the report is written to the same path (the model's name with .json); "
                         "give the model another suffix, e.g. .joblib.")
    for fmt in formats or ():
        if same(export_path(out, fmt)) == same(out):
            raise ValueError(f"{option} {out}: --export {fmt} is written to the same path (the model's name with "
                             f"{EXPORT_SUFFIX[fmt]}); give the model another suffix, e.g. .joblib.")


def _temp_path(path: str) -> str:
    folder, name = os.path.split(path)
    stem, ext = os.path.splitext(name)
    return os.path.join(folder, f".{stem}.{os.getpid()}.partial{ext}")


def atomic_write(path: str, write) -> None:
    """``write(tmp)`` then rename ``tmp`` to ``path``: readers never see half a file."""
    tmp = _temp_path(path)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _write_text(text: str):
    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)

    return write


def _rescue(write, name: str, ext: str) -> str | None:
    """Write to the current folder, else the temporary folder; the path written or ``None``."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for folder in (os.getcwd(), tempfile.gettempdir()):
        path = os.path.join(folder, f"compact-rescued-{name}-{stamp}-{os.getpid()}{ext}")
        try:
            atomic_write(path, write)
            return path
        except Exception:  # noqa: BLE001 - try the next place
            continue
    return None


def save_outputs(model, report_text: str, out: str) -> tuple[str, str]:
    """Save the model (joblib) and its report (JSON) atomically; where ``out`` cannot be
    written (disk full, removed folder), save them in the current or temporary folder.

    Returns ``(model path, report path)``; raises ``OSError`` naming where they went.
    """
    import joblib

    report = report_path(out)
    write_model = lambda tmp: joblib.dump(model, tmp)  # noqa: E731
    try:
        atomic_write(out, write_model)
        atomic_write(report, _write_text(report_text))
        return out, report
    except Exception as err:  # noqa: BLE001 - the search is done: never lose its result
        reason = getattr(err, "strerror", None) or err
        saved_model = _rescue(write_model, "model", ".joblib")
        saved_report = _rescue(_write_text(report_text), "report", ".json")
        where = (f"saved instead as {saved_model} and {saved_report}" if saved_model
                 else "and could not be saved anywhere else")
        raise OSError(f"could not write {out} or {report} ({reason}); the model and report were {where}.") from err


# -- commands ----------------------------------------------------------------------------------------------------


def cmd_fit(args) -> int:
    """Compact one model and save it with joblib, and its report as JSON beside it."""
    import compact

    out = check_output_file(args.out)
    exports = sorted(set(args.export or ()))
    check_distinct_outputs(args.out, exports)
    _check_exports(exports, model=args.model)
    check_storage(args.storage)
    X, y, features = load_data(args.data, args.target)
    regression = _is_regression(args.task, y, args.target)
    if regression and args.model == "xgboost" and "onnx" in exports:
        raise ValueError("--export onnx cannot export the xgboost regressor (no ONNX converter); use --export "
                         "with a classification target, or another --model.")
    estimator = make_estimator(args.model, regression=regression)
    # Without --seed a continued study keeps its own seed (a new one draws a fresh seed; the report has it).
    seed = args.seed if args.seed is not None or args.storage is not None else 0
    preprocess = make_preprocessor(X) if hasattr(X, "columns") else None
    X_fit = preprocess.fit_transform(X) if preprocess is not None else np.asarray(X, dtype=float)
    names = [str(f) for f in (preprocess.get_feature_names_out() if preprocess is not None else features)]
    if hasattr(X, "columns"):  # column names reach the result (and its report)
        import pandas as pd

        X_fit = pd.DataFrame(X_fit, columns=names)
    y_fit = np.asarray(y, dtype=float) if regression else np.asarray(y)

    started = time.perf_counter()
    result = compact.fit(
        estimator, X_fit, y_fit, size=args.size, n_trials=args.trials, n_draws=args.draws,
        prune_draws=args.prune_draws, method=args.method, weights_mode=args.weights_mode, random_state=seed,
        n_jobs=args.n_jobs, class_balance=args.class_balance, score_on=args.score_on,
        sample_frac_scale=args.sample_frac_scale,
        storage=args.storage, study_name=args.study_name, timeout=args.timeout, verbose=0 if args.quiet else 1,
    )
    model = result.model_
    if preprocess is not None:
        from sklearn.pipeline import Pipeline

        model = Pipeline([("preprocess", preprocess), ("model", result.model_)])
    report = result.to_dict()
    report["data"] = {
        "data": args.data, "target": args.target, "task": "regression" if regression else "classification",
        "columns": [str(f) for f in features], "model_features": names,
        "categorical_columns": list(preprocess.transformers[0][2]) if preprocess is not None else [],
        "saved": "Pipeline(preprocess, model)" if preprocess is not None else "model",
    }
    model_path, report_path = save_outputs(model, json.dumps(report, indent=2, default=str), out)
    print(f"{result.score_on} {result.scoring}: baseline {result.baseline_score_:.4f} -> compacted "
          f"{result.best_score_:.4f}; size {result.size_}; {time.perf_counter() - started:.1f} s")
    print(f"model: {model_path}  report: {report_path}")
    for fmt in exports:
        path = export_model(result.model_, fmt, export_path(out, fmt), names)
        note = " (takes the one-hot encoded columns)" if preprocess is not None and fmt != "text" else ""
        print(f"export {fmt}: {path}{note}")
    return EXIT_OK


def export_model(model, fmt: str, path: str, feature_names) -> str:
    """Write ``compact.export(model, format=fmt)`` to ``path`` atomically."""
    from .deployment import export

    names = [str(f) for f in feature_names]
    try:
        atomic_write(path, lambda tmp: export(model, format=fmt, path=tmp, feature_names=names))
    except Exception as err:
        raise RuntimeError(f"--export {fmt} failed ({type(err).__name__}: {err}); the model itself is saved.") \
            from err
    return path


def cmd_compare(args) -> int:
    """Compare compacted, baseline, pruned and distilled models; write CSV, JSON and PNG."""
    import compact

    out = check_output_folder(args.out)
    X, y, _ = load_data(args.data, args.target)
    if is_regression_target(y):
        raise ValueError(f"--target {args.target!r} holds non-integer numbers (regression); compare handles "
                         "classification only (use compact fit --task regression).")
    preprocess = make_preprocessor(X) if hasattr(X, "columns") else None
    if preprocess is not None:
        raise ValueError(f"compare takes numeric feature columns only; {args.data} has text columns "
                         f"{', '.join(map(str, preprocess.transformers[0][2]))} (compact fit encodes them).")
    outputs = {".csv": "to_csv", ".json": "to_json", ".png": "plot"}
    if importlib.util.find_spec("matplotlib") is None:  # the plot is optional: the rows are what matter
        del outputs[".png"]
        print("compact: note: matplotlib is not installed, so comparison.png is skipped "
              "(pip install matplotlib).", file=sys.stderr)
    # The help's default: MLP counterparts and compacted_sparse need sizes that are parameter budgets.
    size_name = args.size_name or ("n_params" if args.model == "mlp" else None)
    try:
        comparison = compact.compare(
            make_estimator(args.model), np.asarray(X, dtype=float), np.asarray(y), sizes=args.sizes,
            size_name=size_name, methods=args.methods, seeds=args.seeds, n_trials=args.trials,
            n_draws=args.draws, compact_method=args.method,
            search_params={"prune_draws": args.prune_draws, "class_balance": args.class_balance,
                           "score_on": args.score_on, "sample_frac_scale": args.sample_frac_scale},
            n_jobs=1 if args.n_jobs is None else args.n_jobs,
            verbose=0 if args.quiet else 1,
        )
    except KeyboardInterrupt:  # compare keeps no rows of its own: writing some would mix in cut-short work
        print(f"compact: interrupted; nothing written to {out} (compare keeps no rows of an interrupted "
              "comparison).", file=sys.stderr)
        return EXIT_INTERRUPTED
    written = [os.path.join(out, f"comparison{ext}") for ext in outputs]
    for path, save in zip(written, outputs.values()):
        atomic_write(path, getattr(comparison, save))
    for s in comparison.summary():
        print(f"{s['method']:>15}  size {s['size']!s:>6}  test {comparison.scoring} {s['mean']:.4f} ± {s['std']:.4f}")
    print(f"written: {', '.join(written)}")
    return EXIT_OK


def cmd_demo(args) -> int:
    """Compact a decision tree on a dataset that scikit-learn ships and print the gain."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import train_test_split
    from sklearn.tree import DecisionTreeClassifier

    import compact

    X, y, _ = load_builtin(args.dataset)
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
    print(f"{result.score_on} F1-macro: baseline {result.baseline_score_:.3f} -> compacted {result.best_score_:.3f}")
    print(f"test F1-macro:       baseline {base:.3f} -> compacted {comp:.3f}  "
          f"(depth {result.size_}, {time.perf_counter() - started:.1f} s)")
    return EXIT_OK


# -- parser ------------------------------------------------------------------------------------------------------


def _argument_type(parse, what: str):
    def convert(text):
        try:
            return parse(text)
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None

    convert.__name__ = what
    return convert


def _number(text: str, cast, failure: str):
    """``cast(text)``, or a one-line usage error: ``'<text>' <failure>.``"""
    try:
        return cast(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} {failure}.") from None


def _methods(text: str) -> list[str]:
    """``--methods``: comma-separated names (checked by ``compare``, which knows the family's)."""
    names = [m.strip() for m in text.split(",") if m.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"give method names separated by commas; got {text!r}")
    return names


def _positive_int(text: str) -> int:
    value = _number(text, int, "is not an integer")
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive integer.")
    return value


def _positive_seconds(text: str) -> float:
    value = _number(text, float, "is not a number of seconds")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number of seconds.")
    return value


def _prune_draws(text: str):
    """``none``, or a non-negative number of standard deviations."""
    if text.strip().lower() == "none":
        return None
    value = _number(text, float, "is neither a number nor 'none'")
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a non-negative number.")
    return value


def _seed(text: str) -> int:
    value = _number(text, int, "is not an integer")
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a non-negative integer.")
    return value


def _n_jobs(text: str) -> int:
    """A positive integer, or -1 for every core this process may use."""
    return available_cores() if text.strip() == "-1" else _positive_int(text)


class _NoSeed(argparse.Action):
    """compare's ``--seed``: refused, where argparse would take it for an abbreviation of ``--seeds``."""

    def __call__(self, parser, namespace, values, option_string=None):
        parser.error("compare has no --seed: its splits use seeds 0 to N-1 for --seeds N")


class _Parser(argparse.ArgumentParser):
    """argparse's usage errors in one line (exit 2), like every other bad input."""

    def error(self, message):
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


EPILOG = """exit status: 0 success; 2 bad input (data, target, option values, output paths, storage),
reported in one line on stderr before any search starts; 1 internal error (set COMPACT_TRACEBACK=1
for the traceback); 130 Ctrl-C, after which compare writes nothing (Ctrl-C during fit's trials saves
the best model so far, exit 0). CSV files have a header row; text columns are one-hot encoded."""


def _search_defaults() -> dict:
    """Defaults of the search parameters, from their one definition (``CompactSearch``)."""
    from .search import CompactSearch

    return CompactSearch().get_params()


def _common(parser) -> None:
    from ._mixture import METHODS
    from ._problem import SCORE_ON
    from .distributions import SAMPLE_FRAC_SCALES

    search = _search_defaults()
    parser.add_argument("--data", required=True, metavar="CSV|NAME",
                        help=f"CSV file with a header row (UTF-8), or a built-in dataset: {', '.join(BUILTIN)}")
    parser.add_argument("--target", metavar="COLUMN", help="name of the label column (required with a CSV file)")
    parser.add_argument("--model", choices=MODELS, default="tree",
                        help="small-model family (default: tree); see the README's table of sizes")
    parser.add_argument("--trials", type=_positive_int, default=search["n_trials"],
                        help=f"Optuna trials: training distributions tried (default: {search['n_trials']} for fit, "
                             "50 for compare)")
    parser.add_argument("--draws", type=_positive_int, default=search["n_draws"],
                        help="training samples drawn and models fitted per trial (default: the family's, "
                             "2 for decision trees, 3 for the others)")
    parser.add_argument("--prune-draws", type=_prune_draws, default=search["prune_draws"], metavar="Z|none",
                        help="stop a trial's draws when their predicted final mean plus Z predictive standard "
                             "deviations is at most the best trial's mean; none: every draw "
                             f"(default: {search['prune_draws']})")
    parser.add_argument("--no-class-balance", dest="class_balance", action="store_const", const=False, default=None,
                        help="do not search how far the classes of a sample are reweighed toward equal weight "
                             "(searched by default for classifiers whose family takes sample weights)")
    parser.add_argument("--score-on", choices=SCORE_ON, default=None,
                        help="rows candidates are scored on (default: the family's; train+validation for "
                             "classification with tree, linear, lpm or forest, validation otherwise)")
    parser.add_argument("--sample-frac-scale", choices=tuple(SAMPLE_FRAC_SCALES), default=None,
                        help="range of the sample size: linear from 0.1 or log from 0.05 of the training rows, "
                             "up to 2 (default: the family's; log for a tree classifier of depth 1, linear otherwise)")
    parser.add_argument("--method", choices=METHODS, default=search["method"],
                        help="oracle: xgboost uncertainty shapes the sample; density_tree: no oracle "
                             f"(default: {search['method']})")
    parser.add_argument("--n-jobs", type=_n_jobs, default=None,
                        help="fit: threads for trials and their draws (default: every available core for "
                             "trees); compare: tasks at once in processes (default: 1); -1: every available "
                             "core. Results do not depend on it")
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = _Parser(prog="compact", description="Small models that are as accurate as possible.",
                                     epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"compact {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{fit,compare,demo}")

    p = sub.add_parser("fit", help="compact one model and save it", description="Compact one model of a fixed "
                       "size and save it (joblib) with its report (JSON) beside it.", epilog=EPILOG)
    _common(p)
    p.add_argument("--size", type=_argument_type(parse_size, "size"), required=True,
                   help="model size: e.g. 3 (tree depth, non-zero coefficients, hidden units) or 10x2 "
                        "(ensembles: trees x depth)")
    p.add_argument("--task", choices=("auto", "classification", "regression"), default="auto",
                   help="auto (default): a target of numbers that are not all whole is regression, anything "
                        "else classification")
    p.add_argument("--timeout", type=_positive_seconds, metavar="SECONDS",
                   help="start no new trial after this many seconds (the best model so far is kept)")
    p.add_argument("--weights-mode", action="store_true",
                   help="train on the sampling probabilities as sample weights instead of a drawn sample")
    p.add_argument("--storage", metavar="PATH|URL",
                   help="Optuna storage to keep and resume the trials: a journal file path or a database URL "
                        "such as sqlite:///runs.db")
    p.add_argument("--study-name", help="name of the study in --storage (runs with the same name continue it)")
    p.add_argument("--seed", type=_seed, default=None,
                   help="random seed; the same seed gives the same result whatever --n-jobs (default: 0; with "
                        "--storage, the seed of the study it continues, else a fresh one, recorded in the report)")
    p.add_argument("--out", default="model.joblib",
                   help="model file (joblib; default: model.joblib); the report goes beside it as .json")
    p.add_argument("--export", action="append", choices=tuple(EXPORT_SUFFIX),
                   help="also export the small model beside --out: onnx (.onnx), c (.c) or text rules (.txt); "
                        "may be repeated")
    p.set_defaults(func=cmd_fit)

    p = sub.add_parser("compare", help="compacted vs baseline vs pruned vs distilled over sizes and seeds",
                       description="Compare compacted, baseline, pruned and distilled models over sizes and "
                       "seeds (classification, numeric columns).", epilog=EPILOG)
    _common(p)
    p.add_argument("--sizes", type=_argument_type(parse_sizes, "sizes"), required=True,
                   help="sizes to compare: e.g. 1-5, 2,4,8, 5-20:5 or 5x2,10x2")
    p.add_argument("--size-name", help="size parameter the numbers stand for (default: the family's first; "
                   "n_params for --model mlp)")
    p.add_argument("--seeds", type=_positive_int, default=3, help="train/test splits, each a seed (default: 3)")
    p.add_argument("--seed", action=_NoSeed, help=argparse.SUPPRESS)
    p.add_argument("--methods", type=_methods, metavar="M1,M2,...",
                   help="rows to compare (default: baseline, compacted, the family's pruned counterparts, "
                        "restarts, distilled); balanced_restarts only when named")
    p.add_argument("--out", default="report",
                   help="folder for comparison.csv, .json and .png (created if missing; default: report)")
    p.set_defaults(func=cmd_compare, trials=50)

    p = sub.add_parser("demo", help="compact a decision tree on a built-in dataset",
                       description="Compact a decision tree on a built-in dataset and print validation and "
                       "test scores.", epilog=EPILOG)
    p.add_argument("--dataset", choices=BUILTIN, default="digits", help="built-in dataset (default: digits)")
    p.add_argument("--size", type=_positive_int, default=3, help="tree depth (default: 3)")
    p.add_argument("--trials", type=_positive_int, default=60, help="Optuna trials (default: 60)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv=None) -> int:
    """Run the command line; returns the exit status (argparse's own errors exit 2)."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, TypeError) as err:  # bad input: one clear line, not a traceback
        print(f"compact: error: {first_line(err)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("compact: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as err:  # e.g. a full disk after the search: the message says where the model went
        print(f"compact: error: {first_line(err)}", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as err:  # noqa: BLE001 - internal error or a failing environment
        if os.environ.get("COMPACT_TRACEBACK"):
            import traceback

            traceback.print_exc()
        print(f"compact: internal error: {type(err).__name__}: {first_line(err)}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
