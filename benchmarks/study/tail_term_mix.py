"""Half A: our score plus an ECOD-like per-column tail term (benchmarks/study/DEFAULTS_STUDY.md).

    OMP_NUM_THREADS=1 python benchmarks/study/tail_term_mix.py A
"""
import sys, numpy as np, torch, warnings
warnings.simplefilter("ignore")
torch.set_num_threads(1)
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from anomaly import HALF_A, HALF_B, table_path
from sklearn.metrics import roc_auc_score
from sklearn_ae import AutoencoderTransformer, DenoisingAutoencoder

def tail_term(X_train, X):
    # per column two-sided empirical tail: -log(min(P(X<=x), P(X>=x)))
    out = np.zeros(len(X))
    n = len(X_train)
    for j in range(X.shape[1]):
        col = np.sort(X_train[:, j])
        le = np.searchsorted(col, X[:, j], side="right")
        ge = n - np.searchsorted(col, X[:, j], side="left")
        p = (np.minimum(le, ge) + 1) / (n + 1)
        out += -np.log(p)
    return out

half = sys.argv[1]
tables = HALF_A if half == "A" else HALF_B
res = {k: [] for k in ["cur", "mix", "tail", "mix_half"]}
for name in tables:
    d = np.load(table_path(name)); X, y = d["X"].astype(float), d["y"]
    if len(X) > 50000:
        continue
    aucs = {k: [] for k in res}
    for seed in range(3):
        m = AutoencoderTransformer(random_state=seed).fit(X)
        cur = -m.score_samples(X)
        t = tail_term(X, X); t = t / t.mean()
        aucs["cur"].append(roc_auc_score(y, cur))
        aucs["tail"].append(roc_auc_score(y, t))
        aucs["mix"].append(roc_auc_score(y, cur + t))
        aucs["mix_half"].append(roc_auc_score(y, cur + 0.5 * t))
    for k in res: res[k].append(np.mean(aucs[k]))
    print(name, {k: round(np.mean(v), 3) for k, v in aucs.items()}, flush=True)
print("MEAN", {k: round(np.mean(v), 4) for k, v in res.items()})
