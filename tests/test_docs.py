"""The Sphinx documentation builds offline with warnings as errors, runs the gallery of
docs/examples and shows its pictures, and documents every public name."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import sklearn_ae

pytestmark = pytest.mark.slow  # the docs build and the examples take minutes

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"
MNIST = Path("shared") / "data" / "mnist" / "t10k-images-idx3-ubyte.gz"


def _mnist_found():
    return any((folder / MNIST).exists() for folder in [EXAMPLES, *EXAMPLES.parents])


@pytest.fixture(scope="module")
def html(tmp_path_factory):
    for module in ("sphinx", "numpydoc", "myst_parser", "sphinx_gallery", "matplotlib"):
        pytest.importorskip(module, reason=f"{module} is not installed (the test extra has it)")
    out = tmp_path_factory.mktemp("docs") / "html"
    env = {**os.environ, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         str(ROOT / "docs"), str(out)],
        capture_output=True, text=True, env=env, timeout=900,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return out


def test_api_page_lists_every_public_name_and_no_private_module(html):
    api = (html / "api.html").read_text()
    for name in sklearn_ae.__all__:
        assert f'id="sklearn_ae.{name}"' in api, name
    for name in ("AutoencoderTransformer.save", "plotting.LossCurveDisplay",
                 "plotting.ReconstructionDisplay", "plotting.ScoreDistributionDisplay",
                 "cli.main"):
        assert f'id="sklearn_ae.{name}"' in api, name
    assert not re.search(r'id="sklearn_ae\._', api)
    assert not re.search(r'id="module-sklearn_ae\._', api)


def test_user_guide_pages_exist(html):
    for page in ("index", "choosing", "coming_from_pyod", "model_selection", "scaling_out"):
        assert (html / f"{page}.html").exists(), page
    assert "threshold_" in (html / "coming_from_pyod.html").read_text()


def test_gallery_shows_every_example_with_its_pictures(html):
    gallery = html / "auto_examples"
    index = (gallery / "index.html").read_text()
    for script in sorted(EXAMPLES.glob("plot_*.py")):
        name = script.stem
        assert f"{name}.html" in index, name
        page = (gallery / f"{name}.html").read_text()
        if name.startswith("plot_mnist") and not _mnist_found():
            continue  # rendered as code only: the data is not there to run it
        image = f"sphx_glr_{name}_001.png"
        assert image in page, f"{name} has no picture"
        assert (html / "_images" / image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert "Total running time of the script" in page, name


def test_pyod_conversions_of_the_migration_page_hold():
    """coming_from_pyod.md: PyOD's threshold_ and labels_ from our estimator."""
    import numpy as np

    X = np.random.RandomState(0).normal(size=(200, 5))
    contamination = 0.1
    detector = sklearn_ae.AutoencoderTransformer(contamination=contamination, max_epochs=2,
                                                 random_state=0).fit(X)
    decision_scores = -detector.score_samples(X)
    # PyOD's BaseDetector._process_decision_scores, for a float contamination:
    threshold = np.percentile(decision_scores, 100 * (1 - contamination))
    labels = (decision_scores > threshold).astype(int)
    assert threshold == pytest.approx(-detector.offset_, rel=1e-12)
    np.testing.assert_array_equal(labels, (detector.predict(X) == -1).astype(int))
