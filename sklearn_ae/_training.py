"""Training: the set-up and the training loop behind ``fit`` and ``partial_fit``.

As in scikit-learn's MLP, the first (or a non-incremental) call sets
everything up from the data (sizes, device, scaler, seeds, resolved "auto"
values); every call then trains, either to the end (``fit``) or for one epoch
(``partial_fit``), and records its curves.
"""

import contextlib
import math
import warnings
from collections import namedtuple
from numbers import Integral

import numpy as np
import pandas as pd
import torch
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from skorch.dataset import Dataset
from skorch.helper import predefined_split

from ._defaults import (
    AUTO_LBFGS_EPOCHS,
    AUTO_STEPS,
    CATEGORICAL_LR_FACTOR,
    LOSSES,
    OPTIMIZERS,
    THRESHOLD_ROWS,
    default_batch_size,
    default_clip,
    default_hidden_layer_sizes,
    default_max_epochs,
    default_n_components,
    max_training_bytes,
    resolve_device,
    training_bytes,
)
from ._modules import AutoencoderModule
from ._net import (
    DivergenceGuard,
    KeepLastEpoch,
    RecordingEarlyStopping,
    TensorBatchIterator,
    stopped_early,
)
from ._progress import ProgressBar
from ._inference import to_tensor
from ._tabular import TableEncoder
from ._threads import auto_n_threads, cpu_threads, step_multiply_adds

# The seeds a fit draws from ``random_state``: initialisation, batch order,
# validation split, the variant's own randomness and the neighbour reference.
Seeds = namedtuple("Seeds", ["init", "shuffle", "split", "variant", "reference"])


class TrainingMixin:
    """Set-up, training loop control and bookkeeping of an autoencoder estimator.

    It sets and reads the training state only: the table encoder, the resolved
    settings (``n_components_``, ``lr_``, ``batch_size_``, ...), the net and
    its curves. It knows nothing of how rows are scored.
    """

    def _train_network(self, encoded, incremental, seeds=None):
        """Train on encoded rows: to the end (``fit``) or one epoch (``partial_fit``).

        ``seeds`` (:meth:`_set_up`'s) on a first call, which builds the net;
        None on a later ``partial_fit``, which trains the net there is.
        """
        X_fit = self._training_inputs(encoded)
        if incremental:
            if seeds is not None:
                self._resolve_training_settings(len(X_fit))
                self.net_ = self._build_net(seeds.shuffle, seeds.variant, early_stopping=False)
                with self._seeded_torch(seeds.init):
                    self._initialize_net(X_fit, seeds.init)
            self._train_one_epoch(X_fit)
        else:
            X_train, X_valid = self._split_validation(X_fit, seeds.split)
            self._resolve_training_settings(len(X_train))
            self.net_ = self._build_net(seeds.shuffle, seeds.variant, self.early_stopping)
            # An epoch of at most AUTO_STEPS random batches: with the fixed budget a
            # table of more than AUTO_STEPS batches trains on a random part of its
            # rows; trained to convergence, its held-out loss is checked as often.
            self.net_.iterator_train__max_batches = (
                AUTO_STEPS if self.max_epochs == "auto" else None
            )
            try:
                self._train_to_the_end(X_train, X_valid, seeds.init)
            finally:  # a later partial_fit passes over all of its rows
                self.net_.iterator_train__max_batches = None
        history = self.net_.history
        self.n_iter_ = len(history)
        self.loss_curve_ = [float(v) for v in history[:, "train_loss"]]
        if not incremental and self.early_stopping:
            self.validation_loss_curve_ = [float(v) for v in history[:, "valid_loss"]]

    def _threads(self):
        """The CPU thread setting of this estimator's calls (the thread rule).

        ``n_threads="auto"`` gives 1 until the network exists, then what
        :func:`~sklearn_ae._threads.auto_n_threads` says for its size.
        """
        if self.n_threads != "auto":
            return cpu_threads(self.n_threads, blas=True)
        net = getattr(self, "net_", None)
        if net is None or not getattr(net, "initialized_", False):
            return cpu_threads(1)
        batch_size = self.n_samples_seen_ if self.batch_size_ == -1 else self.batch_size_
        return cpu_threads(auto_n_threads(step_multiply_adds(net.module_, max(1, batch_size))))

    def _tensor(self, X):
        return to_tensor(X, self.device_)

    # -------------------------------------------------------------- set-up

    def _set_up(self, X):
        """Sizes, device, scaler and clip from validated ``X``; return the seeds.

        The seeds of initialisation, batch order, validation split, the
        variant's own randomness and the draw of the neighbour reference rows,
        all drawn from ``random_state``.
        """
        self._check_params()
        self._check_some_value(X)
        self.encoder_ = self._make_encoder().fit(X)
        self.scaler_ = self.encoder_.scaler_
        self._check_encoder_params()
        # The network's width: the one-hot width when columns are categorical.
        n_inputs = self.encoder_.n_inputs_
        self.n_components_ = (
            default_n_components(n_inputs) if self.n_components is None else self.n_components
        )
        self.hidden_layer_sizes_ = self._check_hidden_layer_sizes(n_inputs, len(X))
        self.device_ = resolve_device(self.device)
        self.clip_ = (
            default_clip(self.scaling, self.linear_shortcut) if self.clip == "auto" else self.clip
        )
        self.mean_ = np.zeros(self.encoder_.n_features_in_)
        self.n_samples_seen_ = 0
        rng = check_random_state(self.random_state)
        init_seed, shuffle_seed, split_seed = rng.randint(np.iinfo(np.int32).max, size=3)
        # Drawn one by one after the first three, so that adding one changed no
        # earlier seed.
        variant_seed = int(rng.randint(np.iinfo(np.int32).max))
        reference_seed = int(rng.randint(np.iinfo(np.int32).max))
        return Seeds(init_seed, shuffle_seed, split_seed, variant_seed, reference_seed)

    def _check_params(self):
        """Checks that ``_parameter_constraints`` cannot express (several parameters)."""
        if self.weight_decay and self.optimizer == "lbfgs":
            raise ValueError(
                "weight_decay is not supported with optimizer='lbfgs' (torch's "
                "LBFGS has no weight decay); use optimizer='adam' or 'sgd'."
            )

    def _make_encoder(self):
        return TableEncoder(
            categorical_features=self.categorical_features,
            max_categories=self.max_categories,
            scaling=self.scaling,
        )

    def _check_encoder_params(self):
        """Checks that need to know whether a column is categorical."""
        if self.encoder_.is_categorical_.any() and self.loss == "bce":
            raise ValueError(
                "loss='bce' compares probabilities of numeric columns; the categorical "
                f"column(s) {self.encoder_._names(self.encoder_.categorical_columns_)} are "
                "reconstructed with a cross-entropy over their levels. Use loss='mse', "
                "or categorical_features=None."
            )

    def _check_some_value(self, X):
        table = pd.DataFrame(X) if isinstance(X, np.ndarray) else X
        if not table.iloc[0].isna().all():  # the common case, at the cost of one row
            return
        if table.isna().to_numpy().all():
            raise ValueError(
                "Every value of the training data is missing (every column is entirely "
                "missing): there is nothing to learn."
            )

    def _check_hidden_layer_sizes(self, n_features, n_samples):
        if self.hidden_layer_sizes is None:
            return default_hidden_layer_sizes(
                n_features, self.n_components_,
                wide=self._wide_default_network and self.encoder_.shared_unit_,
                n_samples=n_samples,
            )
        sizes = tuple(np.atleast_1d(self.hidden_layer_sizes).tolist())
        if not all(isinstance(s, Integral) and s >= 1 for s in sizes):
            raise ValueError(
                "hidden_layer_sizes must be a tuple of positive integers, got "
                f"{self.hidden_layer_sizes!r}."
            )
        return sizes

    def _resolve_training_settings(self, n_train):
        """``lr_``, ``batch_size_`` and ``max_epochs_`` for ``n_train`` rows."""
        _, default_lr, _ = OPTIMIZERS[self.optimizer]
        if self.encoder_.is_categorical_.any() and self.optimizer != "lbfgs":
            default_lr *= CATEGORICAL_LR_FACTOR
        self.lr_ = default_lr if self.lr is None else self.lr
        if self.optimizer == "lbfgs":
            self.batch_size_ = -1  # L-BFGS needs the whole batch to approximate curvature.
        elif self.batch_size == "auto":
            self.batch_size_ = default_batch_size(n_train)
        else:
            self.batch_size_ = min(self.batch_size, n_train)
        if self.max_epochs != "auto":
            self.max_epochs_ = self.max_epochs
        elif self.optimizer == "lbfgs":
            self.max_epochs_ = AUTO_LBFGS_EPOCHS
        else:
            self.max_epochs_ = default_max_epochs(
                n_train, self.batch_size_, self.early_stopping
            )
        self._check_training_memory(n_train)

    def _check_training_memory(self, n_train):
        widths = (self.encoder_.n_inputs_, *self.hidden_layer_sizes_, self.n_components_)
        batch_size = n_train if self.batch_size_ == -1 else self.batch_size_
        needed = training_bytes(widths, batch_size, self.tied_weights)
        cap = max_training_bytes()
        if needed > cap:
            raise ValueError(
                f"Training a {' -> '.join(map(str, widths))} network with batches of "
                f"{batch_size} rows needs about {needed / 2**30:.1f} GiB, more than the "
                f"cap of {cap / 2**30:.1f} GiB. Use smaller hidden_layer_sizes, "
                "n_components or batch_size, or raise the cap with the environment "
                "variable SKLEARN_AE_MAX_TRAINING_GB."
            )

    def _training_inputs(self, encoded):
        """Encoded rows (``encoder_.encode``), checked and clipped for training.

        Rows of numbers without holes give the network's input, which is also
        the target. Otherwise each row is the input (missing entries filled,
        categorical columns one-hot) followed by the targets (scaled numbers,
        NaN where missing, and one level code per categorical column), which
        :class:`~sklearn_ae._net.TensorBatchIterator` splits apart.
        """
        self._check_loss_domain(encoded.numeric)
        inputs = self._clip(encoded.inputs)
        if not encoded.codes.shape[1] and encoded.observed.all():
            return inputs
        targets = [self._clip(encoded.numeric), encoded.codes.astype(np.float32)]
        return np.hstack([inputs, *targets])

    def _clip(self, X_model):
        return X_model if self.clip_ is None else np.clip(X_model, -self.clip_, self.clip_)

    def _check_loss_domain(self, X_model):
        if self.loss != "bce":
            return
        if self.output_activation != "sigmoid":
            raise ValueError(
                "loss='bce' compares probabilities: it needs "
                f"output_activation='sigmoid', got {self.output_activation!r}."
            )
        low, high = np.nanmin(X_model, initial=0.0), np.nanmax(X_model, initial=1.0)
        if low < 0 or high > 1:
            raise ValueError(
                "loss='bce' needs (scaled) inputs in [0, 1]; the data after "
                f"scaling={self.scaling!r} lies in [{low:.3g}, "
                f"{high:.3g}]. Use scaling='minmax' or loss='mse'."
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

    # ----------------------------------------------------------- the net

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

    def _module_params(self):
        params = dict(
            module=AutoencoderModule,
            module__n_features=self.encoder_.n_inputs_,
            module__n_components=self.n_components_,
            module__hidden_layer_sizes=self.hidden_layer_sizes_,
            module__activation=self.activation,
            module__output_activation=self.output_activation,
            module__tied_weights=self.tied_weights,
            module__linear_shortcut=self.linear_shortcut,
        )
        if self.encoder_.is_categorical_.any():  # logits stay linear
            params["module__n_activated"] = len(self.encoder_.numeric_columns_)
        return params

    def _optimizer_params(self):
        optimizer, _, optimizer_args = OPTIMIZERS[self.optimizer]
        if self.weight_decay:
            optimizer_args = {**optimizer_args, "weight_decay": self.weight_decay}
        return dict(
            optimizer=optimizer,
            lr=self.lr_,
            **{f"optimizer__{k}": v for k, v in optimizer_args.items()},
        )

    def _callbacks(self, early_stopping):
        """The user's ``callbacks`` first, then the guard, the keeper and the stopper."""
        stopper = RecordingEarlyStopping(
            monitor="valid_loss" if early_stopping else "train_loss",
            patience=self.patience,
            threshold=self.tol,
            threshold_mode="rel",
            load_best=early_stopping,
            sink=print if self.verbose else _quiet,
        )
        callbacks = [
            *(self.callbacks or []),
            ("divergence_guard", DivergenceGuard(self.lr_)),
            ("keep_last_epoch", KeepLastEpoch()),
            ("early_stopping", stopper),
        ]
        if self.verbose:
            # A tqdm bar instead of skorch's PrintLog table.
            callbacks.append(("progress_bar", ProgressBar(desc=type(self).__name__)))
        return callbacks

    def _build_net(self, shuffle_seed, variant_seed, early_stopping):
        """The skorch net for the resolved settings (``lr_``, ``batch_size_``, ...)."""
        return self._net_class(
            **self._module_params(),
            **self._optimizer_params(),
            criterion=LOSSES[self.loss],
            max_epochs=self.max_epochs_,
            batch_size=self.batch_size_,
            iterator_train=TensorBatchIterator,
            iterator_train__shuffle=True,
            iterator_train__generator=torch.Generator().manual_seed(int(shuffle_seed)),
            iterator_train__n_inputs=self.encoder_.n_inputs_,
            iterator_valid=TensorBatchIterator,
            iterator_valid__n_inputs=self.encoder_.n_inputs_,
            train_split=None,
            callbacks=self._callbacks(early_stopping),
            # skorch's PrintLog formats a table every epoch even when verbose=0 (5 % of
            # a small fit); verbose fits show a progress bar instead.
            callbacks__print_log=None,
            device=self.device_,
            precision=self.precision,
            layout=self._net_layout(),
            verbose=0,
            **self._net_params(variant_seed),
        )

    def _net_layout(self):
        layout = self.encoder_.layout()
        return {"n_numeric": layout["n_numeric"], "block_sizes": layout["block_sizes"]}

    @contextlib.contextmanager
    def _seeded_torch(self, seed):
        """Torch's generators (CPU and device) seeded with ``seed``, and put back
        as they were on exit: the global random state is left alone."""
        device = torch.device(self.device_)
        devices = [device] if device.type != "cpu" else []
        with torch.random.fork_rng(devices=devices, device_type=device.type):
            torch.manual_seed(int(seed))
            yield

    # ----------------------------------------------------------- training

    def _train_to_the_end(self, X_train, X_valid, init_seed):
        with self._seeded_torch(init_seed):
            if X_valid is not None:
                self.net_.set_params(
                    train_split=predefined_split(Dataset(self._tensor(X_valid)))
                )
            self._initialize_net(X_train, init_seed)
            with self._threads():
                self.net_.partial_fit(self._tensor(X_train))
            if self.net_.interrupted_ and not stopped_early(self.net_):
                self._recover_from_interrupt()
            elif not stopped_early(self.net_):
                self._warn_budget_ran_out(validation=X_valid is not None)
        self.net_.module_.train(False)
        if X_valid is not None:
            # partial_fit trains on with the training loss alone, as after load.
            self.net_.set_params(train_split=None, callbacks=self._callbacks(False))
            self.net_.initialize_callbacks()

    def _initialize_net(self, X_fit, seed):
        """Fresh weights (from torch's generator) and, with the shortcut, PCA's start."""
        self.net_.initialize()
        self._start_at_principal_axes(X_fit, seed)

    def _start_at_principal_axes(self, X_fit, seed):
        """With ``linear_shortcut``, start the network at PCA's reconstruction.

        The principal axes of the network's inputs, from evenly spaced rows: at
        most ``THRESHOLD_ROWS``, and at most about 2**24 numbers (a 20,000-column
        table gets 838 rows), since this is only where training starts.
        """
        if not self.linear_shortcut:
            return
        n_inputs = self.encoder_.n_inputs_
        max_rows = min(THRESHOLD_ROWS, max(4 * self.n_components_, 2**24 // n_inputs))
        step = math.ceil(len(X_fit) / max_rows)
        inputs = np.asarray(X_fit[::step, :n_inputs], dtype=np.float64)
        n_axes = min(self.n_components_, len(inputs) - 1, inputs.shape[1])
        if n_axes < 1:  # one row: no direction to start from
            return
        with np.errstate(invalid="ignore", divide="ignore"):  # constant inputs: 0 / 0
            pca = PCA(n_axes, random_state=int(seed)).fit(inputs)
        components, centre = pca.components_, pca.mean_
        module = self.net_.module_
        dtype, device = module.encoder_shortcut.weight.dtype, self.device_
        module.start_at_projection(
            torch.as_tensor(components, dtype=dtype, device=device),
            torch.as_tensor(centre, dtype=dtype, device=device),
        )

    def _train_one_epoch(self, X_fit):
        with self._threads():
            self.net_.partial_fit(self._tensor(X_fit), epochs=1)
        self.net_.module_.train(False)
        if self.net_.interrupted_:
            raise KeyboardInterrupt(
                "partial_fit was interrupted during its epoch; the estimator is as "
                "it was before the call."
            )

    def _fixed_auto_budget(self):
        """Whether training runs the fixed ``max_epochs="auto"`` budget of steps."""
        return self.max_epochs == "auto" and not self.early_stopping

    def _warn_budget_ran_out(self, validation):
        """A ``ConvergenceWarning`` when the budget, not convergence, ended the fit.

        Also for the fixed ``max_epochs="auto"`` budget: it suits outlier
        detection, but a user who wants the best reconstruction should know
        that more training would give it.
        """
        if len(self.net_.history) < self.max_epochs_:
            return
        monitored = "validation" if validation else "training"
        # skorch lists the validation batches of an epoch beside the training ones.
        steps = sum(
            "train_loss" in batch for epoch in self.net_.history for batch in epoch["batches"]
        )
        if self._fixed_auto_budget():
            advice = (f'max_epochs="auto" is a fixed budget of about {AUTO_STEPS} steps '
                      "(at most 20 passes), enough for outlier scores; for the best "
                      "reconstruction train to convergence with early_stopping=True.")
        else:
            advice = "Raise max_epochs to train on (loss_curve_ shows the trend)."
        warnings.warn(
            f"{type(self).__name__} used its whole budget, max_epochs={self.max_epochs_} "
            f"({steps} optimizer steps), while its {monitored} loss was still "
            f"improving by more than tol={self.tol:g} within patience={self.patience} "
            f"epochs. {advice}",
            ConvergenceWarning,
        )

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

    def _record_rows(self, X):
        """The running mean ``mean_`` and count ``n_samples_seen_`` of validated rows."""
        self.n_samples_seen_ += len(X)
        self.mean_ = self.mean_ + (self._column_sums(X) - len(X) * self.mean_) / self.n_samples_seen_

    def _column_sums(self, X):
        """``X.sum(axis=0)``; for a table, ``len(X)`` times each numeric column's mean
        over its observed values (the current ``mean_`` where none is), NaN for
        categorical columns."""
        if isinstance(X, np.ndarray) and X.dtype != object and not np.isnan(X).any():
            return X.sum(axis=0)
        numeric = self.encoder_._numeric_part(X)
        sums = np.full(self.encoder_.n_features_in_, np.nan)
        counts = (~np.isnan(numeric)).sum(axis=0)
        columns = self.encoder_.numeric_columns_
        means = np.nansum(numeric, axis=0) / np.maximum(counts, 1)
        sums[columns] = len(X) * np.where(counts > 0, means, self.mean_[columns])
        return sums


def _quiet(*args, **kwargs):
    """A print sink that prints nothing (picklable, unlike a lambda)."""
