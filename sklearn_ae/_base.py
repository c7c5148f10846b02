"""The scikit-learn estimator shared by every autoencoder.

:class:`BaseAutoencoder` is composed of three fitted parts, each the one owner
of its state: the table encoder ``encoder_`` (:mod:`sklearn_ae._tabular`),
the skorch net ``net_`` trained by :class:`~sklearn_ae._training.TrainingMixin`,
and the outlier scorer ``scorer_`` (:class:`~sklearn_ae._scoring.OutlierScorer`,
numpy only). ``fit`` is a short list of steps over them; every public method
validates its rows, reads them through the encoder and the network
(:class:`~sklearn_ae._inference.TableNetwork`) in bounded row chunks, and, for
the outlier contract, hands the result to the scorer. The whole state is taken
out and put back by :mod:`sklearn_ae._state`.

The rows are cut into chunks with scikit-learn's ``gen_batches`` and the
``working_memory`` setting (:func:`sklearn.set_config`), which bounds the
memory of every intermediate array of inference whatever the number of rows,
as in :class:`~sklearn.ensemble.IsolationForest`.
"""

from numbers import Integral, Real

import numpy as np
import pandas as pd
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    OutlierMixin,
    TransformerMixin,
)
from sklearn.utils import gen_batches
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._columns import as_table, column_names, refuse_dates, resolve_categorical
from ._compat import Interval, StrOptions, chunk_n_rows, fit_context, validate_params
from ._dask import refuse_dask
from ._defaults import LOSSES, OPTIMIZERS, SCALERS, DeviceNames
from ._fileformat import write_model_file
from ._inference import (
    TableNetwork,
    _is_from_dtype,
    _keep_categorical_dtypes,
    _rows,
    _table_or_none,
    take_rows,
)
from ._modules import ACTIVATIONS
from ._net import AutoencoderNet
from ._scoring import OutlierScorer, mean_over_observed, reference_size
from ._selection import HiddenEntryMasks
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
from ._training import TrainingMixin

# The column of ``score_contributions`` that holds the neighbour term of the score.
NEIGHBOR_COLUMN = "<neighbor distance>"


class BaseAutoencoder(
    TrainingMixin,
    TransformerMixin,
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

    @fit_context(prefer_skip_nested_validation=True)
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
        return self._fit(X, incremental=False)

    @fit_context(prefer_skip_nested_validation=True)
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

    def _fit(self, X, incremental, fit_scorer=True):
        """Validate, set up, encode once, train, then one pass for the scorer.

        A call that raises leaves the estimator as it was before it. Without
        ``fit_scorer`` (a later block of :class:`~sklearn_ae.DaskAutoencoder`'s
        stream, whose scorer is fitted on the whole collection at the end) the
        scorer stays as it was.
        """
        refuse_dask(X, type(self).__name__)
        saved = checkpoint(self, with_net_state=incremental)
        try:
            with self._threads():  # set-up; training takes the network's own rule
                first_call = not (incremental and hasattr(self, "net_"))
                if first_call:
                    forget_fit(self)  # nothing of an earlier fit survives a new one
                X = self._validate_rows(
                    X, reset=first_call, ensure_min_samples=1 if incremental else 2
                )
                seeds = self._set_up(X) if first_call else None
                encoded = self.encoder_.encode(X)
                self._train_network(encoded, incremental, seeds)
                self._record_rows(X)
                if fit_scorer or first_call:
                    self.scorer_ = self._fit_scorer(encoded, seeds.reference if first_call else None)
        except BaseException:
            roll_back(self, saved)
            raise
        return self

    def _fit_scorer(self, encoded, reference_seed=None):
        """The outlier scorer, fitted in one pass of the trained network over the
        encoded training rows, chunk by chunk (the scorer keeps what it needs of
        each: :meth:`~sklearn_ae._scoring.OutlierScorer.fit_chunks`).

        With a ``reference_seed`` the scorer draws its neighbour reference from
        these rows; without, it keeps the reference of the current scorer (a
        later ``partial_fit`` keeps that of the first call).
        """
        if reference_seed is None:
            # A new scorer, not the current one refitted: a call that fails keeps it.
            reference = self.scorer_.neighbor_reference_
            reference_seed = self.scorer_.random_state
            with_neighbors = reference is not None
            n_reference = 0 if reference is None else len(reference)
        else:
            reference = None
            with_neighbors = self.n_neighbors > 0
            n_reference = reference_size(len(encoded.inputs)) if with_neighbors else 0
        scorer = OutlierScorer(self.n_neighbors, self.contamination, reference_seed)
        network = self._network()

        def chunks():
            for rows in self._row_chunks(len(encoded.inputs), n_reference):
                terms, counted, inputs = network.row_terms(take_rows(encoded, rows))
                yield rows, terms, counted, network.neighbor_rows(inputs) if with_neighbors else None

        with self._threads(), torch.inference_mode(), self.net_.autocast():
            return scorer.fit_chunks(len(encoded.inputs), chunks(), reference=reference)

    # ------------------------------------------------------------ validation

    def _validate_X(self, X):
        check_is_fitted(self)
        refuse_dask(X, type(self).__name__)
        return self._validate_rows(X, reset=False)

    def _validate_rows(self, X, *, reset, ensure_min_samples=1):
        """Rows checked against the fit: a float array (NaN allowed) for a table of
        numbers, else the table itself (a DataFrame or an object array), which
        ``encoder_`` checks further when it encodes it."""
        if isinstance(X, pd.DataFrame):
            refuse_dates(X)
        categorical = self._categorical_mask(X, reset)
        if categorical is None or not categorical.any():
            return validate_data(
                self, X, dtype=[np.float64, np.float32], ensure_all_finite="allow-nan",
                reset=reset, ensure_min_samples=ensure_min_samples,
            )
        validate_data(self, X, reset=reset, skip_check_array=True)
        table = as_table(X)
        if len(table) < ensure_min_samples:
            raise ValueError(
                f"Found array with {len(table)} sample(s) (shape={table.shape}) while a "
                f"minimum of {ensure_min_samples} is required."
            )
        return table

    def _categorical_mask(self, X, reset):
        """Which columns of ``X`` are categorical; None for input that is not a
        table (sparse, not 2-D, array-likes of other types), left to
        scikit-learn's validation to convert or refuse."""
        if not reset:
            return self.encoder_.is_categorical_
        if self.categorical_features is None:
            return None
        table = _table_or_none(X, from_dtype=_is_from_dtype(self.categorical_features))
        if table is None:
            return None
        return resolve_categorical(table, self.categorical_features, column_names(table))

    def _is_numeric(self):
        return not self.encoder_.is_categorical_.any()

    # ------------------------------------------------------- rows in chunks

    def _network(self):
        """The trained network read through the table encoder (a view, no state)."""
        return TableNetwork(self.encoder_, self.net_.module_, self.device_, self.clip_)

    def _row_chunks(self, n_rows, n_reference=None):
        """Row slices whose intermediate arrays fit in scikit-learn's ``working_memory``."""
        if n_reference is None:
            reference = self.neighbor_reference_
            n_reference = 0 if reference is None else len(reference)
        n_inputs = self.encoder_.n_inputs_
        widths = (n_inputs, *self.hidden_layer_sizes_, self.n_components_)
        # float32 activations of encoder and decoder, the float64 outputs, and the
        # float64 distances to the neighbour reference rows of the outlier score.
        row_bytes = 4 * 2 * sum(widths) + 8 * 2 * (max(n_inputs, self.n_features_in_) + n_reference)
        return gen_batches(n_rows, max(1, chunk_n_rows(row_bytes, max_n_rows=n_rows)))

    def _map_rows(self, function, X, width=None):
        """Apply ``function`` to bounded row chunks of ``X``; float64 out.

        ``function`` maps a chunk of rows to a numpy chunk of ``width`` columns
        (or to one value per row when ``width`` is None).
        """
        out = np.empty((len(X),) if width is None else (len(X), width), dtype=np.float64)
        with self._threads(), torch.inference_mode(), self.net_.autocast():
            for rows in self._row_chunks(len(X)):
                out[rows] = function(_rows(X, rows))
        return out

    def _map_chunks(self, function, X, width=None):
        """:meth:`_map_rows` with ``function`` given each chunk encoded (an
        :data:`~sklearn_ae._tabular.EncodedTable`)."""
        return self._map_rows(lambda rows: function(self.encoder_.encode(rows)), X, width)

    def _scoring_arrays(self, network, encoded):
        """What the scorer needs of encoded rows: terms, counted cells, neighbour rows."""
        terms, counted, inputs = network.row_terms(encoded)
        neighbor_rows = None if self.neighbor_reference_ is None else network.neighbor_rows(inputs)
        return terms, counted, neighbor_rows

    def _unscale(self, X_model):
        return X_model if self.scaler_ is None else self.scaler_.inverse_transform(X_model)

    def _as_table_out(self, outputs, index=None):
        """Network outputs as a table in the training units (categorical case)."""
        table = self.encoder_.inverse_transform(outputs)
        if isinstance(table, pd.DataFrame) and index is not None:
            table.index = index
        return table

    # ------------------------------------------------ codes and reconstructions

    def transform(self, X):
        """Encode ``X`` into the code ``h``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data in the units seen at ``fit``; missing values (NaN, None,
            ``pd.NA``) allowed: a row's missing entries are first filled in
            from its reconstruction (3 rounds, see :meth:`impute`).

        Returns
        -------
        H : ndarray of shape (n_samples, n_components_)
            The code of each row, float64.
        """
        X_valid = self._validate_X(X)
        return self._map_chunks(self._network().codes, X_valid, self.n_components_)

    def inverse_transform(self, X):
        """Decode codes back to the input space, in the original units.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components_)
            Codes, as returned by :meth:`transform`.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features_in_), or DataFrame
            The reconstruction, unscaled to the units of the training data.
            With categorical columns, each of their cells is its most likely
            level, and the result is a DataFrame with the training columns when
            fitted on one, else an object array.
        """
        check_is_fitted(self)
        H = check_array(X, dtype=[np.float64, np.float32])
        if H.shape[1] != self.n_components_:
            raise ValueError(
                f"X has {H.shape[1]} features, but {type(self).__name__}.inverse_transform "
                f"expects codes of width n_components_={self.n_components_}."
            )
        network = self._network()
        if self._is_numeric():
            return self._map_rows(
                lambda codes: self._unscale(network.decode(codes)), H, self.n_features_in_
            )
        return self._as_table_out(self._map_rows(network.decode, H, self.encoder_.n_outputs_))

    def reconstruct(self, X):
        """Encode and decode ``X``: ``inverse_transform(transform(X))`` in one pass.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data in the units seen at ``fit``; missing values allowed.

        Returns
        -------
        X_hat : ndarray of shape (n_samples, n_features_in_), or DataFrame
            The reconstruction in the units of ``X`` (of every cell, the
            missing ones too); with categorical columns, as
            :meth:`inverse_transform` returns it.
        """
        X_valid = self._validate_X(X)
        network = self._network()
        if self._is_numeric():
            return self._map_chunks(
                lambda encoded: self._unscale(network.outputs(encoded)), X_valid,
                self.n_features_in_,
            )
        outputs = self._map_chunks(network.outputs, X_valid, self.encoder_.n_outputs_)
        return self._as_table_out(outputs, getattr(X, "index", None))

    def impute(self, X):
        """``X`` with its missing values filled in by the autoencoder.

        Each row's missing entries start at the training mean (a categorical
        column's: no level), and are replaced by their reconstruction 3 times
        (an EM-style completion, as in :meth:`score`); the fourth
        reconstruction gives the values returned. Observed cells are returned
        as they are. On correlated columns this is far closer to the truth
        than the column mean (benchmarks/RESULTS.md).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data in the units seen at ``fit``, with missing values as NaN,
            None or ``pd.NA``.

        Returns
        -------
        X_filled : ndarray of shape (n_samples, n_features_in_), or DataFrame
            A DataFrame (with the index of ``X`` when it is one) when fitted
            on a DataFrame with string column names; else a float64 array, or
            an object array when a column is categorical. A missing
            categorical cell gets the most likely level. A numeric column that
            was entirely missing at fit stays missing (NaN).
        """
        X_valid = self._validate_X(X)
        outputs = self._map_chunks(self._network().outputs, X_valid, self.encoder_.n_outputs_)
        filled = self.encoder_.fill_missing(X_valid, self.encoder_.inverse_transform(outputs))
        if hasattr(self, "feature_names_in_") and not isinstance(filled, pd.DataFrame):
            filled = pd.DataFrame(filled, columns=self.feature_names_in_)
        if isinstance(filled, pd.DataFrame) and isinstance(X, pd.DataFrame):
            filled.index = X.index
            _keep_categorical_dtypes(filled, X)
        return filled

    def reconstruction_error(self, X, per_feature=False):
        """How badly each row, or each cell, is reconstructed.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data in the units seen at ``fit``; missing values allowed.
        per_feature : bool, default=False
            If False, each row's mean term over its observed cells, unweighted:
            the squared error in the scaled space the network sees for a numeric
            cell, the normalised cross-entropy for a categorical one (about 1
            for a uniform guess). If True, each cell's term in units of its
            column's typical training term (``feature_error_scale_``), so that
            the columns are comparable whatever their units and spread (a
            value of 10 means "ten times as badly reconstructed as usual in
            this column"); NaN for a missing cell. Each row's mean over its
            observed cells is the reconstruction part of ``-score_samples``
            (all of it with ``n_neighbors=0``); :meth:`score_contributions`
            gives the same terms as shares of the score. Earlier versions
            returned ``|x - x_hat|`` in the units of ``X``, dominated by the
            columns with the largest units.

        Returns
        -------
        errors : ndarray of shape (n_samples,) or (n_samples, n_features)
            With ``per_feature=True`` and a pandas DataFrame as ``X``, a
            DataFrame with the same index and columns.
        """
        X_valid = self._validate_X(X)
        network = self._network()
        if not per_feature:
            return self._map_chunks(
                lambda encoded: mean_over_observed(*network.row_terms(encoded)[:2]), X_valid
            )

        def scaled_terms(encoded):
            terms, counted, _ = network.row_terms(encoded)
            terms = terms if counted is None else np.where(counted, terms, np.nan)
            return terms / self.feature_error_scale_

        errors = self._map_chunks(scaled_terms, X_valid, self.n_features_in_)
        if isinstance(X, pd.DataFrame):
            return pd.DataFrame(errors, index=X.index, columns=X.columns)
        return errors

    def score(self, X, y=None):
        """How well the model fills in hidden entries of held-out rows: higher is better.

        A fixed 20 % of the observed cells of each row of ``X`` (the same cells
        every call: the mask is seeded) are hidden and treated as missing
        cells are: they start at the training mean (a categorical cell: no
        level) and are refilled from the reconstruction 3 times (an EM-style
        completion, the refill that :meth:`impute` and :meth:`transform` give
        any missing cell). The score is minus the mean term of the hidden
        cells of the last reconstruction: for a numeric cell the squared
        error in the scaled space the network sees (about -1 for guessing the
        mean under ``scaling="standard"``), for a categorical cell the
        cross-entropy of its true level divided by ``log K`` (1 for a uniform
        guess). The same algorithm on every input, with or without missing
        values or categorical columns, in bounded row chunks.

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
            Held-out rows, in the units seen at ``fit``; missing values allowed.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        score : float
            Minus the mean term of the hidden cells (0 when no cell is observed).
        """
        X_valid = self._validate_X(X)
        network = self._network()
        total, n_hidden = 0.0, 0
        masks = HiddenEntryMasks(self.n_features_in_)
        with self._threads(), torch.inference_mode(), self.net_.autocast():
            for rows in self._row_chunks(len(X_valid)):
                encoded = self.encoder_.encode(_rows(X_valid, rows))
                hidden = masks.next_rows(rows.stop - rows.start) & network.observed_cells(encoded)
                inputs = network.completed_inputs(network.hide(encoded, hidden))
                terms, _ = network.terms(encoded, inputs)
                total += terms[hidden].sum()
                n_hidden += int(hidden.sum())
        return -float(total / n_hidden) if n_hidden else 0.0

    # ------------------------------------------------------ outlier contract

    @property
    def feature_error_scale_(self):
        return self.scorer_.feature_error_scale_

    @property
    def neighbor_reference_(self):
        return self.scorer_.neighbor_reference_

    @property
    def neighbor_scale_(self):
        return self.scorer_.neighbor_scale_

    @property
    def offset_(self):
        return self.scorer_.offset_

    @offset_.setter
    def offset_(self, value):
        self.scorer_.offset_ = value

    def score_samples(self, X):
        """Return minus each row's oddity: reconstruction error plus neighbour distance.

        Two terms, each in units of its typical value on the training rows:

        - the reconstruction error ``mean_j (z_ij - z_hat_ij)^2 /
          feature_error_scale_[j]`` with ``z`` the scaled row: each feature's
          squared error is divided by its mean over the training rows, so a
          noisy column cannot drown an odd value in an easy one;
        - with ``n_neighbors > 0``, the mean squared distance of ``z`` to its
          ``n_neighbors`` nearest rows of ``neighbor_reference_`` (256
          training rows drawn at fit; averaged over 4 such draws on larger
          data, in each column's standard scores), divided by
          ``neighbor_scale_``. It catches rows far from every training row
          that the network still reconstructs (an extreme value along a
          direction it learned). A row equal to a reference row is not its
          own neighbour: a training row is scored against the others, so
          that ``offset_``, set on the training rows, holds for new rows.

        A training row scores about -2 on average (-1 with
        ``n_neighbors=0``); higher means more normal, as for
        :class:`~sklearn.ensemble.IsolationForest`.

        A categorical cell's term is the cross-entropy of its level divided by
        ``log K`` (1 for a uniform guess over the column's ``K`` levels); a
        level not seen at fit costs as much as the least likely known level,
        and at least 1. Missing cells are left out of the mean, and a row's
        holes are first filled in from its reconstruction (3 rounds), so a row
        is not an outlier for having holes; a row without any observed cell
        has no reconstruction error (its score is its neighbour term, measured
        on the filled-in row). :meth:`score_contributions` splits the score by
        column.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score, in the units seen at ``fit``.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Higher is more normal.
        """
        X_valid = self._validate_X(X)
        network = self._network()
        return self._map_chunks(
            lambda encoded: self.scorer_.score_samples(*self._scoring_arrays(network, encoded)),
            X_valid,
        )

    def score_contributions(self, X):
        """Each column's share of each row's anomaly score: the rows sum to ``-score_samples(X)``.

        ``contributions[i, j]`` is cell ``(i, j)``'s reconstruction term divided
        by column ``j``'s typical training term (``feature_error_scale_``) and
        by the number of observed cells of row ``i``: a numeric cell's squared
        error in scaled space, a categorical cell's normalised cross-entropy
        (one column, whatever its number of levels). A missing cell
        contributes 0. The largest entries of a row name the columns that make
        it odd; the command line's ``top_columns`` are these, and its
        ``neighbor_share`` is the last column's share.

        With ``n_neighbors > 0`` the score has a part tied to no column, the
        neighbour distance (see :meth:`score_samples`): it is returned as one
        extra, last column, named ``"<neighbor distance>"`` in a DataFrame.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to explain, in the units seen at ``fit``; missing values
            allowed.

        Returns
        -------
        contributions : ndarray of shape (n_samples, n_features_in_ + 1), or DataFrame
            Non-negative, float64; a DataFrame with the index and columns of
            ``X`` (and ``"<neighbor distance>"``) when ``X`` is one. Without
            the neighbour term (``n_neighbors=0``), of shape
            ``(n_samples, n_features_in_)``.
        """
        X_valid = self._validate_X(X)
        network = self._network()
        contributions = self._map_chunks(
            lambda encoded: self.scorer_.contributions(*self._scoring_arrays(network, encoded)),
            X_valid, self._n_contributions,
        )
        if isinstance(X, pd.DataFrame):
            names = self._contribution_names(X.columns)
            return pd.DataFrame(contributions, index=X.index, columns=names)
        return contributions

    @property
    def _n_contributions(self):
        return self.n_features_in_ + (self.neighbor_scale_ is not None)

    def _contribution_names(self, columns):
        names = list(columns)
        return names if self.neighbor_scale_ is None else [*names, NEIGHBOR_COLUMN]

    def decision_function(self, X):
        """``score_samples(X) - offset_``: negative for outliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score, in the units seen at ``fit``.

        Returns
        -------
        decision : ndarray of shape (n_samples,)
            Below zero for the rows :meth:`predict` labels -1.
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """Label each row +1 (inlier) or -1 (outlier).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to label, in the units seen at ``fit``.

        Returns
        -------
        labels : ndarray of shape (n_samples,), dtype int
            -1 where ``decision_function`` is negative, else +1.
        """
        decision = self.decision_function(X)
        labels = np.ones(len(decision), dtype=int)
        labels[decision < 0] = -1
        return labels

    # ------------------------------------------------------------ state

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
        validate_params(estimator)
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
