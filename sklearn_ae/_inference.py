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

from ._dask import lazy_for_dask


class InferenceMixin(TransformerMixin):
    """Encode, decode and reconstruct validated rows of a fitted autoencoder.

    A :class:`~sklearn.base.TransformerMixin`, so that scikit-learn's
    ``set_output`` wraps the :meth:`transform` defined here.
    """

    # ------------------------------------------------------------ internals

    def _validate_X(self, X):
        check_is_fitted(self)
        return validate_data(self, X, dtype=[np.float64, np.float32], reset=False)

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

    def _unscale(self, X_model):
        return X_model if self.scaler_ is None else self.scaler_.inverse_transform(X_model)

    def _tensor(self, X):
        if not self.device_.startswith("cuda"):
            return torch.as_tensor(X, dtype=torch.float32, device=self.device_)
        # Page-locked host memory lets the copy to the GPU run by DMA, without
        # a staging copy, and overlap with whatever the GPU is still doing.
        host = torch.as_tensor(np.ascontiguousarray(X, dtype=np.float32))
        return host.pin_memory().to(self.device_, non_blocking=True)

    def _model_tensor(self, X):
        return self._tensor(self._to_model_space(X))

    def _row_chunks(self, n_rows):
        """Row slices whose activations fit in scikit-learn's ``working_memory``."""
        widths = (self.n_features_in_, *self.hidden_layer_sizes_, self.n_components_)
        # float32 activations of encoder and decoder, the float64 outputs, and the
        # float64 distances to the neighbour reference rows of the outlier score.
        n_reference = 0 if self.neighbor_reference_ is None else len(self.neighbor_reference_)
        row_bytes = 4 * 2 * sum(widths) + 8 * 2 * (self.n_features_in_ + n_reference)
        chunk_rows = get_chunk_n_rows(row_bytes, max_n_rows=n_rows)
        return gen_batches(n_rows, max(1, chunk_rows))

    def _map_chunks(self, function, X, width=None):
        """Apply ``function`` to bounded row chunks of ``X``; float64 out.

        ``function`` maps a numpy chunk to a numpy chunk of ``width`` columns
        (or to one value per row when ``width`` is None).
        """
        out = np.empty((len(X),) if width is None else (len(X), width), dtype=np.float64)
        with torch.inference_mode(), self.net_.autocast():
            for rows in self._row_chunks(len(X)):
                out[rows] = function(X[rows])
        return out

    def _encode_chunk(self, X):
        return _numpy(self.net_.module_.encode(self._model_tensor(X)))

    def _decode_chunk(self, H):
        return self._unscale(_numpy(self.net_.module_.decode(self._tensor(H))))

    def _reconstruct_chunk(self, X):
        return self._unscale(_numpy(self.net_.module_(self._model_tensor(X))))

    def _reconstruct_model_chunk(self, X_model):
        return _numpy(self.net_.module_(self._tensor(X_model)))

    def _squared_errors(self, X_model):
        """Squared errors of rows already in the scaled space, float64 (numpy, so
        that a row's result does not depend on which rows share its chunk)."""
        X_tensor = self._tensor(X_model)
        residuals = _numpy(X_tensor - self.net_.module_(X_tensor).float())
        return np.square(residuals, dtype=np.float64)

    def _squared_error_chunk(self, X):
        """Squared errors of validated rows in the scaled space, float64."""
        return self._squared_errors(self._to_model_space(X))

    def _mean_squared_error_per_feature(self, X):
        """Column means of the scaled squared errors, without an (n, p) array."""
        total = np.zeros(self.n_features_in_)
        with torch.inference_mode(), self.net_.autocast():
            for rows in self._row_chunks(len(X)):
                total += self._squared_error_chunk(X[rows]).sum(axis=0)
        return total / len(X)

    # --------------------------------------------------------- public API

    @lazy_for_dask(width="n_components_")
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

    @lazy_for_dask(width="n_features_in_")
    def reconstruct(self, X):
        """Encode and decode ``X``: ``inverse_transform(transform(X))`` in one pass.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data in the units seen at ``fit``.

        Returns
        -------
        X_hat : ndarray of shape (n_samples, n_features_in_)
            The reconstruction in the units of ``X``.
        """
        return self._map_chunks(self._reconstruct_chunk, self._validate_X(X), self.n_features_in_)

    def reconstruction_error(self, X, per_feature=False):
        """How badly each row, or each cell, is reconstructed.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data in the units seen at ``fit``.
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


def _numpy(tensor):
    """A float32 numpy copy of a (possibly bfloat16, possibly CUDA) tensor."""
    return tensor.float().cpu().numpy()
