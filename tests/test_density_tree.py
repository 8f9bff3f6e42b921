import numpy as np
import pytest
from sklearn.tree import DecisionTreeClassifier

import compact
from compact.density_tree import DensityTreeMixture, fit_density_tree, level_weights, segment_levels
from compact.distributions import ORIGINAL, DistributionParams


@pytest.fixture(scope="module")
def tree_data(small_data):
    X, y = small_data
    tree = fit_density_tree(X, y, regression=False, random_state=0)
    return X, y, tree, segment_levels(tree, X)


def params(**kw):
    values = dict(ORIGINAL, depth_frac=1.0)
    values.update(kw)
    return DistributionParams(**values)


def test_levels_follow_each_points_path(tree_data):
    X, y, tree, levels = tree_data
    assert levels.shape == (len(X), tree.get_depth() + 1)
    assert np.all(levels[:, 0] == 0)  # everyone starts at the root
    leaves = tree.apply(X)
    assert np.array_equal(levels[:, -1], leaves)  # the deepest level is each point's leaf
    node_depth = np.zeros(tree.tree_.node_count, dtype=int)
    for parent in range(tree.tree_.node_count):  # children are numbered after their parent
        for child in (tree.tree_.children_left[parent], tree.tree_.children_right[parent]):
            if child >= 0:
                node_depth[child] = node_depth[parent] + 1
    d = np.arange(levels.shape[1])
    assert np.all(node_depth[levels] == np.minimum(d[None, :], node_depth[leaves][:, None]))


def test_level_weights_are_distributions(tree_data):
    *_, levels = tree_data
    weights = level_weights(levels)
    assert np.allclose(weights.sum(axis=0), 1.0)
    assert np.allclose(weights[:, 0], 1.0 / len(levels))  # the root: every point equally


def test_scheme_probabilities_sum_to_one(tree_data):
    X, y, _, levels = tree_data
    mixture = DensityTreeMixture(levels, y)
    a, b = np.array([0.5, 2.0, 15.0]), np.array([3.0, 2.0, 0.7])
    for frac in (0.1, 0.5, 1.0):
        pmf = mixture.depth_pmf(a, b, frac)
        assert np.allclose(pmf.sum(axis=1), 1.0)
        top = int(round(frac * mixture.tree_depth))
        assert np.all(pmf[:, top + 1:] == 0)
        prob = mixture._point_probabilities(a, b, params(depth_frac=frac))
        assert prob.shape == (3, len(X)) and np.allclose(prob.sum(axis=1), 1.0) and np.all(prob >= 0)


def test_chosen_depths_are_favoured(tree_data):
    X, y, _, levels = tree_data
    mixture = DensityTreeMixture(levels, y)
    deep = mixture.depth_pmf(np.array([20.0]), np.array([0.5]), 1.0)[0]
    shallow = mixture.depth_pmf(np.array([0.5]), np.array([20.0]), 1.0)[0]
    assert np.argmax(deep) == mixture.tree_depth and np.argmax(shallow) == 0
    # Deep schemes concentrate on points in small leaves; shallow ones spread evenly.
    leaf_size = np.bincount(levels[:, -1])[levels[:, -1]]
    p_deep = mixture._point_probabilities(np.array([20.0]), np.array([0.5]), params())[0]
    p_shallow = mixture._point_probabilities(np.array([0.5]), np.array([20.0]), params())[0]
    assert p_deep[leaf_size == 1].mean() > 3 * p_deep[leaf_size == leaf_size.max()].mean()
    assert p_shallow.max() / p_shallow.min() < p_deep.max() / p_deep.min()
    # A resample from a mixture that only uses deep schemes favours those points.
    idx = mixture.sample_indices(params(p_orig=0.0, A_a=100.0, B_a=0.1, A_b=0.1, B_b=100.0), np.random.default_rng(0))
    assert np.mean(leaf_size[idx] == 1) > 2 * np.mean(leaf_size == 1)


def test_draws_are_reproducible(tree_data):
    _, y, _, levels = tree_data
    mixture = DensityTreeMixture(levels, y)
    p = params(sample_frac=0.7, p_orig=0.2, alpha=3.0, depth_frac=0.6)
    a = mixture.sample_indices(p, np.random.default_rng(7))
    assert np.array_equal(a, mixture.sample_indices(p, np.random.default_rng(7)))
    assert not np.array_equal(a, mixture.sample_indices(p, np.random.default_rng(8)))
    w = mixture.expected_weights(p, np.random.default_rng(7))
    assert w.sum() == pytest.approx(round(0.7 * len(y)))


def test_fit_with_density_tree_method(digits_split):
    X_tr, X_te, y_tr, y_te = digits_split
    runs = [
        compact.fit(DecisionTreeClassifier(), X_tr, y_tr, size=3, method="density_tree", n_trials=25, random_state=0)
        for _ in range(2)
    ]
    result = runs[0]
    assert result.oracle_ is None and result.method == "density_tree"
    assert set(result.trials_[1].params) == set(ORIGINAL) | {"class_balance", "depth_frac"}
    assert result.size_ <= 3 and result.best_score_ > result.baseline_score_
    assert [t.scores for t in runs[1].trials_] == [t.scores for t in result.trials_]
    assert result.model_.score(X_te, y_te) > result.baseline_model_.score(X_te, y_te)
