"""Half A, B or all: each of the score's two terms alone, their sum, and Mahalanobis.

R = the reconstruction term, N = the neighbour term (``score_contributions``), R + N
today's score; M = the squared Mahalanobis distance in the scaled input space (every
principal axis weighted by the inverse of its variance), a linear baseline in the same
units. Shows what the autoencoder adds to its own neighbour term.

    OMP_NUM_THREADS=1 python benchmarks/study/score_terms.py all AE
"""

import numpy as np
from score_mixes import compare_mixes


def mahalanobis(model, X):
    Z = X if model.scaler_ is None else model.scaler_.transform(X)
    Z = Z[:, Z.std(axis=0) > 1e-9]
    variances, axes = np.linalg.eigh(np.cov(Z, rowvar=False))
    kept = variances > 1e-6 * variances.max()
    projected = (Z - Z.mean(axis=0)) @ axes[:, kept]
    return (projected**2 / variances[kept]).sum(axis=1)


def mixes_of(model, X):
    parts = model.score_contributions(X)
    R, N = parts[:, :-1].sum(axis=1), parts[:, -1]
    return {"R": R, "N": N, "R+N (today)": R + N, "M": mahalanobis(model, X)}


if __name__ == "__main__":
    compare_mixes(mixes_of)
