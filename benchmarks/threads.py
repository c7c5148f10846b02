"""The thread rule on a busy machine: ``n_threads="auto"`` against torch's own setting.

Every case runs twice per repeat, interleaved: once with the estimators' thread
rule (``n_threads="auto"``: one thread for small networks) and once as before the
rule existed, with torch's process-wide setting (two threads on a two-core
machine). Each load level starts that many CPU-bound processes (a Python busy
loop each) before its runs and stops them after. Medians of the repeats, in
seconds.

Cases: a digits fit (``n_components=8``), the demo (``sklearn-ae demo``, with
the MNIST sample when the shared data folder is found), a 3-fold
``cross_val_score`` of a digits Pipeline (autoencoder + logistic regression),
``GridSearchCV`` over six code sizes with ``n_jobs=1`` and ``n_jobs=2``, and a
fit on the 8,000-row MNIST sample (784 pixels, ``n_components=10``).

In ``n_jobs=2`` the workers are joblib's processes, which the patch below does not
reach; joblib already limits each worker to ``cores // n_jobs`` threads.

Usage::

    python benchmarks/threads.py --loads 0 1 2 --repeats 2 --baseline-loads 0 1 > threads.md

Run nothing else beside it: the competing processes are the point, and a third
one would change the load levels.
"""

import argparse
import contextlib
import gzip
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline

from sklearn_ae import AutoencoderTransformer
from sklearn_ae._training import TrainingMixin
from sklearn_ae.examples import run_demo

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
BUSY_LOOP = "while True: pass"


def untouched_threads(estimator):
    """What every call did before the rule: leave torch's setting as it is."""
    return contextlib.nullcontext()


@contextlib.contextmanager
def thread_mode(mode):
    rule = TrainingMixin._threads
    if mode == "torch":
        TrainingMixin._threads = untouched_threads
    try:
        yield
    finally:
        TrainingMixin._threads = rule


@contextlib.contextmanager
def competitors(n):
    procs = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) for _ in range(n)]
    time.sleep(1.0 if n else 0.0)
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def mnist_sample(n_rows=8000):
    with gzip.open(DATA / "mnist" / "t10k-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)
    return images[:n_rows] / 255.0


def make_cases():
    X, y = load_digits(return_X_y=True)
    sizes = {"n_components": [2, 4, 8, 12, 16, 24]}
    cases = {
        "digits fit (d=8)": lambda: AutoencoderTransformer(8, random_state=0).fit(X),
        "cross_val_score, 3-fold Pipeline": lambda: cross_val_score(
            make_pipeline(AutoencoderTransformer(8, random_state=0),
                          LogisticRegression(max_iter=500)), X, y, cv=3),
        "GridSearchCV, 6 code sizes, n_jobs=1": lambda: GridSearchCV(
            AutoencoderTransformer(random_state=0), sizes, cv=3, n_jobs=1).fit(X),
        "GridSearchCV, 6 code sizes, n_jobs=2": lambda: GridSearchCV(
            AutoencoderTransformer(random_state=0), sizes, cv=3, n_jobs=2).fit(X),
    }
    if (DATA / "mnist").exists():
        images = mnist_sample()
        cases["MNIST fit (8,000 x 784, d=10)"] = lambda: AutoencoderTransformer(
            10, random_state=0).fit(images)
    cases["demo"] = run_quiet_demo
    return cases


def run_quiet_demo():
    with tempfile.TemporaryDirectory() as out, contextlib.redirect_stdout(io.StringIO()):
        run_demo(out=Path(out), data_dir=DATA if DATA.exists() else None, verbose=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loads", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--demo-repeats", type=int, default=1)
    parser.add_argument("--baseline-loads", type=int, nargs="+", default=None,
                        help="loads at which torch's own setting runs too (default: all)")
    parser.add_argument("--cases", nargs="*", help="substrings of the case names to run")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    cases = make_cases()
    if args.cases:
        cases = {k: v for k, v in cases.items() if any(c in k for c in args.cases)}
    for case in cases.values():  # imports and first-call costs out of the timings
        if case is not run_quiet_demo:
            case()
    times = {}
    for load in args.loads:
        with competitors(load):
            for repeat in range(args.repeats):
                for name, case in cases.items():
                    if name == "demo" and repeat >= args.demo_repeats:
                        continue
                    modes = ("auto", "torch")
                    if args.baseline_loads is not None and load not in args.baseline_loads:
                        modes = ("auto",)
                    for mode in modes:
                        with thread_mode(mode):
                            started = time.perf_counter()
                            case()
                            seconds = time.perf_counter() - started
                        times.setdefault((name, mode, load), []).append(seconds)
                        print(f"# {name} | {mode} | load {load} | {seconds:.2f} s",
                              file=sys.stderr, flush=True)
    print(f"torch {torch.__version__}, torch threads {torch.get_num_threads()}, "
          f"cores {os.cpu_count()}, repeats {args.repeats} (demo {args.demo_repeats})\n")
    loads = args.loads
    header = " | ".join(f"{n} busy" if n else "idle" for n in loads)
    ratios = " | ".join(f"{n} busy / idle" for n in loads if n)
    print(f"| case | threads | {header} | {ratios} |")
    print("|---|---|" + "---|" * (len(loads) + sum(1 for n in loads if n)))
    for name in cases:
        for mode, label in (("auto", 'rule ("auto")'), ("torch", "torch's setting")):
            medians = [statistics.median(times[(name, mode, n)]) if (name, mode, n) in times
                       else None for n in loads]
            cells = " | ".join("-" if m is None else f"{m:.2f}" for m in medians)
            idle = medians[loads.index(0)] if 0 in loads else None
            rel = " | ".join(f"{m / idle:.1f}x" if idle and m is not None else "-"
                             for n, m in zip(loads, medians) if n)
            print(f"| {name} | {label} | {cells} | {rel} |")


if __name__ == "__main__":
    main()
