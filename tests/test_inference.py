"""Chunked inference: scikit-learn's working_memory bounds the chunks, not the result."""

import numpy as np
import pandas as pd
import pytest
import sklearn

from sklearn_ae import AutoencoderTransformer


def test_working_memory_sets_the_chunks_and_leaves_results_alone(digits, fast, monkeypatch):
    X, _ = digits
    model = AutoencoderTransformer(4, **fast).fit(X[:500])
    reference = model.transform(X), model.score_samples(X), model.reconstruct(X)
    reference_score = model.score(X)
    chunk_sizes = []
    encode = model.encoder_.encode

    def spy(rows):
        chunk_sizes.append(len(rows))
        return encode(rows)

    monkeypatch.setattr(model.encoder_, "encode", spy)
    model.transform(X)
    assert chunk_sizes == [len(X)]  # 1797 rows fit in the default 1 GiB
    chunk_sizes.clear()
    with sklearn.config_context(working_memory=0.1):  # 0.1 MiB: ~100 rows per chunk
        small = model.transform(X), model.score_samples(X), model.reconstruct(X)
        # Every path that reads rows goes chunk by chunk, score() too.
        for method in ("transform", "score_samples", "score_contributions", "reconstruct",
                       "reconstruction_error", "impute", "score"):
            chunk_sizes.clear()
            getattr(model, method)(X)
            assert len(chunk_sizes) > 10 and max(chunk_sizes) < 200, method
            assert sum(chunk_sizes) == len(X), method
    assert model.score(X) == pytest.approx(reference_score, rel=1e-5)
    # float32 matrix products may round a row differently in a block of another
    # height (a few units in the last place on digits' 64-unit layer).
    for a, b in zip(reference, small):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_transform_inverse_transform_reconstruct(digits, fast):
    X, _ = digits
    ae = AutoencoderTransformer(8, **fast).fit(X)
    H = ae.transform(X)
    assert H.shape == (len(X), 8) and H.dtype == np.float64
    X_hat = ae.inverse_transform(H)
    assert X_hat.shape == X.shape and X_hat.dtype == np.float64
    np.testing.assert_allclose(ae.reconstruct(X), X_hat, rtol=1e-5, atol=1e-5)
    # Original units: reconstructions are on the pixel scale (0..16), not scaled.
    np.testing.assert_allclose(X_hat.mean(axis=0), X.mean(axis=0), atol=1.0)
    assert np.abs(X_hat - X).mean() < 0.5 * np.abs(ae.scaler_.transform(X) - X).mean()
    assert ae.get_feature_names_out().tolist() == [f"autoencodertransformer{i}" for i in range(8)]


def test_over_complete_code(digits, fast):
    X, _ = digits
    ae = AutoencoderTransformer(100, hidden_layer_sizes=(), **fast).fit(X[:300])
    assert ae.transform(X[:5]).shape == (5, 100)


@pytest.mark.parametrize("scaling", ["standard", "robust", "minmax", None])
def test_scalings_round_trip_to_original_units(scaling, digits):
    X, _ = digits
    ae = AutoencoderTransformer(60, hidden_layer_sizes=(), activation="linear",
                                optimizer="lbfgs", scaling=scaling, random_state=0).fit(X)
    # Nearly lossless code: the reconstruction lands back in pixel units.
    assert np.mean((ae.reconstruct(X) - X) ** 2) < 0.05 * X.var()


def test_wrong_width_at_transform_and_inverse_transform(digits, fast):
    X, _ = digits
    ae = AutoencoderTransformer(4, **fast).fit(X[:200])
    with pytest.raises(ValueError, match="64 features"):
        ae.transform(X[:5, :10])
    with pytest.raises(ValueError, match="n_components_=4"):
        ae.inverse_transform(np.zeros((2, 3)))


def test_per_feature_errors_find_a_planted_bad_column():
    rng = np.random.RandomState(0)
    latent = rng.normal(size=(500, 2))
    X = latent @ rng.normal(size=(2, 6)) * [1, 10, 100, 1, 10, 100] + 0.01 * rng.normal(size=(500, 6))
    # Without the neighbour term the score is the reconstruction error alone.
    ae = AutoencoderTransformer(2, n_neighbors=0, max_epochs=60, random_state=0).fit(X)
    X_bad = X[:20].copy()
    X_bad[:, 4] += 30.0  # column 4 (scale 10) broken by 3 of its standard deviations
    errors = ae.reconstruction_error(X_bad, per_feature=True)
    assert errors.shape == (20, 6)
    # In units of each column's typical training error, whatever its units:
    # the planted shift of 3 standard deviations stands out in column 4 ...
    assert np.median(errors[:, 4]) > 20
    assert np.mean(errors.argmax(axis=1) == 4) >= 0.9
    # ... and the row means of these are the anomaly scores.
    np.testing.assert_allclose(errors.mean(axis=1), -ae.score_samples(X_bad), rtol=1e-12)
    # Per row: the scaled-space MSE; score_samples weighs each feature by its
    # typical training error first.
    squared = (ae.scaler_.transform(ae.reconstruct(X[:5])) - ae.scaler_.transform(X[:5])) ** 2
    np.testing.assert_allclose(ae.reconstruction_error(X[:5]), squared.mean(axis=1), rtol=1e-4)
    np.testing.assert_allclose(-ae.score_samples(X[:5]),
                               (squared / ae.feature_error_scale_).mean(axis=1), rtol=1e-4)

    df = pd.DataFrame(X_bad, columns=list("abcdef"), index=range(100, 120))
    ae_df = AutoencoderTransformer(2, max_epochs=5, random_state=0).fit(
        pd.DataFrame(X, columns=list("abcdef")))
    frame = ae_df.reconstruction_error(df, per_feature=True)
    assert isinstance(frame, pd.DataFrame)
    assert frame.columns.tolist() == list("abcdef") and frame.index.equals(df.index)
