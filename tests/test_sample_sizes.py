"""``sample_frac_scale``: ``sample_frac`` on a log scale from 5 % for decision tree stumps (classifiers), linear
from 10 % elsewhere; a continued study keeps its own."""

import numpy as np
import optuna
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import compact
from compact._mixture import space_of
from compact.adapters import get_adapter
from compact.distributions import SAMPLE_FRAC_SCALES, SEARCH_SPACE, DistributionParams, DPBetaMixture, original_params
from compact.storage import resolve_storage


def _fractions(result):
    return [t.params["sample_frac"] for t in result.trials_]


def test_only_sample_frac_changes_and_the_original_distribution_stays_inside():
    plain, logged = space_of("oracle"), space_of("oracle", sample_frac_scale="log")
    log = SAMPLE_FRAC_SCALES["log"]
    assert plain == SEARCH_SPACE and SAMPLE_FRAC_SCALES["linear"] in plain
    assert [p if p.name != "sample_frac" else log for p in plain] == list(logged)
    assert (log.low, log.high, log.log) == (0.05, 2.0, True)
    assert original_params(logged) == original_params(plain) and log.low < original_params(logged)["sample_frac"]
    assert space_of("density_tree", class_balance=True, sample_frac_scale="log")[1] == log


def test_tree_stumps_search_small_samples_other_sizes_and_families_do_not():
    tree = get_adapter(DecisionTreeClassifier())
    assert tree.default_sample_frac_scale(tree.normalize_size(1)) == "log"
    assert tree.default_sample_frac_scale(tree.normalize_size({"max_leaf_nodes": 2})) == "log"
    assert tree.default_sample_frac_scale(tree.normalize_size(2)) == "linear"
    assert tree.default_sample_frac_scale(tree.normalize_size({"max_leaf_nodes": 4})) == "linear"
    regressor = get_adapter(DecisionTreeRegressor())
    assert regressor.default_sample_frac_scale(regressor.normalize_size(1)) == "linear"
    linear = get_adapter(LogisticRegression())
    assert linear.default_sample_frac_scale(linear.normalize_size(1)) == "linear"


class SizeSpy(DecisionTreeClassifier):
    """Records the rows each fit saw (as counts: distinct rows come with their counts as weights)."""

    rows: list = []

    def fit(self, X, y, sample_weight=None, check_input=True):
        SizeSpy.rows.append(len(X) if sample_weight is None else float(np.sum(sample_weight)))
        return super().fit(X, y, sample_weight=sample_weight, check_input=check_input)


def test_a_tree_search_fits_trees_on_samples_below_a_tenth(small_data, fitted_oracle):
    X, y = small_data
    SizeSpy.rows = []
    result = compact.fit(SizeSpy(), X, y, size=1, oracle=fitted_oracle, n_trials=30, random_state=3,
                         class_balance=False)  # unweighted rows: the weights are the counts
    fractions = _fractions(result)
    assert fractions[0] == 1.0 and 0.05 <= min(fractions) < 0.1
    assert result.sample_frac_scale == "log" and result.to_dict()["sample_frac_scale"] == "log"
    n_train = len(X) - int(np.ceil(0.25 * len(X)))  # validation_size=0.25 (scikit-learn rounds the test part up)
    assert SizeSpy.rows[0] == n_train  # the baseline: the original training rows
    assert min(SizeSpy.rows) == round(min(fractions) * n_train) < 0.1 * n_train


def test_the_density_tree_searches_the_same_ranges(small_data):
    X, y = small_data
    logged = compact.fit(DecisionTreeClassifier(), X, y, size=1, method="density_tree", n_trials=30, random_state=0)
    linear = compact.fit(DecisionTreeClassifier(), X, y, size=1, method="density_tree", n_trials=30, random_state=0,
                         sample_frac_scale="linear")
    assert min(_fractions(logged)) < 0.1 <= min(_fractions(linear))
    assert (logged.sample_frac_scale, linear.sample_frac_scale) == ("log", "linear")


def test_other_families_keep_the_linear_range_and_a_tree_can_ask_for_it(small_data, fitted_oracle):
    X, y = small_data
    linear = compact.fit(LogisticRegression(max_iter=300), X, y, size=4, oracle=fitted_oracle, n_trials=30,
                         random_state=0)
    assert min(_fractions(linear)) >= 0.1
    deeper = compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=fitted_oracle, n_trials=30, random_state=3)
    assert deeper.sample_frac_scale == "linear" and min(_fractions(deeper)) >= 0.1
    rng = np.random.default_rng(0)
    Xr = rng.normal(size=(300, 3))
    regression = compact.fit(DecisionTreeRegressor(), Xr, Xr[:, 0] + 0.3 * rng.normal(size=300), size=1,
                             n_trials=30, random_state=0)
    assert min(_fractions(regression)) >= 0.1
    tree = compact.fit(DecisionTreeClassifier(), X, y, size=1, oracle=fitted_oracle, n_trials=30, random_state=0,
                       sample_frac_scale="linear")
    assert min(_fractions(tree)) >= 0.1


@pytest.mark.parametrize("value", ["logarithmic", "LOG", 1, True, ["log"]])
def test_a_bad_sample_frac_scale_is_one_line_before_any_work(small_data, value):
    X, y = small_data

    class Spy(LogisticRegression):
        fits = 0

        def fit(self, X, y, **kw):
            Spy.fits += 1
            return super().fit(X, y, **kw)

    with pytest.raises(ValueError, match=r"^sample_frac_scale must be None, 'linear' or 'log'; got") as err:
        compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=Spy(), sample_frac_scale=value)
    assert "\n" not in str(err.value) and Spy.fits == 0


def _run(X, y, storage, n_trials, oracle, **kw):
    return compact.fit(DecisionTreeClassifier(), X, y, size=1, oracle=oracle, n_trials=n_trials, random_state=3,
                       storage=storage, study_name="s", **kw)


def test_a_study_keeps_the_range_it_was_begun_with(small_data, fitted_oracle, tmp_path):
    X, y = small_data
    storage = str(tmp_path / "runs.journal")
    first = _run(X, y, storage, 12, fitted_oracle)
    study = optuna.load_study(study_name="s", storage=resolve_storage(storage))
    assert study.user_attrs["compact"]["sample_frac_scale"] == "log"
    again = _run(X, y, storage, 20, fitted_oracle, sample_frac_scale="log")
    assert _fractions(again)[:12] == _fractions(first) and len(again.trials_) == 20
    refused = "was run with sample_frac_scale='log'; this run has sample_frac_scale='linear'"
    with pytest.raises(ValueError, match=refused):
        _run(X, y, storage, 25, fitted_oracle, sample_frac_scale="linear")
    # Begun on the linear range: continued there when the scale is left to the family's default.
    linear = str(tmp_path / "linear.journal")
    before = _run(X, y, linear, 8, fitted_oracle, sample_frac_scale="linear")
    continued = _run(X, y, linear, 20, fitted_oracle)
    assert continued.sample_frac_scale == "linear" and min(_fractions(continued)) >= 0.1
    assert [t.scores for t in continued.trials_[:8]] == [t.scores for t in before.trials_]
    refused = "was run with sample_frac_scale='linear'; this run has sample_frac_scale='log'"
    with pytest.raises(ValueError, match=refused):
        _run(X, y, linear, 25, fitted_oracle, sample_frac_scale="log")


def test_a_study_begun_before_settings_were_recorded_keeps_the_range_its_trials_were_drawn_from(
        small_data, fitted_oracle, tmp_path):
    # Trials drawn on the linear range, no settings at all (an older version): loading it records this
    # run's settings, log for a tree, but its trials decide the range.
    X, y = small_data
    storage = str(tmp_path / "runs.journal")
    first = _run(X, y, storage, 8, fitted_oracle, sample_frac_scale="linear")
    old = str(tmp_path / "old.journal")
    older = optuna.create_study(study_name="s", storage=resolve_storage(old), direction="maximize")
    older.add_trials(optuna.load_study(study_name="s", storage=resolve_storage(storage)).get_trials())
    assert "compact" not in older.user_attrs
    continued = _run(X, y, old, 20, fitted_oracle)
    assert continued.sample_frac_scale == "linear" and min(_fractions(continued)) >= 0.1
    assert [t.scores for t in continued.trials_[:8]] == [t.scores for t in first.trials_]
    settings = optuna.load_study(study_name="s", storage=resolve_storage(old)).user_attrs["compact"]
    assert settings["sample_frac_scale"] == "linear"


def test_an_unknown_stored_range_is_one_line(small_data, fitted_oracle, tmp_path):
    X, y = small_data
    storage = str(tmp_path / "bad.journal")
    study = optuna.create_study(study_name="s", storage=resolve_storage(storage), direction="maximize")
    study.set_user_attr("compact", {"score_on": "train+validation", "sample_frac_scale": "cubic"})
    with pytest.raises(ValueError, match=r"^Study 's' records sample_frac_scale='cubic', not one of") as err:
        _run(X, y, storage, 3, fitted_oracle)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("frac", [0.05, 0.3, 2.0])
def test_sample_frac_at_the_log_range_draws_the_rounded_size(frac):
    n = 500
    mixture = DPBetaMixture(np.linspace(0.1, 0.9, n), np.arange(n) % 2)
    params = DistributionParams(**{**original_params(SEARCH_SPACE), "sample_frac": frac, "p_orig": 0.5})
    assert mixture.sample_indices(params, np.random.default_rng(1)).size == round(frac * n)
