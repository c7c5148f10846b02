"""fit and partial_fit: resolved settings, valid devices, and fits that fail undo themselves."""

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
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
    assert ae.max_epochs_ == 63  # ceil(1000 / 16 steps per epoch)
    assert ae.lr_ == 1e-3
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
