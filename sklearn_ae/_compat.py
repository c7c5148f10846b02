"""The one module that touches private names of scikit-learn and skorch.

Where a public name does the job, the package uses it; the names here have none.
Each says why, and which releases were checked: the oldest and the newest that
CI tests (``.ci/oldest-constraints.txt`` and the newest on PyPI), scikit-learn
1.6.0 and 1.9.1, skorch 1.2.0 and 1.4.0. ``tests/test_compat.py`` fails when
another module of ``sklearn_ae`` imports or uses a private name of either
library, and checks that the private names used here still exist.
"""

import warnings

import numpy as np
import torch
from sklearn import get_config

# scikit-learn's parameter validation (the ``_parameter_constraints`` class
# attribute, checked by ``fit_context`` and ``validate_params`` below) is how
# its own estimators refuse bad parameters with the InvalidParameterError that
# ``check_estimator`` expects; the constraint classes live only in the private
# ``sklearn.utils._param_validation`` (1.6.0 to 1.9.1), nothing public exports them.
from sklearn.utils._param_validation import Interval, StrOptions

__all__ = [
    "Interval",
    "StrOptions",
    "fit_context",
    "validate_params",
    "chunk_n_rows",
    "TrainingModeOnChange",
    "set_training_mode",
]


def fit_context(*, prefer_skip_nested_validation):
    """scikit-learn's ``_fit_context`` decorator for ``fit`` and ``partial_fit``.

    It validates the parameters against ``_parameter_constraints`` (once per
    ``partial_fit`` run), honours ``skip_parameter_validation`` and, from
    scikit-learn 1.9, runs the fit inside the callback context. Private in
    ``sklearn.base`` from 1.6.0 to 1.9.1, with no public counterpart, and its
    body changes between releases, which is why it is wrapped, not copied.

    Parameters
    ----------
    prefer_skip_nested_validation : bool
        Skip the validation of nested estimators' and functions' parameters.

    Returns
    -------
    decorator : callable
        Decorates a fit method.
    """
    from sklearn.base import _fit_context

    return _fit_context(prefer_skip_nested_validation=prefer_skip_nested_validation)


def validate_params(estimator):
    """Check ``estimator``'s parameters against its ``_parameter_constraints``.

    ``BaseEstimator._validate_params`` is private (1.6.0 to 1.9.1); the public
    :func:`sklearn.utils.validation.validate_data` checks data, not parameters.

    Parameters
    ----------
    estimator : BaseEstimator
        Has a ``_parameter_constraints`` class attribute.

    Raises
    ------
    sklearn.utils._param_validation.InvalidParameterError
        A ``ValueError`` and ``TypeError`` naming the parameter.
    """
    estimator._validate_params()


def chunk_n_rows(row_bytes, max_n_rows=None):
    """How many rows fit in scikit-learn's ``working_memory``, at least 1.

    The result of ``sklearn.utils._chunking.get_chunk_n_rows`` (private) from
    the public :func:`sklearn.get_config`: ``working_memory`` MiB over
    ``row_bytes``, at most ``max_n_rows``, and when not even one row fits, 1
    with the same ``UserWarning`` as scikit-learn's.

    Parameters
    ----------
    row_bytes : int
        Bytes one row takes.
    max_n_rows : int or None, default=None
        The most rows to return.

    Returns
    -------
    n_rows : int

    Examples
    --------
    >>> import sklearn
    >>> from sklearn_ae._compat import chunk_n_rows
    >>> with sklearn.config_context(working_memory=1):
    ...     chunk_n_rows(1024), chunk_n_rows(1024, max_n_rows=100)
    (1024, 100)
    """
    working_memory = get_config()["working_memory"]
    n_rows = int(working_memory * 2**20 // row_bytes)
    if max_n_rows is not None:
        n_rows = min(n_rows, max_n_rows)
    if n_rows < 1:
        warnings.warn(
            "Could not adhere to working_memory config. Currently %.0fMiB, %.0fMiB required."
            % (working_memory, np.ceil(row_bytes * 2**-20))
        )
        n_rows = 1
    return n_rows


def set_training_mode(net, training):
    """Put the net's modules and criteria in training or evaluation mode, only
    those not already in it.

    skorch's ``NeuralNet._set_training`` calls ``Module.train`` on each of them
    before every batch, and that walks the whole module tree: a tenth of a small
    network's training step. skorch's lists of the net's modules and criteria,
    ``_modules`` and ``_criteria``, are private (1.2.0 to 1.4.0).

    Parameters
    ----------
    net : skorch.NeuralNet
        Initialized.
    training : bool
    """
    for name in net._modules + net._criteria:
        module = getattr(net, name + "_")
        if isinstance(module, torch.nn.Module) and module.training != training:
            module.train(training)


class TrainingModeOnChange:
    """Mixin for a :class:`skorch.NeuralNet`: set the modes only on a change.

    skorch has no public hook for what it does before each batch of
    validation and inference: it calls the private ``NeuralNet._set_training``
    (1.2.0 to 1.4.0), which this overrides with :func:`set_training_mode`.
    Modules that behave the same in both modes (no dropout, no batch
    normalisation) give the same results either way. Should skorch stop calling
    it, it only gets slower; ``tests/test_compat.py`` checks that it is there.
    """

    def _set_training(self, training=True):
        set_training_mode(self, training)
