"""Export every tagged figure of the notebook series for slides (``make figures``).

Notebook: every notebook (each ``mv.export.tag(fig, name)`` names a figure).

``python scripts/export_figures.py --out build/figures [--timeout 1800] [NOTEBOOK ...]``
executes each notebook of the series in memory with the one runner
(:func:`musicviz.course.runner.run_notebook`; the committed notebooks are never modified),
with ``MUSICVIZ_FIGURES_DIR`` and ``MUSICVIZ_NOTEBOOK`` set in the kernel's environment, so
that every ``mv.export.tag(fig, name)`` writes ``<out>/<notebook>/<name>.{svg,pdf,png}``
(:mod:`musicviz.export`). Then it writes ``<out>/index.html``, a contact sheet with one
thumbnail and caption per figure, grouped by notebook, with relative links. ``make run`` exports
the figures in the same execution that makes the HTML pages (:mod:`musicviz.course.series`).

A notebook that fails is reported and skipped (its previous figures, if any, are kept); the
others are still exported, and the command exits with status 1 at the end.
"""

from __future__ import annotations

import argparse
import html
import shutil
import sys
import time
from pathlib import Path

from musicviz._io import atomic_write_text, make_sibling_folder, replace_folder
from musicviz.course.runner import NotebookRun, notebook_dir, run_notebook, series
from musicviz.errors import ParameterError
from musicviz.export import FIGURES_ENV, NOTEBOOK_ENV, read_manifest

__all__ = ["select_notebooks", "export_figures", "contact_sheet", "write_index", "count_figures", "main"]


def select_notebooks(names=None) -> list[Path]:
    """The notebooks of the series, in order; only those named (stems or file names) if ``names``.

    Raises
    ------
    ParameterError
        A name that is not a notebook of the series.

    Examples
    --------
    >>> from musicviz.course.figures import select_notebooks
    >>> [p.stem for p in select_notebooks(["00_introduction.ipynb"])]
    ['00_introduction']
    """
    books = series()
    if names:
        wanted = {Path(name).stem for name in names}
        books = [b for b in books if b.stem in wanted]
        missing = wanted - {b.stem for b in books}
        if missing:
            raise ParameterError(f"no such notebook(s) in {notebook_dir()}: {', '.join(sorted(missing))}")
    return books


def export_figures(path, out_root, *, timeout: float | None = 1800) -> tuple[NotebookRun, int]:
    """Execute the notebook ``path``, exporting its named figures into ``out_root/<stem>``.

    The figures are written into a staging folder next to it and swapped in whole only when
    the notebook ran to the end, so a failure leaves the previous export untouched. The kernel
    uses its inline matplotlib backend, as in Jupyter (``MPLBACKEND`` is removed from its
    environment).

    Parameters
    ----------
    path : path-like
        The notebook.
    out_root : path-like
        The figures' folder (``build/figures``).
    timeout : float or None
        Seconds one cell may run.

    Returns
    -------
    (NotebookRun, int)
        The run (:attr:`~musicviz.course.runner.NotebookRun.nb` is the executed notebook)
        and the number of figures exported (0 when it failed).

    Examples
    --------
    >>> import tempfile
    >>> from musicviz.course.figures import export_figures, select_notebooks
    >>> run, n = export_figures(select_notebooks(["01_waveforms"])[0], tempfile.mkdtemp())  # doctest: +SKIP
    >>> run.ok, n  # doctest: +SKIP
    (True, 5)
    """
    path, out_root = Path(path), Path(out_root)
    target = out_root / path.stem
    staging = make_sibling_folder(target)
    try:
        env = {FIGURES_ENV: str(staging), NOTEBOOK_ENV: path.stem, "MPLBACKEND": None}
        run = run_notebook(path, timeout=timeout, env=env)
        if not run.ok:
            return run, 0
        produced = staging / path.stem  # mv.export.tag writes $MUSICVIZ_FIGURES_DIR/$MUSICVIZ_NOTEBOOK/
        produced.mkdir(exist_ok=True)  # a notebook without tagged figures: an empty folder
        replace_folder(produced, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return run, len(read_manifest(target))


def contact_sheet(out_root, notebooks, failed) -> str:
    """The HTML of ``index.html``: thumbnails and captions grouped by notebook.

    ``failed`` maps a notebook's stem to why it was not exported.

    Examples
    --------
    >>> import tempfile
    >>> from musicviz.course.figures import contact_sheet
    >>> page = contact_sheet(tempfile.mkdtemp(), ["01_waveforms"], {"01_waveforms": "cell 3 raised <Error>"})
    >>> "not exported: cell 3 raised &lt;Error&gt;" in page
    True
    """
    out_root = Path(out_root)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>musicviz figures</title>",
        "<style>",
        "body{font-family:system-ui,sans-serif;margin:2em;color:#222}",
        ".grid{display:flex;flex-wrap:wrap;gap:1.2em}",
        "figure{width:320px;margin:0}",
        "figure img{width:320px;border:1px solid #ccc;background:#fff}",
        "figcaption{font-size:0.9em}",
        "code{font-size:0.85em}",
        ".failed{color:#a00}",
        "</style></head><body>",
        "<h1>musicviz: figures of the notebook series</h1>",
        "<p>Every figure tagged with <code>mv.export.tag</code>, exported for 16:9 slides "
        "by <code>make figures</code>.</p>",
    ]
    for stem in notebooks:
        parts.append(f'<h2 id="{html.escape(stem)}">{html.escape(stem)}</h2>')
        if stem in failed:
            parts.append(f'<p class="failed">not exported: {html.escape(failed[stem])}</p>')
        entries = read_manifest(out_root / stem) if (out_root / stem).is_dir() else []
        if not entries:
            if stem not in failed:
                parts.append("<p>(no tagged figures)</p>")
            continue
        parts.append('<div class="grid">')
        for entry in entries:
            name = entry["name"]
            base = f"{stem}/{name}"
            links = " · ".join(
                f'<a href="{html.escape(base)}.{ext}">{ext.upper()}</a>'
                for ext in ("svg", "pdf", "png")
                if f"{name}.{ext}" in entry.get("files", [])
            )
            parts.append(
                "<figure>"
                f'<a href="{html.escape(base)}.png"><img src="{html.escape(base)}.png" alt="{html.escape(name)}" loading="lazy"></a>'
                f"<figcaption><code>{html.escape(name)}</code> {html.escape(entry.get('caption', ''))}<br>{links}</figcaption>"
                "</figure>"
            )
        parts.append("</div>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_index(out_root, failed) -> Path:
    """Write ``out_root/index.html``: the contact sheet of every notebook with an export folder or a failure.

    Examples
    --------
    >>> import tempfile
    >>> from musicviz.course.figures import write_index
    >>> write_index(tempfile.mkdtemp(), {}).name
    'index.html'
    """
    out_root = Path(out_root)
    exported = {p.name for p in out_root.iterdir() if p.is_dir()}
    listed = sorted({b.stem for b in series()} & (exported | set(failed)))
    return atomic_write_text(out_root / "index.html", contact_sheet(out_root, listed, failed))


def count_figures(out_root) -> int:
    """How many figures the export folders under ``out_root`` hold.

    Examples
    --------
    >>> import tempfile
    >>> from musicviz.course.figures import count_figures
    >>> count_figures(tempfile.mkdtemp())
    0
    """
    return sum(len(read_manifest(p)) for p in Path(out_root).iterdir() if p.is_dir())


def main(argv=None) -> int:
    """``python scripts/export_figures.py --out build/figures [--timeout S] [NOTEBOOK ...]``."""
    parser = argparse.ArgumentParser(prog="export_figures.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="build/figures", help="output folder (default: build/figures)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    parser.add_argument("notebooks", nargs="*", help="only these notebooks (stems or file names)")
    args = parser.parse_args(argv)

    out_root = Path(args.out).resolve()
    out_root.mkdir(parents=True, exist_ok=True)
    try:
        books = select_notebooks(args.notebooks)
    except ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not books:
        print(f"no numbered notebooks in {notebook_dir()}", file=sys.stderr)
        return 1
    start = time.perf_counter()
    counts: dict[str, int] = {}
    failed: dict[str, str] = {}
    for book in books:
        run, n = export_figures(book, out_root, timeout=args.timeout)
        if not run.ok:
            failed[book.stem] = run.error
            print(f"  FAILED {book.stem} ({run.seconds:.0f} s): {run.error}", flush=True)
        else:
            counts[book.stem] = n
            print(f"  {book.stem}: {n} figures ({run.seconds:.0f} s)", flush=True)
    write_index(out_root, failed)
    elapsed = time.perf_counter() - start
    print(f"exported {sum(counts.values())} figures from {len(counts)} notebooks in {elapsed:.0f} s -> {out_root / 'index.html'}")
    if failed:
        print(f"{len(failed)} notebook(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
