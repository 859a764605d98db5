"""Per-genre arrangement recipes: the data that makes a blues clip a blues clip.

Notebook: ``00_introduction.ipynb``.

A :class:`GenreRecipe` is pure data: tempo range, swing, keys and modes, chord progressions
(Roman numerals), drum styles, the instrument parts with their level ranges, and mix
settings (loudness, tone, reverb, hiss). :mod:`musicviz.synth.generate` draws one value
from every range per clip, so two clips of a genre share its character but not its details.
The ranges of neighbouring genres overlap on purpose (rock/metal, pop/disco,
blues/jazz/country, hiphop/reggae), as in real music, so that classifiers make realistic
mistakes.

The target loudness (``rms``) and brightness (``tone``) ranges follow the medians of the real
GTZAN feature table (frame RMS about 0.03 for classical up to 0.2 for pop; spectral centroid
about 1.3 kHz for classical up to 3 kHz for pop). The mastering EQ of each genre (``eq_db``)
was fitted once, offline, so that the genre's average spectral envelope (its mean MFCCs)
comes close to that of real recordings of the genre: real reggae has far more sub-bass than
a few synthesized instruments give, real disco more presence around 1-4 kHz, and so on.

The arrangements were then compared, genre by genre, with real GTZAN recordings in the
standardized feature space of :mod:`musicviz.realism` and made more like them: blues is sung
(call and response with guitar or harmonica fills, a boogie riff up to the flat seventh),
quieter drums, a drier room and less overdrive; country and rock mostly have a singer, and
country's rhythm guitar mostly strums eighths (a steadier sound than boom-chick alone); hip-hop
keeps the punch of its drums (light bus compression); rock is darker than disco; jazz darker
still, in a larger room; disco's top end is less cut (real disco is bright: hi-hats and strings).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Part", "GenreRecipe", "RECIPES", "parse_chord", "SCALES", "EQ_FREQS"]

#: Frequencies (Hz) of the mastering-EQ points of each recipe (``GenreRecipe.eq_db``).
EQ_FREQS: tuple[float, ...] = (60.0, 120.0, 250.0, 500.0, 1000.0, 2000.0, 3000.0, 4500.0, 6500.0, 9000.0)

#: Scales as semitone offsets from the tonic.
SCALES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "harmonic_minor": (0, 2, 3, 5, 7, 8, 11),
    "major_pentatonic": (0, 2, 4, 7, 9),
    "minor_pentatonic": (0, 3, 5, 7, 10),
    "blues": (0, 3, 5, 6, 7, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
}

_ROMAN = {"i": 0, "ii": 2, "iii": 4, "iv": 5, "v": 7, "vi": 9, "vii": 11}
_QUALITIES = {
    # (uppercase numeral, lowercase numeral) -> intervals above the chord root
    "": ((0, 4, 7), (0, 3, 7)),
    "7": ((0, 4, 7, 10), (0, 3, 7, 10)),
    "maj7": ((0, 4, 7, 11), (0, 4, 7, 11)),
    "9": ((0, 4, 7, 10, 14), (0, 3, 7, 10, 14)),
    "6": ((0, 4, 7, 9), (0, 3, 7, 9)),
    "5": ((0, 7, 12), (0, 7, 12)),
    "o": ((0, 3, 6), (0, 3, 6)),
    "sus": ((0, 5, 7), (0, 5, 7)),
}


def parse_chord(symbol: str) -> tuple[int, tuple[int, ...]]:
    """Parse a Roman-numeral chord (``"V7"``, ``"ii7"``, ``"bVII"``, ``"i5"``) into (root offset, intervals).

    Uppercase numerals are major (``7`` = dominant seventh), lowercase minor (``7`` = minor
    seventh); ``b``/``#`` alter the root; ``5`` is a power chord (root, fifth, octave).

    Examples
    --------
    >>> from musicviz.synth.genres import parse_chord
    >>> parse_chord("V7"), parse_chord("ii7"), parse_chord("bVII")
    ((7, (0, 4, 7, 10)), (2, (0, 3, 7, 10)), (10, (0, 4, 7)))
    """
    s = symbol
    shift = 0
    while s and s[0] in "b#":
        shift += -1 if s[0] == "b" else 1
        s = s[1:]
    numeral = ""
    while s and s[0].lower() in "iv":
        numeral += s[0]
        s = s[1:]
    if numeral.lower() not in _ROMAN or s not in _QUALITIES:
        raise ValueError(f"cannot parse chord symbol {symbol!r}")
    major = numeral.isupper()
    return (_ROMAN[numeral.lower()] + shift) % 12, _QUALITIES[s][0 if major else 1]


@dataclass(frozen=True)
class Part:
    """One instrument part of an arrangement.

    ``role`` is ``bass``, ``chords``, ``lead`` or ``texture``; ``style`` names a pattern in
    :mod:`musicviz.synth.patterns`; ``instrument`` a voice of :mod:`musicviz.synth.instruments`;
    ``gain_db`` the level range; ``prob`` how often the part plays at all (or, within a
    ``group`` of alternatives, its weight); ``octave`` its register.
    """

    role: str
    style: str
    instrument: str
    gain_db: tuple[float, float] = (-6.0, 0.0)
    prob: float = 1.0
    octave: int = 4
    group: str = ""  # parts sharing a group are alternatives: exactly one of them plays
    opts: dict = field(default_factory=dict)


@dataclass(frozen=True)
class GenreRecipe:
    """Everything that characterises a genre's clips; each range is sampled per clip."""

    name: str
    tempo: tuple[float, float]
    swing: tuple[float, float] = (0.5, 0.5)
    swing_unit: str = "8th"
    minor_prob: float = 0.5
    keys: tuple[int, ...] = tuple(range(12))
    progressions: dict = field(default_factory=dict)  # mode -> list of progressions (bars of chords)
    scales: dict = field(default_factory=dict)  # mode -> scale name for melodies
    drums: tuple[tuple[str, float], ...] = ()  # (drum style, probability); empty: no drums
    drum_gain_db: tuple[float, float] = (-3.0, 0.0)
    parts: tuple[Part, ...] = ()
    rms: tuple[float, float] = (0.08, 0.15)  # target frame RMS after mixing
    tone: tuple[float, float] = (6000.0, 10000.0)  # master low-pass cutoff (Hz)
    reverb: tuple[float, float] = (0.05, 0.2)
    hiss_db: tuple[float, float] = (-60.0, -45.0)
    distortion: tuple[float, float] = (0.0, 0.0)  # guitar gain range (0: clean)
    rubato: float = 0.0  # relative tempo wobble (classical)
    dynamics_db: float = 0.0  # depth of slow crescendi/diminuendi
    section_mute: float = 0.1  # chance that a chord/lead part rests for a 4-bar block
    borrow: tuple[tuple[str, float], ...] = ()  # (neighbour genre, chance to borrow its groove + a part)
    eq_db: tuple[float, ...] = (0.0,) * 10  # mastering EQ (dB) at EQ_FREQS
    compression: tuple[float, float] = (1.0, 1.0)  # bus-compressor ratio range (1: none)

    def choose_parts(self, rng) -> list[Part]:
        """Draw an arrangement: the parts that play, in the recipe's order.

        Each part plays with its ``prob``; of every ``group`` of alternatives exactly one
        plays (``prob`` as weights); a chord part and a bass part are always kept.
        (:func:`musicviz.synth.artists.make_artist` draws one per artist.)

        Examples
        --------
        >>> import numpy as np
        >>> from musicviz.synth.genres import RECIPES
        >>> parts = RECIPES["blues"].choose_parts(np.random.default_rng(0))
        >>> {"bass", "chords"} <= {p.role for p in parts}
        True
        """
        chosen, groups = [], {}
        for part in self.parts:
            if part.group:
                groups.setdefault(part.group, []).append(part)
            elif rng.random() < part.prob:
                chosen.append(part)
        for members in groups.values():
            w = np.array([p.prob for p in members])
            chosen.append(members[int(rng.choice(len(members), p=w / w.sum()))])
        for role in ("chords", "bass"):  # every arrangement keeps at least one chord and one bass part
            if not any(p.role == role for p in chosen):
                first = next((p for p in self.parts if p.role == role), None)
                if first is not None:
                    chosen.append(first)
        return sorted(chosen, key=self.parts.index)


_P = Part

RECIPES: dict[str, GenreRecipe] = {
    "blues": GenreRecipe(
        name="blues",
        tempo=(72.0, 126.0),
        swing=(0.6, 0.68),
        minor_prob=0.2,
        keys=(4, 9, 7, 0, 10, 2, 5),  # E, A, G, C, Bb, D, F: guitar and harmonica keys
        progressions={
            "major": [
                ["I7", "I7", "I7", "I7", "IV7", "IV7", "I7", "I7", "V7", "IV7", "I7", "V7"],
                ["I7", "IV7", "I7", "I7", "IV7", "IV7", "I7", "I7", "V7", "IV7", "I7", "V7"],
            ],
            "minor": [["i7", "i7", "i7", "i7", "iv7", "iv7", "i7", "i7", "bVI7", "V7", "i7", "V7"]],
        },
        scales={"major": "blues", "minor": "blues"},
        drums=(("shuffle", 0.8), ("slow_blues", 0.2)),
        drum_gain_db=(-15.0, -9.0),
        parts=(
            _P("bass", "boogie", "electric_bass", (-4.0, 0.0), prob=0.6, octave=2, group="bass"),
            _P("bass", "walking", "upright_bass", (-4.0, 0.0), prob=0.4, octave=2, group="bass"),
            _P("chords", "shuffle_riff", "guitar", (-6.0, -1.0), prob=0.7, octave=3),
            _P("chords", "stabs_24", "piano", (-10.0, -4.0), prob=0.8, octave=4),
            _P("lead", "blues_licks", "harmonica", (-6.0, -1.0), prob=0.5, octave=5, group="lead"),
            _P("lead", "blues_licks", "guitar_lead", (-5.0, 0.0), prob=0.5, octave=4, group="lead"),
            _P("lead", "blues_vocal", "voice", (-3.0, 0.0), prob=0.8, octave=4),
        ),
        rms=(0.09, 0.16),
        tone=(2500.0, 5000.0),
        reverb=(0.04, 0.12),
        hiss_db=(-60.0, -52.0),
        distortion=(1.0, 2.0),
        section_mute=0.05,
        borrow=(("jazz", 0.12), ("country", 0.12), ("rock", 0.08)),
        compression=(1.0, 1.2),
        dynamics_db=6.0,
        eq_db=(3.0, 4.0, 5.9, 1.1, 0.0, -1.2, 0.9, 5.5, 16.7, 19.3),
    ),
    "classical": GenreRecipe(
        name="classical",
        tempo=(58.0, 132.0),
        minor_prob=0.45,
        progressions={
            "major": [["I", "IV", "V", "I"], ["I", "vi", "ii", "V"], ["I", "V", "vi", "iii", "IV", "I", "IV", "V"],
                      ["I", "ii", "V7", "I", "IV", "V", "I", "V"]],
            "minor": [["i", "iv", "V", "i"], ["i", "bVI", "iv", "V"], ["i", "iv", "bVII", "bIII", "bVI", "iio", "V", "i"]],
        },
        scales={"major": "major", "minor": "harmonic_minor"},
        drums=(),
        parts=(
            _P("chords", "pad", "strings", (-4.0, 0.0), prob=0.7, octave=4),
            _P("chords", "arpeggio", "piano", (-4.0, 0.0), prob=0.55, octave=4),
            _P("chords", "arpeggio", "harp", (-6.0, -1.0), prob=0.15, octave=4),
            _P("bass", "sustain", "cello", (-6.0, -1.0), prob=0.7, octave=2),
            _P("lead", "cantabile", "violin", (-5.0, 0.0), prob=0.7, octave=5, group="lead"),
            _P("lead", "cantabile", "flute", (-6.0, -1.0), prob=0.3, octave=5, group="lead"),
        ),
        rms=(0.015, 0.045),
        tone=(2000.0, 4500.0),
        reverb=(0.25, 0.5),
        hiss_db=(-60.0, -45.0),
        rubato=0.08,
        dynamics_db=24.0,
        section_mute=0.1,
        eq_db=(8.4, 3.0, -5.0, 4.1, 0.0, -2.3, -5.1, -6.5, 4.3, 22.3),
    ),
    "country": GenreRecipe(
        name="country",
        tempo=(88.0, 140.0),
        swing=(0.5, 0.56),
        minor_prob=0.08,
        keys=(7, 2, 9, 4, 0),
        progressions={
            "major": [["I", "I", "IV", "IV", "V", "V", "I", "I"], ["I", "IV", "I", "V"], ["I", "I", "V", "V", "IV", "IV", "I", "V"],
                      ["I", "vi", "IV", "V"]],
            "minor": [["i", "bVII", "bVI", "V"]],
        },
        scales={"major": "major_pentatonic", "minor": "minor_pentatonic"},
        drums=(("train", 0.6), ("country_two", 0.4)),
        drum_gain_db=(-9.0, -3.0),
        parts=(
            _P("bass", "root_fifth", "electric_bass", (-4.0, 0.0), octave=2),
            # Rhythm guitar: most bands strum eighths (down, down-up ...), some play boom-chick.
            _P("chords", "boom_chick", "acoustic_guitar", (-3.0, 0.0), prob=0.4, octave=3, group="rhythm"),
            _P("chords", "strum", "acoustic_guitar", (-3.0, 0.0), prob=0.6, octave=3, group="rhythm"),
            _P("chords", "banjo_roll", "banjo", (-8.0, -3.0), prob=0.5, octave=5),
            _P("lead", "melody", "twang", (-5.0, -1.0), prob=0.5, octave=4),
            _P("lead", "hook", "voice", (-6.0, -1.0), prob=0.85, octave=4),
            _P("texture", "pad", "fiddle", (-12.0, -6.0), prob=0.5, octave=5),
        ),
        rms=(0.08, 0.15),
        tone=(3500.0, 7000.0),
        reverb=(0.08, 0.2),
        hiss_db=(-55.0, -40.0),
        section_mute=0.05,
        borrow=(("blues", 0.12), ("rock", 0.1)),
        compression=(1.0, 2.0),
        eq_db=(2.6, 4.0, 6.6, 1.3, 0.0, -2.4, -2.6, -5.0, 0.7, 15.5),
    ),
    "disco": GenreRecipe(
        name="disco",
        tempo=(110.0, 130.0),
        minor_prob=0.6,
        progressions={
            "major": [["Imaj7", "IVmaj7"], ["Imaj7", "ii7"], ["IV", "V", "iii7", "vi7"]],
            "minor": [["i7", "iv7"], ["i7", "bVII"], ["i7", "i7", "iv7", "v7"], ["i9", "bVII", "bVI", "bVII"]],
        },
        scales={"major": "major_pentatonic", "minor": "dorian"},
        drums=(("four_floor", 1.0),),
        drum_gain_db=(0.0, 4.0),
        parts=(
            _P("bass", "octave", "synth_bass", (-2.0, 1.0), octave=2),
            _P("chords", "stabs", "strings", (-8.0, -3.0), prob=0.7, octave=4),
            _P("chords", "chicken", "guitar_clean", (-10.0, -5.0), prob=0.6, octave=4),
            _P("chords", "offbeat", "epiano", (-8.0, -3.0), prob=0.4, octave=4),
            _P("lead", "hook", "voice", (-5.0, -1.0), prob=0.7, octave=5),
        ),
        rms=(0.1, 0.17),
        tone=(9000.0, 11025.0),
        reverb=(0.08, 0.2),
        hiss_db=(-60.0, -45.0),
        borrow=(("pop", 0.2),),
        compression=(1.0, 2.0),
        eq_db=(-14.2, -6.9, -0.8, -5.1, 0.0, -1.4, -1.8, -3.0, -1.5, -7.0),
    ),
    "hiphop": GenreRecipe(
        name="hiphop",
        tempo=(80.0, 100.0),
        swing=(0.52, 0.6),
        swing_unit="16th",
        minor_prob=0.85,
        progressions={
            "major": [["Imaj7", "Imaj7", "IVmaj7", "IVmaj7"], ["Imaj7", "vi7"]],
            "minor": [["i7", "i7", "bVI", "bVI"], ["i7", "iv7"], ["i9", "i9", "bVImaj7", "v7"], ["i7"]],
        },
        scales={"major": "major_pentatonic", "minor": "minor"},
        drums=(("boom_bap", 0.75), ("trap_lite", 0.25)),
        drum_gain_db=(5.0, 9.0),
        parts=(
            _P("bass", "sub808", "808_bass", (-4.0, -1.0), octave=1),
            _P("chords", "sample_loop", "epiano", (-8.0, -3.0), prob=0.55, octave=4, group="sample"),
            _P("chords", "sample_loop", "piano", (-8.0, -3.0), prob=0.45, octave=4, group="sample"),
            _P("chords", "pad", "synth_pad", (-14.0, -8.0), prob=0.3, octave=4),
            _P("lead", "rap", "voice", (0.0, 3.0), prob=0.9, octave=3),
        ),
        rms=(0.13, 0.23),
        tone=(7000.0, 10000.0),
        reverb=(0.02, 0.1),
        hiss_db=(-50.0, -38.0),
        borrow=(("reggae", 0.12), ("pop", 0.1)),
        compression=(1.0, 1.6),
        eq_db=(-11.3, -2.6, 4.7, -1.9, 0.0, -1.5, -4.9, -6.3, -10.4, -12.8),
    ),
    "jazz": GenreRecipe(
        name="jazz",
        tempo=(100.0, 220.0),
        swing=(0.6, 0.7),
        minor_prob=0.3,
        keys=(0, 5, 10, 3, 8, 7, 2),  # the horn keys: C, F, Bb, Eb, Ab, G, D
        progressions={
            "major": [["ii7", "V7", "Imaj7", "Imaj7"], ["Imaj7", "vi7", "ii7", "V7"], ["iii7", "vi7", "ii7", "V7"],
                      ["ii7", "V7", "Imaj7", "VI7", "ii7", "V7", "Imaj7", "Imaj7"]],
            "minor": [["iio", "V7", "i7", "i7"], ["i7", "iv7", "iio", "V7"]],
        },
        scales={"major": "mixolydian", "minor": "dorian"},
        drums=(("swing_ride", 0.7), ("brushes", 0.3)),
        drum_gain_db=(-12.0, -6.0),
        parts=(
            _P("bass", "walking", "upright_bass", (-3.0, 0.0), octave=2),
            _P("chords", "jazz_comp", "piano", (-5.0, -1.0), prob=0.8, octave=4),
            _P("chords", "jazz_comp", "guitar_clean", (-8.0, -3.0), prob=0.3, octave=3),
            _P("lead", "bebop", "sax", (-4.0, 0.0), prob=0.5, octave=4, group="lead"),
            _P("lead", "bebop", "trumpet", (-6.0, -1.0), prob=0.25, octave=5, group="lead"),
            _P("lead", "bebop", "piano", (-4.0, 0.0), prob=0.25, octave=5, group="lead"),
        ),
        rms=(0.04, 0.1),
        tone=(2000.0, 4000.0),
        reverb=(0.2, 0.4),
        hiss_db=(-60.0, -45.0),
        borrow=(("blues", 0.15),),
        eq_db=(0.2, -0.3, -2.7, 5.5, 0.0, -6.6, -2.9, -1.7, 4.5, 15.5),
    ),
    "metal": GenreRecipe(
        name="metal",
        tempo=(100.0, 200.0),
        minor_prob=0.95,
        keys=(4, 2, 1, 3, 0),  # E, D, C#, Eb, C: (down-)tuned guitars
        progressions={
            "major": [["I5", "bVII5", "IV5", "I5"]],
            "minor": [["i5", "i5", "bII5", "i5"], ["i5", "bVI5", "bVII5", "i5"], ["i5", "i5", "bv5", "iv5"],
                      ["i5", "bIII5", "bII5", "i5"]],
        },
        scales={"major": "minor_pentatonic", "minor": "phrygian"},
        drums=(("double_kick", 0.55), ("blast", 0.2), ("metal_half", 0.25)),
        drum_gain_db=(-4.0, 0.0),
        parts=(
            _P("chords", "chug", "distorted_guitar", (-1.0, 1.0), octave=2),
            _P("chords", "chug", "distorted_guitar", (-4.0, -1.0), prob=0.6, octave=2, opts={"double": True}),
            _P("bass", "follow", "electric_bass", (-6.0, -2.0), prob=0.8, octave=1),
            _P("lead", "shred", "distorted_lead", (-6.0, -2.0), prob=0.4, octave=5),
            _P("lead", "scream", "voice", (-6.0, -2.0), prob=0.3, octave=3),
        ),
        rms=(0.1, 0.17),
        tone=(6000.0, 9000.0),
        reverb=(0.03, 0.12),
        hiss_db=(-60.0, -48.0),
        distortion=(14.0, 45.0),
        borrow=(("rock", 0.2),),
        compression=(1.5, 3.0),
        eq_db=(-1.7, 3.2, 10.4, 3.0, 0.0, 1.0, 3.9, 6.0, 4.7, 0.3),
    ),
    "pop": GenreRecipe(
        name="pop",
        tempo=(95.0, 130.0),
        minor_prob=0.2,
        progressions={
            "major": [["I", "V", "vi", "IV"], ["vi", "IV", "I", "V"], ["I", "vi", "IV", "V"], ["IV", "I", "V", "vi"]],
            "minor": [["i", "bVI", "bIII", "bVII"], ["i", "bVII", "bVI", "bVII"]],
        },
        scales={"major": "major", "minor": "minor"},
        drums=(("pop_backbeat", 0.6), ("four_floor", 0.25), ("pop_half", 0.15)),
        drum_gain_db=(0.0, 4.0),
        parts=(
            _P("bass", "pop8", "synth_bass", (-3.0, 0.0), octave=2),
            _P("chords", "pad", "synth_pad", (-8.0, -3.0), prob=0.7, octave=4),
            _P("chords", "block4", "piano", (-7.0, -2.0), prob=0.5, octave=4),
            _P("chords", "pluck8", "synth_pluck", (-9.0, -4.0), prob=0.5, octave=5),
            _P("lead", "hook", "voice", (-1.0, 2.0), prob=0.95, octave=5),
        ),
        rms=(0.15, 0.26),
        tone=(11000.0, 11025.0),
        reverb=(0.06, 0.18),
        hiss_db=(-60.0, -50.0),
        borrow=(("disco", 0.2), ("hiphop", 0.1)),
        compression=(2.0, 4.0),
        eq_db=(-6.4, -4.2, -2.9, -2.4, 0.0, -2.1, -4.1, -2.6, -4.9, -3.4),
    ),
    "reggae": GenreRecipe(
        name="reggae",
        tempo=(62.0, 92.0),
        swing=(0.5, 0.6),
        minor_prob=0.55,
        progressions={
            "major": [["I", "IV"], ["I", "I", "IV", "V"], ["I", "V", "IV", "IV"]],
            "minor": [["i", "iv"], ["i", "bVII"], ["i7", "i7", "iv7", "iv7"]],
        },
        scales={"major": "major_pentatonic", "minor": "minor_pentatonic"},
        drums=(("one_drop", 0.7), ("steppers", 0.3)),
        drum_gain_db=(0.0, 3.0),
        parts=(
            _P("bass", "reggae", "electric_bass", (-5.0, -1.0), octave=1),
            _P("chords", "skank", "guitar_skank", (-3.0, 0.0), octave=4),
            _P("chords", "bubble", "organ", (-8.0, -4.0), prob=0.85, octave=4),
            _P("lead", "hook", "voice", (-3.0, 0.0), prob=0.65, octave=4),
            _P("lead", "melody", "melodica", (-7.0, -3.0), prob=0.25, octave=5),
        ),
        rms=(0.08, 0.15),
        tone=(5000.0, 9000.0),
        reverb=(0.1, 0.3),
        hiss_db=(-55.0, -40.0),
        borrow=(("hiphop", 0.15),),
        eq_db=(6.0, 4.0, -2.0, -1.0, 0.0, 0.0, -2.0, -2.0, -3.0, -1.0),
        compression=(2.5, 5.0),
        section_mute=0.1,
    ),
    "rock": GenreRecipe(
        name="rock",
        tempo=(100.0, 145.0),
        minor_prob=0.35,
        keys=(4, 9, 2, 7, 0),
        progressions={
            "major": [["I5", "IV5", "V5", "I5"], ["I5", "bVII5", "IV5", "I5"], ["I5", "V5", "IV5", "IV5"]],
            "minor": [["i5", "bVII5", "bVI5", "bVII5"], ["i5", "iv5", "bVII5", "i5"]],
        },
        scales={"major": "minor_pentatonic", "minor": "minor_pentatonic"},
        drums=(("rock_beat", 0.75), ("rock_drive", 0.25)),
        drum_gain_db=(2.0, 5.0),
        parts=(
            _P("chords", "power8", "distorted_guitar", (-2.0, 1.0), octave=3),
            _P("bass", "roots8", "electric_bass", (-4.0, -1.0), octave=2),
            _P("chords", "strum", "acoustic_guitar", (-9.0, -4.0), prob=0.3, octave=3),
            _P("lead", "hook", "voice", (-3.0, 0.0), prob=0.85, octave=4),
            _P("lead", "licks", "distorted_lead", (-6.0, -2.0), prob=0.4, octave=5),
        ),
        rms=(0.1, 0.16),
        tone=(4000.0, 6800.0),
        reverb=(0.05, 0.18),
        hiss_db=(-58.0, -45.0),
        distortion=(8.0, 22.0),
        borrow=(("metal", 0.15), ("pop", 0.08)),
        compression=(1.5, 3.0),
        eq_db=(-4.6, -2.3, 4.5, 1.2, 0.0, -2.1, -2.6, -2.2, -2.0, -4.3),
    ),
}
