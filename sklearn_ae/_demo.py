"""``sklearn-ae demo``: the main job on data that ships with scikit-learn.

1. Compression: digits (8 x 8 images, 64 features), 75/25 split; held-out
   reconstruction error of the autoencoder against PCA at the same code size.
2. Anomalies: for each digit class in turn, that class is the outliers,
   subsampled to 5 % of the rows, the other nine classes the inliers; the
   detectors see no labels. ROC AUC of the autoencoder's score against
   IsolationForest's, averaged over the ten choices.
3. MNIST (when the project's shared data folder is found): 784 pixels, the
   same comparison with PCA.
4. Figures (with matplotlib): reconstructions, a walk between two codes,
   the loss curve, the score histogram.
"""

import gzip
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from ._estimators import AutoencoderTransformer

FIGURES = ("reconstructions", "interpolation", "loss_curve", "scores")
MNIST_IMAGES = Path("mnist") / "t10k-images-idx3-ubyte.gz"


def _say(*args):
    print(*args, flush=True)


def find_shared_data(data_dir=None):
    """The shared data folder: ``data_dir``, else ``../shared/data`` from the
    current folder or from the source checkout; None when absent."""
    if data_dir is not None:
        return Path(data_dir)
    candidates = [Path.cwd() / ".." / "shared" / "data",
                  Path(__file__).resolve().parents[1] / ".." / "shared" / "data"]
    for candidate in candidates:
        if (candidate / MNIST_IMAGES).exists():
            return candidate.resolve()
    return None


def _mse(X, X_hat):
    return float(np.mean((X - X_hat) ** 2))


# Compression wants a different model from the anomaly defaults (a narrow code,
# trained briefly): a wide hidden layer trained to convergence. Pixels are bounded,
# so min-max scaling keeps them in the units the tanh layer likes.
COMPRESSION = dict(scaling="minmax", activation="tanh", lr=3e-3, batch_size=64)


def compression(X, d, random_state, verbose, max_epochs, hidden):
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=random_state)
    start = time.perf_counter()
    pca = PCA(d).fit(X_train)
    pca_seconds = time.perf_counter() - start
    pca_mse = _mse(X_test, pca.inverse_transform(pca.transform(X_test)))
    start = time.perf_counter()
    ae = AutoencoderTransformer(d, hidden_layer_sizes=hidden, max_epochs=max_epochs,
                                random_state=random_state, verbose=verbose,
                                **COMPRESSION).fit(X_train)
    ae_seconds = time.perf_counter() - start
    ae_mse = _mse(X_test, ae.reconstruct(X_test))
    return dict(model=ae, X_test=X_test, pca_mse=pca_mse, ae_mse=ae_mse,
                pca_seconds=pca_seconds, ae_seconds=ae_seconds)


def anomaly_split(X, y, outlier_class, share, random_state):
    """Inliers: every other class; outliers: ``outlier_class`` cut to ``share``."""
    rng = np.random.RandomState(random_state)
    inliers = np.flatnonzero(y != outlier_class)
    candidates = np.flatnonzero(y == outlier_class)
    n_out = max(1, round(share * len(inliers) / (1 - share)))
    outliers = rng.choice(candidates, size=min(n_out, len(candidates)), replace=False)
    rows = np.concatenate([inliers, outliers])
    return X[rows], np.r_[np.zeros(len(inliers), int), np.ones(len(outliers), int)]


def anomalies(X, y, classes, random_state, share=0.05, max_epochs="auto"):
    results = []
    for digit in classes:
        X_mix, is_outlier = anomaly_split(X, y, digit, share, random_state)
        ae = AutoencoderTransformer(max_epochs=max_epochs,
                                    random_state=random_state).fit(X_mix)
        forest = IsolationForest(random_state=random_state).fit(X_mix)
        results.append(dict(
            digit=digit,
            ae=roc_auc_score(is_outlier, -ae.score_samples(X_mix)),
            forest=roc_auc_score(is_outlier, -forest.score_samples(X_mix)),
            model=ae, X=X_mix, y=is_outlier,
        ))
    return results


def load_mnist(folder, n_rows):
    with gzip.open(folder / MNIST_IMAGES) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16)
    return images.reshape(-1, 784)[:n_rows].astype(np.float64)


def write_figures(out, compressed, anomaly):
    """Write the demo's PNG files into ``out``; return their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plotting import LossCurveDisplay, ReconstructionDisplay, ScoreDistributionDisplay

    out.mkdir(parents=True, exist_ok=True)
    model, X_test = compressed["model"], compressed["X_test"]
    paths = {}

    display = ReconstructionDisplay.from_estimator(model, X_test, n_rows=10)
    display.figure_.suptitle(f"digits: held-out inputs and reconstructions (d = "
                             f"{model.n_components_})")
    paths["reconstructions"] = out / "sklearn-ae-demo-reconstructions.png"

    codes = model.transform(X_test[:2])
    steps = np.linspace(0, 1, 10)[:, None]
    walk = model.inverse_transform((1 - steps) * codes[0] + steps * codes[1])
    fig, axes = plt.subplots(1, len(walk), figsize=(1.1 * len(walk), 1.5))
    for ax, image, t in zip(axes, walk, steps[:, 0]):
        ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=16)
        ax.set_title(f"{t:.1f}", fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("decoded straight line between two codes", fontsize=9)
    fig.tight_layout()
    paths["interpolation"] = out / "sklearn-ae-demo-interpolation.png"

    LossCurveDisplay.from_estimator(model)
    paths["loss_curve"] = out / "sklearn-ae-demo-loss-curve.png"

    shown = anomaly
    ScoreDistributionDisplay.from_estimator(
        shown["model"], shown["X"], shown["y"],
        name=f"digits, outliers = digit {shown['digit']} (5 %)")
    paths["scores"] = out / "sklearn-ae-demo-scores.png"

    for fig_number, name in zip(plt.get_fignums(), paths):
        plt.figure(fig_number).savefig(paths[name], dpi=110)
    plt.close("all")
    return paths


def run_demo(out=Path("."), quick=False, data_dir=None, verbose=True, random_state=0):
    """Run the demo; return 0."""
    started = time.perf_counter()
    X, y = load_digits(return_X_y=True)
    d = 8
    max_epochs = 5 if quick else "auto"
    _say(f"== Compression: scikit-learn digits, {len(X)} images of 8x8 pixels, code "
         f"size d={d}, 75/25 split; autoencoder 64-128-{d}-128-64 tanh")
    result = compression(X, d, random_state, int(verbose), 5 if quick else 200, (128,))
    _say(f"   held-out MSE (pixels^2, pixels in 0..16): PCA {result['pca_mse']:.3f}, "
         f"autoencoder {result['ae_mse']:.3f} ({result['ae_mse'] / result['pca_mse']:.2f} x "
         f"PCA; fit {result['ae_seconds']:.1f} s)")

    classes = (0, 7) if quick else tuple(range(10))
    _say(f"== Anomalies: one digit class as outliers (5 % of rows), the others as inliers; "
         f"no labels in training; {len(classes)} choices of outlier digit")
    found = anomalies(X, y, classes, random_state, max_epochs=max_epochs)
    for r in found:
        _say(f"   outliers = digit {r['digit']}: ROC AUC autoencoder {r['ae']:.3f}, "
             f"IsolationForest {r['forest']:.3f}")
    mean_ae = np.mean([r["ae"] for r in found])
    mean_forest = np.mean([r["forest"] for r in found])
    _say(f"   mean ROC AUC: autoencoder {mean_ae:.3f}, IsolationForest {mean_forest:.3f}")

    folder = find_shared_data(data_dir)
    if folder is not None and (folder / MNIST_IMAGES).exists():
        n_rows = 1000 if quick else 4000
        mnist = load_mnist(folder, n_rows) / 255.0
        _say(f"== MNIST sample from {folder}: {n_rows} images of 28x28, d=30; "
             "autoencoder 784-256-30-256-784 tanh")
        m = compression(mnist, 30, random_state, int(verbose), 3 if quick else 30, (256,))
        _say(f"   held-out MSE (pixels in 0..1): PCA {m['pca_mse']:.4f}, autoencoder "
             f"{m['ae_mse']:.4f} ({m['ae_mse'] / m['pca_mse']:.2f} x PCA; fit "
             f"{m['ae_seconds']:.1f} s)")
    else:
        _say("== MNIST: skipped (no shared data folder with mnist/ found; "
             "--data-dir DIR to point at one)")

    try:
        import matplotlib  # noqa: F401
    except ImportError:
        _say('== Figures: skipped, matplotlib is not installed. For the pictures: '
             'pip install "sklearn-ae[plot]" (or pip install matplotlib)')
    else:
        shown = next((r for r in found if r["digit"] == 7), found[0])
        paths = write_figures(Path(out), result, shown)
        _say(f"== Figures written to {Path(out).resolve()}:")
        for path in paths.values():
            _say(f"   {path.name}")
    _say(f"done in {time.perf_counter() - started:.0f} s")
    return 0
