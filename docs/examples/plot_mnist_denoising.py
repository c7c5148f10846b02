"""
MNIST: plain vs denoising autoencoder on masked digits
======================================================

Both models are 784 -> 500 -> 784 with tanh codes, MSE, Adam (lr 1e-3), batch 256,
20 epochs, pixels scaled to [0, 1]; the denoising one is trained with masking noise
(pixels set to black with probability ``noise_level``). Held-out digits are masked the
same way and each model reconstructs them; the error is measured against the clean
digits: the lecture's Fig. 20-22.

The data is the MNIST test file in IDX format in the project's shared data folder
(``../shared/data/mnist`` from the repository root); nothing is downloaded. Without it
the script prints one line and stops.
"""

import gzip
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from sklearn_ae import AutoencoderTransformer, DenoisingAutoencoder

IMAGES = Path("shared") / "data" / "mnist" / "t10k-images-idx3-ubyte.gz"


def find_mnist():
    """``shared/data/mnist`` in the current folder or a folder above it, else None."""
    for folder in [Path.cwd(), *Path.cwd().parents]:
        if (folder / IMAGES).exists():
            return folder / IMAGES
    return None


def load_mnist(path):
    """The 10,000 MNIST test images as float64 rows of 784 pixels in [0, 255]."""
    with gzip.open(path) as f:
        return np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).astype(float)


path = find_mnist()
if path is None:
    print(f"MNIST sample not found: no {IMAGES} in {Path.cwd()} or a folder above it; "
          "this example reads the project's shared data folder and downloads nothing.")
    sys.exit(0)

# %%
# 8,000 digits to train on, 2,000 held out; half the held-out pixels masked
# --------------------------------------------------------------------------
X = load_mnist(path)
rng = np.random.RandomState(0)
order = rng.permutation(len(X))
X_train, X_test = X[order[:8000]], X[order[8000:]]
noise_level = 0.5
X_masked = np.where(rng.rand(*X_test.shape) < noise_level, 0.0, X_test)

# The notebook's one-layer tanh model (no linear shortcut).
settings = dict(n_components=500, hidden_layer_sizes=(), linear_shortcut=False, activation="tanh",
                loss="mse",
                optimizer="adam", lr=1e-3, batch_size=256, max_epochs=20, tol=0.0,
                scaling="minmax", random_state=0)
models = {
    "plain": AutoencoderTransformer(**settings).fit(X_train),
    "denoising": DenoisingAutoencoder(noise="mask", noise_level=noise_level,
                                      **settings).fit(X_train),
}


def mse(images):
    """Mean squared error to the clean held-out digits, pixels in [0, 1]."""
    return np.mean(((images - X_test) / 255) ** 2)


# %%
# Errors to the clean digits
# --------------------------
# Returning the masked input unchanged is the baseline. The denoising model repairs
# masked digits far better; on clean digits the plain one is better (it was trained
# on them).
print(f"masked input returned unchanged: {mse(X_masked):.4f}")
recon = {}
for name, model in models.items():
    recon[name] = model.reconstruct(X_masked)
    print(f"{name:<10} masked input {mse(recon[name]):.4f}   clean input "
          f"{mse(model.reconstruct(X_test)):.4f}")

# %%
# Clean, masked, and the two reconstructions of the masked digits
# ---------------------------------------------------------------
rows = [("clean", X_test), ("masked", X_masked),
        (f"plain AE\nMSE {mse(recon['plain']):.4f}", recon["plain"]),
        (f"denoising AE\nMSE {mse(recon['denoising']):.4f}", recon["denoising"])]
n_digits = 10
fig, axes = plt.subplots(len(rows), n_digits, figsize=(n_digits, len(rows) * 1.1))
for r, (label, images) in enumerate(rows):
    for c in range(n_digits):
        axes[r, c].imshow(np.clip(images[c], 0, 255).reshape(28, 28), cmap="gray",
                          vmin=0, vmax=255)
        axes[r, c].set_xticks([])
        axes[r, c].set_yticks([])
    axes[r, 0].set_ylabel(label, fontsize=8)
plt.show()
