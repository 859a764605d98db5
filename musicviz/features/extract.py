"""Every feature of one clip, from one STFT: the exact fast median filter, HPSS and the rest.

Notebook: ``04_features_and_standardization.ipynb``.

How it is fast and still librosa's numbers
------------------------------------------
:func:`extract_clip_features` computes librosa's STFT once (float64 FFT rounded to complex64,
as librosa does: a float32 FFT would be faster but not the same numbers) and feeds its
magnitude and power to every feature. Where librosa makes several numpy passes over the
spectrogram, a compiled kernel (:mod:`musicviz.features._kernels`) makes one with the same
arithmetic in the same float types:

* HPSS: :func:`median_filter_along` (exact sliding median, ~2x scipy's) and one fused pass
  for librosa's ``magphase`` + soft masks + masking; the two inverse STFTs share one
  inverse FFT call and one overlap-add pass (librosa's order of sums);
* chroma: the tuning estimate keeps only piptrack's peaks (librosa computes the parabolic
  interpolation of every bin, then keeps ~1 %); the filter banks (chroma, mel) and the
  windows are cached per sample rate and FFT size;
* spectral centroid, bandwidth and rolloff in one pass, spectral contrast without the full
  sort (only the q extremes of each band are needed), zero crossings by prefix sums.

Everything else (RMS, mel spectrogram, onset strength, tempo, MFCC) is librosa's own call.
``musicviz bench features`` (``make bench``) times it against the naive way.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from musicviz._checks import check_signal
from musicviz.errors import FeatureError, ParameterError
from musicviz.features.columns import (
    FEATURES,
    HPSS_KERNEL,
    KAGGLE_FEATURES,
    N_CONTRAST_BANDS,
    N_MFCC,
    PAD_MODE,
)
from musicviz.spectrograms import HOP_LENGTH, N_FFT

__all__ = ["extract_clip_features", "median_filter_along", "hpss"]

#: librosa's defaults that the Kaggle table used (piptrack, rolloff, contrast, zero crossings).
_PIPTRACK_FMIN, _PIPTRACK_FMAX = 150.0, 4000.0
_ROLL_PERCENT = 0.85
_CONTRAST_FMIN, _CONTRAST_QUANTILE = 200.0, 0.02
_ZC_THRESHOLD = 1e-10


# --------------------------------------------------------------------------- median filter
def _median_filter_scipy(x, *, size: int, axis: int) -> np.ndarray:
    """The reference: rows laid end to end with mirrored edges, one scipy 1-D filter."""
    from scipy import ndimage

    moved = np.moveaxis(x, axis, -1)
    half_left, half_right = size // 2, (size - 1) // 2
    # ndimage's "reflect" is numpy's "symmetric" (d c b a | a b c d | d c b a).
    padded = np.pad(moved, [(0, 0)] * (moved.ndim - 1) + [(half_left, half_right)], mode="symmetric")
    flat = ndimage.median_filter(padded.reshape(-1), size=size, mode="nearest")
    n = moved.shape[-1]
    out = flat.reshape(padded.shape)[..., half_left : half_left + n]
    return np.ascontiguousarray(np.moveaxis(out, -1, axis))


_KEY_TYPES = {
    np.dtype(np.float32): (np.int32, 0x7FFFFFFF, 31, 0x7F800000),
    np.dtype(np.float64): (np.int64, 0x7FFFFFFFFFFFFFFF, 63, 0x7FF0000000000000),
}


def _median_rows(rows: np.ndarray, size: int, out: np.ndarray) -> bool:
    """The compiled sliding median of each row of ``rows`` into ``out`` (False: NaN/-0.0 met)."""
    from musicviz.features import _kernels

    itype, flip, shift, inf_bits = _KEY_TYPES[rows.dtype]
    lowest = np.iinfo(itype).min
    return bool(
        _kernels.median_lines(
            rows.view(itype), size, out.view(itype), itype(flip), itype(lowest), itype(shift), itype(inf_bits)
        )
    )


def median_filter_along(x, *, size: int, axis: int = -1) -> np.ndarray:
    """Median of every run of ``size`` values along one axis: exact, and fast.

    Gives the same numbers, bit for bit, as ``scipy.ndimage.median_filter(x, size=...,
    mode="reflect")`` with a footprint that is 1 along every other axis (what HPSS uses).
    Float arrays go through a compiled sliding median (the window's median moves by at most
    one rank per step; about 2x scipy's 1-D filter and 10x its 2-D one); other dtypes, and
    arrays holding NaN or -0.0 (where "the" median depends on the algorithm), take scipy's
    1-D filter over the rows laid end to end, each with its own mirrored edges.

    Parameters
    ----------
    x : np.ndarray [shape=(..., n)]
        Real values.
    size : int > 0
        Window length (odd, centred).
    axis : int
        Axis to filter along.

    Returns
    -------
    np.ndarray
        Same shape and dtype as ``x``.

    Examples
    --------
    >>> import numpy as np, scipy.ndimage
    >>> from musicviz.features import median_filter_along
    >>> x = np.random.default_rng(0).random((5, 40))
    >>> fast = median_filter_along(x, size=7, axis=0)
    >>> bool(np.array_equal(fast, scipy.ndimage.median_filter(x, size=(7, 1), mode="reflect")))
    True
    """
    x = np.asarray(x)
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ParameterError(f"size must be a positive window length, got {size!r}")
    size = int(size)
    if x.dtype in _KEY_TYPES and x.ndim >= 1 and x.size:
        moved = np.moveaxis(x, axis, -1)
        rows = np.ascontiguousarray(moved).reshape(-1, moved.shape[-1])
        out = np.empty_like(rows)
        if _median_rows(rows, size, out):
            return np.ascontiguousarray(np.moveaxis(out.reshape(moved.shape), -1, axis))
    return _median_filter_scipy(x, size=size, axis=axis)


# --------------------------------------------------------------------------- HPSS
def _hpss_frames(stft_t: np.ndarray, magnitude_t: np.ndarray, kernel_size: int):
    """HPSS of a complex64 STFT whose frames are rows: ``(harmonic, percussive)``, same layout.

    ``magnitude_t`` is ``np.abs(stft_t)``. The outputs are complex64 ``(2, frames, bins)``
    stacked, ready for one inverse FFT call.
    """
    from musicviz.features import _kernels

    n_frames, n_bins = magnitude_t.shape
    perc = np.empty_like(magnitude_t)  # along bins: the rows as they are
    harm_t = np.empty((n_bins, n_frames), dtype=magnitude_t.dtype)  # along frames: transposed
    ok = _median_rows(magnitude_t, kernel_size, perc) and _median_rows(
        np.ascontiguousarray(magnitude_t.T), kernel_size, harm_t
    )
    if not ok:  # NaN or -0.0 cannot come out of np.abs of a finite STFT; be exact anyway
        perc = median_filter_along(magnitude_t, size=kernel_size, axis=-1)
        harm_t = median_filter_along(magnitude_t, size=kernel_size, axis=-2).T
    both = np.empty((2, n_frames, n_bins), dtype=np.complex64)
    flat = both.view(np.float32)
    _kernels.hpss_split(stft_t, magnitude_t, harm_t.T, perc, flat[0], flat[1])
    return both


def hpss(stft, *, kernel_size: int = HPSS_KERNEL):
    """librosa's harmonic/percussive separation, with the fast exact median filter.

    Same result as ``librosa.decompose.hpss(stft, kernel_size=kernel_size)`` (default margin
    and power), computed about 10x faster: the median filters are :func:`median_filter_along`
    and, for complex64 input, librosa's ``magphase``, soft masks and masking run as one
    compiled pass with the same operations in the same order.

    Parameters
    ----------
    stft : np.ndarray [shape=(..., n_bins, n_frames)], complex
        A complex STFT.
    kernel_size : int
        Median filter length, in frames (harmonic) and bins (percussive).

    Returns
    -------
    harmonic, percussive : np.ndarray, complex, same shape as ``stft``

    Examples
    --------
    >>> import numpy as np, librosa
    >>> from musicviz.features import hpss
    >>> D = librosa.stft(y=np.random.default_rng(0).standard_normal(22050).astype(np.float32))
    >>> H, P = hpss(D)
    >>> ref_H, ref_P = librosa.decompose.hpss(D)
    >>> bool(np.array_equal(H, ref_H) and np.array_equal(P, ref_P))
    True
    """
    stft = np.asarray(stft)
    if stft.dtype == np.complex64 and stft.ndim >= 2 and stft.size:
        lead = stft.shape[:-2]
        harmonic = np.empty(stft.shape, dtype=np.complex64)
        percussive = np.empty(stft.shape, dtype=np.complex64)
        for index in np.ndindex(*lead):
            frames = stft[index].T
            both = _hpss_frames(frames, np.abs(frames), kernel_size)
            harmonic[index] = both[0].T
            percussive[index] = both[1].T
        return harmonic, percussive
    return _hpss_numpy(stft, kernel_size=kernel_size)


def _hpss_numpy(stft, *, kernel_size: int):
    """The same separation in numpy operations (any complex dtype)."""
    import librosa

    magnitude, phase = librosa.magphase(stft)
    harm = median_filter_along(magnitude, size=kernel_size, axis=-1)
    perc = median_filter_along(magnitude, size=kernel_size, axis=-2)
    # librosa.util.softmask(harm, perc, power=2, split_zeros=True) and its mirror, sharing
    # the work: the same operations in the same order, so the same numbers.
    peak = np.maximum(harm, perc)
    bad = peak < np.finfo(magnitude.dtype).tiny
    peak[bad] = 1
    h = (harm / peak) ** 2
    p = (perc / peak) ** 2
    total = h + p
    total[bad] = 1
    mask_harm = h / total
    mask_perc = p / total
    mask_harm[bad] = 0.5
    mask_perc[bad] = 0.5
    return (magnitude * mask_harm) * phase, (magnitude * mask_perc) * phase


# --------------------------------------------------------------------------- cached bases
def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


@lru_cache(maxsize=8)
def _fft_freqs(sr: int, n_fft: int) -> np.ndarray:
    import librosa

    return _frozen(librosa.fft_frequencies(sr=sr, n_fft=n_fft))


@lru_cache(maxsize=8)
def _mel_basis(sr: int, n_fft: int) -> np.ndarray:
    import librosa

    return _frozen(librosa.filters.mel(sr=sr, n_fft=n_fft))


@lru_cache(maxsize=256)
def _chroma_basis(sr: int, n_fft: int, tuning: float) -> np.ndarray:
    import librosa

    return _frozen(librosa.filters.chroma(sr=sr, n_fft=n_fft, tuning=tuning))


@lru_cache(maxsize=4)
def _istft_window(n_fft: int) -> np.ndarray:
    import librosa

    return _frozen(np.ascontiguousarray(librosa.filters.get_window(window="hann", Nx=n_fft, fftbins=True), dtype=np.float64))


@lru_cache(maxsize=16)
def _window_sumsquare(n_frames: int, n_fft: int, hop_length: int) -> np.ndarray:
    import librosa

    total = librosa.filters.window_sumsquare(
        window="hann", n_frames=n_frames, win_length=n_fft, n_fft=n_fft, hop_length=hop_length, dtype=np.float32
    )
    return _frozen(total[n_fft // 2 : n_fft // 2 + hop_length * (n_frames - 1)].copy())


@lru_cache(maxsize=8)
def _contrast_bands(sr: int, n_fft: int, n_bands: int) -> np.ndarray:
    """``(lo, hi, q)`` per band of librosa's spectral contrast (its band edges and quantile)."""
    freq = _fft_freqs(sr, n_fft)
    octa = np.zeros(n_bands + 2)
    octa[1:] = _CONTRAST_FMIN * (2.0 ** np.arange(0, n_bands + 1))
    if np.any(octa[:-1] >= 0.5 * sr):
        raise ParameterError(f"spectral contrast: {n_bands} octave bands from {_CONTRAST_FMIN:g} Hz exceed sr / 2")
    bands = []
    for k, (f_low, f_high) in enumerate(zip(octa[:-1], octa[1:])):
        current = np.logical_and(freq >= f_low, freq <= f_high)
        idx = np.flatnonzero(current)
        if k > 0:
            current[idx[0] - 1] = True
        if k == n_bands:
            current[idx[-1] + 1 :] = True
        rows = np.flatnonzero(current)
        lo, hi = int(rows[0]), int(rows[-1]) + 1
        if k < n_bands:
            hi -= 1
        q = int(np.maximum(np.rint(_CONTRAST_QUANTILE * np.sum(current)), 1))
        bands.append((lo, hi, q))
    return _frozen(np.array(bands, dtype=np.int64))


# --------------------------------------------------------------------------- pieces
def _estimate_tuning(power_t: np.ndarray, *, sr: int, n_fft: int) -> float:
    """``librosa.estimate_tuning(S=power, sr=sr, bins_per_octave=12)``, from the peaks only."""
    import librosa

    from musicviz.features import _kernels

    freq = _fft_freqs(sr, n_fft)
    fmin, fmax = np.maximum(_PIPTRACK_FMIN, 0), np.minimum(_PIPTRACK_FMAX, float(sr) / 2)
    inside = np.flatnonzero((fmin <= freq) & (freq < fmax))
    lo, hi = (int(inside[0]), int(inside[-1]) + 1) if inside.size else (1, 1)
    lo, hi = max(lo, 1), min(hi, power_t.shape[1] - 1)
    capacity = power_t.shape[0] * max(hi - lo, 0)
    pitches = np.empty(capacity, dtype=np.float32)
    mags = np.empty(capacity, dtype=np.float32)
    count = _kernels.tuning_peaks(power_t, lo, hi, sr, n_fft, pitches, mags)
    pitches, mags = pitches[:count], mags[:count]
    voiced = pitches > 0
    threshold = np.median(mags[voiced]) if voiced.any() else 0.0
    return float(librosa.pitch_tuning(frequencies=pitches[(mags >= threshold) & voiced], resolution=0.01, bins_per_octave=12))


def _chroma(power: np.ndarray, power_t: np.ndarray, *, sr: int) -> np.ndarray:
    """``librosa.feature.chroma_stft(S=power, sr=sr)`` with the cached filter bank."""
    import librosa

    tuning = _estimate_tuning(power_t, sr=sr, n_fft=N_FFT)
    raw = np.einsum("cf,...ft->...ct", _chroma_basis(sr, N_FFT, tuning), power, optimize=True)
    return librosa.util.normalize(raw, norm=np.inf, axis=-2)


def _inverse_stfts(both: np.ndarray, *, length: int) -> np.ndarray:
    """librosa.istft of each of ``both`` (frames as rows), no ``length=``, zero-padded to ``length``."""
    from musicviz.features import _kernels

    n_frames = both.shape[1]
    frames = np.fft.irfft(both, n=N_FFT, axis=-1)
    out = np.zeros((both.shape[0], max(length, HOP_LENGTH * (n_frames - 1))), dtype=np.float32)
    _kernels.overlap_add(frames, _istft_window(N_FFT), HOP_LENGTH, _window_sumsquare(n_frames, N_FFT, HOP_LENGTH), out)
    return out[:, :length]


def _zero_crossing_rate(y: np.ndarray) -> np.ndarray:
    """``librosa.feature.zero_crossing_rate(y=y)`` (2048-sample frames, hop 512), by prefix sums."""
    padded = np.pad(y, (N_FFT // 2, N_FFT // 2), mode="edge")
    negative = padded < np.float64(-_ZC_THRESHOLD)  # |x| <= threshold counts as 0 (positive)
    changes = np.concatenate(([0], np.cumsum(negative[1:] != negative[:-1], dtype=np.int64)))
    n_frames = 1 + (len(padded) - N_FFT) // HOP_LENGTH
    starts = np.arange(n_frames) * HOP_LENGTH
    # crossings inside frame t: between samples start+k-1 and start+k, k = 1 .. N_FFT-1
    counts = changes[starts + N_FFT - 1] - changes[starts]
    return counts / np.float64(N_FFT)


def _spectral_shape(magnitude_t: np.ndarray, *, sr: int):
    """(centroid, bandwidth, rolloff) per frame, as librosa's three functions give them."""
    from musicviz.features import _kernels

    n_frames = magnitude_t.shape[0]
    centroid, bandwidth, rolloff = (np.empty(n_frames) for _ in range(3))
    _kernels.spectral_shape(magnitude_t, _fft_freqs(sr, N_FFT), centroid, bandwidth, rolloff, np.float32(_ROLL_PERCENT))
    return centroid, bandwidth, rolloff


def _spectral_contrast(magnitude_t: np.ndarray, *, sr: int) -> np.ndarray:
    """``librosa.feature.spectral_contrast(S=magnitude, sr=sr, n_bands=6)``: (7, frames)."""
    import librosa

    from musicviz.features import _kernels

    bands = _contrast_bands(sr, N_FFT, N_CONTRAST_BANDS)
    valley = np.zeros((len(bands), magnitude_t.shape[0]))
    peak = np.zeros_like(valley)
    _kernels.contrast_bands(magnitude_t, bands, valley, peak)
    return librosa.power_to_db(peak) - librosa.power_to_db(valley)


# --------------------------------------------------------------------------- one clip
def extract_clip_features(y, *, sr: int, contrast: bool = True) -> dict[str, float]:
    """Every feature of one clip (GTZAN's Kaggle definitions), from a single STFT.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono samples (computed in float32, like ``librosa.load`` returns them).
    sr : int > 0
        Sample rate.
    contrast : bool
        Also compute spectral contrast (:data:`CONTRAST_FEATURES`).

    Returns
    -------
    dict
        ``{column name: value}`` for every name in :data:`KAGGLE_FEATURES` (then
        :data:`CONTRAST_FEATURES` when ``contrast``), in that order.

    Raises
    ------
    ParameterError
        ``y`` is not a mono signal of at least ``n_fft`` finite samples, or ``sr`` is bad.
    FeatureError
        The clip is silent.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.features import extract_clip_features
    >>> t = np.arange(22050 * 3) / 22050
    >>> feats = extract_clip_features(0.5 * np.sin(2 * np.pi * 440 * t), sr=22050)
    >>> bool(abs(feats["spectral_centroid_mean"] - 440) < 20)
    True
    """
    import librosa

    y = check_signal(y, sr=sr, min_samples=N_FFT)
    y = np.asarray(y, dtype=np.float32)
    if not np.any(y):
        raise FeatureError("the clip is silent: spectral features are undefined")
    out: dict[str, float] = {}

    def mean_var(name, values):
        out[f"{name}_mean"] = float(np.mean(values))
        out[f"{name}_var"] = float(np.var(values))

    # librosa's layout is (bins, frames), Fortran-ordered: ``.T`` has frames as rows, no copy.
    stft = librosa.stft(y=y, n_fft=N_FFT, hop_length=HOP_LENGTH, pad_mode=PAD_MODE)
    magnitude = np.abs(stft)
    power = magnitude**2
    magnitude_t, power_t = magnitude.T, power.T
    mean_var("chroma_stft", _chroma(power, power_t, sr=sr))
    # rms from the waveform: librosa's S-based rms uses a different normalisation.
    mean_var("rms", librosa.feature.rms(y=y, frame_length=N_FFT, hop_length=HOP_LENGTH, pad_mode=PAD_MODE))
    centroid, bandwidth, rolloff = _spectral_shape(magnitude_t, sr=sr)
    mean_var("spectral_centroid", centroid)
    mean_var("spectral_bandwidth", bandwidth)
    mean_var("rolloff", rolloff)
    mean_var("zero_crossing_rate", _zero_crossing_rate(y))
    # Both inverse STFTs at once; no length= and zero-padding, as the old effects.hpss.
    both = _inverse_stfts(_hpss_frames(stft.T, magnitude_t, HPSS_KERNEL), length=len(y))
    mean_var("harmony", both[0])
    mean_var("perceptr", both[1])
    mel = np.einsum("...ft,mf->...mt", power, _mel_basis(sr, N_FFT), optimize=True)
    log_mel = librosa.power_to_db(S=mel)
    onset_envelope = librosa.onset.onset_strength(S=log_mel, sr=sr, hop_length=HOP_LENGTH, aggregate=np.median)
    tempo = librosa.feature.tempo(onset_envelope=onset_envelope, sr=sr, hop_length=HOP_LENGTH)
    out["tempo"] = float(np.atleast_1d(tempo)[0])
    mfcc = librosa.feature.mfcc(S=log_mel, sr=sr, n_mfcc=N_MFCC)
    for i in range(N_MFCC):
        mean_var(f"mfcc{i + 1}", mfcc[i])
    names = KAGGLE_FEATURES
    if contrast:
        bands = _spectral_contrast(magnitude_t, sr=sr)
        mean_var("spectral_contrast", bands)
        for b in range(bands.shape[0]):
            mean_var(f"spectral_contrast{b + 1}", bands[b])
        names = FEATURES
    return {name: out[name] for name in names}
