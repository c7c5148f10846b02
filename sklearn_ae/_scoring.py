"""Numpy only: reconstruction errors, neighbour distances and outlier thresholds.

:class:`OutlierScorer` owns the fitted part of the outlier score (each column's
error unit, the neighbour reference rows and their unit, the offset); it takes
numpy arrays and knows nothing of the network that made them.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator

from ._compat import Interval, StrOptions
from ._defaults import NEIGHBOR_REFERENCE_ROWS, NEIGHBOR_REFERENCE_SETS, THRESHOLD_ROWS

# Rows per block of the distance computation of mean_squared_neighbor_distance.
_NEIGHBOR_BLOCK_ROWS = 256


def feature_error_scale(mean_squared_errors):
    """Typical squared error of each feature on the training rows, shape (p,).

    The mean over rows, floored at 1e-3 of the mean over features so that a
    column the model reconstructs perfectly (a constant one, say) cannot blow
    a later row's error up by dividing by almost zero.
    """
    scale = np.asarray(mean_squared_errors, dtype=np.float64)
    floor = max(1e-3 * scale.mean(), np.finfo(np.float64).tiny)
    return np.maximum(scale, floor)


def mean_over_observed(values, counted=None, axis=1):
    """The mean of ``values`` over the counted (observed) cells along ``axis``.

    0 where a row (or column) has no counted cell. With ``counted=None`` every
    cell counts: the plain mean.

    Parameters
    ----------
    values : ndarray of shape (n_samples, n_columns)
    counted : ndarray of bool, same shape, or None
    axis : {0, 1}, default=1

    Returns
    -------
    means : ndarray
    """
    if counted is None:
        return values.mean(axis=axis)
    counts = counted.sum(axis=axis)
    return np.where(counted, values, 0.0).sum(axis=axis) / np.maximum(counts, 1)


def normalized_row_errors(squared_errors, scale, counted=None):
    """Each row's squared errors in units of each feature's typical error, averaged.

    ``mean_j (x_ij - x_hat_ij)^2 / scale_j``: 1 for a row as badly reconstructed
    as the training rows are on average, larger for odd rows. Dividing by each
    feature's typical error keeps one hard-to-reconstruct (noisy) column from
    dominating every score, so an odd value in an easy column counts.

    With ``counted`` (bool, the shape of ``squared_errors``), a row's mean runs
    over its counted (observed) cells only; a row without any scores 0.
    """
    scaled = np.asarray(squared_errors, dtype=np.float64) / scale
    return mean_over_observed(scaled, counted, axis=1)


def mean_squared_neighbor_distance(X, reference, n_neighbors, n_sets=1):
    """Each row's mean squared distance to its ``n_neighbors`` nearest reference rows.

    A row equal to a reference row, bit for bit, does not count that reference
    row among its neighbours (one copy per set). The reference rows are
    training rows: a training row scored against itself would sit at distance
    0 and look more normal than any new row can, so thresholds set on the
    training rows would flag too many new ones. As in
    :class:`~sklearn.neighbors.LocalOutlierFactor`, which leaves each training
    row out of its own neighbours, a training row is scored against the
    others; a new row that repeats a training row exactly is scored as that
    training row is.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Rows, in the space the reference lives in.
    reference : ndarray of shape (n_reference, n_features)
        The reference rows: ``n_sets`` equal sets, one after the other.
    n_neighbors : int
        How many nearest rows of a set to average over (at most the set's
        size less one, the row itself).
    n_sets : int, default=1
        The distance is computed within each set, then averaged over the sets.

    Returns
    -------
    distances : ndarray of shape (n_samples,)
        float64 (computed in float32).
    """
    # float32 (the network's precision): on 286k rows x 4 x 256 reference rows it
    # halves the time of float64, and the squared distances, whose rounding error is
    # about 1e-7 of the rows' squared norms, only rank rows. C order for both: BLAS
    # may sum in another order for another memory layout, and a row's score must not
    # depend on how its array happens to be laid out.
    X = np.ascontiguousarray(X, dtype=np.float32)
    reference = np.ascontiguousarray(reference, dtype=np.float32)
    set_size = reference.shape[0] // n_sets
    copies = _ExactCopies(reference, n_sets) if set_size > 1 else None
    k = max(1, min(n_neighbors, set_size - 1))
    minus_two_reference = np.ascontiguousarray(-2.0 * reference.T)
    reference_norms = np.square(reference).sum(axis=1)
    distances = np.empty(X.shape[0])
    # Blocks of rows small enough for the cache: on 286k rows x 256 reference rows
    # one (n, 256) array took 4 s to fill, blocks of 1024 rows 0.4 s; on cover's
    # 286k rows x 1024 reference rows, blocks of 256 rows and the in-place sort are
    # 0.58 s against 0.81 s for 1024 rows, a sorted copy and the row terms on all.
    for start in range(0, X.shape[0], _NEIGHBOR_BLOCK_ROWS):
        block = X[start : start + _NEIGHBOR_BLOCK_ROWS]
        squared = block @ minus_two_reference
        squared += reference_norms
        squared = squared.reshape(len(block), n_sets, set_size)
        if copies is not None:
            squared[copies.find(block)] = np.inf
        # A full sort of 256 float32 numbers (SIMD) beats np.partition's selection.
        squared.sort(axis=2)
        nearest = squared[:, :, :k]
        # Adding the row's own norm and clipping at zero are monotone, so they commute
        # with the selection: done on the k nearest only, the result is bit for bit
        # the same as on the whole block, at a fraction of the memory traffic.
        nearest += np.square(block).sum(axis=1)[:, np.newaxis, np.newaxis]
        np.maximum(nearest, 0.0, out=nearest)  # rounding can dip below zero
        distances[start : start + len(block)] = nearest.mean(axis=(1, 2), dtype=np.float64)
    return distances


class _ExactCopies:
    """Finds, for rows, a reference row of each set with the same bits.

    Rows are hashed to 64-bit keys (their float32 bits times fixed odd
    multipliers, summed with wrap-around), looked up in each set's sorted keys,
    and a hit is confirmed by comparing the rows themselves.
    """

    def __init__(self, reference, n_sets):
        self.reference = reference
        self.set_size = reference.shape[0] // n_sets
        rng = np.random.default_rng(0)
        self.multipliers = rng.integers(1, 2**62, size=reference.shape[1], dtype=np.uint64) | 1
        keys = self._keys(reference).reshape(n_sets, self.set_size)
        self.order = np.argsort(keys, axis=1, kind="stable")
        self.sorted_keys = np.take_along_axis(keys, self.order, axis=1)

    def _keys(self, rows):
        bits = rows.view(np.uint32).astype(np.uint64)
        return (bits * self.multipliers).sum(axis=1, dtype=np.uint64)

    def find(self, block):
        """Index arrays ``(row, set, position)`` of the copies found in ``block``."""
        keys = self._keys(block)
        found = ([], [], [])
        for s, (sorted_keys, order) in enumerate(zip(self.sorted_keys, self.order)):
            at = np.minimum(np.searchsorted(sorted_keys, keys), self.set_size - 1)
            rows = np.flatnonzero(sorted_keys[at] == keys)
            positions = order[at[rows]]
            candidates = self.reference[s * self.set_size + positions]
            same = (block[rows] == candidates).all(axis=1)
            found[0].append(rows[same])
            found[1].append(np.full(same.sum(), s))
            found[2].append(positions[same])
        return tuple(np.concatenate(part) for part in found)


def offset_from_contamination(scores, contamination):
    """The threshold on ``scores`` (higher = more normal) below which rows are outliers.

    Parameters
    ----------
    scores : ndarray of shape (n_samples,)
        ``score_samples`` of the training data.
    contamination : "auto" or float in (0, 0.5]
        With a float, the share of training rows to flag, exactly as
        :class:`~sklearn.ensemble.IsolationForest` defines it:
        ``np.percentile(scores, 100 * contamination)``.
        With ``"auto"``, Tukey's upper fence on ``-scores`` (the whole
        anomaly score): a row is an outlier when it exceeds ``Q3 + 1.5 * IQR``
        of the training rows' (the boxplot rule).
        It needs no labels, adapts to the scale of the errors, and flags only
        the long right tail: a few percent of rows on clean data.

    Returns
    -------
    offset : float
    """
    scores = np.asarray(scores, dtype=np.float64)
    if contamination != "auto":
        return float(np.percentile(scores, 100.0 * contamination))
    q1, q3 = np.percentile(-scores, [25, 75])
    return float(-(q3 + 1.5 * (q3 - q1)))


def draw_reference_rows(n_rows, seed):
    """Which of ``n_rows`` training rows make the neighbour reference.

    All rows when there are at most ``NEIGHBOR_REFERENCE_ROWS`` (256); else
    ``NEIGHBOR_REFERENCE_SETS`` (4) independent draws of 256 rows each, stacked.

    Returns
    -------
    rows : ndarray of int
    """
    if n_rows <= NEIGHBOR_REFERENCE_ROWS:
        return np.arange(n_rows)
    rng = np.random.RandomState(seed)
    return np.concatenate([
        rng.choice(n_rows, NEIGHBOR_REFERENCE_ROWS, replace=False)
        for _ in range(NEIGHBOR_REFERENCE_SETS)
    ])


def reference_size(n_rows):
    """How many rows :func:`draw_reference_rows` draws from ``n_rows``."""
    return n_rows if n_rows <= NEIGHBOR_REFERENCE_ROWS else (
        NEIGHBOR_REFERENCE_ROWS * NEIGHBOR_REFERENCE_SETS)


def threshold_sample(n_rows):
    """The rows that estimate the neighbour unit and Tukey's fence: all of them up
    to ``THRESHOLD_ROWS``, else that many evenly spaced ones (an index array), so
    that ``score_samples`` does not depend on the contamination."""
    if n_rows <= THRESHOLD_ROWS:
        return slice(None)
    return np.linspace(0, n_rows - 1, THRESHOLD_ROWS).astype(int)


class OutlierScorer(BaseEstimator):
    """The outlier score of rows from their reconstruction terms and neighbour distances.

    Fitted on the training rows' terms, it owns everything the score needs
    beyond the network: each column's error unit, the neighbour reference rows
    and the unit of their distances, and the offset below which a row is an
    outlier. Numpy in and out.

    A row's score is minus the sum of two terms, each in units of its typical
    value on the training rows: the mean over its observed cells of
    ``term_ij / feature_error_scale_[j]``, and (with a reference) the mean
    squared distance of its neighbour-space row to its ``n_neighbors``
    nearest reference rows, divided by ``neighbor_scale_``.

    Parameters
    ----------
    n_neighbors : int, default=10
        Reference rows a row's distance is averaged over; 0 leaves the
        neighbour term out.
    contamination : "auto" or float in (0, 0.5], default="auto"
        See :func:`offset_from_contamination`.
    random_state : int, default=0
        Seeds the draw of the reference rows.

    Attributes
    ----------
    feature_error_scale_ : ndarray of shape (n_columns,)
        Each column's mean term over the training rows that observe it (1 for
        a column none observes), floored by :func:`feature_error_scale`.
    neighbor_reference_ : ndarray of shape (n_reference, n_inputs) or None
        Training rows in the neighbour space (float64).
    neighbor_scale_ : float or None
        The mean distance of the training rows (or of ``THRESHOLD_ROWS``
        evenly spaced ones) to the reference.
    offset_ : float
        The score below which a row is an outlier.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.RandomState(0)
    >>> terms = rng.chisquare(1, size=(200, 3))
    >>> rows = rng.normal(size=(200, 3))
    >>> scorer = OutlierScorer(contamination=0.1).fit(terms, neighbor_rows=rows)
    >>> scores = scorer.score_samples(terms, neighbor_rows=rows)
    >>> float(np.mean(scores < scorer.offset_))
    0.1
    """

    _parameter_constraints: dict = {
        "n_neighbors": [Interval(Integral, 0, None, closed="left")],
        "contamination": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="right")],
        "random_state": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, n_neighbors=10, contamination="auto", random_state=0):
        self.n_neighbors = n_neighbors
        self.contamination = contamination
        self.random_state = random_state

    def fit(self, terms, counted=None, neighbor_rows=None, reference=None):
        """Fit the units and the offset on the training rows.

        Parameters
        ----------
        terms : ndarray of shape (n_samples, n_columns)
            Each training cell's reconstruction term, 0 where not counted.
        counted : ndarray of bool of the same shape, or None
            Which cells are observed; None when all are.
        neighbor_rows : ndarray of shape (n_samples, n_inputs) or None
            The training rows in the neighbour term's space; None leaves the
            term out.
        reference : ndarray of shape (n_reference, n_inputs) or None
            Keep these reference rows instead of drawing them from
            ``neighbor_rows`` (``partial_fit`` keeps those of its first call).

        Returns
        -------
        self : OutlierScorer
            Fitted.
        """
        chunk = (slice(0, len(terms)), terms, counted, neighbor_rows)
        return self.fit_chunks(len(terms), [chunk], reference)

    def fit_chunks(self, n_samples, chunks, reference=None):
        """:meth:`fit` on training rows that arrive chunk by chunk, in order.

        It keeps each column's sums, and the terms and neighbour-space rows of
        the rows it needs: the reference rows, and the rows that set the
        neighbour unit and the offset (all of them up to ``THRESHOLD_ROWS``,
        else that many evenly spaced ones; every row with a float
        ``contamination``, whose offset is the percentile over every row).

        Parameters
        ----------
        n_samples : int
            The number of training rows.
        chunks : iterable of (slice, ndarray, ndarray or None, ndarray or None)
            ``(rows, terms, counted, neighbor_rows)`` of consecutive row slices
            that cover the training rows, as :meth:`fit` takes them.
        reference : ndarray of shape (n_reference, n_inputs) or None
            As for :meth:`fit`.

        Returns
        -------
        self : OutlierScorer
            Fitted.
        """
        sample = threshold_sample(n_samples)
        keep_every_row = isinstance(sample, slice) or self.contamination != "auto"
        drawn = collected = None
        if reference is None and self.n_neighbors:
            drawn = draw_reference_rows(n_samples, self.random_state)
            collected = [None] * len(drawn)
        sums, counts, kept, with_neighbors = 0.0, 0.0, [], True
        for rows, terms, counted, neighbor_rows in chunks:
            start, stop, _ = rows.indices(n_samples)
            terms = np.asarray(terms, dtype=np.float64)
            sums = sums + terms.sum(axis=0)
            counts = counts + (len(terms) if counted is None else counted.sum(axis=0))
            local = slice(None)
            if not keep_every_row:
                local = sample[(sample >= start) & (sample < stop)] - start
            with_neighbors = with_neighbors and neighbor_rows is not None and self.n_neighbors > 0
            kept.append((terms[local], None if counted is None else counted[local],
                         neighbor_rows[local] if with_neighbors else None))
            if with_neighbors and drawn is not None:
                for k in np.flatnonzero((drawn >= start) & (drawn < stop)):
                    collected[k] = neighbor_rows[drawn[k] - start]
        # A column never observed at fit: a later value of it (a categorical one's,
        # always unseen) counts as one typical error.
        with np.errstate(invalid="ignore", divide="ignore"):
            means = np.where(counts > 0, sums / counts, 1.0)
        self.feature_error_scale_ = feature_error_scale(means)
        self.neighbor_reference_ = None
        if with_neighbors:
            if reference is None and collected is not None:
                reference = np.stack(collected)
            if reference is not None:
                self.neighbor_reference_ = np.ascontiguousarray(reference, dtype=np.float64)
        terms = _stacked([part[0] for part in kept])
        counted = None
        if any(part[1] is not None for part in kept):
            counted = _stacked([np.ones(part[0].shape, dtype=bool) if part[1] is None
                                else part[1] for part in kept])
        neighbor_rows = _stacked([part[2] for part in kept]) if with_neighbors else None
        # The neighbour unit and Tukey's fence are estimates: on large data, evenly
        # spaced training rows give them; a float contamination is IsolationForest's
        # exact percentile, over every row.
        in_sample = sample if keep_every_row else slice(None)
        self.neighbor_scale_ = None
        oddity = normalized_row_errors(
            terms[in_sample], self.feature_error_scale_,
            None if counted is None else counted[in_sample],
        )
        if self.neighbor_reference_ is not None:
            distances = self.neighbor_distances(neighbor_rows[in_sample])
            self.neighbor_scale_ = max(float(distances.mean()), np.finfo(np.float64).tiny)
            oddity = oddity + distances / self.neighbor_scale_
        if self.contamination != "auto" and not isinstance(sample, slice):
            oddity = -self.score_samples(terms, counted, neighbor_rows)
        self.offset_ = offset_from_contamination(-oddity, self.contamination)
        return self

    def neighbor_distances(self, neighbor_rows):
        """Each row's mean squared distance to its nearest reference rows, averaged
        over the reference sets (see :func:`mean_squared_neighbor_distance`)."""
        n_sets = max(1, len(self.neighbor_reference_) // NEIGHBOR_REFERENCE_ROWS)
        return mean_squared_neighbor_distance(
            neighbor_rows, self.neighbor_reference_, self.n_neighbors, n_sets
        )

    def score_samples(self, terms, counted=None, neighbor_rows=None):
        """Minus each row's oddity: higher is more normal.

        Parameters
        ----------
        terms, counted, neighbor_rows
            As for :meth:`fit`, of the rows to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        error = normalized_row_errors(terms, self.feature_error_scale_, counted)
        if self.neighbor_scale_ is None:
            return -error
        return -(error + self.neighbor_distances(neighbor_rows) / self.neighbor_scale_)

    def contributions(self, terms, counted=None, neighbor_rows=None):
        """Each column's share of each row's oddity, and the neighbour term last.

        Returns
        -------
        shares : ndarray of shape (n_samples, n_columns [+ 1])
            Rows sum to ``-score_samples``.
        """
        scaled = np.asarray(terms, dtype=np.float64) / self.feature_error_scale_
        n_counted = terms.shape[1] if counted is None else np.maximum(counted.sum(axis=1), 1)[:, None]
        columns = scaled / n_counted if counted is None else np.where(counted, scaled, 0.0) / n_counted
        if self.neighbor_scale_ is None:
            return columns
        neighbors = self.neighbor_distances(neighbor_rows) / self.neighbor_scale_
        return np.hstack([columns, neighbors[:, np.newaxis]])


def _stacked(parts):
    """Row chunks put together (the one chunk itself, uncopied)."""
    return parts[0] if len(parts) == 1 else np.concatenate(parts)
