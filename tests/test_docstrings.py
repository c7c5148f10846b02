"""numpydoc validation of every public name, the same checks as the docs build."""

import inspect

import pytest
from numpydoc.validate import validate

import sklearn_ae
import sklearn_ae.plotting

# As docs/conf.py's numpydoc_validation_checks: everything but these.
IGNORED = {"ES01", "SA01", "EX01", "RT02"}
DISPLAYS = ["LossCurveDisplay", "ReconstructionDisplay", "ScoreDistributionDisplay"]


def _members(prefix, cls):
    for name, value in inspect.getmembers(cls):
        if name.startswith("_") or not (callable(value) or isinstance(value, property)):
            continue
        if (getattr(value, "__module__", "") or "").startswith("sklearn_ae"):
            yield f"{prefix}.{name}"


def _public_objects():
    """Top-level names (classes and functions) and the methods our code defines."""
    top = [f"sklearn_ae.{name}" for name in sklearn_ae.__all__]
    top += [f"sklearn_ae.plotting.{name}" for name in DISPLAYS]
    methods = []
    for path in top:
        obj = eval(path, {"sklearn_ae": sklearn_ae})
        if inspect.isclass(obj):
            methods.extend(_members(path, obj))
    return top, methods


TOP_LEVEL, METHODS = _public_objects()


@pytest.mark.parametrize("name", TOP_LEVEL + METHODS)
def test_docstring_passes_numpydoc_validation(name):
    errors = [f"{code}: {message}" for code, message in validate(name)["errors"]
              if code not in IGNORED]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_public_classes_and_functions_have_examples(name):
    assert "EX01" not in {code for code, _ in validate(name)["errors"]}
