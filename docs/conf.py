"""Sphinx configuration for the dualgrad documentation.

Build (warnings are errors):  python -m sphinx -W -b html docs docs/_build/html

Math is typeset by MathJax 3, served from the built site (``_static/mathjax``, copied
there by the ``sphinx-mathjax-offline`` package of the ``docs`` extra), never from a
CDN: the pages render offline. ``tests/test_docs.py`` checks both.

The notebooks live in ../notebooks and are committed with their outputs; they
are copied into notebooks/ here at build time and rendered without being
executed (nb_execution_mode = "off"). The test suite executes them instead.
"""
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

import dualgrad  # noqa: E402

project = "dualgrad"
author = "the dualgrad authors"
copyright = "2026, the dualgrad authors"
release = version = dualgrad.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # MathJax 3 copied into _static/: math renders offline
    "sphinx.ext.viewcode",
]
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
nb_execution_mode = "off"
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]

autodoc_default_options = {"members": False, "undoc-members": False}
autodoc_typehints = "none"
napoleon_google_docstring = True
napoleon_numpy_docstring = True
napoleon_custom_sections = ["Raised by"]  # exceptions: who raises them

html_theme = "alabaster"
html_title = f"dualgrad {release}"
html_static_path = ["_static"]
html_css_files = ["tables.css"]  # code in table cells wraps
html_theme_options = {"page_width": "1080px"}  # room for 88-column code lines


def _copy_notebooks():
    """Copy ../notebooks/*.ipynb into notebooks/ (generated, git-ignored)."""
    src, dst = os.path.join(ROOT, "notebooks"), os.path.join(HERE, "notebooks")
    os.makedirs(dst, exist_ok=True)
    wanted = sorted(f for f in os.listdir(src) if f.endswith(".ipynb"))
    for stale in set(os.listdir(dst)) - set(wanted):
        os.remove(os.path.join(dst, stale))
    for name in wanted:
        s, d = os.path.join(src, name), os.path.join(dst, name)
        if not os.path.exists(d) or open(s, "rb").read() != open(d, "rb").read():
            shutil.copyfile(s, d)


_copy_notebooks()

def _derivative_picture():
    """The picture on the front page: a derivative against the analytic one."""
    import matplotlib
    matplotlib.use("Agg")
    import numpy as onp
    import dualgrad.numpy as np
    from dualgrad.graph import plot_derivative
    os.makedirs(os.path.join(HERE, "_generated"), exist_ok=True)
    plot_derivative(lambda x: np.sin(2 * np.pi * x + x ** 2),
                    lambda x: onp.cos(2 * onp.pi * x + x ** 2) * (2 * onp.pi + 2 * x),
                    onp.linspace(0, 3, 400), os.path.join(HERE, "_generated", "derivative.png"))


_derivative_picture()

