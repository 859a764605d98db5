"""What the feature table is made of: MFCC, harmonic/percussive separation, tempo, contrast.

Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

Forty of the table's 57 Kaggle columns are MFCCs (``mfcc1_mean`` ... ``mfcc20_var``); four
are the harmonic and percussive parts of the signal (``harmony_*``, ``perceptr_*``), one is
the tempo, and sixteen more hold spectral contrast. This module takes each of them apart:

* :func:`mfcc_steps` computes MFCCs the long way (mel spectrogram -> log -> DCT-II along
  frequency) and returns every step; :func:`reconstruct_log_mel` and
  :func:`reconstruction_error` undo the DCT from the first ``k`` coefficients;
  :func:`mfcc_audio` turns coefficients back into (rough) sound;
* :func:`genre_means` and :func:`genre_f_statistic` say which columns separate genres;
* :func:`harmonic_percussive` splits a clip into its sustained and its percussive part
  (:mod:`musicviz.hpss` does it step by step: the two median filters and the mask);
* :func:`beat_clicks` tracks the beats and mixes a click on each into the music;
  :func:`tempo_errors` and :func:`tempo_accuracy` compare tempo estimates with the truth,
  naming octave (x2, x1/2) and other metrical (x3/2, x2/3) errors (these three live in
  :mod:`musicviz.tempo` and are re-exported here);
* :func:`spectral_contrast` and :func:`contrast_band_labels` give peak-minus-valley levels
  per octave band.

The onsets and the tempo estimate by hand (a spectral-flux novelty curve, its peaks and its
autocorrelation) are in :mod:`musicviz.novelty`.

Like the rest of musicviz, computations return their axis coordinates (seconds, Hz) so the
plots in :mod:`musicviz.plot.mfcc_hpss_tempo` are labelled in physical units.
"""

from __future__ import annotations

import numpy as np

from musicviz._checks import positive_float, positive_int
from musicviz._checks import signal as _signal
from musicviz.errors import FeatureError, ParameterError

# The tempo part of the notebook lives in musicviz.tempo; notebook 03b reaches it from here too.
from musicviz.tempo import TEMPO_FACTORS, beat_clicks, tempo_accuracy, tempo_errors  # noqa: F401

__all__ = [
    "PAD_MODE",
    "TEMPO_FACTORS",
    "mfcc_steps",
    "reconstruct_log_mel",
    "reconstruction_error",
    "mfcc_audio",
    "genre_means",
    "genre_f_statistic",
    "harmonic_percussive",
    "beat_clicks",
    "tempo_errors",
    "tempo_accuracy",
    "spectral_contrast",
    "contrast_band_labels",
]

#: How frames are centred: reflect padding, as the feature table (``musicviz.features.PAD_MODE``).
PAD_MODE = "reflect"

_CONTRAST_FMIN = 200.0


def _frames(n_fft, hop_length):
    return positive_int(n_fft, "n_fft"), positive_int(hop_length, "hop_length")


def mfcc_steps(y, *, sr: int, n_mfcc: int = 20, n_mels: int = 128, n_fft: int = 2048, hop_length: int = 512) -> dict:
    """MFCCs the long way: mel spectrogram, then log (dB), then a DCT-II along frequency.

    .. math:: c_k(m) = \\sqrt{\\tfrac{2 - \\delta_{k0}}{B}} \\sum_{b=0}^{B-1} L(b, m)
              \\cos\\frac{\\pi k (2b + 1)}{2B}, \\qquad k = 0, \\dots, K - 1

    where :math:`L(b, m)` is the log-mel level of band :math:`b` in frame :math:`m` and
    :math:`B` the number of mel bands. Row ``k`` of the result is the table's
    ``mfcc{k+1}``: its mean and variance over the frames are ``mfcc{k+1}_mean`` and
    ``mfcc{k+1}_var``. The result equals ``librosa.feature.mfcc`` with the same settings.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono samples.
    sr : int > 0
        Sample rate in Hz.
    n_mfcc : int, 1 <= n_mfcc <= n_mels
        How many DCT coefficients to keep (the table keeps 20).
    n_mels : int > 0
        Number of mel bands.
    n_fft, hop_length : int > 0
        STFT frame length and hop in samples (frames centred with reflect padding).

    Returns
    -------
    dict
        ``"mel"`` (power, shape ``(n_mels, t)``), ``"log_mel"`` (dB, ``power_to_db`` with
        librosa's defaults: ref 1, floor 80 dB below the peak), ``"dct"`` (all ``n_mels``
        DCT coefficients), ``"mfcc"`` (the first ``n_mfcc`` of them), ``"times"`` (frame
        centres in seconds) and ``"mel_freqs"`` (band centres in Hz).

    Examples
    --------
    >>> import numpy as np, librosa
    >>> from musicviz.mfcc_hpss_tempo import mfcc_steps
    >>> y = np.random.default_rng(0).normal(scale=0.1, size=22050)
    >>> steps = mfcc_steps(y, sr=22050)
    >>> steps["mfcc"].shape == (20, len(steps["times"]))
    True
    >>> ref = librosa.feature.mfcc(y=y, sr=22050, n_mfcc=20, pad_mode="reflect")
    >>> bool(np.allclose(steps["mfcc"], ref, atol=1e-3))
    True
    """
    import librosa
    import scipy.fft

    n_fft, hop_length = _frames(n_fft, hop_length)
    n_mels = positive_int(n_mels, "n_mels")
    n_mfcc = positive_int(n_mfcc, "n_mfcc")
    if n_mfcc > n_mels:
        raise ParameterError(f"n_mfcc must be at most n_mels = {n_mels} (one coefficient per band), got {n_mfcc}")
    y = _signal(y, sr=sr, min_samples=2)
    mel = librosa.feature.melspectrogram(
        y=y, sr=sr, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels, pad_mode=PAD_MODE
    )
    log_mel = librosa.power_to_db(S=mel)
    dct = scipy.fft.dct(log_mel, axis=-2, type=2, norm="ortho")
    times = librosa.frames_to_time(frames=np.arange(mel.shape[-1]), sr=sr, hop_length=hop_length)
    mel_freqs = librosa.mel_frequencies(n_mels=n_mels + 2, fmax=sr / 2.0)[1:-1]
    return {"mel": mel, "log_mel": log_mel, "dct": dct, "mfcc": dct[:n_mfcc], "times": times, "mel_freqs": mel_freqs}


def _coefficients(mfcc, name="mfcc") -> np.ndarray:
    arr = np.asarray(mfcc, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.size == 0:
        raise ParameterError(f"{name} must be a non-empty array of shape (n_mfcc, t) or (n_mfcc,), got shape {np.shape(mfcc)}")
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"{name} contains NaN or infinite values")
    return arr


def reconstruct_log_mel(mfcc, *, n_mels: int, n_coeffs: int | None = None) -> np.ndarray:
    """The log-mel spectrogram back from its first ``n_coeffs`` MFCCs (inverse DCT-II).

    Coefficients beyond ``n_coeffs`` are set to zero, so the result is the smooth
    **envelope** of the log-mel spectrum that those coefficients describe: a few
    coefficients keep its overall tilt and broad bumps (formants, the body of an
    instrument), more of them bring back finer detail such as single harmonics.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    mfcc : np.ndarray [shape=(K, t) or (K,)]
        DCT coefficients, e.g. ``mfcc_steps(...)["dct"]`` or ``["mfcc"]``.
    n_mels : int > 0
        Number of mel bands to reconstruct (the ``n_mels`` of the forward transform).
    n_coeffs : int or None
        Keep the first ``n_coeffs`` rows of ``mfcc`` (default: all), at most ``min(K, n_mels)``.

    Returns
    -------
    np.ndarray [shape=(n_mels, t)]
        Log-mel levels in dB (a 1-D ``mfcc`` gives ``t = 1``).

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.mfcc_hpss_tempo import mfcc_steps, reconstruct_log_mel
    >>> y = np.random.default_rng(0).normal(scale=0.1, size=22050)
    >>> steps = mfcc_steps(y, sr=22050, n_mels=40)
    >>> full = reconstruct_log_mel(steps["dct"], n_mels=40)
    >>> bool(np.allclose(full, steps["log_mel"], atol=1e-3))
    True
    """
    import scipy.fft

    C = _coefficients(mfcc)
    n_mels = positive_int(n_mels, "n_mels")
    k = C.shape[0] if n_coeffs is None else positive_int(n_coeffs, "n_coeffs")
    if k > min(C.shape[0], n_mels):
        raise ParameterError(
            f"n_coeffs must be at most {min(C.shape[0], n_mels)} (the rows of mfcc and n_mels), got {k}"
        )
    full = np.zeros((n_mels, C.shape[1]))
    full[:k] = C[:k]
    return scipy.fft.idct(full, axis=0, type=2, norm="ortho")


def reconstruction_error(log_mel, *, n_coeffs):
    """RMS error (dB) of the log-mel spectrogram rebuilt from its first ``k`` MFCCs, per ``k``.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    log_mel : np.ndarray [shape=(n_mels, t)]
        Log-mel levels in dB (``mfcc_steps(...)["log_mel"]``).
    n_coeffs : int or sequence of int
        The numbers of coefficients to try (each from 1 to ``n_mels``).

    Returns
    -------
    pandas.Series
        RMS difference in dB over every band and frame, indexed by the number of coefficients.
        It never grows with more coefficients and is 0 with all ``n_mels``.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.mfcc_hpss_tempo import mfcc_steps, reconstruction_error
    >>> y = np.random.default_rng(0).normal(scale=0.1, size=22050)
    >>> err = reconstruction_error(mfcc_steps(y, sr=22050)["log_mel"], n_coeffs=[5, 20, 128])
    >>> bool(err[5] >= err[20] >= err[128]), round(float(err[128]), 6)
    (True, 0.0)
    """
    import pandas as pd
    import scipy.fft

    from musicviz._checks import check_matrix

    L = check_matrix(log_mel, name="log_mel")
    ks = [n_coeffs] if np.ndim(n_coeffs) == 0 else list(n_coeffs)
    if not ks:
        raise ParameterError("n_coeffs is empty: give at least one number of coefficients")
    ks = [positive_int(k, "n_coeffs") for k in ks]
    if max(ks) > L.shape[0]:
        raise ParameterError(f"n_coeffs must be at most n_mels = {L.shape[0]} (the rows of log_mel), got {max(ks)}")
    dct = scipy.fft.dct(L, axis=0, type=2, norm="ortho")
    errors = {k: float(np.sqrt(np.mean((reconstruct_log_mel(dct, n_mels=L.shape[0], n_coeffs=k) - L) ** 2))) for k in ks}
    return pd.Series(errors, name="RMS error (dB)").rename_axis("coefficients")


def mfcc_audio(mfcc, *, sr: int, n_mels: int = 128, n_fft: int = 2048, hop_length: int = 512, n_iter: int = 32, seed: int = 0) -> np.ndarray:
    """Sound back from MFCCs: what ``librosa.feature.inverse.mfcc_to_audio`` does, seeded.

    The same three steps as librosa's ``mfcc_to_audio``: the inverse DCT gives a log-mel
    envelope (``mfcc_to_mel``), the mel filters are inverted by non-negative least squares
    (``mel_to_stft``), and the missing phase is guessed by Griffin-Lim (``griffinlim``).
    ``mfcc_to_audio`` starts Griffin-Lim from an unseeded random phase (it passes no
    ``random_state``), so two calls give different samples; here the start is seeded, so the
    same call gives the same sound (a notebook's stored players stay the same). Few
    coefficients keep the envelope (which instruments, the vowel of a voice) and lose the
    pitch: the result sounds like whispered, buzzing noise.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    mfcc : np.ndarray [shape=(K, t)]
        MFCCs of a clip (``mfcc_steps(...)["mfcc"]`` or its first rows).
    sr : int > 0
        Sample rate in Hz.
    n_mels, n_fft, hop_length : int > 0
        The settings of the forward transform.
    n_iter : int > 0
        Griffin-Lim iterations.
    seed : int
        Seed of Griffin-Lim's random initial phase.

    Returns
    -------
    np.ndarray [shape=(n,)]
        Samples, peak-normalized to 0.9 (silent input stays silent).

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.mfcc_hpss_tempo import mfcc_steps, mfcc_audio
    >>> y = np.random.default_rng(0).normal(scale=0.1, size=22050)
    >>> steps = mfcc_steps(y, sr=22050)
    >>> audio = mfcc_audio(steps["mfcc"][:13], sr=22050, n_iter=4)
    >>> audio.ndim, bool(abs(audio.size - y.size) <= 512)
    (1, True)
    >>> bool(np.array_equal(audio, mfcc_audio(steps["mfcc"][:13], sr=22050, n_iter=4)))
    True
    """
    import librosa

    C = _coefficients(mfcc)
    if C.shape[1] < 2:
        raise ParameterError(f"mfcc must hold at least 2 frames (shape (n_mfcc, t)), got shape {C.shape}")
    positive_float(sr, "sr")
    n_fft, hop_length = _frames(n_fft, hop_length)
    n_mels = positive_int(n_mels, "n_mels")
    n_iter = positive_int(n_iter, "n_iter")
    if C.shape[0] > n_mels:
        raise ParameterError(f"mfcc has {C.shape[0]} coefficients, more than n_mels = {n_mels}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ParameterError(f"seed must be an integer, got {seed!r}")
    mel = librosa.feature.inverse.mfcc_to_mel(mfcc=C, n_mels=n_mels)
    stft = librosa.feature.inverse.mel_to_stft(M=mel, sr=sr, n_fft=n_fft, power=2.0)
    audio = librosa.griffinlim(
        S=stft, n_iter=n_iter, hop_length=hop_length, n_fft=n_fft, pad_mode=PAD_MODE,
        random_state=np.random.default_rng(int(seed)),
    )
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    return audio * (0.9 / peak) if peak > 0 else audio


def _check_table(table, columns, label_column):
    if not hasattr(table, "columns"):
        raise ParameterError(f"table must be a pandas DataFrame, got {type(table).__name__}")
    columns = [columns] if isinstance(columns, str) else list(columns)
    if not columns:
        raise ParameterError("columns is empty: name at least one feature column")
    missing = [c for c in [*columns, label_column] if c not in table.columns]
    if missing:
        raise FeatureError(f"the table has no column {missing[0]!r} (columns asked for: {columns}, labels: {label_column!r})")
    return columns


def genre_means(table, *, columns, label_column: str = "label", standardize: bool = True):
    """Per-genre mean of each column, in standard deviations of the whole table by default.

    Standardizing first (``z = (x - mean) / std`` over all clips) puts every column on one
    scale, so a heatmap shows which genres sit far above (+) or below (-) the average.
    A column with no spread gives 0 everywhere.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    table : pandas.DataFrame
        A feature table (``mv.features.course_feature_table()``).
    columns : sequence of str
        Feature columns, e.g. ``[f"mfcc{k}_mean" for k in range(1, 21)]``.
    label_column : str
        The genre column.
    standardize : bool
        z-score each column over all rows before averaging.

    Returns
    -------
    pandas.DataFrame
        One row per genre (GTZAN's order first), one column per feature.

    Examples
    --------
    >>> import pandas as pd
    >>> from musicviz.mfcc_hpss_tempo import genre_means
    >>> t = pd.DataFrame({"label": ["rock", "rock", "jazz", "jazz"], "x": [3.0, 5.0, 0.0, 0.0]})
    >>> genre_means(t, columns=["x"]).round(2)["x"].to_dict()
    {'jazz': -0.94, 'rock': 0.94}
    """
    from musicviz import GENRES

    columns = _check_table(table, columns, label_column)
    values = table[columns].astype(float)
    if standardize:
        std = values.std(ddof=0).replace(0.0, np.nan)
        values = ((values - values.mean()) / std).fillna(0.0)
    means = values.groupby(table[label_column].astype(str)).mean()
    order = [g for g in GENRES if g in means.index] + sorted(g for g in means.index if g not in GENRES)
    return means.loc[order]


def genre_f_statistic(table, *, columns, label_column: str = "label"):
    """One-way ANOVA F-statistic of each column across genres (``sklearn`` ``f_classif``).

    F is the variance *between* the genre means divided by the variance *within* the genres:
    large F, the column separates genres; F near 1, the genres differ no more than clips of
    one genre do.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    table : pandas.DataFrame
        A feature table with a genre column.
    columns : sequence of str
        Feature columns.
    label_column : str
        The genre column.

    Returns
    -------
    pandas.DataFrame
        Columns ``F`` and ``p`` (p-value), one row per feature, in the order given.

    Raises
    ------
    FeatureError
        Fewer than 2 genres, or no genre with 2 clips (no within-genre spread to compare).

    Examples
    --------
    >>> import pandas as pd
    >>> from musicviz.mfcc_hpss_tempo import genre_f_statistic
    >>> t = pd.DataFrame({"label": ["rock"] * 3 + ["jazz"] * 3, "x": [5.0, 5.1, 4.9, 1.0, 1.1, 0.9], "z": [1.0, 2, 3, 1, 2, 3]})
    >>> res = genre_f_statistic(t, columns=["x", "z"])
    >>> bool(res.loc["x", "F"] > 100), float(res.loc["z", "F"])
    (True, 0.0)
    """
    import pandas as pd
    from sklearn.feature_selection import f_classif

    columns = _check_table(table, columns, label_column)
    labels = table[label_column].astype(str)
    counts = labels.value_counts()
    if len(counts) < 2 or len(labels) <= len(counts):
        raise FeatureError(
            f"an F-statistic needs at least 2 genres and more clips than genres, got {len(labels)} clips "
            f"of {len(counts)} genres"
        )
    X = table[columns].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # constant columns: F is nan, reported as such
            F, p = f_classif(X, labels.to_numpy())
    return pd.DataFrame({"F": F, "p": p}, index=pd.Index(columns, name="column"))


def harmonic_percussive(y, *, kernel_size: int = 31, margin: float = 1.0):
    """Split a signal into its harmonic and its percussive part (``librosa.effects.hpss``).

    On a spectrogram, sustained notes are **horizontal** lines (one frequency, many frames)
    and drum hits **vertical** ones (many frequencies, one frame). A median filter along time
    keeps the first, one along frequency the second; each STFT bin goes (softly) to the part
    whose filter kept more of it, and both parts are turned back into waveforms. They add up
    to the signal (with ``margin=1``). The feature table's ``harmony_mean``/``_var`` and
    ``perceptr_mean``/``_var`` are the mean and variance of these two waveforms' samples.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono samples.
    kernel_size : int > 0
        Median filter length in frames and bins (the table uses 31).
    margin : float >= 1
        Separation margin: above 1, bins that belong clearly to neither part go to neither.

    Returns
    -------
    harmonic, percussive : np.ndarray [shape=(n,)]

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.mfcc_hpss_tempo import harmonic_percussive
    >>> sr = 22050
    >>> y = 0.3 * np.sin(2 * np.pi * 440 * np.arange(sr) / sr)
    >>> h, p = harmonic_percussive(y)
    >>> bool(np.sum(h**2) > 10 * np.sum(p**2))
    True
    """
    import librosa

    from musicviz._checks import check_signal

    y = check_signal(y, min_samples=2)
    kernel_size = positive_int(kernel_size, "kernel_size")
    if isinstance(margin, bool) or not isinstance(margin, (int, float, np.floating)) or not margin >= 1.0 or not np.isfinite(margin):
        raise ParameterError(f"margin must be a finite number >= 1, got {margin!r}")
    harmonic, percussive = librosa.effects.hpss(y=np.asarray(y, dtype=float), kernel_size=kernel_size, margin=float(margin))
    return harmonic, percussive


def contrast_band_labels(*, sr: int, n_bands: int = 6, fmin: float = _CONTRAST_FMIN) -> list[str]:
    """Names of librosa's spectral-contrast bands in Hz: ``n_bands`` octaves from ``fmin``, + the rest.

    Band 1 is everything below ``fmin``, bands 2 ... ``n_bands`` are octaves, the last one
    runs from ``fmin * 2**(n_bands - 1)`` to ``sr / 2``: ``n_bands + 1`` bands in all, the
    rows of :func:`spectral_contrast` and the table's ``spectral_contrast1`` ... ``7``.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Examples
    --------
    >>> from musicviz.mfcc_hpss_tempo import contrast_band_labels
    >>> contrast_band_labels(sr=22050)
    ['0-200 Hz', '200-400 Hz', '400-800 Hz', '800-1600 Hz', '1.6-3.2 kHz', '3.2-6.4 kHz', '6.4-11 kHz']
    """
    positive_float(sr, "sr")
    n_bands = positive_int(n_bands, "n_bands")
    fmin = positive_float(fmin, "fmin")
    edges = [0.0, *(fmin * 2.0 ** np.arange(n_bands)), sr / 2.0]
    if edges[-2] >= sr / 2.0:
        raise ParameterError(f"{n_bands} octave bands from {fmin:g} Hz do not fit below sr / 2 = {sr / 2:g} Hz")

    def fmt(lo, hi):
        return f"{lo:.0f}-{hi:.0f} Hz" if lo < 1000 else f"{lo / 1000:.2g}-{hi / 1000:.2g} kHz"

    return [fmt(lo, hi) for lo, hi in zip(edges[:-1], edges[1:])]


def spectral_contrast(y, *, sr: int, n_bands: int = 6, n_fft: int = 2048, hop_length: int = 512):
    """Spectral contrast (``librosa.feature.spectral_contrast``), its times and band names.

    In each octave band, the level of the spectral **peaks** (the strongest 2 % of the bins,
    on average) minus that of the **valleys** (the weakest 2 %), in dB. Clear tones stand
    high above the floor between them: high contrast. Noise fills the band evenly: low contrast.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono samples.
    sr : int > 0
        Sample rate in Hz.
    n_bands : int > 0
        Octave bands from 200 Hz (plus the one below 200 Hz; the top one reaches ``sr / 2``).
    n_fft, hop_length : int > 0
        STFT frame length and hop (frames centred with reflect padding, as the table).

    Returns
    -------
    contrast : np.ndarray [shape=(n_bands + 1, t)]
        Contrast in dB, band by band (low to high).
    times : np.ndarray [shape=(t,)]
        Frame centres in seconds.
    bands : list of str
        :func:`contrast_band_labels`, the name of each row.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.mfcc_hpss_tempo import spectral_contrast
    >>> sr = 22050
    >>> t = np.arange(sr) / sr
    >>> tone = 0.5 * np.sin(2 * np.pi * 1000 * t)
    >>> noise = 0.1 * np.random.default_rng(0).normal(size=sr)
    >>> c_tone = spectral_contrast(tone, sr=sr)[0][3].mean()  # the 800-1600 Hz band
    >>> c_noise = spectral_contrast(noise, sr=sr)[0][3].mean()
    >>> bool(c_tone > c_noise + 10)
    True
    """
    import librosa

    n_fft, hop_length = _frames(n_fft, hop_length)
    bands = contrast_band_labels(sr=sr, n_bands=n_bands)
    y = _signal(y, sr=sr, min_samples=2)
    contrast = librosa.feature.spectral_contrast(
        y=y, sr=sr, n_fft=n_fft, hop_length=hop_length, n_bands=int(n_bands), fmin=_CONTRAST_FMIN, pad_mode=PAD_MODE
    )
    times = librosa.frames_to_time(frames=np.arange(contrast.shape[-1]), sr=sr, hop_length=hop_length)
    return contrast, times, bands
