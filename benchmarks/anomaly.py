"""Unsupervised anomaly detection on the ODDS tables: sklearn_ae at defaults vs baselines.

Protocol (the same for every method): fit on all rows of X (labels unused, as users do),
score all rows, compare the score with the labels (1 = outlier) by ROC AUC and average
precision; seeds 0, 1, 2; mean over seeds per data set, then mean over the data sets.

Methods: AutoencoderTransformer, DenoisingAutoencoder and ContractiveAutoencoder at their
defaults; IsolationForest at its defaults; PCA reconstruction error (standardized data,
code size ceil(sqrt(p)) as our default); PyOD's AutoEncoder at its defaults (``bench``
extra).

Usage::

    python benchmarks/anomaly.py [--seeds 0 1 2] [--datasets glass pima ...] [--plot FILE]

Reads ../shared/data/odds/*.npz relative to the repository root and exits with a
message where that folder is absent.
"""

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.preprocessing import StandardScaler

from sklearn_ae import AutoencoderTransformer, ContractiveAutoencoder, DenoisingAutoencoder

ODDS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "odds"


class PCAReconstruction:
    """Minus PCA's reconstruction error on standardized data, as a detector."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X):
        self.scaler_ = StandardScaler().fit(X)
        Z = self.scaler_.transform(X)
        self.pca_ = PCA(min(math.ceil(math.sqrt(X.shape[1])), *Z.shape)).fit(Z)
        return self

    def score_samples(self, X):
        Z = self.scaler_.transform(X)
        Z_hat = self.pca_.inverse_transform(self.pca_.transform(Z))
        return -np.mean((Z - Z_hat) ** 2, axis=1)


class PyODAutoEncoder:
    """PyOD's AutoEncoder at its defaults; its decision_function is higher = more odd."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X):
        from pyod.models.auto_encoder import AutoEncoder

        self.model_ = AutoEncoder(random_state=self.random_state, verbose=0).fit(X)
        return self

    def score_samples(self, X):
        return -self.model_.decision_function(X)


def methods():
    found = {
        "AutoencoderTransformer": AutoencoderTransformer,
        "DenoisingAutoencoder": DenoisingAutoencoder,
        "ContractiveAutoencoder": ContractiveAutoencoder,
        "IsolationForest": IsolationForest,
        "PCA reconstruction": PCAReconstruction,
    }
    try:
        import pyod  # noqa: F401

        found["PyOD AutoEncoder"] = PyODAutoEncoder
    except ImportError:
        print("PyOD is not installed (pip install -e '.[bench]'): its column is skipped",
              file=sys.stderr)
    return found


def evaluate(make, X, y, seed):
    start = time.perf_counter()
    model = make(random_state=seed).fit(X)
    seconds = time.perf_counter() - start
    outlier_score = -model.score_samples(X)
    return roc_auc_score(y, outlier_score), average_precision_score(y, outlier_score), seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--datasets", nargs="+", default=None)
    parser.add_argument("--methods", nargs="+", default=None)
    parser.add_argument("--plot", default=None, help="write a PNG of ROC AUC per data set")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    if not ODDS.is_dir():
        print(f"No ODDS data at {ODDS}: nothing to benchmark (see shared/data/README.md).")
        return
    torch.set_num_threads(args.threads)
    names = args.datasets or sorted(p.stem for p in ODDS.glob("*.npz"))
    detectors = {k: v for k, v in methods().items() if not args.methods or k in args.methods}
    auc = {m: {} for m in detectors}
    ap = {m: {} for m in detectors}
    secs = {m: {} for m in detectors}
    for name in names:
        data = np.load(ODDS / f"{name}.npz")
        X, y = data["X"], data["y"]
        for method, make in detectors.items():
            runs = [evaluate(make, X, y, seed) for seed in args.seeds]
            auc[method][name] = statistics.mean(r[0] for r in runs)
            ap[method][name] = statistics.mean(r[1] for r in runs)
            secs[method][name] = statistics.mean(r[2] for r in runs)
        print(f"{name}: " + ", ".join(f"{m} {auc[m][name]:.3f}" for m in detectors),
              file=sys.stderr, flush=True)

    print(f"Seeds {args.seeds}; fit on all rows, scored on all rows; torch threads "
          f"{args.threads}.\n")
    for title, table, fmt in (("ROC AUC", auc, "{:.3f}"), ("Average precision", ap, "{:.3f}"),
                              ("Fit seconds (mean per seed)", secs, "{:.2f}")):
        print(f"### {title}\n")
        print("| data set | " + " | ".join(detectors) + " |")
        print("|---|" + "---|" * len(detectors))
        for name in names:
            print(f"| {name} | " + " | ".join(fmt.format(table[m][name]) for m in detectors)
                  + " |")
        agg = "total" if "seconds" in title else "mean"
        values = [(sum if agg == "total" else statistics.mean)(table[m].values())
                  for m in detectors]
        print(f"| **{agg}** | " + " | ".join(f"**{fmt.format(v)}**" for v in values) + " |\n")

    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(9, 4.5))
        markers = "osD^vxP*"
        for (method, values), marker in zip(auc.items(), markers):
            ax.plot(names, [values[n] for n in names], marker, label=method, alpha=0.8)
        ax.set_ylabel("ROC AUC (mean over seeds)")
        ax.set_title("Unsupervised anomaly detection on ODDS, default parameters")
        ax.tick_params(axis="x", rotation=45)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, ncols=2)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=110)
        print(f"Plot written to {args.plot}", file=sys.stderr)


if __name__ == "__main__":
    main()
