"""``save`` and ``load``: the face of the model file (:mod:`sklearn_ae._fileformat`).

``load`` turns a checked file into an estimator: the class must be on a fixed
list, the sizes in the description must fit the tensors, every parameter
passes the estimator's own validation, and the network the description
implies is built on torch's ``meta`` device (which allocates nothing) and
compared with the stored weights before anything real is built. Bad content
raises :class:`ValueError`, an unreadable file :class:`OSError`; both name the
file.
"""

import warnings
from pathlib import Path

import numpy as np
import torch

from ._tabular import TableEncoder
from ._estimators import AutoencoderTransformer, ContractiveAutoencoder, DenoisingAutoencoder
from ._fileformat import (
    check_attribute_name,
    check_fitted_sizes,
    decode,
    read_model_file,
)

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
        The file is not a regular file, is truncated, tampered with (checksum or
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
    shapes = {name: tuple(t.shape) for name, t in tensors.items()}
    cls, description = _describe(document, shapes, path)
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


def _describe(document, shapes, path):
    """The estimator class and its decoded, checked description."""
    try:
        cls = _estimator_classes().get(document["class"])
        if cls is None:
            raise ValueError(f"unknown estimator class {document['class']!r}")
        attributes = document["attributes"]
        if not isinstance(attributes, dict):
            raise ValueError("the attributes are not an object")
        attributes = {name: decode(value) for name, value in attributes.items()}
        _add_numeric_encoder(attributes)
        for name in attributes:
            check_attribute_name(name)
        module_shapes = {
            name[len(_MODULE_PREFIX):]: shape
            for name, shape in shapes.items()
            if name.startswith(_MODULE_PREFIX)
        }
        check_fitted_sizes(attributes, module_shapes, path)
        params = decode(document["params"])
        if not isinstance(params, dict):
            raise ValueError("the parameters are not an object")
        estimator = cls(**params)
        # The estimator's own constraints: optimizer="evil" is refused here.
        estimator._validate_params()
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
