import numpy as np
import pytest

from sklearn_ae._scoring import offset_from_contamination, row_errors


def test_row_errors_are_mean_squared_residuals():
    residuals = np.array([[-1.0, -1.0], [0.0, 2.0]], dtype=np.float32)
    errors = row_errors(residuals)
    np.testing.assert_allclose(errors, [1.0, 2.0])
    assert errors.dtype == np.float64


@pytest.mark.parametrize("contamination", [0.01, 0.1, 0.25, 0.5])
def test_float_contamination_is_a_percentile(contamination):
    scores = -np.random.RandomState(0).exponential(size=1000)
    offset = offset_from_contamination(scores, contamination)
    assert offset == np.percentile(scores, 100 * contamination)
    assert np.mean(scores < offset) == pytest.approx(contamination, abs=1e-3)


def test_auto_contamination_is_tukeys_fence_on_errors():
    errors = np.r_[np.linspace(1.0, 2.0, 100), 50.0]
    q1, q3 = np.percentile(errors, [25, 75])
    offset = offset_from_contamination(-errors, "auto")
    assert offset == pytest.approx(-(q3 + 1.5 * (q3 - q1)))
    assert np.flatnonzero(-errors < offset).tolist() == [100]


def test_auto_contamination_is_scale_free():
    errors = np.random.RandomState(0).chisquare(3, size=500)
    assert offset_from_contamination(-1e3 * errors, "auto") == pytest.approx(
        1e3 * offset_from_contamination(-errors, "auto")
    )
