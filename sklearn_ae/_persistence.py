"""Save and load fitted estimators without pickle: one safetensors file.

Format (``format_version`` 1)
-----------------------------
A single `safetensors <https://huggingface.co/docs/safetensors>`_ file:

- the tensors are the module's ``state_dict()`` (the network weights);
- the header's metadata (strings only) holds

  - ``"format"``: ``"sklearn-ae"``, so that a foreign file is recognised;
  - ``"format_version"``: ``"1"``;
  - ``"model"``: a JSON document with the estimator's class name, its
    ``get_params()``, every fitted attribute (public names ending in ``_``,
    except the skorch net ``net_``, which is rebuilt), the scaler's class,
    parameters and fitted attributes, and the library version;
  - ``"sha256"``: a checksum of the JSON document and of every tensor's
    name, dtype, shape and bytes.

Arrays are stored in JSON as ``{"__ndarray__": data, "dtype": ..., "shape": ...}``
(floats written with Python's shortest round-trip ``repr``, so they come back
bit for bit), tuples and dicts tagged the same way. Loading parses JSON and
raw tensor bytes only; it imports nothing named by the file: the estimator
and scaler classes must be on a fixed list. A truncated, tampered or foreign
file raises :class:`ValueError` naming the problem.

With ``save(..., key=...)`` the metadata also holds ``"hmac-sha256"``: an
HMAC-SHA256, under the user's key, of the format tag and version, the JSON
document and every tensor. ``load(..., key=...)`` refuses a file without it or
with a wrong one. The plain ``"sha256"`` only detects accidental damage:
anyone who edits the file can recompute it.

Hostile files
-------------
``load`` reads regular files only (it opens without blocking and refuses
devices and pipes), reads the length prefix and the header before the rest
and checks the file size against them, bounds the header size and the JSON
nesting depth, checks every tensor's declared dtype, shape and byte range,
checks the sizes in the JSON against the tensor shapes before building
anything, and validates every parameter with the estimator's own
``_parameter_constraints``. Bad content raises :class:`ValueError`, an
unreadable file :class:`OSError`; both name the file.
"""

import hashlib
import hmac
import json
import math
import os
import re
import secrets
import stat
import struct
import warnings
from pathlib import Path

import numpy as np
import torch

FORMAT = "sklearn-ae"
FORMAT_VERSION = 1
_SKIPPED_ATTRIBUTES = {"net_"}  # rebuilt from the parameters and the weights
SIGNATURE_KEY = "hmac-sha256"
# safetensors' own limit on the header; a model's JSON (feature names, scaler
# arrays) stays far below it even with 10**5 features.
MAX_HEADER_BYTES = 100_000_000
# A saved model nests about 6 deep (estimator > scaler > dict > array).
MAX_JSON_DEPTH = 64
_TENSOR_ITEMSIZE = {"BOOL": 1, "U8": 1, "I8": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
                    "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8}


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


def fitted_attributes(obj):
    """The fitted state of ``obj``: public attributes whose names end in ``_``."""
    return {
        name: value
        for name, value in vars(obj).items()
        if name.endswith("_") and not name.startswith("_") and name not in _SKIPPED_ATTRIBUTES
    }


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
        return _restore(cls, _decode(value["params"]), _decode(value["attributes"]))
    raise ValueError(f"untagged JSON object with keys {sorted(value)}")


def _restore(cls, params, attributes):
    """An instance of ``cls`` with validated ``params`` and the fitted ``attributes``."""
    if not isinstance(params, dict) or not isinstance(attributes, dict):
        raise ValueError(f"the parameters and attributes of {cls.__name__} must be objects")
    estimator = cls(**params)
    # The estimator's own constraints: optimizer="evil" is refused here.
    estimator._validate_params()
    if hasattr(estimator, "_check_params"):
        estimator._check_params()
    for name, value in attributes.items():
        _check_attribute_name(name)
        setattr(estimator, name, value)
    return estimator


def _check_attribute_name(name):
    """Only names that ``fitted_attributes`` saves: never methods or private state."""
    if not (isinstance(name, str) and name.isidentifier() and name.endswith("_")
            and not name.startswith("_") and name not in _SKIPPED_ATTRIBUTES):
        raise ValueError(f"{name!r} is not a fitted attribute name")


# ------------------------------------------------------------ integrity


def _feed(digest, model_json, tensors):
    digest.update(model_json.encode("utf-8"))
    for name in sorted(tensors):
        tensor = tensors[name]
        digest.update(f"{name}|{tensor.dtype}|{list(tensor.shape)}|".encode())
        # Raw bytes through uint8, which also covers dtypes numpy lacks (bfloat16).
        digest.update(tensor.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def _checksum(model_json, tensors):
    """SHA-256 of the document and the tensors: detects accidents, not edits."""
    return _feed(hashlib.sha256(), model_json, tensors)


def _signature(key, model_json, tensors):
    """HMAC-SHA256 under ``key`` of the format, the document and the tensors."""
    digest = hmac.new(_key_bytes(key), digestmod=hashlib.sha256)
    digest.update(f"{FORMAT}|{FORMAT_VERSION}|".encode())
    return _feed(digest, model_json, tensors)


def _key_bytes(key):
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, (bytes, bytearray)):
        raise TypeError(f"key must be bytes or str, got {type(key).__name__}")
    if not key:
        raise ValueError("key must not be empty")
    return bytes(key)


def _check_integrity(metadata, model_json, tensors, key, path):
    if not hmac.compare_digest(str(metadata.get("sha256", "")), _checksum(model_json, tensors)):
        raise ValueError(
            f"{path} failed its checksum: the file was modified or damaged after it was saved"
        )
    if key is None:
        return
    signature = metadata.get(SIGNATURE_KEY)
    if signature is None:
        raise ValueError(f"{path} is not signed: it was saved without a key")
    if not hmac.compare_digest(signature, _signature(key, model_json, tensors)):
        raise ValueError(
            f"{path} has a wrong signature: it was signed with another key or modified "
            "after it was saved"
        )


# -------------------------------------------------------------------- public


def save(estimator, path, key=None):
    """Write a fitted estimator to ``path`` (see the module docstring for the format).

    The file is written to a temporary name in the same folder and renamed, so an
    interrupted save never leaves a half-written file under ``path``. It gets the
    usual permissions of a new file (``0o666`` less the umask).

    Parameters
    ----------
    estimator : fitted sklearn_ae estimator
    path : str or path-like
    key : bytes, str or None, default=None
        Sign the file with HMAC-SHA256 under this key, so that
        ``load(path, key=key)`` can tell it from a file anyone else wrote.
    """
    from safetensors.torch import save as save_tensors
    from sklearn.utils.validation import check_is_fitted

    from . import __version__

    check_is_fitted(estimator)
    cls = type(estimator)
    name = f"{cls.__module__}.{cls.__qualname__}"
    if name not in _estimator_classes():
        raise TypeError(f"cannot save a {name}: only sklearn_ae's estimators are supported")
    document = {
        "class": name,
        "library_version": __version__,
        "params": _encode(estimator.get_params(deep=False), "the parameters"),
        "attributes": {
            attr: _encode(value, attr) for attr, value in fitted_attributes(estimator).items()
        },
    }
    model_json = json.dumps(document, sort_keys=True, allow_nan=False)
    tensors = {
        key: value.detach().to("cpu", copy=True).contiguous()
        for key, value in estimator.net_.module_.state_dict().items()
    }
    metadata = {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "model": model_json,
        "sha256": _checksum(model_json, tensors),
    }
    if key is not None:
        metadata[SIGNATURE_KEY] = _signature(key, model_json, tensors)
    data = save_tensors(tensors, metadata=metadata)
    path = Path(path)
    _write_atomically(data, path)
    return path


def _write_atomically(data, path):
    """Write ``data`` to a new file next to ``path``, then rename it to ``path``."""
    fd, tmp = _create_temporary(path.parent if str(path.parent) else Path("."))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _create_temporary(folder):
    """A new file in ``folder``, created like ``mkstemp`` but with mode 0o666.

    The kernel applies the umask to the mode given to ``open`` (mkstemp asks
    for 0o600), so the saved file gets the user's usual permissions without
    reading the umask, which ``os.umask`` can only do by changing it.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = folder / f".tmp-{secrets.token_hex(8)}"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"{folder}: could not create a temporary file")


# ------------------------------------------------------------- reading


def _read_model_file(path):
    """The bytes of the regular file ``path``: length prefix and header read first.

    Opened without blocking (a named pipe would wait for a writer forever)
    and refused unless ``fstat`` says it is a regular file, so ``/dev/zero``
    and ``/dev/urandom`` are never read. The file size is checked against the
    header before the tensors are read.

    Returns
    -------
    header : dict
        The safetensors header (``__metadata__`` and one entry per tensor).
    data : bytes
        The whole file.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        size = _regular_file_size(os.fstat(fd), path)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as f:
        prefix = f.read(8)
        header_size = _header_size(prefix, size, path)
        header_bytes = f.read(header_size)
        if len(header_bytes) != header_size:
            raise ValueError(f"{path} is truncated: it ended inside its header")
        header = _parse_header(header_bytes, path)
        _check_tensor_entries(header, size - 8 - header_size, path)
        rest = f.read(size - 8 - header_size)
    data = prefix + header_bytes + rest
    if len(data) != size:
        raise ValueError(f"{path} changed size while it was read")
    return header, data


def _regular_file_size(status, path):
    if stat.S_ISDIR(status.st_mode):
        raise IsADirectoryError(21, "is a folder, not a model file", str(path))
    if not stat.S_ISREG(status.st_mode):
        kind = ("a character device" if stat.S_ISCHR(status.st_mode) else
                "a block device" if stat.S_ISBLK(status.st_mode) else
                "a named pipe" if stat.S_ISFIFO(status.st_mode) else
                "a socket" if stat.S_ISSOCK(status.st_mode) else "a special file")
        raise ValueError(f"{path} is not a sklearn_ae model file: it is {kind}, "
                         "not a regular file")
    return status.st_size


def _header_size(prefix, file_size, path):
    if len(prefix) < 8:
        raise ValueError(
            f"{path} is not a sklearn_ae model file: it is only {len(prefix)} bytes long")
    (header_size,) = struct.unpack("<Q", prefix)
    if header_size > file_size - 8:
        raise ValueError(
            f"{path} is not a sklearn_ae model file, or is truncated: its header claims "
            f"{header_size} bytes but the file has {file_size - 8} after the length")
    if header_size > MAX_HEADER_BYTES:
        raise ValueError(
            f"{path} is not a sklearn_ae model file, or is corrupt: its header claims "
            f"{header_size} bytes (at most {MAX_HEADER_BYTES} are allowed)")
    return header_size


def _parse_header(header_bytes, path):
    if header_bytes[:1] != b"{":
        raise ValueError(f"{path} is not a sklearn_ae model file (not a safetensors file)")
    try:
        text = header_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not a sklearn_ae model file: unreadable header ({exc})") from None
    header = _load_json(text, path, "header")
    if not isinstance(header, dict):
        raise ValueError(f"{path} is not a sklearn_ae model file: the header is not an object")
    return header


def _load_json(text, path, what):
    """``json.loads`` once the nesting depth is known to be at most MAX_JSON_DEPTH."""
    depth = _json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"{path}: its {what} nests {depth} deep (at most {MAX_JSON_DEPTH})")
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"{path}: unreadable JSON in its {what} ({exc})") from None


_ESCAPE = re.compile(r"\\.", re.DOTALL)
_STRING = re.compile(r'"[^"]*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _json_depth(text):
    """The deepest nesting of ``[`` and ``{`` outside strings, without recursion."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", _ESCAPE.sub("", text)))
    codes = np.frombuffer(brackets.encode("ascii"), dtype=np.uint8)
    depth = deepest = 0
    for start in range(0, len(codes), 1 << 20):
        chunk = codes[start : start + (1 << 20)]
        steps = np.where((chunk == ord("[")) | (chunk == ord("{")), 1, -1).astype(np.int64)
        running = depth + np.cumsum(steps)
        deepest = max(deepest, int(running.max()))
        depth = int(running[-1])
    return deepest


def _check_tensor_entries(header, data_size, path):
    """Every tensor: a known dtype, a shape, and bytes inside the file that fit both."""
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        try:
            itemsize = _TENSOR_ITEMSIZE[entry["dtype"]]
            shape, (begin, end) = entry["shape"], entry["data_offsets"]
            valid = (all(type(n) is int and n >= 0 for n in [*shape, begin, end])
                     and begin <= end <= data_size
                     and end - begin == math.prod(shape) * itemsize)
        except (KeyError, TypeError, ValueError):
            valid = False
        if not valid:
            raise ValueError(
                f"{path} is corrupt: tensor {name!r} has an invalid description {entry!r:.200} "
                f"for a data section of {data_size} bytes")


def _tensor_shapes(header):
    return {name: tuple(entry["shape"]) for name, entry in header.items()
            if name != "__metadata__"}


def _check_metadata(header, path):
    """The format tag and version; returns the metadata (a dict of strings)."""
    metadata = header.get("__metadata__", {})
    if not isinstance(metadata, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        raise ValueError(
            f"{path} is not a sklearn_ae model file: its header metadata is not an object "
            "of strings")
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
    if "model" not in metadata:
        raise ValueError(f"{path} has no model description in its header")
    return metadata


# ----------------------------------------------------------- size checks


def _check_fitted_sizes(attributes, shapes, path):
    """The sizes in the JSON, against sane bounds and the tensors, before building.

    ``attributes`` are the decoded fitted attributes, ``shapes`` the tensor
    shapes declared in the header. A network layer of width ``w`` holds at
    least ``w`` numbers, so no size may exceed the number of numbers stored.
    """
    stored = sum(math.prod(shape) for shape in shapes.values())
    sizes = {name: attributes.get(name) for name in ("n_features_in_", "n_components_")}
    hidden = attributes.get("hidden_layer_sizes_", ())
    if not isinstance(hidden, (tuple, list)) or len(hidden) > len(shapes):
        raise ValueError(f"{path}: hidden_layer_sizes_={hidden!r:.80} does not match the "
                         f"{len(shapes)} tensors of the file")
    sizes.update({f"hidden_layer_sizes_[{i}]": n for i, n in enumerate(hidden)})
    for name, n in sizes.items():
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= stored:
            raise ValueError(f"{path}: {name}={n!r:.80} is not a size between 1 and the "
                             f"{stored} numbers the file stores")
    n_features = sizes["n_features_in_"]
    _check_length(attributes.get("feature_names_in_"), n_features, "feature_names_in_", path)
    for name in ("feature_error_scale_", "mean_"):
        _check_length(attributes.get(name), n_features, name, path)
    scaler = attributes.get("scaler_")
    if scaler is not None:
        if getattr(scaler, "n_features_in_", n_features) != n_features:
            raise ValueError(f"{path}: the scaler has {scaler.n_features_in_} features, the "
                             f"model {n_features}")
        for name, value in fitted_attributes(scaler).items():
            if isinstance(value, np.ndarray):
                _check_length(value, n_features, f"scaler_.{name}", path)


def _check_length(value, n_features, name, path):
    if value is None:
        return
    if not isinstance(value, np.ndarray) or value.shape != (n_features,):
        shape = getattr(value, "shape", type(value).__name__)
        raise ValueError(f"{path}: {name} has shape {shape}, expected ({n_features},)")


def _check_weight_shapes(estimator, shapes, path):
    """The module the JSON describes, built on the meta device, against the tensors.

    The meta device allocates nothing, so a file claiming a huge network costs
    nothing here. Tensors beyond the module's (optimizer state, say) are left
    to whoever reads them.
    """
    net = estimator._build_net(1, 0, 0)
    with torch.device("meta"):
        module = net.module(**net.get_params_for("module"))
    for name, tensor in module.state_dict().items():
        if name not in shapes:
            raise ValueError(f"{path}: the weights lack {name!r} of the described network")
        if shapes[name] != tuple(tensor.shape):
            raise ValueError(f"{path}: tensor {name!r} has shape {list(shapes[name])}, but "
                             f"the described network needs {list(tensor.shape)}")


def _check_device(estimator, path):
    device = getattr(estimator, "device_", "cpu")
    try:
        if not isinstance(device, str):
            raise TypeError
        torch.device(device)
    except (TypeError, RuntimeError, ValueError):
        raise ValueError(f"{path}: device_={device!r:.80} is not a torch device") from None


def _describe(model_json, shapes, path):
    """The estimator of the JSON document, checked against the tensor shapes."""
    document = _load_json(model_json, path, "model description")
    if not isinstance(document, dict):
        raise ValueError(f"{path} has an invalid model description: it is not a JSON object")
    try:
        cls = _estimator_classes().get(document["class"])
        if cls is None or not hasattr(cls, "_build_net"):
            raise ValueError(f"unknown estimator class {document['class']!r}")
        attributes = document["attributes"]
        if not isinstance(attributes, dict):
            raise ValueError("the attributes are not an object")
        attributes = {name: _decode(value) for name, value in attributes.items()}
        _check_fitted_sizes(attributes, shapes, path)
        estimator = _restore(cls, _decode(document["params"]), attributes)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError) as exc:
        message = f"no {exc} entry" if isinstance(exc, KeyError) else str(exc)
        if message.startswith(str(path)):
            raise ValueError(message) from None
        raise ValueError(f"{path} has an invalid model description: {message}") from None
    _check_device(estimator, path)
    _check_weight_shapes(estimator, shapes, path)
    return estimator


def load(path, *, key=None, device=None):
    """Load an estimator written by :meth:`BaseAutoencoder.save`.

    Parameters
    ----------
    path : str or path-like
        The file.
    key : bytes, str or None, default=None
        Refuse the file unless it was saved with this key (HMAC-SHA256).
        Without a key a signed file loads too: its checksum is still checked,
        but not its signature, since checking needs the key.
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
        The file is not a regular file, is truncated, tampered with (checksum or
        signature mismatch), unsigned while a key is given, of another format or
        of a newer format version, or describes a model its tensors do not fit or
        invalid parameters.
    OSError
        The file cannot be read (missing, a folder, no permission).
    """
    from safetensors import SafetensorError
    from safetensors.torch import load as load_tensors

    path = Path(path)
    if key is not None:
        _key_bytes(key)
    header, data = _read_model_file(path)
    metadata = _check_metadata(header, path)
    try:
        tensors = load_tensors(data)
    except SafetensorError as exc:
        raise ValueError(f"{path} is truncated or corrupt: {exc}") from None
    model_json = metadata["model"]
    _check_integrity(metadata, model_json, tensors, key, path)
    estimator = _describe(model_json, _tensor_shapes(header), path)

    saved_device = getattr(estimator, "device_", "cpu")
    if device is None:
        device = saved_device
        if device.startswith("cuda") and not torch.cuda.is_available():
            warnings.warn(
                f"{path} was saved from {device!r}, which is not available; loading on the CPU.",
                UserWarning,
            )
            device = "cpu"
    estimator.device_ = device
    # The net is rebuilt by the estimator's own code: the sizes and seeds only
    # matter for training, which a loaded model does not resume.
    net = estimator._build_net(1, 0, 0)
    net.initialize()
    try:
        net.module_.load_state_dict(tensors)
    except RuntimeError as exc:
        raise ValueError(f"{path}: the weights do not fit the described network: {exc}") from None
    net.module_.train(False)
    estimator.net_ = net
    return estimator
