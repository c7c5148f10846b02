"""The thread rule: small networks on one thread, torch's setting always put back."""

import threading

import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_info, threadpool_limits

from sklearn_ae import AutoencoderTransformer
from sklearn_ae._threads import (
    LARGE_STEP_MULTIPLY_ADDS,
    auto_n_threads,
    cpu_threads,
    step_multiply_adds,
)


@pytest.fixture
def torch_threads():
    """Torch's setting at 3 for the test (more than the rule gives), then as it was."""
    before = torch.get_num_threads()
    torch.set_num_threads(3)
    yield 3
    torch.set_num_threads(before)


@pytest.fixture
def pixels(digits):
    return digits[0][:300]


def _threads_during_training(estimator, X, monkeypatch):
    seen = []
    original = type(estimator)._initialize_net

    def record(self, X_fit, seed):
        original(self, X_fit, seed)
        self.net_.module_.register_forward_pre_hook(
            lambda module, args: seen.append(torch.get_num_threads())
        )

    monkeypatch.setattr(type(estimator), "_initialize_net", record)
    estimator.fit(X)
    return seen


def test_small_network_trains_and_scores_on_one_thread(pixels, torch_threads, monkeypatch):
    ae = AutoencoderTransformer(n_components=4, max_epochs=2, random_state=0)
    seen = _threads_during_training(ae, pixels, monkeypatch)
    assert seen and set(seen) == {1}
    assert torch.get_num_threads() == torch_threads
    seen.clear()
    ae.score_samples(pixels[:50])
    assert set(seen) == {1}
    assert torch.get_num_threads() == torch_threads


def test_explicit_n_threads_is_used_as_given(pixels, torch_threads, monkeypatch):
    ae = AutoencoderTransformer(n_components=4, max_epochs=1, n_threads=2, random_state=0)
    seen = _threads_during_training(ae, pixels, monkeypatch)
    assert set(seen) == {2}
    assert torch.get_num_threads() == torch_threads


def test_setting_is_restored_when_the_fit_raises(torch_threads):
    X = np.ones((20, 3))
    X[0, 0] = np.inf
    with pytest.raises(ValueError):
        AutoencoderTransformer(max_epochs=1).fit(X)
    assert torch.get_num_threads() == torch_threads
    with pytest.raises(RuntimeError), cpu_threads(1):
        assert torch.get_num_threads() == 1
        raise RuntimeError("boom")
    assert torch.get_num_threads() == torch_threads


def test_large_network_uses_more_threads_but_never_more_than_torch(monkeypatch):
    monkeypatch.setattr("sklearn_ae._threads.cpu_count", lambda: 16)
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(4)
        assert auto_n_threads(LARGE_STEP_MULTIPLY_ADDS - 1) == 1
        assert auto_n_threads(LARGE_STEP_MULTIPLY_ADDS) == 4  # the user's setting caps it
        torch.set_num_threads(1)
        assert auto_n_threads(10 * LARGE_STEP_MULTIPLY_ADDS) == 1
        torch.set_num_threads(16)
        assert auto_n_threads(LARGE_STEP_MULTIPLY_ADDS) == 15  # one core left free
        with cpu_threads(1):  # what the caller had set, not the call's own setting
            assert auto_n_threads(LARGE_STEP_MULTIPLY_ADDS) == 15
    finally:
        torch.set_num_threads(before)


def test_threadpoolctl_limit_caps_the_rule():
    if not any(lib["user_api"] == "openmp" for lib in threadpool_info()):
        pytest.skip("no OpenMP runtime found by threadpoolctl")
    with threadpool_limits(1, user_api="openmp"):
        assert auto_n_threads(10 * LARGE_STEP_MULTIPLY_ADDS) == 1


def test_step_cost_counts_batch_times_weights():
    module = torch.nn.Linear(10, 5)  # 55 weights
    assert step_multiply_adds(module, 8) == 8 * 55


def test_nested_and_concurrent_calls_put_the_setting_back(torch_threads):
    with cpu_threads(1):
        with cpu_threads(2):
            assert torch.get_num_threads() == 2
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == torch_threads

    barrier = threading.Barrier(4)

    def work():
        with cpu_threads(1):
            barrier.wait()
            torch.ones(4) @ torch.ones(4)

    workers = [threading.Thread(target=work) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert torch.get_num_threads() == torch_threads


def test_same_result_whatever_torch_is_set_to(pixels):
    """The rule, not the caller's setting, decides a small network's threads."""
    before = torch.get_num_threads()
    scores = []
    try:
        for threads in (1, 2):
            torch.set_num_threads(threads)
            ae = AutoencoderTransformer(n_components=4, max_epochs=2, random_state=0)
            scores.append(ae.fit(pixels).score_samples(pixels[:50]))
    finally:
        torch.set_num_threads(before)
    np.testing.assert_array_equal(scores[0], scores[1])
