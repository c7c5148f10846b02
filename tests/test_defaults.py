"""What "auto" and None resolve to, and the device and memory checks."""

import numpy as np
import pytest
import torch

from sklearn_ae import AutoencoderTransformer
from sklearn_ae._defaults import (
    DeviceNames,
    default_batch_size,
    default_clip,
    default_hidden_layer_sizes,
    default_max_epochs,
    default_n_components,
    max_training_bytes,
    training_bytes,
)


def test_default_sizes_follow_the_data_shape():
    assert [default_n_components(p) for p in (1, 2, 9, 64, 784)] == [1, 1, 3, 6, 10]
    assert default_hidden_layer_sizes(64, 6, wide=False) == (12,)
    assert default_hidden_layer_sizes(3, 1) == (4,)
    assert default_hidden_layer_sizes(64, 6) == (64,)  # as wide as the input
    assert default_hidden_layer_sizes(784, 10) == (128,)  # up to 128 units
    assert default_hidden_layer_sizes(784, 10, n_samples=800) == (50,)  # 16 rows a unit
    assert default_hidden_layer_sizes(784, 30, n_samples=160) == (60,)  # at least 2d
    assert [default_batch_size(n) for n in (10, 400, 10**6)] == [8, 25, 256]
    assert default_max_epochs(214, 13) == 20  # 600 steps would be 35 passes
    assert default_max_epochs(8000, 256) == 19  # MNIST's sample: 32 steps an epoch
    assert default_max_epochs(49097, 256) == 4
    assert default_max_epochs(10**6, 256) == 1
    assert default_max_epochs(214, 13, early_stopping=True) == 589
    # An epoch is at most 600 batches: the held-out loss is read that often.
    assert default_max_epochs(10**6, 256, early_stopping=True) == 17
    assert default_max_epochs(8, 8) == 20  # 600 steps would be 600 passes
    assert default_clip("standard", False) == default_clip("robust", False) == 3.0
    assert default_clip("minmax", False) is None and default_clip(None, False) is None
    assert default_clip("standard", True) is None


@pytest.mark.parametrize("name", ["cpu", "cuda", "cuda:0", "cuda:12", "mps", "auto"])
def test_device_names_accepted(name):
    assert DeviceNames().is_satisfied_by(name)


@pytest.mark.parametrize("name", ["tpu", "cuda:", "cuda:a", "CPU", "", torch.device("cpu")])
def test_device_names_refused(name):
    assert not DeviceNames().is_satisfied_by(name)


def test_training_bytes_counts_weights_and_batch_activations():
    # 10 -> 4 -> 10 untied: 80 weights + 28 biases; activations 2 * 8 rows * (2*14 - 4).
    assert training_bytes((10, 4), 8, tied_weights=False) == 4 * (4 * 108 + 2 * 384)
    assert training_bytes((10, 4), 8, tied_weights=True) == 4 * (4 * 68 + 2 * 384)
    assert training_bytes((64, 10**8, 6), 256, False) > 100 * 2**30


def test_training_memory_cap_reads_the_environment(monkeypatch):
    monkeypatch.delenv("SKLEARN_AE_MAX_TRAINING_GB", raising=False)
    assert max_training_bytes() == 8 * 2**30
    monkeypatch.setenv("SKLEARN_AE_MAX_TRAINING_GB", "0.5")
    assert max_training_bytes() == 2**29
    monkeypatch.setenv("SKLEARN_AE_MAX_TRAINING_GB", "lots")
    with pytest.raises(ValueError, match="number of GiB"):
        max_training_bytes()


def test_defaults_from_data_shape():
    X = np.random.RandomState(0).normal(size=(50, 9))
    ae = AutoencoderTransformer(max_epochs=2).fit(X)
    assert ae.n_components_ == default_n_components(9) == 3
    assert ae.hidden_layer_sizes_ == (6,)
    assert default_batch_size(50) == 8 and default_batch_size(10**6) == 256
