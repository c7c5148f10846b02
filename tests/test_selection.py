"""Model selection: the imputation criterion of ``score`` and the outlier scorers."""

import pickle

import numpy as np
import torch
import pytest
from sklearn.decomposition import PCA
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sklearn_ae import AutoencoderTransformer, DenoisingAutoencoder, outlier_scorer
from sklearn_ae._inference import TableNetwork
from sklearn_ae._selection import HiddenEntryMasks, hidden_entry_mask, outlier_labels
from sklearn_ae._tabular import TableEncoder

# Tied linear models trained by L-BFGS reach PCA's subspace in a few epochs.
LINEAR = dict(hidden_layer_sizes=(), activation="linear", tied_weights=True,
              optimizer="lbfgs", max_epochs=20, random_state=0)


def _low_rank(n=300, p=20, d=4, noise=0.5, seed=0):
    """Rank-d signal plus isotropic noise: the model of probabilistic PCA."""
    rng = np.random.RandomState(seed)
    H = rng.normal(size=(n, d)) * np.linspace(3, 1.5, d)
    return H @ rng.normal(size=(d, p)) + noise * rng.normal(size=(n, p))


def _planted_anomalies(seed=0):
    """Inliers near a 3-D plane in 10-D; 10 % outliers off it, twice as spread."""
    rng = np.random.RandomState(seed)
    basis = rng.normal(size=(3, 10))
    inliers = rng.normal(size=(270, 3)) @ basis + 0.1 * rng.normal(size=(270, 10))
    outliers = 2 * rng.normal(size=(30, 10)) * inliers.std(axis=0)
    return np.r_[inliers, outliers], np.r_[np.ones(270, int), -np.ones(30, int)]


# ------------------------------------------------------------ the criterion

def test_mask_hides_the_same_number_of_entries_in_every_row_deterministically():
    mask = hidden_entry_mask(50, 20)
    assert mask.shape == (50, 20) and (mask.sum(axis=1) == 4).all()
    np.testing.assert_array_equal(mask, hidden_entry_mask(50, 20))
    # A row's mask does not depend on how many rows follow it.
    np.testing.assert_array_equal(mask[:7], hidden_entry_mask(7, 20))
    assert not np.array_equal(mask, hidden_entry_mask(50, 20, seed=1))
    # At least one entry hidden and one visible where there are two or more.
    assert (hidden_entry_mask(5, 2, fraction=0.01).sum(axis=1) == 1).all()
    assert (hidden_entry_mask(5, 2, fraction=0.99).sum(axis=1) == 1).all()
    assert hidden_entry_mask(5, 1).all()


def test_masks_drawn_chunk_by_chunk_are_those_of_one_draw():
    masks = HiddenEntryMasks(9)
    chunks = [masks.next_rows(n) for n in (5, 1, 14)]
    np.testing.assert_array_equal(np.vstack(chunks), hidden_entry_mask(20, 9))


def test_refill_converges_to_least_squares_completion():
    # score() hides cells and refills them as missing ones: for a projection
    # onto a subspace, repeated refilling converges to the completion of the
    # hidden entries that fits the visible ones best.
    rng = np.random.RandomState(0)
    U = np.linalg.qr(rng.normal(size=(6, 2)))[0]
    X = (rng.normal(size=(40, 2)) @ U.T).astype(np.float32)  # exactly in the subspace
    projection = torch.nn.Linear(6, 6, bias=False)
    projection.weight.data = torch.as_tensor(U @ U.T, dtype=torch.float32)
    encoder = TableEncoder.for_numbers(6, None, None, None)
    network = TableNetwork(encoder, projection, "cpu", clip=None)
    hidden = hidden_entry_mask(40, 6)
    encoded = network.hide(encoder.encode(X), hidden)
    errors = []
    with torch.inference_mode():
        for n_rounds in (0, 3, 200):
            outputs = network.outputs(encoded, n_rounds=n_rounds)
            errors.append(np.mean((outputs[hidden] - X[hidden]) ** 2))
    assert errors[0] > errors[1] > errors[2] and errors[2] < 1e-6


def test_score_is_deterministic_and_not_minus_reconstruction_error():
    X = _low_rank()
    ae = AutoencoderTransformer(4, **LINEAR).fit(X)
    assert ae.score(X) == ae.score(X) == pickle.loads(pickle.dumps(ae)).score(X)
    assert ae.score(X) < -ae.reconstruction_error(X).mean()  # hidden entries are harder
    np.testing.assert_allclose(ae.mean_, X.mean(axis=0))


def test_score_does_not_reward_a_model_that_copies_its_input():
    X = _low_rank()
    identity = AutoencoderTransformer(20, **LINEAR).fit(X)
    assert -identity.reconstruction_error(X).mean() > -1e-4  # copies its input
    # ... so it returns the training mean for a hidden entry: a score of about
    # -1, the variance of a standardized column.
    assert identity.score(X) == pytest.approx(-1.0, abs=0.1)
    assert AutoencoderTransformer(4, **LINEAR).fit(X).score(X) > -0.1


@pytest.mark.parametrize("scaling", [None, "standard"])
def test_grid_search_without_scorer_finds_the_true_code_size(scaling):
    X = _low_rank()
    grid = {"n_components": [1, 2, 4, 6, 10]}
    search = GridSearchCV(AutoencoderTransformer(scaling=scaling, **LINEAR), grid, cv=3).fit(X)
    assert search.best_params_ == {"n_components": 4}
    scores = search.cv_results_["mean_test_score"]
    assert scores[2] > scores[3] > scores[4]  # falls again beyond the true d
    if scaling is None:
        # Probabilistic PCA's held-out likelihood agrees on PCA-like data.
        pca = GridSearchCV(PCA(), grid, cv=3).fit(X)
        assert pca.best_params_ == search.best_params_


# ------------------------------------------------------- labelled anomalies

def test_grid_search_on_labelled_anomalies_with_sklearn_roc_auc():
    X, y = _planted_anomalies()  # +1 inlier, -1 outlier, as IsolationForest
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(
        DenoisingAutoencoder(max_epochs=30, random_state=0),
        {"n_components": [3, 8], "noise_level": [0.1, 0.3]}, scoring="roc_auc", cv=cv,
    ).fit(X, y)
    assert search.best_score_ > 0.9
    # fit ignored y: the refitted model is the one fitted without labels.
    best = DenoisingAutoencoder(max_epochs=30, random_state=0, **search.best_params_).fit(X)
    np.testing.assert_array_equal(best.decision_function(X),
                                  search.best_estimator_.decision_function(X))
    # outlier_scorer gives the same number on +1/-1 labels ...
    auc = outlier_scorer("roc_auc")(best, X, y)
    assert auc == pytest.approx(roc_auc_score(y, best.decision_function(X)))
    # ... and on 0/1 labels (1 = outlier), where sklearn's "roc_auc" inverts it.
    y01 = (y == -1).astype(int)
    assert outlier_scorer("roc_auc")(best, X, y01) == auc
    assert roc_auc_score(y01, best.decision_function(X)) == pytest.approx(1 - auc)


def test_average_precision_scorer_ranks_outliers_first():
    X, y = _planted_anomalies()
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(
        AutoencoderTransformer(max_epochs=30, random_state=0), {"n_components": [3]},
        scoring={"ap": outlier_scorer("average_precision"), "sk_ap": "average_precision"},
        refit="ap", cv=cv,
    ).fit(X, (y == -1).astype(int))
    # Outliers are 10 % of the rows: a random ranking has AP of about 0.1.
    assert search.cv_results_["mean_test_ap"][0] > 0.7
    # sklearn's own scorer treats 1 (here: outlier) as positive but ranks by
    # normality: worse than random.
    assert search.cv_results_["mean_test_sk_ap"][0] < 0.1


def test_outlier_labels_conventions_and_refusals():
    np.testing.assert_array_equal(outlier_labels([1, -1, 1]), [False, True, False])
    np.testing.assert_array_equal(outlier_labels([0, 1, 0]), [False, True, False])
    np.testing.assert_array_equal(outlier_labels([True, False]), [True, False])
    np.testing.assert_array_equal(outlier_labels(["ok", "bad"], outlier_label="bad"),
                                  [False, True])
    with pytest.raises(ValueError, match="outlier_label"):
        outlier_labels(["ok", "bad"])
    with pytest.raises(ValueError, match="not among"):
        outlier_labels([0, 1], outlier_label=-1)
    with pytest.raises(ValueError, match="metric"):
        outlier_scorer("accuracy")
    assert "roc_auc" in repr(pickle.loads(pickle.dumps(outlier_scorer())))
