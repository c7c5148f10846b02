"""Summarize benchmarks/study/runs.csv: mean ROC AUC, AP, rank and seconds per method.

Each row of runs.csv is one fit (params, candidate, table, method, seed, auc, ap,
seconds) written by ``benchmarks/anomaly.py --csv``. A method is named by the method
column, plus its params / candidate JSON when they are not the defaults, so candidates
and baselines from different runs sit side by side (ranks are computed among the
methods given, on the tables that all of them have).

Usage::

    python benchmarks/study/summarize.py [--half A|B|all] [--methods ...] [--csv FILE]
"""

import argparse
import csv
import statistics
import sys
from collections import defaultdict
from pathlib import Path

from scipy.stats import rankdata

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from anomaly import HALF_A, HALF_B


def label(params, candidate, method):
    if method != "cand" and params == "{}":
        return method
    extra = [] if params == "{}" else [params]
    if method == "cand":
        extra.append(f"knn{candidate}")
    return f"{method} " + " ".join(extra)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv", default=str(Path(__file__).with_name("runs.csv")))
    parser.add_argument("--half", choices=["A", "B", "all"], default="A")
    parser.add_argument("--methods", nargs="+", default=None)
    parser.add_argument("--tables", nargs="+", default=None)
    args = parser.parse_args()
    rows = defaultdict(lambda: defaultdict(dict))  # label -> table -> seed -> (auc, ap, s)
    with open(args.csv) as f:
        for params, candidate, table, method, seed, auc, ap, secs in csv.reader(f):
            rows[label(params, candidate, method)][table][int(seed)] = (
                float(auc), float(ap), float(secs))
    tables = args.tables or {"A": HALF_A, "B": HALF_B, "all": HALF_A + HALF_B}[args.half]
    methods = args.methods or sorted(rows)
    tables = [t for t in tables if all(t in rows[m] for m in methods)]
    mean = {m: {t: [statistics.mean(v[i] for v in rows[m][t].values()) for i in range(3)]
                for t in tables} for m in methods}
    ranks = defaultdict(list)
    for t in tables:
        for m, r in zip(methods, rankdata([-mean[m][t][0] for m in methods])):
            ranks[m].append(r)
    print(f"{len(tables)} tables: {' '.join(tables)}\n")
    print("| method | mean ROC AUC | seed range | mean AP | mean rank | seconds |")
    print("|---|---|---|---|---|---|")
    for m in methods:
        seeds = sorted(set.intersection(*(set(rows[m][t]) for t in tables)))
        per_seed = [statistics.mean(rows[m][t][s][0] for t in tables) for s in seeds]
        print(f"| {m} | {statistics.mean(mean[m][t][0] for t in tables):.3f} | "
              f"{min(per_seed):.3f}-{max(per_seed):.3f} | "
              f"{statistics.mean(mean[m][t][1] for t in tables):.3f} | "
              f"{statistics.mean(ranks[m]):.2f} | "
              f"{sum(mean[m][t][2] for t in tables):.1f} |")


if __name__ == "__main__":
    main()
