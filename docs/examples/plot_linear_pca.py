"""
A tied linear autoencoder finds PCA's subspace
==============================================

A one-layer autoencoder with linear activations and tied weights, trained to the
minimum of its squared error (L-BFGS), spans the same subspace as PCA's first
components (Bourlard & Kamp, 1988; Baldi & Hornik, 1989), but only up to a rotation of
the code: its directions are mixtures of the principal components. Below, both are fit
on scikit-learn's digits with 8 components; the autoencoder's directions are read from
its decoder, the principal angles between the two subspaces are measured, and the
directions are drawn as learnt and after the rotation that best aligns them with PCA's.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy.linalg import orthogonal_procrustes, subspace_angles
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA

from sklearn_ae import AutoencoderTransformer

X, _ = load_digits(return_X_y=True)
d = 8
pca = PCA(d).fit(X)
# linear_shortcut=False: the shortcut would start the model at PCA; here it has to
# get there by training.
model = AutoencoderTransformer(d, hidden_layer_sizes=(), activation="linear",
                               output_activation="linear", tied_weights=True,
                               linear_shortcut=False, optimizer="lbfgs", scaling=None,
                               random_state=0).fit(X)

# %%
# The decoder's directions and the principal angles
# -------------------------------------------------
# With a linear decoder, ``inverse_transform(e_k) - inverse_transform(0)`` is the
# direction in pixel space of code unit ``k``.
directions = model.inverse_transform(np.eye(d)) - model.inverse_transform(np.zeros((1, d)))
angles = np.degrees(subspace_angles(directions.T, pca.components_.T))
print(f"principal angles between the subspaces (degrees): largest {angles.max():.3f}, "
      "all " + ", ".join(f"{a:.2f}" for a in np.sort(angles)))
unit = directions / np.linalg.norm(directions, axis=1, keepdims=True)
rotation, _ = orthogonal_procrustes(unit.T, pca.components_.T)
aligned = (unit.T @ rotation).T
variances = PCA(d + 1).fit(X).explained_variance_
print(f"variance along components {d} and {d + 1}: {variances[d - 1]:.1f}, "
      f"{variances[d]:.1f}")
mse = {"PCA": np.mean((X - pca.inverse_transform(pca.transform(X))) ** 2),
       "autoencoder": np.mean((X - model.reconstruct(X)) ** 2)}
print(f"reconstruction MSE: PCA {mse['PCA']:.4f}, tied linear autoencoder "
      f"{mse['autoencoder']:.4f}")

# %%
# All angles but the last are a fraction of a degree. The last one is a few degrees
# because PCA's 8th and 9th components have nearly the same variance: the error barely
# changes when they are mixed, and the optimizer stops while they still are. The
# reconstruction error is within a fraction of a percent of PCA's.
#
# Top: PCA's components. Middle: the autoencoder's directions as learnt, mixtures
# of them. Bottom: the same directions after the best rotation of the code: PCA's
# components again, because the two subspaces coincide.
rows = [("PCA", pca.components_), ("autoencoder\nas learnt", directions),
        ("autoencoder\nrotated", aligned)]
fig, axes = plt.subplots(3, d, figsize=(1.2 * d, 4.2))
for r, (label, images) in enumerate(rows):
    for k in range(d):
        image = images[k] / np.abs(images[k]).max()
        axes[r, k].imshow(image.reshape(8, 8), cmap="RdBu_r", vmin=-1, vmax=1)
        axes[r, k].set_xticks([])
        axes[r, k].set_yticks([])
    axes[r, 0].set_ylabel(label, fontsize=8)
fig.suptitle(f"Largest principal angle between the subspaces: {angles.max():.2f} degrees; "
             f"MSE PCA {mse['PCA']:.3f}, autoencoder {mse['autoencoder']:.3f}", fontsize=9)
plt.show()
