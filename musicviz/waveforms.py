"""Waveforms and zero crossings: the signal in the time domain.

Notebooks: ``01_waveforms.ipynb`` (time axis, envelopes, peaks) and
``03_chroma_and_zero_crossings.ipynb`` (zero crossings and the zero-crossing rate).

Every function returns its data together with the time coordinates in seconds, so a plot is
labelled in seconds, never in samples or frames.
"""

from __future__ import annotations

import numpy as np

from musicviz._checks import check_signal, positive_int, signal
from musicviz.errors import ParameterError

__all__ = [
    "time_axis",
    "envelope",
    "peak_level_db",
    "zero_crossings",
    "zero_crossing_rate",
    "periodicity",
]


def time_axis(y, *, sr: int) -> np.ndarray:
    """The time in seconds of every sample of ``y``.

    Notebook: ``01_waveforms.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples.
    sr : int > 0
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


def envelope(y, *, sr: int, n_points: int = 2000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Minimum and maximum of ``y`` in ``n_points`` equal time blocks (what a waveform plot draws).

    A 30 s clip has 661 500 samples; a screen has about 1000 pixels across. Drawing the
    lowest and highest sample of each block looks exactly like drawing every sample, and is
    hundreds of times faster.

    Notebook: ``01_waveforms.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples.
    sr : int > 0
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


def zero_crossings(y, *, sr: int) -> np.ndarray:
    """Times (in seconds) at which ``y`` changes sign, interpolated between samples.

    A crossing is counted between samples ``n`` and ``n + 1`` when one is negative and the
    other is not (librosa's convention: 0 counts as positive). Its time is where the
    straight line between the two samples meets zero.

    Notebook: ``03_chroma_and_zero_crossings.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples.
    sr : int > 0
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
    y, *, sr: int, frame_length: int = 2048, hop_length: int = 512
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
    sr : int > 0
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


def periodicity(
    y,
    *,
    sr: int,
    duration: float = 0.05,
    hop: float = 0.005,
    fmin: float = 150.0,
    fmax: float = 2000.0,
    min_level_db: float = -6.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How periodic (pitched) each short window of ``y`` is, and at which fundamental.

    A pitched sound repeats itself after one period ``T = 1 / f0``; noise does not. The
    normalised autocorrelation of a window at lag ``L`` is 1 when the window repeats exactly
    after ``L`` samples and near 0 for noise. For each window this function takes the highest
    (unbiased, normalised) autocorrelation at a lag between ``sr / fmax`` and ``sr / fmin``,
    searching only after the autocorrelation first goes negative (so a smooth, low sound is
    not mistaken for a short period) and preferring the shortest-lag peak that comes within
    0.05 of the best (a tone repeats after two periods too). It is the idea behind pitch trackers such as YIN,
    kept simple: notebooks use it to *find* a pitched moment in a clip, not to transcribe it.

    Notebooks: ``01_waveforms.ipynb`` and ``03_chroma_and_zero_crossings.ipynb`` (finding a
    pitched excerpt to zoom into).

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples.
    sr : int > 0
        Sample rate in Hz.
    duration : float > 0
        Window length in seconds (it must hold at least two periods of ``fmin``).
    hop : float > 0
        Step between window starts in seconds.
    fmin, fmax : float > 0, fmin < fmax
        The range of fundamentals searched, in Hz.
    min_level_db : float <= 0
        Windows whose RMS level is more than this many dB below the whole clip's get NaN
        (near-silence is neither pitched nor noisy).

    Returns
    -------
    periodicity : np.ndarray [shape=(m,)]
        About 1 for a perfectly periodic window, near 0 for noise (0 when no period in
        ``[1 / fmax, 1 / fmin]`` stands out); NaN for quiet windows.
    f0 : np.ndarray [shape=(m,)]
        The fundamental (Hz) at the best lag of each window.
    starts : np.ndarray [shape=(m,)]
        Start of each window in seconds.

    Raises
    ------
    ParameterError
        A bad argument, or ``y`` shorter than one window plus the longest period.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.waveforms import periodicity
    >>> sr = 22050
    >>> rng = np.random.default_rng(0)
    >>> y = np.concatenate([np.sin(2 * np.pi * 441 * np.arange(sr) / sr), rng.normal(size=sr)])
    >>> p, f0, starts = periodicity(y, sr=sr)
    >>> i = int(np.nanargmax(p))
    >>> bool(starts[i] < 1.0), int(round(f0[i])), bool(np.nanmax(p[starts > 1.0]) < 0.5)
    (True, 441, True)
    """
    from numpy.lib.stride_tricks import sliding_window_view

    from musicviz._checks import positive_float

    y = signal(y, sr=sr, min_samples=2)
    duration = positive_float(duration, "duration")
    hop = positive_float(hop, "hop")
    fmin, fmax = positive_float(fmin, "fmin"), positive_float(fmax, "fmax")
    if not fmin < fmax:
        raise ParameterError(f"fmin must be below fmax, got fmin={fmin} Hz, fmax={fmax} Hz")
    if fmax > sr / 2:
        raise ParameterError(f"fmax must be at most sr / 2 = {sr / 2:g} Hz, got {fmax} Hz")
    if isinstance(min_level_db, bool) or not np.isscalar(min_level_db) or not min_level_db <= 0:
        raise ParameterError(f"min_level_db must be a number of dB <= 0, got {min_level_db!r}")
    n = int(round(duration * sr))
    lo, hi = int(np.floor(sr / fmax)), int(np.ceil(sr / fmin))
    if n < 2 * hi:
        raise ParameterError(
            f"duration={duration} s holds fewer than two periods of fmin={fmin} Hz; "
            f"use a duration of at least {2 / fmin:.3f} s"
        )
    if y.shape[-1] < n:
        raise ParameterError(f"y is shorter ({y.shape[-1]} samples) than one window of duration={duration} s")
    step = max(1, int(round(hop * sr)))
    frames = sliding_window_view(np.asarray(y, dtype=np.float32), n)[::step]
    n_lags = hi + 2  # lags 0 .. hi + 1: enough to see a peak at hi
    n_fft = 1 << int(np.ceil(np.log2(n + n_lags)))  # no circular wrap-around below n_lags
    lags = np.arange(n_lags)
    unbias = (n / (n - lags)).astype(np.float32)
    energy = np.empty(len(frames), dtype=np.float64)
    value = np.empty(len(frames), dtype=np.float64)
    best = np.empty(len(frames), dtype=np.int64)
    for i0 in range(0, len(frames), 512):  # in blocks: a 30 s clip never needs 100 MB at once
        block = frames[i0 : i0 + 512]
        block = block - block.mean(axis=1, keepdims=True)
        acf = np.fft.irfft(np.abs(np.fft.rfft(block, n=n_fft, axis=1)) ** 2, n=n_fft, axis=1)[:, :n_lags]
        e = acf[:, 0].copy()
        energy[i0 : i0 + len(block)] = e
        with np.errstate(invalid="ignore", divide="ignore"):
            acf = acf / e[:, None] * unbias[None, :]  # normalised, unbiased
        after_first_dip = np.cumsum(acf < 0, axis=1) > 0
        peak = np.zeros_like(after_first_dip)
        peak[:, 1:-1] = (acf[:, 1:-1] >= acf[:, :-2]) & (acf[:, 1:-1] >= acf[:, 2:])  # local maxima
        search = np.where((after_first_dip & peak)[:, lo : hi + 1], acf[:, lo : hi + 1], -np.inf)
        # The first peak that comes within 0.05 of the best one: a pure tone repeats after one
        # period *and* after two, and the period is the shorter lag (no octave errors).
        top = np.max(search, axis=1)
        b = np.argmax(search >= (top - 0.05)[:, None], axis=1)
        best[i0 : i0 + len(block)] = b
        value[i0 : i0 + len(block)] = search[np.arange(len(b)), b]
    value = np.clip(np.where(np.isfinite(value), value, 0.0), 0.0, None)  # no peak in range: 0
    clip_rms = np.sqrt(np.mean(np.square(y, dtype=np.float64)))
    level = np.sqrt(np.maximum(energy, 0.0) / n)
    quiet = level < clip_rms * 10 ** (min_level_db / 20) if clip_rms > 0 else np.ones(len(level), bool)
    value = np.where(quiet, np.nan, value)
    f0 = sr / (lo + best).astype(float)
    starts = np.arange(len(best)) * step / float(sr)
    return value, f0, starts

