"""Compression at the default budget for a few settings (DEFAULTS_STUDY.md, session 4).

Held-out reconstruction MSE over PCA's, scaled space (a StandardScaler first, both
models fit on the standardized rows), seed 0, two torch threads. Each JSON object is a
set of parameters; ``"width": k`` stands for ``hidden_layer_sizes=(k * d,)``.

    python benchmarks/study/compression_sweep.py '[{}, {"lr": 0.01}, {"width": 4}]'
"""
import json
import sys
import time
import warnings
from pathlib import Path

import torch
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from compression import held_out_mse, load_table

from sklearn_ae import AutoencoderTransformer

warnings.simplefilter("ignore")
torch.set_num_threads(2)
CASES = [("mnist", 10), ("mnist", 30), ("digits", 8), ("digits", 16), ("satimage-2", 8),
         ("musk", 16)]

for name, d in CASES:
    X_train, X_test, *_ = load_table(name, 0)
    scaler = StandardScaler().fit(X_train)
    S_train, S_test = scaler.transform(X_train), scaler.transform(X_test)
    pca_error = held_out_mse(PCA(d).fit(S_train), S_test)
    cells = []
    for params in json.loads(sys.argv[1]):
        params = dict(params)
        width = params.pop("width", None)
        if width:
            params["hidden_layer_sizes"] = (int(width * d),)
        start = time.perf_counter()
        model = AutoencoderTransformer(n_components=d, random_state=0, **params).fit(S_train)
        ratio = held_out_mse(model, S_test) / pca_error
        cells.append(f"{ratio:.3f} ({time.perf_counter() - start:.1f} s)")
    print(name, d, " | ".join(cells), flush=True)
