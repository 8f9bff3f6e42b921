import contextlib
import csv
import hashlib
import inspect
import json

import numpy as np
import pytest
from scipy.stats import wilcoxon
from sklearn.datasets import load_digits
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

import compact
import compact.harness as harness
from compact.adapters import DecisionTreeAdapter, get_adapter
from compact.neural import TorchMLPClassifier
from compact.pruning import prune_tree


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _rows(result, method):
    return [r for r in result.rows if r["method"] == method]


def test_done_when_tree_by_leaves_has_every_row_and_control(digits):
    X, y = load_digits(return_X_y=True)
    result = compact.compare(DecisionTreeClassifier(), X, y, sizes=[8], size_name="max_leaf_nodes", seeds=1,
                             n_trials=8)
    frame = result.to_frame()
    assert list(frame["method"]) == ["baseline", "compacted", "pruned", "restarts", "distilled"]
    assert "leaves" in frame and "depth" in frame and (frame["leaves"] <= 8).all()
    assert (frame["measured_size"] == frame["leaves"]).all()
    compacted, restarts = _rows(result, "compacted")[0], _rows(result, "restarts")[0]
    # The restarts control gets as many models as compaction trained: at most 1 + 7 x 3 (the original
    # trial has one draw; prune_draws stops the draws of clearly worse trials).
    assert compacted["n_models"] == restarts["n_models"] <= 1 + 7 * 3
    assert result.meta["prune_draws"] == 0.5


def test_splits_shared_per_seed_and_validation_selects(digits, monkeypatch):
    X, y = digits
    seen = []
    fit_method = harness._fit_method

    def spy(setup, split, method, request, cache):
        seen.append((split.seed, hashlib.sha1(split.X_tr.tobytes() + split.X_val.tobytes()).hexdigest()))
        return fit_method(setup, split, method, request, cache)

    monkeypatch.setattr(harness, "_fit_method", spy)
    result = compact.compare(DecisionTreeClassifier(), X, y, sizes=[2, 3], seeds=2, oracle=GaussianNB(),
                             n_trials=6, n_draws=1)
    assert len(result.rows) == 2 * 2 * 5
    for row in result.rows:
        assert row["measured_size"] <= row["size"] and row["depth"] == row["measured_size"]
        assert 0.0 <= row["test_score"] <= 1.0 and row["fit_seconds"] >= 0
    digests = {seed: {d for s, d in seen if s == seed} for seed in (0, 1)}
    assert len(digests[0]) == 1 and len(digests[1]) == 1 and digests[0] != digests[1]
    compacted, baseline = _rows(result, "compacted"), _rows(result, "baseline")
    assert np.mean([r["val_score"] for r in compacted]) >= np.mean([r["val_score"] for r in baseline])


def test_restarts_spend_compactions_budget_and_keep_the_best_on_validation(digits):
    X, y = digits
    tree = DecisionTreeClassifier(max_features="sqrt")  # seeds matter
    result = compact.compare(tree, X, y, sizes=[3], seeds=1, oracle=GaussianNB(), n_trials=4, n_draws=2,
                             methods=["compacted", "restarts"])
    compacted, restarts = _rows(result, "compacted")[0], _rows(result, "restarts")[0]
    assert restarts["n_models"] == compacted["n_models"] == 1 + 3 * 2
    # Recompute the control: the same seeds on the same split, the best validation score wins.
    setup = harness._Setup(get_adapter(tree), "f1_macro", "max_depth", {}, {}, None, "oracle", False)
    split = harness._make_split(setup, *harness.check_data(X, y)[:2], 0, 0.2, 0.25)
    states = np.random.default_rng([0, 1]).integers(0, 2**31 - 1, size=7).tolist()
    models = harness._fit_original(setup.adapter, {"max_depth": 3}, split.X_fit, split.y_tr, states)
    val = [compact.harness.check_scoring(tree, scoring="f1_macro")(m, split.X_val, split.y_val) for m in models]
    assert len(set(val)) > 1 and restarts["val_score"] == pytest.approx(max(val))
    # Without a compacted row the budget is the nominal one: 1 + (n_trials - 1) * n_draws.
    alone = compact.compare(tree, X, y, sizes=[3], seeds=1, n_trials=5, n_draws=2, methods=["restarts"])
    assert alone.rows[0]["n_models"] == 9
    # n_draws left to the family: trees draw twice per trial, and the budget follows.
    family = compact.compare(tree, X, y, sizes=[3], seeds=1, n_trials=5, methods=["restarts"])
    assert family.rows[0]["n_models"] == 9 and family.meta["n_draws"] == 2


def test_balanced_restarts_are_restarts_with_balanced_class_weights(digits):
    X, y = digits
    keep = (y < 2) | (np.arange(len(y)) % 6 == 0)  # classes 0 and 1 whole, the others a sixth
    X, y = X[keep], y[keep]
    tree = DecisionTreeClassifier(max_features="sqrt")
    result = compact.compare(tree, X, y, sizes=[3], seeds=1, oracle=GaussianNB(), n_trials=4, n_draws=2,
                             methods=["compacted", "restarts", "balanced_restarts"])
    compacted, plain, balanced = result.rows
    assert balanced["method"] == "balanced_restarts" and balanced["n_models"] == compacted["n_models"] == 7
    # The same seeds as the restarts control, each tree with class_weight="balanced"; the best on the
    # rows compaction scores trees on (training + validation).
    setup = harness._Setup(get_adapter(tree), "f1_macro", "max_depth", {}, {}, None, "oracle", False)
    split = harness._make_split(setup, X, y, 0, 0.2, 0.25)
    states = np.random.default_rng([0, 1]).integers(0, 2**31 - 1, size=7).tolist()
    X_score, y_score = np.vstack([split.X_tr, split.X_val]), np.concatenate([split.y_tr, split.y_val])
    trees = [DecisionTreeClassifier(max_depth=3, max_features="sqrt", class_weight="balanced", random_state=s)
             .fit(split.X_tr, split.y_tr) for s in states]
    scores = [f1_score(y_score, t.predict(X_score), average="macro") for t in trees]
    best = trees[int(np.argmax(scores))]
    assert balanced["test_score"] == f1_score(split.y_te, best.predict(split.X_te), average="macro")
    assert balanced["test_score"] != plain["test_score"]


def test_balanced_restarts_on_balanced_classes_are_the_restarts_for_a_batched_family(digits):
    # Exactly balanced training classes give every row weight 1: the nets trained together
    # (fit_batch) must then be the restarts' nets, seed for seed.
    adapter = get_adapter(TorchMLPClassifier((8,), epochs=2, device="cpu"))
    X, y = digits
    keep = np.concatenate([np.flatnonzero(y == c)[:150] for c in range(3)])
    result = compact.compare(adapter, X[keep], y[keep], sizes=[120], size_name="n_params", seeds=1,
                             methods=["restarts", "balanced_restarts"], n_trials=3, n_draws=2)
    setup = harness._Setup(adapter, "f1_macro", "n_params", {}, {}, None, "oracle", False)
    assert np.all(np.bincount(harness._make_split(setup, X[keep], y[keep], 0, 0.2, 0.25).y_tr) == 90)
    plain, balanced = result.rows
    assert balanced["n_models"] == plain["n_models"] == 5
    assert (balanced["test_score"], balanced["val_score"]) == (plain["test_score"], plain["val_score"])


def test_balanced_restarts_need_sample_weight(digits):
    X, y = digits
    with pytest.raises(ValueError, match=r"^balanced_restarts needs sample_weight; KNeighborsClassifier"):
        compact.compare(KNeighborsClassifier(), X, y, sizes=[5], size_param="n_neighbors",
                        methods=["baseline", "balanced_restarts"])
    assert "balanced_restarts" not in harness._expand(None, get_adapter(DecisionTreeClassifier()), {"max_depth": 2})


def test_outputs_table_csv_json_and_plot(digits, tmp_path):
    X, y = digits
    result = compact.compare(DecisionTreeClassifier(), X, y, sizes=[1, 2], methods=["baseline", "compacted"],
                             seeds=1, oracle=GaussianNB(), n_trials=3, n_draws=1)
    assert result.columns == [*harness.BASE_COLUMNS, "depth", "leaves", *harness.TAIL_COLUMNS]
    result.to_csv(tmp_path / "rows.csv")
    with open(tmp_path / "rows.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4 and list(rows[0]) == result.columns
    data = json.loads(result.to_json(tmp_path / "rows.json"))
    assert data["meta"]["size_name"] == "max_depth" and len(data["rows"]) == 4
    summary = result.summary()
    assert [(s["method"], s["size"]) for s in summary] == [("baseline", 1), ("baseline", 2),
                                                           ("compacted", 1), ("compacted", 2)]
    assert all(s["leaves"] >= 1 and s["depth"] == s["measured_size"] for s in summary)
    fig = result.plot(tmp_path / "plot.png")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "measured size (max_depth)" and ax.get_ylabel() == "test f1_macro"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["baseline", "compacted"]
    x = ax.get_lines()[0].get_xdata()
    assert list(x) == sorted(s["measured_size"] for s in summary if s["method"] == "baseline")
    assert (tmp_path / "plot.png").stat().st_size > 10_000
    assert result.to_frame().shape == (4, len(result.columns))
    assert "| compacted vs |" in result.report()


def test_summary_and_paired_statistics():
    scores = {"compacted": [0.8, 0.7, 0.9, 0.6, 0.75, 0.85], "baseline": [0.7, 0.6, 0.7, 0.5, 0.6, 0.65],
              "pruned": [0.8, 0.7, 0.9, 0.6, 0.75, 0.85], "distilled": [0.81, 0.69, 0.92, 0.58, 0.76, 0.84]}
    rows = [{"method": m, "size": size, "seed": seed, "test_score": s[2 * seed + i], "val_score": 0.5,
             "measured_size": size, "n_models": 1, "fit_seconds": 0.0}
            for m, s in scores.items() for seed in range(3) for i, size in enumerate((2, 3))]
    result = harness.Comparison(rows, "f1_macro", "max_depth", "tree", 100)
    first = next(s for s in result.summary() if s["method"] == "compacted" and s["size"] == 2)
    assert first["n"] == 3 and first["mean"] == pytest.approx(np.mean([0.8, 0.9, 0.75]))
    assert first["std"] == pytest.approx(np.std([0.8, 0.9, 0.75], ddof=1)) and first["compacted_lead"] == 0.0
    lead = next(s for s in result.summary() if s["method"] == "baseline" and s["size"] == 3)["compacted_lead"]
    assert lead == pytest.approx(np.mean([0.7 - 0.6, 0.6 - 0.5, 0.85 - 0.65]))
    paired = {p["method"]: p for p in result.paired()}
    diff = np.subtract(scores["compacted"], scores["baseline"])
    assert paired["baseline"]["n_pairs"] == 6 and paired["baseline"]["mean_diff"] == pytest.approx(diff.mean())
    assert paired["baseline"]["p_value"] == pytest.approx(wilcoxon(diff).pvalue)
    assert paired["baseline"]["wins"] == 6 and paired["baseline"]["p_value"] < 0.05
    assert not paired["baseline"]["within_noise"]
    # All differences zero: p = 1, within noise (scipy would fail on them).
    assert paired["pruned"]["p_value"] == 1.0 and paired["pruned"]["within_noise"] and paired["pruned"]["ties"] == 6
    assert paired["distilled"]["within_noise"] and paired["distilled"]["wins"] == 3
    assert paired["distilled"]["losses"] == 3


def test_rows_do_not_depend_on_n_jobs(digits):
    X, y = digits
    kwargs = dict(sizes=[2, 3], seeds=2, oracle=GaussianNB(), n_trials=3, n_draws=1,
                  methods=["baseline", "compacted", "restarts", "distilled"])
    serial = compact.compare(DecisionTreeClassifier(), X, y, **kwargs)
    parallel = compact.compare(DecisionTreeClassifier(), X, y, n_jobs=2, **kwargs)
    strip = [[{k: v for k, v in r.items() if k != "fit_seconds"} for r in c.rows] for c in (serial, parallel)]
    assert strip[0] == strip[1]


def test_dask_backend_gives_the_serial_rows(digits):
    distributed = pytest.importorskip("dask.distributed", reason="dask.distributed is not installed")
    import joblib

    X, y = digits
    kwargs = dict(sizes=[1, 2], seeds=2, oracle=GaussianNB(), n_trials=3, n_draws=1, methods=["baseline", "compacted"])
    serial = compact.compare(DecisionTreeClassifier(), X, y, **kwargs)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster, \
            distributed.Client(cluster), joblib.parallel_config(backend="dask"), \
            distributed.get_task_stream() as stream:
        spread = compact.compare(DecisionTreeClassifier(), X, y, n_jobs=-1, **kwargs)
    # The seeds' splits and the (seed, size, method) fits ran as Dask tasks (joblib may batch them).
    keys = [t["key"] for t in stream.data]
    assert any("_make_split" in k for k in keys) and any("__task" in k for k in keys)
    strip = [[{k: v for k, v in r.items() if k != "fit_seconds"} for r in c.rows] for c in (serial, spread)]
    assert strip[0] == strip[1]


@pytest.mark.parametrize(
    "estimator, size, report",
    [
        (DecisionTreeClassifier(), 3, {"depth", "leaves"}),
        (LogisticRegression(), 5, {"nonzero_coefs", "nonzero_features", "intercepts"}),
        (HistGradientBoostingClassifier(), (3, 2), {"rounds", "n_trees", "depth", "total_leaves"}),
        (GradientBoostingClassifier(), (3, 2), {"rounds", "n_trees", "depth", "total_leaves"}),
        (RandomForestClassifier(n_jobs=1), (3, 2), {"n_trees", "depth", "total_leaves"}),
    ],
)
def test_size_report_per_family(digits, estimator, size, report):
    X, y = digits[0][:400], digits[1][:400]
    adapter = get_adapter(estimator)
    request = adapter.normalize_size(size)
    model = adapter.fit(adapter.build(request, random_state=0), X, y, size=request)
    units = adapter.size_report(model)
    assert set(units) == report and all(isinstance(v, int) and v >= 0 for v in units.values())
    if "n_trees" in units and "rounds" in units:  # boosting: rounds x one tree per class
        assert units["n_trees"] == units["rounds"] * 10 and units["depth"] <= 2
    if "total_leaves" in units:
        assert units["n_trees"] <= units["total_leaves"] <= units["n_trees"] * 4
    if "leaves" in units:
        assert units == {"depth": model.get_depth(), "leaves": model.get_n_leaves()}
    if "nonzero_coefs" in units:
        assert units["nonzero_coefs"] == np.count_nonzero(model.coef_) <= 5 and units["intercepts"] >= 1


def test_size_report_of_xgboost_counts_trees_per_class(digits):
    xgboost = pytest.importorskip("xgboost")
    X, y = digits
    result = compact.compare(xgboost.XGBClassifier(n_jobs=1), X, y, sizes=[(2, 2)], seeds=1,
                             methods=["baseline"], oracle=GaussianNB())
    row = result.rows[0]
    assert row["rounds"] == 2 and row["n_trees"] == 20 and row["depth"] <= 2 and row["total_leaves"] <= 80


def test_generic_adapter_reports_its_parameter(digits):
    X, y = digits
    result = compact.compare(KNeighborsClassifier(), X, y, sizes=[5], size_param="n_neighbors", seeds=1,
                             methods=["baseline"], oracle=GaussianNB())
    assert result.columns == [*harness.BASE_COLUMNS, "n_neighbors", *harness.TAIL_COLUMNS]
    assert result.rows[0]["n_neighbors"] == 5


def test_linear_pruned_is_the_l1_path_and_sparse_compaction(digits):
    X, y = digits
    keep = y < 2
    result = compact.compare(LogisticRegression(), X[keep], y[keep], sizes=[3], seeds=1,
                             methods=["baseline", "pruned"], oracle=GaussianNB(), n_trials=2)
    base, pruned = result.rows
    assert pruned["measured_size"] <= 3 and pruned["test_score"] == base["test_score"]
    assert pruned["nonzero_coefs"] <= 3 and pruned["intercepts"] in (0, 1)  # liblinear may zero it
    # compacted_sparse: the family has size n_nonzero and the request is another unit.
    sparse = compact.compare(LogisticRegression(), X, y, sizes=[4], size_name="n_features", seeds=1,
                             methods=["compacted", "compacted_sparse"], oracle=GaussianNB(), n_trials=2, n_draws=1)
    compacted, sparse_row = sparse.rows
    assert sparse_row["method"] == "compacted_sparse" and sparse_row["nonzero_coefs"] <= 4
    assert sparse_row["measured_size"] == sparse_row["nonzero_coefs"] and compacted["nonzero_features"] <= 4
    # Asked in n_nonzero already, the compacted row is the sparse one: no duplicate by default.
    default = harness._expand(None, get_adapter(LogisticRegression()), {"n_nonzero": 3})
    assert "compacted_sparse" not in default and "pruned" in default


def test_compacted_sparse_net(digits):
    adapter = get_adapter(TorchMLPClassifier((16,), epochs=3, device="cpu"))
    if "n_nonzero" not in adapter.size_names:
        pytest.skip("the MLP adapter has no size n_nonzero (sparse nets) in this tree")
    X, y = digits
    result = compact.compare(adapter, X, y, sizes=[300], size_name="n_params", seeds=1,
                             methods=["compacted", "compacted_sparse"], oracle=GaussianNB(), n_trials=2, n_draws=1)
    sparse = _rows(result, "compacted_sparse")[0]
    assert sparse["measured_size"] <= 300


def test_mlp_rows_come_from_the_adapter_protocol(digits):
    adapter = get_adapter(TorchMLPClassifier((16,), epochs=3, device="cpu"))
    X, y = digits
    methods = ["baseline", "pruned", "distilled"]
    if "random_states" in inspect.signature(adapter.fit_batch).parameters:
        methods.append("restarts")
    with pytest.warns(UserWarning) if not adapter.counterparts() else contextlib.nullcontext():
        result = compact.compare(adapter, X, y, sizes=[300], size_name="n_params", seeds=1, methods=methods,
                                 oracle=GaussianNB(), n_trials=2, n_draws=1)
    expected = {"baseline", "distilled", *adapter.counterparts()} | ({"restarts"} & set(methods))
    assert {r["method"] for r in result.rows} == expected
    assert all(r["measured_size"] <= 300 for r in result.rows)


def test_counterparts_are_the_adapters_with_pruning_options_and_a_cache_per_seed(digits):
    calls = []

    class Shrinking(DecisionTreeAdapter):
        def counterparts(self):
            return ("pruned", "halved")

        def fit_counterpart(self, name, X, y, *, size, random_state=None, cache=None, **options):
            calls.append((name, size[("max_depth")], random_state, id(cache), options))
            if name == "pruned":
                return super().fit_counterpart(name, X, y, size=size, random_state=random_state, cache=cache)
            half = {"max_depth": max(size["max_depth"] // 2, 1)}
            return self.fit(self.build(half, random_state), X, y, size=half)

    X, y = digits
    result = compact.compare(Shrinking(DecisionTreeClassifier()), X, y, sizes=[2, 4], seeds=2,
                             methods=["pruned"], pruning={"rounds": 3})
    assert [(r["method"], r["size"], r["seed"]) for r in result.rows] == [
        (m, s, seed) for seed in (0, 1) for s in (2, 4) for m in ("pruned", "halved")]
    assert all(options == {"rounds": 3} for *_, options in calls)
    caches = {seed: {c for _, _, rs, c, _ in calls if rs == seed} for seed in (0, 1)}
    assert len(caches[0]) == 1 and len(caches[1]) == 1  # one cache per seed, shared by sizes and names
    assert result.meta["pruning"] == {"rounds": 3}
    assert [r["depth"] for r in result.rows if r["method"] == "halved"] == [1, 2, 1, 2]


def test_harness_has_no_family_dispatch():
    source = inspect.getsource(harness)
    for needle in ("isinstance(", "hasattr(", "__name__ ==", "DecisionTree", "TorchMLP", "L1Path"):
        assert needle not in source


def test_prune_tree_within_size(digits):
    X, y = digits
    tree, alpha = prune_tree(DecisionTreeClassifier(), X, y, {"max_depth": 3}, random_state=0)
    assert tree.get_depth() <= 3 and alpha > 0


def test_compare_errors(digits):
    X, y = digits
    with pytest.raises(ValueError, match="Unknown method"):
        compact.compare(DecisionTreeClassifier(), X, y, sizes=[2], methods=["magic"])
    with pytest.raises(ValueError, match="at least one size"):
        compact.compare(DecisionTreeClassifier(), X, y, sizes=[])
    with pytest.raises(ValueError, match="compacted_sparse needs"):
        compact.compare(DecisionTreeClassifier(), X, y, sizes=[2], methods=["compacted_sparse"])
    with pytest.warns(UserWarning, match="No pruned counterpart"):
        compact.compare(RandomForestClassifier(n_jobs=1), X, y, sizes=[(3, 2)], seeds=1, methods=["pruned"])


def test_a_class_too_small_to_stratify_still_gets_a_split():
    """A class of two rows cannot be stratified into train, validation and test: it stays in training."""
    from sklearn.naive_bayes import GaussianNB

    X, y = load_digits(return_X_y=True)
    keep = y < 3
    keep[np.flatnonzero(y == 9)[:2]] = True
    X, y = X[keep], y[keep]
    assert np.bincount(y)[9] == 2
    result = compact.compare(DecisionTreeClassifier(), X, y, sizes=[2], seeds=1, n_trials=3,
                             methods=("baseline", "compacted"), oracle=GaussianNB())
    assert [r["method"] for r in result.rows] == ["baseline", "compacted"]
    assert all(0 <= r["test_score"] <= 1 for r in result.rows)


# -- refused before any work; an interrupted compaction stops the comparison -------------------------------------


@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if a split (and its oracle) is made: bad input must be refused before."""
    def refuse(*args, **kwargs):
        raise AssertionError("compare started work on bad input")

    monkeypatch.setattr(harness, "_make_split", refuse)
    monkeypatch.setattr(harness, "resolve_oracle", refuse)


@pytest.fixture(scope="module")
def iris():
    from sklearn.datasets import load_iris

    return load_iris(return_X_y=True)


def test_an_interrupted_compaction_stops_compare(iris, monkeypatch):
    class Interrupted(harness.CompactSearch):  # Ctrl-C in the search: fit keeps the best so far
        def fit(self, X, y, **kwargs):
            super().fit(X, y, **kwargs)
            self.result_.interrupted_ = True
            return self

    monkeypatch.setattr(harness, "CompactSearch", Interrupted)
    X, y = iris
    with pytest.raises(KeyboardInterrupt, match="compaction interrupted at seed 0"):
        compact.compare(DecisionTreeClassifier(), X, y, sizes=[2], seeds=1, n_trials=2, oracle=GaussianNB(),
                        methods=["compacted", "restarts"])


def test_sizes_must_differ_in_the_parameter_rows_are_keyed_by(iris, no_work):
    X, y = iris
    with pytest.raises(ValueError, match=r"^sizes \[\(3, 1\), \(3, 3\)\] repeat n_estimators=3: compare keys"):
        compact.compare(RandomForestClassifier(n_jobs=1), X, y, sizes=[(3, 1), (3, 3)], seeds=1, n_trials=2)
    with pytest.raises(ValueError, match=r"^size \{'max_leaf_nodes': 4\} has no max_depth"):
        compact.compare(DecisionTreeClassifier(), X, y, sizes=[{"max_depth": 2}, {"max_leaf_nodes": 4}])
    with pytest.raises(ValueError, match="repeat max_depth=2"):
        compact.compare(DecisionTreeClassifier(), X, y, sizes=[2, 2])


def test_parameter_budgets_and_options_are_checked_before_any_work(iris, no_work):
    X, y = iris
    mlp = TorchMLPClassifier((8,), epochs=1, device="cpu")
    with pytest.raises(ValueError, match=r"^compacted_sparse .* not hidden_units; pass size_name='n_params'"):
        compact.compare(mlp, X, y, sizes=[8])  # the default methods have compacted_sparse and the pruned nets
    with pytest.raises(ValueError, match=r"^the counterpart 'pruned_layer' of TorchMLPClassifier is held to "
                                         r"n_nonzero, which the size \{'hidden_units': 8\} does not give"):
        compact.compare(mlp, X, y, sizes=[8], methods=["baseline", "pruned"])
    with pytest.raises(ValueError, match=r"^search_params \['n_jobs', 'random_state'\]: compare sets them"):
        compact.compare(DecisionTreeClassifier(), X, y, sizes=[2], search_params={"random_state": 1, "n_jobs": 2})
    with pytest.raises(ValueError, match=r"^search_params \['storage', 'study_name'\]: compare runs a compaction"):
        compact.compare(DecisionTreeClassifier(), X, y, sizes=[2], search_params={"storage": "s.journal",
                                                                                  "study_name": "s"})
    with pytest.raises(ValueError, match=r"^pruning \['rounds'\]: DecisionTreeClassifier's counterparts take no"):
        compact.compare(DecisionTreeClassifier(), X, y, sizes=[2], pruning={"rounds": 3})
    with pytest.raises(ValueError, match=r"^pruning \['round'\]: TorchMLPClassifier's counterparts take only rounds"):
        compact.compare(mlp, X, y, sizes=[100], size_name="n_params", pruning={"round": 3})
    with pytest.raises(ValueError, match=r"^pruning \['cache'\]: compare passes"):
        compact.compare(mlp, X, y, sizes=[100], size_name="n_params", pruning={"cache": {}})


def test_a_validation_part_of_one_class_is_refused_before_the_oracles(no_work):
    X = np.random.default_rng(0).normal(size=(20, 3))
    y = np.r_[np.zeros(18, int), np.ones(2, int)]  # the two rare rows go to training and test
    with pytest.raises(ValueError, match=r"^seed 0: the validation part \(4 rows, validation_size=0.25\) holds one "
                                         r"class \(0\)"):
        compact.compare(DecisionTreeClassifier(), X, y, sizes=[1], seeds=1, n_trials=2)
