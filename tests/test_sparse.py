"""The compacted sparse net: size n_nonzero, the mask found once by IMP, candidates retrained under it."""

import numpy as np
import pytest
from sklearn.naive_bayes import GaussianNB

import compact
from compact.adapters import get_adapter
from compact.neural import TorchMLPClassifier
from compact.pruning import nonzero_parameters


def test_sparse_candidates_keep_the_mask(digits_scaled):
    X_tr, X_te, y_tr, y_te = digits_scaled
    adapter = get_adapter(TorchMLPClassifier((16,), epochs=4, device="cpu"))
    size = adapter.normalize_size({"n_nonzero": 200})
    with pytest.raises(RuntimeError, match="prepare"):
        adapter.fit(adapter.build(size, 0), X_tr, y_tr, size=size)
    adapter.prepare(X_tr, y_tr, size=size, random_state=0)
    masks = adapter.ticket.masks
    weights = np.random.default_rng(0).integers(0, 3, size=(3, len(y_tr))).astype(float)
    batch = adapter.fit_batch(X_tr, y_tr, weights, size=size, random_states=[1, 2, 3])
    for k, model in enumerate(batch):
        assert adapter.within(adapter.measure(model), size) and nonzero_parameters(model) <= 200
        assert all(np.all(w[m == 0] == 0) for w, m in zip(model.coefs_, masks))
        alone = adapter.fit(adapter.build(size, k + 1), X_tr, y_tr, weights[k], size=size)
        assert np.allclose(alone.predict_proba(X_te), model.predict_proba(X_te), atol=1e-5)
    assert not np.allclose(batch[0].coefs_[0], batch[1].coefs_[0])  # other samples, other nets
    assert adapter.size_report(batch[0])["nonzero_params"] <= 200
    other = adapter.normalize_size({"n_nonzero": 150})
    with pytest.raises(RuntimeError, match="prepare"):
        adapter.fit_batch(X_tr, y_tr, weights, size=other, random_states=[1, 2, 3])


def test_compacting_a_sparse_net_stays_within_the_budget(digits_scaled):
    X_tr, X_te, y_tr, y_te = digits_scaled
    result = compact.fit(TorchMLPClassifier((32,), epochs=5, device="cpu"), X_tr, y_tr, size={"n_nonzero": 150},
                         oracle=GaussianNB().fit(X_tr, y_tr), n_trials=3, n_draws=2, random_state=0)
    assert nonzero_parameters(result.model_) <= 150 and result.size_["n_nonzero"] <= 150
    assert all(nonzero_parameters(m) <= 150 for m in [result.model_])
    assert result.model_.coefs_[0].shape == (64, 32)  # the width stays; the mask makes it sparse
    assert result.model_.score(X_te, y_te) > 0.3  # 150 non-zero parameters (a dense 1-unit net has 85)
