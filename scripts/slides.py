#!/usr/bin/env python
"""Turn every notebook into a reveal.js slide deck (``make slides``).

Slide breaks follow the notebooks' structure, so nobody has to tag cells by hand:

- every markdown cell that opens with a ``#``/``##`` heading starts a new slide;
- a cell whose output is a figure starts a sub-slide (the figure gets the screen);
- the navigation cells and the exercises' solution cells are skipped;
- code cells are shown with their outputs; setup cells (imports only) are hidden.

Figures come from the slide export (``make figures``): a cell that names its figure with
``mv.export.tag(fig, "name", ...)`` shows ``build/figures/<notebook>/<name>.png`` (16:9 preset,
fonts readable from the back of the hall) instead of the notebook-sized image, when that file
exists. Decks go to ``build/slides/NN_topic.slides.html``. The executed copies from ``make run``
(``build/notebooks/``) are used when present, otherwise the committed notebooks.
"""

from __future__ import annotations

import argparse
import base64
import copy
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from musicviz._io import atomic_write_text  # noqa: E402

REVEAL_CDN = "https://unpkg.com/reveal.js@4.6.1"
FIGURES = ROOT / "build" / "figures"
_TAG = re.compile(r"""export\.tag\([^,]+,\s*["']([a-z0-9-]+)["']""")


def _has_figure(cell) -> bool:
    return any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))


def _is_setup(cell) -> bool:
    lines = [line.strip() for line in cell.source.splitlines() if line.strip() and not line.strip().startswith("#")]
    return bool(lines) and all(
        line.startswith(("import ", "from ", "%matplotlib", "mv.plot.use_style", "pd.set_option")) for line in lines
    )


def slide_type(cell) -> str:
    """The reveal.js slide type of one cell."""
    meta = cell.get("metadata", {})
    if meta.get("musicviz") == "nav" or "solution" in meta.get("tags", []):
        return "skip"
    if cell.cell_type == "markdown":
        first = cell.source.lstrip().split("\n", 1)[0]
        return "slide" if first.startswith(("# ", "## ")) else "-"
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


def to_slides(nb, *, figures_dir: Path | None = None):
    """A copy of the notebook with slide metadata on every cell (and slide-sized figures)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        cell.metadata.setdefault("slideshow", {})["slide_type"] = slide_type(cell)
    if figures_dir is not None:
        use_exported_figures(nb, figures_dir)
    return nb


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "slides")
    args = parser.parse_args(argv)
    from nbconvert import SlidesExporter

    exporter = SlidesExporter()
    exporter.reveal_url_prefix = REVEAL_CDN
    executed = ROOT / "build" / "notebooks"
    count = 0
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]*.ipynb")):
        source = executed / path.name if (executed / path.name).exists() else path
        nb = to_slides(nbformat.read(source, as_version=4), figures_dir=FIGURES / path.stem)
        body, _ = exporter.from_notebook_node(nb)
        target = args.out / f"{path.stem}.slides.html"
        atomic_write_text(target, body)
        slides = sum(1 for c in nb.cells if c.metadata["slideshow"]["slide_type"] in ("slide", "subslide"))
        print(f"  {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}  ({slides} slides)")
        count += 1
    print(f"{count} decks in {args.out}")
    return 0 if count else 1


if __name__ == "__main__":
    sys.exit(main())
