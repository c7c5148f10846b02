"""``save`` and ``load``: the face of the model file (:mod:`sklearn_ae._fileformat`).

``load`` turns a checked file into an estimator: the class must be on a fixed
list, the sizes in the description must fit the tensors, every parameter
passes the estimator's own validation, and the network the description
implies is built on torch's ``meta`` device (which allocates nothing) and
compared with the stored weights before anything real is built. Bad content
raises :class:`ValueError`, an unreadable file :class:`OSError`; both name the
file.
"""

import math
import warnings
from pathlib import Path

import numpy as np
import torch

from ._codec import check_attribute_name, decode
from ._compat import validate_params
from ._defaults import NEIGHBOR_REFERENCE_ROWS, NEIGHBOR_REFERENCE_SETS
from ._estimators import (
    AutoencoderTransformer,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
)
from ._fileformat import read_model_file
from ._scoring import OutlierScorer
from ._state import fitted_attributes
from ._tabular import TableEncoder

_MODULE_PREFIX = "state.module."
_SCALING_NAMES = {"StandardScaler": "standard", "RobustScaler": "robust",
                  "MinMaxScaler": "minmax"}


def _estimator_classes():
    classes = [AutoencoderTransformer, ContractiveAutoencoder, DenoisingAutoencoder]
    return {f"{cls.__module__}.{cls.__qualname__}": cls for cls in classes}


def save(estimator, path, *, key=None):
    """Write a fitted estimator to ``path``, without pickle.

    The same as ``estimator.save(path, key=key)``: one safetensors file with
    the weights, the optimizer and generator states, and a JSON description
    (parameters, fitted attributes, training history) with a checksum.

    Parameters
    ----------
    estimator : AutoencoderTransformer, DenoisingAutoencoder or ContractiveAutoencoder
        Fitted.
    path : str or path-like
        Where to write; an existing file is replaced.
    key : bytes, str or None, default=None
        Sign the file with HMAC-SHA256 under this key, so that
        ``load(path, key=key)`` can tell it from a file anyone else wrote.

    Returns
    -------
    path : pathlib.Path
        The file written.

    Examples
    --------
    >>> import numpy as np, sklearn_ae, tempfile, os
    >>> X = np.random.RandomState(0).rand(50, 4)
    >>> ae = sklearn_ae.AutoencoderTransformer(2, max_epochs=2, random_state=0).fit(X)
    >>> path = sklearn_ae.save(ae, os.path.join(tempfile.mkdtemp(), "ae.safetensors"))
    >>> bool((sklearn_ae.load(path).score_samples(X) == ae.score_samples(X)).all())
    True
    """
    name = f"{type(estimator).__module__}.{type(estimator).__qualname__}"
    if name not in _estimator_classes():
        raise TypeError(f"cannot save a {name}: only sklearn_ae's estimators are supported")
    return estimator.save(path, key=key)


def load(path, *, key=None, device=None):
    """Load an estimator written by :func:`save` (or ``estimator.save``).

    The estimator comes back whole: its scores, codes and reconstructions
    equal those of the saved one, and ``partial_fit`` trains on exactly as the
    saved estimator would have (same optimizer state, batch size, history and
    random generators). torch's and numpy's global random states are left
    alone.

    Parameters
    ----------
    path : str or path-like
        The file.
    key : bytes, str or None, default=None
        Refuse the file unless it was saved with this key (HMAC-SHA256).
        Without a key a signed file loads too: its checksum is still checked,
        but not its signature, since checking needs the key.
    device : str or None, default=None
        Where the network lives after loading. ``None`` keeps the device it was
        saved from where that is available, and falls back to ``"cpu"`` (with a
        warning) where it is not.

    Returns
    -------
    estimator : AutoencoderTransformer, DenoisingAutoencoder or ContractiveAutoencoder
        Fitted.

    Raises
    ------
    ValueError
        The file is not a regular file, is not a model file at all (the
        message says what it looks like: a Python pickle, a zip archive,
        text), is truncated, tampered with (checksum or
        signature mismatch), unsigned while a key is given, of another format or
        of another format version, or describes a model its tensors do not fit or
        invalid parameters.
    OSError
        The file cannot be read (missing, a folder, no permission).

    Examples
    --------
    >>> import numpy as np, sklearn_ae, tempfile, os
    >>> X = np.random.RandomState(0).rand(50, 4)
    >>> ae = sklearn_ae.AutoencoderTransformer(2, max_epochs=2, random_state=0).fit(X)
    >>> path = os.path.join(tempfile.mkdtemp(), "ae.safetensors")
    >>> _ = ae.save(path, key=b"my secret")
    >>> loaded = sklearn_ae.load(path, key=b"my secret")
    >>> loaded.n_iter_, bool((loaded.predict(X) == ae.predict(X)).all())
    (2, True)
    >>> sklearn_ae.load(path, key=b"another key")
    Traceback (most recent call last):
    ...
    ValueError: ... has a wrong signature: it was signed with another key or modified after it was saved
    """
    path = Path(path)
    document, tensors = read_model_file(path, key)
    cls, description = _describe(document, tensors, path)
    saved_device = description["attributes"].get("device_", "cpu")
    if device is None:
        device = saved_device
        if device.startswith("cuda") and not torch.cuda.is_available():
            warnings.warn(
                f"{path} was saved from {device!r}, which is not available; loading on the CPU.",
                UserWarning,
            )
            device = "cpu"
    try:
        return cls.from_state(description, tensors, device=device)
    except (KeyError, TypeError, ValueError, RuntimeError, AttributeError) as exc:
        raise ValueError(f"{path}: the saved state does not fit the described model: {exc}") from None


def _describe(document, tensors, path):
    """The estimator class and its decoded, checked description."""
    shapes = {name: tuple(t.shape) for name, t in tensors.items()}
    try:
        cls = _estimator_classes().get(document["class"])
        if cls is None:
            raise ValueError(f"unknown estimator class {document['class']!r}")
        attributes = document["attributes"]
        if not isinstance(attributes, dict):
            raise ValueError("the attributes are not an object")
        attributes = {name: decode(value, tensors) for name, value in attributes.items()}
        params = decode(document["params"])
        _add_numeric_encoder(attributes)
        _add_scorer(attributes, params if isinstance(params, dict) else {})
        for name in attributes:
            check_attribute_name(name)
        module_shapes = {
            name[len(_MODULE_PREFIX):]: shape
            for name, shape in shapes.items()
            if name.startswith(_MODULE_PREFIX)
        }
        check_fitted_sizes(attributes, module_shapes, path)
        if not isinstance(params, dict):
            raise ValueError("the parameters are not an object")
        # Files written before linear_shortcut existed hold networks without one.
        params.setdefault("linear_shortcut", False)
        estimator = cls(**params)
        # The estimator's own constraints: optimizer="evil" is refused here.
        validate_params(estimator)
        estimator._check_params()
        vars(estimator).update(attributes)
        description = {"params": params, "attributes": attributes, "net": decode(document["net"])}
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError) as exc:
        message = f"no {exc} entry" if isinstance(exc, KeyError) else str(exc)
        if message.startswith(str(path)):
            raise ValueError(message) from None
        raise ValueError(f"{path} has an invalid model description: {message}") from None
    _check_device(estimator, path)
    _check_weight_shapes(estimator, module_shapes, path)
    return cls, description


def _add_numeric_encoder(attributes):
    """A model saved before categorical support holds a scaler and no encoder."""
    n_features = attributes.get("n_features_in_")
    if "encoder_" in attributes or not isinstance(n_features, int) or n_features < 1:
        return
    scaler = attributes.get("scaler_")
    scaling = None if scaler is None else _SCALING_NAMES.get(type(scaler).__name__)
    encoder = TableEncoder.for_numbers(n_features, scaler, scaling,
                                       attributes.get("feature_names_in_"))
    if scaler is not None:
        # Missing entries were refused then; fill them with the mean now.
        mean = np.asarray(attributes.get("mean_", np.zeros(n_features)), dtype=np.float64)
        encoder.numeric_fill_ = np.nan_to_num(scaler.transform(mean.reshape(1, -1))[0])
    attributes["encoder_"] = encoder


def _add_scorer(attributes, params):
    """A model saved before the outlier scorer was its own part holds its four
    attributes on the estimator."""
    names = ("feature_error_scale_", "neighbor_reference_", "neighbor_scale_", "offset_")
    if "scorer_" in attributes or not all(name in attributes for name in names):
        return
    scorer = OutlierScorer(params.get("n_neighbors", 10), params.get("contamination", "auto"))
    for name in names:
        setattr(scorer, name, attributes.pop(name))
    attributes["scorer_"] = scorer


def _check_device(estimator, path):
    device = getattr(estimator, "device_", "cpu")
    try:
        if not isinstance(device, str):
            raise TypeError
        torch.device(device)
    except (TypeError, RuntimeError, ValueError):
        raise ValueError(f"{path}: device_={device!r:.80} is not a torch device") from None


def _check_weight_shapes(estimator, shapes, path):
    """The module the description implies, built on the meta device, against the tensors.

    The meta device allocates nothing, so a file claiming a huge network costs
    nothing here.
    """
    params = estimator._module_params()
    module_class = params.pop("module")
    kwargs = {name[len("module__"):]: value for name, value in params.items()}
    try:
        with torch.device("meta"):
            module = module_class(**kwargs)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise ValueError(f"{path}: the described network cannot be built: {exc}") from None
    for name, tensor in module.state_dict().items():
        if name not in shapes:
            raise ValueError(f"{path}: the weights lack {name!r} of the described network")
        if shapes[name] != tuple(tensor.shape):
            raise ValueError(f"{path}: tensor {name!r} has shape {list(shapes[name])}, but "
                             f"the described network needs {list(tensor.shape)}")


def check_fitted_sizes(attributes, shapes, path):
    """The sizes in the JSON, against sane bounds and the tensors, before building.

    ``attributes`` are the decoded fitted attributes, ``shapes`` the tensor
    shapes declared in the header. A network layer of width ``w`` holds at
    least ``w`` numbers, so no size may exceed the number of numbers stored.
    """
    stored = sum(math.prod(shape) for shape in shapes.values())
    sizes = {name: attributes.get(name) for name in ("n_features_in_", "n_components_")}
    hidden = attributes.get("hidden_layer_sizes_", ())
    if not isinstance(hidden, (tuple, list)) or len(hidden) > len(shapes):
        raise ValueError(f"{path}: hidden_layer_sizes_={hidden!r:.80} does not match the "
                         f"{len(shapes)} tensors of the file")
    sizes.update({f"hidden_layer_sizes_[{i}]": n for i, n in enumerate(hidden)})
    for name, n in sizes.items():
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= stored:
            raise ValueError(f"{path}: {name}={n!r:.80} is not a size between 1 and the "
                             f"{stored} numbers the file stores")
    n_features = sizes["n_features_in_"]
    _check_length(attributes.get("feature_names_in_"), n_features, "feature_names_in_", path)
    scorer = attributes.get("scorer_")
    _check_length(attributes.get("mean_"), n_features, "mean_", path)
    _check_length(getattr(scorer, "feature_error_scale_", None), n_features,
                  "feature_error_scale_", path)
    encoder = attributes.get("encoder_")
    n_numeric = n_features if encoder is None else _check_encoder_sizes(encoder, n_features,
                                                                        stored, path)
    for scaler in (attributes.get("scaler_"), getattr(encoder, "scaler_", None)):
        if scaler is not None:
            _check_scaler_sizes(scaler, n_numeric, path)
    n_inputs = n_features if encoder is None else encoder.n_inputs_
    reference = getattr(scorer, "neighbor_reference_", None)
    if reference is not None and not (
        isinstance(reference, np.ndarray)
        and reference.ndim == 2
        and (1 <= reference.shape[0] <= NEIGHBOR_REFERENCE_ROWS
             or reference.shape[0] == NEIGHBOR_REFERENCE_ROWS * NEIGHBOR_REFERENCE_SETS)
        and reference.shape[1] == n_inputs
    ):
        shape = getattr(reference, "shape", type(reference).__name__)
        raise ValueError(f"{path}: neighbor_reference_ has shape {shape}, expected at most "
                         f"{NEIGHBOR_REFERENCE_ROWS} rows (or {NEIGHBOR_REFERENCE_SETS} sets of them) of "
                         f"{n_inputs} inputs")


def _check_scaler_sizes(scaler, n_numeric, path):
    if getattr(scaler, "n_features_in_", n_numeric) != n_numeric:
        raise ValueError(f"{path}: the scaler has {scaler.n_features_in_} features, the "
                         f"model {n_numeric} numeric ones")
    for name, value in fitted_attributes(scaler).items():
        if isinstance(value, np.ndarray):
            _check_length(value, n_numeric, f"scaler_.{name}", path)


def _check_encoder_sizes(encoder, n_features, stored, path):
    """The table encoder's columns and widths against the model; its numeric columns."""
    if getattr(encoder, "n_features_in_", None) != n_features:
        raise ValueError(f"{path}: the encoder has {getattr(encoder, 'n_features_in_', None)!r:.80}"
                         f" features, the model {n_features}")
    try:
        mask = np.asarray(encoder.is_categorical_)
        _check_length(mask, n_features, "encoder_.is_categorical_", path)
        numeric = np.flatnonzero(~mask.astype(bool))
        categorical = np.flatnonzero(mask.astype(bool))
        same = (np.array_equal(encoder.numeric_columns_, numeric)
                and np.array_equal(encoder.categorical_columns_, categorical))
        levels = [len(c) for c in encoder.categories_]
        widths = len(numeric) + sum(levels)
    except (AttributeError, TypeError) as exc:
        raise ValueError(f"{path}: the encoder is incomplete: {exc}") from None
    if not same or len(levels) != len(categorical) or not 1 <= widths <= stored:
        raise ValueError(f"{path}: the encoder's columns do not fit together")
    if encoder.n_inputs_ != widths or encoder.n_outputs_ != widths:
        raise ValueError(f"{path}: the encoder's n_inputs_={encoder.n_inputs_!r:.80} is not "
                         f"its {widths} numeric columns and levels")
    _check_length(encoder.numeric_fill_, len(numeric), "encoder_.numeric_fill_", path)
    return len(numeric)


def _check_length(value, n_features, name, path):
    if value is None:
        return
    if not isinstance(value, np.ndarray) or value.shape != (n_features,):
        shape = getattr(value, "shape", type(value).__name__)
        raise ValueError(f"{path}: {name} has shape {shape}, expected ({n_features},)")
