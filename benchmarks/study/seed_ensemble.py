"""Half A or B: what averaging the scores of K fits with different seeds would gain.

For each table, 2K fits (seeds 0 .. 2K-1) at the defaults; the ROC AUC of each fit's
``-score_samples`` against the mean ROC AUC of two ensembles (seeds 0..K-1 and K..2K-1,
scores averaged; the terms are in units of a typical training row, so they add up).
An upper bound on what "cheap ensembles of small nets trained as one batched module"
(issue 13, idea 4) could give before paying for the batched module.

    OMP_NUM_THREADS=1 python benchmarks/study/seed_ensemble.py A AE 3
"""

import sys
import warnings

import numpy as np
import torch
from score_mixes import ESTIMATORS, HALVES, table_path
from sklearn.metrics import roc_auc_score


def main(half, estimator, members):
    warnings.simplefilter("ignore")
    torch.set_num_threads(1)
    single, ensemble = [], []
    for name in HALVES[half]:
        data = np.load(table_path(name))
        X, y = data["X"].astype(float), data["y"]
        scores = [-ESTIMATORS[estimator](random_state=seed).fit(X).score_samples(X)
                  for seed in range(2 * members)]
        single.append(np.mean([roc_auc_score(y, s) for s in scores]))
        ensemble.append(np.mean([
            roc_auc_score(y, np.mean(scores[i * members:(i + 1) * members], axis=0))
            for i in range(2)]))
        print(name, round(single[-1], 3), round(ensemble[-1], 3), flush=True)
    print(f"MEAN single fit {np.mean(single):.4f}, ensemble of {members} {np.mean(ensemble):.4f}")


if __name__ == "__main__":
    half, estimator = sys.argv[1:3]
    main(half, estimator, int(sys.argv[3]) if len(sys.argv) > 3 else 3)
