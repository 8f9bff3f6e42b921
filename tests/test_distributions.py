import numpy as np
import pytest

from compact.distributions import (
    CLASS_BALANCE_PARAM,
    ORIGINAL,
    SEARCH_SPACE,
    DistributionParams,
    DPBetaMixture,
    balance_weights,
    flatten_uncertainty,
    original_params,
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


# -- the fast draws against the implementation they replace ----------------------
def old_beta_rows(a, b, log_x, log_1mx):
    """beta_rows as it was before the in-place rewrite (reference)."""
    log_p = (a[:, None] - 1.0) * log_x + (b[:, None] - 1.0) * log_1mx
    log_p -= log_p.max(axis=1, keepdims=True)
    prob = np.exp(log_p)
    return prob / prob.sum(axis=1, keepdims=True)


class OldMixture(DPBetaMixture):
    """The sampling code before the speed work, copied verbatim as the reference."""

    def _point_probabilities(self, a, b, params):
        return old_beta_rows(a, b, self._log_u, self._log_1mu)

    def _stratified_counts(self, n_orig, rng):
        reps, rest = divmod(n_orig, self.n)
        counts = np.full(self.n, reps, dtype=np.int64)
        if rest:
            per_class = self._allocate(rest, self._class_counts)
            order = np.lexsort((rng.random(self.n), self._codes))
            rank = np.arange(self.n) - self._class_starts[self._codes[order]]
            counts[order[rank < per_class[self._codes[order]]]] += 1
        return counts

    def _components(self, params, n_mix, rng):
        sticks = rng.beta(1.0, params.alpha, size=self.max_components)
        sticks[-1] = 1.0
        weights = sticks * np.concatenate(([1.0], np.cumprod(1.0 - sticks[:-1])))
        sizes = rng.multinomial(n_mix, weights / weights.sum())
        a = self.scale * rng.beta(params.A_a, params.B_a, size=self.max_components)
        b = self.scale * rng.beta(params.A_b, params.B_b, size=self.max_components)
        keep = sizes > 0
        a = np.maximum(a[keep], 1e-3)
        b = np.maximum(b[keep], 1e-3)
        return sizes[keep], self._point_probabilities(a, b, params)

    def sample_indices(self, params, rng):
        n_orig, n_mix = self._part_sizes(params)
        orig_counts = self._stratified_counts(n_orig, rng)
        parts = [np.repeat(np.arange(self.n), orig_counts)]
        if n_mix:
            sizes, prob = self._components(params, n_mix, rng)
            k = sizes.size
            cdf = np.cumsum(prob, axis=1)
            cdf[:, -1] = 1.0
            cdf += np.arange(k)[:, None]
            rows = np.repeat(np.arange(k), sizes)
            pos = np.searchsorted(cdf.ravel(), rng.random(n_mix) + rows, side="right")
            parts.append(np.minimum(pos - rows * self.n, self.n - 1))
        return np.concatenate(parts)

    def expected_weights(self, params, rng):
        n_orig, n_mix = self._part_sizes(params)
        weights = np.zeros(self.n)
        if n_orig:
            reps, rest = divmod(n_orig, self.n)
            per_class = self._allocate(rest, self._class_counts)
            weights += reps + (per_class / self._class_counts)[self._codes]
        if n_mix:
            sizes, prob = self._components(params, n_mix, rng)
            weights += sizes @ prob
        return weights


def random_params(rng):
    """Parameters as the optimiser's random start proposes them, plus some corner cases."""
    from compact.distributions import SEARCH_SPACE

    values = {}
    for p in SEARCH_SPACE:
        if p.log:
            values[p.name] = float(np.exp(rng.uniform(np.log(p.low), np.log(p.high))))
        else:
            values[p.name] = float(rng.uniform(p.low, p.high))
    corner = rng.integers(6)
    if corner == 0:
        values["p_orig"] = 0.0
    elif corner == 1:
        values["p_orig"] = 1.0
    elif corner == 2:
        values.update(sample_frac=1.0, p_orig=1.0)  # the original distribution
    return DistributionParams(**values)


@pytest.mark.parametrize("n, n_classes", [(57, 2), (400, 3), (3000, 7), (1000, 30)])
def test_fast_draws_equal_the_old_implementation(n, n_classes):
    data = np.random.default_rng(n)
    u = flatten_uncertainty(data.beta(0.5, 3.0, size=n))
    u[: n // 10] = u[n // 10]  # some ties
    y = data.integers(n_classes, size=n)
    y[:n_classes] = np.arange(n_classes)
    new, old = DPBetaMixture(u, y), OldMixture(u, y)
    for case in range(40):
        p = random_params(data)
        seeds = [[case, d] for d in range(3)]
        rngs = lambda: [np.random.default_rng(s) for s in seeds]  # noqa: E731
        for s in seeds:
            assert np.array_equal(new.sample_indices(p, np.random.default_rng(s)),
                                  old.sample_indices(p, np.random.default_rng(s)))
            assert np.array_equal(new.expected_weights(p, np.random.default_rng(s)),
                                  old.expected_weights(p, np.random.default_rng(s)))
        counts = new.sample_counts(p, rngs())
        assert counts.shape == (3, n) and counts.dtype == np.int64
        expected = np.stack([np.bincount(old.sample_indices(p, r), minlength=n) for r in rngs()])
        assert np.array_equal(counts, expected)
        weights = new.sample_weights(p, rngs())
        assert weights.shape == (3, n)
        assert np.array_equal(weights, np.stack([old.expected_weights(p, r) for r in rngs()]))


def test_sample_counts_of_the_original_distribution_are_ones(rng):
    sampler = DPBetaMixture(rng.random(100), np.arange(100) % 3)
    p = params()
    rngs = [np.random.default_rng(1), np.random.default_rng(2)]
    assert np.array_equal(sampler.sample_counts(p, rngs), np.ones((2, 100), dtype=np.int64))
    assert np.array_equal(sampler.sample_weights(p, rngs), np.ones((2, 100)))
    assert sampler.sample_counts(p, []).shape == (0, 100)


def test_stratified_ties_go_to_the_lower_index():
    """Equal random keys: the point with the lower index is kept, as a stable sort keeps it."""

    class Constant:
        def random(self, n):
            return np.full(n, 0.5)

    y = np.repeat([0, 1], [6, 4])
    for sampler in (DPBetaMixture(np.linspace(0, 1, 10), y), OldMixture(np.linspace(0, 1, 10), y)):
        counts = sampler._stratified_counts(5, Constant())
        assert counts.tolist() == [1, 1, 1, 0, 0, 0, 1, 1, 0, 0]


def test_density_tree_fast_draws_equal_the_old_implementation(small_data):
    from compact.density_tree import DensityTreeMixture, fit_density_tree, segment_levels

    class OldTreeMixture(DensityTreeMixture):
        _stratified_counts = OldMixture._stratified_counts
        _components = OldMixture._components
        sample_indices = OldMixture.sample_indices
        expected_weights = OldMixture.expected_weights

        def _point_probabilities(self, a, b, params):
            depth_frac = 1.0 if params.depth_frac is None else params.depth_frac
            return self.depth_pmf(a, b, depth_frac) @ self._weights.T

    X, y = small_data
    levels = segment_levels(fit_density_tree(X, y, regression=False, random_state=0), X)
    new, old = DensityTreeMixture(levels, y), OldTreeMixture(levels, y)
    data = np.random.default_rng(3)
    for case in range(30):
        p = DistributionParams(**dict(random_params(data).to_dict(), depth_frac=float(data.uniform(0.05, 1))))
        rngs = lambda: [np.random.default_rng([case, d]) for d in range(3)]  # noqa: E731
        assert np.array_equal(new.sample_counts(p, rngs()),
                              np.stack([np.bincount(old.sample_indices(p, r), minlength=len(y)) for r in rngs()]))
        assert np.array_equal(new.sample_weights(p, rngs()), np.stack([old.expected_weights(p, r) for r in rngs()]))
        assert np.array_equal(new.sample_indices(p, rngs()[0]), old.sample_indices(p, rngs()[0]))


def test_sampler_pickles_and_draws_in_threads(rng):
    import pickle
    from concurrent.futures import ThreadPoolExecutor

    u, y = rng.random(500), np.arange(500) % 4
    sampler = DPBetaMixture(u, y)
    p = params(sample_frac=1.3, p_orig=0.2, alpha=5.0)
    expected = [sampler.sample_counts(p, [np.random.default_rng([s, d]) for d in range(3)]) for s in range(8)]
    clone = pickle.loads(pickle.dumps(sampler))
    assert np.array_equal(clone.sample_counts(p, [np.random.default_rng([0, d]) for d in range(3)]), expected[0])
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda s: sampler.sample_counts(p, [np.random.default_rng([s, d]) for d in range(3)]),
                            range(8)))
    assert all(np.array_equal(g, e) for g, e in zip(got, expected))


def test_balance_weights_move_class_totals_toward_equal():
    weights = np.array([2.0, 1.0, 1.0, 3.0, 1.0, 0.0])
    codes = np.array([0, 0, 0, 0, 1, 2])  # class 2 is not drawn
    assert np.array_equal(balance_weights(weights, codes, 0.0), np.ones(6))
    full = balance_weights(weights, codes, 1.0)
    totals = np.bincount(codes, weights=weights * full)
    assert totals[0] == pytest.approx(totals[1]) and totals[2] == 0.0
    assert totals.sum() == pytest.approx(weights.sum())  # full balance keeps the draw's total
    assert full[0] == pytest.approx(8 / (2 * 7)) and full[4] == pytest.approx(8 / 2)
    assert np.allclose(balance_weights(weights, codes, 0.5), np.sqrt(full))


def test_class_balance_is_an_extra_variable_whose_original_value_is_zero():
    from compact._mixture import space_of

    plain, balanced = space_of("oracle"), space_of("oracle", class_balance=True)
    assert balanced == plain + (CLASS_BALANCE_PARAM,)
    assert original_params(balanced) == {**ORIGINAL, "class_balance": 0.0}
    assert DistributionParams(**original_params(balanced)).is_original
    assert not DistributionParams(**{**ORIGINAL, "class_balance": 0.3}).is_original
    assert [p.name for p in space_of("density_tree", class_balance=True)][-2:] == ["class_balance", "depth_frac"]
