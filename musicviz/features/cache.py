"""The feature table's cache: one entry of feature rows per clip and parameters.

Notebook: ``04_features_and_standardization.ipynb``.

The entries live in musicviz's shared content-addressed cache, :class:`musicviz.cache.Cache`
(kind ``"features"``, JSON payloads; default folder ``<data_dir>/cache/features``,
:func:`musicviz.config.cache_dir`). It does the keys (the SHA-256 of the file's bytes *and*
every parameter: segment length, sample rate, STFT settings; :data:`FEATURES_VERSION` and
:data:`CACHE_FORMAT` as the cache's version; the numpy, scipy and librosa versions), the atomic
writes, and the checks on read; this module adds what is particular to features: the
parameters, the validation of the cached rows (:func:`_rows_check`: every feature a finite
number, the segment numbering and lengths) and the identity columns. An entry that fails,
whatever is wrong with it (hand-edited, from another tool, a folder in its place), is
recomputed and overwritten, never trusted and never fatal. Only features are stored, never a
file name, track id or label: a renamed copy gets its own identity.
"""

from __future__ import annotations

import math
from pathlib import Path

from musicviz import SR
from musicviz.cache import Cache
from musicviz.features.columns import (
    FEATURES_VERSION,
    HOP_LENGTH,
    HPSS_KERNEL,
    N_FFT,
    N_MFCC,
    PAD_MODE,
)

__all__ = ["CACHE_FORMAT", "default_cache_dir"]

#: Format of a cached value (a list of feature rows without identity columns): bump when it changes.
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
    """The parameters in a clip's key (library versions are added by :class:`~musicviz.cache.Cache`)."""
    return {
        "sr": SR,
        "n_fft": N_FFT,
        "hop_length": HOP_LENGTH,
        "n_mfcc": N_MFCC,
        "hpss_kernel": HPSS_KERNEL,
        "pad_mode": PAD_MODE,
        "segment_seconds": segment_seconds,
        "contrast": bool(contrast),
    }


def _rows_check(*, names, segment_seconds):
    """``validate(rows) -> bool``: True when ``rows`` is exactly what the table caches for these settings."""
    segmented = segment_seconds is not None
    step = int(round(segment_seconds * SR)) if segmented else None
    keys = {"length", *names} | ({"segment"} if segmented else set())

    def check(rows) -> bool:
        if not isinstance(rows, list) or not rows or (not segmented and len(rows) != 1):
            return False
        for k, row in enumerate(rows):
            if not isinstance(row, dict) or set(row) != keys:
                return False
            length = row["length"]
            if type(length) is not int or length <= 0 or (segmented and length != step):
                return False
            if segmented and (type(row["segment"]) is not int or row["segment"] != k):
                return False
            for name in names:
                value = row[name]
                if type(value) not in (float, int):
                    return False
                try:
                    if not math.isfinite(float(value)):
                        return False
                except OverflowError:  # a huge integer
                    return False
        return True

    return check


def _features_cache(folder, *, names, segment_seconds) -> Cache:
    """The shared cache's ``"features"`` entries in ``folder``, validated for these settings."""
    return Cache(
        "features",
        version=f"{FEATURES_VERSION}.{CACHE_FORMAT}",
        payload="json",
        folder=folder,
        validate=_rows_check(names=names, segment_seconds=segment_seconds),
        libraries=("numpy", "scipy", "librosa"),
        max_bytes=_MAX_CACHE_ENTRY_BYTES,
    )


def _without_identity(rows) -> list[dict]:
    """A clip's rows as they are cached: the features only."""
    # A renamed or duplicated file (same bytes) must get its own name, track id and label,
    # never those of the first copy seen.
    return [{k: v for k, v in row.items() if k not in _IDENTITY} for row in rows]


def _with_identity(payload, clip) -> list[dict]:
    """Cached feature rows of ``clip`` with its file name, track id and label attached."""
    rows = []
    for cached in payload:
        k = cached.get("segment")
        filename = clip.path.name if k is None else f"{clip.track_id}.{k}{clip.path.suffix}"
        rows.append({"filename": filename, "track_id": clip.track_id, **cached, "label": clip.label})
    return rows
