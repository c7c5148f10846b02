"""The demo's anomaly sections: planted rows, and a progress line per fit."""

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits

from sklearn_ae.examples.demo import (
    anomalies,
    broken_relation_anomalies,
    plant_broken_relations,
)


def test_planted_rows_break_relations_but_keep_ordinary_values():
    X = load_breast_cancer().data
    X_mix, is_odd = plant_broken_relations(X, share=0.05, random_state=0)
    assert len(X_mix) == len(X) + is_odd.sum()
    assert abs(is_odd.mean() - 0.05) < 0.001
    np.testing.assert_array_equal(X_mix[is_odd == 0], X)
    for row in X_mix[is_odd == 1]:
        # Every value is one a real row has in that column ...
        assert all(np.isin(row[j], X[:, j]) for j in range(X.shape[1]))
        # ... but the row as a whole is none of the real rows.
        assert not (X == row).all(axis=1).any()


def test_each_fit_reports_a_line_as_it_ends():
    lines = []
    X, y = load_digits(return_X_y=True)
    found = anomalies(X, y, (0, 7), random_state=0, max_epochs=2, report=lines.append)
    assert len(lines) == len(found) == 2
    assert lines[0].startswith("   [1/2] outliers = digit 0: ROC AUC autoencoder")
    planted = broken_relation_anomalies((0, 1), max_epochs=2, report=lines.append)
    assert len(lines) == 4 and "seed 1" in lines[3]
    assert all(0 <= r["ae"] <= 1 and 0 <= r["forest"] <= 1 for r in planted)
