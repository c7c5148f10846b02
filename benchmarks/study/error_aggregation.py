"""Half A or B: other ways to add up the per-column reconstruction errors (session 4).

One fit per table and seed; E = each column's error in units of its typical training
error (``score_contributions``), N the neighbour term. Mixes: today's mean(E) + N, and
max, root mean square and top-3 mean of E (each in units of its training mean) with N.

    OMP_NUM_THREADS=1 python benchmarks/study/error_aggregation.py A AE
"""

import numpy as np
from score_mixes import compare_mixes


def _in_units_of_its_mean(values):
    return values / values.mean()


def mixes_of(model, X):
    parts = model.score_contributions(X)
    N, E = parts[:, -1], parts[:, :-1] * (parts.shape[1] - 1)
    R = E.mean(axis=1)
    M = _in_units_of_its_mean(E.max(axis=1))
    Q = _in_units_of_its_mean(np.sqrt((E**2).mean(axis=1)))
    k = min(3, E.shape[1])
    T = _in_units_of_its_mean(np.sort(E, axis=1)[:, -k:].mean(axis=1))
    return {"today": R + N, "mean+max": R + M + N, "(mean+max)/2": (R + M) / 2 + N,
            "rms": Q + N, "max": M + N, "top3": T + N}


if __name__ == "__main__":
    compare_mixes(mixes_of)
