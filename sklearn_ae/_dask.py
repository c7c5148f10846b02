"""Dask adapters: the one place that decides between dask and in-memory data.

Public methods that take rows are decorated with :func:`lazy_for_dask`: given
a dask array or DataFrame they map themselves lazily over its row blocks, and
otherwise run as written. ``fit`` on a dask collection streams its blocks
through ``partial_fit`` (:func:`fit_dask`). dask itself is never imported
here: a collection is recognised by its type's module.
"""

import functools
import uuid

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from ._defaults import default_max_epochs


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


def lazy_for_dask(width=None, dtype=np.float64):
    """Decorate a method of rows so that dask input is mapped over lazily.

    Parameters
    ----------
    width : str or None, default=None
        Name of the fitted attribute that gives the output's number of
        columns (``"n_components_"``, ``"n_features_in_"``), or None for
        one value per row.
    dtype : dtype, default=np.float64
        Of the output.

    Returns
    -------
    decorator : callable
    """

    def decorate(method):
        @functools.wraps(method)
        def method_or_lazy_map(self, X, *args, **kwargs):
            if not is_dask_collection(X):
                return method(self, X, *args, **kwargs)
            # The bound public method (picklable, unlike the bare function):
            # on a block, which is not a dask collection, it runs in memory.
            bound = functools.partial(getattr(self, method.__name__), *args, **kwargs)
            return map_row_blocks(self, bound, X, width, dtype)

        return method_or_lazy_map

    return decorate


def map_row_blocks(estimator, function, X, width, dtype):
    """``function`` mapped lazily over the row blocks of a dask collection.

    A dask array gives a dask array (``map_blocks``), a dask DataFrame a dask
    DataFrame (``width`` columns) or Series (``map_partitions``). Each block
    is validated by ``function`` itself when it is computed.
    """
    check_is_fitted(estimator)
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


def fit_dask(estimator, X):
    """``fit`` on a dask array or DataFrame: ``partial_fit`` block by block.

    Each epoch streams the row blocks once, in order, computing one block at
    a time; the scaler is fitted on the first block. ``max_epochs="auto"``
    gives the same budget of about 300 optimizer steps as in memory, except
    that data of more than 300 batches still gets one whole pass: in memory
    such a fit trains on 300 batches drawn from all the rows, but blocks
    stream in order, and the first 300 batches would be the first blocks only.

    Parameters
    ----------
    estimator : BaseAutoencoder
        Unfitted, or fitted (it is trained from scratch).
    X : dask array or DataFrame

    Returns
    -------
    estimator : BaseAutoencoder
    """
    X = dask_rows(X)
    blocks = X.to_delayed()  # one delayed block per row chunk or partition
    blocks = list(blocks) if hasattr(X, "map_partitions") else list(blocks[:, 0])
    losses, sizes = [], []
    while True:
        for block in blocks:
            chunk = block.compute()
            estimator.partial_fit(chunk)
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
    sizes = np.reshape(sizes, (-1, len(blocks)))
    estimator.loss_curve_ = [float(v) for v in (losses * sizes).sum(axis=1) / sizes.sum(axis=1)]
    estimator.n_iter_ = len(estimator.loss_curve_)
    return estimator


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
