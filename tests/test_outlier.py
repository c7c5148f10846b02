"""The outlier contract of IsolationForest: score_samples, decision_function, predict, offset_."""

import numpy as np
import pytest

from sklearn_ae import AutoencoderTransformer


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
