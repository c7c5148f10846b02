"""The public estimators: their parameters and documentation."""

from numbers import Real

from ._base import BaseAutoencoder
from ._compat import Interval, StrOptions
from ._net import NOISES, ContractiveNet, DenoisingNet

_COMMON_PARAMETERS = """
    n_components : int or None, default=None
        Size ``d`` of the code ``h``. Smaller than the number of features gives
        an under-complete (compressing) code, larger an over-complete one.
        ``None`` uses ``max(1, round(log2(n_inputs)))``, the code size that
        made the best outlier detector across the ODDS tables; for compression,
        tune it (see the user guide on model selection). ``n_inputs`` is the
        width of the network's input: the number of features, where each
        categorical column counts its number of levels (its one-hot width).

    hidden_layer_sizes : tuple of int or None, default=None
        Widths of the encoder layers between the input and the code; the
        decoder mirrors them. ``()`` gives the one-layer model
        ``h = f(W_h x + b_h)``, ``x_hat = g(W_x h + b_x)``. ``None`` uses one
        hidden layer: when ``scaling="auto"`` found that the columns share a
        unit, as wide as the network's input, up to 128 units and at most
        one unit per 16 training rows (and at least ``2 * d``); else of width
        ``max(2 * d, 4)``. The denoising and contractive estimators always use
        ``max(2 * d, 4)``.

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

    linear_shortcut : bool, default=True
        Add a linear map beside the encoder and one beside the decoder:
        ``h = S (x - m) + E(x)`` and ``x_hat = g(S^T h + m + D(h))``, where the
        stacks ``E`` and ``D`` end in a linear layer (so the code has no
        activation). Training starts with ``S`` at PCA's principal axes of the
        (scaled) training rows and the stacks' last layers at zero: at step 0
        the model is PCA, and the stacks learn only what is nonlinear. With
        ``hidden_layer_sizes=()`` the model is then linear. Without it the
        classic stacks compressed worse than PCA on most tables of the
        compression benchmark (benchmarks/RESULTS.md). ``False`` gives the
        classic stack, whose code is ``f`` of its last layer.

    loss : {"mse", "bce"}, default="mse"
        Reconstruction loss. ``"bce"`` (binary cross-entropy) needs
        ``output_activation="sigmoid"`` and scaled inputs in [0, 1]
        (``scaling="minmax"``).

    optimizer : {"adam", "sgd", "lbfgs"}, default="adam"
        ``"sgd"`` uses momentum 0.9. ``"lbfgs"`` trains on the whole data set
        at each step (``batch_size`` is ignored) with a strong-Wolfe line
        search; it is the fastest way to the optimum of small, smooth models.

    lr : float or None, default=None
        Learning rate. ``None`` uses 3e-3 for Adam, 1e-2 for SGD and 1.0 for
        L-BFGS; for Adam and SGD twice that when a column is categorical (a
        categorical column's cross-entropy is divided by ``log K``, which slows
        the learning of its logits as much).

    max_epochs : int or "auto", default="auto"
        Maximum number of passes over the training data. ``"auto"`` gives
        about 600 optimizer steps whatever the number of rows, but at most 20
        passes (20 epochs for up to 4,096 rows, 19 for MNIST's 8,000, 4 for
        49,097; a table of more than 600 batches trains one epoch of 600
        batches drawn at random from all its rows), and 100 epochs to L-BFGS.
        A fixed budget of steps keeps fit time from growing with the rows, as
        IsolationForest's 256-row samples do. With ``early_stopping=True``,
        ``"auto"`` is a cap of about 10,000 steps, an epoch is at most 600
        batches, and the held-out loss decides. A fit that ends on its budget
        while its loss still improves raises a
        :class:`~sklearn.exceptions.ConvergenceWarning`.

    batch_size : int or "auto", default="auto"
        Rows per optimizer step. ``"auto"`` uses ``clip(n_samples // 16, 8,
        256)``: sixteen steps per epoch on small data, 256 rows on large.

    weight_decay : float, default=0.0
        L2 penalty on the weights, applied by the optimizer.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows, stop when their loss has
        not improved by ``tol`` (relative) for ``patience`` epochs, and keep the
        weights of the best epoch: training to convergence, the setting for
        compression. When False the same rule watches the training loss, as
        in :class:`~sklearn.neural_network.MLPRegressor`.

    validation_fraction : float in (0, 1), default=0.1
        Share of rows held out when ``early_stopping=True``.

    patience : int, default=10
        Epochs without improvement before training stops.

    tol : float, default=1e-4
        Relative improvement of the monitored loss that counts as progress.

    scaling : {"auto", "standard", "robust", "minmax"} or None, default="auto"
        How inputs are scaled inside the estimator before the network sees
        them. Outputs of :meth:`inverse_transform` and :meth:`reconstruct` are
        in the original units; reconstruction errors are measured in the
        scaled space. ``"auto"`` centres every column and, when the table has
        no categorical column and its columns share one unit (at least two
        vary, the widest range of values is at most twice the median one and
        the largest standard deviation at most 3 times the median one),
        divides them all by one common scale, so that the network learns in
        your units: standardising each pixel gives one that is lit once in a
        thousand images the weight of the busiest one. Otherwise ``"auto"``
        standardises each column, as ``"standard"`` does. The neighbour term
        of :meth:`score_samples` always measures distances in each column's
        standard scores.

    categorical_features : "from_dtype", array-like of str, int or bool, or \
None, default="from_dtype"
        Which columns are categorical, as in
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier`:
        ``"from_dtype"`` takes the DataFrame columns of dtype ``category``,
        ``object`` or ``string`` (and, in a numpy object array, the columns
        that hold a string); or column names (with a DataFrame), integer
        indices or a boolean mask; or None for none. Boolean columns are
        numeric (0/1) unless named here. A categorical column enters the
        network one-hot and is reconstructed as one block of logits, with a
        softmax cross-entropy divided by ``log K`` (``K`` its levels), so that
        it weighs like one numeric column in the loss and the scores. A level
        not seen at fit is not an error: it scores as maximally surprising
        (at least as much as the least likely known level). A column with one
        level carries nothing (its term is always 0); a column entirely
        missing at fit is kept, with a warning, and never scores.

    max_categories : int >= 2, default=32
        The most levels a categorical column keeps, counting one pooled
        "infrequent" level, as in :class:`~sklearn.preprocessing.OneHotEncoder`:
        a column with more levels keeps its ``max_categories - 1`` most
        frequent ones and pools the rest. A 10,000-level column so costs 32
        inputs and outputs. A value pooled at fit maps to the infrequent level
        later; a value never seen at fit is unseen.

    clip : float, "auto" or None, default="auto"
        Scaled training inputs (and targets) are clipped to ``[-clip, clip]``
        so that a few extreme values cannot dominate training; scoring and
        transforming use the unclipped values, so those values still count as
        odd. ``"auto"`` is no clipping with ``linear_shortcut=True`` (its
        linear code would meet unclipped values outside what it was trained
        on), else 3 with standard or robust scaling and no clipping
        otherwise.

    contamination : "auto" or float in (0, 0.5], default="auto"
        Expected share of outliers, which sets ``offset_`` as in
        :class:`~sklearn.ensemble.IsolationForest`: with a float,
        ``offset_ = np.percentile(score_samples(X_train), 100 * contamination)``;
        with ``"auto"``, Tukey's fence on the whole score (both terms): rows
        whose ``-score_samples`` exceeds ``Q3 + 1.5 IQR`` of the training
        rows' are outliers.

    n_neighbors : int, default=10
        The outlier score adds, to the reconstruction error, each row's mean
        squared distance to its ``n_neighbors`` nearest among 256 training
        rows drawn at fit (averaged over 4 independent draws, in each
        column's standard scores, in units of its mean over the training
        rows). The fitted model keeps those rows (``neighbor_reference_``, at
        most 1,024) and saves them in its file; a training row is never its
        own neighbour. 0 keeps none and scores by reconstruction error alone.
        Over the 24 tables of the development suite the reconstruction term
        alone has a mean ROC AUC of 0.738, this term alone 0.762, both 0.772
        (benchmarks/study/score_terms.py): it catches rows far from every
        training row that the network still reconstructs, as IsolationForest
        does from 256 rows per tree. It does not change training,
        :meth:`transform` or :meth:`score`.

    device : {"cpu", "cuda", "cuda:N", "mps", "auto"} or torch.device, \
default="cpu"
        Torch device for training and inference. ``"auto"`` picks CUDA when it
        is available. The default is the CPU so that results are the same on
        every machine. Other names are refused when ``fit`` validates the
        parameters; a device torch cannot find here is refused by ``fit``.

    n_threads : int or "auto", default="auto"
        CPU threads torch (and numpy's BLAS) use while this estimator trains
        or scores; torch's own setting is put back after every call, also
        when the call raises. ``"auto"`` uses one thread for a small network,
        whose training step costs under 10 million multiply-adds (rows per
        batch times weights: every default network on tables of up to a few
        hundred columns), and for a larger one all cores but one, never more
        than :func:`torch.get_num_threads` (so ``OMP_NUM_THREADS``,
        :func:`torch.set_num_threads` and threadpoolctl's limits are obeyed).
        Small networks gain nothing from more threads, and when another
        process holds a core every step waits for the thread that lost it: on
        two cores with one other busy process a digits fit took 1.67 s on two
        threads and 0.39 s on one (benchmarks/threads.py). An integer uses
        exactly that many threads (and limits numpy's BLAS to them). Results
        can differ in the last bits between thread counts.

    precision : {"float32", "bfloat16"}, default="float32"
        ``"bfloat16"`` runs forward passes under :func:`torch.autocast` with
        bfloat16 matrix products (weights, loss and optimizer state stay
        float32). It pays on GPUs with bfloat16 tensor cores; on most CPUs it
        is slower than float32.

    callbacks : list of (str, skorch.callbacks.Callback) or None, default=None
        Extra skorch callbacks, run before the estimator's own (divergence
        guard, last-epoch keeper, early stopping, progress bar), so that they
        can change the recorded losses those read. An estimator with
        callbacks cannot be saved by :func:`sklearn_ae.save`.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, batch order and the validation split.
        The same integer gives bit-identical results on the CPU; torch's and
        numpy's global random states are left as they were.

    verbose : int, default=0
        0 is silent; 1 or more shows a tqdm progress bar per fit (on standard
        error) with the epochs and the last training and validation losses,
        and early stopping's messages.
"""

_COMMON_ATTRIBUTES = """
    n_components_ : int
        Size of the code.

    hidden_layer_sizes_ : tuple of int
        Widths of the encoder's hidden layers.

    net_ : skorch.NeuralNet
        The trained skorch net; its torch module is ``net_.module_``.

    mean_ : ndarray of shape (n_features_in_,)
        Mean of each feature of the training data, in its units, over its
        observed values (with :meth:`partial_fit`, chunk means weighted by
        the chunks' rows); NaN for a categorical column.

    encoder_ : TableEncoder
        Turns a table into the network's input and its targets and back:
        which columns are categorical (``encoder_.is_categorical_``), their
        levels (``encoder_.categories_``), the scaler of the numeric columns,
        the width of the network's input (``encoder_.n_inputs_``).

    scaler_ : StandardScaler, RobustScaler, MinMaxScaler or None
        The fitted scaler of the numeric columns (``encoder_.scaler_``); of
        every column when none is categorical. None without scaling or
        numeric columns.

    clip_ : float or None
        The clip applied to scaled training inputs.

    scorer_ : OutlierScorer
        The fitted outlier score: it owns ``feature_error_scale_``,
        ``neighbor_reference_``, ``neighbor_scale_`` and ``offset_``, which
        the estimator shows as its own attributes. Fitted in one pass of the
        trained network over the training rows.

    feature_error_scale_ : ndarray of shape (n_features_in_,)
        Mean term of each feature over its observed training cells (squared
        error in scaled space, or a categorical column's normalised
        cross-entropy; floored; 1 for a column never observed):
        :meth:`score_samples` measures errors in these units.

    device_ : str
        The device used.

    lr_ : float
        The learning rate used (``lr``, or the optimizer's default).

    batch_size_ : int
        Rows per optimizer step (``batch_size`` resolved against the training
        rows); -1 for L-BFGS, which steps on the whole training set.

    max_epochs_ : int
        The epoch budget of :meth:`fit` (``max_epochs`` resolved).

    n_iter_ : int
        Number of epochs run (with :meth:`partial_fit`, one per call).

    n_samples_seen_ : int
        Number of training rows seen, over all epochs of :meth:`partial_fit`
        (the rows of ``X`` after :meth:`fit`).

    loss_curve_ : list of float
        Training loss per epoch.

    validation_loss_curve_ : list of float
        Validation loss per epoch; only with ``early_stopping=True``.

    neighbor_reference_ : ndarray of shape (n_reference, n_inputs) or None
        The training rows (in standard scores; all of them up to 256, else 4
        draws of 256 stacked) of the neighbour term of :meth:`score_samples`;
        None when ``n_neighbors=0``.

    neighbor_scale_ : float or None
        Mean of the neighbour term over the training rows (over 16,384 evenly
        spaced ones on larger data): the term is measured in this unit.

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
    and :meth:`score_samples` makes it an outlier detector with the
    interface of :class:`~sklearn.ensemble.IsolationForest`: minus the sum
    of the reconstruction error and the distance to the nearest training
    rows, each in units of its mean over the training rows.

    Training runs through skorch on a torch module.

    The defaults serve compression and detection with one rule, read from
    the data. Beside each stack runs a linear shortcut that starts at PCA's
    principal axes, so training starts from PCA's reconstruction. When the
    columns share one unit (pixels, spectra, standardised embeddings: see
    ``scaling``), the network learns them on one common scale, in the units
    you gave, and its hidden layer is as wide as the input (up to 128 units,
    at most one per 16 rows); otherwise each column is standardised and the
    hidden layer has ``max(2d, 4)`` units. Training is about 600 Adam steps
    (at most 20 passes). On the compression benchmark the held-out error is
    0.745 and 0.750 times PCA's on MNIST (d = 10 and 30, pixel units) and
    0.690 and 0.712 times on digits (d = 8 and 16); over the 24-table anomaly
    suite the mean ROC AUC is 0.772 against IsolationForest's 0.753, in 2.5
    times its time (benchmarks/RESULTS.md). The step budget ends most fits
    while the loss still improves, and says so with a ``ConvergenceWarning``:
    ``early_stopping=True`` trains to convergence on a held-out loss.
    ``n_components=None`` picks the narrow code ``round(log2 p)`` of a
    detector; for compression, set the code size.

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


@_with_common_docs
class DenoisingAutoencoder(BaseAutoencoder):
    """Denoising autoencoder: learns to reconstruct clean rows from corrupted ones.

    At every training step each batch is corrupted (in the scaled space the
    network sees) and the loss compares the reconstruction of the corrupted
    batch with the *clean* batch (Vincent et al., 2008). The network cannot
    copy its input, so it learns the structure that lets it fill in what the
    noise destroyed: the reconstruction pulls points back towards the data
    manifold. :meth:`transform`, :meth:`inverse_transform`,
    :meth:`reconstruct` and the scores never corrupt.

    Corruption is drawn on the training device from a ``torch.Generator``
    seeded from ``random_state``: the same integer gives the same noise.

    Parameters
    ----------
{parameters}

    noise : {{"mask", "gaussian", "salt_pepper"}}, default="mask"
        The corruption.

        - ``"mask"`` (masking noise): each entry is set to 0 with probability
          ``noise_level``. Under ``scaling="standard"``, 0 is the column mean,
          so masking replaces an entry by its mean. Unlike ``torch.nn.Dropout``,
          the kept entries are *not* multiplied by ``1 / (1 - noise_level)``:
          masking models entries that are missing, and the network should see
          the kept entries at their true values, as they will be in a damaged
          input it is asked to repair. Rescaling would train it only on inputs
          whose surviving values are inflated, which no real input has. The
          price is on clean inputs: at a high ``noise_level`` they are brighter
          than anything seen in training and are reconstructed less well than
          by a plain autoencoder (see the user guide for numbers).
        - ``"gaussian"``: adds independent ``N(0, noise_level^2)`` noise, in
          scaled units (standard deviations under ``scaling="standard"``).
        - ``"salt_pepper"``: each entry, with probability ``noise_level``, is
          set to its column's minimum or maximum over the training data
          (scaled), with equal chance.

    noise_level : float, default=0.1
        Corruption probability in [0, 1) for ``"mask"`` and ``"salt_pepper"``;
        standard deviation (>= 0) for ``"gaussian"``. 0 trains a plain
        autoencoder. The default was chosen on one half of the 24-table
        anomaly suite and confirmed on the other: on tables of few columns a
        quarter of the entries masked is a large share of each row, and 0.1
        scored better than 0.25 on the three-column skin table
        (benchmarks/study/DEFAULTS_STUDY.md).

    Attributes
    ----------
{attributes}

    See Also
    --------
    AutoencoderTransformer : The same model trained without corruption.
    ContractiveAutoencoder : Robustness through a Jacobian penalty instead.

    References
    ----------
    P. Vincent, H. Larochelle, Y. Bengio, P.-A. Manzagol, "Extracting and
    composing robust features with denoising autoencoders", ICML 2008.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_ae import DenoisingAutoencoder
    >>> X, _ = load_digits(return_X_y=True)
    >>> dae = DenoisingAutoencoder(n_components=16, noise="mask", noise_level=0.3,
    ...                            max_epochs=5, random_state=0)
    >>> dae.fit(X).transform(X).shape
    (1797, 16)
    >>> rng = np.random.RandomState(0)
    >>> X_damaged = np.where(rng.rand(*X.shape) < 0.3, 0.0, X)
    >>> dae.reconstruct(X_damaged).shape
    (1797, 64)
    """

    _net_class = DenoisingNet
    _wide_default_network = False

    _parameter_constraints: dict = {
        **BaseAutoencoder._parameter_constraints,
        "noise": [StrOptions(set(NOISES))],
        "noise_level": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        n_components=None,
        *,
        hidden_layer_sizes=None,
        activation="tanh",
        output_activation="linear",
        tied_weights=False,
        linear_shortcut=True,
        loss="mse",
        optimizer="adam",
        lr=None,
        max_epochs="auto",
        batch_size="auto",
        weight_decay=0.0,
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        tol=1e-4,
        scaling="auto",
        categorical_features="from_dtype",
        max_categories=32,
        clip="auto",
        contamination="auto",
        n_neighbors=10,
        device="cpu",
        n_threads="auto",
        precision="float32",
        callbacks=None,
        random_state=None,
        verbose=0,
        noise="mask",
        noise_level=0.1,
    ):
        super().__init__(
            n_components,
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            output_activation=output_activation,
            tied_weights=tied_weights,
            linear_shortcut=linear_shortcut,
            loss=loss,
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            weight_decay=weight_decay,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            patience=patience,
            tol=tol,
            scaling=scaling,
            categorical_features=categorical_features,
            max_categories=max_categories,
            clip=clip,
            contamination=contamination,
            n_neighbors=n_neighbors,
            device=device,
            n_threads=n_threads,
            precision=precision,
            callbacks=callbacks,
            random_state=random_state,
            verbose=verbose,
        )
        self.noise = noise
        self.noise_level = noise_level

    def _check_params(self):
        super()._check_params()
        if self.noise in ("mask", "salt_pepper") and not self.noise_level < 1:
            raise ValueError(
                f"noise_level must be in [0, 1) with noise={self.noise!r} (it is a "
                f"probability), got noise_level={self.noise_level!r}."
            )

    def _net_params(self, seed):
        return dict(noise=self.noise, noise_level=self.noise_level, random_state=seed)


@_with_common_docs
class ContractiveAutoencoder(BaseAutoencoder):
    """Contractive autoencoder: penalises the encoder's sensitivity to its input.

    Trains on ``reconstruction loss + contraction * mean_i ||J(x_i)||_F^2``
    where ``J(x) = d h / d x`` is the Jacobian of the code with respect to the
    (scaled) input (Rifai et al., 2011). The penalty makes the code flat in
    most directions, so it varies only along the directions the data needs
    for its reconstruction: small perturbations of an input barely move its
    code.

    The encoder's Jacobian is ``J = D_L W_L ... D_1 W_1`` with
    ``D_k = diag(f'(a_k))``: for one layer the penalty is
    ``sum_j f'(a_j)^2 ||W_j||^2``, for deeper stacks the per-row products are
    multiplied out layer by layer, in one forward pass: no Jacobian of a
    Jacobian and no per-unit backward passes.

    Parameters
    ----------
{parameters}

    contraction : float, default=0.1
        The weight ``lambda >= 0`` of the Jacobian penalty; 0 trains a plain
        autoencoder. The penalty is a sum over ``n_components * n_features``
        squared derivatives while the reconstruction loss is a mean over
        entries, so wide data needs a smaller ``contraction``.

    Attributes
    ----------
{attributes}

    See Also
    --------
    AutoencoderTransformer : The same model trained without the penalty.
    DenoisingAutoencoder : Robustness through corrupted training inputs.

    References
    ----------
    S. Rifai, P. Vincent, X. Muller, X. Glorot, Y. Bengio, "Contractive
    auto-encoders: explicit invariance during feature extraction", ICML 2011.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_ae import ContractiveAutoencoder
    >>> X, _ = load_digits(return_X_y=True)
    >>> cae = ContractiveAutoencoder(n_components=8, hidden_layer_sizes=(),
    ...                              contraction=0.1, max_epochs=5, random_state=0)
    >>> cae.fit(X).transform(X).shape
    (1797, 8)
    >>> cae.predict(X[:3]).tolist()
    [1, 1, 1]
    """

    _net_class = ContractiveNet
    _wide_default_network = False

    _parameter_constraints: dict = {
        **BaseAutoencoder._parameter_constraints,
        "contraction": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        n_components=None,
        *,
        hidden_layer_sizes=None,
        activation="tanh",
        output_activation="linear",
        tied_weights=False,
        linear_shortcut=True,
        loss="mse",
        optimizer="adam",
        lr=None,
        max_epochs="auto",
        batch_size="auto",
        weight_decay=0.0,
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        tol=1e-4,
        scaling="auto",
        categorical_features="from_dtype",
        max_categories=32,
        clip="auto",
        contamination="auto",
        n_neighbors=10,
        device="cpu",
        n_threads="auto",
        precision="float32",
        callbacks=None,
        random_state=None,
        verbose=0,
        contraction=0.1,
    ):
        super().__init__(
            n_components,
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            output_activation=output_activation,
            tied_weights=tied_weights,
            linear_shortcut=linear_shortcut,
            loss=loss,
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            weight_decay=weight_decay,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            patience=patience,
            tol=tol,
            scaling=scaling,
            categorical_features=categorical_features,
            max_categories=max_categories,
            clip=clip,
            contamination=contamination,
            n_neighbors=n_neighbors,
            device=device,
            n_threads=n_threads,
            precision=precision,
            callbacks=callbacks,
            random_state=random_state,
            verbose=verbose,
        )
        self.contraction = contraction

    def _net_params(self, seed):
        return dict(contraction=self.contraction)
