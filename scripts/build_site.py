#!/usr/bin/env python
"""The browsable build: local JavaScript for the pages, their links, and ``build/index.html``.

The HTML pages (``build/html/``) and slide decks (``build/slides/``) load require.js, MathJax,
the widget renderer and reveal.js from ``build/assets/`` by relative URLs, so they work offline
(a classroom, an exam room) and make no request that leaves the machine. The assets are the
npm packages pinned in ``package.json`` / ``package-lock.json`` (``make assets`` runs
``npm ci``); only the files the pages use are copied (MathJax alone is 71 MB unpacked, its used
part 4 MB). Without ``node_modules/`` (no npm) the pages fall back to the CDNs and a warning
says that they will need the network.

``python scripts/build_site.py [--build build] [--html] [--only GLOB]`` copies the assets,
with ``--html`` exports HTML pages from the executed notebooks in ``build/notebooks/`` (the
committed notebooks where there are none; nothing is executed), and writes ``build/index.html``:
the series' table of contents with links to every page, every deck and the figures' contact
sheet that exist.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from musicviz._io import atomic_write_text  # noqa: E402

NODE_MODULES = ROOT / "node_modules"
NOTEBOOKS = ROOT / "notebooks"
ASSETS = "assets"

#: What the pages load: ``{folder or file under build/assets: (package folder, globs)}``.
ASSET_FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "requirejs": ("requirejs", ("require.js", "package.json")),
    "mathjax": (
        "mathjax",
        (
            "MathJax.js",
            "package.json",
            "LICENSE",
            "config/TeX-AMS_CHTML-full.js",
            "config/Safe.js",
            "extensions/**/*.js",
            "jax/input/TeX/**/*.js",
            "jax/element/**/*.js",
            "jax/output/CommonHTML/**/*.js",
            "fonts/HTML-CSS/TeX/woff/*.woff",
        ),
    ),
    "html-manager": (
        "@jupyter-widgets/html-manager",
        ("dist/embed-amd.js", "dist/*.woff", "dist/*.woff2", "package.json", "LICENSE*"),
    ),
    "reveal.js": (
        "reveal.js",
        (
            "dist/reveal.js",
            "dist/reveal.css",
            "dist/theme/white.css",
            "dist/theme/fonts/source-sans-pro/*.woff",
            "dist/theme/fonts/source-sans-pro/source-sans-pro.css",
            "dist/theme/fonts/source-sans-pro/LICENSE",
            "plugin/notes/notes.js",
            "package.json",
            "LICENSE",
        ),
    ),
}

#: The CDN addresses nbconvert uses by default (what the pages need without local assets).
NETWORK_WARNING = (
    "warning: no node_modules/ (npm missing or `make assets` not run): the HTML pages and slides "
    "will load require.js, MathJax, the widget renderer and reveal.js from CDNs and need the network"
)

_NB_LINK = re.compile(r'href="(?:\./)?([0-9][0-9][a-z]?_[A-Za-z0-9_]+)\.ipynb(#[^"]*)?"')
_README_LINK = re.compile(r'href="(?:\./)?README\.md(#[^"]*)?"')


def assets_available(node_modules: Path = NODE_MODULES) -> bool:
    """True when every package the pages need is installed in ``node_modules``."""
    return all((node_modules / package / "package.json").is_file() for package, _ in ASSET_FILES.values())


def copy_assets(build: Path, *, node_modules: Path = NODE_MODULES) -> Path | None:
    """Copy the used parts of the npm packages into ``build/assets``; None when not installed.

    Files already there with the same size and modification time are not copied again.
    """
    if not assets_available(node_modules):
        return None
    target = Path(build) / ASSETS
    versions = {}
    for name, (package, globs) in ASSET_FILES.items():
        source = node_modules / package
        versions[package] = json.loads((source / "package.json").read_text(encoding="utf-8"))["version"]
        for pattern in globs:
            for path in sorted(source.glob(pattern)):
                if not path.is_file():
                    continue
                dest = target / name / path.relative_to(source)
                stat = path.stat()
                if dest.is_file() and dest.stat().st_size == stat.st_size and dest.stat().st_mtime == stat.st_mtime:
                    continue
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest)
    atomic_write_text(target / "versions.json", json.dumps(versions, indent=2, sort_keys=True) + "\n")
    return target


def relative_assets(page_dir: Path, build: Path) -> str:
    """The URL of ``build/assets`` relative to a page in ``page_dir`` (``../assets``)."""
    return Path(os.path.relpath(Path(build) / ASSETS, Path(page_dir))).as_posix()


def configure_exporter(exporter, *, assets: str | None):
    """Point an nbconvert HTML/slides exporter at the local assets (URL ``assets``), if any."""
    if assets is None:
        return exporter
    exporter.require_js_url = f"{assets}/requirejs/require.js"
    exporter.mathjax_url = f"{assets}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
    exporter.widget_renderer_url = f"{assets}/html-manager/dist/embed-amd.js"
    if hasattr(exporter, "reveal_url_prefix"):
        exporter.reveal_url_prefix = f"{assets}/reveal.js"
        exporter.reveal_theme = "white"  # its font (Source Sans Pro) ships with reveal.js
    return exporter


def html_exporter(build: Path, *, page_dir: Path | None = None, quiet: bool = False):
    """An ``HTMLExporter`` for pages in ``build/html`` that loads everything from ``build/assets``.

    Copies the assets first; without them (no npm) the exporter keeps nbconvert's CDN addresses
    and a warning is printed (unless ``quiet``).
    """
    from nbconvert import HTMLExporter

    build = Path(build)
    have = copy_assets(build) is not None
    if not have and not quiet:
        print(NETWORK_WARNING, file=sys.stderr)
    page_dir = build / "html" if page_dir is None else page_dir
    return configure_exporter(HTMLExporter(), assets=relative_assets(page_dir, build) if have else None)


def fix_links(body: str, *, ext: str = ".html", contents: str = "../index.html") -> str:
    """Rewrite the notebooks' links for the build: ``NN_x.ipynb`` -> ``NN_x<ext>``, ``README.md`` -> ``contents``."""
    body = _NB_LINK.sub(lambda m: f'href="{m.group(1)}{ext}{m.group(2) or ""}"', body)
    return _README_LINK.sub(lambda m: f'href="{contents}"', body)


def export_html(nb, target: Path, *, exporter) -> Path:
    """Write one notebook (executed, with outputs) as an HTML page with build links."""
    body, _ = exporter.from_notebook_node(nb)
    return atomic_write_text(target, fix_links(body))


def _nav():
    import importlib.util

    spec = importlib.util.spec_from_file_location("musicviz_nav", ROOT / "scripts" / "nav.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def index_page(build: Path, *, notebooks=None) -> str:
    """The HTML of ``build/index.html``: the series with links to what exists in ``build``."""
    import nbformat

    nav = _nav()
    build = Path(build)
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]*.ipynb")) if notebooks is None else list(notebooks)
    rows = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        title, minutes = nav.title_of(nb, path), nav.estimated_time(nb)
        page, deck = build / "html" / f"{path.stem}.html", build / "slides" / f"{path.stem}.slides.html"
        cell_title = (
            f'<a href="html/{html.escape(page.name)}">{html.escape(title)}</a>'
            if page.is_file()
            else f'{html.escape(title)} <span class="missing">(no page: it did not execute)</span>'
        )
        cell_deck = f'<a href="slides/{html.escape(deck.name)}">slides</a>' if deck.is_file() else ""
        rows.append(f"<tr><td>{html.escape(path.stem.split('_', 1)[0])}</td><td>{cell_title}</td>"
                    f"<td>{cell_deck}</td><td>{html.escape(minutes)}</td></tr>")
    extras = []
    if (build / "figures" / "index.html").is_file():
        extras.append('<li><a href="figures/index.html">Figures</a>: every named figure, exported for slides '
                      "(SVG, PDF, PNG), with its caption</li>")
    if any((build / "slides").glob("*.slides.html")):
        extras.append("<li>Slides: arrow keys move between slides, <kbd>S</kbd> opens the speaker notes "
                      "(long outputs are there), <kbd>Esc</kbd> shows the overview</li>")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
        "<title>musicviz: music genre classification, end to end</title>",
        "<style>",
        "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:60em;color:#222;padding:0 1em}",
        "table{border-collapse:collapse}td,th{padding:.35em .8em;border-bottom:1px solid #ddd;text-align:left}",
        ".missing{color:#a00;font-size:.9em}",
        "</style></head><body>",
        "<h1>musicviz: music genre classification, end to end</h1>",
        "<p>The notebooks of the series, executed, in order. Every page works offline.</p>",
        '<table><thead><tr><th>#</th><th>notebook</th><th>deck</th><th>time</th></tr></thead><tbody>',
        *rows,
        "</tbody></table>",
    ]
    if extras:
        parts += ["<ul>", *extras, "</ul>"]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_index(build: Path) -> Path:
    """Write ``build/index.html`` (links only to pages, decks and figures that exist)."""
    return atomic_write_text(Path(build) / "index.html", index_page(Path(build)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", type=Path, default=ROOT / "build", help="the build folder (default: build)")
    parser.add_argument("--html", action="store_true", help="export HTML pages (executed copies, else committed notebooks)")
    parser.add_argument("--only", default="[0-9][0-9]*", help="glob of notebooks for --html, e.g. '0[1-2]*'")
    args = parser.parse_args(argv)
    import nbformat

    build = args.build.resolve()
    if copy_assets(build) is None:
        print(NETWORK_WARNING, file=sys.stderr)
    else:
        print(f"assets: {build / ASSETS}")
    if args.html:
        exporter = html_exporter(build, quiet=True)
        pattern = args.only if args.only.endswith(".ipynb") else f"{args.only}.ipynb"
        for path in sorted(NOTEBOOKS.glob(pattern)):
            executed = build / "notebooks" / path.name
            source = executed if executed.is_file() else path
            target = export_html(nbformat.read(source, as_version=4), build / "html" / f"{path.stem}.html", exporter=exporter)
            print(f"  {target}")
    print(f"index: {write_index(build)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
