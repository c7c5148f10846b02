"""Dask support: :class:`DaskAutoencoder` wraps an estimator for dask collections.

The estimators themselves take rows in memory and refuse a dask collection
with a message that points here (:func:`refuse_dask`). The wrapper streams the
blocks of a dask array or DataFrame through the estimator's ``partial_fit``,
then fits the outlier scorer on rows drawn from the whole collection, exactly
as an in-memory fit on those rows would; its other methods map the fitted
estimator lazily over the row blocks. dask itself is never imported here: a
collection is recognised by its type's module.
"""

import uuid

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.utils.validation import check_is_fitted

from ._defaults import default_max_epochs
from ._scoring import threshold_sample


def is_dask_collection(X):
    """Whether ``X`` is a dask array or DataFrame, without importing dask.

    Parameters
    ----------
    X : object

    Returns
    -------
    bool
    """
    return type(X).__module__.split(".")[0] in ("dask", "dask_expr") and hasattr(X, "dask")


def refuse_dask(X, name):
    """A clear error for a dask collection given to an estimator's own methods.

    Parameters
    ----------
    X : object
    name : str
        The estimator's class name.
    """
    if is_dask_collection(X):
        raise TypeError(
            f"{name} takes rows in memory; for a dask array or DataFrame wrap it: "
            f"sklearn_ae.DaskAutoencoder({name}(...)).fit(X) streams the blocks, and "
            "its transform, score_samples, predict, ... map over them lazily."
        )


def dask_rows(X):
    """A dask DataFrame as is, or a 2-D dask array chunked by rows only.

    Parameters
    ----------
    X : dask array or DataFrame

    Returns
    -------
    dask array or DataFrame
    """
    if hasattr(X, "map_partitions"):
        return X
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D dask array, got {X.ndim} dimensions.")
    return X.rechunk({1: -1})


def map_row_blocks(estimator, function, X, width, dtype):
    """``function`` mapped lazily over the row blocks of a dask collection.

    A dask array gives a dask array (``map_blocks``), a dask DataFrame a dask
    DataFrame (``width`` columns) or Series (``map_partitions``). Each block
    is validated by ``function`` itself when it is computed.
    """
    X = dask_rows(X)
    if X.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(estimator).__name__} is expecting "
            f"{estimator.n_features_in_} features as input."
        )
    function = _BlockFunction(function)
    n_columns = None if width is None else getattr(estimator, width)
    if hasattr(X, "map_partitions"):  # a dask DataFrame: keep index and names
        if n_columns is None:
            meta = pd.Series(np.empty(0, dtype=dtype))
            return X.map_partitions(_partition_series, function, meta=meta)
        columns = X.columns
        if width == "n_components_":
            columns = estimator.get_feature_names_out()
        elif width == "_n_contributions":
            columns = estimator._contribution_names(X.columns)
        meta = pd.DataFrame(np.empty((0, n_columns)), columns=columns)
        return X.map_partitions(_partition_frame, function, columns, meta=meta)
    if n_columns is None:
        return X.map_blocks(function, drop_axis=1, dtype=dtype, meta=np.empty(0, dtype))
    return X.map_blocks(
        function, chunks=(X.chunks[0], (n_columns,)), dtype=dtype, meta=np.empty((0, 0), dtype)
    )


class _BlockFunction:
    """A function for dask graphs, with a token of its own.

    dask names each task after a hash of its function; a fitted estimator has
    no deterministic hash (its torch module does not pickle bit for bit), so
    every lazy call gets a fresh random token instead.
    """

    def __init__(self, function):
        self.function = function
        self.token = uuid.uuid4().hex

    def __call__(self, X):
        return self.function(X)

    def __dask_tokenize__(self):
        return self.token


def _partition_series(frame, function):
    return pd.Series(function(frame), index=frame.index)


def _partition_frame(frame, function, columns):
    return pd.DataFrame(function(frame), index=frame.index, columns=columns)


class DaskAutoencoder(MetaEstimatorMixin, BaseEstimator):
    """An autoencoder trained and applied block by block on a dask collection.

    ``fit`` streams the row blocks of a dask array or DataFrame through the
    estimator's ``partial_fit``, one block in memory at a time, for as many
    passes as ``max_epochs`` asks (``"auto"``: the in-memory budget of steps,
    and at least one whole pass). The outlier scorer (each column's error
    unit, the neighbour reference, ``offset_``) is then fitted on rows of the
    whole collection, exactly as an in-memory fit on the same rows fits it: on
    all the rows when there are at most 16,384, else on 16,384 evenly spaced
    ones (the sample the in-memory estimator uses for the neighbour unit and
    ``contamination="auto"``; a float ``contamination`` is then the percentile
    of that sample rather than of every row). Its other methods return dask
    collections, computed block by block.

    Parameters
    ----------
    estimator : AutoencoderTransformer, DenoisingAutoencoder or ContractiveAutoencoder
        The settings; ``fit`` trains a clone of it.

    Attributes
    ----------
    estimator_ : estimator
        The fitted clone: its ``offset_``, ``feature_error_scale_`` and the
        rest, and its in-memory methods.

    Examples
    --------
    >>> import dask.array as da
    >>> import numpy as np
    >>> from sklearn_ae import AutoencoderTransformer, DaskAutoencoder
    >>> X = np.random.RandomState(0).normal(size=(400, 5))
    >>> lazy = da.from_array(X, chunks=(100, 5))
    >>> model = DaskAutoencoder(AutoencoderTransformer(2, max_epochs=2, contamination=0.1,
    ...                                                random_state=0)).fit(lazy)
    >>> float((model.predict(lazy).compute() == -1).mean())
    0.1
    """

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, X, y=None):
        """Train on the blocks of ``X``, then fit the scorer on its rows.

        Parameters
        ----------
        X : dask array or DataFrame
            Rows; a 2-D dask array is rechunked to whole rows.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : DaskAutoencoder
            Fitted: the trained estimator is ``estimator_``.
        """
        if not is_dask_collection(X):
            raise TypeError("DaskAutoencoder.fit takes a dask array or DataFrame; fit the "
                            "estimator itself on rows in memory.")
        estimator = clone(self.estimator)
        blocks = _blocks(dask_rows(X))
        sizes = _stream_epochs(estimator, blocks)
        rows = _rows_at(blocks, sizes, threshold_sample(sum(sizes)))
        encoded = estimator.encoder_.encode(estimator._validate_X(rows))
        estimator.scorer_ = estimator._fit_scorer(encoded, estimator.scorer_.random_state)
        self.estimator_ = estimator
        return self

    def _lazy(self, method, X, width=None, dtype=np.float64):
        check_is_fitted(self)
        if not is_dask_collection(X):
            return getattr(self.estimator_, method)(X)
        return map_row_blocks(self.estimator_, getattr(self.estimator_, method), X, width, dtype)

    def transform(self, X):
        """Encode ``X`` into the code ``h``, block by block.

        Parameters
        ----------
        X : dask array or DataFrame, or array-like in memory
            Rows in the units seen at ``fit``.

        Returns
        -------
        H : dask array or DataFrame, or ndarray
            The code of each row: lazy for a dask collection (a DataFrame's
            columns named by ``get_feature_names_out()``), computed for rows
            in memory.
        """
        return self._lazy("transform", X, "n_components_")

    def reconstruct(self, X):
        """Encode and decode ``X``, block by block.

        Parameters
        ----------
        X : dask array or DataFrame, or array-like in memory
            Rows in the units seen at ``fit``.

        Returns
        -------
        X_hat : dask array or DataFrame, or ndarray
            The reconstruction in the units of ``X``.
        """
        return self._lazy("reconstruct", X, "n_features_in_")

    def score_samples(self, X):
        """Return minus each row's oddity, block by block: higher is more normal.

        Parameters
        ----------
        X : dask array or DataFrame, or array-like in memory
            Rows to score.

        Returns
        -------
        scores : dask array or Series, or ndarray
            One score per row (a Series keeps a DataFrame's index).
        """
        return self._lazy("score_samples", X)

    def score_contributions(self, X):
        """Each column's share of each row's anomaly score, block by block.

        Parameters
        ----------
        X : dask array or DataFrame, or array-like in memory
            Rows to explain.

        Returns
        -------
        contributions : dask array or DataFrame, or ndarray
            As the estimator's ``score_contributions``: one column per
            feature, and the neighbour term last.
        """
        return self._lazy("score_contributions", X, "_n_contributions")

    def decision_function(self, X):
        """``score_samples(X) - offset_``, block by block: negative for outliers.

        Parameters
        ----------
        X : dask array or DataFrame, or array-like in memory
            Rows to score.

        Returns
        -------
        decision : dask array or Series, or ndarray
            Below zero for the rows :meth:`predict` labels -1.
        """
        return self._lazy("decision_function", X)

    def predict(self, X):
        """Label each row +1 (inlier) or -1 (outlier), block by block.

        Parameters
        ----------
        X : dask array or DataFrame, or array-like in memory
            Rows to label.

        Returns
        -------
        labels : dask array or Series, or ndarray of int
            -1 where ``decision_function`` is negative, else +1.
        """
        return self._lazy("predict", X, dtype=int)


def _blocks(X):
    """One delayed block per row chunk or partition."""
    blocks = X.to_delayed()
    return list(blocks) if hasattr(X, "map_partitions") else list(blocks[:, 0])


def _stream_epochs(estimator, blocks):
    """``partial_fit`` over the blocks, in order, for the estimator's budget of
    passes; the curves get one entry per pass. Returns the blocks' sizes."""
    losses, sizes = [], []
    while True:
        for block in blocks:
            chunk = block.compute()
            if not losses:  # the first call validates the parameters and sets up
                estimator.partial_fit(chunk)
            else:  # the scorer is fitted once, on the whole collection, after training
                estimator._fit(chunk, incremental=True, fit_scorer=False)
            losses.append(estimator.loss_curve_[-1])
            sizes.append(len(chunk))
        if estimator.max_epochs != "auto":
            max_epochs = estimator.max_epochs
        else:
            n_rows = sum(sizes[: len(blocks)])
            batch_size = estimator.batch_size_
            max_epochs = default_max_epochs(n_rows, batch_size if batch_size > 0 else n_rows)
        if len(losses) >= max_epochs * len(blocks):
            break
    # One entry per epoch, not per block: the row-weighted mean of the block losses.
    losses = np.reshape(losses, (-1, len(blocks)))
    block_sizes = np.reshape(sizes, (-1, len(blocks)))
    estimator.loss_curve_ = [
        float(v) for v in (losses * block_sizes).sum(axis=1) / block_sizes.sum(axis=1)
    ]
    estimator.n_iter_ = len(estimator.loss_curve_)
    return sizes[: len(blocks)]


def _rows_at(blocks, sizes, positions):
    """The rows at ``positions`` (a slice or sorted indices) of the blocks, in memory."""
    starts = np.cumsum([0, *sizes])
    parts = []
    for block, start, stop in zip(blocks, starts[:-1], starts[1:]):
        if isinstance(positions, slice):
            local = slice(None)
        else:
            local = positions[(positions >= start) & (positions < stop)] - start
            if not len(local):
                continue
        chunk = block.compute()
        parts.append(chunk.iloc[local] if isinstance(chunk, pd.DataFrame) else chunk[local])
    if isinstance(parts[0], pd.DataFrame):
        return pd.concat(parts)
    return np.concatenate(parts)
