"""Note patterns: the bass, chord and melody styles of each genre.

Notebook: ``00_introduction.ipynb``.

Everything is written on a grid of sixteen 16th-note steps per 4/4 bar (the drum grooves, on
the same grid, are in :mod:`musicviz.synth.drums`). The part styles are small functions that turn the chord of each bar into notes
``(step, length in steps, MIDI pitches, velocity)``; swing and humanising are applied later,
when steps become seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Chord", "Note", "Context", "STYLES"]

@dataclass(frozen=True)
class Chord:
    """A chord: root pitch class (0 = C) and intervals above the root in semitones."""

    root: int
    intervals: tuple[int, ...]

    def pcs(self) -> list[int]:
        return [(self.root + i) % 12 for i in self.intervals]


@dataclass(frozen=True)
class Note:
    """A note or chord to render: start step (16ths from the clip start), length in steps, pitches, velocity."""

    step: float
    length: float
    pitches: tuple[int, ...]
    velocity: float = 1.0


@dataclass
class Context:
    """What a part style needs: the bars' chords, the key, the scale and the clip's generator."""

    chords: list[Chord]
    key: int
    scale: tuple[int, ...]
    rng: np.random.Generator
    octave: int
    kick_steps: tuple[int, ...] = ()
    opts: dict | None = None

    @property
    def n_bars(self) -> int:
        return len(self.chords)


def place(pc: int, low: int) -> int:
    """Lowest MIDI note of pitch class ``pc`` at or above ``low``."""
    return low + (pc - low) % 12


def voicing(chord: Chord, low: int, *, rng: np.random.Generator, max_notes: int = 4) -> tuple[int, ...]:
    """Close voicing of ``chord`` from ``low`` upwards, in a random inversion."""
    ivs = list(dict.fromkeys(i % 12 for i in chord.intervals))
    if len(ivs) > max_notes:  # drop the fifth first, as pianists do
        ivs = [i for i in ivs if i != 7][:max_notes]
    inv = int(rng.integers(len(ivs)))
    order = ivs[inv:] + ivs[:inv]
    notes, cur = [], low
    for i in order:
        p = place((chord.root + i) % 12, cur)
        notes.append(p)
        cur = p + 1
    return tuple(notes)


def _scale_notes(ctx: Context, low: int, high: int) -> np.ndarray:
    return np.array([m for m in range(low, high + 1) if (m - ctx.key) % 12 in ctx.scale])


# --- bass styles ---------------------------------------------------------------------------

def _bass_walking(ctx):
    notes, low = [], 12 * ctx.octave + 16  # around E1-E2 for octave 2
    for bar, ch in enumerate(ctx.chords):
        nxt = ctx.chords[(bar + 1) % ctx.n_bars]
        root = place(ch.root, low)
        tones = [root, root + ch.intervals[1], root + ch.intervals[2]]
        target = place(nxt.root, low)
        approach = target + (1 if ctx.rng.random() < 0.5 else -1)  # chromatic approach
        line = [root, tones[int(ctx.rng.integers(1, 3))], tones[int(ctx.rng.integers(0, 3))] + 12 * (ctx.rng.random() < 0.3), approach]
        for beat, p in enumerate(line):
            notes.append(Note(bar * 16 + 4 * beat, 3.5, (int(p),), 0.8 + 0.2 * (beat == 0)))
    return notes


def _bass_boogie(ctx):
    notes, low = [], 12 * ctx.octave + 16
    for bar, ch in enumerate(ctx.chords):
        root = place(ch.root, low)
        third = 3 if 3 in ch.intervals and ctx.rng.random() < 0.5 else 4
        for k, iv in enumerate((0, third, 7, 9, 10, 9, 7, third)):
            notes.append(Note(bar * 16 + 2 * k, 1.8, (root + iv,), 1.0 if k % 2 == 0 else 0.75))
    return notes


def _bass_root_fifth(ctx):
    notes, low = [], 12 * ctx.octave + 19
    for bar, ch in enumerate(ctx.chords):
        root = place(ch.root, low)
        fifth = root + 7 if root + 7 < low + 14 else root - 5
        notes += [Note(bar * 16, 3.5, (root,)), Note(bar * 16 + 8, 3.5, (fifth,), 0.85)]
        if bar % 4 == 3 and ctx.rng.random() < 0.6:  # walk-up into the next chord
            nxt = place(ctx.chords[(bar + 1) % ctx.n_bars].root, low)
            notes += [Note(bar * 16 + 12, 1.8, (nxt - 3,), 0.7), Note(bar * 16 + 14, 1.8, (nxt - 1,), 0.7)]
    return notes


def _bass_octave(ctx):
    notes, low = [], 12 * ctx.octave + 16
    for bar, ch in enumerate(ctx.chords):
        root = place(ch.root, low)
        for k in range(8):
            notes.append(Note(bar * 16 + 2 * k, 1.4, (root + 12 * (k % 2),), 1.0 if k % 2 == 0 else 0.85))
    return notes


def _bass_roots8(ctx):
    notes, low = [], 12 * ctx.octave + 16
    for bar, ch in enumerate(ctx.chords):
        root = place(ch.root, low)
        for k in range(8):
            notes.append(Note(bar * 16 + 2 * k, 1.8, (root,), 1.0 if k % 4 == 0 else 0.8))
    return notes


def _bass_pop8(ctx):
    notes, low = [], 12 * ctx.octave + 16
    rhythm = [0, 3, 6, 8, 10, 14] if ctx.rng.random() < 0.5 else [0, 2, 4, 6, 8, 10, 12, 14]
    for bar, ch in enumerate(ctx.chords):
        root = place(ch.root, low)
        for k, s in enumerate(rhythm):
            p = root + (7 if k == len(rhythm) - 2 and ctx.rng.random() < 0.3 else 0)
            notes.append(Note(bar * 16 + s, 1.8, (p,), 1.0 if s % 8 == 0 else 0.8))
    return notes


def _bass_sub808(ctx):
    notes, low = [], 12 * ctx.octave + 21
    kicks = sorted(s for s in ctx.kick_steps)
    for bar, ch in enumerate(ctx.chords):
        root = place(ch.root, low)
        bar_kicks = [s - bar * 16 for s in kicks if bar * 16 <= s < bar * 16 + 16] or [0]
        for i, s in enumerate(bar_kicks):
            end = bar_kicks[i + 1] if i + 1 < len(bar_kicks) else 16
            notes.append(Note(bar * 16 + s, max(end - s - 0.5, 1.5), (root,), 1.0))
    return notes


def _bass_reggae(ctx):
    # One riff per clip, transposed to each chord: bass in reggae is a melody with space.
    rng, low = ctx.rng, 12 * ctx.octave + 16
    steps = sorted(rng.choice([2, 3, 4, 6, 7, 10, 11, 12, 14], size=int(rng.integers(4, 7)), replace=False))
    degs = rng.choice([0, 0, 7, 12, 10, 3, 5], size=len(steps))
    notes = []
    for bar, ch in enumerate(ctx.chords):
        root = place(ch.root, low)
        for i, (s, d) in enumerate(zip(steps, degs)):
            end = steps[i + 1] if i + 1 < len(steps) else 16
            iv = 4 if d == 3 and 4 in ch.intervals else int(d)
            notes.append(Note(bar * 16 + s, max(end - s, 1.0), (root + iv,), 1.0))
    return notes


def _bass_sustain(ctx):
    notes, low = [], 12 * ctx.octave + 12
    for bar, ch in enumerate(ctx.chords):
        notes.append(Note(bar * 16, 15.5, (place(ch.root, low),), 0.9))
    return notes


def _bass_follow(ctx):
    # Metal: the bass doubles the guitar's chug an octave down.
    notes, low = [], 12 * ctx.octave + 16
    for bar, ch in enumerate(ctx.chords):
        root = place(ch.root, low + 12) - 12
        for k in range(0, 16, 2):
            notes.append(Note(bar * 16 + k, 1.8, (root,), 1.0))
    return notes


# --- chord styles --------------------------------------------------------------------------

def _chord_low(ctx):
    return 12 * ctx.octave + 7


def _shuffle_riff(ctx):
    # The boogie guitar figure: root + fifth, sixth, flat seventh, sixth (two eighths each), swung.
    notes, low = [], 12 * ctx.octave + 4
    for bar, ch in enumerate(ctx.chords):
        root = place(ch.root, low)
        for k in range(8):
            top = root + (7, 7, 9, 9, 10, 10, 9, 9)[k]
            notes.append(Note(bar * 16 + 2 * k, 1.8, (root, top), 0.9 if k % 2 == 0 else 0.7))
    return notes


def _stabs_24(ctx):
    notes = []
    for bar, ch in enumerate(ctx.chords):
        v = voicing(ch, _chord_low(ctx), rng=ctx.rng)
        for s in (4, 12):
            notes.append(Note(bar * 16 + s, 2.5, v, 0.8))
        if ctx.rng.random() < 0.4:
            notes.append(Note(bar * 16 + 14, 1.5, v, 0.6))
    return notes


def _pad(ctx):
    notes = []
    for bar, ch in enumerate(ctx.chords):
        notes.append(Note(bar * 16, 16.0, voicing(ch, _chord_low(ctx), rng=ctx.rng), 0.8))
    return notes


def _arpeggio(ctx):
    # Alberti-style broken chords: bottom, top, middle, top ... in 8ths or 16ths.
    rng = ctx.rng
    unit = 2 if rng.random() < 0.6 else 1
    order = [0, 2, 1, 2] if rng.random() < 0.5 else [0, 1, 2, 3, 2, 1]
    notes = []
    for bar, ch in enumerate(ctx.chords):
        v = list(voicing(ch, _chord_low(ctx) - 5, rng=rng, max_notes=3)) + [place(ch.root, _chord_low(ctx) + 7)]
        for k, s in enumerate(range(0, 16, unit)):
            p = v[order[k % len(order)] % len(v)]
            notes.append(Note(bar * 16 + s, unit * 1.5, (p,), 0.9 if s % 4 == 0 else 0.65))
    return notes


def _boom_chick(ctx):
    notes = []
    for bar, ch in enumerate(ctx.chords):
        v = voicing(ch, _chord_low(ctx), rng=ctx.rng, max_notes=4)
        for s in (4, 12):
            notes.append(Note(bar * 16 + s, 3.0, v, 0.9))
        if ctx.rng.random() < 0.5:
            notes.append(Note(bar * 16 + 14, 1.5, v, 0.6))
    return notes


def _banjo_roll(ctx):
    notes, pattern = [], [0, 1, 2, 0, 1, 2, 0, 2]
    for bar, ch in enumerate(ctx.chords):
        v = voicing(ch, _chord_low(ctx), rng=ctx.rng, max_notes=3)
        for k in range(8):
            notes.append(Note(bar * 16 + 2 * k, 2.0, (v[pattern[k] % len(v)],), 0.8))
    return notes


def _stabs(ctx):
    rng = ctx.rng
    rhythm = [2, 6, 10, 14] if rng.random() < 0.5 else [0, 3, 6, 10, 12]
    notes = []
    for bar, ch in enumerate(ctx.chords):
        v = voicing(ch, _chord_low(ctx), rng=rng)
        for s in rhythm:
            notes.append(Note(bar * 16 + s, 1.0, v, 0.85))
    return notes


def _chicken(ctx):
    # Disco rhythm guitar: muted 16th scratches with accents on the off-beats.
    notes = []
    for bar, ch in enumerate(ctx.chords):
        v = voicing(ch, _chord_low(ctx) + 5, rng=ctx.rng, max_notes=3)
        for s in range(16):
            notes.append(Note(bar * 16 + s, 0.5, v, 0.8 if s % 4 == 2 else 0.35))
    return notes


def _offbeat(ctx):
    notes = []
    for bar, ch in enumerate(ctx.chords):
        v = voicing(ch, _chord_low(ctx), rng=ctx.rng)
        for s in (2, 6, 10, 14):
            notes.append(Note(bar * 16 + s, 1.5, v, 0.8))
    return notes


def _skank(ctx):
    # Reggae: short, choppy chords on the off-beats (2 and 4 of the half-time feel, or every
    # "and" in the double-time count).
    # Each chop is doubled by a lighter up-stroke a 16th later (the "chk-a").
    notes = []
    steps = (4, 12) if ctx.rng.random() < 0.2 else (2, 6, 10, 14)
    for bar, ch in enumerate(ctx.chords):
        v = voicing(ch, _chord_low(ctx) + 3, rng=ctx.rng, max_notes=3)
        for s in steps:
            notes.append(Note(bar * 16 + s, 0.8, v, 0.9))
            notes.append(Note(bar * 16 + s + 1, 0.6, v, 0.6))
    return notes


def _bubble(ctx):
    # Organ "bubble": staccato 8ths off the beat, alternating low and high.
    notes = []
    for bar, ch in enumerate(ctx.chords):
        v = voicing(ch, _chord_low(ctx), rng=ctx.rng, max_notes=3)
        for s in (2, 3, 6, 7, 10, 11, 14, 15):
            notes.append(Note(bar * 16 + s, 0.6, v if s % 2 else (v[0],), 0.7))
    return notes


def _sample_loop(ctx):
    # A short motif on the first chord, looped every bar or two like a chopped sample.
    rng = ctx.rng
    steps = sorted(rng.choice(range(0, 16, 2), size=int(rng.integers(3, 6)), replace=False))
    notes, voiced = [], {}
    for bar, ch in enumerate(ctx.chords):
        if ch not in voiced:  # the same voicing every time round the loop
            voiced[ch] = voicing(ch, _chord_low(ctx), rng=rng)
        v = voiced[ch]
        for i, s in enumerate(steps):
            chord_hit = i == 0 or rng.random() < 0.3
            notes.append(Note(bar * 16 + s, 3.0, v if chord_hit else (v[i % len(v)] + 12,), 0.8))
    return notes


def _jazz_comp(ctx):
    # Rootless voicings (3rd, 7th, 9th) on syncopated beats.
    rng = ctx.rng
    notes = []
    for bar, ch in enumerate(ctx.chords):
        ivs = (4 if 4 in ch.intervals else 3, 10 if 10 in ch.intervals else 11, 14)
        low = _chord_low(ctx)
        v = tuple(sorted(place((ch.root + i) % 12, low) for i in ivs))
        for s in sorted(rng.choice([0, 2, 4, 6, 8, 10, 12, 14], size=int(rng.integers(2, 4)), replace=False)):
            notes.append(Note(bar * 16 + s, float(rng.choice([1.5, 3.0])), v, 0.6 + 0.3 * rng.random()))
    return notes


def _block4(ctx):
    notes = []
    for bar, ch in enumerate(ctx.chords):
        v = voicing(ch, _chord_low(ctx), rng=ctx.rng)
        for s in (0, 4, 8, 12):
            notes.append(Note(bar * 16 + s, 3.5, v, 0.9 if s == 0 else 0.7))
    return notes


def _pluck8(ctx):
    notes = []
    for bar, ch in enumerate(ctx.chords):
        v = voicing(ch, _chord_low(ctx), rng=ctx.rng, max_notes=3)
        for k in range(8):
            notes.append(Note(bar * 16 + 2 * k, 1.5, (v[k % len(v)],), 0.75))
    return notes


def _strum(ctx):
    notes = []
    for bar, ch in enumerate(ctx.chords):
        v = voicing(ch, _chord_low(ctx), rng=ctx.rng)
        for s in (0, 4, 6, 10, 12, 14):
            notes.append(Note(bar * 16 + s, 2.0, v, 0.8))
    return notes


def _power8(ctx):
    notes, low = [], 12 * ctx.octave + 4
    for bar, ch in enumerate(ctx.chords):
        root = place(ch.root, low)
        for k in range(8):
            notes.append(Note(bar * 16 + 2 * k, 1.9, (root, root + 7, root + 12), 1.0 if k % 2 == 0 else 0.8))
    return notes


def _chug(ctx):
    # Metal: palm-muted 16ths on the low root, open power-chord accents, a chromatic turn.
    rng, low = ctx.rng, 12 * ctx.octave + 4
    accents = set(rng.choice(range(16), size=int(rng.integers(2, 5)), replace=False).tolist())
    rests = set(rng.choice(range(16), size=int(rng.integers(0, 4)), replace=False).tolist()) - accents - {0}
    notes = []
    for bar, ch in enumerate(ctx.chords):
        root = place(ch.root, low)
        for s in range(16):
            if s in rests:
                continue
            if s in accents:
                notes.append(Note(bar * 16 + s, 2.0, (root, root + 7, root + 12), 1.0))
            else:
                notes.append(Note(bar * 16 + s, 0.9, (root, root + 7), 0.8))
    return notes


# --- melody styles -------------------------------------------------------------------------

def _phrase(ctx, *, density: float, lengths, low: int, high: int, rest_bars: float = 0.25, motif_bars: int = 0,
            leap: int = 2, chord_pull: float = 0.5):
    """A melody: a random walk on the scale, pulled to chord tones on strong steps, with rests."""
    rng = ctx.rng
    pool = _scale_notes(ctx, low, high)
    idx = len(pool) // 2
    notes: list[Note] = []
    for bar, ch in enumerate(ctx.chords):
        if motif_bars and (bar // motif_bars) % 2 == 1:
            # A hook repeats: copy the bar motif_bars earlier.
            src = [n for n in notes if (bar - motif_bars) * 16 <= n.step < (bar - motif_bars + 1) * 16]
            notes += [Note(n.step + motif_bars * 16, n.length, n.pitches, n.velocity) for n in src]
            continue
        if rng.random() < rest_bars:
            continue
        s = 0.0
        while s < 16:
            length = float(rng.choice(lengths))
            if rng.random() < density:
                idx = int(np.clip(idx + rng.integers(-leap, leap + 1), 0, len(pool) - 1))
                p = int(pool[idx])
                if s % 4 == 0 and rng.random() < chord_pull:
                    tones = [m for m in pool if m % 12 in ch.pcs()]
                    if tones:
                        p = int(min(tones, key=lambda m: abs(m - p)))
                        idx = int(np.argmin(np.abs(pool - p)))
                notes.append(Note(bar * 16 + s, length * 0.9, (p,), 0.7 + 0.3 * rng.random()))
            s += length
    return notes


def _register(ctx, span=14):
    low = 12 * ctx.octave
    return low, low + span


def _melody(ctx):
    low, high = _register(ctx, 14)
    return _phrase(ctx, density=0.75, lengths=(2, 2, 4, 1), low=low, high=high)


def _licks(ctx):
    low, high = _register(ctx, 15)
    return _phrase(ctx, density=0.7, lengths=(1, 2, 2, 3, 4), low=low, high=high, rest_bars=0.45, leap=2)


def _blues_licks(ctx):
    # Guitar or harmonica fills: busier than rock licks, resting less, landing on chord tones.
    low, high = _register(ctx, 15)
    return _phrase(ctx, density=0.75, lengths=(1, 2, 2, 3, 4), low=low, high=high, rest_bars=0.2, leap=2, chord_pull=0.7)


def _blues_vocal(ctx):
    # Call and response: the singer takes the first two bars (and a beat) of every four, the band answers.
    low, high = _register(ctx, 12)
    notes = _phrase(ctx, density=0.8, lengths=(2, 2, 3, 4, 6), low=low, high=high, rest_bars=0.0, leap=2, chord_pull=0.7)
    return [n for n in notes if (n.step // 16) % 4 < 2 or ((n.step // 16) % 4 == 2 and n.step % 16 < 4)]


def _bebop(ctx):
    low, high = _register(ctx, 19)
    return _phrase(ctx, density=0.8, lengths=(2, 2, 2, 1, 4), low=low, high=high, rest_bars=0.2, leap=2, chord_pull=0.7)


def _hook(ctx):
    low, high = _register(ctx, 12)
    return _phrase(ctx, density=0.8, lengths=(2, 2, 4, 1, 3), low=low, high=high, rest_bars=0.1, motif_bars=2)


def _rap(ctx):
    # Spoken-like: dense 16th/8th syllables in a narrow range, phrase breaks.
    rng = ctx.rng
    low = 12 * ctx.octave + 7
    notes = []
    for bar in range(ctx.n_bars):
        if rng.random() < 0.12:
            continue
        s = 0.0
        while s < 16:
            length = float(rng.choice([1, 1, 2, 2, 3]))
            if rng.random() < 0.8 and not (s >= 14 and bar % 2 == 1):
                notes.append(Note(bar * 16 + s, length * 0.85, (low + int(rng.integers(0, 5)),), 0.7 + 0.3 * rng.random()))
            s += length
    return notes


def _scream(ctx):
    rng = ctx.rng
    low = 12 * ctx.octave + 7
    notes = []
    for bar in range(ctx.n_bars):
        if rng.random() < 0.3:
            continue
        for s in (0, 4, 8, 12):
            if rng.random() < 0.7:
                notes.append(Note(bar * 16 + s, 3.5, (low + int(rng.integers(0, 3)),), 1.0))
    return notes


def _shred(ctx):
    low, high = _register(ctx, 19)
    return _phrase(ctx, density=0.95, lengths=(1, 1, 1, 2), low=low, high=high, rest_bars=0.4, leap=3, chord_pull=0.2)


def _cantabile(ctx):
    low, high = _register(ctx, 16)
    return _phrase(ctx, density=0.85, lengths=(4, 4, 8, 2, 6), low=low, high=high, rest_bars=0.15, leap=2, chord_pull=0.7)


#: Part styles by name.
STYLES = {
    "walking": _bass_walking, "boogie": _bass_boogie, "root_fifth": _bass_root_fifth, "octave": _bass_octave,
    "roots8": _bass_roots8, "pop8": _bass_pop8, "sub808": _bass_sub808, "reggae": _bass_reggae,
    "sustain": _bass_sustain, "follow": _bass_follow,
    "shuffle_riff": _shuffle_riff, "stabs_24": _stabs_24, "pad": _pad, "arpeggio": _arpeggio, "boom_chick": _boom_chick,
    "banjo_roll": _banjo_roll, "stabs": _stabs, "chicken": _chicken, "offbeat": _offbeat, "skank": _skank,
    "bubble": _bubble, "sample_loop": _sample_loop, "jazz_comp": _jazz_comp, "block4": _block4, "pluck8": _pluck8,
    "strum": _strum, "power8": _power8, "chug": _chug,
    "melody": _melody, "licks": _licks, "blues_licks": _blues_licks, "blues_vocal": _blues_vocal, "bebop": _bebop,
    "hook": _hook, "rap": _rap, "scream": _scream,
    "shred": _shred, "cantabile": _cantabile,
}
