"""The course tooling: navigation cells, the one notebook runner, the scripts' shells, slides."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from musicviz.course import nav, slides
from musicviz.course.runner import key_numbers, run_notebook
from musicviz.errors import ParameterError

ROOT = Path(__file__).resolve().parents[1]

#: Every script of scripts/ that is a shell of musicviz.course (portability.py is the lead's;
#: make_musicnn_reference.py runs in a throwaway environment without musicviz; mutation.py is
#: test tooling, left out of the student release, with no sys.path edits).
SHELLS = ("run_series.py", "export_figures.py", "nav.py", "slides.py", "lab_setup.py", "browser.py")


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


def test_nav_rewrites_in_place():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 01 · A\n")])
    assert nav.update_notebook(nb, "[Contents](README.md)") is True
    assert [c.source for c in nb.cells] == ["[Contents](README.md)", "# 01 · A\n", "[Contents](README.md)"]
    assert nav.update_notebook(nb, "[Contents](README.md)") is False
    assert nav.update_notebook(nb, "[< x](x.ipynb) | [Contents](README.md)") is True
    assert len(nb.cells) == 3 and nb.cells[0].source.startswith("[< x]")


def test_key_numbers_are_the_summary_cells_text():
    cell = nbformat.v4.new_code_cell("print('svm accuracy: 0.9')")
    cell.metadata["tags"] = ["summary"]
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="svm accuracy: 0.9\n")]
    other = nbformat.v4.new_code_cell("1")
    other.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "1"}, execution_count=1)]
    nb = nbformat.v4.new_notebook(cells=[cell, other])
    assert key_numbers(nb) == ["svm accuracy: 0.9"]


@pytest.mark.slow  # starts a kernel
def test_the_runner_runs_a_notebook_in_a_fresh_kernel_without_the_tcp_warning(capfd, monkeypatch):
    monkeypatch.setenv("MUSICVIZ_TEST_REMOVED", "x")
    cells = [
        "import os; print(os.path.basename(os.getcwd()))",
        "print(os.environ.get('MUSICVIZ_TEST_SET'), os.environ.get('MUSICVIZ_TEST_REMOVED'))",
        "",
        "raise ValueError('a bug')",
        "print('never')",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.cells[-1].outputs = [nbformat.v4.new_output("stream", text="stale\n")]
    run = run_notebook(nb, timeout=60, env={"MUSICVIZ_TEST_SET": "1", "MUSICVIZ_TEST_REMOVED": None},
                       after=["print(os.environ['MUSICVIZ_TEST_SET'] * 2)"])
    # Working folder notebooks/, the environment given (not this process's: it is unchanged).
    assert [c.outputs[0]["text"] for c in nb.cells[:2]] == ["notebooks\n", "1 None\n"]
    assert os.environ["MUSICVIZ_TEST_REMOVED"] == "x" and "MUSICVIZ_TEST_SET" not in os.environ
    # Stops at the first error; what did not run keeps no stale output; counts as Jupyter's.
    assert run.errors == ["cell 4 raised ValueError: a bug"] and not run.ok and not run.timed_out
    assert nb.cells[-1].outputs == [] and nb.cells[-1].execution_count is None
    assert [c.execution_count for c in nb.cells[:2]] + [nb.cells[3].execution_count] == [1, 2, 3]
    assert nb.metadata["language_info"]["name"] == "python"
    # The after cells ran in the same kernel and are not in the notebook.
    assert run.after[0].outputs[0]["text"] == "11\n" and len(nb.cells) == len(cells)
    # ipykernel >= 7 warns at every start over unencrypted TCP: the runner asks for CurveZMQ.
    assert "without encryption" not in capfd.readouterr().err


@pytest.mark.slow  # starts a kernel
@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="reads the kernel's command line from /proc")
def test_the_runners_kernel_talks_over_unix_sockets_in_a_folder_it_removes():
    # TCP ports are picked by binding port 0 and letting go: two notebooks started at once
    # (make run runs two) could be handed the same port. A socket file in a private folder cannot.
    seen = {}

    def started(pid):
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        connection_file = Path(argv[argv.index(b"-f") + 1].decode())
        seen["folder"], seen["info"] = connection_file.parent, json.loads(connection_file.read_text())

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    run = run_notebook(nb, timeout=60, on_kernel_start=started)
    assert run.ok and nb.cells[0].outputs[0]["text"] == "42\n", run.errors
    assert seen["info"]["transport"] == "ipc" and seen["info"]["ip"].startswith(str(seen["folder"]))
    assert seen["folder"] != Path(tempfile.gettempdir()) and not seen["folder"].exists()  # its own, removed


@pytest.mark.slow  # starts a kernel
def test_a_cell_out_of_time_is_interrupted_and_stops_the_run():
    cells = ["raise KeyError('shown on purpose')", "import time\nwhile True:\n    time.sleep(0.05)", "print('never')"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.cells[0].metadata["tags"] = ["raises-exception"]  # an error the notebook shows on purpose
    run = run_notebook(nb, timeout=2, after=["print('alive')"])
    assert run.timed_out and run.errors == ["timeout: cell 2 ran out of time (2 s)"]
    assert nb.cells[1].outputs[-1]["ename"] == "CellTimeoutError" and nb.cells[2].outputs == []
    assert run.after[0].outputs[0]["text"] == "alive\n"  # interrupted, not stuck


def test_the_runner_checks_its_timeouts():
    nb = nbformat.v4.new_notebook()
    for bad in ({"timeout": 0}, {"notebook_timeout": -1}, {"after_timeout": None}):
        with pytest.raises(ParameterError, match="positive number of seconds"):
            run_notebook(nb, **bad)


@pytest.mark.parametrize("script", SHELLS)
def test_the_scripts_are_thin_shells_of_the_package(script):
    source = (ROOT / "scripts" / script).read_text()
    assert "sys.path" not in source and "from musicviz.course." in source
    assert len(source.splitlines()) < 20, f"{script} is more than a shell"
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / script), "--help"], capture_output=True, text=True,
                          cwd="/")
    assert proc.returncode == 0 and "usage:" in proc.stdout, proc.stderr


def test_no_script_edits_sys_path():
    for path in sorted((ROOT / "scripts").glob("*.py")):
        assert "sys.path" not in path.read_text(), path.name


def test_slide_breaks_follow_structure():
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

    (tmp_path / "genre-grid.png").write_bytes(b"\x89PNG slide-sized")
    cell = nbformat.v4.new_code_cell('fig = plot()\nmv.export.tag(fig, "genre-grid", caption="x");')
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "c21hbGw=", "text/plain": "<Figure>"})]
    other = nbformat.v4.new_code_cell("plot()")
    other.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "c21hbGw=", "text/plain": "<Figure>"})]
    nb = slides.to_slides(nbformat.v4.new_notebook(cells=[cell, other]), figures_dir=tmp_path)
    assert base64.b64decode(nb.cells[0].outputs[0]["data"]["image/png"]) == b"\x89PNG slide-sized"
    assert nb.cells[1].outputs[0]["data"]["image/png"] == "c21hbGw="


def test_a_notebook_that_loads_the_saved_cnn_runs_after_the_one_that_trains_it():
    """07 and 08 load the CNN notebook 06 saves: on a fresh clone they must run after 06."""
    from musicviz.course.runner import series
    from musicviz.course.series import prerequisites

    loaders = [p for p in series() if "default_model_dir()" in p.read_text(encoding="utf-8") and p.stem != "06_cnn"]
    assert loaders, "no notebook loads the saved CNN: the test would prove nothing"
    for path in loaders:
        assert "06_cnn" in prerequisites(path), f"{path.name} loads 06's CNN but does not say after: [06_cnn]"
