"""Fit and scoring time of this checkout against an older one (the composed estimator's check).

Run once per checkout, interleaved, on an idle machine, with the older checkout first on
``PYTHONPATH`` (this file itself imports nothing from the tree it lies in):

    git worktree add /tmp/oldcode e75a89b
    for i in 1 2 3 4 5; do
      PYTHONPATH=/tmp/oldcode python benchmarks/study/composition_speed.py old
      PYTHONPATH=$PWD python benchmarks/study/composition_speed.py new
    done

Prints seconds: the default fit of digits (1,797 x 64), a 5-epoch fit of 20,000 x 64,
its score_samples, transform and score on those rows (each the median of 15 calls after
one to warm up), and the default fit and score_samples of the 2,000-row mixed table
(numbers, categories and holes).
"""

import statistics
import sys
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.datasets import load_digits

from sklearn_ae import AutoencoderTransformer


def mixed_table(n_rows=2000, seed=0):
    """Numbers with holes and two categorical columns (no dependency on either checkout)."""
    rng = np.random.RandomState(seed)
    latent = rng.normal(size=(n_rows, 2))
    numbers = latent @ rng.normal(size=(2, 6)) + 0.1 * rng.normal(size=(n_rows, 6))
    numbers[rng.random_sample(numbers.shape) < 0.08] = np.nan
    table = pd.DataFrame(numbers, columns=[f"x{j}" for j in range(6)])
    table["segment"] = pd.Categorical(np.where(latent[:, 0] > 0, "a", "b"))
    table["channel"] = pd.Categorical(rng.choice(["web", "shop", "phone"], n_rows))
    return table


def timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def median_call(function, repeats=15):
    function()
    return statistics.median(timed(function) for _ in range(repeats))


def main(label):
    warnings.simplefilter("ignore")
    digits = load_digits().data
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20000, 64)) @ rng.normal(size=(64, 64))
    table = mixed_table()
    times = {"digits fit": timed(lambda: AutoencoderTransformer(random_state=0).fit(digits))}
    model = AutoencoderTransformer(16, max_epochs=5, batch_size=256, random_state=0)
    times["20000x64 fit"] = timed(lambda: model.fit(X))
    times["score_samples"] = median_call(lambda: model.score_samples(X))
    times["transform"] = median_call(lambda: model.transform(X))
    times["score"] = median_call(lambda: model.score(X))
    mixed = AutoencoderTransformer(random_state=0)
    times["mixed fit"] = timed(lambda: mixed.fit(table))
    times["mixed score_samples"] = median_call(lambda: mixed.score_samples(table))
    print(label, " ".join(f"{name}={seconds:.3f}" for name, seconds in times.items()))


if __name__ == "__main__":
    main(sys.argv[1])
