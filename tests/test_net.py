import pickle

import numpy as np
import pytest
import torch
from skorch.dataset import Dataset
from torch import nn

from sklearn_ae._modules import (
    ACTIVATIONS,
    AutoencoderModule,
    jacobian_sq_norm,
)
from sklearn_ae._net import (
    AutoencoderNet,
    ContractiveNet,
    DenoisingNet,
    DivergenceGuard,
    TensorBatchIterator,
    TrainingDivergedError,
)


def _rows(batches):
    return torch.cat([X for X, _ in batches])


def test_batches_cover_every_row_once_and_target_is_input():
    X = torch.arange(23.0).reshape(23, 1)
    iterator = TensorBatchIterator(Dataset(X), batch_size=5, shuffle=True,
                                   generator=torch.Generator().manual_seed(0))
    batches = list(iterator)
    assert len(iterator) == len(batches) == 5
    assert all(X_b is y_b for X_b, y_b in batches)
    assert sorted(_rows(batches).ravel().tolist()) == X.ravel().tolist()
    assert _rows(batches).ravel().tolist() != X.ravel().tolist()  # shuffled


def test_max_batches_ends_a_shuffled_epoch_on_a_fresh_random_sample():
    X = torch.arange(100.0).reshape(100, 1)
    iterator = TensorBatchIterator(Dataset(X), batch_size=8, shuffle=True, max_batches=3,
                                   generator=torch.Generator().manual_seed(0))
    first, second = list(iterator), list(iterator)
    assert len(iterator) == len(first) == len(second) == 3
    assert all(len(X_b) == 8 for X_b, _ in first)
    rows = _rows(first).ravel().tolist()
    assert len(set(rows)) == 24  # no row twice within an epoch
    assert set(rows) != set(_rows(second).ravel().tolist())  # another sample
    # More batches than the data has, or no shuffling: every row once.
    assert len(list(TensorBatchIterator(Dataset(X), 8, shuffle=True, max_batches=50))) == 13
    unshuffled = TensorBatchIterator(Dataset(X), 8, max_batches=3)
    assert len(unshuffled) == len(list(unshuffled)) == 13


def test_shuffling_is_reproducible_and_changes_between_epochs():
    X = torch.arange(50.0).reshape(50, 1)

    def epochs(seed):
        iterator = TensorBatchIterator(Dataset(X), 8, shuffle=True,
                                       generator=torch.Generator().manual_seed(seed))
        return [_rows(iterator).ravel().tolist() for _ in range(2)]

    first, second = epochs(1)
    assert first != second
    assert epochs(1) == [first, second]


def test_unshuffled_batches_keep_order_and_subsets_work():
    X = torch.arange(10.0).reshape(10, 1)
    subset = torch.utils.data.Subset(Dataset(X), [7, 2, 5])
    assert _rows(TensorBatchIterator(subset, 2)).ravel().tolist() == [7, 2, 5]


def _net(**kwargs):
    params = dict(module=AutoencoderModule, module__n_features=4, module__n_components=2,
                  criterion=nn.MSELoss, optimizer=torch.optim.Adam, lr=1e-2,
                  max_epochs=3, batch_size=16, iterator_train=TensorBatchIterator,
                  iterator_valid=TensorBatchIterator, train_split=None, verbose=0)
    params.update(kwargs)
    return AutoencoderNet(**params)


def test_loss_compares_reconstruction_with_input_not_zeros():
    X = torch.randn(32, 4) + 5.0
    net = _net(max_epochs=1).fit(X)
    X_hat = net.module_(X)
    loss = net.get_loss(X_hat, X, X=X)
    torch.testing.assert_close(loss, ((X_hat - X) ** 2).mean())


def test_hooks_corrupt_input_and_add_penalty():
    class ZeroInputNet(AutoencoderNet):
        def corrupt(self, X):
            return torch.zeros_like(X)

        def penalty(self, X):
            return torch.tensor(100.0)

    X = torch.randn(64, 4) + 3.0
    net = ZeroInputNet(**{**dict(module=AutoencoderModule, module__n_features=4,
                                 module__n_components=2, criterion=nn.MSELoss,
                                 lr=1e-2, max_epochs=1, batch_size=64,
                                 iterator_train=TensorBatchIterator,
                                 train_split=None, verbose=0)})
    net.fit(X)
    step = net.train_step_single((X, X))
    reconstruction_of_zeros = net.module_(torch.zeros_like(X))
    torch.testing.assert_close(step["y_pred"], reconstruction_of_zeros)
    torch.testing.assert_close(
        step["loss"], ((reconstruction_of_zeros - X) ** 2).mean() + 100.0
    )


def test_divergence_guard_names_the_learning_rate():
    X = torch.randn(64, 4) * 1e3
    net = _net(lr=1e12, max_epochs=20, callbacks=[("guard", DivergenceGuard(1e12))],
               optimizer=torch.optim.SGD)
    with pytest.raises(TrainingDivergedError, match=r"lr=1e\+12"):
        net.fit(X)
    assert np.isnan(net.history[-1, "train_loss"]) or np.isinf(net.history[-1, "train_loss"])


def test_divergence_guard_stops_a_finite_blow_up():
    """A loss that is finite but 1e4 times that of predicting the means has diverged."""
    X = torch.randn(64, 4)
    guard = DivergenceGuard(1e6)
    net = _net(lr=1e6, max_epochs=5, callbacks=[("guard", guard)])
    with pytest.raises(TrainingDivergedError, match=r"more than 10000 times .*lr=1e\+06"):
        net.fit(X)
    assert np.isfinite(net.history[-1, "train_loss"])
    assert guard.reference_loss_ == pytest.approx(X.var(dim=0, unbiased=False).mean().item())


def test_divergence_guard_lets_a_sound_fit_be():
    X = torch.randn(64, 4) * 1e-4  # near-constant columns: the floor of 1e-3 applies
    guard = DivergenceGuard(1e-3)
    net = _net(lr=1e-3, max_epochs=3, callbacks=[("guard", guard)])
    net.fit(X)
    assert guard.reference_loss_ == 1e-3 and len(net.history) == 3


def test_tensor_batches_train_like_skorchs_dataloader():
    # The fast path (whole-tensor slicing) must train exactly like skorch's
    # default Dataset + DataLoader path on the same rows in the same order.
    X = torch.randn(100, 4)
    curves = []
    for iterator in (TensorBatchIterator, torch.utils.data.DataLoader):
        torch.manual_seed(0)
        net = _net(iterator_train=iterator, iterator_train__shuffle=False,
                   max_epochs=4, batch_size=16).fit(X, X)
        curves.append(net.history[:, "train_loss"])
    np.testing.assert_allclose(curves[0], curves[1], rtol=1e-6)
# ------------------------------------------------------------ denoising net

def _denoising_net(noise, noise_level, seed=0, **kwargs):
    return DenoisingNet(**{**dict(module=AutoencoderModule, module__n_features=50,
                                  module__n_components=2, criterion=nn.MSELoss,
                                  max_epochs=1, batch_size=500,
                                  iterator_train=TensorBatchIterator, train_split=None,
                                  verbose=0),
                           **kwargs},
                        noise=noise, noise_level=noise_level, random_state=seed)


@pytest.fixture(scope="module")
def clean():
    return torch.randn(500, 50, generator=torch.Generator().manual_seed(0)) + 3.0


def test_mask_noise_zeroes_a_share_and_keeps_the_rest_unscaled(clean):
    net = _denoising_net("mask", 0.3).fit(clean)
    corrupted = net.corrupt(clean)
    zeroed = corrupted == 0
    assert zeroed.float().mean().item() == pytest.approx(0.3, abs=0.01)
    # Kept entries are the clean values, not rescaled by 1 / (1 - p) as in Dropout.
    torch.testing.assert_close(corrupted[~zeroed], clean[~zeroed])


def test_gaussian_noise_has_the_requested_std(clean):
    net = _denoising_net("gaussian", 0.5).fit(clean)
    noise = net.corrupt(clean) - clean
    assert noise.std().item() == pytest.approx(0.5, rel=0.02)
    assert abs(noise.mean().item()) < 0.01


def test_salt_pepper_sets_entries_to_column_extremes(clean):
    net = _denoising_net("salt_pepper", 0.2).fit(clean)
    corrupted = net.corrupt(clean)
    low, high = clean.amin(dim=0), clean.amax(dim=0)
    changed = corrupted != clean
    assert changed.float().mean().item() == pytest.approx(0.2, abs=0.01)
    is_low = corrupted == low
    is_high = corrupted == high
    assert bool((is_low | is_high)[changed].all())
    # Salt and pepper come in about equal shares.
    assert is_low[changed].float().mean().item() == pytest.approx(0.5, abs=0.03)


@pytest.mark.parametrize("noise", ["mask", "gaussian", "salt_pepper"])
def test_corruption_is_seeded_fresh_per_call_and_survives_pickling(noise, clean):
    a = _denoising_net(noise, 0.3, seed=1).fit(clean)
    b = _denoising_net(noise, 0.3, seed=1).fit(clean)
    c = _denoising_net(noise, 0.3, seed=2).fit(clean)
    first = a.corrupt(clean)
    torch.testing.assert_close(b.corrupt(clean), first)
    assert not torch.equal(c.corrupt(clean), first)
    assert not torch.equal(a.corrupt(clean), first)  # new noise at every batch
    restored = pickle.loads(pickle.dumps(a))
    torch.testing.assert_close(restored.corrupt(clean), a.corrupt(clean))
    assert a.noise_generator_.device == clean.device


@pytest.mark.parametrize("noise", ["mask", "gaussian", "salt_pepper"])
def test_zero_noise_level_is_identity(noise, clean):
    net = _denoising_net(noise, 0.0).fit(clean)
    assert net.corrupt(clean) is clean


def test_denoising_step_feeds_corrupted_input_and_compares_with_clean(clean):
    net = _denoising_net("mask", 0.5, seed=3).fit(clean)
    generator_state = net.noise_generator_.get_state()
    step = net.train_step_single((clean, clean))
    net.noise_generator_.set_state(generator_state)
    corrupted = net.corrupt(clean)
    expected = net.module_(corrupted)
    torch.testing.assert_close(step["y_pred"], expected)
    torch.testing.assert_close(step["loss"], ((expected - clean) ** 2).mean())


# ---------------------------------------------------------- contractive net

def jacobian_sq_norm_autograd(module, x):
    """Test oracle: ||d encode / dx||_F^2 per row by torch.func (jacrev + vmap)."""
    jacobians = torch.func.vmap(torch.func.jacrev(module.encode))(x)
    return jacobians.pow(2).sum(dim=(1, 2))


def _finite_difference_sq_norm(module, x, eps=1e-6):
    """||d encode / dx||_F^2 per row by central differences, float64."""
    n, p = x.shape
    total = torch.zeros(n, dtype=torch.float64)
    with torch.no_grad():
        for k in range(p):
            step = torch.zeros(p, dtype=torch.float64)
            step[k] = eps
            column = (module.encode(x + step) - module.encode(x - step)) / (2 * eps)
            total += column.pow(2).sum(dim=1)
    return total


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "linear"])
def test_closed_form_autograd_and_finite_differences_agree(activation):
    torch.manual_seed(0)
    module = AutoencoderModule(7, 3, (), activation=activation).double()
    x = torch.randn(6, 7, dtype=torch.float64)
    closed = jacobian_sq_norm(module, x)
    auto = jacobian_sq_norm_autograd(module, x)
    torch.testing.assert_close(closed, auto, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(closed, _finite_difference_sq_norm(module, x),
                               rtol=1e-7, atol=1e-9)
    # The gradients used for training agree too.
    weight = module.encoder_layers[0].weight
    grad_closed, = torch.autograd.grad(closed.sum(), weight)
    grad_auto, = torch.autograd.grad(auto.sum(), weight)
    torch.testing.assert_close(grad_closed, grad_auto, rtol=1e-10, atol=1e-12)
    # In float32 the two paths agree to float tolerance.
    module32, x32 = module.float(), x.float()
    torch.testing.assert_close(jacobian_sq_norm(module32, x32),
                               jacobian_sq_norm_autograd(module32, x32))


@pytest.mark.parametrize("hidden", [(5,), (5, 4)])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_layered_closed_form_matches_autograd_and_finite_differences(hidden, activation):
    torch.manual_seed(0)
    module = AutoencoderModule(6, 3, hidden, activation=activation).double()
    x = torch.randn(5, 6, dtype=torch.float64)
    closed = jacobian_sq_norm(module, x)
    auto = jacobian_sq_norm_autograd(module, x)
    torch.testing.assert_close(closed, auto, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(auto, _finite_difference_sq_norm(module, x),
                               rtol=1e-6, atol=1e-8)
    weight = module.encoder_layers[0].weight
    grad_closed, = torch.autograd.grad(closed.sum(), weight)
    grad_auto, = torch.autograd.grad(auto.sum(), weight)
    torch.testing.assert_close(grad_closed, grad_auto, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("tied", [False, True])
@pytest.mark.parametrize("hidden", [(), (5,), (5, 4)])
@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "linear", "elu"])
def test_closed_form_with_linear_shortcut_matches_autograd(hidden, activation, tied):
    torch.manual_seed(0)
    module = AutoencoderModule(6, 3, hidden, activation=activation, tied_weights=tied,
                               linear_shortcut=True).double()
    x = torch.randn(5, 6, dtype=torch.float64)
    closed = jacobian_sq_norm(module, x)
    auto = jacobian_sq_norm_autograd(module, x)
    torch.testing.assert_close(closed, auto, rtol=1e-10, atol=1e-12)
    for weight in (module.encoder_shortcut.weight, module.encoder_layers[0].weight):
        grad_closed, = torch.autograd.grad(closed.sum(), weight, retain_graph=True)
        grad_auto, = torch.autograd.grad(auto.sum(), weight, retain_graph=True)
        torch.testing.assert_close(grad_closed, grad_auto, rtol=1e-8, atol=1e-10)


def test_activation_without_closed_form_is_refused():
    module = AutoencoderModule(6, 3, (5,), activation="gelu").double()
    module.activation = nn.GELU(approximate="tanh")  # no public setting gives this
    with pytest.raises(ValueError, match="closed-form"):
        jacobian_sq_norm(module, torch.randn(5, 6, dtype=torch.float64))


@pytest.mark.parametrize("hidden", [(), (5,)])
def test_contractive_loss_adds_penalty_in_training_and_validation(hidden):
    X = torch.randn(64, 4)
    net = ContractiveNet(**{**dict(module=AutoencoderModule, module__n_features=4,
                                   module__n_components=2, module__hidden_layer_sizes=hidden,
                                   criterion=nn.MSELoss, max_epochs=1, batch_size=64,
                                   iterator_train=TensorBatchIterator,
                                   iterator_valid=TensorBatchIterator,
                                   train_split=None, verbose=0)},
                         contraction=0.5).fit(X)
    expected = (((net.module_(X) - X) ** 2).mean()
                + 0.5 * jacobian_sq_norm_autograd(net.module_, X).mean())
    step = net.train_step_single((X, X))
    torch.testing.assert_close(step["loss"], expected)
    # skorch validates under no_grad: the penalty is still there, and detached.
    valid = net.validation_step((X, X))
    torch.testing.assert_close(valid["loss"], expected.detach())
    assert not valid["loss"].requires_grad


@pytest.mark.parametrize("shortcut", [False, True])
@pytest.mark.parametrize("hidden", [(), (5,), (5, 3)])
def test_contractive_step_reuses_the_forward_pre_activations(hidden, shortcut, monkeypatch):
    X = torch.randn(32, 4)
    net = ContractiveNet(module=AutoencoderModule, module__n_features=4,
                         module__n_components=2, module__hidden_layer_sizes=hidden,
                         module__linear_shortcut=shortcut, criterion=nn.MSELoss,
                         max_epochs=1, batch_size=32, iterator_train=TensorBatchIterator,
                         iterator_valid=TensorBatchIterator, train_split=None, verbose=0,
                         contraction=0.5).initialize()
    module = net.module_
    net.train_step_single((X, X))
    reused = [p.grad.clone() for p in module.parameters()]
    assert module.pre_activations_ is None and not module.keep_pre_activations
    # The same step with the pre-activations computed again for the penalty.
    module.zero_grad()
    loss = ((module(X) - X) ** 2).mean() + 0.5 * jacobian_sq_norm(module, X).mean()
    loss.backward()
    for got, expected in zip(reused, (p.grad for p in module.parameters())):
        torch.testing.assert_close(got, expected)

    calls = []
    original = AutoencoderModule._activated_layers
    monkeypatch.setattr(AutoencoderModule, "_activated_layers",
                        lambda self, x: calls.append(1) or original(self, x))
    net.train_step_single((X, X))
    assert len(calls) == 1


def test_wide_tensors_are_split_into_inputs_and_targets():
    X = torch.arange(12.0).reshape(3, 4)
    batches = list(TensorBatchIterator(Dataset(X), batch_size=2, n_inputs=3))
    assert torch.equal(batches[0][0], X[:2, :3]) and torch.equal(batches[0][1], X[:2, 3:])
    same = list(TensorBatchIterator(Dataset(X), batch_size=2, n_inputs=4))
    assert same[0][0] is same[0][1]


def test_missing_targets_are_left_out_of_the_loss():
    net = AutoencoderNet(AutoencoderModule, module__n_features=2, module__n_components=1,
                         criterion=nn.MSELoss, max_epochs=1, train_split=None)
    net.initialize()
    y_pred = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y_true = torch.tensor([[0.0, float("nan")], [3.0, 2.0]])
    loss = net.reconstruction_loss(y_pred, y_true)
    assert loss.item() == pytest.approx((1.0 + 0.0 + 4.0) / 3)
    loss.backward()
    assert torch.isfinite(y_pred.grad).all() and y_pred.grad[0, 1] == 0
    complete = torch.tensor([[0.0, 1.0], [3.0, 2.0]])
    assert torch.equal(net.reconstruction_loss(y_pred, complete), nn.MSELoss()(y_pred, complete))
    empty = torch.full((2, 2), float("nan"))
    assert net.reconstruction_loss(y_pred, empty).item() == 0.0
