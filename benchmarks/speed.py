"""Training speed of sklearn_ae against the loops a user would otherwise run.

Every method trains the same network (n_features -> 64 -> 16 -> 64 -> n_features, ReLU,
Adam 1e-3, batch 256) on the same standardized float32 data for the same number of
epochs, in one process. Runs are interleaved (method A, B, C, A, B, C, ...) and the
median milliseconds per epoch are reported, with ratios to the plain torch loop.

Usage::

    python benchmarks/speed.py --threads 1 2 --repeats 3

Run it alone: a second busy process on a 2-core machine slows torch epochs by
orders of magnitude and makes every ratio meaningless.
"""

import argparse
import os
import platform
import statistics
import time

import numpy as np
import torch
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.preprocessing import StandardScaler
from skorch import NeuralNet
from torch import nn

from sklearn_ae import AutoencoderTransformer
from sklearn_ae._modules import AutoencoderModule

HIDDEN, CODE, BATCH, LR = (64,), 16, 256, 1e-3


def make_data(n_rows, n_features, seed=0):
    rng = np.random.RandomState(seed)
    latent = rng.normal(size=(n_rows, 8))
    X = np.tanh(latent @ rng.normal(size=(8, n_features))) + 0.1 * rng.normal(
        size=(n_rows, n_features)
    )
    return StandardScaler().fit_transform(X).astype(np.float32)


def plain_torch(X, epochs):
    """The loop a user writes: one tensor, randperm, slice, step."""
    torch.manual_seed(0)
    module = AutoencoderModule(X.shape[1], CODE, HIDDEN, activation="relu")
    optimizer = torch.optim.Adam(module.parameters(), lr=LR)
    X_t = torch.as_tensor(X)
    for _ in range(epochs):
        order = torch.randperm(len(X_t))
        for start in range(0, len(X_t), BATCH):
            batch = X_t[order[start : start + BATCH]]
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(module(batch), batch)
            loss.backward()
            optimizer.step()


def ours(X, epochs):
    AutoencoderTransformer(
        CODE, hidden_layer_sizes=HIDDEN, activation="relu", batch_size=BATCH,
        max_epochs=epochs, tol=0.0, patience=epochs, scaling=None, random_state=0,
    ).fit(X)


def skorch_default(X, epochs):
    """skorch as documented: Dataset + DataLoader, target passed as y=X."""
    torch.manual_seed(0)
    NeuralNet(
        AutoencoderModule, module__n_features=X.shape[1], module__n_components=CODE,
        module__hidden_layer_sizes=HIDDEN, module__activation="relu",
        criterion=nn.MSELoss, optimizer=torch.optim.Adam, lr=LR, batch_size=BATCH,
        max_epochs=epochs, train_split=None, iterator_train__shuffle=True, verbose=0,
    ).fit(X, X)


def pyod_autoencoder(X, epochs):
    from pyod.models.auto_encoder import AutoEncoder

    AutoEncoder(
        hidden_neuron_list=[64, 16], hidden_activation_name="relu", batch_norm=False,
        dropout_rate=0.0, epoch_num=epochs, batch_size=BATCH, lr=LR,
        preprocessing=False, verbose=0, random_state=0,
    ).fit(X)


def pca_fit(X, epochs):
    PCA(min(CODE, X.shape[1])).fit(X)


def iforest_fit(X, epochs):
    IsolationForest(random_state=0).fit(X)


def time_once(method, X, epochs):
    start = time.perf_counter()
    method(X, epochs)
    return (time.perf_counter() - start) * 1000 / epochs


def inference(repeats):
    """transform of 2,000,000 x 64 rows: tied linear autoencoder vs PCA.transform."""
    X = make_data(2_000_000, 64)
    X64 = X.astype(np.float64)
    fit_rows = X64[:20_000]
    ae = AutoencoderTransformer(
        CODE, hidden_layer_sizes=(), activation="linear", tied_weights=True,
        optimizer="lbfgs", scaling=None, random_state=0,
    ).fit(fit_rows)
    deep = AutoencoderTransformer(
        CODE, hidden_layer_sizes=HIDDEN, activation="relu", max_epochs=1, scaling=None,
        random_state=0,
    ).fit(fit_rows)
    pca = PCA(CODE).fit(fit_rows)
    methods = {"PCA.transform": pca.transform, "tied linear AE transform": ae.transform,
               "64-64-16 ReLU AE transform": deep.transform,
               "64-64-16 ReLU AE score_samples": deep.score_samples}
    times = {name: [] for name in methods}
    for _ in range(repeats):
        for name, method in methods.items():
            start = time.perf_counter()
            method(X64)
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times["PCA.transform"])
    print("\n| 2,000,000 x 64 float64 | seconds (median) | rows/s | time vs PCA.transform |")
    print("|---|---|---|---|")
    for name, values in times.items():
        med = statistics.median(values)
        print(f"| {name} | {med:.2f} | {len(X) / med:,.0f} | {med / base:.2f} |")


def row_scaling(repeats):
    """Seconds for one epoch of fit at 10k, 100k and 1M rows (64 features)."""
    print("\n| rows | fit seconds, 1 epoch (median) | microseconds per row |")
    print("|---|---|---|")
    for n_rows in (10_000, 100_000, 1_000_000):
        X = make_data(n_rows, 64)
        values = []
        for _ in range(repeats):
            start = time.perf_counter()
            ours(X, 1)
            values.append(time.perf_counter() - start)
        med = statistics.median(values)
        print(f"| {n_rows:,} | {med:.2f} | {med / n_rows * 1e6:.1f} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--shapes", nargs="+", default=["20000x64", "20000x10", "5000x784"])
    parser.add_argument("--skip-inference", action="store_true")
    parser.add_argument("--skip-scaling", action="store_true")
    args = parser.parse_args()

    methods = {"plain torch": plain_torch, "sklearn_ae": ours, "skorch default": skorch_default}
    try:
        import pyod  # noqa: F401

        methods["PyOD AutoEncoder"] = pyod_autoencoder
    except ImportError:
        print("PyOD not installed (pip install -e '.[bench]'): its row is skipped")
    methods.update({"PCA fit (whole)": pca_fit, "IsolationForest fit (whole)": iforest_fit})

    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"torch {torch.__version__}, python {platform.python_version()}")
    print("| data | threads | method | ms/epoch (median) | ratio to plain torch |")
    print("|---|---|---|---|---|")
    for shape in args.shapes:
        n_rows, n_features = map(int, shape.split("x"))
        X = make_data(n_rows, n_features)
        for threads in args.threads:
            torch.set_num_threads(threads)
            for method in methods.values():  # warm-up, not timed
                method(X[:512], 1)
            times = {name: [] for name in methods}
            for _ in range(args.repeats):
                for name, method in methods.items():
                    times[name].append(time_once(method, X, args.epochs))
            base = statistics.median(times["plain torch"])
            for name, values in times.items():
                med = statistics.median(values)
                unit = f"{med * args.epochs:.1f} ms total" if "whole" in name else f"{med:.1f}"
                print(f"| {shape} | {threads} | {name} | {unit} | "
                      f"{med / base:.2f} |", flush=True)
    torch.set_num_threads(max(args.threads))
    if not args.skip_inference:
        inference(args.repeats)
    if not args.skip_scaling:
        row_scaling(args.repeats)


if __name__ == "__main__":
    main()
