import numpy as np
import pytest

from compact.distributions import (
    ORIGINAL,
    SEARCH_SPACE,
    DistributionParams,
    DPBetaMixture,
    flatten_uncertainty,
)


def params(**kw):
    values = dict(ORIGINAL)
    values.update(kw)
    return DistributionParams(**values)


def test_flatten_preserves_ranks_and_spreads_evenly(rng):
    u = rng.beta(0.3, 5.0, size=5000)  # piled up near 0, as oracle scores are
    f = flatten_uncertainty(u)
    assert f.min() == pytest.approx(0.1) and f.max() == pytest.approx(0.9)
    order = np.argsort(u)
    assert np.all(np.diff(f[order]) >= 0)
    # Each tenth of [0.1, 0.9] holds about a tenth of the points.
    hist, _ = np.histogram(f, bins=10, range=(0.1, 0.9))
    assert hist.min() > 400 and hist.max() < 600


def test_flatten_keeps_ties_equal():
    u = np.array([0.0, 0.0, 0.0, 0.2, 0.5, 0.5, 0.9])
    f = flatten_uncertainty(u, n_bins=3)
    assert f[0] == f[1] == f[2] and f[4] == f[5]
    assert f[0] < f[3] < f[4] < f[6]
    constant = flatten_uncertainty(np.ones(5))
    assert np.all(constant == constant[0]) and 0.1 <= constant[0] <= 0.9


def test_search_space_contains_original():
    assert [p.name for p in SEARCH_SPACE] == list(ORIGINAL)
    for p in SEARCH_SPACE:
        assert p.low <= ORIGINAL[p.name] <= p.high


def test_original_distribution_is_the_training_set(rng):
    y = np.repeat([0, 1, 2], [50, 30, 20])
    sampler = DPBetaMixture(rng.random(100), y)
    p = params()
    assert p.is_original
    assert np.array_equal(np.sort(sampler.sample_indices(p, rng)), np.arange(100))
    assert np.allclose(sampler.expected_weights(p, rng), 1.0)


def test_stratified_part_keeps_class_proportions(rng):
    y = np.repeat([0, 1, 2], [500, 300, 200])
    sampler = DPBetaMixture(rng.random(1000), y)
    idx = sampler.sample_indices(params(sample_frac=0.3, p_orig=1.0), rng)
    assert idx.size == 300
    assert np.array_equal(np.bincount(y[idx]), [150, 90, 60])
    assert np.unique(idx).size == 300  # without replacement below 100 %
    idx = sampler.sample_indices(params(sample_frac=1.5, p_orig=1.0), rng)
    assert idx.size == 1500 and np.array_equal(np.bincount(y[idx]), [750, 450, 300])


def test_sample_size_and_part_rounding(rng):
    y = np.repeat([0, 1], 500)
    sampler = DPBetaMixture(rng.random(1000), y, min_part_size=10)
    assert sampler._part_sizes(params(sample_frac=0.5, p_orig=0.4)) == (200, 300)
    # 1 % of 500 points is under the minimum part size: folded into the other part.
    assert sampler._part_sizes(params(sample_frac=0.5, p_orig=0.99)) == (500, 0)
    assert sampler._part_sizes(params(sample_frac=0.5, p_orig=0.01)) == (0, 500)
    for frac in (0.1, 0.77, 2.0):
        assert sampler.sample_indices(params(sample_frac=frac, p_orig=0.3), rng).size == round(frac * 1000)


def test_beta_components_favour_their_region(rng):
    """Beta(a, b) with a >> b puts the mixture part on high-uncertainty points."""
    u = np.linspace(0.1, 0.9, 2000)
    sampler = DPBetaMixture(u, np.zeros(2000, dtype=int))
    high = params(p_orig=0.0, A_a=100.0, B_a=0.1, A_b=0.1, B_b=100.0)  # a ~ 20, b ~ 0
    low = params(p_orig=0.0, A_a=0.1, B_a=100.0, A_b=100.0, B_b=0.1)
    assert u[sampler.sample_indices(high, rng)].mean() > 0.8
    assert u[sampler.sample_indices(low, rng)].mean() < 0.2


def test_expected_weights_match_resample_frequencies():
    """Weights mode is the expectation of resample mode for the same draw of clusters."""
    u = np.linspace(0.05, 0.95, 200)
    y = np.arange(200) % 2
    sampler = DPBetaMixture(u, y)
    p = params(sample_frac=1.0, p_orig=0.3, alpha=2.0, A_a=3.0, B_a=1.0, A_b=1.0, B_b=2.0)
    weights = sampler.expected_weights(p, np.random.default_rng(5))
    assert weights.sum() == pytest.approx(200)
    # Re-using the same seed gives the same clusters; only the point draws differ.
    counts = np.zeros(200)
    reps = 400
    for r in range(reps):
        rng = np.random.default_rng(5)
        sizes, prob = sampler._components(p, 140, rng)
        mix = np.random.default_rng(1000 + r).choice(200, size=140, p=sizes @ prob / 140)
        counts += np.bincount(mix, minlength=200)
    mixture_part = weights - 60 / 200
    assert np.abs(counts / reps - mixture_part).max() < 0.35
    assert np.corrcoef(counts / reps, mixture_part)[0, 1] > 0.95


def test_vectorised_inverse_cdf_matches_probabilities():
    u = np.linspace(0.1, 0.9, 50)
    sampler = DPBetaMixture(u, np.zeros(50, dtype=int))
    p = params(sample_frac=200.0, p_orig=0.0, alpha=0.5)
    rng = np.random.default_rng(1)
    idx = sampler.sample_indices(p, rng)
    sizes, prob = sampler._components(p, 10000, np.random.default_rng(1))
    # Same seed: stratified part draws nothing from rng when n_orig == 0.
    expected = sizes @ prob
    observed = np.bincount(idx, minlength=50)
    assert idx.size == 10000
    assert np.corrcoef(observed, expected)[0, 1] > 0.98


def test_draws_are_reproducible():
    u = np.random.default_rng(0).random(300)
    y = np.arange(300) % 3
    sampler = DPBetaMixture(u, y)
    p = params(sample_frac=0.8, p_orig=0.5, alpha=3.0)
    a = sampler.sample_indices(p, np.random.default_rng(42))
    b = sampler.sample_indices(p, np.random.default_rng(42))
    c = sampler.sample_indices(p, np.random.default_rng(43))
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_rejects_mismatched_inputs():
    with pytest.raises(ValueError, match="same length"):
        DPBetaMixture(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="non-empty"):
        flatten_uncertainty([])
