"""Inference: data into the network's space and back, in bounded row chunks.

The rows are cut into chunks with scikit-learn's ``gen_batches`` and
``get_chunk_n_rows``, so that the ``working_memory`` setting
(:func:`sklearn.set_config`) bounds the memory of every intermediate array
whatever the number of rows, as in :class:`~sklearn.ensemble.IsolationForest`.
"""

import numpy as np
import pandas as pd
import torch
from sklearn.base import TransformerMixin
from sklearn.utils import gen_batches
from sklearn.utils._chunking import get_chunk_n_rows
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._columns import as_table, column_names, refuse_dates, resolve_categorical
from ._dask import lazy_for_dask
from ._mixed_loss import categorical_term
from ._tabular import MISSING
from ._threads import auto_n_threads, cpu_threads, step_multiply_adds

# Reconstruct-and-refill rounds given to the holes of a row before it is
# scored, encoded or reconstructed (docs/_design_tabular.md: rows with holes
# scored 10-22 % worse without them, 2-4 % with 3).
REFILL_ROUNDS = 3


class InferenceMixin(TransformerMixin):
    """Encode, decode and reconstruct validated rows of a fitted autoencoder.

    A :class:`~sklearn.base.TransformerMixin`, so that scikit-learn's
    ``set_output`` wraps the :meth:`transform` defined here.
    """

    # ------------------------------------------------------------ internals

    def _validate_X(self, X):
        check_is_fitted(self)
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

    def _to_model_space(self, X):
        """Validated rows of numbers in the network's space, as float32 (NaN kept)."""
        return self.encoder_.encode(X).numeric

    def _unscale(self, X_model):
        return X_model if self.scaler_ is None else self.scaler_.inverse_transform(X_model)

    def _tensor(self, X):
        if not self.device_.startswith("cuda"):
            return torch.as_tensor(X, dtype=torch.float32, device=self.device_)
        # Page-locked host memory lets the copy to the GPU run by DMA, without
        # a staging copy, and overlap with whatever the GPU is still doing.
        host = torch.as_tensor(np.ascontiguousarray(X, dtype=np.float32))
        return host.pin_memory().to(self.device_, non_blocking=True)

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

    def _row_chunks(self, n_rows):
        """Row slices whose activations fit in scikit-learn's ``working_memory``."""
        n_inputs = self.encoder_.n_inputs_
        widths = (n_inputs, *self.hidden_layer_sizes_, self.n_components_)
        # float32 activations of encoder and decoder, the float64 outputs, and the
        # float64 distances to the neighbour reference rows of the outlier score.
        n_reference = 0 if self.neighbor_reference_ is None else len(self.neighbor_reference_)
        row_bytes = 4 * 2 * sum(widths) + 8 * 2 * (max(n_inputs, self.n_features_in_) + n_reference)
        chunk_rows = get_chunk_n_rows(row_bytes, max_n_rows=n_rows)
        return gen_batches(n_rows, max(1, chunk_rows))

    def _map_chunks(self, function, X, width=None):
        """Apply ``function`` to bounded row chunks of ``X``; float64 out.

        ``function`` maps a chunk of rows (numpy, or a DataFrame) to a numpy
        chunk of ``width`` columns (or to one value per row when ``width`` is
        None).
        """
        out = np.empty((len(X),) if width is None else (len(X), width), dtype=np.float64)
        with self._threads(), torch.inference_mode(), self.net_.autocast():
            for rows in self._row_chunks(len(X)):
                out[rows] = function(_rows(X, rows))
        return out

    def _forward(self, inputs):
        """The network's output for model-space inputs, float32 numpy."""
        return _numpy(self.net_.module_(self._tensor(inputs)))

    def _completed_inputs(self, encoded, n_rounds=REFILL_ROUNDS):
        """The inputs with each missing entry refilled from the reconstruction.

        ``n_rounds`` times: reconstruct, put the reconstruction of the missing
        entries into the input (a numeric value clipped as training inputs
        are; a categorical column's softmax probabilities), keep the observed
        entries. The network so sees a row with holes as it saw the complete
        training rows, and its observed cells are not reconstructed worse for
        the holes (the EM-style completion of :meth:`score`). Rows without a
        hole are returned untouched.
        """
        missing_numeric = ~encoded.observed
        missing_codes = encoded.codes == MISSING
        holes = missing_numeric.any(axis=1) | missing_codes.any(axis=1)
        if not holes.any():
            return encoded.inputs
        inputs = encoded.inputs.copy()
        rows = np.flatnonzero(holes)
        x = inputs[rows]
        numeric_slice, blocks = self.encoder_.output_slices()
        for _ in range(n_rounds):
            out = self._forward(x)
            x[:, numeric_slice] = np.where(
                missing_numeric[rows], self._clip(out[:, numeric_slice]), x[:, numeric_slice]
            )
            for k, (block, _) in enumerate(blocks):
                hole = missing_codes[rows, k]
                if block.stop > block.start:  # a column without levels has no inputs
                    x[hole, block] = _softmax(out[hole, block])
        inputs[rows] = x
        return inputs

    def _cell_terms(self, encoded, outputs):
        """Each cell's reconstruction term, in the original column order, float64.

        Numeric cells: the squared error in scaled space, computed as before
        categorical support (numpy, float32 residuals), so that a table of
        numbers gives the same bits. Categorical cells: the normalised
        cross-entropy of :mod:`sklearn_ae._mixed_loss`. Returns ``terms`` (0
        where missing) and ``counted`` (None when every cell is observed).
        """
        n_numeric = encoded.numeric.shape[1]
        residuals = _numpy(self._tensor(encoded.numeric) - outputs[:, :n_numeric].float())
        numeric_terms = np.square(residuals, dtype=np.float64)
        if not encoded.codes.shape[1]:
            if encoded.observed.all():
                return numeric_terms, None
            return np.where(encoded.observed, numeric_terms, 0.0), encoded.observed
        _, blocks = self.encoder_.output_slices()
        codes = torch.as_tensor(encoded.codes, device=outputs.device)
        categorical = [
            _numpy(categorical_term(outputs[:, block].float(), codes[:, k])).astype(np.float64)
            for k, (block, _) in enumerate(blocks)
        ]
        terms = np.empty((len(numeric_terms), self.n_features_in_))
        terms[:, self.encoder_.numeric_columns_] = np.where(encoded.observed, numeric_terms, 0.0)
        terms[:, self.encoder_.categorical_columns_] = np.stack(categorical, axis=1)
        counted = np.empty(terms.shape, dtype=bool)
        counted[:, self.encoder_.numeric_columns_] = encoded.observed
        counted[:, self.encoder_.categorical_columns_] = encoded.codes != MISSING
        return terms, None if counted.all() else counted

    def _row_terms(self, X):
        """``_cell_terms`` of validated rows, their holes refilled first, and the
        network inputs they were computed from (``_network_inputs``)."""
        encoded = self.encoder_.encode(X)
        inputs = self._completed_inputs(encoded)
        terms, counted = self._cell_terms(encoded, self.net_.module_(self._tensor(inputs)))
        return terms, counted, inputs

    def _terms_chunk(self, X):
        terms, counted, _ = self._row_terms(X)
        return terms, counted

    def _network_inputs(self, X, n_rounds=REFILL_ROUNDS):
        """Validated rows as the network reads them: scaled, categories one-hot,
        holes refilled (float32)."""
        return self._completed_inputs(self.encoder_.encode(X), n_rounds)

    def _squared_error_chunk(self, X):
        """Each cell's term, NaN where missing (float64, computed in numpy so
        that a row's result does not depend on which rows share its chunk)."""
        terms, counted = self._terms_chunk(X)
        return terms if counted is None else np.where(counted, terms, np.nan)

    def _mean_squared_error_per_feature(self, X):
        """Column means of the terms over observed cells, without an (n, p) array.

        NaN for a column without any observed cell.
        """
        total = np.zeros(self.n_features_in_)
        counts = np.zeros(self.n_features_in_)
        with self._threads(), torch.inference_mode(), self.net_.autocast():
            for rows in self._row_chunks(len(X)):
                terms, counted = self._terms_chunk(_rows(X, rows))
                total += terms.sum(axis=0)
                counts += len(terms) if counted is None else counted.sum(axis=0)
        if (counts == len(X)).all():
            return total / len(X)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(counts > 0, total / counts, np.nan)

    def _encode_chunk(self, X):
        return _numpy(self.net_.module_.encode(self._tensor(self._network_inputs(X))))

    def _decode_chunk(self, H):
        return self._unscale(_numpy(self.net_.module_.decode(self._tensor(H))))

    def _reconstruct_chunk(self, X):
        return self._unscale(self._outputs_chunk(X))

    def _outputs_chunk(self, X, n_rounds=REFILL_ROUNDS):
        return self._forward(self._network_inputs(X, n_rounds))

    def _as_table_out(self, outputs, index=None):
        """Network outputs as a table in the training units (categorical case)."""
        table = self.encoder_.inverse_transform(outputs)
        if isinstance(table, pd.DataFrame) and index is not None:
            table.index = index
        return table

    # --------------------------------------------------------- public API

    @lazy_for_dask(width="n_components_")
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
        return self._map_chunks(self._encode_chunk, self._validate_X(X), self.n_components_)

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
        if self._is_numeric():
            return self._map_chunks(self._decode_chunk, H, self.n_features_in_)
        outputs = self._map_chunks(
            lambda codes: _numpy(self.net_.module_.decode(self._tensor(codes))),
            H, self.encoder_.n_outputs_,
        )
        return self._as_table_out(outputs)

    @lazy_for_dask(width="n_features_in_")
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
        if self._is_numeric():
            return self._map_chunks(self._reconstruct_chunk, X_valid, self.n_features_in_)
        outputs = self._map_chunks(self._outputs_chunk, X_valid, self.encoder_.n_outputs_)
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
        outputs = self._map_chunks(self._outputs_chunk, X_valid, self.encoder_.n_outputs_)
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
        if not per_feature:
            return self._map_chunks(lambda rows: _row_mean(*self._terms_chunk(rows)), X_valid)
        errors = self._map_chunks(
            lambda rows: self._squared_error_chunk(rows) / self.feature_error_scale_,
            X_valid,
            self.n_features_in_,
        )
        if isinstance(X, pd.DataFrame):
            return pd.DataFrame(errors, index=X.index, columns=X.columns)
        return errors


def _numpy(tensor):
    """A float32 numpy copy of a (possibly bfloat16, possibly CUDA) tensor."""
    return tensor.float().cpu().numpy()


def _is_from_dtype(categorical_features):
    return isinstance(categorical_features, str) and categorical_features == "from_dtype"


def _table_or_none(X, from_dtype):
    """A DataFrame, or a 2-D numpy array (lists as object arrays); else None."""
    if isinstance(X, pd.DataFrame):
        return X
    if isinstance(X, (list, tuple)):
        try:
            X = np.asarray(X, dtype=object)
        except ValueError:  # ragged
            return None
    if not isinstance(X, np.ndarray) or X.ndim != 2 or X.dtype.kind not in "biufOUS":
        return None
    if from_dtype and X.dtype == object and not any(isinstance(v, (str, bytes)) for v in X.flat):
        return None  # numbers (or worse) in objects: scikit-learn's validation decides
    return as_table(X)


def _keep_categorical_dtypes(filled, X):
    """Give the filled columns the ``category`` dtypes of ``X`` where they fit."""
    for name in filled.columns:
        dtype = X[name].dtype if name in X.columns else None
        if isinstance(dtype, pd.CategoricalDtype) and filled[name].dropna().isin(
            dtype.categories
        ).all():
            filled[name] = filled[name].astype(object).astype(dtype)


def _rows(X, rows):
    return X.iloc[rows] if isinstance(X, pd.DataFrame) else X[rows]


def _softmax(logits):
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _row_mean(terms, counted):
    """Each row's mean term over its observed cells (0 without any)."""
    if counted is None:
        return terms.mean(axis=1)
    return np.where(counted, terms, 0.0).sum(axis=1) / np.maximum(counted.sum(axis=1), 1)
