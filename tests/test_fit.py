import json
import subprocess
import sys

import numpy as np
import pytest
from sklearn.metrics import f1_score, get_scorer
from sklearn.ensemble import RandomForestClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

import compact


def test_digits_depth3_beats_baseline(digits_split):
    """The issue's acceptance run: 10 classes, depth 3, 60 trials, default xgboost oracle."""
    X_tr, X_te, y_tr, y_te = digits_split
    result = compact.fit(DecisionTreeClassifier(), X_tr, y_tr, size=3, n_trials=60, random_state=0)
    assert result.size_ <= 3 and result.model_.get_depth() <= 3
    assert len(result.trials_) == 60
    assert result.trials_[0].params["p_orig"] == 1.0 and result.trials_[0].params["sample_frac"] == 1.0
    assert result.baseline_score_ == pytest.approx(result.trials_[0].score)
    # Learning the distribution must pay on validation, and here it does so clearly.
    assert result.best_score_ >= result.baseline_score_ + 0.05
    test_base = f1_score(y_te, result.baseline_model_.predict(X_te), average="macro")
    test_comp = f1_score(y_te, result.model_.predict(X_te), average="macro")
    print(f"digits depth 3: test F1 baseline {test_base:.3f} -> compacted {test_comp:.3f}")
    assert test_comp > test_base
    # The baseline is the same-size tree on the original training data.
    assert result.baseline_model_.get_depth() == 3


def test_same_seed_same_result(small_data, fitted_oracle):
    X, y = small_data
    runs = [
        compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=fitted_oracle, n_trials=12, random_state=5)
        for _ in range(2)
    ]
    assert [t.to_dict()["params"] for t in runs[0].trials_] == [t.to_dict()["params"] for t in runs[1].trials_]
    assert [t.scores for t in runs[0].trials_] == [t.scores for t in runs[1].trials_]
    assert np.array_equal(runs[0].predict(X), runs[1].predict(X))
    other = compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=fitted_oracle, n_trials=12, random_state=6)
    assert [t.params for t in other.trials_] != [t.params for t in runs[0].trials_]


def test_seed_is_recorded_when_none(small_data, fitted_oracle):
    X, y = small_data
    first = compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=fitted_oracle, n_trials=5)
    again = compact.fit(
        DecisionTreeClassifier(), X, y, size=2, oracle=fitted_oracle, n_trials=5, random_state=first.random_state_
    )
    assert [t.scores for t in first.trials_] == [t.scores for t in again.trials_]


@pytest.mark.parametrize("weights_mode", [False, True])
@pytest.mark.parametrize("depth", [1, 2, 4])
def test_depth_never_exceeds_request(digits_split, digits_oracle, depth, weights_mode):
    X_tr, _, y_tr, _ = digits_split
    result = compact.fit(
        DecisionTreeClassifier(), X_tr, y_tr, size=depth, oracle=digits_oracle, n_trials=8,
        weights_mode=weights_mode, random_state=1,
    )
    assert result.size_ <= depth and result.model_.get_depth() <= depth
    assert result.best_score_ >= result.baseline_score_


def test_leaf_size(small_data, fitted_oracle):
    X, y = small_data
    result = compact.fit(
        DecisionTreeClassifier(), X, y, size={"max_leaf_nodes": 4}, oracle=fitted_oracle, n_trials=6, random_state=0
    )
    assert result.size_["max_leaf_nodes"] <= 4 and result.model_.get_n_leaves() <= 4
    assert result.to_dict()["size"] == result.size_


def test_string_labels_and_dataframe(small_data, fitted_oracle):
    pd = pytest.importorskip("pandas")
    X, y = small_data
    names = np.array(["zero", "one", "two"])
    frame = pd.DataFrame(X, columns=[f"px{i}" for i in range(X.shape[1])])
    result = compact.fit(
        DecisionTreeClassifier(), frame, pd.Series(names[y]), size=2, oracle=fitted_oracle, n_trials=5, random_state=0
    )
    assert list(result.classes_) == ["one", "two", "zero"]
    assert set(result.predict(X)) <= set(names)
    assert isinstance(result.predict(X), np.ndarray)
    assert result.feature_names_in_[0] == "px0"
    json.loads(result.to_json())


def test_validation_data_and_custom_scorer(small_data, fitted_oracle):
    X, y = small_data
    for score_on, (X_score, y_score) in {"validation": (X[300:], y[300:]), "train+validation": (X, y)}.items():
        result = compact.fit(
            DecisionTreeClassifier(), X[:300], y[:300], size=2, oracle=fitted_oracle, n_trials=5,
            validation_data=(X[300:], y[300:]), scoring="accuracy", score_on=score_on, random_state=0,
        )
        assert result.best_draw_score_ == pytest.approx(get_scorer("accuracy")(result.model_, X_score, y_score))
        assert result.scoring == "accuracy" and result.score_on == score_on


def test_best_score_is_the_chosen_trials_mean(small_data, fitted_oracle):
    """On the validation part best_score_ ranks trials (their mean); the kept draw's own score is best_draw_score_.
    (A tree classifier's default rows, training + validation, return the top draw of any trial: test_score_rows.)"""
    X, y = small_data
    result = compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=fitted_oracle, n_trials=8, random_state=0,
                         score_on="validation")
    assert result.best_score_ == max(t.score for t in result.trials_)
    chosen = next(t for t in result.trials_ if t.params == result.best_params_)
    assert result.best_score_ == chosen.score and result.best_draw_score_ == max(chosen.scores)
    assert result.best_draw_score_ >= result.best_score_


def test_trees_draw_twice_per_trial_by_default_and_n_draws_overrides(small_data, fitted_oracle):
    X, y = small_data
    runs = {draws: compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=fitted_oracle, n_trials=12,
                               random_state=0, prune_draws=None, n_draws=draws) for draws in (None, 2, 3)}
    assert [len(t.scores) for t in runs[None].trials_] == [1] + [2] * 11
    assert [len(t.scores) for t in runs[3].trials_] == [1] + [3] * 11
    assert [t.scores for t in runs[None].trials_] == [t.scores for t in runs[2].trials_]
    forest = compact.fit(RandomForestClassifier(n_estimators=3), X, y, size=2, oracle=fitted_oracle, n_trials=3,
                         random_state=0, prune_draws=None)
    assert [len(t.scores) for t in forest.trials_] == [1, 3, 3]  # other families: three


def test_result_serialises(tmp_path, small_data, fitted_oracle):
    X, y = small_data
    result = compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=fitted_oracle, n_trials=5, random_state=0)
    path = tmp_path / "result.json"
    result.to_json(path)
    data = json.loads(path.read_text())
    assert data["baseline_score"] == result.baseline_score_
    assert len(data["trials"]) == 5 and set(data["best_params"]) == set(result.best_params_)
    table = result.trials_table()
    assert table["number"] == list(range(5)) and len(table["alpha"]) == 5


def test_interrupt_returns_best_so_far(small_data, fitted_oracle):
    X, y = small_data
    calls = {"n": 0}
    accuracy = get_scorer("accuracy")

    def stops_after_ten(model, X_, y_):
        calls["n"] += 1
        if calls["n"] > 10:
            raise KeyboardInterrupt
        return accuracy(model, X_, y_)

    with pytest.warns(RuntimeWarning, match="Interrupted"):
        result = compact.fit(
            DecisionTreeClassifier(), X, y, size=2, oracle=fitted_oracle, n_trials=50,
            scoring=stops_after_ten, random_state=0,
        )
    assert result.interrupted_ and 1 <= len(result.trials_) < 50
    assert result.model_ is not None and result.best_score_ >= result.baseline_score_


def test_progress_output(small_data, fitted_oracle, capsys):
    X, y = small_data
    compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=fitted_oracle, n_trials=10, verbose=1, random_state=0)
    err = capsys.readouterr().err
    assert "10/10" in err and "best mean score" in err


@pytest.mark.parametrize(
    "change, error, message",
    [
        (dict(X="nan"), ValueError, "NaN"),
        (dict(X="inf"), ValueError, "infinity"),
        (dict(y="one_class"), ValueError, "single class"),
        (dict(y="short"), ValueError, "inconsistent numbers of samples"),
        (dict(X="1d"), ValueError, "Expected 2D array"),
        (dict(y="continuous"), ValueError, "Unknown label type"),
        (dict(size=0), ValueError, "positive integer"),
        (dict(n_trials=0), ValueError, "n_trials must be a positive integer"),
        (dict(n_draws=-1), ValueError, "n_draws"),
        (dict(validation_size=1.5), ValueError, "validation_size"),
        (dict(method="magic"), ValueError, "Unknown method"),
        (dict(oracle=SVC()), TypeError, "predict_proba"),
        (dict(random_state="seed"), ValueError, "random_state"),
        (dict(max_depth=3), TypeError, "unexpected keyword"),
        (dict(weights_mode="no"), ValueError, "^weights_mode must be True or False, got 'no'.$"),
        (dict(flatten="no"), ValueError, "^flatten must be True or False"),
        (dict(verbose="x"), ValueError, "^verbose must be an integer >= 0, got 'x'.$"),
    ],
)
def test_bad_input_errors(small_data, change, error, message):
    X, y = small_data
    X = X.copy()
    kwargs = dict(size=2, n_trials=2)
    kind_x, kind_y = change.pop("X", None), change.pop("y", None)
    if kind_x == "nan":
        X[3, 4] = np.nan
    elif kind_x == "inf":
        X[3, 4] = np.inf
    elif kind_x == "1d":
        X = X[:, 0]
    if kind_y == "one_class":
        y = np.zeros_like(y)
    elif kind_y == "short":
        y = y[:-1]
    elif kind_y == "continuous":
        y = np.linspace(0, 1, len(y))
    kwargs.update(change)
    with pytest.raises(error, match=message):
        compact.fit(DecisionTreeClassifier(), X, y, **kwargs)


def test_import_is_light():
    code = "import sys, compact; print(sorted(m for m in ('torch', 'xgboost', 'optuna') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_split_keeps_every_class_in_training():
    from compact.compaction import split_validation

    X = np.arange(40, dtype=float).reshape(20, 2)
    y = np.array([0] * 10 + [1] * 9 + [2])  # class 2 has a single member: no stratification
    X_tr, X_val, y_tr, y_val = split_validation(X, y, 0.25, seed=0)
    assert set(y_tr) == {0, 1, 2} and len(y_tr) + len(y_val) == 20 and len(y_val) > 0
    X_tr, X_val, y_tr, y_val = split_validation(X, np.array([0, 1] * 10), 0.25, seed=0)
    assert np.bincount(y_val).tolist() == [2, 3] or np.bincount(y_val).tolist() == [3, 2]


def _tree_trainer(X, y, *, depth: int, weights_mode: bool, u=None):
    """A ``CandidateTrainer`` of decision trees on ``(X, y)`` (a quarter held out), its problem,
    and scores ``u`` for the mixture (by default all 0.5)."""
    from compact._problem import make_problem
    from compact._seeds import SeedStreams
    from compact._trainer import CandidateTrainer
    from compact.adapters import get_adapter
    from compact.distributions import DPBetaMixture

    problem = make_problem(X, y, validation_size=0.25, validation_data=None, seed=0, regression=False,
                           encoded_labels=False)
    u = np.full(len(problem.y_train), 0.5) if u is None else u(len(problem.y_train))
    trainer = CandidateTrainer(get_adapter(DecisionTreeClassifier()), {"max_depth": depth}, problem,
                               DPBetaMixture(u, problem.strata), SeedStreams(0), None, n_draws=1,
                               weights_mode=weights_mode)
    return trainer, problem


@pytest.mark.parametrize("weights_mode", [False, True])
def test_full_class_balance_weighs_rows_as_balanced_class_weight(weights_mode):
    # Every training row once, classes fully balanced: the tree scikit-learn fits with class_weight="balanced".
    from sklearn.datasets import make_classification

    from compact._trainer import Candidate
    from compact.distributions import SEARCH_SPACE, DistributionParams, original_params

    X, y = make_classification(n_samples=600, n_classes=3, n_informative=4, weights=[0.8, 0.15, 0.05],
                               random_state=0)
    trainer, problem = _tree_trainer(X, y, depth=3, weights_mode=weights_mode)
    everything = original_params(SEARCH_SPACE)
    balanced = trainer.fit_one(Candidate(1, 0, DistributionParams(**everything, class_balance=1.0)))
    as_drawn = trainer.fit_one(Candidate(1, 0, DistributionParams(**everything, class_balance=0.0)))
    expected = DecisionTreeClassifier(max_depth=3, class_weight="balanced", random_state=balanced.random_state)
    expected.fit(trainer.X_fit, problem.y_train)
    assert np.array_equal(balanced.predict_proba(trainer.X_fit), expected.predict_proba(trainer.X_fit))
    # The minority class gains predictions it lacks when the rows count as drawn.
    assert (balanced.predict(trainer.X_fit) == 2).sum() > (as_drawn.predict(trainer.X_fit) == 2).sum()


@pytest.mark.parametrize("weights_mode", [False, True])
def test_batched_row_weights_carry_the_class_balance(weights_mode):
    # Families that train a trial's draws as one batch get row weights: the class factors must be in them.
    from compact._trainer import Candidate
    from compact.distributions import DistributionParams

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(400, 3)), np.repeat([0, 1, 2], [300, 80, 20])
    trainer, problem = _tree_trainer(X, y, depth=2, weights_mode=weights_mode, u=rng.random)
    params = dict(alpha=2.0, sample_frac=0.8, p_orig=0.3, A_a=1.0, B_a=3.0, A_b=2.0, B_b=1.0)
    as_drawn = trainer.row_weights(Candidate(1, 0, DistributionParams(**params, class_balance=0.0)))
    balanced = trainer.row_weights(Candidate(1, 0, DistributionParams(**params, class_balance=1.0)))
    totals = np.bincount(problem.strata, weights=balanced)
    assert np.allclose(totals, totals.mean()) and totals.sum() == pytest.approx(as_drawn.sum())
    assert np.array_equal(balanced > 0, as_drawn > 0)  # the same draw, reweighed
    assert not np.allclose(np.bincount(problem.strata, weights=as_drawn), totals)


def test_class_balance_is_searched_for_classifiers_that_take_sample_weight(small_data, fitted_oracle):
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.tree import DecisionTreeRegressor

    X_tr, y_tr = small_data
    run = dict(size=2, n_trials=6, random_state=0, oracle=fitted_oracle)
    result = compact.fit(DecisionTreeClassifier(), X_tr, y_tr, **run)
    assert result.trials_[0].params["class_balance"] == 0.0  # the original data, as it is
    assert all(0.0 <= t.params["class_balance"] <= 1.0 for t in result.trials_)
    assert len({t.params["class_balance"] for t in result.trials_}) > 2
    off = compact.fit(DecisionTreeClassifier(), X_tr, y_tr, class_balance=False, **run)
    assert "class_balance" not in off.best_params_ and "class_balance" not in off.trials_[-1].params
    with pytest.raises(ValueError, match="class_balance=True cannot be searched: a regressor has no classes"):
        compact.fit(DecisionTreeRegressor(), X_tr, y_tr.astype(float), class_balance=True, **run)
    with pytest.raises(ValueError, match="KNeighborsClassifier.fit does not accept sample_weight"):
        compact.fit(KNeighborsClassifier(), X_tr, y_tr, size_param="n_neighbors", class_balance=True, **run)
    with pytest.raises(ValueError, match="class_balance must be None, True or False"):
        compact.fit(DecisionTreeClassifier(), X_tr, y_tr, class_balance="yes", **run)
