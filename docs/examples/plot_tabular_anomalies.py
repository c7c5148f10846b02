"""Tabular anomaly detection: autoencoders vs IsolationForest, at default settings.

Rows of scikit-learn's breast-cancer table (30 measurements of cell nuclei) are the
normal data; anomalies are planted by taking normal rows and breaking the relations
between columns: each anomaly gets, for a third of its columns, the values of another,
random row. Each value is still ordinary on its own, so only a detector that learns how
columns go together can see them. Every detector is fit on all rows without labels
and its ROC AUC is measured against the planted labels.

Run ``python docs/examples/plot_tabular_anomalies.py [OUT_DIR]`` (needs the ``plot``
extra); it writes ``tabular_anomalies.png``. ``benchmarks/anomaly.py`` runs the same
comparison on the eleven ODDS tables.
"""

import argparse
from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

from sklearn_ae import AutoencoderTransformer, ContractiveAutoencoder, DenoisingAutoencoder


def planted_anomalies(share=0.05, random_state=0):
    """Breast-cancer rows plus rows whose columns were shuffled in from other rows."""
    X, _ = load_breast_cancer(return_X_y=True)
    rng = np.random.RandomState(random_state)
    n_odd = round(share * len(X) / (1 - share))
    odd = X[rng.choice(len(X), n_odd)].copy()
    for row in odd:
        columns = rng.choice(X.shape[1], X.shape[1] // 3, replace=False)
        row[columns] = X[rng.randint(len(X)), columns]
    return np.vstack([X, odd]), np.r_[np.zeros(len(X), int), np.ones(n_odd, int)]


def compute(random_state=0, max_epochs="auto"):
    """ROC AUC and outlier scores of each detector."""
    X, is_odd = planted_anomalies(random_state=random_state)
    detectors = {
        "IsolationForest": IsolationForest(random_state=random_state),
        "AutoencoderTransformer": AutoencoderTransformer(
            max_epochs=max_epochs, random_state=random_state),
        "DenoisingAutoencoder": DenoisingAutoencoder(
            max_epochs=max_epochs, random_state=random_state),
        "ContractiveAutoencoder": ContractiveAutoencoder(
            max_epochs=max_epochs, random_state=random_state),
    }
    results = {"is_odd": is_odd}
    for name, detector in detectors.items():
        outlier_score = -detector.fit(X).score_samples(X)
        results[name] = dict(auc=roc_auc_score(is_odd, outlier_score), score=outlier_score)
    return results


def plot(results, out_dir="."):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [name for name in results if name != "is_odd"]
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 3))
    for ax, name in zip(axes, names):
        score = results[name]["score"]
        odd = results["is_odd"] == 1
        bins = np.geomspace(score.min(), score.max(), 40)  # all scores are positive
        ax.hist(score[~odd], bins=bins, alpha=0.7, label="normal")
        ax.hist(score[odd], bins=bins, alpha=0.7, label="planted")
        ax.set_title(f"{name}\nROC AUC {results[name]['auc']:.3f}", fontsize=9)
        ax.set_xscale("log")
        ax.set_xlabel("outlier score (log scale)")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    path = Path(out_dir) / "tabular_anomalies.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", default=".")
    args = parser.parse_args(argv)
    results = compute()
    for name, value in results.items():
        if name != "is_odd":
            print(f"{name:<24} ROC AUC {value['auc']:.3f}")
    print("wrote", plot(results, args.out_dir))


if __name__ == "__main__":
    main()
