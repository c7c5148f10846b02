"""benchmarks/anomaly.py with another step budget for ``max_epochs="auto"``.

Sets ``sklearn_ae._defaults.AUTO_STEPS`` (read at fit) and runs anomaly.py with the
remaining arguments; the learning rate goes through ``--params '{"lr": ...}'``.

Usage::

    python benchmarks/study/run_budget.py --steps 300 -- --half A --methods AE IF \\
        --params '{"lr": 0.003}'
"""

import argparse
import math

import numpy as np
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import anomaly  # noqa: E402

from sklearn_ae import _defaults, _training  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--batch-for-budget", action="store_true",
                        help="batch size at least ceil(rows / steps): one epoch <= budget")
    parser.add_argument("--rows-for-budget", action="store_true",
                        help="train on at most steps x 256 random rows (one epoch <= budget)")
    args, rest = parser.parse_known_args()
    _defaults.AUTO_STEPS = args.steps
    if args.rows_for_budget:
        split = _training.TrainingMixin._split_validation

        def split_within_budget(self, X_model, seed):
            X_train, X_valid = split(self, X_model, seed)
            cap = args.steps * 256
            if self.max_epochs == "auto" and len(X_train) > cap:
                rows = np.random.RandomState(seed).choice(len(X_train), cap, replace=False)
                X_train = X_train[np.sort(rows)]
            return X_train, X_valid

        _training.TrainingMixin._split_validation = split_within_budget
    if args.batch_for_budget:
        plain = _defaults.default_batch_size

        def batch_for_budget(n_samples):
            return max(plain(n_samples), math.ceil(n_samples / args.steps))

        _training.default_batch_size = batch_for_budget
    sys.argv = [sys.argv[0], *[a for a in rest if a != "--"]]
    print(f"AUTO_STEPS = {args.steps}, batch for budget {args.batch_for_budget}, "
          f"rows for budget {args.rows_for_budget}\n")
    anomaly.main()


if __name__ == "__main__":
    main()
