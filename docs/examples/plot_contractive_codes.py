"""Contractive vs plain autoencoder: how far codes move when inputs are perturbed.

Both models have the same size and training budget on scikit-learn's digits.
Each held-out digit is perturbed by Gaussian noise of growing size (in the scaled
space) and the displacement of its code is measured, relative to the typical
distance between the codes of two different digits (so that a model cannot look
contractive by merely shrinking all its codes): the lecture's Fig. 18-19
(Rifai et al., 2011).

Run ``python docs/examples/plot_contractive_codes.py [OUT_DIR]`` (needs the
``examples`` extra, i.e. matplotlib); it writes ``contractive_codes.png``.
"""

import argparse
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sklearn_ae import AutoencoderTransformer, ContractiveAutoencoder
from sklearn_ae._modules import jacobian_sq_norm

SIGMAS = (0.05, 0.1, 0.2, 0.4, 0.8)


def compute(max_epochs=30, n_components=8, contraction=0.1, sigmas=SIGMAS,
            random_state=0):
    """Fit both models; return per-model Jacobian norm, test MSE and displacements."""
    X, _ = load_digits(return_X_y=True)
    X_train, X_test = train_test_split(X, test_size=0.3, random_state=random_state)
    settings = dict(n_components=n_components, hidden_layer_sizes=(),
                    max_epochs=max_epochs, random_state=random_state)
    models = {
        "plain": AutoencoderTransformer(**settings),
        "contractive": ContractiveAutoencoder(contraction=contraction, **settings),
    }
    rng = np.random.RandomState(random_state)
    noise = rng.normal(size=X_test.shape)
    pairs = rng.permutation(len(X_test))
    results = {"sigmas": list(sigmas)}
    for name, model in models.items():
        model.fit(X_train)
        Z = model.scaler_.transform(X_test)
        H = model.transform(X_test)
        spread = np.linalg.norm(H - H[pairs], axis=1).mean()
        moved = [
            np.linalg.norm(
                model.transform(model.scaler_.inverse_transform(Z + s * noise)) - H, axis=1
            ).mean() / spread
            for s in sigmas
        ]
        jacobian = jacobian_sq_norm(
            model.net_.module_, torch.as_tensor(Z, dtype=torch.float32)
        ).sqrt().mean().item()
        results[name] = dict(jacobian_norm=jacobian, test_mse=model.reconstruction_error(X_test).mean(),
                             relative_displacement=moved)
    return results


def plot(results, out_dir="."):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for name in ("plain", "contractive"):
        r = results[name]
        ax.plot(results["sigmas"], r["relative_displacement"], marker="o",
                label=f"{name}: ||J||_F={r['jacobian_norm']:.2f}, MSE={r['test_mse']:.3f}")
    ax.set_xscale("log")
    ax.set_xlabel("input perturbation sigma (scaled units)")
    ax.set_ylabel("code displacement / code spread")
    ax.set_title("Codes of perturbed digits")
    ax.legend()
    path = Path(out_dir) / "contractive_codes.png"
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", default=".")
    parser.add_argument("--max-epochs", type=int, default=30)
    args = parser.parse_args(argv)
    results = compute(max_epochs=args.max_epochs)
    for name in ("plain", "contractive"):
        r = results[name]
        moved = ", ".join(f"{m:.3f}" for m in r["relative_displacement"])
        print(f"{name:<12} ||J||_F {r['jacobian_norm']:.3f}  test MSE {r['test_mse']:.4f}  "
              f"displacement/spread at sigma {results['sigmas']}: {moved}")
    print("wrote", plot(results, args.out_dir))


if __name__ == "__main__":
    main()
