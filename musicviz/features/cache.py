"""The feature table's on-disk cache: one JSON entry of feature rows per clip and parameters.

Notebook: ``04_features_and_standardization.ipynb``.

Each clip's rows are cached (default ``<data_dir>/cache/features``,
:func:`musicviz.config.cache_dir`), keyed on the SHA-256 of the file's bytes *and* every
parameter (segment length, sample rate, STFT settings, :data:`FEATURES_VERSION` and the
librosa version), so a changed file or parameter never returns a stale row. Entries are
written atomically, as ``{"version": CACHE_FORMAT, "rows": [...]}``, and validated when read
(the format version, every feature a finite number, the segment numbering and lengths): an
entry that fails, whatever is wrong with it (hand-edited, from another tool, a folder in its
place), is recomputed and overwritten, never trusted and never fatal. Only features are
stored, never a file name, track id or label: a renamed copy gets its own identity.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from pathlib import Path

from musicviz import SR
from musicviz._io import atomic_path
from musicviz.features.columns import (
    FEATURES_VERSION,
    HOP_LENGTH,
    HPSS_KERNEL,
    N_FFT,
    N_MFCC,
    PAD_MODE,
)

__all__ = ["CACHE_FORMAT", "default_cache_dir"]

#: Format of a cache entry, ``{"version": CACHE_FORMAT, "rows": [...]}``: bump when it changes.
CACHE_FORMAT = 1
# A cache entry larger than this is not read (600 s in 1 s segments is about 1.2 MB).
_MAX_CACHE_ENTRY_BYTES = 64 * 2**20
#: Columns that belong to the file, not to its contents: never cached.
_IDENTITY = ("filename", "track_id", "label")


def default_cache_dir() -> Path:
    """Where clip features are cached: ``<data_dir>/cache/features``."""
    from musicviz.config import cache_dir

    return cache_dir("features")


def _params(segment_seconds, contrast) -> dict:
    import librosa

    return {
        "version": FEATURES_VERSION,
        "librosa": librosa.__version__,
        "sr": SR,
        "n_fft": N_FFT,
        "hop_length": HOP_LENGTH,
        "n_mfcc": N_MFCC,
        "hpss_kernel": HPSS_KERNEL,
        "pad_mode": PAD_MODE,
        "segment_seconds": segment_seconds,
        "contrast": bool(contrast),
    }


def _cache_key(path: Path, params: dict) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    digest.update(json.dumps(params, sort_keys=True).encode())
    return digest.hexdigest()


def _entry_path(cache: Path, key: str) -> Path:
    return cache / key[:2] / f"{key}.json"


def _valid_rows(payload, *, names, segment_seconds) -> list[dict] | None:
    """The rows of a parsed cache entry when it is exactly what the writer writes, else None."""
    if not isinstance(payload, dict) or set(payload) != {"version", "rows"}:
        return None
    version, rows = payload["version"], payload["rows"]
    if type(version) is not int or version != CACHE_FORMAT or not isinstance(rows, list) or not rows:
        return None
    segmented = segment_seconds is not None
    if not segmented and len(rows) != 1:
        return None
    step = int(round(segment_seconds * SR)) if segmented else None
    keys = {"length", *names} | ({"segment"} if segmented else set())
    out = []
    for k, row in enumerate(rows):
        if not isinstance(row, dict) or set(row) != keys:
            return None
        length = row["length"]
        if type(length) is not int or length <= 0 or (segmented and length != step):
            return None
        if segmented and (type(row["segment"]) is not int or row["segment"] != k):
            return None
        clean = {"segment": k} if segmented else {}
        clean["length"] = length
        for name in names:
            value = row[name]
            if type(value) not in (float, int):
                return None
            try:
                value = float(value)
            except OverflowError:  # a huge integer
                return None
            if not math.isfinite(value):
                return None
            clean[name] = value
        out.append(clean)
    return out


def _read_cache_entry(entry: Path, *, names, segment_seconds) -> list[dict] | None:
    """The cached feature rows at ``entry``, validated; None when missing or invalid in any way.

    Never raises for what is in the file: an entry that is not exactly what
    :func:`_write_cache_entry` writes for these ``names`` and ``segment_seconds`` is None
    (the caller recomputes the clip and overwrites it).
    """
    try:
        if not entry.is_file() or entry.stat().st_size > _MAX_CACHE_ENTRY_BYTES:
            return None
        payload = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # unreadable, not UTF-8, not JSON, too deep
        return None
    return _valid_rows(payload, names=names, segment_seconds=segment_seconds)


def _write_cache_entry(entry: Path, rows) -> None:
    """Write one clip's feature rows (identity columns left out) atomically.

    Whatever is in the way at ``entry`` (an invalid file, a link, a folder) is replaced.
    Raises OSError when the cache cannot be written.
    """
    # Only the features are cached: a renamed or duplicated file (same bytes) must get its
    # own name, track id and label, never those of the first copy seen.
    payload = {"version": CACHE_FORMAT, "rows": [{k: v for k, v in row.items() if k not in _IDENTITY} for row in rows]}
    text = json.dumps(payload, allow_nan=False)
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry)  # a folder named like an entry, inside musicviz's own cache
    with atomic_path(entry) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _with_identity(payload, clip) -> list[dict]:
    """Cached feature rows of ``clip`` with its file name, track id and label attached."""
    rows = []
    for cached in payload:
        k = cached.get("segment")
        filename = clip.path.name if k is None else f"{clip.track_id}.{k}{clip.path.suffix}"
        rows.append({"filename": filename, "track_id": clip.track_id, **cached, "label": clip.label})
    return rows
