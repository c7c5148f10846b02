"""Scaling out: partial_fit streaming vs in-memory fit; a grid search on dask vs local.

Run:  OMP_NUM_THREADS=1 python benchmarks/scaling_out.py
Needs the dask extra (pip install -e ".[dask]"); ``--streaming-only`` or ``--search-only``
runs one half. Results: benchmarks/RESULTS.md, section "Scaling out".
"""

import os
import time

import numpy as np
import torch

from sklearn_ae import AutoencoderTransformer, DaskAutoencoder, DenoisingAutoencoder


def data(n, p=32, seed=0):
    rng = np.random.RandomState(seed)
    return (rng.randn(n, 4) @ rng.randn(4, p) + 0.1 * rng.randn(n, p)).astype(np.float32)


def best_of(repeats, function):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def streaming(n_rows=100_000, chunk=10_000, epochs=3):
    import dask.array as da

    X = data(n_rows)
    params = dict(n_components=4, batch_size=256, max_epochs=epochs, random_state=0)

    def in_memory():
        AutoencoderTransformer(**params).fit(X)

    def partial():
        est = AutoencoderTransformer(**params)
        for _ in range(epochs):
            for start in range(0, n_rows, chunk):
                est.partial_fit(X[start : start + chunk])

    def dask_fit():
        DaskAutoencoder(AutoencoderTransformer(**params)).fit(da.from_array(X, chunks=(chunk, -1)))

    X_lazy = da.from_array(X, chunks=(chunk, -1))
    lazy_model = DaskAutoencoder(AutoencoderTransformer(**params)).fit(X_lazy)
    est = lazy_model.estimator_  # the same fitted network, in memory

    def score_numpy():
        est.score_samples(X)

    def score_dask():
        lazy_model.score_samples(X_lazy).compute(scheduler="synchronous")

    rows = n_rows * epochs
    for name, function, n in [
        ("fit (in memory)", in_memory, rows),
        ("partial_fit, 10,000-row chunks", partial, rows),
        ("fit on a dask array, 10,000-row blocks", dask_fit, rows),
        ("score_samples, numpy", score_numpy, n_rows),
        ("score_samples, dask array (synchronous)", score_dask, n_rows),
    ]:
        seconds = best_of(3, function)
        print(f"| {name} | {seconds:.2f} s | {n / seconds:,.0f} rows/s |")


def search():
    from distributed import Client, LocalCluster
    from joblib import parallel_backend
    from sklearn.model_selection import GridSearchCV

    X = data(20_000, 16)
    grid = {"n_components": [2, 4, 8], "noise_level": [0.1, 0.3]}

    def run(n_jobs=None):
        estimator = DenoisingAutoencoder(max_epochs=20, random_state=0)
        return GridSearchCV(estimator, grid, cv=3, n_jobs=n_jobs).fit(X)

    def timed(function):
        start = time.perf_counter()
        result = function()
        return time.perf_counter() - start, result

    t_local, local = timed(run)
    # First call: worker processes start and import torch; second call: warm workers.
    t_loky_cold, _ = timed(lambda: run(n_jobs=2))
    t_loky, _ = timed(lambda: run(n_jobs=2))
    t_startup, cluster = timed(
        lambda: LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
    )
    with cluster, Client(cluster):
        with parallel_backend("dask"):
            t_dask_cold, remote = timed(run)
            t_dask, _ = timed(run)
    same = np.array_equal(local.cv_results_["mean_test_score"], remote.cv_results_["mean_test_score"])
    print(f"| local, n_jobs=1 | {t_local:.1f} s | 1.00 |")
    print(f"| local, n_jobs=2 (loky), first / warm | {t_loky_cold:.1f} / {t_loky:.1f} s | {t_local / t_loky:.2f} |")
    print(
        f"| dask LocalCluster, 2 workers x 1 thread, first / warm | {t_dask_cold:.1f} / "
        f"{t_dask:.1f} s (+ {t_startup:.1f} s cluster start) | {t_local / t_dask:.2f} |"
    )
    print(f"identical cv_results_: {same}")


if __name__ == "__main__":
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, {os.cpu_count()} cores, torch threads 1")
    import sys

    if "--search-only" not in sys.argv:
        streaming()
    if "--streaming-only" not in sys.argv:
        search()
