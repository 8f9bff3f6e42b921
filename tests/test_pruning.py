"""Pruned MLPs: the lottery ticket (rewind to init), late rewinding, open_lth's controls, the adapter rows."""

import numpy as np
import pytest

from compact.adapters import get_adapter
from compact.neural import TorchMLPClassifier
from compact.pruning import (
    MLP_COUNTERPARTS,
    find_ticket,
    late_rewinding,
    lottery_ticket,
    magnitude_masks,
    model_bytes,
    nonzero_parameters,
    prune_mlp,
    pruning_schedule,
    random_masks,
    random_pruning,
    random_reinit,
    train_dense,
)

BUDGET = 400


@pytest.fixture(scope="module")
def data(digits_scaled):
    X_tr, X_te, y_tr, y_te = digits_scaled
    return X_tr, X_te, y_tr, y_te


@pytest.fixture(scope="module")
def net():
    return TorchMLPClassifier((24,), epochs=8, device="cpu")


@pytest.fixture(scope="module")
def ticket(data, net):
    X_tr, _, y_tr, _ = data
    return find_ticket(net, X_tr, y_tr, BUDGET, rounds=2, seed=0)


def test_schedule_and_masks():
    assert pruning_schedule(1000, 100, rounds=2) == [316, 100]
    assert pruning_schedule(1000, 500, fraction=0.2) == [800, 640, 512, 500]
    with pytest.raises(ValueError, match="not both"):
        pruning_schedule(1000, 100, rounds=2, fraction=0.2)
    w = [np.array([[3.0, -1.0], [0.5, 2.0]]), np.array([[-4.0], [0.1]])]
    assert [m.tolist() for m in magnitude_masks(w, 3)] == [[[1, 0], [0, 1]], [[1], [0]]]
    # floor(2/6 * size) per layer: 1 of 4, 0 of 2
    assert [m.tolist() for m in magnitude_masks(w, 2, scope="layer")] == [[[1, 0], [0, 0]], [[0], [0]]]
    masks = magnitude_masks(w, 3)
    assert [m.tolist() for m in magnitude_masks(w, 2, masks=masks)] == [[[1, 0], [0, 0]], [[1], [0]]]
    rand = random_masks(masks, seed=0)
    assert sum(m.sum() for m in rand) == 3
    assert [m.sum() for m in random_masks(masks, seed=1, layerwise=True)] == [2, 1]


def test_lottery_ticket_rewinds_to_the_initial_weights(data, net, ticket):
    """Frankle & Carbin 2019: the survivors restart from the dense net's initial weights."""
    X_tr, X_te, y_tr, y_te = data
    assert ticket.rewind_epoch == 0
    for (w0, b0), (wr, br) in zip(ticket.initial, ticket.rewind):
        assert np.array_equal(w0, wr) and np.array_equal(b0, br)
    # The initial weights are those of the dense net TorchMLPClassifier(random_state=0) starts from.
    dense = train_dense(net, X_tr, y_tr, seed=0)
    fitted = TorchMLPClassifier((24,), epochs=8, device="cpu", random_state=0).fit(X_tr, y_tr)
    assert np.allclose(dense.model.coefs_[0], fitted.coefs_[0])
    assert nonzero_parameters(ticket.model) <= BUDGET
    assert all(np.all(w[m == 0] == 0) for w, m in zip(ticket.model.coefs_, ticket.masks))
    assert ticket.model.score(X_te, y_te) > 0.75
    # lottery_ticket is find_ticket's model; the default schedule gives the same budget.
    default = lottery_ticket(net, X_tr, y_tr, BUDGET, rounds=2, seed=0)
    assert np.array_equal(default.coefs_[0], ticket.model.coefs_[0])


def test_late_rewinding_rewinds_to_epoch_k(data, net):
    X_tr, X_te, y_tr, y_te = data
    late = find_ticket(net, X_tr, y_tr, BUDGET, rounds=2, rewind_epoch=1, seed=0)
    assert late.rewind_epoch == 1 and not np.allclose(late.rewind[0][0], late.initial[0][0])
    model = late_rewinding(net, X_tr, y_tr, BUDGET, rounds=2, seed=0)
    assert nonzero_parameters(model) <= BUDGET and model.score(X_te, y_te) > 0.75
    with pytest.raises(ValueError, match="rewind_epoch"):
        late_rewinding(net, X_tr, y_tr, BUDGET, rewind_epoch=0)


def test_open_lth_controls(data, net, ticket):
    X_tr, X_te, y_tr, _ = data
    rp = random_pruning(net, X_tr, y_tr, ticket, seed=0)
    kept = sum(int(m.sum()) for m in ticket.masks)
    assert nonzero_parameters(rp) <= BUDGET
    assert sum(np.count_nonzero(w) for w in rp.coefs_) <= kept
    assert any(not np.array_equal(w != 0, m > 0) for w, m in zip(rp.coefs_, ticket.masks))  # another mask
    ri = random_reinit(net, X_tr, y_tr, ticket, seed=0)
    assert all(np.all(w[m == 0] == 0) for w, m in zip(ri.coefs_, ticket.masks))  # the winning mask
    assert nonzero_parameters(ri) <= BUDGET
    assert not np.allclose(ri.coefs_[0], ticket.model.coefs_[0])


def test_one_shot_pruning_leaves_the_dense_net(data):
    X_tr, X_te, y_tr, y_te = data
    dense = TorchMLPClassifier((24,), epochs=8, device="cpu", random_state=0).fit(X_tr, y_tr)
    for scope in ("layer", "global"):
        pruned = prune_mlp(dense, X_tr, y_tr, BUDGET, scope=scope, finetune_epochs=3)
        assert nonzero_parameters(pruned) <= BUDGET and pruned.score(X_te, y_te) > 0.5
    assert nonzero_parameters(dense) == dense.n_params_
    with pytest.raises(ValueError, match="no weight"):
        prune_mlp(dense, X_tr, y_tr, 20)
    with pytest.raises(ValueError, match="scope"):
        prune_mlp(dense, X_tr, y_tr, BUDGET, scope="row")


def test_adapter_counterparts_and_size_report(data):
    X_tr, X_te, y_tr, _ = data
    adapter = get_adapter(TorchMLPClassifier((16,), epochs=4, device="cpu"))
    assert adapter.counterparts() == MLP_COUNTERPARTS == (
        "pruned_layer", "pruned_global", "lottery_ticket", "late_rewinding", "random_pruning", "random_reinit")
    cache = {}
    size = adapter.normalize_size({"n_params": 300})
    rows = {name: adapter.fit_counterpart(name, X_tr, y_tr, size=size, random_state=1, cache=cache)
            for name in adapter.counterparts()}
    for name, model in rows.items():
        report = adapter.size_report(model)
        assert report["nonzero_params"] <= 300, name
        assert report["dense_params"] == model.n_params_ == 64 * 16 + 16 + 16 * 10 + 10
        assert report["model_bytes"] == 4 * report["dense_params"] == model_bytes(model)
    # The dense net is trained once per seed (and once more for the late-rewinding snapshot).
    assert sorted(k[0] for k in cache) == ["dense", "dense", "ticket", "ticket"]
    with pytest.raises(ValueError, match="Unknown counterpart"):
        adapter.fit_counterpart("pruned", X_tr, y_tr, size=size, random_state=1, cache=cache)
