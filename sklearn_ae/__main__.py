"""``python -m sklearn_ae``: fit on scikit-learn's digits and compare with PCA."""

import argparse
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from sklearn_ae import AutoencoderTransformer


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m sklearn_ae",
        description="Fit autoencoders on scikit-learn's digits (8x8 images, 64 "
        "features) and compare their held-out reconstruction error with PCA's.",
    )
    parser.add_argument("-d", "--n-components", type=int, default=8)
    parser.add_argument("--max-epochs", type=int, default=100)
    parser.add_argument("--random-state", type=int, default=0)
    args = parser.parse_args(argv)

    X, _ = load_digits(return_X_y=True)
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=args.random_state)
    d = args.n_components
    print(f"digits: {len(X_train)} training and {len(X_test)} test rows, "
          f"{X.shape[1]} features, code size d={d}")
    print(f"{'model':<44}{'test MSE':>10}{'vs PCA':>8}{'fit s':>8}")

    def report(name, model, reconstruct):
        start = time.perf_counter()
        model.fit(X_train)
        seconds = time.perf_counter() - start
        mse = float(np.mean((X_test - reconstruct(model, X_test)) ** 2))
        return name, mse, seconds

    rows = [
        report("PCA", PCA(d), lambda m, X: m.inverse_transform(m.transform(X))),
        report(
            "AutoencoderTransformer (defaults)",
            AutoencoderTransformer(
                d, max_epochs=args.max_epochs, random_state=args.random_state
            ),
            lambda m, X: m.reconstruct(X),
        ),
        report(
            "AutoencoderTransformer (tied, linear, lbfgs)",
            AutoencoderTransformer(
                d, hidden_layer_sizes=(), activation="linear", tied_weights=True,
                optimizer="lbfgs", scaling=None, random_state=args.random_state,
            ),
            lambda m, X: m.reconstruct(X),
        ),
    ]
    pca_mse = rows[0][1]
    for name, mse, seconds in rows:
        print(f"{name:<44}{mse:>10.3f}{mse / pca_mse:>8.3f}{seconds:>8.2f}")


if __name__ == "__main__":
    main()
