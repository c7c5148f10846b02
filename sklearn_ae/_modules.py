"""Torch modules: encoder and decoder stacks, with optional tied weights.

Nothing in this module knows about skorch or scikit-learn.
"""

import torch
from torch import nn
from torch.nn import functional as F

ACTIVATIONS = {
    "linear": nn.Identity,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
    "elu": nn.ELU,
    "leaky_relu": nn.LeakyReLU,
    "gelu": nn.GELU,
}


class AutoencoderModule(nn.Module):
    """Encoder ``h = f(W_h x + b_h)`` and decoder ``x_hat = g(W_x h + b_x)``.

    With hidden layers the encoder is ``n_features -> hidden... -> n_components``
    and the decoder mirrors it. Every encoder layer and every hidden decoder
    layer uses ``activation``; the last decoder layer uses ``output_activation``.

    Parameters
    ----------
    n_features : int
        Width of the input.
    n_components : int
        Width of the code ``h``.
    hidden_layer_sizes : tuple of int, default=()
        Widths of the encoder layers between the input and the code.
    activation : str, default="tanh"
        Key of :data:`ACTIVATIONS` for the encoder and hidden decoder layers.
    output_activation : str, default="linear"
        Key of :data:`ACTIVATIONS` for the reconstruction.
    tied_weights : bool, default=False
        Decoder weights are the transposes of the encoder's.
    """

    def __init__(
        self,
        n_features,
        n_components,
        hidden_layer_sizes=(),
        activation="tanh",
        output_activation="linear",
        tied_weights=False,
    ):
        super().__init__()
        widths = [n_features, *hidden_layer_sizes, n_components]
        self.encoder_layers = nn.ModuleList(
            nn.Linear(w_in, w_out) for w_in, w_out in zip(widths[:-1], widths[1:])
        )
        self.tied_weights = tied_weights
        if tied_weights:
            # Only the biases are the decoder's own; its weights are read from
            # the encoder at every call, so the two stay tied through training
            # and the state dict holds each weight once.
            self.decoder_biases = nn.ParameterList(
                nn.Parameter(torch.zeros(w)) for w in widths[::-1][1:]
            )
        else:
            self.decoder_layers = nn.ModuleList(
                nn.Linear(w_in, w_out)
                for w_in, w_out in zip(widths[::-1][:-1], widths[::-1][1:])
            )
        self.activation = ACTIVATIONS[activation]()
        self.output_activation = ACTIVATIONS[output_activation]()

    def _decoder_linears(self):
        if self.tied_weights:
            for layer, bias in zip(reversed(self.encoder_layers), self.decoder_biases):
                yield lambda h, w=layer.weight, b=bias: F.linear(h, w.t(), b)
        else:
            yield from self.decoder_layers

    def encode(self, x):
        for layer in self.encoder_layers:
            x = self.activation(layer(x))
        return x

    def decode(self, h):
        *hidden, last = self._decoder_linears()
        for linear in hidden:
            h = self.activation(linear(h))
        return self.output_activation(last(h))

    def forward(self, x):
        return self.decode(self.encode(x))


# ------------------------------------------------------- encoder Jacobians

# Derivative of each activation written in terms of its output h, for the
# closed-form Jacobian of a one-layer encoder.
_DERIVATIVE_FROM_OUTPUT = {
    nn.Identity: torch.ones_like,
    nn.Tanh: lambda h: 1.0 - h * h,
    nn.Sigmoid: lambda h: h * (1.0 - h),
}


def has_closed_form_jacobian(module):
    """Whether :func:`jacobian_sq_norm_closed_form` applies to ``module``.

    True for a one-layer encoder ``h = f(W x + b)`` with ``f`` tanh, sigmoid
    or linear, whose derivative is a function of ``h`` alone.
    """
    return (
        len(module.encoder_layers) == 1
        and type(module.activation) in _DERIVATIVE_FROM_OUTPUT
    )


def jacobian_sq_norm_closed_form(module, x):
    """Squared Frobenius norm of ``d encode(x) / dx`` per row, in closed form.

    For ``h = f(W x + b)``, ``J = diag(f'(W x + b)) W``, so
    ``||J||_F^2 = sum_j f'_j^2 ||W_j||^2`` with ``W_j`` the j-th row of ``W``
    (Rifai et al., 2011): one forward pass, no second derivatives.

    Parameters
    ----------
    module : AutoencoderModule
        With :func:`has_closed_form_jacobian` true.
    x : torch.Tensor of shape (n, n_features)

    Returns
    -------
    torch.Tensor of shape (n,)
    """
    if not has_closed_form_jacobian(module):
        raise ValueError(
            "The closed form needs a one-layer encoder with a tanh, sigmoid or "
            "linear activation; use jacobian_sq_norm_autograd."
        )
    h = module.encode(x)
    slope = _DERIVATIVE_FROM_OUTPUT[type(module.activation)](h)
    row_norms = module.encoder_layers[0].weight.pow(2).sum(dim=1)
    return (slope * slope) @ row_norms


def jacobian_sq_norm_autograd(module, x):
    """Squared Frobenius norm of ``d encode(x) / dx`` per row, by autograd.

    Any encoder depth and activation: ``torch.func.jacrev`` gives each row's
    ``(n_components, n_features)`` Jacobian (one vector-Jacobian product per
    code unit, vectorised over the rows by ``vmap``). The result stays
    differentiable with respect to the module's parameters, so it can be
    trained on.

    Parameters
    ----------
    module : AutoencoderModule
    x : torch.Tensor of shape (n, n_features)

    Returns
    -------
    torch.Tensor of shape (n,)
    """
    jacobians = torch.func.vmap(torch.func.jacrev(module.encode))(x)
    return jacobians.pow(2).sum(dim=(1, 2))


def jacobian_sq_norm(module, x):
    """:func:`jacobian_sq_norm_closed_form` where it applies, else autograd."""
    if has_closed_form_jacobian(module):
        return jacobian_sq_norm_closed_form(module, x)
    return jacobian_sq_norm_autograd(module, x)
