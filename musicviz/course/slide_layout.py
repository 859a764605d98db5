"""The reveal.js canvas of the slide decks and how tall a cell is on it (estimated, in px).

Notebook: every notebook (each becomes a deck, :mod:`musicviz.course.slides`).

reveal.js scales a slide's canvas (:data:`CANVAS`, 960 x 700 px) to the screen but never
scrolls it: content that runs past its bottom is lost. No browser runs while a deck is made,
so the height of every cell is *estimated* from its source and outputs (:func:`markdown_height`,
:func:`output_height`, :func:`input_height`, :func:`cell_height`), with sizes measured once in
Chromium with the deck's CSS (:data:`musicviz.course.slides.SLIDES_CSS`); ``tests/test_browser.py``
checks every slide of the real decks against the canvas. :mod:`musicviz.course.slide_fit` uses
these estimates to fit each slide to the canvas.
"""

from __future__ import annotations

import base64
import re
import struct

__all__ = [
    "CANVAS",
    "CODE_FONT",
    "MIN_TEXT_PX",
    "SMALL_CODE_TAG",
    "FIGURE_FONTS",
    "png_size",
    "png_dpi",
    "figure_text_px",
    "readable_width",
    "image_height",
    "output_height",
    "markdown_height",
    "input_height",
    "cell_height",
]

#: The reveal.js canvas (px); every slide's content must fit in it.
CANVAS = (960, 700)
#: The font size of code and text outputs (px), nbconvert's reveal template.
CODE_FONT = 19
#: No text on a slide is smaller than this (px on the canvas): outputs, code and figures' text.
MIN_TEXT_PX = 14
#: The cell tag (class ``celltag_...`` in the deck) of code set in the smallest font.
SMALL_CODE_TAG = "musicviz-small-code"
SMALL_CODE_CHARS = int(76 * CODE_FONT / MIN_TEXT_PX)


def _figure_fonts() -> dict[int, float]:
    from musicviz.export import PRESETS
    from musicviz.plot import STYLE

    fonts = {int(STYLE["figure.dpi"]): float(STYLE["font.size"])}
    fonts.update({int(p["dpi"]): float(p["font_size"]) for p in PRESETS.values()})
    return fonts


#: The base font (pt) of a figure, by the resolution of its PNG (dpi): the notebooks' inline
#: figures (:data:`musicviz.plot.STYLE`) and the slide exports (:data:`musicviz.export.PRESETS`).
FIGURE_FONTS = _figure_fonts()

# Rendered sizes on the canvas (px), measured in Chromium with the deck's CSS
# (:data:`musicviz.course.slides.SLIDES_CSS`).
TEXT_LINE, TEXT_CHARS = 28, 84
CODE_LINE, CODE_CHARS, OUTPUT_CHARS = 23, 76, 70
H1, H2, H3 = (62, 30), (52, 38), (40, 50)  # (line height, characters per line)
HEADING_GAP = 0
BLOCK_GAP = 24
CELL_GAP = 12
AUDIO = 76
WIDGET = 90
TABLE_ROW, TABLE_HEAD, TABLE_CHARS = 27, 16, 80
OUTPUT_PAD, INPUT_PAD, IMAGE_PAD, HTML_PAD = 22, 22, 48, 26


def _has_figure(cell) -> bool:
    return any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))


def _wrapped(lines, chars: int) -> int:
    return sum(max(1, -(-len(line.expandtabs()) // chars)) for line in lines)


def _text(output) -> str:
    if output.get("output_type") == "stream":
        return "".join(output.get("text", ""))
    if output.get("output_type") == "error":
        return "\n".join(output.get("traceback", []))
    return "".join(output.get("data", {}).get("text/plain", ""))


def png_size(data: str) -> tuple[int, int] | None:
    """Pixel size ``(width, height)`` of a base64 PNG (from its header), or None.

    Examples
    --------
    >>> from musicviz.course.slide_layout import png_size
    >>> png_size("iVBORw0KGgoAAAANSUhEUgAAB4AAAAQ4")  # the header of a 1920 x 1080 PNG
    (1920, 1080)
    >>> png_size("c21hbGw=") is None  # not a PNG
    True
    """
    try:
        head = base64.b64decode(data[:64])
    except ValueError:
        return None
    if head[:8] != b"\x89PNG\r\n\x1a\n" or len(head) < 24:
        return None
    return struct.unpack(">II", head[16:24])


def png_dpi(data: str) -> int | None:
    """Resolution (dpi) of a base64 PNG from its ``pHYs`` chunk, or None.

    Examples
    --------
    >>> import base64, io
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from musicviz.course.slide_layout import png_dpi
    >>> fig = plt.figure(figsize=(1, 1), dpi=80)
    >>> buffer = io.BytesIO()
    >>> fig.savefig(buffer, format="png", dpi=80)
    >>> plt.close(fig)
    >>> png_dpi(base64.b64encode(buffer.getvalue()).decode())
    80
    """
    try:
        head = base64.b64decode(data[:400] + "=" * (-len(data[:400]) % 4), validate=False)
    except ValueError:
        return None
    k = head.find(b"pHYs")
    if head[:8] != b"\x89PNG\r\n\x1a\n" or k < 0 or len(head) < k + 13 or head[k + 12] != 1:
        return None
    return round(struct.unpack(">I", head[k + 4:k + 8])[0] * 0.0254)


def figure_text_px(output) -> float | None:
    """Size (px) of a figure's base font at the image's natural size, or None if unknown.

    A course figure's base font (tick and axis labels) is :data:`FIGURE_FONTS` by its dpi.

    Examples
    --------
    >>> from musicviz.course.slide_layout import FIGURE_FONTS, figure_text_px
    >>> round(FIGURE_FONTS[80] * 80 / 72, 1)  # an inline notebook figure: 10 pt at 80 dpi
    11.1
    """
    dpi = png_dpi(output["data"]["image/png"])
    if dpi is None or dpi not in FIGURE_FONTS:
        return None
    return FIGURE_FONTS[dpi] * dpi / 72


def readable_width(output) -> float | None:
    """The smallest width (px) at which the figure's base font is :data:`MIN_TEXT_PX` on the canvas.

    None when its size or font is unknown. May exceed the canvas (the figure cannot be read).
    """
    size = png_size(output["data"]["image/png"])
    text = figure_text_px(output)
    if size is None or not text:
        return None
    return size[0] * MIN_TEXT_PX / text


def image_height(output) -> float:
    """Displayed height (px) of an image output: its width in the metadata or natural size.

    The width is at most the canvas's; an image whose size is unknown counts 400 px.

    Examples
    --------
    >>> import nbformat
    >>> from musicviz.course.slide_layout import image_height
    >>> image_height(nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgoAAAANSUhEUgAAB4AAAAQ4"}))  # 1920 x 1080 at 960 px
    540.0
    """
    size = png_size(output["data"]["image/png"])
    if size is None:
        return 400.0
    w, h = size
    shown = output.get("metadata", {}).get("image/png", {}).get("width") or w
    shown = min(float(shown), float(CANVAS[0]))
    return h * shown / w


def output_height(output) -> float:
    """Estimated height of one output on the canvas (px).

    Examples
    --------
    >>> import nbformat
    >>> from musicviz.course.slide_layout import output_height
    >>> output_height(nbformat.v4.new_output("stream", text="two\\nlines\\n"))  # 2 x 23 px + padding
    68
    """
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
        rows = re.findall(r"<tr.*?</tr>", markup, flags=re.S)
        if rows:  # a row whose text is longer than a line of the table wraps its cells
            return TABLE_HEAD + sum(TABLE_ROW * max(1, -(-len(re.sub(r"<[^>]+>|\s+", " ", row).strip()) // TABLE_CHARS))
                                    for row in rows)
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
    """Estimated height of rendered markdown (px): paragraphs re-flowed, as the browser does.

    Examples
    --------
    >>> from musicviz.course.slide_layout import markdown_height
    >>> markdown_height("## A heading\\n\\nOne short paragraph.")
    128.0
    """
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
            height += 0 if set(stripped) <= set("|-: ") else (TABLE_ROW + 4) * max(1, -(-len(_shown(stripped)) // TABLE_CHARS))
        elif stripped.startswith("$$"):
            flush()
            height += 2 * TEXT_LINE
        elif _ITEM.match(line):  # every item starts a line, indented
            flush()
            paragraph.append("      " + _shown(_ITEM.sub("", line, count=1)))
        else:
            paragraph.append(_shown(stripped))
    flush()
    return height + blocks * BLOCK_GAP


def input_height(cell) -> float:
    """Estimated height of a code cell's input on a slide (px); 0 when it is hidden or not code.

    Examples
    --------
    >>> import nbformat
    >>> from musicviz.course.slide_layout import input_height
    >>> input_height(nbformat.v4.new_code_cell("x = 1")), input_height(nbformat.v4.new_markdown_cell("x"))
    (45, 0.0)
    """
    if cell.cell_type != "code" or cell.metadata.get("transient", {}).get("remove_source"):
        return 0.0
    if SMALL_CODE_TAG in cell.metadata.get("tags", []):
        lines = cell.source.splitlines() or [""]
        return _wrapped(lines, SMALL_CODE_CHARS) * CODE_LINE * MIN_TEXT_PX / CODE_FONT + INPUT_PAD
    return _wrapped(cell.source.splitlines() or [""], CODE_CHARS) * CODE_LINE + INPUT_PAD


def cell_height(cell) -> float:
    """Estimated height of one cell on a slide (px): input, outputs and the gap after it.

    Skipped cells and speaker notes take no room.

    Examples
    --------
    >>> import nbformat
    >>> from musicviz.course.slide_layout import cell_height
    >>> cell_height(nbformat.v4.new_code_cell("x = 1"))
    57
    """
    if cell.metadata.get("slideshow", {}).get("slide_type") in ("skip", "notes"):
        return 0.0
    if cell.cell_type == "markdown":
        return markdown_height(cell.source) + CELL_GAP
    if cell.cell_type != "code":
        return 0.0
    return input_height(cell) + sum(output_height(o) for o in cell.get("outputs", [])) + CELL_GAP
