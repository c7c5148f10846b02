"""The whole state of an estimator, out and back: export_state / from_state."""

import numpy as np
import pytest
import torch

from sklearn_ae import (
    AutoencoderTransformer,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
)
from sklearn_ae._state import join_tensors, split_tensors

ESTIMATORS = [AutoencoderTransformer, DenoisingAutoencoder, ContractiveAutoencoder]


def test_split_and_join_tensors_round_trip():
    value = {"a": torch.arange(3.0), "b": [torch.ones(2, 2), 5, ("x", torch.zeros(1))],
             "opt": {0: {"step": torch.tensor(4.0)}, 1: {"step": torch.tensor(2.0)}}}
    tensors = {}
    described = split_tensors(value, tensors)
    assert sorted(tensors) == ["state.a", "state.b.0", "state.b.2.1", "state.opt.0.step",
                               "state.opt.1.step"]
    assert described["opt"] == {"__int_keys__": [[0, {"step": {"__tensor__": "state.opt.0.step"}}],
                                                 [1, {"step": {"__tensor__": "state.opt.1.step"}}]]}
    back = join_tensors(described, tensors)
    assert back["b"][1] == 5 and back["b"][2][0] == "x"
    assert set(back["opt"]) == {0, 1}
    torch.testing.assert_close(back["opt"][1]["step"], torch.tensor(2.0))
    with pytest.raises(ValueError, match="missing tensor"):
        join_tensors({"__tensor__": "nowhere"}, tensors)


@pytest.mark.parametrize("estimator_class", ESTIMATORS)
def test_from_state_trains_on_exactly_as_the_original(estimator_class, digits, fast):
    X, _ = digits
    model = estimator_class(4, batch_size=64, **fast).fit(X[:300])
    description, tensors = model.export_state()
    assert "net_" not in description["attributes"]
    torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()[1].copy()
    twin = estimator_class.from_state(description, tensors)
    assert torch.equal(torch.get_rng_state(), torch_state)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)
    assert twin.batch_size_ == 64 and twin.n_iter_ == model.n_iter_
    for chunk in (X[300:400], X[400:450]):
        model.partial_fit(chunk)
        twin.partial_fit(chunk)
        np.testing.assert_array_equal(model.score_samples(X), twin.score_samples(X))
    assert twin.n_iter_ == model.n_iter_ == fast["max_epochs"] + 2
    assert twin.loss_curve_ == model.loss_curve_


def test_from_state_validates_the_parameters(digits, fast):
    X, _ = digits
    description, tensors = AutoencoderTransformer(2, **fast).fit(X[:100]).export_state()
    description["params"]["optimizer"] = "evil"
    with pytest.raises(ValueError, match="optimizer"):
        AutoencoderTransformer.from_state(description, tensors)
