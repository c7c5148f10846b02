import math

import pytest
import torch

from sklearn_ae._mixed_loss import (
    categorical_term,
    column_terms,
    mixed_reconstruction_loss,
)

NAN = float("nan")


def test_numeric_terms_are_squared_errors_and_zero_where_missing():
    outputs = torch.tensor([[1.0, 2.0], [0.5, -1.0]])
    numeric = torch.tensor([[0.0, NAN], [1.5, 1.0]])
    terms, counted = column_terms(
        outputs, numeric, torch.empty(2, 0, dtype=torch.int64), n_numeric=2, block_sizes=()
    )
    torch.testing.assert_close(terms, torch.tensor([[1.0, 0.0], [1.0, 4.0]]))
    assert counted.tolist() == [[True, False], [True, True]]


def test_uniform_guess_costs_one_whatever_the_number_of_levels():
    for size in (2, 3, 32):
        codes = torch.arange(size)
        terms = categorical_term(torch.zeros(size, size), codes)
        torch.testing.assert_close(terms, torch.ones(size))


def test_categorical_term_is_cross_entropy_over_log_k():
    logits = torch.tensor([[2.0, 0.0, 0.0]])
    p = math.exp(2) / (math.exp(2) + 2)
    expected = -math.log(p) / math.log(3)
    assert categorical_term(logits, torch.tensor([0])).item() == pytest.approx(expected)
    expected_other = -math.log(1 / (math.exp(2) + 2)) / math.log(3)
    assert categorical_term(logits, torch.tensor([2])).item() == pytest.approx(expected_other)


def test_missing_category_costs_nothing_and_unseen_costs_the_least_likely_level():
    logits = torch.tensor([[3.0, 0.0, -1.0]] * 3)
    terms = categorical_term(logits, torch.tensor([-1, -2, 2]))
    assert terms[0].item() == 0.0
    # Unseen: as surprising as the least likely known level (here level 2).
    assert terms[1].item() == pytest.approx(terms[2].item())
    assert terms[1].item() > 1.0


def test_unseen_costs_at_least_one_even_when_the_model_knows_nothing():
    terms = categorical_term(torch.zeros(1, 4), torch.tensor([-2]))
    assert terms.item() == pytest.approx(1.0)


def test_one_level_and_levelless_columns():
    one = categorical_term(torch.tensor([[5.0], [5.0], [5.0]]), torch.tensor([0, -1, -2]))
    torch.testing.assert_close(one, torch.tensor([0.0, 0.0, 1.0]))
    none = categorical_term(torch.empty(3, 0), torch.tensor([-1, -1, -2]))
    torch.testing.assert_close(none, torch.tensor([0.0, 0.0, 1.0]))


def test_loss_averages_over_observed_cells_only():
    # One numeric column then a 2-level categorical one.
    outputs = torch.tensor([[1.0, 0.0, 0.0], [3.0, 0.0, 0.0]])
    numeric = torch.tensor([[0.0], [NAN]])
    codes = torch.tensor([[1], [-1]])
    loss = mixed_reconstruction_loss(outputs, numeric, codes, n_numeric=1, block_sizes=(2,))
    # Observed: numeric (1 - 0)^2 = 1 and one uniform categorical guess = 1.
    assert loss.item() == pytest.approx((1.0 + 1.0) / 2)


def test_loss_of_an_all_missing_batch_is_zero_not_nan():
    loss = mixed_reconstruction_loss(
        torch.ones(2, 3), torch.full((2, 1), NAN), torch.tensor([[-1], [-1]]),
        n_numeric=1, block_sizes=(2,),
    )
    assert loss.item() == 0.0


def test_loss_on_complete_numbers_is_mse():
    generator = torch.Generator().manual_seed(0)
    outputs = torch.randn(50, 4, generator=generator)
    numeric = torch.randn(50, 4, generator=generator)
    loss = mixed_reconstruction_loss(
        outputs, numeric, torch.empty(50, 0, dtype=torch.int64), n_numeric=4, block_sizes=()
    )
    torch.testing.assert_close(loss, torch.nn.MSELoss()(outputs, numeric))


def test_gradients_are_finite_with_missing_and_unseen_entries():
    outputs = torch.randn(4, 5, requires_grad=True)
    numeric = torch.tensor([[NAN, 1.0], [0.0, NAN], [NAN, NAN], [1.0, 2.0]])
    codes = torch.tensor([[0], [-1], [-2], [2]])
    loss = mixed_reconstruction_loss(outputs, numeric, codes, n_numeric=2, block_sizes=(3,))
    loss.backward()
    assert torch.isfinite(outputs.grad).all()
    # A missing numeric cell gets no gradient; a fully missing row neither on its numbers.
    assert outputs.grad[0, 0].item() == 0.0
    assert outputs.grad[2, :2].abs().sum().item() == 0.0


def test_column_order_puts_terms_back_in_the_original_columns():
    # Original columns: 0 categorical (K=2), 1 numeric; the output puts numbers first.
    outputs = torch.tensor([[2.0, 0.0, 0.0]])
    numeric = torch.tensor([[0.0]])
    codes = torch.tensor([[0]])
    terms, counted = column_terms(
        outputs, numeric, codes, n_numeric=1, block_sizes=(2,), column_order=[1, 0]
    )
    torch.testing.assert_close(terms, torch.tensor([[1.0, 4.0]]))
    assert counted.tolist() == [[True, True]]


def test_observed_cell_mean_does_not_punish_holes():
    import numpy as np

    from sklearn_ae._scoring import mean_over_observed, normalized_row_errors

    terms = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])
    counted = np.array([[True, True, False], [True, True, True], [False] * 3])
    np.testing.assert_array_equal(mean_over_observed(terms, counted), [1.0, 1.0, 0.0])
    scaled = normalized_row_errors(terms, np.array([0.5, 1.0, 1.0]), counted)
    np.testing.assert_allclose(scaled, [1.5, 4.0 / 3.0, 0.0])
    # Columns: the mean over the rows that observe each column.
    np.testing.assert_array_equal(mean_over_observed(terms, counted, axis=0), [1.0, 1.0, 1.0])


def test_column_terms_of_complete_numbers_are_the_squared_errors():
    import numpy as np

    generator = torch.Generator().manual_seed(1)
    outputs = torch.randn(20, 3, generator=generator, dtype=torch.float64)
    numeric = torch.randn(20, 3, generator=generator, dtype=torch.float64)
    terms, counted = column_terms(
        outputs, numeric, torch.empty(20, 0, dtype=torch.int64), n_numeric=3, block_sizes=()
    )
    assert counted.all()
    np.testing.assert_allclose(terms.numpy(), np.square((numeric - outputs).numpy()), rtol=1e-12)


def test_bfloat16_outputs_are_scored_in_float32():
    outputs = torch.tensor([[1.0, 2.0, 0.0]], dtype=torch.bfloat16)
    terms, _ = column_terms(
        outputs, torch.tensor([[0.0]]), torch.tensor([[0]]), n_numeric=1, block_sizes=(2,)
    )
    assert terms.dtype == torch.float32
    expected = -torch.log_softmax(torch.tensor([2.0, 0.0]), 0)[0] / math.log(2)
    torch.testing.assert_close(terms, torch.tensor([[1.0, expected.item()]]))
