"""The outlier contract of :class:`~sklearn.ensemble.IsolationForest`.

``score_samples`` (higher = more normal), ``decision_function =
score_samples - offset_``, ``predict`` in {-1, +1}, and the thresholds fitted
on the training rows (``feature_error_scale_``, ``neighbor_scale_``,
``offset_``). The arithmetic lives in :mod:`sklearn_ae._scoring`; this mixin
applies it to the network's errors and to the distances to the neighbour
reference rows.
"""

import numpy as np
import pandas as pd
import torch

from ._dask import lazy_for_dask
from ._defaults import NEIGHBOR_REFERENCE_ROWS, NEIGHBOR_REFERENCE_SETS, THRESHOLD_ROWS
from ._inference import _rows
from ._scoring import (
    feature_error_scale,
    mean_squared_neighbor_distance,
    normalized_row_errors,
    offset_from_contamination,
)

# The column of ``score_contributions`` that holds the neighbour term of the score.
NEIGHBOR_COLUMN = "<neighbor distance>"


class OutlierContractMixin:
    """Scores and labels from the reconstruction error and the neighbour distance."""

    def _draw_neighbor_reference(self, n_rows, seed):
        """Which training rows make ``neighbor_reference_``; None without the term.

        All rows when there are at most 256; else ``NEIGHBOR_REFERENCE_SETS``
        independent draws of 256 rows each, stacked.
        """
        if not self.n_neighbors:
            return None
        if n_rows <= NEIGHBOR_REFERENCE_ROWS:
            return np.arange(n_rows)
        rng = np.random.RandomState(seed)
        return np.concatenate([
            rng.choice(n_rows, NEIGHBOR_REFERENCE_ROWS, replace=False)
            for _ in range(NEIGHBOR_REFERENCE_SETS)
        ])

    def _set_neighbor_reference(self, X, rows):
        """``neighbor_reference_``: the training rows ``rows`` of validated ``X`` as
        the trained network reads them (scaled, unclipped, holes refilled), so
        that each is bit for bit what scoring it computes and it is never its
        own neighbour (:func:`~sklearn_ae._scoring.mean_squared_neighbor_distance`)."""
        if rows is None:
            self.neighbor_reference_ = None
            return
        with self._threads(), torch.inference_mode(), self.net_.autocast():
            inputs = self._neighbor_space(self._network_inputs(_rows(X, rows)))
        self.neighbor_reference_ = np.ascontiguousarray(inputs, dtype=np.float64)

    def _neighbor_space(self, X_model):
        """Network inputs in the space of the neighbour term: each numeric column's
        standard score, whatever common scale the network learns in."""
        factors = self.encoder_.standard_score_factors()
        if factors is None:
            return X_model
        return (X_model * factors).astype(np.float32)

    def _fit_thresholds(self, X):
        """``feature_error_scale_``, ``neighbor_scale_`` and ``offset_`` from
        validated training rows."""
        mean_terms = self._mean_squared_error_per_feature(X)
        # A column never observed at fit: a later value of it (a categorical
        # one's, always unseen) counts as one typical error.
        mean_terms = np.where(np.isnan(mean_terms), 1.0, mean_terms)
        self.feature_error_scale_ = feature_error_scale(mean_terms)
        # The neighbour term's unit and Tukey's fence are estimates: on large
        # data, evenly spaced training rows give them (the unit so, whatever the
        # contamination, that score_samples does not depend on it); a float
        # contamination is IsolationForest's exact percentile, over every row.
        sample = X
        if len(X) > THRESHOLD_ROWS:
            sample = X[np.linspace(0, len(X) - 1, THRESHOLD_ROWS).astype(int)]
        # The sample's two terms come from one pass (its rows encoded and refilled
        # once): the same arithmetic, chunk by chunk, as _score_chunk.
        self.neighbor_scale_ = None
        if self.neighbor_reference_ is None:
            oddity = self._map_chunks(self._reconstruction_term, sample)
        else:
            terms = self._map_chunks(self._both_terms, sample, width=2)
            oddity, distances = terms[:, 0], terms[:, 1]
            self.neighbor_scale_ = max(float(distances.mean()), np.finfo(np.float64).tiny)
            oddity = oddity + distances / self.neighbor_scale_
        if self.contamination != "auto" and sample is not X:
            oddity = -self._score_samples(X)
        self.offset_ = offset_from_contamination(-oddity, self.contamination)

    def _reconstruction_term(self, X):
        """Normalized reconstruction errors of validated rows."""
        terms, counted, _ = self._row_terms(X)
        return normalized_row_errors(terms, self.feature_error_scale_, counted)

    def _both_terms(self, X):
        """Normalized reconstruction errors and raw neighbour distances, one column each."""
        terms, counted, inputs = self._row_terms(X)
        error = normalized_row_errors(terms, self.feature_error_scale_, counted)
        return np.column_stack([error, self._neighbor_distances(inputs)])

    def _neighbor_distances(self, X_model):
        """The neighbour term of each row, averaged over the reference sets."""
        n_sets = max(1, len(self.neighbor_reference_) // NEIGHBOR_REFERENCE_ROWS)
        return mean_squared_neighbor_distance(
            self._neighbor_space(X_model), self.neighbor_reference_, self.n_neighbors, n_sets
        )

    def _score_chunk(self, X):
        terms, counted, inputs = self._row_terms(X)
        error = normalized_row_errors(terms, self.feature_error_scale_, counted)
        if self.neighbor_scale_ is None:
            return -error
        return -(error + self._neighbor_distances(inputs) / self.neighbor_scale_)

    def _contributions_chunk(self, X):
        terms, counted, inputs = self._row_terms(X)
        scaled = terms / self.feature_error_scale_
        if counted is None:
            columns = scaled / terms.shape[1]
        else:
            columns = np.where(counted, scaled, 0.0) / np.maximum(counted.sum(axis=1), 1)[:, None]
        if self.neighbor_scale_ is None:
            return columns
        neighbors = self._neighbor_distances(inputs) / self.neighbor_scale_
        return np.hstack([columns, neighbors[:, np.newaxis]])

    @property
    def _n_contributions(self):
        return self.n_features_in_ + (self.neighbor_scale_ is not None)

    def _contribution_names(self, columns):
        names = list(columns)
        return names if self.neighbor_scale_ is None else [*names, NEIGHBOR_COLUMN]

    def _score_samples(self, X):
        """score_samples of validated ``X``."""
        return self._map_chunks(self._score_chunk, X)

    @lazy_for_dask()
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
        return self._score_samples(self._validate_X(X))

    @lazy_for_dask(width="_n_contributions")
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
        contributions = self._map_chunks(
            self._contributions_chunk, self._validate_X(X), self._n_contributions
        )
        if isinstance(X, pd.DataFrame):
            names = self._contribution_names(X.columns)
            return pd.DataFrame(contributions, index=X.index, columns=names)
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
        decision = self.decision_function(X)
        labels = np.ones(len(decision), dtype=int)
        labels[decision < 0] = -1
        return labels
