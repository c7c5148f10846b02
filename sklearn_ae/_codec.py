"""JSON form of the values a saved model holds: numbers, arrays, tuples, dicts, scalers.

Arrays of numbers go into the file's tensors, bit for bit, and the JSON holds
``{"__array__": name}``; arrays of objects (column names, string levels) are
stored in the JSON as ``{"__ndarray__": data, "dtype": "object", "shape": ...}``,
and so are arrays of numbers in files written before arrays became tensors
(floats written with Python's shortest round-trip ``repr``). Tuples and dicts
are tagged the same way, and the estimators a model holds inside it (its scaler,
its table encoder, its outlier scorer) as ``{"__estimator__": name, "params":
..., "attributes": ...}``: decoding builds only classes of a fixed list, with
their parameters validated.
"""

import re

import numpy as np
import torch

from ._compat import validate_params
from ._defaults import SCALERS
from ._scoring import OutlierScorer
from ._state import fitted_attributes
from ._tabular import TableEncoder

# Name prefix of the tensors that hold the arrays of the fitted attributes.
ARRAY_PREFIX = "arrays."


def component_classes():
    """The estimators a saved model may hold inside it (encoder, scaler), by qualified name.

    Returns
    -------
    classes : dict of str to type
    """
    classes = [*SCALERS.values(), TableEncoder, OutlierScorer]
    return {f"{cls.__module__}.{cls.__qualname__}": cls for cls in classes}


def encode(value, where, tensors=None):
    """A JSON-ready form of ``value``; ``where`` names it in error messages.

    With ``tensors`` (a dict, filled in place), arrays of numbers are put there
    as CPU tensors instead of into the JSON.
    """
    from sklearn.base import BaseEstimator

    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return value if not isinstance(value, float) or np.isfinite(value) else {
            "__float__": repr(value)
        }
    if isinstance(value, np.generic):
        return encode(value.item(), where)
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return {
                "__ndarray__": [encode(v, where) for v in value.ravel().tolist()],
                "dtype": "object",
                "shape": list(value.shape),
            }
        if value.dtype.kind not in "biuf":
            raise TypeError(f"cannot save {where}: arrays of dtype {value.dtype} are not supported")
        if tensors is not None and value.size:
            name = ARRAY_PREFIX + re.sub(r"[^A-Za-z0-9_]+", ".", where).strip(".")
            if name in tensors:  # the same name twice (never from the estimators)
                name = f"{name}.{len(tensors)}"
            tensors[name] = torch.from_numpy(np.array(value, order="C", copy=True))
            return {"__array__": name}
        data = value.ravel().tolist()
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            data = [v if np.isfinite(v) else {"__float__": repr(v)} for v in data]
        return {"__ndarray__": data, "dtype": value.dtype.str, "shape": list(value.shape)}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, where, tensors) for v in value]}
    if isinstance(value, list):
        return [encode(v, where, tensors) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError(f"cannot save {where}: dict keys must be strings")
        return {"__dict__": {k: encode(v, f"{where}[{k!r}]", tensors) for k, v in value.items()}}
    if isinstance(value, BaseEstimator):
        name = f"{type(value).__module__}.{type(value).__qualname__}"
        if name not in component_classes():
            raise TypeError(f"cannot save {where}: {name} is not a supported estimator")
        return {
            "__estimator__": name,
            "params": encode(value.get_params(deep=False), f"{where} parameters"),
            "attributes": encode(fitted_attributes(value), f"{where} attributes", tensors),
        }
    raise TypeError(
        f"cannot save {where}: values of type {type(value).__name__} are not supported "
        "by sklearn_ae's file format (add them to sklearn_ae/_codec.py)"
    )


def decode(value, tensors=None):
    """The value :func:`encode` made JSON-ready, its arrays taken from ``tensors``."""
    if isinstance(value, list):
        return [decode(v, tensors) for v in value]
    if not isinstance(value, dict):
        return value
    if "__float__" in value:
        return float(value["__float__"])
    if "__tuple__" in value:
        return tuple(decode(v, tensors) for v in value["__tuple__"])
    if "__dict__" in value:
        return {k: decode(v, tensors) for k, v in value["__dict__"].items()}
    if "__array__" in value:
        name = value["__array__"]
        if not isinstance(name, str) or not name.startswith(ARRAY_PREFIX) or name not in (
            tensors or {}
        ):
            raise ValueError(f"missing array tensor {name!r:.80}")
        return tensors[name].numpy().copy()
    if "__ndarray__" in value:
        data = [decode(v, tensors) for v in value["__ndarray__"]]
        dtype = np.dtype(value["dtype"])
        if dtype.kind not in "biufO":
            raise ValueError(f"unsupported array dtype {value['dtype']!r}")
        if dtype.kind == "O":
            array = np.empty(len(data), dtype=object)
            array[:] = data
        else:
            array = np.asarray(data, dtype=dtype)
        return array.reshape(value["shape"])
    if "__estimator__" in value:
        cls = component_classes().get(value["__estimator__"])
        if cls is None:
            raise ValueError(f"unknown estimator class {value['__estimator__']!r}")
        return _restore(cls, decode(value["params"], tensors), decode(value["attributes"], tensors))
    raise ValueError(f"untagged JSON object with keys {sorted(value)}")


def _restore(cls, params, attributes):
    """An instance of ``cls`` with validated ``params`` and the fitted ``attributes``."""
    if not isinstance(params, dict) or not isinstance(attributes, dict):
        raise ValueError(f"the parameters and attributes of {cls.__name__} must be objects")
    estimator = cls(**params)
    # The estimator's own constraints: optimizer="evil" is refused here.
    validate_params(estimator)
    if hasattr(estimator, "_check_params"):
        estimator._check_params()
    for name, value in attributes.items():
        check_attribute_name(name)
        setattr(estimator, name, value)
    return estimator


def check_attribute_name(name):
    """Only names that ``fitted_attributes`` saves: never methods or private state."""
    if not (isinstance(name, str) and name.isidentifier() and name.endswith("_")
            and not name.startswith("_") and name != "net_"):
        raise ValueError(f"{name!r} is not a fitted attribute name")
