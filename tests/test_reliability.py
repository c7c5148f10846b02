"""Bad input on every public method, reproducibility across processes, threads."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from sklearn_ae import (
    AutoencoderTransformer,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
)

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


# NaN is not here: missing values are data (test_missing_values_are_data).
BAD_DATA = {
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
    "dates": (pd.DataFrame({"a": X_GOOD[:5, 0], "b": pd.date_range("2026-01-01", periods=5),
                            "c": X_GOOD[:5, 2], "d": X_GOOD[:5, 3]}), ValueError, "dates"),
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


# Text at fit makes categorical columns (categorical_features="from_dtype"); after
# a fit on numbers it is refused like any non-number.
@pytest.mark.parametrize("case", sorted(set(BAD_DATA) - {"wrong width", "strings"}))
@pytest.mark.parametrize("method", FIT_METHODS)
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_bad_data_at_fit_is_refused(estimator, method, case):
    X, error, match = BAD_DATA[case]
    if case == "beyond float32":  # standard scaling brings one huge value in range
        estimator = clone(estimator).set_params(scaling=None)
    with pytest.raises(error, match=match):
        getattr(clone(estimator), method)(X)


def test_columns_too_large_to_scale_are_named_not_scored_as_missing():
    """Values near 1e300 overflow the standard scaler's variance into NaN, which would
    pass for missing values and score 0 without a word; the robust scaler's quartiles
    do not overflow, and it scales them."""
    X = X_GOOD.copy()
    X[:, 2] = np.random.RandomState(1).choice([-1.0, 1.0], size=len(X)) * 1e300
    with pytest.raises(ValueError, match=r"Column\(s\) \[2\] are too large to scale"):
        AutoencoderTransformer(max_epochs=1).fit(X)
    robust = AutoencoderTransformer(max_epochs=1, scaling="robust").fit(X)
    assert (robust.reconstruction_error(X, per_feature=True)[:, 2] > 0).any()


@pytest.mark.parametrize("method", DATA_METHODS + ["score_contributions", "impute"])
def test_missing_values_are_data(fitted, method):
    X = X_GOOD[:6].copy()
    X[2, 1] = np.nan
    X[4, :] = np.nan  # a row without any value
    result = getattr(fitted, method)(X)
    assert np.isfinite(np.asarray(result, dtype=np.float64)).all()


@pytest.mark.parametrize("method", FIT_METHODS)
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_missing_values_are_data_at_fit(estimator, method):
    X = X_GOOD.copy()
    X[::3, 1] = np.nan
    X[5, :] = np.nan
    model = clone(estimator)
    result = getattr(model, method)(X)
    assert np.isfinite(model.score_samples(X)).all() and np.isfinite(model.loss_curve_).all()
    if method != "fit":
        assert np.isfinite(np.asarray(result, dtype=np.float64)).all()
    with pytest.raises(ValueError, match="entirely missing"):
        getattr(clone(estimator), method)(np.full_like(X, np.nan))


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
        clone(estimator).set_params(categorical_features=None).fit(df.assign(s=["x"] * 40))
    # A text column is categorical by default (here with one level).
    with_text = clone(estimator).fit(df.assign(s=["x"] * 40))
    assert with_text.encoder_.is_categorical_.tolist() == [False] * 4 + [True]


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


# ----------------------------------------------------------- hostile files
# Every case is loaded in one child process under a 3 GB address-space cap and
# a timeout, so a regression that reads /dev/zero, waits on a pipe or
# allocates a huge network fails these tests instead of hanging or killing
# the suite. The child reports the exception, the time and the peak memory.

import json  # noqa: E402
import os  # noqa: E402
import struct  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import torch  # noqa: E402
from safetensors import safe_open  # noqa: E402
from safetensors.torch import load_file  # noqa: E402
from safetensors.torch import save as save_tensors

from sklearn_ae._fileformat import _checksum  # noqa: E402

MEMORY_CAP = 3 << 30
LOAD_TIMEOUT_S = 5  # per file; the child as a whole gets 60 s
_CHILD = """
import json, resource, signal, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
import sklearn_ae

class Hung(BaseException):
    pass

def hung(*args):
    raise Hung("still loading after {per_file} s")

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

signal.signal(signal.SIGALRM, hung)
results = {{}}
for name, path in json.loads(sys.argv[1]).items():
    before, start = peak(), time.perf_counter()
    try:
        try:
            signal.alarm({per_file})  # a blocking open or read is interrupted too
            sklearn_ae.load(path)
        finally:
            signal.alarm(0)
        outcome = dict(error=None)
    except BaseException as exc:
        outcome = dict(error=type(exc).__name__, message=str(exc),
                       is_value_error=isinstance(exc, ValueError),
                       is_os_error=isinstance(exc, OSError))
    outcome.update(seconds=time.perf_counter() - start, grew=peak() - before)
    results[name] = outcome
print(json.dumps(results))
"""


def _edit_model(source, target, edit, metadata_edit=None):
    """Rewrite ``source`` with its JSON document edited and a recomputed checksum.

    What anyone can do: the unkeyed checksum is public arithmetic.
    """
    with safe_open(source, "pt") as f:
        metadata = dict(f.metadata())
    tensors = load_file(source)
    document = json.loads(metadata["model"])
    document = edit(document) or document
    metadata["model"] = json.dumps(document)
    metadata["sha256"] = _checksum(metadata["model"], tensors)
    data = save_tensors(tensors, metadata=metadata)
    if metadata_edit is not None:
        data = metadata_edit(data)
    target.write_bytes(data)
    return target


def _set(where, **values):
    def edit(document):
        document[where].update(values)
    return edit


def _set_param(**values):
    def edit(document):
        document["params"]["__dict__"].update(values)
    return edit


def _with_header(header):
    """A safetensors-shaped file around an arbitrary header object."""
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text


def _nested(depth):
    return "[" * depth + "]" * depth


def _hostile_files(folder, model):
    files = {}

    def edited(name, edit):
        files[name] = _edit_model(model, folder / f"{name}.safetensors", edit)

    edited("n_components_ = 5e7", _set("attributes", n_components_=50_000_000))
    edited("n_features_in_ = 1e9", _set("attributes", n_features_in_=10**9))
    edited("hidden_layer_sizes_ = (1e8,)",
           _set("attributes", hidden_layer_sizes_={"__tuple__": [10**8]}))
    edited("n_components_ = 0", _set("attributes", n_components_=0))
    edited("n_components_ a string", _set("attributes", n_components_="4"))
    edited("n_components_ off by one", _set("attributes", n_components_=3))
    edited("feature names too long", _set("attributes", feature_names_in_={
        "__ndarray__": list("abcde"), "dtype": "object", "shape": [5]}))
    edited("neighbour reference of 300 rows", lambda d: d["attributes"]["scorer_"][
        "attributes"]["__dict__"].update(neighbor_reference_={
            "__ndarray__": [0.0] * 1200, "dtype": "<f8", "shape": [300, 4]}))
    edited("optimizer = evil", _set_param(optimizer="evil"))
    edited("lr = -1", _set_param(lr=-1.0))
    edited("unknown parameter", _set_param(shell="rm -rf /"))
    edited("scaler parameter junk", lambda d: d["attributes"]["scaler_"]["params"][
        "__dict__"].update(with_mean="yes"))
    def encoder(**values):
        return lambda d: d["attributes"]["encoder_"]["attributes"]["__dict__"].update(values)

    edited("encoder n_inputs_ = 1e9", encoder(n_inputs_=10**9, n_outputs_=10**9))
    edited("encoder n_inputs_ off by one", encoder(n_inputs_=5, n_outputs_=5))
    edited("encoder mask too short", encoder(is_categorical_={
        "__ndarray__": [False], "dtype": "|b1", "shape": [1]}))
    edited("encoder categories without a categorical column", encoder(categories_=[{
        "__ndarray__": ["a", "b"], "dtype": "object", "shape": [2]}]))
    edited("encoder parameter junk", lambda d: d["attributes"]["encoder_"]["params"][
        "__dict__"].update(max_categories="many"))
    edited("encoder of another class", lambda d: d["attributes"]["encoder_"].update(
        __estimator__="os.system"))
    edited("attribute shadows a method", _set("attributes", score_samples_=None,
                                              **{"score_samples": 1}))
    edited("private attribute", _set("attributes", **{"__class__": "x"}))
    edited("device_ not a string", _set("attributes", device_=5))
    edited("deep JSON nesting", _set("attributes", loss_curve_=json.loads(_nested(500))))
    edited("document is a list", lambda d: [d])
    edited("no class entry", lambda d: d.pop("class") and None)

    files["metadata is a list"] = folder / "metadata_list.safetensors"
    files["metadata is a list"].write_bytes(_with_header({"__metadata__": ["sklearn-ae"]}))
    files["header nests 100000 deep"] = folder / "deep_header.safetensors"
    text = ("{\"a\":" + _nested(100_000) + "}").encode()
    files["header nests 100000 deep"].write_bytes(struct.pack("<Q", len(text)) + text)
    files["tensor beyond the file"] = folder / "beyond.safetensors"
    files["tensor beyond the file"].write_bytes(_with_header({
        "w": {"dtype": "F32", "shape": [10**9], "data_offsets": [0, 4 * 10**9]},
        "__metadata__": {"format": "sklearn-ae", "format_version": "2"}}))
    files["bfloat16 tensor, wrong name"] = folder / "bf16.safetensors"
    with safe_open(model, "pt") as f:
        metadata = dict(f.metadata())
    odd = {"w": torch.zeros(1000, dtype=torch.bfloat16)}
    metadata["sha256"] = _checksum(metadata["model"], odd)
    files["bfloat16 tensor, wrong name"].write_bytes(save_tensors(odd, metadata=metadata))
    files["header of 200 MB"] = folder / "huge_header.safetensors"
    with open(files["header of 200 MB"], "wb") as f:  # sparse: costs no disk
        f.write(struct.pack("<Q", 200_000_000) + b"{")
        f.truncate(200_000_100)
    files["/dev/zero"] = "/dev/zero"
    files["/dev/urandom"] = "/dev/urandom"
    files["named pipe"] = folder / "pipe.safetensors"
    os.mkfifo(files["named pipe"])
    files["folder"] = folder
    files["missing"] = folder / "missing.safetensors"
    return {name: str(path) for name, path in files.items()}


# case -> (exception class expected, words its message must contain)
HOSTILE_FILES = {
    "n_components_ = 5e7": (ValueError, "n_components_"),
    "n_features_in_ = 1e9": (ValueError, "n_features_in_"),
    "hidden_layer_sizes_ = (1e8,)": (ValueError, "hidden_layer_sizes_"),
    "n_components_ = 0": (ValueError, "n_components_"),
    "neighbour reference of 300 rows": (ValueError, "neighbor_reference_"),
    "n_components_ a string": (ValueError, "n_components_"),
    "n_components_ off by one": (ValueError, "shape"),
    "feature names too long": (ValueError, "feature_names_in_"),
    "optimizer = evil": (ValueError, "optimizer"),
    "lr = -1": (ValueError, "lr"),
    "unknown parameter": (ValueError, "shell"),
    "scaler parameter junk": (ValueError, "with_mean"),
    "encoder n_inputs_ = 1e9": (ValueError, "n_inputs_"),
    "encoder n_inputs_ off by one": (ValueError, "n_inputs_"),
    "encoder mask too short": (ValueError, "is_categorical_"),
    "encoder categories without a categorical column": (ValueError, "columns"),
    "encoder parameter junk": (ValueError, "max_categories"),
    "encoder of another class": (ValueError, "os.system"),
    "attribute shadows a method": (ValueError, "score_samples"),
    "private attribute": (ValueError, "__class__"),
    "device_ not a string": (ValueError, "device_"),
    "deep JSON nesting": (ValueError, "nests"),
    "document is a list": (ValueError, "not a JSON object"),
    "no class entry": (ValueError, "no 'class' entry"),
    "metadata is a list": (ValueError, "metadata"),
    "header nests 100000 deep": (ValueError, "nests"),
    "tensor beyond the file": (ValueError, "tensor 'w'"),
    "bfloat16 tensor, wrong name": (ValueError, "missing array tensor"),
    "header of 200 MB": (ValueError, "at most"),
    "/dev/zero": (ValueError, "character device"),
    "/dev/urandom": (ValueError, "character device"),
    "named pipe": (ValueError, "named pipe"),
    "folder": (OSError, "folder"),
    "missing": (OSError, "No such file"),
}


@pytest.fixture(scope="module")
def hostile_loads(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    model = folder / "model.safetensors"
    AutoencoderTransformer(2, hidden_layer_sizes=(3,), max_epochs=1, random_state=0).fit(
        pd.DataFrame(X_GOOD, columns=COLUMNS)).save(model)
    files = _hostile_files(folder, model)
    assert set(files) == set(HOSTILE_FILES)
    child = _CHILD.format(cap=MEMORY_CAP, per_file=LOAD_TIMEOUT_S)
    try:
        done = subprocess.run([sys.executable, "-c", child, json.dumps(files)],
                              capture_output=True, text=True, timeout=60,
                              env={**os.environ, "OMP_NUM_THREADS": "1"})
    except subprocess.TimeoutExpired:
        pytest.fail("the child loading the hostile files ran past 60 s")
    assert done.returncode == 0, done.stderr[-2000:]
    return files, json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", list(HOSTILE_FILES))
def test_hostile_file_gives_one_clear_error_quickly_and_cheaply(hostile_loads, case):
    files, results = hostile_loads
    error, words = HOSTILE_FILES[case]
    outcome = results[case]
    assert outcome["error"] is not None, "loaded without complaint"
    kind = "is_value_error" if error is ValueError else "is_os_error"
    assert outcome[kind], f"{outcome['error']}: {outcome['message']}"
    assert words in outcome["message"]
    assert files[case] in outcome["message"] or case == "missing"
    assert outcome["seconds"] < 1.0
    assert outcome["grew"] < 100 * 2**20  # file size plus a tiny model, nowhere near 1 GB
