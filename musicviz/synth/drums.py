"""The drum kit of the synthetic genre set: its sounds and its grooves (numpy/scipy only).

Notebook: ``00_introduction.ipynb`` (where the synthetic clips are introduced).

Grooves are written on the grid of :mod:`musicviz.synth.patterns`, sixteen 16th-note steps per
4/4 bar, as strings with one character per step (``X`` accent, ``x`` normal, ``o`` ghost note,
``.`` rest), so a groove reads like a drum-machine screen::

    four_floor  kick  X...X...X...X...      (disco: a kick on every beat)
    one_drop    kick  ........X.......      (reggae: kick and rim together on beat 3)

:func:`drum_hits` turns a groove into hits, with a crash and a snare fill every few bars. The
sounds are textbook drum synthesis, one hit per call (overlap-added by the arranger): a
pitch-swept sine kick, tone + noise snare, clap bursts, a rim click, high-passed noise hats and
cymbals, a brush swish. Randomness comes only from the ``rng`` passed in (one
:class:`numpy.random.Generator` per clip), and nothing here calls BLAS, so a clip renders
identically on any machine.
"""

from __future__ import annotations

import numpy as np

from musicviz.synth.instruments import _n, bandpass, envelope, highpass, lowpass

__all__ = ["DRUMS", "CRASH_EVERY", "FILL_EVERY", "drum_hits", "velocity", "kick", "snare", "clap", "rim", "hihat",
           "cymbal", "brush"]

# --- grooves -------------------------------------------------------------------------------

_VEL = {"X": 1.0, "x": 0.7, "o": 0.35}

#: Drum grooves: style -> kit piece -> 16-step pattern.
DRUMS: dict[str, dict[str, str]] = {
    "shuffle": {"kick": "X.......X.......", "snare": "....X.......X...", "hat": "X.x.X.x.X.x.X.x."},
    "slow_blues": {"kick": "X.....x.X.......", "snare": "....X.......X...", "ride": "X.x.X.x.X.x.X.x."},
    "train": {"kick": "X.......X.......", "brush": "o.x.o.X.o.x.o.X.", "hat": "x.x.x.x.x.x.x.x."},
    "country_two": {"kick": "X.......X.......", "rim": "....X.......X...", "hat": "x.x.x.x.x.x.x.x."},
    "four_floor": {"kick": "X...X...X...X...", "clap": "....X.......X...", "snare": "....x.......x...",
                   "hat": "xo.oxo.oxo.oxo.o", "ohat": "..X...X...X...X."},
    "boom_bap": {"kick": "X......X..X.....", "snare": "....X.......X...", "hat": "xoxoxoxoxoxoxoxo"},
    "trap_lite": {"kick": "X.....X.....X...", "snare": "........X.......", "hat": "xxxxxxxxxxxxxxxx"},
    "swing_ride": {"ride": "X...X.x.X...X.x.", "pedal": "....x.......x...", "kick": "o.......o.......",
                   "snare": "......o.......o."},
    "brushes": {"brush": "x.o.x.o.x.o.x.o.", "pedal": "....x.......x...", "kick": "o.......o......."},
    "double_kick": {"kick": "XXXXXXXXXXXXXXXX", "snare": "....X.......X...", "hat": "X.x.X.x.X.x.X.x."},
    "blast": {"kick": "X.X.X.X.X.X.X.X.", "snare": ".X.X.X.X.X.X.X.X", "crash": "X...X...X...X..."},
    "metal_half": {"kick": "X.X...X.X.X...X.", "snare": "........X.......", "crash": "X.......X......."},
    "pop_backbeat": {"kick": "X.......X.X.....", "snare": "....X.......X...", "clap": "....X.......X...",
                     "hat": "x.x.x.x.x.x.x.x."},
    "pop_half": {"kick": "X.........X.....", "snare": "........X.......", "hat": "x.x.x.x.x.x.x.x."},
    "one_drop": {"kick": "........X.......", "rim": "........X.......", "hat": "o.X.o.X.o.X.o.X."},
    "steppers": {"kick": "X...X...X...X...", "rim": "........X.......", "hat": "x.x.x.x.x.x.x.x."},
    "rock_beat": {"kick": "X.......X.X.....", "snare": "....X.......X...", "hat": "X.x.X.x.X.x.X.x."},
    "rock_drive": {"kick": "X.X.....X.X.....", "snare": "....X.......X...", "ride": "X.X.X.X.X.X.X.X."},
}

#: A crash cymbal on the first beat every this many bars (0: never).
CRASH_EVERY = {"rock_beat": 4, "rock_drive": 4, "double_kick": 2, "metal_half": 4, "pop_backbeat": 8,
               "four_floor": 8, "pop_half": 8, "shuffle": 12, "boom_bap": 0, "trap_lite": 0, "one_drop": 8,
               "steppers": 8, "slow_blues": 12, "train": 8, "country_two": 8, "swing_ride": 0, "brushes": 0, "blast": 0}

#: A snare fill in the last beat of every this many bars (0: never).
FILL_EVERY = {"rock_beat": 4, "rock_drive": 8, "double_kick": 4, "metal_half": 4, "pop_backbeat": 8, "shuffle": 12,
              "one_drop": 8, "train": 8, "country_two": 8}
_FILL = "............XxXX"


def velocity(char: str) -> float:
    """Velocity of a pattern character (``X`` 1.0, ``x`` 0.7, ``o`` 0.35, anything else 0).

    Examples
    --------
    >>> from musicviz.synth.drums import velocity
    >>> velocity("X"), velocity(".")
    (1.0, 0.0)
    """
    return _VEL.get(char, 0.0)


def drum_hits(style: str, n_bars: int) -> list[tuple[str, int, float]]:
    """All drum hits ``(piece, absolute step, velocity)`` of a groove over ``n_bars`` bars.

    Examples
    --------
    >>> from musicviz.synth.drums import drum_hits
    >>> [h for h in drum_hits("one_drop", 1) if h[0] in ("kick", "rim")]
    [('kick', 8, 1.0), ('rim', 8, 1.0)]
    """
    groove = DRUMS[style]
    crash_every = CRASH_EVERY.get(style, 0)
    fill_every = FILL_EVERY.get(style, 0)
    hits = []
    for bar in range(n_bars):
        fill = fill_every and bar % fill_every == fill_every - 1
        for piece, pattern in groove.items():
            if fill and piece == "snare":
                pattern = "".join(f if f != "." else p for p, f in zip(pattern, _FILL))
            for step, ch in enumerate(pattern):
                v = velocity(ch)
                if v:
                    hits.append((piece, bar * 16 + step, v))
        if crash_every and bar % crash_every == 0:
            hits.append(("crash", bar * 16, 1.0))
    return hits


# --- sounds --------------------------------------------------------------------------------

def kick(*, sr: int, rng: np.random.Generator, f_start: float = 150.0, f_end: float = 50.0, decay: float = 0.25,
         click: float = 0.3, sweep: float = 0.03) -> np.ndarray:
    """Kick drum: a sine sweeping from ``f_start`` down to ``f_end`` with a fast decay, plus a click.

    A long ``decay`` and low ``f_end`` make an 808-style pitched sub kick.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.synth.drums import kick
    >>> kick(sr=22050, rng=np.random.default_rng(0)).shape
    (16538,)
    """
    n = _n(max(0.5, 3 * decay), sr)
    t = np.arange(n) / sr
    # Phase of f(t) = f_end + (f_start - f_end) exp(-t / sweep), integrated in closed form.
    phase = 2 * np.pi * (f_end * t + (f_start - f_end) * sweep * (1 - np.exp(-t / sweep)))
    y = np.sin(phase) * np.exp(-t / decay)
    m = int(0.004 * sr)
    y[:m] += click * lowpass(rng.standard_normal(m), 4000.0, sr=sr) * np.linspace(1, 0, m)
    y *= envelope(n, sr=sr, attack=0.0005, release=0.02)
    return y / np.max(np.abs(y))


def snare(*, sr: int, rng: np.random.Generator, tone: float = 190.0, snappy: float = 0.7, decay: float = 0.15) -> np.ndarray:
    """Snare drum: a short ~190 Hz tone plus band-passed noise (the snares).

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.synth.drums import snare
    >>> snare(sr=22050, rng=np.random.default_rng(0)).shape
    (8820,)
    """
    n = _n(0.4, sr)
    t = np.arange(n) / sr
    body = np.sin(2 * np.pi * tone * t) * np.exp(-t / 0.05)
    noise = bandpass(rng.standard_normal(n), 1200.0, 9000.0, sr=sr) * np.exp(-t / decay)
    y = (1 - snappy) * body + snappy * 1.5 * noise
    y *= envelope(n, sr=sr, attack=0.0005, release=0.02)
    return y / np.max(np.abs(y))


def clap(*, sr: int, rng: np.random.Generator) -> np.ndarray:
    """Hand clap: three noise bursts about 10 ms apart and a short band-passed tail.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.synth.drums import clap
    >>> clap(sr=22050, rng=np.random.default_rng(0)).shape
    (6615,)
    """
    n = _n(0.3, sr)
    t = np.arange(n) / sr
    env = np.exp(-t / 0.09) * 0.6
    for k in range(3):
        start = 0.01 * k
        env += np.where(t >= start, np.exp(-(t - start) / 0.006), 0.0)
    y = bandpass(rng.standard_normal(n), 900.0, 5000.0, sr=sr) * env
    return y / np.max(np.abs(y))


def rim(*, sr: int, rng: np.random.Generator) -> np.ndarray:
    """Rim shot / cross-stick: a hard click with a woody ~400 Hz ring (reggae one-drop).

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.synth.drums import rim
    >>> rim(sr=22050, rng=np.random.default_rng(0)).shape
    (3308,)
    """
    n = _n(0.15, sr)
    t = np.arange(n) / sr
    y = np.sin(2 * np.pi * 420.0 * t) * np.exp(-t / 0.03) + bandpass(rng.standard_normal(n), 1500.0, 5000.0, sr=sr) * np.exp(-t / 0.008)
    return y / np.max(np.abs(y))


def hihat(*, sr: int, rng: np.random.Generator, open_: bool = False, cutoff: float = 7000.0) -> np.ndarray:
    """Hi-hat: high-passed noise with a metallic square-wave cluster; closed short, open long.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.synth.drums import hihat
    >>> hihat(sr=22050, rng=np.random.default_rng(0)).shape
    (2205,)
    """
    n = _n(0.45 if open_ else 0.1, sr)
    t = np.arange(n) / sr
    metal = np.zeros(n)
    for f in (205.3, 304.4, 369.6, 522.7, 540.0, 800.0):  # the classic six-oscillator cluster
        metal += np.sign(np.sin(2 * np.pi * f * 1.7 * t))
    y = highpass(0.7 * rng.standard_normal(n) + 0.3 * metal, cutoff, sr=sr, order=4)
    y *= np.exp(-t / (0.16 if open_ else 0.025))
    y *= envelope(n, sr=sr, attack=0.0005, release=0.01)
    return y / np.max(np.abs(y))


def cymbal(*, sr: int, rng: np.random.Generator, kind: str = "crash") -> np.ndarray:
    """Crash (long wash) or ride (ping with a shorter wash) cymbal.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.synth.drums import cymbal
    >>> cymbal(sr=22050, rng=np.random.default_rng(0), kind="ride").shape
    (16538,)
    """
    ride = kind == "ride"
    n = _n(0.75 if ride else 1.8, sr)
    t = np.arange(n) / sr
    wash = highpass(rng.standard_normal(n), 5000.0 if ride else 3500.0, sr=sr, order=2) * np.exp(-t / (0.35 if ride else 0.8))
    y = wash * (0.5 if ride else 1.0)
    if ride:
        for f, a in ((3150.0, 1.0), (4220.0, 0.6), (5380.0, 0.5), (6410.0, 0.3)):
            y += a * 0.25 * np.sin(2 * np.pi * f * t) * np.exp(-t / 0.25)
    y *= envelope(n, sr=sr, attack=0.001, release=0.05)
    return y / np.max(np.abs(y))


def brush(*, sr: int, rng: np.random.Generator) -> np.ndarray:
    """Brush on a snare: a soft swish of band-passed noise with a slower attack.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.synth.drums import brush
    >>> brush(sr=22050, rng=np.random.default_rng(0)).shape
    (5512,)
    """
    n = _n(0.25, sr)
    t = np.arange(n) / sr
    y = bandpass(rng.standard_normal(n), 2000.0, 8000.0, sr=sr) * (1 - np.exp(-t / 0.01)) * np.exp(-t / 0.07)
    return y / np.max(np.abs(y))
