"""What students and instructors see in a browser: slide decks and JupyterLab (the course
site's pages: ``tests/test_site.py``).

Debian's Chromium (``apt-get install chromium``; ``.ci/run`` installs it), driven by Playwright
for Python, headless, offline: every request is routed and anything that is not ``file://``,
``data:``/``blob:`` or ``127.0.0.1`` fails the test. The decks are built here, quickly, from the
committed (executed) notebooks without running them, in a temporary build folder. JupyterLab
runs on 127.0.0.1 with a token, is killed afterwards, and runs notebook 01 for real.

The tests that need no browser (slide fitting, the decks' links, the JupyterLab settings) run
everywhere; the others are skipped only where Chromium cannot be found.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from musicviz.course import browser, lab_setup, pages, slides

ROOT = Path(__file__).resolve().parents[1]

DECKS = tuple(p.stem for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]*.ipynb")))  # every deck must fit


needs_chromium = pytest.mark.usefixtures("_chromium_present")

# Text nodes of rendered markdown, outside code and MathJax's own elements (raw TeX there is fine).
MARKDOWN_TEXT = """() => {
  const out = [];
  for (const root of document.querySelectorAll('.jp-RenderedMarkdown')) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {acceptNode: n =>
      n.parentElement.closest('script, style, code, pre, .MathJax_Preview, .MathJax_CHTML, .MJX_Assistive_MathML')
        ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
    while (walker.nextNode()) out.push(walker.currentNode.textContent);
  }
  return out.join(' ');
}"""
MATHJAX_DONE = ("() => window.MathJax !== undefined && MathJax.Hub !== undefined && MathJax.Hub.queue.pending === 0"
                " && MathJax.Hub.queue.running === 0 && document.querySelectorAll('.MathJax_Preview:not(:empty)').length === 0")

# -- no browser needed --------------------------------------------------------------------------


def test_a_decks_links_go_to_the_other_decks_and_the_site():
    body = '<a href="01_waveforms.ipynb">next</a> <a href="README.md">Contents</a> <a href="05b_baselines_on_real_gtzan.ipynb#top">x</a>'
    fixed = pages.fix_links(body)
    assert 'href="01_waveforms.slides.html"' in fixed and 'href="../html/index.html"' in fixed  # build/slides -> build/html
    assert 'href="05b_baselines_on_real_gtzan.slides.html#top"' in fixed and ".ipynb" not in fixed


def _cell(source, *, outputs=(), kind="code"):
    cell = nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source)
    if kind == "code":
        cell.outputs = list(outputs)
    return cell


def test_setup_cells_are_recognised_by_content_or_tag():
    seeded = _cell("%matplotlib inline\nimport numpy as np\nimport musicviz as mv\n\nmv.plot.use_style()\n"
                   "np.random.seed(0)\nSEED = 0\n_threads = threadpool_limits(1)  # one BLAS thread")
    tagged = _cell("x = load()")
    tagged.metadata["tags"] = ["setup"]
    work = _cell("y = np.random.seed(0) or compute()")
    assert [slides.slide_type(c) for c in (seeded, tagged, work)] == ["skip", "skip", "-"]


def test_long_outputs_go_to_the_notes_and_figure_code_is_hidden():
    log = nbformat.v4.new_output("stream", name="stdout", text="".join(f"epoch {i}\n" for i in range(300)))
    png = "iVBORw0KGgoAAAANSUhEUgAAB4AAAAQ4CAYAAADo08FD"  # the header of a 1920 x 1080 PNG
    figure = _cell("fig = plot()\nmv.export.tag(fig, 'x')",
                   outputs=[nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})])
    heading = _cell("## Training", kind="markdown")
    nb = slides.to_slides(nbformat.v4.new_notebook(cells=[heading, _cell("train()", outputs=[log]), figure]))
    kinds = [c.metadata["slideshow"]["slide_type"] for c in nb.cells]
    assert kinds[0] == "slide" and kinds[2:] == ["notes", "subslide"]  # the log: its own slide if need be
    shown = nb.cells[1].outputs
    assert shown[0]["metadata"]["musicviz"]["scale"] >= 14 / 19 - 1e-3  # never under 14 px
    assert "more lines" in shown[1]["data"]["text/plain"] and "epoch 299" in nb.cells[2].source
    assert nb.cells[3].metadata["transient"] == {"remove_source": True}


def test_a_model_summary_too_tall_is_set_smaller_or_split_never_cut():
    summary = "".join(f"conv_{i} (Conv2D)        (None, 32, 32, 16)        {i * 100:>8}\n" for i in range(28))
    nb = slides.to_slides(nbformat.v4.new_notebook(cells=[_cell("model.summary()", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text=summary)])]))
    shown = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert "".join(o["data"]["text/plain"] for o in shown).count("Conv2D") == 28  # every line on a slide
    assert all(o["metadata"]["musicviz"]["scale"] >= 14 / 19 - 1e-3 for o in shown)


def test_long_code_shows_its_first_lines_and_goes_whole_to_the_notes():
    code = "def f(x):\n" + "".join(f"    y{i} = x + {i}\n" for i in range(26))
    nb = slides.to_slides(nbformat.v4.new_notebook(cells=[_cell(code)]))
    shown, notes = nb.cells
    assert shown.source.splitlines()[:6] == code.splitlines()[:6] and len(shown.source.splitlines()) == 7
    assert notes.metadata["slideshow"]["slide_type"] == "notes" and code.strip() in notes.source
    wide = _cell("x = " + "+".join(["value"] * 15))  # 93 characters: set at 14 px, not wrapped
    assert slides.to_slides(nbformat.v4.new_notebook(cells=[wide])).cells[0].metadata["tags"] == ["musicviz-small-code"]


def test_talking_points_in_notes_cells_become_the_speaker_notes(tmp_path):
    talk = _cell("Ask the room: which genre is louder?", kind="markdown")
    talk.metadata["slideshow"] = {"slide_type": "notes"}
    long_output = nbformat.v4.new_output("stream", name="stdout", text="".join(f"line {i}\n" for i in range(300)))
    nb = nbformat.v4.new_notebook(cells=[_cell("## Loudness", kind="markdown"), talk, _cell("## Next", kind="markdown"),
                                         _cell("show()", outputs=[long_output])])
    out = tmp_path / "slides"
    slides.write_deck(nb, out / "00_a.slides.html", exporter=slides.slides_exporter(out))
    html = (out / "00_a.slides.html").read_text()
    notes = re.findall(r'<aside class="notes">(.*?)</aside>', html, flags=re.S)
    assert len(notes) == 2 and "which genre is louder" in notes[0] and "line 299" in notes[1]
    first_slide = html.split("<section", 3)[2]  # the talking point is on the slide it follows, hidden
    assert "which genre is louder" in first_slide and "which genre is louder" not in first_slide.split("<aside")[0]


def test_lab_setup_writes_the_environment_settings(tmp_path):
    assert lab_setup.main(["--prefix", str(tmp_path)]) == 0
    overrides = json.loads((tmp_path / "share/jupyter/lab/settings/overrides.d/musicviz.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false", "checkForUpdates": False}
    assert overrides["@jupyterlab/notebook-extension:tracker"]["autoStartDefaultKernel"] is True
    server = json.loads((tmp_path / "etc/jupyter/jupyter_server_config.d/musicviz.json").read_text())
    assert server["MultiKernelManager"]["default_kernel_name"] == "python3"
    assert server["LabApp"]["news_url"] is None


# -- in the browser -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    """Every deck, built from the committed notebooks into ``build/slides``."""
    if not pages.assets_available():
        pytest.fail("the decks' JavaScript is not installed: run `make assets` (npm ci; needs npm)")
    build = tmp_path_factory.mktemp("build")
    deck_exporter = slides.slides_exporter(build / "slides")
    for stem in DECKS:
        slides.write_deck(nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4),
                          build / "slides" / f"{stem}.slides.html", exporter=deck_exporter)
    return build / "slides"


@needs_chromium
def test_decks_navigate_as_slides_and_every_slide_fits(decks, chromium):
    context, guard = chromium
    page = context.new_page()
    for stem in DECKS:
        page.goto((decks / f"{stem}.slides.html").as_uri())
        page.wait_for_function(browser.REVEAL_READY, timeout=30_000)
        page.wait_for_function(MATHJAX_DONE, timeout=30_000)
        assert page.evaluate("() => Reveal.getIndices().h") == 0
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => Reveal.getIndices().h === 1", timeout=5_000)
        page.keyboard.press("ArrowLeft")
        page.wait_for_function("() => Reveal.getIndices().h === 0", timeout=5_000)
        bad = browser.slide_problems(page)
        assert not bad, f"{stem}: slides cut off or with text under 14 px: {bad[:3]}"
        raw = re.findall(r".{0,30}\$.{0,30}", page.evaluate(MARKDOWN_TEXT))
        assert not raw, f"{stem}: raw TeX on the slides: {raw[:3]}"
    assert guard.problems() == [], guard.problems()
    assert guard.errors == [], guard.errors


@pytest.mark.ci  # starts JupyterLab and runs a notebook in it: half a minute, in CI only
@needs_chromium
def test_jupyterlab_runs_notebook_01_and_the_clip_explorer_responds(tmp_path, playwright):
    shutil.copy(ROOT / "notebooks" / "01_waveforms.ipynb", tmp_path)  # never the committed file
    with browser.jupyterlab(tmp_path) as (url, token), browser.browser(playwright, viewport=(1280, 1000)) as (context, guard):
        page = context.new_page()
        page.goto(f"{url}/lab/tree/01_waveforms.ipynb?token={token}")
        # The preferred kernel starts by itself ("Select Kernel" dialog without the settings of
        # scripts/lab_setup.py); Run All as soon as it shows, while it may still be starting.
        page.wait_for_function("() => { const s = (" + browser.NOTEBOOK_STATE + ")(); return s !== null && s.code > 10"
                               " && (s.kernel !== null || s.dialogs > 0); }", timeout=60_000)
        assert page.evaluate(browser.NOTEBOOK_STATE)["dialogs"] == 0, page.locator(".jp-Dialog").first.inner_text()
        state = browser.run_all(page, timeout=150)
        assert state["errors"] == [], state["errors"]
        assert state["executed"] == state["code"] and state["dialogs"] == 0, state
        page.wait_for_selector(f"{browser.EXPLORER} .jp-OutputArea-output img", timeout=20_000)
        first = browser.change_genre(page, "metal")
        second = browser.change_genre(page, "classical")
        print(f"clip explorer redrew in {first:.2f} s and {second:.2f} s")
        assert max(first, second) < 15, (first, second)
        assert page.evaluate(browser.NOTEBOOK_STATE)["errors"] == []
        players = browser.play_every_player(page)  # the players the kernel just made: Ogg Opus, playable
        silent = [(i, p) for i, p in enumerate(players) if not (p["type"] == "audio/ogg" and p["error"] is None and p["played"])]
        assert players and silent == [], (len(players), silent)
        assert all(0 < p["duration"] < 60 for p in players), players
        assert guard.problems() == [], guard.problems()
        assert guard.errors == [], guard.errors


# A player as JupyterLab's sanitizer leaves it in an untrusted notebook: the data: URL on the
# <audio> element itself is kept; on a <source> inside it, it is removed (the player is silent).
_OGG = "data:audio/ogg;base64,"


@pytest.mark.ci  # starts a plain JupyterLab: half a minute, in CI only
@needs_chromium
def test_plain_jupyterlab_with_the_shipped_settings_asks_nothing(tmp_path, playwright):
    """A plain `jupyter lab` (no make, untrusted notebooks) with the files the package ships."""
    import numpy as np

    import musicviz as mv

    prefix = tmp_path / "env"
    assert lab_setup.main(["--prefix", str(prefix)]) == 0  # what the wheel's data files install
    root = tmp_path / "notebooks"
    root.mkdir()
    shutil.copy(ROOT / "notebooks" / "01_waveforms.ipynb", root)
    tone = 0.3 * np.sin(2 * np.pi * 220 * np.arange(22050) / 22050)
    player = mv.audio.play(tone, sr=22050)._repr_html_()
    url = _OGG + player.split(_OGG, 1)[1].split('"', 1)[0]
    assert "<source" not in player  # the course's own player is the form that plays untrusted
    forms = [player, f'<audio controls><source src="{url}" type="audio/ogg"></audio>']
    nb = nbformat.v4.new_notebook(cells=[_cell("play()", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": form, "text/plain": "player"})]) for form in forms])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / "players.ipynb")
    with browser.jupyterlab(root, plain=True, prefix=prefix) as (url, token), \
            browser.browser(playwright, viewport=(1280, 1000)) as (context, guard):
        page = context.new_page()
        page.goto(f"{url}/lab/tree/players.ipynb?token={token}")
        page.wait_for_function("() => document.querySelectorAll('.jp-OutputArea-output audio').length === 2", timeout=60_000)
        rows = browser.play_every_player(page)
        assert rows[0]["played"] and rows[0]["error"] is None, rows  # mv.audio.play's <audio src>: plays untrusted
        assert not rows[1]["played"], rows  # <source src>: stripped by the sanitizer
        page.goto(f"{url}/lab/tree/01_waveforms.ipynb?token={token}")
        page.wait_for_function("() => { const s = (" + browser.NOTEBOOK_STATE + ")(); return s !== null && s.code > 10; }",
                               timeout=60_000)
        page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")  # at once
        page.wait_for_timeout(5_000)
        dialogs = page.evaluate("() => Array.from(document.querySelectorAll('.jp-Dialog')).map(d => d.innerText)")
        toasts = page.evaluate("() => Array.from(document.querySelectorAll('.Toastify__toast')).map(t => t.innerText)")
        assert dialogs == [], dialogs  # no "Select Kernel"
        assert not any("news" in t for t in toasts), toasts
