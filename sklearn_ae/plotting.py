"""Figures of a fitted autoencoder, as scikit-learn style Display objects.

Each display has a ``from_estimator`` class method that computes what it
shows and calls :meth:`plot`, which draws it and stores ``figure_`` and
``ax_`` (as :class:`sklearn.metrics.RocCurveDisplay` does). matplotlib is
imported only inside ``plot``: install it with ``pip install "sklearn-ae[plot]"``.

- :class:`LossCurveDisplay`: training (and validation) loss per epoch;
- :class:`ReconstructionDisplay`: rows next to their reconstructions, as
  images when the number of features is a square (8 x 8 digits), as bars
  otherwise;
- :class:`ScoreDistributionDisplay`: histogram of the reconstruction errors
  with the outlier threshold, split by true label when one is given.
"""

import math

import numpy as np
from sklearn.utils.validation import check_is_fitted


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            'plotting needs matplotlib: pip install "sklearn-ae[plot]" (or pip install '
            "matplotlib)"
        ) from exc
    return plt


def _epochs(curve):
    return np.arange(1, len(curve) + 1)


def _weights(values, normalize):
    """Weights that make a histogram show shares of ``values`` (None: counts)."""
    return np.full(len(values), 1 / max(len(values), 1)) if normalize else None


def _name(estimator, name):
    return type(estimator).__name__ if name is None else name


class LossCurveDisplay:
    """Training loss per epoch, and the validation loss when there is one.

    Parameters
    ----------
    loss_curve : list of float
        Training loss per epoch.
    validation_loss_curve : list of float or None, default=None
        Validation loss per epoch (``early_stopping=True``), drawn dashed.
    estimator_name : str or None, default=None
        Legend label.

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ae import AutoencoderTransformer
    >>> from sklearn_ae.plotting import LossCurveDisplay
    >>> X = np.random.RandomState(0).normal(size=(50, 4))
    >>> ae = AutoencoderTransformer(2, max_epochs=3, random_state=0).fit(X)
    >>> display = LossCurveDisplay.from_estimator(ae)
    >>> len(display.lines_)
    1
    """

    def __init__(self, loss_curve, validation_loss_curve=None, *, estimator_name=None):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, name=None, ax=None):
        """Plot the loss curves of a fitted estimator.

        Parameters
        ----------
        estimator : fitted sklearn_ae estimator
            Its ``loss_curve_`` (and ``validation_loss_curve_``) are drawn.
        name : str or None, default=None
            Legend label; the class name by default.
        ax : matplotlib Axes or None, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        display : LossCurveDisplay
            The drawn display.
        """
        check_is_fitted(estimator)
        display = cls(
            estimator.loss_curve_,
            getattr(estimator, "validation_loss_curve_", None),
            estimator_name=_name(estimator, name),
        )
        return display.plot(ax=ax)

    def plot(self, ax=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes or None, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        display : LossCurveDisplay
            This display, with ``lines_``, ``ax_`` and ``figure_`` set.
        """
        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3.5))
        label = self.estimator_name or "model"
        self.lines_ = ax.plot(_epochs(self.loss_curve), self.loss_curve,
                              label=f"{label}: training")
        if self.validation_loss_curve is not None:
            self.lines_ += ax.plot(
                _epochs(self.validation_loss_curve), self.validation_loss_curve, "--",
                label=f"{label}: validation",
            )
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss (scaled units)")
        ax.set_yscale("log")
        ax.legend()
        ax.figure.tight_layout()
        self.ax_, self.figure_ = ax, ax.figure
        return self


class ReconstructionDisplay:
    """Rows next to their reconstructions.

    Parameters
    ----------
    X : ndarray of shape (n_rows, n_features)
        The rows shown.
    X_reconstructed : ndarray of shape (n_rows, n_features)
        Their reconstructions.
    feature_names : array-like of str or None, default=None
        Bar labels when the rows are not drawn as images.
    image_shape : tuple of int or None, default=None
        Draw each row as an image of this shape; bars when None.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes, shape (2, n_rows) or (n_rows,)
    figure_ : matplotlib Figure

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_ae import AutoencoderTransformer
    >>> from sklearn_ae.plotting import ReconstructionDisplay
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = AutoencoderTransformer(8, max_epochs=2, random_state=0).fit(X)
    >>> ReconstructionDisplay.from_estimator(ae, X, n_rows=4).axes_.shape
    (2, 4)
    """

    def __init__(self, X, X_reconstructed, *, feature_names=None, image_shape=None):
        self.X = X
        self.X_reconstructed = X_reconstructed
        self.feature_names = feature_names
        self.image_shape = image_shape

    @classmethod
    def from_estimator(cls, estimator, X, *, n_rows=8, image_shape="auto", figure=None):
        """Reconstruct the first ``n_rows`` rows of ``X`` and draw them.

        Parameters
        ----------
        estimator : fitted sklearn_ae estimator
            The model whose reconstructions are drawn.
        X : array-like of shape (n_samples, n_features)
            Rows in the units seen at ``fit``; the first ``n_rows`` are drawn.
        n_rows : int, default=8
            How many rows to draw.
        image_shape : "auto", tuple of int or None, default="auto"
            ``"auto"``: square images when ``n_features`` is a perfect square
            (64 -> 8 x 8), bars otherwise. None: always bars.
        figure : matplotlib Figure or None, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        display : ReconstructionDisplay
            The drawn display.
        """
        check_is_fitted(estimator)
        rows = X[:n_rows]
        X_hat = estimator.reconstruct(rows)
        rows = np.asarray(rows, dtype=np.float64)
        n_features = rows.shape[1]
        if image_shape == "auto":
            side = math.isqrt(n_features)
            image_shape = (side, side) if side * side == n_features and side > 1 else None
        names = getattr(estimator, "feature_names_in_", None)
        if names is None:
            names = [f"x{j}" for j in range(n_features)]
        display = cls(rows, X_hat, feature_names=list(names), image_shape=image_shape)
        return display.plot(figure=figure)

    def plot(self, figure=None):
        """Draw originals (top) and reconstructions (bottom), or paired bars.

        Parameters
        ----------
        figure : matplotlib Figure or None, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        display : ReconstructionDisplay
            This display, with ``axes_`` and ``figure_`` set.
        """
        plt = _pyplot()
        n_rows = len(self.X)
        if self.image_shape is not None:
            if figure is None:
                figure = plt.figure(figsize=(1.1 * n_rows, 2.6))
            axes = figure.subplots(2, n_rows, squeeze=False)
            # The inputs' range: a reconstruction slightly outside it must not
            # turn the background grey.
            low, high = self.X.min(), self.X.max()
            for i in range(n_rows):
                for row, data in enumerate((self.X[i], self.X_reconstructed[i])):
                    ax = axes[row, i]
                    ax.imshow(data.reshape(self.image_shape), cmap="gray_r", vmin=low,
                              vmax=high)
                    ax.set_xticks([])
                    ax.set_yticks([])
            axes[0, 0].set_ylabel("input")
            axes[1, 0].set_ylabel("recon.")
        else:
            if figure is None:
                figure = plt.figure(figsize=(max(5, 0.35 * self.X.shape[1]), 1.8 * n_rows))
            axes = figure.subplots(n_rows, 1, squeeze=False)[:, 0]
            positions = np.arange(self.X.shape[1])
            for i, ax in enumerate(axes):
                ax.bar(positions - 0.2, self.X[i], width=0.4, label="input")
                ax.bar(positions + 0.2, self.X_reconstructed[i], width=0.4,
                       label="reconstruction")
                ax.set_xticks(positions, [] if i < n_rows - 1 else self.feature_names,
                              rotation=90)
            axes[0].legend(fontsize="small")
        figure.tight_layout()
        self.axes_, self.figure_ = axes, figure
        return self


class ScoreDistributionDisplay:
    """Histogram of reconstruction errors, with the outlier threshold.

    The error is ``-score_samples``: each of its terms (reconstruction error,
    neighbour distance) in units of its typical training value, so a training
    row is about 2 (about 1 with ``n_neighbors=0``); rows right of the
    threshold ``-offset_`` are predicted outliers.

    Parameters
    ----------
    errors : ndarray of shape (n_samples,)
        Reconstruction errors, ``-score_samples``.
    threshold : float
        The outlier threshold on the errors, ``-offset_``.
    y : ndarray of shape (n_samples,) or None, default=None
        True labels: 1 or True for outliers (or -1 for outliers in
        scikit-learn's ±1 convention).
    estimator_name : str or None, default=None
        Title of the plot.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ae import AutoencoderTransformer
    >>> from sklearn_ae.plotting import ScoreDistributionDisplay
    >>> X = np.random.RandomState(0).normal(size=(100, 4))
    >>> ae = AutoencoderTransformer(2, max_epochs=3, random_state=0).fit(X)
    >>> display = ScoreDistributionDisplay.from_estimator(ae, X, bins=20)
    >>> display.threshold == -ae.offset_
    True
    """

    def __init__(self, errors, threshold, *, y=None, estimator_name=None):
        self.errors = errors
        self.threshold = threshold
        self.y = y
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, X, y=None, *, name=None, ax=None, bins=50,
                       normalize=False):
        """Score ``X`` and draw the histogram.

        Parameters
        ----------
        estimator : fitted sklearn_ae estimator
            The detector whose errors are drawn.
        X : array-like of shape (n_samples, n_features)
            Rows to score, in the units seen at ``fit``.
        y : array-like of shape (n_samples,) or None, default=None
            True outlier labels, see the class parameters.
        name : str or None, default=None
            Title; the class name by default.
        ax : matplotlib Axes or None, default=None
            Where to draw; a new figure when None.
        bins : int, default=50
            Number of (logarithmic) bins.
        normalize : bool, default=False
            Show each group's share of its own rows per bin instead of row
            counts, so that a small group of outliers is as visible as the
            inliers.

        Returns
        -------
        display : ScoreDistributionDisplay
            The drawn display.
        """
        check_is_fitted(estimator)
        display = cls(
            -estimator.score_samples(X),
            -estimator.offset_,
            y=None if y is None else np.asarray(y),
            estimator_name=_name(estimator, name),
        )
        return display.plot(ax=ax, bins=bins, normalize=normalize)

    def plot(self, ax=None, bins=50, normalize=False):
        """Draw the histogram(s) and the threshold.

        Parameters
        ----------
        ax : matplotlib Axes or None, default=None
            Where to draw; a new figure when None.
        bins : int, default=50
            Number of (logarithmic) bins.
        normalize : bool, default=False
            Each group's share of its own rows per bin instead of row counts.

        Returns
        -------
        display : ScoreDistributionDisplay
            This display, with ``ax_`` and ``figure_`` set.
        """
        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3.5))
        errors = np.asarray(self.errors, dtype=np.float64)
        edges = np.geomspace(max(errors.min(), 1e-3), max(errors.max(), 1e-2), bins + 1)
        if self.y is None:
            ax.hist(errors, bins=edges, weights=_weights(errors, normalize), label="rows")
        else:
            outlier = (self.y == -1) if (self.y == -1).any() else self.y.astype(bool)
            for group, label in ((errors[~outlier], "inliers"), (errors[outlier], "outliers")):
                ax.hist(group, bins=edges, alpha=0.7, weights=_weights(group, normalize),
                        label=label)
        ax.axvline(self.threshold, color="k", linestyle="--",
                   label=f"threshold {self.threshold:.3g}")
        ax.set_xscale("log")
        ax.set_xlabel("outlier score -score_samples (each term's typical training value = 1)")
        ax.set_ylabel("share of the group's rows" if normalize else "rows")
        if self.estimator_name:
            ax.set_title(self.estimator_name)
        ax.legend()
        ax.figure.tight_layout()
        self.ax_, self.figure_ = ax, ax.figure
        return self
