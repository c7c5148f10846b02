"""
Tabular anomalies that break relations between columns
======================================================

Rows of scikit-learn's breast-cancer table (30 measurements of cell nuclei) are the
normal data. Anomalies are planted by taking normal rows and breaking the relations
between their columns: each anomaly gets, for a third of its columns, the values of
another, random row. Each value is still ordinary on its own, so only a detector that
learns how columns go together can see them. Every detector is fit on all rows at its
default settings, without labels, and its ROC AUC is measured against the planted labels.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

from sklearn_ae import AutoencoderTransformer, ContractiveAutoencoder, DenoisingAutoencoder


def plant_anomalies(X, share=0.05, random_state=0):
    """``X`` plus rows whose columns were partly copied in from other rows."""
    rng = np.random.RandomState(random_state)
    n_odd = round(share * len(X) / (1 - share))
    sources = rng.choice(len(X), n_odd)
    odd = X[sources].copy()
    for row, source in zip(odd, sources):
        columns = rng.choice(X.shape[1], X.shape[1] // 3, replace=False)
        donor = rng.randint(len(X))
        if donor == source:  # a row mixed with itself would be no anomaly
            donor = (donor + 1) % len(X)
        row[columns] = X[donor, columns]
    return np.vstack([X, odd]), np.r_[np.zeros(len(X), int), np.ones(n_odd, int)]


X, is_odd = plant_anomalies(load_breast_cancer(return_X_y=True)[0])
detectors = {
    "IsolationForest": IsolationForest(random_state=0),
    "AutoencoderTransformer": AutoencoderTransformer(random_state=0),
    "DenoisingAutoencoder": DenoisingAutoencoder(random_state=0),
    "ContractiveAutoencoder": ContractiveAutoencoder(random_state=0),
}
scores, aucs = {}, {}
for name, detector in detectors.items():
    scores[name] = -detector.fit(X).score_samples(X)  # higher = more abnormal
    aucs[name] = roc_auc_score(is_odd, scores[name])
    print(f"{name:<24} ROC AUC {aucs[name]:.3f}")

# %%
# Score histograms
# ----------------
# Each group's histogram shows the share of its own rows per bin (there are 19 normal
# rows for each planted one). The autoencoders' reconstruction errors push most planted rows to the
# right of the normal ones; IsolationForest's scores mix the two groups.
fig, axes = plt.subplots(1, len(detectors), figsize=(3.2 * len(detectors), 3))
for ax, (name, score) in zip(axes, scores.items()):
    bins = np.geomspace(score.min(), score.max(), 40)  # every score is positive
    for group, label in ((score[is_odd == 0], "normal"), (score[is_odd == 1], "planted")):
        ax.hist(group, bins=bins, alpha=0.7, weights=np.full(len(group), 1 / len(group)),
                label=label)
    ax.set_title(f"{name}\nROC AUC {aucs[name]:.3f}", fontsize=9)
    ax.set_xscale("log")
    ax.set_xlabel("outlier score (log scale)")
axes[0].set_ylabel("share of the group's rows")
axes[0].legend(fontsize=8)
fig.tight_layout()
plt.show()
