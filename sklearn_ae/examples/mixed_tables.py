"""A synthetic mixed table with planted anomalies and holes, for tests and benchmarks.

Numpy and pandas only. :func:`make_mixed_table` builds it:

1. **Context.** Two latent factors ``z1, z2 ~ N(0, 1)`` per row (a customer).
2. **Numeric columns**, correlated through the factors, in different units,
   each with a small independent noise (15 to 25 % of its spread), one of
   them nonlinear:

   - ``income  = 50 + 12 z1 + 2 e``
   - ``spend   = 0.5 income + 6 z2 + 1.5 e``
   - ``age     = 42 + 9 z1 - 5 z2 + 1.5 e``
   - ``tenure  = 0.3 (age - 18) + 0.8 e``
   - ``visits  = 12 exp(0.35 z2) + 0.8 e``
   - ``rating  = 3 + 0.9 tanh(z1 - z2) + 0.12 e``

3. **Categorical columns** that depend on the numeric context:

   - ``segment`` (4 levels): the largest of ``z1 + z2`` ("premium"),
     ``z1 - z2`` ("saver"), ``-z1 + z2`` ("spender"), ``-z1 - z2``
     ("student"), plus a little noise, so it follows from income, spend and
     age;
   - ``channel`` (3 levels): "web" below the age tertile, "phone" above the
     upper one, "store" between, with 10 % of rows drawn at random;
   - ``weekday`` (7 levels, uniform): unrelated to anything, a column no
     model can predict, so that a detector must not flag rows for it.

4. **Planted anomalies** (``anomaly_fraction`` of the rows, half of each
   kind), each changing exactly one cell, so each has one planted column:

   - *category out of context*: ``segment`` or ``channel`` set to the level
     its numeric context makes least likely (for ``segment`` the level of
     the smallest score; for ``channel`` "web" for the old and "phone" for
     the young, "web" or "phone" at random for the middle tertile);
   - *broken relation*: one numeric column gets the value of another random
     row, redrawn until it differs from the original by more than 1.5 of
     the column's standard deviations: a common value, wrong for its row.

5. **Holes**: ``missing_fraction`` of all numeric cells (8 % by default) set
   to NaN at random, never a planted cell (the ground truth stays visible).

Everything is drawn from one ``numpy.random.RandomState(random_state)``.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

NUMERIC_COLUMNS = ("income", "spend", "age", "tenure", "visits", "rating")
CATEGORICAL_COLUMNS = ("segment", "channel", "weekday")
SEGMENTS = ("premium", "saver", "spender", "student")
CHANNELS = ("web", "store", "phone")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass
class MixedTable:
    """A mixed table and its ground truth.

    Attributes
    ----------
    X : DataFrame of shape (n_samples, 9)
        The table with holes: 6 float columns, 3 ``category`` columns.
    X_complete : DataFrame
        The same before the holes were made.
    is_anomaly : ndarray of bool, shape (n_samples,)
    planted_column : ndarray of object, shape (n_samples,)
        The name of the changed column of each anomalous row, None elsewhere.
    kind : ndarray of object, shape (n_samples,)
        ``"category"`` or ``"relation"`` for anomalous rows, None elsewhere.
    missing : ndarray of bool, shape (n_samples, 9)
        Where ``X`` has a hole.
    """

    X: pd.DataFrame
    X_complete: pd.DataFrame
    is_anomaly: np.ndarray
    planted_column: np.ndarray
    kind: np.ndarray
    missing: np.ndarray


def make_mixed_table(n_samples=2000, *, anomaly_fraction=0.05, missing_fraction=0.08,
                     random_state=0):
    """Build the mixed table described in this module's docstring.

    Parameters
    ----------
    n_samples : int, default=2000
    anomaly_fraction : float, default=0.05
        Share of rows with one planted cell.
    missing_fraction : float, default=0.08
        Share of the numeric cells set to NaN (planted cells excepted).
    random_state : int, default=0

    Returns
    -------
    table : MixedTable
    """
    rng = np.random.RandomState(random_state)
    z1, z2 = rng.normal(size=(2, n_samples))
    numeric = _numeric_columns(z1, z2, rng)
    segment_scores = _segment_scores(z1, z2)
    segment = np.argmax(segment_scores + 0.15 * rng.normal(size=segment_scores.shape), axis=1)
    channel = _channel(numeric["age"], rng)
    weekday = rng.randint(len(WEEKDAYS), size=n_samples)

    n_anomalies = int(round(anomaly_fraction * n_samples))
    anomalous = rng.choice(n_samples, size=n_anomalies, replace=False)
    planted = np.full(n_samples, None, dtype=object)
    kind = np.full(n_samples, None, dtype=object)
    for position, row in enumerate(anomalous):
        if position % 2 == 0:
            column = CATEGORICAL_COLUMNS[rng.randint(2)]
            if column == "segment":
                segment[row] = np.argmin(segment_scores[row])
            else:
                channel[row] = _unlikely_channel(numeric["age"], row, rng)
            kind[row] = "category"
        else:
            column = NUMERIC_COLUMNS[rng.randint(len(NUMERIC_COLUMNS))]
            numeric[column][row] = _foreign_value(numeric[column], row, rng)
            kind[row] = "relation"
        planted[row] = column

    complete = pd.DataFrame(numeric)
    complete["segment"] = pd.Categorical.from_codes(segment, SEGMENTS)
    complete["channel"] = pd.Categorical.from_codes(channel, CHANNELS)
    complete["weekday"] = pd.Categorical.from_codes(weekday, WEEKDAYS)
    missing = _numeric_holes(complete, planted, missing_fraction, rng)
    X = complete.mask(missing)
    is_anomaly = planted != None  # noqa: E711 (elementwise on an object array)
    return MixedTable(X, complete, is_anomaly, planted, kind, missing)


def _numeric_columns(z1, z2, rng):
    def noise():
        return rng.normal(size=len(z1))

    income = 50 + 12 * z1 + 2 * noise()
    spend = 0.5 * income + 6 * z2 + 1.5 * noise()
    age = 42 + 9 * z1 - 5 * z2 + 1.5 * noise()
    tenure = 0.3 * (age - 18) + 0.8 * noise()
    visits = 12 * np.exp(0.35 * z2) + 0.8 * noise()
    rating = 3 + 0.9 * np.tanh(z1 - z2) + 0.12 * noise()
    return {
        "income": income, "spend": spend, "age": age,
        "tenure": tenure, "visits": visits, "rating": rating,
    }


def _segment_scores(z1, z2):
    return np.column_stack([z1 + z2, z1 - z2, -z1 + z2, -z1 - z2])


def _channel(age, rng):
    low, high = np.percentile(age, [100 / 3, 200 / 3])
    channel = np.where(age < low, 0, np.where(age > high, 2, 1))
    random_rows = rng.random_sample(len(age)) < 0.1
    channel[random_rows] = rng.randint(len(CHANNELS), size=random_rows.sum())
    return channel


def _unlikely_channel(age, row, rng):
    low, high = np.percentile(age, [100 / 3, 200 / 3])
    if age[row] < low:
        return 2  # the young on the phone
    if age[row] > high:
        return 0  # the old on the web
    return 0 if rng.random_sample() < 0.5 else 2


def _foreign_value(values, row, rng):
    spread = values.std()
    while True:
        candidate = values[rng.randint(len(values))]
        if abs(candidate - values[row]) > 1.5 * spread:
            return candidate


def _numeric_holes(complete, planted, fraction, rng):
    n_samples, n_columns = complete.shape
    numeric_cells = np.zeros((n_samples, n_columns), dtype=bool)
    numeric_cells[:, : len(NUMERIC_COLUMNS)] = True
    for row in np.flatnonzero(planted != None):  # noqa: E711
        if planted[row] in NUMERIC_COLUMNS:
            numeric_cells[row, NUMERIC_COLUMNS.index(planted[row])] = False
    candidates = np.flatnonzero(numeric_cells.ravel())
    n_holes = int(round(fraction * n_samples * len(NUMERIC_COLUMNS)))
    holes = rng.choice(candidates, size=n_holes, replace=False)
    missing = np.zeros(n_samples * n_columns, dtype=bool)
    missing[holes] = True
    return missing.reshape(n_samples, n_columns)
