"""Half A or B: isolation in the learned representation beside today's score (issue 13).

For each table and seed one fit; on it an IsolationForest (its defaults, the same seed)
is fitted on the code ``H`` (and on the code with the log reconstruction term), on the
scaled residuals ``z - z_hat`` and on the code with the residuals (a representation in
the spirit of Deep Isolation Forest), and the scores are mixed with today's ``R + N`` by
averaging ranks. ``IF(X)`` is an IsolationForest on the inputs, for reference. Prints the
mean ROC AUC of each mix.

    OMP_NUM_THREADS=1 python benchmarks/study/isolation_code.py A AE
"""

import numpy as np
from scipy.stats import rankdata
from score_mixes import compare_mixes
from sklearn.ensemble import IsolationForest


def _rank(values):
    return rankdata(values) / len(values)


def _isolation(Z, seed):
    return -IsolationForest(random_state=seed).fit(Z).score_samples(Z)


def mixes_of(model, X):
    parts = model.score_contributions(X)
    R, N = parts[:, :-1].sum(axis=1), parts[:, -1]
    H = model.transform(X).astype(np.float64)
    seed = model.random_state
    on_code = _isolation(H, seed)
    on_code_and_error = _isolation(np.column_stack([H, np.log(R + 1e-9)]), seed)
    on_inputs = _isolation(X, seed)
    scaled = X if model.scaler_ is None else model.scaler_.transform(X)
    reconstructed = model.reconstruct(X)
    if model.scaler_ is not None:
        reconstructed = model.scaler_.transform(reconstructed)
    residuals = scaled - reconstructed
    on_residuals = _isolation(residuals, seed)
    on_code_and_residuals = _isolation(np.column_stack([H, residuals]), seed)
    today = R + N
    return {"R+N (today)": today, "IF(H)": on_code, "IF(H, log R)": on_code_and_error,
            "IF(X)": on_inputs, "rank(R+N) + rank(IF(H))": _rank(today) + _rank(on_code),
            "rank(R+N) + rank(IF(H, log R))": _rank(today) + _rank(on_code_and_error),
            "rank(R+N) + rank(IF(X))": _rank(today) + _rank(on_inputs),
            "IF(residuals)": on_residuals, "IF(H, residuals)": on_code_and_residuals,
            "rank(R+N) + rank(IF(residuals))": _rank(today) + _rank(on_residuals),
            "rank(R+N) + rank(IF(H, residuals))": _rank(today) + _rank(on_code_and_residuals)}


if __name__ == "__main__":
    compare_mixes(mixes_of)
