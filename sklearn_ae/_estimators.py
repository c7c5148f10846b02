"""The public estimators: their parameters and documentation."""

from ._base import BaseAutoencoder

_COMMON_PARAMETERS = """
    n_components : int or None, default=None
        Size ``d`` of the code ``h``. Smaller than the number of features gives
        an under-complete (compressing) code, larger an over-complete one.
        ``None`` uses ``ceil(sqrt(n_features))``.

    hidden_layer_sizes : tuple of int or None, default=None
        Widths of the encoder layers between the input and the code; the
        decoder mirrors them. ``()`` gives the one-layer model
        ``h = f(W_h x + b_h)``, ``x_hat = g(W_x h + b_x)``. ``None`` uses one
        hidden layer of width ``max(d, ceil(sqrt(n_features * d)))``.

    activation : {"tanh", "relu", "sigmoid", "linear", "elu", "leaky_relu", \
"gelu"}, default="tanh"
        ``f``: the activation of every encoder layer and every hidden decoder
        layer. ``tanh`` is the classic choice: bounded, zero-centred, smooth.

    output_activation : {"linear", "sigmoid", ...}, default="linear"
        ``g``: the activation of the reconstruction. ``linear`` suits scaled
        real-valued data; ``sigmoid`` suits data in [0, 1] with ``loss="bce"``.

    tied_weights : bool, default=False
        Decoder weights are the transposes of the encoder's (``W_x = W_h^T``),
        halving the number of weights. With linear activations, no hidden
        layers and ``optimizer="lbfgs"`` the model then finds PCA's subspace.

    loss : {"mse", "bce"}, default="mse"
        Reconstruction loss. ``"bce"`` (binary cross-entropy) needs
        ``output_activation="sigmoid"`` and scaled inputs in [0, 1]
        (``scaling="minmax"``).

    optimizer : {"adam", "sgd", "lbfgs"}, default="adam"
        ``"sgd"`` uses momentum 0.9. ``"lbfgs"`` trains on the whole data set
        at each step (``batch_size`` is ignored) with a strong-Wolfe line
        search; it is the fastest way to the optimum of small, smooth models.

    lr : float or None, default=None
        Learning rate. ``None`` uses 1e-3 for Adam, 1e-2 for SGD and 1.0 for
        L-BFGS.

    max_epochs : int, default=100
        Maximum number of passes over the training data.

    batch_size : int or "auto", default="auto"
        Rows per optimizer step. ``"auto"`` uses ``clip(n_samples // 10, 32,
        256)``: about ten steps per epoch on small data, 256 rows on large.

    weight_decay : float, default=0.0
        L2 penalty on the weights, applied by the optimizer.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows, stop when their loss has
        not improved by ``tol`` (relative) for ``patience`` epochs, and keep the
        weights of the best epoch. When False the same rule watches the
        training loss, as in :class:`~sklearn.neural_network.MLPRegressor`.

    validation_fraction : float in (0, 1), default=0.1
        Share of rows held out when ``early_stopping=True``.

    patience : int, default=10
        Epochs without improvement before training stops.

    tol : float, default=1e-4
        Relative improvement of the monitored loss that counts as progress.

    scaling : {"standard", "robust", "minmax"} or None, default="standard"
        How inputs are scaled inside the estimator before the network sees
        them. Outputs of :meth:`inverse_transform` and :meth:`reconstruct` are
        in the original units; scores are measured in the scaled space.

    contamination : "auto" or float in (0, 0.5], default="auto"
        Expected share of outliers, which sets ``offset_`` as in
        :class:`~sklearn.ensemble.IsolationForest`: with a float,
        ``offset_ = np.percentile(score_samples(X_train), 100 * contamination)``;
        with ``"auto"``, Tukey's fence: rows whose reconstruction error exceeds
        ``Q3 + 1.5 IQR`` of the training rows' errors are outliers.

    device : {"cpu", "cuda", "auto"} or str, default="cpu"
        Torch device for training and inference. ``"auto"`` picks CUDA when it
        is available. The default is the CPU so that results are the same on
        every machine.

    precision : {"float32", "bfloat16"}, default="float32"
        ``"bfloat16"`` runs forward passes under :func:`torch.autocast` with
        bfloat16 matrix products (weights, loss and optimizer state stay
        float32). It pays on GPUs with bfloat16 tensor cores; on most CPUs it
        is slower than float32.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, batch order and the validation split.
        The same integer gives bit-identical results on the CPU; torch's and
        numpy's global random states are left as they were.

    verbose : int, default=0
        0 is silent; 1 prints skorch's table of losses per epoch.
"""

_COMMON_ATTRIBUTES = """
    n_components_ : int
        Size of the code.

    hidden_layer_sizes_ : tuple of int
        Widths of the encoder's hidden layers.

    net_ : skorch.NeuralNet
        The trained skorch net; its torch module is ``net_.module_``.

    scaler_ : StandardScaler, RobustScaler, MinMaxScaler or None
        The fitted input scaler.

    device_ : str
        The device used.

    n_iter_ : int
        Number of epochs run.

    loss_curve_ : list of float
        Training loss per epoch.

    validation_loss_curve_ : list of float
        Validation loss per epoch; only with ``early_stopping=True``.

    offset_ : float
        Threshold on :meth:`score_samples`: ``decision_function`` is
        ``score_samples - offset_``.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.
"""


def _with_common_docs(cls):
    cls.__doc__ = cls.__doc__.format(
        parameters=_COMMON_PARAMETERS.strip("\n"),
        attributes=_COMMON_ATTRIBUTES.strip("\n"),
    )
    return cls


@_with_common_docs
class AutoencoderTransformer(BaseAutoencoder):
    """Autoencoder as a scikit-learn transformer and outlier detector.

    Learns an encoder ``h = f(W_h x + b_h)`` and a decoder
    ``x_hat = g(W_x h + b_x)`` (deeper stacks with ``hidden_layer_sizes``) that
    reconstruct the training data through a code of size ``n_components``.
    :meth:`transform` returns the code, :meth:`inverse_transform` decodes it,
    and the reconstruction error makes it an outlier detector with the
    interface of :class:`~sklearn.ensemble.IsolationForest`.

    Training runs through skorch on a torch module.

    Parameters
    ----------
{parameters}

    Attributes
    ----------
{attributes}

    See Also
    --------
    sklearn.decomposition.PCA : The linear, closed-form special case.
    sklearn.ensemble.IsolationForest : A tree-based outlier detector.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_ae import AutoencoderTransformer
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = AutoencoderTransformer(n_components=8, max_epochs=5, random_state=0)
    >>> ae.fit(X).transform(X).shape
    (1797, 8)
    >>> ae.inverse_transform(ae.transform(X[:2])).shape
    (2, 64)
    >>> ae.predict(X[:3]).tolist()
    [1, 1, 1]
    """
