"""Half A or B: a Hotelling T^2 term on the code beside today's two score terms.

For each table and seed one fit; the terms are combined on that fit:
R = reconstruction term, N = neighbour term (``score_contributions``), and
T = mean over code units of (h - mean)^2 / var over the training rows (1 on a
typical training row, as the other two). Prints the mean ROC AUC of each mix.

    OMP_NUM_THREADS=1 python benchmarks/study/code_term.py A AE
"""

import numpy as np
from score_mixes import compare_mixes

MIXES = {"R+N (today)": (1, 1, 0), "R+N+T": (1, 1, 1), "R+N+T/2": (1, 1, 0.5),
         "R+T": (1, 0, 1), "R": (1, 0, 0), "T": (0, 0, 1)}


def mixes_of(model, X):
    parts = model.score_contributions(X)
    R, N = parts[:, :-1].sum(axis=1), parts[:, -1]
    H = model.transform(X).astype(np.float64)
    T = (((H - H.mean(axis=0)) ** 2) / np.maximum(H.var(axis=0), 1e-12)).mean(axis=1)
    return {k: a * R + b * N + c * T for k, (a, b, c) in MIXES.items()}


if __name__ == "__main__":
    compare_mixes(mixes_of)
