"""Torch only: reconstruction terms of a table of numeric and categorical columns.

The network's output is laid out as :class:`sklearn_ae._tabular.TableEncoder`
lays it out: ``n_numeric`` scaled numeric values, then one block of ``K``
logits per categorical column. Each observed cell gets one term:

- a numeric cell, the squared error ``(z - z_hat)^2`` in scaled space;
- a categorical cell, the softmax cross-entropy of its level divided by
  ``log K``. Predicting the column mean of a standardised column costs 1 on
  average; a uniform guess over ``K`` levels costs 1 exactly, so one
  categorical column weighs like one numeric column whatever its number of
  levels (without the division a 32-level column would weigh ``log 32 = 3.5``
  numeric columns). A one-level column (``K = 1``) is divided by ``log 2``;
  its cross-entropy is always 0.
- a categorical value unseen at fit (code ``-2``) costs as much as the level
  the network finds least likely, and at least 1 (the cost of knowing
  nothing): ``max(1, max_k -log p_k / log K)``. It is as surprising as any
  known value can be under the model, and finite: ``log_softmax`` keeps it
  bounded by the spread of the logits. A column without levels (``K = 0``,
  never observed at fit) costs 1 for any value.

A missing cell (NaN numeric target, code ``-1``) gives the term 0 and is not
counted, so a row is not odd for having holes.
"""

import math

import torch
import torch.nn.functional as F

MISSING = -1
UNSEEN = -2


def column_terms(outputs, numeric, codes, *, n_numeric, block_sizes, observed=None,
                 column_order=None):
    """One reconstruction term per row and column, 0 where the cell is missing.

    Parameters
    ----------
    outputs : Tensor of shape (n_samples, n_numeric + sum(block_sizes))
        The network's output: scaled numeric values, then logits.
    numeric : Tensor of shape (n_samples, n_numeric)
        Scaled numeric targets, NaN where missing.
    codes : Tensor of int64, shape (n_samples, len(block_sizes))
        Level codes; -1 missing, -2 unseen at fit.
    n_numeric : int
    block_sizes : sequence of int
        ``K`` of each categorical column, in output order.
    observed : Tensor of bool, shape (n_samples, n_numeric), optional
        Which numeric targets are observed; ``~isnan(numeric)`` by default.
    column_order : sequence of int, optional
        The original column of each term (numeric columns first, then
        categorical ones). Given, the terms come back in the original column
        order; otherwise in output order.

    Returns
    -------
    terms : Tensor of shape (n_samples, n_numeric + len(block_sizes))
    counted : Tensor of bool, same shape
        Which cells are observed (unseen values count as observed).
    """
    if observed is None:
        observed = ~torch.isnan(numeric)
    # Zeros in place of NaN *before* the subtraction: a NaN in the discarded
    # branch of torch.where would still poison the gradient (0 * NaN = NaN).
    target = torch.where(observed, numeric, torch.zeros_like(numeric))
    residual = _at_least_float32(outputs[:, :n_numeric]) - target
    numeric_terms = torch.where(observed, residual.square(), torch.zeros_like(residual))
    terms, counted = [numeric_terms], [observed]
    start = n_numeric
    for k, size in enumerate(block_sizes):
        logits = _at_least_float32(outputs[:, start : start + size])
        terms.append(categorical_term(logits, codes[:, k]))
        counted.append(codes[:, k] != MISSING)
        start += size
    terms = torch.cat([terms[0], *(t[:, None] for t in terms[1:])], dim=1)
    counted = torch.cat([counted[0], *(c[:, None] for c in counted[1:])], dim=1)
    if column_order is not None:
        position = _inverse_permutation(column_order, terms.device)
        terms, counted = terms[:, position], counted[:, position]
    return terms, counted


def categorical_term(logits, codes):
    """Normalised cross-entropy of each row's level; see the module docstring.

    Parameters
    ----------
    logits : Tensor of shape (n_samples, K)
    codes : Tensor of int64, shape (n_samples,)

    Returns
    -------
    terms : Tensor of shape (n_samples,)
    """
    size = logits.shape[1]
    if size == 0:
        return (codes == UNSEEN).to(logits.dtype)
    neg_log_p = -F.log_softmax(logits, dim=1)
    normaliser = math.log(max(size, 2))
    known = neg_log_p.gather(1, codes.clamp(min=0)[:, None])[:, 0] / normaliser
    surprise = torch.clamp(neg_log_p.max(dim=1).values / normaliser, min=1.0)
    zero = torch.zeros_like(known)
    return torch.where(codes >= 0, known, torch.where(codes == UNSEEN, surprise, zero))


def mixed_reconstruction_loss(outputs, numeric, codes, *, n_numeric, block_sizes,
                              observed=None):
    """Training loss: the sum of the observed terms over their number.

    Every observed cell weighs the same, whichever row it is in; a batch
    without any observed cell gives 0. On a table of numbers without missing
    values this is ``MSELoss()(outputs, numeric)`` up to rounding.

    Parameters
    ----------
    Those of :func:`column_terms`.

    Returns
    -------
    loss : Tensor, a scalar
    """
    terms, counted = column_terms(
        outputs, numeric, codes, n_numeric=n_numeric, block_sizes=block_sizes,
        observed=observed,
    )
    return terms.sum() / counted.sum().clamp(min=1)


def _at_least_float32(tensor):
    """bfloat16 outputs (under autocast) up to float32; float64 stays float64."""
    return tensor.to(torch.promote_types(tensor.dtype, torch.float32))


def _inverse_permutation(column_order, device):
    order = torch.as_tensor(column_order, dtype=torch.int64, device=device)
    position = torch.empty_like(order)
    position[order] = torch.arange(len(order), device=device)
    return position
