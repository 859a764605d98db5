#!/usr/bin/env python
"""Turn every notebook into a reveal.js slide deck (``make slides``).

Slide breaks follow the notebooks' structure, so nobody has to tag cells by hand:

- every markdown cell that opens with a ``#``/``##`` heading starts a new slide, ``###`` a sub-slide;
- a cell whose output is a figure starts a sub-slide (the figure gets the screen, its code is
  hidden: the notebook has it);
- the navigation cells and the exercises' solution cells are skipped, and so are setup cells:
  cells tagged ``setup`` (or ``skip-slide``), and cells made only of imports, ``%`` magics,
  ``mv.plot.use_style()``, ``pd.set_option``, seeds, thread limits and environment settings;
- every slide fits the 960 x 700 canvas: content that would run past it continues on a
  sub-slide (below, arrow down), long markdown is split between paragraphs, text outputs longer
  than ``MAX_OUTPUT_LINES`` lines are cut short and shown in full in the speaker notes (press S),
  long code goes to the speaker notes, figures are scaled to the room left (a short text before
  a figure and its player after it stay on its slide), text in columns (a Keras summary, a
  training log) is set smaller to keep its columns, and long lines wrap instead of being clipped.

Figures come from the slide export (``make figures``): a cell that names its figure with
``mv.export.tag(fig, "name", ...)`` shows ``build/figures/<notebook>/<name>.png`` (16:9 preset,
fonts readable from the back of the hall) instead of the notebook-sized image, when that file
exists. Decks go to ``build/slides/NN_topic.slides.html`` and load reveal.js, require.js and
MathJax from ``build/assets/`` (``scripts/build_site.py``; npm packages pinned in
``package.json``), so they work offline. The executed copies from ``make run``
(``build/notebooks/``) are used when present, otherwise the committed notebooks.
"""

from __future__ import annotations

import argparse
import base64
import copy
import html
import re
import struct
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import build_site  # noqa: E402
from musicviz._io import atomic_write_text  # noqa: E402

#: Used only when the npm packages are not installed (the decks then need the network).
REVEAL_CDN = "https://unpkg.com/reveal.js@4.6.1"
FIGURES = ROOT / "build" / "figures"
_TAG = re.compile(r"""export\.tag\([^,]+,\s*["']([a-z0-9-]+)["']""")

#: The reveal.js canvas (px); every slide's content must fit in it.
CANVAS = (960, 700)
#: Estimated height a slide may fill (px): the canvas less a margin for the estimate's error.
BUDGET = 600
#: Text outputs longer than this are cut to ``SHOWN_LINES`` lines; the rest is in the notes.
MAX_OUTPUT_LINES = 12
SHOWN_LINES = 8
#: Wide text outputs are set in a smaller font, down to this fraction of the code font.
MIN_TEXT_SCALE = 0.6
CODE_FONT = 19  # px, nbconvert's reveal template
#: Code longer than this (after wrapping) goes to the speaker notes.
MAX_CODE_LINES = 14
#: Smallest height a figure is scaled down to (px) before other outputs move to a sub-slide.
MIN_FIGURE = 260
#: A cell at most this tall (px) after a figure stays with it (the figure shrinks).
KEEP_WITH_FIGURE = 200

# Rendered sizes on the canvas (px), measured in Chromium with the CSS below.
TEXT_LINE, TEXT_CHARS = 28, 84
CODE_LINE, CODE_CHARS, OUTPUT_CHARS = 23, 76, 70
H1, H2, H3 = (62, 30), (52, 38), (40, 50)  # (line height, characters per line)
HEADING_GAP = 0
BLOCK_GAP = 24
CELL_GAP = 12
AUDIO = 76
WIDGET = 90
TABLE_ROW, TABLE_HEAD = 27, 16
OUTPUT_PAD, INPUT_PAD, IMAGE_PAD, HTML_PAD = 22, 22, 48, 26

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
.reveal pre, .reveal .jp-InputArea-editor pre, .reveal .jp-OutputArea-output pre {
  white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-word;
}
.reveal .jp-OutputArea-output img { max-width: 100%; height: auto; }
.reveal .jp-RenderedHTMLCommon table { font-size: 16px; }
.reveal .jp-OutputArea-output { overflow-x: auto; }
.reveal aside.notes { display: none; }
.reveal .musicviz-more { color: #777; font-size: 18px; font-style: italic; }
.reveal pre.musicviz-small { white-space: pre; overflow-wrap: normal; word-break: normal; }
"""
TEMPLATE = (
    "{%- extends 'index.html.j2' -%}\n"
    "{%- block html_head_js_jquery -%}{%- endblock html_head_js_jquery -%}\n"
    "{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}\n"
    "{%- block html_head_css -%}\n<style type=\"text/css\">" + SLIDES_CSS + "</style>\n{%- endblock html_head_css -%}\n"
    # reveal.js is an AMD module here: expose it as window.Reveal too (tests, the console).
    "{%- block footer_js -%}\n{{ super() }}\n<script>require([\"{{ resources.reveal.url_prefix }}/dist/reveal.js\"],"
    " function (Reveal) { window.Reveal = Reveal; });</script>\n{%- endblock footer_js -%}\n"
)


def _has_figure(cell) -> bool:
    return any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))


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
    """The reveal.js slide type of one cell (before the fitting pass)."""
    meta = cell.get("metadata", {})
    if meta.get("musicviz") == "nav" or "solution" in meta.get("tags", []):
        return "skip"
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
    """Swap the images of tagged figures for their slide exports; returns how many were swapped."""
    swapped = 0
    for cell in nb.cells:
        names = _TAG.findall(cell.source) if cell.cell_type == "code" else []
        images = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        for name, output in zip(names, images):
            png = figures_dir / f"{name}.png"
            if png.is_file():
                output["data"]["image/png"] = base64.b64encode(png.read_bytes()).decode("ascii")
                output.setdefault("metadata", {})["image/png"] = {"width": 960}
                swapped += 1
    return swapped


# -- heights ---------------------------------------------------------------------------------


def _wrapped(lines, chars: int) -> int:
    return sum(max(1, -(-len(line.expandtabs()) // chars)) for line in lines)


def _text(output) -> str:
    if output.get("output_type") == "stream":
        return "".join(output.get("text", ""))
    if output.get("output_type") == "error":
        return "\n".join(output.get("traceback", []))
    return "".join(output.get("data", {}).get("text/plain", ""))


def png_size(data: str) -> tuple[int, int] | None:
    """Pixel size of a base64 PNG (from its header), or None."""
    try:
        head = base64.b64decode(data[:64])
    except ValueError:
        return None
    if head[:8] != b"\x89PNG\r\n\x1a\n" or len(head) < 24:
        return None
    return struct.unpack(">II", head[16:24])


def image_height(output) -> float:
    """Displayed height (px) of an image output: its width in the metadata or natural size."""
    size = png_size(output["data"]["image/png"])
    if size is None:
        return 400.0
    w, h = size
    shown = output.get("metadata", {}).get("image/png", {}).get("width") or w
    shown = min(float(shown), float(CANVAS[0]))
    return h * shown / w


def output_height(output) -> float:
    """Estimated height of one output on the canvas (px)."""
    data = output.get("data", {})
    small = output.get("metadata", {}).get("musicviz")
    if small:
        lines = _text(output).splitlines() or [""]
        return _wrapped(lines, int(OUTPUT_CHARS / small["scale"])) * CODE_LINE * small["scale"] + OUTPUT_PAD
    kind = output.get("output_type")
    if kind in ("stream", "error"):
        return _wrapped(_text(output).rstrip("\n").splitlines() or [""], OUTPUT_CHARS) * CODE_LINE + OUTPUT_PAD
    if "image/png" in data:
        return image_height(output) + IMAGE_PAD
    if "application/vnd.jupyter.widget-view+json" in data:
        return WIDGET
    if "text/html" in data:
        markup = "".join(data["text/html"])
        if "<audio" in markup:
            return AUDIO
        rows = markup.count("<tr")
        if rows:
            return TABLE_HEAD + rows * TABLE_ROW
        return _wrapped(re.sub(r"<[^>]+>", "", markup).splitlines() or [""], TEXT_CHARS) * TEXT_LINE + HTML_PAD
    if "text/markdown" in data:
        return markdown_height("".join(data["text/markdown"]))
    if "text/latex" in data:
        return 2 * TEXT_LINE
    return _wrapped(_text(output).splitlines() or [""], OUTPUT_CHARS) * CODE_LINE + OUTPUT_PAD


_ITEM = re.compile(r"\s*([-*+]|\d+\.)\s+")


def _shown(text: str) -> str:
    """Markdown source -> roughly the text shown (no link targets, markup or TeX commands)."""
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"\\[A-Za-z]+|\\.", "x", text)
    return re.sub(r"[*`$_{}\[\]]", "", text)


def markdown_height(source: str) -> float:
    """Estimated height of rendered markdown (px): paragraphs re-flowed, as the browser does."""
    height, blocks, paragraph, in_code = 0.0, 0, [], False
    previous_blank = True

    def flush():
        nonlocal height
        if paragraph:
            height += _wrapped([" ".join(paragraph)], TEXT_CHARS) * TEXT_LINE
            paragraph.clear()

    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            in_code = not in_code
            height += 8
            continue
        if in_code:
            height += CODE_LINE
            continue
        if not stripped:
            flush()
            previous_blank = True
            continue
        if previous_blank:
            blocks += 1
            previous_blank = False
        if stripped.startswith("#"):
            flush()
            level = len(stripped) - len(stripped.lstrip("#"))
            line_height, chars = H1 if level == 1 else H2 if level == 2 else H3
            height += _wrapped([_shown(stripped.lstrip("# "))], chars) * line_height + HEADING_GAP
        elif stripped.startswith("|"):
            flush()
            height += 0 if set(stripped) <= set("|-: ") else TABLE_ROW + 4
        elif stripped.startswith("$$"):
            flush()
            height += 2 * TEXT_LINE
        elif _ITEM.match(line):
            flush()
            paragraph.append("    " + _shown(_ITEM.sub("", line, count=1)))
        else:
            paragraph.append(_shown(stripped))
    flush()
    return height + blocks * BLOCK_GAP


def input_height(cell) -> float:
    if cell.cell_type != "code" or cell.metadata.get("transient", {}).get("remove_source"):
        return 0.0
    return _wrapped(cell.source.splitlines() or [""], CODE_CHARS) * CODE_LINE + INPUT_PAD


def cell_height(cell) -> float:
    """Estimated height of one cell on a slide (px)."""
    if cell.metadata.get("slideshow", {}).get("slide_type") in ("skip", "notes"):
        return 0.0
    if cell.cell_type == "markdown":
        return markdown_height(cell.source) + CELL_GAP
    if cell.cell_type != "code":
        return 0.0
    return input_height(cell) + sum(output_height(o) for o in cell.get("outputs", [])) + CELL_GAP


# -- fitting ---------------------------------------------------------------------------------


def _set_type(cell, kind: str):
    cell.metadata.setdefault("slideshow", {})["slide_type"] = kind
    return cell


def notes_cell(markdown: str):
    """A speaker-notes cell (shown by the notes plugin, press S)."""
    return _set_type(nbformat.v4.new_markdown_cell(markdown), "notes")


def _fence(text: str, lang: str = "") -> str:
    ticks = "````" if "```" in text else "```"
    return f"{ticks}{lang}\n{text.rstrip()}\n{ticks}"


def _more(text: str) -> dict:
    return nbformat.v4.new_output(
        "display_data",
        data={"text/html": f'<p class="musicviz-more">⋯ {text} in the speaker notes (press S)</p>',
              "text/plain": f"... {text} in the speaker notes"},
    )


def shorten_outputs(cell) -> list:
    """Cut text outputs longer than MAX_OUTPUT_LINES; returns notes cells with the full text."""
    notes, outputs, merged = [], [], []
    for output in cell.get("outputs", []):  # consecutive prints are one text, as in Jupyter
        last = merged[-1] if merged else None
        if last is not None and output.get("output_type") == "stream" and last.get("output_type") == "stream" \
                and last.get("name") == output.get("name"):
            merged[-1] = copy.deepcopy(last)
            merged[-1]["text"] = "".join(last["text"]) + "".join(output["text"])
        else:
            merged.append(output)
    for output in merged:
        is_text = output.get("output_type") in ("stream", "execute_result", "display_data") and not (
            set(output.get("data", {})) - {"text/plain"}
        )
        if not is_text:
            outputs.append(output)
            continue
        lines = _text(output).rstrip("\n").splitlines()
        scale = 1.0
        if _is_table(lines):  # columns must stay aligned: a smaller font instead of wrapping
            scale = min(1.0, max(MIN_TEXT_SCALE, OUTPUT_CHARS / max(len(line.expandtabs()) for line in lines)))
        shown = lines
        if _wrapped(lines, int(OUTPUT_CHARS / scale)) > MAX_OUTPUT_LINES:
            shown = lines[:SHOWN_LINES]
            notes.append(notes_cell("Full output:\n\n" + _fence("\n".join(lines))))
        if scale < 1.0:
            outputs.append(_small_text(shown, scale))
        elif shown is lines:
            outputs.append(output)
        else:
            short = copy.deepcopy(output)
            if short.get("output_type") == "stream":
                short["text"] = "\n".join(shown) + "\n"
            else:
                short["data"] = {"text/plain": "\n".join(shown) + "\n"}
            outputs.append(short)
        if shown is not lines:
            outputs.append(_more(f"{len(lines) - len(shown)} more lines"))
    cell.outputs = outputs
    return notes


def _is_table(lines) -> bool:
    """Text laid out in columns (a printed table, a training log, a Keras summary)."""
    return len(lines) >= 2 and sum(bool(re.search(r"\S {2,}\S|[|+]-|[─━│┃]", line)) for line in lines) >= 2


def _small_text(lines, scale: float) -> dict:
    """Text in a font ``scale`` times the code font, so that its longest line fits the slide."""
    output = nbformat.v4.new_output(
        "display_data",
        data={
            "text/html": f'<pre class="musicviz-small" style="font-size: {CODE_FONT * scale:.1f}px; '
                         f'line-height: {1.2 * CODE_FONT * scale:.1f}px">{html.escape(chr(10).join(lines))}</pre>',
            "text/plain": "\n".join(lines),
        },
    )
    output["metadata"] = {"musicviz": {"scale": round(scale, 3), "lines": len(lines)}}
    return output


def fit_figures(cell, room: float) -> None:
    """Scale the images of ``cell`` so that its outputs fit ``room`` px (not below MIN_FIGURE)."""
    images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
    if not images:
        return
    others = sum(output_height(o) for o in cell.outputs if o not in images)
    for output in images:
        size = png_size(output["data"]["image/png"])
        if size is None:
            continue
        w, h = size
        allowed = max(MIN_FIGURE, (room - others) / len(images) - IMAGE_PAD)
        if image_height(output) > allowed:
            output.setdefault("metadata", {})["image/png"] = {"width": int(w * allowed / h)}


def _is_lead_in(block: str) -> bool:
    lines = block.strip().splitlines()
    last = lines[-1].strip() if lines else ""
    return len(lines) == 1 and (last.startswith("#") or last.endswith(":") or re.fullmatch(r"\*\*[^*]+\*\*:?", last) is not None)


def split_markdown(cell) -> list:
    """Split a markdown cell taller than the budget between blocks (or list items)."""
    if markdown_height(cell.source) <= BUDGET:
        return [cell]
    blocks = re.split(r"\n\s*\n", cell.source.strip())
    pieces = []
    for block in blocks:
        if markdown_height(block) <= BUDGET:
            pieces.append(block)
            continue
        lines, current = block.splitlines(), []
        for line in lines:  # a long list: break before an item
            if current and re.match(r"\s*([-*+]|\d+\.)\s", line) and markdown_height("\n".join(current + [line])) > BUDGET:
                pieces.append("\n".join(current))
                current = []
            current.append(line)
        pieces.append("\n".join(current))
    # A lead-in (a heading, a bold line, a line ending with a colon) stays with what follows.
    merged = []
    for piece in pieces:
        if merged and _is_lead_in(merged[-1]):
            merged[-1] = merged[-1] + "\n\n" + piece
        else:
            merged.append(piece)
    # As few chunks as the budget allows, as even as possible (no lonely last line on a slide):
    # the smallest height cap that still gives that many chunks.
    def greedy(cap):
        chunks, current = [], []
        for piece in merged:
            if current and markdown_height("\n\n".join(current + [piece])) > cap:
                chunks.append("\n\n".join(current))
                current = []
            current.append(piece)
        return chunks + ["\n\n".join(current)]

    chunks = greedy(BUDGET)
    low, high = 0.0, float(BUDGET)
    while high - low > 8:
        middle = (low + high) / 2
        if len(greedy(middle)) <= len(chunks):
            high = middle
        else:
            low = middle
    chunks = greedy(high)
    cells = []
    for i, chunk in enumerate(chunks):
        part = copy.deepcopy(cell)
        part.source = chunk
        part["id"] = f"{cell.get('id', 'cell')}-{i}"
        if i:
            _set_type(part, "subslide")
        cells.append(part)
    return cells


def _is_label(output) -> bool:
    data = output.get("data", {})
    text = output.get("output_type") == "stream" or set(data) <= {"text/plain", "text/markdown"}
    return text and output_height(output) <= 2 * CODE_LINE + OUTPUT_PAD


def split_outputs(cell) -> list:
    """Split a code cell whose outputs are taller than the budget into cells of fitting outputs."""
    # A short text output (a label) stays with the output after it (its player, its figure).
    units, label = [], []
    for output in cell.outputs:
        if _is_label(output):
            units.extend([o] for o in label)  # only the last of several labels is kept with the next
            label = [output]
            continue
        units.append([*label, output])
        label = []
    units.extend([o] for o in label)
    parts, current, height = [], [], input_height(cell)
    for unit in units:
        h = sum(output_height(o) for o in unit)
        if current and height + h > BUDGET:
            parts.append(current)
            current, height = [], 0.0
        current.extend(unit)
        height += h
    parts.append(current)
    if len(parts) == 1:
        return [cell]
    cells = []
    for i, outputs in enumerate(parts):
        part = copy.deepcopy(cell)
        part.outputs = outputs
        part["id"] = f"{cell.get('id', 'cell')}-{i}"
        if i:
            part.metadata["transient"] = {"remove_source": True}
            _set_type(part, "subslide")
        cells.append(part)
    return cells


def fit_cell(cell) -> list:
    """One visible cell -> cells that each fit a slide, followed by their speaker notes."""
    if cell.cell_type == "markdown":
        return split_markdown(cell)
    if cell.cell_type != "code":
        return [cell]
    notes = shorten_outputs(cell)
    if _has_figure(cell):
        cell.metadata["transient"] = {"remove_source": True}  # the figure gets the screen
    elif _wrapped(cell.source.splitlines(), CODE_CHARS) > MAX_CODE_LINES and cell.outputs:
        cell.metadata["transient"] = {"remove_source": True}
        notes.insert(0, notes_cell("Code of this slide:\n\n" + _fence(cell.source, "python")))
        cell.outputs = [_more(f"the code ({len(cell.source.splitlines())} lines)"), *cell.outputs]
    fit_figures(cell, BUDGET - input_height(cell))
    return [*split_outputs(cell), *notes]


def shrink_figures(cell, excess: float) -> bool:
    """Scale the figures of ``cell`` down by ``excess`` px in all, if they stay >= MIN_FIGURE."""
    images = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {}) and png_size(o["data"]["image/png"])]
    if not images:
        return False
    cut = excess / len(images)
    if any(image_height(o) - cut < MIN_FIGURE for o in images):
        return False
    for output in images:
        w, h = png_size(output["data"]["image/png"])
        output.setdefault("metadata", {})["image/png"] = {"width": int(w * (image_height(output) - cut) / h)}
    return True


def _kind(cell) -> str:
    return cell.metadata.get("slideshow", {}).get("slide_type", "-")


def _leads_in(cell) -> bool:
    """A short markdown cell that introduces what follows (ends with a colon)."""
    return cell.cell_type == "markdown" and cell.source.rstrip().endswith(":") and cell_height(cell) <= KEEP_WITH_FIGURE


def pack(cells) -> None:
    """Start a sub-slide wherever the content would run past the budget.

    The short text before a figure (what to look for) and a short cell after it (its audio
    player) stay on the figure's slide, the figure scaled down to make room, as long as it
    stays readable (MIN_FIGURE); a lead-in ending with a colon moves on with what it introduces.
    """
    visible = [c for c in cells if _kind(c) not in ("skip", "notes")]
    for previous, cell in zip(visible, visible[1:]):  # the text before a figure joins it
        if _has_figure(cell) and _kind(cell) == "subslide" and previous.cell_type == "markdown" \
                and cell_height(previous) <= KEEP_WITH_FIGURE:
            _set_type(cell, "-")
            if _kind(previous) == "-":
                _set_type(previous, "subslide")
    height, figure, slide = 0.0, None, []
    for cell in visible:
        h = cell_height(cell)
        if _kind(cell) in ("slide", "subslide") or not slide:
            height, figure, slide = h, cell if _has_figure(cell) else None, [cell]
            continue
        if height + h <= BUDGET:
            height += h
            figure = figure or (cell if _has_figure(cell) else None)
            slide.append(cell)
            continue
        excess = height + h - BUDGET
        if figure is not None and h <= KEEP_WITH_FIGURE and shrink_figures(figure, excess):
            slide.append(cell)
        elif figure is None and _has_figure(cell) and height <= KEEP_WITH_FIGURE and shrink_figures(cell, excess):
            figure = cell
            slide.append(cell)
        else:
            lead = slide[-1] if len(slide) > 1 and _leads_in(slide[-1]) else None
            _set_type(lead or cell, "subslide")
            slide = [lead, cell] if lead is not None else [cell]
            figure = next((c for c in slide if _has_figure(c)), None)
        height = sum(cell_height(c) for c in slide)


def to_slides(nb, *, figures_dir: Path | None = None):
    """A copy of the notebook with slide metadata on every cell, fitted to the canvas."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        _set_type(cell, slide_type(cell))
    if figures_dir is not None:
        use_exported_figures(nb, figures_dir)
    cells = []
    for cell in nb.cells:
        if cell.metadata["slideshow"]["slide_type"] == "skip":
            cells.append(cell)
        else:
            cells.extend(fit_cell(cell))
    pack(cells)
    nb.cells = cells
    return nb


def slides_exporter(out_dir: Path):
    """A SlidesExporter whose decks in ``out_dir`` load everything from ``out_dir/../assets``."""
    import jinja2
    from nbconvert import SlidesExporter

    exporter = SlidesExporter(extra_loaders=[jinja2.DictLoader({"musicviz_slides.html.j2": TEMPLATE})])
    exporter.template_file = "musicviz_slides.html.j2"
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.reveal_width, exporter.reveal_height = str(CANVAS[0]), str(CANVAS[1])
    exporter.reveal_number = "c/t"
    build = Path(out_dir).parent
    if build_site.copy_assets(build) is None:
        print(build_site.NETWORK_WARNING, file=sys.stderr)
        exporter.reveal_url_prefix = REVEAL_CDN
        exporter.reveal_theme = "white"
    else:
        build_site.configure_exporter(exporter, assets=build_site.relative_assets(out_dir, build))
    return exporter


def write_deck(nb, target: Path, *, exporter, figures_dir: Path | None = None) -> int:
    """Write one deck; returns its number of slides."""
    deck = to_slides(nb, figures_dir=figures_dir)
    body, _ = exporter.from_notebook_node(deck)
    atomic_write_text(target, build_site.fix_links(body, ext=".slides.html"))
    return sum(1 for c in deck.cells if c.metadata["slideshow"]["slide_type"] in ("slide", "subslide"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "slides")
    parser.add_argument("--only", default="[0-9][0-9]*", help="glob of notebooks, e.g. '0[1-2]*'")
    parser.add_argument("--figures", type=Path, default=FIGURES, help="exported figures (default: build/figures)")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    exporter = slides_exporter(out)
    executed = out.parent / "notebooks"
    count = 0
    pattern = args.only if args.only.endswith(".ipynb") else f"{args.only}.ipynb"
    for path in sorted((ROOT / "notebooks").glob(pattern)):
        source = executed / path.name if (executed / path.name).exists() else path
        target = out / f"{path.stem}.slides.html"
        slides = write_deck(nbformat.read(source, as_version=4), target, exporter=exporter,
                            figures_dir=args.figures / path.stem)
        print(f"  {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}  ({slides} slides)")
        count += 1
    build_site.write_index(out.parent)
    print(f"{count} decks in {out}")
    return 0 if count else 1


if __name__ == "__main__":
    sys.exit(main())
