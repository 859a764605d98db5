"""Synthetic artists: the production habits that several clips of a genre share.

Notebook: ``00_introduction.ipynb`` (and ``05b_baselines_on_real_gtzan.ipynb``, where random
splits of GTZAN leak artists).

GTZAN holds several excerpts of the same artists, often of the same album: their clips share a
band's sound (the guitar tone, the drum kit, the mix, the room, the tempo and key habits).
A classifier tested on clips of artists it was trained on partly recognises the production,
not the genre, so a random split flatters it. The synthetic set reproduces this on purpose:
each clip belongs to an :class:`Artist` (``index // CLIPS_PER_ARTIST``, e.g. ``blues.00000``
to ``blues.00002`` are ``blues_artist_0``), whose parameters are drawn once from the genre's
ranges by a generator seeded by ``(seed, genre, artist)`` and shared exactly by its clips:

* timbre: drum kit tuning (kick sweep and decay, snare tone, hi-hat cutoff) and kit levels,
  guitar distortion and cabinet, the instrument line-up and every part's level;
* mix: master low-pass (brightness), room (reverb size), a tilt and presence EQ of its own,
  bus compression, loudness and tape hiss;
* habits: a tempo centre (each clip within a few percent of it), two or three favourite
  keys, a preferred mode, its drum groove and swing.

A clip varies only in the music itself (tempo jitter, key among the habits, progression,
notes, song sections, an occasional groove borrowed from a neighbouring genre).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from musicviz import GENRES
from musicviz.synth.genres import RECIPES

__all__ = ["CLIPS_PER_ARTIST", "Artist", "artist_index", "artist_name", "make_artist"]

#: Consecutive clips of a genre by one artist (12 clips per genre: 4 artists).
CLIPS_PER_ARTIST = 3

_ARTIST_STREAM = 0xA7  # keeps the artists' random streams apart from the clips' streams


@dataclass(frozen=True)
class Artist:
    """The shared production choices of one synthetic artist (see the module docstring)."""

    name: str
    genre: str
    index: int
    tempo: float  # BPM centre
    swing: float
    keys: tuple[int, ...]
    minor_prob: float
    drum_style: str | None
    part_choice: tuple[int, ...]  # indices into the recipe's parts: the band's line-up
    part_gain_db: tuple[float, ...]  # level of each part of the line-up (dB)
    kit: dict  # drum-sound parameters (kick, snare, hats) and kit-piece levels
    drum_gain_db: float
    distortion: float
    cabinet: float
    tone: float  # master low-pass cutoff (Hz)
    reverb: float  # room size
    eq_low_db: float  # low shelf (below ~200 Hz) of the artist's mix
    eq_high_db: float  # high shelf (above ~3 kHz)
    eq_mid_db: float  # presence bump around 1-2 kHz
    compression: float  # bus-compressor ratio (1: none)
    rms: float  # target loudness (mean frame RMS)
    hiss_db: float


def artist_index(index: int) -> int:
    """Which artist of its genre plays clip number ``index`` (``index // CLIPS_PER_ARTIST``).

    Examples
    --------
    >>> from musicviz.synth.artists import artist_index
    >>> [artist_index(i) for i in range(7)]
    [0, 0, 0, 1, 1, 1, 2]
    """
    return int(index) // CLIPS_PER_ARTIST


def artist_name(genre: str, artist: int) -> str:
    """The name recorded in ``metadata.csv``, e.g. ``"blues_artist_2"``.

    Examples
    --------
    >>> from musicviz.synth.artists import artist_name
    >>> artist_name("blues", 2)
    'blues_artist_2'
    """
    return f"{genre}_artist_{int(artist)}"


def _range(rng, bounds, *, shrink: float = 1.0) -> float:
    lo, hi = (float(b) for b in bounds)
    mid, half = 0.5 * (lo + hi), 0.5 * (hi - lo) * shrink
    return float(rng.uniform(mid - half, mid + half))


def make_artist(genre: str, artist: int, *, seed: int = 0) -> Artist:
    """Draw artist number ``artist`` of ``genre`` for data-set seed ``seed`` (deterministic).

    Examples
    --------
    >>> from musicviz.synth.artists import make_artist
    >>> a = make_artist("metal", 1, seed=0)
    >>> a.name, a == make_artist("metal", 1, seed=0), a == make_artist("metal", 2, seed=0)
    ('metal_artist_1', True, False)
    """
    recipe = RECIPES[genre]
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), GENRES.index(genre), int(artist), _ARTIST_STREAM]))
    tempo = _range(rng, recipe.tempo)
    swing = _range(rng, recipe.swing)
    n_keys = min(len(recipe.keys), int(rng.integers(2, 4)))
    keys = tuple(int(k) for k in rng.choice(recipe.keys, size=n_keys, replace=False))
    # A mode habit: most artists mostly write in one mode, as the genre's share suggests.
    minor_prob = float(np.clip(recipe.minor_prob + rng.normal(0.0, 0.25), 0.0, 1.0))
    drum_style = None
    if recipe.drums:
        styles, w = zip(*recipe.drums)
        drum_style = styles[int(rng.choice(len(styles), p=np.array(w) / sum(w)))]
    parts = recipe.choose_parts(rng)
    part_choice = tuple(recipe.parts.index(p) for p in parts)
    part_gain_db = tuple(_range(rng, p.gain_db) for p in parts)
    kick_808 = genre == "hiphop" and rng.random() < 0.5
    kit = {
        "kick_start": float(rng.uniform(110, 180)), "kick_end": float(rng.uniform(42, 60)),
        "kick_decay": float(rng.uniform(0.35, 0.6) if kick_808 else rng.uniform(0.12, 0.3)),
        "kick_click": float(rng.uniform(0.1, 0.5)),
        "snare_tone": float(rng.uniform(170, 230)), "snare_snappy": float(rng.uniform(0.55, 0.85)),
        "snare_decay": float(rng.uniform(0.1, 0.2)),
        "hat_cutoff": float(rng.uniform(6000, 8500)), "ohat_cutoff": float(rng.uniform(6000, 8000)),
        "levels": {k: float(rng.uniform(0.75, 1.25)) for k in ("kick", "snare", "clap", "rim", "hat", "ohat", "ride",
                                                              "crash", "brush", "pedal")},
    }
    dist = _range(rng, recipe.distortion) if recipe.distortion[1] > 0 else 1.0
    return Artist(
        name=artist_name(genre, artist), genre=genre, index=int(artist), tempo=tempo, swing=swing, keys=keys,
        minor_prob=minor_prob, drum_style=drum_style, part_choice=part_choice, part_gain_db=part_gain_db, kit=kit,
        drum_gain_db=_range(rng, recipe.drum_gain_db), distortion=dist, cabinet=float(rng.uniform(4000, 6500)),
        tone=_range(rng, recipe.tone), reverb=_range(rng, recipe.reverb),
        eq_low_db=float(rng.uniform(-3.0, 3.0)), eq_high_db=float(rng.uniform(-3.0, 3.0)),
        eq_mid_db=float(rng.uniform(-2.0, 2.0)), compression=_range(rng, recipe.compression),
        rms=_range(rng, recipe.rms), hiss_db=_range(rng, recipe.hiss_db),
    )
