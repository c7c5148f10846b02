"""Fit and inference time of this checkout against an older commit (issue 12's check).

Run once per checkout, interleaved, one torch thread, on an idle machine; the older
checkout has no ``n_neighbors`` and trains at lr 1e-3, so this one is run with the
neighbour term off and that learning rate (same network, same number of steps):

    git worktree add /tmp/oldcode 8ba04b8
    for i in 1 2 3 4 5; do
      (cd /tmp/oldcode && OMP_NUM_THREADS=1 python $PWD/benchmarks/study/refactor_speed.py old)
      OMP_NUM_THREADS=1 python benchmarks/study/refactor_speed.py new
    done

Prints seconds: fit of 20000 x 64 (5 epochs, batch 256), score_samples + transform of
those rows, and a 300 x 9 fit of 63 epochs (about 1000 steps).
"""

import sys
import time
import warnings

import numpy as np
import torch

from sklearn_ae import AutoencoderTransformer

warnings.simplefilter("ignore")
torch.set_num_threads(1)
extra = {"n_neighbors": 0, "lr": 1e-3} if sys.argv[1:] == ["new"] else {}
rng = np.random.RandomState(0)
X = rng.normal(size=(20000, 64)) @ rng.normal(size=(64, 64))
start = time.perf_counter()
model = AutoencoderTransformer(16, max_epochs=5, batch_size=256, random_state=0, **extra).fit(X)
fit = time.perf_counter() - start
start = time.perf_counter()
model.score_samples(X)
model.transform(X)
inference = time.perf_counter() - start
start = time.perf_counter()
AutoencoderTransformer(max_epochs=63, random_state=0, **extra).fit(X[:300, :9])
small = time.perf_counter() - start
print(f"{sys.argv[1]} fit {fit:.3f} inference {inference:.3f} small fit {small:.3f}")
