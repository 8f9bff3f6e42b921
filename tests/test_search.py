"""The search driven by a stub family: no real model is trained, only the search's own logic runs."""

import threading

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

import compact
from compact.adapters import Adapter, check_adapter
from compact.distributions import original_params
from compact.result import mean_score


class Centroids(ClassifierMixin, BaseEstimator):
    """A stand-in small model: weighted class means, ``size`` features used. Microseconds to fit."""

    def __init__(self, size=1, random_state=None):
        self.size = size
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        if self.size > X.shape[1]:
            raise ValueError(f"size {self.size} is over the {X.shape[1]} features")
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        self.sample_ = (len(y), float(X[:, 0] @ w))  # which rows, how weighted
        self.classes_ = np.unique(y)
        cols = X[:, : self.size]
        self.centres_ = np.stack([np.average(cols[y == c], axis=0, weights=w[y == c] + 1e-12) for c in self.classes_])
        return self

    def predict(self, X):
        dist = ((X[:, None, : self.size] - self.centres_[None]) ** 2).sum(axis=2)
        return self.classes_[dist.argmin(axis=1)]


class CentroidAdapter(Adapter):
    size_names = ("size",)
    seen: list  # (random_state, sample fingerprint) of every fitted candidate

    def __init__(self, estimator, *, fail_after=None, interrupt_after=None):
        super().__init__(estimator)
        self.seen, self.fail_after, self.interrupt_after = [], fail_after, interrupt_after

    @classmethod
    def accepts(cls, estimator):
        return isinstance(estimator, Centroids)

    def measure(self, model):
        return {"size": model.size}

    def fit(self, model, X, y, sample_weight=None, *, size=None):
        if self.interrupt_after is not None and len(self.seen) >= self.interrupt_after:
            raise KeyboardInterrupt
        model = super().fit(model, X, y, sample_weight)
        self.seen.append((model.random_state, model.sample_))
        return model


class BatchedCentroidAdapter(CentroidAdapter):
    def __init__(self, estimator, **kw):
        super().__init__(estimator, **kw)
        self.batches = []

    def fit_batch(self, X, y, weights, *, size, random_states):
        self.batches.append(len(weights))
        return [self.fit(self.build(size, random_state=s), X, y, sample_weight=w, size=size)
                for w, s in zip(weights, random_states)]


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = (X[:, 0] + 0.5 * X[:, 1] + rng.normal(scale=0.7, size=300) > 0).astype(int) + (X[:, 2] > 1)
    return X, y


def search(adapter, X, y, **kw):
    kw = {"size": 2, "oracle": _Oracle(), "n_trials": 6, "n_draws": 3, "random_state": 0, **kw}
    return compact.fit(adapter, X, y, **kw)


class _Oracle(ClassifierMixin, BaseEstimator):
    """A fitted-on-demand stand-in oracle: probabilities from the first feature."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        p = 1 / (1 + np.exp(-X[:, :1] * np.arange(1, len(self.classes_) + 1)))
        return p / p.sum(axis=1, keepdims=True)


def test_first_trial_is_the_original_data_and_scores_are_means(data):
    X, y = data
    adapter = CentroidAdapter(Centroids())
    result = search(adapter, X, y, prune_draws=None)
    first = result.trials_[0]
    assert first.params["p_orig"] == 1.0 and first.params["sample_frac"] == 1.0 and len(first.scores) == 1
    assert all(len(t.scores) == 3 and not t.stopped for t in result.trials_[1:])
    assert result.baseline_score_ == first.score
    assert result.best_score_ == max(t.score for t in result.trials_)
    chosen = next(t for t in result.trials_ if t.params == result.best_params_)
    assert result.best_draw_score_ == max(chosen.scores)
    # The original data is fitted once, before the search (the baseline); trial 0 (the same
    # candidate, with the same seed) takes that model.
    baseline_seed, _ = adapter.seen[0]
    assert [seed for seed, _ in adapter.seen].count(baseline_seed) == 1
    assert len(adapter.seen) == sum(len(t.scores) for t in result.trials_)


def test_every_draw_has_its_own_sample_and_model_seed(data):
    X, y = data
    adapter = CentroidAdapter(Centroids())
    search(adapter, X, y, n_trials=4)
    drawn = adapter.seen[1:]  # after the original data (baseline and trial 0): 3 trials x 3 draws
    assert len(drawn) == 9
    assert len({seed for seed, _ in drawn}) == 9
    assert len({sample for _, sample in drawn}) == 9
    again = CentroidAdapter(Centroids())
    search(again, X, y, n_trials=4)
    assert again.seen == adapter.seen


def test_batched_family_gets_trials_together_with_one_seed_each(data):
    X, y = data
    adapter = BatchedCentroidAdapter(Centroids())
    result = search(adapter, X, y, n_trials=9, trial_batch=4)
    # The baseline is fitted alone before the search; then batches of 4 trials (trial 0 is the original data,
    # one draw), 4 trials and 1 trial.
    assert adapter.batches == [1 + 3 * 3, 4 * 3, 3]
    sequential = search(CentroidAdapter(Centroids()), X, y, n_trials=9, trial_batch=4)
    assert [t.params for t in result.trials_] != [] and len(result.trials_) == 9
    assert len(sequential.trials_) == 9


def test_interrupt_returns_the_best_so_far(data):
    X, y = data
    with pytest.warns(RuntimeWarning, match="Interrupted"):
        result = search(CentroidAdapter(Centroids(), interrupt_after=8), X, y, n_trials=20)
    assert result.interrupted_ and 1 <= len(result.trials_) < 20
    assert result.best_score_ >= result.baseline_score_


def test_interrupt_before_any_trial_returns_the_baseline(data):
    X, y = data
    with pytest.warns(RuntimeWarning, match="Interrupted"):
        result = search(CentroidAdapter(Centroids(), interrupt_after=1), X, y, n_trials=20)
    assert result.interrupted_ and result.model_ is result.baseline_model_
    assert result.best_params_["p_orig"] == 1.0


def test_a_failed_or_lost_first_trial_does_not_brick_the_study(data, tmp_path):
    import optuna

    from compact.distributions import SEARCH_SPACE, original_params
    from compact.storage import resolve_storage

    X, y = data
    storage = str(tmp_path / "runs.journal")
    study = optuna.create_study(storage=resolve_storage(storage), study_name="s", direction="maximize")
    study.enqueue_trial(original_params(SEARCH_SPACE))
    study.tell(study.ask(), state=optuna.trial.TrialState.FAIL)  # the original data's trial failed
    study.ask()  # a trial left RUNNING by a killed worker
    result = search(CentroidAdapter(Centroids()), X, y, storage=storage, study_name="s", n_trials=5)
    assert len(result.trials_) == 5
    originals = [t for t in result.trials_ if t.params["p_orig"] == 1.0 and t.params["sample_frac"] == 1.0]
    assert originals and result.baseline_score_ == originals[0].score


def test_continuing_a_study_with_another_size_is_refused(data, tmp_path):
    X, y = data
    storage = str(tmp_path / "runs.journal")
    search(CentroidAdapter(Centroids()), X, y, storage=storage, study_name="s", n_trials=3)
    with pytest.raises(ValueError, match="size"):
        search(CentroidAdapter(Centroids()), X, y, size=1, storage=storage, study_name="s", n_trials=3)
    with pytest.raises(ValueError, match="scoring"):
        search(CentroidAdapter(Centroids()), X, y, scoring="accuracy", storage=storage, study_name="s", n_trials=3)


@pytest.mark.parametrize("timeout", [0, -1, "5", True])
def test_bad_timeout_is_refused_before_any_work(data, timeout):
    X, y = data
    adapter = CentroidAdapter(Centroids())
    with pytest.raises(ValueError, match="timeout"):
        search(adapter, X, y, timeout=timeout)
    assert adapter.seen == []


def test_a_family_that_cannot_fit_fails_before_the_search_with_one_line(data):
    X, y = data
    with pytest.raises(ValueError, match="could not be fitted and scored at size"):
        search(CentroidAdapter(Centroids()), X, y, size=99)  # more features than X has


def test_check_adapter_passes_the_stub_and_catches_a_lying_measure(data):
    X, y = data
    assert check_adapter(CentroidAdapter(Centroids()), X, y, 2) == {"size": 2}
    assert check_adapter(BatchedCentroidAdapter(Centroids()), X, y, 2) == {"size": 2}

    class Oversized(CentroidAdapter):
        def measure(self, model):
            return {"size": model.size + 1}

    with pytest.raises(AssertionError, match="exceeds the request"):
        check_adapter(Oversized(Centroids()), X, y, 2)


def test_check_adapter_on_the_built_in_tree(small_data):
    from sklearn.tree import DecisionTreeClassifier

    from compact.adapters import get_adapter

    X, y = small_data
    measured = check_adapter(get_adapter(DecisionTreeClassifier()), X, y, {"max_leaf_nodes": 5})
    assert measured["max_leaf_nodes"] <= 5


def _built_in_families():
    """``(task, estimator, size, whether counts as weights are claimed)`` for each built-in family."""
    from sklearn.ensemble import (
        GradientBoostingClassifier,
        GradientBoostingRegressor,
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )
    from sklearn.linear_model import Lasso, LogisticRegression
    from sklearn.tree import DecisionTreeRegressor
    from xgboost import XGBClassifier, XGBRegressor

    from compact import LinearProbabilityClassifier, TorchMLPClassifier

    return [
        ("classification", LogisticRegression(penalty="l1", solver="liblinear"), 6, True),
        ("classification", LinearProbabilityClassifier(), 6, True),
        ("classification", GradientBoostingClassifier(), (3, 2), True),
        ("classification", RandomForestClassifier(), (3, 2), False),
        ("classification", XGBClassifier(n_jobs=1), (3, 2), False),
        ("classification", HistGradientBoostingClassifier(), (3, 2), False),
        ("classification", TorchMLPClassifier((16,), epochs=3, device="cpu"), 8, False),
        ("regression", DecisionTreeRegressor(), 3, True),
        ("regression", DecisionTreeRegressor(min_samples_leaf=10), 3, False),
        ("regression", Lasso(), 4, True),
        ("regression", GradientBoostingRegressor(), (3, 2), True),
        ("regression", GradientBoostingRegressor(subsample=0.5), (3, 2), False),
        ("regression", RandomForestRegressor(), (3, 2), False),
        ("regression", XGBRegressor(n_jobs=1), (3, 2), False),
        ("regression", HistGradientBoostingRegressor(), (3, 2), False),
    ]


@pytest.mark.parametrize("task, estimator, size, counts", _built_in_families(),
                         ids=lambda value: type(value).__name__ if hasattr(value, "fit") else None)
def test_check_adapter_on_the_built_in_families(task, estimator, size, counts):
    """Each family keeps the adapter's promises; counts as weights are claimed exactly where they
    predict as the repeated rows do (not where a setting counts or draws rows), regressors included."""
    from sklearn.datasets import make_classification, make_regression

    from compact.adapters import get_adapter

    if task == "classification":
        X, y = make_classification(300, 8, n_informative=4, n_classes=3, random_state=0)
    else:
        X, y = make_regression(300, 8, noise=5.0, random_state=0)
    adapter = get_adapter(estimator)
    assert adapter.weights_as_counts is counts
    check_adapter(adapter, X, y, size)


def test_same_predictions_tolerates_rounding_only():
    from compact.adapters.checks import _same_predictions

    b = np.linspace(-50.0, 300.0, 40)
    assert _same_predictions(b * (1 + 1e-13), b)
    assert not _same_predictions(b * (1 + 1e-7), b)
    assert _same_predictions(b.astype(np.float32) * np.float32(1 + 1e-7), b.astype(np.float32))
    assert not _same_predictions(b.astype(np.float32) * np.float32(1 + 1e-3), b.astype(np.float32))
    assert not _same_predictions(b[:-1], b)
    labels = np.array([0, 1, 2, 1])
    assert _same_predictions(labels, labels.copy()) and not _same_predictions(labels, labels[::-1])


def test_check_adapter_catches_counts_that_are_not_weights():
    """A regressor that claims counts as weights but drops the counts fails the check."""
    from sklearn.datasets import make_regression
    from sklearn.tree import DecisionTreeRegressor

    from compact.adapters import DecisionTreeAdapter

    class DropsCounts(DecisionTreeAdapter):
        def fit(self, model, X, y, *, sample_weight=None, size=None):
            return super().fit(model, X, y, size=size)

    X, y = make_regression(300, 8, noise=5.0, random_state=0)
    with pytest.raises(AssertionError, match="counts as weights differ"):
        check_adapter(DropsCounts(DecisionTreeRegressor()), X, y, 3)


def test_quiet_optuna_is_safe_across_threads():
    import optuna

    from compact._optuna import quiet_optuna

    optuna.logging.set_verbosity(optuna.logging.INFO)
    inside, barrier = [], threading.Barrier(4)

    def run():
        with quiet_optuna():
            barrier.wait()
            inside.append(optuna.logging.get_verbosity())
            barrier.wait()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert inside == [optuna.logging.WARNING] * 4
    assert optuna.logging.get_verbosity() == optuna.logging.INFO


def test_draws_in_threads_give_the_same_result(data):
    """Draws of a trial fitted in threads (n_jobs, one trial at a time) are the same models as one by one."""
    X, y = data
    runs = [search(CentroidAdapter(Centroids()), X, y, n_trials=16, n_jobs=jobs) for jobs in (1, 2, 3)]
    assert any(t.stopped for t in runs[0].trials_)  # where draws stop early too
    for run in runs[1:]:
        assert [t.scores for t in runs[0].trials_] == [t.scores for t in run.trials_]
        assert [t.params for t in runs[0].trials_] == [t.params for t in run.trials_]


def _hopeless(earlier, scores, z, n=3):
    """The stopping rule, written out, for a trial of n draws after k: its final mean with the
    remaining draws as good as the best draw so far ties the best mean at most; or
    mean + z * pooled within-trial sd * sqrt((n - k) / (n k)) <= best mean."""
    full = [t.scores for t in earlier if not t.stopped and len(t.scores) > 1]
    if len(full) < 3:
        return False
    best = max(t.score for t in earlier if not t.stopped)
    top = max(max(t.scores) for t in earlier)
    k = len(scores)
    if mean_score(list(scores) + [top] * (n - k)) <= best:
        return True
    spread = np.sqrt(np.mean([np.var(s, ddof=1) for s in full]))
    return mean_score(scores) + z * spread * np.sqrt((n - k) / (n * k)) <= best


@pytest.mark.parametrize("z", [0.5, 2.0])
def test_prune_draws_stops_a_trial_clearly_below_the_best(data, z):
    import optuna

    X, y = data
    adapter = CentroidAdapter(Centroids())
    result = search(adapter, X, y, n_trials=24, prune_draws=z, n_jobs=1)
    trials = result.trials_
    stopped = [t for t in trials if t.stopped]
    assert len(trials) == 24 and stopped and len(stopped) < 23
    # Every draw fitted once; the original data once for the baseline and its trial.
    assert trials[0].params == {**original_params(), "class_balance": 0.0}
    assert len(adapter.seen) == sum(len(t.scores) for t in trials)
    for i, t in enumerate(trials[1:], start=1):
        # Asked after every draw but the last; stopped exactly at the first "hopeless".
        asked = [_hopeless(trials[:i], t.scores[:k], z) for k in range(1, min(len(t.scores), 2) + 1)]
        assert t.stopped == (len(t.scores) < 3)
        assert asked == [False] * (len(asked) - 1) + [t.stopped]
    assert all(t.params != result.best_params_ for t in stopped)
    assert result.best_score_ == max(t.score for t in trials if not t.stopped)
    states = {t.number: t.state for t in result.study_.trials}
    assert [states[t.number] == optuna.trial.TrialState.PRUNED for t in trials] == [t.stopped for t in trials]


def test_a_trial_whose_draws_all_score_alike_has_exactly_that_score():
    from compact.result import TrialRecord

    tie = 0.10529619617491318  # a stump's F1 on texture, seen to gain an ulp through np.mean
    assert float(np.mean([tie] * 3)) != tie
    assert TrialRecord(1, {}, [tie] * 3, 0.0).score == tie
    assert TrialRecord(1, {}, [0.2, 0.3, 0.4], 0.0).score == pytest.approx(0.3, abs=1e-15)


class _SameModelAdapter(CentroidAdapter):
    """Every draw fits the same model (all rows, its sample's counts ignored): all scores tie."""

    resample_as_weights = True  # a resample reaches fit as all rows with counts as weights

    def fit(self, model, X, y, sample_weight=None, *, size=None):
        return super().fit(model, X, y, None, size=size)


def test_a_trial_that_can_only_tie_the_best_stops_after_its_first_draw(data):
    X, y = data
    adapter = _SameModelAdapter(Centroids())
    result = search(adapter, X, y, n_trials=12, prune_draws=0.5, trial_batch=1)
    trials = result.trials_
    assert len({s for t in trials for s in t.scores}) == 1  # every draw scores the same
    # The rule exists once three trials with several draws have finished (trials 1-3); after
    # that, every trial ties the best and stops at its first draw.
    assert [len(t.scores) for t in trials] == [1, 3, 3, 3] + [1] * 8
    assert [t.stopped for t in trials] == [False] * 4 + [True] * 8
    assert result.best_params_ == trials[0].params  # the earliest of equals: the original data


def test_prune_draws_is_checked_up_front(data):
    X, y = data
    for bad in (-1, float("nan"), "1", True):
        adapter = CentroidAdapter(Centroids())
        with pytest.raises(ValueError, match="^prune_draws must be None or a non-negative number"):
            search(adapter, X, y, prune_draws=bad)
        assert adapter.seen == []


def test_trees_run_two_trials_at_once_by_default_whatever_the_threads(small_data, fitted_oracle):
    from sklearn.tree import DecisionTreeClassifier

    from compact.adapters import get_adapter

    X, y = small_data
    assert get_adapter(DecisionTreeClassifier()).releases_gil
    kw = dict(size=2, oracle=fitted_oracle, n_trials=7, random_state=0)
    default = compact.fit(DecisionTreeClassifier(), X, y, **kw)
    for n_jobs in (1, 3, -1):
        other = compact.fit(DecisionTreeClassifier(), X, y, n_jobs=n_jobs, **kw)
        assert [(t.scores, t.params) for t in default.trials_] == [(t.scores, t.params) for t in other.trials_]
    # Past the 10 random start-up trials, a trial asked beside another is proposed without its result.
    kw["n_trials"] = 13
    default, pairs, single = (compact.fit(DecisionTreeClassifier(), X, y, **kw, **batch)
                              for batch in ({}, {"trial_batch": 2}, {"trial_batch": 1}))
    assert [t.params for t in pairs.trials_] == [t.params for t in default.trials_]
    assert [t.params for t in single.trials_][:11] == [t.params for t in default.trials_][:11]
    assert [t.params for t in single.trials_][11:] != [t.params for t in default.trials_][11:]
    for bad in (0, -2, 1.5, True):
        with pytest.raises(ValueError, match=r"^n_jobs must be None, -1 or a positive integer"):
            compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=fitted_oracle, n_jobs=bad)


class _SlowCentroidAdapter(CentroidAdapter):
    """Records how many fits run at once (each takes 10-30 ms, at random, so that threads finish
    in varying order); shared state in a dict, as the search works on a copy of the adapter."""

    def __init__(self, estimator):
        super().__init__(estimator)
        self.stats, self.lock = {"running": 0, "most": 0}, threading.Lock()

    def fit(self, model, X, y, sample_weight=None, *, size=None):
        import random
        import time

        with self.lock:
            self.stats["running"] += 1
            self.stats["most"] = max(self.stats["most"], self.stats["running"])
        time.sleep(0.01 + 0.02 * random.random())  # unseeded on purpose: timing must not matter
        with self.lock:
            self.stats["running"] -= 1
        return super().fit(model, X, y, sample_weight, size=size)


def test_a_batch_of_trials_runs_in_threads_and_the_result_does_not_depend_on_them(data):
    X, y = data
    adapters = [_SlowCentroidAdapter(Centroids()) for _ in range(4)]
    runs = [search(adapter, X, y, n_trials=9, trial_batch=2, n_jobs=jobs)
            for adapter, jobs in zip(adapters, (2, 2, 4, 1))]
    # Two trials at once with one draw thread each; with 4 threads two draws of each of them too.
    assert [a.stats["most"] for a in adapters] == [2, 2, 4, 1]
    assert any(t.stopped for t in runs[0].trials_)
    for run in runs[1:]:
        assert [(t.number, t.scores, t.params) for t in run.trials_] == \
               [(t.number, t.scores, t.params) for t in runs[0].trials_]


def test_parallel_trials_stopped_early_are_pruned_in_the_study(data):
    import optuna

    X, y = data
    result = search(CentroidAdapter(Centroids()), X, y, n_trials=16, n_jobs=2, trial_batch=2)
    states = {t.number: t.state for t in result.study_.trials}
    assert any(t.stopped for t in result.trials_)
    assert [states[t.number] == optuna.trial.TrialState.PRUNED for t in result.trials_] == \
           [t.stopped for t in result.trials_]
    table = result.trials_table()
    assert table["stopped"] == [t.stopped for t in result.trials_]
    assert table["draws"] == [len(t.scores) for t in result.trials_]


def test_batched_families_fit_every_draw_whatever_prune_draws(data):
    X, y = data
    result = search(BatchedCentroidAdapter(Centroids()), X, y, n_trials=16, prune_draws=0.0, trial_batch=2)
    assert not any(t.stopped for t in result.trials_)
    assert all(len(t.scores) == 3 for t in result.trials_[1:])


def test_trial_log_never_chooses_a_stopped_trial():
    from compact._trial_log import TrialLog
    from compact.distributions import DistributionParams, original_params
    from compact.result import TrialRecord

    original = DistributionParams(**original_params())
    other = DistributionParams(**{**original_params(), "sample_frac": 0.5})
    log = TrialLog()
    log.set_baseline("baseline", 0.5)
    assert log.stop_rule(1.0, n_draws=3) is None  # no finished trial with several draws: no rule yet
    log.add(1, other, [0.9], "stopped model", 1.0, stopped=True, fits=2)
    assert log.chosen().model == "baseline" and log.best_score() == 0.5
    adopted = [log.records[1], TrialRecord(2, other.to_dict(), [0.6, 0.7], 1.0),
               TrialRecord(0, original.to_dict(), [0.5], 1.0)]
    log.adopt(adopted, refit=lambda number, params, draw: ([0.6, 0.7][draw], f"refit {number}.{draw}"))
    assert log.chosen().model == "refit 2.1" and log.baseline.number == 0 and log.records[1].fits == 2
    for number, scores in ((3, [0.6, 0.62]), (4, [0.5, 0.56])):
        log.add(number, other, scores, "m", 1.0)
    rule = log.stop_rule(1.0, n_draws=3)  # best mean 0.65; pooled sd of draws s = 0.048; best draw 0.9
    # The final mean's sd: s * sqrt(2/3) = 0.039 after one draw of three, s * sqrt(1/6) = 0.020 after two.
    assert rule([0.55]) and not rule([0.62]) and rule([0.55, 0.55]) and not rule([0.6, 0.68])
    assert rule([0.6, 0.66])  # 0.63 + 0.020 <= 0.65 (the sd of the running mean, 0.034, would keep it)


def test_trial_log_returns_the_top_draw_of_any_trial_with_select_draw():
    from compact._trial_log import TrialLog
    from compact.distributions import DistributionParams, original_params
    from compact.result import TrialRecord

    original = DistributionParams(**original_params())
    other = DistributionParams(**{**original_params(), "sample_frac": 0.5})
    logs = {select: TrialLog(select=select) for select in ("mean", "draw")}
    for log in logs.values():
        log.set_baseline("baseline", 0.5)
        log.add(0, original, [0.5], "baseline", 1.0)
        log.add(1, other, [0.55, 0.85], "top of 1", 1.0)  # mean 0.70
        log.add(2, other, [0.8, 0.8], "top of 2", 1.0)  # mean 0.80: the best trial
        log.add(3, other, [0.9], "top of 3", 1.0, stopped=True)  # stopped, yet the top draw
        log.add(4, other, [0.9, 0.1], "top of 4", 1.0)  # ties the top draw, later: not chosen
    assert (logs["mean"].chosen().model, logs["mean"].chosen_score()) == ("top of 2", 0.8)
    assert (logs["draw"].chosen().model, logs["draw"].chosen_score()) == ("top of 3", 0.9)
    # The ranking (sampler, stopping rule, progress) is the trials' means in both.
    assert logs["draw"].best_score() == logs["mean"].best_score() == 0.8
    assert logs["draw"].stop_rule(0.5, n_draws=2)([0.5]) == logs["mean"].stop_rule(0.5, n_draws=2)([0.5])
    # Trials finished elsewhere: only the model that may be returned is refitted.
    refits = []

    def refit(number, params, draw):
        refits.append((number, draw))
        return [0.95, 0.2][draw], f"refit {number}.{draw}"

    for log in logs.values():
        log.adopt([TrialRecord(5, other.to_dict(), [0.95, 0.2], 1.0)], refit=refit)
    assert logs["mean"].chosen().model == "top of 2" and logs["draw"].chosen().model == "refit 5.0"
    assert refits == [(5, 0)] and logs["draw"].chosen_score() == 0.95
    # A trial stopped early is refitted at its recorded top draw only: never at a draw it did not have.
    stopped = TrialLog(select="draw")
    stopped.set_baseline("baseline", 0.5)
    stopped.adopt([TrialRecord(6, other.to_dict(), [0.6, 0.97], 1.0, stopped=True)], refit=refit)
    assert stopped.chosen().model == "refit 6.1" and stopped.chosen_score() == 0.97
    with pytest.raises(ValueError, match="select must be one of"):
        TrialLog(select="best")


def test_a_trial_that_can_at_most_tie_the_best_stops():
    """Stumps that predict the same classes whatever the sample: draws tie the best or fall
    below it, so the spread is not zero, yet a tie can never be chosen."""
    from compact._trial_log import TrialLog
    from compact.distributions import DistributionParams, original_params

    original = DistributionParams(**original_params())
    other = DistributionParams(**{**original_params(), "sample_frac": 0.5})
    log = TrialLog()
    log.set_baseline("baseline", 0.4)
    log.add(0, original, [0.4], "baseline", 1.0)
    for number in (1, 2, 3):
        log.add(number, other, [0.4, 0.4, 0.3], "m", 1.0)
    rule = log.stop_rule(1.0, n_draws=3)
    assert rule([0.4]) and rule([0.4, 0.4])  # even two more draws of 0.4 (the best seen) only tie
    assert not rule([0.41])  # above every draw so far: the spread rule decides, and keeps it
    assert not log.stop_rule(0.0, n_draws=3)([0.41])


class _GilFreeSlowAdapter(_SlowCentroidAdapter):
    releases_gil = True  # so the default threads are one per available core


@pytest.mark.parametrize("omp, most", [("1", 1), ("2", 2), ("", 2)])
def test_default_threads_follow_the_cores_this_process_may_use(data, monkeypatch, omp, most):
    """joblib's worker processes (and batch schedulers) set OMP_NUM_THREADS to their share of the
    cores: a search started there starts no more threads than that."""
    import os

    X, y = data
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", omp)
    adapter = _GilFreeSlowAdapter(Centroids())
    search(adapter, X, y, n_trials=6, prune_draws=None)
    assert adapter.stats["most"] == most
