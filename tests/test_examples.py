"""The runnable examples of docs/examples, on small settings.

The computations run everywhere; the figures need matplotlib (the ``examples``
extra) and are skipped without it. The MNIST example needs the shared data
folder at ``../shared/data`` from the repository root.
"""

import importlib.util
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _check_png(path):
    assert path.exists() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_denoising_field_pulls_corrupted_points_to_the_curve(tmp_path):
    example = _load("plot_denoising_manifold")
    results = example.compute(n_samples=300, max_epochs=40)
    # Full settings measured: 0.221 -> 0.066.
    assert results["after"] < 0.6 * results["before"]
    pytest.importorskip("matplotlib")
    _check_png(example.plot(results, tmp_path))


def test_contractive_codes_move_less(tmp_path):
    example = _load("plot_contractive_codes")
    results = example.compute(max_epochs=10, sigmas=(0.1, 0.4))
    plain, contractive = results["plain"], results["contractive"]
    assert contractive["jacobian_norm"] < plain["jacobian_norm"]
    for moved_c, moved_p in zip(contractive["relative_displacement"],
                                plain["relative_displacement"]):
        assert moved_c < moved_p
    pytest.importorskip("matplotlib")
    _check_png(example.plot(results, tmp_path))


def test_mnist_denoising_beats_plain_on_masked_digits(tmp_path):
    example = _load("plot_mnist_denoising")
    if not (Path(example.DATA_DIR) / example.IMAGES).exists():
        pytest.skip(f"MNIST IDX files not found at {example.DATA_DIR} "
                    "(the project's shared data folder); nothing is downloaded")
    results = example.compute(n_train=1000, n_test=200, max_epochs=5, n_components=64)
    assert results["denoising"]["masked_mse"] < results["plain"]["masked_mse"]
    pytest.importorskip("matplotlib")
    _check_png(example.plot(results, tmp_path, n_digits=4))


def test_latent_interpolation_stays_closer_to_real_digits(tmp_path):
    example = _load("plot_latent_interpolation")
    results = example.compute(n_steps=6, max_epochs=60)
    assert results["latent_path"].shape == results["pixel_path"].shape == (6, 64)
    # The pixel path's midpoint is a double exposure, far from any digit.
    assert results["latent_error"].max() < results["pixel_error"].max()
    pytest.importorskip("matplotlib")
    _check_png(example.plot(results, tmp_path))


def test_autoencoders_find_broken_column_relations_that_isolation_forest_misses(tmp_path):
    example = _load("plot_tabular_anomalies")
    results = example.compute()
    # Full settings measured: IsolationForest 0.669, autoencoders 0.830-0.856.
    for name in ("AutoencoderTransformer", "DenoisingAutoencoder", "ContractiveAutoencoder"):
        assert results[name]["auc"] > results["IsolationForest"]["auc"] + 0.1
    pytest.importorskip("matplotlib")
    _check_png(example.plot(results, tmp_path))
