"""The browsable build: offline JavaScript for the pages, their links, ``build/index.html``, and
what a notebook becomes on the course site.

Notebook: every notebook (each gets a page on the course site, ``build/html/``).

The slide decks (``build/slides/``) load require.js, MathJax and reveal.js from
``build/assets/`` by relative URLs, so they work offline (a classroom, an exam room) and make no
request that leaves the machine. The assets are the npm packages pinned in ``package.json`` /
``package-lock.json`` (``make assets`` runs ``npm ci``); only the files the pages use are copied
(MathJax alone is 71 MB unpacked, its used part 4 MB). Without ``node_modules/`` (no npm) the
decks fall back to the CDNs and a warning says that they will need the network.

The course site (``make html``, :mod:`musicviz.course.build_site`) shows each notebook as
:func:`site_notebook` makes it: no navigation or speaker-notes cells, explorers labelled as a
static view, every figure captioned (:func:`figure_captions`, :func:`explorer_caption`).
:func:`html_exporter` / :func:`export_html` are nbconvert's single-page export, kept for
``make run`` (:mod:`musicviz.course.series`) and ``make screenshots`` until they use the site.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import sys
from pathlib import Path

from musicviz._io import atomic_write_text, project_root
from musicviz.course.runner import series
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
    "html_exporter",
    "fix_links",
    "export_html",
    "is_nav",
    "title_of",
    "estimated_time",
    "index_page",
    "write_index",
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

#: The CDN addresses nbconvert uses by default (what the pages need without local assets).
NETWORK_WARNING = (
    "warning: no node_modules/ (npm missing or `make assets` not run): the HTML pages and slides "
    "will load require.js, MathJax, the widget renderer and reveal.js from CDNs and need the network"
)

_NB_LINK = re.compile(r'href="(?:\./)?([0-9][0-9][a-z]?_[A-Za-z0-9_]+)\.ipynb(#[^"]*)?"')
_README_LINK = re.compile(r'href="(?:\./)?README\.md(#[^"]*)?"')


def assets_available(node_modules: Path = NODE_MODULES) -> bool:
    """True when every package the pages need is installed in ``node_modules``.

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
    """The URL of ``build/assets`` relative to a page in ``page_dir`` (``../assets``).

    Examples
    --------
    >>> from musicviz.course.pages import relative_assets
    >>> relative_assets("build/html", "build")
    '../assets'
    """
    return Path(os.path.relpath(Path(build) / ASSETS, Path(page_dir))).as_posix()


def configure_exporter(exporter, *, assets: str | None):
    """Point an nbconvert HTML/slides exporter at the local assets (URL ``assets``), if any.

    Examples
    --------
    >>> from nbconvert import HTMLExporter
    >>> from musicviz.course.pages import configure_exporter
    >>> configure_exporter(HTMLExporter(), assets="../assets").require_js_url
    '../assets/requirejs/require.js'
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


def html_exporter(build: Path, *, page_dir: Path | None = None, quiet: bool = False):
    """An ``HTMLExporter`` for pages in ``build/html`` that loads everything from ``build/assets``.

    Copies the assets first; without them (no npm) the exporter keeps nbconvert's CDN addresses
    and a warning is printed (unless ``quiet``).

    Examples
    --------
    >>> import tempfile
    >>> from musicviz.course.pages import html_exporter
    >>> type(html_exporter(tempfile.mkdtemp(), quiet=True)).__name__
    'HTMLExporter'
    """
    from nbconvert import HTMLExporter

    build = Path(build)
    have = copy_assets(build) is not None
    if not have and not quiet:
        print(NETWORK_WARNING, file=sys.stderr)
    page_dir = build / "html" if page_dir is None else page_dir
    return configure_exporter(HTMLExporter(), assets=relative_assets(page_dir, build) if have else None)


def fix_links(body: str, *, ext: str = ".html", contents: str = "../index.html") -> str:
    """Rewrite the notebooks' links for the build: ``NN_x.ipynb`` -> ``NN_x<ext>``, ``README.md`` -> ``contents``.

    Examples
    --------
    >>> from musicviz.course.pages import fix_links
    >>> fix_links('<a href="02_spectrograms.ipynb#stft">') + fix_links('<a href="README.md">')
    '<a href="02_spectrograms.html#stft"><a href="../index.html">'
    """
    body = _NB_LINK.sub(lambda m: f'href="{m.group(1)}{ext}{m.group(2) or ""}"', body)
    return _README_LINK.sub(lambda m: f'href="{contents}"', body)


def export_html(nb, target: Path, *, exporter) -> Path:
    """Write one notebook (executed, with outputs) as an HTML page with build links.

    Examples
    --------
    >>> import tempfile, nbformat
    >>> from pathlib import Path
    >>> from musicviz.course.pages import export_html, html_exporter
    >>> build = Path(tempfile.mkdtemp())
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("[next](01_waveforms.ipynb)")])
    >>> page = export_html(nb, build / "html" / "00.html", exporter=html_exporter(build, quiet=True))
    >>> 'href="01_waveforms.html"' in page.read_text()
    True
    """
    body, _ = exporter.from_notebook_node(nb)
    return atomic_write_text(target, fix_links(body))


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


def index_page(build, *, notebooks=None) -> str:
    """The HTML of ``build/index.html``: the series with links to what exists in ``build``.

    Examples
    --------
    >>> import tempfile
    >>> from musicviz.course.pages import index_page
    >>> "(no page: it did not execute)" in index_page(tempfile.mkdtemp())
    True
    """
    import nbformat

    build = Path(build)
    paths = series() if notebooks is None else list(notebooks)
    rows = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        title, minutes = title_of(nb, path), estimated_time(nb)
        page, deck = build / "html" / f"{path.stem}.html", build / "slides" / f"{path.stem}.slides.html"
        cell_title = (
            f'<a href="html/{html.escape(page.name)}">{html.escape(title)}</a>'
            if page.is_file()
            else f'{html.escape(title)} <span class="missing">(no page: it did not execute)</span>'
        )
        cell_deck = f'<a href="slides/{html.escape(deck.name)}">slides</a>' if deck.is_file() else ""
        rows.append(f"<tr><td>{html.escape(path.stem.split('_', 1)[0])}</td><td>{cell_title}</td>"
                    f"<td>{cell_deck}</td><td>{html.escape(minutes)}</td></tr>")
    extras = []
    if (build / "html" / "index.html").is_file():
        extras.append('<li><a href="html/index.html">The course site</a>: every lesson with search, '
                      "a sidebar, downloads of the notebooks and decks (<code>make html</code>)</li>")
    if (build / "figures" / "index.html").is_file():
        extras.append('<li><a href="figures/index.html">Figures</a>: every named figure, exported for slides '
                      "(SVG, PDF, PNG), with its caption</li>")
    if any((build / "slides").glob("*.slides.html")):
        extras.append("<li>Slides: arrow keys move between slides, <kbd>S</kbd> opens the speaker notes "
                      "(long outputs are there), <kbd>Esc</kbd> shows the overview</li>")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
        "<title>musicviz: music genre classification, end to end</title>",
        "<style>",
        "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:60em;color:#222;padding:0 1em}",
        "table{border-collapse:collapse}td,th{padding:.35em .8em;border-bottom:1px solid #ddd;text-align:left}",
        ".missing{color:#a00;font-size:.9em}",
        "</style></head><body>",
        "<h1>musicviz: music genre classification, end to end</h1>",
        "<p>The notebooks of the series, executed, in order. Every page works offline.</p>",
        '<table><thead><tr><th>#</th><th>notebook</th><th>deck</th><th>time</th></tr></thead><tbody>',
        *rows,
        "</tbody></table>",
    ]
    if extras:
        parts += ["<ul>", *extras, "</ul>"]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_index(build) -> Path:
    """Write ``build/index.html`` (links only to pages, decks and figures that exist).

    Examples
    --------
    >>> import tempfile
    >>> from musicviz.course.pages import write_index
    >>> write_index(tempfile.mkdtemp()).name
    'index.html'
    """
    return atomic_write_text(Path(build) / "index.html", index_page(Path(build)))


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
