"""Fitting a slide deck to the reveal.js canvas: splits, speaker notes and sub-slides.

Notebook: every notebook (each becomes a deck, :mod:`musicviz.course.slides`).

Every slide must fit the canvas (:data:`musicviz.course.slide_layout.CANVAS`); the heights are
the estimates of :mod:`musicviz.course.slide_layout`, and a slide may fill :data:`BUDGET` px of
them (the rest is a margin for the estimates' error):

- :func:`fit_cell`: one cell -> cells that each fit the budget: long markdown is split between
  paragraphs (:func:`split_markdown`), text outputs longer than :data:`MAX_OUTPUT_LINES` are cut
  short with the full text in the speaker notes (:func:`shorten_outputs`), long code goes to the
  notes, figures are scaled to the room left (:func:`fit_figures`), text in columns is set
  smaller, and outputs that do not fit go on sub-slides (:func:`split_outputs`);
- :func:`pack`: starts a sub-slide wherever the content would run past the budget, keeping a
  figure with the short text before it and its player after it (:func:`shrink_figures`).

The slide type of each cell is cell metadata ``slideshow.slide_type`` (``slide``,
``subslide``, ``-``, ``skip``, ``notes``), as nbconvert's slides exporter reads it.
"""

from __future__ import annotations

import copy
import html
import math
import re

from musicviz.course.slide_layout import (
    CODE_CHARS,
    CODE_FONT,
    CODE_LINE,
    IMAGE_PAD,
    MIN_TEXT_PX,
    OUTPUT_CHARS,
    OUTPUT_PAD,
    SMALL_CODE_CHARS,
    SMALL_CODE_TAG,
    CANVAS,
    _has_figure,
    _text,
    _wrapped,
    cell_height,
    image_height,
    input_height,
    markdown_height,
    output_height,
    png_size,
    readable_width,
)

__all__ = [
    "BUDGET",
    "MAX_OUTPUT_LINES",
    "MIN_TEXT_SCALE",
    "MAX_CODE_LINES",
    "SHOWN_CODE_LINES",
    "MAX_TEXT_SLIDES",
    "MIN_FIGURE",
    "KEEP_WITH_FIGURE",
    "notes_cell",
    "shorten_outputs",
    "fit_figures",
    "split_markdown",
    "split_outputs",
    "fit_code",
    "fit_cell",
    "shrink_figures",
    "pack",
]

#: Estimated height a slide may fill (px): the canvas less a margin for the estimate's error.
BUDGET = 600
#: Text outputs longer than this are set smaller (down to MIN_TEXT_SCALE) or split.
MAX_OUTPUT_LINES = 12
#: A text output that would need more than MAX_TEXT_SLIDES slides shows what fits one slide;
#: the whole text is in the speaker notes.
MAX_TEXT_SLIDES = 3
#: Text outputs are set in a smaller font, down to this fraction of the code font (14 px).
MIN_TEXT_SCALE = MIN_TEXT_PX / CODE_FONT
#: Code longer than this goes to the speaker notes; the slide shows its first SHOWN_CODE_LINES.
MAX_CODE_LINES = 14
SHOWN_CODE_LINES = 6
#: Height a text output may fill on one slide (px), leaving room for a line of text above it.
TEXT_ROOM = BUDGET - 80
#: Smallest height (px) a figure of unknown font is scaled down to; a course figure is never
#: scaled below the width at which its text is MIN_TEXT_PX (:func:`readable_width`).
MIN_FIGURE = 260
#: Tallest a figure is shown (px): alone on its slide, within the canvas.
MAX_FIGURE = CANVAS[1] - IMAGE_PAD - 30
#: A cell at most this tall (px) after a figure stays with it (the figure shrinks).
KEEP_WITH_FIGURE = 200


def _set_type(cell, kind: str):
    cell.metadata.setdefault("slideshow", {})["slide_type"] = kind
    return cell


def notes_cell(markdown: str):
    """A speaker-notes cell (shown by the notes plugin, press S).

    Examples
    --------
    >>> from musicviz.course.slide_fit import notes_cell
    >>> notes_cell("Full output: ...").metadata
    {'slideshow': {'slide_type': 'notes'}}
    """
    import nbformat

    return _set_type(nbformat.v4.new_markdown_cell(markdown), "notes")


def _fence(text: str, lang: str = "") -> str:
    ticks = "````" if "```" in text else "```"
    return f"{ticks}{lang}\n{text.rstrip()}\n{ticks}"


def _more(text: str) -> dict:
    import nbformat

    return nbformat.v4.new_output(
        "display_data",
        data={"text/html": f'<p class="musicviz-more">⋯ {text} in the speaker notes (press S)</p>',
              "text/plain": f"... {text} in the speaker notes"},
    )


def _text_rows(lines, scale: float, wrap: bool) -> int:
    return _wrapped(lines, int(OUTPUT_CHARS / scale)) if wrap else len(lines)


def _text_layout(lines, room: float) -> tuple[float, bool]:
    """The font scale and wrapping of a text output so that it fits ``room`` px, if it can.

    Text in columns keeps its lines (a smaller font) unless even MIN_TEXT_SCALE cannot hold
    them: then it wraps. Text taller than ``room`` is set smaller, down to MIN_TEXT_SCALE.
    """
    longest = max((len(line.expandtabs()) for line in lines), default=1)
    wrap = not _is_table(lines)
    scale = 1.0 if wrap else min(1.0, OUTPUT_CHARS / max(longest, 1))
    if scale < MIN_TEXT_SCALE:
        scale, wrap = MIN_TEXT_SCALE, True
    for _ in range(3):  # rows depend on the scale when lines wrap
        height = _text_rows(lines, scale, wrap) * CODE_LINE * scale
        if height <= room or scale <= MIN_TEXT_SCALE:
            break
        scale = max(MIN_TEXT_SCALE, scale * room / height)
    return scale, wrap


def shorten_outputs(cell, *, room: float = TEXT_ROOM) -> list:
    """Fit text outputs to the slide; returns notes cells with the full text of those cut short.

    Consecutive prints to one stream are one text, as in Jupyter. A text taller than ``room``
    or in columns too wide for the slide (a table, a Keras summary, a training log) is set in a
    smaller font, never below :data:`MIN_TEXT_SCALE` (14 px); still too tall, it is split into
    parts that each fill a slide (:func:`split_outputs` puts them on sub-slides), and beyond
    :data:`MAX_TEXT_SLIDES` slides the first part is shown and the whole text goes to the notes.
    No line is cut at the right: a line too long even at the smallest font wraps.

    Examples
    --------
    >>> import nbformat
    >>> from musicviz.course.slide_fit import shorten_outputs
    >>> cell = nbformat.v4.new_code_cell("train()")
    >>> cell.outputs = [nbformat.v4.new_output("stream", text="".join(f"epoch {i}\\n" for i in range(24)))]
    >>> shorten_outputs(cell), len(cell.outputs), cell.outputs[0]["metadata"]["musicviz"]  # 24 lines at 16 px
    ([], 1, {'scale': 0.819, 'lines': 24, 'wrap': True})
    >>> cell.outputs = [nbformat.v4.new_output("stream", text="".join(f"epoch {i}\\n" for i in range(300)))]
    >>> notes = shorten_outputs(cell)
    >>> len(notes), cell.outputs[-1]["data"]["text/plain"]
    (1, '... 274 more lines in the speaker notes')
    """
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
        lines = _text(output).rstrip("\n").splitlines() or [""]
        usable = room - OUTPUT_PAD - 2 * CODE_LINE  # with room for a ⋯ line
        scale, wrap = _text_layout(lines, usable)
        if scale == 1.0 and wrap and _text_rows(lines, scale, wrap) <= MAX_OUTPUT_LINES:
            outputs.append(output)  # as it is: short, and wraps like prose
            continue
        per_slide = max(1, int(usable / (CODE_LINE * scale)))
        parts, current = [], []
        for line in lines:  # parts of at most one slide's rows
            if current and _text_rows(current + [line], scale, wrap) > per_slide:
                parts.append(current)
                current = []
            current.append(line)
        parts.append(current)
        if len(parts) > MAX_TEXT_SLIDES:
            notes.append(notes_cell("Full output:\n\n" + _fence("\n".join(lines))))
            outputs.append(_small_text(parts[0], scale, wrap))
            outputs.append(_more(f"{len(lines) - len(parts[0])} more lines"))
            continue
        outputs.extend(_small_text(part, scale, wrap) for part in parts)
    cell.outputs = outputs
    return notes


def _is_table(lines) -> bool:
    """Text laid out in columns (a printed table, a training log, a Keras summary)."""
    return len(lines) >= 2 and sum(bool(re.search(r"\S {2,}\S|[|+]-|[─━│┃]", line)) for line in lines) >= 2


def _small_text(lines, scale: float, wrap: bool = False) -> dict:
    """Text in a font ``scale`` times the code font; in columns (``wrap=False``) or wrapping."""
    import nbformat

    kind = "musicviz-small musicviz-wrap" if wrap else "musicviz-small"
    output = nbformat.v4.new_output(
        "display_data",
        data={
            "text/html": f'<pre class="{kind}" style="font-size: {CODE_FONT * scale:.1f}px; '
                         f'line-height: {1.2 * CODE_FONT * scale:.1f}px">{html.escape(chr(10).join(lines))}</pre>',
            "text/plain": "\n".join(lines),
        },
    )
    output["metadata"] = {"musicviz": {"scale": round(scale, 3), "lines": len(lines), "wrap": wrap}}
    return output


def _floor_width(output) -> float:
    """The narrowest a figure may be shown (px): its text at MIN_TEXT_PX, or MIN_FIGURE tall."""
    w, h = png_size(output["data"]["image/png"])
    readable = readable_width(output)
    return readable if readable is not None else w * MIN_FIGURE / h


def _set_width(output, width: float, *, others: float = 0.0) -> None:
    w, h = png_size(output["data"]["image/png"])
    width = min(width, CANVAS[0], w * (MAX_FIGURE - others) / h)  # within the canvas
    output.setdefault("metadata", {})["image/png"] = {"width": math.ceil(width)}


def fit_figures(cell, room: float) -> None:
    """Size the images of ``cell``: readable (text >= MIN_TEXT_PX), and within ``room`` px if they can.

    A figure is enlarged to the width at which its base font is :data:`MIN_TEXT_PX` on the
    canvas (:func:`musicviz.course.slide_layout.readable_width`), scaled down to fit the room
    but never below that width, and never beyond the canvas. A figure that cannot be read
    within the canvas is shown as large as the canvas allows, alone on its slide.

    Examples
    --------
    >>> import nbformat
    >>> from musicviz.course.slide_fit import fit_figures
    >>> cell = nbformat.v4.new_code_cell("plot()")
    >>> cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgoAAAANSUhEUgAAB4AAAAQ4"})]
    >>> fit_figures(cell, 400)
    >>> cell.outputs[0].metadata  # the width that makes it 352 px tall
    {'image/png': {'width': 626}}
    """
    images = [o for o in cell.outputs if "image/png" in o.get("data", {}) and png_size(o["data"]["image/png"])]
    if not images:
        return
    others = sum(output_height(o) for o in cell.outputs if o not in images)
    for output in images:
        w, h = png_size(output["data"]["image/png"])
        shown = output.get("metadata", {}).get("image/png", {}).get("width") or w
        floor = _floor_width(output)
        fits = w * max(0.0, (room - others) / len(images) - IMAGE_PAD) / h
        width = max(floor, min(float(shown), float(CANVAS[0]), fits))
        if abs(width - min(float(shown), float(CANVAS[0]))) >= 1 or image_height(output) > MAX_FIGURE - others:
            _set_width(output, width, others=others)


def _is_lead_in(block: str) -> bool:
    lines = block.strip().splitlines()
    last = lines[-1].strip() if lines else ""
    return len(lines) == 1 and (last.startswith("#") or last.endswith(":") or re.fullmatch(r"\*\*[^*]+\*\*:?", last) is not None)


def split_markdown(cell) -> list:
    """Split a markdown cell taller than the budget between blocks (or list items).

    A lead-in (a heading, a bold line, a line ending with a colon) stays with what follows;
    the pieces are as few as the budget allows and as even as possible. Every piece after the
    first starts a sub-slide.

    Examples
    --------
    >>> import nbformat
    >>> from musicviz.course.slide_fit import split_markdown
    >>> cell = nbformat.v4.new_markdown_cell("\\n\\n".join(["A paragraph of some words. " * 12] * 12))
    >>> [p.metadata.get("slideshow", {}).get("slide_type", "-") for p in split_markdown(cell)]
    ['-', 'subslide', 'subslide']
    """
    if markdown_height(cell.source) <= BUDGET:
        return [cell]
    blocks = re.split(r"\n\s*\n", cell.source.strip())
    pieces = []
    room = BUDGET - 100  # a lead-in (a heading) may join the piece
    for block in blocks:
        if markdown_height(block) <= room:
            pieces.append(block)
            continue
        lines, current = block.splitlines(), []
        for line in lines:  # a long list: break before an item
            if current and re.match(r"\s*([-*+]|\d+\.)\s", line) and markdown_height("\n".join(current + [line])) > room:
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
    """Split a code cell whose outputs are taller than the budget into cells of fitting outputs.

    A short text output (a label) stays with the output after it. The parts after the first
    start sub-slides and hide the code.

    Examples
    --------
    >>> import nbformat
    >>> from musicviz.course.slide_fit import split_outputs
    >>> cell = nbformat.v4.new_code_cell("for genre in genres: plot(genre)")
    >>> cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgoAAAANSUhEUgAAB4AAAAQ4"}) for _ in range(3)]
    >>> [len(part.outputs) for part in split_outputs(cell)]  # one 540 px figure per slide
    [1, 1, 1]
    """
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


def fit_code(cell) -> list:
    """Fit a code cell's source to the slide, never wrapping a line; returns its notes cells.

    Lines up to 76 characters show at 19 px, up to 103 at 14 px (the cell tag
    :data:`~musicviz.course.slide_layout.SMALL_CODE_TAG`); code with a longer line is not
    shown. Code longer than :data:`MAX_CODE_LINES` lines shows its first
    :data:`SHOWN_CODE_LINES` when it has no output (a definition), none when its outputs need
    the room. Whatever is not shown is in the speaker notes, with the whole code.

    Examples
    --------
    >>> import nbformat
    >>> from musicviz.course.slide_fit import fit_code
    >>> cell = nbformat.v4.new_code_cell("\\n".join(f"x{i} = {i}" for i in range(30)))
    >>> [n.source.splitlines()[0] for n in fit_code(cell)]
    ['Code of this slide:']
    >>> cell.source.splitlines()[-1]
    '# ... 24 more lines: the speaker notes (press S)'
    """
    lines = cell.source.splitlines()
    shown = lines if len(lines) <= MAX_CODE_LINES else lines[:SHOWN_CODE_LINES]
    longest = max((len(line.expandtabs()) for line in shown), default=0)
    if shown is lines and longest <= CODE_CHARS:
        return []
    notes = []
    if longest > SMALL_CODE_CHARS or (shown is not lines and cell.outputs):
        # a line too long even at 14 px, or long code whose outputs need the room: notes only
        cell.metadata["transient"] = {"remove_source": True}
        cell.outputs = [_more(f"the code ({len(lines)} lines)"), *cell.outputs]
        return [notes_cell("Code of this slide:\n\n" + _fence(cell.source, "python"))]
    if longest > CODE_CHARS:
        cell.metadata["tags"] = [*cell.metadata.get("tags", []), SMALL_CODE_TAG]
    if shown is not lines:
        notes.append(notes_cell("Code of this slide:\n\n" + _fence(cell.source, "python")))
        cell.source = "\n".join(shown + [f"# ... {len(lines) - len(shown)} more lines: the speaker notes (press S)"])
    return notes


def fit_cell(cell) -> list:
    """One visible cell -> cells that each fit a slide, followed by their speaker notes.

    Examples
    --------
    >>> import nbformat
    >>> from musicviz.course.slide_fit import fit_cell
    >>> cell = nbformat.v4.new_code_cell("\\n".join(f"x{i} = {i}" for i in range(30)))
    >>> [c.cell_type for c in fit_cell(cell)]  # long code: its first lines, the whole in the notes
    ['code', 'markdown']
    >>> len(cell.source.splitlines())
    7
    """
    if cell.cell_type == "markdown":
        return split_markdown(cell)
    if cell.cell_type != "code":
        return [cell]
    if _has_figure(cell):
        cell.metadata["transient"] = {"remove_source": True}  # the figure gets the screen
        notes = []
    else:
        notes = fit_code(cell)
    notes += shorten_outputs(cell, room=max(TEXT_ROOM - input_height(cell), TEXT_ROOM / 2))
    fit_figures(cell, BUDGET - input_height(cell))
    return [*split_outputs(cell), *notes]


def shrink_figures(cell, excess: float) -> bool:
    """Scale the figures of ``cell`` down by ``excess`` px in all, if they stay readable.

    Readable: not narrower than :func:`_floor_width` (text at MIN_TEXT_PX; MIN_FIGURE tall for
    a figure of unknown font). Returns True when they were scaled, False (nothing changed)
    otherwise.

    Examples
    --------
    >>> import nbformat
    >>> from musicviz.course.slide_fit import shrink_figures
    >>> cell = nbformat.v4.new_code_cell("plot()")
    >>> cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgoAAAANSUhEUgAAB4AAAAQ4"})]
    >>> shrink_figures(cell, 100), shrink_figures(cell, 300)  # 540 -> 440 px, but not below 260
    (True, False)
    """
    images = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {}) and png_size(o["data"]["image/png"])]
    if not images:
        return False
    cut = excess / len(images)
    new = []
    for output in images:
        w, h = png_size(output["data"]["image/png"])
        width = w * (image_height(output) - cut) / h
        if width < min(_floor_width(output), CANVAS[0], w * MAX_FIGURE / h) - 0.5:
            return False
        new.append(width)
    for output, width in zip(images, new):
        _set_width(output, width)
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
    Changes the cells' slide types in place.

    Examples
    --------
    >>> import nbformat
    >>> from musicviz.course.slide_fit import pack
    >>> cells = [nbformat.v4.new_markdown_cell("## Title")]
    >>> cells += [nbformat.v4.new_markdown_cell("A paragraph of some words. " * 12) for _ in range(8)]
    >>> for cell in cells:
    ...     cell.metadata["slideshow"] = {"slide_type": "-"}
    >>> cells[0].metadata["slideshow"]["slide_type"] = "slide"
    >>> pack(cells)
    >>> [cell.metadata["slideshow"]["slide_type"] for cell in cells]
    ['slide', '-', '-', '-', 'subslide', '-', '-', '-', 'subslide']
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
