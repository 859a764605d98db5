"""Where a synthetic set is written: never over someone else's data, always whole.

Notebook: ``00_introduction.ipynb``. Used by :func:`musicviz.synth.generate.generate_dataset`:
a folder is written only when it is empty or already a musicviz synthetic set (recognised by
its marker file), and a new set replaces the old one by a swap of whole folders.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from musicviz import GENRES
from musicviz.errors import OutputError

#: Marker file :func:`generate_dataset` writes into every set it makes. Its presence (a JSON
#: object whose ``format`` is ``"musicviz-synthetic-set"``) is what lets a rerun replace the
#: folder; a non-empty folder without it (a GTZAN copy, anyone's files) is never touched.
MARKER_NAME = ".musicviz-synth.json"
_MARKER_FORMAT = "musicviz-synthetic-set"
# Sets written before the marker existed are recognised by their metadata.csv header: these
# columns are musicviz's ground truth, which no other data set has (GTZAN's tables have none).
_METADATA_COLUMNS = frozenset({"path", "genre", "track_id", "index", "seed", "tempo", "key", "mode", "instruments",
                               "swing", "drum_style"})
_CLIP_NAME = re.compile(r"^(?P<genre>[a-z]+)\.\d{5}\.wav$")
_LEFTOVER = re.compile(r"^\..+\.tmp$")  # an atomic write interrupted by a killed process
_HARMLESS = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})  # written by file browsers


def is_synthetic_set(folder) -> bool:
    """Is ``folder`` a synthetic set written by :func:`generate_dataset`?

    True when it holds the marker file :data:`MARKER_NAME` (a JSON object with
    ``"format": "musicviz-synthetic-set"``), or, for sets written before the marker existed,
    a ``metadata.csv`` whose header has musicviz's ground-truth columns (``tempo``, ``swing``,
    ``drum_style``, ...). A missing folder is not a set.

    Examples
    --------
    >>> import tempfile
    >>> from musicviz.synth import generate_dataset
    >>> from musicviz.synth.generate import is_synthetic_set
    >>> out = tempfile.mkdtemp()
    >>> is_synthetic_set(out)
    False
    >>> _ = generate_dataset(out, clips_per_genre=1, duration=3.0, n_jobs=1, progress=False)
    >>> is_synthetic_set(out)
    True
    """
    folder = Path(folder)
    try:
        with open(folder / MARKER_NAME, encoding="utf-8") as handle:
            marker = json.loads(handle.read(65536))
        if isinstance(marker, dict) and marker.get("format") == _MARKER_FORMAT:
            return True
    except (OSError, ValueError):
        pass
    try:
        with open(folder / "metadata.csv", encoding="utf-8", errors="replace") as handle:
            header = handle.readline(65536)
    except OSError:
        return False
    return _METADATA_COLUMNS <= {c.strip().strip('"') for c in header.split(",")}


def _foreign_entries(folder: Path) -> list[str]:
    """What in a synthetic set musicviz did not write (relative paths, sorted)."""
    foreign = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        name = entry.name
        if name in _HARMLESS or _LEFTOVER.match(name):
            continue
        if name in (MARKER_NAME, "metadata.csv") and entry.is_file(follow_symlinks=False):
            continue
        if name in GENRES and entry.is_dir(follow_symlinks=False):
            for sub in sorted(os.scandir(entry.path), key=lambda e: e.name):
                clip = _CLIP_NAME.match(sub.name)
                ours = clip is not None and clip["genre"] == name and sub.is_file(follow_symlinks=False)
                if not (ours or sub.name in _HARMLESS or _LEFTOVER.match(sub.name)):
                    foreign.append(f"{name}/{sub.name}")
            continue
        foreign.append(name + ("/" if entry.is_dir(follow_symlinks=False) else ""))
    return foreign


def _examples(names: list[str], n: int = 3) -> str:
    shown = ", ".join(names[:n])
    return shown + (f" and {len(names) - n} more" if len(names) > n else "")


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied (read-only)"
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        return "a file is in the way (a folder was expected)"
    return exc.strerror or str(exc)


def _check_output_folder(out: Path) -> None:
    """Refuse, before any work, an output location that is not ours to replace."""
    if out.parent == out:
        raise OutputError(f"{out}: the root folder cannot hold the synthetic set; choose a folder below it")
    for above in out.parents:  # a file in the path: nothing can be created below it
        if above.exists() and not above.is_dir():
            raise OutputError(f"{out}: cannot create the folder: {above} is a file, not a folder")
        if above.is_dir():
            break
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder; choose a folder for the synthetic set")
    try:
        entries = sorted(os.listdir(out))
    except OSError as exc:
        raise OutputError(f"{out}: cannot read the folder: {_os_reason(exc)}") from None
    if not entries:
        return
    if not is_synthetic_set(out):
        raise OutputError(
            f"{out}: the folder is not empty and is not a musicviz synthetic set (no {MARKER_NAME} marker; it holds "
            f"{_examples(entries)}); nothing was changed: choose a new or empty folder for the synthetic set"
        )
    foreign = _foreign_entries(out)
    if foreign:
        raise OutputError(
            f"{out}: a musicviz synthetic set, but it also holds files musicviz did not write ({_examples(foreign)}); "
            "regenerating replaces the folder whole, so nothing was changed: move those files out first"
        )
    # The old set is deleted after the swap: it must be writable (root may write anyway).
    for folder in [out, *(out / g for g in GENRES if (out / g).is_dir())]:
        if not os.access(folder, os.W_OK | os.X_OK):
            raise OutputError(f"{folder}: permission denied (read-only): cannot replace the synthetic set there")
