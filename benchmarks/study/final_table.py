"""The tables of benchmarks/RESULTS.md's 24-table section, from the runs' CSV files.

Ours and IsolationForest come from one run at the final defaults
(``final_defaults.csv``, written by ``python benchmarks/anomaly.py --half all --methods
AE DAE CAE IF --seeds 0 1 2 --csv benchmarks/study/final_defaults.csv``); PyOD's
baselines from the study's runs (``runs.csv``, same tables, seeds and protocol; they do
not depend on our defaults). ROC AUC and AP are deterministic per (table, seed), so
rows of separate runs combine.

    python benchmarks/study/final_table.py [--ours benchmarks/study/shortcut_defaults.csv]

``--ours`` names another run of ours and IsolationForest (default: ``final_defaults.csv``).
"""

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
FIELDS = ["params", "candidate", "table", "method", "seed", "auc", "ap", "seconds"]
A = ["annthyroid", "breastw", "hepatitis", "letter", "lympho", "mnist", "optdigits", "pima",
     "satimage-2", "spambase", "yeast", "skin"]
B = ["cardiotocography", "fault", "glass", "ionosphere", "magic.gamma", "mammography", "musk",
     "shuttle", "thyroid", "vertebral", "wilt", "cover"]
OURS = ["AE", "DAE", "CAE", "IF"]
BASELINES = ["PyOD-ECOD", "PyOD-KNN", "PyOD-PCA", "PyOD-AE"]
METHODS = OURS + BASELINES


def load(path, methods):
    values = {}
    for row in csv.DictReader(open(path), fieldnames=FIELDS):
        if row["method"] not in methods:
            continue
        key = (row["table"], row["method"], int(row["seed"]))
        values[key] = (float(row["auc"]), float(row["ap"]), float(row["seconds"]))
    return values


def per_table(values, column):
    out = {}
    for table in A + B:
        for method in METHODS:
            seeds = [values[(table, method, s)][column] for s in range(3)
                     if (table, method, s) in values]
            if len(seeds) == 3:
                out[(table, method)] = float(np.mean(seeds))
    return out


def ranks(auc, tables, methods):
    total = np.zeros(len(methods))
    for table in tables:
        scores = np.array([auc[(table, m)] for m in methods])
        order = (-scores).argsort().argsort() + 1.0
        for value in set(scores):  # ties share the mean rank
            tied = scores == value
            order[tied] = order[tied].mean()
        total += order
    return total / len(tables)


def main():
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--ours", type=Path, default=HERE / "final_defaults.csv")
    values = load(parser.parse_args().ours, OURS)
    # PyOD's models see neither our parameters nor the study's candidates.
    values.update(load(HERE / "runs.csv", BASELINES))
    auc, ap = per_table(values, 0), per_table(values, 1)
    cell = lambda d, t, m: f"{d[(t, m)]:.3f}" if (t, m) in d else "-"  # noqa: E731
    print("| table | half | " + " | ".join(METHODS) + " |")
    print("|---|---|" + "---|" * len(METHODS))
    for half, tables in (("A", A), ("B", B)):
        for table in tables:
            print(f"| {table} | {half} | " + " | ".join(cell(auc, table, m) for m in METHODS) + " |")
    on_all = [m for m in METHODS if all((t, m) in auc for t in A + B)]
    small = [t for t in A + B if all((t, m) in auc for m in METHODS)]
    for label, tables in (("half A", A), ("half B", B), ("24 tables", A + B)):
        row = [f"{np.mean([auc[(t, m)] for t in tables]):.3f}" if m in on_all else "-"
               for m in METHODS]
        print(f"| **mean ROC AUC, {label}** | | " + " | ".join(row) + " |")
    row = [f"{np.mean([ap[(t, m)] for t in A + B]):.3f}" if m in on_all else "-" for m in METHODS]
    print("| **mean AP, 24 tables** | | " + " | ".join(row) + " |")
    rank_all = dict(zip(on_all, ranks(auc, A + B, on_all)))
    print("| **mean rank, 24 tables** (among the methods that ran on all) | | "
          + " | ".join(f"{rank_all[m]:.2f}" if m in rank_all else "-" for m in METHODS) + " |")
    if len(small) < len(A + B):  # some method did not run on the largest tables
        label = f"{len(small)} tables where all {len(METHODS)} ran"
        row = [f"{np.mean([auc[(t, m)] for t in small]):.3f}" for m in METHODS]
        print(f"| **mean ROC AUC, {label}** | | " + " | ".join(row) + " |")
        rank_small = ranks(auc, small, METHODS)
        print(f"| **mean rank, {label}** | | " + " | ".join(f"{r:.2f}" for r in rank_small) + " |")
    seconds = per_table(values, 2)
    total = {m: sum(seconds[(t, m)] for t in A + B) for m in OURS}
    print()
    print("Fit + score seconds over the 24 tables (mean per seed, one torch thread, same run): "
          + ", ".join(f"{m} {total[m]:.1f} s ({total[m] / total['IF']:.1f}x IF)" for m in OURS))
    for m in OURS:
        spread = [np.mean([values[(t, m, s)][0] for t in A + B]) for s in range(3)]
        print(f"- {m}: 24-table mean ROC AUC by seed {min(spread):.3f}-{max(spread):.3f}")


if __name__ == "__main__":
    main()
