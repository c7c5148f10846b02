"""Data-parallel training over ``torch.distributed`` ranks (CPU processes or GPUs).

Every rank holds a full copy of the network and trains on its own shard of the
rows; after each backward pass the gradients are averaged over the ranks
(``all_reduce``), which is what :class:`torch.nn.parallel.DistributedDataParallel`
does, without wrapping the module (so ``encode``/``decode`` stay reachable). With
equal shards, one batch per shard and full-batch training on one process give
the same updates (tests/test_scaling_out.py). Launch with ``torchrun``; see
docs/scaling_out.md.
"""

import torch
import torch.distributed as dist
from skorch.callbacks import Callback


class AllReduceGradients(Callback):
    """Average gradients and training losses over the ``torch.distributed`` ranks.

    On ``on_train_begin`` rank 0's weights are broadcast to every rank; after
    each backward pass every gradient is replaced by its mean over the ranks;
    at the end of each epoch the recorded ``train_loss`` is replaced by its
    mean over the ranks, so that early stopping and the divergence guard make
    the same decision on every rank (a rank that stopped alone would leave the
    others waiting in ``all_reduce`` forever).
    """

    def on_train_begin(self, net, **kwargs):
        for parameter in net.module_.parameters():
            dist.broadcast(parameter.data, src=0)

    def on_grad_computed(self, net, named_parameters, **kwargs):
        world_size = dist.get_world_size()
        for _, parameter in named_parameters:
            if parameter.grad is not None:
                dist.all_reduce(parameter.grad)
                parameter.grad /= world_size

    def on_epoch_end(self, net, **kwargs):
        loss = torch.tensor([net.history[-1, "train_loss"]], dtype=torch.float64)
        dist.all_reduce(loss)
        net.history.record("train_loss", float(loss) / dist.get_world_size())


def fit_data_parallel(estimator, X_shard):
    """Fit ``estimator`` on this rank's shard, averaging gradients over all ranks.

    Call it on every rank, after ``torch.distributed.init_process_group``,
    with the same estimator parameters (in particular the same integer
    ``random_state``) and that rank's rows. The network weights end up equal
    on every rank; ``feature_error_scale_``, ``offset_`` and ``mean_`` are
    computed from each rank's own shard, so save rank 0's model when the
    shards are random samples of the same data. With ``linear_shortcut=True``
    training starts from the principal axes of rank 0's shard (its weights
    are broadcast to every rank), so the result equals full-batch training
    on one process only with ``linear_shortcut=False``.

    Parameters
    ----------
    estimator : AutoencoderTransformer, DenoisingAutoencoder or ContractiveAutoencoder
        Unfitted, with ``scaling=None``: a scaler fitted on one shard would
        differ between ranks, so scale the whole data set first (for example
        with :meth:`~sklearn.preprocessing.StandardScaler.partial_fit` over
        the shards) and pass scaled rows.
    X_shard : array-like of shape (n_shard_rows, n_features)
        This rank's rows. Equal shard sizes make the averaged gradient the
        gradient of the whole data.

    Returns
    -------
    estimator : object
        The fitted estimator.

    Examples
    --------
    One process (``torchrun --nproc-per-node=N script.py`` starts N, each with
    its rank and shard):

    >>> import os, tempfile
    >>> import numpy as np
    >>> import torch.distributed as dist
    >>> from sklearn_ae import AutoencoderTransformer, fit_data_parallel
    >>> store = os.path.join(tempfile.mkdtemp(), "store")
    >>> dist.init_process_group("gloo", init_method=f"file://{store}", rank=0, world_size=1)
    >>> X_shard = np.random.RandomState(0).normal(size=(64, 4))
    >>> ae = AutoencoderTransformer(2, scaling=None, max_epochs=2, random_state=0)
    >>> fit_data_parallel(ae, X_shard).n_iter_
    2
    >>> dist.destroy_process_group()
    """
    if not dist.is_available() or not dist.is_initialized():
        raise RuntimeError(
            "fit_data_parallel needs torch.distributed.init_process_group() first "
            "(torchrun sets up the environment for it)."
        )
    if estimator.scaling is not None:
        raise ValueError(
            "fit_data_parallel needs scaling=None: each rank would fit its scaler on "
            "its own shard. Scale the whole data set before sharding it."
        )
    if estimator.early_stopping:
        raise ValueError(
            "fit_data_parallel does not support early_stopping=True (each rank "
            "would hold out a different validation set)."
        )
    # First among the callbacks: the losses are averaged before the divergence
    # guard and early stopping read them.
    user_callbacks = estimator.callbacks
    all_reduce = ("all_reduce_gradients", AllReduceGradients())
    estimator.set_params(callbacks=[all_reduce, *(user_callbacks or [])])
    try:
        return estimator.fit(X_shard)
    finally:
        estimator.set_params(callbacks=user_callbacks)
