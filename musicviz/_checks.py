"""Input checks every layer shares: one place for "a positive integer", "a signal", "a cache", ...

Each check returns the value in its canonical type and raises
:class:`~musicviz.errors.ParameterError` naming the argument and what was wrong.
(``sklearn.utils.check_scalar`` does a similar job, but it would pull scikit-learn into
modules that otherwise never need it, and its ``TypeError``/``ValueError`` are outside
musicviz's error family, so even ``musicviz.baselines`` uses these.)

:func:`check_signal` and :func:`check_sr` are public as ``musicviz.audio.check_signal`` and
``musicviz.audio.check_sr``; the rest is internal.
"""

from __future__ import annotations

import math
import numbers
import os
from pathlib import Path

import numpy as np

from musicviz.errors import ParameterError

__all__ = [
    "positive_int",
    "positive_float",
    "check_matrix",
    "check_sr",
    "check_signal",
    "signal",
    "check_seconds",
    "check_target_sr",
    "check_dtype",
    "seconds_or_none",
    "n_jobs",
    "one_of",
    "cache_folder",
]


def positive_int(value, name: str, *, minimum: int = 1) -> int:
    """``value`` as an int >= ``minimum`` (bools are refused: ``True`` is not a count).

    Examples
    --------
    >>> from musicviz._checks import positive_int
    >>> positive_int(np.int64(4), "n_fft")
    4
    """
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)) or value < minimum:
        what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ParameterError(f"{name} must be {what}, got {value!r}")
    return int(value)


def positive_float(value, name: str, *, allow_zero: bool = False) -> float:
    """``value`` as a finite float > 0 (>= 0 with ``allow_zero``).

    Examples
    --------
    >>> from musicviz._checks import positive_float
    >>> positive_float(3, "duration")
    3.0
    """
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        raise ParameterError(f"{name} must be a finite number {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return float(value)


def check_matrix(S, *, name: str = "S", rows: int | None = None) -> np.ndarray:
    """A finite, non-empty 2-D float array (``rows`` rows when given).

    Examples
    --------
    >>> from musicviz._checks import check_matrix
    >>> check_matrix([[1, 2], [3, 4]]).dtype
    dtype('float64')
    """
    try:
        arr = np.asarray(S, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a 2-D array of numbers, got {type(S).__name__}") from None
    if arr.ndim != 2 or arr.size == 0:
        raise ParameterError(f"{name} must be a non-empty 2-D array, got shape {arr.shape}")
    if rows is not None and arr.shape[0] != rows:
        raise ParameterError(f"{name} must have {rows} rows, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"{name} contains NaN or infinite values")
    return arr


# --------------------------------------------------------------------------- signals
_UNCHECKED = object()


def check_sr(sr) -> None:
    """Raise :class:`ParameterError` unless ``sr`` is a positive, finite number (not a bool or str).

    Examples
    --------
    >>> from musicviz.audio import check_sr
    >>> check_sr(22050)
    """
    if isinstance(sr, bool) or not isinstance(sr, (int, float, np.integer, np.floating)) or not 0 < sr < np.inf:
        raise ParameterError(f"sr must be a positive number of samples per second, got {sr!r}")


def check_signal(y, *, sr=_UNCHECKED, name: str = "y", min_samples: int = 1, allow_multichannel: bool = False) -> np.ndarray:
    """Check an in-memory signal and return it as a float array.

    Parameters
    ----------
    y : array-like [shape=(n,)]
        Samples (a list works too).
    sr : int > 0, optional
        Sample rate to check alongside the samples (when given, it must be valid: ``None``
        is refused too).
    name : str
        Name used in error messages.
    min_samples : int
        Fewest samples accepted.
    allow_multichannel : bool
        Accept a ``(channels, n)`` array as well.

    Returns
    -------
    np.ndarray
        ``y`` as a floating-point array (no copy when it already is one).

    Raises
    ------
    ParameterError
        Wrong type, dimension, dtype, too few samples, NaN/inf, or a bad ``sr``.

    Examples
    --------
    >>> from musicviz.audio import check_signal
    >>> check_signal([0.0, 0.5, -0.5], sr=22050).dtype
    dtype('float64')
    """
    if sr is not _UNCHECKED:
        check_sr(sr)
    try:
        arr = np.asarray(y)
    except Exception as exc:  # ragged lists and the like
        raise ParameterError(f"{name} must be an array of samples, got {type(y).__name__} ({exc})") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise ParameterError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.integer):
        arr = arr.astype(np.float64)
    ndim_ok = arr.ndim == 1 or (allow_multichannel and arr.ndim == 2)
    if not ndim_ok:
        want = "(n,) or (channels, n)" if allow_multichannel else "(n,) (mono)"
        raise ParameterError(f"{name} must have shape {want}, got shape {arr.shape}")
    if arr.shape[-1] < min_samples:
        raise ParameterError(f"{name} has {arr.shape[-1]} samples, at least {min_samples} needed")
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"{name} contains NaN or infinite samples")
    return arr


def signal(y, *, sr, min_samples: int = 1, name: str = "y") -> np.ndarray:
    """:func:`check_signal` with a *required* sample rate (None is an error).

    Examples
    --------
    >>> from musicviz._checks import signal
    >>> signal([0.0, 0.1], sr=22050).shape
    (2,)
    """
    if sr is None:
        raise ParameterError("sr must be a positive number of samples per second, got None")
    return check_signal(y, sr=sr, min_samples=min_samples, name=name)


# --------------------------------------------------------------------------- loading audio
def check_seconds(name: str, value, *, positive: bool, allow_inf: bool = False) -> float:
    """``value`` as a number of seconds >= 0 (> 0 with ``positive``; infinity with ``allow_inf``).

    Examples
    --------
    >>> from musicviz._checks import check_seconds
    >>> check_seconds("offset", 2, positive=False)
    2.0
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ParameterError(f"{name} must be a number of seconds, got {type(value).__name__} {value!r}")
    value = float(value)
    if math.isnan(value) or (math.isinf(value) and not allow_inf) or value < 0 or (positive and value == 0):
        bound = "> 0" if positive else ">= 0"
        raise ParameterError(f"{name} must be a finite number of seconds {bound}, got {value!r}")
    return value


def check_target_sr(sr) -> int | None:
    """A sample rate to resample to: a whole number of Hz in ``audio.MIN_SR .. audio.MAX_SR``, or None.

    Examples
    --------
    >>> from musicviz._checks import check_target_sr
    >>> check_target_sr(22050.0)
    22050
    """
    from musicviz.audio import MAX_SR, MIN_SR  # the bounds belong to audio (imported lazily: audio imports us)

    if sr is None:
        return None
    check_sr(sr)
    if int(sr) != sr:
        raise ParameterError(f"sr must be a whole number of samples per second, got {sr!r}")
    if not MIN_SR <= sr <= MAX_SR:
        raise ParameterError(f"sr must be between {MIN_SR} and {MAX_SR} Hz (or None: the file's own rate), got {sr!r}")
    return int(sr)


def check_dtype(dtype) -> np.dtype:
    """``dtype`` as a floating-point :class:`numpy.dtype` (samples in [-1, 1] would become 0 as integers).

    Examples
    --------
    >>> from musicviz._checks import check_dtype
    >>> check_dtype("float32")
    dtype('float32')
    """
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise ParameterError(f"dtype must be a floating-point type such as np.float32, got {dtype!r}") from None
    if not np.issubdtype(dt, np.floating):
        raise ParameterError(f"dtype must be a floating-point type (np.float32 or np.float64), got {dt}")
    return dt


# --------------------------------------------------------------------------- tables of many clips
#: The longest duration a number of seconds may name where it becomes a count of samples
#: (a segment, an excerpt): about 11 days, far beyond any clip, far below float overflow.
MAX_SECONDS = 1_000_000


def seconds_or_none(value, name: str, *, minimum: float = 0.0, maximum: float = MAX_SECONDS, why: str = "") -> float | None:
    """None, or ``value`` as a finite number of seconds > 0, >= ``minimum`` and <= ``maximum``.

    ``why`` says why the minimum. A limit (``max_seconds``) passes ``maximum=math.inf``: a
    huge one means no limit; a length that becomes samples (``segment_seconds``) keeps
    :data:`MAX_SECONDS`, so ``1e308`` is a clear error, not an overflow deep in numpy.

    Examples
    --------
    >>> from musicviz._checks import seconds_or_none
    >>> seconds_or_none(3, "segment_seconds"), seconds_or_none(None, "max_seconds")
    (3.0, None)
    >>> seconds_or_none(1e308, "segment_seconds")
    Traceback (most recent call last):
    ...
    musicviz.errors.ParameterError: segment_seconds must be a finite number of seconds > 0 and <= 1e+06 or None, got 1e+308
    """
    if value is None:
        return None
    ok = isinstance(value, (numbers.Real, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or value <= 0 or value < minimum or value > maximum:
        bound = f">= {minimum:g}" if minimum > 0 else "> 0"
        if math.isfinite(maximum):
            bound += f" and <= {maximum:g}"
        reason = f" ({why})" if why else ""
        raise ParameterError(f"{name} must be a finite number of seconds {bound}{reason} or None, got {value!r}")
    return float(value)


def n_jobs(value, name: str = "n_jobs") -> int:
    """A number of worker processes: a non-zero integer (-1: all cores, -2: all but one, as joblib).

    Examples
    --------
    >>> from musicviz._checks import n_jobs
    >>> n_jobs(-1)
    -1
    """
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)) or value == 0:
        raise ParameterError(f"{name} must be a non-zero integer (-1: all cores, 1: no worker processes), got {value!r}")
    return int(value)


def one_of(value, name: str, options) -> str:
    """``value`` if it is one of ``options`` (compared with ``==``, so no bools for strings).

    Examples
    --------
    >>> from musicviz._checks import one_of
    >>> one_of("skip", "errors", ("skip", "raise"))
    'skip'
    """
    if not isinstance(value, str) or value not in options:
        raise ParameterError(f"{name} must be one of {', '.join(map(repr, options))}, got {value!r}")
    return value


def cache_folder(cache, *, default) -> Path | None:
    """The folder a ``cache=`` argument names: True: ``default()``; False: None (no cache); a folder.

    Every function over many clips takes ``cache=`` this way.

    Examples
    --------
    >>> from pathlib import Path
    >>> from musicviz._checks import cache_folder
    >>> cache_folder("my_cache", default=lambda: Path("d")).name, cache_folder(False, default=lambda: Path("d"))
    ('my_cache', None)
    """
    if cache is True:
        return Path(default())
    if cache is False:
        return None
    if isinstance(cache, (str, os.PathLike)) and os.fspath(cache) != "":
        return Path(cache)
    raise ParameterError(f"cache must be True (the default folder), False (no cache) or a folder, got {cache!r}")
