"""The package's layers, enforced: what each module may import.

torch modules know no scikit-learn or skorch; the numpy scoring modules know
no torch; the core (everything the estimators are made of) never imports the
face (command line, plots, demo, save/load); and no module imports another
that imports it back.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sklearn_ae"
FACE = {"cli", "plotting", "_demo", "_persistence", "__main__", "__init__"}
CORE = {path.stem for path in PACKAGE.glob("*.py")} - FACE


def _imports(module):
    """Every module name ``module`` imports, at any depth of its code.

    Relative imports are resolved to ``sklearn_ae.<name>``.
    """
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # from . import x / from ._y import z
                base = "sklearn_ae" + (f".{node.module}" if node.module else "")
                if node.module is None:
                    names.update(f"sklearn_ae.{alias.name}" for alias in node.names)
                else:
                    names.add(base)
            else:
                names.add(node.module)
    return names


def _package_imports(module):
    return {name.split(".")[1] for name in _imports(module) if name.startswith("sklearn_ae.")}


def _top_level(module):
    return {name.split(".")[0] for name in _imports(module)}


def test_core_and_face_are_what_the_package_holds():
    assert {"_base", "_training", "_inference", "_outlier", "_net", "_modules"} <= CORE


def test_torch_modules_know_no_scikit_learn_or_skorch():
    assert not _top_level("_modules") & {"sklearn", "skorch"}


@pytest.mark.parametrize("module", ["_scoring", "_selection"])
def test_numpy_modules_know_no_torch(module):
    assert not _top_level(module) & {"torch", "skorch"}


@pytest.mark.parametrize("module", sorted(CORE))
def test_core_never_imports_the_face(module):
    assert not _package_imports(module) & FACE


def test_no_import_cycles():
    graph = {module: _package_imports(module) - {module}
             for module in (path.stem for path in PACKAGE.glob("*.py"))}

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
    (fake / "_base.py").write_text("from ._persistence import save\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake)
    assert "_persistence" in _package_imports("_base")
