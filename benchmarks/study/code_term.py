"""Half A or B: a Hotelling T^2 term on the code beside today's two score terms.

For each table and seed one fit; the terms are combined on that fit:
R = reconstruction term, N = neighbour term (``score_contributions``), and
T = mean over code units of (h - mean)^2 / var over the training rows (1 on a
typical training row, as the other two). Prints the mean ROC AUC of each mix.

    OMP_NUM_THREADS=1 python benchmarks/study/code_term.py A AE
"""
import sys
import warnings

import numpy as np
import torch

warnings.simplefilter("ignore")
torch.set_num_threads(1)
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from anomaly import HALF_A, HALF_B, table_path
from sklearn.metrics import roc_auc_score

from sklearn_ae import (
    AutoencoderTransformer,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
)

Est = {"AE": AutoencoderTransformer, "DAE": DenoisingAutoencoder,
       "CAE": ContractiveAutoencoder}[sys.argv[2]]
tables = {"A": HALF_A, "B": HALF_B, "all": HALF_A + HALF_B}[sys.argv[1]]
MIXES = {"R+N (today)": (1, 1, 0), "R+N+T": (1, 1, 1), "R+N+T/2": (1, 1, 0.5),
         "R+T": (1, 0, 1), "R": (1, 0, 0), "T": (0, 0, 1)}
means = {k: [] for k in MIXES}
for name in tables:
    data = np.load(table_path(name))
    X, y = data["X"].astype(float), data["y"]
    aucs = {k: [] for k in MIXES}
    for seed in range(3):
        model = Est(random_state=seed).fit(X)
        parts = model.score_contributions(X)
        R, N = parts[:, :-1].sum(axis=1), parts[:, -1]
        H = model.transform(X).astype(np.float64)
        T = (((H - H.mean(axis=0)) ** 2) / np.maximum(H.var(axis=0), 1e-12)).mean(axis=1)
        for k, (a, b, c) in MIXES.items():
            aucs[k].append(roc_auc_score(y, a * R + b * N + c * T))
    for k in MIXES:
        means[k].append(np.mean(aucs[k]))
    print(name, {k: round(np.mean(v), 3) for k, v in aucs.items()}, flush=True)
print("MEAN", {k: round(np.mean(v), 4) for k, v in means.items()})
