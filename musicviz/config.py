"""Where musicviz finds and keeps things: environment variables and folders, in one place.

Every layer asks this module, never another layer, for a folder: the data folder, the
synthetic set, the user's GTZAN copy, the tables that ship with musicviz, saved models and
caches.

``MUSICVIZ_DATA``
    The course's data folder: the synthetic set and its embeddings. Default: ``data/`` in
    the repository when musicviz runs from a clone (installed editable, ``make``); otherwise
    (``pip install musicviz``, conda, a JupyterHub image) a per-user folder,
    ``platformdirs.user_data_dir("musicviz")`` (``~/.local/share/musicviz`` on Linux,
    ``%LOCALAPPDATA%\\musicviz`` on Windows), never inside ``site-packages``.
``MUSICVIZ_CACHE``
    This user's own folder for what musicviz computes and saves: ``cache/<kind>`` (per-clip
    caches), ``models/`` and ``features/`` (what the notebooks save). Default: the data folder
    itself when it can be written; when it cannot (a class's shared, read-only folder on a
    hub), ``platformdirs.user_cache_dir("musicviz")``. A cache entry found in the read-only
    data folder's ``cache/<kind>`` is read there (:func:`shared_cache_dir`), never copied,
    and nothing is ever written into a read-only data folder.
``MUSICVIZ_GTZAN``
    A real GTZAN copy, any part of it (default: ``$MUSICVIZ_DATA/gtzan``). Only the test
    suite and CI point it at ``../shared/data``.
``MUSICVIZ_DATASET``
    The audio the notebooks use: ``synth`` (default) or ``gtzan``.
"""

from __future__ import annotations

import functools
import os
import stat
from pathlib import Path

from musicviz._io import project_root
from musicviz.errors import DatasetError, ParameterError

__all__ = [
    "DATA_ENV",
    "CACHE_ENV",
    "GTZAN_ENV",
    "DATASET_ENV",
    "is_checkout",
    "data_dir",
    "work_dir",
    "is_read_only",
    "synth_dir",
    "gtzan_dir",
    "packaged_gtzan_dir",
    "dataset_name",
    "models_dir",
    "cache_dir",
    "shared_cache_dir",
]

DATA_ENV = "MUSICVIZ_DATA"
CACHE_ENV = "MUSICVIZ_CACHE"
GTZAN_ENV = "MUSICVIZ_GTZAN"
DATASET_ENV = "MUSICVIZ_DATASET"


@functools.lru_cache(maxsize=1)
def is_checkout() -> bool:
    """True when musicviz runs from a clone of its repository (installed editable, or ``make``).

    The test: the folder above the package holds the project's ``pyproject.toml`` and
    ``notebooks/``. Installed into ``site-packages`` (``pip install .``, a wheel), it does not.
    """
    root = project_root()
    try:
        return (root / "notebooks").is_dir() and 'name = "musicviz"' in (root / "pyproject.toml").read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def _user_dir(kind: str) -> Path:
    import platformdirs

    where = platformdirs.user_data_dir if kind == "data" else platformdirs.user_cache_dir
    return Path(where("musicviz", appauthor=False))


def data_dir() -> Path:
    """The course's data folder: ``$MUSICVIZ_DATA``, else ``data/`` in a clone of the
    repository, else the per-user folder ``platformdirs.user_data_dir("musicviz")``.

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> from musicviz.config import data_dir
    >>> with mock.patch.dict(os.environ, {"MUSICVIZ_DATA": "/srv/course-data"}):
    ...     data_dir().as_posix()
    '/srv/course-data'
    """
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    return project_root() / "data" if is_checkout() else _user_dir("data")


def is_read_only(folder) -> bool:
    """True when musicviz must not write into ``folder`` (or, if it does not exist yet, into
    the nearest folder above it that does).

    Read-only means this user cannot write there (``os.access``: permissions, a read-only
    mount), or nobody may (no write permission bit at all, ``chmod -R a-w``): the second
    test holds for root too, whom permissions do not stop, so an administrator's shared
    folder stays untouched whoever runs the notebooks.
    """
    path = Path(os.path.abspath(folder))
    while not path.exists() and path.parent != path:
        path = path.parent
    try:
        mode = path.stat().st_mode
    except OSError:
        return True
    return not stat.S_ISDIR(mode) or not (mode & 0o222) or not os.access(path, os.W_OK | os.X_OK)


def work_dir() -> Path:
    """This user's folder for what musicviz computes and saves: caches, models, saved tables.

    ``$MUSICVIZ_CACHE``; else the data folder when it can be written (a clone, a personal
    install: everything in one place, as before); else (a shared, read-only data folder)
    the per-user ``platformdirs.user_cache_dir("musicviz")``.
    """
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    data = data_dir()
    return _user_dir("cache") if is_read_only(data) else data


def synth_dir() -> Path:
    """Where the synthetic set lives: ``<data_dir>/synth``."""
    return data_dir() / "synth"


def gtzan_dir() -> Path:
    """Where a real GTZAN copy is looked for: ``$MUSICVIZ_GTZAN`` or ``<data_dir>/gtzan``."""
    return Path(os.environ.get(GTZAN_ENV) or data_dir() / "gtzan")


def packaged_gtzan_dir() -> Path:
    """The real GTZAN tables that ship with musicviz (no audio): ``musicviz/data/gtzan``."""
    return Path(__file__).resolve().parent / "data" / "gtzan"


def dataset_name() -> str:
    """``"synth"`` or ``"gtzan"``: the value of ``MUSICVIZ_DATASET`` (default ``synth``).

    Raises
    ------
    DatasetError
        ``MUSICVIZ_DATASET`` names something else.
    """
    which = (os.environ.get(DATASET_ENV) or "synth").strip().lower()
    if which not in ("synth", "gtzan"):
        raise DatasetError(f"{DATASET_ENV} must be 'synth' or 'gtzan', got {which!r}")
    return which


def models_dir() -> Path:
    """Where the notebooks save trained models: ``<work_dir>/models`` (see :func:`work_dir`)."""
    return work_dir() / "models"


def _check_kind(kind) -> str:
    if not isinstance(kind, str) or not kind.isidentifier():
        raise ParameterError(f"kind must be a short name such as 'features', got {kind!r}")
    return kind


def cache_dir(kind: str) -> Path:
    """The cache folder of one kind of computed data, e.g. ``cache_dir("features")``:
    ``<work_dir>/cache/<kind>``, where entries are written.

    Examples
    --------
    >>> from musicviz.config import cache_dir
    >>> cache_dir("mels").name
    'mels'
    """
    return work_dir() / "cache" / _check_kind(kind)


def shared_cache_dir(kind: str) -> Path | None:
    """The data folder's own cache of ``kind`` when entries are written elsewhere, else None.

    On a hub, an administrator fills ``$MUSICVIZ_DATA/cache/musicnn`` once (``musicviz data
    embeddings``) and makes the folder read-only; every student's :class:`musicviz.cache.Cache`
    reads entries there and writes the ones it computes into its own :func:`cache_dir`.
    """
    shared = data_dir() / "cache" / _check_kind(kind)
    return None if shared == cache_dir(kind) else shared
