"""benchmarks/anomaly.py with another rule for the default code size (issue 13, idea 4).

Replaces ``default_n_components`` (today ``max(1, round(log2 p))``) for this process only
and runs the anomaly benchmark with the remaining arguments::

    OMP_NUM_THREADS=1 python benchmarks/study/code_size.py log2+1 --half A --methods AE
"""

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import anomaly

import sklearn_ae._training as training

RULES = {
    "log2+1": lambda p: round(math.log2(p)) + 1,
    "log2-1": lambda p: max(2, round(math.log2(p)) - 1),
    "ceil-log2": lambda p: math.ceil(math.log2(p)),
    "1.5log2": lambda p: round(1.5 * math.log2(p)),
}

if __name__ == "__main__":
    rule = RULES[sys.argv.pop(1)]
    training.default_n_components = lambda p: max(1, rule(p))
    anomaly.main()
