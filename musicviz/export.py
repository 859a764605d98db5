"""Figure names and figure export for slides.

Notebooks: every notebook (each figure it shows gets a stable name via :func:`tag`).

* :func:`tag` gives a notebook figure a stable name and caption. It displays nothing and
  changes nothing the notebook shows. When the environment variable ``MUSICVIZ_FIGURES_DIR``
  is set (``scripts/export_figures.py`` / ``make figures`` sets it), it also saves the figure
  to ``$MUSICVIZ_FIGURES_DIR/<notebook>/<name>.{svg,pdf,png}``, ``<notebook>`` being
  ``$MUSICVIZ_NOTEBOOK``, and records the caption in ``figures.json`` next to them.
* :func:`save_figure` writes a figure for a 16:9 or 4:3 slide: slide-sized, with fonts
  readable from the back of a lecture hall, byte-reproducible (same figure -> same bytes) and
  written atomically. The figure itself is restored afterwards (size, fonts, layout), so the
  notebook keeps showing what it showed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import warnings
from pathlib import Path

from musicviz._io import atomic_path, atomic_write_text
from musicviz.errors import ParameterError

__all__ = [
    "FIGURES_ENV",
    "NOTEBOOK_ENV",
    "PRESETS",
    "FORMATS",
    "MANIFEST_NAME",
    "check_name",
    "save_figure",
    "tag",
    "read_manifest",
]

FIGURES_ENV = "MUSICVIZ_FIGURES_DIR"
NOTEBOOK_ENV = "MUSICVIZ_NOTEBOOK"
MANIFEST_NAME = "figures.json"
FORMATS = ("svg", "pdf", "png")

#: Slide presets: figure size in inches (a full slide of 13.33 x 7.5 in or 10 x 7.5 in),
#: the base font size in points (18 pt on a full slide reads from the back row), line width
#: and PNG resolution (1920 x 1080 px for 16:9).
PRESETS: dict[str, dict] = {
    "16:9": {"size": (1920 / 144, 1080 / 144), "font_size": 18.0, "linewidth": 2.0, "dpi": 144},
    "4:3": {"size": (10.0, 7.5), "font_size": 18.0, "linewidth": 2.0, "dpi": 144},
}

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_NOTEBOOK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

#: Metadata that would otherwise stamp dates and version strings into the files.
_METADATA = {
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "Producer": None, "Creator": None},
    "png": {"Software": None},
}


def check_name(name) -> str:
    """Return ``name`` if it is a figure slug (lowercase letters, digits, single hyphens).

    Examples
    --------
    >>> from musicviz.export import check_name
    >>> check_name("genre-grid")
    'genre-grid'
    """
    if not isinstance(name, str) or not _SLUG.match(name):
        raise ParameterError(
            f"figure name {name!r} is not a slug: use lowercase letters, digits and single hyphens, "
            "e.g. 'genre-grid' or 'mel-spectrogram-2'"
        )
    return name


def _check_figure(fig):
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise ParameterError(f"fig must be a matplotlib Figure, got {type(fig).__name__} (use ax.figure for an Axes)")
    return fig


@contextlib.contextmanager
def _slide_layout(fig, preset: dict):
    """Temporarily resize ``fig`` and scale its fonts and lines for a slide; restore afterwards."""
    import matplotlib as mpl
    from matplotlib.layout_engine import PlaceHolderLayoutEngine
    from matplotlib.lines import Line2D
    from matplotlib.text import Text

    base = float(mpl.rcParams["font.size"]) or 10.0
    scale = preset["font_size"] / base
    # Capture (and later lay out from) the figure as drawn, whether or not it was drawn
    # before: tick labels exist only after a draw, colorbars are placed at draw time.
    fig.draw_without_rendering()
    size = tuple(fig.get_size_inches())
    dpi = fig.get_dpi()
    texts = [(t, t.get_fontsize()) for t in fig.findobj(Text)]
    lines = [(ln, ln.get_linewidth()) for ln in fig.findobj(Line2D)]
    ticks = []
    for ax in fig.axes:
        for axis_name in ("x", "y", "z"):
            axis = getattr(ax, f"{axis_name}axis", None)
            if axis is None:
                continue
            labels = axis.get_ticklabels()
            ticks.append((ax, axis_name, labels[0].get_fontsize() if labels else float(mpl.rcParams["font.size"])))
    positions = [(ax, ax.get_position(original=True).frozen(), ax.get_position(original=False).frozen()) for ax in fig.axes]
    subplotpars = {k: getattr(fig.subplotpars, k) for k in ("left", "right", "bottom", "top", "wspace", "hspace")}
    engine = fig.get_layout_engine()
    # A figure on which tight_layout() was called keeps a placeholder engine: no live layout.
    static = engine is None or isinstance(engine, PlaceHolderLayoutEngine)
    try:
        fig.set_size_inches(preset["size"], forward=False)
        for text, fontsize in texts:
            text.set_fontsize(fontsize * scale)
        for ax, axis_name, fontsize in ticks:
            with contextlib.suppress(Exception):
                ax.tick_params(axis=axis_name, labelsize=fontsize * scale)
        widen = preset["linewidth"] / max(float(mpl.rcParams["lines.linewidth"]), 0.1)
        for line, width in lines:
            if width > 0:
                line.set_linewidth(min(width * widen, width + 3.0))
        if static:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for _ in range(2):  # the second pass sees the tick labels the first pass placed
                    fig.tight_layout()
        yield fig
    finally:
        fig.set_size_inches(size, forward=False)
        fig.set_dpi(dpi)
        for text, fontsize in texts:
            text.set_fontsize(fontsize)
        for ax, axis_name, fontsize in ticks:
            with contextlib.suppress(Exception):
                ax.tick_params(axis=axis_name, labelsize=fontsize)
        for line, width in lines:
            line.set_linewidth(width)
        if static:
            fig._layout_engine = engine  # exactly as before (tight_layout leaves a placeholder)
            fig.subplots_adjust(**subplotpars)
            for ax, original, active in positions:
                ax.set_position(original, which="original")
                ax.set_position(active, which="active")


def save_figure(
    fig,
    name: str,
    *,
    preset: str = "16:9",
    formats=FORMATS,
    out_dir=".",
    transparent: bool = False,
) -> list[Path]:
    """Save ``fig`` for a slide as ``<out_dir>/<name>.<format>``, reproducibly and atomically.

    The figure is resized to the preset's slide size and its fonts enlarged for the duration
    of the save only; afterwards its size, fonts, line widths and layout are what they were.

    Notebooks: every notebook, through :func:`tag` and ``make figures``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    name : str
        File name without extension; a slug (``"genre-grid"``).
    preset : {"16:9", "4:3"}
        Slide format (see :data:`PRESETS`).
    formats : sequence of {"svg", "pdf", "png"}
        Files to write.
    out_dir : path-like
        Folder (created if missing).
    transparent : bool
        Transparent background (for coloured slide templates) instead of white.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``formats``.

    Raises
    ------
    ParameterError
        Bad name, preset, format or figure.

    Examples
    --------
    >>> import tempfile
    >>> import matplotlib.pyplot as plt
    >>> from musicviz.export import save_figure
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> [p.name for p in save_figure(fig, "line", formats=("svg", "png"), out_dir=tempfile.mkdtemp())]
    ['line.svg', 'line.png']
    >>> tuple(fig.get_size_inches()) == tuple(plt.rcParams["figure.figsize"])
    True
    """
    import matplotlib as mpl

    fig = _check_figure(fig)
    check_name(name)
    if preset not in PRESETS:
        raise ParameterError(f"preset must be one of {sorted(PRESETS)}, got {preset!r}")
    if isinstance(formats, str):
        formats = (formats,)
    formats = tuple(formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ParameterError(f"formats must be a non-empty selection of {FORMATS}, got {formats!r}")
    spec = PRESETS[preset]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rc = {
        "svg.hashsalt": "musicviz",
        "svg.fonttype": "path",
        "pdf.fonttype": 42,
        "savefig.dpi": spec["dpi"],
        "savefig.bbox": None,
        "path.simplify": True,
    }
    written = []
    with mpl.rc_context(rc), _slide_layout(fig, spec):
        for fmt in formats:
            target = out_dir / f"{name}.{fmt}"
            with atomic_path(target) as tmp:
                fig.savefig(
                    tmp,
                    format=fmt,
                    dpi=spec["dpi"],
                    transparent=transparent,
                    facecolor="none" if transparent else "white",
                    metadata=_METADATA[fmt],
                )
            written.append(target)
    return written


def read_manifest(folder) -> list[dict]:
    """The figures :func:`tag` exported into ``folder`` (name, caption, files), in tag order.

    Examples
    --------
    >>> import tempfile
    >>> from musicviz.export import read_manifest
    >>> read_manifest(tempfile.mkdtemp())
    []
    """
    path = Path(folder) / MANIFEST_NAME
    if not path.is_file():
        return []
    return json.loads(path.read_text(encoding="utf-8"))["figures"]


def tag(fig, name: str, *, caption: str = "") -> None:
    """Give a notebook figure its stable name (and export it when an export run asks).

    Displays nothing and changes nothing the notebook shows or stores: without
    ``MUSICVIZ_FIGURES_DIR`` in the environment it only records the name and caption on the
    figure; with it, it saves the figure (:func:`save_figure`, 16:9 preset, SVG + PDF + PNG)
    into ``$MUSICVIZ_FIGURES_DIR/$MUSICVIZ_NOTEBOOK/`` and adds the caption to that folder's
    ``figures.json``.

    Notebooks: every notebook.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    name : str
        A slug unique within the notebook (``"genre-grid"``).
    caption : str
        One sentence for the contact sheet and the slides.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from musicviz.export import tag
    >>> fig, ax = plt.subplots()
    >>> tag(fig, "empty-axes", caption="Nothing yet.")
    >>> fig.get_label()
    'empty-axes'
    """
    fig = _check_figure(fig)
    check_name(name)
    if not isinstance(caption, str):
        raise ParameterError(f"caption must be a string, got {type(caption).__name__}")
    fig.set_label(name)
    fig._musicviz_caption = caption  # read back by the exporter
    root = os.environ.get(FIGURES_ENV)
    if not root:
        return None
    notebook = os.environ.get(NOTEBOOK_ENV) or "figures"
    if not _NOTEBOOK.match(notebook) or notebook in (".", ".."):
        raise ParameterError(f"{NOTEBOOK_ENV}={notebook!r} is not a usable folder name")
    folder = Path(root) / notebook
    files = save_figure(fig, name, out_dir=folder)
    entries = [e for e in read_manifest(folder) if e.get("name") != name]
    if len(entries) != len(read_manifest(folder)):
        warnings.warn(f"{notebook}: figure name {name!r} was tagged twice; the later figure replaces the earlier", stacklevel=2)
    entries.append({"name": name, "caption": caption, "files": [p.name for p in files]})
    atomic_write_text(folder / MANIFEST_NAME, json.dumps({"notebook": notebook, "figures": entries}, indent=2) + "\n")
    return None
