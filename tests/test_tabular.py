import json
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_ae import AutoencoderTransformer
from sklearn_ae._codec import decode as _decode
from sklearn_ae._codec import encode as _encode
from sklearn_ae._mixed_loss import column_terms
from sklearn_ae._state import fitted_attributes
from sklearn_ae._tabular import MISSING, SCALERS, UNSEEN, TableEncoder


def _mixed_frame():
    return pd.DataFrame(
        {
            "x": [1.0, 2.0, np.nan, 4.0, 5.0, 6.0],
            "color": pd.Categorical(["red", "blue", None, "red", "red", "blue"]),
            "city": ["Oslo", "Rome", "Oslo", None, "Oslo", "Rome"],
            "flag": [True, False, True, True, False, True],
            "count": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
        }
    )


# -------------------------------------------------------- numeric tables


@pytest.mark.parametrize("scaling", ["standard", "robust", "minmax", None])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_numeric_tables_give_todays_inputs_bit_for_bit(scaling, dtype):
    X = np.random.RandomState(0).lognormal(size=(40, 5)).astype(dtype)
    today = X if scaling is None else SCALERS[scaling]().fit(X).transform(X)
    today = np.asarray(today, dtype=np.float32)
    for table in (X, pd.DataFrame(X, columns=list("abcde"))):
        encoded = TableEncoder(scaling=scaling).fit(table).encode(table)
        assert encoded.inputs.dtype == np.float32
        assert encoded.inputs.tobytes() == today.tobytes()
        assert encoded.numeric.tobytes() == today.tobytes()
        assert encoded.observed.all() and encoded.codes.shape == (40, 0)


def test_numeric_inputs_match_the_estimators_model_space():
    X = np.random.RandomState(1).normal(size=(30, 4)) * [1, 10, 100, 1000]
    ae = AutoencoderTransformer(n_components=2, max_epochs=1, random_state=0).fit(X)
    inputs = TableEncoder().fit(X).transform(X)
    assert inputs.tobytes() == ae.encoder_.transform(X).tobytes()
    assert inputs.tobytes() == ae.scaler_.transform(X).astype(np.float32).tobytes()


def test_numpy_float_array_with_nan_and_no_categorical_column():
    X = np.array([[1.0, 10.0], [np.nan, 20.0], [3.0, np.nan], [5.0, 40.0]])
    encoder = TableEncoder().fit(X)
    assert not encoder.is_categorical_.any()
    encoded = encoder.encode(X)
    assert encoded.observed.tolist() == [[True, True], [False, True], [True, False], [True, True]]
    assert np.isnan(encoded.numeric[1, 0]) and np.isnan(encoded.numeric[2, 1])
    # Missing inputs get the column mean in scaled space: 0 for standard scaling.
    assert encoded.inputs[1, 0] == 0.0 and encoded.inputs[2, 1] == 0.0
    np.testing.assert_allclose(encoder.scaler_.mean_, [3.0, 70.0 / 3.0])
    back = encoder.inverse_transform(encoded.inputs)
    assert back.dtype == np.float64
    np.testing.assert_allclose(back[~np.isnan(X)], X[~np.isnan(X)], rtol=1e-6)
    np.testing.assert_allclose(back[1, 0], 3.0, rtol=1e-6)  # the column mean


def test_missing_numeric_input_is_the_column_mean_in_scaled_space():
    X = np.array([[1.0], [2.0], [10.0], [np.nan]])
    encoder = TableEncoder(scaling="robust").fit(X)
    expected = encoder.scaler_.transform([[13.0 / 3.0]])[0, 0]
    assert encoder.numeric_fill_[0] == pytest.approx(expected)
    assert encoder.transform(X)[3, 0] == pytest.approx(expected)


# ------------------------------------------------- categorical columns


def test_from_dtype_takes_category_object_and_string_columns_not_booleans():
    frame = _mixed_frame().assign(text=pd.array(list("abcabc"), dtype="string"))
    encoder = TableEncoder().fit(frame)
    assert encoder.is_categorical_.tolist() == [False, True, True, False, False, True]
    assert encoder.categorical_dtypes_ == ["category", "object", "object"]


@pytest.mark.parametrize(
    "spec", [["color", "city"], [1, 2], [False, True, True, False, False]]
)
def test_categorical_features_as_names_indices_or_mask(spec):
    frame = _mixed_frame().assign(city=lambda f: f["city"].astype("category"))
    encoder = TableEncoder(categorical_features=spec).fit(frame)
    assert encoder.categorical_columns_.tolist() == [1, 2]


def test_no_categorical_features_refuses_text_with_a_clear_message():
    with pytest.raises(ValueError, match="Name it in categorical_features"):
        TableEncoder(categorical_features=None).fit(_mixed_frame())


@pytest.mark.parametrize(
    "spec, message",
    [(["nope"], "not a column"), ([7], "integer indices"), ([True, False], "boolean mask")],
)
def test_bad_categorical_features_are_refused(spec, message):
    with pytest.raises(ValueError, match=message):
        TableEncoder(categorical_features=spec).fit(_mixed_frame())


def test_parameters_are_validated():
    from sklearn.utils._param_validation import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="max_categories"):
        TableEncoder(max_categories=1).fit(_mixed_frame())
    with pytest.raises(InvalidParameterError, match="scaling"):
        TableEncoder(scaling="log").fit(_mixed_frame())


def test_names_need_a_dataframe():
    with pytest.raises(ValueError, match="needs a DataFrame"):
        TableEncoder(categorical_features=["a"]).fit(np.zeros((3, 2)))


def test_codes_one_hot_blocks_and_layout():
    frame = _mixed_frame()
    encoder = TableEncoder().fit(frame)
    # Most frequent level first.
    assert encoder.categories_[0].tolist() == ["red", "blue"]
    assert encoder.categories_[1].tolist() == ["Oslo", "Rome"]
    encoded = encoder.encode(frame)
    assert encoded.codes[:, 0].tolist() == [0, 1, MISSING, 0, 0, 1]
    assert encoded.codes[:, 1].tolist() == [0, 1, 0, MISSING, 0, 1]
    numeric_slice, blocks = encoder.output_slices()
    assert numeric_slice == slice(0, 3)
    assert blocks == [(slice(3, 5), 1), (slice(5, 7), 2)]
    np.testing.assert_array_equal(encoded.inputs[:, 3:5][2], [0.0, 0.0])  # missing
    np.testing.assert_array_equal(encoded.inputs[:, 5:7][1], [0.0, 1.0])
    layout = encoder.layout()
    assert layout["n_numeric"] == 3 and layout["block_sizes"] == (2, 2)
    assert layout["column_order"].tolist() == [0, 3, 4, 1, 2]
    assert encoder.n_inputs_ == encoder.n_outputs_ == 7


def test_boolean_columns_are_numeric_zero_and_one():
    frame = pd.DataFrame(
        {"b": [True, False, True, False], "nb": pd.array([True, None, False, True], dtype="boolean")}
    )
    encoder = TableEncoder(scaling=None).fit(frame)
    assert not encoder.is_categorical_.any()
    encoded = encoder.encode(frame)
    assert encoded.numeric[:, 0].tolist() == [1.0, 0.0, 1.0, 0.0]
    assert encoded.observed[:, 1].tolist() == [True, False, True, True]


def test_a_boolean_column_named_categorical_has_two_levels():
    frame = pd.DataFrame({"b": [True, False, True, True], "x": [1.0, 2.0, 3.0, 4.0]})
    encoder = TableEncoder(categorical_features=["b"]).fit(frame)
    assert encoder.categories_[0].tolist() == [True, False]
    assert encoder.inverse_transform(encoder.transform(frame))["b"].tolist() == frame["b"].tolist()


def test_level_seen_only_at_predict_time_is_unseen_and_all_zeros():
    encoder = TableEncoder().fit(_mixed_frame())
    new = _mixed_frame().head(2).assign(city=["Paris", "Rome"])
    encoded = encoder.encode(new)
    assert encoded.codes[:, 1].tolist() == [UNSEEN, 1]
    np.testing.assert_array_equal(encoded.inputs[0, 5:7], [0.0, 0.0])


def test_categorical_column_with_one_level():
    frame = pd.DataFrame({"c": ["a", "a", None], "x": [1.0, 2.0, 3.0]})
    encoder = TableEncoder().fit(frame)
    assert encoder.layout()["block_sizes"] == (1,)
    codes = encoder.encode(pd.DataFrame({"c": ["a", None, "b"], "x": [0.0] * 3})).codes
    assert codes[:, 0].tolist() == [0, MISSING, UNSEEN]
    assert encoder.inverse_transform(np.zeros((1, 2)))["c"].tolist() == ["a"]


def test_ten_thousand_levels_are_capped_with_an_infrequent_level():
    rng = np.random.RandomState(0)
    common = np.repeat([f"common{i}" for i in range(5)], [500, 400, 300, 200, 100])
    rare = [f"id{i}" for i in range(10_000)]
    frame = pd.DataFrame({"id": np.r_[common, rare], "x": rng.normal(size=11_500)})
    encoder = TableEncoder(max_categories=8).fit(frame)
    levels = encoder.categories_[0]
    assert len(levels) == 8 and encoder.n_inputs_ == 9
    assert levels[:5].tolist() == [f"common{i}" for i in range(5)]
    # 7 kept (the 5 common ones, then "id0" and "id1": ties go by text), 9998 pooled.
    assert levels[5:7].tolist() == ["id0", "id1"]
    assert len(encoder.infrequent_categories_[0]) == 10_005 - 7
    codes = encoder.encode(
        pd.DataFrame({"id": ["common1", "id9999", "id0", "never"], "x": 0.0})
    ).codes[:, 0]
    assert codes.tolist() == [1, 7, 5, UNSEEN]
    # The pooled level decodes to the most frequent pooled value.
    assert levels[7] == encoder.infrequent_categories_[0][0]


def test_max_categories_breaks_ties_by_text():
    frame = pd.DataFrame({"c": ["b", "a", "c", "a", "b", "c", "d"]})
    encoder = TableEncoder(max_categories=3).fit(frame)
    assert encoder.categories_[0].tolist() == ["a", "b", "c"]
    assert encoder.infrequent_categories_[0].tolist() == ["c", "d"]


def test_numbers_and_strings_mixed_in_one_object_column():
    frame = pd.DataFrame({"m": pd.Series([1, "1", 1.0, "a", 2, None, "a"], dtype=object)})
    encoder = TableEncoder().fit(frame)
    assert encoder.is_categorical_.tolist() == [True]
    # Levels are compared by their text: 1 and "1" are one level, 1.0 another.
    # Each level keeps the first value found with its text.
    levels = encoder.categories_[0].tolist()
    assert levels == [1, "a", 1.0, 2]
    assert [type(v) for v in levels] == [int, str, float, int]
    codes = encoder.encode(frame).codes[:, 0]
    assert codes.tolist() == [0, 0, 2, 1, 3, MISSING, 1]
    decoded = encoder.inverse_transform(encoder.transform(frame))["m"].tolist()
    assert decoded[:5] == [1, 1, 1.0, "a", 2]


def test_numpy_object_array_from_dtype_finds_text_columns():
    X = np.array([[1, "a", True], [None, "b", False], [2.5, None, True]], dtype=object)
    encoder = TableEncoder().fit(X)
    # Booleans are numbers here too, as in a bool column.
    assert encoder.is_categorical_.tolist() == [False, True, False]
    back = encoder.inverse_transform(encoder.transform(X))
    assert back.dtype == object and back[1, 1] == "b" and back[0, 2] == pytest.approx(1.0)


def test_objects_that_are_neither_text_nor_numbers_raise_a_type_error():
    # What scikit-learn's check_dtype_object expects of an estimator without
    # the "string" input tag.
    X = np.random.RandomState(0).uniform(size=(5, 3)).astype(object)
    assert not TableEncoder().fit(X).is_categorical_.any()
    X[0, 0] = {"foo": "bar"}
    with pytest.raises(TypeError, match="argument must be .* string.* number"):
        TableEncoder().fit(X)


# ------------------------------------------------------------- edge cases


def test_entirely_missing_columns_warn_and_carry_nothing():
    frame = pd.DataFrame(
        {"x": [1.0, 2.0, 3.0], "gone": [np.nan] * 3, "cat": pd.Series([None] * 3, dtype=object)}
    )
    with pytest.warns(UserWarning, match=r"\['gone', 'cat'\] are entirely missing"):
        encoder = TableEncoder().fit(frame)
    assert encoder.layout()["block_sizes"] == (0,)
    assert encoder.numeric_fill_[1] == 0.0
    later = pd.DataFrame({"x": [1.0], "gone": [5.0], "cat": ["seen now"]})
    encoded = encoder.encode(later)
    assert not encoded.observed[0, 1] and encoded.inputs[0, 1] == 0.0
    assert encoded.codes[0, 0] == UNSEEN
    back = encoder.inverse_transform(encoded.inputs)
    assert np.isnan(back["gone"][0]) and back["cat"][0] is None


def test_no_warning_on_a_complete_table():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TableEncoder().fit(_mixed_frame().dropna())


# --------------------------------------------------- decoding and imputing


def test_inverse_transform_of_transform_gives_the_table_back():
    frame = _mixed_frame()
    encoder = TableEncoder().fit(frame)
    back = encoder.inverse_transform(encoder.transform(frame))
    assert list(back.columns) == list(frame.columns)
    assert back["color"].dtype == "category"
    complete = frame.notna().all(axis=1).to_numpy()
    for name in ("color", "city"):
        assert back[name][complete].tolist() == frame[name][complete].tolist()
    for name in ("x", "flag", "count"):
        np.testing.assert_allclose(
            back[name][complete].astype(float), frame[name][complete].astype(float), atol=1e-6
        )


def test_fill_missing_fills_only_the_holes():
    frame = _mixed_frame()
    encoder = TableEncoder().fit(frame)
    guess = encoder.inverse_transform(encoder.transform(frame))
    filled = encoder.fill_missing(frame, guess)
    assert not filled.isna().any().any()
    observed = frame.notna().to_numpy()
    assert (filled.astype(object).to_numpy()[observed] == frame.astype(object).to_numpy()[observed]).all()
    # Filled from a neutral input: the column mean and the most frequent level.
    assert filled.loc[2, "x"] == pytest.approx(frame["x"].mean())
    assert filled.loc[2, "color"] == "red" and filled.loc[3, "city"] == "Oslo"


def test_logits_decode_to_their_argmax_level():
    encoder = TableEncoder().fit(_mixed_frame())
    outputs = np.zeros((1, encoder.n_outputs_))
    outputs[0, 3:5] = [-2.0, 3.0]
    outputs[0, 5:7] = [0.1, -0.1]
    back = encoder.inverse_transform(outputs)
    assert back["color"][0] == "blue" and back["city"][0] == "Oslo"
    with pytest.raises(ValueError, match="n_outputs_=7"):
        encoder.inverse_transform(np.zeros((1, 6)))


def test_predict_time_table_must_match_the_fitted_columns():
    encoder = TableEncoder().fit(_mixed_frame())
    with pytest.raises(ValueError, match="expecting 5 features"):
        encoder.encode(_mixed_frame().iloc[:, :4])
    with pytest.raises(ValueError, match="feature names"):
        encoder.encode(_mixed_frame().rename(columns={"x": "y"}))


# --------------------------------------------- with the loss, and on disk


def test_encoded_table_feeds_the_mixed_loss():
    frame = _mixed_frame()
    encoder = TableEncoder().fit(frame)
    encoded = encoder.encode(frame)
    layout = encoder.layout()
    # A network that outputs its numeric input and confident logits.
    outputs = torch.as_tensor(encoded.inputs).clone()
    outputs[:, 3:] = outputs[:, 3:] * 50.0
    terms, counted = column_terms(
        outputs, torch.as_tensor(encoded.numeric), torch.as_tensor(encoded.codes), **layout
    )
    assert terms.shape == (6, 5)
    assert counted.numpy().tolist() == frame.notna().to_numpy().tolist()
    assert float(terms.max()) < 1e-6


def test_fitted_state_survives_the_json_file_format():
    frame = _mixed_frame()
    encoder = TableEncoder(max_categories=2).fit(frame)
    document = json.dumps(_encode(fitted_attributes(encoder), "encoder"), allow_nan=False)
    restored = TableEncoder(max_categories=2)
    for name, value in _decode(json.loads(document)).items():
        setattr(restored, name, value)
    before, after = encoder.encode(frame), restored.encode(frame)
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)
    pd.testing.assert_frame_equal(
        encoder.inverse_transform(before.inputs), restored.inverse_transform(after.inputs)
    )


# ------------------------------------------------------------- properties

_cells = st.one_of(st.none(), st.sampled_from(["a", "b", "c", "d", "e"]), st.integers(0, 3))
_numbers = st.one_of(st.just(np.nan), st.floats(-1e3, 1e3, allow_nan=False))


@settings(max_examples=40, deadline=None)
@given(
    n_rows=st.integers(2, 12),
    data=st.data(),
    max_categories=st.integers(2, 5),
    scaling=st.sampled_from(["standard", "robust", "minmax", None]),
)
def test_any_mixed_table_encodes_consistently(n_rows, data, max_categories, scaling):
    frame = pd.DataFrame(
        {
            "num": data.draw(st.lists(_numbers, min_size=n_rows, max_size=n_rows)),
            "cat": pd.Series(
                data.draw(st.lists(_cells, min_size=n_rows, max_size=n_rows)), dtype=object
            ),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # an entirely missing column
        encoder = TableEncoder(max_categories=max_categories, scaling=scaling).fit(frame)
    encoded = encoder.encode(frame)
    size = encoder.layout()["block_sizes"][0]
    assert size <= max_categories
    assert encoded.inputs.shape == (n_rows, 1 + size) and np.isfinite(encoded.inputs).all()
    codes = encoded.codes[:, 0]
    missing = frame["cat"].isna().to_numpy()
    assert ((codes == MISSING) == missing).all() and (codes[~missing] >= 0).all()
    one_hot = encoded.inputs[:, 1:]
    np.testing.assert_array_equal(one_hot.sum(axis=1), (codes >= 0).astype(np.float32))
    back = encoder.inverse_transform(encoded.inputs)
    kept = ~missing & (codes < size - (len(encoder.infrequent_categories_[0]) > 0))
    assert [str(v) for v in back["cat"][kept]] == [str(v) for v in frame["cat"][kept]]
    observed = encoded.observed[:, 0]
    np.testing.assert_allclose(
        back["num"][observed], frame["num"][observed], rtol=1e-5, atol=1e-3
    )
