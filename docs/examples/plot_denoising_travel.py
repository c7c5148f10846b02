"""
How far the denoiser moves each point
=====================================

A denoising autoencoder learns to send a corrupted point back to the data. On a grid
covering the plane, the distance ``||r(x) - x||`` that the trained
:class:`~sklearn_ae.DenoisingAutoencoder` moves each point is drawn as a colour, over
training data that lie on a curved shape, an arc of a circle (the lecture's Fig. 17).
Points on the data barely move; the further a point lies from the data, the further the
denoiser takes it.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import pairwise_distances_argmin_min

from sklearn_ae import DenoisingAutoencoder

rng = np.random.RandomState(0)
angle = rng.uniform(0.1 * np.pi, 1.6 * np.pi, 1000)
X = np.c_[np.cos(angle), np.sin(angle)] + 0.03 * rng.normal(size=(1000, 2))
model = DenoisingAutoencoder(
    n_components=16, hidden_layer_sizes=(64,), noise="gaussian", noise_level=0.3,
    max_epochs=100, batch_size=64, lr=3e-3, tol=0.0, random_state=0,
).fit(X)

# %%
# Travel distance on a grid, and distance to the data
# ---------------------------------------------------
gx, gy = np.meshgrid(np.linspace(-2, 2, 161), np.linspace(-2, 2, 161))
grid = np.c_[gx.ravel(), gy.ravel()]
travel = np.linalg.norm(model.reconstruct(grid) - grid, axis=1)
arc = np.linspace(0.1 * np.pi, 1.6 * np.pi, 2000)
to_data = pairwise_distances_argmin_min(grid, np.c_[np.cos(arc), np.sin(arc)])[1]
near = to_data < 0.5
print(f"within 0.5 of the arc: correlation of travel with distance to the arc "
      f"{np.corrcoef(travel[near], to_data[near])[0, 1]:.2f}; mean travel of points "
      f"on the arc (< 0.05) {travel[to_data < 0.05].mean():.3f}, at 0.3-0.5 from it "
      f"{travel[(to_data > 0.3) & near].mean():.3f}")

# %%
# Left: the travel distance as a colour, with the training data. Right: travel
# against the distance to the arc; a perfect projection onto the arc would follow the
# diagonal. Close to the arc the denoiser is close to that projection; far from any
# training data (the centre, the gap of the arc) it does what it likes.
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.6))
image = left.pcolormesh(gx, gy, travel.reshape(gx.shape), cmap="magma", shading="auto")
left.scatter(*X[::10].T, s=1, color="tab:cyan", label="training data")
left.set_aspect("equal")
left.set_title("||r(x) - x|| on a grid")
left.legend(loc="lower left", fontsize=8)
fig.colorbar(image, ax=left, label="distance moved")
right.scatter(to_data, travel, s=1, alpha=0.3)
right.plot([0, 1], [0, 1], "k--", lw=1, label="moved exactly to the arc")
right.set_xlabel("distance of the grid point to the arc")
right.set_ylabel("distance moved by the denoiser")
right.legend(fontsize=8)
right.set_title("travel against distance to the data")
fig.tight_layout()
plt.show()
