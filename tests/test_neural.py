"""The PyTorch MLP family on CPU: training, determinism, batching, sizes."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

import compact
from compact.adapters import TorchMLPAdapter, get_adapter
from compact.neural import TorchMLPClassifier, count_parameters, init_layers, predict_logits, train_mlps


def test_mlp_learns_and_beats_a_trivial_baseline(digits_scaled):
    X_tr, X_te, y_tr, y_te = digits_scaled
    clf = TorchMLPClassifier((16,), epochs=30, device="cpu", random_state=0).fit(X_tr, y_tr)
    assert clf.score(X_tr, y_tr) > 0.95
    assert clf.score(X_te, y_te) > 0.85  # the majority class scores about 0.1
    assert clf.n_params_ == count_parameters(64, (16,), 10) == 64 * 16 + 16 + 16 * 10 + 10
    assert clf.predict_proba(X_te).shape == (len(X_te), 10)


def test_mlp_is_deterministic_on_cpu(digits_scaled):
    X_tr, X_te, y_tr, _ = digits_scaled
    a = TorchMLPClassifier((8,), epochs=5, device="cpu", random_state=3).fit(X_tr, y_tr)
    b = TorchMLPClassifier((8,), epochs=5, device="cpu", random_state=3).fit(X_tr, y_tr)
    c = TorchMLPClassifier((8,), epochs=5, device="cpu", random_state=4).fit(X_tr, y_tr)
    assert np.array_equal(a.predict_proba(X_te), b.predict_proba(X_te))
    assert not np.array_equal(a.predict_proba(X_te), c.predict_proba(X_te))


def test_zero_weight_rows_do_not_count(digits_scaled):
    X_tr, X_te, y_tr, _ = digits_scaled
    w = (np.arange(len(y_tr)) % 2).astype(float)
    scrambled = y_tr.copy()
    scrambled[w == 0] = (scrambled[w == 0] + 1) % 10  # wrong labels, but weight 0
    a = TorchMLPClassifier((8,), epochs=3, device="cpu", random_state=0).fit(X_tr, y_tr, sample_weight=w)
    b = TorchMLPClassifier((8,), epochs=3, device="cpu", random_state=0).fit(X_tr, scrambled, sample_weight=w)
    assert np.allclose(a.predict_proba(X_te), b.predict_proba(X_te), atol=1e-6)


def test_batched_equals_one_by_one(digits_scaled):
    X_tr, X_te, y_tr, _ = digits_scaled
    weights = np.random.default_rng(0).integers(0, 3, size=(4, len(y_tr))).astype(float)
    kw = dict(hidden=(8, 4), n_classes=10, shuffle_seed=9, epochs=4, device="cpu")
    batched = train_mlps(X_tr, y_tr, weights, seeds=[1, 2, 3, 4], **kw)
    for k in range(4):
        alone = train_mlps(X_tr, y_tr, weights[k: k + 1], seeds=[k + 1], **kw)
        one = [(w[k], b[k]) for w, b in batched]
        two = [(w[0], b[0]) for w, b in alone]
        assert np.allclose(predict_logits(one, X_te), predict_logits(two, X_te), atol=1e-4)
    # Different seeds or weights give different candidates.
    assert not np.allclose(batched[0][0][0], batched[0][0][1])


def test_train_mlps_checks_weight_shape(digits_scaled):
    X_tr, _, y_tr, _ = digits_scaled
    with pytest.raises(ValueError, match="weights must have shape"):
        train_mlps(X_tr, y_tr, np.ones(len(y_tr)), hidden=(2,), n_classes=10, seeds=[0], shuffle_seed=0)


def test_invalid_parameters(digits_scaled):
    X_tr, _, y_tr, _ = digits_scaled
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        TorchMLPClassifier((0,), device="cpu").fit(X_tr, y_tr)
    with pytest.raises(ValueError, match="device"):
        TorchMLPClassifier(device="tpu").fit(X_tr, y_tr)


def test_adapter_sizes(digits_scaled):
    X_tr, _, y_tr, _ = digits_scaled
    adapter = get_adapter(TorchMLPClassifier((4, 4), epochs=2, device="cpu"))
    assert isinstance(adapter, TorchMLPAdapter)
    model = adapter.fit(adapter.build({}), X_tr, y_tr, size={"hidden_units": 6})
    assert adapter.measure(model)["hidden_units"] == 6 and [w.shape[1] for w in model.coefs_] == [6, 6, 10]
    budget = count_parameters(64, (5, 5), 10)
    model = adapter.fit(adapter.build({}), X_tr, y_tr, size={"n_params": budget + 3})
    assert adapter.measure(model) == {"hidden_units": 5, "n_params": budget, "n_nonzero": budget}
    with pytest.raises(ValueError, match="below the smallest"):
        adapter.width({"n_params": 20}, 64, 10)


def test_compacting_an_mlp(digits_scaled):
    X_tr, X_te, y_tr, y_te = digits_scaled
    from sklearn.naive_bayes import GaussianNB

    result = compact.fit(
        TorchMLPClassifier(epochs=15, device="cpu"), X_tr, y_tr, size={"n_params": 700},
        oracle=GaussianNB().fit(X_tr, y_tr), n_trials=4, n_draws=1, random_state=0,
    )
    assert result.size_["n_params"] <= 700 and result.model_.n_params_ <= 700
    assert result.best_score_ >= result.baseline_score_ and result.model_.score(X_te, y_te) > 0.8


@parametrize_with_checks(
    [TorchMLPClassifier(epochs=30, device="cpu")],
    expected_failed_checks=lambda est: {
        "check_sample_weight_equivalence_on_dense_data": (
            "float32 training: weights and repeated rows agree to about 1e-7, not to the check's tolerance"
        ),
    },
)
def test_sklearn_contract(estimator, check):
    check(estimator)


@pytest.mark.parametrize("weights_mode", [False, True])
def test_batched_draws_match_sequential_draws(digits_scaled, monkeypatch, weights_mode):
    """compact.fit trains a trial's draws as one batch; the scores equal one-by-one training."""
    X_tr, _, y_tr, _ = digits_scaled
    from sklearn.naive_bayes import GaussianNB

    kw = dict(size={"hidden_units": 4}, oracle=GaussianNB().fit(X_tr, y_tr), n_trials=3, n_draws=3,
              weights_mode=weights_mode, random_state=0, prune_draws=None)  # one by one: no race either
    batched = compact.fit(TorchMLPClassifier(epochs=3, device="cpu"), X_tr, y_tr, **kw)
    monkeypatch.setattr(TorchMLPAdapter, "fit_batch", None)
    sequential = compact.fit(TorchMLPClassifier(epochs=3, device="cpu"), X_tr, y_tr, **kw)
    for a, b in zip(batched.trials_, sequential.trials_):
        assert len(a.scores) == (1 if a.number == 0 else 3)
        assert np.allclose(a.scores, b.scores, atol=1e-6)


def test_width_for_a_parameter_budget_is_the_widest_that_fits():
    adapter = get_adapter(TorchMLPClassifier((4, 4, 4)))
    for budget in (500, 1234, 10**6):
        width = adapter.width({"n_params": budget}, 30, 3)
        assert count_parameters(30, (width,) * 3, 3) <= budget < count_parameters(30, (width + 1,) * 3, 3)
    assert adapter.width({"n_params": 10**6, "hidden_units": 7}, 30, 3) == 7


def test_trials_are_asked_and_trained_in_batches(digits_scaled, monkeypatch):
    """With trial_batch=4, each fit_batch call trains the draws of up to four trials."""
    X_tr, _, y_tr, _ = digits_scaled
    from sklearn.naive_bayes import GaussianNB

    calls = []
    original = TorchMLPAdapter.fit_batch

    def counting(self, X, y, weights, **kw):
        calls.append(len(weights))
        return original(self, X, y, weights, **kw)

    monkeypatch.setattr(TorchMLPAdapter, "fit_batch", counting)
    kw = dict(size={"hidden_units": 3}, oracle=GaussianNB().fit(X_tr, y_tr), n_trials=14, n_draws=2,
              trial_batch=4, random_state=1)
    result = compact.fit(TorchMLPClassifier(epochs=2, device="cpu"), X_tr, y_tr, **kw)
    # Trial 0 (the original data) has one draw, every other trial two.
    assert calls == [1 + 3 * 2, 4 * 2, 4 * 2, 2 * 2]
    assert [t.number for t in result.trials_] == list(range(14))
    assert result.best_score_ >= result.baseline_score_
    again = compact.fit(TorchMLPClassifier(epochs=2, device="cpu"), X_tr, y_tr, **kw)
    assert [t.scores for t in again.trials_] == [t.scores for t in result.trials_]


def test_fit_batch_gives_each_candidate_its_own_initial_weights(digits_scaled):
    """Candidate k of fit_batch equals fit(build(size, random_states[k])); different seeds start apart."""
    X_tr, X_te, y_tr, _ = digits_scaled
    adapter = get_adapter(TorchMLPClassifier((6,), epochs=2, device="cpu"))
    weights = np.random.default_rng(1).integers(0, 3, size=(3, len(y_tr))).astype(float)
    seeds = [11, 12, 13]
    batch = adapter.fit_batch(X_tr, y_tr, weights, size={"hidden_units": 5}, random_states=seeds)
    for k, seed in enumerate(seeds):
        alone = adapter.fit(adapter.build({}, seed), X_tr, y_tr, weights[k], size={"hidden_units": 5})
        assert np.allclose(batch[k].predict_proba(X_te), alone.predict_proba(X_te), atol=1e-5)
    # The same sample weights with different seeds give different nets: the initial weights differ.
    same = adapter.fit_batch(X_tr, y_tr, np.ones((2, len(y_tr))), size={"hidden_units": 5}, random_states=[1, 2])
    assert not np.allclose(same[0].coefs_[0], same[1].coefs_[0])
    a, b = (TorchMLPClassifier(random_state=s).training_seeds()[0] for s in (1, 2))
    (w1, _), = init_layers([a], 64, (), 10)
    (w2, _), = init_layers([b], 64, (), 10)
    assert not np.allclose(w1, w2)


def test_draws_of_one_trial_start_from_different_weights(digits_scaled, monkeypatch):
    """compact.fit gives every (trial, draw) its own model seed, and a refit is exact."""
    X_tr, _, y_tr, _ = digits_scaled
    from sklearn.naive_bayes import GaussianNB

    seen = []
    original = TorchMLPAdapter.fit_batch

    def recording(self, X, y, weights, *, size, random_states):
        seen.append(list(random_states))
        return original(self, X, y, weights, size=size, random_states=random_states)

    monkeypatch.setattr(TorchMLPAdapter, "fit_batch", recording)
    kw = dict(size={"hidden_units": 3}, oracle=GaussianNB().fit(X_tr, y_tr), n_trials=3, n_draws=3,
              trial_batch=1, random_state=0)
    result = compact.fit(TorchMLPClassifier(epochs=2, device="cpu"), X_tr, y_tr, **kw)
    draws = [s for s in seen if len(s) == 3]
    assert draws and all(len(set(s)) == 3 for s in draws)  # three seeds per trial
    assert len({x for s in seen for x in s}) == sum(len(s) for s in seen)  # and none repeats across trials
    again = compact.fit(TorchMLPClassifier(epochs=2, device="cpu"), X_tr, y_tr, **kw)
    assert [t.scores for t in again.trials_] == [t.scores for t in result.trials_]


def test_early_stopping_per_candidate(digits_scaled):
    X_tr, X_te, y_tr, y_te = digits_scaled
    kw = dict(hidden=(16,), n_classes=10, epochs=40, lr=0.05, device="cpu", early_stopping=True, patience=2)
    weights = np.ones((2, len(y_tr)))
    batched = train_mlps(X_tr, y_tr, weights, seeds=[1, 2], shuffle_seed=[3, 4], **kw)
    for k, (seed, order) in enumerate([(1, 3), (2, 4)]):
        alone = train_mlps(X_tr, y_tr, weights[k:k + 1], seeds=[seed], shuffle_seed=[order], **kw)
        assert np.allclose(predict_logits([(w[k], b[k]) for w, b in batched], X_te),
                           predict_logits([(w[0], b[0]) for w, b in alone], X_te), atol=1e-4)
    # It stops: with 40 or 400 epochs allowed, the candidate stops at the same epoch with the same weights.
    longer = train_mlps(X_tr, y_tr, weights[:1], seeds=[1], shuffle_seed=[3], **dict(kw, epochs=400))
    assert np.allclose(longer[0][0][0], batched[0][0][0], atol=1e-5)
    clf = TorchMLPClassifier((16,), epochs=40, early_stopping=True, patience=3, device="cpu", random_state=0)
    assert clf.fit(X_tr, y_tr).score(X_te, y_te) > 0.9


def test_snapshot_and_masks(digits_scaled):
    X_tr, _, y_tr, _ = digits_scaled
    masks = [np.random.default_rng(0).integers(0, 2, size=(64, 4)).astype(np.float32),
             np.ones((4, 10), np.float32)]
    final, start = train_mlps(X_tr, y_tr, np.ones((1, len(y_tr))), hidden=(4,), n_classes=10, seeds=[5],
                              epochs=2, device="cpu", masks=masks, snapshot_epoch=0)
    initial = init_layers([5], 64, (4,), 10)
    assert np.array_equal(start[0][0], initial[0][0] * masks[0])  # epoch 0 = the initial weights, masked
    assert np.all(final[0][0][0][masks[0] == 0] == 0) and not np.allclose(final[0][0], start[0][0])


def test_global_random_state_is_left_alone(digits_scaled):
    import torch

    X_tr, _, y_tr, _ = digits_scaled
    state = torch.get_rng_state()
    TorchMLPClassifier((3,), epochs=1, device="cpu", random_state=1).fit(X_tr, y_tr)
    assert torch.equal(state, torch.get_rng_state())


@pytest.mark.skipif("not __import__('torch').cuda.is_available()", reason="needs a CUDA GPU")
def test_cuda_training_matches_cpu_closely(digits_scaled):
    X_tr, X_te, y_tr, y_te = digits_scaled
    cpu = TorchMLPClassifier((16,), epochs=10, device="cpu", random_state=0).fit(X_tr, y_tr)
    gpu = TorchMLPClassifier((16,), epochs=10, device="cuda", random_state=0).fit(X_tr, y_tr)
    assert abs(cpu.score(X_te, y_te) - gpu.score(X_te, y_te)) < 0.03
    adapter = get_adapter(TorchMLPClassifier((8,), epochs=3, device="cuda"))
    batch = adapter.fit_batch(X_tr, y_tr, np.ones((4, len(y_tr))), size={"hidden_units": 8}, random_states=[0, 1, 2, 3])
    assert all(m.score(X_te, y_te) > 0.5 for m in batch)
    from compact.pruning import lottery_ticket, nonzero_parameters

    ticket = lottery_ticket(TorchMLPClassifier((24,), epochs=5), X_tr, y_tr, 400, rounds=2, device="cuda")
    assert nonzero_parameters(ticket) <= 400


@pytest.mark.parametrize("setting, message", [
    (dict(epochs=0), "^epochs must be a positive integer, got 0.$"),
    (dict(batch_size=-5), "^batch_size must be a positive integer"),
    (dict(patience=0), "^patience must be a positive integer"),
    (dict(lr=0.0), "^lr must be a positive number"),
    (dict(weight_decay=-1.0), "^weight_decay must be a non-negative number"),
    (dict(validation_fraction=1.5), r"^validation_fraction must be in \(0, 1\)"),
])
def test_training_settings_that_would_train_nothing_are_refused_before_any_work(small_data, setting, message):
    """epochs=0 or a negative batch size trained nothing without a word; the adapter checks them, so compact.fit
    refuses them before the oracle is fitted."""
    from sklearn.linear_model import LogisticRegression

    class NeverFitted(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            raise AssertionError("the oracle was fitted")

    X, y = small_data
    with pytest.raises(ValueError, match=message):
        TorchMLPClassifier((4,), device="cpu", **setting).fit(X, y)
    with pytest.raises(ValueError, match=message):
        compact.fit(TorchMLPClassifier((4,), device="cpu", **setting), X, y, size={"hidden_units": 2}, n_trials=2,
                    oracle=NeverFitted())


def test_negative_weights_and_diverged_training_are_errors(small_data):
    X, y = small_data
    with pytest.raises(ValueError, match="Negative values in data passed to `sample_weight`"):
        TorchMLPClassifier((4,), epochs=1, device="cpu").fit(X, y, sample_weight=-np.ones(len(y)))
    diverges = TorchMLPClassifier((8,), epochs=2, lr=1e20, device="cpu", random_state=0)
    with pytest.raises(ValueError, match="^Training diverged: the net's weights are not all finite numbers"):
        clone(diverges).fit(X * 1e3, y)
    # In a search, the baseline (the original data) diverges first: one error, not a model of NaN weights.
    with pytest.raises(ValueError, match="could not be fitted and scored .*Training diverged"):
        compact.fit(diverges, X * 1e3, y, size={"hidden_units": 4}, n_trials=2, random_state=0)


def test_the_estimators_own_random_state_seeds_the_sparse_nets_ticket(small_data):
    X, y = small_data
    tickets = []
    for random_state in (1, 2):
        adapter = TorchMLPAdapter(TorchMLPClassifier((8,), epochs=2, device="cpu", random_state=5))
        adapter.prepare(X, y, size={"n_nonzero": 60}, random_state=random_state)
        tickets.append(adapter.ticket)
    assert all(np.array_equal(a, b) for a, b in zip(tickets[0].masks, tickets[1].masks))
    assert all(np.array_equal(np.asarray(a[0]), np.asarray(b[0])) for a, b in zip(tickets[0].rewind, tickets[1].rewind))
    free = TorchMLPAdapter(TorchMLPClassifier((8,), epochs=2, device="cpu"))
    assert free.seed_for(1) == 1 and free.seed_for(None) == 0
