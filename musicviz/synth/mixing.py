"""Mixing and mastering of the synthetic clips: reverb, equalizer, limiter, loudness.

Notebook: ``00_introduction.ipynb`` (how the synthetic set is made). Used by
:mod:`musicviz.synth.generate`.
"""

from __future__ import annotations

import numpy as np

from musicviz.synth import instruments as ins
from musicviz.synth.genres import EQ_FREQS

PEAK = 10 ** (-1.0 / 20)  # -1 dBFS


def _add(buf: np.ndarray, start: int, wave: np.ndarray, gain: float) -> None:
    if start >= len(buf):
        return
    start = max(start, 0)
    end = min(start + len(wave), len(buf))
    buf[start:end] += gain * wave[: end - start]


def _comb(x: np.ndarray, delay: int, g: float) -> np.ndarray:
    """Feedback comb ``y[n] = x[n] + g y[n-D]``, computed a block of ``D`` samples at a time."""
    y = x.copy()
    for start in range(delay, len(y), delay):
        end = min(start + delay, len(y))
        y[start:end] += g * y[start - delay:end - delay]
    return y


def _allpass(x: np.ndarray, delay: int, g: float) -> np.ndarray:
    """Schroeder all-pass ``y[n] = -g x[n] + x[n-D] + g y[n-D]``, block by block."""
    y = -g * x
    y[delay:] += x[:-delay]
    for start in range(delay, len(y), delay):
        end = min(start + delay, len(y))
        y[start:end] += g * y[start - delay:end - delay]
    return y


def _reverb(x: np.ndarray, *, sr: int, size: float) -> np.ndarray:
    """Small Schroeder reverb: four parallel combs and two all-passes, darkened."""
    wet = np.zeros_like(x)
    for ms, g in ((29.7, 0.77), (37.1, 0.75), (41.1, 0.73), (43.7, 0.71)):
        wet += _comb(x, int(ms * sr / 1000), g * (0.85 + 0.15 * size))
    for ms, g in ((12.7, 0.6), (9.3, 0.6)):
        wet = _allpass(wet, int(ms * sr / 1000), g)
    return ins.lowpass(wet, 4000.0, sr=sr) * 0.25


def _equalize(x: np.ndarray, *, sr: int, gains_db) -> np.ndarray:
    """Zero-phase mastering EQ: a smooth gain curve through (EQ_FREQS, gains_db), applied by FFT."""
    if not np.any(gains_db):
        return x
    spec = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(len(x), 1.0 / sr)
    # Interpolate in log-frequency, flat beyond the first and last points.
    curve_db = np.interp(np.log(np.maximum(freqs, 1.0)), np.log(EQ_FREQS), np.asarray(gains_db, dtype=float))
    return np.fft.irfft(spec * 10 ** (curve_db / 20), n=len(x))


def _compress(x: np.ndarray, *, sr: int, ratio: float, hop: int = 512) -> np.ndarray:
    """Bus compressor: levels above the clip's median loudness are reduced by ``ratio``.

    The level is the frame RMS (``hop`` samples, smoothed over about 0.1 s); the gain curve
    (dB) is smoothed again and interpolated to the samples, so it pumps gently instead of
    clicking. Vectorised, no per-sample loop.
    """
    n = len(x) // hop
    if n < 8 or ratio <= 1.0:
        return x
    power = np.add.reduceat(x[: n * hop] ** 2, np.arange(0, n * hop, hop)) / hop
    width = max(int(0.1 * sr / hop), 1)
    kernel = np.ones(width) / width
    level_db = 10 * np.log10(np.convolve(power, kernel, mode="same") + 1e-12)
    threshold = np.median(level_db)
    gain_db = -np.maximum(level_db - threshold, 0.0) * (1.0 - 1.0 / ratio)
    gain_db = np.convolve(gain_db, kernel, mode="same")
    centres = (np.arange(n) + 0.5) * hop
    return x * 10 ** (np.interp(np.arange(len(x)), centres, gain_db) / 20)


def _soft_limit(x: np.ndarray, *, ceiling: float = PEAK, knee: float = 0.5) -> np.ndarray:
    """Gentle limiter: linear below ``knee * ceiling``, a tanh curve up to ``ceiling`` above."""
    k = knee * ceiling
    over = np.abs(x) > k
    y = x.copy()
    y[over] = np.sign(x[over]) * (k + (ceiling - k) * np.tanh((np.abs(x[over]) - k) / (ceiling - k)))
    return y


def _frame_rms(x: np.ndarray) -> float:
    # Mean of per-frame RMS (2048/512), as librosa.feature.rms averages in the GTZAN table.
    n = len(x) // 512
    frames = np.sqrt(np.add.reduceat(x[: n * 512] ** 2, np.arange(0, n * 512, 512)) / 512)
    return float(frames.mean())


def _master(mix: np.ndarray, *, target_rms: float) -> np.ndarray:
    """Peak-normalise to -1 dBFS, then bring the clip to the genre's loudness.

    Loud genres are driven into a gentle limiter (peaks stay at -1 dBFS); quiet ones are
    turned down, their peaks ending below -1 dBFS like real classical or jazz recordings.
    """
    y = mix * (PEAK / max(np.max(np.abs(mix)), 1e-9))
    for _ in range(4):  # louder genres (pop, hip-hop) are squeezed harder, as in mastering
        r = _frame_rms(y)
        if r >= 0.95 * target_rms:
            break
        y = _soft_limit(y * min(target_rms / r, 4.0))
        y *= PEAK / max(np.max(np.abs(y)), 1e-9)
    r = _frame_rms(y)
    if r > 1.05 * target_rms:
        # Quiet genres (classical, jazz) are mastered below full scale, as their recordings are.
        y *= target_rms / r
    return y


# --- the clip ------------------------------------------------------------------------------
