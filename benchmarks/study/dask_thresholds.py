"""Share of its own training rows a dask fit flags, against an in-memory fit.

4,000 rows (a rank-3 table of 6 columns) sorted by their first column, so that the row
blocks differ; blocks of 1,000; ``contamination=0.1``. Run it in two checkouts::

    PYTHONPATH=/tmp/oldcode python benchmarks/study/dask_thresholds.py old
    PYTHONPATH=$PWD python benchmarks/study/dask_thresholds.py new

A checkout with ``sklearn_ae.DaskAutoencoder`` fits through it; an older one passes the
dask array to ``fit``.
"""

import sys
import warnings

import dask.array as da
import numpy as np

import sklearn_ae
from sklearn_ae import AutoencoderTransformer


def main(label):
    warnings.simplefilter("ignore")
    rng = np.random.RandomState(0)
    X = rng.normal(size=(4000, 3)) @ rng.normal(size=(3, 6))
    X = X[np.argsort(X[:, 0])]
    lazy = da.from_array(X, chunks=(1000, 6))
    settings = dict(n_components=2, max_epochs=2, contamination=0.1, random_state=0)
    if hasattr(sklearn_ae, "DaskAutoencoder"):
        streamed = sklearn_ae.DaskAutoencoder(AutoencoderTransformer(**settings)).fit(lazy)
        streamed = streamed.estimator_
    else:
        streamed = AutoencoderTransformer(**settings).fit(lazy)
    in_memory = AutoencoderTransformer(**settings).fit(X)
    print(f"{label}: the dask fit flags {(streamed.predict(X) == -1).mean():.3f} of its rows, "
          f"the in-memory fit {(in_memory.predict(X) == -1).mean():.3f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "this checkout")
