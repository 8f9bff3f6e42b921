"""Trials that fail (a draw that cannot be fitted or scored) and interrupted batches: the search goes on,
the study records what happened, and no trial is left RUNNING."""

import numpy as np
import optuna
import pytest
from sklearn.metrics import make_scorer
from sklearn.tree import DecisionTreeClassifier

import compact
from compact.storage import resolve_storage


class SmallSampleFails(DecisionTreeClassifier):
    """Refuses samples of fewer than 200 rows (counted: distinct rows come with their counts as
    weights), as a family that cannot learn from a degenerate sample would."""

    def fit(self, X, y, sample_weight=None, check_input=True):
        rows = len(X) if sample_weight is None else float(np.sum(sample_weight))
        if rows < 200:
            raise ValueError(f"too few rows: {rows:.0f}\nsecond line of the message")
        return super().fit(X, y, sample_weight=sample_weight, check_input=check_input)


def _states(storage):
    study = optuna.load_study(study_name="s", storage=resolve_storage(storage))
    return study, [t.state for t in study.get_trials(deepcopy=False)]


@pytest.mark.parametrize("trial_batch", [1, 2])
def test_a_trial_whose_draw_cannot_be_fitted_fails_alone(small_data, fitted_oracle, tmp_path, trial_batch):
    X, y = small_data  # 537 rows, 402 for training: sample_frac below about 0.5 fails
    storage = str(tmp_path / "runs.journal")
    with pytest.warns(RuntimeWarning, match=r"^\d+ trial\(s\) failed and were left out .* the first: "
                                            r"ValueError: too few rows: \d+$") as caught:
        result = compact.fit(SmallSampleFails(), X, y, size=2, oracle=fitted_oracle, n_trials=16, random_state=0,
                             class_balance=False, sample_frac_scale="log", trial_batch=trial_batch,
                             storage=storage, study_name="s")
    study, states = _states(storage)
    failed = [t for t in study.get_trials(deepcopy=False) if t.state == optuna.trial.TrialState.FAIL]
    assert len(states) == 16  # the budget counts failed attempts: the run ends
    assert 0 < len(failed) < 16 and str(len(failed)) in str(caught[0].message)
    assert all(t.user_attrs["error"].startswith("ValueError: too few rows: ") for t in failed)
    assert all(t.params["sample_frac"] < 0.6 for t in failed)
    # The result holds the trials that finished, and its model is one of theirs.
    assert sorted(t.number for t in result.trials_) == sorted(set(range(16)) - {t.number for t in failed})
    assert result.model_.get_depth() <= 2 and result.best_score_ >= result.baseline_score_


def test_a_score_that_is_not_a_number_fails_the_trial_and_the_batch_loop_ends(small_data, fitted_oracle):
    X, y = small_data
    calls = []

    def nan_after_baseline(y_true, y_pred):
        calls.append(1)
        return 0.5 if len(calls) == 1 else float("nan")

    with pytest.warns(RuntimeWarning, match=r"^8 trial\(s\) failed .* the candidate scored nan on the score rows"):
        result = compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=fitted_oracle, n_trials=8,
                             random_state=0, scoring=make_scorer(nan_after_baseline), trial_batch=4)
    # Every trial failed (trial 0, the original data, is scored again): the baseline is returned.
    assert result.trials_ == [] and result.best_score_ == result.baseline_score_ == 0.5 and len(calls) == 9
    assert result.model_ is result.baseline_model_


def test_a_baseline_that_scores_nan_is_one_clear_error(small_data, fitted_oracle):
    X, y = small_data
    with pytest.raises(ValueError, match=r"^DecisionTreeClassifier could not be fitted and scored at size "
                                         r".* the candidate scored nan on the score rows$"):
        compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=fitted_oracle, n_trials=4, random_state=0,
                    scoring=make_scorer(lambda y_true, y_pred: float("nan")))


class InterruptOnTell:
    """Raises KeyboardInterrupt at the ``at``-th ``study.tell`` of a finished trial, as Ctrl-C there would."""

    def __init__(self, monkeypatch, at):
        self.told, self.at = 0, at
        original = optuna.Study.tell

        def tell(study, trial, values=None, state=None, skip_if_finished=False):
            if state is None or state != optuna.trial.TrialState.FAIL:
                self.told += 1
                if self.told == self.at:
                    raise KeyboardInterrupt
            return original(study, trial, values, state, skip_if_finished)

        monkeypatch.setattr(optuna.Study, "tell", tell)


def test_ctrl_c_while_a_batch_is_told_leaves_no_trial_running(small_data, fitted_oracle, tmp_path, monkeypatch):
    X, y = small_data
    storage = str(tmp_path / "runs.journal")
    InterruptOnTell(monkeypatch, at=6)  # the second trial of the second batch of four
    with pytest.warns(RuntimeWarning, match="Interrupted after 8 trials"):
        first = compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=fitted_oracle, n_trials=12,
                            random_state=0, trial_batch=4, storage=storage, study_name="s")
    monkeypatch.undo()
    _, states = _states(storage)
    assert states.count(optuna.trial.TrialState.RUNNING) == 0
    assert states[5:8] == [optuna.trial.TrialState.FAIL] * 3 and len(states) == 8
    assert len(first.trials_) == 8  # evaluated: the result keeps them, the study has the five told
    second = compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=fitted_oracle, n_trials=12,
                         trial_batch=4, storage=storage, study_name="s")
    _, states = _states(storage)
    finished = [s for s in states if s != optuna.trial.TrialState.FAIL]
    assert len(finished) == 12 and optuna.trial.TrialState.RUNNING not in states
    assert len(second.trials_) == 12


def test_a_regression_validation_part_of_one_row_is_refused_before_the_oracle():
    from sklearn.ensemble import RandomForestRegressor

    class NeverFitted(RandomForestRegressor):
        def fit(self, X, y, sample_weight=None):
            raise AssertionError("the oracle was fitted")

    X = np.random.default_rng(0).normal(size=(4, 2))
    with pytest.raises(ValueError, match=r"^The validation part has 1 row; a regression score needs 2 or more"):
        compact.CompactRegressor(n_trials=4, random_state=0, oracle=NeverFitted()).fit(X, X[:, 0])
