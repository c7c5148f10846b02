"""The scikit-learn side shared by every autoencoder: validation, fit, transform, scores."""

import math
import uuid
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    OutlierMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, validate_data
from skorch.callbacks import EarlyStopping
from skorch.dataset import Dataset
from skorch.helper import predefined_split
from torch import nn

from ._modules import ACTIVATIONS, AutoencoderModule
from ._net import (
    AutoencoderNet,
    DivergenceGuard,
    KeepLastEpoch,
    TensorBatchIterator,
    TrainingDivergedError,
)
from ._progress import ProgressBar
from ._scoring import feature_error_scale, normalized_row_errors, offset_from_contamination
from ._selection import hidden_entry_mask, imputation_error

OPTIMIZERS = {
    # name: (torch optimizer, default learning rate, extra optimizer arguments).
    # The fused kernels update all parameters in one call: on small networks the
    # per-parameter Python loop of the default implementation costs a quarter of
    # an epoch (benchmarks/RESULTS.md).
    "adam": (torch.optim.Adam, 1e-3, {"fused": True}),
    "sgd": (torch.optim.SGD, 1e-2, {"momentum": 0.9, "fused": True}),
    "lbfgs": (torch.optim.LBFGS, 1.0, {"line_search_fn": "strong_wolfe"}),
}
LOSSES = {"mse": nn.MSELoss, "bce": nn.BCELoss}
SCALERS = {"standard": StandardScaler, "robust": RobustScaler, "minmax": MinMaxScaler}

# Rows pushed through the network at once at inference: bounds the memory of one
# activation to about 16 MiB of float32, whatever the number of rows.
_INFERENCE_ELEMENTS = 2**22


# Optimizer steps that max_epochs="auto" aims for, whatever the number of rows.
_AUTO_STEPS = 1000
# Epochs that max_epochs="auto" gives L-BFGS, whose every epoch is a full-batch step
# of up to 20 iterations; it usually stops much earlier on the tolerance.
_AUTO_LBFGS_EPOCHS = 100


def default_n_components(n_features):
    """Code size used when ``n_components=None``: ``max(1, round(log2(n_features)))``.

    A code much smaller than the input (9 columns -> 3, 64 pixels of digits ->
    6, 784 of MNIST -> 10). A narrow code is what makes reconstruction error a
    good outlier score: on the 11 ODDS tables a log2 code gave a mean ROC AUC
    of 0.811 against 0.795 for ``ceil(sqrt(n_features))``
    (benchmarks/RESULTS.md). Tune it with GridSearchCV for compression.
    """
    return max(1, round(math.log2(n_features)))


def default_hidden_layer_sizes(n_features, n_components):
    """Encoder stack used when ``hidden_layer_sizes=None``: ``(max(2 * d, 4),)``.

    One small hidden layer, twice the code width: enough to bend the code
    manifold, small enough not to memorise outliers.
    """
    return (max(2 * n_components, 4),)


def default_batch_size(n_samples):
    """Batch size used when ``batch_size="auto"``: ``clip(n_samples // 16, 8, 256)``.

    Small data sets still get sixteen optimizer steps per epoch; large ones
    get the batch size at which a CPU step is efficient.
    """
    return int(np.clip(n_samples // 16, 8, 256))


def default_max_epochs(n_samples, batch_size):
    """Epochs used when ``max_epochs="auto"``: about 1000 optimizer steps.

    A fixed budget of steps rather than of epochs: 214 rows get 59 epochs,
    49,097 rows get 6. Stopping early keeps rare rows (the outliers) poorly
    reconstructed, and fit time linear in the rows.
    """
    return max(1, math.ceil(_AUTO_STEPS / math.ceil(n_samples / batch_size)))


def default_clip(scaling):
    """Clip used when ``clip="auto"``: 3 for standard and robust scaling, else none."""
    return 3.0 if scaling in ("standard", "robust") else None


def resolve_device(device):
    """Map ``"auto"`` to ``"cuda"`` or ``"cpu"``; refuse CUDA where there is none."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but torch finds no CUDA device "
            f"(torch {torch.__version__}, CUDA build: {torch.version.cuda}). "
            "Use device='cpu' or device='auto'."
        )
    return device


class BaseAutoencoder(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, OutlierMixin, BaseEstimator
):
    """Shared implementation of the autoencoder estimators.

    Subclasses set :attr:`_net_class` to a subclass of
    :class:`~sklearn_ae._net.AutoencoderNet` and pass their own parameters to it
    through :meth:`_net_params`.
    """

    _net_class = AutoencoderNet

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left"), None],
        "hidden_layer_sizes": ["array-like", None],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "output_activation": [StrOptions(set(ACTIVATIONS))],
        "tied_weights": ["boolean"],
        "loss": [StrOptions(set(LOSSES))],
        "optimizer": [StrOptions(set(OPTIMIZERS))],
        "lr": [Interval(Real, 0, None, closed="neither"), None],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "scaling": [StrOptions(set(SCALERS)), None],
        "clip": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"}), None],
        "contamination": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="right")],
        "device": [StrOptions({"cpu", "cuda", "auto"}), str],
        "precision": [StrOptions({"float32", "bfloat16"})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_components=None,
        *,
        hidden_layer_sizes=None,
        activation="tanh",
        output_activation="linear",
        tied_weights=False,
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
        scaling="standard",
        clip="auto",
        contamination="auto",
        device="cpu",
        precision="float32",
        random_state=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.output_activation = output_activation
        self.tied_weights = tied_weights
        self.loss = loss
        self.optimizer = optimizer
        self.lr = lr
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.tol = tol
        self.scaling = scaling
        self.clip = clip
        self.contamination = contamination
        self.device = device
        self.precision = precision
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fit

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the autoencoder to reconstruct ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, a numpy array or a pandas DataFrame of numbers.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        if _is_dask_collection(X):
            return self._fit_dask(X)
        X = validate_data(
            self, X, dtype=[np.float64, np.float32], ensure_min_samples=2
        )
        n_samples, n_features = X.shape
        init_seed, shuffle_seed, split_seed, variant_seed = self._set_up(X)
        self.mean_ = X.mean(axis=0)  # first guess for hidden entries in score
        self.n_samples_seen_ = n_samples
        X_model = self._to_model_space(X)
        self._check_loss_domain(X_model)
        X_fit = X_model if self.clip_ is None else np.clip(X_model, -self.clip_, self.clip_)
        X_train, X_valid = self._split_validation(X_fit, split_seed)

        self.net_ = self._build_net(len(X_train), shuffle_seed, variant_seed)
        devices = [torch.device(self.device_)] if self.device_ != "cpu" else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(int(init_seed))
            if X_valid is not None:
                self.net_.set_params(
                    train_split=predefined_split(Dataset(self._tensor(X_valid)))
                )
            try:
                self.net_.fit(self._tensor(X_train))
                if self.net_.interrupted_ and not self._stopped_early():
                    self._recover_from_interrupt()
            except (TrainingDivergedError, KeyboardInterrupt):
                # Never leave a half-fitted estimator that would output NaN.
                self._forget_fit()
                raise
        self.net_.module_.train(False)

        history = self.net_.history
        self.n_iter_ = len(history)
        self.loss_curve_ = [float(v) for v in history[:, "train_loss"]]
        if X_valid is not None:
            self.validation_loss_curve_ = [float(v) for v in history[:, "valid_loss"]]

        self.feature_error_scale_ = feature_error_scale(self._mean_squared_error_per_feature(X))
        self.offset_ = offset_from_contamination(self._score_samples(X), self.contamination)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Train on one chunk of rows: one epoch (pass) over ``X`` per call.

        For data that does not fit in memory, or that arrives over time. The
        first call (on an unfitted estimator) validates ``X``, sets
        ``n_features_in_`` and ``feature_names_in_``, fits the scaler **on
        that first chunk only** and builds the network; the scaler then stays
        fixed, so that the space the network sees does not move under it
        (make the first chunk representative: shuffle the rows of the file).
        Every call then runs one epoch of mini-batches over ``X``, as
        :meth:`sklearn.neural_network.MLPRegressor.partial_fit` does; the
        optimizer state (Adam's moments, SGD's momentum) and the random
        generators carry over from call to call. ``max_epochs`` and
        ``early_stopping`` are not used (call ``partial_fit`` again for
        another pass). After :meth:`fit`, ``partial_fit`` continues training
        the fitted network.

        After each call ``mean_`` is the running mean of all rows seen,
        ``n_samples_seen_`` their number, and ``feature_error_scale_`` and
        ``offset_`` are recomputed from this chunk with the updated network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            One chunk of training rows.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : object
            The estimator, trained one more epoch.
        """
        first_call = not hasattr(self, "net_")
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=first_call)
        if first_call:
            self._start_streaming(X)
        X_model = self._to_model_space(X)
        self._check_loss_domain(X_model)
        X_fit = X_model if self.clip_ is None else np.clip(X_model, -self.clip_, self.clip_)
        self.net_.partial_fit(self._tensor(X_fit), epochs=1)
        self.net_.module_.train(False)
        if self.net_.interrupted_:
            raise KeyboardInterrupt("partial_fit was interrupted during its epoch")

        n_seen = self.n_samples_seen_
        self.n_samples_seen_ = n_seen + len(X)
        self.mean_ = self.mean_ + (X.sum(axis=0) - len(X) * self.mean_) / self.n_samples_seen_
        self.n_iter_ = len(self.net_.history)
        self.loss_curve_ = [float(v) for v in self.net_.history[:, "train_loss"]]
        self.feature_error_scale_ = feature_error_scale(self._mean_squared_error_per_feature(X))
        self.offset_ = offset_from_contamination(self._score_samples(X), self.contamination)
        return self

    def _set_up(self, X):
        """Sizes, device, scaler and clip from validated ``X``; return the seeds.

        The seeds of initialisation, batch order, validation split and the
        variant's own randomness, all drawn from ``random_state``.
        """
        self._check_params()
        n_features = X.shape[1]
        self.n_components_ = (
            default_n_components(n_features)
            if self.n_components is None
            else self.n_components
        )
        self.hidden_layer_sizes_ = self._check_hidden_layer_sizes(n_features)
        self.device_ = resolve_device(self.device)
        self.scaler_ = None if self.scaling is None else SCALERS[self.scaling]()
        if self.scaler_ is not None:
            self.scaler_.fit(X)
        self.clip_ = default_clip(self.scaling) if self.clip == "auto" else self.clip
        rng = check_random_state(self.random_state)
        init_seed, shuffle_seed, split_seed = rng.randint(np.iinfo(np.int32).max, size=3)
        # Drawn after the others, so that adding it changed no earlier seed.
        variant_seed = int(rng.randint(np.iinfo(np.int32).max))
        return init_seed, shuffle_seed, split_seed, variant_seed

    def _start_streaming(self, X):
        """First call of :meth:`partial_fit`: what ``fit`` sets up before training."""
        n_samples, n_features = X.shape
        init_seed, shuffle_seed, _, variant_seed = self._set_up(X)
        self.mean_ = np.zeros(n_features)
        self.n_samples_seen_ = 0
        self.net_ = self._build_net(n_samples, shuffle_seed, variant_seed, early_stopping=False)
        devices = [torch.device(self.device_)] if self.device_ != "cpu" else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(int(init_seed))
            self.net_.initialize()

    def _fit_dask(self, X):
        """``fit`` on a dask array or DataFrame: ``partial_fit`` block by block.

        Each epoch streams the row blocks once, in order, computing one block
        at a time; the scaler is fitted on the first block. ``max_epochs="auto"``
        gives the same budget of about 1000 optimizer steps as in memory.
        """
        X = _dask_rows(X)
        self._forget_fit()
        blocks = X.to_delayed()  # one delayed block per row chunk or partition
        blocks = list(blocks) if hasattr(X, "map_partitions") else list(blocks[:, 0])
        losses, sizes = [], []
        while True:
            for block in blocks:
                chunk = block.compute()
                self.partial_fit(chunk)
                losses.append(self.loss_curve_[-1])
                sizes.append(len(chunk))
            if self.max_epochs != "auto":
                max_epochs = self.max_epochs
            else:
                batch_size = self.net_.batch_size
                n_rows = sum(sizes[: len(blocks)])
                max_epochs = default_max_epochs(n_rows, batch_size if batch_size > 0 else n_rows)
            if len(losses) >= max_epochs * len(blocks):
                break
        # One entry per epoch, not per block: the row-weighted mean of the block losses.
        losses = np.reshape(losses, (-1, len(blocks)))
        sizes = np.reshape(sizes, (-1, len(blocks)))
        self.loss_curve_ = [float(v) for v in (losses * sizes).sum(axis=1) / sizes.sum(axis=1)]
        self.n_iter_ = len(self.loss_curve_)
        return self

    def _forget_fit(self):
        for name in [n for n in vars(self) if n.endswith("_") and not n.startswith("_")]:
            delattr(self, name)

    def _stopped_early(self):
        # skorch's EarlyStopping ends training by raising KeyboardInterrupt at
        # the end of a completed epoch; only other interrupts come from the user.
        stopper = dict(self.net_.callbacks_)["early_stopping"]
        last = self.net_.history[-1] if self.net_.history else {}
        return stopper.misses_ == stopper.patience and "train_loss" in last

    def _recover_from_interrupt(self):
        """Go back to the last completed epoch after Ctrl-C, and say so."""
        history = self.net_.history
        if history and "train_loss" not in history[-1]:
            history.pop()  # the epoch that was cut short
        if not history:
            raise KeyboardInterrupt("fit was interrupted before the first epoch ended")
        if not self.early_stopping:  # EarlyStopping already restored its best epoch
            last_epoch = dict(self.net_.callbacks_)["keep_last_epoch"]
            self.net_.module_.load_state_dict(last_epoch.state_dict_)
        kept = "best" if self.early_stopping else "last completed"
        warnings.warn(
            f"fit was interrupted during epoch {len(history) + 1}; the estimator "
            f"keeps the weights of the {kept} epoch of {len(history)}.",
            UserWarning,
        )

    def _check_hidden_layer_sizes(self, n_features):
        if self.hidden_layer_sizes is None:
            return default_hidden_layer_sizes(n_features, self.n_components_)
        sizes = tuple(np.atleast_1d(self.hidden_layer_sizes).tolist())
        if not all(isinstance(s, Integral) and s >= 1 for s in sizes):
            raise ValueError(
                "hidden_layer_sizes must be a tuple of positive integers, got "
                f"{self.hidden_layer_sizes!r}."
            )
        return sizes

    def _check_loss_domain(self, X_model):
        if self.loss != "bce":
            return
        if self.output_activation != "sigmoid":
            raise ValueError(
                "loss='bce' compares probabilities: it needs "
                f"output_activation='sigmoid', got {self.output_activation!r}."
            )
        if X_model.min() < 0 or X_model.max() > 1:
            raise ValueError(
                "loss='bce' needs (scaled) inputs in [0, 1]; the data after "
                f"scaling={self.scaling!r} lies in [{X_model.min():.3g}, "
                f"{X_model.max():.3g}]. Use scaling='minmax' or loss='mse'."
            )

    def _split_validation(self, X_model, seed):
        if not self.early_stopping:
            return X_model, None
        n_samples = len(X_model)
        n_valid = max(1, round(self.validation_fraction * n_samples))
        if n_valid >= n_samples:
            raise ValueError(
                f"early_stopping=True with validation_fraction={self.validation_fraction} "
                f"leaves no training rows out of {n_samples}."
            )
        order = np.random.RandomState(seed).permutation(n_samples)
        return X_model[order[n_valid:]], X_model[order[:n_valid]]

    def _check_params(self):
        """Checks that ``_parameter_constraints`` cannot express (several parameters)."""

    def _net_params(self, seed):
        """Parameters of the skorch net that a subclass adds or overrides.

        Parameters
        ----------
        seed : int
            Drawn from ``random_state`` for the subclass's own randomness (the
            corruption of a denoising autoencoder), independent of the seeds of
            initialisation, batch order and validation split.
        """
        return {}

    def _build_net(self, n_train, shuffle_seed, variant_seed, early_stopping=None):
        early_stopping = self.early_stopping if early_stopping is None else early_stopping
        optimizer, default_lr, optimizer_args = OPTIMIZERS[self.optimizer]
        lr = default_lr if self.lr is None else self.lr
        if self.optimizer == "lbfgs":
            batch_size = -1  # L-BFGS needs the whole batch to approximate curvature.
        elif self.batch_size == "auto":
            batch_size = default_batch_size(n_train)
        else:
            batch_size = min(self.batch_size, n_train)
        if self.max_epochs != "auto":
            max_epochs = self.max_epochs
        elif self.optimizer == "lbfgs":
            max_epochs = _AUTO_LBFGS_EPOCHS
        else:
            max_epochs = default_max_epochs(n_train, batch_size)
        monitor = "valid_loss" if early_stopping else "train_loss"
        shuffler = torch.Generator().manual_seed(int(shuffle_seed))
        callbacks = [
            ("divergence_guard", DivergenceGuard(lr)),
            ("keep_last_epoch", KeepLastEpoch()),
            (
                "early_stopping",
                EarlyStopping(
                    monitor=monitor,
                    patience=self.patience,
                    threshold=self.tol,
                    threshold_mode="rel",
                    load_best=early_stopping,
                    sink=print if self.verbose else _quiet,
                ),
            ),
        ]
        if self.verbose:
            # A tqdm bar instead of skorch's PrintLog table.
            callbacks.append(("progress_bar", ProgressBar(desc=type(self).__name__)))
        params = dict(
            module=AutoencoderModule,
            module__n_features=self.n_features_in_,
            module__n_components=self.n_components_,
            module__hidden_layer_sizes=self.hidden_layer_sizes_,
            module__activation=self.activation,
            module__output_activation=self.output_activation,
            module__tied_weights=self.tied_weights,
            criterion=LOSSES[self.loss],
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            iterator_train=TensorBatchIterator,
            iterator_train__shuffle=True,
            iterator_train__generator=shuffler,
            iterator_valid=TensorBatchIterator,
            train_split=None,
            callbacks=callbacks,
            device=self.device_,
            precision=self.precision,
            verbose=0,
        )
        if self.weight_decay:
            if self.optimizer == "lbfgs":
                raise ValueError(
                    "weight_decay is not supported with optimizer='lbfgs' (torch's "
                    "LBFGS has no weight decay); use optimizer='adam' or 'sgd'."
                )
            optimizer_args = {**optimizer_args, "weight_decay": self.weight_decay}
        params.update({f"optimizer__{k}": v for k, v in optimizer_args.items()})
        params.update(self._net_params(variant_seed))
        return self._net_class(**params)

    # ------------------------------------------------------------ internals

    def _to_model_space(self, X):
        """Scale validated ``X`` into the space the network sees, as float32."""
        X_scaled = X if self.scaler_ is None else self.scaler_.transform(X)
        with np.errstate(over="ignore"):
            X_model = np.asarray(X_scaled, dtype=np.float32)
        if not np.isfinite(X_model).all():
            raise ValueError(
                "Input values overflow float32 (|x| > 3.4e38 after scaling); "
                "the network computes in float32. Rescale the data first."
            )
        return X_model

    def _tensor(self, X):
        if not self.device_.startswith("cuda"):
            return torch.as_tensor(X, dtype=torch.float32, device=self.device_)
        # Page-locked host memory lets the copy to the GPU run by DMA, without
        # a staging copy, and overlap with whatever the GPU is still doing.
        host = torch.as_tensor(np.ascontiguousarray(X, dtype=np.float32))
        return host.pin_memory().to(self.device_, non_blocking=True)

    def _model_tensor(self, X):
        return self._tensor(self._to_model_space(X))

    def _lazy(self, method, X, width=None, dtype=np.float64):
        """``method`` mapped lazily over the row blocks of a dask collection.

        A dask array gives a dask array (``map_blocks``), a dask DataFrame a
        dask DataFrame (``width`` columns) or Series (``map_partitions``). Each
        block is validated by ``method`` itself when it is computed.
        """
        check_is_fitted(self)
        X = _dask_rows(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        method = _BlockFunction(method)
        if hasattr(X, "map_partitions"):  # a dask DataFrame: keep index and names
            if width is None:
                meta = pd.Series(np.empty(0, dtype=dtype))
                return X.map_partitions(_partition_series, method, meta=meta)
            columns = self.get_feature_names_out() if width == self.n_components_ else X.columns
            meta = pd.DataFrame(np.empty((0, width)), columns=columns)
            return X.map_partitions(_partition_frame, method, columns, meta=meta)
        if width is None:
            return X.map_blocks(method, drop_axis=1, dtype=dtype, meta=np.empty(0, dtype))
        return X.map_blocks(
            method, chunks=(X.chunks[0], (width,)), dtype=dtype, meta=np.empty((0, 0), dtype)
        )

    def _validate_X(self, X):
        check_is_fitted(self)
        return validate_data(self, X, dtype=[np.float64, np.float32], reset=False)

    def _map_chunks(self, function, X, width=None):
        """Apply ``function`` to bounded row chunks of ``X``; float64 out.

        ``function`` maps a numpy chunk to a numpy chunk of ``width`` columns
        (or to one value per row when ``width`` is None). Chunking bounds the
        memory of every intermediate array, whatever the number of rows.
        """
        out = np.empty((len(X),) if width is None else (len(X), width), dtype=np.float64)
        with torch.inference_mode(), self.net_.autocast():
            for rows in self._chunk_slices(len(X)):
                out[rows] = function(X[rows])
        return out

    def _chunk_slices(self, n_rows):
        widest = max(self.n_features_in_, self.n_components_, *self.hidden_layer_sizes_)
        chunk = max(1, _INFERENCE_ELEMENTS // widest)
        return [slice(start, start + chunk) for start in range(0, n_rows, chunk)]

    def _mean_squared_error_per_feature(self, X):
        """Column means of the scaled squared errors, without an (n, p) array."""
        total = np.zeros(self.n_features_in_)
        with torch.inference_mode(), self.net_.autocast():
            for rows in self._chunk_slices(len(X)):
                total += self._squared_error_chunk(X[rows]).sum(axis=0)
        return total / len(X)

    def _unscale(self, X_model):
        return X_model if self.scaler_ is None else self.scaler_.inverse_transform(X_model)

    def _encode_chunk(self, X):
        return _numpy(self.net_.module_.encode(self._model_tensor(X)))

    def _decode_chunk(self, H):
        return self._unscale(_numpy(self.net_.module_.decode(self._tensor(H))))

    def _reconstruct_chunk(self, X):
        return self._unscale(_numpy(self.net_.module_(self._model_tensor(X))))

    def _reconstruct_model_chunk(self, X_model):
        return _numpy(self.net_.module_(self._tensor(X_model)))

    def _squared_error_chunk(self, X):
        """Squared errors in the scaled space, float64 (numpy, so that a row's
        result does not depend on which rows share its chunk)."""
        X_model = self._model_tensor(X)
        residuals = _numpy(X_model - self.net_.module_(X_model).float())
        return np.square(residuals, dtype=np.float64)

    def _score_chunk(self, X):
        return -normalized_row_errors(self._squared_error_chunk(X), self.feature_error_scale_)

    def _score_samples(self, X):
        """score_samples of validated ``X``."""
        return self._map_chunks(self._score_chunk, X)

    # --------------------------------------------------------- public API

    def transform(self, X):
        """Encode ``X`` into the code ``h``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data in the units seen at ``fit``.

        Returns
        -------
        H : ndarray of shape (n_samples, n_components_)
            The code of each row, float64.
        """
        if _is_dask_collection(X):
            return self._lazy(self.transform, X, self.n_components_)
        return self._map_chunks(self._encode_chunk, self._validate_X(X), self.n_components_)

    def inverse_transform(self, X):
        """Decode codes back to the input space, in the original units.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components_)
            Codes, as returned by :meth:`transform`.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features_in_)
            The reconstruction, unscaled to the units of the training data.
        """
        check_is_fitted(self)
        H = check_array(X, dtype=[np.float64, np.float32])
        if H.shape[1] != self.n_components_:
            raise ValueError(
                f"X has {H.shape[1]} features, but {type(self).__name__}.inverse_transform "
                f"expects codes of width n_components_={self.n_components_}."
            )
        return self._map_chunks(self._decode_chunk, H, self.n_features_in_)

    def reconstruct(self, X):
        """Encode and decode ``X``: ``inverse_transform(transform(X))`` in one pass.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_hat : ndarray of shape (n_samples, n_features_in_)
            The reconstruction in the units of ``X``.
        """
        if _is_dask_collection(X):
            return self._lazy(self.reconstruct, X, self.n_features_in_)
        return self._map_chunks(self._reconstruct_chunk, self._validate_X(X), self.n_features_in_)

    def reconstruction_error(self, X, per_feature=False):
        """How badly each row, or each cell, is reconstructed.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        per_feature : bool, default=False
            If False, the mean squared error of each row in the scaled space
            the network sees. (:meth:`score_samples` divides each feature's
            squared error by its typical training error before averaging.) If
            True, the absolute error ``|x - x_hat|`` of each cell in the units
            of ``X``, so that the columns that make a row odd can be read off.

        Returns
        -------
        errors : ndarray of shape (n_samples,) or (n_samples, n_features)
            With ``per_feature=True`` and a pandas DataFrame as ``X``, a
            DataFrame with the same index and columns.
        """
        X_valid = self._validate_X(X)
        if not per_feature:
            return self._map_chunks(
                lambda rows: self._squared_error_chunk(rows).mean(axis=1), X_valid
            )
        errors = self._map_chunks(
            lambda rows: np.abs(rows - self._reconstruct_chunk(rows)),
            X_valid,
            self.n_features_in_,
        )
        if isinstance(X, pd.DataFrame):
            return pd.DataFrame(errors, index=X.index, columns=X.columns)
        return errors

    def score_samples(self, X):
        """Minus each row's reconstruction error, in units of the typical error.

        ``-mean_j (z_ij - z_hat_ij)^2 / feature_error_scale_[j]`` with ``z`` the
        scaled row: each feature's squared error is divided by its mean over
        the training rows, so a noisy column cannot drown an odd value in an
        easy one. A training row scores about -1 on average; higher means more
        normal, as for :class:`~sklearn.ensemble.IsolationForest`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        if _is_dask_collection(X):
            return self._lazy(self.score_samples, X)
        return self._score_samples(self._validate_X(X))

    def decision_function(self, X):
        """``score_samples(X) - offset_``: negative for outliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        decision : ndarray of shape (n_samples,)
        """
        if _is_dask_collection(X):
            return self._lazy(self.decision_function, X)
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """Label each row +1 (inlier) or -1 (outlier).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,), dtype int
        """
        if _is_dask_collection(X):
            return self._lazy(self.predict, X, dtype=int)
        decision = self._score_samples(self._validate_X(X)) - self.offset_
        labels = np.ones(len(decision), dtype=int)
        labels[decision < 0] = -1
        return labels

    def score(self, X, y=None):
        """How well the model fills in hidden entries of held-out rows: higher is better.

        A fixed 20 % of the entries of each row of ``X`` (the same entries
        every call: the mask is seeded) are hidden and replaced by the
        training mean ``mean_``; the rows are reconstructed, and the hidden
        entries are replaced by their reconstruction and reconstructed again,
        3 times (an EM-style completion). The score is minus the mean squared
        error on the hidden entries only, in the scaled space the network sees
        (about -1 for guessing the mean under ``scaling="standard"``).

        This is the autoencoder analogue of cross-validating PCA by leaving
        out entries (Wold, 1978; Bro et al., 2008). Unlike the mean
        reconstruction error, it does not improve without bound as
        ``n_components`` grows: a code too small underfits, and a code large
        enough to copy its input returns the guess it was given for a hidden
        entry. :class:`~sklearn.model_selection.GridSearchCV` without a scorer
        therefore picks an interior code size (docs/model_selection.md).
        It costs 4 reconstructions of ``X``. :meth:`score_samples` is the
        per-row outlier score, and is not the same quantity.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Held-out rows, in the units seen at ``fit``.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        score : float
            Minus the mean squared error of the imputed hidden entries.
        """
        X_model = self._to_model_space(self._validate_X(X))
        fill = self._to_model_space(self.mean_[np.newaxis, :])[0]
        mask = hidden_entry_mask(*X_model.shape)

        def reconstruct(rows):
            return self._map_chunks(self._reconstruct_model_chunk, rows, self.n_features_in_)

        return -imputation_error(reconstruct, X_model, fill, mask)

    def save(self, path, key=None):
        """Write the fitted estimator to ``path``, without pickle.

        One safetensors file: the network weights as tensors, and the
        parameters, every fitted attribute (scaler state, ``offset_``,
        feature names, ...), a format version and a checksum as JSON in its
        header. Read it back with :func:`sklearn_ae.load`, which runs no code
        from the file. An existing file at ``path`` is replaced.

        Parameters
        ----------
        path : str or path-like
        key : bytes, str or None, default=None
            Sign the file with HMAC-SHA256 under this key; ``load(path,
            key=key)`` then refuses any file not signed with it.

        Returns
        -------
        path : pathlib.Path
        """
        from ._persistence import save

        return save(self, path, key=key)

    @property
    def _n_features_out(self):
        return self.n_components_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


def _is_dask_collection(X):
    """Whether ``X`` is a dask array or DataFrame, without importing dask."""
    return type(X).__module__.split(".")[0] in ("dask", "dask_expr") and hasattr(X, "dask")


def _dask_rows(X):
    """A dask DataFrame as is, or a 2-D dask array chunked by rows only."""
    if hasattr(X, "map_partitions"):
        return X
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D dask array, got {X.ndim} dimensions.")
    return X.rechunk({1: -1})


class _BlockFunction:
    """A bound method for dask graphs, with a token of its own.

    dask names each task after a hash of its function; a fitted estimator has
    no deterministic hash (its torch module does not pickle bit for bit), so
    every lazy call gets a fresh random token instead.
    """

    def __init__(self, method):
        self.method = method
        self.token = uuid.uuid4().hex

    def __call__(self, X):
        return self.method(X)

    def __dask_tokenize__(self):
        return self.token


def _partition_series(frame, method):
    return pd.Series(method(frame), index=frame.index)


def _partition_frame(frame, method, columns):
    return pd.DataFrame(method(frame), index=frame.index, columns=columns)


def _numpy(tensor):
    """A float32 numpy copy of a (possibly bfloat16, possibly CUDA) tensor."""
    return tensor.float().cpu().numpy()


def _quiet(*args, **kwargs):
    """A print sink that prints nothing (picklable, unlike a lambda)."""
