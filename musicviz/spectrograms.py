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


def stft_db(y, *, sr: float, n_fft: int = N_FFT, hop_length: int = HOP_LENGTH):
    """Magnitude spectrogram in dBFS, with its time and frequency coordinates.

    .. math:: X(m, k) = \\sum_{n=0}^{N-1} x(n + mH)\\, w(n)\\, e^{-2\\pi i k n / N},
              \\qquad L(m, k) = 20 \\log_{10} \\frac{|X(m, k)|}{\\sum_n w(n) / 2}

    Notebook: ``02_spectrograms.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples.
    sr : float > 0
        Sample rate in Hz.
    n_fft : int > 0
        Frame length N in samples (2048 samples = 93 ms at 22050 Hz).
    hop_length : int > 0
        Hop H between frames in samples.

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
    sr: float,
    n_fft: int = N_FFT,
    hop_length: int = HOP_LENGTH,
    n_mels: int = 128,
    fmin: float = 0.0,
    fmax: float | None = None,
):
    """Mel spectrogram in dBFS, with its time coordinates and the band centres in Hz.

    The power spectrum is summed through ``n_mels`` triangular filters whose centres are
    equally spaced on the mel scale (librosa's Slaney scale: linear below 1 kHz, logarithmic
    above). Each triangle peaks at 1, so a full-scale sine at a band centre reads about
    0 dBFS (+0.7 to +1.6 dB, from the neighbouring bins it also collects), as in :func:`stft_db`.
    The textbook (HTK) form of the scale, for intuition:

    .. math:: m = 2595 \\log_{10}\\left(1 + \\frac{f}{700}\\right)

    Notebook: ``02_spectrograms.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples.
    sr : float > 0
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
