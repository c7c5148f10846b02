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
    n_activated : int or None, default=None
        Apply ``output_activation`` to the first ``n_activated`` outputs only
        (the numeric block of a table whose categorical columns are
        reconstructed as logits, which must stay linear). None: to all.
    linear_shortcut : bool, default=False
        Add a linear map beside each stack: ``h = S x + c + E(x)`` and
        ``x_hat = g(S_x h + c_x + D(h))``, where ``E`` and ``D`` are the encoder
        and decoder stacks with a linear last layer (the code has no
        activation). :meth:`start_at_projection` sets the linear maps to a
        given orthonormal projection and the stacks' last layers to zero, so
        that training starts from that projection's reconstruction and the
        stacks learn what is nonlinear on top of it. With ``tied_weights``,
        ``S_x = S^T``.
    """

    # Class defaults, so that a module pickled before they existed still encodes.
    keep_pre_activations = False
    pre_activations_ = None

    def __init__(
        self,
        n_features,
        n_components,
        hidden_layer_sizes=(),
        activation="tanh",
        output_activation="linear",
        tied_weights=False,
        n_activated=None,
        linear_shortcut=False,
    ):
        super().__init__()
        self.n_activated = n_activated
        self.linear_shortcut = linear_shortcut
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
        if linear_shortcut:
            self.encoder_shortcut = nn.Linear(n_features, n_components)
            if tied_weights:
                self.decoder_shortcut_bias = nn.Parameter(torch.zeros(n_features))
            else:
                self.decoder_shortcut = nn.Linear(n_components, n_features)

    def _decoder_linears(self):
        if self.tied_weights:
            for layer, bias in zip(reversed(self.encoder_layers), self.decoder_biases):
                yield lambda h, w=layer.weight, b=bias: F.linear(h, w.t(), b)
        else:
            yield from self.decoder_layers

    def _activated_layers(self, x):
        """The pre-activations of the encoder's activated layers, and the last hidden output.

        With the linear shortcut the code layer is linear, so only the hidden
        layers count; without it the code layer's pre-activation comes last.
        """
        *hidden, last = self.encoder_layers
        pre_activations, h = [], x
        for layer in hidden:
            pre_activations.append(layer(h))
            h = self.activation(pre_activations[-1])
        if not self.linear_shortcut:
            pre_activations.append(last(h))
        return pre_activations, h

    def encode(self, x):
        pre_activations, h = self._activated_layers(x)
        if self.linear_shortcut:
            code = self.encoder_shortcut(x) + self.encoder_layers[-1](h)
        else:
            code = self.activation(pre_activations[-1])
        if self.keep_pre_activations:
            self.pre_activations_ = (x, pre_activations)
        return code

    def pre_activations_of(self, x):
        """The pre-activations of the encoder's activated layers for ``x``.

        Those of the last :meth:`encode` when it encoded ``x`` itself while
        ``keep_pre_activations`` was set (a penalty on the encoder's Jacobian
        then reuses the training forward pass); else computed afresh.
        """
        kept = self.pre_activations_
        if kept is not None and kept[0] is x:
            return kept[1]
        return self._activated_layers(x)[0]

    def _decoder_shortcut(self, h):
        if self.tied_weights:
            weight = self.encoder_shortcut.weight.t()
            return F.linear(h, weight, self.decoder_shortcut_bias)
        return self.decoder_shortcut(h)

    def decode(self, h):
        *hidden, last = self._decoder_linears()
        shortcut = self._decoder_shortcut(h) if self.linear_shortcut else None
        for linear in hidden:
            h = self.activation(linear(h))
        out = last(h)
        if shortcut is not None:
            out = out + shortcut
        if self.n_activated is None:
            return self.output_activation(out)
        activated = self.output_activation(out[:, : self.n_activated])
        return torch.cat([activated, out[:, self.n_activated :]], dim=1)

    def forward(self, x):
        return self.decode(self.encode(x))

    @torch.no_grad()
    def start_at_projection(self, components, mean):
        """Set the linear shortcut to the projection on ``components`` about ``mean``.

        The code starts as ``components @ (x - mean)`` (zero-padded past its
        rows), the reconstruction as ``components.T @ h + mean``: PCA's, when
        the components are the principal axes, the stacks' last layers are
        zeroed and ``activation(0) = 0``.

        Parameters
        ----------
        components : torch.Tensor of shape (k, n_features)
            Orthonormal rows, ``k <= n_components``.
        mean : torch.Tensor of shape (n_features,)
            The centre of the projection.
        """
        k = len(components)
        weight = self.encoder_shortcut.weight
        weight.zero_()
        weight[:k] = components
        self.encoder_shortcut.bias.copy_(-(weight @ mean))
        if self.tied_weights:
            self.decoder_shortcut_bias.copy_(mean)
        else:
            self.decoder_shortcut.weight.copy_(weight.T)
            self.decoder_shortcut.bias.copy_(mean)
        # The stacks' last layers start at zero; the decoder's, when tied, is
        # the encoder's first layer, which must stay as initialised.
        last_layers = [self.encoder_layers[-1]]
        if not self.tied_weights:
            last_layers.append(self.decoder_layers[-1])
        for layer in last_layers:
            layer.weight.zero_()
            layer.bias.zero_()


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


def jacobian_sq_norm(module, x):
    """Squared Frobenius norm of ``d encode(x) / dx`` per row, in closed form.

    The encoder is a stack ``h_k = f(a_k)``, ``a_k = W_k h_{k-1} + b_k``, so
    ``J = D_L W_L ... D_1 W_1`` with ``D_k = diag(f'(a_k))``. For one layer this
    is ``||J||_F^2 = sum_j f'_j^2 ||W_j||^2`` with ``W_j`` the j-th row of ``W``
    (Rifai et al., 2011): one forward pass, no Jacobian of a Jacobian. Deeper
    stacks multiply the per-row matrices layer by layer (``n x width x
    n_features`` numbers at a time) instead of running one backward pass per
    code unit. With a linear shortcut the code is ``h = S x + W_L f(...)``, so
    ``J = S + B W_1`` and ``||J||_F^2 = ||S||_F^2 + 2 <S W_1^T, B> + ||B W_1||_F^2``,
    with ``B = W_L D_{L-1} ... W_2 D_1``. Every activation of
    :data:`ACTIVATIONS` has its derivative in ``_SLOPES``; the tests check the
    result against autograd and finite differences.

    Parameters
    ----------
    module : AutoencoderModule
        The network whose encoder is differentiated.
    x : torch.Tensor of shape (n, n_features)
        Rows in the network's input space.

    Returns
    -------
    torch.Tensor of shape (n,)
        Differentiable with respect to the module's parameters.
    """
    activation = module.activation
    slope_of = _SLOPES.get(type(activation))
    if slope_of is None or getattr(activation, "approximate", "none") != "none":
        raise ValueError(f"No closed-form derivative for {activation!r}.")
    layers = module.encoder_layers
    first = layers[0].weight
    # With a linear shortcut the code is S x + W_L f(...): J = S + B W_1, and the
    # code layer has no slope.
    shortcut = module.encoder_shortcut.weight if module.linear_shortcut else None
    if len(layers) == 1:
        if shortcut is not None:  # a linear encoder: the same Jacobian for every row
            return (shortcut + first).square().sum().expand(len(x))
        slope = slope_of(activation, module.pre_activations_of(x)[0])
        return slope.square() @ first.square().sum(dim=1)
    # Forward: the slopes D_1 ... D_L. Then, from the code down to the first hidden
    # layer, B = D_L W_L ... W_2 D_1 (n x code x width_1 numbers), and
    # ||B W_1||_F^2 = sum(B G * B) with G = W_1 W_1^T: the input width enters once,
    # in G, instead of in every row's product (mnist's 100 columns, code 7: 14x
    # fewer multiplications). The shortcut adds ||S||_F^2 + 2 <S W_1^T, B>.
    slopes = [slope_of(activation, a) for a in module.pre_activations_of(x)]
    if shortcut is None:
        # (n, code, width_{L-1})
        product = slopes.pop().unsqueeze(2) * layers[-1].weight
    else:
        product = layers[-1].weight  # (code, width_{L-1}), broadcast over rows below
    for layer, slope in zip(reversed(layers[1:-1]), reversed(slopes[1:])):
        product = torch.matmul(product * slope.unsqueeze(1), layer.weight)
    product = product * slopes[0].unsqueeze(1)  # (n, code, width_1)
    gram = first @ first.T
    norm = (torch.matmul(product, gram) * product).sum(dim=(1, 2))
    if shortcut is None:
        return norm
    cross = (product * (shortcut @ first.T)).sum(dim=(1, 2))
    return shortcut.square().sum() + 2 * cross + norm
