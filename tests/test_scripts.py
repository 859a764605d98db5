"""The course tooling: navigation cells, the series runner's summary."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_navigation_is_in_sync():
    proc = subprocess.run([sys.executable, "scripts/nav.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_notebook_has_the_shared_frame():
    paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]*.ipynb"))
    assert paths, "no notebooks"
    for path in paths:
        nb = json.loads(path.read_text())
        cells = nb["cells"]
        assert cells[0]["metadata"].get("musicviz") == "nav" and cells[-1]["metadata"].get("musicviz") == "nav", path.name
        intro = "".join(cells[1]["source"])
        assert intro.startswith(f"# {path.name[:2]}"), path.name
        for part in ("**Learning objectives**", "**Prerequisites**", "**Estimated time**"):
            assert part in intro, f"{path.name} lacks {part}"
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        assert "## Exercises" in text, f"{path.name} has no exercises"


def test_nav_rewrites_in_place(tmp_path, monkeypatch):
    nav = _load("nav")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 01 · A\n")])
    assert nav.update_notebook(nb, "[Contents](README.md)") is True
    assert [c.source for c in nb.cells] == ["[Contents](README.md)", "# 01 · A\n", "[Contents](README.md)"]
    assert nav.update_notebook(nb, "[Contents](README.md)") is False
    assert nav.update_notebook(nb, "[< x](x.ipynb) | [Contents](README.md)") is True
    assert len(nb.cells) == 3 and nb.cells[0].source.startswith("[< x]")


def test_run_series_collects_summary_cells():
    runner = _load("run_series")
    cell = nbformat.v4.new_code_cell("print('svm accuracy: 0.9')")
    cell.metadata["tags"] = ["summary"]
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="svm accuracy: 0.9\n")]
    other = nbformat.v4.new_code_cell("1")
    other.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "1"}, execution_count=1)]
    nb = nbformat.v4.new_notebook(cells=[cell, other])
    assert runner.key_numbers(nb) == ["svm accuracy: 0.9"]


def test_slide_breaks_follow_structure():
    slides = _load("slides")
    heading = nbformat.v4.new_markdown_cell("## Spectrograms\ntext")
    prose = nbformat.v4.new_markdown_cell("Look for the stripes.")
    setup = nbformat.v4.new_code_cell("import numpy as np\nimport musicviz as mv")
    figure = nbformat.v4.new_code_cell("ax = plot()")
    figure.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "", "text/plain": "<Figure>"})]
    nav = nbformat.v4.new_markdown_cell("[Contents](README.md)")
    nav.metadata["musicviz"] = "nav"
    nb = slides.to_slides(nbformat.v4.new_notebook(cells=[nav, heading, prose, setup, figure]))
    # The figure gets a sub-slide, and the short text before it (what to look for) goes with it.
    assert [c.metadata["slideshow"]["slide_type"] for c in nb.cells] == ["skip", "slide", "subslide", "skip", "-"]
    assert figure.source and nb.cells[4].metadata["transient"] == {"remove_source": True}  # figure code hidden


def test_slides_use_the_exported_figures(tmp_path):
    import base64

    slides = _load("slides")
    (tmp_path / "genre-grid.png").write_bytes(b"\x89PNG slide-sized")
    cell = nbformat.v4.new_code_cell('fig = plot()\nmv.export.tag(fig, "genre-grid", caption="x");')
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "c21hbGw=", "text/plain": "<Figure>"})]
    other = nbformat.v4.new_code_cell("plot()")
    other.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "c21hbGw=", "text/plain": "<Figure>"})]
    nb = slides.to_slides(nbformat.v4.new_notebook(cells=[cell, other]), figures_dir=tmp_path)
    assert base64.b64decode(nb.cells[0].outputs[0]["data"]["image/png"]) == b"\x89PNG slide-sized"
    assert nb.cells[1].outputs[0]["data"]["image/png"] == "c21hbGw="
