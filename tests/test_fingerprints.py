"""Six fitted configurations against their recorded outputs.

A change of the code's structure must not change what a fit learns or what a
fitted estimator returns. ``tests/data/fingerprints.npz`` holds the outputs of
six small fits (every estimator, missing values, a mixed table, early
stopping, the sampled thresholds of a large table and ``partial_fit``); this
test recomputes them. The tolerance allows for another processor's rounding
(a few epochs of float32 training); on the machine that wrote the file they
agree bit for bit, which ``python tests/test_fingerprints.py --exact`` checks.
``--write`` records them anew: do so only for a change of behaviour that is
named in the CHANGELOG.
"""

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits

from sklearn_ae import AutoencoderTransformer, ContractiveAutoencoder, DenoisingAutoencoder
from sklearn_ae.examples import make_mixed_table

RECORD = Path(__file__).parent / "data" / "fingerprints.npz"
CONFIGURATIONS = ["ae_numeric", "ae_missing", "ae_mixed", "dae_early_stopping", "cae",
                  "ae_large_partial_fit"]


def _digits(n_rows=400):
    return load_digits().data[:n_rows]


def _fit(name):
    """The fitted estimator of configuration ``name`` and the rows it is asked about."""
    if name == "ae_numeric":
        X = _digits()
        return AutoencoderTransformer(8, max_epochs=3, random_state=0).fit(X), X
    if name == "ae_missing":
        X = _digits()
        X[np.random.RandomState(1).random_sample(X.shape) < 0.1] = np.nan
        return AutoencoderTransformer(8, max_epochs=3, random_state=0).fit(X), X
    if name == "ae_mixed":
        X = make_mixed_table(600, random_state=0).X
        return AutoencoderTransformer(max_epochs=3, random_state=0).fit(X), X
    if name == "dae_early_stopping":
        X = _digits()
        model = DenoisingAutoencoder(8, max_epochs=3, early_stopping=True, random_state=0)
        return model.fit(X), X
    if name == "cae":
        X = _digits()
        return ContractiveAutoencoder(8, max_epochs=3, random_state=0).fit(X), X
    if name == "ae_large_partial_fit":
        # More rows than the thresholds' sample (THRESHOLD_ROWS), a float contamination.
        rng = np.random.RandomState(0)
        X = rng.normal(size=(17_000, 3)) @ rng.normal(size=(3, 6))
        model = AutoencoderTransformer(2, max_epochs=1, contamination=0.1, random_state=0)
        model.fit(X).partial_fit(X[:2000])
        return model, X[:3000]
    raise ValueError(name)


def fingerprint(name):
    """The recorded outputs of configuration ``name``, float64 arrays by key."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model, X = _fit(name)
        outputs = {
            "loss_curve": model.loss_curve_,
            "offset": model.offset_,
            "feature_error_scale": model.feature_error_scale_,
            "neighbor_scale": model.neighbor_scale_,
            "score_samples": model.score_samples(X),
            "score": model.score(X),
        }
        X = X[:100]  # the per-cell outputs of a few rows say enough
        outputs["score_contributions"] = np.asarray(model.score_contributions(X), dtype=float)
        outputs["transform"] = model.transform(X)
        if name in ("ae_missing", "ae_mixed"):
            filled = model.impute(X)
            outputs["impute"] = np.asarray(filled if name == "ae_missing" else
                                           filled.select_dtypes("number"), dtype=float)
        else:
            outputs["reconstruct"] = model.reconstruct(X)
    return {key: np.asarray(value, dtype=np.float64) for key, value in outputs.items()}


@pytest.mark.parametrize("name", CONFIGURATIONS)
def test_outputs_are_the_recorded_ones(name):
    with np.load(RECORD) as record:
        expected = {key.split("/", 1)[1]: record[key] for key in record.files
                    if key.startswith(name + "/")}
    actual = fingerprint(name)
    assert sorted(actual) == sorted(expected)
    for key, value in actual.items():
        np.testing.assert_allclose(value, expected[key], rtol=1e-4, atol=1e-6,
                                   err_msg=f"{name}: {key}")


def _main(mode):
    """``--write`` records the outputs; ``--exact`` compares them bit for bit."""
    if mode == "--write":
        np.savez_compressed(RECORD, **{f"{name}/{key}": value for name in CONFIGURATIONS
                                       for key, value in fingerprint(name).items()})
        print(f"wrote {RECORD}")
        return 0
    different = []
    with np.load(RECORD) as record:
        for name in CONFIGURATIONS:
            for key, value in fingerprint(name).items():
                expected = record[f"{name}/{key}"]
                same = value.shape == expected.shape and np.array_equal(
                    value, expected, equal_nan=True)
                if not same:
                    gap = np.nanmax(np.abs(value - expected)) if value.shape == expected.shape else "shape"
                    different.append(f"{name}/{key}: largest difference {gap}")
                    print(different[-1])
    print("bit for bit the same" if not different else f"{len(different)} outputs differ")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1] if len(sys.argv) > 1 else "--exact"))
