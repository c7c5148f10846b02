import numpy as np
import pandas as pd

from sklearn_ae._tabular import TableEncoder
from sklearn_ae.examples import (
    CATEGORICAL_COLUMNS,
    NUMERIC_COLUMNS,
    make_mixed_table,
)


def test_table_shape_dtypes_and_ground_truth():
    table = make_mixed_table(1000, random_state=1)
    assert list(table.X.columns) == [*NUMERIC_COLUMNS, *CATEGORICAL_COLUMNS]
    assert all(isinstance(table.X[c].dtype, pd.CategoricalDtype) for c in CATEGORICAL_COLUMNS)
    assert table.is_anomaly.sum() == 50
    assert set(table.kind[table.is_anomaly]) == {"category", "relation"}
    assert (table.planted_column[~table.is_anomaly] == None).all()  # noqa: E711
    for row in np.flatnonzero(table.is_anomaly):
        expected = CATEGORICAL_COLUMNS if table.kind[row] == "category" else NUMERIC_COLUMNS
        assert table.planted_column[row] in expected


def test_eight_percent_of_numeric_cells_missing_never_a_planted_one():
    table = make_mixed_table(1000, random_state=2)
    numeric_missing = table.X[list(NUMERIC_COLUMNS)].isna().to_numpy()
    assert numeric_missing.mean() == 0.08
    assert not table.X[list(CATEGORICAL_COLUMNS)].isna().any().any()
    np.testing.assert_array_equal(table.missing, table.X.isna().to_numpy())
    for row in np.flatnonzero(table.is_anomaly):
        assert not table.X[table.planted_column[row]].isna()[row]
    observed = ~table.missing
    pd.testing.assert_frame_equal(table.X.where(observed), table.X_complete.where(observed))


def test_numeric_columns_are_correlated_and_categories_follow_context():
    table = make_mixed_table(2000, random_state=0)
    normal = table.X_complete[~table.is_anomaly]
    corr = normal[list(NUMERIC_COLUMNS)].corr().abs().to_numpy()
    assert (corr[np.triu_indices(6, 1)] > 0.3).sum() >= 8
    # Segment is mostly the largest-score quadrant of income and spend.
    by_segment = normal.groupby("segment", observed=True)["income"].mean()
    assert by_segment["premium"] > by_segment["student"] + 10


def test_same_seed_same_table_and_the_encoder_reads_it():
    a, b = make_mixed_table(300, random_state=5), make_mixed_table(300, random_state=5)
    pd.testing.assert_frame_equal(a.X, b.X)
    encoder = TableEncoder().fit(a.X)
    assert encoder.categorical_columns_.tolist() == [6, 7, 8]
    assert encoder.n_inputs_ == 6 + 4 + 3 + 7
