"""Where musicviz finds and keeps things: environment variables and folders, in one place.

Every layer asks this module, never another layer, for a folder: the data folder, the
synthetic set, the user's GTZAN copy, the tables that ship with musicviz, saved models and
caches.

``MUSICVIZ_DATA``
    The project's data folder (default: ``data/`` in the repository).
``MUSICVIZ_GTZAN``
    A real GTZAN copy, any part of it (default: ``$MUSICVIZ_DATA/gtzan``). Only the test
    suite and CI point it at ``../shared/data``.
``MUSICVIZ_DATASET``
    The audio the notebooks use: ``synth`` (default) or ``gtzan``.
"""

from __future__ import annotations

import os
from pathlib import Path

from musicviz._io import project_root
from musicviz.errors import DatasetError, ParameterError

__all__ = [
    "DATA_ENV",
    "GTZAN_ENV",
    "DATASET_ENV",
    "data_dir",
    "synth_dir",
    "gtzan_dir",
    "packaged_gtzan_dir",
    "dataset_name",
    "models_dir",
    "cache_dir",
]

DATA_ENV = "MUSICVIZ_DATA"
GTZAN_ENV = "MUSICVIZ_GTZAN"
DATASET_ENV = "MUSICVIZ_DATASET"


def data_dir() -> Path:
    """The project's data folder: ``$MUSICVIZ_DATA`` or ``data/`` in the repository."""
    return Path(os.environ.get(DATA_ENV) or project_root() / "data")


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
    """Where the notebooks save trained models: ``<data_dir>/models``."""
    return data_dir() / "models"


def cache_dir(kind: str) -> Path:
    """The cache folder of one kind of computed data, e.g. ``cache_dir("features")``.

    Examples
    --------
    >>> from musicviz.config import cache_dir
    >>> cache_dir("mels").name
    'mels'
    """
    if not isinstance(kind, str) or not kind.isidentifier():
        raise ParameterError(f"kind must be a short name such as 'features', got {kind!r}")
    return data_dir() / "cache" / kind
