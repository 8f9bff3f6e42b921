"""Model families by name (the command line's ``--model``) and size strings.

Shared by the command line and the benchmark scripts.
"""

from __future__ import annotations

MODELS = ("tree", "linear", "lpm", "xgboost", "forest", "hist", "mlp")
# Families with a regression form, and the estimator it uses.
REGRESSION_MODELS = ("tree", "linear", "xgboost", "forest", "hist")


def make_estimator(model: str, *, regression: bool = False):
    """The unfitted small-model family behind a ``--model`` name.

    Raises
    ------
    ValueError
        For an unknown name, or a family without a regression form.
    """
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; choose from {', '.join(MODELS)}.")
    if regression:
        return _make_regressor(model)
    if model == "tree":
        from sklearn.tree import DecisionTreeClassifier

        return DecisionTreeClassifier()
    if model == "linear":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression()
    if model == "lpm":
        from .linear_probability import LinearProbabilityClassifier

        return LinearProbabilityClassifier()
    if model == "xgboost":
        from xgboost import XGBClassifier

        return XGBClassifier(n_jobs=1)
    if model == "forest":
        from sklearn.ensemble import RandomForestClassifier

        return RandomForestClassifier(n_jobs=1)
    if model == "hist":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier()
    from .neural import TorchMLPClassifier

    return TorchMLPClassifier((32,))


def _make_regressor(model: str):
    if model not in REGRESSION_MODELS:
        raise ValueError(f"--model {model} has no regression form; for a numeric target choose from "
                         f"{', '.join(REGRESSION_MODELS)}.")
    if model == "tree":
        from sklearn.tree import DecisionTreeRegressor

        return DecisionTreeRegressor()
    if model == "linear":
        from sklearn.linear_model import Lasso

        return Lasso()
    if model == "xgboost":
        from xgboost import XGBRegressor

        return XGBRegressor(n_jobs=1)
    if model == "forest":
        from sklearn.ensemble import RandomForestRegressor

        return RandomForestRegressor(n_jobs=1)
    from sklearn.ensemble import HistGradientBoostingRegressor

    return HistGradientBoostingRegressor()


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
