"""Mixes of score terms, all read off one fit per table and seed (DEFAULTS_STUDY.md).

The loop the term studies share (``neighbor_weight.py``, ``code_term.py``,
``error_aggregation.py``): fit the estimator at its defaults on all rows of each table
of a half for seeds 0-2, ask ``mixes_of(model, X)`` for the outlier scores (higher =
more anomalous) of every mix, and print each table's and the half's mean ROC AUC.
The command line is ``HALF ESTIMATOR``: A, B or all; AE, DAE or CAE.
"""

import sys
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from anomaly import HALF_A, HALF_B, table_path  # noqa: E402

from sklearn_ae import (  # noqa: E402
    AutoencoderTransformer,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
)

ESTIMATORS = {"AE": AutoencoderTransformer, "DAE": DenoisingAutoencoder,
              "CAE": ContractiveAutoencoder}
HALVES = {"A": HALF_A, "B": HALF_B, "all": HALF_A + HALF_B}


def compare_mixes(mixes_of, argv=None, tables=None):
    """Print each mix's mean ROC AUC per table and over the half; return the latter."""
    warnings.simplefilter("ignore")
    torch.set_num_threads(1)
    half, estimator = (sys.argv[1:] if argv is None else argv)[:2]
    tables = HALVES[half] if tables is None else tables
    means = {}
    for name in tables:
        data = np.load(table_path(name))
        X, y = data["X"].astype(float), data["y"]
        aucs = {}
        for seed in range(3):
            model = ESTIMATORS[estimator](random_state=seed).fit(X)
            for mix, score in mixes_of(model, X).items():
                aucs.setdefault(mix, []).append(roc_auc_score(y, score))
        for mix, values in aucs.items():
            means.setdefault(mix, []).append(np.mean(values))
        print(name, {k: round(np.mean(v), 3) for k, v in aucs.items()}, flush=True)
    result = {k: round(np.mean(v), 4) for k, v in means.items()}
    print("MEAN", result)
    return result
