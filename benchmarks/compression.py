"""Compression: our estimator with only ``n_components`` set against PCA (and KernelPCA).

For each table and code size d: fit on the training rows, reconstruct held-out rows,
and report the held-out reconstruction MSE of the autoencoder divided by PCA's, in two
spaces:

* **raw**: the original units (MNIST: pixel intensities in [0, 1]): the autoencoder
  and PCA are both fit on the raw rows, as a drop-in replacement of ``PCA(d)`` would be.
* **scaled**: a Pipeline's ``StandardScaler`` first, then the autoencoder or PCA, both
  fit on the standardized training rows and judged in that space.

The autoencoder's reconstruction is ``inverse_transform(transform(X))`` in both, so
the ratios do not depend on the scaling the estimator applies inside. Where the table
has class labels, a logistic regression (standardized code, ``max_iter=2000``) is
trained on the training codes and scored on the held-out codes, for the autoencoder
fit on raw rows (``acc_ae``) and for PCA fit on standardized (``acc_pca``) and raw
(``acc_pca_raw``) rows. KernelPCA (RBF, ``gamma=1/p``,
``fit_inverse_transform=True``) is fit in the scaled space where the training rows
number at most ``--kpca-max-rows`` (its n x n kernel must fit in memory and time).

Tables: MNIST sample (../shared/data/mnist t10k: first 8000 images train, last 2000
held out; d = 10, 30); scikit-learn's digits (1797 x 64, 80/20 seeded split; d = 8,
16); ODDS satimage-2 (5803 x 36; d = 8) and musk (3062 x 166; d = 16), 80/20 seeded
split, labels not used (they mark outliers, not classes); ODDS letter (1600 x 32; d = 8)
and optdigits (5216 x 64; d = 8), the same way; scikit-learn's breast cancer (569 x 30;
d = 4), labels used.

Usage::

    python benchmarks/compression.py [--params '{...}'] [--tables mnist digits ...]
        [--seed 0] [--threads 2]
"""

import argparse
import gzip
import json
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.decomposition import PCA, KernelPCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_ae import AutoencoderTransformer

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def load_mnist():
    folder = DATA / "mnist"
    with gzip.open(folder / "t10k-images-idx3-ubyte.gz") as f:
        X = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784) / 255.0
    with gzip.open(folder / "t10k-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    return X[:8000], X[8000:], y[:8000], y[8000:]


def split(X, y, seed, labels):
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=seed)
    return X_tr, X_te, (y_tr if labels else None), (y_te if labels else None)


def load_table(name, seed):
    if name == "mnist":
        return load_mnist()
    if name == "digits":
        X, y = load_digits(return_X_y=True)
        return split(X.astype(np.float64), y, seed, True)
    if name == "breast_cancer":
        X, y = load_breast_cancer(return_X_y=True)
        return split(X, y, seed, True)
    data = np.load(DATA / "odds" / f"{name}.npz")
    return split(data["X"].astype(np.float64), data["y"], seed, False)


CODE_SIZES = {"mnist": [10, 30], "digits": [8, 16], "satimage-2": [8], "musk": [16],
              "letter": [8], "optdigits": [8],
              "breast_cancer": [4]}


def downstream_accuracy(code_train, code_test, y_train, y_test):
    clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    return clf.fit(code_train, y_train).score(code_test, y_test)


def held_out_mse(model, X_test):
    return np.mean((X_test - model.inverse_transform(model.transform(X_test))) ** 2)


def run(name, d, params, seed, kpca_max_rows):
    X_tr, X_te, y_tr, y_te = load_table(name, seed)
    scaler = StandardScaler().fit(X_tr)
    S_tr, S_te = scaler.transform(X_tr), scaler.transform(X_te)
    row = {"table": name, "n_train": len(X_tr), "p": X_tr.shape[1], "d": d}

    start = time.perf_counter()
    ae = AutoencoderTransformer(n_components=d, random_state=seed, **params).fit(X_tr)
    row["ae_fit_s"] = time.perf_counter() - start
    row["ae_epochs"] = ae.n_iter_
    ae_raw = held_out_mse(ae, X_te)
    # The scaled space is a Pipeline's: StandardScaler, then the estimator, for both.
    ae_s = AutoencoderTransformer(n_components=d, random_state=seed, **params).fit(S_tr)
    ae_scaled = held_out_mse(ae_s, S_te)

    start = time.perf_counter()
    pca_s = PCA(d, random_state=seed).fit(S_tr)
    row["pca_fit_s"] = time.perf_counter() - start
    pca_scaled = held_out_mse(pca_s, S_te)
    pca_r = PCA(d, random_state=seed).fit(X_tr)
    pca_raw = held_out_mse(pca_r, X_te)
    row["ratio_scaled"] = ae_scaled / pca_scaled
    row["ratio_raw"] = ae_raw / pca_raw

    if len(X_tr) <= kpca_max_rows:
        kpca = KernelPCA(d, kernel="rbf", gamma=1.0 / X_tr.shape[1],
                         fit_inverse_transform=True, random_state=seed).fit(S_tr)
        kpca_scaled = np.mean((S_te - kpca.inverse_transform(kpca.transform(S_te))) ** 2)
        row["kpca_ratio_scaled"] = kpca_scaled / pca_scaled
    else:
        row["kpca_ratio_scaled"] = float("nan")

    if y_tr is not None:
        row["acc_ae"] = downstream_accuracy(ae.transform(X_tr), ae.transform(X_te), y_tr, y_te)
        row["acc_pca"] = downstream_accuracy(pca_s.transform(S_tr), pca_s.transform(S_te),
                                             y_tr, y_te)
        row["acc_pca_raw"] = downstream_accuracy(pca_r.transform(X_tr), pca_r.transform(X_te),
                                                 y_tr, y_te)
    else:
        row["acc_ae"] = row["acc_pca"] = row["acc_pca_raw"] = float("nan")
    return row


COLUMNS = ["table", "n_train", "p", "d", "ratio_scaled", "ratio_raw", "kpca_ratio_scaled",
           "acc_ae", "acc_pca", "acc_pca_raw", "ae_fit_s", "ae_epochs", "pca_fit_s"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--params", default="{}")
    parser.add_argument("--tables", nargs="+", default=list(CODE_SIZES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--kpca-max-rows", type=int, default=5000)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    params = json.loads(args.params)
    print(f"params {args.params}; seed {args.seed}; torch threads {args.threads}\n")
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for name in args.tables:
        for d in CODE_SIZES[name]:
            row = run(name, d, params, args.seed, args.kpca_max_rows)
            cells = [f"{row[c]:.3f}" if isinstance(row[c], float) else str(row[c])
                     for c in COLUMNS]
            print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
