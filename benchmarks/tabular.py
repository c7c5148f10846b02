"""Mixed table benchmark: categorical columns and missing values at estimator defaults.

The table is ``sklearn_ae.examples.make_mixed_table(2000, random_state=seed)``
(its docstring says how it is synthesised): 6 correlated numeric columns and 3
categorical ones, 5 % planted anomalies (half a category out of its numeric
context, half a numeric value taken from another row), 8 % of the numeric
cells missing. For each seed (table and model), ``AutoencoderTransformer`` at
its defaults (only ``random_state`` set) is fitted on the table as it is, and
measured on:

- ROC AUC of ``-score_samples`` against the planted rows (and per kind);
- planted column first: how often the column with the largest
  ``score_contributions`` is the planted one, over the planted rows (among
  the table's columns: the neighbour term of the score is no column);
- imputation: mean squared error of ``impute`` on the missing numeric cells,
  in standard deviations of each column, divided by that of the column mean;
- hole bias: mean score of normal rows with a hole over that of complete
  normal rows (1 = holes do not make a row odd).

Beside it, in the same run, scikit-learn's ``IsolationForest`` (defaults,
``random_state=seed``) on the one-hot categorical columns and the numeric
columns with their means filled in, and ``IsolationForest`` on the numeric
columns alone.

Run from the repository root (about a minute on one core)::

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/tabular.py
"""

import sys
import time

import numpy as np
import pandas as pd
import torch
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

from sklearn_ae import AutoencoderTransformer
from sklearn_ae.examples import CATEGORICAL_COLUMNS, NUMERIC_COLUMNS, make_mixed_table


def autoencoder_row(table, seed):
    start = time.perf_counter()
    model = AutoencoderTransformer(random_state=seed).fit(table.X)
    fit_s = time.perf_counter() - start
    scores = -model.score_samples(table.X)
    # The data columns' shares (the neighbour term, a part of no column, aside).
    contributions = model.score_contributions(table.X)[table.X.columns]
    top = contributions.columns.to_numpy()[contributions.to_numpy().argmax(axis=1)]
    planted = table.is_anomaly
    normal_holes = table.missing.any(axis=1) & ~planted
    normal_complete = ~table.missing.any(axis=1) & ~planted
    return {
        "model": "AutoencoderTransformer()",
        **aucs(table, scores),
        "planted column first": np.mean(top[planted] == table.planted_column[planted]),
        "imputation / mean's": imputation_ratio(table, model.impute(table.X)),
        "hole bias": scores[normal_holes].mean() / scores[normal_complete].mean(),
        "fit s": fit_s,
    }


def aucs(table, scores):
    result = {"ROC AUC": roc_auc_score(table.is_anomaly, scores)}
    for kind in ("category", "relation"):
        rows = (table.kind == kind) | ~table.is_anomaly
        result[f"AUC {kind}"] = roc_auc_score(table.is_anomaly[rows], scores[rows])
    return result


def imputation_ratio(table, imputed):
    numeric = list(NUMERIC_COLUMNS)
    truth = table.X_complete[numeric].to_numpy()
    missing = table.X[numeric].isna().to_numpy()
    spread = truth.std(axis=0)
    filled = imputed[numeric].to_numpy(dtype=np.float64)
    means = np.nanmean(table.X[numeric].to_numpy(), axis=0)
    error = np.mean(np.square((filled - truth) / spread)[missing])
    error_mean = np.mean(np.square((means - truth) / spread)[missing])
    return error / error_mean


def forest_rows(table, seed):
    numbers = table.X[list(NUMERIC_COLUMNS)]
    numbers = numbers.fillna(numbers.mean())
    one_hot = pd.get_dummies(table.X[list(CATEGORICAL_COLUMNS)], dtype=float)
    rows = []
    for name, X in (("IsolationForest, one-hot + mean-filled", pd.concat([numbers, one_hot], axis=1)),
                    ("IsolationForest, numbers only", numbers)):
        start = time.perf_counter()
        forest = IsolationForest(random_state=seed).fit(X)
        fit_s = time.perf_counter() - start
        rows.append({"model": name, **aucs(table, -forest.score_samples(X)), "fit s": fit_s})
    return rows


def main(seeds):
    torch.set_num_threads(1)
    rows = []
    for seed in seeds:
        table = make_mixed_table(random_state=seed)
        for row in [autoencoder_row(table, seed), *forest_rows(table, seed)]:
            rows.append({"seed": seed, **row})
    results = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    print(results.round(3).to_string(index=False))
    summary = results.drop(columns="seed").groupby("model", sort=False).agg(["mean", "min", "max"])
    print()
    print(summary.round(3).to_string())
    return results


if __name__ == "__main__":
    main([int(s) for s in sys.argv[1:]] or [0, 1, 2])
