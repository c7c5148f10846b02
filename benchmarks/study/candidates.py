"""Candidate defaults prototyped outside the core (scratch module for DEFAULTS_STUDY.md).

Each candidate is an outlier detector with ``fit(X)`` and ``score_samples(X)`` (higher =
more normal) built from one of our estimators with given parameters plus, optionally,
a code-space term computed here from ``transform``. Nothing in ``sklearn_ae`` is changed:
what wins is to be moved into the core by the lead (see DEFAULTS_STUDY.md).

The code-space term ("kNN in the learned representation"):

1. ``H = transform(X_train)``, each code unit standardized by its training mean and std;
2. a reference set of ``min(n, n_reference)`` training codes drawn with ``random_state``;
3. a row's term is the mean squared distance to its ``k`` nearest reference codes,
   divided by the mean of that quantity over the training rows, so that it is 1 on a
   typical training row, as the normalized reconstruction error already is;
4. the score is ``-(reconstruction term + code term)``.
"""

import math

import numpy as np
from sklearn.neighbors import NearestNeighbors

from sklearn_ae import (
    AutoencoderTransformer,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
)

ESTIMATORS = {
    "ae": AutoencoderTransformer,
    "dae": DenoisingAutoencoder,
    "cae": ContractiveAutoencoder,
}


def resolve_params(params, n_samples, n_features):
    """Turn rule strings in a candidate's parameters into numbers for one table.

    ``n_components="log2min2"``: ``min(p, max(2, round(log2 p)))``.
    ``hidden_layer_sizes="<rule>"``: see ``hidden_rule``.
    ``max_epochs="stepsN"``: about N optimizer steps at the default batch size
    (``clip(n // 16, 8, 256)``), as ``max_epochs="auto"`` does for 1000.
    """
    params = dict(params)
    d = params.get("n_components")
    if d == "log2min2":
        d = min(n_features, max(2, round(math.log2(n_features))))
        params["n_components"] = d
    if d is None:
        d = max(1, round(math.log2(n_features)))
    epochs = params.get("max_epochs")
    if isinstance(epochs, str) and epochs.startswith("steps"):
        batch = int(np.clip(n_samples // 16, 8, 256))
        params["max_epochs"] = max(1, math.ceil(int(epochs[5:]) / math.ceil(n_samples / batch)))
    rule = params.get("hidden_layer_sizes")
    if isinstance(rule, str):
        params["hidden_layer_sizes"] = hidden_rule(rule, n_samples, n_features, d)
    return params


def hidden_rule(rule, n_samples, n_features, d):
    """Hidden layer widths for the rules tried in the study."""
    if rule == "narrow":  # today's default
        return (max(2 * d, 4),)
    if rule == "wide":  # one layer between code and input, grows with p
        return (int(np.clip(2 * n_features, 4 * d, 512)),)
    if rule == "two":  # two layers: 2p then p, clipped
        first = int(np.clip(2 * n_features, 4 * d, 512))
        second = int(np.clip(n_features, 2 * d, 256))
        return (first, second)
    if rule == "rows":  # width grows with sqrt(rows), never above 2p
        return (int(np.clip(math.sqrt(n_samples), 2 * d, max(2 * n_features, 2 * d))),)
    raise ValueError(rule)


class Candidate:
    """Estimator ``kind`` with ``params``, scored by reconstruction (+ code kNN)."""

    def __init__(self, kind="ae", params=None, code_knn=True, k=10, n_reference=2048,
                 space="code", combine="sum", random_state=None):
        self.kind = kind
        self.combine = combine
        self.space = space
        self.params = params
        self.code_knn = code_knn
        self.k = k
        self.n_reference = n_reference
        self.random_state = random_state

    def fit(self, X):
        n, p = X.shape
        params = resolve_params(self.params or {}, n, p)
        self.model_ = ESTIMATORS[self.kind](random_state=self.random_state, **params).fit(X)
        if not self.code_knn:
            return self
        H = self._representation(X)
        self.code_mean_ = H.mean(axis=0)
        self.code_std_ = np.maximum(H.std(axis=0), 1e-6 * max(H.std(), 1e-12))
        Z = (H - self.code_mean_) / self.code_std_
        rng = np.random.RandomState(self.random_state)
        ref = Z if n <= self.n_reference else Z[rng.choice(n, self.n_reference, replace=False)]
        self.k_ = min(self.k, len(ref))
        self.neighbors_ = NearestNeighbors(n_neighbors=self.k_).fit(ref)
        self.code_scale_ = self._raw_code_term(Z).mean()
        self.code_scale_ = max(self.code_scale_, 1e-12)
        return self

    def _representation(self, X):
        """The code, or (``space="input"``) the scaled, unclipped input rows."""
        if self.space == "code":
            return self.model_.transform(X)
        return self.model_.scaler_.transform(X)

    def _raw_code_term(self, Z):
        dist, _ = self.neighbors_.kneighbors(Z)
        return np.mean(dist**2, axis=1)

    def code_term(self, X):
        Z = (self._representation(X) - self.code_mean_) / self.code_std_
        return self._raw_code_term(Z) / self.code_scale_

    def score_samples(self, X):
        score = self.model_.score_samples(X)
        if not self.code_knn:
            return score
        if self.combine == "log":  # each term's ratio to its typical value counts alike
            return -(np.log(np.maximum(-score, 1e-12)) + np.log(self.code_term(X) + 1e-12))
        return score - self.code_term(X)
