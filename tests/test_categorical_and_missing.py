"""The estimators on real tables: categorical columns and missing values (issue 15)."""

import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone

import sklearn_ae
from sklearn_ae import (
    AutoencoderTransformer,
    ContractiveAutoencoder,
    DaskAutoencoder,
    DenoisingAutoencoder,
)
from sklearn_ae._defaults import OPTIMIZERS
from sklearn_ae.examples import NUMERIC_COLUMNS, make_mixed_table

ESTIMATORS = [AutoencoderTransformer, DenoisingAutoencoder, ContractiveAutoencoder]
QUICK = dict(max_epochs=5, random_state=0)


@pytest.fixture(scope="module")
def table():
    return make_mixed_table(1000, random_state=0)


@pytest.fixture(scope="module")
def fitted(table):
    """At the defaults, as a user would fit it."""
    return AutoencoderTransformer(random_state=0).fit(table.X)


def _small_frame(n=60, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.normal(size=n)
    return pd.DataFrame({
        "x": x,
        "y": 2 * x + 0.1 * rng.normal(size=n),
        "color": pd.Categorical(np.where(x > 0, "red", "blue")),
        "city": rng.choice(["Oslo", "Rome", "Lima"], size=n).astype(object),
    })


# ------------------------------------------------------------ the basics


def test_columns_sizes_and_attributes(fitted, table):
    assert fitted.n_features_in_ == 9
    assert fitted.feature_names_in_.tolist() == table.X.columns.tolist()
    assert fitted.encoder_.is_categorical_.tolist() == [False] * 6 + [True] * 3
    assert fitted.encoder_.n_inputs_ == 6 + 4 + 3 + 7
    assert fitted.n_components_ == 4  # round(log2(20)), the one-hot width
    assert fitted.scaler_ is fitted.encoder_.scaler_
    assert fitted.scaler_.n_features_in_ == 6
    assert fitted.lr_ == 2 * OPTIMIZERS["adam"][1]  # doubled: a column is categorical
    assert fitted.feature_error_scale_.shape == (9,)
    assert np.isnan(fitted.mean_[6:]).all() and np.isfinite(fitted.mean_[:6]).all()


@pytest.mark.parametrize("estimator_class", ESTIMATORS)
def test_every_method_takes_the_table(estimator_class):
    frame = _small_frame()
    frame.loc[3, "x"] = np.nan
    frame.loc[4, "city"] = None
    model = estimator_class(**QUICK).fit(frame)
    assert model.transform(frame).shape == (60, model.n_components_)
    for method in ("score_samples", "decision_function", "reconstruction_error"):
        assert np.isfinite(getattr(model, method)(frame)).all()
    assert set(model.predict(frame)) <= {-1, 1}
    assert np.isfinite(model.score(frame))
    for table in (model.reconstruct(frame), model.inverse_transform(model.transform(frame))):
        assert isinstance(table, pd.DataFrame)
        assert table.columns.tolist() == frame.columns.tolist()
        assert set(table["city"]) <= {"Oslo", "Rome", "Lima"}
        assert isinstance(table["color"].dtype, pd.CategoricalDtype)


def test_numpy_object_arrays_and_explicit_columns():
    frame = _small_frame()
    as_objects = frame.to_numpy(dtype=object)
    model = AutoencoderTransformer(**QUICK).fit(as_objects)
    # In a numpy object array, the columns that hold text are categorical.
    assert model.encoder_.is_categorical_.tolist() == [False, False, True, True]
    assert model.reconstruct(as_objects).dtype == object
    # Named columns are the categorical ones, as in HistGradientBoosting: text
    # left out of the list is refused, not guessed.
    with pytest.raises(ValueError, match="categorical_features"):
        AutoencoderTransformer(categorical_features=["color"], **QUICK).fit(frame)
    indices = AutoencoderTransformer(categorical_features=[2, 3], **QUICK).fit(as_objects)
    assert indices.encoder_.is_categorical_.tolist() == [False, False, True, True]


def test_loss_bce_is_refused_with_categorical_columns():
    with pytest.raises(ValueError, match="loss='bce'.*categorical"):
        AutoencoderTransformer(loss="bce", output_activation="sigmoid", scaling="minmax",
                               **QUICK).fit(_small_frame())


def test_output_activation_applies_to_the_numeric_block_only():
    frame = _small_frame()
    model = AutoencoderTransformer(output_activation="sigmoid", scaling="minmax",
                                   **QUICK).fit(frame)
    inputs = torch.as_tensor(model.encoder_.transform(frame))
    with torch.no_grad():
        out = model.net_.module_(inputs)
    assert ((out[:, :2] > 0) & (out[:, :2] < 1)).all()
    linear = model.net_.module_.decode.__self__  # the logits are not squashed
    code = linear.encode(inputs)
    pre = linear.decoder_layers[-1](linear.activation(linear.decoder_layers[0](code)))
    pre = pre + linear.decoder_shortcut(code)
    torch.testing.assert_close(out[:, 2:], pre[:, 2:])


# ----------------------------------------------------- score_contributions


def test_contributions_sum_to_the_score(fitted, table):
    contributions = fitted.score_contributions(table.X)
    assert isinstance(contributions, pd.DataFrame)
    assert contributions.columns.tolist() == [*table.X.columns, "<neighbor distance>"]
    assert contributions.index.equals(table.X.index)
    scores = fitted.score_samples(table.X)
    np.testing.assert_allclose(contributions.sum(axis=1).to_numpy(), -scores, rtol=0, atol=1e-10)
    assert (contributions.to_numpy() >= 0).all()
    # A missing cell contributes nothing.
    assert (contributions[table.X.columns].to_numpy()[table.missing] == 0).all()
    # Without the neighbour term, the table's columns alone.
    alone = clone(fitted).set_params(n_neighbors=0).fit(table.X).score_contributions(table.X)
    assert alone.columns.tolist() == table.X.columns.tolist()


def test_contributions_on_numbers_sum_to_the_score_and_match_per_feature_errors():
    X = np.random.RandomState(0).normal(size=(80, 5)) * [1, 10, 100, 1000, 1e4]
    model = AutoencoderTransformer(2, **QUICK).fit(X)
    contributions = model.score_contributions(X)
    assert isinstance(contributions, np.ndarray) and contributions.shape == (80, 6)
    np.testing.assert_allclose(contributions.sum(axis=1), -model.score_samples(X),
                               rtol=0, atol=1e-10)
    per_feature = model.reconstruction_error(X, per_feature=True)
    np.testing.assert_allclose(per_feature / 5, contributions[:, :5], rtol=1e-12)
    # No column dominates for its units: each tops a fair share of the rows.
    assert np.bincount(per_feature.argmax(axis=1), minlength=5).max() < 50


def test_planted_columns_are_named_first(fitted, table):
    contributions = fitted.score_contributions(table.X)[table.X.columns]
    top = contributions.columns.to_numpy()[contributions.to_numpy().argmax(axis=1)]
    planted = table.is_anomaly
    # 0.70 at the defaults (0.84 with linear_shortcut=False, whose bounded code
    # spreads less of a broken relation over the other columns); a random
    # column would be right for 1 row in 6.
    assert np.mean(top[planted] == table.planted_column[planted]) >= 0.65


# --------------------------------------------------------------- holes


def test_rows_are_not_outliers_for_having_holes(fitted, table):
    scores = -fitted.score_samples(table.X)
    normal = ~table.is_anomaly
    holes = table.missing.any(axis=1)
    assert holes[normal].sum() > 200
    ratio = scores[normal & holes].mean() / scores[normal & ~holes].mean()
    assert 0.85 < ratio < 1.15
    flagged = fitted.predict(table.X) == -1
    assert flagged[normal & holes].mean() < 2 * flagged[normal & ~holes].mean() + 0.02
    # Punching more holes in complete normal rows barely moves their scores.
    complete = np.flatnonzero(normal & ~holes)[:100]
    punched = table.X.iloc[complete].copy()
    punched.iloc[::2, 0] = np.nan
    punched.iloc[1::2, 3] = np.nan
    before = scores[complete].mean()
    after = -fitted.score_samples(punched).mean()
    assert 0.8 < after / before < 1.2


def test_refill_is_what_keeps_holes_neutral(fitted, table, monkeypatch):
    """Without the refill rounds rows with holes score worse (the design's finding)."""
    from sklearn_ae._inference import TableNetwork

    normal_holes = ~table.is_anomaly & table.missing.any(axis=1)
    normal_complete = ~table.is_anomaly & ~table.missing.any(axis=1)
    scores = -fitted.score_samples(table.X)
    with_refill = scores[normal_holes].mean() / scores[normal_complete].mean()
    refill = TableNetwork.completed_inputs
    with monkeypatch.context() as patch:
        patch.setattr(TableNetwork, "completed_inputs",
                      lambda self, encoded, n_rounds=0: refill(self, encoded, 0))
        scores = -fitted.score_samples(table.X)
    without = scores[normal_holes].mean() / scores[normal_complete].mean()
    assert abs(with_refill - 1) < abs(without - 1)


def test_impute_beats_the_column_mean_and_keeps_observed_cells(fitted, table):
    imputed = fitted.impute(table.X)
    assert isinstance(imputed, pd.DataFrame) and imputed.index.equals(table.X.index)
    assert not imputed.isna().any().any()
    observed = ~table.missing
    pd.testing.assert_frame_equal(imputed.where(observed), table.X.where(observed),
                                  check_dtype=False)
    numeric = list(NUMERIC_COLUMNS)
    truth = table.X_complete[numeric].to_numpy()
    missing = table.missing[:, :6]
    spread = truth.std(axis=0)
    error = np.mean(np.square((imputed[numeric].to_numpy(dtype=float) - truth) / spread)[missing])
    means = np.nanmean(table.X[numeric].to_numpy(), axis=0)
    error_mean = np.mean(np.square((means - truth) / spread)[missing])
    assert error < 0.5 * error_mean


def test_impute_on_numbers_returns_an_array_with_holes_filled():
    rng = np.random.RandomState(0)
    z = rng.normal(size=(500, 2))
    loadings = np.array([[1.0, 2.0, -1.0, 0.5, 1.5, 0.0], [0.0, 1.0, 1.0, -2.0, 0.5, 1.5]])
    X = z @ loadings + 0.1 * rng.normal(size=(500, 6))
    holes = X.copy()
    missing = rng.rand(*X.shape) < 0.1
    holes[missing] = np.nan
    model = AutoencoderTransformer(random_state=0).fit(holes)
    filled = model.impute(holes)
    assert isinstance(filled, np.ndarray) and filled.dtype == np.float64
    np.testing.assert_array_equal(filled[~missing], X[~missing])
    error = np.mean(((filled - X) / X.std(axis=0))[missing] ** 2)
    error_mean = np.mean(((np.nanmean(holes, axis=0) - X) / X.std(axis=0))[missing] ** 2)
    assert error < 0.5 * error_mean


@pytest.mark.parametrize("estimator_class", ESTIMATORS)
def test_numbers_with_holes_train_and_score(estimator_class):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 4))
    X[rng.rand(100, 4) < 0.1] = np.nan
    model = estimator_class(2, **QUICK).fit(X)
    assert np.isfinite(model.loss_curve_).all()
    assert np.isfinite(model.score_samples(X)).all()
    assert np.isfinite(model.transform(X)).all()
    assert np.isnan(model.reconstruction_error(X, per_feature=True)).sum() == np.isnan(X).sum()


def test_a_row_without_any_value_has_no_reconstruction_error(fitted, table):
    empty = table.X.iloc[:2].where(np.zeros((2, 9), dtype=bool))
    assert fitted.reconstruction_error(empty).tolist() == [0.0, 0.0]
    contributions = fitted.score_contributions(empty)
    assert (contributions[table.X.columns] == 0).all().all()
    # What is left is the neighbour term of the filled-in row.
    np.testing.assert_allclose(contributions["<neighbor distance>"], -fitted.score_samples(empty))


# ----------------------------------------------------------- edge cases


def test_entirely_missing_column_is_kept_with_a_warning():
    frame = _small_frame().assign(empty=np.nan, none=pd.Series([None] * 60, dtype=object))
    with pytest.warns(UserWarning, match="entirely missing"):
        model = AutoencoderTransformer(**QUICK).fit(frame)
    assert model.n_features_in_ == 6
    later = frame.assign(empty=1.0, none="new")
    contributions = model.score_contributions(later)
    # A numeric column never observed stays unobserved; a categorical one
    # without levels makes any later value unseen, at the cost of one typical error.
    assert (contributions["empty"] == 0).all()
    assert (contributions["none"] > 0).all()
    assert model.impute(frame)["empty"].isna().all()


def test_one_level_column_carries_nothing():
    frame = _small_frame().assign(const="same")
    model = AutoencoderTransformer(**QUICK).fit(frame)
    assert len(model.encoder_.categories_[-1]) == 1
    assert (model.score_contributions(frame)["const"] == 0).all()


def test_a_level_seen_only_at_predict_time_is_maximally_surprising():
    frame = _small_frame(200)
    model = AutoencoderTransformer(random_state=0, max_epochs=30).fit(frame)
    # color follows from x: its typical term is small, an unseen color stands out.
    novel = frame.iloc[:20].assign(color="green")
    contributions = model.score_contributions(novel)[frame.columns]
    assert (contributions.to_numpy().argmax(axis=1) == 2).all()
    assert (model.score_samples(novel) < model.score_samples(frame.iloc[:20])).all()
    # In a column no context predicts (city is random), an unseen value costs at
    # least a uniform guess: about one typical error, no less.
    random_city = model.score_contributions(frame.iloc[:20].assign(city="Paris"))["city"]
    typical = model.score_contributions(frame.iloc[:20])["city"]
    assert (random_city >= 0.9 * typical.mean()).all()


def test_ten_thousand_levels_are_capped():
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"x": rng.normal(size=12000),
                          "user": [f"u{i}" for i in rng.randint(10000, size=12000)]})
    model = AutoencoderTransformer(max_epochs=1, random_state=0).fit(frame)
    assert model.encoder_.n_inputs_ == 1 + 32
    assert len(model.encoder_.infrequent_categories_[0]) > 6000  # ~6,900 values occur
    assert np.isfinite(model.score_samples(frame.iloc[:100])).all()


def test_numbers_and_strings_in_one_object_column():
    values = np.array([1, "1", 2, "two", 2.0, None] * 10, dtype=object)
    frame = pd.DataFrame({"x": np.arange(60.0), "mixed": values})
    model = AutoencoderTransformer(**QUICK).fit(frame)
    levels = model.encoder_.categories_[0]
    # Compared by text: 1 and "1" are one level, 2 and 2.0 are two.
    assert sorted(map(str, levels)) == ["1", "2", "2.0", "two"]
    assert np.isfinite(model.score_samples(frame)).all()
    assert set(model.reconstruct(frame)["mixed"]) <= set(levels)


def test_boolean_column_is_numeric_unless_named():
    frame = _small_frame().assign(flag=lambda f: f["x"] > 0)
    model = AutoencoderTransformer(**QUICK).fit(frame)
    assert not model.encoder_.is_categorical_[-1]
    named = AutoencoderTransformer(categorical_features=["color", "city", "flag"],
                                   **QUICK).fit(frame)
    assert named.encoder_.is_categorical_[-1]
    assert set(named.reconstruct(frame)["flag"]) <= {True, False}


def test_a_dict_in_an_object_cell_is_a_type_error():
    X = np.array([[1.0, 2.0], [3.0, {"a": 1}], [5.0, 6.0]], dtype=object)
    with pytest.raises(TypeError):
        AutoencoderTransformer(**QUICK).fit(X)


# ------------------------------------------------ numbers stay as they were


def test_numeric_tables_ignore_the_categorical_machinery():
    X = np.random.RandomState(0).normal(size=(60, 4))
    plain = AutoencoderTransformer(2, categorical_features=None, **QUICK).fit(X)
    default = AutoencoderTransformer(2, **QUICK).fit(X)
    np.testing.assert_array_equal(plain.score_samples(X), default.score_samples(X))
    assert plain.loss_curve_ == default.loss_curve_
    assert plain.lr_ == OPTIMIZERS["adam"][1]
    assert "module__n_activated" not in plain._module_params()


# -------------------------------------------------- partial_fit and files


def test_partial_fit_fixes_the_encoder_on_the_first_chunk():
    frame = _small_frame(120)
    model = AutoencoderTransformer(random_state=0)
    model.partial_fit(frame.iloc[:60])
    categories = [c.copy() for c in model.encoder_.categories_]
    later = frame.iloc[60:].assign(city="Paris")
    later.loc[later.index[:5], "x"] = np.nan
    model.partial_fit(later)
    for before, after in zip(categories, model.encoder_.categories_):
        np.testing.assert_array_equal(before, after)
    assert model.n_iter_ == 2 and np.isfinite(model.loss_curve_).all()
    assert np.isfinite(model.score_samples(later)).all()


def test_save_and_load_round_trip_the_table_model(tmp_path, table):
    model = DenoisingAutoencoder(random_state=0, max_epochs=3).fit(table.X)
    path = model.save(tmp_path / "mixed.safetensors")
    loaded = sklearn_ae.load(path)
    X = table.X.iloc[:300]
    np.testing.assert_array_equal(loaded.score_samples(X), model.score_samples(X))
    pd.testing.assert_frame_equal(loaded.score_contributions(X), model.score_contributions(X))
    pd.testing.assert_frame_equal(loaded.reconstruct(X), model.reconstruct(X))
    for a, b in zip(loaded.encoder_.categories_, model.encoder_.categories_):
        np.testing.assert_array_equal(a, b)
    # Training continues exactly as it would have.
    model.partial_fit(X)
    loaded.partial_fit(X)
    np.testing.assert_array_equal(loaded.score_samples(X), model.score_samples(X))


def test_a_model_file_without_an_encoder_still_loads(tmp_path, monkeypatch):
    """Files written before categorical support hold the scaler only."""
    from sklearn_ae import _base

    X = np.random.RandomState(0).normal(size=(50, 3))
    # Such files came with a named scaler, never scaling="auto".
    model = AutoencoderTransformer(2, scaling="standard", **QUICK).fit(X)
    attributes = _base.fitted_attributes
    monkeypatch.setattr(_base, "fitted_attributes", lambda est: {
        k: v for k, v in attributes(est).items() if k != "encoder_"})
    path = model.save(tmp_path / "old.safetensors")
    monkeypatch.undo()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = sklearn_ae.load(path)
    np.testing.assert_array_equal(loaded.score_samples(X), model.score_samples(X))
    X_holes = X.copy()
    X_holes[0, 1] = np.nan
    assert np.isfinite(loaded.score_samples(X_holes)).all()


def test_clone_keeps_the_new_parameters():
    model = AutoencoderTransformer(categorical_features=[0, 2], max_categories=5)
    params = clone(model).get_params()
    assert params["categorical_features"] == [0, 2] and params["max_categories"] == 5


def test_per_feature_errors_are_not_ruled_by_the_largest_units():
    """On wine, raw |x - x_hat| put proline (values ~1000) first in 170 of 178 rows."""
    from sklearn.datasets import load_wine

    X = load_wine(as_frame=True).data
    model = AutoencoderTransformer(random_state=0).fit(X)
    errors = model.reconstruction_error(X, per_feature=True)
    assert isinstance(errors, pd.DataFrame) and errors.columns.equals(X.columns)
    assert errors.idxmax(axis=1).value_counts().max() < len(X) / 4
    contributions = model.score_contributions(X)
    np.testing.assert_allclose(errors.mean(axis=1), contributions[X.columns].sum(axis=1),
                               rtol=1e-12)


def test_early_stopping_and_lbfgs_on_a_table():
    frame = _small_frame(100)
    frame.loc[::9, "x"] = np.nan
    stopped = AutoencoderTransformer(early_stopping=True, max_epochs=5, random_state=0).fit(frame)
    assert np.isfinite(stopped.validation_loss_curve_).all()
    lbfgs = AutoencoderTransformer(optimizer="lbfgs", max_epochs=3, random_state=0).fit(frame)
    assert lbfgs.lr_ == 1.0  # the learning rate is doubled for Adam and SGD only
    assert np.isfinite(lbfgs.score_samples(frame)).all()


def test_dask_dataframe_with_categories_and_holes():
    dd = pytest.importorskip("dask.dataframe")
    frame = _small_frame(120)
    frame.loc[::7, "x"] = np.nan
    wrapper = DaskAutoencoder(AutoencoderTransformer(max_epochs=2, random_state=0)).fit(
        dd.from_pandas(frame, npartitions=2))
    model = wrapper.estimator_
    assert model.encoder_.is_categorical_.tolist() == [False, False, True, True]
    scores = wrapper.score_samples(dd.from_pandas(frame, npartitions=3)).compute()
    np.testing.assert_allclose(np.asarray(scores), model.score_samples(frame), rtol=1e-12)
