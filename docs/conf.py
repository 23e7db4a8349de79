"""Sphinx configuration of the documentation site (built by ``bin/docs``).

Pages are Markdown (MyST). The API reference comes from the docstrings
(autodoc + napoleon); examples in pages are ``{doctest}`` blocks that
``bin/docs`` executes with the doctest builder. Pictures come from
``docs/pictures.py`` into ``docs/_generated/`` (not committed); the Scaladoc
from ``sbt core/doc`` is copied into the site as ``scaladoc/``.
"""
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

import bigdl_reg  # noqa: E402

project = "bigdl-reg"
author = "bigdl-reg contributors"
copyright = "2026, bigdl-reg contributors"
release = version = bigdl_reg.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "_generated"]
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# Every {doctest} block of a page starts from these names; layer examples use
# explicit seeds, so their printed output is the same on both backends.
doctest_global_setup = """
import numpy as np
np.set_printoptions(precision=7, suppress=True, linewidth=100)
from bigdl_reg.nn import *
"""
# the docstrings are doctested by pytest (tests/test_facade.py); here the pages
doctest_test_doctest_blocks = ""

html_theme = "furo"
html_title = f"bigdl-reg {release}"
html_static_path = []
# bin/docs fills this with sbt's Scaladoc (copied to <site>/scaladoc/)
html_extra_path = [p for p in ["_generated/site"] if (DOCS / p).is_dir()]
