"""Spectrograms: the short-time Fourier transform, the mel scale, and levels in dB.

Notebook: ``02_spectrograms.ipynb``.

Every function returns the data *and* its axis coordinates, like libfmp's
``X, T_coef, F_coef``: ``times`` in seconds (the centre of each frame) and ``freqs`` in Hz
(the centre of each bin or mel band). Levels are in **dB relative to full scale**
(0 dBFS is a full-scale sine wave), with a fixed reference rather than each clip's own
loudest bin, so that spectrograms of different clips can share one colour scale and be
compared honestly: a quiet classical clip *looks* quieter than a metal clip.
"""

from __future__ import annotations

import numpy as np

from musicviz.errors import ParameterError
from musicviz._checks import positive_int
from musicviz._checks import signal as _signal

__all__ = [
    "N_FFT",
    "HOP_LENGTH",
    "FLOOR_DB",
    "stft_db",
    "mel_db",
    "hz_to_mel",
    "mel_to_hz",
    "downsample_spectrogram",
    "TEST_SIGNALS",
    "test_signal",
    "window_spectrum",
    "average_spectrum",
    "separates",
]

N_FFT = 2048
HOP_LENGTH = 512
#: Lowest level returned (dBFS): quieter bins are clipped here so silence is not -inf.
FLOOR_DB = -100.0


def _check_frame_args(n_fft, hop_length) -> tuple[int, int]:
    return positive_int(n_fft, "n_fft"), positive_int(hop_length, "hop_length")


def _to_db(amplitude: np.ndarray) -> np.ndarray:
    return np.maximum(20.0 * np.log10(np.maximum(amplitude, 1e-12)), FLOOR_DB)


def _magnitude(y, *, sr, n_fft, hop_length):
    """|STFT| scaled so a full-scale sine has a peak of 1 (0 dBFS), plus the time axis."""
    import librosa

    n_fft, hop_length = _check_frame_args(n_fft, hop_length)
    y = _signal(y, sr=sr, min_samples=2)
    window = np.hanning(n_fft + 1)[:-1]  # periodic Hann, librosa's default window
    X = librosa.stft(y=y, n_fft=n_fft, hop_length=hop_length, window="hann", center=True)
    S = np.abs(X) / (window.sum() / 2.0)
    times = librosa.frames_to_time(frames=np.arange(S.shape[-1]), sr=sr, hop_length=hop_length)
    return S, times


def stft_db(y, *, sr: int, n_fft: int = N_FFT, hop_length: int = HOP_LENGTH):
    """Magnitude spectrogram in dBFS, with its time and frequency coordinates.

    .. math:: X(m, k) = \\sum_{n=0}^{N-1} x(n + mH)\\, w(n)\\, e^{-2\\pi i k n / N},
              \\qquad L(m, k) = 20 \\log_{10} \\frac{|X(m, k)|}{\\sum_n w(n) / 2}

    Notebook: ``02_spectrograms.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples.
    sr : int > 0
        Sample rate in Hz.
    n_fft : int > 0
        Frame length N in samples (2048 samples = 93 ms at 22050 Hz).
    hop_length : int > 0
        Hop H between frames in samples.

    Frames are **centred** (librosa's ``center=True``): the signal is padded with
    ``n_fft // 2`` zeros at both ends, so frame ``m`` is centred on sample ``m * hop_length``
    and ``times[m] = m * hop_length / sr``; there are ``1 + len(y) // hop_length`` frames.

    Returns
    -------
    S_db : np.ndarray [shape=(1 + n_fft // 2, t)]
        Level of each frequency bin in each frame, in dBFS, at least :data:`FLOOR_DB`.
    times : np.ndarray [shape=(t,)]
        Centre of each frame in seconds.
    freqs : np.ndarray [shape=(1 + n_fft // 2,)]
        Centre frequency of each bin in Hz (``k * sr / n_fft``).

    See Also
    --------
    mel_db : the same on the mel scale.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.spectrograms import stft_db
    >>> sr = 22050
    >>> y = np.sin(2 * np.pi * 1000 * np.arange(sr) / sr)  # full-scale 1 kHz tone
    >>> S_db, times, freqs = stft_db(y, sr=sr)
    >>> S_db.shape == (len(freqs), len(times))
    True
    >>> k = int(np.argmax(S_db[:, 10]))
    >>> round(float(freqs[k])), round(float(S_db[k, 10]))
    (1001, 0)
    """
    import librosa

    S, times = _magnitude(y, sr=sr, n_fft=n_fft, hop_length=hop_length)
    freqs = librosa.fft_frequencies(sr=sr, n_fft=n_fft)
    return _to_db(S), times, freqs


def hz_to_mel(freqs):
    """Hz to mel (the Slaney/Auditory Toolbox formula librosa uses by default).

    Linear below 1 kHz, logarithmic above. Works on scalars and arrays.

    Notebook: ``02_spectrograms.ipynb``.

    Examples
    --------
    >>> from musicviz.spectrograms import hz_to_mel, mel_to_hz
    >>> round(float(hz_to_mel(1000.0)), 1), round(float(mel_to_hz(15.0)), 1)
    (15.0, 1000.0)
    """
    import librosa

    return librosa.hz_to_mel(frequencies=np.asarray(freqs, dtype=float))


def mel_to_hz(mels):
    """Mel to Hz, the inverse of :func:`hz_to_mel`.

    Notebook: ``02_spectrograms.ipynb``.

    Examples
    --------
    >>> from musicviz.spectrograms import mel_to_hz
    >>> round(float(mel_to_hz(0.0)), 1)
    0.0
    """
    import librosa

    return librosa.mel_to_hz(mels=np.asarray(mels, dtype=float))


def mel_db(
    y,
    *,
    sr: int,
    n_fft: int = N_FFT,
    hop_length: int = HOP_LENGTH,
    n_mels: int = 128,
    fmin: float = 0.0,
    fmax: float | None = None,
):
    """Mel spectrogram in dBFS, with its time coordinates and the band centres in Hz.

    The power spectrum is summed through ``n_mels`` triangular filters whose centres are
    equally spaced on the mel scale (librosa's default, ``htk=False``: the Slaney / Auditory
    Toolbox scale, linear below 1 kHz and logarithmic above). Each triangle peaks at 1, so a
    full-scale sine at a band centre reads about 0 dBFS (+0.7 to +1.6 dB, from the
    neighbouring bins it also collects), as in :func:`stft_db`. The Slaney scale:

    .. math:: m(f) = \\frac{3 f}{200\\,\\text{Hz}} \\quad (f < 1000\\ \\text{Hz}), \\qquad
              m(f) = 15 + 27\\,\\frac{\\ln(f / 1000\\ \\text{Hz})}{\\ln 6.4} \\quad (f \\ge 1000\\ \\text{Hz})

    (the HTK form ``2595 log10(1 + f / 700)``, ``htk=True`` in librosa, is the common
    alternative; it is not what is computed here).

    Notebook: ``02_spectrograms.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples.
    sr : int > 0
        Sample rate in Hz.
    n_fft, hop_length : int > 0
        STFT frame length and hop in samples.
    n_mels : int > 0
        Number of mel bands.
    fmin, fmax : float
        Lowest and highest frequency covered, in Hz (``fmax`` default: ``sr / 2``).

    Returns
    -------
    M_db : np.ndarray [shape=(n_mels, t)]
        Level of each mel band in each frame, in dBFS.
    times : np.ndarray [shape=(t,)]
        Centre of each frame in seconds.
    freqs : np.ndarray [shape=(n_mels,)]
        Centre frequency of each band in Hz.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.spectrograms import mel_db
    >>> sr = 22050
    >>> M_db, times, freqs = mel_db(np.random.default_rng(0).normal(size=sr), sr=sr, n_mels=40)
    >>> M_db.shape == (40, len(times)), bool(np.all(np.diff(freqs) > 0))
    (True, True)
    """
    import librosa

    positive_int(n_mels, "n_mels")
    S, times = _magnitude(y, sr=sr, n_fft=n_fft, hop_length=hop_length)
    fmax = sr / 2.0 if fmax is None else float(fmax)
    if not 0 <= fmin < fmax <= sr / 2.0 + 1e-9:
        raise ParameterError(f"need 0 <= fmin < fmax <= sr / 2 = {sr / 2:g} Hz, got fmin={fmin}, fmax={fmax}")
    basis = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=int(n_mels), fmin=fmin, fmax=fmax, norm=None)
    power = basis @ (S**2)
    edges = librosa.mel_frequencies(n_mels=int(n_mels) + 2, fmin=fmin, fmax=fmax)
    return _to_db(np.sqrt(power)), times, edges[1:-1]


def downsample_spectrogram(S_db, *, times, freqs, n_times: int = 60, n_freqs: int = 128, fmax: float | None = None):
    """Shrink a spectrogram to at most ``n_times`` x ``n_freqs`` cells by block averaging.

    Averaging is done on power (not on dB) so a short loud event is not averaged away into
    silence. Used by the waterfall plot, which must stay light enough to draw in a second.

    Notebook: ``02_spectrograms.ipynb``.

    Parameters
    ----------
    S_db : np.ndarray [shape=(f, t)]
        Levels in dB.
    times : np.ndarray [shape=(t,)]
        Seconds.
    freqs : np.ndarray [shape=(f,)]
        Hz.
    n_times, n_freqs : int > 0
        Largest size of the result.
    fmax : float or None
        Drop bins above this frequency first.

    Returns
    -------
    S_small : np.ndarray [shape=(f2, t2)]
    times_small : np.ndarray [shape=(t2,)]
    freqs_small : np.ndarray [shape=(f2,)]

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.spectrograms import downsample_spectrogram
    >>> S, t, f = downsample_spectrogram(np.zeros((1025, 400)), times=np.arange(400) * 0.02,
    ...                                  freqs=np.linspace(0, 11025, 1025), n_times=50, n_freqs=100)
    >>> S.shape, t.shape, f.shape
    ((100, 50), (50,), (100,))
    """
    S_db = np.asarray(S_db, dtype=float)
    times = np.asarray(times, dtype=float)
    freqs = np.asarray(freqs, dtype=float)
    if S_db.ndim != 2 or S_db.size == 0:
        raise ParameterError(f"S_db must be a non-empty 2-D array (frequency x time), got shape {S_db.shape}")
    if S_db.shape != (freqs.shape[0], times.shape[0]):
        raise ParameterError(
            f"S_db has shape {S_db.shape} but freqs has {freqs.shape[0]} and times {times.shape[0]} entries"
        )
    if not np.all(np.isfinite(S_db)):
        raise ParameterError("S_db contains NaN or infinite values")
    if fmax is not None:
        keep = freqs <= fmax
        if not keep.any():
            raise ParameterError(f"no frequency at or below fmax={fmax} Hz")
        S_db, freqs = S_db[keep], freqs[keep]

    def blocks(n, m):
        m = max(1, min(int(m), n))
        return np.linspace(0, n, m + 1).astype(int)[:-1]

    fi, ti = blocks(S_db.shape[0], n_freqs), blocks(S_db.shape[1], n_times)
    power = 10.0 ** (S_db / 10.0)
    power = np.add.reduceat(np.add.reduceat(power, fi, axis=0), ti, axis=1)
    counts = np.outer(np.diff(np.append(fi, S_db.shape[0])), np.diff(np.append(ti, S_db.shape[1])))
    small = np.maximum(10.0 * np.log10(np.maximum(power / counts, 1e-30)), FLOOR_DB)
    t_small = np.add.reduceat(times, ti) / np.diff(np.append(ti, len(times)))
    f_small = np.add.reduceat(freqs, fi) / np.diff(np.append(fi, len(freqs)))
    return small, t_small, f_small


# ----------------------------------------------------------------- test signals, one frame
#: The kinds :func:`test_signal` makes.
TEST_SIGNALS = ("sine", "two_sines", "chirp", "impulse")


def test_signal(
    kind: str,
    *,
    sr: int = 22050,
    duration: float = 1.0,
    freq: float = 440.0,
    spacing: float = 30.0,
    fmin: float = 100.0,
    fmax: float = 4000.0,
    at: float | None = None,
    amplitude: float = 0.5,
) -> np.ndarray:
    """A signal whose spectrum we know: a sine, two close sines, a chirp or an impulse.

    Made with librosa (``librosa.tone``, ``librosa.chirp``) so the notebook can check what the
    STFT shows against what went in.

    Notebook: ``02_spectrograms.ipynb``.

    Parameters
    ----------
    kind : {"sine", "two_sines", "chirp", "impulse"}
        ``"sine"``: one sine at ``freq``; ``"two_sines"``: sines at ``freq`` and
        ``freq + spacing`` Hz, half the amplitude each (they beat ``spacing`` times a second);
        ``"chirp"``: a sweep from ``fmin`` to ``fmax`` Hz, exponential in frequency (the same
        time per octave); ``"impulse"``: one sample of height ``amplitude`` at ``at`` seconds,
        zeros elsewhere.
    sr : int > 0
        Sample rate in Hz.
    duration : float > 0
        Length in seconds.
    freq, spacing : float > 0
        Frequency of the sine (the lower of the two sines) and the gap to the second, in Hz.
    fmin, fmax : float > 0
        Start and end of the chirp in Hz.
    at : float or None
        Time of the impulse in seconds (default: the middle).
    amplitude : float > 0
        Peak amplitude (1.0 is full scale).

    Returns
    -------
    y : np.ndarray [shape=(round(sr * duration),)]

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz import spectrograms
    >>> y = spectrograms.test_signal("two_sines", sr=22050, duration=1.0, freq=440, spacing=20)
    >>> len(y), round(float(np.abs(y).max()), 2)
    (22050, 0.5)
    >>> int(np.argmax(spectrograms.test_signal("impulse", sr=22050, duration=1.0, at=0.25)))
    5512
    """
    import librosa

    from musicviz._checks import positive_float

    if kind not in TEST_SIGNALS:
        raise ParameterError(f"kind must be one of {TEST_SIGNALS}, got {kind!r}")
    sr = positive_float(sr, "sr")
    duration = positive_float(duration, "duration")
    amplitude = positive_float(amplitude, "amplitude")
    n = int(round(sr * duration))
    if n < 2:
        raise ParameterError(f"duration={duration} s at sr={sr:g} Hz gives {n} sample(s); need at least 2")
    if kind == "impulse":
        at = duration / 2 if at is None else float(at)
        if not 0 <= at < duration:
            raise ParameterError(f"at must lie in [0, duration={duration}) seconds, got {at}")
        y = np.zeros(n)
        y[min(int(round(at * sr)), n - 1)] = amplitude
        return y
    if kind == "chirp":
        fmin, fmax = positive_float(fmin, "fmin"), positive_float(fmax, "fmax")
        if not fmin < fmax <= sr / 2:
            raise ParameterError(f"need fmin < fmax <= sr / 2 = {sr / 2:g} Hz, got fmin={fmin}, fmax={fmax}")
        return amplitude * librosa.chirp(fmin=fmin, fmax=fmax, sr=sr, length=n)
    freq = positive_float(freq, "freq")
    if kind == "sine":
        if freq >= sr / 2:
            raise ParameterError(f"freq must be below sr / 2 = {sr / 2:g} Hz, got {freq}")
        return amplitude * librosa.tone(frequency=freq, sr=sr, length=n)
    spacing = positive_float(spacing, "spacing")
    if freq + spacing >= sr / 2:
        raise ParameterError(f"freq + spacing must be below sr / 2 = {sr / 2:g} Hz, got {freq + spacing}")
    return amplitude / 2 * (librosa.tone(frequency=freq, sr=sr, length=n) + librosa.tone(frequency=freq + spacing, sr=sr, length=n))


test_signal.__test__ = False  # a signal maker, not a test: pytest must not collect it when imported


def _window(window, win_length: int) -> np.ndarray:
    import scipy.signal

    try:
        return scipy.signal.get_window(window, win_length, fftbins=True)
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"window {window!r} is not a window scipy.signal.get_window knows: {exc}") from None


def _frame_args(y, *, sr, win_length, n_fft):
    win_length = positive_int(win_length, "win_length")
    n_fft = win_length if n_fft is None else positive_int(n_fft, "n_fft")
    if n_fft < win_length:
        raise ParameterError(f"n_fft must be >= win_length (zero-padding only), got n_fft={n_fft} < win_length={win_length}")
    y = _signal(y, sr=sr, min_samples=win_length)
    return y, win_length, n_fft


def window_spectrum(y, *, sr: int, win_length: int = 1024, n_fft: int | None = None, window="hann", start: int = 0):
    """The spectrum of **one** windowed frame, in dBFS: leakage and zero-padding made visible.

    Takes ``win_length`` samples from ``start``, multiplies them by the window
    (``scipy.signal.get_window(window, win_length)``: ``"boxcar"`` is the rectangular window,
    i.e. no window at all), appends zeros up to ``n_fft`` and takes the DFT. Levels are scaled
    like :func:`stft_db` (divided by ``sum(window) / 2``), so a sine of amplitude ``a`` at a bin
    centre reads ``20 log10(a)`` dBFS whatever the window and its length.

    Zero-padding (``n_fft > win_length``) samples the same spectrum more densely: it
    interpolates between bins, it does not sharpen the peaks (only a longer window does).

    Notebook: ``02_spectrograms.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples, at least ``start + win_length`` of them.
    sr : int > 0
        Sample rate in Hz.
    win_length : int > 0
        Window length in samples (what sets the frequency resolution).
    n_fft : int >= win_length or None
        DFT length (default ``win_length``: no zero-padding).
    window : str or tuple
        Any window ``scipy.signal.get_window`` knows (``"hann"``, ``"boxcar"``, ``"hamming"``, ...).
    start : int >= 0
        First sample of the frame.

    Returns
    -------
    level_db : np.ndarray [shape=(1 + n_fft // 2,)]
        Level of each bin in dBFS, at least :data:`FLOOR_DB`.
    freqs : np.ndarray [shape=(1 + n_fft // 2,)]
        Bin frequencies in Hz (``k * sr / n_fft``).

    See Also
    --------
    average_spectrum : the same, power-averaged over all frames of a signal.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz import spectrograms
    >>> y = spectrograms.test_signal("sine", sr=22050, freq=22050 / 1024 * 40, amplitude=1.0)
    >>> level, freqs = spectrograms.window_spectrum(y, sr=22050, win_length=1024, window="hann")
    >>> round(float(freqs[np.argmax(level)]), 1), round(float(level.max()), 1)
    (861.3, 0.0)
    """
    y, win_length, n_fft = _frame_args(y, sr=sr, win_length=win_length, n_fft=n_fft)
    start = positive_int(start, "start", minimum=0)
    if start + win_length > len(y):
        raise ParameterError(f"start + win_length = {start + win_length} exceeds the {len(y)} samples of y")
    w = _window(window, win_length)
    X = np.fft.rfft(y[start:start + win_length] * w, n=n_fft)
    return _to_db(np.abs(X) / (w.sum() / 2.0)), np.fft.rfftfreq(n_fft, d=1.0 / sr)


def average_spectrum(y, *, sr: int, win_length: int = 1024, n_fft: int | None = None, window="hann"):
    """The power spectrum averaged over all frames (hop ``win_length // 4``, no centring), in dBFS.

    The average removes what depends on where a frame starts (the phase of two beating sines),
    so a verdict about resolution does not depend on the frame one happened to pick.

    Notebook: ``02_spectrograms.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples, at least ``win_length`` of them.
    sr : int > 0
        Sample rate in Hz.
    win_length, n_fft, window
        As in :func:`window_spectrum`.

    Returns
    -------
    level_db : np.ndarray [shape=(1 + n_fft // 2,)]
        ``10 log10`` of the mean power of each bin, scaled as in :func:`window_spectrum`.
    freqs : np.ndarray [shape=(1 + n_fft // 2,)]
        Bin frequencies in Hz.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz import spectrograms
    >>> y = spectrograms.test_signal("sine", sr=22050, freq=1000.0, amplitude=1.0)
    >>> level, freqs = spectrograms.average_spectrum(y, sr=22050, win_length=2048)
    >>> round(float(freqs[np.argmax(level)]))
    1001
    """
    import librosa

    y, win_length, n_fft = _frame_args(y, sr=sr, win_length=win_length, n_fft=n_fft)
    w = _window(window, win_length)
    frames = librosa.util.frame(np.ascontiguousarray(y), frame_length=win_length, hop_length=max(1, win_length // 4))
    X = np.fft.rfft(frames * w[:, None], n=n_fft, axis=0)
    amplitude = np.sqrt(np.mean(np.abs(X) ** 2, axis=1)) / (w.sum() / 2.0)
    return _to_db(amplitude), np.fft.rfftfreq(n_fft, d=1.0 / sr)


def separates(
    y,
    *,
    sr: int,
    f1: float,
    f2: float,
    win_length: int,
    n_fft: int | None = None,
    window="hann",
    dip_db: float = 3.0,
) -> bool:
    """Whether a spectrum shows two sines at ``f1`` and ``f2`` as two peaks: the course's definition.

    Take the frame-averaged spectrum (:func:`average_spectrum`) and the bins nearest to ``f1``
    and ``f2``. The sines are **separated** when there is at least one bin strictly between
    those two bins and the lowest level between them is at least ``dip_db`` dB below the
    lower of the two levels at ``f1`` and ``f2``. (One hump with its top between the two
    frequencies fails: nothing between them dips below both.)

    Notebook: ``02_spectrograms.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples (e.g. ``test_signal("two_sines", ...)``).
    sr : int > 0
        Sample rate in Hz.
    f1, f2 : float
        The two true frequencies in Hz.
    win_length : int > 0
        Window length in samples.
    n_fft : int >= win_length or None
        DFT length (zero-padding; default ``win_length``).
    window : str or tuple
        As in :func:`window_spectrum`.
    dip_db : float > 0
        How deep the valley between the two peaks must be, in dB.

    Returns
    -------
    bool

    Examples
    --------
    >>> from musicviz import spectrograms
    >>> y = spectrograms.test_signal("two_sines", sr=22050, duration=2.0, freq=440, spacing=30)
    >>> [spectrograms.separates(y, sr=22050, f1=440, f2=470, win_length=n) for n in (1024, 2048)]
    [False, True]
    """
    from musicviz._checks import positive_float

    dip_db = positive_float(dip_db, "dip_db")
    level, freqs = average_spectrum(y, sr=sr, win_length=win_length, n_fft=n_fft, window=window)
    f1, f2 = sorted((positive_float(f1, "f1"), positive_float(f2, "f2")))
    if f2 > sr / 2:
        raise ParameterError(f"f1 and f2 must lie below sr / 2 = {sr / 2:g} Hz, got {f2}")
    k1, k2 = (int(np.argmin(np.abs(freqs - f))) for f in (f1, f2))
    if k2 - k1 < 2:
        return False
    return bool(level[k1 + 1:k2].min() <= min(level[k1], level[k2]) - dip_db)
