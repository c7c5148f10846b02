"""The gallery scripts of docs/examples, run as plain scripts: each claim their text
makes is checked on what they compute.

Each script runs in docs/examples (as sphinx-gallery runs it) with the Agg backend and
returns its globals. The MNIST examples need the project's shared data folder at
``../shared/data`` from the repository root; without it they must say so in one line
and exit cleanly.
"""

import os
import runpy
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib", reason="the examples draw with matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

pytestmark = pytest.mark.slow  # the docs build and the examples take minutes

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"
MNIST = Path("shared") / "data" / "mnist" / "t10k-images-idx3-ubyte.gz"
ALL_EXAMPLES = sorted(path.stem for path in EXAMPLES.glob("plot_*.py"))


def _mnist_found():
    return any((folder / MNIST).exists() for folder in [EXAMPLES, *EXAMPLES.parents])


def run_example(name, monkeypatch):
    """Run ``docs/examples/<name>.py`` as ``__main__``; return its globals."""
    monkeypatch.chdir(EXAMPLES)
    plt.close("all")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*non-interactive.*")
        namespace = runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name="__main__")
    assert plt.get_fignums(), f"{name} drew no figure"
    plt.close("all")
    return namespace


def test_every_example_is_a_gallery_script():
    assert len(ALL_EXAMPLES) >= 10
    for name in ALL_EXAMPLES:
        source = (EXAMPLES / f"{name}.py").read_text()
        title = source.split('"""')[1].strip().splitlines()
        assert set(title[1]) == {"="} and len(title[1]) >= len(title[0]), name
        assert "plt.show()" in source, name


def test_denoising_field_pulls_corrupted_points_to_the_curve(monkeypatch):
    g = run_example("plot_denoising_manifold", monkeypatch)
    assert g["after"] < 0.6 * g["before"]


def test_denoiser_travel_grows_with_distance_to_the_data(monkeypatch):
    g = run_example("plot_denoising_travel", monkeypatch)
    travel, to_data, near = g["travel"], g["to_data"], g["near"]
    assert np.corrcoef(travel[near], to_data[near])[0, 1] > 0.8
    assert travel[to_data < 0.05].mean() < 0.3 * travel[(to_data > 0.3) & near].mean()


def test_contractive_codes_move_less(monkeypatch):
    results = run_example("plot_contractive_codes", monkeypatch)["results"]
    plain, contractive = results["plain"], results["contractive"]
    assert contractive["jacobian_norm"] < plain["jacobian_norm"]
    for moved_c, moved_p in zip(contractive["relative_displacement"],
                                plain["relative_displacement"]):
        assert moved_c < moved_p


def test_contractive_code_is_flatter_across_the_curve(monkeypatch):
    speeds = run_example("plot_contractive_manifold", monkeypatch)["speeds"]

    def ratio(name):
        return np.median(speeds[name]["across"] / speeds[name]["along"])

    assert ratio("contractive") < 0.6 * ratio("plain")


def test_latent_interpolation_stays_closer_to_real_digits(monkeypatch):
    g = run_example("plot_latent_interpolation", monkeypatch)
    assert 0.5 in g["t"][:, 0]
    assert g["latent_path"].shape == g["pixel_path"].shape == (9, 64)
    # The pixel path's midpoint is a double exposure, far from any digit.
    assert g["latent_error"].max() < g["pixel_error"].max()


def test_tied_linear_autoencoder_spans_pcas_subspace(monkeypatch):
    g = run_example("plot_linear_pca", monkeypatch)
    assert np.sort(g["angles"])[:-1].max() < 1.0  # degrees; the last pair is nearly tied
    assert g["mse"]["autoencoder"] < 1.01 * g["mse"]["PCA"]


def test_pipeline_runs_and_small_codes_beat_pca(monkeypatch):
    accuracy = run_example("plot_pipeline_digits", monkeypatch)["accuracy"]
    assert min(accuracy["autoencoder"]) > 0.4 and max(accuracy["autoencoder"]) > 0.9
    assert accuracy["autoencoder"][1] > accuracy["PCA"][1]  # d = 4


def test_autoencoders_find_broken_column_relations_that_isolation_forest_misses(
        monkeypatch):
    aucs = run_example("plot_tabular_anomalies", monkeypatch)["aucs"]
    # Measured: IsolationForest 0.689, autoencoders 0.852-0.876.
    for name in ("AutoencoderTransformer", "DenoisingAutoencoder", "ContractiveAutoencoder"):
        assert aucs[name] > aucs["IsolationForest"] + 0.1


def test_mixed_table_scores_and_names_the_planted_column(monkeypatch):
    g = run_example("plot_mixed_table_anomalies", monkeypatch)
    table, planted, aucs = g["table"], g["planted"], g["aucs"]
    numbers = table[g["numeric_columns"]]
    assert 0.06 < numbers.isna().to_numpy().mean() < 0.10
    assert table["lab"].dtype != "category" and table["diagnosis"].dtype == "category"
    # Measured: autoencoder 0.925, IsolationForest 0.811; 20 of 30 top columns (25 of 30
    # with linear_shortcut=False, whose AUC was 0.884).
    assert aucs["AutoencoderTransformer"] > aucs["IsolationForest"] + 0.05
    assert g["share_named"] > 0.6
    # The figure's sentence: four of the six rows shown are named, and the neighbour
    # term is the largest in three of them.
    shown, contributions, top = g["shown"], g["contributions"], g["top_column"]
    assert (top[shown] == planted[shown]).sum() == 4
    assert (contributions.iloc[shown].idxmax(axis=1) == "<neighbor distance>").sum() == 3


needs_mnist = pytest.mark.skipif(
    not _mnist_found(), reason="MNIST IDX files not found in ../shared/data/mnist (the "
    "project's shared data folder); nothing is downloaded")


@needs_mnist
def test_mnist_denoising_beats_plain_on_masked_digits(monkeypatch):
    g = run_example("plot_mnist_denoising", monkeypatch)
    assert g["mse"](g["recon"]["denoising"]) < g["mse"](g["recon"]["plain"])
    assert g["mse"](g["recon"]["denoising"]) < g["mse"](g["X_masked"])


@needs_mnist
def test_lecture_model_reconstructs_digits(monkeypatch):
    g = run_example("plot_mnist_lecture_model", monkeypatch)
    X_train, X_test, errors = g["X_train"], g["X_test"], g["errors"]
    mean_image_error = np.mean((X_test - X_train.mean(axis=0)) ** 2)
    assert errors["autoencoder"] < 0.5 * mean_image_error
    assert errors["PCA"] < 0.5 * mean_image_error


@pytest.mark.parametrize("name", [n for n in ALL_EXAMPLES if n.startswith("plot_mnist")])
def test_mnist_examples_say_in_one_line_when_the_data_is_absent(name, tmp_path):
    done = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py")], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.count("\n") == 1 and "MNIST sample not found" in done.stdout
