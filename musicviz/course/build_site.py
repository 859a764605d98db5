"""The course site (``make html``, ``make run``): every lesson as a web page, from the notebooks' outputs, offline.

Notebook: every notebook (each becomes ``build/html/NN_topic.html``; nothing is executed).

``python -m musicviz.course.build_site [--build build] [--notebooks DIR] [--only GLOB] [--jobs N]``
builds ``build/html/index.html`` (the course's series map) and one page per notebook with
`Sphinx <https://www.sphinx-doc.org>`_, MyST-NB (notebooks with the outputs they hold,
``nb_execution_mode = "off"``) and the PyData Sphinx theme. This is the one way the lessons
become web pages: ``make html`` builds the site from the committed notebooks' stored outputs
(``notebooks/``, the default), ``make run`` (:mod:`musicviz.course.series`) from the copies it
has just executed (``--notebooks build/notebooks``). The site has page titles from each notebook's
``# NN · Title``, a sidebar of every lesson, an in-page table of contents, search (Sphinx's
index, in the page's own JavaScript: no server), copy buttons (sphinx-copybutton), the theme's
dark mode, links to download the notebook and the lesson's deck (``build/slides/``, made by
``make slides``), figure captions and alt text, and a footer with licence, authors, version
and date. The configuration (look, theme options, templates, CSS) is ``docs/site/``.

Offline: MathJax 2 is the npm copy (``node_modules/``, ``make assets``), copied into
``_static/mathjax``; the theme ships its fonts and icons; the explorers' widget JavaScript is
not loaded (their static view carries a "static — run it in JupyterLab" label). Nothing on a
page is fetched from outside ``build/``.

What the site shows of a notebook is :func:`musicviz.course.pages.site_notebook`; this module
stages those notebooks into ``build/.site/``, runs Sphinx on them and is itself the Sphinx
extension (listed in ``docs/site/conf.py``) that puts captions on the figures and the download
links on the pages.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings as _python_warnings
from pathlib import Path

from musicviz._io import atomic_write_text, project_root
from musicviz.course.pages import (
    NETWORK_WARNING,
    SITE_KEY,
    assets_available,
    copy_assets,
    estimated_time,
    site_notebook,
    title_of,
)
from musicviz.course.runner import series
from musicviz.errors import ParameterError

__all__ = ["SITE_CONF", "index_markdown", "stage", "lessons", "build_site", "main", "setup"]

#: The site's Sphinx configuration folder (``conf.py``, templates, CSS).
SITE_CONF = project_root() / "docs" / "site"
INTRO = (
    "A course in notebooks: from what a waveform shows to a network that has heard real music. "
    "Each lesson builds on the one before; every page here is the notebook with its stored "
    "outputs (figures, tables, audio players), readable offline. To run the code, move the "
    "explorers' controls and do the exercises, download the notebook and open it in JupyterLab "
    "(`make lab`)."
)


def _write_if_changed(path: Path, text: str) -> None:
    """Write ``text`` unless the file already holds it (Sphinx then rebuilds only what changed)."""
    if not (path.is_file() and path.read_text(encoding="utf-8") == text):
        atomic_write_text(path, text)


def index_markdown(notebooks, *, decks: dict[str, str], figures: str | None = None) -> str:
    """The MyST source of the site's ``index.html``: the series map and the toctree of every lesson.

    ``decks`` maps a notebook's stem to its deck's URL relative to the site (present decks only),
    ``figures`` is the URL of the figures' contact sheet (``make figures``, ``make run``), if any.

    Examples
    --------
    >>> from musicviz.course.build_site import index_markdown
    >>> from musicviz.course.runner import series
    >>> text = index_markdown(series("01_*"), decks={})
    >>> "[01 · Waveforms](01_waveforms.ipynb)" in text, "01_waveforms\\n```" in text
    (True, True)
    """
    import nbformat

    rows = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        stem = path.stem
        deck = f'<a href="{decks[stem]}">slides</a>' if stem in decks else "(`make slides`)"
        rows.append(f"| {stem.split('_', 1)[0]} | [{title_of(nb, path)}]({path.name}) | {estimated_time(nb)} "
                    f'| <a href="notebooks/{path.name}" download>{path.name}</a> | {deck} |')
    toctree = "\n".join(path.stem for path in notebooks)
    return "\n".join([
        "# musicviz: music genre classification, end to end",
        "",
        INTRO,
        "",
        "| # | lesson | time | notebook | deck |",
        "|---|---|---|---|---|",
        *rows,
        "",
        "**On these pages:** the sidebar lists every lesson and the right column the sections of "
        "the page; search (top) works without a network; the sun/moon button switches dark mode; "
        "code cells have a copy button. Slides: arrow keys move, <kbd>S</kbd> opens the speaker "
        "notes, <kbd>Esc</kbd> the overview.",
        "",
        *([f'**Figures:** every named figure of the series, exported for slides (SVG, PDF, PNG) with its '
           f'caption: <a href="{figures}">the contact sheet</a>.', ""] if figures else []),
        "```{toctree}",
        ":hidden:",
        ":maxdepth: 1",
        ":titlesonly:",
        "",
        toctree,
        "```",
        "",
    ])


def stage(build: Path, notebooks) -> Path:
    """Write the site's sources into ``build/.site/``; returns that folder.

    ``src/`` holds ``index.md`` and each notebook as the site shows it
    (:func:`~musicviz.course.pages.site_notebook`), ``extra/notebooks/`` the notebooks as they
    are (to download), ``static/mathjax`` MathJax from ``node_modules``. The index links the
    decks in ``build/slides/`` and the figures' contact sheet ``build/figures/index.html``
    that exist.

    Raises
    ------
    ParameterError
        No notebooks, or MathJax is not installed (``make assets``).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from musicviz.course.build_site import stage
    >>> from musicviz.course.runner import series
    >>> folder = stage(Path(tempfile.mkdtemp()), series("00_*"))  # doctest: +SKIP
    >>> sorted(p.name for p in (folder / "src").iterdir())  # doctest: +SKIP
    ['00_introduction.ipynb', 'index.md']
    """
    import nbformat

    notebooks = list(notebooks)
    if not notebooks:
        raise ParameterError("no notebooks to build the site from (check --only)")
    if not assets_available():
        raise ParameterError(NETWORK_WARNING.replace("warning: ", "") + "; the site needs MathJax: run `make assets`")
    site = Path(build) / ".site"
    src, downloads = site / "src", site / "extra" / "notebooks"
    for folder in (src, downloads):
        folder.mkdir(parents=True, exist_ok=True)
    wanted = {"index.md"}
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        _write_if_changed(src / path.name, nbformat.writes(site_notebook(nb)) + "\n")
        _write_if_changed(downloads / path.name, path.read_text(encoding="utf-8"))
        wanted.add(path.name)
    for stale in [*src.iterdir(), *downloads.iterdir()]:
        if stale.name not in wanted and stale.is_file():
            stale.unlink()
    decks = {path.stem: f"../slides/{path.stem}.slides.html" for path in notebooks
             if (Path(build) / "slides" / f"{path.stem}.slides.html").is_file()}
    figures = "../figures/index.html" if (Path(build) / "figures" / "index.html").is_file() else None
    _write_if_changed(src / "index.md", index_markdown(notebooks, decks=decks, figures=figures))
    copy_assets(site / "static", names=("mathjax",), folder="")
    return site


def lessons(source=None, *, only: str | None = None) -> list[Path]:
    """The notebooks of the series (those matching ``only``) as found in the folder ``source``.

    ``None``: the committed notebooks, ``notebooks/`` (their stored outputs). Another folder
    (``make run``: ``build/notebooks``, the executed copies) gives those of the series it holds,
    in the series' order; a notebook missing there (it did not run) is left out.

    Examples
    --------
    >>> import tempfile, shutil
    >>> from pathlib import Path
    >>> from musicviz.course.build_site import lessons
    >>> [p.name for p in lessons(only="0[01]_*")]
    ['00_introduction.ipynb', '01_waveforms.ipynb']
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = shutil.copy(lessons(only="01_*")[0], folder)
    >>> (folder / "notes.ipynb").write_text("{}")  # not a lesson of the series
    2
    >>> [str(p.relative_to(folder)) for p in lessons(folder)]
    ['01_waveforms.ipynb']
    """
    committed = series(only)
    if source is None:
        return committed
    return [Path(source) / p.name for p in committed if (Path(source) / p.name).is_file()]


def build_site(build: Path, *, source=None, only: str | None = None, jobs: int = 1, quiet: bool = True) -> Path:
    """Build the site into ``build/html`` from the notebooks in ``source``; returns ``build/html/index.html``.

    ``source``: the folder of notebooks whose outputs the pages show (:func:`lessons`; default
    ``notebooks/``, the stored outputs).

    Raises
    ------
    ParameterError
        Sphinx reported an error (the message names the log), or staging failed (:func:`stage`).

    Examples
    --------
    About 25 s for the whole series on 2 cores (a rebuild with nothing changed: about 10 s):

    >>> from musicviz.course.build_site import build_site
    >>> build_site("build", only="0[1-2]*").name  # doctest: +SKIP
    'index.html'
    """
    from sphinx.application import Sphinx
    from sphinx.util.console import nocolor
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    nocolor()

    build = Path(build).resolve()
    notebooks = lessons(source, only=only)
    site = stage(build, notebooks)
    out = build / "html"
    overrides = {
        "html_static_path": [str(SITE_CONF / "_static"), str(site / "static")],
        "html_extra_path": [str(site / "extra")],
        "mv_lessons": [path.stem for path in notebooks],
        "mv_slides_dir": str(build / "slides"),
    }
    log = site / "sphinx-warnings.log"
    with log.open("w", encoding="utf-8") as warnings, patch_docutils(SITE_CONF), docutils_namespace(), \
            _python_warnings.catch_warnings():
        # Sphinx's deprecation notices about its extensions are for their authors, not this build.
        _python_warnings.simplefilter("ignore", DeprecationWarning)
        _python_warnings.simplefilter("ignore", PendingDeprecationWarning)
        app = Sphinx(str(site / "src"), str(SITE_CONF), str(out), str(site / "doctrees"), "html",
                     confoverrides=overrides, status=None if quiet else sys.stdout, warning=warnings,
                     parallel=jobs)
        app.build()
    if app.statuscode:
        raise ParameterError(f"the site did not build (Sphinx status {app.statuscode}): see {log}")
    return out / "index.html"


# -- the Sphinx extension (docs/site/conf.py lists this module) ------------------------------


def _caption_figures(app, doctree, docname) -> None:
    """Each image output of a cell becomes a figure with its caption, which is also its alt text."""
    from docutils import nodes

    for cell in list(doctree.findall(nodes.container)):
        if cell.get("nb_element") != "cell_code":
            continue
        captions = ((cell.get("cell_metadata") or {}).get(SITE_KEY) or {}).get("captions") or []
        for image, caption in zip(list(cell.findall(nodes.image)), captions):
            image["alt"] = caption
            figure = nodes.figure("", classes=["mv-figure"])
            doctree.set_id(figure)  # figures carry an id (Sphinx's numbering asks for one)
            image.replace_self(figure)
            figure += image
            figure += nodes.caption(caption, caption)


def _downloads(app, pagename, templatename, context, doctree) -> None:
    """``mv_downloads`` for the ``lesson-downloads`` template: the notebook and the deck."""
    if pagename not in app.config.mv_lessons:
        return
    deck = Path(app.config.mv_slides_dir) / f"{pagename}.slides.html"
    context["mv_downloads"] = [
        ("Notebook (.ipynb)", f"notebooks/{pagename}.ipynb", ""),
        ("Slide deck", Path(os.path.relpath(deck, app.outdir)).as_posix(), "") if deck.is_file()
        else ("Slide deck", "", "not built yet (make slides, then make html)"),
    ]


def setup(app):
    """Register the captions, the download links and their configuration values with Sphinx.

    ``docs/site/conf.py`` lists this module in ``extensions``; Sphinx calls this.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from musicviz.course.build_site import setup
    >>> calls = []
    >>> app = SimpleNamespace(add_config_value=lambda *a: calls.append(a[0]), connect=lambda *a: calls.append(a[0]))
    >>> setup(app)["parallel_read_safe"], calls
    (True, ['mv_lessons', 'mv_slides_dir', 'doctree-resolved', 'html-page-context'])
    """
    app.add_config_value("mv_lessons", [], "html")
    app.add_config_value("mv_slides_dir", "", "html")
    app.connect("doctree-resolved", _caption_figures)
    app.connect("html-page-context", _downloads)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}


def main(argv=None) -> int:
    """``python -m musicviz.course.build_site [--build DIR] [--notebooks DIR] [--only GLOB] [--jobs N]``: 0 or 1.

    Examples
    --------
    >>> from musicviz.course.build_site import main
    >>> main(["--build", "build"])  # doctest: +SKIP
    site: .../build/html/index.html  (25 s, 0 warnings)
    0
    """
    parser = argparse.ArgumentParser(prog="python -m musicviz.course.build_site", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", type=Path, default=project_root() / "build", help="the build folder (default: build)")
    parser.add_argument("--notebooks", type=Path, default=None,
                        help="take the notebooks from this folder (default: notebooks/, their stored outputs; "
                             "make run: build/notebooks, the executed copies)")
    parser.add_argument("--only", default=None, help="glob of notebooks, e.g. '0[1-2]*' (default: every one)")
    parser.add_argument("--jobs", type=int, default=1, help="Sphinx processes (default 1)")
    parser.add_argument("--verbose", action="store_true", help="print Sphinx's progress")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        index = build_site(args.build, source=args.notebooks, only=args.only, jobs=args.jobs, quiet=not args.verbose)
    except ParameterError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    log = Path(args.build).resolve() / ".site" / "sphinx-warnings.log"
    warnings = [line for line in log.read_text(encoding="utf-8").splitlines() if "WARNING" in line or "ERROR" in line]
    for line in warnings:
        print(line, file=sys.stderr)
    print(f"site: {index}  ({time.perf_counter() - start:.0f} s, {len(warnings)} warnings)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
