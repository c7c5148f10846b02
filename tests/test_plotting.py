"""Display objects: from_estimator draws, plot stores figure_ and the axes."""

import numpy as np
import pytest

from sklearn_ae import AutoencoderTransformer

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sklearn_ae.plotting import (  # noqa: E402
    LossCurveDisplay,
    ReconstructionDisplay,
    ScoreDistributionDisplay,
)


@pytest.fixture(scope="module")
def fitted():
    X = np.random.RandomState(0).uniform(size=(60, 16))
    return AutoencoderTransformer(3, max_epochs=3, early_stopping=True,
                                  random_state=0).fit(X), X


def teardown_function():
    plt.close("all")


def test_loss_curve(fitted, tmp_path):
    est, _ = fitted
    display = LossCurveDisplay.from_estimator(est)
    assert len(display.lines_) == 2  # training and validation
    np.testing.assert_array_equal(display.lines_[0].get_ydata(), est.loss_curve_)
    np.testing.assert_array_equal(display.lines_[1].get_ydata(), est.validation_loss_curve_)
    assert [t.get_text().endswith("validation") for t in display.ax_.get_legend().get_texts()] \
        == [False, True]
    display.figure_.savefig(tmp_path / "loss.png")
    _, ax = plt.subplots()
    assert LossCurveDisplay.from_estimator(est, ax=ax).ax_ is ax


def test_reconstructions_as_images_or_bars(fitted):
    est, X = fitted
    images = ReconstructionDisplay.from_estimator(est, X, n_rows=4)
    assert images.image_shape == (4, 4) and images.axes_.shape == (2, 4)
    bars = ReconstructionDisplay.from_estimator(est, X, n_rows=3, image_shape=None)
    assert bars.axes_.shape == (3,)
    np.testing.assert_allclose(images.X_reconstructed, est.reconstruct(X[:4]))


def test_score_distribution_with_threshold(fitted):
    est, X = fitted
    y = np.r_[np.zeros(55, int), np.ones(5, int)]
    display = ScoreDistributionDisplay.from_estimator(est, X, y)
    assert display.threshold == -est.offset_
    np.testing.assert_allclose(display.errors, -est.score_samples(X))
    assert len(display.ax_.get_legend().get_texts()) == 3


def test_validation_curve_of_another_length_is_drawn_on_its_own_epochs():
    display = LossCurveDisplay([1.0, 0.5, 0.4, 0.3], [1.2, 0.9]).plot()
    np.testing.assert_array_equal(display.lines_[1].get_xdata(), [1, 2])


def test_normalized_histograms_show_shares_of_each_group(fitted):
    est, X = fitted
    y = np.r_[np.zeros(55, int), np.ones(5, int)]
    display = ScoreDistributionDisplay.from_estimator(est, X, y, normalize=True, bins=10)
    inliers, outliers = (container for container in display.ax_.containers)
    assert sum(bar.get_height() for bar in inliers) == pytest.approx(1.0)
    assert sum(bar.get_height() for bar in outliers) == pytest.approx(1.0)
