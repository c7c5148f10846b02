"""Half A or B: other ways to add up the per-column reconstruction errors (session 4).

One fit per table and seed; E = each column's error in units of its typical training
error (``score_contributions``), N the neighbour term. Mixes: today's mean(E) + N, and
max, root mean square and top-3 mean of E (each in units of its training mean) with N.

    OMP_NUM_THREADS=1 python benchmarks/study/error_aggregation.py A AE
"""
import sys
import warnings

import numpy as np
import torch

warnings.simplefilter("ignore"); torch.set_num_threads(1)
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from anomaly import HALF_A, HALF_B, table_path
from sklearn.metrics import roc_auc_score

from sklearn_ae import AutoencoderTransformer, DenoisingAutoencoder

Est = {"AE": AutoencoderTransformer, "DAE": DenoisingAutoencoder}[sys.argv[2]]
tables = {"A": HALF_A, "B": HALF_B}[sys.argv[1]]
def unit(v): return v / v.mean()
MIX = ["today", "mean+max", "(mean+max)/2", "rms", "max", "top3"]
means = {k: [] for k in MIX}
for name in tables:
    d = np.load(table_path(name)); X, y = d["X"].astype(float), d["y"]
    aucs = {k: [] for k in MIX}
    for seed in range(3):
        m = Est(random_state=seed).fit(X)
        c = m.score_contributions(X); N = c[:, -1]; E = c[:, :-1] * (c.shape[1] - 1)
        R = E.mean(1); M = unit(E.max(1)); Q = unit(np.sqrt((E ** 2).mean(1)))
        k = min(3, E.shape[1]); T = unit(np.sort(E, 1)[:, -k:].mean(1))
        s = {"today": R + N, "mean+max": R + M + N, "(mean+max)/2": (R + M) / 2 + N,
             "rms": Q + N, "max": M + N, "top3": T + N}
        for key in MIX: aucs[key].append(roc_auc_score(y, s[key]))
    for key in MIX: means[key].append(np.mean(aucs[key]))
    print(name, {k: round(np.mean(v), 3) for k, v in aucs.items()}, flush=True)
print("MEAN", {k: round(np.mean(v), 4) for k, v in means.items()})
