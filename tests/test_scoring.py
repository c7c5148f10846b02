import numpy as np
import pytest

from sklearn_ae._defaults import THRESHOLD_ROWS
from sklearn_ae._scoring import (
    OutlierScorer,
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


# ------------------------------------------------------------ OutlierScorer


def _scorer_data(n_rows=500, seed=0):
    rng = np.random.RandomState(seed)
    terms = rng.chisquare(1, size=(n_rows, 4))
    rows = rng.normal(size=(n_rows, 3)).astype(np.float32)
    return terms, rows


def test_scorer_units_are_the_training_means_and_a_training_row_scores_about_minus_two():
    terms, rows = _scorer_data()
    scorer = OutlierScorer().fit(terms, neighbor_rows=rows)
    np.testing.assert_allclose(scorer.feature_error_scale_, terms.mean(axis=0))
    assert scorer.neighbor_reference_.shape == (4 * 256, 3)
    scores = scorer.score_samples(terms, neighbor_rows=rows)
    assert scores.mean() == pytest.approx(-2.0, abs=1e-12)
    # The shares of each row add up to its score; the neighbour term is the last one.
    shares = scorer.contributions(terms, neighbor_rows=rows)
    assert shares.shape == (500, 5)
    np.testing.assert_allclose(shares.sum(axis=1), -scores, rtol=1e-12)


def test_scorer_counts_observed_cells_only():
    terms, _ = _scorer_data(200)
    counted = np.ones(terms.shape, dtype=bool)
    counted[::2, 0] = False
    counted[:, 3] = False  # a column never observed counts as one typical error
    terms = np.where(counted, terms, 0.0)
    scorer = OutlierScorer(n_neighbors=0).fit(terms, counted)
    assert scorer.neighbor_reference_ is None and scorer.neighbor_scale_ is None
    assert scorer.feature_error_scale_[0] == pytest.approx(terms[1::2, 0].mean())
    assert scorer.feature_error_scale_[3] == 1.0
    row = np.array([[2.0, 1.0, 1.0, 5.0]])
    observed = np.array([[False, True, True, False]])
    expected = -(1.0 / scorer.feature_error_scale_[1] + 1.0 / scorer.feature_error_scale_[2]) / 2
    assert scorer.score_samples(row, observed)[0] == pytest.approx(expected)


def test_scorer_offset_is_the_exact_percentile_on_large_data_too():
    # More rows than the sample of the neighbour unit: a float contamination is still
    # IsolationForest's percentile over every training row.
    terms, rows = _scorer_data(THRESHOLD_ROWS + 1000)
    scorer = OutlierScorer(contamination=0.1).fit(terms, neighbor_rows=rows)
    scores = scorer.score_samples(terms, neighbor_rows=rows)
    assert scorer.offset_ == np.percentile(scores, 10)
    assert (scores < scorer.offset_).mean() == pytest.approx(0.1, abs=1e-4)


def test_scorer_keeps_a_given_reference_and_skips_a_row_s_own_copy():
    terms, rows = _scorer_data(300)
    first = OutlierScorer(random_state=3).fit(terms, neighbor_rows=rows)
    again = OutlierScorer(random_state=4).fit(terms[:50], neighbor_rows=rows[:50],
                                             reference=first.neighbor_reference_)
    np.testing.assert_array_equal(again.neighbor_reference_, first.neighbor_reference_)
    # A training row is not its own neighbour: its distance is to the others.
    distances = first.neighbor_distances(rows[:5])
    assert (distances > 0).all()


@pytest.mark.parametrize("contamination", ["auto", 0.1])
def test_scorer_fitted_chunk_by_chunk_equals_one_fit(contamination):
    # More rows than the threshold sample: the chunks keep only the rows they must.
    terms, rows = _scorer_data(THRESHOLD_ROWS + 3000)
    counted = np.ones(terms.shape, dtype=bool)
    counted[::7, 1] = False
    terms = np.where(counted, terms, 0.0)
    whole = OutlierScorer(contamination=contamination).fit(terms, counted, rows)
    edges = [0, 5000, 5001, 12000, len(terms)]
    chunks = ((slice(a, b), terms[a:b], counted[a:b], rows[a:b])
              for a, b in zip(edges[:-1], edges[1:]))
    parts = OutlierScorer(contamination=contamination).fit_chunks(len(terms), chunks)
    np.testing.assert_allclose(parts.feature_error_scale_, whole.feature_error_scale_,
                               rtol=1e-12)
    np.testing.assert_array_equal(parts.neighbor_reference_, whole.neighbor_reference_)
    assert parts.neighbor_scale_ == pytest.approx(whole.neighbor_scale_, rel=1e-12)
    assert parts.offset_ == pytest.approx(whole.offset_, rel=1e-12)
