"""The generated problems of ``benchmarks/generated.py`` that defaults are chosen on."""

import importlib.util
import os

import numpy as np
import pytest

BENCHMARKS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks")


def _module(name):
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", os.path.join(BENCHMARKS, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated():
    return _module("generated")


def test_ringnorm_has_delves_spreads_and_means(generated):
    X, y = generated.make_norms(0, 0, 100, False, n_samples=20000)
    assert X.shape == (20000, 20) and abs(np.mean(y) - 0.5) < 0.02
    # Class 0 spreads twice as wide; the class means differ by 2/sqrt(20) in every feature.
    assert np.allclose(X[y == 0].std(axis=0), 2.0, rtol=0.05) and np.allclose(X[y == 1].std(axis=0), 1.0, rtol=0.05)
    gap = X[y == 1].mean(axis=0) - X[y == 0].mean(axis=0)
    assert abs(gap.mean() - 2 / np.sqrt(20)) < 0.02 and np.all(np.abs(gap - 2 / np.sqrt(20)) < 0.1)


def test_norms_three_classes_twonorm_and_imbalance(generated):
    X, y = generated.make_norms(2, 0, 100, True, n_samples=20000)
    share = 0.55 ** np.arange(3)
    assert np.allclose(np.bincount(y) / y.size, share / share.sum(), atol=0.015)
    assert np.allclose([X[y == k].std() for k in range(3)], [2.0, 1.0, 0.5], rtol=0.05)
    assert np.allclose(np.diff([X[y == k].mean() for k in range(3)]), 2 / np.sqrt(20), atol=0.03)
    assert generated.make_norms(1, 0, 100, False)[0].shape == (5000, 10)
    X, y = generated.make_norms(3, 0, 100, False, n_samples=20000)
    assert np.allclose([X[y == k].std() for k in range(2)], 1.0, rtol=0.05)
    assert abs((X[y == 1].mean() - X[y == 0].mean()) - 4 / np.sqrt(20)) < 0.03
    # Other seeds, other rows.
    assert not np.array_equal(generated.make_norms(3, 1, 100, False)[0], generated.make_norms(3, 0, 100, False)[0])


def test_write_csv_is_what_peers_reads(generated, tmp_path):
    peers = _module("peers")
    generated.main(["--family", "norms", "--write-csv", str(tmp_path), "--rows", "700", "--problem-seed", "7"])
    assert sorted(os.listdir(tmp_path)) == [f"norms{k}_7.csv" for k in range(4)]
    generated.main(["--family", "norms", "--write-csv", str(tmp_path), "--rows", "700", "--imbalanced"])
    assert set(os.listdir(tmp_path)) == {f"norms{k}_{tail}.csv" for k in range(4) for tail in ("7", "100_imb")}
    X, y = peers.load_csv(str(tmp_path / "norms2_7.csv"))
    X0, y0 = generated.make_problem(2, 0, 7, False, "norms", n_samples=700)
    assert X.shape == (700, 20) and np.array_equal(X, X0) and np.array_equal(y, y0)
