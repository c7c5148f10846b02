"""
Denoising on a 2-D manifold: the vector field back to the curve
===============================================================

Points lie near a curve in the plane. A :class:`~sklearn_ae.DenoisingAutoencoder`
trained with Gaussian corruption learns a reconstruction ``r(x)`` such that
``r(x) - x`` points from a corrupted point back towards the curve: the vector field
of the lecture's Fig. 15-16 (Vincent et al., 2008; Alain & Bengio, 2014).
"""

import matplotlib.pyplot as plt
import numpy as np

from sklearn_ae import DenoisingAutoencoder


def curve(t):
    """The manifold: a wave in the plane, ``t`` in [-1, 1]."""
    return np.c_[2.0 * t, np.sin(3.0 * t)]


def distance_to_curve(X, n_grid=2000):
    """Distance of each row of ``X`` to a dense sampling of the curve."""
    C = curve(np.linspace(-1, 1, n_grid))
    return np.array([np.sqrt(((C - x) ** 2).sum(1)).min() for x in X])


# %%
# Noisy samples of the curve, and a denoiser trained on them
# -----------------------------------------------------------
# The corruption is Gaussian noise of standard deviation ``noise_level`` in the scaled
# space the network sees (standardized columns).
rng = np.random.RandomState(0)
n_samples, noise_level = 1000, 0.3
X = curve(rng.uniform(-1, 1, n_samples)) + 0.02 * rng.normal(size=(n_samples, 2))
model = DenoisingAutoencoder(
    n_components=16, hidden_layer_sizes=(64,), noise="gaussian", noise_level=noise_level,
    max_epochs=100, batch_size=64, lr=3e-3, tol=0.0, random_state=0,
).fit(X)

# %%
# Fresh corrupted points, before and after one pass through the model
# --------------------------------------------------------------------
X_noisy = X + noise_level * model.scaler_.scale_ * rng.normal(size=X.shape)
X_back = model.reconstruct(X_noisy)
before = distance_to_curve(X_noisy).mean()
after = distance_to_curve(X_back).mean()
print(f"mean distance to the curve: corrupted {before:.3f}, denoised {after:.3f}")

# %%
# The field ``r(x) - x`` on a grid
# --------------------------------
# Arrows are drawn to scale: each one ends where the model sends its grid point.
# Near the curve they point across it, towards it; far from it they are long.
gx, gy = np.meshgrid(np.linspace(-2.6, 2.6, 27), np.linspace(-1.8, 1.8, 19))
grid = np.c_[gx.ravel(), gy.ravel()]
field = model.reconstruct(grid) - grid
fig, ax = plt.subplots(figsize=(8, 5.5))
ax.quiver(grid[:, 0], grid[:, 1], field[:, 0], field[:, 1], angles="xy",
          scale_units="xy", scale=1, width=0.002, color="tab:blue", alpha=0.8)
ax.plot(*curve(np.linspace(-1, 1, 400)).T, color="black", lw=2, label="manifold")
ax.scatter(*X_noisy[:150].T, s=6, color="tab:red", label="corrupted")
ax.scatter(*X_back[:150].T, s=6, color="tab:green", label="denoised")
ax.set_title(f"Denoising field r(x) - x: mean distance to the curve "
             f"{before:.3f} -> {after:.3f}")
ax.legend(loc="lower right")
ax.set_aspect("equal")
plt.show()
