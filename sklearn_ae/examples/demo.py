"""``sklearn-ae demo``: the main job on data that ships with scikit-learn.

1. Compression: digits (8 x 8 images, 64 features), 75/25 split; held-out
   reconstruction error of the autoencoder against PCA at the same code size.
2. Anomalies, where the autoencoder is convincing: breast-cancer rows (30
   measurements) plus 5 % planted rows whose columns were partly copied from
   other rows, so that each value is ordinary but the row breaks the relations
   between columns. The autoencoder against IsolationForest, both at their
   defaults, fit on all rows without labels; ROC AUC over a few seeds.
3. Anomalies, where it is not: each digit class in turn as the outliers (5 %
   of the rows), the other nine classes the inliers.
4. MNIST (when the project's shared data folder is found): 784 pixels, the
   same comparison with PCA.
5. Figures (with matplotlib): reconstructions, a walk between two codes beside
   a pixel blend, the loss curves, the score histograms of section 2.
"""

import gzip
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from .._estimators import AutoencoderTransformer

MNIST_IMAGES = Path("mnist") / "t10k-images-idx3-ubyte.gz"


def _say(*args):
    print(*args, flush=True)


def find_shared_data(data_dir=None):
    """The shared data folder: ``data_dir``, else ``../shared/data`` from the
    current folder or from the source checkout; None when absent."""
    if data_dir is not None:
        return Path(data_dir)
    candidates = [Path.cwd() / ".." / "shared" / "data",
                  Path(__file__).resolve().parents[2] / ".." / "shared" / "data"]
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


def compression(X, d, random_state, verbose, max_epochs, hidden=None, early_stopping=False,
                at_defaults=False):
    """PCA and the autoencoder on a 75/25 split; ``at_defaults`` sets only the code size
    (and ``max_epochs``), else the demo's compression settings."""
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=random_state)
    start = time.perf_counter()
    pca = PCA(d).fit(X_train)
    pca_seconds = time.perf_counter() - start
    pca_mse = _mse(X_test, pca.inverse_transform(pca.transform(X_test)))
    start = time.perf_counter()
    settings = {} if at_defaults else dict(hidden_layer_sizes=hidden,
                                           early_stopping=early_stopping, **COMPRESSION)
    ae = AutoencoderTransformer(d, max_epochs=max_epochs, random_state=random_state,
                                verbose=verbose, **settings)
    with warnings.catch_warnings(record=True):
        # The demo's budgets are short on purpose; its lines say what each fit did.
        ae.fit(X_train)
    ae_seconds = time.perf_counter() - start
    ae_mse = _mse(X_test, ae.reconstruct(X_test))
    return dict(model=ae, X_test=X_test, pca_mse=pca_mse, ae_mse=ae_mse,
                pca_seconds=pca_seconds, ae_seconds=ae_seconds)


def plant_broken_relations(X, share, random_state):
    """``X`` plus ``share`` of planted rows: copies of random rows with a third of
    their columns taken from another random row. Returns the rows and 0/1 labels."""
    rng = np.random.RandomState(random_state)
    n_odd = round(share * len(X) / (1 - share))
    sources = rng.choice(len(X), n_odd)
    odd = X[sources].copy()
    for row, source in zip(odd, sources):
        columns = rng.choice(X.shape[1], X.shape[1] // 3, replace=False)
        donor = rng.randint(len(X))
        if donor == source:  # a row mixed with itself would be no anomaly
            donor = (donor + 1) % len(X)
        row[columns] = X[donor, columns]
    return np.vstack([X, odd]), np.r_[np.zeros(len(X), int), np.ones(n_odd, int)]


def anomaly_split(X, y, outlier_class, share, random_state):
    """Inliers: every other class; outliers: ``outlier_class`` cut to ``share``."""
    rng = np.random.RandomState(random_state)
    inliers = np.flatnonzero(y != outlier_class)
    candidates = np.flatnonzero(y == outlier_class)
    n_out = max(1, round(share * len(inliers) / (1 - share)))
    outliers = rng.choice(candidates, size=min(n_out, len(candidates)), replace=False)
    rows = np.concatenate([inliers, outliers])
    return X[rows], np.r_[np.zeros(len(inliers), int), np.ones(len(outliers), int)]


def compare_detectors(X, is_outlier, random_state, max_epochs="auto"):
    """Fit the autoencoder and IsolationForest, both at their defaults, on all rows;
    return their ROC AUCs against ``is_outlier`` and what the figures need."""
    start = time.perf_counter()
    ae = AutoencoderTransformer(max_epochs=max_epochs, random_state=random_state)
    with warnings.catch_warnings():
        # The "auto" budget is the detector's by design; its warning is for compression.
        warnings.simplefilter("ignore", ConvergenceWarning)
        ae.fit(X)
    forest = IsolationForest(random_state=random_state).fit(X)
    forest_score = -forest.score_samples(X)
    return dict(ae=roc_auc_score(is_outlier, -ae.score_samples(X)),
                forest=roc_auc_score(is_outlier, forest_score),
                seconds=time.perf_counter() - start,
                model=ae, forest_score=forest_score, X=X, y=is_outlier)


def broken_relation_anomalies(seeds, share=0.05, max_epochs="auto", report=_say):
    """Section 2: planted rows that break relations between breast-cancer columns."""
    X = load_breast_cancer().data
    results = []
    for seed in seeds:
        X_mix, is_odd = plant_broken_relations(X, share, seed)
        result = compare_detectors(X_mix, is_odd, seed, max_epochs)
        report(f"   seed {seed}: ROC AUC autoencoder {result['ae']:.3f}, "
               f"IsolationForest {result['forest']:.3f} ({result['seconds']:.1f} s)")
        results.append(dict(result, seed=seed))
    return results


def anomalies(X, y, classes, random_state, share=0.05, max_epochs="auto", report=_say):
    """Section 3: each digit class in turn as the outliers."""
    results = []
    for i, digit in enumerate(classes, 1):
        X_mix, is_outlier = anomaly_split(X, y, digit, share, random_state)
        result = compare_detectors(X_mix, is_outlier, random_state, max_epochs)
        report(f"   [{i}/{len(classes)}] outliers = digit {digit}: ROC AUC autoencoder "
               f"{result['ae']:.3f}, IsolationForest {result['forest']:.3f} "
               f"({result['seconds']:.1f} s)")
        results.append(dict(result, digit=digit))
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

    from ..plotting import (
        LossCurveDisplay,
        ReconstructionDisplay,
        ScoreDistributionDisplay,
    )

    out.mkdir(parents=True, exist_ok=True)
    model, X_test = compressed["model"], compressed["X_test"]
    figures = {}

    display = ReconstructionDisplay.from_estimator(model, X_test, n_rows=10)
    display.figure_.suptitle(f"digits: held-out inputs and reconstructions (d = "
                             f"{model.n_components_})")
    figures["reconstructions"] = display.figure_

    # The first held-out digit and the one farthest from it in pixels: a blend of
    # two different shapes.
    farthest = np.argmax(np.linalg.norm(X_test - X_test[0], axis=1))
    figures["interpolation"] = _interpolation_figure(plt, model, X_test[[0, farthest]])

    figures["loss-curve"] = LossCurveDisplay.from_estimator(model).figure_

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    ScoreDistributionDisplay.from_estimator(
        anomaly["model"], anomaly["X"], anomaly["y"], ax=left, bins=40, normalize=True,
        name=f"autoencoder: ROC AUC {anomaly['ae']:.3f}")
    _forest_histogram(right, anomaly)
    for ax in (left, right):  # room for the legend above the bars
        ax.set_ylim(top=1.45 * ax.get_ylim()[1])
        ax.legend(loc="upper left", fontsize=8)
    fig.suptitle("breast cancer + 5 % planted rows that break relations between columns",
                 fontsize=10)
    fig.tight_layout()
    figures["scores"] = fig

    paths = {}
    for name, figure in figures.items():
        paths[name] = out / f"sklearn-ae-demo-{name}.png"
        figure.savefig(paths[name], dpi=110)
    plt.close("all")
    return paths


def _interpolation_figure(plt, model, pair, n_steps=11):
    """Decoded straight line between two codes (0, 0.1, ..., 0.5, ..., 1) over the
    pixel blend of the same two images."""
    steps = np.linspace(0, 1, n_steps)[:, None]
    codes = model.transform(pair)
    rows = (("codes", model.inverse_transform((1 - steps) * codes[0] + steps * codes[1])),
            ("pixels", (1 - steps) * pair[0] + steps * pair[1]))
    fig, axes = plt.subplots(2, n_steps, figsize=(1.0 * n_steps, 2.6))
    for r, (label, images) in enumerate(rows):
        for ax, image, t in zip(axes[r], images, steps[:, 0]):
            ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=16)
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(f"{t:.1f}", fontsize=8)
        axes[r, 0].set_ylabel(label, fontsize=9)
    fig.suptitle("between two held-out digits: decoded blend of codes (top) vs blend of "
                 "pixels (bottom)", fontsize=9)
    fig.tight_layout()
    return fig


def _forest_histogram(ax, anomaly, bins=40):
    score, odd = anomaly["forest_score"], anomaly["y"] == 1
    edges = np.linspace(score.min(), score.max(), bins + 1)
    for group, label in ((score[~odd], "inliers"), (score[odd], "outliers")):
        ax.hist(group, bins=edges, alpha=0.7, weights=np.full(len(group), 1 / len(group)),
                label=label)
    ax.set_xlabel("-score_samples (IsolationForest)")
    ax.set_ylabel("share of the group's rows")
    ax.set_title(f"IsolationForest: ROC AUC {anomaly['forest']:.3f}")
    ax.legend()


def run_demo(out=Path("."), quick=False, data_dir=None, verbose=True, random_state=0):
    """Run the demo; return 0."""
    started = time.perf_counter()
    X, y = load_digits(return_X_y=True)
    d = 8
    max_epochs = 5 if quick else "auto"
    _say(f"== Compression: scikit-learn digits, {len(X)} images of 8x8 pixels, code "
         f"size d={d}, 75/25 split; autoencoder 64-128-{d}-128-64 tanh")
    # Early stopping holds out 10 % of the training rows: the loss figure then shows
    # the validation curve beside the training one.
    result = compression(X, d, random_state, int(verbose), 5 if quick else 200, (128,),
                         early_stopping=True)
    _say(f"   held-out MSE (pixels^2, pixels in 0..16): PCA {result['pca_mse']:.3f}, "
         f"autoencoder {result['ae_mse']:.3f} ({result['ae_mse'] / result['pca_mse']:.2f} x "
         f"PCA; fit {result['ae_seconds']:.1f} s)")

    seeds = (0,) if quick else (0, 1, 2)
    _say("== Anomalies that break relations between columns: breast-cancer table (569 "
         "rows, 30 columns) + 5 % planted rows, each a real row with a third of its "
         "columns copied from another row; both detectors at their defaults, no labels")
    planted = broken_relation_anomalies(seeds, max_epochs=max_epochs)
    _say(f"   mean ROC AUC: autoencoder {np.mean([r['ae'] for r in planted]):.3f}, "
         f"IsolationForest {np.mean([r['forest'] for r in planted]):.3f}")

    classes = (0, 7) if quick else tuple(range(10))
    _say(f"== Anomalies that are far from the rest: one digit class as outliers (5 % of "
         f"rows), the other nine as inliers; {len(classes)} choices of outlier digit")
    found = anomalies(X, y, classes, random_state, max_epochs=max_epochs)
    _say(f"   mean ROC AUC: autoencoder {np.mean([r['ae'] for r in found]):.3f}, "
         f"IsolationForest {np.mean([r['forest'] for r in found]):.3f}")

    folder = find_shared_data(data_dir)
    if folder is not None and (folder / MNIST_IMAGES).exists():
        n_rows = 1000 if quick else 4000
        mnist = load_mnist(folder, n_rows) / 255.0
        _say(f"== MNIST sample from {folder}: {n_rows} images of 28x28, d=30; "
             "AutoencoderTransformer(n_components=30), nothing else set")
        m = compression(mnist, 30, random_state, int(verbose), 3 if quick else "auto",
                        at_defaults=True)
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
        paths = write_figures(Path(out), result, planted[0])
        _say(f"== Figures written to {Path(out).resolve()}:")
        for path in paths.values():
            _say(f"   {path.name}")
    _say(f"done in {time.perf_counter() - started:.0f} s")
    return 0
