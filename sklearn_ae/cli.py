"""The ``sklearn-ae`` command: demo, detect, score, compress.

Every command returns an exit status instead of raising: 0 on success, 2 for
bad input (unreadable, empty or incomplete files, wrong columns, a file that
exists and no ``--force``), 1 when a model fails to load or train. Errors are
one line on standard error; results go to ``-o FILE`` or standard output,
messages to standard error.
"""

import argparse
import csv
import os
import re
import stat
import sys
from pathlib import Path

import numpy as np
import pandas as pd

MODEL_TYPES = ("plain", "denoising", "contractive")
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


def sniff_csv_format(path, sep=None, decimal=None):
    """The field separator and decimal mark of a CSV file, from its first lines.

    The separator is the candidate of ``SEPARATORS`` that splits every sampled
    line into the same number (more than one) of fields, the most fields
    winning; the decimal mark is ``","`` when the separator is not a comma and
    the fields hold numbers like ``3,14`` and none like ``3.14``. Values given
    by the user are kept.
    """
    if sep is not None and decimal is not None:
        return sep, decimal
    with open(path, "rb") as f:
        sample = f.read(_SNIFF_BYTES).decode("utf-8", errors="replace")
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if len(sample) == _SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last one may be cut
    if sep is None:
        sep = _guess_separator(lines)
    if decimal is None:
        decimal = _guess_decimal(lines, sep)
    return sep, decimal


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


def read_table(path, sep=None, decimal=None):
    """Read a CSV or parquet file into a DataFrame, or raise CLIError.

    For a CSV, ``sep`` and ``decimal`` are sniffed from the file unless given.
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
            sep, decimal = sniff_csv_format(path, sep, decimal)
            frame = pd.read_csv(path, sep=sep, decimal=decimal)
    except CLIError:
        raise
    except pd.errors.EmptyDataError:
        raise CLIError(f"{path}: the file is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError) as exc:
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


def _make_model(args, **overrides):
    from . import AutoencoderTransformer, ContractiveAutoencoder, DenoisingAutoencoder

    classes = dict(plain=AutoencoderTransformer, denoising=DenoisingAutoencoder,
                   contractive=ContractiveAutoencoder)
    params = dict(random_state=args.random_state, max_epochs=args.max_epochs,
                  verbose=0 if args.quiet else 1)
    params.update(overrides)
    return classes[args.model_type](**params)


def _fit(model, X):
    from ._net import TrainingDivergedError

    try:
        return model.fit(X)
    except (TrainingDivergedError, ValueError) as exc:
        raise CLIError(f"training failed: {exc}", EXIT_FAILED) from None
    except (MemoryError, RuntimeError) as exc:  # torch reports a failed allocation so
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CLIError(f"training failed: {first}", EXIT_FAILED) from None


# ------------------------------------------------------------- anomalies


def anomaly_table(model, X, n_top):
    """One row per row of ``X``: anomaly score, ±1 label, top columns.

    The top columns and their shares come from the model's
    ``score_contributions``, so they are those Python names for the same row.
    The shares are of the whole score, whose neighbour term belongs to no
    column: the listed shares may add up to less than 100 %.
    """
    scores = model.score_samples(X)
    # Shares of the whole score; only the table's columns are ranked (the score's
    # neighbour term, a part of no column, is the rest of the 100 %).
    contributions = model.score_contributions(X).to_numpy()
    shares = contributions / np.maximum(contributions.sum(axis=1, keepdims=True), 1e-300)
    names = np.asarray(X.columns)
    order = np.argsort(-contributions[:, : len(names)], axis=1, kind="stable")[:, :n_top]
    top = [
        "; ".join(f"{names[j]} ({shares[i, j]:.0%})" for j in row) for i, row in enumerate(order)
    ]
    return pd.DataFrame({
        "row": np.arange(1, len(X) + 1),
        "anomaly_score": -scores,
        "label": np.where(scores - model.offset_ < 0, -1, 1),
        "top_columns": top,
    })


def _report_anomalies(table, model):
    n_out = int((table["label"] == -1).sum())
    _say(f"{n_out} of {len(table)} rows flagged as outliers (label -1; anomaly_score > "
         f"{-model.offset_:.3g}, where a typical training row scores about 1)")


# -------------------------------------------------------------- commands


def cmd_detect(args):
    _check_files(args)
    frame = read_table(args.file, args.sep, args.decimal)
    X = select_columns(frame, args.columns, args.file)
    if len(X) < 2:
        raise CLIError(f"{args.file}: detect needs at least 2 rows to train on")
    model = _fit(_make_model(args, contamination=args.contamination), X)
    table = anomaly_table(model, X, args.top)
    _report_anomalies(table, model)
    if args.save_model:
        _save_model(model, args.save_model)
    _write(table, args.output)
    return EXIT_OK


def cmd_score(args):
    _check_files(args)
    model = _load_model(args.model)
    frame = read_table(args.file, args.sep, args.decimal)
    X = model_columns(frame, model, args.file)
    table = anomaly_table(model, X, args.top)
    _report_anomalies(table, model)
    _write(table, args.output)
    return EXIT_OK


def cmd_compress(args):
    if (args.model is None) == (args.n_components is None):
        raise CLIError("give exactly one of --model PATH and --n-components D")
    _check_files(args)
    frame = read_table(args.file, args.sep, args.decimal)
    if args.model is not None:
        model = _load_model(args.model)
        X = model_columns(frame, model, args.file)
    else:
        X = select_columns(frame, args.columns, args.file)
    if args.model is None:
        if len(X) < 2:
            raise CLIError(f"{args.file}: compress needs at least 2 rows to train on")
        if args.n_components > X.shape[1]:
            raise CLIError(f"--n-components {args.n_components} is more than the "
                           f"{X.shape[1]} columns to compress")
        model = _fit(_make_model(args, n_components=args.n_components), X)
        if args.save_model:
            _save_model(model, args.save_model)
    codes = model.transform(X)
    table = pd.DataFrame(codes, columns=[f"code{j}" for j in range(codes.shape[1])])
    _say(f"{X.shape[1]} columns -> {codes.shape[1]} codes")
    _write(table, args.output)
    return EXIT_OK


def cmd_demo(args):
    from ._demo import run_demo

    return run_demo(out=Path(args.out), quick=args.quick, data_dir=args.data_dir,
                    verbose=not args.quiet)


# ---------------------------------------------------------------- parser


def build_parser():
    parser = argparse.ArgumentParser(
        prog="sklearn-ae",
        description="Autoencoders for tables: anomaly detection, compression, a demo.",
        epilog="Run 'sklearn-ae COMMAND --help' for the options of a command. Tables may "
        "have text and category columns (used as categorical columns) and missing values "
        "(empty fields, NA): the model leaves missing values out of its scores, so the "
        "former --impute option is gone.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = commands.add_parser(
        "demo", help="train on scikit-learn's digits; compare with PCA and IsolationForest",
        description="Train on scikit-learn's digits (and the MNIST sample of the project's "
        "shared data folder when present), print the reconstruction error against PCA and "
        "the anomaly ROC AUC against IsolationForest, and write PNG figures.")
    demo.add_argument("--out", default=".", help="folder for the PNG files (default: .)")
    demo.add_argument("--data-dir", default=None,
                      help="folder holding mnist/t10k-images-idx3-ubyte.gz (default: "
                      "../shared/data when it exists)")
    demo.add_argument("--quick", action="store_true", help="smaller settings (for tests)")
    demo.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    demo.set_defaults(handler=cmd_demo)

    def common(sub, train=True):
        sub.add_argument("file", help="a .csv or .parquet file, one row per record")
        sub.add_argument("-o", "--output", default=None,
                         help="output CSV (default: standard output)")
        sub.add_argument("--force", action="store_true", help="overwrite existing files")
        sub.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
        sub.add_argument("--sep", default=None, metavar="CHAR",
                         help="CSV field separator (default: sniffed among , ; tab |)")
        sub.add_argument("--decimal", choices=(".", ","), default=None,
                         help="CSV decimal mark (default: sniffed; ',' only with another "
                         "separator than ',')")
        if train:
            sub.add_argument("--columns", nargs="+", default=None, metavar="COLUMN",
                             help="columns to use (default: every column; text and category "
                             "columns are categorical; missing values are allowed and need "
                             "no filling: the former --impute option is gone)")
            sub.add_argument("--model-type", choices=MODEL_TYPES, default="plain")
            sub.add_argument("--random-state", type=int, default=0)
            sub.add_argument("--max-epochs", type=_max_epochs, default="auto",
                             help="training epochs, or 'auto' (about 300 optimizer steps; "
                             "default)")
            sub.add_argument("--save-model", default=None, metavar="PATH",
                             help="also save the trained model (safetensors file)")

    def top(sub):
        sub.add_argument("--top", type=_positive_int, default=3,
                         help="number of offending columns to list per row (default: 3)")

    detect = commands.add_parser(
        "detect", help="train on FILE and score its rows for anomalies",
        description="Train an autoencoder on FILE and write one row per input row, in "
        "order: row (1-based), anomaly_score (reconstruction error plus distance to the "
        "nearest training rows, each in units of its typical value; about 2 for a typical "
        "row, higher = more anomalous), label (-1 outlier, 1 inlier) and top_columns: the "
        "columns with the largest shares of the row's score (the model's "
        "score_contributions: each cell's reconstruction error divided by that column's "
        "typical training error; a categorical column counts once), with their share of the "
        "score (the score's neighbour-distance part belongs to no column). "
        "Text and category columns are categorical; missing values are left out of the "
        "scores.")
    common(detect)
    top(detect)
    detect.add_argument("--contamination", type=_contamination, default="auto",
                        help="share of rows to flag, in (0, 0.5], or 'auto' (Tukey's fence "
                        "on the errors; default)")
    detect.set_defaults(handler=cmd_detect)

    score = commands.add_parser(
        "score", help="score FILE's rows with a saved model",
        description="Score FILE's rows with a model saved by 'detect --save-model'; same "
        "output as detect. FILE needs the columns the model was trained on.")
    common(score, train=False)
    top(score)
    score.add_argument("--model", required=True, metavar="PATH")
    score.set_defaults(handler=cmd_score)

    compress = commands.add_parser(
        "compress", help="write the code of each row (a saved model or a new one)",
        description="Write the autoencoder code of each row of FILE, with a saved model "
        "(--model) or one trained on FILE (--n-components).")
    common(compress)
    compress.add_argument("--model", default=None, metavar="PATH")
    compress.add_argument("--n-components", type=_positive_int, default=None, metavar="D",
                          help="size of the code, at most the number of columns")
    compress.set_defaults(handler=cmd_compress)
    return parser


def _max_epochs(text):
    if text == "auto":
        return text
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer or 'auto', got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _contamination(text):
    if text == "auto":
        return text
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or 'auto', got {text!r}") from None
    if not 0 < value <= 0.5:
        raise argparse.ArgumentTypeError(f"must be in (0, 0.5], got {value}")
    return value


def main(argv=None):
    """Run the command line; return the exit status (0 when all went well)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except CLIError as exc:
        _say(f"sklearn-ae {args.command}: error: {exc}")
        return exc.status
    except KeyboardInterrupt:
        _say(f"sklearn-ae {args.command}: interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
