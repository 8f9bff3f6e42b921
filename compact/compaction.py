"""``compact.fit``: learn the training distribution for a model of fixed size."""

from __future__ import annotations

import os
import sys
import threading
import time
import warnings

import numpy as np
from sklearn.base import is_regressor
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split

from .adapters import DecodedClassifier, get_adapter
from ._validation import check_data, check_fraction, check_positive_int, check_seed
from .density_tree import DensityTreeMixture, fit_density_tree, segment_levels
from .distributions import (
    DEPTH_PARAM,
    SEARCH_SPACE,
    DistributionParams,
    DPBetaMixture,
    flatten_uncertainty,
    original_params,
)
from .optimizer import open_study, prepare_study, quiet_optuna, suggest
from .oracle import regression_uncertainty, resolve_oracle, uncertainty
from .result import CompactResult, TrialRecord

METHODS = ("oracle", "density_tree")


def fit(
    estimator,
    X,
    y,
    *,
    size,
    size_param: str | None = None,
    oracle="xgboost",
    n_trials: int = 100,
    n_draws: int = 3,
    scoring=None,
    validation_size: float = 0.25,
    validation_data=None,
    flatten: bool = True,
    random_state=None,
    n_jobs: int = 1,
    method: str = "oracle",
    weights_mode: bool = False,
    timeout: float | None = None,
    verbose: int = 0,
    trial_batch: int = 8,
    storage=None,
    study_name: str | None = None,
) -> CompactResult:
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
    n_draws : int, default=3
        Samples drawn (and small models fitted) per trial; the objective is
        their mean validation score.
    scoring : str or callable, optional
        Any scikit-learn scorer; ``"f1_macro"`` by default, ``"r2"`` for regressors.
    validation_size : float, default=0.25
        Fraction of ``(X, y)`` held out (stratified) to score candidates, when
        ``validation_data`` is not given.
    validation_data : tuple (X_val, y_val), optional
        Explicit held-out data; then all of ``(X, y)`` is used for training.
    flatten : bool, default=True
        Spread the uncertainty scores near-uniformly (rank-preserving).
    random_state : int, RandomState or None
        Seed; the same seed gives the same result (with ``n_jobs=1``).
    n_jobs : int, default=1
        Parallel trials (threads) and oracle threads.
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
        Show a progress bar on stderr (trials done, best mean validation
        score so far) when > 0.
    trial_batch : int, default=8
        For families that train candidates as one batch (PyTorch nets), the
        number of trials asked from Optuna at once; all their draws are
        trained together.  ``1`` trains one trial's draws at a time.
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

    Returns
    -------
    CompactResult
        The small model (``model_``), its measured size, baseline and best
        validation scores, best distribution parameters and trial history.
    """
    started = time.perf_counter()
    if method not in METHODS:
        raise ValueError(f"Unknown method {method!r}; available: {list(METHODS)}.")
    n_trials = check_positive_int(n_trials, "n_trials")
    n_draws = check_positive_int(n_draws, "n_draws")
    n_jobs = check_positive_int(n_jobs, "n_jobs")
    trial_batch = check_positive_int(trial_batch, "trial_batch")
    seed = check_seed(random_state)
    if storage is None and study_name is not None:
        raise ValueError("study_name needs a storage to keep the study in.")
    adapter = get_adapter(estimator, size_param)
    request = adapter.normalize_size(size)
    if weights_mode and not adapter.supports_sample_weight:
        warnings.warn(
            f"{type(adapter.estimator).__name__}.fit does not accept sample_weight; "
            "weights_mode falls back to resampling.",
            UserWarning,
            stacklevel=2,
        )
        weights_mode = False
    regression = is_regressor(adapter.estimator)
    if scoring is None:
        scoring = "r2" if regression else "f1_macro"
    X, y, feature_names = check_data(X, y, regression=regression)
    scorer = check_scoring(adapter.estimator, scoring=scoring)
    with quiet_optuna():
        study = open_study(storage=storage, study_name=study_name)
    seed = _study_seed(study, seed, random_state, method=method, n_samples=len(X))

    split_seed, oracle_seed, model_seed, draw_seed, study_seed = (
        int(s) for s in np.random.SeedSequence(seed).generate_state(5)
    )
    if validation_data is None:
        validation_size = check_fraction(validation_size, "validation_size")
        X_tr, X_val, y_tr, y_val = split_validation(X, y, validation_size, split_seed, regression=regression)
    else:
        X_tr, y_tr = X, y
        X_val, y_val, _ = check_data(*validation_data, regression=regression)
        if X_val.shape[1] != X_tr.shape[1]:
            raise ValueError(
                f"validation_data has {X_val.shape[1]} features, training data has {X_tr.shape[1]}."
            )
    if regression:
        # Strata for the "original" part of a sample: deciles of the target.
        classes = None
        codes_tr = np.searchsorted(np.quantile(y_tr, np.linspace(0, 1, 11)[1:-1]), y_tr)
    else:
        classes, codes_tr = np.unique(y_tr, return_inverse=True)
        if classes.size < 2:
            raise ValueError(
                "The training part holds a single class; use more data or a smaller validation_size."
            )
    if adapter.encoded_labels and not regression:
        # The family wants labels 0..K-1: train and score on codes, and wrap
        # the final models so they predict the original labels.
        unseen = np.setdiff1d(y_val, classes)
        if unseen.size:
            raise ValueError(f"Validation labels {unseen.tolist()} do not occur in the training data.")
        y_fit, y_score = codes_tr, np.searchsorted(classes, y_val)
    else:
        y_fit, y_score = y_tr, y_val

    if method == "density_tree":
        oracle_ = None
        tree = fit_density_tree(X_tr, y_tr if regression else codes_tr, regression=regression,
                                random_state=oracle_seed % 2**31)
        sampler = DensityTreeMixture(segment_levels(tree, X_tr), codes_tr)
        space = SEARCH_SPACE + (DEPTH_PARAM,)
    else:
        oracle_ = resolve_oracle(
            oracle, X_tr, y_tr if regression else codes_tr, random_state=oracle_seed % 2**31, n_jobs=n_jobs,
            regression=regression,
        )
        u = regression_uncertainty(oracle_, X_tr) if regression else uncertainty(oracle_.predict_proba(X_tr))
        if flatten:
            u = flatten_uncertainty(u)
        sampler = DPBetaMixture(u, codes_tr)
        space = SEARCH_SPACE
    X_fit = adapter.prepare_X(X_tr)
    X_score = adapter.prepare_X(X_val)
    adapter.prepare(X_fit, y_fit, size=request, random_state=model_seed % 2**31)

    def seed_of(rng: np.random.Generator) -> int:
        """The model seed of draw (trial, d), whose rng was seeded by [draw_seed, trial, d]."""
        return int(np.random.SeedSequence([model_seed, *rng.bit_generator.seed_seq.entropy[1:]]).generate_state(1)[0]) % 2**31

    def train(params: DistributionParams, rng: np.random.Generator):
        model = adapter.build(request, random_state=seed_of(rng))
        if params.is_original:
            return adapter.fit(model, X_fit, y_fit, size=request)
        if weights_mode:
            weights = sampler.expected_weights(params, rng)
            return adapter.fit(model, X_fit, y_fit, sample_weight=weights, size=request)
        return adapter.fit_resample(model, X_fit, y_fit, sampler.sample_indices(params, rng), size=request)

    def draws_of(number: int, params: DistributionParams):
        draws = 1 if params.is_original else n_draws
        return [np.random.default_rng([draw_seed, number, d]) for d in range(draws)]

    def batch_weights(params: DistributionParams, rngs) -> list[np.ndarray]:
        """Row weights of each draw, for families that batch (PyTorch nets)."""
        if params.is_original:
            return [np.ones(len(X_fit))]
        if weights_mode:
            return [sampler.expected_weights(params, rng) for rng in rngs]
        return [np.bincount(sampler.sample_indices(params, rng), minlength=len(X_fit)) for rng in rngs]

    def train_batch(weights: list[np.ndarray], seeds: list[int]):
        return adapter.fit_batch(X_fit, y_fit, np.stack(weights).astype(float), size=request, random_states=seeds)

    lock = threading.Lock()
    best = {"score": -np.inf, "model": None, "trial": None}
    records: dict[int, TrialRecord] = {}
    baseline = {}

    def score_models(models):
        scores, top_model, top_score = [], None, -np.inf
        for model in models:
            score = float(scorer(model, X_score, y_score))
            scores.append(score)
            if score > top_score:
                top_model, top_score = model, score
        return scores, top_model, top_score

    def refit(number: int, params: DistributionParams):
        """The best model of a trial run elsewhere (another worker, an earlier run)."""
        return score_models(train(params, rng) for rng in draws_of(number, params))

    def record(number: int, params: DistributionParams, models, seconds: float, trial=None) -> float:
        """Score a trial's models, keep the best; returns the trial's mean score."""
        scores, top_model, top_score = score_models(models)
        mean = float(np.mean(scores))
        if trial is not None:  # kept in the study, for runs that continue it
            trial.set_user_attr("scores", scores)
            trial.set_user_attr("seconds", seconds)
        with lock:
            records[number] = TrialRecord(number, params.to_dict(), scores, seconds)
            if params.is_original and not baseline:
                baseline.update(model=top_model, score=top_score, trial=number)
            if best["trial"] is None or mean > records[best["trial"]].score:
                best.update(score=top_score, model=top_model, trial=number)
        return mean

    def objective(trial):
        t0 = time.perf_counter()
        params = suggest(trial, space)
        rngs = draws_of(trial.number, params)
        if adapter.fit_batch is not None and len(rngs) > 1:
            models = train_batch(batch_weights(params, rngs), [seed_of(r) for r in rngs])
        else:
            models = (train(params, rng) for rng in rngs)
        return record(trial.number, params, models, time.perf_counter() - t0, trial)

    def optimize_in_batches(study):
        """Ask ``trial_batch`` trials, train all their draws as one batch, tell the scores."""
        began = time.perf_counter()
        while finished(study) < n_trials:
            if timeout is not None and time.perf_counter() - began > timeout:
                break
            t0 = time.perf_counter()
            trials = [study.ask() for _ in range(min(trial_batch, n_trials - finished(study)))]
            try:
                params = [suggest(trial, space) for trial in trials]
                rngs = [draws_of(t.number, p) for t, p in zip(trials, params)]
                weights = [batch_weights(p, rs) for p, rs in zip(params, rngs)]
                models = train_batch([w for ws in weights for w in ws], [seed_of(r) for rs in rngs for r in rs])
            except KeyboardInterrupt:
                import optuna

                for trial in trials:
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)
                raise
            seconds = (time.perf_counter() - t0) / len(trials)
            start = 0
            for trial, p, ws in zip(trials, params, weights):
                study.tell(trial, record(trial.number, p, models[start: start + len(ws)], seconds, trial))
                start += len(ws)
                progress.update(records[best["trial"]].score)

    interrupted = False
    progress = _Progress(n_trials, initial=finished(study), enabled=verbose > 0)
    with quiet_optuna(), progress:
        # A shared study gets a sampler seed per process, or parallel workers
        # would propose the same points.
        sampler_seed = study_seed if storage is None else study_seed + os.getpid()
        prepare_study(study, sampler_seed % 2**31, space=space)
        try:
            if adapter.fit_batch is not None and trial_batch > 1:
                optimize_in_batches(study)
            elif finished(study) < n_trials:
                import optuna

                stop = optuna.study.MaxTrialsCallback(n_trials, states=(optuna.trial.TrialState.COMPLETE,))
                study.optimize(objective, n_trials=n_trials - finished(study), n_jobs=n_jobs, timeout=timeout,
                               callbacks=[stop, lambda study, trial: progress.update(records[best["trial"]].score)])
        except KeyboardInterrupt:
            if not baseline:
                raise
            interrupted = True
            warnings.warn(
                f"Interrupted after {len(records)} trials; returning the best model so far.",
                RuntimeWarning,
                stacklevel=2,
            )

    _adopt_study_trials(study, space, records, best, baseline, refit)
    measured = adapter.measure(best["model"])
    if not adapter.within(measured, request):
        raise RuntimeError(f"Fitted model size {measured} exceeds the request {request}; adapter bug.")
    model, baseline_model = best["model"], baseline["model"]
    if adapter.encoded_labels and not regression and not np.array_equal(classes, np.arange(classes.size)):
        model = DecodedClassifier.from_fitted(model, classes)
        baseline_model = DecodedClassifier.from_fitted(baseline_model, classes)
    return CompactResult(
        model_=model,
        size_=_as_requested(size, measured, request),
        requested_size=size,
        baseline_model_=baseline_model,
        baseline_score_=baseline["score"],
        best_score_=best["score"],
        best_params_=dict(records[best["trial"]].params),
        trials_=[records[k] for k in sorted(records)],
        oracle_=oracle_,
        classes_=classes,
        random_state_=seed,
        fit_seconds_=time.perf_counter() - started,
        scoring=scoring if isinstance(scoring, str) else getattr(scoring, "__name__", repr(scoring)),
        method=method,
        weights_mode=weights_mode,
        feature_names_in_=feature_names,
        interrupted_=interrupted,
        study_=study,
    )


def finished(study) -> int:
    """Completed trials of the study, from every run and worker."""
    import optuna

    return len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))


def _study_seed(study, seed: int, random_state, *, method: str, n_samples: int) -> int:
    """The run's seed, checked against (or adopted from) a continued study."""
    stored = study.user_attrs.get("compact")
    if stored is None:
        study.set_user_attr("compact", {"random_state": seed, "method": method, "n_samples": n_samples})
        return seed
    if stored["method"] != method or stored["n_samples"] != n_samples:
        raise ValueError(
            f"Study {study.study_name!r} was run with method={stored['method']!r} on {stored['n_samples']} rows; "
            f"this run has method={method!r} and {n_samples} rows. Use another study_name."
        )
    if random_state is not None and seed != stored["random_state"]:
        raise ValueError(
            f"Study {study.study_name!r} was run with random_state={stored['random_state']}; pass the same "
            "random_state (or None) to continue it."
        )
    return int(stored["random_state"])


def _adopt_study_trials(study, space, records: dict, best: dict, baseline: dict, refit) -> None:
    """Add trials finished by other runs of a shared study; refit the best or baseline model if theirs."""
    import optuna

    for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)):
        if trial.number in records or "scores" not in trial.user_attrs:
            continue
        params = DistributionParams(**{p.name: trial.params[p.name] for p in space})
        records[trial.number] = TrialRecord(
            trial.number, params.to_dict(), list(trial.user_attrs["scores"]), trial.user_attrs.get("seconds", 0.0)
        )
    order = sorted(records)
    top = max(order, key=lambda n: (records[n].score, -n))
    if best["trial"] != top:
        params = DistributionParams(**records[top].params)
        _, model, score = refit(top, params)
        best.update(score=score, model=model, trial=top)
    originals = [n for n in order if DistributionParams(**records[n].params).is_original]
    first_original = originals[0] if originals else None  # None: still running in another worker
    if not baseline or baseline.get("trial") != first_original:
        # The original distribution uses no random draw, so any trial number refits it.
        params = DistributionParams(**original_params(space))
        _, model, score = refit(-1 if first_original is None else first_original, params)
        baseline.update(model=model, score=score, trial=first_original)


def split_validation(X, y, validation_size: float, seed: int, *, regression: bool = False):
    """Train / validation split: stratified where the class counts allow it, and
    every class kept in the training part (a model cannot learn an absent class)."""
    if regression:
        return train_test_split(X, y, test_size=validation_size, random_state=seed % 2**32)
    try:
        return train_test_split(X, y, test_size=validation_size, stratify=y, random_state=seed % 2**32)
    except ValueError:  # a class with one member, or fewer rows than classes on a side
        pass
    idx_tr, idx_val = train_test_split(np.arange(len(y)), test_size=validation_size, random_state=seed % 2**32)
    _, first = np.unique(y, return_index=True)
    idx_tr = np.union1d(idx_tr, first)
    idx_val = np.setdiff1d(idx_val, first)
    if idx_val.size == 0:
        raise ValueError("Too few samples to hold out a validation set; pass validation_data.")
    return X[idx_tr], X[idx_val], y[idx_tr], y[idx_val]


def _as_requested(size, measured: dict, request: dict):
    """The measured size in the shape the user asked for (int or dict)."""
    if isinstance(size, dict):
        return {name: measured[name] for name in request}
    if isinstance(size, (tuple, list)):
        return tuple(measured[name] for name in request)
    return measured[next(iter(request))]


class _Progress:
    """A tqdm bar on stderr: trials done out of ``n_trials`` and the best trial's mean validation score."""

    def __init__(self, n_trials: int, *, initial: int = 0, enabled: bool = True):
        self.n_trials, self.initial, self.enabled = n_trials, initial, enabled
        self.bar = None

    def __enter__(self):
        if self.enabled:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=self.n_trials, initial=self.initial, desc="compact", unit="trial",
                            file=sys.stderr, dynamic_ncols=True)
        return self

    def update(self, best_score: float):
        if self.bar is not None:
            self.bar.set_postfix_str(f"best mean score {best_score:.4f}", refresh=False)
            self.bar.update(1)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
        return False
