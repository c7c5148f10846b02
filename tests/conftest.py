import pytest
import torch
from sklearn.datasets import load_digits

# Settings that make a fit take a fraction of a second; tests that measure
# quality set their own budgets.
FAST = dict(max_epochs=5, random_state=0)


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip_cuda = pytest.mark.skip(reason="needs a CUDA device; torch finds none")
    for item in items:
        if item.get_closest_marker("cuda") is not None:
            item.add_marker(skip_cuda)


@pytest.fixture(scope="session")
def digits():
    """scikit-learn's digits as ``(X, y)``: 1797 rows of 64 pixels in [0, 16]."""
    return load_digits(return_X_y=True)


@pytest.fixture
def fast():
    """Keyword arguments for a quick, seeded fit (a fresh dict per test)."""
    return dict(FAST)
