import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

pytest.register_assert_rewrite("storage_worker")  # its shared scenario asserts like a test


@pytest.fixture(scope="session")
def digits_split():
    """scikit-learn's digits (10 classes), split 80/20 train+validation / test."""
    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)


@pytest.fixture(scope="session")
def small_data():
    """A small 3-class problem for quick runs (first 3 digits)."""
    X, y = load_digits(return_X_y=True)
    keep = y < 3
    return X[keep], y[keep]


@pytest.fixture(scope="session")
def fitted_oracle(small_data):
    """A cheap already-fitted oracle, so quick tests skip xgboost."""
    X, y = small_data
    return LogisticRegression(max_iter=500).fit(X, y)


@pytest.fixture(scope="session")
def digits_scaled():
    """Standardised digits, split 70/30: for the neural networks."""
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


@pytest.fixture(scope="session")
def digits_oracle(digits_split):
    """A cheap fitted oracle for the 10-class digits training part."""
    from sklearn.naive_bayes import GaussianNB

    X_tr, _, y_tr, _ = digits_split
    return GaussianNB().fit(X_tr, y_tr)


@pytest.fixture
def rng():
    return np.random.default_rng(0)
