"""Which code size each way of searching picks: score vs d, per dataset.

For every data set and code size d, 3-fold cross-validated:

- ``score``: ``AutoencoderTransformer.score`` (held-out imputation of hidden entries);
- ``pca``: ``PCA(d).score`` (held-out log-likelihood of probabilistic PCA);
- ``-mse``: minus the held-out reconstruction error (the naive criterion);
- ``accuracy``: ``Pipeline([autoencoder, LogisticRegression])`` (labels as classes);
- ``auc``: ``outlier_scorer("roc_auc")`` on labelled anomalies (class 0
  subsampled to about 10 % of the rows is the outlier class; stratified folds).

The autoencoder is the tied linear one trained by L-BFGS (PCA's subspace,
seconds per search); ``--nonlinear`` uses the default tanh autoencoder instead.
Real data sets are standardized (the estimators' ``scaling="standard"``; PCA
inside a pipeline with ``StandardScaler``); the synthetic one is rank 4 plus
isotropic noise, left unscaled so that probabilistic PCA's model holds.

    OMP_NUM_THREADS=1 python benchmarks/model_selection.py > benchmarks/model_selection.md
"""

import argparse
import time

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_ae import AutoencoderTransformer, outlier_scorer

LINEAR = dict(hidden_layer_sizes=(), activation="linear", tied_weights=True,
              optimizer="lbfgs", max_epochs=30, random_state=0)
NONLINEAR = dict(max_epochs=100, random_state=0)


def low_rank(n=600, p=20, d=4, noise=0.5, seed=0):
    rng = np.random.RandomState(seed)
    H = rng.normal(size=(n, d)) * np.linspace(3, 1.5, d)
    return H @ rng.normal(size=(d, p)) + noise * rng.normal(size=(n, p))


def datasets():
    X, y = load_wine(return_X_y=True)
    yield "synthetic (p=20, true d=4)", low_rank(), None, None, range(1, 11)
    yield "wine (p=13)", X, y, 0, range(1, 13)
    X, y = load_breast_cancer(return_X_y=True)
    yield "breast_cancer (p=30)", X, y, 0, [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25]
    X, y = load_digits(return_X_y=True)
    yield "digits (p=64)", X, y, 0, [2, 4, 6, 8, 10, 12, 16, 20, 24, 32, 48]


def anomalies(X, y, outlier_class, share=0.1, seed=0):
    """Inliers: every other class; outliers: a subsample of ``outlier_class``."""
    rng = np.random.RandomState(seed)
    inliers = np.flatnonzero(y != outlier_class)
    candidates = np.flatnonzero(y == outlier_class)
    n_out = min(len(candidates), int(share * len(inliers) / (1 - share)))
    outliers = rng.choice(candidates, n_out, replace=False)
    rows = np.r_[inliers, outliers]
    return X[rows], np.r_[np.zeros(len(inliers), int), np.ones(n_out, int)]


def compute(nonlinear=False):
    settings = NONLINEAR if nonlinear else LINEAR
    results = {}
    for name, X, y, outlier_class, ds in datasets():
        ds = list(ds)
        scaling = None if y is None else "standard"
        ae = AutoencoderTransformer(scaling=scaling, **settings)
        grid = {"n_components": ds}
        rows = {}
        # Shuffled folds: wine and breast_cancer are sorted by class.
        cv = KFold(3, shuffle=True, random_state=0)
        search = GridSearchCV(ae, grid, cv=cv).fit(X)
        rows["score"] = search.cv_results_["mean_test_score"]
        pca = PCA() if y is None else make_pipeline(StandardScaler(), PCA())
        key = "n_components" if y is None else "pca__n_components"
        rows["pca"] = GridSearchCV(pca, {key: ds}, cv=cv).fit(X).cv_results_["mean_test_score"]
        rows["-mse"] = GridSearchCV(
            ae, grid, cv=cv, scoring=lambda est, X_, y_=None: -est.reconstruction_error(X_).mean()
        ).fit(X).cv_results_["mean_test_score"]
        if y is not None:
            pipe = make_pipeline(ae, LogisticRegression(max_iter=1000))
            folds = StratifiedKFold(3, shuffle=True, random_state=0)
            rows["accuracy"] = GridSearchCV(
                pipe, {"autoencodertransformer__n_components": ds}, cv=folds
            ).fit(X, y).cv_results_["mean_test_score"]
            X_out, y_out = anomalies(X, y, outlier_class)
            rows["auc"] = GridSearchCV(ae, grid, cv=folds, scoring=outlier_scorer("roc_auc")
                                       ).fit(X_out, y_out).cv_results_["mean_test_score"]
        results[name] = (ds, rows)
    return results


def report(results, seconds, nonlinear):
    model = ("default tanh autoencoder, 100 epochs" if nonlinear
             else "tied linear autoencoder, L-BFGS, 30 epochs")
    print(f"# Code size chosen by each criterion ({model}; shuffled 3-fold CV)\n")
    print("Bold: the best d in each row. `score` is `AutoencoderTransformer.score`.\n")
    chosen = {}
    for name, (ds, rows) in results.items():
        print(f"## {name}\n")
        print("| criterion | " + " | ".join(f"d={d}" for d in ds) + " |")
        print("|---|" + "---|" * len(ds))
        for key, values in rows.items():
            best = int(np.argmax(values))
            cells = [f"**{v:.3f}**" if i == best else f"{v:.3f}" for i, v in enumerate(values)]
            print(f"| {key} | " + " | ".join(cells) + " |")
            chosen.setdefault(name, {})[key] = ds[best]
        print()
    keys = ["score", "pca", "-mse", "accuracy", "auc"]
    print("## Chosen d\n")
    print("| data set | " + " | ".join(keys) + " |")
    print("|---|" + "---|" * len(keys))
    for name, picks in chosen.items():
        print(f"| {name} | " + " | ".join(str(picks.get(k, "-")) for k in keys) + " |")
    print(f"\n{seconds:.0f} s, torch threads: 1.")


if __name__ == "__main__":
    import torch

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nonlinear", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    start = time.perf_counter()
    results = compute(args.nonlinear)
    report(results, time.perf_counter() - start, args.nonlinear)
