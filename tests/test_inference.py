"""Chunked inference: scikit-learn's working_memory bounds the chunks, not the result."""

import numpy as np
import sklearn

from sklearn_ae import AutoencoderTransformer


def test_working_memory_sets_the_chunks_and_leaves_results_alone(digits, fast, monkeypatch):
    X, _ = digits
    model = AutoencoderTransformer(4, **fast).fit(X[:500])
    reference = model.transform(X), model.score_samples(X), model.reconstruct(X)
    chunk_sizes = []
    encode = model._encode_chunk

    def spy(rows):
        chunk_sizes.append(len(rows))
        return encode(rows)

    monkeypatch.setattr(model, "_encode_chunk", spy)
    model.transform(X)
    assert chunk_sizes == [len(X)]  # 1797 rows fit in the default 1 GiB
    chunk_sizes.clear()
    with sklearn.config_context(working_memory=0.1):  # 0.1 MiB: ~100 rows per chunk
        small = model.transform(X), model.score_samples(X), model.reconstruct(X)
    assert len(chunk_sizes) > 10 and max(chunk_sizes) < 200
    assert sum(chunk_sizes) == len(X)
    for a, b in zip(reference, small):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
