"""The distribution family a run searches: the oracle's Beta mixture or the density tree's."""

from __future__ import annotations

from ._problem import Problem
from ._seeds import SeedStreams, int31
from .density_tree import DensityTreeMixture, fit_density_tree, segment_levels
from .distributions import (
    CLASS_BALANCE_PARAM,
    DEPTH_PARAM,
    SAMPLE_FRAC_SCALES,
    SEARCH_SPACE,
    DPBetaMixture,
    flatten_uncertainty,
)
from .oracle import regression_uncertainty, resolve_oracle, uncertainty

METHODS = ("oracle", "density_tree")


def space_of(method: str, *, class_balance: bool = False, sample_frac_scale: str = "linear") -> tuple:
    """The optimisation variables of ``method``, with ``class_balance`` if searched and ``sample_frac``
    over the range ``sample_frac_scale`` names (:data:`~compact.distributions.SAMPLE_FRAC_SCALES`)."""
    frac = SAMPLE_FRAC_SCALES[sample_frac_scale]
    space = tuple(frac if p.name == frac.name else p for p in SEARCH_SPACE)
    space += (CLASS_BALANCE_PARAM,) if class_balance else ()
    return space + (DEPTH_PARAM,) if method == "density_tree" else space


def make_mixture(method: str, problem: Problem, *, oracle, flatten: bool, seeds: SeedStreams, n_jobs: int):
    """``(mixture, fitted oracle or None)`` for ``method`` (its variables: :func:`space_of`).

    ``"oracle"``: a Dirichlet-process Beta mixture over the oracle's
    uncertainty on the training rows (seven variables, eight with ``class_balance``).  ``"density_tree"``:
    a mixture of depth-based sampling schemes over a tree grown on the
    training rows (one variable more, no oracle).
    """
    targets = problem.y_train if problem.regression else problem.strata
    if method == "density_tree":
        tree = fit_density_tree(problem.X_train, targets, regression=problem.regression,
                                random_state=int31(seeds.oracle))
        return DensityTreeMixture(segment_levels(tree, problem.X_train), problem.strata), None
    fitted = resolve_oracle(oracle, problem.X_train, targets, random_state=int31(seeds.oracle), n_jobs=n_jobs,
                            regression=problem.regression)
    if problem.regression:
        u = regression_uncertainty(fitted, problem.X_train)
    else:
        u = uncertainty(fitted.predict_proba(problem.X_train))
    if flatten:
        u = flatten_uncertainty(u)
    return DPBetaMixture(u, problem.strata), fitted
