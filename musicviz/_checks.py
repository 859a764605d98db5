"""Input checks every layer shares: one place for "a positive integer", "a finite matrix", ...

Each check returns the value in its canonical type and raises
:class:`~musicviz.errors.ParameterError` naming the argument and what was wrong.
(``sklearn.utils.check_scalar`` does a similar job, but it would pull scikit-learn into
modules that otherwise never need it, and its ``TypeError``/``ValueError`` are outside
musicviz's error family, so even ``musicviz.baselines`` uses these.)
"""

from __future__ import annotations

import numbers

import numpy as np

from musicviz.errors import ParameterError

__all__ = ["positive_int", "positive_float", "check_matrix", "signal"]


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
    """``value`` as a finite float > 0 (>= 0 with ``allow_zero``)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        raise ParameterError(f"{name} must be a finite number {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return float(value)


def check_matrix(S, *, name: str = "S", rows: int | None = None) -> np.ndarray:
    """A finite, non-empty 2-D float array (``rows`` rows when given)."""
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


def signal(y, *, sr, min_samples: int = 1, name: str = "y") -> np.ndarray:
    """:func:`musicviz.audio.check_signal` with a *required* sample rate (None is an error)."""
    from musicviz.audio import check_signal

    if sr is None:
        raise ParameterError("sr must be a positive number of samples per second, got None")
    return check_signal(y, sr=sr, min_samples=min_samples, name=name)
