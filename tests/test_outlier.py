"""The outlier contract of IsolationForest: score_samples, decision_function, predict, offset_."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from sklearn_ae import AutoencoderTransformer, ContractiveAutoencoder, DenoisingAutoencoder


def test_constant_columns_do_not_divide_by_zero(fast):
    X = np.c_[np.random.RandomState(0).normal(size=(40, 3)), np.full(40, 7.0)]
    ae = AutoencoderTransformer(2, **fast).fit(X)
    assert np.isfinite(ae.score_samples(X)).all()
    assert np.isfinite(ae.reconstruct(X)).all()


def _flag_outliers_like_isolation_forest(detector, X, contamination=0.05):
    """Code written for IsolationForest: only its public API is used."""
    detector.set_params(contamination=contamination, random_state=0)
    labels = detector.fit_predict(X)
    decision = detector.decision_function(X)
    scores = detector.score_samples(X)
    np.testing.assert_allclose(decision, scores - detector.offset_)
    return labels, scores


def test_drop_in_for_isolation_forest(digits):
    from sklearn.ensemble import IsolationForest

    X, _ = digits
    for detector in (IsolationForest(), AutoencoderTransformer(max_epochs=10)):
        labels, scores = _flag_outliers_like_isolation_forest(detector, X)
        assert set(np.unique(labels)) == {-1, 1}
        assert np.mean(labels == -1) == pytest.approx(0.05, abs=0.002)
        assert scores.shape == (len(X),) and scores.dtype == np.float64


def test_decision_function_and_predict_follow_offset(digits, fast):
    X, _ = digits
    ae = AutoencoderTransformer(contamination=0.1, **fast).fit(X)
    assert ae.offset_ == np.percentile(ae.score_samples(X), 10)
    np.testing.assert_array_equal(ae.predict(X), np.where(ae.decision_function(X) < 0, -1, 1))
    auto = AutoencoderTransformer(**fast).fit(X)
    errors = -auto.score_samples(X)
    q1, q3 = np.percentile(errors, [25, 75])
    assert auto.offset_ == pytest.approx(-(q3 + 1.5 * (q3 - q1)))
    assert 0 < np.mean(auto.predict(X) == -1) < 0.2


# scikit-learn's IsolationForest tests (sklearn/ensemble/tests/test_iforest.py), re-stated
# for each estimator at its defaults over random_state 0-9: at least 9 of 10
# must pass. They test the defaults, so no training parameter is set.

OUTLIER_ESTIMATORS = [AutoencoderTransformer, DenoisingAutoencoder, ContractiveAutoencoder]
WORKS_X = np.array(
    [[-2, -1], [-1, -1], [-1, -2], [1, 1], [1, 2], [2, 1], [7, 4], [-5, 9]], dtype=float
)


def _iforest_performance_passes(estimator, seed):
    """Two Gaussian blobs in 2-D, uniform outliers between them: ROC AUC > 0.98."""
    rng = np.random.RandomState(seed)
    X = 0.3 * rng.randn(600, 2)
    X = rng.permutation(np.vstack((X + 2, X - 2)))
    X_test = np.vstack((X[1000:], rng.uniform(low=-1, high=1, size=(200, 2))))
    y_test = np.r_[np.zeros(200), np.ones(200)]
    model = estimator(random_state=seed).fit(X[:1000])
    return roc_auc_score(y_test, -model.score_samples(X_test)) > 0.98


def _iforest_works_passes(estimator, seed, contamination):
    """The two far points score worst and are the only ones predicted -1."""
    model = estimator(contamination=contamination, random_state=seed).fit(WORKS_X)
    scores = model.score_samples(WORKS_X)
    expected = np.r_[np.ones(6), -np.ones(2)]
    return scores[-2:].max() < scores[:-2].min() and (model.predict(WORKS_X) == expected).all()


@pytest.mark.parametrize("estimator", OUTLIER_ESTIMATORS)
def test_iforest_performance(estimator):
    assert sum(_iforest_performance_passes(estimator, seed) for seed in range(10)) >= 9


@pytest.mark.parametrize("estimator", OUTLIER_ESTIMATORS)
def test_iforest_works_with_contamination(estimator):
    assert sum(_iforest_works_passes(estimator, seed, 0.25) for seed in range(10)) >= 9


@pytest.mark.xfail(
    strict=True,
    reason="contamination='auto' passes 0/10 (benchmarks/study/iforest_tests.py): on these "
    "8 rows the two far "
    "points always score worst, but only 1.2-1.3x the worst inlier, and 2 rows of 8 "
    "put Tukey's Q3 among them; the rules that pass (e > 1.1-1.25x the mean training "
    "score) flag about 30 % of a typical table, IsolationForest's 'auto' 13 % "
    "(benchmarks/study/DEFAULTS_STUDY.md, the contamination='auto' study)",
)
@pytest.mark.parametrize("estimator", OUTLIER_ESTIMATORS)
def test_iforest_works_with_auto_contamination(estimator):
    assert sum(_iforest_works_passes(estimator, seed, "auto") for seed in range(10)) >= 9


def test_scores_do_not_depend_on_contamination_on_large_data():
    """The neighbour term's unit comes from the same sample whatever the contamination;
    a float contamination's offset is the exact percentile over every training row."""
    X = np.random.RandomState(0).normal(size=(20_000, 3))
    settings = dict(n_components=1, max_epochs=1, random_state=0)
    auto = AutoencoderTransformer(**settings).fit(X)
    share = AutoencoderTransformer(contamination=0.1, **settings).fit(X)
    np.testing.assert_array_equal(auto.score_samples(X[:500]), share.score_samples(X[:500]))
    assert auto.neighbor_scale_ == share.neighbor_scale_
    assert (share.predict(X) == -1).sum() == 2000
