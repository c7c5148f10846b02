"""benchmarks/anomaly.py with another scaler in the place of ``scaling="robust"``.

Heavy-tailed columns (spambase, annthyroid's hormone levels) are what standard scaling
handles worst; this runs the anomaly benchmark with a Yeo-Johnson power transform or a
quantile transform to normal scores as the scaler, for this process only::

    OMP_NUM_THREADS=1 python benchmarks/study/scalers.py power --half A --methods AE \\
        --params '{"scaling": "robust"}'

(``--params '{"scaling": "robust"}'`` with ``robust`` as the first argument runs the
robust scaler itself.)
"""

import sys
from pathlib import Path

from sklearn.preprocessing import PowerTransformer, QuantileTransformer, RobustScaler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import anomaly

from sklearn_ae import _defaults

CHOICES = {
    "robust": RobustScaler,
    "power": PowerTransformer,
    "quantile": lambda: QuantileTransformer(
        output_distribution="normal", n_quantiles=256, subsample=10_000, random_state=0),
}

if __name__ == "__main__":
    # The estimators validate the name "robust"; the class behind it is what changes.
    _defaults.SCALERS["robust"] = CHOICES[sys.argv.pop(1)]
    anomaly.main()
