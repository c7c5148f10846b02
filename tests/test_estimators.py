"""The variants' own behaviour: denoising, contraction, their parameters and seeds."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline

from sklearn_ae import (
    AutoencoderTransformer,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
)
from sklearn_ae._modules import jacobian_sq_norm


@pytest.fixture(scope="module")
def digits_split(digits):
    X, _ = digits
    return train_test_split(X, test_size=0.3, random_state=0)


# ---------------------------------------------------------------- denoising

def test_denoising_reconstructs_masked_digits_better_than_plain(digits_split):
    # Digits scaled to [0, 1]: masking sets pixels to black. Half the pixels of
    # each held-out digit are masked; the target is the clean digit.
    X_train, X_test = digits_split
    settings = dict(n_components=32, hidden_layer_sizes=(), scaling="minmax",
                    max_epochs=30, batch_size=32, lr=3e-3, tol=0.0, random_state=0)
    plain = AutoencoderTransformer(**settings).fit(X_train)
    denoising = DenoisingAutoencoder(noise="mask", noise_level=0.5, **settings).fit(X_train)
    mask = np.random.RandomState(1).rand(*X_test.shape) < 0.5
    X_masked = np.where(mask, 0.0, X_test)  # 0 is the minimum of every column

    def clean_target_mse(model, inputs):
        scale = model.scaler_.transform
        return np.mean((scale(model.reconstruct(inputs)) - scale(X_test)) ** 2)

    plain_mse = clean_target_mse(plain, X_masked)
    denoising_mse = clean_target_mse(denoising, X_masked)
    # Measured: plain 0.105, denoising 0.036; returning the masked input: 0.117.
    assert denoising_mse < 0.5 * plain_mse
    # On clean inputs the plain model, trained for exactly that, is better.
    assert plain.reconstruction_error(X_test).mean() < denoising.reconstruction_error(X_test).mean()


def test_transform_and_scores_never_corrupt(digits, fast):
    X, _ = digits
    dae = DenoisingAutoencoder(8, noise_level=0.5, **fast).fit(X[:300])
    np.testing.assert_array_equal(dae.transform(X[:50]), dae.transform(X[:50]))
    np.testing.assert_array_equal(dae.score_samples(X[:50]), dae.score_samples(X[:50]))
    X_model = dae.scaler_.transform(X[:50])
    with torch.no_grad():
        expected = dae.net_.module_(torch.as_tensor(X_model, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(dae.scaler_.transform(dae.reconstruct(X[:50])), expected,
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("noise", ["mask", "gaussian", "salt_pepper"])
def test_denoising_is_reproducible_and_seeded_by_random_state(noise, digits, fast):
    X, _ = digits
    a = DenoisingAutoencoder(8, noise=noise, **fast).fit(X[:300])
    b = DenoisingAutoencoder(8, noise=noise, **fast).fit(X[:300])
    c = DenoisingAutoencoder(8, noise=noise, max_epochs=5, random_state=1).fit(X[:300])
    assert a.loss_curve_ == b.loss_curve_
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    assert not np.array_equal(a.transform(X), c.transform(X))


def test_variants_without_noise_or_penalty_reproduce_the_plain_autoencoder(digits, fast):
    # The variant's seed is drawn after the core's: initialisation, batch order
    # and split are those of AutoencoderTransformer with the same random_state.
    X, _ = digits
    # The same network: the variants' default hidden layer stays at 2d.
    plain = AutoencoderTransformer(8, hidden_layer_sizes=(16,), **fast).fit(X[:300])
    for variant in (DenoisingAutoencoder(8, noise_level=0.0, **fast),
                    ContractiveAutoencoder(8, contraction=0.0, **fast)):
        variant.fit(X[:300])
        assert variant.loss_curve_ == plain.loss_curve_
        np.testing.assert_array_equal(variant.transform(X), plain.transform(X))


@pytest.mark.parametrize("noise, level, ok", [
    ("mask", 1.0, False), ("salt_pepper", 1.2, False), ("mask", 0.99, True),
    ("gaussian", 1.5, True),
])
def test_noise_level_range_depends_on_noise(noise, level, ok):
    X = np.random.RandomState(0).rand(20, 3)
    dae = DenoisingAutoencoder(noise=noise, noise_level=level, max_epochs=1)
    if ok:
        dae.fit(X)
    else:
        with pytest.raises(ValueError, match=r"noise_level must be in \[0, 1\)"):
            dae.fit(X)


@pytest.mark.parametrize("params, name", [
    (dict(noise="pink"), "noise"), (dict(noise_level=-0.1), "noise_level"),
])
def test_bad_denoising_parameters_are_named(params, name):
    with pytest.raises(ValueError, match=name):
        DenoisingAutoencoder(**params).fit(np.random.rand(10, 3))


def test_pickled_denoising_autoencoder_predicts_the_same(digits, fast):
    X, _ = digits
    dae = DenoisingAutoencoder(8, noise="salt_pepper", **fast).fit(X[:300])
    restored = pickle.loads(pickle.dumps(dae))
    np.testing.assert_array_equal(restored.transform(X), dae.transform(X))
    assert restored.net_.noise_generator_.device.type == "cpu"


# --------------------------------------------------------------- contractive

def _jacobian_norm(model, X):
    X_model = torch.as_tensor(model.scaler_.transform(X), dtype=torch.float32)
    return jacobian_sq_norm(model.net_.module_, X_model).sqrt().mean().item()


@pytest.mark.parametrize("hidden", [(), (16,)])  # one layer; the variants' default layer
def test_default_contraction_contracts_at_small_reconstruction_cost(hidden, digits_split):
    X_train, X_test = digits_split
    settings = dict(n_components=8, hidden_layer_sizes=hidden, max_epochs=30, random_state=0)
    plain = AutoencoderTransformer(**settings).fit(X_train)
    contractive = ContractiveAutoencoder(**settings).fit(X_train)
    # Measured under standard scaling (mean ||J||_F on held-out rows, scaled units;
    # held-out MSE): hidden=(): plain 1.30 / 0.700, contractive 0.69 / 0.722;
    # one hidden layer: plain 1.07 / 0.639, contractive 0.51 / 0.665.
    assert _jacobian_norm(contractive, X_test) < 0.7 * _jacobian_norm(plain, X_test)
    # hidden=(16,), digits' pixels on one common scale: 0.310 against 0.271.
    assert (contractive.reconstruction_error(X_test).mean()
            < 1.2 * plain.reconstruction_error(X_test).mean())


def test_larger_contraction_contracts_more(digits, fast):
    X, _ = digits
    norms = [_jacobian_norm(ContractiveAutoencoder(8, hidden_layer_sizes=(),
                                                   contraction=c, **fast).fit(X), X)
             for c in (0.01, 1.0)]
    assert norms[1] < 0.75 * norms[0]  # measured: 1.18 -> 0.70


def test_contractive_early_stopping_monitors_penalised_validation_loss(digits):
    X, _ = digits
    cae = ContractiveAutoencoder(8, contraction=1.0, early_stopping=True,
                                 max_epochs=5, random_state=0).fit(X[:400])
    assert len(cae.validation_loss_curve_) == cae.n_iter_
    assert np.isfinite(cae.validation_loss_curve_).all()
    # The monitored loss includes the penalty, not only the reconstruction.
    plain = AutoencoderTransformer(8, early_stopping=True, max_epochs=5,
                                   random_state=0).fit(X[:400])
    assert cae.validation_loss_curve_[0] > plain.validation_loss_curve_[0]


def test_bad_contraction_is_named():
    with pytest.raises(ValueError, match="contraction"):
        ContractiveAutoencoder(contraction=-1.0).fit(np.random.rand(10, 3))


# ------------------------------------------------------ sklearn integration

@pytest.mark.parametrize("estimator, grid", [
    (DenoisingAutoencoder(max_epochs=5, random_state=0), {"noise_level": [0.1, 0.3]}),
    (ContractiveAutoencoder(max_epochs=5, random_state=0), {"contraction": [0.01, 0.1]}),
])
def test_pipeline_grid_search_over_n_components_and_variant_parameter(estimator, grid, digits):
    X, y = digits
    pipe = make_pipeline(estimator, LogisticRegression(max_iter=300))
    step = pipe.steps[0][0]
    param_grid = {f"{step}__n_components": [2, 16],
                  **{f"{step}__{k}": v for k, v in grid.items()}}
    search = GridSearchCV(pipe, param_grid, cv=2).fit(X[:600], y[:600])
    assert len(search.cv_results_["params"]) == 4
    assert search.best_params_[f"{step}__n_components"] == 16
    assert search.best_score_ > 0.5


@pytest.mark.cuda
def test_denoising_on_cuda_draws_noise_on_the_device_and_pickles(digits, fast):
    X, _ = digits
    dae = DenoisingAutoencoder(8, device="cuda", **fast).fit(X[:300])
    assert dae.net_.noise_generator_.device.type == "cuda"
    restored = pickle.loads(pickle.dumps(dae))
    assert restored.net_.noise_generator_.device.type == "cuda"
    np.testing.assert_allclose(restored.transform(X[:10]), dae.transform(X[:10]), rtol=1e-5)


@pytest.mark.parametrize("estimator_class", [DenoisingAutoencoder, ContractiveAutoencoder])
def test_variants_take_every_core_parameter_with_the_same_default(estimator_class):
    # scikit-learn reads parameters from each __init__ signature, so the variants
    # repeat the core's; this keeps the two lists from drifting apart.
    core = AutoencoderTransformer().get_params()
    variant = estimator_class().get_params()
    assert {name: variant.get(name, "MISSING") for name in core} == core
