"""The course without ``make``: the notebooks and the pretrained weights of a pip-installed musicviz.

Notebook: every notebook (``musicviz notebooks DIR`` copies them), ``07`` and ``08`` (the weights).

A clone of the repository has everything (``make`` does the rest). An installed musicviz
(``pip install``, conda's ``environment.yml``, a JupyterHub image) has the package only, so:

* :func:`copy_notebooks` (``musicviz notebooks DIR``) copies the course's notebooks into a
  folder of the user's choosing. They ship inside the wheel as ``musicviz/_notebooks``, copied
  there from ``notebooks/`` when the wheel is built (``setup.py``), so the repository holds
  them once. Sentences pointing at ``solutions/`` (not installed) are rewritten as in the
  student release (:mod:`musicviz.grading.release`). A notebook already in the folder is
  never overwritten (it may hold the student's work).
* :func:`install_weights` (``musicviz weights``) installs musicnn's wheel for its checkpoint
  files only, ``pip install --no-deps musicnn==0.1.0``, into the running environment: musicnn's
  own requirements (NumPy < 1.17, TensorFlow 1) cannot be met next to musicviz's, so neither
  an extra of ``pyproject.toml`` nor a line of ``environment.yml``'s pip section can ask for
  it (pip accepts no ``--no-deps`` in a requirements file).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from musicviz.config import is_checkout
from musicviz.errors import DatasetError, ModelError, OutputError

__all__ = ["MUSICNN_REQUIREMENT", "notebooks_source", "copy_notebooks", "weights_installed", "install_weights"]

#: The wheel that holds musicnn's weights (the Makefile's ``MUSICNN`` pin).
MUSICNN_REQUIREMENT = "musicnn==0.1.0"
_PACKAGED = Path(__file__).resolve().parent / "_notebooks"


def notebooks_source() -> Path:
    """The folder of the course's notebooks: ``notebooks/`` of a clone, else the copy inside the
    installed package (``musicviz/_notebooks``).

    Raises
    ------
    DatasetError
        Neither exists (a wheel built without them).
    """
    from musicviz._io import project_root

    folder = project_root() / "notebooks" if is_checkout() else _PACKAGED
    if not any(folder.glob("*.ipynb")):
        raise DatasetError(
            f"{folder}: no notebooks here; this musicviz was installed without them: install it from "
            "the course's repository or its wheel (pip install .), which carry them"
        )
    return folder


def copy_notebooks(dest, *, source=None) -> tuple[list[Path], list[Path]]:
    """Copy the course's notebooks (and their ``README.md``) into ``dest``.

    Parameters
    ----------
    dest : path-like
        Folder to copy into (made if missing).
    source : path-like or None
        Where the notebooks are (default: :func:`notebooks_source`).

    Returns
    -------
    (copied, kept) : tuple of lists of pathlib.Path
        The files written, and those already in ``dest`` and left as they were.

    Raises
    ------
    DatasetError
        No notebooks to copy.
    OutputError
        ``dest`` is a file or cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> from musicviz.install import copy_notebooks
    >>> copied, kept = copy_notebooks(tempfile.mkdtemp())
    >>> copied[0].name, kept
    ('00_introduction.ipynb', [])
    """
    source = Path(source) if source is not None else notebooks_source()
    dest = Path(dest)
    if dest.exists() and not dest.is_dir():
        raise OutputError(f"{dest}: is a file; give a folder to copy the notebooks into")
    files = sorted(source.glob("*.ipynb"))
    if not files:
        raise DatasetError(f"{source}: no notebooks to copy")
    readme = source / "README.md"
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{dest}: cannot create the folder ({exc.strerror or exc})") from None
    copied, kept = [], []
    for path in [*files, *([readme] if readme.is_file() else [])]:
        target = dest / path.name
        if target.exists():
            kept.append(target)
            continue
        _copy_one(path, target)
        copied.append(target)
    return copied, kept


def _copy_one(source: Path, target: Path) -> None:
    """One notebook, its references to ``solutions/`` rewritten as in the student release."""
    from musicviz._io import atomic_path

    with atomic_path(target) as tmp:
        try:
            from musicviz.grading.release import _neutralise, _release_notebook  # needs nbformat
        except ImportError:
            shutil.copyfile(source, tmp)
            return
        if source.suffix == ".ipynb":
            _release_notebook(source, Path(tmp))
        else:
            Path(tmp).write_text(_neutralise(source.read_text("utf-8")), encoding="utf-8")


def weights_installed() -> bool:
    """True when every musicnn checkpoint musicviz reads is installed."""
    import importlib

    from musicviz.pretrained.network import MODELS, checkpoint_dir

    importlib.invalidate_caches()  # pip may have installed it a moment ago, in another process
    try:
        for model in MODELS:
            checkpoint_dir(model)
    except ModelError:
        return False
    return True


def install_weights(*, force: bool = False) -> int:
    """Install musicnn's weights into this environment: ``pip install --no-deps musicnn==0.1.0``.

    Runs this interpreter's pip (``python -m pip``), so the weights land where musicviz looks
    for them. Returns 0 when they are installed (or already were), pip's exit status otherwise.

    Parameters
    ----------
    force : bool
        Reinstall even when they are there (``--force-reinstall``: damaged files).

    Examples
    --------
    >>> from musicviz.install import install_weights
    >>> install_weights()  # doctest: +SKIP
    0
    """
    if weights_installed() and not force:
        print(f"musicnn's weights are installed ({MUSICNN_REQUIREMENT}); nothing to do")
        return 0
    command = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-deps",
               *(["--force-reinstall"] if force else []), MUSICNN_REQUIREMENT]
    print("installing musicnn's weights (about 36 MB), without its code's dependencies:", " ".join(command[2:]),
          flush=True)
    status = subprocess.call(command)
    if status != 0:
        return status
    if not weights_installed():
        raise ModelError(f"{MUSICNN_REQUIREMENT} was installed but its checkpoint files are not where musicviz reads them")
    return 0
