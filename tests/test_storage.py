"""Trials kept in an Optuna storage: resume, and several worker processes sharing a study."""

import pytest
from joblib import Parallel, delayed
from sklearn.naive_bayes import GaussianNB
from sklearn.tree import DecisionTreeClassifier

import compact


def run(X, y, storage, n_trials, random_state=3, **kw):
    return compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=GaussianNB(), n_trials=n_trials,
                       n_draws=2, random_state=random_state, storage=storage, study_name="s", **kw)


def test_resume_continues_and_loses_no_trial(small_data, tmp_path):
    X, y = small_data
    storage = str(tmp_path / "runs.journal")
    first = run(X, y, storage, 6)
    assert [t.number for t in first.trials_] == list(range(6))
    second = run(X, y, storage, 10, random_state=None)  # the seed is taken from the study
    assert [t.number for t in second.trials_] == list(range(10))
    for a, b in zip(first.trials_, second.trials_):  # the first six come back unchanged
        assert a.params == b.params and a.scores == b.scores
    assert second.random_state_ == 3
    # The best model is a real model of its trial, refitted if it came from the first run.
    best = max(second.trials_, key=lambda t: (t.score, -t.number))
    assert second.best_params_ == best.params and second.best_score_ == best.score and second.best_draw_score_ == max(best.scores)
    assert second.model_.score(X, y) > 0.5
    assert second.baseline_score_ == first.baseline_score_
    again = run(X, y, storage, 10)  # nothing left to do: no new trial
    assert len(again.trials_) == 10 and again.best_score_ == second.best_score_


def test_sqlite_storage(small_data, tmp_path):
    X, y = small_data
    result = run(X, y, f"sqlite:///{tmp_path / 'runs.db'}", 4)
    assert len(result.trials_) == 4


def test_mismatched_continuation_is_refused(small_data, tmp_path):
    X, y = small_data
    storage = str(tmp_path / "runs.journal")
    run(X, y, storage, 3)
    with pytest.raises(ValueError, match="random_state=3"):
        run(X, y, storage, 5, random_state=4)
    with pytest.raises(ValueError, match="rows"):
        run(X[:-5], y[:-5], storage, 5)
    with pytest.raises(ValueError, match="needs a storage"):
        compact.fit(DecisionTreeClassifier(), X, y, size=2, study_name="s")


def test_worker_processes_share_a_study(small_data, tmp_path):
    """Two processes (joblib's loky backend) run one study through a journal file."""
    X, y = small_data
    storage = str(tmp_path / "shared.journal")
    results = Parallel(n_jobs=2)(delayed(run)(X, y, storage, 16) for _ in range(2))
    by_number = [{t.number: t for t in r.trials_} for r in results]
    for trials in by_number:
        # At least 16 finished trials of the study, each once (a trial still
        # running in the other process when this one stopped is not included).
        assert len(trials) >= 16 and sorted(trials) == list(trials)
    for number in set(by_number[0]) & set(by_number[1]):
        assert by_number[0][number].params == by_number[1][number].params
        assert by_number[0][number].scores == by_number[1][number].scores
    for result in results:
        # Each returns the best trial it can see, refitted where the other process ran it.
        top = max(result.trials_, key=lambda t: (t.score, -t.number))
        assert result.best_params_ == top.params and result.best_score_ == top.score and result.best_draw_score_ == max(top.scores)
        assert result.best_score_ >= result.baseline_score_
