"""
A table with categories and holes, scored and explained by column
=================================================================

:class:`~sklearn_ae.AutoencoderTransformer` takes a pandas DataFrame as it is: columns of
dtype ``category``, ``object`` or ``string`` are categorical
(``categorical_features="from_dtype"``), and missing values may sit in any cell. Its
``score_contributions`` splits each row's outlier score by column, so it says *which*
column makes a row odd.

The table is built here from scikit-learn's breast-cancer data:

* **numbers**: the ten "mean" measurements of the cell nuclei (radius, texture,
  perimeter, area, ...), 569 rows;
* **categories**: ``diagnosis`` (malignant or benign, the data set's label, which the
  measurements largely predict); ``size band`` (small, medium or large: the tertile of
  the area, so it follows from the numbers); ``lab`` (A to D, drawn at random, a column
  no model can predict, as strings rather than a ``category`` dtype);
* **anomalies**: 30 rows (5 %) get one planted cell each, half of each of two kinds.
  *A category out of context*: the diagnosis is flipped, or the size band is set to the
  far end of the areas (a small nucleus called "large", a large one "small", a medium
  one the band farther from its area). *A broken relation*: one numeric column gets the
  value of another row that differs from its own by more than 1.5 standard deviations,
  a common value that is wrong for its row;
* **holes**: 8 % of the numeric cells are set to NaN at random (never a planted cell).

No labels are used for fitting; the planted rows are the ground truth for ROC AUC.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

from sklearn_ae import AutoencoderTransformer


def build_table(n_anomalies=30, missing_fraction=0.08, random_state=0):
    """The mixed table, each row's planted column (None if normal) and its kind."""
    rng = np.random.RandomState(random_state)
    data = load_breast_cancer(as_frame=True)
    numeric = data.frame[[name for name in data.feature_names if name.startswith("mean ")]]
    numeric = numeric.rename(columns=lambda name: name.removeprefix("mean "))
    n = len(numeric)
    table = numeric.copy()
    table["diagnosis"] = pd.Categorical.from_codes(data.target, ["malignant", "benign"])
    size = pd.qcut(numeric["area"], 3, labels=["small", "medium", "large"])
    table["size band"] = size
    table["lab"] = np.array(list("ABCD"))[rng.randint(4, size=n)]  # plain strings

    planted = np.full(n, None, dtype=object)
    kind = np.full(n, None, dtype=object)
    for position, row in enumerate(rng.choice(n, n_anomalies, replace=False)):
        if position % 2 == 0:  # a category out of context
            column = ("diagnosis", "size band")[rng.randint(2)]
            if column == "diagnosis":
                flipped = {"malignant": "benign", "benign": "malignant"}
                table.loc[row, column] = flipped[table.loc[row, column]]
            else:  # the band farthest from the row's own
                medium = numeric["area"][size == "medium"]
                low = size[row] == "small" or (size[row] == "medium"
                                               and numeric["area"][row] < medium.median())
                table.loc[row, column] = "large" if low else "small"
            kind[row] = "category"
        else:  # a broken relation between numeric columns
            column = numeric.columns[rng.randint(numeric.shape[1])]
            values = numeric[column].to_numpy()
            donor = rng.randint(n)
            while abs(values[donor] - values[row]) <= 1.5 * values.std():
                donor = rng.randint(n)
            table.loc[row, column] = values[donor]
            kind[row] = "relation"
        planted[row] = column

    holes = rng.rand(n, numeric.shape[1]) < missing_fraction
    holes &= numeric.columns.to_numpy() != planted[:, None]  # the planted cells stay
    table[numeric.columns] = table[numeric.columns].mask(holes)
    return table, planted, kind


table, planted, kind = build_table()
is_planted = pd.notna(planted)  # planted: a column name, or None
numeric_columns = list(table.columns[:10])
categorical_columns = ["diagnosis", "size band", "lab"]
print(f"{len(table)} rows, {is_planted.sum()} planted; "
      f"{table[numeric_columns].isna().to_numpy().mean():.1%} of the numeric cells missing")
print(table.head())

# %%
# Both detectors in one run
# -------------------------
# The autoencoder is fit at its defaults on the DataFrame itself, holes and strings
# included. IsolationForest takes neither categories nor holes, so it gets the numbers
# with each hole filled by its column's mean, and the three categorical columns one-hot.
# Both scores are turned so that higher means more abnormal.
autoencoder = AutoencoderTransformer(random_state=0).fit(table)
scores = {"AutoencoderTransformer": -autoencoder.score_samples(table)}

one_hot = pd.get_dummies(table[categorical_columns], dtype=float)
mean_filled = table[numeric_columns].fillna(table[numeric_columns].mean())
X_forest = pd.concat([mean_filled, one_hot], axis=1).to_numpy()
forest = IsolationForest(random_state=0).fit(X_forest)
scores["IsolationForest"] = -forest.score_samples(X_forest)

aucs = {name: roc_auc_score(is_planted, score) for name, score in scores.items()}
for name, auc in aucs.items():
    print(f"{name:<24} ROC AUC {auc:.3f}")

# %%
# Which column makes a row odd
# ----------------------------
# ``score_contributions`` has one column per column of the table, and a last one,
# ``"<neighbor distance>"``, for the part of the score that no single column carries
# (the row's mean squared distance to its 10 nearest training rows, in the scaled inputs);
# each row sums to its score.
# For each planted row, the column with the largest term among the table's own columns
# is its *top column*: does it name the planted cell?
contributions = autoencoder.score_contributions(table)
assert np.allclose(contributions.sum(axis=1), scores["AutoencoderTransformer"])
top_column = contributions[table.columns].idxmax(axis=1).to_numpy()
named = top_column[is_planted] == planted[is_planted]
share_named = named.mean()
print(f"top column = planted column for {named.sum()} of {is_planted.sum()} planted rows "
      f"({share_named:.0%})")
for group in ("category", "relation"):
    in_group = kind[is_planted] == group
    print(f"  {group + ' anomalies:':<22}{named[in_group].sum()} of {in_group.sum()}")

# %%
# Scores and explanations
# -----------------------
# Left: each group's histogram shows the share of its own rows per bin; most planted
# rows lie to the right of the normal ones for the autoencoder, while IsolationForest's
# two groups overlap more. Right: the score contributions of the first three planted rows
# of each kind (in table order), the planted column in red: the top column is the planted
# one in four of these six. The neighbour term (pale blue) is the largest single term in
# three of them: it says that a row is odd, not where, which is why the top column is
# sought among the table's own columns.
shown = np.concatenate([np.flatnonzero(kind == group)[:3] for group in ("category",
                                                                         "relation")])
fig = plt.figure(figsize=(13, 6.4))
left = fig.add_gridspec(1, 2, width_ratios=[1, 2.6], wspace=0.22)
hist_grid = left[0].subgridspec(2, 1, hspace=0.45)
bar_grid = left[1].subgridspec(2, 3, wspace=0.08, hspace=0.45)
for position, (name, score) in enumerate(scores.items()):
    ax = fig.add_subplot(hist_grid[position])
    if name == "AutoencoderTransformer":
        bins = np.geomspace(score.min(), score.max(), 30)  # every score is positive
        ax.set_xscale("log")
    else:
        bins = np.linspace(score.min(), score.max(), 30)
    for group, label in ((score[~is_planted], "normal"), (score[is_planted], "planted")):
        ax.hist(group, bins=bins, alpha=0.7, weights=np.full(len(group), 1 / len(group)),
                label=label)
    ax.set_title(f"{name}: ROC AUC {aucs[name]:.3f}", fontsize=9)
    ax.set_xlabel("outlier score" + (" (log scale)" if position == 0 else ""), fontsize=8)
    ax.set_ylabel("share of the group's rows", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=8)

names = list(contributions.columns)
bar_axes = []
for position, row in enumerate(shown):
    ax = fig.add_subplot(bar_grid[position], sharey=bar_axes[0] if bar_axes else None)
    bar_axes.append(ax)
    colors = ["tab:red" if name == planted[row] else
              "lightsteelblue" if name == "<neighbor distance>" else "tab:gray"
              for name in names]
    ax.barh(np.arange(len(names)), contributions.iloc[row], color=colors)
    verdict = "top = planted" if top_column[row] == planted[row] else f"top: {top_column[row]}"
    ax.set_title(f"row {row}, {kind[row]}: {planted[row]}\n{verdict}", fontsize=8)
    ax.set_xlabel("term of the score", fontsize=8)
    ax.tick_params(labelsize=7)
    if position % 3:
        ax.tick_params(labelleft=False)
bar_axes[0].set_yticks(np.arange(len(names)), names)
bar_axes[0].invert_yaxis()
fig.suptitle(f"Mixed table, 8 % of numbers missing: the top column is the planted one for "
             f"{share_named:.0%} of the {is_planted.sum()} planted rows", fontsize=10)
fig.subplots_adjust(left=0.05, right=0.99, top=0.86, bottom=0.08)
plt.show()
