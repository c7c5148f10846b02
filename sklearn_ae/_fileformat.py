"""The model file: one safetensors file, no pickle; written and read defensively.

This module knows the file and nothing of the estimator classes: it writes
what :meth:`~sklearn_ae.AutoencoderTransformer.export_state` returns and reads
it back, checked; :mod:`sklearn_ae._persistence` turns what it reads into an
estimator.

Format (``format_version`` 3)
-----------------------------
A single `safetensors <https://huggingface.co/docs/safetensors>`_ file:

- the tensors are the network weights, the optimizer's state and the random
  generators' states, named by their place in the estimator's state
  (``state.module.encoder_layers.0.weight``,
  ``state.optimizer.state.0.exp_avg``, ``state.generators.shuffle``), and the
  arrays of numbers among the fitted attributes, named by theirs
  (``arrays.scorer_.attributes.neighbor_reference_``, ``arrays.mean_``);
- the header's metadata (strings only) holds

  - ``"format"``: ``"sklearn-ae"``, so that a foreign file is recognised;
  - ``"format_version"``: ``"3"``. Version 2 files, which held the arrays of
    numbers in the JSON, are read too; version 1 files, which held the weights
    only, are refused with a message to refit;
  - ``"model"``: a JSON document with the estimator's class name, its
    ``get_params()``, every fitted attribute (public names ending in ``_``,
    except the skorch net ``net_``, which is rebuilt), the scaler's class,
    parameters and fitted attributes, the training history and the rest of
    the optimizer's state, and the library version;
  - ``"sha256"``: a checksum of the JSON document and of every tensor's
    name, dtype, shape and bytes.

Arrays of numbers are tensors, referred to from the JSON as ``{"__array__":
name}``; arrays of objects (column names, string levels), and arrays of numbers
in files written before, are stored in the JSON as ``{"__ndarray__": data,
"dtype": ..., "shape": ...}`` (floats written with Python's shortest round-trip
``repr``, so they come back bit for bit); tuples and dicts are tagged the same
way. Loading parses JSON and
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
unreadable file :class:`OSError`; both name the file, in one line. A file that does not start as a safetensors
file is called what its first bytes look like: a Python pickle (the ``\\x80``
protocol byte), a zip archive (``PK\\x03\\x04``: what ``torch.save`` and
``numpy.savez`` write), gzip, a NumPy ``.npy`` file, text, or else a damaged
file.
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
from pathlib import Path

import numpy as np
import torch

from ._codec import encode
from ._version import __version__

FORMAT = "sklearn-ae"
FORMAT_VERSION = 3
# Version 2 files (arrays of numbers written into the JSON) are read as well.
OLDEST_READABLE_VERSION = 2
SIGNATURE_KEY = "hmac-sha256"
# safetensors' own limit on the header; a model's JSON (feature names, scaler
# arrays, training history) stays far below it even with 10**5 features.
MAX_HEADER_BYTES = 100_000_000
# A saved model nests about 10 deep (estimator > net > optimizer > state > ...).
MAX_JSON_DEPTH = 64
_TENSOR_ITEMSIZE = {"BOOL": 1, "U8": 1, "I8": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
                    "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8}


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


def _signature(key, model_json, tensors, version=FORMAT_VERSION):
    """HMAC-SHA256 under ``key`` of the format, the document and the tensors."""
    digest = hmac.new(_key_bytes(key), digestmod=hashlib.sha256)
    digest.update(f"{FORMAT}|{version}|".encode())
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
    version = int(metadata["format_version"])
    if not hmac.compare_digest(str(metadata.get("sha256", "")), _checksum(model_json, tensors)):
        raise ValueError(
            f"{path} failed its checksum: the file was modified or damaged after it was saved"
        )
    if key is None:
        return
    signature = metadata.get(SIGNATURE_KEY)
    if signature is None:
        raise ValueError(f"{path} is not signed: it was saved without a key")
    if not hmac.compare_digest(signature, _signature(key, model_json, tensors, version)):
        raise ValueError(
            f"{path} has a wrong signature: it was signed with another key or modified "
            "after it was saved"
        )


# ------------------------------------------------------------- writing


def write_model_file(path, estimator, key=None):
    """Write a fitted estimator's :meth:`export_state` to ``path``.

    The file is written to a temporary name in the same folder and renamed, so an
    interrupted save never leaves a half-written file under ``path``. It gets the
    usual permissions of a new file (``0o666`` less the umask).

    Parameters
    ----------
    path : str or path-like
        Where to write; an existing file is replaced.
    estimator : BaseAutoencoder
        Fitted.
    key : bytes, str or None, default=None
        Sign the file with HMAC-SHA256 under this key.

    Returns
    -------
    path : pathlib.Path
        The file written.
    """
    from safetensors.torch import save as save_tensors

    if key is not None:
        _key_bytes(key)
    description, tensors = estimator.export_state()
    cls = type(estimator)
    document = {
        "class": f"{cls.__module__}.{cls.__qualname__}",
        "library_version": __version__,
        "params": encode(description["params"], "the parameters"),
        "attributes": {
            attr: encode(value, attr, tensors) for attr, value in description["attributes"].items()
        },
        "net": encode(description["net"], "the training state"),
    }
    model_json = json.dumps(document, sort_keys=True, allow_nan=False)
    metadata = {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "model": model_json,
        "sha256": _checksum(model_json, tensors),
    }
    if key is not None:
        metadata[SIGNATURE_KEY] = _signature(key, model_json, tensors)
    path = Path(path)
    _write_atomically(save_tensors(tensors, metadata=metadata), path)
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


def read_model_file(path, key=None):
    """The checked contents of a model file, nothing built from them yet.

    Parameters
    ----------
    path : str or path-like
        The file.
    key : bytes, str or None, default=None
        Refuse the file unless it is signed with this key.

    Returns
    -------
    document : dict
        The parsed JSON model description (depth-bounded), not yet decoded.
    tensors : dict of str to torch.Tensor
        The tensors, their bytes checked against the checksum (and signature).
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
    document = _load_json(model_json, path, "model description")
    if not isinstance(document, dict):
        raise ValueError(f"{path} has an invalid model description: it is not a JSON object")
    return document, tensors


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
        if header_size is None:
            raise _not_a_model_file(path, prefix + f.read(_SNIFF_BYTES))
        header_bytes = f.read(header_size)
        if len(header_bytes) != header_size:
            raise ValueError(f"{path} is truncated: it ended inside its header")
        if header_bytes[:1] != b"{":
            raise _not_a_model_file(path, prefix + header_bytes[:_SNIFF_BYTES])
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
    """The header length the first 8 bytes give; None when no safetensors file could
    start so (a length beyond the file and beyond any header's size)."""
    if len(prefix) < 8:
        raise ValueError(
            f"{path} is not a sklearn_ae model file: it is only {len(prefix)} bytes long")
    (header_size,) = struct.unpack("<Q", prefix)
    if header_size > file_size - 8:
        if header_size > MAX_HEADER_BYTES:
            return None
        raise ValueError(
            f"{path} is truncated, damaged or not a sklearn_ae model file: it ends before "
            "the header its first 8 bytes announce")
    if header_size > MAX_HEADER_BYTES:
        raise ValueError(
            f"{path} is not a sklearn_ae model file, or is damaged: its first 8 bytes "
            f"announce a header of {header_size:,} bytes, and a model file's has at most "
            f"{MAX_HEADER_BYTES:,}")
    return header_size


# How much of a file's head is read to tell what it is when it is no model file.
_SNIFF_BYTES = 512


def _not_a_model_file(path, head):
    """The error for a file that does not start as a safetensors file, saying what it
    looks like from its first bytes (never the bytes themselves)."""
    return ValueError(f"{path} is not a sklearn_ae model file ({_looks_like(head)})")


def _looks_like(head):
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return "it looks like a Python pickle"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "it is a zip archive, as torch.save and numpy.savez write"
    if head[:2] == b"\x1f\x8b":
        return "it is gzip-compressed"
    if head[:6] == b"\x93NUMPY":
        return "it is a NumPy .npy file"
    if _is_text(head):
        return "it looks like text"
    return "its first bytes are not those of a safetensors file; if it was one, it is damaged"


def _is_text(head):
    """Whether ``head``, the first bytes of a file, is text (UTF-8, or UTF-16 with its
    byte-order mark); the last character may be cut."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    for cut in range(4):
        try:
            text = head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return all(c.isprintable() or c in "\t\n\r\f" for c in text)
    return False


def _parse_header(header_bytes, path):
    try:
        text = header_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path} is damaged or not a sklearn_ae model file: its header is "
                         "not UTF-8 text") from None
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
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is damaged or not a sklearn_ae model file: its {what} is "
                         f"not valid JSON at character {exc.pos:,}") from None
    except RecursionError:
        raise ValueError(f"{path}: its {what} nests too deep to read") from None


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
        problem = _tensor_entry_problem(entry, data_size)
        if problem:
            raise ValueError(f"{path} is damaged or not a sklearn_ae model file: its header "
                             f"gives tensor {name!r:.80} {problem}")


def _tensor_entry_problem(entry, data_size):
    """What is wrong with one tensor's description in the header, in words, or None."""
    if not (isinstance(entry, dict) and {"dtype", "shape", "data_offsets"} <= set(entry)):
        return "no dtype, shape and data_offsets"
    if not isinstance(entry["dtype"], str) or entry["dtype"] not in _TENSOR_ITEMSIZE:
        return "an unknown dtype"
    shape, offsets = entry["shape"], entry["data_offsets"]
    if not (isinstance(shape, list) and isinstance(offsets, list) and len(offsets) == 2
            and all(type(n) is int and n >= 0 for n in [*shape, *offsets])):
        return "a shape or byte range that is not a list of sizes"
    begin, end = offsets
    if not begin <= end <= data_size:
        return f"a byte range beyond the {data_size:,} bytes of tensor data in the file"
    if end - begin != math.prod(shape) * _TENSOR_ITEMSIZE[entry["dtype"]]:
        return "a byte range that does not match its shape and dtype"
    return None


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
    if version < OLDEST_READABLE_VERSION:
        raise ValueError(
            f"{path} has format version {version}, written by sklearn_ae 0.1, which did "
            "not save the training state (optimizer, history, batch size); this "
            f"sklearn_ae reads formats {OLDEST_READABLE_VERSION} to {FORMAT_VERSION}. "
            "Refit the model and save it again."
        )
    if "model" not in metadata:
        raise ValueError(f"{path} has no model description in its header")
    return metadata


# ----------------------------------------------------------- size checks
