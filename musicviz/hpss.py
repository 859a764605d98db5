"""Harmonic-percussive separation by hand: two median filters and a mask.

Notebooks: ``03b_mfcc_hpss_tempo.ipynb`` (its HPSS part). Students write these steps in a few
lines of numpy and scipy in the notebook; :func:`median_hpss` is the reference the exercise
checks and the tests use, written the same way (Fitzgerald 2010; Müller, *Fundamentals of
Music Processing*, section 8.1). It gives the masks of ``librosa.decompose.hpss`` with the
same settings; :func:`musicviz.mfcc_hpss_tempo.harmonic_percussive` gives the waveforms.

The plot is in :mod:`musicviz.plot.hpss`.
"""

from __future__ import annotations

import numpy as np

from musicviz._checks import positive_float, positive_int
from musicviz._checks import signal as _signal

__all__ = ["median_hpss"]


def median_hpss(y, *, sr: int, kernel_size: int = 31, power: float | None = 2.0, n_fft: int = 2048,
                hop_length: int = 512) -> dict:
    """Median-filter HPSS: each STFT bin goes to the part whose median filter keeps more of it.

    .. math:: \\tilde H = \\operatorname{med}_\\text{time}|X|, \\quad
              \\tilde P = \\operatorname{med}_\\text{freq}|X|, \\quad
              M_H = \\frac{\\tilde H^p}{\\tilde H^p + \\tilde P^p}, \\quad M_P = 1 - M_H

    A median along time (``kernel_size`` frames) keeps what lasts (horizontal lines: notes)
    and removes short hits; a median along frequency (``kernel_size`` bins) keeps what is
    broadband (vertical lines: drum hits) and removes single partials. The harmonic part is
    :math:`M_H X`, the percussive part :math:`M_P X`. With ``power=2`` the masks are
    librosa's soft (Wiener) masks; with ``power=None`` they are binary (a bin goes wholly
    to the larger median; ties go to the harmonic part).

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono samples.
    sr : int > 0
        Sample rate in Hz.
    kernel_size : int > 0
        Length of both median filters, in frames and in bins (librosa's default, 31).
    power : float > 0 or None
        Exponent of the soft mask; None for binary masks.
    n_fft, hop_length : int > 0
        STFT frame length and hop (frames centred, librosa's default padding).

    Returns
    -------
    dict
        ``"stft"`` (complex, bins x frames), ``"harmonic_median"`` and ``"percussive_median"``
        (the two filtered magnitudes), ``"harmonic_mask"`` and ``"percussive_mask"`` (between 0
        and 1, adding up to 1), ``"times"`` (s) and ``"freqs"`` (Hz).

    Examples
    --------
    >>> import numpy as np, librosa
    >>> from musicviz.hpss import median_hpss
    >>> sr = 22050
    >>> y = 0.3 * np.sin(2 * np.pi * 440 * np.arange(sr) / sr)
    >>> y[::2205] += 1.0  # ten clicks
    >>> out = median_hpss(y, sr=sr)
    >>> ref, _ = librosa.decompose.hpss(S=out["stft"], kernel_size=31, mask=True)
    >>> bool(np.allclose(out["harmonic_mask"], ref, atol=1e-5))
    True
    >>> k = int(round(440 * 2048 / sr))  # the bin of the sine: harmonic
    >>> bool(out["harmonic_mask"][k].mean() > 0.9)
    True
    """
    import librosa
    from scipy.ndimage import median_filter

    y = _signal(y, sr=sr, min_samples=2)
    kernel_size = positive_int(kernel_size, "kernel_size")
    n_fft, hop_length = positive_int(n_fft, "n_fft"), positive_int(hop_length, "hop_length")
    X = librosa.stft(y=np.asarray(y, dtype=float), n_fft=n_fft, hop_length=hop_length)
    A = np.abs(X)
    H = median_filter(A, size=(1, kernel_size), mode="reflect")  # along time: the horizontal lines
    P = median_filter(A, size=(kernel_size, 1), mode="reflect")  # along frequency: the vertical lines
    if power is None:
        Mh = (H >= P).astype(float)
    else:
        p = positive_float(power, "power")
        scale = np.maximum(np.maximum(H, P), np.finfo(float).tiny)  # no overflow, and 0/0 is an even split
        h, q = (H / scale) ** p, (P / scale) ** p
        Mh = np.where(h + q > 0, h / np.where(h + q > 0, h + q, 1.0), 0.5)
    times = librosa.frames_to_time(frames=np.arange(X.shape[1]), sr=sr, hop_length=hop_length)
    freqs = librosa.fft_frequencies(sr=sr, n_fft=n_fft)
    return {"stft": X, "harmonic_median": H, "percussive_median": P, "harmonic_mask": Mh, "percussive_mask": 1.0 - Mh,
            "times": times, "freqs": freqs}
