"""Property tests: any finite table with two or more rows fits and gives finite outputs."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sklearn_ae import (
    AutoencoderTransformer,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
)

tables = st.tuples(st.integers(2, 25), st.integers(1, 6)).flatmap(
    lambda shape: arrays(
        np.float64, shape,
        elements=st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=32),
    )
)


@pytest.mark.parametrize(
    "estimator_class", [AutoencoderTransformer, DenoisingAutoencoder, ContractiveAutoencoder]
)
@pytest.mark.parametrize("scaling", ["standard", "robust", "minmax"])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(X=tables, n_components=st.integers(1, 8))
def test_finite_tables_fit_and_give_finite_outputs(estimator_class, scaling, X, n_components):
    model = estimator_class(n_components, max_epochs=2, scaling=scaling, random_state=0).fit(X)
    n, p = X.shape
    H = model.transform(X)
    assert H.shape == (n, n_components) and np.isfinite(H).all()
    X_hat = model.inverse_transform(H)
    assert X_hat.shape == (n, p) and np.isfinite(X_hat).all()
    scores = model.score_samples(X)
    assert scores.shape == (n,) and np.isfinite(scores).all() and (scores <= 0).all()
    assert set(np.unique(model.predict(X))) <= {-1, 1}
    assert np.isfinite(model.offset_)
