"""Waveforms and zero crossings: the signal in the time domain.

Notebooks: ``01_waveforms.ipynb`` (time axis, envelopes, peaks) and
``03_chroma_and_zero_crossings.ipynb`` (zero crossings and the zero-crossing rate).

Every function returns its data together with the time coordinates in seconds, so a plot is
labelled in seconds, never in samples or frames.
"""

from __future__ import annotations

import numpy as np

from musicviz._checks import positive_int, signal
from musicviz.audio import check_signal
from musicviz.errors import ParameterError

__all__ = [
    "time_axis",
    "envelope",
    "peak_level_db",
    "zero_crossings",
    "zero_crossing_rate",
]




def time_axis(y, *, sr: float) -> np.ndarray:
    """The time in seconds of every sample of ``y``.

    Notebook: ``01_waveforms.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples.
    sr : float > 0
        Sample rate in Hz.

    Returns
    -------
    np.ndarray [shape=(n,)]
        ``t[i] = i / sr``.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.waveforms import time_axis
    >>> time_axis(np.zeros(4), sr=2).tolist()
    [0.0, 0.5, 1.0, 1.5]
    """
    y = signal(y, sr=sr)
    return np.arange(y.shape[-1]) / float(sr)


def envelope(y, *, sr: float, n_points: int = 2000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Minimum and maximum of ``y`` in ``n_points`` equal time blocks (what a waveform plot draws).

    A 30 s clip has 661 500 samples; a screen has about 1000 pixels across. Drawing the
    lowest and highest sample of each block looks exactly like drawing every sample, and is
    hundreds of times faster.

    Notebook: ``01_waveforms.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples.
    sr : float > 0
        Sample rate in Hz.
    n_points : int > 0
        Number of blocks. When ``y`` is shorter than ``2 * n_points`` samples, every
        sample is its own block.

    Returns
    -------
    times : np.ndarray [shape=(m,)]
        Centre of each block in seconds.
    lower, upper : np.ndarray [shape=(m,)]
        Lowest and highest sample in each block.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.waveforms import envelope
    >>> t, lo, hi = envelope(np.sin(np.linspace(0, 100, 22050)), sr=22050, n_points=10)
    >>> t.shape, bool(np.all(lo <= hi))
    ((10,), True)
    """
    y = signal(y, sr=sr)
    n_points = positive_int(n_points, "n_points")
    n = y.shape[-1]
    if n < 2 * n_points:
        t = np.arange(n) / float(sr)
        return t, y.copy(), y.copy()
    edges = np.linspace(0, n, n_points + 1).astype(int)
    lower = np.minimum.reduceat(y, edges[:-1])
    upper = np.maximum.reduceat(y, edges[:-1])
    times = (edges[:-1] + edges[1:] - 1) / 2.0 / float(sr)
    return times, lower, upper


def peak_level_db(y) -> float:
    """Peak level in dB relative to full scale (0 dBFS = a sample of magnitude 1).

    Notebook: ``01_waveforms.ipynb``.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.waveforms import peak_level_db
    >>> round(peak_level_db(np.array([0.0, -0.5, 0.25])), 2)
    -6.02
    """
    y = check_signal(y)
    peak = float(np.max(np.abs(y)))
    return float(20 * np.log10(max(peak, 1e-10)))


def zero_crossings(y, *, sr: float) -> np.ndarray:
    """Times (in seconds) at which ``y`` changes sign, interpolated between samples.

    A crossing is counted between samples ``n`` and ``n + 1`` when one is negative and the
    other is not (librosa's convention: 0 counts as positive). Its time is where the
    straight line between the two samples meets zero.

    Notebook: ``03_chroma_and_zero_crossings.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples.
    sr : float > 0
        Sample rate in Hz.

    Returns
    -------
    np.ndarray [shape=(k,)]
        Crossing times in seconds, increasing.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.waveforms import zero_crossings
    >>> sr = 8000
    >>> y = np.sin(2 * np.pi * 100 * (np.arange(sr) + 0.5) / sr)  # 100 Hz for 1 s
    >>> len(zero_crossings(y, sr=sr))  # two crossings per cycle, minus the ends
    199
    """
    y = signal(y, sr=sr)
    neg = y < 0
    idx = np.flatnonzero(neg[:-1] != neg[1:])
    a, b = y[idx], y[idx + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(a != b, a / (a - b), 0.0)
    return (idx + np.clip(frac, 0.0, 1.0)) / float(sr)


def zero_crossing_rate(
    y, *, sr: float, frame_length: int = 2048, hop_length: int = 512
) -> tuple[np.ndarray, np.ndarray]:
    """Zero crossings per second in sliding frames, and the time of each frame.

    .. math:: \\mathrm{ZCR}(m) = \\frac{f_s}{N} \\sum_{n} \\mathbb{1}\\left[\\operatorname{sgn} x_m(n) \\neq \\operatorname{sgn} x_m(n-1)\\right]

    librosa's :func:`librosa.feature.zero_crossing_rate` returns the *fraction* of sample
    pairs that cross (a number between 0 and 1); multiplied by ``sr`` it becomes crossings
    per second, which a student can compare with a pitch: a pure tone of ``f`` Hz crosses
    zero ``2 f`` times per second.

    Notebook: ``03_chroma_and_zero_crossings.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples.
    sr : float > 0
        Sample rate in Hz.
    frame_length, hop_length : int > 0
        Frame and hop size in samples (GTZAN's feature table uses 2048 and 512).

    Returns
    -------
    zcr : np.ndarray [shape=(t,)]
        Zero crossings per second in each frame.
    times : np.ndarray [shape=(t,)]
        Centre of each frame in seconds.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.waveforms import zero_crossing_rate
    >>> sr = 22050
    >>> y = np.sin(2 * np.pi * 441 * np.arange(sr) / sr + 0.1)
    >>> zcr, t = zero_crossing_rate(y, sr=sr)
    >>> int(round(float(np.median(zcr)), -1))  # about 2 x 441 Hz
    880
    """
    import librosa

    frame_length = positive_int(frame_length, "frame_length")
    hop_length = positive_int(hop_length, "hop_length")
    y = signal(y, sr=sr, min_samples=2)
    rate = librosa.feature.zero_crossing_rate(y=y, frame_length=frame_length, hop_length=hop_length, center=True)[0]
    times = librosa.frames_to_time(frames=np.arange(rate.shape[-1]), sr=sr, hop_length=hop_length)
    return rate * float(sr), times
