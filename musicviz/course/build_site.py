"""The browsable build from the stored outputs (``make html``: ``scripts/build_site.py``).

Notebook: every notebook (each gets an HTML page in ``build/html/``; nothing is executed).

``python scripts/build_site.py [--build build] [--html] [--only GLOB]`` copies the pages'
JavaScript into ``build/assets/`` (:func:`musicviz.course.pages.copy_assets`; without
``node_modules/`` the pages load it from CDNs and a warning says so), with ``--html`` exports
HTML pages from the executed notebooks in ``build/notebooks/`` (the committed notebooks where
there are none), and writes ``build/index.html``: the series' table of contents with links to
every page, every deck and the figures' contact sheet that exist. The code of the pages is
:mod:`musicviz.course.pages`; ``make run`` (:mod:`musicviz.course.series`) makes the same pages
from the notebooks it executes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from musicviz._io import project_root
from musicviz.course.pages import ASSETS, NETWORK_WARNING, copy_assets, export_html, html_exporter, write_index
from musicviz.course.runner import series

__all__ = ["main"]


def main(argv=None) -> int:
    """``python scripts/build_site.py [--build build] [--html] [--only GLOB]``: returns 0.

    Examples
    --------
    >>> import contextlib, io, tempfile
    >>> from musicviz.course.build_site import main
    >>> with contextlib.redirect_stdout(io.StringIO()) as printed:
    ...     status = main(["--build", tempfile.mkdtemp()])  # no --html: the assets and the index
    >>> status, printed.getvalue().splitlines()[-1].endswith("/index.html")
    (0, True)
    """
    import nbformat

    parser = argparse.ArgumentParser(prog="build_site.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", type=Path, default=project_root() / "build", help="the build folder (default: build)")
    parser.add_argument("--html", action="store_true", help="export HTML pages (executed copies, else committed notebooks)")
    parser.add_argument("--only", default="[0-9][0-9]*", help="glob of notebooks for --html, e.g. '0[1-2]*'")
    args = parser.parse_args(argv)
    build = args.build.resolve()
    if copy_assets(build) is None:
        print(NETWORK_WARNING, file=sys.stderr)
    else:
        print(f"assets: {build / ASSETS}")
    if args.html:
        exporter = html_exporter(build, quiet=True)
        for path in series(args.only):
            executed = build / "notebooks" / path.name
            source = executed if executed.is_file() else path
            target = export_html(nbformat.read(source, as_version=4), build / "html" / f"{path.stem}.html", exporter=exporter)
            print(f"  {target}")
    print(f"index: {write_index(build)}")
    return 0
