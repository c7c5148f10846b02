"""Bad input on every public method, reproducibility across processes, threads."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from sklearn_ae import AutoencoderTransformer, ContractiveAutoencoder, DenoisingAutoencoder

ESTIMATORS = [
    AutoencoderTransformer(2, max_epochs=3, random_state=0),
    DenoisingAutoencoder(2, max_epochs=3, random_state=0),
    ContractiveAutoencoder(2, max_epochs=3, random_state=0),
]
IDS = [type(e).__name__ for e in ESTIMATORS]
# Methods that take data in the units of the training data.
DATA_METHODS = ["transform", "reconstruct", "reconstruction_error", "score_samples",
                "decision_function", "predict", "score"]
FIT_METHODS = ["fit", "fit_transform", "fit_predict"]

rng = np.random.RandomState(0)
X_GOOD = rng.normal(size=(40, 4))
COLUMNS = ["a", "b", "c", "d"]


def _with(value):
    X = X_GOOD[:6].copy().astype(type(value) if isinstance(value, complex) else float)
    X[2, 1] = value
    return X


BAD_DATA = {
    "nan": (_with(np.nan), ValueError, "NaN"),
    "+inf": (_with(np.inf), ValueError, "infinity"),
    "-inf": (_with(-np.inf), ValueError, "infinity"),
    "beyond float32": (_with(1e39), ValueError, "float32"),
    "strings": (np.array([["1", "x", "3", "4"]] * 3, dtype=object), ValueError, "convert"),
    "complex": (_with(1 + 2j), ValueError, "[Cc]omplex"),
    "empty": (np.empty((0, 4)), ValueError, "0 sample"),
    "3-D": (np.zeros((3, 4, 2)), ValueError, "3"),
    "1-D": (np.zeros(4), ValueError, "2D array"),
    "sparse": (sparse.csr_matrix(X_GOOD[:5]), TypeError, "[Ss]parse"),
    "wrong width": (X_GOOD[:5, :3], ValueError, "3 features"),
}


@pytest.fixture(scope="module", params=ESTIMATORS, ids=IDS)
def fitted(request):
    return clone(request.param).fit(X_GOOD)


@pytest.mark.parametrize("case", sorted(BAD_DATA))
@pytest.mark.parametrize("method", DATA_METHODS)
def test_bad_data_after_fit_is_refused(fitted, method, case):
    X, error, match = BAD_DATA[case]
    with pytest.raises(error, match=match):
        getattr(fitted, method)(X)


@pytest.mark.parametrize("case", sorted(set(BAD_DATA) - {"wrong width"}))
@pytest.mark.parametrize("method", FIT_METHODS)
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_bad_data_at_fit_is_refused(estimator, method, case):
    X, error, match = BAD_DATA[case]
    if case == "beyond float32":  # standard scaling brings one huge value in range
        estimator = clone(estimator).set_params(scaling=None)
    with pytest.raises(error, match=match):
        getattr(clone(estimator), method)(X)


@pytest.mark.parametrize("case", ["nan", "+inf", "complex", "wrong width", "3-D"])
def test_bad_codes_at_inverse_transform_are_refused(fitted, case):
    codes = {"nan": np.array([[np.nan, 0.0]]), "+inf": np.array([[np.inf, 0.0]]),
             "complex": np.array([[1j, 0.0]]), "wrong width": np.zeros((2, 3)),
             "3-D": np.zeros((2, 2, 1))}[case]
    with pytest.raises(ValueError):
        fitted.inverse_transform(codes)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_awkward_but_valid_inputs_work(estimator):
    # Lists, one column, a single row at predict time, int and mixed pandas dtypes.
    one_column = clone(estimator).set_params(n_components=1).fit(X_GOOD[:, :1])
    assert one_column.transform(X_GOOD[:3, :1]).shape == (3, 1)
    fitted = clone(estimator).fit(X_GOOD.tolist())
    assert fitted.predict(X_GOOD[:1].tolist()).shape == (1,)
    df = pd.DataFrame({"i": np.arange(40), "f": X_GOOD[:, 0], "u": np.arange(40, dtype=np.uint8),
                       "b": X_GOOD[:, 1].astype(np.float32)})
    mixed = clone(estimator).fit(df)
    assert np.isfinite(mixed.score_samples(df)).all()
    with pytest.raises(ValueError, match="feature names"):
        mixed.transform(df.rename(columns={"i": "j"}))
    with pytest.raises(ValueError, match="convert|dtype"):
        clone(estimator).fit(df.assign(s=["x"] * 40))


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_constant_columns_and_constant_data_give_finite_outputs(estimator):
    X = np.c_[X_GOOD[:, :2], np.full(40, 3.0), np.zeros(40)]
    for data in (X, np.full((10, 3), 5.0)):
        model = clone(estimator).fit(data)
        assert np.isfinite(model.score_samples(data)).all()
        assert np.isfinite(model.reconstruct(data)).all()
        assert np.isfinite(model.transform(data)).all()


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_unfitted_methods_raise_not_fitted(estimator):
    from sklearn.exceptions import NotFittedError

    for method in DATA_METHODS + ["inverse_transform"]:
        with pytest.raises(NotFittedError):
            getattr(clone(estimator), method)(X_GOOD)


def test_concurrent_scoring_from_threads_matches_serial(fitted):
    chunks = np.array_split(rng.normal(size=(400, 4)), 8)
    serial = [(fitted.transform(c), fitted.score_samples(c)) for c in chunks]
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(lambda c: (fitted.transform(c), fitted.score_samples(c)),
                                 chunks))
    for (h1, s1), (h2, s2) in zip(serial, threaded):
        np.testing.assert_array_equal(h1, h2)
        np.testing.assert_array_equal(s1, s2)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_grid_search_same_results_in_parallel_processes(estimator):
    grid = {"n_components": [1, 3]}
    results = [
        GridSearchCV(clone(estimator), grid, cv=2, n_jobs=n_jobs).fit(X_GOOD).cv_results_
        for n_jobs in (1, 2)
    ]
    np.testing.assert_array_equal(results[0]["mean_test_score"], results[1]["mean_test_score"])
