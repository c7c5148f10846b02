"""Model selection: the hidden cells of the criterion behind ``score``, and outlier scorers.

Numpy and scikit-learn metrics only; nothing here knows about torch.
"""

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

# Defaults of the criterion that ``score`` returns (docs/model_selection.md).
HIDDEN_FRACTION = 0.2
MASK_SEED = 0


def hidden_entry_mask(n_samples, n_features, fraction=HIDDEN_FRACTION, seed=MASK_SEED):
    """Which entries of each row are hidden: a fixed, seeded choice.

    Every row hides the same number ``k = round(fraction * n_features)`` of
    entries, clipped to ``[1, n_features - 1]`` (one when there is a single
    feature), chosen at random. Row ``i``'s mask depends only on ``i``, the
    width and ``seed``, not on how many rows there are, so the criterion of a
    fitted model on given data is deterministic.

    Returns
    -------
    mask : ndarray of bool, shape (n_samples, n_features)
    """
    return HiddenEntryMasks(n_features, fraction, seed).next_rows(n_samples)


class HiddenEntryMasks:
    """:func:`hidden_entry_mask` drawn chunk by chunk: ``next_rows(k)`` gives the
    masks of the next ``k`` rows, the same as one call for all rows would."""

    def __init__(self, n_features, fraction=HIDDEN_FRACTION, seed=MASK_SEED):
        self.n_features = n_features
        self.k = int(np.clip(round(fraction * n_features), 1, max(n_features - 1, 1)))
        self.rng = np.random.RandomState(seed)

    def next_rows(self, n_rows):
        draws = self.rng.random_sample((n_rows, self.n_features))
        mask = np.zeros((n_rows, self.n_features), dtype=bool)
        if self.k >= self.n_features:
            mask[:] = True
        else:
            hidden = np.argpartition(draws, self.k - 1, axis=1)[:, : self.k]
            np.put_along_axis(mask, hidden, True, axis=1)
        return mask


_METRICS = {"roc_auc": roc_auc_score, "average_precision": average_precision_score}


def outlier_labels(y, outlier_label=None):
    """Boolean outlier indicator from labels, refusing ambiguous conventions.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels of the rows.
    outlier_label : int, str or None, default=None
        The label that marks outliers. With None: ``-1`` when the labels are
        within ``{-1, +1}`` (scikit-learn's ``predict`` convention, +1 = inlier),
        ``1`` (or True) when they are within ``{0, 1}`` (the ODDS / PyOD / ADBench
        convention, 1 = outlier). Any other set of labels needs it.

    Returns
    -------
    is_outlier : ndarray of bool, shape (n_samples,)
    """
    y = np.asarray(y)
    if outlier_label is not None:
        if not np.any(y == outlier_label):
            values = np.unique(y).tolist()
            raise ValueError(f"outlier_label={outlier_label!r} is not among the labels {values}.")
        return y == outlier_label
    values = set(np.unique(y).tolist())
    if values <= {-1, 1}:
        return y == -1
    if values <= {0, 1}:
        return y == 1
    raise ValueError(
        f"Cannot tell outliers from inliers in labels {sorted(values, key=str)}: "
        "use +1/-1 (-1 = outlier), 0/1 (1 = outlier) or pass outlier_label."
    )


class _OutlierScorer:
    """Picklable scorer ``(estimator, X, y) -> float``, see :func:`outlier_scorer`."""

    def __init__(self, metric, outlier_label):
        self.metric = metric
        self.outlier_label = outlier_label

    def __call__(self, estimator, X, y):
        is_outlier = outlier_labels(y, self.outlier_label)
        # decision_function is higher for more normal rows: negate it so that
        # the outliers, the positive class, get the high scores.
        return float(_METRICS[self.metric](is_outlier, -estimator.decision_function(X)))

    def __repr__(self):
        return f"outlier_scorer({self.metric!r}, outlier_label={self.outlier_label!r})"


def outlier_scorer(metric="roc_auc", *, outlier_label=None):
    """A scorer for labelled anomalies with outliers as the positive class.

    For ``GridSearchCV(estimator, grid, scoring=outlier_scorer("roc_auc"))``
    on data labelled inlier/outlier. The estimator's ``decision_function``
    (higher = more normal) is negated, so outliers rank first whatever the
    label convention, and ``"average_precision"`` is the precision of
    finding the *outliers*, the number anomaly benchmarks report.

    scikit-learn's own ``scoring="roc_auc"`` uses ``decision_function`` with
    the greater label as the positive class: right for +1/-1 labels, but
    ``1 - AUC`` for 0/1 labels with 1 = outlier; and its
    ``"average_precision"`` on +1/-1 labels measures the precision of
    finding inliers. This scorer avoids both.

    Parameters
    ----------
    metric : {"roc_auc", "average_precision"}, default="roc_auc"
        Ranking metric of the outlier score ``-decision_function(X)``.
    outlier_label : int, str or None, default=None
        The label of outliers. None reads ``{-1, +1}`` labels as
        -1 = outlier and ``{0, 1}`` labels as 1 = outlier, and refuses others.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y) -> float``, higher is better.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import GridSearchCV, StratifiedKFold
    >>> from sklearn_ae import AutoencoderTransformer, outlier_scorer
    >>> rng = np.random.RandomState(0)
    >>> X = np.r_[rng.normal(size=(90, 4)) @ rng.normal(size=(4, 8)),
    ...           5 * rng.normal(size=(10, 8))]
    >>> y = np.r_[np.zeros(90), np.ones(10)]      # 1 = outlier (ODDS)
    >>> search = GridSearchCV(AutoencoderTransformer(max_epochs=5, random_state=0),
    ...                       {"n_components": [2, 4]}, scoring=outlier_scorer("roc_auc"),
    ...                       cv=StratifiedKFold(3, shuffle=True, random_state=0))
    >>> bool(search.fit(X, y).best_score_ > 0.5)
    True
    """
    if metric not in _METRICS:
        raise ValueError(f"metric must be one of {sorted(_METRICS)}, got {metric!r}.")
    return _OutlierScorer(metric, outlier_label)
