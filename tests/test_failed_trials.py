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


def test_a_run_whose_every_trial_fails_raises_naming_the_first_error(small_data, fitted_oracle):
    X, y = small_data
    calls = []

    def nan_after_baseline(y_true, y_pred):
        calls.append(1)
        return 0.5 if len(calls) == 1 else float("nan")

    # Trial 0 (the original data) is scored again, and fails too: no drawn sample scored, no search.
    with pytest.raises(RuntimeError, match=r"^Every trial failed \(8 in this run; .* the first: ValueError: the "
                                           r"candidate scored nan on the score rows$") as err:
        compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=fitted_oracle, n_trials=8, random_state=0,
                    scoring=make_scorer(nan_after_baseline), trial_batch=4)
    assert len(calls) == 9 and isinstance(err.value.__cause__, Exception)  # the batch loop ended


def test_errors_of_compact_itself_are_not_taken_for_failed_trials(small_data, fitted_oracle, monkeypatch):
    from compact._trainer import CandidateTrainer

    def broken_draw(self, candidate):
        if candidate.params.is_original:
            return None
        raise KeyError("a bug in compact")

    monkeypatch.setattr(CandidateTrainer, "draw", broken_draw)
    X, y = small_data
    with pytest.raises(KeyError, match="a bug in compact"):
        compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=fitted_oracle, n_trials=4, random_state=0)


class NoWeights(DecisionTreeClassifier):
    """Fits the original data only: every drawn sample comes with weights."""

    def fit(self, X, y, sample_weight=None, check_input=True):
        if sample_weight is not None:
            raise TypeError("weights are not supported")
        return super().fit(X, y, check_input=check_input)


def test_a_family_that_fails_on_every_sample_is_an_error_not_its_baseline(small_data, fitted_oracle):
    X, y = small_data
    with pytest.raises(RuntimeError, match=r"the first: TypeError: weights are not supported$") as err:
        compact.fit(NoWeights(), X, y, size=2, oracle=fitted_oracle, n_trials=6, random_state=0)
    assert isinstance(err.value.__cause__.__cause__, TypeError)  # the family's own traceback is kept


def test_a_baseline_that_scores_nan_is_one_clear_error(small_data, fitted_oracle):
    X, y = small_data
    with pytest.raises(ValueError, match=r"^DecisionTreeClassifier could not be fitted and scored at size "
                                         r".* the candidate scored nan on the score rows$"):
        compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=fitted_oracle, n_trials=4, random_state=0,
                    scoring=make_scorer(lambda y_true, y_pred: float("nan")))


def test_the_baseline_error_keeps_the_familys_traceback(small_data, fitted_oracle):
    class Broken(DecisionTreeClassifier):
        def fit(self, X, y, sample_weight=None, check_input=True):
            raise KeyError("oops")

    X, y = small_data
    with pytest.raises(ValueError, match=r"could not be fitted and scored .*: KeyError: 'oops'$") as err:
        compact.fit(Broken(), X, y, size=2, oracle=fitted_oracle, n_trials=4, random_state=0)
    assert isinstance(err.value.__cause__.__cause__, KeyError)


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
    study, states = _states(storage)
    # The batch was evaluated: the study gets every trial of it, as the result has them.
    assert len(states) == 8 and not {optuna.trial.TrialState.RUNNING, optuna.trial.TrialState.FAIL} & set(states)
    assert [t.scores for t in first.trials_] == [t.user_attrs["scores"] for t in study.get_trials()]
    second = compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=fitted_oracle, n_trials=12,
                         trial_batch=4, storage=storage, study_name="s")
    _, states = _states(storage)
    assert len(states) == 12 and optuna.trial.TrialState.RUNNING not in states
    assert [t.scores for t in second.trials_[:8]] == [t.scores for t in first.trials_]


def test_ctrl_c_while_a_batch_is_evaluated_fails_its_trials(small_data, fitted_oracle, tmp_path, monkeypatch):
    from compact._trainer import CandidateTrainer

    X, y = small_data
    storage = str(tmp_path / "runs.journal")
    original, runs = CandidateTrainer.run_trials, []

    def interrupted(self, trials, **kw):
        runs.append(len(trials))
        if len(runs) == 3:  # the baseline, the first batch, then Ctrl-C in the second
            raise KeyboardInterrupt
        return original(self, trials, **kw)

    monkeypatch.setattr(CandidateTrainer, "run_trials", interrupted)
    with pytest.warns(RuntimeWarning, match="Interrupted after 4 trials"):
        compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=fitted_oracle, n_trials=12, random_state=0,
                    trial_batch=4, storage=storage, study_name="s")
    _, states = _states(storage)
    assert states[4:] == [optuna.trial.TrialState.FAIL] * 4 and len(states) == 8


def test_a_regression_validation_part_of_one_row_is_refused_before_the_oracle():
    from sklearn.ensemble import RandomForestRegressor

    class NeverFitted(RandomForestRegressor):
        def fit(self, X, y, sample_weight=None):
            raise AssertionError("the oracle was fitted")

    X = np.random.default_rng(0).normal(size=(4, 2))
    with pytest.raises(ValueError, match=r"^The validation part has 1 row; a regression score needs 2 or more"):
        compact.CompactRegressor(n_trials=4, random_state=0, oracle=NeverFitted()).fit(X, X[:, 0])


def test_a_continued_study_whose_new_trials_fail_keeps_its_earlier_ones(small_data, fitted_oracle, tmp_path,
                                                                          monkeypatch):
    X, y = small_data
    storage = str(tmp_path / "runs.journal")
    kw = dict(size=2, oracle=fitted_oracle, random_state=0, storage=storage, study_name="s", class_balance=False)
    first = compact.fit(DecisionTreeClassifier(), X, y, n_trials=6, **kw)
    original_fit, calls = DecisionTreeClassifier.fit, []

    def fails_once(self, X, y, sample_weight=None, check_input=True):  # the same family, failing once
        if sample_weight is not None and not calls:
            calls.append(1)
            raise TypeError("a transient error")
        return original_fit(self, X, y, sample_weight=sample_weight, check_input=check_input)

    monkeypatch.setattr(DecisionTreeClassifier, "fit", fails_once)
    with pytest.warns(RuntimeWarning, match=r"^1 trial\(s\) failed .* TypeError: a transient error$"):
        second = compact.fit(DecisionTreeClassifier(), X, y, n_trials=7, **kw)
    assert [t.scores for t in second.trials_] == [t.scores for t in first.trials_]
    assert second.best_draw_score_ == first.best_draw_score_
