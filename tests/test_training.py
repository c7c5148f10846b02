"""fit and partial_fit: resolved settings, valid devices, and fits that fail undo themselves."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils.validation import check_is_fitted

from sklearn_ae import (
    AutoencoderTransformer,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
    TrainingDivergedError,
)

ESTIMATORS = [AutoencoderTransformer, DenoisingAutoencoder, ContractiveAutoencoder]


def test_resolved_auto_values_are_fitted_attributes(digits):
    X, _ = digits
    ae = AutoencoderTransformer(random_state=0).fit(X[:400])
    assert ae.batch_size_ == 25  # 400 // 16
    assert ae.max_epochs_ == 20  # 600 steps would be 38 passes of 16 steps; at most 20
    assert ae.lr_ == 3e-3
    assert ae.net_.batch_size == ae.batch_size_ and ae.net_.max_epochs == ae.max_epochs_
    lbfgs = AutoencoderTransformer(2, optimizer="lbfgs", max_epochs=3, random_state=0)
    assert lbfgs.fit(X[:100]).batch_size_ == -1 and lbfgs.lr_ == 1.0


@pytest.mark.parametrize("device", ["cpu", "auto", torch.device("cpu")])
def test_valid_devices_are_accepted(device, fast):
    ae = AutoencoderTransformer(2, device=device, **fast).fit(np.random.rand(20, 3))
    assert ae.device_ == "cpu"


@pytest.mark.parametrize("device", ["tpu", "cuda0", "gpu", "cuda:x", 3])
def test_unknown_devices_are_refused_by_parameter_validation(device):
    with pytest.raises(ValueError, match="'device' parameter"):
        AutoencoderTransformer(device=device).fit(np.random.rand(20, 3))


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message without a GPU")
def test_named_cuda_device_without_gpu_is_refused_clearly():
    with pytest.raises(ValueError, match="no CUDA device"):
        AutoencoderTransformer(device="cuda:1").fit(np.random.rand(20, 3))


def _outputs(model, X):
    return model.score_samples(X), model.transform(X), model.offset_, model.n_iter_


def _assert_same(before, after):
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("estimator_class", ESTIMATORS)
def test_failed_refit_leaves_the_fitted_model_as_it_was(estimator_class, digits, fast):
    X, _ = digits
    model = estimator_class(4, **fast).fit(X[:300])
    before = _outputs(model, X[:50])
    with pytest.raises(TrainingDivergedError):
        model.set_params(lr=1e12, optimizer="sgd").fit(X[:300])
    _assert_same(before, _outputs(model, X[:50]))
    with pytest.raises(ValueError, match="GiB"):
        model.set_params(lr=None, optimizer="adam", hidden_layer_sizes=(10**8,)).fit(X[:300])
    _assert_same(before, _outputs(model, X[:50]))
    with pytest.raises(ValueError, match="entirely missing"):
        model.set_params(hidden_layer_sizes=None).fit(np.full((10, 64), np.nan))
    _assert_same(before, _outputs(model, X[:50]))
    assert model.n_features_in_ == 64


def test_failed_first_fit_leaves_an_unfitted_estimator(digits):
    X, _ = digits
    model = AutoencoderTransformer(4, hidden_layer_sizes=(10**8,))
    with pytest.raises(ValueError, match=r"needs about \d+\.\d GiB"):
        model.fit(X[:100])
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    assert not [name for name in vars(model) if name.endswith("_")]


def test_training_memory_cap_can_be_raised(monkeypatch, digits, fast):
    X, _ = digits
    monkeypatch.setenv("SKLEARN_AE_MAX_TRAINING_GB", "0.00001")  # 10 KiB
    with pytest.raises(ValueError, match="SKLEARN_AE_MAX_TRAINING_GB"):
        AutoencoderTransformer(4, **fast).fit(X[:100])
    monkeypatch.setenv("SKLEARN_AE_MAX_TRAINING_GB", "1")
    AutoencoderTransformer(4, **fast).fit(X[:100])


@pytest.mark.parametrize("estimator_class", ESTIMATORS)
def test_interrupted_partial_fit_leaves_the_model_as_it_was(
    estimator_class, digits, fast, monkeypatch
):
    X, _ = digits
    model = estimator_class(4, batch_size=32, **fast).fit(X[:300])
    model.partial_fit(X[:64])
    before = _outputs(model, X[:50])
    optimizer_state = model.net_.optimizer_.state_dict()["state"][0]["exp_avg"].clone()
    n_batches = 0
    original_step = type(model.net_).train_step_single

    def interrupted_step(net, batch, **kwargs):
        nonlocal n_batches
        n_batches += 1
        if n_batches == 3:
            raise KeyboardInterrupt
        return original_step(net, batch, **kwargs)

    monkeypatch.setattr(type(model.net_), "train_step_single", interrupted_step)
    with pytest.raises(KeyboardInterrupt, match="as it was before"):
        model.partial_fit(X[:300])
    monkeypatch.undo()
    _assert_same(before, _outputs(model, X[:50]))
    torch.testing.assert_close(
        model.net_.optimizer_.state_dict()["state"][0]["exp_avg"], optimizer_state,
        rtol=0, atol=0,
    )
    # Training on from here is what it would have been without the failed call.
    twin = estimator_class(4, batch_size=32, **fast).fit(X[:300])
    twin.partial_fit(X[:64])
    np.testing.assert_array_equal(
        model.partial_fit(X[:128]).score_samples(X[:50]),
        twin.partial_fit(X[:128]).score_samples(X[:50]),
    )


def test_refit_forgets_attributes_of_the_previous_fit(digits, fast):
    X, _ = digits
    model = AutoencoderTransformer(4, early_stopping=True, **fast).fit(X[:300])
    assert hasattr(model, "validation_loss_curve_")
    model.set_params(early_stopping=False).fit(X[:300])
    assert not hasattr(model, "validation_loss_curve_")


def test_partial_fit_after_early_stopping_fit_trains_on_the_training_loss(digits, fast):
    X, _ = digits
    model = AutoencoderTransformer(4, early_stopping=True, **fast).fit(X[:300])
    n_iter = model.n_iter_
    model.partial_fit(X[:100])
    assert model.n_iter_ == n_iter + 1
    assert "valid_loss" not in model.net_.history[-1]


def test_user_callbacks_run_before_the_built_in_ones(fast):
    from skorch.callbacks import Callback

    class HalveTheLoss(Callback):
        def on_epoch_end(self, net, **kwargs):
            net.history.record("train_loss", net.history[-1, "train_loss"] / 2)

    X = np.random.RandomState(0).rand(50, 4)
    plain = AutoencoderTransformer(2, **fast).fit(X)
    halved = AutoencoderTransformer(2, callbacks=[("halve", HalveTheLoss())], **fast).fit(X)
    np.testing.assert_allclose(halved.loss_curve_, np.divide(plain.loss_curve_, 2))
    names = [name for name, _ in halved.net_.callbacks_]
    assert names.index("halve") + 1 == names.index("divergence_guard")


def test_training_reduces_loss_and_beats_mean_prediction(digits):
    X, _ = digits
    ae = AutoencoderTransformer(8, max_epochs=30, random_state=0).fit(X)
    assert ae.n_iter_ == len(ae.loss_curve_) <= 30
    # The first epoch already starts at PCA's reconstruction (linear_shortcut).
    assert ae.loss_curve_[-1] < 0.75 * ae.loss_curve_[0]
    # Scaled space: predicting the mean gives an MSE of about 1 per feature.
    assert ae.reconstruction_error(X).mean() < 0.6
    # Scores are in units of each term's typical training value: the reconstruction
    # term averages a bit under 1 (floored, perfectly reconstructed constant pixels
    # count less), the neighbour term exactly 1.
    assert -2.0 <= ae.score_samples(X).mean() < -1.9
    alone = AutoencoderTransformer(8, max_epochs=30, n_neighbors=0, random_state=0).fit(X)
    assert -1.0 <= alone.score_samples(X).mean() < -0.9


def test_early_stopping_keeps_validation_curve_and_stops(digits):
    X, _ = digits
    ae = AutoencoderTransformer(8, early_stopping=True, patience=2, tol=0.5,
                                max_epochs=50, random_state=0).fit(X)
    assert ae.n_iter_ < 50
    assert len(ae.validation_loss_curve_) == ae.n_iter_
    no_es = AutoencoderTransformer(8, max_epochs=3, random_state=0).fit(X)
    assert not hasattr(no_es, "validation_loss_curve_")


def test_bce_loss_with_minmax_scaling(digits, fast):
    X, _ = digits
    ae = AutoencoderTransformer(8, loss="bce", output_activation="sigmoid",
                                scaling="minmax", **fast).fit(X)
    assert np.isfinite(ae.loss_curve_).all()
    with pytest.raises(ValueError, match="output_activation='sigmoid'"):
        AutoencoderTransformer(loss="bce", scaling="minmax", **fast).fit(X)
    with pytest.raises(ValueError, match="scaling='minmax'"):
        AutoencoderTransformer(loss="bce", output_activation="sigmoid", **fast).fit(X)


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "lbfgs"])
def test_optimizers_train(optimizer, digits, fast):
    X, _ = digits
    ae = AutoencoderTransformer(8, optimizer=optimizer, **fast).fit(X)
    assert ae.loss_curve_[-1] < ae.loss_curve_[0]


def test_weight_decay_shrinks_weights(digits, fast):
    X, _ = digits
    norms = [
        AutoencoderTransformer(8, weight_decay=wd, **fast).fit(X)
        .net_.module_.encoder_layers[0].weight.norm().item()
        for wd in (0.0, 0.1)
    ]
    assert norms[1] < norms[0]
    with pytest.raises(ValueError, match="lbfgs"):
        AutoencoderTransformer(optimizer="lbfgs", weight_decay=0.1).fit(X)


def test_divergence_is_reported_names_lr_and_leaves_no_fitted_model(fast):
    from sklearn.exceptions import NotFittedError

    X = np.random.RandomState(0).normal(size=(64, 4)) * 1e6
    ae = AutoencoderTransformer(optimizer="sgd", lr=1e10, scaling=None, **fast)
    with pytest.raises(TrainingDivergedError, match="lr=1e\\+10"):
        ae.fit(X)
    with pytest.raises(NotFittedError):
        ae.transform(X)
    assert not [name for name in vars(ae) if name.endswith("_") and not name.startswith("_")]


def test_a_finite_blow_up_is_reported_as_divergence_not_as_slow_convergence(fast):
    """Adam at lr=1e6 leaves a finite loss of about 1e24: that is divergence, not a
    budget that ran out while the loss was "still improving"."""
    X = np.random.RandomState(0).normal(size=(64, 4))
    ae = AutoencoderTransformer(lr=1e6, **fast)
    with pytest.raises(TrainingDivergedError, match="times that of predicting each column"):
        ae.fit(X)
    assert not [name for name in vars(ae) if name.endswith("_") and not name.startswith("_")]


def test_a_large_contractive_penalty_is_not_taken_for_divergence(digits):
    """At contraction=1000 the first epochs' loss is about 1000 x 32 (the penalty of a
    PCA start), 3e4 times the reconstruction's: the guard's reference includes it."""
    X, _ = digits
    cae = ContractiveAutoencoder(32, contraction=1000, max_epochs=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cae.fit(X[:300])
    assert cae.loss_curve_[0] > 1e4


def test_cuda_requested_without_gpu_gives_clear_error(monkeypatch, fast):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="no CUDA device"):
        AutoencoderTransformer(device="cuda", **fast).fit(np.random.rand(10, 3))
    ae = AutoencoderTransformer(device="auto", **fast).fit(np.random.rand(10, 3))
    assert ae.device_ == "cpu"


@pytest.mark.cuda
def test_cuda_matches_cpu(digits, fast):
    X, _ = digits
    cpu = AutoencoderTransformer(8, **fast).fit(X)
    gpu = AutoencoderTransformer(8, device="cuda", **fast).fit(X)
    assert gpu.device_ == "cuda"
    assert next(gpu.net_.module_.parameters()).is_cuda
    np.testing.assert_allclose(gpu.score(X), cpu.score(X), rtol=0.05)
    # A model trained on the GPU pickles and still predicts.
    restored = pickle.loads(pickle.dumps(gpu))
    np.testing.assert_allclose(restored.transform(X[:10]), gpu.transform(X[:10]), rtol=1e-5)


def test_bfloat16_precision_trains_close_to_float32(digits, fast):
    X, _ = digits
    full = AutoencoderTransformer(8, **fast).fit(X)
    half = AutoencoderTransformer(8, precision="bfloat16", **fast).fit(X)
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


def test_linear_shortcut_starts_at_pca_and_improves_on_it(digits):
    from sklearn.decomposition import PCA

    X, _ = digits
    X_train, X_test = X[:1400], X[1400:]
    ae = AutoencoderTransformer(8, max_epochs=1, random_state=0).fit(X_train)
    scaled_train = ae.scaler_.transform(X_train)
    scaled_test = ae.scaler_.transform(X_test)
    pca = PCA(8).fit(scaled_train)
    pca_error = ((scaled_test - pca.inverse_transform(pca.transform(scaled_test))) ** 2).mean()
    # Zero epochs would be PCA exactly; after one (16 steps) it is still close.
    start = AutoencoderTransformer(8, max_epochs=1, lr=1e-12, random_state=0).fit(X_train)
    assert start.reconstruction_error(X_test).mean() == pytest.approx(pca_error, rel=1e-4)
    code = start.transform(X_test)
    pca_code = pca.transform(scaled_test)
    assert np.abs(np.abs(code) - np.abs(pca_code)).max() < 1e-3
    trained = AutoencoderTransformer(8, early_stopping=True, random_state=0).fit(X_train)
    assert trained.reconstruction_error(X_test).mean() < 0.8 * pca_error


def test_without_linear_shortcut_the_code_is_the_activation(digits):
    X, _ = digits
    ae = AutoencoderTransformer(4, linear_shortcut=False, max_epochs=2, random_state=0).fit(X)
    assert ae.clip_ == 3.0
    assert np.abs(ae.transform(X)).max() <= 1.0  # tanh code
    assert not hasattr(ae.net_.module_, "encoder_shortcut")


def test_budget_that_ends_an_improving_fit_warns(digits):
    from sklearn.exceptions import ConvergenceWarning

    X, _ = digits
    with pytest.warns(ConvergenceWarning, match="max_epochs=2"):
        AutoencoderTransformer(4, max_epochs=2, random_state=0).fit(X)
    with pytest.warns(ConvergenceWarning, match="validation loss") as record:
        ae = AutoencoderTransformer(4, max_epochs=2, early_stopping=True, random_state=0).fit(X)
    # The steps it names are training steps, not the validation batches beside them.
    n_train = len(X) - round(ae.validation_fraction * len(X))
    steps = 2 * -(-n_train // ae.batch_size_)
    message = next(str(w.message) for w in record if w.category is ConvergenceWarning)
    assert f"({steps} optimizer steps)" in message
    # The fixed "auto" budget says so too, and how to train to convergence ...
    with pytest.warns(ConvergenceWarning, match="early_stopping=True"):
        AutoencoderTransformer(4, random_state=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        # ... and a fit that converged says nothing.
        AutoencoderTransformer(4, max_epochs=500, tol=0.5, patience=2, random_state=0).fit(X)


def test_partial_fit_starts_at_the_principal_axes_of_its_first_call(digits):
    from sklearn.decomposition import PCA

    X, _ = digits
    first = X[:600]
    model = AutoencoderTransformer(8, lr=1e-12, random_state=0).partial_fit(first)
    scaled = model.scaler_.transform(first)
    pca = PCA(8).fit(scaled)
    pca_error = ((scaled - pca.inverse_transform(pca.transform(scaled))) ** 2).mean()
    assert model.reconstruction_error(first).mean() == pytest.approx(pca_error, rel=1e-4)
    # Later calls train on from there; they do not start again.
    both = X[:1200]
    start_error = model.reconstruction_error(both).mean()
    trained = AutoencoderTransformer(8, random_state=0).partial_fit(first)
    for _ in range(5):
        trained.partial_fit(X[600:1200]).partial_fit(first)
    assert trained.reconstruction_error(both).mean() < 0.9 * start_error


def test_the_pca_start_reads_a_bounded_sample_of_rows(monkeypatch):
    from sklearn_ae import _training

    seen = []

    class Spy(_training.PCA):
        def fit(self, X, y=None):
            seen.append(X.shape)
            return super().fit(X, y)

    monkeypatch.setattr(_training, "PCA", Spy)
    rng = np.random.RandomState(0)
    AutoencoderTransformer(2, max_epochs=1, random_state=0).fit(rng.normal(size=(20000, 3)))
    # At most 16384 rows, evenly spaced (20000 rows: every 2nd).
    assert seen[-1] == (10000, 3)
    AutoencoderTransformer(2, max_epochs=1, random_state=0).fit(rng.normal(size=(300, 70000)))
    # At most about 2**24 numbers: 239 rows of 70,000 columns, so every 2nd of 300.
    assert seen[-1] == (150, 70000)


def _training_steps(estimator):
    """Optimizer steps of the last epoch (skorch lists validation batches too)."""
    return _training_steps_of(estimator, -1)


def _training_steps_of(estimator, epoch):
    return sum("train_loss" in batch for batch in estimator.net_.history[epoch]["batches"])


def test_auto_budget_is_600_random_batches_of_a_larger_table():
    X = np.random.RandomState(0).normal(size=(600 * 256 + 5000, 2))
    settings = dict(n_components=1, hidden_layer_sizes=(2,), n_neighbors=0, random_state=0)
    ae = AutoencoderTransformer(**settings).fit(X)
    assert ae.batch_size_ == 256 and ae.n_iter_ == 1
    assert _training_steps(ae) == 600
    # A later partial_fit and a budget set by hand pass over every row.
    ae.partial_fit(X)
    assert _training_steps(ae) == 620
    by_hand = AutoencoderTransformer(max_epochs=1, **settings).fit(X)
    assert _training_steps(by_hand) == 620
    # Early stopping with the "auto" budget reads the held-out loss every 600 batches.
    stopping = AutoencoderTransformer(early_stopping=True, max_epochs=1, **settings).fit(X)
    assert _training_steps(stopping) == 558  # the 90 % of the rows not held out
    longer = np.random.RandomState(1).normal(size=(700 * 256, 2))  # 630 batches of 90 %
    auto_stopping = AutoencoderTransformer(early_stopping=True, max_epochs="auto",
                                           patience=1, **settings).fit(longer)
    assert all(_training_steps_of(auto_stopping, epoch) == 600
               for epoch in range(auto_stopping.n_iter_))
