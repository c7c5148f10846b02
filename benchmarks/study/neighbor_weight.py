"""Half A or B: the outlier score with the neighbour term weighted by w (DEFAULTS_STUDY.md).

    OMP_NUM_THREADS=1 python benchmarks/study/neighbor_weight.py A AE
"""
import sys, numpy as np, torch, warnings
warnings.simplefilter("ignore")
torch.set_num_threads(1)
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from anomaly import HALF_A, HALF_B, table_path
from sklearn.metrics import roc_auc_score
from sklearn_ae import AutoencoderTransformer, DenoisingAutoencoder
Est = {"AE": AutoencoderTransformer, "DAE": DenoisingAutoencoder}[sys.argv[2]]
tables = HALF_A if sys.argv[1] == "A" else HALF_B
W = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 1e6]
res = {w: [] for w in W}
for name in tables:
    d = np.load(table_path(name)); X, y = d["X"].astype(float), d["y"]
    aucs = {w: [] for w in W}
    for seed in range(3):
        m = Est(random_state=seed).fit(X)
        c = m.score_contributions(X)
        R, N = c[:, :-1].sum(axis=1), c[:, -1]
        for w in W:
            aucs[w].append(roc_auc_score(y, R + w * N))
    for w in W: res[w].append(np.mean(aucs[w]))
    print(name, {w: round(np.mean(v), 3) for w, v in aucs.items()}, flush=True)
print("MEAN", {w: round(np.mean(v), 4) for w, v in res.items()})
