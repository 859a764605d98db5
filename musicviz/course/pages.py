"""The browsable build: offline JavaScript for the slide decks, their links, and what a
notebook becomes on the course site.

Notebook: every notebook (each gets a page on the course site, ``build/html/``).

The slide decks (``build/slides/``, :mod:`musicviz.course.slides`) load require.js, MathJax and
reveal.js from ``build/assets/`` by relative URLs, so they work offline (a classroom, an exam
room) and make no request that leaves the machine. The assets are the npm packages pinned in
``package.json`` / ``package-lock.json`` (``make assets`` runs ``npm ci``); only the files the
decks use are copied (MathJax alone is 71 MB unpacked, its used part 4 MB). Without
``node_modules/`` (no npm) the decks fall back to the CDNs and a warning says that they will
need the network.

The course site (``make html``, ``make run``: :mod:`musicviz.course.build_site`) is the one
way to get the lessons as web pages; it shows each notebook as :func:`site_notebook` makes it:
no navigation or speaker-notes cells, explorers labelled as a static view, every figure
captioned (:func:`figure_captions`, :func:`explorer_caption`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from musicviz._io import atomic_write_text, project_root
from musicviz.errors import ParameterError

__all__ = [
    "ASSETS",
    "ASSET_FILES",
    "NETWORK_WARNING",
    "NODE_MODULES",
    "assets_available",
    "copy_assets",
    "relative_assets",
    "configure_exporter",
    "fix_links",
    "is_nav",
    "title_of",
    "estimated_time",
    "STATIC_LABEL",
    "SITE_KEY",
    "WIDGET_VIEW",
    "is_notes",
    "figure_captions",
    "explorer_caption",
    "first_sentence",
    "site_notebook",
]

#: The folder under the build that holds the JavaScript (``build/assets``).
ASSETS = "assets"
#: Where ``npm ci`` (``make assets``) installs the packages.
NODE_MODULES = project_root() / "node_modules"

#: What the pages load: ``{folder or file under build/assets: (package folder, globs)}``.
ASSET_FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "requirejs": ("requirejs", ("require.js", "package.json")),
    "mathjax": (
        "mathjax",
        (
            "MathJax.js",
            "package.json",
            "LICENSE",
            "config/TeX-AMS_CHTML-full.js",
            "config/Safe.js",
            "extensions/**/*.js",
            "jax/input/TeX/**/*.js",
            "jax/element/**/*.js",
            "jax/output/CommonHTML/**/*.js",
            "fonts/HTML-CSS/TeX/woff/*.woff",
        ),
    ),
    "html-manager": (
        "@jupyter-widgets/html-manager",
        ("dist/embed-amd.js", "dist/*.woff", "dist/*.woff2", "package.json", "LICENSE*"),
    ),
    "reveal.js": (
        "reveal.js",
        (
            "dist/reveal.js",
            "dist/reveal.css",
            "dist/theme/white.css",
            "dist/theme/fonts/source-sans-pro/*.woff",
            "dist/theme/fonts/source-sans-pro/source-sans-pro.css",
            "dist/theme/fonts/source-sans-pro/LICENSE",
            "plugin/notes/notes.js",
            "package.json",
            "LICENSE",
        ),
    ),
}

#: What the decks do without local assets: load from nbconvert's default CDN addresses.
NETWORK_WARNING = (
    "warning: no node_modules/ (npm missing or `make assets` not run): the slide decks "
    "will load require.js, MathJax, the widget renderer and reveal.js from CDNs and need the network"
)

_NB_LINK = re.compile(r'href="(?:\./)?([0-9][0-9][a-z]?_[A-Za-z0-9_]+)\.ipynb(#[^"]*)?"')
_README_LINK = re.compile(r'href="(?:\./)?README\.md(#[^"]*)?"')


def assets_available(node_modules: Path = NODE_MODULES) -> bool:
    """True when every package the decks and the site need is installed in ``node_modules``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from musicviz.course.pages import assets_available
    >>> assets_available(Path(tempfile.mkdtemp()))
    False
    """
    return all((node_modules / package / "package.json").is_file() for package, _ in ASSET_FILES.values())


def copy_assets(build: Path, *, node_modules: Path = NODE_MODULES, names=None, folder: str = ASSETS) -> Path | None:
    """Copy the used parts of the npm packages into ``build/assets``; None when not installed.

    Files already there with the same size and modification time are not copied again.
    ``names`` picks some of :data:`ASSET_FILES` (default: all), ``folder`` the subfolder of
    ``build`` (``""``: ``build`` itself; the course site keeps MathJax in its ``_static``).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from musicviz.course.pages import copy_assets
    >>> copy_assets(tempfile.mkdtemp(), node_modules=Path(tempfile.mkdtemp())) is None  # nothing installed
    True
    """
    if not assets_available(node_modules):
        return None
    target = Path(build) / folder
    versions = {}
    for name, (package, globs) in ASSET_FILES.items():
        if names is not None and name not in names:
            continue
        source = node_modules / package
        versions[package] = json.loads((source / "package.json").read_text(encoding="utf-8"))["version"]
        for pattern in globs:
            for path in sorted(source.glob(pattern)):
                if not path.is_file():
                    continue
                dest = target / name / path.relative_to(source)
                stat = path.stat()
                if dest.is_file() and dest.stat().st_size == stat.st_size and dest.stat().st_mtime == stat.st_mtime:
                    continue
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest)
    atomic_write_text(target / "versions.json", json.dumps(versions, indent=2, sort_keys=True) + "\n")
    return target


def relative_assets(page_dir: Path, build: Path) -> str:
    """The URL of ``build/assets`` relative to a deck in ``page_dir`` (``../assets``).

    Examples
    --------
    >>> from musicviz.course.pages import relative_assets
    >>> relative_assets("build/slides", "build")
    '../assets'
    """
    return Path(os.path.relpath(Path(build) / ASSETS, Path(page_dir))).as_posix()


def configure_exporter(exporter, *, assets: str | None):
    """Point an nbconvert slides exporter at the local assets (URL ``assets``), if any.

    Examples
    --------
    >>> from nbconvert import SlidesExporter
    >>> from musicviz.course.pages import configure_exporter
    >>> exporter = configure_exporter(SlidesExporter(), assets="../assets")
    >>> exporter.require_js_url, exporter.reveal_url_prefix
    ('../assets/requirejs/require.js', '../assets/reveal.js')
    """
    if assets is None:
        return exporter
    exporter.require_js_url = f"{assets}/requirejs/require.js"
    exporter.mathjax_url = f"{assets}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
    exporter.widget_renderer_url = f"{assets}/html-manager/dist/embed-amd.js"
    if hasattr(exporter, "reveal_url_prefix"):
        exporter.reveal_url_prefix = f"{assets}/reveal.js"
        exporter.reveal_theme = "white"  # its font (Source Sans Pro) ships with reveal.js
    return exporter


def fix_links(body: str, *, ext: str = ".slides.html", contents: str = "../html/index.html") -> str:
    """Rewrite a deck's links to the notebooks: ``NN_x.ipynb`` -> ``NN_x<ext>`` (the other decks),
    ``README.md`` -> ``contents`` (the course site's index, from ``build/slides/``).

    Examples
    --------
    >>> from musicviz.course.pages import fix_links
    >>> fix_links('<a href="02_spectrograms.ipynb#stft">') + fix_links('<a href="README.md">')
    '<a href="02_spectrograms.slides.html#stft"><a href="../html/index.html">'
    """
    body = _NB_LINK.sub(lambda m: f'href="{m.group(1)}{ext}{m.group(2) or ""}"', body)
    return _README_LINK.sub(lambda m: f'href="{contents}"', body)


def is_nav(cell) -> bool:
    """True for a navigation cell (cell metadata ``{"musicviz": "nav"}``, written by ``make nav``).

    Examples
    --------
    >>> from musicviz.course.pages import is_nav
    >>> is_nav({"metadata": {"musicviz": "nav"}}), is_nav({"metadata": {}})
    (True, False)
    """
    return cell.get("metadata", {}).get("musicviz") == "nav"


def title_of(nb, path) -> str:
    """The notebook's title: the ``# `` heading of its first markdown cell that is not navigation.

    Raises
    ------
    ParameterError
        The notebook (``path``, named in the message) has no such heading.

    Examples
    --------
    >>> import nbformat
    >>> from musicviz.course.pages import title_of
    >>> title_of(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 01 · Waveforms")]), "01.ipynb")
    '01 · Waveforms'
    """
    for cell in nb.cells:
        if cell.cell_type == "markdown" and not is_nav(cell):
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise ParameterError(f"{Path(path).name}: no '# title' heading in its first markdown cell")


def estimated_time(nb) -> str:
    """The notebook's ``**Estimated time**`` (``"45 min"``), or ``""``.

    Examples
    --------
    >>> import nbformat
    >>> from musicviz.course.pages import estimated_time
    >>> estimated_time(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("**Estimated time**: 45 min.")]))
    '45 min'
    """
    for cell in nb.cells:
        match = re.search(r"\*\*Estimated time\*\*:?\s*([^\n]+)", cell.source) if cell.cell_type == "markdown" else None
        if match:
            return match.group(1).strip().rstrip(".")
    return ""


# -- the course site (``make html``: :mod:`musicviz.course.build_site`) ----------------------

#: The label every explorer carries on the site, where no kernel moves its controls.
STATIC_LABEL = "static — run it in JupyterLab"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: Cell metadata key where :func:`site_notebook` leaves each figure's caption, in output order.
SITE_KEY = "musicviz_site"


def is_notes(cell) -> bool:
    """True for a speaker-notes cell (``slideshow.slide_type == "notes"``): kept off the pages.

    Examples
    --------
    >>> from musicviz.course.pages import is_notes
    >>> is_notes({"metadata": {"slideshow": {"slide_type": "notes"}}}), is_notes({"metadata": {}})
    (True, False)
    """
    return (cell.get("metadata", {}).get("slideshow") or {}).get("slide_type") == "notes"


def _code_tree(source: str):
    import ast

    # IPython lines (%magic, !shell) are not Python: blank them, keep the line numbers.
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _text_of(node) -> str | None:
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):  # f"... {x} ...": the values are known only at run time
        return "".join(part.value if isinstance(part, ast.Constant) else "…" for part in node.values)
    return None


def figure_captions(source: str) -> list[str]:
    """The captions of the ``mv.export.tag(fig, name, caption=...)`` calls in a cell's code, in order.

    Examples
    --------
    >>> from musicviz.course.pages import figure_captions
    >>> figure_captions('ax = plot(y)\\nmv.export.tag(ax.figure, "one", caption="A whole clip.");')
    ['A whole clip.']
    >>> figure_captions("%matplotlib inline\\nx = 1")
    []
    """
    import ast

    tree = _code_tree(source)
    found = []
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "tag":
            for keyword in node.keywords:
                text = _text_of(keyword.value) if keyword.arg == "caption" else None
                if text:
                    found.append((node.lineno, node.col_offset, text.strip()))
    return [text for *_, text in sorted(found)]


def explorer_caption(source: str) -> str:
    """For a cell that calls an explorer of :mod:`musicviz.widgets`: its summary line, else ``""``.

    The explorers tag their figure with a caption known only at run time; the site says what the
    static view shows instead.

    Examples
    --------
    >>> from musicviz.course.pages import explorer_caption
    >>> explorer_caption("mv.widgets.knn_explorer(X, y, X2, y2)")
    'Static view at the default settings. A slider for the k of KNN: test accuracy and confusion matrix for each k.'
    >>> explorer_caption("print(1)")
    ''
    """
    import ast

    from musicviz import widgets

    tree = _code_tree(source)
    for node in ast.walk(tree) if tree is not None else ():
        name = getattr(getattr(node, "func", None), "attr", None) if isinstance(node, ast.Call) else None
        if name in widgets.__all__ and name.endswith("_explorer"):
            return "Static view at the default settings. " + getattr(widgets, name).__doc__.strip().splitlines()[0]
    return ""


def first_sentence(markdown: str) -> str:
    """The first sentence of a markdown cell as plain text (links, emphasis and code marks dropped).

    Examples
    --------
    >>> from musicviz.course.pages import first_sentence
    >>> first_sentence("## One clip\\n\\nThe **waveform** of [a clip](x.ipynb), `y`. Then more.")
    'The waveform of a clip, y.'
    >>> first_sentence("## One clip")
    'One clip'
    """
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    body = re.sub(r"^#+\s.*$", "", text, flags=re.M)  # headings name a section, not a figure
    text = body if body.strip() else re.sub(r"^#+\s*", "", text, flags=re.M)
    text = re.sub(r"[*_`>]+", "", text)
    text = " ".join(text.split())
    match = re.match(r"(.+?[.!?:])(\s|$)", text)
    return (match.group(1) if match else text)[:300]


def _static_label_output():
    import nbformat

    label = (f'<div class="mv-static-widget" role="note"><strong>Interactive explorer: {STATIC_LABEL}.</strong> '
             "Its controls need a running kernel; below is its view for the default settings.</div>")
    return nbformat.v4.new_output("display_data", data={"text/html": label})


def site_notebook(nb):
    """The notebook as the course site shows it (a copy; its stored outputs, nothing executed).

    Navigation cells (the site has its own) and speaker notes (``slide_type`` ``notes``) are
    dropped; an explorer's controls become a visible "static — run it in JupyterLab" label above
    its static view; every image output gets a caption (and alt text) in the cell's
    ``metadata["musicviz_site"]["captions"]``: the ``mv.export.tag`` caption of the cell, else
    the explorer's summary, else the first sentence of the markdown before it.

    Examples
    --------
    >>> import nbformat
    >>> from musicviz.course.pages import site_notebook
    >>> code = nbformat.v4.new_code_cell('mv.export.tag(fig, "a", caption="A clip.")')
    >>> code.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBO", "text/plain": "<Figure>"})]
    >>> notes = nbformat.v4.new_markdown_cell("Say this aloud.", metadata={"slideshow": {"slide_type": "notes"}})
    >>> page = site_notebook(nbformat.v4.new_notebook(cells=[notes, code]))
    >>> len(page.cells), page.cells[0].metadata["musicviz_site"]
    (1, {'captions': ['A clip.']})
    """
    import copy

    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)  # no widget state: nothing for a widget renderer to load
    cells, before = [], ""
    for cell in nb.cells:
        if is_nav(cell) or is_notes(cell):
            continue
        if cell.cell_type == "markdown":
            before = first_sentence(cell.source) or before
        elif cell.cell_type == "code":
            outputs = []
            for output in cell.get("outputs", []):
                if WIDGET_VIEW in output.get("data", {}):
                    outputs.append(_static_label_output())
                else:
                    outputs.append(output)
            cell.outputs = outputs
            images = sum(1 for o in outputs if any(k.startswith("image/") for k in o.get("data", {})))
            if images:
                named = figure_captions(cell.source) or [explorer_caption(cell.source) or before or "A figure of this lesson."]
                cell.metadata[SITE_KEY] = {"captions": [named[min(i, len(named) - 1)] for i in range(images)]}
        cells.append(cell)
    nb.cells = cells
    return nb
