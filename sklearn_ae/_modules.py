"""Torch modules: encoder and decoder stacks, with optional tied weights.

Nothing in this module knows about skorch or scikit-learn.
"""

import math

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

# Derivative of each activation as a function of its pre-activation a, for the
# closed-form Jacobian of an encoder stack.
_SLOPES = {
    nn.Identity: lambda act, a: torch.ones_like(a),
    nn.Tanh: lambda act, a: 1.0 - torch.tanh(a).square(),
    nn.Sigmoid: lambda act, a: torch.sigmoid(a) * (1.0 - torch.sigmoid(a)),
    nn.ReLU: lambda act, a: (a > 0).to(a.dtype),
    nn.LeakyReLU: lambda act, a: torch.where(
        a > 0, torch.ones_like(a), torch.full_like(a, act.negative_slope)
    ),
    nn.ELU: lambda act, a: torch.where(a > 0, torch.ones_like(a), act.alpha * torch.exp(a)),
    nn.GELU: lambda act, a: (
        torch.special.ndtr(a) + a * torch.exp(-0.5 * a.square()) / math.sqrt(2 * math.pi)
    ),
}


def has_closed_form_jacobian(module):
    """Whether :func:`jacobian_sq_norm_closed_form` applies to ``module``.

    True when the activation's derivative is known in closed form (every
    activation of :data:`ACTIVATIONS` except GELU's tanh approximation), for any
    depth of the encoder stack.
    """
    activation = module.activation
    if isinstance(activation, nn.GELU) and activation.approximate != "none":
        return False
    return type(activation) in _SLOPES


def jacobian_sq_norm_closed_form(module, x):
    """Squared Frobenius norm of ``d encode(x) / dx`` per row, in closed form.

    The encoder is a stack ``h_k = f(a_k)``, ``a_k = W_k h_{k-1} + b_k``, so
    ``J = D_L W_L ... D_1 W_1`` with ``D_k = diag(f'(a_k))``. For one layer this
    is ``||J||_F^2 = sum_j f'_j^2 ||W_j||^2`` with ``W_j`` the j-th row of ``W``
    (Rifai et al., 2011): one forward pass, no Jacobian of a Jacobian. Deeper
    stacks multiply the per-row matrices layer by layer (``n x width x
    n_features`` numbers at a time) instead of running one backward pass per
    code unit as :func:`jacobian_sq_norm_autograd` does.

    Parameters
    ----------
    module : AutoencoderModule
        With :func:`has_closed_form_jacobian` true.
    x : torch.Tensor of shape (n, n_features)

    Returns
    -------
    torch.Tensor of shape (n,)
        Differentiable with respect to the module's parameters.
    """
    if not has_closed_form_jacobian(module):
        raise ValueError(
            f"No closed-form derivative for {module.activation!r}; "
            "use jacobian_sq_norm_autograd."
        )
    slope_of = _SLOPES[type(module.activation)]
    first, *rest = module.encoder_layers
    pre_activation = first(x)
    slope = slope_of(module.activation, pre_activation)
    if not rest:
        return slope.square() @ first.weight.square().sum(dim=1)
    jacobian = slope.unsqueeze(2) * first.weight  # (n, width, n_features)
    h = module.activation(pre_activation)
    for layer in rest:
        pre_activation = layer(h)
        slope = slope_of(module.activation, pre_activation)
        jacobian = slope.unsqueeze(2) * torch.matmul(layer.weight, jacobian)
        h = module.activation(pre_activation)
    return jacobian.square().sum(dim=(1, 2))


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
