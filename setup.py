"""One build step on top of pyproject.toml: the course's notebooks go into the wheel.

A non-editable install (``pip install .``, a wheel, a JupyterHub image) has no ``notebooks/``
folder, so ``musicviz notebooks DIR`` copies them from ``musicviz/_notebooks``, which this step
fills from ``notebooks/`` when the wheel is built: the repository holds each notebook once.
An editable install (``make env``) skips it and reads ``notebooks/`` of the clone.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"


class BuildWithNotebooks(build_py):
    """``build_py``, plus ``notebooks/*.ipynb`` and ``notebooks/README.md`` into ``musicviz/_notebooks``."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "musicviz" / "_notebooks"
        target.mkdir(parents=True, exist_ok=True)
        for path in [*sorted(NOTEBOOKS.glob("*.ipynb")), NOTEBOOKS / "README.md"]:
            if path.is_file():
                shutil.copyfile(path, target / path.name)


setup(cmdclass={"build_py": BuildWithNotebooks})
