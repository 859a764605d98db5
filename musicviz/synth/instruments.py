"""Instrument voices for the synthetic genre set (numpy/scipy only).

Notebook: ``00_introduction.ipynb`` (where the synthetic clips are introduced).

Every function returns one note or hit as a float64 array that the arranger adds into a
track at its onset (overlap-add). The voices are deliberately simple, textbook techniques:

* plucked strings: Karplus-Strong, run as an IIR filter with :func:`scipy.signal.lfilter`;
* sustained tones (bowed strings, organ, reeds, synths, voice-like vowels): wavetable
  oscillators, so the cost does not grow with the number of harmonics;
* piano-like tones: a bright and a dull wavetable cross-faded by two decays (high harmonics
  die faster), with slight inharmonicity baked into a detuned second string;
* distorted guitar: plucked power chords through ``tanh`` waveshaping and a cabinet low-pass.

The drum kit (a pitch-swept sine kick, tone + noise snare, high-passed noise hats and cymbals)
and its grooves are in :mod:`musicviz.synth.drums`.

Randomness comes only from the ``rng`` passed in (one :class:`numpy.random.Generator` per
clip), and nothing here calls BLAS, so a clip renders identically on any machine.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.signal import butter, lfilter, sosfilt

__all__ = [
    "midi_to_hz",
    "envelope",
    "wavetable",
    "oscillator",
    "pluck",
    "strum",
    "piano",
    "epiano",
    "bowed",
    "organ",
    "reed",
    "synth",
    "voice",
    "bass",
    "distorted_chord",
    "lowpass",
    "highpass",
    "bandpass",
]

_TABLE_SIZE = 2048

#: Vowel formants (Hz) and bandwidths for the voice-like lead: a, e, i, o, u.
VOWELS = {
    "a": ((800, 1150, 2900), (80, 90, 120)),
    "e": ((400, 1700, 2600), (70, 80, 100)),
    "i": ((300, 2200, 3000), (60, 90, 100)),
    "o": ((450, 800, 2830), (70, 80, 100)),
    "u": ((325, 700, 2530), (50, 60, 170)),
}


def midi_to_hz(note) -> np.ndarray | float:
    """Equal-tempered frequency of a MIDI note number (69 = A4 = 440 Hz).

    Examples
    --------
    >>> from musicviz.synth.instruments import midi_to_hz
    >>> midi_to_hz(69), round(midi_to_hz(60), 2)
    (440.0, 261.63)
    """
    if np.ndim(note):
        return 440.0 * 2.0 ** ((np.asarray(note, dtype=float) - 69.0) / 12.0)
    return float(440.0 * 2.0 ** ((note - 69.0) / 12.0))


def _n(dur: float, sr: int) -> int:
    return max(int(round(dur * sr)), 16)


# --- filters (second-order sections: stable and deterministic) -----------------------------

def _sos(kind: str, freq, sr: int, order: int = 2):
    nyq = 0.5 * sr
    if np.ndim(freq):
        lo, hi = (min(max(f / nyq, 1e-4), 0.999) for f in freq)
        return butter(order, [lo, hi], btype=kind, output="sos")
    return butter(order, min(max(freq / nyq, 1e-4), 0.999), btype=kind, output="sos")


def lowpass(x, cutoff: float, *, sr: int, order: int = 2) -> np.ndarray:
    """Butterworth low-pass (cabinet, dull samples, drum bodies).

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.synth.instruments import lowpass
    >>> lowpass(np.ones(100), 1000.0, sr=22050).shape
    (100,)
    """
    return sosfilt(_sos("lowpass", cutoff, sr, order), x)


def highpass(x, cutoff: float, *, sr: int, order: int = 2) -> np.ndarray:
    """Butterworth high-pass (hi-hats, cymbals, sibilants).

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.synth.instruments import highpass
    >>> round(float(abs(highpass(np.ones(2000), 5000.0, sr=22050)[-1])), 6)
    0.0
    """
    return sosfilt(_sos("highpass", cutoff, sr, order), x)


def bandpass(x, low: float, high: float, *, sr: int, order: int = 2) -> np.ndarray:
    """Butterworth band-pass between ``low`` and ``high`` Hz.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.synth.instruments import bandpass
    >>> bandpass(np.zeros(64), 500.0, 2000.0, sr=22050).shape
    (64,)
    """
    return sosfilt(_sos("bandpass", (low, high), sr, order), x)


# --- envelopes and oscillators -------------------------------------------------------------

def envelope(n: int, *, sr: int, attack: float = 0.005, decay: float | None = None, release: float = 0.05,
             sustain_len: int | None = None) -> np.ndarray:
    """Attack / exponential decay / release envelope of ``n`` samples.

    ``decay`` is the time constant (s) of the exponential fall after the attack (None: hold).
    The release is a linear fade over the last ``release`` seconds (or after ``sustain_len``).

    Examples
    --------
    >>> from musicviz.synth.instruments import envelope
    >>> env = envelope(1000, sr=22050, attack=0.001, decay=0.01)
    >>> float(env.max()) <= 1.0, float(env[-1])
    (True, 0.0)
    """
    t = np.arange(n) / sr
    env = np.ones(n)
    na = max(int(attack * sr), 1)
    env[:na] = np.linspace(0.0, 1.0, na, endpoint=False) if na > 1 else 1.0
    if decay is not None:
        env[na:] = np.exp(-(t[na:] - t[na - 1]) / decay)
    nr = min(max(int(release * sr), 1), n)
    end = n if sustain_len is None else min(sustain_len + nr, n)
    env[end - nr:end] *= np.linspace(1.0, 0.0, nr)
    env[end:] = 0.0
    return env


def wavetable(amps) -> np.ndarray:
    """One period (``2048`` samples) of a waveform with the given harmonic amplitudes.

    Examples
    --------
    >>> from musicviz.synth.instruments import wavetable
    >>> wavetable([1.0, 0.5]).shape
    (2048,)
    """
    # Tables are cached: a clip asks for the same few timbres again and again.
    key = tuple(round(float(a), 12) for a in np.asarray(amps, dtype=float))
    return _wavetable(key)


@functools.lru_cache(maxsize=512)
def _wavetable(amps: tuple) -> np.ndarray:
    k = np.arange(1, len(amps) + 1)
    phase = np.arange(_TABLE_SIZE) / _TABLE_SIZE
    # Explicit sum (no matrix product): BLAS could change the rounding between machines.
    table = np.zeros(_TABLE_SIZE)
    for kk, a in zip(k, amps):
        if a:
            table += a * np.sin(2 * np.pi * kk * phase)
    peak = np.max(np.abs(table))
    table = table / peak if peak > 0 else table
    table.flags.writeable = False
    return table


def _harmonic_count(f0: float, sr: int, fmax: float | None = None) -> int:
    # Band-limit the tables so no harmonic folds back above Nyquist.
    limit = 0.45 * sr if fmax is None else min(fmax, 0.45 * sr)
    return max(int(limit // f0), 1)


def oscillator(table: np.ndarray, f0: float, n: int, *, sr: int, vibrato_hz: float = 0.0, vibrato_cents: float = 0.0,
               phase0: float = 0.0, detune_cents: float = 0.0) -> np.ndarray:
    """Play a one-period ``table`` at ``f0`` for ``n`` samples (linear interpolation, vibrato).

    Examples
    --------
    >>> from musicviz.synth.instruments import oscillator, wavetable
    >>> y = oscillator(wavetable([1.0]), 441.0, 22050, sr=22050)
    >>> round(float(y.max()), 2)
    1.0
    """
    f = f0 * 2.0 ** (detune_cents / 1200.0)
    # Closed-form phase (in cycles) of a sinusoidally modulated frequency: no cumulative sum.
    cycles = np.arange(n) * (f / sr)
    if vibrato_hz > 0 and vibrato_cents > 0:
        depth = 2.0 ** (vibrato_cents / 1200.0) - 1.0
        cycles += f * depth / (2 * np.pi * vibrato_hz) * (1.0 - np.cos(np.arange(n) * (2 * np.pi * vibrato_hz / sr)))
    if phase0:
        cycles += phase0
    cycles -= np.floor(cycles)
    cycles *= _TABLE_SIZE
    i0 = cycles.astype(np.intp)
    frac = cycles - i0
    ext = np.append(table, table[0])  # guard sample: index i0 + 1 never wraps
    lo = ext[i0]
    return lo + frac * (ext[i0 + 1] - lo)


# --- plucked and struck strings ------------------------------------------------------------

def pluck(f0: float, dur: float, *, sr: int, rng: np.random.Generator, brightness: float = 0.6, damping: float = 0.996,
          release: float = 0.03) -> np.ndarray:
    """Karplus-Strong plucked string, run as an IIR filter with :func:`scipy.signal.lfilter`.

    The loop is ``y[n] = x[n] + rho/2 (y[n-N] + y[n-N-1])``: a delay of ``N = sr/f0`` samples
    with a two-point average, i.e. a denominator of length ``N + 2``. ``brightness`` (0-1)
    low-passes the noise burst (dull thumb to bright pick); ``damping`` is rho.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.synth.instruments import pluck
    >>> y = pluck(220.0, 0.5, sr=22050, rng=np.random.default_rng(0))
    >>> y.shape, float(np.abs(y).max()) <= 1.0
    ((11025,), True)
    """
    n = _n(dur, sr)
    period = max(int(round(sr / f0 - 0.5)), 2)
    burst = rng.uniform(-1.0, 1.0, period)
    # One-pole low-pass on the burst: a soft pluck has fewer high partials.
    pole = 0.9 * (1.0 - brightness)
    burst = lfilter([1.0 - pole], [1.0, -pole], burst)
    burst -= burst.mean()
    x = np.zeros(n)
    x[: min(period, n)] = burst[: min(period, n)]
    a = np.zeros(period + 2)
    a[0] = 1.0
    a[period] = a[period + 1] = -0.5 * damping
    y = lfilter([1.0], a, x)
    y *= envelope(n, sr=sr, attack=0.0005, release=release)
    peak = np.max(np.abs(y))
    return y / peak if peak > 0 else y


def strum(freqs, dur: float, *, sr: int, rng: np.random.Generator, spread: float = 0.012, brightness: float = 0.6,
          damping: float = 0.995, down: bool = True) -> np.ndarray:
    """Strummed chord: Karplus-Strong strings started ``spread`` seconds apart.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.synth.instruments import strum
    >>> strum([196.0, 247.0, 294.0], 0.5, sr=22050, rng=np.random.default_rng(0)).shape
    (11025,)
    """
    n = _n(dur, sr)
    out = np.zeros(n)
    order = list(freqs) if down else list(freqs)[::-1]
    for i, f in enumerate(order):
        start = int(i * spread * sr)
        if start >= n:
            break
        out[start:] += pluck(f, (n - start) / sr, sr=sr, rng=rng, brightness=brightness, damping=damping)
    return out / max(len(order), 1) ** 0.5


def piano(f0: float, dur: float, *, sr: int, brightness: float = 0.5, release: float = 0.12) -> np.ndarray:
    """Piano-like tone: bright attack fading into a duller sustain, two slightly detuned strings.

    Examples
    --------
    >>> from musicviz.synth.instruments import piano
    >>> piano(261.63, 1.0, sr=22050).shape  # the note plus its 0.12 s release
    (24696,)
    """
    n = _n(dur + release, sr)
    nh = min(_harmonic_count(f0, sr, 7000.0), 24)
    k = np.arange(1, nh + 1)
    bright = wavetable((1.0 / k ** (1.6 - 0.8 * brightness)) * (1 + 0.3 * np.sin(np.pi * k / 7.0)) ** 2)
    dull = wavetable(1.0 / k ** 3.0)
    # Higher notes die sooner, as on a real piano.
    long_decay = 2.5 * (261.63 / f0) ** 0.5
    short_decay = 0.15 + 0.1 * brightness
    y = np.zeros(n)
    for cents in (-1.5, 1.8):  # two strings, slightly apart: the beating of a real unison
        y += (envelope(n, sr=sr, attack=0.002, decay=short_decay, release=release, sustain_len=_n(dur, sr)) * oscillator(bright, f0, n, sr=sr, detune_cents=cents)
              + envelope(n, sr=sr, attack=0.002, decay=long_decay, release=release, sustain_len=_n(dur, sr)) * 0.6 * oscillator(dull, f0, n, sr=sr, detune_cents=cents))
    return 0.5 * y


def epiano(f0: float, dur: float, *, sr: int, release: float = 0.1) -> np.ndarray:
    """Electric-piano (tine) tone: a sine body with a short metallic bell partial.

    Examples
    --------
    >>> from musicviz.synth.instruments import epiano
    >>> epiano(220.0, 0.5, sr=22050).shape
    (13230,)
    """
    n = _n(dur + release, sr)
    body = oscillator(wavetable([1.0, 0.25, 0.08]), f0, n, sr=sr, vibrato_hz=4.5, vibrato_cents=3)
    t = np.arange(n) / sr
    bell = np.sin(2 * np.pi * min(f0 * 7.1, 0.45 * sr) * t) * np.exp(-t / 0.05)
    env = envelope(n, sr=sr, attack=0.002, decay=1.2, release=release, sustain_len=_n(dur, sr))
    return env * (body + 0.35 * bell)


# --- sustained tones ----------------------------------------------------------------------

def bowed(f0: float, dur: float, *, sr: int, attack: float = 0.2, release: float = 0.3, vibrato_cents: float = 8.0,
          voices: int = 3, brightness: float = 0.5) -> np.ndarray:
    """Bowed string / string-section pad: saw-like harmonics, slow attack, vibrato, chorus.

    Examples
    --------
    >>> from musicviz.synth.instruments import bowed
    >>> bowed(220.0, 1.0, sr=22050).shape
    (28665,)
    """
    n = _n(dur + release, sr)
    nh = min(_harmonic_count(f0, sr, 3000.0 + 4000.0 * brightness), 40)
    k = np.arange(1, nh + 1)
    table = wavetable(1.0 / k ** (1.5 - 0.6 * brightness))
    y = np.zeros(n)
    for v in range(voices):
        detune = (v - (voices - 1) / 2) * 7.0  # a section, not one player
        y += oscillator(table, f0, n, sr=sr, vibrato_hz=5.0 + 0.4 * v, vibrato_cents=vibrato_cents, phase0=0.31 * v,
                        detune_cents=detune)
    env = envelope(n, sr=sr, attack=attack, release=release, sustain_len=_n(dur, sr))
    return env * y / voices


def organ(f0: float, dur: float, *, sr: int, drawbars=(1.0, 0.8, 0.5, 0.4, 0.0, 0.3, 0.0, 0.25), release: float = 0.02,
          percussive: bool = False) -> np.ndarray:
    """Tonewheel-organ tone from drawbar levels (harmonics 1-8), instant attack.

    Examples
    --------
    >>> from musicviz.synth.instruments import organ
    >>> organ(220.0, 0.25, sr=22050).shape
    (5954,)
    """
    n = _n(dur + release, sr)
    nh = min(len(drawbars), _harmonic_count(f0, sr))
    y = oscillator(wavetable(drawbars[:nh]), f0, n, sr=sr, vibrato_hz=6.5, vibrato_cents=4)
    env = envelope(n, sr=sr, attack=0.003, decay=0.35 if percussive else None, release=release, sustain_len=_n(dur, sr))
    return env * y


def reed(f0: float, dur: float, *, sr: int, rng: np.random.Generator, breath: float = 0.08, release: float = 0.06,
         brightness: float = 0.5, vibrato_cents: float = 15.0) -> np.ndarray:
    """Reed-like tone (saxophone, harmonica): formant-weighted harmonics, vibrato, breath noise.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.synth.instruments import reed
    >>> reed(392.0, 0.5, sr=22050, rng=np.random.default_rng(0)).shape
    (12348,)
    """
    n = _n(dur + release, sr)
    nh = min(_harmonic_count(f0, sr, 6000.0), 30)
    fk = f0 * np.arange(1, nh + 1)
    # A broad resonance around 1-2 kHz gives the nasal, reedy colour.
    centre = 900.0 + 1200.0 * brightness
    amps = (1.0 / np.arange(1, nh + 1) ** 0.7) * (0.25 + np.exp(-0.5 * ((fk - centre) / 700.0) ** 2))
    y = oscillator(wavetable(amps), f0, n, sr=sr, vibrato_hz=5.5, vibrato_cents=vibrato_cents)
    noise = bandpass(rng.standard_normal(n), 1500.0, 6000.0, sr=sr)
    env = envelope(n, sr=sr, attack=0.03, release=release, sustain_len=_n(dur, sr))
    return env * (y + breath * noise)


def synth(f0: float, dur: float, *, sr: int, shape: str = "saw", attack: float = 0.01, release: float = 0.1,
          brightness: float = 0.7, voices: int = 2, decay: float | None = None) -> np.ndarray:
    """Analogue-style synth tone: band-limited saw or square, detuned voices.

    Examples
    --------
    >>> from musicviz.synth.instruments import synth
    >>> synth(440.0, 0.5, sr=22050).shape
    (13230,)
    """
    n = _n(dur + release, sr)
    nh = min(_harmonic_count(f0, sr, 2500.0 + 7000.0 * brightness), 60)
    k = np.arange(1, nh + 1)
    amps = 1.0 / k if shape == "saw" else np.where(k % 2 == 1, 1.0 / k, 0.0)
    table = wavetable(amps * np.exp(-k * f0 / (2000.0 + 8000.0 * brightness)))
    y = np.zeros(n)
    for v in range(voices):
        y += oscillator(table, f0, n, sr=sr, detune_cents=(v - (voices - 1) / 2) * 9.0, phase0=0.27 * v)
    env = envelope(n, sr=sr, attack=attack, decay=decay, release=release, sustain_len=_n(dur, sr))
    return env * y / voices


def voice(f0: float, dur: float, *, sr: int, rng: np.random.Generator, vowel: str = "a", consonant: float = 0.5,
          release: float = 0.05, vibrato_cents: float = 20.0, breath: float = 0.05) -> np.ndarray:
    """Voice-like syllable: a glottal buzz shaped by vowel formants, with a sibilant onset.

    Used for sung pop hooks and rhythmic, spoken-like hip-hop lines (``vibrato_cents=0``).

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.synth.instruments import voice
    >>> voice(220.0, 0.3, sr=22050, rng=np.random.default_rng(0), vowel="o").shape
    (7717,)
    """
    n = _n(dur + release, sr)
    nh = min(_harmonic_count(f0, sr, 5500.0), 60)
    fk = f0 * np.arange(1, nh + 1)
    formants, widths = VOWELS[vowel]
    amps = np.full(nh, 0.02)
    for i, (fc, bw) in enumerate(zip(formants, widths)):
        amps += (1.0, 0.6, 0.3)[i] * np.exp(-0.5 * ((fk - fc) / (bw * 1.5)) ** 2)
    amps /= np.arange(1, nh + 1) ** 0.3
    y = oscillator(wavetable(amps), f0, n, sr=sr, vibrato_hz=5.5, vibrato_cents=vibrato_cents)
    y += breath * bandpass(rng.standard_normal(n), 2000.0, 8000.0, sr=sr)
    env = envelope(n, sr=sr, attack=0.02, release=release, sustain_len=_n(dur, sr))
    y *= env
    if consonant > 0:
        # "s"/"t"/"ch": a burst of high noise before the vowel.
        m = min(int(0.05 * sr), n)
        hiss = highpass(rng.standard_normal(m), 4000.0, sr=sr) * np.linspace(1.0, 0.0, m) ** 2
        y[:m] += consonant * 1.5 * hiss
    return y


def bass(f0: float, dur: float, *, sr: int, kind: str = "electric", release: float = 0.05) -> np.ndarray:
    """Bass voices: ``electric`` (finger bass), ``upright`` (jazz), ``synth`` (disco/pop), ``sub`` (808).

    Examples
    --------
    >>> from musicviz.synth.instruments import bass
    >>> bass(55.0, 0.5, sr=22050, kind="sub").shape
    (12128,)
    """
    n = _n(dur + release, sr)
    sus = _n(dur, sr)
    if kind == "upright":
        table = wavetable([1.0, 0.5, 0.25, 0.12, 0.05])
        env = envelope(n, sr=sr, attack=0.004, decay=0.35, release=release, sustain_len=sus)
    elif kind == "synth":
        nh = min(_harmonic_count(f0, sr, 2500.0), 30)
        k = np.arange(1, nh + 1)
        table = wavetable(1.0 / k * np.exp(-k * f0 / 800.0))
        env = envelope(n, sr=sr, attack=0.003, decay=0.5, release=release, sustain_len=sus)
    elif kind == "sub":
        table = wavetable([1.0, 0.08, 0.03])
        env = envelope(n, sr=sr, attack=0.004, decay=0.9, release=release, sustain_len=sus)
    else:
        table = wavetable([1.0, 0.6, 0.3, 0.15, 0.1, 0.05])
        env = envelope(n, sr=sr, attack=0.003, decay=0.8, release=release, sustain_len=sus)
    return env * oscillator(table, f0, n, sr=sr)


def distorted_chord(freqs, dur: float, *, sr: int, rng: np.random.Generator, gain: float = 10.0, cabinet: float = 5000.0,
                    muted: bool = False) -> np.ndarray:
    """Distorted electric guitar: plucked strings -> ``tanh(gain * x)`` -> cabinet low-pass.

    More ``gain`` means more harmonics: a brighter spectrum and a higher zero-crossing rate
    (rock about 3-8, metal 15-50). ``muted`` is a palm mute: short and darker.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.synth.instruments import distorted_chord
    >>> y = distorted_chord([82.4, 123.5], 0.3, sr=22050, rng=np.random.default_rng(0), gain=20)
    >>> float(np.abs(y).max()) <= 1.0
    True
    """
    n = _n(dur, sr)
    x = np.zeros(n)
    for f in freqs:
        x += pluck(f, dur, sr=sr, rng=rng, brightness=0.8, damping=0.9 if muted else 0.998)
    x /= max(len(freqs), 1)
    y = np.tanh(gain * x) / np.tanh(gain)
    y = lowpass(y, cabinet * (0.6 if muted else 1.0), sr=sr, order=4)
    y = highpass(y, 80.0, sr=sr)
    y *= envelope(n, sr=sr, attack=0.001, decay=0.08 if muted else None, release=0.02)
    return np.clip(y, -1.0, 1.0)
