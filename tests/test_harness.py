import csv
import hashlib
import json

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

import compact
import compact.harness as harness
from compact.neural import TorchMLPClassifier
from compact.pruning import lottery_ticket, nonzero_parameters, prune_mlp, prune_tree


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_tree_comparison_respects_sizes_and_shares_splits(digits, monkeypatch):
    X, y = digits
    seen = []
    run = harness._run

    def spy(method, adapter, request, X_tr, y_tr, X_val, y_val, classes, oracle, seed, **kw):
        digest = hashlib.sha1(X_tr.tobytes() + X_val.tobytes()).hexdigest()
        seen.append((seed, method, digest))
        return run(method, adapter, request, X_tr, y_tr, X_val, y_val, classes, oracle, seed, **kw)

    monkeypatch.setattr(harness, "_run", spy)
    result = compact.compare(DecisionTreeClassifier(), X, y, sizes=[2, 3], seeds=2, oracle=GaussianNB(),
                             n_trials=6, n_draws=1)
    assert len(result.rows) == 2 * 2 * 4
    assert {r["method"] for r in result.rows} == {"baseline", "compacted", "pruned", "distilled"}
    for row in result.rows:
        assert row["measured_size"] <= row["size"]
        assert 0.0 <= row["test_score"] <= 1.0 and row["fit_seconds"] >= 0
    # One split per seed, shared by every method and size; different seeds, different splits.
    digests = {seed: {d for s, _, d in seen if s == seed} for seed in (0, 1)}
    assert len(digests[0]) == 1 and len(digests[1]) == 1 and digests[0] != digests[1]
    compacted = [r for r in result.rows if r["method"] == "compacted"]
    baseline = [r for r in result.rows if r["method"] == "baseline"]
    assert np.mean([r["val_score"] for r in compacted]) >= np.mean([r["val_score"] for r in baseline])


def test_outputs_table_csv_json_and_plot(digits, tmp_path):
    X, y = digits
    result = compact.compare(DecisionTreeClassifier(), X, y, sizes=[1, 2], methods=["baseline", "compacted"],
                             seeds=1, oracle=GaussianNB(), n_trials=3, n_draws=1)
    result.to_csv(tmp_path / "rows.csv")
    with open(tmp_path / "rows.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4 and rows[0].keys() == set(harness.COLUMNS)
    data = json.loads(result.to_json(tmp_path / "rows.json"))
    assert data["meta"]["size_name"] == "max_depth" and len(data["rows"]) == 4
    summary = result.summary()
    assert [(s["method"], s["size"]) for s in summary] == [("baseline", 1), ("baseline", 2),
                                                           ("compacted", 1), ("compacted", 2)]
    fig = result.plot(tmp_path / "plot.png")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "model size (max_depth)" and ax.get_ylabel() == "test f1_macro"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["baseline", "compacted"]
    assert (tmp_path / "plot.png").stat().st_size > 10_000
    assert result.to_frame().shape == (4, len(harness.COLUMNS))


def test_mlp_comparison_counts_nonzero_parameters(digits):
    X, y = digits
    result = compact.compare(TorchMLPClassifier((16,), epochs=5, device="cpu"), X, y, sizes=[300],
                             size_name="n_params", seeds=1, oracle=GaussianNB(), n_trials=3, n_draws=1)
    methods = {r["method"] for r in result.rows}
    assert methods == {"baseline", "compacted", "pruned_layer", "pruned_global", "lottery_ticket", "distilled"}
    for row in result.rows:
        assert row["nonzero_params"] <= 300 and row["measured_size"] == row["nonzero_params"]


def test_linear_pruned_is_the_l1_path(digits):
    X, y = digits
    keep = y < 2
    result = compact.compare(LogisticRegression(), X[keep], y[keep], sizes=[3], seeds=1,
                             methods=["baseline", "pruned"], oracle=GaussianNB(), n_trials=2)
    base, pruned = result.rows
    assert pruned["measured_size"] <= 3 and pruned["test_score"] == base["test_score"]


def test_pruning_functions(digits):
    X, y = digits
    tree, alpha = prune_tree(DecisionTreeClassifier(), X, y, {"max_depth": 3}, random_state=0)
    assert tree.get_depth() <= 3 and alpha > 0
    dense = TorchMLPClassifier((24,), epochs=10, device="cpu", random_state=0).fit(X, y)
    assert nonzero_parameters(dense) == dense.n_params_
    for scope in ("layer", "global"):
        pruned = prune_mlp(dense, X, y, 400, scope=scope)
        assert nonzero_parameters(pruned) <= 400 and pruned.score(X, y) > 0.5
    assert nonzero_parameters(dense) == dense.n_params_  # the dense model is left as it was
    ticket = lottery_ticket(TorchMLPClassifier((24,), epochs=10, device="cpu"), X, y, 400, rounds=3)
    assert nonzero_parameters(ticket) <= 400 and ticket.score(X, y) > 0.7
    with pytest.raises(ValueError, match="no weight"):
        prune_mlp(dense, X, y, 20)
    with pytest.raises(ValueError, match="scope"):
        prune_mlp(dense, X, y, 400, scope="row")


def test_compare_errors(digits):
    X, y = digits
    with pytest.raises(ValueError, match="Unknown method"):
        compact.compare(DecisionTreeClassifier(), X, y, sizes=[2], methods=["magic"])
    with pytest.raises(ValueError, match="size_name='n_params'"):
        compact.compare(TorchMLPClassifier(), X, y, sizes=[4])
    with pytest.raises(ValueError, match="at least one size"):
        compact.compare(DecisionTreeClassifier(), X, y, sizes=[])
    with pytest.warns(UserWarning, match="No pruned counterpart"):
        from sklearn.ensemble import RandomForestClassifier

        compact.compare(RandomForestClassifier(n_jobs=1), X, y, sizes=[(3, 2)], seeds=1, methods=["pruned"])
