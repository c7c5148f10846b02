"""Mixed tables for the network: numeric and categorical columns, with holes.

Numpy, pandas and scikit-learn only; nothing here knows about torch.

:class:`TableEncoder` turns a table into what an autoencoder trains on and
back: one float32 input matrix for the network, and for the loss the scaled
numeric targets (NaN where missing) and one integer code per categorical
cell. :mod:`sklearn_ae._mixed_loss` computes the reconstruction terms from
them. Which columns are categorical is :mod:`sklearn_ae._columns`' business
(scikit-learn's :class:`~sklearn.ensemble.HistGradientBoostingClassifier`
rules); how many levels a column keeps follows
:class:`~sklearn.preprocessing.OneHotEncoder`.
"""

import warnings
from collections import namedtuple
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_array, check_is_fitted

from ._columns import as_table, column_names, column_of, resolve_categorical
from ._compat import Interval, StrOptions, validate_params
from ._defaults import SCALERS, shares_one_unit

# Category codes of cells that match no level of their column.
MISSING = -1  # None, NaN, pd.NA, NaT: left out of the loss
UNSEEN = -2  # a value never seen at fit: maximally surprising (see _mixed_loss)

EncodedTable = namedtuple("EncodedTable", ["inputs", "numeric", "observed", "codes"])
EncodedTable.__doc__ = """A table encoded for the network and its loss.

inputs : ndarray of float32, shape (n_samples, n_inputs_)
    What the network reads: the scaled numeric columns (missing entries filled
    with ``numeric_fill_``), then one one-hot block per categorical column
    (all zeros for a missing or unseen value).
numeric : ndarray of float32, shape (n_samples, n_numeric)
    The scaled numeric targets, NaN where missing.
observed : ndarray of bool, shape (n_samples, n_numeric)
    ``~isnan(numeric)``.
codes : ndarray of int64, shape (n_samples, n_categorical)
    The level of each categorical cell, an index into ``categories_[j]``, or
    ``MISSING`` (-1) or ``UNSEEN`` (-2).
"""


class TableEncoder(BaseEstimator):
    """Encode a table of numeric and categorical columns for an autoencoder.

    Numeric columns are scaled as the estimators scale them today; missing
    entries stay NaN in the targets and get a neutral value in the inputs.
    Categorical columns become one-hot blocks in the inputs and integer codes
    in the targets, and the network reconstructs them as one block of logits
    each. :meth:`layout` tells the loss where each block is.

    Parameters
    ----------
    categorical_features : "from_dtype", array-like of str, int or bool, or None, \
            default="from_dtype"
        Which columns are categorical, as in
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier`:

        - ``"from_dtype"``: the DataFrame columns of dtype ``category``,
          ``object`` or ``string`` (an ``object`` column is categorical even
          if it holds numbers only: cast it to float to have it numeric). For a
          numpy object array, the columns that hold a string; a float array
          has none. Other objects (a dict, say) are not categories: the
          numeric conversion refuses them with a ``TypeError``, as
          scikit-learn's ``check_dtype_object`` expects.
        - names (needs a DataFrame), integer indices, or a boolean mask of
          length ``n_features``.
        - None: no column is categorical.

        Boolean columns (``bool`` or pandas ``boolean`` dtype) are numeric,
        0 and 1, as scikit-learn's validation reads them and as
        HistGradientBoosting treats them: a two-valued column is reconstructed
        well by a squared error, and numeric tables give exactly today's
        inputs; so are True and False in a numpy object array. An ``object``
        DataFrame column of True and False is categorical, by its dtype. Name
        a boolean column in ``categorical_features`` to have it categorical.
    max_categories : int >= 2, default=32
        The most levels a categorical column keeps, counting the pooled level,
        as in :class:`~sklearn.preprocessing.OneHotEncoder`: a column with more
        levels keeps its ``max_categories - 1`` most frequent ones (ties broken
        by the level's text) and pools the rest into one "infrequent" level.
        A 10,000-level column so costs at most ``max_categories`` inputs and
        outputs.
    scaling : {"auto", "standard", "robust", "minmax"} or None, default="standard"
        Scaler of the numeric columns, fitted ignoring missing entries.
        ``"auto"`` centres each column and divides every column by one common
        scale when the table has no categorical column and its columns share
        a unit (:func:`~sklearn_ae._defaults.shares_one_unit`), and
        standardises each column otherwise.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns of the table.
    feature_names_in_ : ndarray of str, shape (n_features_in_,)
        Column names, when the table was a DataFrame with string names.
    is_categorical_ : ndarray of bool, shape (n_features_in_,)
        Which columns are categorical.
    numeric_columns_ : ndarray of int, shape (n_numeric,)
        Indices of the numeric columns, in order.
    categorical_columns_ : ndarray of int, shape (n_categorical,)
        Indices of the categorical columns, in order.
    scaler_ : StandardScaler, RobustScaler, MinMaxScaler or None
        Fitted on the numeric columns; None without scaling or numeric columns.
    shared_unit_ : bool
        Whether ``scaling="auto"`` gave the numeric columns one common scale.
    numeric_fill_ : ndarray of float64, shape (n_numeric,)
        Input value of a missing numeric entry: the column's training mean in
        scaled space (0 for standard scaling; 0 for a column never observed).
    categories_ : list of ndarray of object
        For each categorical column, its ``K`` levels in code order, most
        frequent first, as found in the data (str, int, float or bool). When
        the column has an infrequent level, it is the last one and its entry
        is the most frequent of the pooled values (what :meth:`inverse_transform`
        returns for it).
    infrequent_categories_ : list of ndarray of object
        For each categorical column, the values pooled into its infrequent
        level (empty when none are).
    categorical_dtypes_ : list of str
        ``"category"`` or ``"object"``: the dtype :meth:`inverse_transform`
        gives each categorical column of a DataFrame.
    n_inputs_ : int
        Width of the network's input, ``n_numeric + sum(K)``.
    n_outputs_ : int
        Width of the network's output, ``n_numeric + sum(K)``, the same.

    Notes
    -----
    Levels are compared by their text (``str(value)``), so in an ``object``
    column mixing numbers and strings, ``1`` and ``"1"`` are the same level,
    while ``1`` and ``1.0`` are not. A column entirely missing at fit is kept
    but carries nothing: a numeric one is always filled in the inputs and NaN
    in the targets (its later values too, since its scaler has no statistics),
    a categorical one has no level (``K = 0``) and any later value is unseen.
    A warning names such columns at fit.
    """

    _parameter_constraints: dict = {
        "categorical_features": ["array-like", StrOptions({"from_dtype"}), None],
        "max_categories": [Interval(Integral, 2, None, closed="left")],
        "scaling": [StrOptions({"auto", *SCALERS}), None],
    }

    def __init__(self, *, categorical_features="from_dtype", max_categories=32, scaling="standard"):
        self.categorical_features = categorical_features
        self.max_categories = max_categories
        self.scaling = scaling

    @classmethod
    def for_numbers(cls, n_features, scaler, scaling, feature_names=None):
        """A fitted encoder of ``n_features`` numeric columns around a fitted scaler.

        What a model saved before categorical support (which held the scaler
        only) encodes its tables with.
        """
        encoder = cls(categorical_features=None, scaling=scaling)
        encoder.n_features_in_ = n_features
        if feature_names is not None:
            encoder.feature_names_in_ = feature_names
        encoder.is_categorical_ = np.zeros(n_features, dtype=bool)
        encoder.numeric_columns_ = np.arange(n_features)
        encoder.categorical_columns_ = np.arange(0)
        encoder.scaler_ = scaler
        encoder.numeric_fill_ = np.zeros(n_features)
        encoder.categories_, encoder.infrequent_categories_, encoder.categorical_dtypes_ = [], [], []
        encoder.n_inputs_ = encoder.n_outputs_ = n_features
        return encoder

    def standard_score_factors(self):
        """Factors that take the network's inputs to each column's standard score.

        None when the inputs are those already (or when columns are not
        standardised at all); else, after ``scaling="auto"`` gave the columns
        one common scale, ``common scale / column's standard deviation`` for
        each numeric input and 1 for each one-hot input. The neighbour term of
        the outlier score measures distances in this space, whatever space the
        network learns in.

        Returns
        -------
        factors : ndarray of float64, shape (n_inputs_,) or None
        """
        check_is_fitted(self)
        if not getattr(self, "shared_unit_", False):
            return None
        std = np.sqrt(self.scaler_.var_)
        std = np.where(np.isfinite(std) & (std > 0), std, self.scaler_.scale_)
        factors = np.ones(self.n_inputs_)
        numeric_slice, _ = self.output_slices()
        factors[numeric_slice] = self.scaler_.scale_ / std
        return factors

    # ------------------------------------------------------------------ fit

    def fit(self, X, y=None):
        """Find the categorical columns, their levels, and fit the scaler.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The table; missing values as NaN, None or ``pd.NA``.
        y : Ignored

        Returns
        -------
        self : TableEncoder
        """
        validate_params(self)
        X = as_table(X)
        self.n_features_in_ = X.shape[1]
        names = column_names(X)
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.is_categorical_ = resolve_categorical(X, self.categorical_features, names)
        self.numeric_columns_ = np.flatnonzero(~self.is_categorical_)
        self.categorical_columns_ = np.flatnonzero(self.is_categorical_)
        self._fit_numeric(self._numeric_part(X))
        self._fit_categorical(X)
        self._warn_empty_columns(X)
        widths = len(self.numeric_columns_) + sum(len(c) for c in self.categories_)
        self.n_inputs_ = self.n_outputs_ = int(widths)
        return self

    def _fit_numeric(self, X_num):
        self.scaler_ = None
        self.shared_unit_ = False
        self.numeric_fill_ = np.zeros(X_num.shape[1])
        if self.scaling is None or X_num.shape[1] == 0:
            if X_num.shape[1]:
                self.numeric_fill_ = np.nan_to_num(_nan_mean(X_num), nan=0.0)
            return
        with warnings.catch_warnings():
            # An entirely missing column: named by _warn_empty_columns instead.
            warnings.filterwarnings("ignore", category=RuntimeWarning)
            if self.scaling == "auto":
                self.scaler_ = StandardScaler().fit(X_num)
                # Categorical columns make a table of different quantities.
                self.shared_unit_ = not self.is_categorical_.any() and shares_one_unit(X_num)
                if self.shared_unit_:
                    self.scaler_.scale_ = np.full_like(self.scaler_.scale_, _common_scale(self.scaler_))
            else:
                self.scaler_ = SCALERS[self.scaling]().fit(X_num)
            fill = self.scaler_.transform(_nan_mean(X_num)[None, :])[0]
        # A column with numbers whose scaled mean is not finite: its statistics
        # overflowed float64 (values near 1e300 have an infinite variance). Its
        # scaled cells would be NaN, taken for missing values, and score 0 silently.
        overflowed = ~np.isfinite(fill) & (~np.isnan(X_num)).any(axis=0)
        if overflowed.any():
            raise ValueError(
                f"Column(s) {self._names(self.numeric_columns_[overflowed])} are too large "
                "to scale: their statistics overflow float64. Rescale the data first "
                "(for example divide by a power of ten)."
            )
        self.numeric_fill_ = np.nan_to_num(fill.astype(np.float64), nan=0.0)

    def _fit_categorical(self, X):
        self.categories_, self.infrequent_categories_, self.categorical_dtypes_ = [], [], []
        for j in self.categorical_columns_:
            column = column_of(X, j)
            kept, pooled = _levels(column, self.max_categories)
            self.categories_.append(kept)
            self.infrequent_categories_.append(pooled)
            kind = "category" if isinstance(column.dtype, pd.CategoricalDtype) else "object"
            self.categorical_dtypes_.append(kind)

    def _warn_empty_columns(self, X):
        if isinstance(X, np.ndarray) and X.dtype.kind in "biuf":
            # A numeric array: one vectorised pass instead of a Series per column
            # (166 columns of musk: 20 ms of a 0.4 s fit).
            missing = np.isnan(X) if X.dtype.kind == "f" else np.zeros(X.shape, bool)
            empty = np.flatnonzero(missing.all(axis=0)).tolist()
        else:
            empty = [j for j in range(self.n_features_in_) if column_of(X, j).isna().all()]
        if empty:
            warnings.warn(
                f"Column(s) {self._names(empty)} are entirely missing in the training "
                "data: they carry no information and add nothing to the loss or the "
                "scores; their values at predict time are ignored (numeric) or unseen "
                "(categorical).",
                UserWarning,
            )

    # ------------------------------------------------------------ transform

    def encode(self, X):
        """Encode ``X`` for the network (inputs) and for its loss (targets).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features_in_)

        Returns
        -------
        encoded : EncodedTable
            ``(inputs, numeric, observed, codes)``; see :data:`EncodedTable`.
            On a table of numbers without missing values, ``inputs`` and
            ``numeric`` are both ``scaler_.transform(X)`` cast to float32, bit
            for bit what the estimators computed before categorical support.
        """
        check_is_fitted(self)
        X = self._check_table(X)
        numeric = self._scale(self._numeric_part(X))
        observed = ~np.isnan(numeric)
        codes = np.empty((len(X), len(self.categorical_columns_)), dtype=np.int64)
        for k, j in enumerate(self.categorical_columns_):
            codes[:, k] = self._codes(column_of(X, j), k)
        # Without holes or categories the inputs are the targets (one array, no copy).
        filled = numeric
        if not observed.all():
            filled = np.where(observed, numeric, self.numeric_fill_.astype(np.float32))
        inputs = filled
        if len(self.categorical_columns_):
            inputs = np.hstack([filled, *self._one_hot_blocks(codes)]).astype(np.float32)
        return EncodedTable(inputs, numeric, observed, codes)

    def transform(self, X):
        """The network's input for ``X``: ``encode(X).inputs``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features_in_)

        Returns
        -------
        inputs : ndarray of float32, shape (n_samples, n_inputs_)
        """
        return self.encode(X).inputs

    def fit_transform(self, X, y=None):
        """``fit(X).transform(X)``."""
        return self.fit(X).transform(X)

    def _scale(self, X_num):
        scaled = X_num if self.scaler_ is None else self.scaler_.transform(X_num)
        with np.errstate(over="ignore"):
            scaled = np.asarray(scaled, dtype=np.float32)
        if np.isinf(scaled).any():
            raise ValueError(
                "Input values overflow float32 (|x| > 3.4e38 after scaling); "
                "the network computes in float32. Rescale the data first."
            )
        return scaled

    def _codes(self, column, k):
        lookup = self._lookups()[k]
        missing = column.isna().to_numpy()
        codes = np.full(len(column), MISSING, dtype=np.int64)
        keys = column[~missing].astype(object).map(str)
        codes[~missing] = keys.map(lookup).fillna(UNSEEN).to_numpy(dtype=np.int64)
        return codes

    def _lookups(self):
        """For each categorical column, a dict from a level's text to its code."""
        if getattr(self, "_lookup_cache", None) is None or self._lookup_source is not self.categories_:
            self._lookup_cache = [
                _lookup(kept, pooled)
                for kept, pooled in zip(self.categories_, self.infrequent_categories_)
            ]
            self._lookup_source = self.categories_
        return self._lookup_cache

    def _one_hot_blocks(self, codes):
        for k, levels in enumerate(self.categories_):
            block = np.zeros((len(codes), len(levels)), dtype=np.float32)
            seen = codes[:, k] >= 0
            block[np.flatnonzero(seen), codes[seen, k]] = 1.0
            yield block

    # ------------------------------------------------------------ decoding

    def layout(self):
        """Where each column lives in the network's output, for the loss.

        Returns
        -------
        layout : dict
            ``n_numeric`` (the output starts with the numeric block),
            ``block_sizes`` (the width ``K`` of each categorical column's
            logits block, in order, right after it), and ``column_order``:
            the original index of each term, numeric columns first, so that
            ``contributions[:, column_order] = terms``. The keyword arguments
            of :func:`sklearn_ae._mixed_loss.column_terms`.
        """
        check_is_fitted(self)
        return {
            "n_numeric": len(self.numeric_columns_),
            "block_sizes": tuple(len(levels) for levels in self.categories_),
            "column_order": np.concatenate(
                [self.numeric_columns_, self.categorical_columns_]
            ).astype(np.int64),
        }

    def output_slices(self):
        """Slices of the output: the numeric block, then one per categorical column.

        Returns
        -------
        numeric : slice
        blocks : list of (slice, int)
            Each categorical column's logits, with its original column index.
        """
        start = len(self.numeric_columns_)
        blocks = []
        for j, levels in zip(self.categorical_columns_, self.categories_):
            blocks.append((slice(start, start + len(levels)), int(j)))
            start += len(levels)
        return slice(0, len(self.numeric_columns_)), blocks

    def inverse_transform(self, outputs):
        """Map network outputs back to a table in the original units.

        Parameters
        ----------
        outputs : array-like of shape (n_samples, n_outputs_)
            The numeric block in scaled space, then the logits of each
            categorical column (or any score whose argmax is the level, a
            one-hot block for instance, so ``inverse_transform(transform(X))``
            gives back ``X`` with its holes filled).

        Returns
        -------
        X : DataFrame, or ndarray of shape (n_samples, n_features_in_)
            A DataFrame with the training columns when fitted on one (numeric
            columns float64, categorical ones ``object`` or ``category``);
            otherwise a float64 array, or an object array when a column is
            categorical. Each categorical cell is its argmax level (the most
            frequent pooled value for the infrequent level; None for a column
            without levels). Numeric columns never observed at fit are NaN.
        """
        check_is_fitted(self)
        outputs = check_array(outputs, dtype=[np.float64, np.float32], ensure_all_finite="allow-nan")
        if outputs.shape[1] != self.n_outputs_:
            raise ValueError(
                f"outputs have {outputs.shape[1]} columns, expected n_outputs_={self.n_outputs_}."
            )
        numeric_slice, blocks = self.output_slices()
        numeric = np.asarray(outputs[:, numeric_slice], dtype=np.float64)
        if self.scaler_ is not None:
            numeric = self.scaler_.inverse_transform(numeric)
        columns = {int(j): numeric[:, i] for i, j in enumerate(self.numeric_columns_)}
        for (block, j), levels in zip(blocks, self.categories_):
            columns[j] = _decode_levels(outputs[:, block], levels)
        return self._assemble(columns, len(outputs))

    def _assemble(self, columns, n_samples):
        if hasattr(self, "feature_names_in_"):
            frame = pd.DataFrame(
                {name: columns[j] for j, name in enumerate(self.feature_names_in_)}
            )
            for j, kind in zip(self.categorical_columns_, self.categorical_dtypes_):
                name = self.feature_names_in_[j]
                frame[name] = frame[name].astype(object if kind == "object" else "category")
            return frame
        dtype = object if len(self.categorical_columns_) else np.float64
        table = np.empty((n_samples, self.n_features_in_), dtype=dtype)
        for j, values in columns.items():
            table[:, j] = values
        return table

    def fill_missing(self, X, X_hat):
        """``X`` with its missing cells taken from ``X_hat``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features_in_)
            The table with holes.
        X_hat : DataFrame or ndarray
            A full table of the same shape, ``inverse_transform`` of the
            network's reconstruction of ``X``.

        Returns
        -------
        X_filled : DataFrame or ndarray
            Of the type of ``X_hat``; observed cells are those of ``X``.
        """
        check_is_fitted(self)
        table = self._check_table(X)
        filled = X_hat.copy()
        for j in range(self.n_features_in_):
            column = column_of(table, j)
            observed = ~column.isna().to_numpy()
            values = column.to_numpy(dtype=object)
            if isinstance(filled, pd.DataFrame):
                target = filled.iloc[:, j]
                if isinstance(target.dtype, pd.CategoricalDtype):
                    target = target.astype(object)
                target = np.array(
                    target.to_numpy(), dtype=object if self.is_categorical_[j] else np.float64
                )
                target[observed] = values[observed]
                filled.isetitem(j, target)
                if self.is_categorical_[j]:
                    k = int(np.searchsorted(self.categorical_columns_, j))
                    if self.categorical_dtypes_[k] == "category":
                        filled.isetitem(j, filled.iloc[:, j].astype("category"))
            else:
                filled[observed, j] = values[observed]
        return filled

    # ------------------------------------------------------------ internals

    def _check_table(self, X):
        X = as_table(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but TableEncoder is expecting "
                f"{self.n_features_in_} features as input."
            )
        names = column_names(X)
        if hasattr(self, "feature_names_in_") and names is not None:
            if not np.array_equal(names, self.feature_names_in_):
                raise ValueError(
                    "The feature names should match those that were passed during fit."
                )
        return X

    def _numeric_part(self, X):
        """The numeric columns as a float array, NaN where missing."""
        columns = self.numeric_columns_
        if isinstance(X, pd.DataFrame):
            part = X.iloc[:, columns]
        else:
            part = X if len(columns) == X.shape[1] else X[:, columns]
        if len(columns) == 0:
            return np.empty((len(X), 0))
        try:
            return check_array(
                part, dtype=[np.float64, np.float32], ensure_all_finite="allow-nan",
                ensure_min_samples=1,
            )
        except ValueError as error:  # text in a numeric column
            raise ValueError(
                f"A numeric column holds values that are not numbers ({error}). Name "
                "it in categorical_features, or give it the dtype 'category'."
            ) from error

    def _names(self, indices):
        if hasattr(self, "feature_names_in_"):
            return [str(self.feature_names_in_[j]) for j in indices]
        return [int(j) for j in indices]


# ------------------------------------------------------------- helpers


def _python(value):
    return value.item() if isinstance(value, np.generic) else value


def _levels(column, max_categories):
    """The kept levels (most frequent first) and the pooled ones of a column.

    Returns two object arrays of values as found in the data. When values
    are pooled, the kept array ends with the most frequent pooled value,
    standing for the infrequent level.
    """
    values = column[column.notna()].astype(object)
    if len(values) == 0:
        return np.empty(0, dtype=object), np.empty(0, dtype=object)
    keys = values.map(str)
    first = pd.Series(values.to_numpy(), index=keys.to_numpy())
    first = first[~first.index.duplicated()]
    counts = keys.value_counts()
    texts = counts.index.to_numpy(dtype=object).astype(str)
    order = texts[np.lexsort((texts, -counts.to_numpy()))]  # most frequent, then by text
    representatives = [_python(first[key]) for key in order]
    if len(order) > max_categories:
        kept, pooled = representatives[: max_categories - 1], representatives[max_categories - 1 :]
        kept.append(pooled[0])
    else:
        kept, pooled = representatives, []
    return _object_array(kept), _object_array(pooled)


def _object_array(values):
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _lookup(kept, pooled):
    """Dict from a level's text to its code; pooled values map to the last code."""
    if len(pooled):
        infrequent = len(kept) - 1
        lookup = {str(v): infrequent for v in pooled}
        lookup.update({str(v): code for code, v in enumerate(kept[:-1])})
        return lookup
    return {str(v): code for code, v in enumerate(kept)}


def _decode_levels(scores, levels):
    if len(levels) == 0:
        return _object_array([None] * len(scores))
    return levels[np.argmax(scores, axis=1)]


def _nan_mean(X_num):
    X_num = np.asarray(X_num, dtype=np.float64)
    counts = (~np.isnan(X_num)).sum(axis=0)
    sums = np.nansum(X_num, axis=0)
    return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)



def _common_scale(scaler):
    """One scale for every column: the root mean variance of the columns that vary."""
    variances = scaler.var_[np.isfinite(scaler.var_) & (scaler.var_ > 0)]
    common = float(np.sqrt(variances.mean())) if len(variances) else 1.0
    return common if common > 0 else 1.0
