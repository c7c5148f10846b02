"""MNIST: plain vs denoising autoencoder on masked digits (the classic notebook).

Both models are 784 -> 500 -> 784 with tanh codes, MSE, Adam (lr 1e-3), batch 256,
20 epochs, pixels scaled to [0, 1]; the denoising one is trained with masking
noise (pixels set to black with probability ``noise_level``). Held-out digits are
masked the same way and each model reconstructs them; the error is measured
against the clean digits: the lecture's Fig. 20-22.

The data is the MNIST test set in IDX format at ``../shared/data/mnist`` from the
repository root (see ``shared/data/README.md``); nothing is downloaded. Run
``python docs/examples/plot_mnist_denoising.py [OUT_DIR]`` (needs the ``examples``
extra, i.e. matplotlib); it writes ``mnist_denoising.png``.
"""

import argparse
import gzip
from pathlib import Path

import numpy as np

from sklearn_ae import AutoencoderTransformer, DenoisingAutoencoder

DATA_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "mnist"
IMAGES = "t10k-images-idx3-ubyte.gz"


def load_mnist(data_dir=DATA_DIR):
    """The 10,000 MNIST test images as float64 rows of 784 pixels in [0, 255]."""
    path = Path(data_dir) / IMAGES
    if not path.exists():
        raise FileNotFoundError(
            f"MNIST images not found at {path}: this example reads the IDX files of "
            "the project's shared data folder and downloads nothing."
        )
    with gzip.open(path) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16)
    return images.reshape(-1, 784).astype(np.float64)


def compute(n_train=8000, n_test=2000, max_epochs=20, n_components=500,
            noise_level=0.5, data_dir=DATA_DIR, random_state=0):
    """Fit both models; return their clean-target MSE on masked held-out digits."""
    X = load_mnist(data_dir)
    rng = np.random.RandomState(random_state)
    order = rng.permutation(len(X))
    X_train, X_test = X[order[:n_train]], X[order[n_train:n_train + n_test]]
    X_masked = np.where(rng.rand(*X_test.shape) < noise_level, 0.0, X_test)
    settings = dict(n_components=n_components, hidden_layer_sizes=(), activation="tanh",
                    loss="mse", optimizer="adam", lr=1e-3, batch_size=256,
                    max_epochs=max_epochs, tol=0.0, scaling="minmax",
                    random_state=random_state)
    models = {
        "plain": AutoencoderTransformer(**settings),
        "denoising": DenoisingAutoencoder(noise="mask", noise_level=noise_level,
                                          **settings),
    }
    results = dict(X_test=X_test, X_masked=X_masked,
                   masked_mse=float(np.mean(((X_masked - X_test) / 255) ** 2)))
    for name, model in models.items():
        model.fit(X_train)
        X_hat = model.reconstruct(X_masked)
        results[name] = dict(
            reconstruction=X_hat,
            masked_mse=float(np.mean(((X_hat - X_test) / 255) ** 2)),
            clean_mse=float(np.mean(((model.reconstruct(X_test) - X_test) / 255) ** 2)),
        )
    return results


def plot(results, out_dir=".", n_digits=10):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [("clean", results["X_test"]), ("masked", results["X_masked"]),
            (f"plain AE\nMSE {results['plain']['masked_mse']:.4f}",
             results["plain"]["reconstruction"]),
            (f"denoising AE\nMSE {results['denoising']['masked_mse']:.4f}",
             results["denoising"]["reconstruction"])]
    fig, axes = plt.subplots(len(rows), n_digits, figsize=(n_digits, len(rows) * 1.1))
    for r, (label, images) in enumerate(rows):
        for c in range(n_digits):
            ax = axes[r, c]
            ax.imshow(np.clip(images[c], 0, 255).reshape(28, 28), cmap="gray",
                      vmin=0, vmax=255)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[r, 0].set_ylabel(label, fontsize=8)
    path = Path(out_dir) / "mnist_denoising.png"
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", default=".")
    parser.add_argument("--n-train", type=int, default=8000)
    parser.add_argument("--max-epochs", type=int, default=20)
    parser.add_argument("--noise-level", type=float, default=0.5)
    parser.add_argument("--data-dir", default=DATA_DIR)
    args = parser.parse_args(argv)
    results = compute(n_train=args.n_train, max_epochs=args.max_epochs,
                      noise_level=args.noise_level, data_dir=args.data_dir)
    print(f"MSE to the clean digits (pixels / 255), masked inputs: returning the "
          f"input {results['masked_mse']:.4f}")
    for name in ("plain", "denoising"):
        r = results[name]
        print(f"  {name:<10} masked input {r['masked_mse']:.4f}   clean input "
              f"{r['clean_mse']:.4f}")
    print("wrote", plot(results, args.out_dir))


if __name__ == "__main__":
    main()
