"""The outlier contract of :class:`~sklearn.ensemble.IsolationForest`.

``score_samples`` (higher = more normal), ``decision_function =
score_samples - offset_``, ``predict`` in {-1, +1}, and the thresholds fitted
on the training rows (``feature_error_scale_``, ``offset_``). The arithmetic
lives in :mod:`sklearn_ae._scoring`; this mixin applies it to the network's
errors.
"""

import numpy as np
import pandas as pd

from ._dask import lazy_for_dask
from ._scoring import feature_error_scale, normalized_row_errors, offset_from_contamination


class OutlierContractMixin:
    """Scores and labels from the reconstruction error of a fitted autoencoder."""

    def _fit_thresholds(self, X):
        """``feature_error_scale_`` and ``offset_`` from validated training rows."""
        mean_terms = self._mean_squared_error_per_feature(X)
        # A column never observed at fit: a later value of it (a categorical
        # one's, always unseen) counts as one typical error.
        mean_terms = np.where(np.isnan(mean_terms), 1.0, mean_terms)
        self.feature_error_scale_ = feature_error_scale(mean_terms)
        self.offset_ = offset_from_contamination(self._score_samples(X), self.contamination)

    def _score_chunk(self, X):
        terms, counted = self._terms_chunk(X)
        return -normalized_row_errors(terms, self.feature_error_scale_, counted)

    def _contributions_chunk(self, X):
        terms, counted = self._terms_chunk(X)
        scaled = terms / self.feature_error_scale_
        if counted is None:
            return scaled / terms.shape[1]
        return np.where(counted, scaled, 0.0) / np.maximum(counted.sum(axis=1), 1)[:, None]

    def _score_samples(self, X):
        """score_samples of validated ``X``."""
        return self._map_chunks(self._score_chunk, X)

    @lazy_for_dask()
    def score_samples(self, X):
        """Return minus each row's reconstruction error, in units of the typical error.

        ``-mean_j (z_ij - z_hat_ij)^2 / feature_error_scale_[j]`` with ``z`` the
        scaled row: each feature's squared error is divided by its mean over
        the training rows, so a noisy column cannot drown an odd value in an
        easy one. A training row scores about -1 on average; higher means more
        normal, as for :class:`~sklearn.ensemble.IsolationForest`.

        A categorical cell's term is the cross-entropy of its level divided by
        ``log K`` (1 for a uniform guess over the column's ``K`` levels); a
        level not seen at fit costs as much as the least likely known level,
        and at least 1. Missing cells are left out of the mean, and a row's
        holes are first filled in from its reconstruction (3 rounds), so a row
        is not an outlier for having holes; a row without any observed cell
        scores 0. :meth:`score_contributions` splits the score by column.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score, in the units seen at ``fit``.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Higher is more normal.
        """
        return self._score_samples(self._validate_X(X))

    @lazy_for_dask(width="n_features_in_")
    def score_contributions(self, X):
        """Each column's share of each row's anomaly score: the rows sum to ``-score_samples(X)``.

        ``contributions[i, j]`` is cell ``(i, j)``'s reconstruction term divided
        by column ``j``'s typical training term (``feature_error_scale_``) and
        by the number of observed cells of row ``i``: a numeric cell's squared
        error in scaled space, a categorical cell's normalised cross-entropy
        (one column, whatever its number of levels). A missing cell
        contributes 0. The largest entries of a row name the columns that make
        it odd; the command line's ``top_columns`` are these. The score has no
        part that is not tied to a column (the contractive penalty is a
        training term only), so there is no extra column.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to explain, in the units seen at ``fit``; missing values
            allowed.

        Returns
        -------
        contributions : ndarray of shape (n_samples, n_features_in_), or DataFrame
            Non-negative, float64; a DataFrame with the index and columns of
            ``X`` when ``X`` is one.
        """
        contributions = self._map_chunks(
            self._contributions_chunk, self._validate_X(X), self.n_features_in_
        )
        if isinstance(X, pd.DataFrame):
            return pd.DataFrame(contributions, index=X.index, columns=X.columns)
        return contributions

    @lazy_for_dask()
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

    @lazy_for_dask(dtype=int)
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
        decision = self._score_samples(self._validate_X(X)) - self.offset_
        labels = np.ones(len(decision), dtype=int)
        labels[decision < 0] = -1
        return labels
