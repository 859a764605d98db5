"""Chroma: folding the spectrum onto the twelve pitch classes.

Notebook: ``03_chroma_and_zero_crossings.ipynb``.

A frequency ``f`` has the MIDI pitch ``p = 69 + 12 log2(f / 440 Hz)``; its pitch class is
``p mod 12`` (0 = C, 1 = C#, ..., 11 = B). A chromagram adds up the energy of every
spectrogram bin into the pitch class it belongs to, so that all the Cs of every octave land
in one row. Functions return the data *and* the axis coordinates (times in seconds, pitch
class names), like libfmp's ``X, T_coef, F_coef``.
"""

from __future__ import annotations

import numpy as np

from musicviz.errors import ParameterError
from musicviz._checks import positive_int
from musicviz._checks import signal as _signal

__all__ = ["PITCH_CLASSES", "pitch_class", "chroma_filterbank", "chromagram", "mean_chroma"]

#: Names of the twelve pitch classes, row order of every chromagram (C first, like librosa).
PITCH_CLASSES: tuple[str, ...] = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def pitch_class(freqs, *, tuning_hz: float = 440.0):
    """Pitch class (0 = C ... 11 = B) of each frequency in Hz: the "folding" of chroma.

    .. math:: c(f) = \\left(69 + \\operatorname{round}\\left(12 \\log_2 \\frac{f}{440\\,\\mathrm{Hz}}\\right)\\right) \\bmod 12

    Notebook: ``03_chroma_and_zero_crossings.ipynb``.

    Parameters
    ----------
    freqs : float or array-like of float > 0
        Frequencies in Hz.
    tuning_hz : float > 0
        Frequency of A4.

    Returns
    -------
    int or np.ndarray of int

    Examples
    --------
    >>> from musicviz.chroma import pitch_class, PITCH_CLASSES
    >>> [PITCH_CLASSES[c] for c in pitch_class([110.0, 261.63, 440.0, 880.0])]
    ['A', 'C', 'A', 'A']
    """
    f = np.asarray(freqs, dtype=float)
    if f.size == 0 or not np.all(np.isfinite(f)) or np.any(f <= 0):
        raise ParameterError("freqs must be finite frequencies > 0 Hz")
    if not tuning_hz > 0:
        raise ParameterError(f"tuning_hz must be > 0, got {tuning_hz}")
    pc = (69 + np.round(12 * np.log2(f / tuning_hz)).astype(int)) % 12
    return int(pc) if pc.ndim == 0 else pc


def chroma_filterbank(*, sr: int, n_fft: int = 2048, tuning: float = 0.0):
    """The weights with which :func:`chromagram` adds each STFT bin into each pitch class.

    librosa's ``chroma_stft`` does not put each bin into exactly one class. Its filter bank
    (:func:`librosa.filters.chroma`) gives every bin a *Gaussian* weight around the centre
    of each pitch class (so a bin between two notes feeds both, and a low bin, wider than a
    semitone, spreads over several), normalises each bin's weights, and then weights whole
    octaves with a broad Gaussian centred near 880 Hz (two octaves wide), so very low and
    very high bins count less.

    Notebook: ``03_chroma_and_zero_crossings.ipynb``.

    Parameters
    ----------
    sr : int > 0
        Sample rate in Hz.
    n_fft : int > 0
        STFT frame length (the filter bank has ``1 + n_fft // 2`` columns).
    tuning : float
        Deviation from A440 in fractions of a bin (as in :func:`chromagram`).

    Returns
    -------
    weights : np.ndarray [shape=(12, 1 + n_fft // 2)]
        Weight of each bin (column) in each pitch class (row, C first).
    freqs : np.ndarray [shape=(1 + n_fft // 2,)]
        Centre frequency of each bin in Hz.
    pitch_classes : tuple of str
        :data:`PITCH_CLASSES`.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.chroma import chroma_filterbank
    >>> W, freqs, names = chroma_filterbank(sr=22050)
    >>> W.shape, freqs.shape
    ((12, 1025), (1025,))
    >>> k = int(np.argmin(np.abs(freqs - 440.0)))  # the bin nearest 440 Hz
    >>> names[int(np.argmax(W[:, k]))], bool(W[:, k].min() > 0)  # mostly A, a little everywhere
    ('A', True)
    """
    import librosa

    from musicviz._checks import positive_float

    sr = positive_float(sr, "sr")
    n_fft = positive_int(n_fft, "n_fft")
    if isinstance(tuning, bool) or not np.isscalar(tuning) or not np.isfinite(tuning):
        raise ParameterError(f"tuning must be a finite number of bins, got {tuning!r}")
    weights = librosa.filters.chroma(sr=sr, n_fft=n_fft, tuning=float(tuning), n_chroma=12)
    freqs = librosa.fft_frequencies(sr=sr, n_fft=n_fft)
    return weights, freqs, PITCH_CLASSES


def chromagram(
    y,
    *,
    sr: int,
    n_fft: int = 2048,
    hop_length: int = 512,
    tuning: float | None = 0.0,
    norm: float | None = np.inf,
):
    """Short-time chroma (STFT-based), with its time coordinates and pitch class names.

    Computed with ``librosa.feature.chroma_stft``, which folds the power spectrogram with
    a Gaussian-weighted filter bank (:func:`chroma_filterbank`), not with hard bins. Like
    GTZAN's ``chroma_stft`` feature, but
    with the tuning fixed (``tuning=0`` by default) and librosa's current zero padding, so the
    values differ slightly (about 0.003 in the mean) from the feature table's; for table values
    use :func:`musicviz.features.extract_clip_features`.

    Notebook: ``03_chroma_and_zero_crossings.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples.
    sr : int > 0
        Sample rate in Hz.
    n_fft, hop_length : int > 0
        STFT frame length and hop in samples.
    tuning : float or None
        Deviation from A440 in fractions of a bin; ``None`` estimates it from the audio
        (librosa's default, slower). ``0.0`` assumes standard tuning.
    norm : float or None
        Per-frame normalisation (``np.inf``: the strongest pitch class of each frame is 1).

    Returns
    -------
    C : np.ndarray [shape=(12, t)]
        Chroma energy of each pitch class in each frame.
    times : np.ndarray [shape=(t,)]
        Centre of each frame in seconds.
    pitch_classes : tuple of str
        :data:`PITCH_CLASSES`, the name of each row.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.chroma import chromagram
    >>> sr = 22050
    >>> y = np.sin(2 * np.pi * 440 * np.arange(2 * sr) / sr)  # A4
    >>> C, times, names = chromagram(y, sr=sr)
    >>> names[int(np.argmax(C.mean(axis=1)))]
    'A'
    """
    import librosa

    n_fft, hop_length = positive_int(n_fft, "n_fft"), positive_int(hop_length, "hop_length")
    y = _signal(y, sr=sr, min_samples=2)
    C = librosa.feature.chroma_stft(
        y=y, sr=sr, n_fft=int(n_fft), hop_length=int(hop_length), tuning=tuning, norm=norm
    )
    times = librosa.frames_to_time(frames=np.arange(C.shape[-1]), sr=sr, hop_length=hop_length)
    return C, times, PITCH_CLASSES


def mean_chroma(C, *, normalize: bool = True) -> np.ndarray:
    """The average chroma vector of a clip (its pitch-class profile).

    Notebook: ``03_chroma_and_zero_crossings.ipynb``.

    Parameters
    ----------
    C : np.ndarray [shape=(12, t)]
        A chromagram.
    normalize : bool
        Scale so the profile sums to 1 (a silent clip gives the uniform profile 1/12 rather
        than a division by zero).

    Returns
    -------
    np.ndarray [shape=(12,)]

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.chroma import mean_chroma
    >>> mean_chroma(np.zeros((12, 5)))[0].round(4)
    np.float64(0.0833)
    """
    C = np.asarray(C, dtype=float)
    if C.ndim != 2 or C.shape[0] != 12 or C.shape[1] == 0:
        raise ParameterError(f"C must be a chromagram of shape (12, t) with t > 0, got shape {C.shape}")
    if not np.all(np.isfinite(C)):
        raise ParameterError("C contains NaN or infinite values")
    profile = C.mean(axis=1)
    if normalize:
        total = profile.sum()
        profile = profile / total if total > 1e-12 else np.full(12, 1.0 / 12)
    return profile
