"""Onsets and tempo by hand: a spectral-flux novelty curve, its peaks, and its autocorrelation.

Notebooks: ``03b_mfcc_hpss_tempo.ipynb`` (its tempo part). Students write each of these steps
in a few lines of numpy in the notebook; the functions here are the reference the exercise
checks and the tests use, written the same way (Müller, *Fundamentals of Music Processing*,
chapter 6):

* :func:`spectral_flux`: log compression of the magnitude spectrogram, the half-wave rectified
  difference between neighbouring frames, summed over frequency, minus its local average;
* :func:`pick_peaks`: the frames where the novelty is the largest of its neighbourhood and
  above a threshold, the onsets; :func:`match_onsets` scores them against other onsets
  (precision, recall, F-measure within a tolerance window, as MIREX does);
* :func:`novelty_autocorrelation`: how much the novelty curve resembles itself shifted by one
  beat period, for every period of a tempo range, and :func:`tempo_prior`, librosa's
  preference for tempi near 120 BPM. Their product's highest peak is the tempo estimate.

The plots are in :mod:`musicviz.plot.novelty`.
"""

from __future__ import annotations

import numpy as np

from musicviz._checks import positive_float, positive_int
from musicviz._checks import signal as _signal
from musicviz.errors import ParameterError

__all__ = ["spectral_flux", "pick_peaks", "match_onsets", "novelty_autocorrelation", "tempo_prior"]


def _curve(values, name) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size < 2 or not np.all(np.isfinite(arr)):
        raise ParameterError(f"{name} must be a 1-D array of at least 2 finite numbers, got shape {arr.shape}")
    return arr


def spectral_flux(y, *, sr: int, n_fft: int = 2048, hop_length: int = 512, gamma: float = 100.0,
                  average_seconds: float | None = 0.5) -> dict:
    """Spectral-flux novelty curve: how much the (log-compressed) spectrum rises, frame by frame.

    .. math:: Y(k, m) = \\log(1 + \\gamma |X(k, m)|), \\qquad
              \\Delta(m) = \\sum_k \\max\\bigl(0,\\, Y(k, m) - Y(k, m - 1)\\bigr)

    then :math:`\\Delta` minus its moving average over ``average_seconds`` (negative values
    set to 0), so that a loud passage does not lift every frame. The log compression makes a
    soft hi-hat count next to a loud bass note; the half-wave rectification keeps the
    *onsets* (energy arriving) and ignores the decays. A centred frame sees an onset half a
    window (``n_fft // 2`` samples) before it happens, so the curve is delayed by
    ``n_fft // (2 * hop_length)`` frames, as librosa's ``onset_strength`` does: its peaks sit
    on the onsets.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono samples.
    sr : int > 0
        Sample rate in Hz.
    n_fft, hop_length : int > 0
        STFT frame length and hop in samples (frames centred, librosa's default padding).
    gamma : float > 0
        Log compression: larger values compress more.
    average_seconds : float > 0 or None
        Length of the moving average subtracted (None: none subtracted).

    Returns
    -------
    dict
        ``"novelty"`` (the curve, one value per STFT frame), ``"flux"`` (before the local
        average was subtracted), ``"local_average"`` and ``"times"`` (frame times in seconds).

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.novelty import spectral_flux
    >>> sr = 22050
    >>> y = np.zeros(2 * sr)
    >>> y[sr:sr + 500] = np.random.default_rng(0).normal(size=500)  # one hit at 1 s
    >>> out = spectral_flux(y, sr=sr)
    >>> peak = float(out["times"][np.argmax(out["novelty"])])
    >>> abs(peak - 1.0) < 0.03  # within a frame (23 ms) of the hit
    True
    """
    import librosa
    from scipy.ndimage import uniform_filter1d

    y = _signal(y, sr=sr, min_samples=2)
    n_fft, hop_length = positive_int(n_fft, "n_fft"), positive_int(hop_length, "hop_length")
    gamma = positive_float(gamma, "gamma")
    X = np.abs(librosa.stft(y=np.asarray(y, dtype=float), n_fft=n_fft, hop_length=hop_length))
    Y = np.log1p(gamma * X)
    rise = np.maximum(0.0, np.diff(Y, axis=1)).sum(axis=0)
    delay = 1 + n_fft // (2 * hop_length)  # the difference is one frame late, the window half a window early
    flux = np.concatenate([np.zeros(delay), rise])[: X.shape[1]]
    if average_seconds is None:
        local = np.zeros_like(flux)
    else:
        half = int(round(positive_float(average_seconds, "average_seconds") * sr / hop_length / 2))
        local = uniform_filter1d(flux, size=2 * half + 1, mode="nearest")
    times = librosa.frames_to_time(frames=np.arange(flux.size), sr=sr, hop_length=hop_length)
    return {"novelty": np.maximum(0.0, flux - local), "flux": flux, "local_average": local, "times": times}


def pick_peaks(novelty, *, width: int = 3, threshold: float = 0.1) -> np.ndarray:
    """The peaks of a novelty curve: frames that are the largest within ``width`` frames each side.

    A peak must also rise above ``threshold`` times the curve's maximum, so that the small
    wiggles between onsets do not count. The onsets are at these frames.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    novelty : np.ndarray [shape=(t,)]
        A novelty curve (:func:`spectral_flux`).
    width : int > 0
        Neighbourhood each side, in frames (3 frames of 512 samples: 70 ms at 22050 Hz).
    threshold : float in [0, 1)
        Smallest peak, as a fraction of the curve's maximum.

    Returns
    -------
    np.ndarray [shape=(n_peaks,), dtype=int]
        Frame indices, increasing.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.novelty import pick_peaks
    >>> pick_peaks(np.array([0, 1, 0, 0, 0, 0, 0, 0, 5, 2, 0, 0.2, 0, 0]), width=2)
    array([1, 8])
    """
    from scipy.ndimage import maximum_filter1d

    x = _curve(novelty, "novelty")
    width = positive_int(width, "width")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.floating)) or not 0 <= threshold < 1:
        raise ParameterError(f"threshold must be a fraction of the maximum in [0, 1), got {threshold!r}")
    is_max = x == maximum_filter1d(x, size=2 * width + 1, mode="nearest")
    return np.flatnonzero(is_max & (x > threshold * x.max()))


def match_onsets(estimated, reference, *, window: float = 0.05) -> dict:
    """Precision, recall and F-measure of onset times against reference times.

    Each reference onset is matched with at most one estimated onset within ``window``
    seconds (closest pairs first), as MIREX scores onset detection (50 ms).

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    estimated, reference : array-like of float
        Onset times in seconds.
    window : float > 0
        Tolerance in seconds.

    Returns
    -------
    dict
        ``"precision"`` (share of the estimates that match), ``"recall"`` (share of the
        reference that is found), ``"f_measure"`` (their harmonic mean) and ``"matched"``.

    Examples
    --------
    >>> from musicviz.novelty import match_onsets
    >>> match_onsets([0.50, 1.02, 1.70], [0.5, 1.0, 1.5, 2.0])
    {'precision': 0.667, 'recall': 0.5, 'f_measure': 0.571, 'matched': 2}
    """
    est = np.sort(np.asarray(estimated, dtype=float).ravel())
    ref = np.sort(np.asarray(reference, dtype=float).ravel())
    if not (np.all(np.isfinite(est)) and np.all(np.isfinite(ref))):
        raise ParameterError("onset times must be finite numbers of seconds")
    window = positive_float(window, "window")
    gaps = np.abs(est[:, None] - ref[None, :])
    i, j = np.nonzero(gaps <= window)
    used_e, used_r, matched = set(), set(), 0
    for k in np.argsort(gaps[i, j], kind="stable"):
        if i[k] not in used_e and j[k] not in used_r:
            used_e.add(i[k])
            used_r.add(j[k])
            matched += 1
    precision = matched / est.size if est.size else 0.0
    recall = matched / ref.size if ref.size else 0.0
    f = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f_measure": round(f, 3), "matched": matched}


def novelty_autocorrelation(novelty, *, sr: int, hop_length: int = 512, min_bpm: float = 30.0, max_bpm: float = 320.0):
    """Autocorrelation of a novelty curve at every lag of a tempo range, and those tempi.

    .. math:: A(\\ell) = \\frac{\\sum_m x(m)\\, x(m + \\ell)}{\\sum_m x(m)^2}, \\qquad
              x = \\Delta - \\overline{\\Delta}

    A rhythm that repeats every :math:`\\ell` frames gives a peak at lag :math:`\\ell`, i.e.
    at the tempo :math:`60\\, f_s / (H \\ell)` BPM. It also repeats every :math:`2\\ell`,
    :math:`3\\ell`, ... frames: the same curve has peaks at half, a third ... of the tempo,
    and, when the pattern has figures in three, at 2/3 or 3/2 of it.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    novelty : np.ndarray [shape=(t,)]
        A novelty curve (:func:`spectral_flux`, or ``librosa.onset.onset_strength``).
    sr : int > 0
        Sample rate in Hz of the audio.
    hop_length : int > 0
        Hop of the novelty curve in samples.
    min_bpm, max_bpm : float > 0
        The tempo range (the lags from ``60 sr / (hop max_bpm)`` to ``60 sr / (hop min_bpm)``).

    Returns
    -------
    acf : np.ndarray
        Normalized autocorrelation (1 at lag 0) at each lag of the range.
    tempi : np.ndarray
        The tempo of each lag in BPM (decreasing: lags increase).

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.novelty import novelty_autocorrelation
    >>> x = np.zeros(2000)
    >>> x[::20] = 1.0  # one onset every 20 frames: 129 BPM at 22050 Hz, hop 512
    >>> acf, tempi = novelty_autocorrelation(x, sr=22050)
    >>> round(float(tempi[np.argmax(acf)]))
    129
    """
    x = _curve(novelty, "novelty")
    hop_length = positive_int(hop_length, "hop_length")
    frame_rate = positive_float(sr, "sr") / hop_length
    min_bpm, max_bpm = positive_float(min_bpm, "min_bpm"), positive_float(max_bpm, "max_bpm")
    if min_bpm >= max_bpm:
        raise ParameterError(f"min_bpm must be below max_bpm, got {min_bpm:g} and {max_bpm:g}")
    first = max(1, int(np.ceil(60.0 * frame_rate / max_bpm)))
    last = int(np.floor(60.0 * frame_rate / min_bpm))
    if last >= x.size:
        raise ParameterError(
            f"novelty holds {x.size} frames ({x.size / frame_rate:.1f} s): too short for a tempo of {min_bpm:g} BPM"
        )
    x = x - x.mean()
    energy = float(np.dot(x, x))
    if energy == 0.0:
        raise ParameterError("novelty is constant: there is no rhythm to correlate")
    full = np.correlate(x, x, mode="full")[x.size - 1:] / energy
    lags = np.arange(first, last + 1)
    return full[lags], 60.0 * frame_rate / lags


def tempo_prior(tempi, *, start_bpm: float = 120.0, std_octaves: float = 1.0) -> np.ndarray:
    """librosa's tempo prior: a bell curve over octaves, 1 at ``start_bpm``.

    .. math:: w(T) = \\exp\\Bigl(-\\tfrac12 \\bigl(\\log_2(T / T_0) / \\sigma\\bigr)^2\\Bigr)

    ``librosa.feature.tempo`` adds its logarithm to the (log-compressed) tempogram before it
    picks the highest peak (``start_bpm=120``, ``std_bpm=1``): of two equally strong peaks an
    octave apart, the one nearer 120 BPM wins.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Examples
    --------
    >>> from musicviz.novelty import tempo_prior
    >>> [round(float(w), 2) for w in tempo_prior([60.0, 120.0, 240.0])]
    [0.61, 1.0, 0.61]
    """
    t = np.asarray(tempi, dtype=float)
    if t.size == 0 or not np.all(np.isfinite(t)) or np.any(t <= 0):
        raise ParameterError("tempi must be finite tempi > 0 BPM")
    start_bpm = positive_float(start_bpm, "start_bpm")
    std_octaves = positive_float(std_octaves, "std_octaves")
    return np.exp(-0.5 * (np.log2(t / start_bpm) / std_octaves) ** 2)
