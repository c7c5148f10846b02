"""Numpy only: reconstruction errors and outlier thresholds."""

import numpy as np


def row_errors(residuals):
    """Mean squared reconstruction error of each row, float64, shape (n,)."""
    return np.square(np.asarray(residuals, dtype=np.float64)).mean(axis=1)


def offset_from_contamination(scores, contamination):
    """The threshold on ``scores`` (higher = more normal) below which rows are outliers.

    Parameters
    ----------
    scores : ndarray of shape (n_samples,)
        ``score_samples`` of the training data.
    contamination : "auto" or float in (0, 0.5]
        With a float, the share of training rows to flag, exactly as
        :class:`~sklearn.ensemble.IsolationForest` defines it:
        ``np.percentile(scores, 100 * contamination)``.
        With ``"auto"``, Tukey's upper fence on the reconstruction error
        ``-scores``: a row is an outlier when its error exceeds
        ``Q3 + 1.5 * IQR`` of the training rows' errors (the boxplot rule).
        It needs no labels, adapts to the scale of the errors, and flags only
        the long right tail: a few percent of rows on clean data.

    Returns
    -------
    offset : float
    """
    scores = np.asarray(scores, dtype=np.float64)
    if contamination != "auto":
        return float(np.percentile(scores, 100.0 * contamination))
    q1, q3 = np.percentile(-scores, [25, 75])
    return float(-(q3 + 1.5 * (q3 - q1)))
