"""The course site (``make html``): what a page shows, and the site in a browser that may not go out.

The fast tests check :func:`musicviz.course.pages.site_notebook` (what a notebook becomes on
the site) on notebooks they write. The browser tests build the whole site once per session from
the committed notebooks (``musicviz.course.build_site``: nothing is executed) into a temporary
folder, with one stand-in deck so a deck link has something to point at, and open it in Debian's
Chromium with every request that would leave the machine aborted and recorded
(:class:`musicviz.course.browser.Guard`): every page, every player on it, every link, the
search, the math, dark mode. The site is the one way the lessons become web pages (``make
html``, ``make run``).
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest

from musicviz.course import browser, build_site, pages
from musicviz.course.runner import series

ROOT = Path(__file__).resolve().parents[1]
LESSONS = [path.stem for path in series()]
DECK = "01_waveforms"  # the lesson that gets a (stand-in) deck
EXPLORERS = ("01_waveforms", "02_spectrograms", "05_baseline_models")


# -- what a notebook becomes on the site (fast) ---------------------------------------------


def _figure_cell(source, images=1):
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBO", "text/plain": "<Figure>"})
                    for _ in range(images)]
    return cell


def test_site_notebook_drops_navigation_and_speaker_notes():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("[Contents](README.md)", metadata={"musicviz": "nav"}),
        nbformat.v4.new_markdown_cell("# 01 · A\n\nText."),
        nbformat.v4.new_markdown_cell("Say: the waveform is pressure.", metadata={"slideshow": {"slide_type": "notes"}}),
        nbformat.v4.new_code_cell("x = 1", metadata={"slideshow": {"slide_type": "notes"}}),
        nbformat.v4.new_markdown_cell("Kept.", metadata={"slideshow": {"slide_type": "slide"}}),
    ])
    page = pages.site_notebook(nb)
    assert [c.source for c in page.cells] == ["# 01 · A\n\nText.", "Kept."]
    assert len(nb.cells) == 5  # the notebook itself is left as it was


def test_site_notebook_captions_every_figure():
    nb = nbformat.v4.new_notebook(cells=[
        _figure_cell('mv.export.tag(fig, "a", caption="The tagged one.")'),
        nbformat.v4.new_markdown_cell("Look at the **onsets** in [the clip](x.ipynb). Then listen."),
        _figure_cell("plt.plot(y);", images=2),
        _figure_cell("mv.widgets.stft_explorer(y, sr=sr)"),
    ])
    captions = [c.metadata.get(pages.SITE_KEY, {}).get("captions") for c in pages.site_notebook(nb).cells]
    assert captions[0] == ["The tagged one."]
    assert captions[1] is None
    assert captions[2] == ["Look at the onsets in the clip."] * 2  # the prose before it says what it shows
    assert captions[3][0].startswith("Static view at the default settings. Sliders for the STFT window")


def test_site_notebook_labels_explorers_static_and_drops_widget_state():
    cell = nbformat.v4.new_code_cell("mv.widgets.clip_explorer(tracks)")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={pages.WIDGET_VIEW: {"model_id": "abc"}, "text/plain": "VBox(...)"}),
        nbformat.v4.new_output("display_data", data={"image/png": "iVBO"}),
    ]
    nb = nbformat.v4.new_notebook(cells=[cell], metadata={"widgets": {"application/vnd.jupyter.widget-state+json": {}}})
    page = pages.site_notebook(nb)
    first = page.cells[0].outputs[0]["data"]
    assert list(first) == ["text/html"] and pages.STATIC_LABEL in first["text/html"]
    assert "widgets" not in page.metadata


# -- the site in Chromium (slow: builds the site once, ~30 s) ---------------------------------


@pytest.fixture(scope="session")
def site(tmp_path_factory, _chromium_present) -> Path:
    """The whole site, built once from the committed notebooks; one stand-in deck."""
    if not pages.assets_available():
        pytest.fail("MathJax is not installed: run `make assets` (npm ci; needs npm)")
    if importlib.util.find_spec("myst_nb") is None:
        from _support import require_or_skip

        require_or_skip("the site's packages are not installed (the `site` extra: make env)")
    build = tmp_path_factory.mktemp("build")
    (build / "slides").mkdir()
    (build / "slides" / f"{DECK}.slides.html").write_text("<!DOCTYPE html><title>deck</title>\n", encoding="utf-8")
    index = build_site.build_site(build)
    assert index == build / "html" / "index.html" and index.is_file()
    return build / "html"


def _open(context, url):
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("load")
    return page


def test_every_lesson_page(site, chromium):
    """Title, sidebar, in-page contents, copy buttons, footer, downloads and figures of every page."""
    context, guard = chromium
    notebooks = {s: nbformat.read(ROOT / "notebooks" / f"{s}.ipynb", as_version=4) for s in LESSONS}
    lesson_titles = {s: pages.title_of(nb, s) for s, nb in notebooks.items()}
    expected_figures = sum(len(c.metadata.get(pages.SITE_KEY, {}).get("captions", []))
                           for nb in notebooks.values() for c in pages.site_notebook(nb).cells)
    titles, figures = {}, 0
    for stem in ["index", *LESSONS]:
        page = _open(context, (site / f"{stem}.html").as_uri())
        titles[stem] = page.title()
        sidebar = page.eval_on_selector_all(".mv-lessons a", "links => links.map(a => a.innerText.trim())")
        assert sidebar == [lesson_titles[s] for s in LESSONS], f"{stem}: sidebar {sidebar}"
        footer = page.inner_text("footer.bd-footer")
        for part in ("licence MIT", "musicviz course 0.1.0", "built 20"):
            assert part in footer, f"{stem}: footer lacks {part!r}: {footer!r}"
        # Every image is a figure whose alt text is its caption (never nbconvert's default).
        images = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.getAttribute('alt'), i.closest('figure') "
                                           "&& i.closest('figure').querySelector('figcaption').innerText, i.naturalWidth])")
        for alt, caption, width in images:
            assert alt and alt.strip() and "No description has been provided" not in alt, f"{stem}: {alt!r}"
            assert caption is not None and caption.strip() == alt.strip(), f"{stem}: alt {alt!r} vs caption {caption!r}"
            assert width > 0, f"{stem}: an image did not load"
        figures += len(images)
        if stem == "index":
            assert page.locator("table a[href$='.html']").count() >= len(LESSONS)
            page.close()
            continue
        assert titles[stem].startswith(lesson_titles[stem]), titles[stem]
        assert page.locator("nav.page-toc a").count() >= 2, f"{stem}: no in-page table of contents"
        assert page.locator(".copybtn").count() >= 1, f"{stem}: no copy button"
        text = page.inner_text("main")
        for cell in notebooks[stem].cells:  # speaker notes stay off the pages
            if pages.is_notes(cell) and cell.source.strip():
                assert cell.source.strip().splitlines()[0][:60] not in text, f"{stem}: speaker notes on the page"
        # Downloads: the notebook as it is (with its navigation cells) and the deck, where built.
        hrefs = page.eval_on_selector_all(".bd-sidebar-secondary a.mv-download", "links => links.map(a => a.href)")
        targets = [Path(unquote(urlparse(href).path)) for href in hrefs]
        assert site / "notebooks" / f"{stem}.ipynb" in targets, f"{stem}: {hrefs}"
        for target in targets:
            assert target.is_file(), f"{stem}: broken download link {target}"
        assert pages.is_nav(nbformat.read(site / "notebooks" / f"{stem}.ipynb", as_version=4).cells[0])
        has_deck = any(t.name == f"{stem}.slides.html" for t in targets)
        assert has_deck == (stem == DECK), f"{stem}: deck link {hrefs}"
        if not has_deck:
            assert "make slides" in page.inner_text(".mv-downloads")
        page.close()
    assert len(set(titles.values())) == len(titles), titles
    assert figures == expected_figures and figures > 50
    assert guard.problems() == [], guard.problems()
    assert guard.errors == [], guard.errors


# The prose of a page as the reader sees it: its text outside code, outputs and MathJax's own elements.
PROSE = """() => {
  const out = [], root = document.querySelector('article') || document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {acceptNode: n =>
    n.parentElement.closest('script, style, code, pre, .cell_output, .MathJax_Preview, .MathJax_CHTML, .MathJax, .MJX_Assistive_MathML')
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  while (walker.nextNode()) out.push(walker.currentNode.textContent);
  return out.join(' ');
}"""


def test_math_is_typeset_from_the_local_mathjax(site, chromium):
    context, guard = chromium
    version = json.loads((ROOT / "node_modules" / "mathjax" / "package.json").read_text())["version"]
    for stem in ("01_waveforms", "02_spectrograms"):
        page = _open(context, (site / f"{stem}.html").as_uri())
        page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0"
                               " && document.querySelectorAll('.MathJax_CHTML').length > 0", timeout=30_000)
        assert page.evaluate("() => MathJax.version") == version
        raw = re.findall(r".{0,30}(?:\$|\\\(|\\\[).{0,30}", page.evaluate(PROSE))
        assert not raw, f"{stem}: raw TeX in the prose: {raw[:3]}"
        page.close()
    assert guard.problems() == [], guard.problems()
    assert guard.errors == [], guard.errors


def test_every_player_plays_offline(site, chromium):
    """Every ``<audio>`` of every lesson page decodes (Ogg Opus from its data: URL) and plays, offline."""
    context, guard = chromium
    total = 0
    for stem in LESSONS:
        nb = pages.site_notebook(nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4))
        stored = sum(output.get("data", {}).get("text/html", "").count("<audio")
                     for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs)
        page = _open(context, (site / f"{stem}.html").as_uri())
        rows = browser.play_every_player(page)
        assert len(rows) == stored, f"{stem}: {len(rows)} players on the page, {stored} in the notebook"
        bad = [r for r in rows if r["type"] != "audio/ogg" or r["error"] is not None or not r["played"]
               or not 0 < (r["duration"] or 0) < 60]
        assert not bad, f"{stem}: {bad[:3]}"
        total += len(rows)
        page.close()
    assert total > 40, total
    assert guard.problems() == [], guard.problems()
    assert guard.errors == [], guard.errors


def test_every_link_resolves_and_the_lessons_link_up(site, chromium):
    """Every link of every page, as the browser resolves it, reaches a file (and an anchor in it);
    a reader goes from the index to a lesson, on to the next and back to the index."""
    context, guard = chromium
    ids: dict[Path, set[str]] = {}
    checked = 0
    for document in sorted(site.glob("*.html")):
        page = _open(context, document.as_uri())
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            url = urlparse(href)
            if url.scheme != "file":
                continue  # web links (the licence, the theme's credits) are not requests
            target = Path(unquote(url.path))
            assert target.is_file(), f"{document.name}: broken link {href}"
            if url.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = set(re.findall(r'\bid="([^"]+)"', target.read_text(encoding="utf-8")))
                assert unquote(url.fragment) in ids[target], f"{document.name}: no anchor for {href}"
            checked += 1
        page.close()
    assert checked > 30 * len(LESSONS), checked
    page = _open(context, (site / "index.html").as_uri())
    for click, landing in (("table a[href='01_waveforms.html']", "01_waveforms.html"),
                           ("a.right-next", "02_spectrograms.html"), ("a.left-prev", "01_waveforms.html"),
                           ("a.navbar-brand", "index.html")):
        page.locator(click).first.click()
        page.wait_for_load_state("load")
        assert Path(unquote(urlparse(page.url).path)) == site / landing, f"{click}: {page.url}"
    assert guard.problems() == [], guard.problems()
    assert guard.errors == [], guard.errors


def test_search_finds_a_lesson_offline(site, chromium):
    context, guard = chromium
    page = _open(context, (site / "index.html").as_uri())
    page.keyboard.press("Control+k")  # the theme's search dialog, as a student would open it
    page.locator("#pst-search-dialog input[name='q']").fill("taggram")
    page.keyboard.press("Enter")
    page.wait_for_selector("#search-results li a", timeout=30_000)
    found = page.eval_on_selector_all("#search-results li a", "links => links.map(a => a.getAttribute('href'))")
    assert any(href.split("?")[0].split("#")[0] == "08_transfer_learning.html" for href in found), found
    assert not any(href.split("?")[0].startswith("00_") for href in found), found  # not every page matches
    assert guard.problems() == [], guard.problems()
    assert guard.errors == [], guard.errors


def test_dark_mode_and_hide_code_toggle(site, chromium):
    context, guard = chromium
    page = _open(context, (site / "01_waveforms.html").as_uri())
    light = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    page.locator(".bd-header .theme-switch-button").click()
    page.locator(".bd-header .theme-change-button[data-mode='dark']").click()
    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    dark = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert dark != light
    page.reload()  # the choice is remembered
    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    code = page.locator(".cell_input").first
    assert code.is_visible()
    page.locator(".mv-code-toggle").click()
    assert not code.is_visible() and page.locator("figure.mv-figure").first.is_visible()
    page.locator(".mv-code-toggle").click()
    assert code.is_visible()
    assert guard.problems() == [], guard.problems()


def test_explorers_show_a_labelled_static_view(site, chromium):
    context, guard = chromium
    for stem in EXPLORERS:
        page = _open(context, (site / f"{stem}.html").as_uri())
        cell = page.locator(".cell:has(.mv-static-widget)")
        assert cell.count() == 1, stem
        assert pages.STATIC_LABEL in cell.inner_text() and cell.locator(".mv-static-widget").is_visible()
        assert cell.locator("figure.mv-figure img").count() >= 1, f"{stem}: no static view"
        assert page.locator("script[type*='jupyter.widget'], .jupyter-widgets").count() == 0, stem
        page.close()
    assert guard.problems() == [], guard.problems()


def test_the_site_loads_nothing_from_outside(site):
    """What a page or a style sheet names to load (scripts, styles, images, media, fonts) is local."""
    loaded = re.compile(r"""<(?:script|link|img|audio|source|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']([^"']+)""", re.I)
    for document in [*site.glob("*.html"), *site.glob("_static/**/*.css")]:
        text = document.read_text(encoding="utf-8", errors="replace")
        for url in loaded.findall(text):
            assert not re.match(r"(?:[a-z]+:)?//", url, re.I), f"{document.name} loads {url}"
        assert not re.search(r"@import\s+(?:url\()?[\"']?(?:https?:)?//", text), f"{document.name} imports from outside"
        assert "fonts.googleapis" not in text, document.name
