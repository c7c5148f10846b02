"""The whole state of a fitted estimator: taken out, and put back.

One mechanism serves two jobs: a fit that fails rolls back to a checkpoint
(:func:`checkpoint`, :func:`roll_back`), and a saved file carries the same
state (:func:`net_state`, :func:`split_tensors`, :func:`join_tensors`), so
that a loaded estimator trains on exactly as the saved one would have.
"""

import copy

import torch
from skorch.history import History


def fitted_attributes(estimator):
    """The fitted state of ``estimator``: public attributes whose names end in ``_``.

    Parameters
    ----------
    estimator : object

    Returns
    -------
    attributes : dict
    """
    return {
        name: value
        for name, value in vars(estimator).items()
        if name.endswith("_") and not name.startswith("_")
    }


def forget_fit(estimator):
    """Remove every fitted attribute of ``estimator``: it is unfitted again.

    Parameters
    ----------
    estimator : object
    """
    for name in fitted_attributes(estimator):
        delattr(estimator, name)


def net_state(net, with_history=True):
    """Copies of everything a trained skorch net carries into its next epoch.

    The module's weights, the optimizer's state (Adam's moments and step
    counts, say), the training history and the states of the net's random
    generators (batch order, corruption).

    Parameters
    ----------
    net : AutoencoderNet
        Initialized.
    with_history : bool, default=True
        Copy the history. Without, only its length is kept: training only
        appends epochs, so cutting it back to that length restores it.

    Returns
    -------
    state : dict
        Keys ``"module"``, ``"optimizer"``, ``"generators"`` and ``"history"``
        (or ``"history_length"``).
    """
    state = {
        "module": {k: v.detach().clone() for k, v in net.module_.state_dict().items()},
        "optimizer": copy.deepcopy(net.optimizer_.state_dict()),
        "generators": {
            name: generator.get_state() for name, generator in net.random_generators().items()
        },
    }
    if with_history:
        state["history"] = copy.deepcopy(list(net.history))
    else:
        state["history_length"] = len(net.history)
    return state


def load_net_state(net, state):
    """Put a :func:`net_state` back into an initialized net of the same shape.

    Parameters
    ----------
    net : AutoencoderNet
    state : dict
        As returned by :func:`net_state`.
    """
    net.module_.load_state_dict(state["module"])
    net.optimizer_.load_state_dict(state["optimizer"])
    if "history" in state:
        net.history = History(copy.deepcopy(state["history"]))
    else:
        del net.history[state["history_length"] :]
    generators = net.random_generators()
    for name, generator_state in state["generators"].items():
        generators[name].set_state(generator_state)


def checkpoint(estimator, with_net_state):
    """What :func:`roll_back` needs to undo a fit or partial_fit of ``estimator``.

    Parameters
    ----------
    estimator : BaseAutoencoder
    with_net_state : bool
        Also copy the state of the current net, which ``partial_fit`` trains
        in place (``fit`` builds a new net and leaves the old one alone).

    Returns
    -------
    checkpoint : tuple
    """
    attributes = fitted_attributes(estimator)
    net = attributes.get("net_")
    saved_net = None
    if with_net_state and net is not None:
        saved_net = net_state(net, with_history=False)
    return attributes, saved_net


def roll_back(estimator, saved):
    """Return ``estimator`` to a :func:`checkpoint`: fitted as it was, or unfitted.

    Parameters
    ----------
    estimator : BaseAutoencoder
    saved : tuple
        As returned by :func:`checkpoint`.
    """
    attributes, saved_net = saved
    forget_fit(estimator)
    vars(estimator).update(attributes)
    if saved_net is not None:
        load_net_state(estimator.net_, saved_net)
        estimator.net_.module_.train(False)


# ------------------------------------------------- tensors out of a document


def split_tensors(value, tensors, prefix="state"):
    """``value`` with every tensor replaced by a reference into ``tensors``.

    Walks dicts, lists and tuples. Each tensor is moved to the CPU, made
    contiguous and stored in ``tensors`` under its path (``state.module.
    encoder_layers.0.weight``); its place holds ``{"__tensor__": path}``.
    Dicts with integer keys (an optimizer's per-parameter state) become
    ``{"__int_keys__": [[key, value], ...]}`` so that the result is JSON-ready
    apart from numpy values.

    Parameters
    ----------
    value : object
    tensors : dict
        Filled in place.
    prefix : str, default="state"
        Path of ``value``.

    Returns
    -------
    value : object
    """
    if isinstance(value, torch.Tensor):
        tensors[prefix] = value.detach().to("cpu", copy=True).contiguous()
        return {"__tensor__": prefix}
    if isinstance(value, dict):
        if value and all(isinstance(k, int) for k in value):
            return {
                "__int_keys__": [
                    [k, split_tensors(v, tensors, f"{prefix}.{k}")] for k, v in value.items()
                ]
            }
        return {k: split_tensors(v, tensors, f"{prefix}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [split_tensors(v, tensors, f"{prefix}.{i}") for i, v in enumerate(value)]
        return items if isinstance(value, list) else tuple(items)
    return value


def join_tensors(value, tensors):
    """The inverse of :func:`split_tensors`.

    Parameters
    ----------
    value : object
        With ``{"__tensor__": path}`` references.
    tensors : dict
        Path to tensor.

    Returns
    -------
    value : object
    """
    if isinstance(value, dict):
        if set(value) == {"__tensor__"}:
            try:
                return tensors[value["__tensor__"]]
            except (KeyError, TypeError):
                raise ValueError(f"missing tensor {value['__tensor__']!r}") from None
        if set(value) == {"__int_keys__"}:
            return {int(k): join_tensors(v, tensors) for k, v in value["__int_keys__"]}
        return {k: join_tensors(v, tensors) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [join_tensors(v, tensors) for v in value]
        return items if isinstance(value, list) else tuple(items)
    return value
