"""Your own torch.nn.Module through a factory that takes the size."""

import numpy as np
import pytest
import torch
from sklearn.naive_bayes import GaussianNB
from sklearn.utils.estimator_checks import parametrize_with_checks

import compact
from compact.adapters import TorchModuleAdapter, get_adapter
from compact.neural import TorchModuleClassifier, train_modules


def tanh_net(size, n_features, n_classes):
    """A module-level factory (so estimators using it pickle)."""
    return torch.nn.Sequential(torch.nn.Linear(n_features, size), torch.nn.Tanh(), torch.nn.Linear(size, n_classes))


def n_params(size, n_features=64, n_classes=10):
    return n_features * size + size + size * n_classes + n_classes


def test_module_classifier_learns_and_is_deterministic(digits_scaled):
    X_tr, X_te, y_tr, y_te = digits_scaled
    a = TorchModuleClassifier(tanh_net, size=12, epochs=20, device="cpu", random_state=0).fit(X_tr, y_tr)
    b = TorchModuleClassifier(tanh_net, size=12, epochs=20, device="cpu", random_state=0).fit(X_tr, y_tr)
    assert a.score(X_te, y_te) > 0.85 and a.n_params_ == n_params(12)
    assert np.array_equal(a.predict_proba(X_te), b.predict_proba(X_te))
    state = torch.get_rng_state()
    TorchModuleClassifier(tanh_net, size=3, epochs=1, device="cpu", random_state=5).fit(X_tr, y_tr)
    assert torch.equal(state, torch.get_rng_state())  # the global RNG is left alone


def test_train_modules_batched_equals_one_by_one(digits_scaled):
    X_tr, X_te, y_tr, _ = digits_scaled
    est = TorchModuleClassifier(tanh_net)
    weights = np.random.default_rng(0).integers(0, 3, size=(3, len(y_tr))).astype(float)
    kw = dict(shuffle_seed=4, epochs=3, device="cpu")
    batched = train_modules([est.build_module(6, 64, 10, seed=s) for s in (1, 2, 3)], X_tr, y_tr, weights, **kw)
    Xt = torch.as_tensor(X_te, dtype=torch.float32)
    for k, seed in enumerate((1, 2, 3)):
        (alone,) = train_modules([est.build_module(6, 64, 10, seed=seed)], X_tr, y_tr, weights[k: k + 1], **kw)
        with torch.no_grad():
            assert torch.allclose(batched[k](Xt), alone(Xt), atol=1e-4)


def test_factory_errors(digits_scaled):
    X_tr, _, y_tr, _ = digits_scaled
    with pytest.raises(TypeError, match="callable"):
        TorchModuleClassifier(None, device="cpu").fit(X_tr, y_tr)
    with pytest.raises(TypeError, match="not a torch.nn.Module"):
        TorchModuleClassifier(lambda s, d, c: "net", device="cpu").fit(X_tr, y_tr)


def test_adapter_parameter_budget(digits_scaled):
    X_tr, _, y_tr, _ = digits_scaled
    adapter = get_adapter(TorchModuleClassifier(tanh_net, epochs=1, device="cpu"))
    assert isinstance(adapter, TorchModuleAdapter)
    assert adapter.module_size({"n_params": n_params(9) + 5}, 64, 10) == 9
    assert adapter.module_size({"n_params": 10**5, "size": 4}, 64, 10) == 4
    model = adapter.fit(adapter.build({}), X_tr, y_tr, size={"n_params": n_params(7)})
    assert adapter.measure(model) == {"size": 7, "n_params": n_params(7)}
    with pytest.raises(ValueError, match="below the smallest"):
        adapter.module_size({"n_params": 50}, 64, 10)


@pytest.mark.parametrize("batch", [1, 4])
def test_compacting_a_module_batched_and_not(digits_scaled, monkeypatch, batch):
    X_tr, X_te, y_tr, y_te = digits_scaled
    # prune_draws=None: one by one, draws would be raced against the best trial; batched, never.
    kw = dict(size={"n_params": 400}, oracle=GaussianNB().fit(X_tr, y_tr), n_trials=5, n_draws=2,
              trial_batch=batch, random_state=0, prune_draws=None)
    est = TorchModuleClassifier(tanh_net, epochs=8, device="cpu")
    batched = compact.fit(est, X_tr, y_tr, **kw)
    assert batched.size_["n_params"] <= 400 and batched.best_score_ >= batched.baseline_score_
    monkeypatch.setattr(TorchModuleAdapter, "fit_batch", None)
    sequential = compact.fit(est, X_tr, y_tr, **kw)
    for a, b in zip(batched.trials_, sequential.trials_):
        assert np.allclose(a.scores, b.scores, atol=1e-6)


@parametrize_with_checks(
    [TorchModuleClassifier(tanh_net, size=8, epochs=30, device="cpu")],
    expected_failed_checks=lambda est: {
        "check_sample_weight_equivalence_on_dense_data": (
            "float32 training: weights and repeated rows agree to about 1e-7, not to the check's tolerance"
        ),
    },
)
def test_sklearn_contract(estimator, check):
    check(estimator)


def bn_dropout_net(size, n_features, n_classes):
    return torch.nn.Sequential(torch.nn.Linear(n_features, size), torch.nn.BatchNorm1d(size), torch.nn.ReLU(),
                               torch.nn.Dropout(0.2), torch.nn.Linear(size, n_classes))


def test_batchnorm_and_dropout_module(digits_scaled):
    """Issue 12's done-when: dropout trains under vmap, running statistics come back, eval mode predicts."""
    import compact

    X_tr, X_te, y_tr, y_te = digits_scaled
    clf = compact.TorchModuleClassifier(bn_dropout_net, size=32, epochs=30, random_state=0).fit(X_tr, y_tr)
    bn = clf.module_[1]
    assert not clf.module_.training
    assert bn.running_mean.abs().sum() > 0 and not torch.allclose(bn.running_var, torch.ones(32))
    assert int(bn.num_batches_tracked) > 0
    assert clf.score(X_te, y_te) >= 0.85
    again = compact.TorchModuleClassifier(bn_dropout_net, size=32, epochs=30, random_state=0).fit(X_tr, y_tr)
    assert np.array_equal(clf.predict_proba(X_te), again.predict_proba(X_te))  # dropout is seeded


def test_batched_buffers_are_per_candidate(digits_scaled):
    X_tr, _, y_tr, _ = digits_scaled
    est = TorchModuleClassifier(bn_dropout_net)
    weights = np.zeros((2, len(y_tr)))
    weights[0, y_tr < 5] = 1.0
    weights[1, y_tr >= 5] = 1.0
    modules = train_modules([est.build_module(8, 64, 10, seed=s) for s in (1, 2)], X_tr, y_tr, weights,
                            shuffle_seed=[3, 4], epochs=2, device="cpu")
    # BatchNorm normalises the whole minibatch (every row, weighted or not); the two candidates
    # still differ in their statistics, since their weights (hence their first layers) differ.
    assert not torch.allclose(modules[0][1].running_mean, modules[1][1].running_mean)
    assert all(not m.training for m in modules)


def test_module_early_stopping_restores_buffers(digits_scaled):
    X_tr, X_te, y_tr, y_te = digits_scaled
    clf = TorchModuleClassifier(bn_dropout_net, size=16, epochs=60, early_stopping=True, patience=2,
                                device="cpu", random_state=0).fit(X_tr, y_tr)
    assert clf.score(X_te, y_te) > 0.85 and clf.module_[1].running_mean.abs().sum() > 0
