"""save / load: one safetensors file, no pickle, refuses damaged and foreign files."""

import json
import pickle
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from safetensors.torch import save as save_tensors
from sklearn.exceptions import NotFittedError

import sklearn_ae
from sklearn_ae import (
    AutoencoderTransformer,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
)
from sklearn_ae._fileformat import _checksum


@pytest.fixture(scope="module")
def digits_frame(digits):
    """The first 200 digits as a DataFrame with named pixel columns."""
    return pd.DataFrame(digits[0][:200], columns=[f"px{i}" for i in range(64)])


@pytest.fixture(scope="module")
def saved(digits_frame, tmp_path_factory):
    est = AutoencoderTransformer(4, max_epochs=2, random_state=0).fit(digits_frame)
    path = tmp_path_factory.mktemp("model") / "model.safetensors"
    est.save(path)
    return est, path


@pytest.mark.parametrize(
    "est",
    [
        AutoencoderTransformer(3, max_epochs=2, scaling=None, random_state=0),
        DenoisingAutoencoder(3, noise="salt_pepper", max_epochs=2, scaling="minmax",
                             random_state=0),
        ContractiveAutoencoder(3, max_epochs=2, scaling="robust", early_stopping=True,
                               contamination=0.1, random_state=0),
    ],
    ids=lambda e: type(e).__name__,
)
def test_loaded_model_gives_identical_outputs(est, digits_frame, tmp_path):
    est.fit(digits_frame)
    path = est.save(tmp_path / "m.safetensors")
    loaded = sklearn_ae.load(path)
    assert type(loaded) is type(est)
    assert loaded.get_params() == est.get_params()
    np.testing.assert_array_equal(loaded.score_samples(digits_frame), est.score_samples(digits_frame))
    np.testing.assert_array_equal(loaded.transform(digits_frame), est.transform(digits_frame))
    np.testing.assert_array_equal(loaded.reconstruct(digits_frame), est.reconstruct(digits_frame))
    np.testing.assert_array_equal(loaded.predict(digits_frame), est.predict(digits_frame))
    assert loaded.offset_ == est.offset_
    np.testing.assert_array_equal(loaded.feature_names_in_, est.feature_names_in_)
    assert loaded.loss_curve_ == est.loss_curve_
    # Wrong columns are still refused, and pickle still works on a loaded model.
    with pytest.raises(ValueError, match="feature names"):
        loaded.score_samples(digits_frame.rename(columns={"px0": "other"}))
    again = pickle.loads(pickle.dumps(loaded))
    np.testing.assert_array_equal(again.score_samples(digits_frame), est.score_samples(digits_frame))


def test_every_fitted_attribute_is_saved_generically(digits_frame, tmp_path):
    est = AutoencoderTransformer(2, max_epochs=1, random_state=0).fit(digits_frame)
    est.new_attribute_ = {"a": (1, 2.5), "b": np.arange(3, dtype=np.int16), "c": None}
    loaded = sklearn_ae.load(est.save(tmp_path / "m.safetensors"))
    assert loaded.new_attribute_["a"] == (1, 2.5)
    assert loaded.new_attribute_["b"].dtype == np.int16
    assert loaded.new_attribute_["c"] is None
    np.testing.assert_array_equal(loaded.scaler_.scale_, est.scaler_.scale_)
    est.bad_ = object()
    with pytest.raises(TypeError, match="bad_"):
        est.save(tmp_path / "bad.safetensors")


def test_unfitted_estimator_cannot_be_saved(tmp_path):
    with pytest.raises(NotFittedError):
        AutoencoderTransformer().save(tmp_path / "m.safetensors")


def test_flipped_weight_byte_fails_the_checksum(saved, tmp_path):
    _, path = saved
    data = bytearray(path.read_bytes())
    data[-5] ^= 0x01  # inside the last tensor
    bad = tmp_path / "tampered.safetensors"
    bad.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="checksum"):
        sklearn_ae.load(bad)


def test_edited_json_fails_the_checksum(saved, tmp_path):
    _, path = saved
    data = path.read_bytes()
    # Same length, so the header still parses: only the checksum can tell.
    edited = data.replace(b'n_components\\": 4', b'n_components\\": 5', 1)
    assert edited != data
    bad = tmp_path / "edited.safetensors"
    bad.write_bytes(edited)
    with pytest.raises(ValueError, match="checksum"):
        sklearn_ae.load(bad)


@pytest.mark.parametrize("keep", [0, 5, 100, -10])
def test_truncated_file_is_refused(saved, tmp_path, keep):
    _, path = saved
    data = path.read_bytes()
    bad = tmp_path / "truncated.safetensors"
    bad.write_bytes(data[:keep])
    with pytest.raises(ValueError, match="truncated|not a sklearn_ae model|corrupt"):
        sklearn_ae.load(bad)


def test_foreign_files_are_refused(tmp_path):
    import torch

    csv = tmp_path / "data.csv"
    csv.write_text("a,b\n1,2\n" * 20)
    with pytest.raises(ValueError, match="not a sklearn_ae model"):
        sklearn_ae.load(csv)
    other = tmp_path / "other.safetensors"
    other.write_bytes(save_tensors({"w": torch.zeros(3)}, metadata={"format": "pt"}))
    with pytest.raises(ValueError, match="not a sklearn_ae model"):
        sklearn_ae.load(other)
    pickled = tmp_path / "model.pkl"
    pickled.write_bytes(pickle.dumps({"x": 1}))
    with pytest.raises(ValueError, match="not a sklearn_ae model"):
        sklearn_ae.load(pickled)
    with pytest.raises(OSError):
        sklearn_ae.load(tmp_path / "missing.safetensors")


def _forge(tmp_path, document, version="2"):
    """A well-formed file with a correct checksum around ``document``."""
    model_json = json.dumps(document)
    metadata = {"format": "sklearn-ae", "format_version": version, "model": model_json,
                "sha256": _checksum(model_json, {})}
    path = tmp_path / "forged.safetensors"
    path.write_bytes(save_tensors({}, metadata=metadata))
    return path


def test_file_cannot_name_arbitrary_classes(tmp_path):
    path = _forge(tmp_path, {"class": "os.system", "params": {"__dict__": {}},
                             "attributes": {}})
    with pytest.raises(ValueError, match="unknown estimator class 'os.system'"):
        sklearn_ae.load(path)
    scaler = {"__estimator__": "subprocess.Popen", "params": {"__dict__": {}},
              "attributes": {"__dict__": {}}}
    path = _forge(tmp_path, {"class": "sklearn_ae._estimators.AutoencoderTransformer",
                             "params": {"__dict__": {}}, "attributes": {"scaler_": scaler}})
    with pytest.raises(ValueError, match="unknown estimator class 'subprocess.Popen'"):
        sklearn_ae.load(path)


def test_newer_format_version_is_refused(tmp_path):
    path = _forge(tmp_path, {}, version="99")
    with pytest.raises(ValueError, match="format version 99"):
        sklearn_ae.load(path)


def test_signed_version_2_file_still_loads(tmp_path, digits):
    # Version 2 files held the arrays in the JSON and signed "sklearn-ae|2|": both read.
    from safetensors import safe_open
    from safetensors.torch import load_file

    from sklearn_ae._fileformat import _signature

    X, _ = digits
    est = AutoencoderTransformer(4, max_epochs=2, random_state=0).fit(X[:200])
    saved = est.save(tmp_path / "v3.safetensors", key=b"k")
    with safe_open(saved, "pt") as f:
        metadata = dict(f.metadata())
    tensors = load_file(saved)
    assert metadata["format_version"] == "3"
    metadata["format_version"] = "2"
    metadata["hmac-sha256"] = _signature(b"k", metadata["model"], tensors, version=2)
    old = tmp_path / "v2.safetensors"
    old.write_bytes(save_tensors(tensors, metadata=metadata))
    np.testing.assert_array_equal(sklearn_ae.load(old, key=b"k").score_samples(X[:20]),
                                  est.score_samples(X[:20]))
    # The version is signed: a version 3 file relabelled as 2 fails its signature.
    metadata["hmac-sha256"] = _signature(b"k", metadata["model"], tensors)
    old.write_bytes(save_tensors(tensors, metadata=metadata))
    with pytest.raises(ValueError, match="wrong signature"):
        sklearn_ae.load(old, key=b"k")


def test_version_1_file_is_refused_with_a_message_to_refit(tmp_path):
    path = _forge(tmp_path, {}, version="1")
    with pytest.raises(ValueError, match="format version 1.*Refit the model and save it again"):
        sklearn_ae.load(path)


def test_header_length_beyond_the_file_is_refused(tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(struct.pack("<Q", 1000) + b"{}")
    with pytest.raises(ValueError, match="truncated"):
        sklearn_ae.load(bad)
    # Longer than any model file's header: not a model file, whatever the file's size.
    bad.write_bytes(struct.pack("<Q", 10**9) + b"{}")
    with pytest.raises(ValueError, match="not a sklearn_ae model file") as error:
        sklearn_ae.load(bad)
    assert "1000000000" not in str(error.value) and "1,000,000,000" not in str(error.value)


def _zip_bytes():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("weights.txt", "not a model")
    return buffer.getvalue()


@pytest.mark.parametrize("name, content, looks_like", [
    ("model.pkl", pickle.dumps({"weights": list(range(100))}, protocol=4), "Python pickle"),
    ("model2.pkl", pickle.dumps([1.5] * 100, protocol=2), "Python pickle"),
    ("model.zip", _zip_bytes(), "zip archive"),
    ("model.txt", "n_components = 4\nweights: 0.1 0.2 0.3\n" * 20, "text"),
    ("model.csv", "a,b\n1,2\n" * 20, "text"),
])
def test_foreign_file_gets_one_line_saying_what_it_looks_like(tmp_path, name, content,
                                                              looks_like):
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content)
    else:
        path.write_bytes(content)
    with pytest.raises(ValueError) as error:
        sklearn_ae.load(path)
    message = str(error.value)
    assert message.startswith(f"{path} is not a sklearn_ae model file (it ")
    assert looks_like in message
    assert len(message.splitlines()) == 1 and "bytes" not in message


@pytest.mark.parametrize("position", list(range(9)) + [20, 100])
def test_one_flipped_header_byte_gives_a_short_one_line_error(saved, tmp_path, position):
    """No header size in the billions, no JSON echoed: the file is called damaged or not
    a model file, in one short line."""
    _, path = saved
    data = bytearray(path.read_bytes())
    data[position] ^= 0x10
    bad = tmp_path / "flipped.safetensors"
    bad.write_bytes(bytes(data))
    with pytest.raises(ValueError) as error:
        sklearn_ae.load(bad)
    message = str(error.value)
    assert len(message.splitlines()) == 1 and len(message) < len(str(bad)) + 160
    assert "not a sklearn_ae model file" in message or "checksum" in message
    assert '{"' not in message and "__metadata__" not in message


# ------------------------------------------------------------ keyed signature


def test_signed_file_loads_with_its_key_and_without_one(saved, digits_frame, tmp_path):
    est, _ = saved
    path = est.save(tmp_path / "signed.safetensors", key=b"secret")
    for key in (b"secret", "secret", None):  # a str key is its UTF-8 bytes
        loaded = sklearn_ae.load(path, key=key)
        np.testing.assert_array_equal(loaded.transform(digits_frame), est.transform(digits_frame))


def test_key_refuses_unsigned_and_wrongly_signed_files(saved, tmp_path):
    est, unsigned = saved
    with pytest.raises(ValueError, match="not signed"):
        sklearn_ae.load(unsigned, key=b"secret")
    signed = est.save(tmp_path / "signed.safetensors", key=b"secret")
    with pytest.raises(ValueError, match="wrong signature"):
        sklearn_ae.load(signed, key=b"other")


def test_edit_with_recomputed_checksum_passes_without_key_but_not_with_it(saved, tmp_path):
    # What the unkeyed checksum cannot catch: anyone can recompute it.
    from safetensors import safe_open
    from safetensors.torch import load_file

    est, _ = saved
    signed = est.save(tmp_path / "signed.safetensors", key=b"secret")
    with safe_open(signed, "pt") as f:
        metadata = dict(f.metadata())
    tensors = load_file(signed)
    metadata["model"] = metadata["model"].replace(
        '"contamination": "auto"', '"contamination": 0.5')
    metadata["sha256"] = _checksum(metadata["model"], tensors)
    edited = tmp_path / "edited.safetensors"
    edited.write_bytes(save_tensors(tensors, metadata=metadata))
    assert sklearn_ae.load(edited).contamination == 0.5
    with pytest.raises(ValueError, match="wrong signature"):
        sklearn_ae.load(edited, key=b"secret")


@pytest.mark.parametrize("key", [b"", "", 42])
def test_bad_keys_are_refused(saved, tmp_path, key):
    est, path = saved
    error = TypeError if key == 42 else ValueError
    with pytest.raises(error, match="key"):
        est.save(tmp_path / "m.safetensors", key=key)
    with pytest.raises(error, match="key"):
        sklearn_ae.load(path, key=key)


# ------------------------------------------------------------- permissions


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_saved_file_respects_the_umask(saved, tmp_path, umask):
    import os
    import stat

    est, _ = saved
    previous = os.umask(umask)
    try:
        path = est.save(tmp_path / f"m{umask:o}.safetensors")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp-")] == []


def test_failed_save_leaves_no_temporary_file(saved, tmp_path):
    est, _ = saved
    target = tmp_path / "folder"
    target.mkdir()
    with pytest.raises(OSError):
        est.save(target)  # cannot rename a file over a folder
    assert [p.name for p in tmp_path.iterdir()] == ["folder"]


@pytest.mark.parametrize("estimator_class", [AutoencoderTransformer, DenoisingAutoencoder,
                                             ContractiveAutoencoder])
def test_loaded_estimator_trains_on_exactly_as_the_saved_one(estimator_class, digits, tmp_path):
    import torch

    X = digits[0][:400]
    est = estimator_class(4, batch_size=64, early_stopping=True, max_epochs=4,
                          random_state=0).fit(X[:300])
    path = sklearn_ae.save(est, tmp_path / "model.safetensors")
    torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()[1].copy()
    loaded = sklearn_ae.load(path)
    assert torch.equal(torch.get_rng_state(), torch_state)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)
    assert loaded.batch_size_ == 64 and loaded.n_iter_ == est.n_iter_
    est.partial_fit(X[300:])
    loaded.partial_fit(X[300:])
    assert loaded.n_iter_ == est.n_iter_ and loaded.loss_curve_ == est.loss_curve_
    np.testing.assert_array_equal(loaded.score_samples(X), est.score_samples(X))


@pytest.mark.parametrize("estimator_class",
                         [AutoencoderTransformer, DenoisingAutoencoder, ContractiveAutoencoder])
def test_table_encoder_round_trips(estimator_class, tmp_path):
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({
        "x": rng.normal(size=80),
        "kind": pd.Categorical(rng.choice(["a", "b", "c"], size=80)),
        "city": rng.choice(["Oslo", "Rome"], size=80).astype(object),
        "rare": [f"v{i % 40}" for i in range(80)],
    })
    frame.loc[::7, "x"] = np.nan
    est = estimator_class(max_categories=4, max_epochs=2, random_state=0).fit(frame)
    loaded = sklearn_ae.load(est.save(tmp_path / "table.safetensors"))
    for name in ("is_categorical_", "numeric_fill_", "n_inputs_", "categorical_dtypes_"):
        np.testing.assert_array_equal(getattr(loaded.encoder_, name), getattr(est.encoder_, name))
    for mine, theirs in zip(est.encoder_.infrequent_categories_,
                            loaded.encoder_.infrequent_categories_):
        np.testing.assert_array_equal(mine, theirs)
    later = frame.assign(city=["Paris"] * 40 + ["Rome"] * 40)
    np.testing.assert_array_equal(loaded.score_samples(later), est.score_samples(later))
    pd.testing.assert_frame_equal(loaded.impute(frame), est.impute(frame))
    est.partial_fit(frame)
    loaded.partial_fit(frame)
    np.testing.assert_array_equal(loaded.score_samples(frame), est.score_samples(frame))


def test_file_saved_before_linear_shortcut_loads_as_saved():
    # Written by the library before linear_shortcut existed (commit fe312e6):
    # AutoencoderTransformer(random_state=0) fitted on RandomState(0).normal(size=(40, 3)).
    folder = Path(__file__).parent / "data"
    model = sklearn_ae.load(folder / "model_before_linear_shortcut.safetensors")
    assert model.linear_shortcut is False and model.clip_ == 3.0
    X = np.random.RandomState(0).normal(size=(40, 3))
    # The reconstruction term is as saved; the neighbour term of these training rows
    # no longer counts each row as its own neighbour, so every row is at least as odd.
    saved = np.load(folder / "model_before_linear_shortcut_scores.npy")
    scores = model.score_samples(X)
    assert np.isfinite(scores).all()
    assert (scores <= saved + 1e-6).all() and (scores < saved - 1e-3).mean() > 0.9
