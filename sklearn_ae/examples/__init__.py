"""Worked examples and their data, kept out of the estimators' core.

This subpackage holds the demo behind ``sklearn-ae demo``
(:mod:`sklearn_ae.examples.demo`, :func:`run_demo`) and the synthetic mixed
table with planted anomalies and holes that the tests and
``benchmarks/tabular.py`` use (:mod:`sklearn_ae.examples.mixed_tables`,
:func:`make_mixed_table`).

The estimators never import it: ``import sklearn_ae`` leaves it unloaded, and
the command line imports the demo only when ``sklearn-ae demo`` runs
(``tests/test_layers.py`` checks both).

Examples
--------
>>> from sklearn_ae.examples import make_mixed_table
>>> table = make_mixed_table(200, random_state=0)
>>> table.X.shape
(200, 9)
>>> int(table.is_anomaly.sum())
10
"""

from .demo import run_demo
from .mixed_tables import (
    CATEGORICAL_COLUMNS,
    NUMERIC_COLUMNS,
    MixedTable,
    make_mixed_table,
)

__all__ = [
    "CATEGORICAL_COLUMNS",
    "NUMERIC_COLUMNS",
    "MixedTable",
    "make_mixed_table",
    "run_demo",
]
