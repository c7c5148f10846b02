"""Sphinx configuration: user guide (Markdown via MyST), API reference (numpydoc).

Builds offline: no intersphinx, no remote images. ``python -m sphinx -W -b html docs
docs/_build/html`` (tests/test_docs.py runs it when sphinx is installed).
"""

project = "sklearn_ae"
author = "sklearn_ae developers"
extensions = ["myst_parser", "sphinx.ext.autodoc", "numpydoc"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "examples/*.png"]
numpydoc_show_class_members = False
numpydoc_validation_checks = set()
myst_heading_anchors = 3
html_theme = "alabaster"
suppress_warnings = ["myst.xref_missing"]


import re  # noqa: E402

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
