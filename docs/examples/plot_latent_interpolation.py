"""
Pixel vs latent interpolation between two digits
================================================

Blending two images pixel by pixel gives a double exposure: the midpoints are not
digits. Blending their *codes* and decoding walks along the data the autoencoder has
learnt (the lecture's Fig. 3-4). Each step is scored by how digit-like it is: the
distance from the image to its nearest real digit of the data set, in units of the
typical distance between a real digit and its nearest neighbour.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import pairwise_distances_argmin_min
from sklearn.neighbors import NearestNeighbors

from sklearn_ae import AutoencoderTransformer

X, y = load_digits(return_X_y=True)
model = AutoencoderTransformer(
    8, hidden_layer_sizes=(128,), scaling="minmax", lr=3e-3, batch_size=64,
    max_epochs=100, random_state=0,
).fit(X)

# %%
# Two paths from a 0 to a 1, in nine steps (0, 1/8, ..., 1/2, ..., 1)
# --------------------------------------------------------------------
first, second = X[np.flatnonzero(y == 0)[0]], X[np.flatnonzero(y == 1)[0]]
t = np.linspace(0, 1, 9)[:, None]
pixel_path = (1 - t) * first + t * second
codes = model.transform(np.vstack([first, second]))
latent_path = model.inverse_transform((1 - t) * codes[0] + t * codes[1])

# %%
# Distance to the nearest real digit
# ----------------------------------
# Nearest neighbours are searched in chunks (scikit-learn's ``working_memory``), never
# as a full 1797 x 1797 x 64 array.
typical = np.median(NearestNeighbors(n_neighbors=2).fit(X).kneighbors(X)[0][:, 1])
pixel_error = pairwise_distances_argmin_min(pixel_path, X)[1] / typical
latent_error = pairwise_distances_argmin_min(latent_path, X)[1] / typical
print(f"worst step's distance to the nearest real digit (typical 1): pixel blend "
      f"{pixel_error.max():.2f}, decoded code blend {latent_error.max():.2f}")

# %%
# The pixel path's middle steps are double exposures, far from any digit; the
# decoded code path morphs one digit into the other and stays closer to real digits,
# if a little blurred at the ends.
fig, axes = plt.subplots(2, len(t), figsize=(1.2 * len(t), 3.6))
for row, (name, path, error) in enumerate((("pixels", pixel_path, pixel_error),
                                           ("codes", latent_path, latent_error))):
    for step, ax in enumerate(axes[row]):
        ax.imshow(path[step].reshape(8, 8), cmap="gray_r", vmin=0, vmax=16)
        ax.set_xticks([])
        ax.set_yticks([])
        step_label = f"t = {t[step, 0]:.3g}\n" if row == 0 else ""
        ax.set_title(f"{step_label}{error[step]:.2f}", fontsize=8)
    axes[row, 0].set_ylabel(name)
fig.suptitle("Blending a 0 into a 1: pixels vs codes (titles: distance to the nearest "
             "real digit, typical = 1)", fontsize=9)
fig.tight_layout()
plt.show()
