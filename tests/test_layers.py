"""The package's layers, enforced: what each module may import.

torch modules know no scikit-learn or skorch; the numpy scoring modules know
no torch; the core (everything the estimators are made of) never imports the
face (command line, plots, save/load, the ``examples`` subpackage with the demo
and the synthetic mixed table); and no module imports another that imports it
back.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sklearn_ae"
FACE = {"cli", "plotting", "examples", "_persistence", "__main__", "__init__"}
SUBPACKAGES = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
CORE = {path.stem for path in PACKAGE.glob("*.py")} - FACE


def _source(module):
    """The file of ``module``, a dotted name inside the package ("_base", "examples",
    "examples.demo")."""
    path = PACKAGE.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def _imports(module):
    """Every module name ``module`` imports, at any depth of its code.

    Relative imports are resolved to ``sklearn_ae.<name>``; ``from a import b``
    counts as importing both ``a`` and ``a.b`` (``b`` may be a module).
    """
    path = _source(module)
    package = ["sklearn_ae", *module.split(".")]
    if path.name != "__init__.py" or module == "__init__":
        package.pop()  # a plain module: its package is the folder holding it
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # from . import x / from ._y import z / from .. import x
                base = ".".join(package[:len(package) - node.level + 1] + [node.module or ""])
                base = base.rstrip(".")
            else:
                base = node.module
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _package_imports(module):
    return {name.split(".")[1] for name in _imports(module) if name.startswith("sklearn_ae.")}


def _top_level(module):
    return {name.split(".")[0] for name in _imports(module)}


def _unit_imports(unit):
    """What a top-level module, or a whole subpackage, imports of the package."""
    if unit not in SUBPACKAGES:
        return _package_imports(unit)
    modules = [unit] + [f"{unit}.{path.stem}" for path in (PACKAGE / unit).glob("*.py")
                        if path.stem != "__init__"]
    return set().union(*map(_package_imports, modules))


def test_core_and_face_are_what_the_package_holds():
    assert {"_base", "_training", "_inference", "_scoring", "_net", "_modules"} <= CORE
    # Every subpackage is face: CORE, read from the top-level files, would miss one.
    assert "examples" in SUBPACKAGES
    assert SUBPACKAGES <= FACE


def test_torch_modules_know_no_scikit_learn_or_skorch():
    assert not _top_level("_modules") & {"sklearn", "skorch"}


@pytest.mark.parametrize("module", ["_scoring", "_selection"])
def test_numpy_modules_know_no_torch(module):
    assert not _top_level(module) & {"torch", "skorch"}


@pytest.mark.parametrize("module", sorted(CORE))
def test_core_never_imports_the_face(module):
    assert not _package_imports(module) & FACE


def test_core_never_imports_the_examples():
    """Neither in its source (at any depth, relative or absolute) nor at run time:
    ``import sklearn_ae`` and the command line's module leave the examples unloaded."""
    assert not [module for module in sorted(CORE) if "examples" in _package_imports(module)]
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, sklearn_ae, sklearn_ae.cli; "
         "print(sorted(m for m in sys.modules if m.startswith('sklearn_ae.examples')))"],
        capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"


def test_the_examples_use_the_core_and_only_the_command_line_uses_them():
    """The examples subpackage is face: it may use the core, and nothing of the
    package but the command line imports it."""
    assert _unit_imports("examples") - {"examples"} <= CORE | {"plotting"}
    users = {unit for unit in CORE | FACE - SUBPACKAGES if "examples" in _unit_imports(unit)}
    assert users == {"cli"}


def test_no_import_cycles():
    units = {path.stem for path in PACKAGE.glob("*.py")} | SUBPACKAGES
    graph = {unit: _unit_imports(unit) - {unit} for unit in units}

    def visit(module, trail):
        if module in trail:
            raise AssertionError("import cycle: " + " -> ".join([*trail, module]))
        for imported in graph.get(module, ()):
            visit(imported, [*trail, module])

    for module in graph:
        if module != "__init__":  # the package imports everything by design
            visit(module, [])


def test_the_check_sees_a_violation(tmp_path, monkeypatch):
    """The checks above can fail: a planted face import is found."""
    fake = tmp_path / "sklearn_ae"
    fake.mkdir()
    (fake / "_base.py").write_text("from ._persistence import save\n"
                                   "def f():\n    from sklearn_ae import examples\n")
    (fake / "examples").mkdir()
    (fake / "examples" / "demo.py").write_text("from .. import _base\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake)
    assert {"_persistence", "examples"} <= _package_imports("_base")
    assert "_base" in _package_imports("examples.demo")


def test_the_one_mixin_reads_only_the_state_it_sets():
    """The estimator is composed, not split: the training mixin is the package's only
    mixin, and every fitted attribute it reads (``self.name_``) is one it sets."""
    classes = {
        node.name: (module, node)
        for module in CORE
        for node in ast.walk(ast.parse((PACKAGE / f"{module}.py").read_text()))
        if isinstance(node, ast.ClassDef)
    }
    assert [name for name in classes if name.endswith("Mixin")] == ["TrainingMixin"]
    _, mixin = classes["TrainingMixin"]
    read, written = set(), set()
    for node in ast.walk(mixin):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id == "self" and node.attr.endswith("_")
                and not node.attr.startswith("_")):
            (written if isinstance(node.ctx, ast.Store) else read).add(node.attr)
    assert read - written == set()
