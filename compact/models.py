"""Model families by name (the command line's ``--model``) and size strings.

Shared by the command line and the benchmark scripts.
"""

from __future__ import annotations

# name -> (module, class, keyword arguments), imported only when asked for (xgboost and torch are heavy).
_CLASSIFIERS = {
    "tree": ("sklearn.tree", "DecisionTreeClassifier", {}),
    "linear": ("sklearn.linear_model", "LogisticRegression", {}),
    "lpm": ("compact.linear_probability", "LinearProbabilityClassifier", {}),
    "xgboost": ("xgboost", "XGBClassifier", {"n_jobs": 1}),
    "forest": ("sklearn.ensemble", "RandomForestClassifier", {"n_jobs": 1}),
    "hist": ("sklearn.ensemble", "HistGradientBoostingClassifier", {}),
    "mlp": ("compact.neural", "TorchMLPClassifier", {"hidden_layer_sizes": (32,)}),
}
# Families with a regression form, and the estimator it uses.
_REGRESSORS = {
    "tree": ("sklearn.tree", "DecisionTreeRegressor", {}),
    "linear": ("sklearn.linear_model", "Lasso", {}),
    "xgboost": ("xgboost", "XGBRegressor", {"n_jobs": 1}),
    "forest": ("sklearn.ensemble", "RandomForestRegressor", {"n_jobs": 1}),
    "hist": ("sklearn.ensemble", "HistGradientBoostingRegressor", {}),
}
MODELS = tuple(_CLASSIFIERS)
REGRESSION_MODELS = tuple(_REGRESSORS)


def make_estimator(model: str, *, regression: bool = False):
    """The unfitted small-model family behind a ``--model`` name.

    Raises
    ------
    ValueError
        For an unknown name, or a family without a regression form.
    """
    import importlib

    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; choose from {', '.join(MODELS)}.")
    if regression and model not in REGRESSION_MODELS:
        raise ValueError(f"--model {model} has no regression form; for a numeric target choose from "
                         f"{', '.join(REGRESSION_MODELS)}.")
    module, name, kwargs = (_REGRESSORS if regression else _CLASSIFIERS)[model]
    return getattr(importlib.import_module(module), name)(**kwargs)


def parse_size(text: str):
    """``"3"`` -> 3; ``"10x2"`` -> (10, 2) (ensembles: trees x depth).

    Raises
    ------
    ValueError
        If the text is not a positive integer or ``NxM``.
    """
    try:
        parts = [int(p) for p in text.lower().split("x")]
    except ValueError:
        raise ValueError(f"size {text!r} is not an integer or NxM (e.g. 3 or 10x2).") from None
    if len(parts) > 2:
        raise ValueError(f"size {text!r} has more than two parts; use N or NxM (e.g. 10x2).")
    return parts[0] if len(parts) == 1 else tuple(parts)


def parse_sizes(text: str) -> list:
    """``"1-5"``, ``"2,4,8"``, ``"5-20:5"`` (start-stop:step) or ``"5x2,10x2"``.

    Raises
    ------
    ValueError
        If a part is none of these.
    """
    sizes: list = []
    for part in text.split(","):
        part, _, step = part.strip().partition(":")
        if "-" in part.lstrip("-"):
            try:
                low, high = (int(v) for v in part.split("-"))
                sizes.extend(range(low, high + 1, int(step or 1)))
            except ValueError:
                raise ValueError(f"sizes part {part!r} is not a range START-STOP[:STEP] (e.g. 1-5 or 5-20:5).") \
                    from None
        else:
            sizes.append(parse_size(part))
    if not sizes:
        raise ValueError(f"sizes {text!r} names no size.")
    return sizes
