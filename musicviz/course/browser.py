"""Drive Debian's Chromium with Playwright: offline checks, JupyterLab, screenshots.

Notebook: every notebook (their pages on the course site and their decks), and
01_waveforms.ipynb (its clip explorer, live in JupyterLab).

Shared by the browser tests (``tests/test_browser.py``, ``tests/test_site.py``) and
``make screenshots`` (``scripts/browser.py``)::

    python scripts/browser.py screenshots [--build build]

writes into ``build/screenshots/``: ``site-page.png`` (a lesson's page on the course site),
``site-search.png`` (the site's search results, offline), ``slide.png`` (a slide) and
``clip-explorer.png`` (notebook 01's clip explorer, live in JupyterLab, after a genre change).
A missing deck is made first (``make slides``' code), then a missing site
(:mod:`musicviz.course.build_site`, from ``build/notebooks`` after ``make run``, else from the
stored outputs); nothing is executed but notebook 01 in JupyterLab.

The browser is the system's ``chromium`` (Debian package), never a downloaded one, started
headless with a fresh profile and no background networking. Every request is routed: pages
may load ``file://``, ``data:`` and ``blob:`` URLs and talk to ``http://127.0.0.1``; anything
else is aborted and recorded (:class:`Guard`), so a check can assert that nothing left the
machine. Playwright (the ``test`` extra) is imported inside the functions that start it, so
importing this module needs neither Playwright nor a browser.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from musicviz._io import project_root
from musicviz.course.lab_setup import LAB_OVERRIDES, SERVER_CONFIG
from musicviz.course.runner import notebook_dir

__all__ = [
    "FLAGS",
    "LOCAL",
    "REVEAL_READY",
    "PLAY_EVERY_PLAYER",
    "play_every_player",
    "NOTEBOOK_STATE",
    "EXPLORER",
    "chromium",
    "Guard",
    "browser",
    "SLIDE_CHECK",
    "slide_problems",
    "jupyterlab",
    "open_notebook",
    "run_all",
    "explorer_image",
    "change_genre",
    "SEARCH_QUERY",
    "screenshots",
    "main",
]

#: Chromium's flags: headless, as root in a container, and no traffic of its own.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
#: The URLs a page may load (the rest never leaves the machine: :class:`Guard` aborts it).
LOCAL = ("file://", "data:", "blob:", "http://127.0.0.1:", "ws://127.0.0.1:")


def chromium() -> str | None:
    """Path of the system's Chromium (Debian's ``chromium`` package), or None.

    Examples
    --------
    >>> from musicviz.course.browser import chromium
    >>> chromium() is None or "chromium" in chromium()
    True
    """
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Guard:
    """Route every request of a browser context: local ones go on, the rest are aborted.

    ``blocked`` lists the URLs that would have left the machine, ``failed`` the local requests
    that failed (a missing file), ``errors`` the pages' uncaught JavaScript errors.

    Examples
    --------
    A stand-in for Playwright's ``BrowserContext`` and ``Route`` (what :func:`browser` guards):

    >>> from types import SimpleNamespace
    >>> from musicviz.course.browser import Guard
    >>> context = SimpleNamespace(pages=[], route=lambda pattern, handler: None, on=lambda event, handler: None)
    >>> guard = Guard(context)
    >>> for url in ("file:///build/html/01_waveforms.html", "https://cdn.example.org/require.js"):
    ...     guard._route(SimpleNamespace(request=SimpleNamespace(url=url), continue_=lambda: None, abort=lambda: None))
    >>> guard.problems()
    ['outgoing: https://cdn.example.org/require.js']
    """

    def __init__(self, context):
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        context.route("**/*", self._route)
        context.on("requestfailed", self._failed)
        context.on("page", self._page)
        for page in context.pages:
            self._page(page)

    def _route(self, route):
        url = route.request.url
        if url.startswith(LOCAL):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def _failed(self, request):
        # ERR_ABORTED: the page went on (a new page, a new figure) before a load finished.
        if request.url not in self.blocked and "ERR_ABORTED" not in str(request.failure):
            self.failed.append(f"{request.url[:200]} ({request.failure})")

    def _page(self, page):
        page.on("pageerror", lambda error: self.errors.append(str(error)[:300]))

    def problems(self) -> list[str]:
        return [f"outgoing: {u[:200]}" for u in self.blocked] + [f"failed: {f}" for f in self.failed]


@contextlib.contextmanager
def browser(playwright, *, viewport=(1280, 800)):
    """A headless Chromium context with a fresh profile, guarded; yields (context, guard)."""
    path = chromium()
    if path is None:
        raise RuntimeError("chromium not found: `apt-get install chromium` (Debian's package)")
    profile = tempfile.mkdtemp(prefix="musicviz-chromium-")
    context = playwright.chromium.launch_persistent_context(
        profile, executable_path=path, headless=True, args=FLAGS,
        viewport={"width": viewport[0], "height": viewport[1]},
    )
    try:
        yield context, Guard(context)
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


# -- audio players --------------------------------------------------------------------------

#: Every ``<audio>`` of the page, all at once: its source type, its duration once decoded, and
#: whether ``play()`` resolved and time went on; a player that neither decodes nor fails in 10 s
#: is reported as such. Run from a button's click handler (a real user gesture, as a student's
#: click), so the default autoplay policy lets them play.
PLAY_EVERY_PLAYER = """async () => {
  const one = async (a) => {
    const source = a.querySelector('source');
    const own = a.getAttribute('src') || '';  // the course's players: the data: URL on <audio> itself
    const type = source ? source.type : (own.startsWith('data:') ? own.slice(5, own.indexOf(';')) : null);
    const row = {type: type, duration: null, played: false, error: null};
    try {
      if (a.readyState < 1) await new Promise((ok, bad) => {
        a.addEventListener('loadedmetadata', ok, {once: true});
        a.addEventListener('error', () => bad(new Error('cannot decode')), {once: true});
        (source || a).addEventListener('error', () => bad(new Error('cannot decode the source')), {once: true});
        setTimeout(() => bad(new Error('neither decoded nor failed in 10 s')), 10000);
        a.load();
      });
      row.duration = a.duration;
      await a.play();
      const t0 = a.currentTime;
      // Time goes on within a few frames; a busy machine (CI, many players at once) may need seconds.
      for (let waited = 0; waited < 8000 && !(a.currentTime > t0); waited += 100) await new Promise(r => setTimeout(r, 100));
      row.played = !a.paused && a.currentTime > t0;
      a.pause();
    } catch (e) { row.error = String(e); }
    return row;
  };
  return Promise.all(Array.from(document.querySelectorAll('audio')).map(one));
}"""


def play_every_player(page) -> list[dict]:
    """Click a button that plays every ``<audio>`` of ``page``; one dict per player, in page order.

    Each dict: ``type`` (of its source), ``duration`` (s, once decoded), ``played`` (time went
    on while playing) and ``error`` (None, or why it did not decode or play).
    """
    page.evaluate("""(js) => { const b = document.createElement('button'); b.id = 'musicviz-play-all';
      b.textContent = 'play all'; b.style = 'position:fixed;top:0;left:0;z-index:99999';
      b.onclick = () => { window.__players = undefined; (eval('(' + js + ')'))().then(r => { window.__players = r; }); };
      document.body.appendChild(b); }""", PLAY_EVERY_PLAYER)
    page.click("#musicviz-play-all")
    page.wait_for_function("() => window.__players !== undefined", timeout=30_000)
    return page.evaluate("() => window.__players")


# -- slides ----------------------------------------------------------------------------------

REVEAL_READY = "() => window.Reveal !== undefined && window.Reveal.isReady && window.Reveal.isReady()"
#: Every slide of the open deck, at the canvas's own size (scale 1): what runs past the canvas
#: (any element, including text scrolled inside a box: a wide table, a long line) and text
#: under ``minFont`` px. A figure's text is its base font (``basePt`` by the PNG's dpi) times
#: its scale; a figure shown as large as the canvas allows is not held to it.
SLIDE_CHECK = r"""(opts) => {
  const minFont = opts.minFont, basePt = opts.basePt;  // basePt: {dpi: font pt of the figure's text}
  Reveal.configure({minScale: 1, maxScale: 1, transition: 'none'});
  const W = Reveal.getConfig().width, H = Reveal.getConfig().height, box = Reveal.getSlidesElement();
  const name = e => e.tagName.toLowerCase() + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/)[0] : '');
  const say = e => name(e) + ' "' + (e.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 50) + '"';
  const dpiOf = src => {
    if (!src.startsWith('data:image/png;base64,')) return null;
    const b = atob(src.slice(22, 22 + 400)), k = b.indexOf('pHYs');
    if (k < 0) return null;
    const n = (b.charCodeAt(k + 4) << 24 | b.charCodeAt(k + 5) << 16 | b.charCodeAt(k + 6) << 8 | b.charCodeAt(k + 7)) >>> 0;
    return Math.round(n * 0.0254);
  };
  const out = [];
  Reveal.getSlides().forEach((s, n) => {
    const i = Reveal.getIndices(s);
    Reveal.slide(i.h, i.v);
    Reveal.layout();
    const b = box.getBoundingClientRect(), k = b.width / W;
    const cut = [], small = [], imgs = [];
    let bottom = 0;
    for (const e of s.querySelectorAll('*')) {
      if (e.closest('aside.notes, script, style, .MJX_Assistive_MathML')) continue;
      const st = getComputedStyle(e);
      if (st.display === 'none' || st.visibility === 'hidden') continue;
      const r = e.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const x0 = (r.left - b.left) / k, y0 = (r.top - b.top) / k;
      const x1 = Math.max((r.right - b.left) / k, x0 + e.scrollWidth), y1 = Math.max((r.bottom - b.top) / k, y0 + e.scrollHeight);
      bottom = Math.max(bottom, y1);
      if (x0 < -1 || y0 < -1 || x1 > W + 1 || y1 > H + 1)
        cut.push(`${say(e)} at x ${x0.toFixed(0)}..${x1.toFixed(0)}, y ${y0.toFixed(0)}..${y1.toFixed(0)}`);
      else if ((st.overflowX !== 'visible' && e.scrollWidth > e.clientWidth + 1) || (st.overflowY !== 'visible' && e.scrollHeight > e.clientHeight + 1))
        cut.push(`${say(e)} scrolls inside its box: ${e.scrollWidth}x${e.scrollHeight} in ${e.clientWidth}x${e.clientHeight}`);
      if (e.tagName === 'IMG' && e.naturalWidth) {
        const dpi = dpiOf(e.getAttribute('src') || '');
        const pt = dpi && basePt[String(dpi)];
        if (pt) { const px = pt * dpi / 72 * r.width / k / e.naturalWidth;
          if (px < minFont) imgs.push([r.width / k, `img (${e.naturalWidth}x${e.naturalHeight} at ${dpi} dpi shown ${(r.width / k).toFixed(0)} px wide): text ${px.toFixed(1)} px`]); }
      }
      for (const t of e.childNodes) {
        if (t.nodeType !== 3 || !t.textContent.trim()) continue;
        const px = parseFloat(st.fontSize);
        if (px < minFont - 0.05 && !e.closest('.MathJax_CHTML, .MathJax, .MathJax_Preview, .MathJax_PreviewHTML, mjx-container')) small.push(`${say(e)}: ${px.toFixed(1)} px`);
        break;
      }
    }
    // A figure shown as large as the canvas allows (full width, or the slide full) is not held to minFont.
    for (const [width, text] of imgs) if (width < W - 30 && bottom < opts.maxFigure) small.push(text);
    if (cut.length || small.length) out.push({n: n + 1, h: i.h, v: i.v || 0, cut: cut.slice(0, 6), small: small.slice(0, 6)});
  });
  Reveal.slide(0, 0);
  return out;
}"""


def slide_problems(page, *, min_font: float | None = None) -> list[dict]:
    """The slides of the open deck that run past the canvas or show text under ``min_font`` px.

    One dict per such slide: ``n`` (its number as the deck shows it), ``h``, ``v``, ``cut``
    and ``small`` (descriptions). Defaults: :data:`~musicviz.course.slide_layout.MIN_TEXT_PX`.
    """
    from musicviz.course.slide_fit import MAX_FIGURE
    from musicviz.course.slide_layout import FIGURE_FONTS, MIN_TEXT_PX

    page.wait_for_function(REVEAL_READY, timeout=30_000)
    return page.evaluate(SLIDE_CHECK, {"minFont": MIN_TEXT_PX if min_font is None else min_font,
                                       "basePt": {str(k): v for k, v in FIGURE_FONTS.items()},
                                       "maxFigure": MAX_FIGURE})


# -- JupyterLab -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def jupyterlab(root_dir: Path, *, timeout: float = 60.0, plain: bool = False, prefix: Path | None = None):
    """A JupyterLab server on 127.0.0.1 with a random token, killed on exit.

    Configured like ``make lab`` (:mod:`musicviz.course.lab_setup`: default kernel, no news, no
    update check; every cell rendered) in throw-away Jupyter folders, so neither the user's
    settings nor the environment's files are read or written. ``plain=True``: none of those
    settings, as a plain ``jupyter lab`` on a hub or a student's machine (what the installed
    packages ship still applies); ``prefix``: an environment's folder whose ``share/jupyter``
    and ``etc/jupyter`` files count as installed (what a wheel's data files install).
    Yields ``(base URL, token)``.
    """
    token = secrets.token_hex(16)
    port = _free_port()
    home = Path(tempfile.mkdtemp(prefix="musicviz-lab-"))
    settings = home / "app-settings"
    settings.mkdir()
    overrides = json.loads(json.dumps(LAB_OVERRIDES))
    # Every cell in the page (no virtual scrolling), so that checks can find any output.
    overrides["@jupyterlab/notebook-extension:tracker"]["windowingMode"] = "none"
    config = home / "config"
    config.mkdir()
    if plain:
        server = {"LabApp": {"expose_app_in_browser": True}}
        if prefix is not None:  # as installed into the environment: its settings folder
            server["LabApp"]["app_settings_dir"] = str(Path(prefix) / "share" / "jupyter" / "lab" / "settings")
    else:
        (settings / "overrides.json").write_text(json.dumps(overrides))
        server = dict(SERVER_CONFIG)
        server["LabApp"] = {**server["LabApp"], "app_settings_dir": str(settings), "expose_app_in_browser": True}
    (config / "jupyter_server_config.json").write_text(json.dumps(server))
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(config),
        **({"JUPYTER_CONFIG_PATH": str(Path(prefix) / "etc" / "jupyter")} if plain and prefix is not None else {}),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "user-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }
    env.pop("MPLBACKEND", None)  # the kernel's inline backend, as for a student
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        "--port-retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}",
        # A safety net should this process die without killing it: idle kernels are culled and
        # an idle server stops by itself after 10 minutes.
        "--MappingKernelManager.cull_idle_timeout=600", "--MappingKernelManager.cull_interval=60",
        "--ServerApp.shutdown_no_activity_timeout=600",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = open(home / "server.log", "wb")
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root_dir,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited ({proc.returncode}): {(home / 'server.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"JupyterLab did not start in {timeout:.0f} s: {(home / 'server.log').read_text()[-2000:]}")
            time.sleep(0.3)
        yield url, token
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 15)  # the server and its kernels, which share its session
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, 9)
            proc.wait(timeout=10)
        log.close()
        shutil.rmtree(home, ignore_errors=True)


NOTEBOOK_STATE = """() => {
  const app = window.jupyterapp; if (!app) return null;
  const panel = app.shell.currentWidget;
  if (!panel || !panel.content || !panel.sessionContext) return null;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const cells = panel.content.widgets.filter(c => c.model.type === 'code');
  const errors = [];
  for (const c of cells) for (const o of c.model.outputs.toJSON())
    if (o.output_type === 'error') errors.push(o.ename + ': ' + o.evalue);
  return {kernel: kernel ? kernel.status : null, code: cells.length,
          executed: cells.filter(c => c.model.executionCount !== null).length,
          running: document.querySelectorAll('.jp-InputPrompt').length
                   ? Array.from(document.querySelectorAll('.jp-InputPrompt')).filter(p => p.textContent.includes('*')).length : 0,
          errors: errors, dialogs: document.querySelectorAll('.jp-Dialog').length};
}"""


def open_notebook(page, url: str, token: str, name: str, *, timeout: float = 60.0):
    """Open ``name`` in JupyterLab and wait until its kernel is idle."""
    page.goto(f"{url}/lab/tree/{name}?token={token}")
    page.wait_for_function(
        "() => { const s = (" + NOTEBOOK_STATE + ")(); return s !== null && s.kernel === 'idle'; }",
        timeout=timeout * 1000,
    )


def run_all(page, *, timeout: float = 120.0) -> dict:
    """Run every cell of the open notebook; returns its state once all ran (or raises)."""
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        "() => { const s = (" + NOTEBOOK_STATE + ")(); return s && s.kernel === 'idle' && s.running === 0"
        " && (s.executed === s.code || s.errors.length > 0); }",
        timeout=timeout * 1000,
        polling=250,
    )
    return page.evaluate(NOTEBOOK_STATE)


EXPLORER = ".jp-Cell:has(.widget-dropdown)"


def explorer_image(page) -> str:
    """The ``src`` of the clip explorer's figure (the first image after its controls)."""
    return page.locator(f"{EXPLORER} .jp-OutputArea-output img").first.get_attribute("src") or ""


def change_genre(page, genre: str, *, timeout: float = 20.0) -> float:
    """Pick ``genre`` in the clip explorer; returns the seconds until its figure and player changed.

    The explorer redraws its figure first and its player after it: a player replaced while a test
    plays it is removed from the page, and a removed player is paused.
    """
    image = f"{EXPLORER} .jp-OutputArea-output img"
    player = f"{EXPLORER} .jp-OutputArea-output audio"
    before = [explorer_image(page), page.locator(player).first.get_attribute("src") if page.locator(player).count() else None]
    select = page.locator(f"{EXPLORER} .widget-dropdown select").first
    start = time.perf_counter()
    select.select_option(label=genre)
    page.wait_for_function(
        """([image, player, old]) => {
          const img = document.querySelector(image), audio = document.querySelector(player);
          return img && img.src !== old[0] && (old[1] === null || (audio && audio.getAttribute('src') !== old[1]));
        }""",
        arg=[image, player, before],
        timeout=timeout * 1000,
        polling=50,
    )
    return time.perf_counter() - start


# -- screenshots ------------------------------------------------------------------------------


#: What ``make screenshots`` searches the site for (a word of one lesson, notebook 08).
SEARCH_QUERY = "taggram"


def _site_ready(page) -> None:
    """Wait until a page of the site has typeset its math and laid out its figures."""
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.MathJax === undefined || !MathJax.Hub || MathJax.Hub.queue.pending === 0",
                           timeout=30_000)
    page.wait_for_timeout(500)


def screenshots(build: Path, *, notebook: str = "01_waveforms") -> list[Path]:
    """A lesson's page on the course site, the site's search results, a slide and the clip
    explorer as PNGs in ``build/screenshots``; returns their paths."""
    import nbformat
    from playwright.sync_api import sync_playwright

    from musicviz.course import build_site, slides

    build = Path(build).resolve()
    out = build / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    executed = build / "notebooks"
    deck_file = build / "slides" / f"{notebook}.slides.html"
    if not deck_file.is_file():
        source = executed / f"{notebook}.ipynb"
        source = source if source.is_file() else notebook_dir() / f"{notebook}.ipynb"
        slides.write_deck(nbformat.read(source, as_version=4), deck_file, exporter=slides.slides_exporter(build / "slides"),
                          figures_dir=build / "figures" / notebook)
    site = build / "html"
    if not (site / "index.html").is_file() or not (site / f"{notebook}.html").is_file():
        # The executed copies of `make run` when it ran every notebook, else the stored outputs (`make html`).
        ran = executed.is_dir() and all((executed / p.name).is_file() for p in build_site.lessons())
        print(f"building the course site into {site} ...", file=sys.stderr)
        build_site.build_site(build, source=executed if ran else None)
    shots = {name: out / f"{name}.png" for name in ("site-page", "site-search", "slide", "clip-explorer")}
    with sync_playwright() as playwright, browser(playwright) as (context, guard):
        page = context.new_page()
        page.goto((site / f"{notebook}.html").as_uri())
        _site_ready(page)
        page.screenshot(path=shots["site-page"])
        page.goto((site / "index.html").as_uri())
        _site_ready(page)
        page.keyboard.press("Control+k")  # the theme's search dialog, as a student opens it
        page.locator("#pst-search-dialog input[name='q']").fill(SEARCH_QUERY)
        page.keyboard.press("Enter")
        page.wait_for_selector("#search-results li a", timeout=30_000)
        page.wait_for_timeout(500)
        page.screenshot(path=shots["site-search"])
        page.goto(deck_file.as_uri())
        page.wait_for_function(REVEAL_READY, timeout=30_000)
        # The first slide with a figure (else the third slide), as the deck shows it.
        page.evaluate("""() => { const s = Reveal.getSlides().find(s => s.querySelector('img'));
          const i = s ? Reveal.getIndices(s) : {h: 2, v: 0}; Reveal.slide(i.h, i.v || 0); }""")
        page.wait_for_timeout(1200)
        page.screenshot(path=shots["slide"])
        problems = guard.problems()
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(notebook_dir() / f"{notebook}.ipynb", tmp)
        with jupyterlab(Path(tmp)) as (url, token), sync_playwright() as playwright, \
                browser(playwright, viewport=(1280, 1000)) as (context, guard):
            page = context.new_page()
            open_notebook(page, url, token, f"{notebook}.ipynb")
            state = run_all(page)
            if state["errors"]:
                raise RuntimeError(f"{notebook} raised in JupyterLab: {state['errors']}")
            cell = page.locator(EXPLORER).first
            cell.scroll_into_view_if_needed()
            change_genre(page, "metal")
            page.wait_for_timeout(500)
            cell.screenshot(path=shots["clip-explorer"])
            problems += guard.problems()
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    return list(shots.values())


def main(argv=None) -> int:
    """``python scripts/browser.py screenshots [--build build]``: 0, or 1 without Chromium."""
    parser = argparse.ArgumentParser(prog="browser.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    shots = sub.add_parser("screenshots", help="a site page, the site's search results, a slide and the clip explorer as PNGs")
    shots.add_argument("--build", type=Path, default=project_root() / "build")
    args = parser.parse_args(argv)
    if chromium() is None:
        print("chromium not found: install Debian's package (`apt-get install chromium`)", file=sys.stderr)
        return 1
    for path in screenshots(args.build):
        print(f"  {path}")
    return 0
