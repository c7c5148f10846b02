"""scikit-learn's own estimator contract, run over every public estimator."""

import pytest
from sklearn.utils.estimator_checks import (
    check_set_output_transform,
    check_set_output_transform_pandas,
    parametrize_with_checks,
)

from sklearn_ae import (
    AutoencoderTransformer,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
)

# Small, quick instances: the checks fit hundreds of times on tiny data.
CHECK_SETTINGS = dict(max_epochs=5, hidden_layer_sizes=(4,))
ESTIMATORS = [
    AutoencoderTransformer(**CHECK_SETTINGS),
    DenoisingAutoencoder(**CHECK_SETTINGS),
    ContractiveAutoencoder(**CHECK_SETTINGS),
]

# Every check is expected to pass; an entry here needs a comment saying why not.
EXPECTED_FAILED_CHECKS = {}


@parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {})
)
def test_sklearn_contract(estimator, check):
    check(estimator)


# The pandas check fits on a DataFrame and transforms arrays (and the reverse) on
# purpose; the feature-name warnings that this triggers are the expected ones.
@pytest.mark.filterwarnings("ignore:X (has|does not have valid) feature names:UserWarning")
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda est: type(est).__name__)
@pytest.mark.parametrize(
    "check", [check_set_output_transform, check_set_output_transform_pandas]
)
def test_set_output(estimator, check):
    # Not part of parametrize_with_checks' list (see shared/SKORCH_NOTES.md).
    check(type(estimator).__name__, estimator)
