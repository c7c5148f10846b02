"""Candidate rules for ``contamination="auto"`` on the core estimators at their defaults.

1. scikit-learn's ``test_iforest_works`` (8 points, the 2 far ones must score worst and be
   the only -1), random_state 0-9, for each estimator and rule;
2. the share of training rows each rule flags on the 24 tables (seed 0) against the true
   outlier share.

Rules act on the outlier score ``e = -score_samples`` of the training rows:

* tukey: Q3 + 1.5 IQR of e (today's rule)
* tukey_log: the same fence on log(e)
* hampel: median + 3 * 1.4826 * MAD of e
* hampel_log: the same on log(e)
* median+2MAD: median + 2 * 1.4826 * MAD of e
* 1.5xmedian: e > 1.5 * median(e)
* fixed_T: e > T (a typical training row has e about 2 with the neighbour term)

Usage::

    python benchmarks/study/auto_threshold.py [--tables] [--estimators AE DAE CAE]
"""

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from anomaly import HALF_A, HALF_B, table_path  # noqa: E402
from score_mixes import ESTIMATORS  # noqa: E402

WORKS_X = np.array([[-2, -1], [-1, -1], [-1, -2], [1, 1], [1, 2], [2, 1], [7, 4], [-5, 9]],
                   dtype=float)


def _fence(values):
    q1, q3 = np.percentile(values, [25, 75])
    return q3 + 1.5 * (q3 - q1)


def _hampel(values, k=3.0):
    median = np.median(values)
    return median + k * 1.4826 * np.median(np.abs(values - median))


RULES = {
    "tukey": lambda e: _fence(e),
    "tukey_log": lambda e: np.exp(_fence(np.log(e))),
    "hampel": lambda e: _hampel(e),
    "hampel_log": lambda e: np.exp(_hampel(np.log(e))),
    "median+2MAD": lambda e: _hampel(e, 2.0),
    "1.5xmedian": lambda e: 1.5 * np.median(e),
    **{f"fixed_{t}": (lambda e, t=t: t) for t in (3, 4, 5, 6)},
}


def works(e, threshold):
    """The two far rows score worst and are the only ones above the threshold."""
    flagged = e > threshold
    return bool(e[-2:].min() > e[:-2].max() and flagged[-2:].all() and not flagged[:-2].any())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--estimators", nargs="+", default=list(ESTIMATORS))
    parser.add_argument("--tables", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print("## test_iforest_works, random_state 0-9 (passes per rule)\n")
    print("| estimator | " + " | ".join(RULES) + " | far rows' e (min) | inliers' e (max) |")
    print("|---|" + "---|" * (len(RULES) + 2))
    for name in args.estimators:
        errors = [-ESTIMATORS[name](random_state=s).fit(WORKS_X).score_samples(WORKS_X)
                  for s in range(10)]
        passes = [sum(works(e, rule(e)) for e in errors) for rule in RULES.values()]
        far = " ".join(f"{e[-2:].min():.1f}" for e in errors)
        near = " ".join(f"{e[:-2].max():.1f}" for e in errors)
        print(f"| {name} | " + " | ".join(f"{p}/10" for p in passes) + f" | {far} | {near} |",
              flush=True)
    if not args.tables:
        return
    print("\n## Share of rows flagged on the 24 tables (seed 0, fit and score all rows)\n")
    for name in args.estimators:
        print(f"\n### {name}\n")
        print("| table | true share | " + " | ".join(RULES) + " |")
        print("|---|---|" + "---|" * len(RULES))
        shares = {r: [] for r in RULES}
        for table in HALF_A + HALF_B:
            data = np.load(table_path(table))
            X = data["X"].astype(np.float64)
            e = -ESTIMATORS[name](random_state=0).fit(X).score_samples(X)
            row = []
            for rule_name, rule in RULES.items():
                share = float(np.mean(e > rule(e)))
                shares[rule_name].append(share)
                row.append(f"{100 * share:.1f}")
            print(f"| {table} | {100 * data['y'].mean():.1f} | " + " | ".join(row) + " |",
                  flush=True)
        print("| **median** | | " + " | ".join(f"{100 * np.median(v):.1f}"
                                              for v in shares.values()) + " |")
        print("| **max** | | " + " | ".join(f"{100 * np.max(v):.1f}"
                                           for v in shares.values()) + " |")


if __name__ == "__main__":
    main()
