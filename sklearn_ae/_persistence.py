"""Save and load fitted estimators without pickle: one safetensors file.

Format (``format_version`` 2)
-----------------------------
A single `safetensors <https://huggingface.co/docs/safetensors>`_ file holding
what :meth:`~sklearn_ae.AutoencoderTransformer.export_state` returns:

- the tensors are the network weights, the optimizer's state and the random
  generators' states, named by their place in the state
  (``state.module.encoder_layers.0.weight``, ``state.optimizer.state.0.exp_avg``,
  ``state.generators.shuffle``);
- the header's metadata (strings only) holds

  - ``"format"``: ``"sklearn-ae"``, so that a foreign file is recognised;
  - ``"format_version"``: ``"2"``;
  - ``"model"``: a JSON document with the estimator's class name, its
    ``get_params()``, every fitted attribute (public names ending in ``_``,
    except the skorch net ``net_``, which is rebuilt), the scaler's class,
    parameters and fitted attributes, the net's training history and the
    rest of the optimizer's state, and the library version;
  - ``"sha256"``: a checksum of the JSON document and of every tensor's
    name, dtype, shape and bytes.

Arrays are stored in JSON as ``{"__ndarray__": data, "dtype": ..., "shape": ...}``
(floats written with Python's shortest round-trip ``repr``, so they come back
bit for bit), tuples and dicts tagged the same way. Loading parses JSON and
raw tensor bytes only; it imports nothing named by the file: the estimator
and scaler classes must be on a fixed list. A truncated, tampered or foreign
file raises :class:`ValueError` naming the problem.
"""

import hashlib
import json
import os
import struct
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch

from ._state import fitted_attributes

FORMAT = "sklearn-ae"
FORMAT_VERSION = 2


def _estimator_classes():
    from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler

    from ._estimators import (
        AutoencoderTransformer,
        ContractiveAutoencoder,
        DenoisingAutoencoder,
    )

    classes = [
        AutoencoderTransformer,
        ContractiveAutoencoder,
        DenoisingAutoencoder,
        MinMaxScaler,
        RobustScaler,
        StandardScaler,
    ]
    return {f"{cls.__module__}.{cls.__qualname__}": cls for cls in classes}


# ------------------------------------------------------------------ encoding


def _encode(value, where):
    """A JSON-ready form of ``value``; ``where`` names it in error messages."""
    from sklearn.base import BaseEstimator

    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return value if not isinstance(value, float) or np.isfinite(value) else {
            "__float__": repr(value)
        }
    if isinstance(value, np.generic):
        return _encode(value.item(), where)
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return {
                "__ndarray__": [_encode(v, where) for v in value.ravel().tolist()],
                "dtype": "object",
                "shape": list(value.shape),
            }
        if value.dtype.kind not in "biuf":
            raise TypeError(f"cannot save {where}: arrays of dtype {value.dtype} are not supported")
        data = value.ravel().tolist()
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            data = [v if np.isfinite(v) else {"__float__": repr(v)} for v in data]
        return {"__ndarray__": data, "dtype": value.dtype.str, "shape": list(value.shape)}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, where) for v in value]}
    if isinstance(value, list):
        return [_encode(v, where) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError(f"cannot save {where}: dict keys must be strings")
        return {"__dict__": {k: _encode(v, f"{where}[{k!r}]") for k, v in value.items()}}
    if isinstance(value, BaseEstimator):
        name = f"{type(value).__module__}.{type(value).__qualname__}"
        if name not in _estimator_classes():
            raise TypeError(f"cannot save {where}: {name} is not a supported estimator")
        return {
            "__estimator__": name,
            "params": _encode(value.get_params(deep=False), f"{where} parameters"),
            "attributes": _encode(fitted_attributes(value), f"{where} attributes"),
        }
    raise TypeError(
        f"cannot save {where}: values of type {type(value).__name__} are not supported "
        "by sklearn_ae's file format (add them to sklearn_ae/_persistence.py)"
    )


def _decode(value):
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__float__" in value:
        return float(value["__float__"])
    if "__tuple__" in value:
        return tuple(_decode(v) for v in value["__tuple__"])
    if "__dict__" in value:
        return {k: _decode(v) for k, v in value["__dict__"].items()}
    if "__ndarray__" in value:
        data = [_decode(v) for v in value["__ndarray__"]]
        dtype = np.dtype(value["dtype"])
        if dtype.kind not in "biufO":
            raise ValueError(f"unsupported array dtype {value['dtype']!r}")
        if dtype.kind == "O":
            array = np.empty(len(data), dtype=object)
            array[:] = data
        else:
            array = np.asarray(data, dtype=dtype)
        return array.reshape(value["shape"])
    if "__estimator__" in value:
        cls = _estimator_classes().get(value["__estimator__"])
        if cls is None:
            raise ValueError(f"unknown estimator class {value['__estimator__']!r}")
        estimator = cls(**_decode(value["params"]))
        for name, attribute in _decode(value["attributes"]).items():
            setattr(estimator, name, attribute)
        return estimator
    raise ValueError(f"untagged JSON object with keys {sorted(value)}")


def _checksum(model_json, tensors):
    digest = hashlib.sha256(model_json.encode("utf-8"))
    for name in sorted(tensors):
        tensor = tensors[name]
        digest.update(f"{name}|{tensor.dtype}|{list(tensor.shape)}|".encode())
        digest.update(tensor.numpy().tobytes())
    return digest.hexdigest()


# -------------------------------------------------------------------- public


def save(estimator, path):
    """Write a fitted estimator to ``path`` (see the module docstring for the format).

    The file is written to a temporary name in the same folder and renamed, so an
    interrupted save never leaves a half-written file under ``path``.
    """
    from safetensors.torch import save as save_tensors
    from sklearn.utils.validation import check_is_fitted

    from . import __version__

    check_is_fitted(estimator)
    cls = type(estimator)
    name = f"{cls.__module__}.{cls.__qualname__}"
    if name not in _estimator_classes():
        raise TypeError(f"cannot save a {name}: only sklearn_ae's estimators are supported")
    description, tensors = estimator.export_state()
    document = {
        "class": name,
        "library_version": __version__,
        "params": _encode(description["params"], "the parameters"),
        "attributes": {
            attr: _encode(value, attr) for attr, value in description["attributes"].items()
        },
        "net": _encode(description["net"], "the training state"),
    }
    model_json = json.dumps(document, sort_keys=True, allow_nan=False)
    metadata = {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "model": model_json,
        "sha256": _checksum(model_json, tensors),
    }
    data = save_tensors(tensors, metadata=metadata)
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def _read_header(data, path):
    if len(data) < 8:
        raise ValueError(f"{path} is not a sklearn_ae model file: it is only {len(data)} bytes long")
    (header_size,) = struct.unpack("<Q", data[:8])
    if data[8:9] != b"{":
        raise ValueError(f"{path} is not a sklearn_ae model file (not a safetensors file)")
    if header_size > len(data) - 8:
        raise ValueError(
            f"{path} is not a sklearn_ae model file, or is truncated: its header claims "
            f"{header_size} bytes but the file has {len(data) - 8} after the length"
        )
    try:
        header = json.loads(data[8 : 8 + header_size].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not a sklearn_ae model file: unreadable header ({exc})") from None
    if not isinstance(header, dict):
        raise ValueError(f"{path} is not a sklearn_ae model file: the header is not an object")
    return header


def load(path, *, device=None):
    """Load an estimator written by :meth:`BaseAutoencoder.save`.

    Parameters
    ----------
    path : str or path-like
        The file.
    device : str or None, default=None
        Where the network lives after loading. ``None`` keeps the device it was
        saved from where that is available, and falls back to ``"cpu"`` (with a
        warning) where it is not.

    Returns
    -------
    estimator : AutoencoderTransformer, DenoisingAutoencoder or ContractiveAutoencoder
        Fitted; its scores, codes and reconstructions equal those of the saved one.

    Raises
    ------
    ValueError
        The file is truncated, tampered with (checksum mismatch), of another
        format, or of a newer format version.
    OSError
        The file cannot be read.
    """
    from safetensors import SafetensorError
    from safetensors.torch import load as load_tensors

    path = Path(path)
    data = path.read_bytes()
    header = _read_header(data, path)
    metadata = header.get("__metadata__") or {}
    if metadata.get("format") != FORMAT:
        raise ValueError(
            f"{path} is not a sklearn_ae model file (no '{FORMAT}' format tag in its header)"
        )
    try:
        version = int(metadata.get("format_version", ""))
    except ValueError:
        raise ValueError(f"{path}: unreadable format_version {metadata.get('format_version')!r}") from None
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{path} has format version {version}; this sklearn_ae reads up to "
            f"{FORMAT_VERSION}: upgrade sklearn_ae"
        )
    if version < FORMAT_VERSION:
        raise ValueError(
            f"{path} has format version {version}, written by sklearn_ae 0.1, which did "
            "not save the training state (optimizer, history, batch size); this "
            f"sklearn_ae reads format {FORMAT_VERSION}. Refit the model and save it again."
        )
    try:
        tensors = load_tensors(data)
    except SafetensorError as exc:
        raise ValueError(f"{path} is truncated or corrupt: {exc}") from None
    model_json = metadata.get("model", "")
    if metadata.get("sha256") != _checksum(model_json, tensors):
        raise ValueError(
            f"{path} failed its checksum: the file was modified or damaged after it was saved"
        )
    try:
        document = json.loads(model_json)
        cls = _estimator_classes().get(document["class"])
        if cls is None or not hasattr(cls, "from_state"):
            raise ValueError(f"unknown estimator class {document['class']!r}")
        description = {
            "params": _decode(document["params"]),
            "attributes": {k: _decode(v) for k, v in document["attributes"].items()},
            "net": _decode(document["net"]),
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path} has an invalid model description: {exc}") from None

    saved_device = description["attributes"].get("device_", "cpu")
    if device is None:
        device = saved_device
        if device.startswith("cuda") and not torch.cuda.is_available():
            warnings.warn(
                f"{path} was saved from {device!r}, which is not available; loading on the CPU.",
                UserWarning,
            )
            device = "cpu"
    try:
        return cls.from_state(description, tensors, device=device)
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise ValueError(f"{path}: the saved state does not fit the described model: {exc}") from None
