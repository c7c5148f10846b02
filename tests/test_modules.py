import pytest
import torch

from sklearn_ae._modules import ACTIVATIONS, AutoencoderModule


@pytest.mark.parametrize("hidden", [(), (6,), (7, 5)])
@pytest.mark.parametrize("tied", [False, True])
@pytest.mark.parametrize("n_components", [2, 12])  # under- and over-complete
def test_shapes(hidden, tied, n_components):
    module = AutoencoderModule(9, n_components, hidden, tied_weights=tied)
    x = torch.randn(4, 9)
    assert module.encode(x).shape == (4, n_components)
    assert module(x).shape == (4, 9)


def test_tied_decoder_uses_transposed_encoder_weights():
    torch.manual_seed(0)
    module = AutoencoderModule(5, 3, (), activation="linear", tied_weights=True)
    W = module.encoder_layers[0].weight
    b = module.decoder_biases[0]
    h = torch.randn(4, 3)
    torch.testing.assert_close(module.decode(h), h @ W + b)
    # One weight matrix in the state dict: the decoder owns only biases.
    assert [k for k in module.state_dict() if k.endswith("weight")] == [
        "encoder_layers.0.weight"
    ]


def test_tied_weights_stay_tied_through_training():
    torch.manual_seed(0)
    module = AutoencoderModule(6, 2, (4,), tied_weights=True)
    optimizer = torch.optim.SGD(module.parameters(), lr=0.1)
    x = torch.randn(32, 6)
    for _ in range(3):
        optimizer.zero_grad()
        ((module(x) - x) ** 2).mean().backward()
        optimizer.step()
    h = module.encode(x)
    W1, W2 = (layer.weight for layer in module.encoder_layers)
    b2, b1 = module.decoder_biases
    expected = torch.tanh(h @ W2 + b2) @ W1 + b1
    torch.testing.assert_close(module.decode(h), expected)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activations_apply_to_code_and_output(name):
    torch.manual_seed(0)
    module = AutoencoderModule(3, 2, (), activation=name, output_activation=name)
    x = torch.randn(5, 3)
    layer = module.encoder_layers[0]
    torch.testing.assert_close(module.encode(x), ACTIVATIONS[name]()(layer(x)))


@pytest.mark.parametrize("hidden", [(), (6,), (7, 5)])
@pytest.mark.parametrize("tied", [False, True])
@pytest.mark.parametrize("activation", ["tanh", "relu", "linear"])
def test_linear_shortcut_starts_at_the_projection(hidden, tied, activation):
    torch.manual_seed(0)
    module = AutoencoderModule(8, 3, hidden, activation=activation, tied_weights=tied,
                               linear_shortcut=True).double()
    x = torch.randn(20, 8, dtype=torch.float64)
    mean = x.mean(dim=0)
    _, _, vt = torch.linalg.svd(x - mean, full_matrices=False)
    components = vt[:2]  # fewer axes than code units: the third starts at zero
    module.start_at_projection(components, mean)
    with torch.no_grad():
        code = module.encode(x)
        torch.testing.assert_close(code[:, :2], (x - mean) @ components.T)
        torch.testing.assert_close(code[:, 2], torch.zeros(20, dtype=torch.float64))
        projected = (x - mean) @ components.T @ components + mean
        torch.testing.assert_close(module(x), projected)


def test_linear_shortcut_trains_away_from_the_start():
    torch.manual_seed(0)
    module = AutoencoderModule(8, 2, (6,), linear_shortcut=True)
    x = torch.randn(64, 8)
    x[:, 2] = torch.tanh(x[:, 0] * x[:, 1])  # a relation no projection holds
    mean = x.mean(dim=0)
    _, _, vt = torch.linalg.svd(x - mean, full_matrices=False)
    module.start_at_projection(vt[:2], mean)
    start = ((module(x) - x) ** 2).mean().item()
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-2)
    for _ in range(200):
        optimizer.zero_grad()
        loss = ((module(x) - x) ** 2).mean()
        loss.backward()
        optimizer.step()
    # The zeroed last layers still get gradients: training goes below the projection.
    assert loss.item() < 0.95 * start
    assert module.encoder_layers[-1].weight.abs().max() > 0
