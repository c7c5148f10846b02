"""What the "auto" and ``None`` parameter values resolve to, and the named choices.

Each default is a small function of the data's shape, so that it can be read,
tested and documented on its own; the estimators store what it resolved to as
a fitted attribute (``n_components_``, ``batch_size_``, ``max_epochs_``, ...).
"""

import math
import os
import re

import numpy as np
import torch
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler
from torch import nn

from ._compat import StrOptions

OPTIMIZERS = {
    # name: (torch optimizer, default learning rate, extra optimizer arguments).
    # The fused kernels update all parameters in one call: on small networks the
    # per-parameter Python loop of the default implementation costs a quarter of
    # an epoch (benchmarks/RESULTS.md).
    "adam": (torch.optim.Adam, 3e-3, {"fused": True}),
    "sgd": (torch.optim.SGD, 1e-2, {"momentum": 0.9, "fused": True}),
    "lbfgs": (torch.optim.LBFGS, 1.0, {"line_search_fn": "strong_wolfe"}),
}
LOSSES = {"mse": nn.MSELoss, "bce": nn.BCELoss}
SCALERS = {"standard": StandardScaler, "robust": RobustScaler, "minmax": MinMaxScaler}

# scaling="auto": the numeric columns share one unit when the widest range of values
# among them is at most this many times the median range (columns that never vary
# left out). Pixels (0-1, 0-16, 0-255), bands of one sensor, embeddings a scaler has
# already standardised share one; a table of counts, prices and ratios does not.
SHARED_UNIT_RANGE_RATIO = 2.0
# ... and the largest standard deviation at most this many times the median one, so
# that one common scale does not hand one column most of the loss.
SHARED_UNIT_STD_RATIO = 3.0

# lr=None multiplies the optimizer's default learning rate by this when a column
# is categorical: its cross-entropy is divided by log K (so that it weighs like
# one numeric column), which slows its logits by as much; it raised the mixed
# benchmark table's ROC AUC (benchmarks/tabular.py).
CATEGORICAL_LR_FACTOR = 2.0

# Optimizer steps that max_epochs="auto" aims for, whatever the number of rows:
# 600 Adam steps at 3e-3 scored better on the anomaly suite than 300 with the wide
# layer of tables that share a unit (annthyroid, letter), and lowered MNIST's
# held-out error, within the time budget (benchmarks/RESULTS.md).
AUTO_STEPS = 600
# ... but at most this many passes over the data: on 8 rows, 300 passes let a
# network with a linear shortcut learn the two outliers of scikit-learn's
# test_iforest_works by heart (0/10 seeds pass), 80 passes did not (10/10).
AUTO_MAX_EPOCHS = 20
# The cap on optimizer steps of max_epochs="auto" when early_stopping=True, where
# the held-out loss decides when training ends.
AUTO_CONVERGENCE_STEPS = 10_000
# Epochs that max_epochs="auto" gives L-BFGS, whose every epoch is a full-batch step
# of up to 20 iterations; it usually stops much earlier on the tolerance.
AUTO_LBFGS_EPOCHS = 100

# hidden_layer_sizes=None on columns that share a unit: one hidden layer as wide as
# the input, up to this many units and one unit per ROWS_PER_HIDDEN_UNIT training
# rows (and at least 2d): room for what images hold beyond PCA (benchmarks/
# compression.py); on tables of mixed units it cost detection, so they keep 2d.
WIDE_HIDDEN_UNITS = 128
ROWS_PER_HIDDEN_UNIT = 16

# Training rows kept as the reference of the neighbour term of the outlier score,
# as IsolationForest draws 256 rows per tree: a small random reference rarely holds a
# cluster of outliers, so an outlier's nearest reference rows are normal ones.
NEIGHBOR_REFERENCE_ROWS = 256
# Independent draws of those 256 rows whose terms are averaged: one draw made the
# term depend on luck (optdigits' ROC AUC swung with the seed); four raised the
# development suite's mean ROC AUC (benchmarks/study/DEFAULTS_STUDY.md).
NEIGHBOR_REFERENCE_SETS = 4
# Training rows (evenly spaced) that estimate the neighbour term's unit and the
# contamination="auto" fence on large data.
THRESHOLD_ROWS = 2**14

# Training memory above which a fit is refused before anything is allocated.
# Override with the environment variable SKLEARN_AE_MAX_TRAINING_GB.
DEFAULT_MAX_TRAINING_GB = 8.0


def shares_one_unit(X_num):
    """Whether ``scaling="auto"`` gives the numeric columns one common scale.

    True when at least two columns vary, the widest range of values (max -
    min, ignoring missing values) among them is at most
    ``SHARED_UNIT_RANGE_RATIO`` = 2 times the median one, and the largest
    standard deviation at most ``SHARED_UNIT_STD_RATIO`` = 3 times the median
    one (so that no column takes most of the loss): the columns then
    read as one quantity in one unit (pixels, spectra, standardised
    embeddings), and the network learns them in that unit, so that what it
    reconstructs well is what the user's own units count. Standardising each
    such column instead gives a pixel that is lit once in a thousand images
    the weight of the busiest one.

    Parameters
    ----------
    X_num : ndarray of shape (n_samples, n_numeric)
        The numeric columns, NaN where missing.

    Returns
    -------
    shared : bool
    """
    seen = (~np.isnan(X_num)).any(axis=0)  # all-NaN columns would warn in nanmax
    X_seen = X_num[:, seen]
    ranges = (np.nanmax(X_seen, axis=0) - np.nanmin(X_seen, axis=0)).astype(np.float64)
    varying = np.isfinite(ranges) & (ranges > 0)
    if varying.sum() < 2:
        return False
    ranges, stds = ranges[varying], np.nanstd(X_seen[:, varying], axis=0)
    return bool(ranges.max() <= SHARED_UNIT_RANGE_RATIO * np.median(ranges)
                and stds.max() <= SHARED_UNIT_STD_RATIO * np.median(stds))


def default_n_components(n_features):
    """Code size used when ``n_components=None``: ``max(1, round(log2(n_features)))``.

    A code much smaller than the input (9 columns -> 3, 64 pixels of digits ->
    6, 784 of MNIST -> 10). A narrow code is what makes reconstruction error a
    good outlier score: on the 11 ODDS tables a log2 code gave a mean ROC AUC
    of 0.811 against 0.797 for ``ceil(sqrt(n_features))``
    (benchmarks/RESULTS.md). Tune it with GridSearchCV for compression.

    Parameters
    ----------
    n_features : int
        Width of the input.

    Returns
    -------
    n_components : int
    """
    return max(1, round(math.log2(n_features)))


def default_hidden_layer_sizes(n_features, n_components, wide=True, n_samples=None):
    """Encoder stack used when ``hidden_layer_sizes=None``: one hidden layer.

    Wide (the estimator asks for it where the columns share a unit): as wide
    as the input, at most ``WIDE_HIDDEN_UNITS`` = 128 units and one unit per
    ``ROWS_PER_HIDDEN_UNIT`` = 16 rows, at least ``max(2 * d, 4)``: room for
    what images and spectra hold beyond PCA. Else ``max(2 * d, 4)``: enough to
    bend the code manifold, small enough not to memorise outliers.

    Parameters
    ----------
    n_features : int
        Width of the input.
    n_components : int
        Width of the code.
    wide : bool, default=True
        Whether the layer grows with the input; False gives ``max(2 * d, 4)``.
    n_samples : int or None, default=None
        Training rows, which cap the wide layer; None for no cap.

    Returns
    -------
    hidden_layer_sizes : tuple of int
    """
    if not wide:
        return (max(2 * n_components, 4),)
    cap = WIDE_HIDDEN_UNITS
    if n_samples is not None:
        cap = min(cap, n_samples // ROWS_PER_HIDDEN_UNIT)
    return (max(2 * n_components, 4, min(n_features, cap)),)


def default_batch_size(n_samples):
    """Batch size used when ``batch_size="auto"``: ``clip(n_samples // 16, 8, 256)``.

    Small data sets still get sixteen optimizer steps per epoch; large ones
    get the batch size at which a CPU step is efficient.

    Parameters
    ----------
    n_samples : int
        Number of training rows.

    Returns
    -------
    batch_size : int
    """
    return int(np.clip(n_samples // 16, 8, 256))


def default_max_epochs(n_samples, batch_size, early_stopping=False):
    """Epochs used when ``max_epochs="auto"``: about 600 optimizer steps, or a cap of
    10,000 with early stopping.

    Without early stopping, a fixed budget of ``AUTO_STEPS`` = 600 steps
    rather than of epochs: 8,000 rows in batches of 256 get 19 epochs,
    49,097 rows get 4, and at least one; but at most ``AUTO_MAX_EPOCHS`` =
    20 passes, so that a table of a few dozen rows is not learned by heart.
    A table of more than ``AUTO_STEPS`` batches gets one epoch, which the
    estimator cuts to ``AUTO_STEPS`` batches drawn at random from all its
    rows (the training iterator's ``max_batches``), so that fit time stops
    growing with the rows.

    With early stopping the held-out loss decides when to stop, and
    ``AUTO_CONVERGENCE_STEPS`` = 10,000 steps is only a cap; an epoch is
    then at most ``AUTO_STEPS`` batches, so the held-out loss is read at
    least that often.

    Parameters
    ----------
    n_samples : int
        Number of training rows.
    batch_size : int
        Rows per optimizer step.
    early_stopping : bool, default=False
        Whether a held-out loss stops training.

    Returns
    -------
    max_epochs : int
    """
    steps_per_epoch = math.ceil(n_samples / batch_size)
    if early_stopping:
        # An epoch is at most AUTO_STEPS batches (the estimator's max_batches).
        return max(1, math.ceil(AUTO_CONVERGENCE_STEPS / min(steps_per_epoch, AUTO_STEPS)))
    return max(1, min(AUTO_MAX_EPOCHS, math.ceil(AUTO_STEPS / steps_per_epoch)))


def default_clip(scaling, linear_shortcut):
    """Clip used when ``clip="auto"``: 3 for automatic, standard and robust scaling
    without a linear shortcut, else none.

    A network with a linear shortcut has a linear code: it extrapolates, so
    training it on clipped inputs and then coding unclipped ones moves the
    code where the stacks never saw it (MNIST, d=10: held-out error 1.25x
    PCA's with the clip, 0.99x without). Unclipped, the shortcut also scored
    better on the anomaly suite (benchmarks/study/DEFAULTS_STUDY.md).

    Parameters
    ----------
    scaling : str or None
        The estimator's ``scaling`` parameter.
    linear_shortcut : bool
        The estimator's ``linear_shortcut`` parameter.

    Returns
    -------
    clip : float or None
    """
    if linear_shortcut:
        return None
    return 3.0 if scaling in ("auto", "standard", "robust") else None


_DEVICE_PATTERN = re.compile(r"cpu|cuda(:\d+)?|mps|auto")


class DeviceNames(StrOptions):
    """Parameter constraint: ``"cpu"``, ``"cuda"``, ``"cuda:N"``, ``"mps"`` or ``"auto"``.

    scikit-learn's ``StrOptions`` constraint (through :mod:`sklearn_ae._compat`; the kinds of
    constraint scikit-learn's validation accepts) whose ``"cuda:N"`` stands for
    any device index.
    """

    def __init__(self):
        super().__init__({"cpu", "cuda", "cuda:N", "mps", "auto"})

    def is_satisfied_by(self, val):
        return isinstance(val, str) and _DEVICE_PATTERN.fullmatch(val) is not None


def resolve_device(device):
    """The device to train on, as a string; refuse one torch cannot use here.

    Parameters
    ----------
    device : str or torch.device
        ``"auto"`` maps to ``"cuda"`` where torch finds a CUDA device, else
        ``"cpu"``.

    Returns
    -------
    device : str
    """
    device = str(device)
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but torch finds no CUDA device "
            f"(torch {torch.__version__}, CUDA build: {torch.version.cuda}). "
            "Use device='cpu' or device='auto'."
        )
    if device == "mps" and not torch.backends.mps.is_available():
        raise ValueError(
            "device='mps' was requested but torch finds no Apple MPS device. "
            "Use device='cpu' or device='auto'."
        )
    return device


def max_training_bytes():
    """The training memory cap: ``SKLEARN_AE_MAX_TRAINING_GB`` GiB, default 8.

    Returns
    -------
    max_bytes : float
    """
    text = os.environ.get("SKLEARN_AE_MAX_TRAINING_GB")
    if text is None:
        return DEFAULT_MAX_TRAINING_GB * 2**30
    try:
        gigabytes = float(text)
    except ValueError:
        raise ValueError(
            f"SKLEARN_AE_MAX_TRAINING_GB must be a number of GiB, got {text!r}."
        ) from None
    return gigabytes * 2**30


def training_bytes(widths, batch_size, tied_weights):
    """Memory a network of these layer widths needs to train, in bytes (float32).

    The weights four times over (values, gradients, two Adam moments) and the
    activations of one batch, forward and backward, through the encoder and the
    mirrored decoder.

    Parameters
    ----------
    widths : sequence of int
        ``(n_features, *hidden_layer_sizes, n_components)``.
    batch_size : int
        Rows per step.
    tied_weights : bool
        Whether the decoder reuses the encoder's weights.

    Returns
    -------
    n_bytes : int
    """
    weights = sum(w_in * w_out for w_in, w_out in zip(widths[:-1], widths[1:]))
    weights = weights * (1 if tied_weights else 2) + 2 * sum(widths)
    activations = batch_size * 2 * (2 * sum(widths) - widths[-1])
    return 4 * (4 * weights + 2 * activations)
