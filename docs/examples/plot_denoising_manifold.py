"""Denoising on a 2-D manifold: the learned reconstruction pulls points back to a curve.

Points lie near a curve in the plane. A :class:`~sklearn_ae.DenoisingAutoencoder`
trained with Gaussian corruption learns ``r(x)`` such that ``r(x) - x`` points from
a corrupted point back towards the curve: the vector field of the lecture's
Fig. 15-17 (Vincent et al., 2008; Alain & Bengio, 2014).

Run ``python docs/examples/plot_denoising_manifold.py [OUT_DIR]`` (needs the
``examples`` extra, i.e. matplotlib); it writes ``denoising_manifold.png``.
"""

import argparse
from pathlib import Path

import numpy as np

from sklearn_ae import DenoisingAutoencoder


def curve(t):
    """The manifold: a wave in the plane, ``t`` in [-1, 1]."""
    return np.c_[2.0 * t, np.sin(3.0 * t)]


def distance_to_curve(X, n_grid=4000):
    """Distance of each row of ``X`` to the curve (to a dense sampling of it)."""
    C = curve(np.linspace(-1, 1, n_grid))
    return np.sqrt(((X[:, None, :] - C[None, :, :]) ** 2).sum(-1).min(1))


def compute(n_samples=1000, max_epochs=200, noise_level=0.3, random_state=0):
    """Fit on noisy points of the curve; measure how far corrupted points end up.

    Returns a dict with the data, the model, and the mean distance to the curve
    of fresh corrupted points before (``before``) and after (``after``) one
    pass through the denoising autoencoder.
    """
    rng = np.random.RandomState(random_state)
    X = curve(rng.uniform(-1, 1, n_samples)) + 0.02 * rng.normal(size=(n_samples, 2))
    model = DenoisingAutoencoder(
        n_components=16, hidden_layer_sizes=(64,), noise="gaussian",
        noise_level=noise_level, max_epochs=max_epochs, batch_size=64, lr=3e-3,
        tol=0.0, random_state=random_state,
    ).fit(X)
    # Corrupt fresh points the way training did: noise_level is in scaled units.
    X_noisy = X + noise_level * model.scaler_.scale_ * rng.normal(size=X.shape)
    X_back = model.reconstruct(X_noisy)
    return dict(X=X, X_noisy=X_noisy, X_back=X_back, model=model,
                before=float(distance_to_curve(X_noisy).mean()),
                after=float(distance_to_curve(X_back).mean()))


def plot(results, out_dir="."):
    """Draw the vector field ``r(x) - x`` over the curve; return the PNG path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    model = results["model"]
    gx, gy = np.meshgrid(np.linspace(-2.6, 2.6, 27), np.linspace(-1.8, 1.8, 19))
    grid = np.c_[gx.ravel(), gy.ravel()]
    field = model.reconstruct(grid) - grid
    fig, ax = plt.subplots(figsize=(8, 5.5))
    ax.quiver(grid[:, 0], grid[:, 1], field[:, 0], field[:, 1], angles="xy",
              scale_units="xy", scale=1, width=0.002, color="tab:blue", alpha=0.8)
    t = np.linspace(-1, 1, 400)
    ax.plot(*curve(t).T, color="black", lw=2, label="manifold")
    ax.scatter(*results["X_noisy"][:150].T, s=6, color="tab:red", label="corrupted")
    ax.scatter(*results["X_back"][:150].T, s=6, color="tab:green", label="reconstructed")
    ax.set_title(f"Denoising field r(x) - x: mean distance to the curve "
                 f"{results['before']:.3f} -> {results['after']:.3f}")
    ax.legend(loc="lower right")
    ax.set_aspect("equal")
    path = Path(out_dir) / "denoising_manifold.png"
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", default=".")
    parser.add_argument("--max-epochs", type=int, default=200)
    args = parser.parse_args(argv)
    results = compute(max_epochs=args.max_epochs)
    print(f"mean distance to the curve: corrupted {results['before']:.4f}, "
          f"after the denoising autoencoder {results['after']:.4f}")
    print("wrote", plot(results, args.out_dir))


if __name__ == "__main__":
    main()
