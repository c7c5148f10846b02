"""scikit-learn's two IsolationForest tests, re-stated for a candidate, random_state 0-9.

* performance: two Gaussian blobs (0.3 * randn, centres +-2) in 2-D, 1000 training rows;
  test = 200 held-out blob rows + 200 uniform outliers in [-1, 1]^2; ROC AUC > 0.98.
* works: 8 points, the 2 far ones must score worst, and be the only -1 with
  contamination=0.25 and with "auto" (offset from ``offset_from_contamination`` on the
  candidate's training scores; -1 where score < offset, as IsolationForest).

Usage::

    python benchmarks/study/iforest_tests.py [--params JSON] [--candidate JSON] [--kind ae]
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from candidates import Candidate

from sklearn_ae._scoring import offset_from_contamination


def performance(make, seed):
    rng = np.random.RandomState(seed)
    X = 0.3 * rng.randn(600, 2)
    X = rng.permutation(np.vstack((X + 2, X - 2)))
    X_test = np.vstack((X[1000:], rng.uniform(low=-1, high=1, size=(200, 2))))
    y_test = np.array([0] * 200 + [1] * 200)
    model = make(seed).fit(X[:1000])
    return roc_auc_score(y_test, -model.score_samples(X_test))


def hampel_offset(scores, contamination):
    """Candidate "auto": median + 3 scaled MADs of the outlier score (Hampel's rule)."""
    if contamination != "auto":
        return offset_from_contamination(scores, contamination)
    errors = -np.asarray(scores)
    median = np.median(errors)
    mad = 1.4826 * np.median(np.abs(errors - median))
    return float(-(median + 3 * mad))


def works(make, seed, contamination, rule=offset_from_contamination):
    X = np.array([[-2, -1], [-1, -1], [-1, -2], [1, 1], [1, 2], [2, 1], [7, 4], [-5, 9]],
                 dtype=float)
    model = make(seed).fit(X)
    scores = model.score_samples(X)
    offset = rule(scores, contamination)
    pred = np.where(scores < offset, -1, 1)
    return bool(scores[-2:].max() < scores[:-2].min()
                and (pred == np.array(6 * [1] + 2 * [-1])).all())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--params", default="{}")
    parser.add_argument("--candidate", default="{}")
    parser.add_argument("--kind", default="ae")
    parser.add_argument("--auto", choices=["tukey", "hampel"], default="tukey")
    parser.add_argument("--works-only", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    params, spec = json.loads(args.params), json.loads(args.candidate)

    def make(seed):
        return Candidate(kind=args.kind, params=params, random_state=seed, **spec)

    rule = hampel_offset if args.auto == "hampel" else offset_from_contamination
    aucs = [0.0] if args.works_only else [performance(make, s) for s in range(10)]
    passed = {c: sum(works(make, s, c, rule) for s in range(10)) for c in (0.25, "auto")}
    print(f"{args.kind} params {args.params} candidate {args.candidate} auto {args.auto}: "
          f"performance "
          f"{sum(a > 0.98 for a in aucs)}/10 (AUC {min(aucs):.3f}-{max(aucs):.3f}); works "
          f"0.25: {passed[0.25]}/10, auto: {passed['auto']}/10")


if __name__ == "__main__":
    main()
