"""Share of fresh inliers flagged with contamination=0.1 after a fit on n rows.

Fit on n rows of an 8-column standard Gaussian (seeds 0-2), predict on 20,000 fresh rows
of the same distribution; the share flagged should be near 0.1. Also the ratio of a
3-component PCA's reconstruction error on fresh rows to that on its training rows: the
optimism of any subspace fitted to few rows.

    python benchmarks/study/round6/thresholds.py
"""

import warnings

import numpy as np
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest

from sklearn_ae import AutoencoderTransformer, ContractiveAutoencoder, DenoisingAutoencoder

warnings.simplefilter("ignore")
for n in (100, 200, 1000):
    shares = {}
    for seed in range(3):
        rng = np.random.default_rng(seed)
        X, fresh = rng.normal(size=(n, 8)), rng.normal(size=(20_000, 8))
        models = {
            "AE": AutoencoderTransformer(contamination=0.1, random_state=seed),
            "AE n_neighbors=0": AutoencoderTransformer(contamination=0.1, n_neighbors=0,
                                                       random_state=seed),
            "DAE": DenoisingAutoencoder(contamination=0.1, random_state=seed),
            "CAE": ContractiveAutoencoder(contamination=0.1, random_state=seed),
            "IF": IsolationForest(contamination=0.1, random_state=seed),
        }
        for name, model in models.items():
            model.fit(X)
            shares.setdefault(name, []).append(np.mean(model.predict(fresh) == -1))
            if name == "AE":
                shares.setdefault("AE, training rows", []).append(np.mean(model.predict(X) == -1))
        pca = PCA(3).fit(X)
        error = lambda Z: np.mean((Z - pca.inverse_transform(pca.transform(Z))) ** 2)
        shares.setdefault("PCA fresh/train error", []).append(error(fresh) / error(X))
    print(n, {k: round(float(np.mean(v)), 3) for k, v in shares.items()}, flush=True)
