"""Behaviour of the shared estimator: PCA parity, sklearn integration, inputs."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from scipy.linalg import subspace_angles
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from scipy import sparse

from sklearn_ae import AutoencoderTransformer, TrainingDivergedError
from sklearn_ae._defaults import default_batch_size, default_n_components

FAST = dict(max_epochs=10, random_state=0)
LOADERS = {"digits": load_digits, "wine": load_wine,
           "breast_cancer": load_breast_cancer, "diabetes": load_diabetes}


@pytest.fixture(scope="module")
def digits():
    return load_digits(return_X_y=True)


def _standardized(name):
    return StandardScaler().fit_transform(LOADERS[name](return_X_y=True)[0])


# ---------------------------------------------------------------- PCA parity

@pytest.mark.parametrize("name", sorted(LOADERS))
@pytest.mark.parametrize("d", [2, 5, 8])
def test_tied_linear_autoencoder_finds_pca_subspace(name, d):
    X = _standardized(name)
    pca = PCA(d).fit(X)
    ae = AutoencoderTransformer(
        d, hidden_layer_sizes=(), activation="linear", tied_weights=True,
        optimizer="lbfgs", scaling=None, random_state=0,
    ).fit(X)
    W = ae.net_.module_.encoder_layers[0].weight.detach().numpy()
    angle = np.degrees(subspace_angles(W.T, pca.components_.T).max())
    pca_mse = np.mean((X - pca.inverse_transform(pca.transform(X))) ** 2)
    ae_mse = np.mean((X - ae.reconstruct(X)) ** 2)
    assert angle < 2.0
    assert ae_mse <= 1.01 * pca_mse
    # The code spans the same space as PCA's scores: a linear map between them.
    H, Z = ae.transform(X), pca.transform(X)
    coef, *_ = np.linalg.lstsq(np.c_[H, np.ones(len(H))], Z, rcond=None)
    np.testing.assert_allclose(np.c_[H, np.ones(len(H))] @ coef, Z, atol=1e-2 * np.abs(Z).max())


def test_untrained_tied_linear_model_is_far_from_pca():
    # Guards the parity test against passing trivially.
    X = _standardized("wine")
    pca = PCA(3).fit(X)
    ae = AutoencoderTransformer(3, hidden_layer_sizes=(), activation="linear",
                                tied_weights=True, optimizer="sgd", lr=1e-6,
                                max_epochs=1, scaling=None, random_state=0).fit(X)
    W = ae.net_.module_.encoder_layers[0].weight.detach().numpy()
    assert np.degrees(subspace_angles(W.T, pca.components_.T).max()) > 10


# ------------------------------------------------------------- basic shapes

def test_transform_inverse_transform_reconstruct(digits):
    X, _ = digits
    ae = AutoencoderTransformer(8, **FAST).fit(X)
    H = ae.transform(X)
    assert H.shape == (len(X), 8) and H.dtype == np.float64
    X_hat = ae.inverse_transform(H)
    assert X_hat.shape == X.shape and X_hat.dtype == np.float64
    np.testing.assert_allclose(ae.reconstruct(X), X_hat, rtol=1e-5, atol=1e-5)
    # Original units: reconstructions are on the pixel scale (0..16), not scaled.
    assert 10 < X_hat.max() < 25
    assert ae.get_feature_names_out().tolist() == [f"autoencodertransformer{i}" for i in range(8)]


def test_training_reduces_loss_and_beats_mean_prediction(digits):
    X, _ = digits
    ae = AutoencoderTransformer(8, max_epochs=30, random_state=0).fit(X)
    assert ae.n_iter_ == len(ae.loss_curve_) <= 30
    assert ae.loss_curve_[-1] < 0.6 * ae.loss_curve_[0]
    # Scaled space: predicting the mean gives an MSE of about 1 per feature.
    assert ae.reconstruction_error(X).mean() < 0.6
    # Scores are in units of the typical training error: -1 on average, a bit
    # above where floored (perfectly reconstructed, constant) pixels count less.
    assert -1.0 <= ae.score_samples(X).mean() < -0.95


def test_over_complete_code(digits):
    X, _ = digits
    ae = AutoencoderTransformer(100, hidden_layer_sizes=(), **FAST).fit(X[:300])
    assert ae.transform(X[:5]).shape == (5, 100)


def test_defaults_from_data_shape():
    X = np.random.RandomState(0).normal(size=(50, 9))
    ae = AutoencoderTransformer(max_epochs=2).fit(X)
    assert ae.n_components_ == default_n_components(9) == 3
    assert ae.hidden_layer_sizes_ == (6,)
    assert default_batch_size(50) == 8 and default_batch_size(10**6) == 256


def test_early_stopping_keeps_validation_curve_and_stops(digits):
    X, _ = digits
    ae = AutoencoderTransformer(8, early_stopping=True, patience=2, tol=0.5,
                                max_epochs=50, random_state=0).fit(X)
    assert ae.n_iter_ < 50
    assert len(ae.validation_loss_curve_) == ae.n_iter_
    no_es = AutoencoderTransformer(8, max_epochs=3, random_state=0).fit(X)
    assert not hasattr(no_es, "validation_loss_curve_")


def test_bce_loss_with_minmax_scaling(digits):
    X, _ = digits
    ae = AutoencoderTransformer(8, loss="bce", output_activation="sigmoid",
                                scaling="minmax", **FAST).fit(X)
    assert np.isfinite(ae.loss_curve_).all()
    with pytest.raises(ValueError, match="output_activation='sigmoid'"):
        AutoencoderTransformer(loss="bce", scaling="minmax", **FAST).fit(X)
    with pytest.raises(ValueError, match="scaling='minmax'"):
        AutoencoderTransformer(loss="bce", output_activation="sigmoid", **FAST).fit(X)


@pytest.mark.parametrize("scaling", ["standard", "robust", "minmax", None])
def test_scalings_round_trip_to_original_units(scaling, digits):
    X, _ = digits
    ae = AutoencoderTransformer(60, hidden_layer_sizes=(), activation="linear",
                                optimizer="lbfgs", scaling=scaling, random_state=0).fit(X)
    # Nearly lossless code: the reconstruction lands back in pixel units.
    assert np.mean((ae.reconstruct(X) - X) ** 2) < 0.05 * X.var()


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "lbfgs"])
def test_optimizers_train(optimizer, digits):
    X, _ = digits
    ae = AutoencoderTransformer(8, optimizer=optimizer, **FAST).fit(X)
    assert ae.loss_curve_[-1] < ae.loss_curve_[0]


def test_weight_decay_shrinks_weights(digits):
    X, _ = digits
    norms = [
        AutoencoderTransformer(8, weight_decay=wd, **FAST).fit(X)
        .net_.module_.encoder_layers[0].weight.norm().item()
        for wd in (0.0, 0.1)
    ]
    assert norms[1] < norms[0]
    with pytest.raises(ValueError, match="lbfgs"):
        AutoencoderTransformer(optimizer="lbfgs", weight_decay=0.1).fit(X)


# ------------------------------------------------------ sklearn integration

def test_pipeline_and_grid_search_over_n_components(digits):
    X, y = digits
    pipe = make_pipeline(AutoencoderTransformer(max_epochs=5, random_state=0),
                         LogisticRegression(max_iter=300))
    search = GridSearchCV(pipe, {"autoencodertransformer__n_components": [2, 16]}, cv=2)
    search.fit(X[:600], y[:600])
    assert search.best_params_["autoencodertransformer__n_components"] == 16
    assert search.best_score_ > 0.5


def test_grid_search_without_scorer_uses_score(digits):
    # score is the held-out imputation criterion (tests/test_selection.py), not
    # minus the reconstruction error, which would always pick the largest code.
    X, _ = digits
    lin = dict(hidden_layer_sizes=(), activation="linear", tied_weights=True,
               optimizer="lbfgs", max_epochs=20, random_state=0)
    search = GridSearchCV(AutoencoderTransformer(**lin), {"n_components": [1, 8, 48]}, cv=2)
    search.fit(X[:400])
    assert search.best_params_ == {"n_components": 8}
    assert np.all(search.cv_results_["mean_test_score"] < 0)
    # The reconstruction error alone prefers the largest code.
    errors = [search.best_estimator_.set_params(n_components=d).fit(X[:200])
              .reconstruction_error(X[200:400]).mean() for d in (8, 48)]
    assert errors[1] < errors[0]


def test_clone_and_params_round_trip():
    ae = AutoencoderTransformer(4, hidden_layer_sizes=(8,), lr=0.01, random_state=3)
    cloned = clone(ae)
    assert cloned.get_params() == ae.get_params()
    cloned.set_params(n_components=6)
    assert cloned.n_components == 6 and ae.n_components == 4


def test_pickle_round_trip_gives_identical_outputs(digits):
    X, _ = digits
    ae = AutoencoderTransformer(8, **FAST).fit(X)
    restored = pickle.loads(pickle.dumps(ae))
    np.testing.assert_array_equal(restored.transform(X), ae.transform(X))
    np.testing.assert_array_equal(restored.score_samples(X), ae.score_samples(X))


def test_same_random_state_bit_identical_and_global_rng_untouched(digits):
    X, _ = digits
    torch_state = torch.get_rng_state()
    np_state = np.random.get_state()[1].copy()
    a = AutoencoderTransformer(8, **FAST).fit(X)
    assert torch.equal(torch.get_rng_state(), torch_state)
    np.testing.assert_array_equal(np.random.get_state()[1], np_state)
    b = AutoencoderTransformer(8, **FAST).fit(X)
    c = AutoencoderTransformer(8, max_epochs=10, random_state=1).fit(X)
    assert a.loss_curve_ == b.loss_curve_
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    assert not np.array_equal(a.transform(X), c.transform(X))


def test_pandas_in_pandas_out(digits):
    X, _ = digits
    df = pd.DataFrame(X[:300], columns=[f"px{i}" for i in range(64)])
    ae = AutoencoderTransformer(3, **FAST).set_output(transform="pandas").fit(df)
    assert ae.feature_names_in_.tolist() == list(df.columns)
    H = ae.transform(df)
    assert isinstance(H, pd.DataFrame)
    assert H.columns.tolist() == ["autoencodertransformer0", "autoencodertransformer1",
                                  "autoencodertransformer2"]
    assert H.index.equals(df.index)
    with pytest.raises(ValueError, match="feature names"):
        ae.transform(df.rename(columns={"px0": "other"}))


# --------------------------------------------------------------- bad input

@pytest.mark.parametrize("bad, match", [
    (np.full((3, 2), np.nan), "entirely missing"),
    (np.array([[1.0, np.inf], [2.0, 3.0]]), "infinity"),
    (np.empty((0, 3)), "0 sample"),
    (np.ones((1, 3)), "1 sample"),
    (np.ones(5), "2D array"),
])
def test_bad_training_input_is_refused_early(bad, match):
    with pytest.raises(ValueError, match=match):
        AutoencoderTransformer(**FAST).fit(bad)


def test_text_is_refused_only_where_no_column_may_be_categorical():
    text = np.array([["a", "b"], ["c", "d"], ["a", "d"]])
    with pytest.raises(ValueError, match="could not convert|numeric"):
        AutoencoderTransformer(categorical_features=None, **FAST).fit(text)
    assert AutoencoderTransformer(**FAST).fit(text).encoder_.is_categorical_.all()


def test_values_beyond_float32_are_refused_unless_scaling_brings_them_in_range():
    X = np.random.RandomState(0).normal(size=(20, 2)) * 1e39
    with pytest.raises(ValueError, match="float32"):
        AutoencoderTransformer(scaling=None, **FAST).fit(X)
    ae = AutoencoderTransformer(**FAST).fit(X)
    with pytest.raises(ValueError, match="float32"):
        ae.transform(X * 1e40)


def test_sparse_input_is_refused_with_typeerror():
    with pytest.raises(TypeError, match="[Ss]parse"):
        AutoencoderTransformer(**FAST).fit(sparse.csr_matrix(np.eye(4)))


def test_wrong_width_at_transform_and_inverse_transform(digits):
    X, _ = digits
    ae = AutoencoderTransformer(4, **FAST).fit(X[:200])
    with pytest.raises(ValueError, match="64 features"):
        ae.transform(X[:5, :10])
    with pytest.raises(ValueError, match="n_components_=4"):
        ae.inverse_transform(np.zeros((2, 3)))


@pytest.mark.parametrize("params, name", [
    (dict(n_components=0), "n_components"),
    (dict(batch_size=0), "batch_size"),
    (dict(max_epochs=0), "max_epochs"),
    (dict(lr=-1.0), "lr"),
    (dict(activation="swish"), "activation"),
    (dict(optimizer="rmsprop"), "optimizer"),
    (dict(scaling="quantile"), "scaling"),
    (dict(contamination=0.7), "contamination"),
    (dict(hidden_layer_sizes=(4, 0)), "hidden_layer_sizes"),
])
def test_bad_parameters_are_named(params, name):
    with pytest.raises(ValueError, match=name):
        AutoencoderTransformer(**params).fit(np.random.rand(10, 3))


def test_constant_columns_do_not_divide_by_zero():
    X = np.c_[np.random.RandomState(0).normal(size=(40, 3)), np.full(40, 7.0)]
    ae = AutoencoderTransformer(2, **FAST).fit(X)
    assert np.isfinite(ae.score_samples(X)).all()
    assert np.isfinite(ae.reconstruct(X)).all()


def test_divergence_is_reported_names_lr_and_leaves_no_fitted_model():
    from sklearn.exceptions import NotFittedError

    X = np.random.RandomState(0).normal(size=(64, 4)) * 1e6
    ae = AutoencoderTransformer(optimizer="sgd", lr=1e10, scaling=None, **FAST)
    with pytest.raises(TrainingDivergedError, match="lr=1e\\+10"):
        ae.fit(X)
    with pytest.raises(NotFittedError):
        ae.transform(X)
    assert not [name for name in vars(ae) if name.endswith("_") and not name.startswith("_")]


def test_cuda_requested_without_gpu_gives_clear_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="no CUDA device"):
        AutoencoderTransformer(device="cuda", **FAST).fit(np.random.rand(10, 3))
    ae = AutoencoderTransformer(device="auto", **FAST).fit(np.random.rand(10, 3))
    assert ae.device_ == "cpu"


@pytest.mark.cuda
def test_cuda_matches_cpu(digits):
    X, _ = digits
    cpu = AutoencoderTransformer(8, **FAST).fit(X)
    gpu = AutoencoderTransformer(8, device="cuda", **FAST).fit(X)
    assert gpu.device_ == "cuda"
    assert next(gpu.net_.module_.parameters()).is_cuda
    np.testing.assert_allclose(gpu.score(X), cpu.score(X), rtol=0.05)
    # A model trained on the GPU pickles and still predicts.
    restored = pickle.loads(pickle.dumps(gpu))
    np.testing.assert_allclose(restored.transform(X[:10]), gpu.transform(X[:10]), rtol=1e-5)


# ----------------------------------------------------------- outlier contract

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


def test_decision_function_and_predict_follow_offset(digits):
    X, _ = digits
    ae = AutoencoderTransformer(contamination=0.1, **FAST).fit(X)
    assert ae.offset_ == np.percentile(ae.score_samples(X), 10)
    np.testing.assert_array_equal(ae.predict(X), np.where(ae.decision_function(X) < 0, -1, 1))
    auto = AutoencoderTransformer(**FAST).fit(X)
    errors = -auto.score_samples(X)
    q1, q3 = np.percentile(errors, [25, 75])
    assert auto.offset_ == pytest.approx(-(q3 + 1.5 * (q3 - q1)))
    assert 0 < np.mean(auto.predict(X) == -1) < 0.2


def test_per_feature_errors_find_a_planted_bad_column():
    rng = np.random.RandomState(0)
    latent = rng.normal(size=(500, 2))
    X = latent @ rng.normal(size=(2, 6)) * [1, 10, 100, 1, 10, 100] + 0.01 * rng.normal(size=(500, 6))
    ae = AutoencoderTransformer(2, max_epochs=60, random_state=0).fit(X)
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


def test_bfloat16_precision_trains_close_to_float32(digits):
    X, _ = digits
    full = AutoencoderTransformer(8, **FAST).fit(X)
    half = AutoencoderTransformer(8, precision="bfloat16", **FAST).fit(X)
    assert half.net_.module_.encoder_layers[0].weight.dtype == torch.float32
    assert half.transform(X).dtype == np.float64
    assert half.score(X) == pytest.approx(full.score(X), rel=0.1)
    assert np.isfinite(half.score_samples(X)).all()


def test_keyboard_interrupt_keeps_last_completed_epoch(digits, monkeypatch):
    from sklearn_ae import _net

    X, _ = digits
    reference = AutoencoderTransformer(8, max_epochs=2, tol=0.0, random_state=0).fit(X)
    original_iter = _net.TensorBatchIterator.__iter__
    calls = {"batches": 0}

    def interrupt_in_third_epoch(self):
        for batch in original_iter(self):
            calls["batches"] += 1
            if calls["batches"] == 2 * 17 + 5:  # 17 batches of 112 rows per epoch
                raise KeyboardInterrupt
            yield batch

    monkeypatch.setattr(_net.TensorBatchIterator, "__iter__", interrupt_in_third_epoch)
    with pytest.warns(UserWarning, match="interrupted during epoch 3.*last completed epoch of 2"):
        ae = AutoencoderTransformer(8, max_epochs=10, tol=0.0, random_state=0).fit(X)
    assert ae.n_iter_ == 2 and len(ae.loss_curve_) == 2
    assert ae.loss_curve_ == reference.loss_curve_
    np.testing.assert_array_equal(ae.transform(X), reference.transform(X))
    assert np.isfinite(ae.score_samples(X)).all()
