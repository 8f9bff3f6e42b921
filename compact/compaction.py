"""``compact.fit``: learn the training distribution for a model of fixed size."""

from __future__ import annotations

from ._problem import split_validation
from .result import CompactResult
from .search import CompactSearch

__all__ = ["fit", "split_validation"]


def fit(estimator, X, y, *, size, validation_data=None, **params) -> CompactResult:
    """Fit a small model of fixed ``size`` on a learned training distribution.

    Parameters
    ----------
    estimator : estimator
        The small model family, e.g. ``DecisionTreeClassifier()``; its other
        hyper-parameters are kept.  Must be handled by an adapter
        (:func:`compact.adapters.get_adapter`).
    X : array-like of shape (n_samples, n_features)
        Training data (numpy or pandas); finite values only.
    y : array-like of shape (n_samples,)
        Class labels of any type, at least two classes; or real targets when
        ``estimator`` is a regressor (see "Regression" in the README).
    size : int or dict
        Size of the small model in its family's units, e.g. ``3`` (tree depth)
        or ``{"max_leaf_nodes": 8}``, or a tuple for ensembles
        (``(n_estimators, max_depth)``).  The fitted model never exceeds it.
    size_param : str, optional
        Use any scikit-learn classifier, its size being this integer
        parameter (e.g. ``"n_neighbors"``).
    oracle : "xgboost" or estimator, default="xgboost"
        Probabilistic classifier whose uncertainty shapes the distribution;
        fitted on the training part unless already fitted.  For regressors:
        an ensemble regressor (spread of its members) or a
        :class:`compact.oracle.QuantileIntervalOracle` (interval width);
        ``"xgboost"`` means xgboost's 10 %-90 % quantile regression there.
    n_trials : int, default=100
        Optimisation trials; the first is the original data (the baseline).
    n_draws : int, optional
        Samples drawn (and small models fitted) per trial; the objective is
        their mean score.  Default: the family's
        (``Adapter.default_n_draws``): 2 for decision trees, 3 for the others.
    prune_draws : float or None, default=0.5
        Stop a trial's draws early when the mean of all its draws will
        clearly be at most the best trial's mean (at most: a tie never
        replaces the best): when that final mean, predicted from the draws so
        far, plus this many of its predictive standard deviations (the spread
        from the draws within the finished trials) is at most the best mean,
        or when even remaining draws as good as the best draw so far would
        only tie.  Such a trial is
        told to Optuna as pruned, counts towards ``n_trials`` and is never
        chosen.  It saves most of the fits of clearly worse distributions.
        ``None`` (or ``False``): every trial gets all its draws.  Families
        that train all draws as one batch (PyTorch nets) always fit them all.
    scoring : str or callable, optional
        Any scikit-learn scorer; ``"f1_macro"`` by default, ``"r2"`` for regressors.
    validation_size : float, default=0.25
        Fraction of ``(X, y)`` held out (stratified) to score candidates, when
        ``validation_data`` is not given.
    score_on : {"validation", "train+validation"} or None, default=None
        Rows every candidate is scored on: the validation part, or the
        training and validation parts together (more rows rank candidates
        with less noise, at the price of favouring candidates fitted on the
        training rows, small for small models).  ``None``: the family's
        default (``Adapter.default_score_on``): ``"train+validation"`` for
        decision tree classifiers, L1 logistic regression, the linear
        probability model and random forest classifiers, where it was
        measured to choose better models, ``"validation"`` for the others.
        With the training rows the model returned is the best-scoring draw of
        any trial; on the validation part alone, the best draw of the trial
        with the best mean.
    sample_frac_scale : {"linear", "log"} or None, default=None
        Range of ``sample_frac`` (the sample size as a fraction of the
        training rows): ``"linear"``, uniform from 0.1 to 2; ``"log"``,
        log-uniform from 0.05 to 2, so that half the random start-up trials
        draw fewer than a third of the training rows (small noisy samples, from which
        small trees can find splits the full data's Gini criterion misses).
        ``None``: the family's default for the size
        (``Adapter.default_sample_frac_scale``): ``"log"`` for decision tree
        classifiers of depth 1 (stumps), where it was measured to help,
        ``"linear"`` for deeper trees (where it cost test F1 on some datasets)
        and the other families; a continued study (``storage``) keeps its own.
    validation_data : tuple (X_val, y_val), optional
        Explicit held-out data; then all of ``(X, y)`` is used for training.
    flatten : bool, default=True
        Spread the uncertainty scores near-uniformly (rank-preserving).
    class_balance : bool or None, default=None
        Search an eighth variable in ``[0, 1]``: how far each candidate's
        training rows are reweighed toward classes of equal total weight
        (0: the classes as drawn; 1: equal, as ``class_weight="balanced"``
        would over the draw).  ``None``: for classifiers whose family takes
        ``sample_weight``; ``True``: demand it (an error where impossible);
        ``False``: never.
    random_state : int, RandomState or None
        Seed; the same seed (and ``trial_batch``) gives the same result,
        whatever ``n_jobs``, except with a ``storage`` (each process adds its
        process id to the sampler's seed, so that workers sharing a study
        explore different points).
    n_jobs : int, optional
        Threads: the trials of a batch run in a thread each, a trial's draws
        in the threads left to it.  Default: every core this process may use
        (its CPU affinity, capped by ``OMP_NUM_THREADS``) for families whose
        fits release Python's GIL (decision trees), else 1; ``-1``: every such
        core.  Each draw is seeded on its own and draws fitted past a
        ``prune_draws`` stop are dropped, so the result does not depend on
        it.  The default oracle is fitted (alone, before the search) in
        ``n_jobs`` threads, every available core by default; it is the same
        model whatever the threads.
    trial_batch : int, optional
        Trials asked from Optuna at once and evaluated together (told in
        order; the result depends on it, not on timing or threads).
        Default: 2 for families whose fits release the GIL, so that two
        trials run on two cores; 8 for families that train a batch as one
        computation (PyTorch nets: all draws of the batch trained together);
        1 for the others.  ``1``: one trial at a time, each proposed with the
        results of all earlier ones (a little more sample-efficient).
    method : {"oracle", "density_tree"}, default="oracle"
        ``"oracle"``: a Beta mixture over the oracle's uncertainty (seven
        variables).  ``"density_tree"``: a mixture of depth-based sampling
        schemes over a tree grown on the training data (eight variables, no
        oracle; :mod:`compact.density_tree`).
    weights_mode : bool, default=False
        Fit on the full training data with the expected sampling frequency as
        ``sample_weight`` instead of on a resample.  Families whose ``fit`` has
        no ``sample_weight`` fall back to resampling, with a warning.
    timeout : float, optional
        Stop starting new trials after this many seconds.
    verbose : int, default=0
        Show a progress bar on stderr (trials done, best mean score so far)
        when > 0.
    storage : str or optuna storage, optional
        Keep the trials in an Optuna storage: an RDB URL (``"sqlite:///runs.db"``)
        or a journal file path (``"runs.journal"``).  Re-running with the same
        storage and ``study_name`` continues the study (``n_trials`` counts
        all its finished trials) and loses none; several processes sharing it
        split the trials between them.  Each run returns the best model of the
        whole study, refitting it when another run found it (draws are
        seeded by the trial number, so the refit is the same model).
    study_name : str, optional
        Name of the study in ``storage``.
    heartbeat_interval, grace_period : float, optional
        Seconds between a running trial's heartbeats, and of silence after
        which it counts as dead (default twice the interval): with an RDB or
        journal storage, a killed worker's trial is then marked failed and
        its parameters run again (:mod:`compact.storage`).

    Returns
    -------
    CompactResult
        The small model (``model_``), its measured size, baseline and best
        scores (on ``score_on``), best distribution parameters and trial history.

    Raises
    ------
    ValueError, TypeError
        For invalid parameters or data, before any model is trained; a
        ``ValueError`` also where the original data cannot be fitted and
        scored (chained to the family's error), or a continued study was run
        with other settings.
    RuntimeError
        Where no drawn sample could be fitted and scored (every trial failed;
        chained to the first error).

    Warns
    -----
    RuntimeWarning
        Where some trials failed (left out, kept in the study as FAIL with
        their error), or the search was interrupted (Ctrl-C: the best model
        so far is returned, ``interrupted_=True``).

    Notes
    -----
    This is ``CompactSearch(estimator, size=size, **params).fit(X, y,
    validation_data=validation_data).result_``: the parameters are those of
    :class:`compact.search.CompactSearch`.
    """
    search = CompactSearch(estimator, size=size, **params)
    return search.fit(X, y, validation_data=validation_data).result_


def _signature():
    """``fit``'s full signature for help() and IDEs, taken from ``CompactSearch``."""
    import inspect

    kw = inspect.Parameter.KEYWORD_ONLY
    data = [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in ("estimator", "X", "y")]
    own = [inspect.Parameter("size", kw), inspect.Parameter("validation_data", kw, default=None)]
    rest = [p for name, p in inspect.signature(CompactSearch.__init__).parameters.items()
            if name not in ("self", "estimator", "size")]
    return inspect.Signature(data + own + rest, return_annotation=CompactResult)


fit.__signature__ = _signature()
