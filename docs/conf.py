"""Sphinx configuration for the skpoe documentation."""

import os

import skpoe

project = "skpoe"
author = "The skpoe developers"
copyright = "2026, The skpoe developers"
release = skpoe.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
templates_path = ["_templates"]
exclude_patterns = ["_build", "examples", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.md5"]
autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
myst_heading_anchors = 3
# No network when docs are built: cross-links to other projects stay off.
intersphinx_mapping = {}
nitpicky = False

html_theme = "pydata_sphinx_theme"
html_title = "skpoe"
html_static_path = []

# Examples run at small sizes in CI (SKPOE_DOCS_QUICK=1, set by the docs test).
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "abort_on_example_error": True,
    "reset_modules": ("matplotlib",),
    "remove_config_comments": True,
}
os.environ.setdefault("MPLBACKEND", "Agg")


def _skip_metadata_request_methods(app, what, name, obj, skip, options):
    # scikit-learn generates set_*_request methods on every estimator; their
    # docstrings link into scikit-learn's own docs, which are not built here.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_request_methods)
