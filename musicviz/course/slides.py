"""Turn every notebook into a reveal.js slide deck (``make slides``: ``scripts/slides.py``).

Notebook: every notebook (each becomes ``build/slides/NN_topic.slides.html``).

Slide breaks follow the notebooks' structure, so nobody has to tag cells by hand:

- every markdown cell that opens with a ``#``/``##`` heading starts a new slide, ``###`` a sub-slide;
- a cell whose output is a figure starts a sub-slide (the figure gets the screen, its code is
  hidden: the notebook has it);
- the navigation cells and the exercises' solution cells are skipped, and so are setup cells:
  cells tagged ``setup`` (or ``skip-slide``), and cells made only of imports, ``%`` magics,
  ``mv.plot.use_style()``, ``pd.set_option``, seeds, thread limits and environment settings;
- a markdown cell with ``{"slideshow": {"slide_type": "notes"}}`` (nbconvert's convention) holds
  talking points: the speaker notes (press S) of the slide it follows, never on a slide;
- every slide fits the 960 x 700 canvas and shows no text under 14 px
  (:data:`~musicviz.course.slide_layout.MIN_TEXT_PX`): content that would run past it continues
  on a sub-slide (below, arrow down), long markdown is split between paragraphs, text outputs
  too tall or too wide are set smaller (not under 14 px) and split over sub-slides (beyond
  ``MAX_TEXT_SLIDES``, one slide's worth and the rest in the notes), tables too wide are set
  smaller in the browser, code never wraps (long lines smaller, or to the notes; long code
  shows its first lines or nothing, the whole in the notes), and figures are scaled to the room
  left but not below the size where their text reads at 14 px (a short text before a figure
  and its player after it stay on its slide).

Figures come from the slide export (``make figures``): a cell that names its figure with
``mv.export.tag(fig, "name", ...)`` shows ``build/figures/<notebook>/<name>.png`` (16:9 preset,
fonts readable from the back of the hall) instead of the notebook-sized image, when that file
exists. Decks go to ``build/slides/NN_topic.slides.html`` and load reveal.js, require.js and
MathJax from ``build/assets/`` (:mod:`musicviz.course.pages`; npm packages pinned in
``package.json``), so they work offline. The executed copies from ``make run``
(``build/notebooks/``) are used when present, otherwise the committed notebooks. The fitting
to the canvas (splits, speaker notes, sub-slides) is :mod:`musicviz.course.slide_fit`, on the
height estimates of :mod:`musicviz.course.slide_layout`.
"""

from __future__ import annotations

import argparse
import base64
import copy
import re
import sys
from pathlib import Path

from musicviz._io import atomic_write_text, project_root
from musicviz.course import pages
from musicviz.course.runner import series
from musicviz.course.slide_fit import MAX_OUTPUT_LINES, _set_type, fit_cell, pack
from musicviz.course.slide_layout import CANVAS, MIN_TEXT_PX, SMALL_CODE_TAG, _has_figure

__all__ = [
    "REVEAL_CDN",
    "CANVAS",
    "MAX_OUTPUT_LINES",
    "SETUP_TAGS",
    "SLIDES_CSS",
    "TEMPLATE",
    "slide_type",
    "use_exported_figures",
    "to_slides",
    "slides_exporter",
    "write_deck",
    "main",
]

#: Used only when the npm packages are not installed (the decks then need the network).
REVEAL_CDN = "https://unpkg.com/reveal.js@4.6.1"
_TAG = re.compile(r"""export\.tag\([^,]+,\s*["']([a-z0-9-]+)["']""")

#: Cells tagged so are setup cells: never on a slide.
SETUP_TAGS = {"setup", "skip-slide"}
_SETUP_LINE = re.compile(
    r"""^(
        (import|from)\s.+                                   # imports
      | %\w.*                                               # magics (%matplotlib inline)
      | (mv\.)?plot\.use_style\(.*\)                        # the course style
      | pd\.set_option\(.*\)                                # pandas display options
      | (np\.)?random\.seed\(.*\) | random\.seed\(.*\)      # seeds
      | (tf\.random\.set_seed|keras\.utils\.set_random_seed|tf\.keras\.utils\.set_random_seed)\(.*\)
      | [A-Z_][A-Z0-9_]*\s*=\s*[^=].*                       # constants (SEED = 0)
      | _\w*\s*=\s*threadpool_limits\(.*\) | threadpool_limits\(.*\)
      | os\.environ(\.setdefault\(.*\)|\[.+\]\s*=.*)       # environment settings
      | warnings\.(filterwarnings|simplefilter)\(.*\)
    )$""",
    re.VERBOSE,
)

#: The deck's template: nbconvert's reveal template without jQuery (unused) and mermaid (an
#: ES module from a CDN), with the CSS that keeps content inside the canvas.
SLIDES_CSS = """
.reveal .slides section { text-align: left; }
.reveal .jp-OutputArea-output pre {
  white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-word;
}
.reveal .jp-InputArea-editor pre { white-space: pre; overflow-wrap: normal; word-break: normal; }
.reveal pre { box-sizing: border-box; max-width: 100%; }
.reveal .celltag_""" + SMALL_CODE_TAG + """ .jp-InputArea-editor pre { font-size: """ + str(MIN_TEXT_PX) + """px; line-height: 1.2; }
.reveal .jp-Cell, .reveal .jp-InputArea, .reveal .jp-InputArea-editor, .reveal .jp-CodeMirrorEditor,
.reveal .jp-OutputArea, .reveal .jp-OutputArea-child, .reveal .jp-OutputArea-output { box-sizing: border-box; max-width: 100%; min-width: 0; }
.reveal .jp-OutputArea-output img { max-width: 100%; height: auto; }
.reveal .jp-RenderedHTMLCommon table { font-size: 16px; }
.reveal .jp-OutputArea-output { overflow-x: auto; }
.reveal .widget-label { overflow: visible; }
.reveal aside.notes { display: none; }
.reveal .musicviz-more { color: #777; font-size: 18px; font-style: italic; }
.reveal pre.musicviz-small { white-space: pre; overflow-wrap: normal; word-break: normal; }
.reveal pre.musicviz-small.musicviz-wrap { white-space: pre-wrap; overflow-wrap: anywhere; }
"""
#: Run in the deck: a table wider than its slide is set smaller, down to MIN_TEXT_PX (the deck
#: builder cannot measure a table's width; ``tests/test_browser.py`` checks the result).
FIT_TABLES_JS = """
function musicvizFitTables(slide) {
  if (!slide) return;
  for (const box of slide.querySelectorAll('.jp-OutputArea-output')) {
    const table = box.querySelector('table');
    if (!table) continue;
    let px = parseFloat(getComputedStyle(table).fontSize);
    while (box.scrollWidth > box.clientWidth + 1 && px > """ + str(MIN_TEXT_PX) + """) {
      px = Math.max(""" + str(MIN_TEXT_PX) + """, px - 0.5);
      table.style.fontSize = px + 'px';
    }
  }
}
"""
TEMPLATE = (
    "{%- extends 'index.html.j2' -%}\n"
    "{%- block html_head_js_jquery -%}{%- endblock html_head_js_jquery -%}\n"
    "{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}\n"
    "{%- block html_head_css -%}\n<style type=\"text/css\">" + SLIDES_CSS + "</style>\n{%- endblock html_head_css -%}\n"
    # reveal.js is an AMD module here: expose it as window.Reveal too (tests, the console).
    "{%- block footer_js -%}\n{{ super() }}\n<script>" + FIT_TABLES_JS + "require([\"{{ resources.reveal.url_prefix }}/dist/reveal.js\"],"
    " function (Reveal) { window.Reveal = Reveal;"
    " Reveal.on('ready', e => musicvizFitTables(e.currentSlide));"
    " Reveal.on('slidechanged', e => musicvizFitTables(e.currentSlide));"
    " if (Reveal.isReady()) musicvizFitTables(Reveal.getCurrentSlide()); });</script>\n{%- endblock footer_js -%}\n"
)


def _is_setup(cell) -> bool:
    """Setup cells: tagged so, or made only of imports, magics, style, options, seeds, env."""
    if SETUP_TAGS & set(cell.get("metadata", {}).get("tags", [])):
        return True
    if cell.cell_type != "code":
        return False
    if "use_style(" in cell.source and not cell.get("outputs"):
        return True  # the course's setup cell (CONTRIBUTING.md), whatever else it sets up
    lines = [re.sub(r"\s+#.*$", "", line).strip() for line in cell.source.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    return bool(lines) and all(_SETUP_LINE.match(line) for line in lines)


def slide_type(cell) -> str:
    """The reveal.js slide type of one cell (before the fitting pass).

    Examples
    --------
    >>> import nbformat
    >>> from musicviz.course.slides import slide_type
    >>> [slide_type(nbformat.v4.new_markdown_cell(s)) for s in ("## Spectrograms", "### Zoom", "Look.")]
    ['slide', 'subslide', '-']
    >>> slide_type(nbformat.v4.new_code_cell("import numpy as np; import musicviz as mv"))  # setup
    'skip'
    """
    meta = cell.get("metadata", {})
    if pages.is_nav(cell) or "solution" in meta.get("tags", []):
        return "skip"
    if meta.get("slideshow", {}).get("slide_type") in ("notes", "skip"):
        return meta["slideshow"]["slide_type"]  # the author's talking points, or a cell left out
    if cell.cell_type == "markdown":
        first = cell.source.lstrip().split("\n", 1)[0]
        if first.startswith(("# ", "## ")):
            return "slide"
        return "subslide" if first.startswith("### ") else "-"
    if cell.cell_type == "code":
        if _is_setup(cell):
            return "skip"
        if _has_figure(cell):
            return "subslide"
    return "-"


def use_exported_figures(nb, figures_dir: Path) -> int:
    """Swap the images of tagged figures for their slide exports; returns how many were swapped.

    A cell that names its figure ``mv.export.tag(fig, "name", ...)`` shows
    ``figures_dir/<name>.png`` (the ``make figures`` export) when that file exists.

    Examples
    --------
    >>> import tempfile, nbformat
    >>> from pathlib import Path
    >>> from musicviz.course.slides import use_exported_figures
    >>> figures = Path(tempfile.mkdtemp())
    >>> _ = (figures / "genre-grid.png").write_bytes(b"PNG, slide-sized")
    >>> cell = nbformat.v4.new_code_cell('mv.export.tag(fig, "genre-grid");')
    >>> cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "c21hbGw="})]
    >>> use_exported_figures(nbformat.v4.new_notebook(cells=[cell]), figures)
    1
    """
    swapped = 0
    for cell in nb.cells:
        names = _TAG.findall(cell.source) if cell.cell_type == "code" else []
        images = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        for name, output in zip(names, images):
            png = Path(figures_dir) / f"{name}.png"
            if png.is_file():
                output["data"]["image/png"] = base64.b64encode(png.read_bytes()).decode("ascii")
                output.setdefault("metadata", {})["image/png"] = {"width": 960}
                swapped += 1
    return swapped


def to_slides(nb, *, figures_dir: Path | None = None):
    """A copy of the notebook with slide metadata on every cell, fitted to the canvas.

    ``figures_dir``: the notebook's exported figures (:func:`use_exported_figures`), if any.

    Examples
    --------
    >>> import nbformat
    >>> from musicviz.course.slides import to_slides
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(s) for s in ("## A", "text")])
    >>> [c.metadata["slideshow"]["slide_type"] for c in to_slides(nb).cells]
    ['slide', '-']
    >>> "slideshow" in nb.cells[0].metadata  # the notebook itself is left alone
    False
    """
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        _set_type(cell, slide_type(cell))
    if figures_dir is not None:
        use_exported_figures(nb, figures_dir)
    cells = []
    for cell in nb.cells:
        if cell.metadata["slideshow"]["slide_type"] in ("skip", "notes"):
            cells.append(cell)
        else:
            cells.extend(fit_cell(cell))
    pack(cells)
    nb.cells = cells
    return nb


def slides_exporter(out_dir: Path):
    """A SlidesExporter whose decks in ``out_dir`` load everything from ``out_dir/../assets``.

    Copies the assets first (:func:`musicviz.course.pages.copy_assets`); without them (no npm)
    the decks load reveal.js from :data:`REVEAL_CDN` and a warning is printed.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from musicviz.course.slides import slides_exporter
    >>> exporter = slides_exporter(Path(tempfile.mkdtemp()) / "slides")
    >>> exporter.reveal_width, exporter.reveal_height
    ('960', '700')
    """
    import jinja2
    from nbconvert import SlidesExporter

    exporter = SlidesExporter(extra_loaders=[jinja2.DictLoader({"musicviz_slides.html.j2": TEMPLATE})])
    exporter.template_file = "musicviz_slides.html.j2"
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.reveal_width, exporter.reveal_height = str(CANVAS[0]), str(CANVAS[1])
    exporter.reveal_number = "c/t"
    build = Path(out_dir).parent
    if pages.copy_assets(build) is None:
        print(pages.NETWORK_WARNING, file=sys.stderr)
        exporter.reveal_url_prefix = REVEAL_CDN
        exporter.reveal_theme = "white"
    else:
        pages.configure_exporter(exporter, assets=pages.relative_assets(out_dir, build))
    return exporter


def write_deck(nb, target: Path, *, exporter, figures_dir: Path | None = None) -> int:
    """Write one deck (links rewritten to the other decks); returns its number of slides.

    Examples
    --------
    >>> import tempfile, nbformat
    >>> from pathlib import Path
    >>> from musicviz.course.slides import slides_exporter, write_deck
    >>> out = Path(tempfile.mkdtemp()) / "slides"
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(s) for s in ("# 00 · A", "## B")])
    >>> write_deck(nb, out / "00_a.slides.html", exporter=slides_exporter(out))
    2
    """
    deck = to_slides(nb, figures_dir=figures_dir)
    body, _ = exporter.from_notebook_node(deck)
    atomic_write_text(target, pages.fix_links(body, ext=".slides.html"))
    return sum(1 for c in deck.cells if c.metadata["slideshow"]["slide_type"] in ("slide", "subslide"))




def main(argv=None) -> int:
    """``python scripts/slides.py [--out build/slides] [--only GLOB] [--figures DIR]``.

    Returns the exit status: 0 when at least one deck was written, 1 otherwise.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from musicviz.course.slides import main
    >>> main(["--out", str(Path(tempfile.mkdtemp()) / "slides"), "--only", "no-such-notebook"])  # doctest: +ELLIPSIS
    0 decks in ...
    1
    """
    import nbformat

    root = project_root()
    parser = argparse.ArgumentParser(prog="slides.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=root / "build" / "slides")
    parser.add_argument("--only", default="[0-9][0-9]*", help="glob of notebooks, e.g. '0[1-2]*'")
    parser.add_argument("--figures", type=Path, default=root / "build" / "figures",
                        help="exported figures (default: build/figures)")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    exporter = slides_exporter(out)
    executed = out.parent / "notebooks"
    count = 0
    for path in series(args.only):
        source = executed / path.name if (executed / path.name).exists() else path
        target = out / f"{path.stem}.slides.html"
        slides = write_deck(nbformat.read(source, as_version=4), target, exporter=exporter,
                            figures_dir=args.figures / path.stem)
        print(f"  {target.relative_to(root) if target.is_relative_to(root) else target}  ({slides} slides)")
        count += 1
    print(f"{count} decks in {out}")
    return 0 if count else 1
