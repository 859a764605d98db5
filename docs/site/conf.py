"""Sphinx configuration of the course site (``make html`` -> ``build/html/index.html``).

Sphinx + MyST-NB + the PyData Sphinx theme, offline: pages come from the notebooks' stored
outputs (nothing is executed), MathJax 2 is the npm copy in ``node_modules/`` and the theme
ships its own fonts and icons. The source folder (the notebooks prepared for the site: speaker
notes dropped, figure captions and alt text from the ``mv.export.tag`` calls, explorers shown as
their static view) and the paths of MathJax, the notebooks to download and the decks are made
by :mod:`musicviz.course.build_site`, which passes them in as overrides. Edit this file for the
look; the site's behaviour is in ``build_site``.
"""

from __future__ import annotations

import datetime
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_META = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _date() -> str:
    """The date of the commit the site is built from (today outside a git checkout)."""
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%cs"], cwd=ROOT, capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return datetime.date.today().isoformat()


project = "musicviz"
author = ", ".join(a["name"] for a in _META.get("authors", []))
release = version = _META["version"]
copyright = f"{_date()[:4]}, {author}"
html_title = "musicviz course"

extensions = ["myst_nb", "sphinx_copybutton", "musicviz.course.build_site"]
templates_path = ["_templates"]
html_static_path = ["_static"]  # build_site adds the folder holding MathJax
html_css_files = ["musicviz-site.css"]
html_js_files = ["musicviz-site.js"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
root_doc = "index"
language = "en"

# Stored outputs only: never execute a notebook while building the site.
nb_execution_mode = "off"
nb_merge_streams = True
# Markdown outputs (00's map of the series is a table) are read as MyST: tables, math.
nb_render_markdown_format = "myst"
# The explorers are shown as their static view: no widget JavaScript (it would come from a CDN).
nb_ipywidgets_js = {}
myst_enable_extensions = ["dollarmath", "amsmath", "html_image"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type"]

# MathJax 2.7 from node_modules (copied into _static/mathjax by build_site): no CDN.
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
mathjax2_config = {"tex2jax": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]],
                               "processEscapes": True}, "CommonHTML": {"linebreaks": {"automatic": True}}}
mathjax3_config = None
myst_update_mathjax = False

copybutton_exclude = ".linenos, .gp, .go"
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme = "pydata_sphinx_theme"
html_sidebars = {"**": ["all-lessons"]}
html_theme_options = {
    "navbar_center": [],
    "navbar_end": ["theme-switcher"],
    "navbar_persistent": ["search-button-field"],
    "search_bar_text": "Search the course…",
    "secondary_sidebar_items": ["lesson-downloads", "page-toc"],
    "article_header_end": ["code-toggle"],
    "show_toc_level": 2,
    "footer_start": ["course-footer"],
    "footer_center": [],
    "footer_end": [],
    "show_prev_next": True,
    "navigation_with_keys": False,
    "collapse_navigation": True,
    "back_to_top_button": True,
}
html_context = {
    "mv_licence": _META.get("license", {}).get("text", ""),
    "mv_authors": author,
    "mv_version": version,
    "mv_date": _date(),
}
