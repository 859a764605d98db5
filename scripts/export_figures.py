"""Export every tagged figure of the notebook series for slides (``make figures``).

Usage::

    python scripts/export_figures.py --out build/figures [--timeout 900] [NOTEBOOK ...]

Executes each ``notebooks/[0-9][0-9]*.ipynb`` in memory (nbclient, kernel ``python3``, working
directory ``notebooks/``; the committed notebooks are never modified) with
``MUSICVIZ_FIGURES_DIR`` and ``MUSICVIZ_NOTEBOOK`` set, so that every ``mv.export.tag(fig, name)``
writes ``<out>/<notebook>/<name>.{svg,pdf,png}``. Then writes ``<out>/index.html``, a contact sheet
with one thumbnail and caption per figure, grouped by notebook, with relative links.

A notebook that fails is reported and skipped (its previous figures, if any, are kept); the
others are still exported, and the script exits with status 1 at the end.
"""

from __future__ import annotations

import argparse
import html
import re
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from musicviz._io import atomic_write_text  # noqa: E402
from musicviz.export import FIGURES_ENV, NOTEBOOK_ENV, read_manifest  # noqa: E402

NOTEBOOK_DIR = ROOT / "notebooks"


def find_notebooks(selected=None) -> list[Path]:
    """The numbered notebooks of the series, in order (optionally only those named)."""
    books = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]*.ipynb"))
    if selected:
        wanted = {Path(s).stem for s in selected}
        books = [b for b in books if b.stem in wanted]
        missing = wanted - {b.stem for b in books}
        if missing:
            raise SystemExit(f"error: no such notebook(s): {', '.join(sorted(missing))}")
    return books


def run_notebook(path: Path, out_root: Path, *, timeout: int):
    """Execute ``path`` in memory, exporting its figures into ``out_root/<stem>``.

    The figures are written into a staging folder first and moved into place only when the
    notebook ran to the end, so a failure leaves the previous export untouched.
    Returns (executed notebook or None, number of figures, error message or None).
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.stem}.", dir=out_root))
    saved = {k: os.environ.get(k) for k in (FIGURES_ENV, NOTEBOOK_ENV, "MPLBACKEND")}
    os.environ[FIGURES_ENV] = str(staging)
    os.environ[NOTEBOOK_ENV] = path.stem
    os.environ.pop("MPLBACKEND", None)  # the inline backend of the kernel, as in Jupyter
    try:
        client = NotebookClient(
            nb,
            kernel_name="python3",
            timeout=timeout,
            resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
        )
        client.execute()
    except Exception as exc:  # CellExecutionError, timeouts, dead kernels
        shutil.rmtree(staging, ignore_errors=True)
        message = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip().splitlines()  # no ANSI colours
        short = next((ln for ln in reversed(message) if ln.strip()), type(exc).__name__)
        return None, 0, f"{type(exc).__name__}: {short[:300]}"
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    produced = staging / path.stem
    target = out_root / path.stem
    old = None
    if target.exists():
        old = out_root / f".{path.stem}.old"
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
    if produced.is_dir():
        produced.rename(target)
    else:
        target.mkdir()
    shutil.rmtree(staging, ignore_errors=True)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return nb, len(read_manifest(target)), None


def contact_sheet(out_root: Path, notebooks: list[str], failed: dict[str, str]) -> str:
    """The HTML of ``index.html``: thumbnails and captions grouped by notebook."""
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


def write_index(out_root: Path, failed: dict[str, str]) -> Path:
    """Write the contact sheet of every notebook of the series that has an export folder."""
    listed = sorted({b.stem for b in find_notebooks()} & ({p.name for p in out_root.iterdir() if p.is_dir()} | set(failed)))
    return atomic_write_text(out_root / "index.html", contact_sheet(out_root, listed, failed))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="build/figures", help="output folder (default: build/figures)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    parser.add_argument("notebooks", nargs="*", help="only these notebooks (stems or file names)")
    args = parser.parse_args(argv)

    out_root = Path(args.out).resolve()
    out_root.mkdir(parents=True, exist_ok=True)
    books = find_notebooks(args.notebooks)
    if not books:
        print(f"no numbered notebooks in {NOTEBOOK_DIR}", file=sys.stderr)
        return 1
    start = time.perf_counter()
    counts: dict[str, int] = {}
    failed: dict[str, str] = {}
    for book in books:
        t0 = time.perf_counter()
        _, n, error = run_notebook(book, out_root, timeout=args.timeout)
        took = time.perf_counter() - t0
        if error:
            failed[book.stem] = error
            print(f"  FAILED {book.stem} ({took:.0f} s): {error}", flush=True)
        else:
            counts[book.stem] = n
            print(f"  {book.stem}: {n} figures ({took:.0f} s)", flush=True)
    write_index(out_root, failed)
    total = sum(counts.values())
    elapsed = time.perf_counter() - start
    print(f"exported {total} figures from {len(counts)} notebooks in {elapsed:.0f} s -> {out_root / 'index.html'}")
    if failed:
        print(f"{len(failed)} notebook(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
