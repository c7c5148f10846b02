"""The ``sklearn-ae`` command: demo, detect, score, compress.

Every command returns an exit status instead of raising: 0 on success, 2 for
bad input (unreadable, empty or incomplete files, wrong columns, a file that
exists and no ``--force``), 1 when a model fails to load or train. Errors are
one line on standard error; results go to ``-o FILE`` or standard output,
messages to standard error.
"""

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning

from ._cli_files import (
    EXIT_FAILED,
    EXIT_OK,
    CLIError,
    _check_files,
    _load_model,
    _save_model,
    _say,
    _write,
    model_columns,
    read_table,
    select_columns,
)
from ._base import NEIGHBOR_COLUMN

MODEL_TYPES = ("plain", "denoising", "contractive")


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
        with warnings.catch_warnings():
            # The "auto" budget is the detector's by design: its ConvergenceWarning
            # would only tell a command-line user what the option help says.
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X)
    except (TrainingDivergedError, ValueError) as exc:
        raise CLIError(f"training failed: {exc}", EXIT_FAILED) from None
    except (MemoryError, RuntimeError) as exc:  # torch reports a failed allocation so
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CLIError(f"training failed: {first}", EXIT_FAILED) from None
    return model


# ------------------------------------------------------------- anomalies


def anomaly_table(model, X, n_top):
    """One row per row of ``X``: anomaly score, ±1 label, what the score is made of.

    Parameters
    ----------
    model : AutoencoderTransformer, DenoisingAutoencoder or ContractiveAutoencoder
        Fitted.
    X : DataFrame of shape (n_samples, n_features)
        Rows to score, with the columns the model was trained on.
    n_top : int
        Number of columns to list per row in ``top_columns``.

    Returns
    -------
    table : DataFrame
        Columns ``row`` (1-based), ``anomaly_score`` (``-score_samples``),
        ``label`` (-1 outlier, 1 inlier), ``neighbor_share`` (only when the
        model has the neighbour term: the share of the score that is the
        distance to the nearest training rows, a part of no column) and
        ``top_columns``: the ``n_top`` columns of ``X`` with the largest
        ``score_contributions``, each with its share of the whole score.
        The shares of all columns and ``neighbor_share`` add up to 1 on a row
        whose score is above 0.
    """
    scores = model.score_samples(X)
    contributions = model.score_contributions(X)
    has_neighbor_term = NEIGHBOR_COLUMN in contributions.columns
    shares = contributions.to_numpy() / np.maximum(-scores, np.finfo(np.float64).tiny)[:, None]
    columns = contributions.drop(columns=NEIGHBOR_COLUMN) if has_neighbor_term else contributions
    names = np.asarray(columns.columns)
    order = np.argsort(-columns.to_numpy(), axis=1, kind="stable")[:, :n_top]
    top = [
        "; ".join(f"{names[j]} ({shares[i, j]:.0%})" for j in row) for i, row in enumerate(order)
    ]
    table = pd.DataFrame({
        "row": np.arange(1, len(X) + 1),
        "anomaly_score": -scores,
        "label": np.where(scores - model.offset_ < 0, -1, 1),
    })
    if has_neighbor_term:
        table["neighbor_share"] = shares[:, -1]
    table["top_columns"] = top
    return table


def _report_anomalies(table, model, rows):
    """The summary line; ``rows`` names the scored rows ("training rows", "rows of FILE")."""
    n_out = int((table["label"] == -1).sum())
    median = float(np.median(table["anomaly_score"]))
    if model.offset_ >= 0:  # an offset of 0 needs at least half of the training rows at 0
        scale = "most training rows score 0: they are alike"
    else:
        scale = f"the median of the {rows} is {median:.3g}"
    _say(f"{n_out} of {len(table)} rows flagged as outliers (label -1; anomaly_score > "
         f"{-model.offset_:.3g}; {scale})")


# -------------------------------------------------------------- commands


def cmd_detect(args):
    _check_files(args)
    frame = read_table(args.file, args.sep, args.decimal, args.encoding)
    X = select_columns(frame, args.columns, args.file)
    if len(X) < 2:
        raise CLIError(f"{args.file}: detect needs at least 2 rows to train on")
    model = _fit(_make_model(args, contamination=args.contamination), X)
    table = anomaly_table(model, X, args.top)
    _report_anomalies(table, model, "training rows")
    if args.save_model:
        _save_model(model, args.save_model)
    _write(table, args.output)
    return EXIT_OK


def cmd_score(args):
    _check_files(args)
    model = _load_model(args.model)
    frame = read_table(args.file, args.sep, args.decimal, args.encoding)
    X = model_columns(frame, model, args.file)
    table = anomaly_table(model, X, args.top)
    _report_anomalies(table, model, f"rows of {args.file}")
    _write(table, args.output)
    return EXIT_OK


def cmd_compress(args):
    if (args.model is None) == (args.n_components is None):
        raise CLIError("give exactly one of --model PATH and --n-components D")
    _check_files(args)
    frame = read_table(args.file, args.sep, args.decimal, args.encoding)
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
    from .examples.demo import run_demo

    return run_demo(out=Path(args.out), quick=args.quick, data_dir=args.data_dir,
                    verbose=not args.quiet)


# ---------------------------------------------------------------- parser


def build_parser():
    parser = argparse.ArgumentParser(
        prog="sklearn-ae",
        description="Autoencoders for tables: anomaly detection, compression, a demo.",
        epilog="Run 'sklearn-ae COMMAND --help' for the options of a command. Tables may "
        "have text and category columns (used as categorical columns) and missing values "
        "(empty fields, NA), which the model leaves out of its scores: there is nothing "
        "to fill in first.",
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
        sub.add_argument("--encoding", default="utf-8",
                         help="CSV text encoding (default: utf-8; cp1252 for most CSV files "
                         "saved by Excel on Windows)")
        if train:
            sub.add_argument("--columns", nargs="+", default=None, metavar="COLUMN",
                             help="columns to use (default: every column; text and category "
                             "columns are categorical; missing values are allowed and need "
                             "no filling)")
            sub.add_argument("--model-type", choices=MODEL_TYPES, default="plain",
                             help="plain: AutoencoderTransformer; denoising: "
                             "DenoisingAutoencoder (learns to rebuild rows from copies with "
                             "10%% of their cells masked); contractive: ContractiveAutoencoder "
                             "(penalises codes that change quickly with the input); each at "
                             "its defaults (default: plain)")
            sub.add_argument("--random-state", type=int, default=0, metavar="SEED",
                             help="seed of the network's initial weights, the order of the "
                             "training rows and the training rows kept for the neighbour "
                             "term: the same seed, file and options give the same results "
                             "on the CPU (default: 0)")
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
        "nearest training rows, each divided by its mean over the training rows, so the "
        "training rows' mean score is 2 and their median lower; higher = more anomalous), "
        "label (-1 outlier, 1 inlier), neighbor_share (the share of the score that is the "
        "distance to the nearest training rows, a part of no column) and top_columns: the "
        "columns with the largest shares of the row's score (the model's "
        "score_contributions: each cell's reconstruction error divided by that column's "
        "typical training error; a categorical column counts once), each with its share of "
        "the whole score; the shares of all columns and neighbor_share add up to 1. "
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
        "output as detect (neighbor_share only when the model has the neighbour term: a "
        "model saved from Python with n_neighbors=0 has none). FILE needs the columns the "
        "model was trained on.")
    common(score, train=False)
    top(score)
    score.add_argument("--model", required=True, metavar="PATH",
                       help="a model file written by 'detect --save-model' (a safetensors "
                       "file; any other file is refused)")
    score.set_defaults(handler=cmd_score)

    compress = commands.add_parser(
        "compress", help="write the code of each row (a saved model or a new one)",
        description="Write the autoencoder code of each row of FILE, with a saved model "
        "(--model) or one trained on FILE (--n-components).")
    common(compress)
    compress.add_argument("--model", default=None, metavar="PATH",
                          help="a model file written by --save-model; FILE needs the "
                          "columns it was trained on (give this or --n-components)")
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
