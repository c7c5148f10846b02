"""Sphinx configuration: user guide (Markdown via MyST), API reference (numpydoc),
and a gallery of the scripts in ``examples/`` (sphinx-gallery), run at build time.

Builds offline: no intersphinx, no remote images. ``pip install -e ".[docs]"``, then
``python -m sphinx -W -b html docs docs/_build/html`` (tests/test_docs.py runs it when
sphinx and sphinx-gallery are installed; the ``test`` extra has them). The MNIST
examples are run only when the project's shared data folder is found; without it they
are rendered as code, without output.
"""

import re
from pathlib import Path

project = "sklearn_ae"
author = "sklearn_ae developers"
extensions = ["myst_parser", "sphinx.ext.autodoc", "numpydoc", "sphinx_gallery.gen_gallery"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "examples", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip"]
numpydoc_show_class_members = False
# Every public docstring is checked at build time (and by tests/test_docstrings.py):
# all of numpydoc's checks but the extended summary (ES01), See Also (SA01),
# Examples on methods (EX01; classes and functions have them, tested) and a
# name in the Returns line (RT02: scikit-learn names its returns too).
numpydoc_validation_checks = {"all", "ES01", "SA01", "EX01", "RT02"}
numpydoc_validation_exclude = {r"\._", r"sklearn_ae\.cli\."}
myst_heading_anchors = 3
html_theme = "alabaster"
suppress_warnings = ["myst.xref_missing"]

_DOCS = Path(__file__).resolve().parent
_MNIST = Path("shared") / "data" / "mnist" / "t10k-images-idx3-ubyte.gz"


def _mnist_found():
    """Whether the MNIST examples will find their data (they look where this does)."""
    examples = _DOCS / "examples"
    return any((folder / _MNIST).exists() for folder in [examples, *examples.parents])


sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    # Only scripts named plot_*.py are run; plot_mnist_* need the shared data folder.
    "filename_pattern": r"/plot_(?!mnist)" if not _mnist_found() else r"/plot_",
    "download_all_examples": False,
    "min_reported_time": 0,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "show_signature": False,
}


_LITERAL = re.compile(r"(``.*?``|`[^`]*`)")
_TRAILING_UNDERSCORE = re.compile(r"(?<![\w\\])([A-Za-z]\w*)_(?=[\s,)\].:;]|$)")


def _escape_fitted_names(app, what, name, obj, options, lines):
    """``n_features_in_`` outside literals would be an RST link target: escape it."""
    for i, line in enumerate(lines):
        parts = _LITERAL.split(line)
        parts[::2] = [_TRAILING_UNDERSCORE.sub(r"\1\\_", part) for part in parts[::2]]
        lines[i] = "".join(parts)


def setup(app):
    app.connect("autodoc-process-docstring", _escape_fitted_names, priority=900)
