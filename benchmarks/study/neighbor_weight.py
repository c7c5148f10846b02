"""Half A or B: the outlier score with the neighbour term weighted by w (DEFAULTS_STUDY.md).

    OMP_NUM_THREADS=1 python benchmarks/study/neighbor_weight.py A AE
"""

from score_mixes import compare_mixes

WEIGHTS = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 1e6]


def mixes_of(model, X):
    parts = model.score_contributions(X)
    R, N = parts[:, :-1].sum(axis=1), parts[:, -1]
    return {w: R + w * N for w in WEIGHTS}


if __name__ == "__main__":
    compare_mixes(mixes_of)
