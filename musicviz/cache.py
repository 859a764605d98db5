"""One on-disk cache for everything musicviz computes from an audio file.

Notebooks: ``04_features_and_standardization.ipynb`` (the feature rows of
:func:`musicviz.features.feature_table`), ``06_cnn.ipynb`` (the mel segments of
:func:`musicviz.cnn.build_segments`) and ``08_transfer_learning.ipynb`` (musicnn's outputs,
:func:`musicviz.pretrained.embedding_table`). The tables of many clips read and write it through
the clip engine (:mod:`musicviz._clip_engine`), in the calling process only.

Keys
----
An entry's key is the SHA-256 of, together:

* the SHA-256 of the source file's *bytes* (a renamed or copied clip finds its entry, an
  edited one never does) - of the bytes that were actually decoded: the file is hashed
  right before and right after its value is computed (:func:`snapshot`: its bytes and its
  inode, size and change time), and a value is stored only when the two agree, under their
  hash; a clip replaced while it was being computed is never cached under the other
  content's key;
* the caller's parameters (any JSON object: sample rate, STFT settings, ...);
* the kind of data (``"cnn_mels"``, ``"features"``) and its ``version``, which the caller
  bumps whenever the computation changes;
* the versions of the libraries that compute it (``numpy`` and ``librosa`` by default, read
  from the imported modules when the key is made, so an upgrade is a miss, never a stale hit);
* :data:`CACHE_FORMAT`, the layout of the entries themselves.

Entries
-------
``<folder>/<key[:2]>/<key>.npy`` for arrays (``payload="array"``: :func:`numpy.save`, read
with ``allow_pickle=False``, so an entry can never run code) or ``<key>.json`` for JSON values
(``payload="json"``: ``{"musicviz_cache": CACHE_FORMAT, "kind": ..., "key": ..., "value": ...}``,
written with ``allow_nan=False``). The default folder is :func:`musicviz.config.cache_dir`.

Every read is checked before it is trusted: a regular file (not a link, folder or pipe), not
larger than ``max_bytes``, that parses completely (for arrays: a known ``.npy`` header, no
object dtype, exactly as many bytes as the header announces; for JSON: the envelope above,
naming this kind and this key), and that passes the caller's ``validate`` (shape, dtype, finite
values, a schema). Anything else, whatever is wrong with it (garbage, truncated, hand-edited,
unreadable, a folder in its place), counts as missing: :meth:`Cache.get_or_compute` computes
the value again and overwrites the entry. Reading never raises for what is on disk.

Every write goes through :func:`musicviz._io.atomic_write_bytes` (a temporary file in the same
folder, flushed, renamed into place), so readers see the old entry or the new one, never half
of one. That makes the cache safe for parallel worker processes: two workers that compute the
same entry both write complete files and the last rename wins; nothing is locked. A value
is validated before it is written too, so the cache never stores what it would refuse to read.

Why not ``joblib.Memory``
-------------------------
It was the first candidate (scikit-learn's own caching, already a dependency), but:

* it hashes a function's *arguments* by pickling them: a path argument hashes the path string,
  not the file's contents, so an edited clip at the same path returns stale results (passing
  the decoded audio instead would hash megabytes per call and store nothing reusable across
  renamed copies);
* it stores results as pickles and unpickles them on a hit: a file planted in the cache folder
  runs code (issue 12's rule: never load a pickle musicviz did not make);
* it has no per-entry validation: an entry that unpickles to the wrong shape or to NaNs is
  returned as it is (only an exception while loading triggers a recompute, with a traceback
  printed as a warning);
* its invalidation follows the function's *source code*, not the libraries it calls (a librosa
  upgrade is not seen), and it wipes the whole function's cache when the code or its location
  changes (moving ``cnn.py`` into a package would have cleared it);
* it has no JSON payloads, which the feature table's rows need.

What it does well (atomic writes, parallel safety) is a few lines here on top of
:mod:`musicviz._io`.

Examples
--------
>>> import tempfile
>>> import numpy as np
>>> from pathlib import Path
>>> from musicviz.cache import Cache, array_check
>>> root = Path(tempfile.mkdtemp())
>>> clip = root / "clip.bin"
>>> _ = clip.write_bytes(b"some audio")
>>> cache = Cache("demo", version=1, folder=root / "cache", validate=array_check(shape=(None, 3)))
>>> calls = []
>>> def compute():
...     calls.append(1)
...     return np.ones((2, 3), dtype=np.float32)
>>> cache.get_or_compute(clip, {"n": 3}, compute).shape
(2, 3)
>>> cache.get_or_compute(clip, {"n": 3}, compute).shape, len(calls)  # the second call reads it
((2, 3), 1)
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import math
import os
import shutil
import stat
import sys
import warnings
from pathlib import Path

import numpy as np

from musicviz._io import atomic_write_bytes
from musicviz.errors import ParameterError

__all__ = [
    "CACHE_FORMAT",
    "DEFAULT_LIBRARIES",
    "Cache",
    "array_check",
    "content_digest",
    "library_versions",
    "snapshot",
]

#: Layout of the entries (file names, the JSON envelope): bump when it changes.
CACHE_FORMAT = 1
#: Libraries whose versions are part of every key unless a cache names its own.
DEFAULT_LIBRARIES: tuple[str, ...] = ("numpy", "librosa")
_PAYLOADS = {"array": ".npy", "json": ".json"}
_ENVELOPE = ("musicviz_cache", "kind", "key", "value")


class _Invalid(Exception):
    """An entry that is not exactly what :meth:`Cache.write` writes (internal)."""


def content_digest(path) -> str:
    """SHA-256 (hex) of a file's bytes, read in 1 MiB blocks.

    Raises
    ------
    OSError
        The file cannot be read (missing, permission denied, a folder).

    Examples
    --------
    >>> import tempfile, os
    >>> from musicviz.cache import content_digest
    >>> path = os.path.join(tempfile.mkdtemp(), "x")
    >>> _ = open(path, "wb").write(b"abc")
    >>> content_digest(path)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def snapshot(path) -> tuple[str, tuple[int, ...]]:
    """``(SHA-256 of the bytes, identity)`` of a file, read through one handle.

    The identity is ``(device, inode, size, mtime_ns, ctime_ns)`` from that handle after the
    bytes were read. Two snapshots taken before and after a computation that reads the file
    are equal only if the file was not changed, replaced or restored in between (a file put
    back has another inode; a write in place updates the change time, which no one can set
    back, to within the file system's clock tick): what was computed is then what was hashed.

    Raises
    ------
    OSError
        The file cannot be read.

    Examples
    --------
    >>> import tempfile, os
    >>> from musicviz.cache import snapshot
    >>> path = os.path.join(tempfile.mkdtemp(), "x")
    >>> _ = open(path, "wb").write(b"abc")
    >>> snapshot(path) == snapshot(path)
    True
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
        info = os.fstat(handle.fileno())
    return digest.hexdigest(), (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def library_versions(names=DEFAULT_LIBRARIES) -> dict[str, str]:
    """``{name: __version__}`` of each library, as imported now (``"absent"`` if it is not installed).

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.cache import library_versions
    >>> library_versions(["numpy"]) == {"numpy": np.__version__}
    True
    """
    versions = {}
    for name in names:
        module = sys.modules.get(name)
        if module is None:
            try:
                module = importlib.import_module(name)
            except ImportError:
                versions[name] = "absent"
                continue
        versions[name] = str(getattr(module, "__version__", "unknown"))
    return versions


def array_check(*, shape=None, dtype=None, finite: bool = True):
    """A ``validate`` function for array entries: shape, dtype and finite values.

    Parameters
    ----------
    shape : tuple or None
        The expected shape; ``None`` in it matches any length on that axis (``(None, 64, 130)``).
    dtype : dtype-like or None
        The exact dtype expected.
    finite : bool
        Refuse NaN and infinite values (only checked for floating and complex arrays).

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.cache import array_check
    >>> check = array_check(shape=(None, 2), dtype=np.float32)
    >>> check(np.zeros((5, 2), np.float32)), check(np.zeros((5, 3), np.float32)), check(np.full((1, 2), np.nan, np.float32))
    (True, False, False)
    """
    expected_dtype = None if dtype is None else np.dtype(dtype)
    expected_shape = None if shape is None else tuple(shape)

    def check(value) -> bool:
        if not isinstance(value, np.ndarray):
            return False
        if expected_dtype is not None and value.dtype != expected_dtype:
            return False
        if expected_shape is not None:
            if value.ndim != len(expected_shape):
                return False
            if any(want is not None and got != want for got, want in zip(value.shape, expected_shape)):
                return False
        if finite and value.dtype.kind in "fc" and not np.all(np.isfinite(value)):
            return False
        return True

    return check


def _refuse_constant(name):
    raise ValueError(f"{name} is not valid in a cache entry")


class Cache:
    """Values computed from files, on disk, keyed on content + parameters + library versions.

    Parameters
    ----------
    kind : str
        What is cached, a short identifier (``"cnn_mels"``); also the default folder's name.
    version : str or int
        Version of the computation: bump it when its result changes for the same input.
    validate : callable or None
        ``validate(value) -> bool``: True when a value read back is exactly what the caller
        writes (shape, dtype, schema). A value it refuses, or on which it raises, is treated
        as missing. ``None`` accepts any value that parses.
    payload : {"array", "json"}
        Arrays (``.npy``) or JSON values (``.json``).
    folder : path-like or None
        Where entries live (default ``musicviz.config.cache_dir(kind)``). The default folder
        also reads, never writes, the entries of a shared read-only data folder
        (``musicviz.config.shared_cache_dir(kind)``, kept in :attr:`read_only_folders`).
    libraries : sequence of str
        Modules whose ``__version__`` goes into every key.
    max_bytes : int > 0
        Larger entries are not read (treated as missing).

    Notes
    -----
    The key is made from the file's bytes, and ``compute`` reads the file again: a file that
    changes in between would give an entry under the old contents' key. So
    :meth:`get_or_compute` takes a :func:`snapshot` before and after ``compute`` and stores
    the value only when they agree (the clip engine does the same around each worker's clip).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from musicviz.cache import Cache
    >>> root = Path(tempfile.mkdtemp())
    >>> clip = root / "clip.wav"
    >>> _ = clip.write_bytes(b"RIFF....")
    >>> rows = Cache("rows", version="2", payload="json", folder=root / "cache",
    ...              validate=lambda v: isinstance(v, list) and all(isinstance(r, dict) for r in v))
    >>> _ = rows.put(clip, {"segment_seconds": 3.0}, [{"tempo": 120.0}])
    >>> rows.get(clip, {"segment_seconds": 3.0})
    [{'tempo': 120.0}]
    >>> rows.get(clip, {"segment_seconds": 1.0}) is None  # other parameters, other entry
    True
    """

    def __init__(
        self,
        kind: str,
        *,
        version,
        validate=None,
        payload: str = "array",
        folder=None,
        libraries=DEFAULT_LIBRARIES,
        max_bytes: int = 256 * 2**20,
    ):
        if not isinstance(kind, str) or not kind.isidentifier():
            raise ParameterError(f"kind must be a short identifier such as 'cnn_mels', got {kind!r}")
        if payload not in _PAYLOADS:
            raise ParameterError(f"payload must be one of {sorted(_PAYLOADS)}, got {payload!r}")
        if not isinstance(version, (str, int)) or isinstance(version, bool):
            raise ParameterError(f"version must be a string or an integer, got {version!r}")
        if validate is not None and not callable(validate):
            raise ParameterError(f"validate must be a function value -> bool, or None, got {validate!r}")
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
            raise ParameterError(f"max_bytes must be a positive integer, got {max_bytes!r}")
        self.kind = kind
        self.version = version
        self.validate = validate
        self.payload = payload
        self.libraries = tuple(libraries)
        self.max_bytes = max_bytes
        from musicviz.config import cache_dir, shared_cache_dir

        default = cache_dir(kind)
        self.folder = Path(folder) if folder is not None else default
        # The default cache also reads a shared, read-only data folder's entries (a hub's
        # precomputed embeddings, musicviz.config.shared_cache_dir); it never writes there.
        shared = shared_cache_dir(kind) if self.folder == default else None
        self.read_only_folders = () if shared is None else (shared,)
        self._warned = False

    def __repr__(self) -> str:
        return f"Cache({self.kind!r}, version={self.version!r}, payload={self.payload!r}, folder='{self.folder}')"

    # ------------------------------------------------------------------ keys and entries
    def key(self, path, params) -> str:
        """The key of ``path``'s entry for ``params`` (64 hex digits).

        Raises
        ------
        OSError
            ``path`` cannot be read.
        ParameterError
            ``params`` is not a JSON object (a dict of JSON values, finite numbers).
        """
        return self.key_for(content_digest(path), params)

    def key_for(self, digest: str, params) -> str:
        """The key of the entry for a file whose bytes have SHA-256 ``digest`` (see :meth:`key`).

        Raises
        ------
        ParameterError
            ``params`` is not a JSON object (a dict of JSON values, finite numbers).
        """
        if not isinstance(params, dict):
            raise ParameterError(f"params must be a dict of JSON values, got {type(params).__name__}")
        identity = {
            "format": CACHE_FORMAT,
            "kind": self.kind,
            "version": self.version,
            "libraries": library_versions(self.libraries),
            "params": params,
        }
        try:
            described = json.dumps(identity, sort_keys=True, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ParameterError(f"params must hold JSON values only (finite numbers, str, lists, dicts): {exc}") from None
        combined = hashlib.sha256(str(digest).encode())
        combined.update(b"\0")
        combined.update(described.encode())
        return combined.hexdigest()

    def entry(self, key: str, *, folder=None) -> Path:
        """Where the entry of ``key`` lives: ``<folder>/<key[:2]>/<key>.npy`` (or ``.json``)."""
        if not isinstance(key, str) or len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            raise ParameterError(f"not a cache key (64 lowercase hex digits): {key!r}")
        return Path(folder if folder is not None else self.folder) / key[:2] / f"{key}{_PAYLOADS[self.payload]}"

    # ------------------------------------------------------------------ reading
    def read(self, key: str):
        """The value stored under ``key`` if its entry is valid, else ``None`` (never raises for the entry).

        The cache's own folder first, then :attr:`read_only_folders` (read, never written).
        """
        for folder in (self.folder, *self.read_only_folders):
            try:
                value = self._load(self.entry(key, folder=folder), key)
            except Exception:  # missing, unreadable, or whatever a damaged entry makes numpy or json raise
                continue
            if self._accepts(value):
                return value
        return None

    def get(self, path, params):
        """The cached value for ``path`` and ``params``, or ``None`` (missing, invalid, unreadable source)."""
        try:
            return self.read(self.key(path, params))
        except OSError:
            return None

    def _accepts(self, value) -> bool:
        if self.validate is None:
            return True
        try:
            verdict = self.validate(value)
        except Exception:  # a validator tripping over a malformed value: not a valid entry
            return False
        if not isinstance(verdict, (bool, np.bool_)):
            raise TypeError(f"{self.kind} cache: validate must return True or False, got {type(verdict).__name__}")
        return bool(verdict)

    def _load(self, entry: Path, key: str):
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(entry, flags)  # a missing entry, a link (O_NOFOLLOW) or no permission: OSError
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > self.max_bytes:
                raise _Invalid("not a regular file, or too large")
            if self.payload == "json":
                return self._load_json(handle, key)
            return self._load_array(handle, info.st_size)

    @staticmethod
    def _load_array(handle, size: int) -> np.ndarray:
        fmt = np.lib.format
        version = fmt.read_magic(handle)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(handle)
        elif version == (2, 0):
            shape, fortran, dtype = fmt.read_array_header_2_0(handle)
        else:
            raise _Invalid(f".npy format {version}")
        if dtype.hasobject:
            raise _Invalid("object arrays are never cached")
        if handle.tell() + math.prod(shape) * dtype.itemsize != size:
            raise _Invalid("truncated, or bytes after the array")
        handle.seek(0)
        return fmt.read_array(handle, allow_pickle=False)

    def _load_json(self, handle, key: str):
        document = json.loads(handle.read().decode("utf-8"), parse_constant=_refuse_constant)
        if not isinstance(document, dict) or tuple(sorted(document)) != tuple(sorted(_ENVELOPE)):
            raise _Invalid("not a musicviz cache entry")
        version = document["musicviz_cache"]
        if type(version) is not int or version != CACHE_FORMAT:
            raise _Invalid("another cache format")
        if document["kind"] != self.kind or document["key"] != key:
            raise _Invalid("an entry of another kind or key")
        return document["value"]

    # ------------------------------------------------------------------ writing
    def write(self, key: str, value) -> Path:
        """Store ``value`` under ``key`` atomically, replacing whatever is at its entry.

        Raises
        ------
        ParameterError
            ``value`` is not of this cache's payload or fails ``validate`` (a bug in the caller).
        OSError
            The cache folder cannot be written.
        """
        entry = self.entry(key)
        data = self._encode(key, value)
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)  # a folder in the way, inside musicviz's own cache
        return atomic_write_bytes(entry, data)

    def put(self, path, params, value) -> Path:
        """Store ``value`` as the entry of ``path`` and ``params`` (see :meth:`write`)."""
        return self.write(self.key(path, params), value)

    def _encode(self, key: str, value) -> bytes:
        if self.payload == "array":
            if not isinstance(value, np.ndarray) or value.dtype.hasobject:
                raise ParameterError(f"{self.kind} cache: stores numeric arrays, got {type(value).__name__}")
            stored = value
            buffer = io.BytesIO()
            np.save(buffer, value, allow_pickle=False)
            data = buffer.getvalue()
        else:
            document = {"musicviz_cache": CACHE_FORMAT, "kind": self.kind, "key": key, "value": value}
            try:
                text = json.dumps(document, allow_nan=False, separators=(",", ":"))
            except (TypeError, ValueError) as exc:
                raise ParameterError(f"{self.kind} cache: the value is not plain JSON ({exc})") from None
            stored = json.loads(text)["value"]  # what a reader will see (tuples become lists, ...)
            data = text.encode("utf-8")
        if len(data) > self.max_bytes:
            raise ParameterError(f"{self.kind} cache: {len(data)} bytes is more than max_bytes={self.max_bytes}")
        if not self._accepts(stored):
            raise ParameterError(f"{self.kind} cache: refusing to store a value its own validate() rejects")
        return data

    # ------------------------------------------------------------------ both
    def get_or_compute(self, path, params, compute):
        """The cached value, or ``compute()``, stored for next time.

        An invalid entry is recomputed and overwritten. A source file that cannot be read is
        not cached (``compute()`` then reports the problem in its own words); a cache that
        cannot be written costs one warning, not the value. A source file that changes while
        ``compute()`` runs (its :func:`snapshot` before and after differ) is not cached: the
        value may come from either content, and no key names it.
        """
        try:
            before = snapshot(path)
        except OSError:
            return compute()
        key = self.key_for(before[0], params)
        value = self.read(key)
        if value is not None:
            return value
        value = compute()
        try:
            if snapshot(path) != before:
                return value  # the file changed while it was being computed: nothing to key it by
        except OSError:
            return value
        try:
            self.write(key, value)
        except OSError as exc:
            if not self._warned:
                self._warned = True
                reason = getattr(exc, "strerror", None) or exc
                warnings.warn(
                    f"could not write the {self.kind} cache in {self.folder} ({reason}): "
                    "results are computed but not kept",
                    stacklevel=2,
                )
        return value
