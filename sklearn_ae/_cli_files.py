"""Files of the ``sklearn-ae`` command: input tables in, results and models out.

Reading a table (separator and decimal mark sniffed, text columns refused or
named), choosing its columns, checking output paths before any work, and
writing atomically. Every problem is a :class:`CLIError` carrying the exit
status the command returns.
"""

import csv
import os
import re
import stat
import sys
from pathlib import Path

import numpy as np
import pandas as pd

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class CLIError(Exception):
    """An error reported as one line, with an exit status."""

    def __init__(self, message, status=EXIT_BAD_INPUT):
        super().__init__(message)
        self.status = status


def _say(*args):
    print(*args, file=sys.stderr)


# ------------------------------------------------------------------ input


SEPARATORS = (",", ";", "\t", "|")
_SNIFF_BYTES = 64 * 1024
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+(?:[eE][-+]?\d+)?\s*$")
_DECIMAL_POINT = re.compile(r"^\s*[-+]?\d*\.\d+(?:[eE][-+]?\d+)?\s*$")


def sniff_csv_format(path, sep=None, decimal=None, encoding="utf-8"):
    """The field separator, decimal mark and encoding of a CSV file, from its first lines.

    The separator is the candidate of ``SEPARATORS`` that splits every sampled
    line into the same number (more than one) of fields, the most fields
    winning; the decimal mark is ``","`` when the separator is not a comma and
    the fields hold numbers like ``3,14`` and none like ``3.14``. Values given
    by the user are kept, except the encoding of a file that starts with
    UTF-16's byte-order mark: the mark cannot start UTF-8 text (0xff and 0xfe
    are never valid there), so such a file is UTF-16 whatever was asked
    (Excel's "Unicode text" export is).
    """
    with open(path, "rb") as f:
        raw = f.read(_SNIFF_BYTES)
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16"
    if b"\x00" in raw and not encoding.lower().replace("_", "-").startswith("utf-16"):
        raise CLIError(f"{path}: holds NUL bytes: a binary file, not CSV text (or UTF-16 "
                       "text without a byte-order mark: pass --encoding utf-16-le)")
    if sep is not None and decimal is not None:
        return sep, decimal, encoding
    sample = raw.decode(encoding, errors="replace")
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if len(sample) == _SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last one may be cut
    if sep is None:
        sep = _guess_separator(lines)
    if decimal is None:
        decimal = _guess_decimal(lines, sep)
    return sep, decimal, encoding


def _guess_separator(lines):
    best, most = ",", 1
    for candidate in SEPARATORS:
        widths = {len(row) for row in csv.reader(lines, delimiter=candidate)}
        if len(widths) == 1 and (width := widths.pop()) > most:
            best, most = candidate, width
    return best


def _guess_decimal(lines, sep):
    if sep == ",":
        return "."
    fields = [field for row in csv.reader(lines[1:], delimiter=sep) for field in row]
    commas = sum(bool(_DECIMAL_COMMA.match(f)) for f in fields)
    points = sum(bool(_DECIMAL_POINT.match(f)) for f in fields)
    return "," if commas and not points else "."


def read_table(path, sep=None, decimal=None, encoding="utf-8"):
    """Read a CSV or parquet file into a DataFrame, or raise CLIError.

    For a CSV, ``sep`` and ``decimal`` are sniffed from the file unless given;
    a CSV that is not in ``encoding`` gets an error that names the option.
    """
    path = Path(path)
    if not path.exists():
        raise CLIError(f"{path}: no such file")
    if path.is_dir():
        raise CLIError(f"{path}: is a folder, not a file")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            try:
                frame = pd.read_parquet(path)
            except ImportError:
                raise CLIError(
                    f"{path}: reading parquet needs pyarrow: pip install pyarrow"
                ) from None
        else:
            sep, decimal, encoding = sniff_csv_format(path, sep, decimal, encoding)
            frame = pd.read_csv(path, sep=sep, decimal=decimal, encoding=encoding)
    except CLIError:
        raise
    except pd.errors.EmptyDataError:
        raise CLIError(f"{path}: the file is empty") from None
    except UnicodeDecodeError as exc:
        raise CLIError(
            f"{path}: is not {exc.encoding} text (byte 0x{exc.object[exc.start]:02x} at "
            f"position {exc.start}); give its encoding, for example --encoding cp1252 for a "
            "CSV saved by Excel on Windows, or --encoding latin-1"
        ) from None
    except LookupError:
        raise CLIError(f"--encoding {encoding}: no such encoding") from None
    except (pd.errors.ParserError, ValueError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CLIError(f"{path}: cannot read it as {_kind(path)}: {first}") from None
    if frame.shape[1] == 0:
        raise CLIError(f"{path}: the file has no columns")
    if len(frame) == 0:
        raise CLIError(f"{path}: the file has a header but no data rows")
    frame.columns = [str(c) for c in frame.columns]
    _refuse_one_text_column(frame, path)
    return frame


def _refuse_one_text_column(frame, path):
    """A file read with the wrong separator parses into one column of text."""
    if frame.shape[1] == 1 and not _is_number(frame.iloc[:, 0]):
        raise CLIError(
            f"{path}: parsed into a single text column {frame.columns[0]!r:.60}; if its "
            "fields are separated by something else, pass --sep (and --decimal ',' for "
            "decimal commas)")


def _kind(path):
    return "parquet" if path.suffix.lower() in (".parquet", ".pq") else "CSV"


def select_columns(frame, columns, path):
    """The columns to use: ``columns`` if given, else every column.

    Text, ``category`` and boolean columns are used as they are (the model
    treats text and ``category`` columns as categorical); missing values are
    kept for the model, which handles them.
    """
    if columns:
        repeated = sorted({c for c in columns if list(columns).count(c) > 1})
        if repeated:
            raise CLIError(f"--columns names {', '.join(repeated)} more than once")
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise CLIError(f"{path}: no column(s) {', '.join(missing)}; the file has "
                           f"{', '.join(frame.columns)}")
        return _check_finite(frame[list(columns)], path)
    identifiers = [c for c in frame.columns if _is_identifier(frame[c])]
    used = [c for c in frame.columns if c not in identifiers]
    if not used:
        raise CLIError(f"{path}: no columns to use (found only identifier-like text "
                       f"columns {', '.join(identifiers)}); choose columns with --columns")
    if identifiers:
        _say(f"note: ignoring column(s) {', '.join(identifiers)}: text with a different "
             "value in every row (an identifier?); name them in --columns to use them")
    return _check_finite(frame[used], path)


def _is_identifier(series):
    """Text or category with a distinct value in every row: a row identifier,
    which a model cannot learn and which would make every new row unseen."""
    text = not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series))
    return text and len(series) > 1 and series.notna().all() and series.nunique() == len(series)


def _is_number(series):
    return pd.api.types.is_numeric_dtype(series) or series.isna().all()


def _check_finite(X, path):
    """Refuse infinite values (missing ones are fine), naming the first."""
    numeric = [c for c in X.columns if pd.api.types.is_float_dtype(X[c])]
    if not numeric:
        return X
    bad = np.isinf(X[numeric].to_numpy(dtype=np.float64, na_value=np.nan))
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise CLIError(f"{path}: infinite value in column {numeric[col]!r} at data row "
                       f"{row + 1}")
    return X


def model_columns(frame, model, path):
    """The columns a saved model was trained on, in its order."""
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        numeric = select_columns(frame, None, path)
        if numeric.shape[1] != model.n_features_in_:
            raise CLIError(f"{path}: {numeric.shape[1]} columns, but the model "
                           f"expects {model.n_features_in_}")
        return numeric
    names = [str(n) for n in names]
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise CLIError(f"{path}: lacks the column(s) {', '.join(missing)} that the model "
                       f"was trained on ({len(names)} columns: {', '.join(names[:8])}"
                       f"{', ...' if len(names) > 8 else ''})")
    extra = [c for c in frame.columns if c not in names]
    if extra:
        _say(f"note: ignoring column(s) the model was not trained on: {', '.join(extra)}")
    return select_columns(frame, names, path)


def _check_output(path, force):
    """Refuse, before any work, an output that exists (without --force) or cannot be written."""
    if path is None:
        return
    path = Path(path)
    if path.is_dir():
        raise CLIError(f"{path} is a folder; give a file name for the output")
    if path.exists() and not force:
        raise CLIError(f"{path} exists; pass --force to overwrite it")
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        raise CLIError(f"{path}: {folder} is a file, not a folder")
    if not folder.exists():
        raise CLIError(f"{folder}: no such folder for the output")
    writable = os.access(path, os.W_OK) if path.exists() else os.access(folder, os.W_OK | os.X_OK)
    if not writable:
        raise CLIError(f"{path}: no permission to write it")


def _check_distinct_files(inputs, outputs):
    """Refuse an output that is an input or another output (symlinks resolved)."""
    seen = {os.path.realpath(path): option for option, path in inputs if path is not None}
    for option, path in outputs:
        if path is None:
            continue
        real = os.path.realpath(path)
        if real in seen:
            raise CLIError(f"{option} {path} is the same file as {seen[real]}; give "
                           "another file name")
        seen[real] = option


def _check_files(args):
    inputs = [("FILE", args.file), ("--model", getattr(args, "model", None))]
    outputs = [("-o", args.output), ("--save-model", getattr(args, "save_model", None))]
    _check_distinct_files(inputs, outputs)
    for _, path in outputs:
        _check_output(path, args.force)


def _write(frame, path):
    try:
        if path is None:
            frame.to_csv(sys.stdout, index=False)
            sys.stdout.flush()
        else:
            _write_file(path, frame.to_csv(index=False).encode("utf-8"))
            _say(f"wrote {len(frame)} rows to {path}")
    except OSError as exc:
        raise CLIError(f"cannot write {path or 'standard output'}: {_reason(exc)}",
                       EXIT_FAILED) from None


def _write_file(path, data):
    """Write through a temporary file and a rename, so a failed write loses nothing.

    A device or pipe (``/dev/full``, ``/dev/stdout``) is written in place.
    """
    from ._fileformat import _write_atomically

    path = Path(path)
    if path.exists() and not stat.S_ISREG(path.stat().st_mode):
        with open(path, "wb") as f:
            f.write(data)
    else:
        _write_atomically(data, path)


def _reason(exc):
    return exc.strerror or str(exc) if isinstance(exc, OSError) else str(exc)


def _save_model(model, path):
    try:
        model.save(path)
    except OSError as exc:
        raise CLIError(f"cannot save the model to {path}: {_reason(exc)}", EXIT_FAILED) from None
    _say(f"saved the model to {path}")


def _load_model(path):
    from . import load

    try:
        return load(path)
    except (ValueError, OSError) as exc:
        raise CLIError(f"cannot load the model: {exc}", EXIT_FAILED) from None
