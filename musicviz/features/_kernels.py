"""Compiled inner loops of the feature engine (numba, imported on first use).

Notebook: ``04_features_and_standardization.ipynb`` (the speed note at its end).

Each kernel does, in one pass over a spectrogram, what librosa does in several numpy passes,
with the *same arithmetic in the same order and the same float types*, so the features it
feeds are the ones librosa computes (tests compare them bit for bit where librosa's result
does not depend on numpy's summation order). Frames are rows here: the arrays are librosa's
Fortran-ordered ``(bins, frames)`` spectrograms seen through ``.T``, which costs no copy.

``median_lines`` is an exact sliding median (the harmonic/percussive median filters):
the window's values are kept in a ring, the median is moved by at most one rank per step,
and the search for the next value runs on integer keys (IEEE order), which the compiler
vectorises; it returns False on NaN or -0.0, where the caller falls back to scipy.
"""

from __future__ import annotations

import numba
import numpy as np

_OPTIONS = {"nogil": True, "cache": True}


@numba.njit(inline="always", **_OPTIONS)
def _mirror(j, n):
    """Index in ``x[:n]`` of padded position ``j`` under numpy's "symmetric" padding."""
    if 0 <= j < n:
        return j
    period = 2 * n
    j = j % period
    if j >= n:
        j = period - 1 - j
    return j


@numba.njit(**_OPTIONS)
def median_lines(bits, size, out, flip, lowest, shift, inf_bits):  # pragma: no cover - compiled
    """Sliding median of ``size`` values along axis 1 of ``bits``, into ``out``.

    ``bits`` is an integer view of float data (int32 for float32, int64 for float64);
    ``key = b ^ ((b >> shift) & flip)`` orders the keys as the floats (its own inverse).
    ``lowest`` (the integer minimum, a NaN's key) pads the ring to a multiple of 8 lanes.
    Edges are mirrored like ``scipy.ndimage`` (mode "reflect"). False on NaN or -0.0.
    """
    rows, n = bits.shape
    half_left = size // 2
    half_right = (size - 1) // 2
    rank = size // 2
    width = (size + 7) // 8 * 8
    ring = np.full(width, lowest, dtype=bits.dtype)
    first = np.empty(size, dtype=bits.dtype)
    highest = ~lowest
    for r in range(rows):
        row = bits[r]
        orow = out[r]
        for k in range(size):
            b = row[_mirror(k - half_left, n)]
            if b == lowest or (b & flip) > inf_bits:
                return False
            key = b ^ ((b >> shift) & flip)
            ring[k] = key
            first[k] = key
        first.sort()
        m = first[rank]
        below = 0
        equal = 0
        for k in range(size):
            below += ring[k] < m
            equal += ring[k] == m
        orow[0] = m ^ ((m >> shift) & flip)
        slot = 0
        for i in range(1, n):
            j = i + half_right
            b = row[j] if j < n else row[_mirror(j, n)]
            if b == lowest or (b & flip) > inf_bits:
                return False
            new = b ^ ((b >> shift) & flip)
            old = ring[slot]
            ring[slot] = new
            slot += 1
            if slot == size:
                slot = 0
            below += (new < m) - (old < m)
            equal += (new == m) - (old == m)
            if below > rank:  # the median is the largest value below m
                best = lowest
                for k in range(width):
                    v = ring[k]
                    best = max(best, v if v < m else lowest)
                m = best
                count = 0
                for k in range(width):
                    count += ring[k] == m
                equal = count
                below -= count
            elif below + equal <= rank:  # the smallest value above m
                best = highest
                for k in range(width):
                    v = ring[k]
                    best = min(best, v if v > m else highest)
                below += equal
                m = best
                count = 0
                for k in range(width):
                    count += ring[k] == m
                equal = count
            orow[i] = m ^ ((m >> shift) & flip)
    return True


@numba.njit(**_OPTIONS)
def hpss_split(stft, magnitude, harm, perc, out_harm, out_perc):  # pragma: no cover - compiled
    """librosa's ``magphase`` + ``softmask(power=2, split_zeros=True)`` + masking, fused.

    ``out_harm``/``out_perc`` are float32 views (real, imag interleaved) of complex64
    arrays. Same operations, same order and types as librosa, so the same numbers.
    """
    tiny = np.float32(1.1754944e-38)  # np.finfo(np.float32).tiny
    half = np.float32(0.5)
    rows, cols = magnitude.shape
    for t in range(rows):
        for f in range(cols):
            m = magnitude[t, f]
            zero = np.float32(m == 0)
            nonzero = m + zero
            c = stft[t, f]
            phase_re = c.real / nonzero + zero
            phase_im = c.imag / nonzero
            h = harm[t, f]
            p = perc[t, f]
            peak = h if h >= p else p
            if peak < tiny:
                mask_h = half
                mask_p = half
            else:
                hh = h / peak
                hh = hh * hh
                pp = p / peak
                pp = pp * pp
                total = hh + pp
                mask_h = hh / total
                mask_p = pp / total
            a = m * mask_h
            b = m * mask_p
            out_harm[t, 2 * f] = a * phase_re
            out_harm[t, 2 * f + 1] = a * phase_im
            out_perc[t, 2 * f] = b * phase_re
            out_perc[t, 2 * f + 1] = b * phase_im


@numba.njit(**_OPTIONS)
def overlap_add(frames, window, hop, total, out):  # pragma: no cover - compiled
    """librosa.istft's windowed overlap-add and normalisation (centred, no ``length=``).

    ``frames[c, t]`` is the inverse FFT of frame ``t`` (float32), ``window`` float64; each
    sample accumulates in float32 through float64 sums, frames in order, as librosa does,
    then is divided by ``total`` (the window's sum of squares, float32) where that is above
    float32's tiny. ``out[c, :]`` must be zeros; its first ``hop * (n_frames - 1)`` samples
    are written.
    """
    channels, n_frames, n_fft = frames.shape
    start = n_fft // 2
    length = hop * (n_frames - 1)
    tiny = np.float32(1.1754944e-38)
    for c in range(channels):
        acc = out[c]
        for t in range(n_frames):
            base = t * hop - start
            k_lo = max(0, -base)
            k_hi = min(n_fft, length - base)
            frame = frames[c, t]
            for k in range(k_lo, k_hi):
                acc[base + k] = np.float64(acc[base + k]) + window[k] * np.float64(frame[k])
        for pos in range(length):
            if total[pos] > tiny:
                acc[pos] = acc[pos] / total[pos]


@numba.njit(**_OPTIONS)
def tuning_peaks(power, lo, hi, sr, n_fft, pitches, mags):  # pragma: no cover - compiled
    """The non-zero entries of ``librosa.piptrack(S=power, sr=sr)`` (threshold 0.1, ref max).

    Only bins ``lo <= f < hi`` (fmin <= freq < fmax) can hold a peak: a local maximum of the
    thresholded spectrum. Writes pitch and magnitude of each peak; returns how many.
    Same formulas and types as librosa's parabolic interpolation and gradient.
    """
    n_frames, n_bins = power.shape
    count = 0
    for t in range(n_frames):
        row = power[t]
        top = row[0]
        for f in range(1, n_bins):
            if row[f] > top:
                top = row[f]
        ref = np.float32(0.1) * top
        for f in range(lo, hi):
            x0 = row[f]
            if not x0 > ref:
                continue
            xm = row[f - 1]
            xp = row[f + 1]
            tm = xm if xm > ref else np.float32(0.0)
            tp = xp if xp > ref else np.float32(0.0)
            if x0 > tm and x0 >= tp:
                a = xp + xm - 2 * x0
                b = (xp - xm) / 2
                shift = np.float32(0.0)
                if not np.abs(b) >= np.abs(a):
                    shift = np.float32(-b / a)
                avg = (xp - xm) / np.float32(2.0)
                dskew = np.float32(0.5) * avg * shift
                pitches[count] = np.float32((f + np.float64(shift)) * np.float64(sr) / n_fft)
                mags[count] = x0 + dskew
                count += 1
    return count


@numba.njit(**_OPTIONS)
def spectral_shape(magnitude, freq, centroid, bandwidth, rolloff, roll_percent):  # pragma: no cover
    """librosa's spectral centroid, bandwidth (p=2, normalised) and rolloff, frame by frame.

    ``magnitude`` has frames as rows (float32). Keeps librosa's types: the L1-normalised
    spectrum is rounded to float32, the sums are float64, the rolloff's cumulative sum is
    float32. Sums run in bin order (numpy's may pair them: differences ~1e-16 relative).
    """
    n_frames, n_bins = magnitude.shape
    tiny = np.float32(1.1754944e-38)
    normalised = np.empty(n_bins, dtype=np.float32)
    for t in range(n_frames):
        row = magnitude[t]
        length = 0.0
        for f in range(n_bins):
            length += np.float64(abs(row[f]))
        if length < tiny:
            length = 1.0
        c = 0.0
        for f in range(n_bins):
            normalised[f] = np.float32(row[f] / length)
            c += freq[f] * np.float64(normalised[f])
        centroid[t] = c
        spread = 0.0
        for f in range(n_bins):
            d = abs(c - freq[f])
            spread += np.float64(normalised[f]) * (d * d)
        bandwidth[t] = np.sqrt(spread)
        total = np.float32(0.0)
        for f in range(n_bins):
            total += row[f]
        threshold = roll_percent * total
        running = np.float32(0.0)
        rolloff[t] = np.nan
        for f in range(n_bins):
            running += row[f]
            if not running < threshold:
                rolloff[t] = freq[f]
                break


@numba.njit(**_OPTIONS)
def contrast_bands(magnitude, bands, valley, peak):  # pragma: no cover - compiled
    """Valley and peak of librosa's spectral contrast: the mean of the q smallest / largest.

    ``bands[k] = (lo, hi, q)``: band k is ``magnitude[t, lo:hi]``. The q values are summed
    in ascending order in float32 and divided in float64, as ``np.mean`` over the sorted
    band does; only the q extremes are kept (a full sort is not needed).
    """
    n_frames = magnitude.shape[0]
    n_bands = bands.shape[0]
    width = 1
    for k in range(n_bands):
        width = max(width, bands[k, 2])
    low = np.empty(width, dtype=np.float32)
    high = np.empty(width, dtype=np.float32)
    for t in range(n_frames):
        row = magnitude[t]
        for k in range(n_bands):
            lo, hi, q = bands[k, 0], bands[k, 1], bands[k, 2]
            n_low = 0
            n_high = 0
            for f in range(lo, hi):
                v = row[f]
                # q smallest, ascending
                if n_low < q or v < low[n_low - 1]:
                    j = n_low if n_low < q else q - 1
                    while j > 0 and low[j - 1] > v:
                        low[j] = low[j - 1]
                        j -= 1
                    low[j] = v
                    if n_low < q:
                        n_low += 1
                # q largest, ascending
                if n_high < q or v > high[0]:
                    if n_high < q:
                        j = n_high
                        while j > 0 and high[j - 1] > v:
                            high[j] = high[j - 1]
                            j -= 1
                        high[j] = v
                        n_high += 1
                    else:
                        j = 0
                        while j + 1 < q and high[j + 1] < v:
                            high[j] = high[j + 1]
                            j += 1
                        high[j] = v
            s_low = np.float32(0.0)
            s_high = np.float32(0.0)
            for j in range(q):
                s_low += low[j]
                s_high += high[j]
            valley[k, t] = np.float32(np.float64(s_low) / np.float64(q))
            peak[k, t] = np.float32(np.float64(s_high) / np.float64(q))
