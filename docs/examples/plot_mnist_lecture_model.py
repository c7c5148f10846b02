"""
The lecture's MNIST autoencoder, in one line, beside PCA
========================================================

The notebook of the NYU Deep Learning lecture "Introduction to Autoencoders" trains a
784 -> 30 -> 784 network with tanh on both sides, MSE, Adam (lr 1e-3), 20 epochs of
batches of 256, and shows digits next to their reconstructions (its Fig. 20-21). Here
that model is one line of estimator parameters, and PCA with the same 30 components
is the baseline it has to beat on held-out digits.

The data is the MNIST test file in IDX format in the project's shared data folder
(``../shared/data/mnist`` from the repository root); nothing is downloaded. Without it
the script prints one line and stops.
"""

import gzip
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA

from sklearn_ae import AutoencoderTransformer

IMAGES = Path("shared") / "data" / "mnist" / "t10k-images-idx3-ubyte.gz"


def find_mnist():
    """``shared/data/mnist`` in the current folder or a folder above it, else None."""
    for folder in [Path.cwd(), *Path.cwd().parents]:
        if (folder / IMAGES).exists():
            return folder / IMAGES
    return None


path = find_mnist()
if path is None:
    print(f"MNIST sample not found: no {IMAGES} in {Path.cwd()} or a folder above it; "
          "this example reads the project's shared data folder and downloads nothing.")
    sys.exit(0)

with gzip.open(path) as f:
    X = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784) / 255.0
X_train, X_test = X[:8000], X[8000:]

# %%
# The notebook's model, and PCA at the same code size
# ---------------------------------------------------
model = AutoencoderTransformer(30, hidden_layer_sizes=(), linear_shortcut=False, activation="tanh", output_activation="tanh", loss="mse", optimizer="adam", lr=1e-3, max_epochs=20, batch_size=256, scaling="minmax", tol=0.0, random_state=0)  # noqa: E501
model.fit(X_train)
pca = PCA(30).fit(X_train)

reconstructions = {
    "autoencoder": model.reconstruct(X_test),
    "PCA": pca.inverse_transform(pca.transform(X_test)),
}
errors = {name: np.mean((X_hat - X_test) ** 2) for name, X_hat in reconstructions.items()}
for name, error in errors.items():
    print(f"{name:<12} held-out MSE (pixels in [0, 1]) {error:.4f}")

# %%
# Originals and reconstructions
# -----------------------------
# Ten held-out digits (top), the autoencoder's reconstructions from 30 numbers each
# (middle) and PCA's from its 30 components (bottom). The lecture's model loses to PCA
# here: its reconstructions are recognisable but blurrier, with a grainy background.
# It sees 8,000 digits for 20 epochs (the lecture trains on the 60,000 of MNIST's
# training file, which is not in the shared data folder), and one tanh layer with 30
# units is a small model; PCA's 30 components are the best *linear* code and a strong
# baseline at this size.
rows = [("original", X_test),
        *((f"{name}\nMSE {errors[name]:.4f}", X_hat) for name, X_hat in reconstructions.items())]
fig, axes = plt.subplots(len(rows), 10, figsize=(10, 1.15 * len(rows)))
for r, (label, images) in enumerate(rows):
    for c in range(10):
        axes[r, c].imshow(np.clip(images[c], 0, 1).reshape(28, 28), cmap="gray",
                          vmin=0, vmax=1)
        axes[r, c].set_xticks([])
        axes[r, c].set_yticks([])
    axes[r, 0].set_ylabel(label, fontsize=8)
fig.suptitle("784 -> 30 -> 784 tanh autoencoder vs PCA with 30 components", fontsize=10)
plt.show()
