#!/usr/bin/env python
"""Execute every notebook of the series, top to bottom, and print a short summary.

``make run``      -> executed copies in build/notebooks/, HTML in build/html/ (offline: the
                     JavaScript is in build/assets/, see scripts/build_site.py), the index
                     build/index.html and, in the same execution, every named figure in
                     build/figures/ (``--figures``) (the committed notebooks are not touched)
``make execute``  -> ``--in-place``: re-run the committed notebooks and store their outputs
                     (after editing a notebook; nbval compares against these outputs)

The summary lists each notebook's run time and its key numbers: the text output of every
cell tagged ``summary`` (cell metadata ``tags``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from musicviz._io import atomic_write_text  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
import build_site  # noqa: E402
import export_figures  # noqa: E402

NOTEBOOKS = ROOT / "notebooks"


def series(pattern: str = "[0-9][0-9]*.ipynb") -> list[Path]:
    """The notebooks of the series, in order."""
    return sorted(NOTEBOOKS.glob(pattern))


def key_numbers(nb) -> list[str]:
    """Text printed by the cells tagged ``summary``."""
    lines = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "summary" not in cell.get("metadata", {}).get("tags", []):
            continue
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            lines.extend(line for line in "".join(text).splitlines() if line.strip())
    return lines


def execute(path: Path, *, timeout: int = 900, figures: Path | None = None):
    """Run one notebook in a fresh kernel (cwd: notebooks/); returns the executed notebook.

    With ``figures``, the notebook's named figures are exported there during the same run.
    """
    if figures is not None:
        nb, _, error = export_figures.run_notebook(path, figures, timeout=timeout)
        if error:
            raise RuntimeError(error)
        return nb
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()
    return nb


#: A cell whose source holds this marker may show a user's real GTZAN audio (copyrighted): its
#: outputs are never stored in the committed notebooks (``--in-place`` drops them). Such a
#: cell is also ``# NBVAL_IGNORE_OUTPUT``: what it shows depends on the user's copy.
REAL_AUDIO_MARKER = "# musicviz: real audio, output not stored"


def drop_real_audio_outputs(nb) -> int:
    """Clear the outputs of the cells marked :data:`REAL_AUDIO_MARKER`; returns how many."""
    dropped = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and REAL_AUDIO_MARKER in cell.source and cell.outputs:
            cell.outputs = []
            dropped += 1
    return dropped


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "build", help="where executed copies and HTML go")
    parser.add_argument("--in-place", action="store_true", help="store the outputs in the committed notebooks")
    parser.add_argument("--only", default=None, help="glob of notebooks to run, e.g. '0[1-3]*'")
    parser.add_argument("--figures", type=Path, default=None, help="also export every named figure here")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if args.figures is not None:
        args.figures = args.figures.resolve()
        args.figures.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    notebooks = series(f"{args.only}.ipynb" if args.only and not args.only.endswith(".ipynb") else args.only or "[0-9][0-9]*.ipynb")
    if not notebooks:
        print("no notebooks found", file=sys.stderr)
        return 1
    # HTML pages load require.js, MathJax and the widget renderer from build/assets/ (offline).
    html = None if args.in_place else build_site.html_exporter(args.out)
    failed, report, t_all = [], [], time.perf_counter()
    for path in notebooks:
        start = time.perf_counter()
        try:
            nb = execute(path, figures=args.figures)
            status = "ok"
        except (CellExecutionError, RuntimeError) as exc:
            nb, status = None, "FAILED"
            failed.append(path.name)
            print(f"{path.name}: {str(exc).splitlines()[-1] if str(exc) else exc}", file=sys.stderr)
        seconds = time.perf_counter() - start
        if nb is not None:
            if args.in_place:
                drop_real_audio_outputs(nb)
                atomic_write_text(path, nbformat.writes(nb) + "\n")
            else:
                atomic_write_text(args.out / "notebooks" / path.name, nbformat.writes(nb) + "\n")
                build_site.export_html(nb, args.out / "html" / f"{path.stem}.html", exporter=html)
        report.append((path.name, status, seconds, key_numbers(nb) if nb is not None else []))
        print(f"  {path.name:45s} {status:6s} {seconds:6.1f} s", flush=True)
    total = time.perf_counter() - t_all
    if args.figures is not None:
        index = export_figures.write_index(args.figures, {Path(name).stem: "failed to execute" for name in failed})
        print(f"figures: {sum(len(export_figures.read_manifest(p)) for p in args.figures.iterdir() if p.is_dir())} in {index}")
    if not args.in_place:
        print(f"index: {build_site.write_index(args.out)}")
    print("\nSummary")
    print("=======")
    for name, status, seconds, numbers in report:
        print(f"{name} ({status}, {seconds:.1f} s)")
        for line in numbers:
            print(f"    {line}")
    where = "in place" if args.in_place else f"into {args.out}/notebooks and {args.out}/html"
    print(f"\n{len(report) - len(failed)} of {len(report)} notebooks ran {where} in {total:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
