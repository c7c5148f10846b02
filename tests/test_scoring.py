import numpy as np
import pytest

from sklearn_ae._scoring import (
    feature_error_scale,
    mean_squared_neighbor_distance,
    normalized_row_errors,
    offset_from_contamination,
)


def test_errors_are_measured_in_units_of_each_features_typical_error():
    train = np.array([[1.0, 100.0], [3.0, 300.0]])  # column 1 is 100x noisier
    scale = feature_error_scale(train.mean(axis=0))
    np.testing.assert_allclose(scale, [2.0, 200.0])
    # The same relative excess counts the same in both columns.
    errors = normalized_row_errors(np.array([[20.0, 200.0], [2.0, 2000.0]]), scale)
    np.testing.assert_allclose(errors, [5.5, 5.5])
    assert normalized_row_errors(train, scale).mean() == pytest.approx(1.0)


def test_error_scale_floor_protects_perfectly_reconstructed_columns():
    scale = feature_error_scale(np.array([1.0, 0.0]))
    np.testing.assert_allclose(scale, [1.0, 5e-4])


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


def test_row_errors_average_over_counted_cells_only():
    squared = np.array([[1.0, 4.0, 9.0], [2.0, 0.0, 6.0], [5.0, 5.0, 5.0]])
    scale = np.array([1.0, 2.0, 3.0])
    counted = np.array([[True, True, True], [True, False, True], [False, False, False]])
    errors = normalized_row_errors(squared, scale, counted)
    assert errors[0] == normalized_row_errors(squared, scale)[0]  # complete: unchanged
    assert errors[1] == pytest.approx((2.0 + 2.0) / 2)
    assert errors[2] == 0.0  # nothing observed


@pytest.mark.parametrize("n_sets, n_neighbors", [(1, 10), (4, 10), (2, 300)])
def test_neighbor_distance_matches_brute_force(n_sets, n_neighbors):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(700, 5)) * [1.0, 10.0, 0.1, 3.0, 1.0]  # crosses row blocks
    reference = X[rng.choice(len(X), 64 * n_sets, replace=False)]
    squared = ((X[:, None, :] - reference[None, :, :]) ** 2).sum(axis=2)
    sets = squared.reshape(len(X), n_sets, -1)
    # A row of the reference is not its own neighbour.
    same = (X.astype(np.float32)[:, None, :] == reference.astype(np.float32)[None]).all(axis=2)
    sets = np.where(same.reshape(sets.shape), np.inf, sets)
    k = min(n_neighbors, sets.shape[2] - 1)
    expected = np.sort(sets, axis=2)[:, :, :k].mean(axis=(1, 2))

    distances = mean_squared_neighbor_distance(X, reference, n_neighbors, n_sets)

    np.testing.assert_allclose(distances, expected, rtol=1e-4, atol=1e-4)
    assert distances.dtype == np.float64 and (distances >= 0).all()
    assert np.isfinite(distances).all()


def test_a_reference_row_is_scored_against_the_others():
    reference = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0]])
    rows = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [0.5, 0.0]])
    distances = mean_squared_neighbor_distance(rows, reference, n_neighbors=1)
    # Its own copy skipped, each row's nearest other; a new row counts every reference row.
    np.testing.assert_allclose(distances, [1.0, 1.0, 1.0, 0.25])
    # Two copies of a row in the reference: one is the row itself, the other a neighbour.
    doubled = mean_squared_neighbor_distance(rows[:1], np.vstack([reference, [[0.0, 0.0]]]), 1)
    assert doubled[0] == 0.0
