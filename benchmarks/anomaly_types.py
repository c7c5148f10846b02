"""Four kinds of synthetic anomalies on the development tables (ADBench's protocol).

Following ADBench (Han et al., NeurIPS 2022, section 4.3), the labelled anomalies of
each table are dropped and new ones are generated from its inliers, one kind at a
time:

* **local**: a Gaussian mixture fitted to the inliers (number of components chosen by
  BIC among 1-5), sampled with every covariance scaled by 5;
* **clustered**: the same mixture with every mean scaled by 5 (and its own
  covariances), so the anomalies form tight groups away from the data;
* **global**: uniform over each column's range widened by 10 % on either side;
* **dependency**: each column drawn on its own from the inliers' values of that
  column (a random row per column), so every value is ordinary and only the
  relations between columns break.

Per table and kind: inliers min-max scaled (on the inliers), 5 % anomalies added,
a stratified 70/30 split, every method fit on the 70 % (labels unused) and scored on
the 30 %; ROC AUC and average precision. Methods: our three estimators at their
defaults, IsolationForest, and PyOD's KNN and ECOD at theirs (the ``bench`` extra).
Tables: the 24 development tables but the two largest (skin, cover), at most
``--max-rows`` inliers each (a seeded sample).

Usage::

    python benchmarks/anomaly_types.py [--seeds 0 1 2] [--tables ...] [--csv FILE]

Prints one markdown table of mean ROC AUC and average precision per kind and method.
"""

import argparse
import csv
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split

sys.path.insert(0, str(Path(__file__).resolve().parent))

from anomaly import HALF_A, HALF_B, LARGE, table_path

from sklearn_ae import AutoencoderTransformer, ContractiveAutoencoder, DenoisingAutoencoder

KINDS = ("local", "clustered", "global", "dependency")
ANOMALY_SHARE = 0.05
SCALE = 5.0


def fit_mixture(X, seed):
    best, best_bic = None, np.inf
    for k in range(1, 6):
        mixture = GaussianMixture(k, covariance_type="full", reg_covar=1e-6,
                                  random_state=seed).fit(X)
        bic = mixture.bic(X)
        if bic < best_bic:
            best, best_bic = mixture, bic
    return best


def make_anomalies(kind, X, n, rng, seed):
    if kind in ("local", "clustered"):
        mixture = fit_mixture(X, seed)
        if kind == "local":
            mixture.covariances_ = mixture.covariances_ * SCALE
        else:
            mixture.means_ = mixture.means_ * SCALE
        mixture.precisions_cholesky_ = np.linalg.cholesky(
            np.linalg.inv(mixture.covariances_))
        mixture.random_state = seed
        return mixture.sample(n)[0]
    if kind == "global":
        low, high = X.min(axis=0), X.max(axis=0)
        pad = 0.1 * (high - low)
        return rng.uniform(low - pad, high + pad, size=(n, X.shape[1]))
    rows = rng.integers(0, len(X), size=(n, X.shape[1]))  # one row per cell
    return X[rows, np.arange(X.shape[1])]


def load_inliers(name, max_rows, rng):
    data = np.load(table_path(name))
    X = data["X"][data["y"] == 0].astype(np.float64)
    if len(X) > max_rows:
        X = X[rng.choice(len(X), max_rows, replace=False)]
    low, span = X.min(axis=0), np.ptp(X, axis=0)
    return (X - low) / np.where(span > 0, span, 1.0)


class PyOD:
    def __init__(self, name):
        self.name = name

    def fit(self, X):
        if self.name == "KNN":
            from pyod.models.knn import KNN
            self.model_ = KNN()
        else:
            from pyod.models.ecod import ECOD
            self.model_ = ECOD()
        self.model_.fit(X)
        return self

    def oddity(self, X):
        return self.model_.decision_function(X)


def methods(seed):
    return {
        "AE": lambda: AutoencoderTransformer(random_state=seed),
        "DAE": lambda: DenoisingAutoencoder(random_state=seed),
        "CAE": lambda: ContractiveAutoencoder(random_state=seed),
        "IF": lambda: IsolationForest(random_state=seed),
        "KNN": lambda: PyOD("KNN"),
        "ECOD": lambda: PyOD("ECOD"),
    }


def oddity(model, X):
    if isinstance(model, PyOD):
        return model.oddity(X)
    return -model.score_samples(X)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--tables", nargs="+", default=None)
    parser.add_argument("--methods", nargs="+", default=None)
    parser.add_argument("--max-rows", type=int, default=5000)
    parser.add_argument("--csv", default=None)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    torch.set_num_threads(1)
    tables = args.tables or [t for t in HALF_A + HALF_B if t not in LARGE]
    rows = []
    for seed in args.seeds:
        makers = methods(seed)
        names = args.methods or list(makers)
        for table in tables:
            for kind in KINDS:
                rng = np.random.default_rng(seed)
                inliers = load_inliers(table, args.max_rows, rng)
                n_odd = max(2, round(ANOMALY_SHARE / (1 - ANOMALY_SHARE) * len(inliers)))
                odd = make_anomalies(kind, inliers, n_odd, rng, seed)
                X = np.vstack([inliers, odd])
                y = np.r_[np.zeros(len(inliers)), np.ones(len(odd))]
                X_fit, X_test, _, y_test = train_test_split(
                    X, y, test_size=0.3, stratify=y, random_state=seed)
                for name in names:
                    started = time.perf_counter()
                    model = makers[name]().fit(X_fit)
                    score = oddity(model, X_test)
                    seconds = time.perf_counter() - started
                    rows.append(dict(table=table, kind=kind, method=name, seed=seed,
                                     roc_auc=roc_auc_score(y_test, score),
                                     average_precision=average_precision_score(y_test, score),
                                     seconds=seconds))
                print(f"# {table} {kind} seed {seed}: " + ", ".join(
                    f"{r['method']} {r['roc_auc']:.3f}" for r in rows[-len(names):]),
                    file=sys.stderr, flush=True)
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    names = list(dict.fromkeys(r["method"] for r in rows))
    print(f"{len(tables)} tables, seeds {args.seeds}; mean ROC AUC / average precision "
          "over tables (each table's mean over seeds)\n")
    print("| kind | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for kind in KINDS:
        cells = []
        for name in names:
            per_table = [
                (statistics.mean(r["roc_auc"] for r in rows
                                 if r["kind"] == kind and r["method"] == name and r["table"] == t),
                 statistics.mean(r["average_precision"] for r in rows
                                 if r["kind"] == kind and r["method"] == name and r["table"] == t))
                for t in tables
            ]
            cells.append(f"{np.mean([p[0] for p in per_table]):.3f} / "
                         f"{np.mean([p[1] for p in per_table]):.3f}")
        print(f"| {kind} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
