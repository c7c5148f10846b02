"""The estimator as scikit-learn sees it: PCA parity, pipelines, clones, pickles, inputs."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from scipy import sparse
from scipy.linalg import subspace_angles
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_ae import AutoencoderTransformer

LOADERS = {"digits": load_digits, "wine": load_wine,
           "breast_cancer": load_breast_cancer, "diabetes": load_diabetes}


def _standardized(name):
    return StandardScaler().fit_transform(LOADERS[name](return_X_y=True)[0])


@pytest.mark.parametrize("name", sorted(LOADERS))
@pytest.mark.parametrize("d", [2, 5, 8])
def test_tied_linear_autoencoder_finds_pca_subspace(name, d):
    X = _standardized(name)
    pca = PCA(d).fit(X)
    # Without the shortcut, which would start the model at PCA: it must get there.
    ae = AutoencoderTransformer(
        d, hidden_layer_sizes=(), activation="linear", tied_weights=True,
        linear_shortcut=False, optimizer="lbfgs", scaling=None, random_state=0,
    ).fit(X)
    W = ae.net_.module_.encoder_layers[0].weight.detach().numpy()
    angle = np.degrees(subspace_angles(W.T, pca.components_.T).max())
    pca_mse = np.mean((X - pca.inverse_transform(pca.transform(X))) ** 2)
    ae_mse = np.mean((X - ae.reconstruct(X)) ** 2)
    assert angle < 2.0
    assert ae_mse <= 1.01 * pca_mse
    # The code spans the same space as PCA's scores: a linear map between them.
    H, Z = ae.transform(X), pca.transform(X)
    coef, *_ = np.linalg.lstsq(np.c_[H, np.ones(len(H))], Z, rcond=None)
    np.testing.assert_allclose(np.c_[H, np.ones(len(H))] @ coef, Z, atol=1e-2 * np.abs(Z).max())
def test_untrained_tied_linear_model_is_far_from_pca():
    # Guards the parity test against passing trivially.
    X = _standardized("wine")
    pca = PCA(3).fit(X)
    ae = AutoencoderTransformer(3, hidden_layer_sizes=(), activation="linear",
                                tied_weights=True, linear_shortcut=False,
                                optimizer="sgd", lr=1e-6,
                                max_epochs=1, scaling=None, random_state=0).fit(X)
    W = ae.net_.module_.encoder_layers[0].weight.detach().numpy()
    assert np.degrees(subspace_angles(W.T, pca.components_.T).max()) > 10


def test_pipeline_and_grid_search_over_n_components(digits):
    X, y = digits
    pipe = make_pipeline(AutoencoderTransformer(max_epochs=5, random_state=0),
                         LogisticRegression(max_iter=300))
    search = GridSearchCV(pipe, {"autoencodertransformer__n_components": [2, 16]}, cv=2)
    search.fit(X[:600], y[:600])
    assert search.best_params_["autoencodertransformer__n_components"] == 16
    assert search.best_score_ > 0.5


def test_grid_search_without_scorer_uses_score(digits):
    # score is the held-out imputation criterion (tests/test_selection.py), not
    # minus the reconstruction error, which would always pick the largest code.
    X, _ = digits
    lin = dict(hidden_layer_sizes=(), activation="linear", tied_weights=True,
               optimizer="lbfgs", max_epochs=20, random_state=0)
    search = GridSearchCV(AutoencoderTransformer(**lin), {"n_components": [1, 8, 48]}, cv=2)
    search.fit(X[:400])
    assert search.best_params_ == {"n_components": 8}
    assert np.all(search.cv_results_["mean_test_score"] < 0)
    # The reconstruction error alone prefers the largest code.
    errors = [search.best_estimator_.set_params(n_components=d).fit(X[:200])
              .reconstruction_error(X[200:400]).mean() for d in (8, 48)]
    assert errors[1] < errors[0]


def test_clone_and_params_round_trip():
    ae = AutoencoderTransformer(4, hidden_layer_sizes=(8,), lr=0.01, random_state=3)
    cloned = clone(ae)
    assert cloned.get_params() == ae.get_params()
    cloned.set_params(n_components=6)
    assert cloned.n_components == 6 and ae.n_components == 4


def test_pickle_round_trip_gives_identical_outputs(digits, fast):
    X, _ = digits
    ae = AutoencoderTransformer(8, **fast).fit(X)
    restored = pickle.loads(pickle.dumps(ae))
    np.testing.assert_array_equal(restored.transform(X), ae.transform(X))
    np.testing.assert_array_equal(restored.score_samples(X), ae.score_samples(X))


def test_same_random_state_bit_identical_and_global_rng_untouched(digits, fast):
    X, _ = digits
    torch_state = torch.get_rng_state()
    np_state = np.random.get_state()[1].copy()
    a = AutoencoderTransformer(8, **fast).fit(X)
    assert torch.equal(torch.get_rng_state(), torch_state)
    np.testing.assert_array_equal(np.random.get_state()[1], np_state)
    b = AutoencoderTransformer(8, **fast).fit(X)
    c = AutoencoderTransformer(8, max_epochs=10, random_state=1).fit(X)
    assert a.loss_curve_ == b.loss_curve_
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    assert not np.array_equal(a.transform(X), c.transform(X))


def test_pandas_in_pandas_out(digits, fast):
    X, _ = digits
    df = pd.DataFrame(X[:300], columns=[f"px{i}" for i in range(64)])
    ae = AutoencoderTransformer(3, **fast).set_output(transform="pandas").fit(df)
    assert ae.feature_names_in_.tolist() == list(df.columns)
    H = ae.transform(df)
    assert isinstance(H, pd.DataFrame)
    assert H.columns.tolist() == ["autoencodertransformer0", "autoencodertransformer1",
                                  "autoencodertransformer2"]
    assert H.index.equals(df.index)
    with pytest.raises(ValueError, match="feature names"):
        ae.transform(df.rename(columns={"px0": "other"}))


@pytest.mark.parametrize("bad, match", [
    (np.full((3, 2), np.nan), "entirely missing"),
    (np.array([[1.0, np.inf], [2.0, 3.0]]), "infinity"),
    (np.empty((0, 3)), "0 sample"),
    (np.ones((1, 3)), "1 sample"),
    (np.ones(5), "2D array"),
])
def test_bad_training_input_is_refused_early(bad, match, fast):
    with pytest.raises(ValueError, match=match):
        AutoencoderTransformer(**fast).fit(bad)


def test_text_is_refused_only_where_no_column_may_be_categorical(fast):
    text = np.array([["a", "b"], ["c", "d"], ["a", "d"]])
    with pytest.raises(ValueError, match="could not convert|numeric"):
        AutoencoderTransformer(categorical_features=None, **fast).fit(text)
    assert AutoencoderTransformer(**fast).fit(text).encoder_.is_categorical_.all()


def test_values_beyond_float32_are_refused_unless_scaling_brings_them_in_range(fast):
    X = np.random.RandomState(0).normal(size=(20, 2)) * 1e39
    with pytest.raises(ValueError, match="float32"):
        AutoencoderTransformer(scaling=None, **fast).fit(X)
    ae = AutoencoderTransformer(**fast).fit(X)
    with pytest.raises(ValueError, match="float32"):
        ae.transform(X * 1e40)


def test_sparse_input_is_refused_with_typeerror(fast):
    with pytest.raises(TypeError, match="[Ss]parse"):
        AutoencoderTransformer(**fast).fit(sparse.csr_matrix(np.eye(4)))


@pytest.mark.parametrize("params, name", [
    (dict(n_components=0), "n_components"),
    (dict(batch_size=0), "batch_size"),
    (dict(max_epochs=0), "max_epochs"),
    (dict(lr=-1.0), "lr"),
    (dict(activation="swish"), "activation"),
    (dict(optimizer="rmsprop"), "optimizer"),
    (dict(scaling="quantile"), "scaling"),
    (dict(contamination=0.7), "contamination"),
    (dict(hidden_layer_sizes=(4, 0)), "hidden_layer_sizes"),
])
def test_bad_parameters_are_named(params, name):
    with pytest.raises(ValueError, match=name):
        AutoencoderTransformer(**params).fit(np.random.rand(10, 3))


def test_memory_layout_of_the_input_does_not_change_the_result():
    # scipy.io.loadmat and some DataFrames give column-major arrays: a matrix product
    # may round another layout differently, so every tensor is made row-major first.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 3)) @ rng.normal(size=(3, 6))
    settings = dict(n_components=2, max_epochs=3, random_state=0)
    in_c = AutoencoderTransformer(**settings).fit(X)
    in_f = AutoencoderTransformer(**settings).fit(np.asfortranarray(X))
    np.testing.assert_array_equal(in_c.score_samples(X), in_f.score_samples(np.asfortranarray(X)))
    np.testing.assert_array_equal(in_c.transform(X), in_f.transform(np.asfortranarray(X)))


def test_a_partial_fit_that_fails_in_the_scorer_keeps_the_scorer(monkeypatch):
    from sklearn_ae._scoring import OutlierScorer

    X = np.random.RandomState(0).normal(size=(200, 5))
    model = AutoencoderTransformer(2, max_epochs=2, random_state=0).fit(X)
    scorer, offset, scores = model.scorer_, model.offset_, model.score_samples(X)

    def fails_half_way(self, *args, **kwargs):
        self.offset_ = 999.0
        raise MemoryError("no room for the terms")

    monkeypatch.setattr(OutlierScorer, "fit_chunks", fails_half_way)
    with pytest.raises(MemoryError):
        model.partial_fit(X)
    monkeypatch.undo()
    assert model.scorer_ is scorer and model.offset_ == offset
    np.testing.assert_array_equal(model.score_samples(X), scores)
