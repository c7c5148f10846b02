import numpy as np
import pytest
import torch
from skorch.dataset import Dataset
from torch import nn

from sklearn_ae._modules import AutoencoderModule
from sklearn_ae._net import (
    AutoencoderNet,
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
