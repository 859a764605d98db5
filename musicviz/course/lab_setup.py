"""JupyterLab settings of the course's environment (``make lab``, ``make test``: ``scripts/lab_setup.py``).

Notebook: every notebook (how JupyterLab opens and runs them for a student).

Writes, into the environment that runs it (``.venv``):

- ``share/jupyter/lab/settings/overrides.d/musicviz.json``: the preferred kernel starts by
  itself (no "Select Kernel" dialog when a student presses Run All while it starts), no news
  or update prompt (and no request for them). ``overrides.d/<package>.json`` is JupyterLab's
  place for a package's defaults (jupyterlab_server reads every file there, then the user's
  own ``overrides.json``, which this leaves alone);
- ``etc/jupyter/jupyter_server_config.d/musicviz.json``: ``python3`` (the course's kernel) is the
  default kernel, and the server neither fetches announcements nor checks for updates.

Changes nothing outside the environment. ``--print`` shows the two files instead. The browser
checks (:func:`musicviz.course.browser.jupyterlab`) start JupyterLab with the same settings.

Without make (a plain ``pip install``, a hub image, conda): the same two files ship in the
package's wheel as data files, from ``jupyter-config/`` (``python scripts/lab_setup.py
--prefix jupyter-config`` writes them; pyproject's ``[tool.setuptools.data-files]`` installs
them into the environment's ``share/`` and ``etc/``), so a plain ``jupyter lab`` behaves as
``make lab`` does.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from musicviz._io import atomic_write_text

__all__ = ["LAB_OVERRIDES", "SERVER_CONFIG", "files", "main"]

#: JupyterLab settings that override the defaults for every user of this environment.
LAB_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension:tracker": {"autoStartDefaultKernel": True},
}

#: Jupyter server configuration for this environment.
SERVER_CONFIG = {
    "MultiKernelManager": {"default_kernel_name": "python3"},
    "LabApp": {"news_url": None, "check_for_updates_class": "jupyterlab.handlers.announcements.NeverCheckForUpdate"},
}


def files(prefix: Path) -> dict[Path, str]:
    """The files written under ``prefix`` (the environment), with their text.

    Examples
    --------
    >>> from pathlib import Path
    >>> from musicviz.course.lab_setup import files
    >>> [p.parent.name + "/" + p.name for p in files(Path("/venv"))]
    ['overrides.d/musicviz.json', 'jupyter_server_config.d/musicviz.json']
    """
    prefix = Path(prefix)
    return {
        prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / "musicviz.json": json.dumps(LAB_OVERRIDES, indent=2) + "\n",
        prefix / "etc" / "jupyter" / "jupyter_server_config.d" / "musicviz.json": json.dumps(SERVER_CONFIG, indent=2) + "\n",
    }


def main(argv=None) -> int:
    """``python scripts/lab_setup.py [--prefix ENV] [--print]``: returns 0.

    Examples
    --------
    >>> import tempfile
    >>> from musicviz.course.lab_setup import main
    >>> main(["--prefix", tempfile.mkdtemp(), "--print"])  # doctest: +ELLIPSIS
    # .../overrides.d/musicviz.json
    ...
    0
    """
    parser = argparse.ArgumentParser(prog="lab_setup.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prefix", type=Path, default=Path(sys.prefix), help="environment (default: this one)")
    parser.add_argument("--print", action="store_true", help="show the files, write nothing")
    args = parser.parse_args(argv)
    for path, text in files(args.prefix).items():
        if args.print:
            print(f"# {path}\n{text}")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, text)
        print(f"wrote {path}")
    return 0
