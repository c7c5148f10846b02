"""Compression in pixel units with standard scaling whose scale is floored (session 4).

Each column is scaled by max(std, alpha * median std) before a ``scaling=None`` fit;
"common" scales every column by the median std. Held-out MSE in the data's units over
PCA's on the raw rows, seed 0.

    python benchmarks/study/scale_floor_compression.py
"""
import sys
import warnings

import numpy as np
import torch

warnings.simplefilter("ignore"); torch.set_num_threads(2)
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from compression import held_out_mse, load_table
from sklearn.decomposition import PCA

from sklearn_ae import AutoencoderTransformer

for name, d in [("mnist", 10), ("mnist", 30), ("digits", 8), ("digits", 16), ("satimage-2", 8), ("musk", 16)]:
    X_tr, X_te, *_ = load_table(name, 0)
    base = held_out_mse(PCA(d).fit(X_tr), X_te)
    mean, sd = X_tr.mean(0), X_tr.std(0)
    med = np.median(sd[sd > 0])
    cells = []
    for alpha in [0.0, 0.1, 0.3, 1.0, None]:
        if alpha is None:
            scale = np.full_like(sd, med)  # one common scale
        else:
            scale = np.maximum(sd, alpha * med); scale[scale == 0] = 1
        m = AutoencoderTransformer(n_components=d, scaling=None, random_state=0).fit((X_tr - mean) / scale)
        Xh = m.inverse_transform(m.transform((X_te - mean) / scale)) * scale + mean
        cells.append(f"{np.mean((X_te - Xh) ** 2) / base:.3f}")
    print(name, d, "floor 0 / 0.1 / 0.3 / 1.0 / common:", " ".join(cells), flush=True)
