"""The scikit-learn estimator shared by every autoencoder.

:class:`BaseAutoencoder` holds the parameters and the public entry points; the
work is done by one mixin per job: :class:`~sklearn_ae._training.TrainingMixin`
(``fit`` / ``partial_fit``), :class:`~sklearn_ae._inference.InferenceMixin`
(``transform`` and friends), :class:`~sklearn_ae._outlier.OutlierContractMixin`
(``score_samples``, ``predict``, thresholds). Dask input is routed in
:mod:`sklearn_ae._dask`, the whole state is taken out and put back by
:mod:`sklearn_ae._state`.
"""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    OutlierMixin,
    _fit_context,
)
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._dask import fit_dask, is_dask_collection
from ._defaults import LOSSES, OPTIMIZERS, SCALERS, DeviceNames
from ._fileformat import write_model_file
from ._inference import InferenceMixin
from ._modules import ACTIVATIONS
from ._net import AutoencoderNet
from ._outlier import OutlierContractMixin
from ._selection import hidden_entry_mask, imputation_error
from ._state import (
    checkpoint,
    fitted_attributes,
    forget_fit,
    join_tensors,
    load_net_state,
    net_state,
    roll_back,
    split_tensors,
)
from ._tabular import MISSING, EncodedTable
from ._training import TrainingMixin


class BaseAutoencoder(
    TrainingMixin,
    InferenceMixin,
    OutlierContractMixin,
    ClassNamePrefixFeaturesOutMixin,
    OutlierMixin,
    BaseEstimator,
):
    """Shared implementation of the autoencoder estimators.

    Subclasses set :attr:`_net_class` to a subclass of
    :class:`~sklearn_ae._net.AutoencoderNet` and pass their own parameters to it
    through :meth:`_net_params`.
    """

    _net_class = AutoencoderNet
    # hidden_layer_sizes=None grows the hidden layer with the input (see
    # _defaults.default_hidden_layer_sizes); the variants keep it at 2d.
    _wide_default_network = True

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left"), None],
        "hidden_layer_sizes": ["array-like", None],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "output_activation": [StrOptions(set(ACTIVATIONS))],
        "tied_weights": ["boolean"],
        "linear_shortcut": ["boolean"],
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
        "scaling": [StrOptions({"auto", *SCALERS}), None],
        "categorical_features": ["array-like", StrOptions({"from_dtype"}), None],
        "max_categories": [Interval(Integral, 2, None, closed="left")],
        "clip": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"}), None],
        "contamination": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="right")],
        "n_neighbors": [Interval(Integral, 0, None, closed="left")],
        "device": [DeviceNames(), torch.device],
        "n_threads": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "precision": [StrOptions({"float32", "bfloat16"})],
        "callbacks": [list, None],
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
    ):
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.output_activation = output_activation
        self.tied_weights = tied_weights
        self.linear_shortcut = linear_shortcut
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
        self.categorical_features = categorical_features
        self.max_categories = max_categories
        self.clip = clip
        self.contamination = contamination
        self.n_neighbors = n_neighbors
        self.device = device
        self.n_threads = n_threads
        self.precision = precision
        self.callbacks = callbacks
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the autoencoder to reconstruct ``X``.

        A fit that raises (bad data, divergence, an interrupt before the first
        epoch ends, too little memory) leaves the estimator as it was: fitted
        as before, or unfitted.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data: a numpy array, a pandas DataFrame (numeric,
            boolean, ``category``, ``object`` and ``string`` columns; see
            ``categorical_features``), or a dask array or DataFrame of
            numbers (streamed block by block through :meth:`partial_fit`).
            Missing values (NaN, None, ``pd.NA``) are left out of the loss;
            data whose every value is missing is refused.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        if is_dask_collection(X):
            saved = checkpoint(self, with_net_state=False)
            try:
                forget_fit(self)
                return fit_dask(self, X)
            except BaseException:
                roll_back(self, saved)
                raise
        return self._fit(X, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Train on one chunk of rows: one epoch (pass) over ``X`` per call.

        For data that does not fit in memory, or that arrives over time. The
        first call (on an unfitted estimator) validates ``X``, sets
        ``n_features_in_`` and ``feature_names_in_``, fits the scaler **on
        that first chunk only** and builds the network; the scaler then stays
        fixed, so that the space the network sees does not move under it
        (make the first chunk representative: shuffle the rows of the file).
        So do the categorical columns and their levels (``encoder_``): a
        level that first appears in a later chunk is unseen, and counts as
        maximally surprising.
        Every call then runs one epoch of mini-batches over ``X``, as
        :meth:`sklearn.neural_network.MLPRegressor.partial_fit` does; the
        optimizer state (Adam's moments, SGD's momentum) and the random
        generators carry over from call to call. ``max_epochs`` and
        ``early_stopping`` are not used (call ``partial_fit`` again for
        another pass). After :meth:`fit`, or :func:`sklearn_ae.load`,
        ``partial_fit`` continues training the fitted network. A call that
        raises (or is interrupted) leaves the estimator as it was before it.

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
        return self._fit(X, incremental=True)

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

        On a table with missing values or categorical columns the mask is
        drawn over the observed cells only; hidden cells start as missing ones
        do (the training mean, no level), and each is scored by its term: the
        squared error in scaled space, or for a categorical cell the
        cross-entropy of its true level divided by ``log K`` (1 for a uniform
        guess).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Held-out rows, in the units seen at ``fit``; missing values allowed.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        score : float
            Minus the mean squared error of the imputed hidden entries.
        """
        X_valid = self._validate_X(X)
        if not self._is_numeric() or np.isnan(X_valid).any():
            return self._score_table(X_valid)
        X_model = self._to_model_space(X_valid)
        fill = self._to_model_space(self.mean_[np.newaxis, :])[0]
        mask = hidden_entry_mask(*X_model.shape)

        def reconstruct(rows):
            return self._map_chunks(self._forward, rows, self.n_features_in_)

        return -imputation_error(reconstruct, X_model, fill, mask)

    def _score_table(self, X_valid):
        """:meth:`score` of a table with holes or categorical columns.

        The same fixed mask, over the observed cells only; hidden cells are
        handled as missing ones (:meth:`_completed_inputs`), and scored by
        their term: squared error in scaled space, or normalised
        cross-entropy of the true level.
        """
        encoded = self.encoder_.encode(X_valid)
        observed = self._observed_cells(encoded)
        hidden = hidden_entry_mask(*observed.shape) & observed
        if not hidden.any():
            return 0.0
        with self._threads(), torch.inference_mode(), self.net_.autocast():
            inputs = self._completed_inputs(self._hide(encoded, hidden))
            terms, _ = self._cell_terms(encoded, self.net_.module_(self._tensor(inputs)))
        return -float(terms[hidden].mean())

    def _observed_cells(self, encoded):
        observed = np.empty((len(encoded.inputs), self.n_features_in_), dtype=bool)
        observed[:, self.encoder_.numeric_columns_] = encoded.observed
        observed[:, self.encoder_.categorical_columns_] = encoded.codes != MISSING
        return observed

    def _hide(self, encoded, hidden):
        """``encoded`` with the ``hidden`` cells (original column order) missing."""
        hide_numeric = hidden[:, self.encoder_.numeric_columns_]
        hide_codes = hidden[:, self.encoder_.categorical_columns_]
        numeric = np.where(hide_numeric, np.float32(np.nan), encoded.numeric)
        inputs = encoded.inputs.copy()
        numeric_slice, blocks = self.encoder_.output_slices()
        fill = self.encoder_.numeric_fill_.astype(np.float32)
        inputs[:, numeric_slice] = np.where(hide_numeric, fill, inputs[:, numeric_slice])
        for k, (block, _) in enumerate(blocks):
            inputs[hide_codes[:, k], block] = 0.0
        codes = np.where(hide_codes, MISSING, encoded.codes)
        return EncodedTable(inputs, numeric, ~np.isnan(numeric), codes)

    def export_state(self):
        """The whole fitted estimator as a description and a dict of tensors.

        What :func:`sklearn_ae.save` writes: the parameters, every fitted
        attribute (scaler, thresholds, resolved settings such as
        ``batch_size_``, curves), and the net's state: weights, optimizer
        state, training history and random generator states. Restored by
        :meth:`from_state`, the estimator trains on exactly as this one would.

        Returns
        -------
        description : dict
            ``"params"`` (:meth:`get_params`), ``"attributes"`` (fitted
            attributes other than ``net_``: numbers, strings, numpy arrays and
            the fitted scaler) and ``"net"`` (nested lists and dicts whose
            tensors are replaced by ``{"__tensor__": name}``).
        tensors : dict of str to torch.Tensor
            CPU tensors, by name.
        """
        check_is_fitted(self)
        attributes = fitted_attributes(self)
        net = attributes.pop("net_")
        tensors = {}
        description = {
            "params": self.get_params(deep=False),
            "attributes": attributes,
            "net": split_tensors(net_state(net), tensors),
        }
        return description, tensors

    @classmethod
    def from_state(cls, description, tensors, device=None):
        """Rebuild a fitted estimator from :meth:`export_state`'s output.

        The parameters are validated first. torch's and numpy's global random
        states are left alone.

        Parameters
        ----------
        description : dict
            As returned by :meth:`export_state`.
        tensors : dict of str to torch.Tensor
            As returned by :meth:`export_state`.
        device : str or None, default=None
            Where the network lives; ``None`` keeps the saved ``device_``.

        Returns
        -------
        estimator : object
            Fitted.
        """
        estimator = cls(**description["params"])
        estimator._validate_params()
        estimator._check_params()
        vars(estimator).update(description["attributes"])
        if device is not None:
            estimator.device_ = device
        estimator.net_ = estimator._build_net(0, 0, early_stopping=False)
        with estimator._seeded_torch(0):
            estimator.net_.initialize()
        load_net_state(estimator.net_, join_tensors(description["net"], tensors))
        estimator.net_.module_.train(False)
        return estimator

    def save(self, path, key=None):
        """Write the fitted estimator to ``path``, without pickle.

        One safetensors file: the network weights, the optimizer state and
        random generator states as tensors, and the parameters, every fitted
        attribute, the training history, a format version and a checksum as
        JSON in its header. Read it back with :func:`sklearn_ae.load`, which
        runs no code from the file. An existing file at ``path`` is replaced.

        Parameters
        ----------
        path : str or path-like
            Where to write.
        key : bytes, str or None, default=None
            Sign the file with HMAC-SHA256 under this key; ``load(path,
            key=key)`` then refuses any file not signed with it.

        Returns
        -------
        path : pathlib.Path
            The file written.
        """
        check_is_fitted(self)
        return write_model_file(path, self, key=key)

    @property
    def _n_features_out(self):
        return self.n_components_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
