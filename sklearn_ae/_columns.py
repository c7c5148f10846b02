"""What a table's columns are: names, types, and which ones are categorical.

Numpy and pandas only. The column rules are those of scikit-learn's
:class:`~sklearn.ensemble.HistGradientBoostingClassifier` (which columns are
categorical); :mod:`sklearn_ae._tabular` encodes the columns these functions find.
"""

import numpy as np
import pandas as pd


def as_table(X):
    """A DataFrame as is; anything else as a 2-D numpy array."""
    if isinstance(X, pd.DataFrame):
        if X.ndim != 2:
            raise ValueError("Expected a 2-D table.")
        return X
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D table, got an array of shape {X.shape}.")
    if X.dtype.kind not in "biufO":
        X = X.astype(object)  # a numpy str array: every column a text column
    return X


def column_names(X):
    if isinstance(X, pd.DataFrame) and all(isinstance(c, str) for c in X.columns):
        return np.asarray(X.columns, dtype=object)
    return None


def column_of(X, j):
    """Column ``j`` of a table, as a pandas Series."""
    if isinstance(X, pd.DataFrame):
        return X.iloc[:, j].reset_index(drop=True)
    return pd.Series(X[:, j], dtype=X.dtype if X.dtype != object else object)


def refuse_dates(frame):
    """Dates and durations are numbers of no agreed unit: ask for one, name the columns."""
    dates = [str(name) for name, dtype in frame.dtypes.items()
             if pd.api.types.is_datetime64_any_dtype(dtype)
             or pd.api.types.is_timedelta64_dtype(dtype) or isinstance(dtype, pd.PeriodDtype)]
    if dates:
        raise ValueError(
            f"Column(s) {dates} hold dates or durations. Turn them into numbers in a unit "
            "that means something for the data (for example days since a reference date, "
            "or the hour of the day) or drop them."
        )


def _is_categorical_dtype(dtype):
    return isinstance(dtype, (pd.CategoricalDtype, pd.StringDtype)) or dtype == object


def _holds_text(column):
    return any(isinstance(v, (str, bytes)) for v in column.dropna().to_numpy(dtype=object))


def resolve_categorical(X, categorical_features, names):
    """Boolean mask of the categorical columns, after HistGradientBoosting's rules."""
    n_features = X.shape[1]
    if categorical_features is None:
        return np.zeros(n_features, dtype=bool)
    if isinstance(categorical_features, str) and categorical_features == "from_dtype":
        if isinstance(X, pd.DataFrame):
            return np.array([_is_categorical_dtype(d) for d in X.dtypes], dtype=bool)
        if X.dtype != object:
            return np.zeros(n_features, dtype=bool)
        return np.array([_holds_text(column_of(X, j)) for j in range(n_features)], dtype=bool)
    spec = np.asarray(categorical_features)
    if spec.size == 0:
        return np.zeros(n_features, dtype=bool)
    if spec.dtype.kind == "b":
        if spec.shape != (n_features,):
            raise ValueError(
                f"categorical_features as a boolean mask must have shape ({n_features},), "
                f"got {spec.shape}."
            )
        return spec.copy()
    mask = np.zeros(n_features, dtype=bool)
    if spec.dtype.kind in "iu":
        if spec.min() < 0 or spec.max() >= n_features:
            raise ValueError("categorical_features set as integer indices must be in "
                             f"[0, {n_features - 1}].")
        mask[spec] = True
        return mask
    if spec.dtype.kind in "UO" and all(isinstance(f, str) for f in spec.ravel()):
        if names is None:
            raise ValueError(
                "categorical_features given as names needs a DataFrame with string "
                "column names; pass integer indices or a boolean mask instead."
            )
        for name in spec:
            where = np.flatnonzero(names == name)
            if len(where) == 0:
                raise ValueError(
                    f"categorical_features has an item value {name!r} which is not a "
                    f"column of the training data: {list(names)}."
                )
            mask[where] = True
        return mask
    raise ValueError(
        f"categorical_features must be 'from_dtype', None, or an array-like of bool, "
        f"int or str, got {categorical_features!r}."
    )
