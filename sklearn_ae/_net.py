"""skorch pieces: the autoencoder nets, whole-tensor batching, a divergence guard.

:class:`AutoencoderNet` owns the training step; each variant is a small subclass
that overrides one hook (:class:`DenoisingNet`: ``corrupt``;
:class:`ContractiveNet`: ``penalty``).

The estimators in :mod:`sklearn_ae._base` hold an :class:`AutoencoderNet` built in
``fit``; nothing here validates user input.
"""

import contextlib
import math

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping
from skorch.utils import to_tensor

from ._compat import TrainingModeOnChange, set_training_mode
from ._defaults import THRESHOLD_ROWS
from ._mixed_loss import mixed_reconstruction_loss
from ._modules import jacobian_sq_norm


class TrainingDivergedError(FloatingPointError):
    """Raised when the training loss stops being finite.

    The message names the epoch and the learning rate; the estimator is left
    as it was before the fit.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ae import AutoencoderTransformer, TrainingDivergedError
    >>> X = np.random.RandomState(0).normal(size=(50, 4))
    >>> try:
    ...     AutoencoderTransformer(2, optimizer="sgd", lr=1e12, max_epochs=5).fit(X)
    ... except TrainingDivergedError as error:
    ...     print("lr=1e+12" in str(error))
    True
    """


class TensorBatchIterator:
    """Mini-batches sliced out of one tensor, instead of collated row by row.

    skorch's default ``DataLoader`` calls ``Dataset.__getitem__`` once per row and
    stacks the rows again; for an autoencoder whose whole training set already
    sits in one tensor on the device, indexing that tensor once per batch gives
    the same batches without the per-row work.

    Each batch is ``(X_batch, X_batch)``: the target of an autoencoder is its
    input, and the validation step of skorch reads the target from the batch.
    A tensor wider than ``n_inputs`` carries the targets after the inputs (a
    table with missing values or categorical columns, whose targets are not
    its inputs): its batches are ``(X_batch[:, :n_inputs],
    X_batch[:, n_inputs:])``.

    Parameters
    ----------
    dataset : skorch.dataset.Dataset or torch.utils.data.Subset
        Holds the data tensor as ``dataset.X`` (or ``dataset.dataset.X``).
    batch_size : int
        Rows per batch; the last batch may be smaller.
    shuffle : bool, default=False
        Draw a new row order every epoch.
    generator : torch.Generator or None, default=None
        Source of the row orders, so that shuffling is reproducible.
    n_inputs : int or None, default=None
        Width of the network's input; None: the whole tensor is input.
    max_batches : int or None, default=None
        With ``shuffle``, an epoch ends after this many batches: the first
        rows of a fresh random order, a different sample each epoch. None: every
        row once.
    """

    def __init__(self, dataset, batch_size, shuffle=False, generator=None, n_inputs=None,
                 max_batches=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self.n_inputs = n_inputs
        self.max_batches = max_batches

    def _tensor(self):
        if isinstance(self.dataset, torch.utils.data.Subset):
            X = self.dataset.dataset.X
            return X[torch.as_tensor(self.dataset.indices, device=X.device)]
        return self.dataset.X

    def __len__(self):
        n_batches = math.ceil(len(self.dataset) / self.batch_size)
        if self.shuffle and self.max_batches is not None:
            return min(n_batches, self.max_batches)
        return n_batches

    def __iter__(self):
        X = self._tensor()
        n_rows = len(X)
        if self.shuffle:
            order = torch.randperm(n_rows, generator=self.generator).to(X.device)
            if self.max_batches is not None:
                order = order[: self.max_batches * self.batch_size]
                n_rows = len(order)
            # One gather per epoch, then views: a gather per batch cost 6 % of a fit
            # on musk's 166 columns. The batches hold the same rows in the same order.
            shuffled = X[order]
            for start in range(0, n_rows, self.batch_size):
                yield self._split(shuffled[start : start + self.batch_size])
        else:
            for start in range(0, n_rows, self.batch_size):
                yield self._split(X[start : start + self.batch_size])

    def _split(self, batch):
        if self.n_inputs is None or batch.shape[1] == self.n_inputs:
            return batch, batch
        return batch[:, : self.n_inputs], batch[:, self.n_inputs :]


class DivergenceGuard(Callback):
    """Stop training with a clear error as soon as the training loss diverges.

    Diverged means not finite, or more than ``factor`` times a reference: the
    loss of predicting each column's mean (the mean variance of the training
    tensor's columns, at least ``1e-3``) plus the net's ``penalty`` at the
    start of training. A model that bad is not still learning, its weights
    have blown up, and a ``ConvergenceWarning`` that the loss "was still
    improving" would be the wrong message.

    Parameters
    ----------
    lr : float
        The learning rate in use, named in the error message.
    factor : float, default=1e4
        How many times the reference counts as diverged. Far above anything a
        sound fit reaches at its first epoch, far below a blown-up one (1e24
        at ``lr=1e6`` with Adam on standard-scaled data).
    """

    def __init__(self, lr, factor=1e4):
        self.lr = lr
        self.factor = factor

    def on_train_begin(self, net, X=None, **kwargs):
        self.reference_loss_ = _reference_loss(net, X)

    def on_epoch_end(self, net, **kwargs):
        loss = net.history[-1, "train_loss"]
        reference = getattr(self, "reference_loss_", None)
        if np.isfinite(loss) and (reference is None or loss <= self.factor * reference):
            return
        epoch = len(net.history)
        what = f"the training loss is {loss}" if not np.isfinite(loss) else (
            f"the training loss is {loss:.3g}, more than {self.factor:g} times that of "
            f"predicting each column's mean ({reference:.3g}, penalty included)"
        )
        raise TrainingDivergedError(
            f"Training diverged at epoch {epoch}: {what}. "
            f"Lower the learning rate (lr={self.lr:g}), scale the inputs "
            "(scaling='standard') or use optimizer='lbfgs'."
        )


def _reference_loss(net, X):
    """The loss of predicting each column's mean, plus the penalty at the start.

    The first: the mean over columns of the column variances, at least 1e-3 (so
    that near-constant columns cannot make a sound loss look diverged),
    estimated on at most ``THRESHOLD_ROWS`` evenly spaced rows; the second on at
    most 256 of them. None for data that is not one tensor (a stream of blocks).
    """
    if not isinstance(X, torch.Tensor) or X.ndim != 2 or not len(X):
        return None
    rows = X[:: max(1, len(X) // THRESHOLD_ROWS)]
    with torch.no_grad():
        rows64 = rows.double()
        variances = (rows64 - rows64.nanmean(dim=0)).square().nanmean(dim=0)
        variances = variances[~variances.isnan()]
        if not len(variances):
            return None
        # A wider tensor carries the loss's targets after the network's inputs.
        layers = getattr(net.module_, "encoder_layers", None)
        n_inputs = X.shape[1] if layers is None else layers[0].in_features
        penalty = net.penalty(rows[:256, :n_inputs])
    penalty = 0.0 if penalty is None else float(penalty)
    return max(float(variances.mean()), 1e-3) + penalty


class KeepLastEpoch(Callback):
    """Keep a copy of the module's weights at the end of every completed epoch.

    If training is interrupted mid-epoch, these are the weights to go back to.
    """

    def on_train_begin(self, net, **kwargs):
        self.state_dict_ = None

    def on_epoch_end(self, net, **kwargs):
        # Copied into the same tensors after the first epoch: a fresh clone of
        # every weight each epoch was a few percent of a small table's fit.
        live = net.module_.state_dict()
        if self.state_dict_ is None or self.state_dict_.keys() != live.keys():
            self.state_dict_ = {name: value.detach().clone() for name, value in live.items()}
            return
        for name, value in live.items():
            self.state_dict_[name].copy_(value)


class RecordingEarlyStopping(EarlyStopping):
    """skorch's :class:`~skorch.callbacks.EarlyStopping`, which also records
    that it ended training.

    skorch's stops training by raising ``KeyboardInterrupt`` at the end of an
    epoch, which its ``partial_fit`` swallows like the user's Ctrl-C; the
    estimator tells the two apart with :func:`stopped_early`. Same parameters
    as skorch's.

    Attributes
    ----------
    stopped_training_ : bool
        This callback ended the last training call (set at its start).
    """

    def on_train_begin(self, net, **kwargs):
        self.stopped_training_ = False
        super().on_train_begin(net, **kwargs)

    def on_epoch_end(self, net, **kwargs):
        try:
            super().on_epoch_end(net, **kwargs)
        except KeyboardInterrupt:
            # Its stop, or (rarely) a Ctrl-C landing inside this very call: in both
            # cases the epoch had been completed and scored.
            self.stopped_training_ = True
            raise


def stopped_early(net):
    """Whether early stopping ended the net's last training call.

    That is, a :class:`RecordingEarlyStopping` among its callbacks stopped it at
    the end of a completed epoch; False after the last epoch of the budget, an
    interruption or an error.

    Parameters
    ----------
    net : skorch.NeuralNet
        After ``fit`` or ``partial_fit``.

    Returns
    -------
    stopped : bool
    """
    last = net.history[-1] if net.history else {}
    return "train_loss" in last and any(
        getattr(callback, "stopped_training_", False)
        for _, callback in getattr(net, "callbacks_", [])
    )


class AutoencoderNet(TrainingModeOnChange, NeuralNet):
    """A skorch net whose target is its input.

    Variants change training through two hooks rather than through a copy of
    the training loop:

    - :meth:`corrupt` maps a clean training batch to the network's input
      (identity here; a denoising autoencoder adds noise);
    - :meth:`penalty` adds a regularisation term to the loss (zero here; a
      contractive autoencoder adds the Jacobian norm of the encoder).

    The loss always compares the reconstruction with the *clean* batch.

    Parameters
    ----------
    *args, **kwargs
        Those of :class:`skorch.NeuralNet`.
    precision : {"float32", "bfloat16"}, default="float32"
        With ``"bfloat16"`` the forward pass runs under :func:`torch.autocast`
        (bfloat16 matrix products, float32 weights, loss and optimizer state).
    layout : dict or None, default=None
        ``n_numeric`` and ``block_sizes`` of a table with categorical columns
        (:meth:`sklearn_ae._tabular.TableEncoder.layout`): the targets are
        then the scaled numeric values (NaN where missing) followed by one
        level code per categorical column, and the loss is
        :func:`~sklearn_ae._mixed_loss.mixed_reconstruction_loss`. None: the
        targets are numbers, NaN where missing.
    """

    def __init__(self, *args, precision="float32", layout=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.precision = precision
        self.layout = layout

    def autocast(self):
        """A context in which forward passes run at ``precision``."""
        if self.precision == "float32":
            return contextlib.nullcontext()
        return torch.autocast(torch.device(self.device).type, dtype=torch.bfloat16)

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        # skorch's partial_fit swallows KeyboardInterrupt silently; remember it
        # so that the estimator can restore the last whole epoch and warn.
        self.interrupted_ = False
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except KeyboardInterrupt:
            self.interrupted_ = True
            raise

    def infer(self, x, **fit_params):
        with self.autocast():
            y_pred = super().infer(x, **fit_params)
        return y_pred.float()

    def random_generators(self):
        """The generators whose states training consumes, by name.

        Returns
        -------
        generators : dict of str to torch.Generator
            ``"shuffle"``: the order of the training rows.
        """
        return {"shuffle": self.iterator_train__generator}

    def corrupt(self, X):
        """Return the network input for the clean training batch ``X``."""
        return X

    def penalty(self, X):
        """Return a term added to the reconstruction loss of the batch ``X``."""
        return None

    def train_step_single(self, batch, **fit_params):
        # Only on a change (TrainingModeOnChange): skorch sets it before every batch,
        # and Module.train walks the whole module tree each time, a tenth of a small
        # network's step (hepatitis, 80 rows). Our modules behave the same in both
        # modes.
        set_training_mode(self, True)
        X_clean, y_clean = batch  # the same tensor, unless the table has holes or categories
        reconstruction = self.infer(self.corrupt(X_clean), **fit_params)
        loss = self.get_loss(reconstruction, y_clean, X=X_clean, training=True)
        loss.backward()
        return {"loss": loss, "y_pred": reconstruction}

    def get_loss(self, y_pred, y_true, X=None, training=False):
        # y_true is the clean target (TensorBatchIterator yields it), X the clean input.
        y_true = to_tensor(y_true, device=self.device)
        loss = self.reconstruction_loss(y_pred, y_true)
        penalty = self.penalty(y_true if X is None else to_tensor(X, device=self.device))
        return loss if penalty is None else loss + penalty

    def reconstruction_loss(self, y_pred, y_true):
        """The criterion on the observed targets; the mixed loss for a table.

        Missing targets (NaN) are left out; a batch of complete numbers goes
        through the criterion exactly as it would without this rule.
        """
        if self.layout is not None and self.layout["block_sizes"]:
            n_numeric = self.layout["n_numeric"]
            return mixed_reconstruction_loss(
                y_pred, y_true[:, :n_numeric], y_true[:, n_numeric:].long(),
                n_numeric=n_numeric, block_sizes=self.layout["block_sizes"],
            )
        loss = self.criterion_(y_pred, y_true)
        # A missing target makes the criterion NaN, so a number means every target
        # was observed: one check of a scalar instead of a mask of the whole batch.
        if not bool(torch.isnan(loss)):
            return loss
        observed = ~torch.isnan(y_true)
        if bool(observed.all()):  # the prediction itself is NaN: report it
            return loss
        if not bool(observed.any()):
            return y_pred.sum() * 0.0
        return self.criterion_(y_pred[observed], y_true[observed])


NOISES = ("mask", "gaussian", "salt_pepper")


class DenoisingNet(AutoencoderNet):
    """Corrupts each training batch; the loss still compares with the clean batch.

    Only :meth:`train_step_single` calls :meth:`corrupt`: validation, inference,
    ``transform`` and the scores see clean inputs.

    Parameters
    ----------
    noise : {"mask", "gaussian", "salt_pepper"}, default="mask"
        ``"mask"``: each entry is set to 0 with probability ``noise_level``;
        the kept entries are not rescaled (see
        :class:`~sklearn_ae.DenoisingAutoencoder`). ``"gaussian"``: adds
        ``N(0, noise_level^2)`` to each entry. ``"salt_pepper"``: each entry,
        with probability ``noise_level``, is set to its column's minimum or
        maximum over the training data, with equal chance.
    noise_level : float, default=0.1
    random_state : int, default=0
        Seed of the corruption generator, a ``torch.Generator`` on the
        training device created by :meth:`initialize`.
    **kwargs
        Passed to :class:`AutoencoderNet`.
    """

    def __init__(self, *args, noise="mask", noise_level=0.1, random_state=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.noise = noise
        self.noise_level = noise_level
        self.random_state = random_state

    def initialize(self):
        super().initialize()
        self.noise_generator_ = torch.Generator(device=self.device).manual_seed(
            int(self.random_state)
        )
        return self

    def random_generators(self):
        """The generators whose states training consumes, by name.

        Returns
        -------
        generators : dict of str to torch.Generator
            ``"shuffle"`` (row order) and ``"noise"`` (corruption).
        """
        return {**super().random_generators(), "noise": self.noise_generator_}

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        # Salt and pepper take the extreme values of each training column.
        X_tensor = to_tensor(getattr(X, "X", X), device=self.device)
        X_tensor = X_tensor[:, : self.module_.encoder_layers[0].in_features]  # inputs only
        self.salt_pepper_values_ = (X_tensor.amin(dim=0), X_tensor.amax(dim=0))
        return super().fit_loop(X, y, epochs=epochs, **fit_params)

    def _uniform(self, X):
        return torch.rand(
            X.shape, generator=self.noise_generator_, device=X.device, dtype=X.dtype
        )

    def corrupt(self, X):
        if self.noise_level == 0:
            return X
        if self.noise == "mask":
            return X * (self._uniform(X) >= self.noise_level)
        if self.noise == "gaussian":
            noise = torch.randn(
                X.shape, generator=self.noise_generator_, device=X.device, dtype=X.dtype
            )
            return X + self.noise_level * noise
        if self.noise == "salt_pepper":
            hit = self._uniform(X) < self.noise_level
            low, high = self.salt_pepper_values_
            extreme = torch.where(self._uniform(X) < 0.5, low, high)
            return torch.where(hit, extreme, X)
        raise ValueError(f"noise must be one of {NOISES}, got {self.noise!r}.")

    # A generator is rebuilt from its state on unpickling, on the net's device
    # (which skorch maps to the CPU where CUDA is missing).
    def __getstate__(self):
        state = super().__getstate__()
        generator = state.pop("noise_generator_", None)
        if generator is not None:
            state["noise_generator_state"] = (generator.device.type, generator.get_state())
        return state

    def __setstate__(self, state):
        saved = state.pop("noise_generator_state", None)
        super().__setstate__(state)
        if saved is not None:
            device_type, generator_state = saved
            generator = torch.Generator(device=self.device)
            if generator.device.type == device_type:
                generator.set_state(generator_state)
            else:  # e.g. a CUDA generator loaded on a CPU-only machine
                generator.manual_seed(int(self.random_state))
            self.noise_generator_ = generator


class ContractiveNet(AutoencoderNet):
    """Adds ``contraction * mean_i ||d h(x_i) / d x_i||_F^2`` to the loss.

    The Jacobian norm uses the closed form ``J = D_L W_L ... D_1 W_1``
    (:func:`~sklearn_ae._modules.jacobian_sq_norm`). skorch's validation step
    runs without gradients; the penalty turns them on for its own
    computation there and returns a detached value, so ``early_stopping``
    monitors the same loss as training.

    Parameters
    ----------
    contraction : float, default=0.1
        The weight ``lambda`` of the penalty.
    **kwargs
        Passed to :class:`AutoencoderNet`.
    """

    def __init__(self, *args, contraction=0.1, **kwargs):
        super().__init__(*args, **kwargs)
        self.contraction = contraction

    def train_step_single(self, batch, **fit_params):
        # The penalty reuses the training forward pass's pre-activations instead of
        # computing them again (float32 only: under bfloat16 autocast they are
        # rounded, and the penalty is computed in float32).
        module = self.module_
        module.keep_pre_activations = self.precision == "float32"
        try:
            return super().train_step_single(batch, **fit_params)
        finally:
            module.keep_pre_activations = False
            module.pre_activations_ = None

    def penalty(self, X):
        if self.contraction == 0:
            return None
        if torch.is_grad_enabled():
            return self.contraction * jacobian_sq_norm(self.module_, X).mean()
        with torch.enable_grad():
            value = jacobian_sq_norm(self.module_, X).mean()
        return self.contraction * value.detach()
