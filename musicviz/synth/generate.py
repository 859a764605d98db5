"""Render synthetic genre clips and write the built-in data set.

Notebook: ``00_introduction.ipynb``.

:func:`synthesize_clip` turns a genre recipe (:mod:`musicviz.synth.genres`) into 30 s of
audio: it draws the clip's tempo, key, mode, progression, groove, instruments and levels from
one :class:`numpy.random.Generator` seeded by ``(seed, genre, index)``, renders every distinct
note once (cached), overlap-adds the notes into tracks, and mixes them (levels, reverb, tone,
limiter, peak normalisation, noise floor). :func:`generate_dataset` writes a GTZAN-shaped
folder (``<genre>/<genre>.000NN.wav``, ``metadata.csv`` and the marker file
``.musicviz-synth.json``) in parallel processes. It only ever replaces a folder that is a
musicviz synthetic set (:func:`is_synthetic_set`), and replaces it whole.
"""

from __future__ import annotations

import functools
import json
import math
import os
import shutil
from pathlib import Path

import numpy as np

from musicviz import GENRES, SR
from musicviz._checks import positive_int
from musicviz.errors import OutputError, ParameterError
from musicviz.synth import drums as dk
from musicviz.synth import instruments as ins
from musicviz.synth.artists import Artist, artist_index, make_artist
from musicviz.synth.mixing import PEAK, _add, _compress, _equalize, _master, _reverb
from musicviz.synth.output import MARKER_NAME, _MARKER_FORMAT, _check_output_folder, _os_reason, is_synthetic_set
from musicviz.synth.genres import RECIPES, SCALES, parse_chord
from musicviz.synth.patterns import STYLES, Chord, Context, Note

__all__ = ["DEFAULT_CLIPS_PER_GENRE", "MARKER_NAME", "synthesize_clip", "generate_dataset", "is_synthetic_set",
           "clip_rng", "track_id"]

#: Clips per genre in the default data set (120 clips: about 11 s on 2 idle cores, 0.15 s CPU per clip).
DEFAULT_CLIPS_PER_GENRE = 12

KEY_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_MIN_DURATION = 3.0
_TAIL = 2.5  # seconds rendered past the end so that ringing notes are cut, not missing

# --- validation and seeding ----------------------------------------------------------------

def _check_genre(genre) -> int:
    if genre not in GENRES:
        raise ParameterError(f"unknown genre {genre!r}; choose one of: {', '.join(GENRES)}")
    return GENRES.index(genre)


def _check_int(name: str, value, minimum: int) -> int:
    return positive_int(value, name, minimum=minimum)


def _check_common(seed, duration, sr) -> tuple[int, float, int]:
    seed = _check_int("seed", seed, 0)
    if isinstance(duration, bool) or not isinstance(duration, (int, float, np.number)) or not np.isfinite(duration) \
            or duration < _MIN_DURATION:
        raise ParameterError(f"duration must be a number of seconds >= {_MIN_DURATION:g}, got {duration!r}")
    sr = _check_int("sr", sr, 1)
    if not 8000 <= sr <= 96000:
        raise ParameterError(f"sr must be a sample rate between 8000 and 96000 Hz, got {sr}")
    return seed, float(duration), sr


def clip_rng(genre: str, *, index: int, seed: int = 0) -> np.random.Generator:
    """The random generator of one clip, seeded by ``(seed, genre, index)``.

    Each clip has its own stream, so a clip does not change when others are added, removed
    or rendered in another order or process.

    Examples
    --------
    >>> from musicviz.synth.generate import clip_rng
    >>> a = clip_rng("jazz", index=3, seed=0).random()
    >>> b = clip_rng("jazz", index=3, seed=0).random()
    >>> a == b, a == clip_rng("jazz", index=4, seed=0).random()
    (True, False)
    """
    g = _check_genre(genre)
    return np.random.default_rng(np.random.SeedSequence([_check_int("seed", seed, 0), g, _check_int("index", index, 0)]))


def track_id(genre: str, index: int) -> str:
    """GTZAN-style clip name, e.g. ``"blues.00003"``.

    Examples
    --------
    >>> from musicviz.synth.generate import track_id
    >>> track_id("blues", 3)
    'blues.00003'
    """
    return f"{genre}.{index:05d}"


# --- timing --------------------------------------------------------------------------------

class _Clock:
    """Maps 16th-note steps to seconds: tempo, swing, rubato and humanised timing."""

    def __init__(self, *, tempo: float, swing: float, unit: str, rubato: float, n_steps: int, rng):
        self.beat_sec = 60.0 / tempo
        self.step_sec = self.beat_sec / 4
        if unit == "16th":
            self.sub = np.array([0.0, 0.5 * swing, 0.5, 0.5 + 0.5 * swing, 1.0])
        else:
            self.sub = np.array([0.0, 0.5 * swing, swing, swing + 0.5 * (1 - swing), 1.0])
        beats = np.arange(n_steps // 4 + 8, dtype=float)
        if rubato > 0:
            # Rubato: the beat length breathes slowly (phrases speed up and relax).
            period = rng.uniform(8, 16)
            stretch = 1 + rubato * np.sin(2 * np.pi * beats / period + rng.uniform(0, 2 * np.pi))
        else:
            stretch = np.ones_like(beats)
        self.beat_times = np.concatenate([[0.0], np.cumsum(stretch * self.beat_sec)])
        self.beats = np.arange(len(self.beat_times), dtype=float)

    def seconds(self, step: float) -> float:
        beat, within = divmod(step, 4.0)
        i = int(within)
        pos = self.sub[i] + (within - i) * (self.sub[i + 1] - self.sub[i])
        return float(np.interp(beat + pos, self.beats, self.beat_times))


# --- instruments ---------------------------------------------------------------------------

def _render_note(inst: str, pitches: tuple[int, ...], dur: float, *, sr: int, rng, style: str, dist_gain: float,
                 cabinet: float) -> np.ndarray:
    """One note or chord of an instrument at unit velocity."""
    f = [ins.midi_to_hz(p) for p in pitches]
    if inst in ("electric_bass", "upright_bass", "synth_bass", "808_bass"):
        kind = {"electric_bass": "electric", "upright_bass": "upright", "synth_bass": "synth", "808_bass": "sub"}[inst]
        return ins.bass(f[0], dur, sr=sr, kind=kind)
    if inst == "distorted_guitar":
        return ins.distorted_chord(f, dur, sr=sr, rng=rng, gain=dist_gain, cabinet=cabinet, muted=dur < 0.12)
    if inst == "distorted_lead":
        return ins.distorted_chord([f[0], 2 * f[0]], dur, sr=sr, rng=rng, gain=max(dist_gain, 8.0), cabinet=cabinet + 1500)
    if inst == "guitar":  # blues guitar: plucked, a little overdrive
        y = ins.strum(f, dur + 0.1, sr=sr, rng=rng, brightness=0.7, spread=0.006)
        return ins.lowpass(np.tanh(dist_gain * y) / np.tanh(dist_gain), 4500.0, sr=sr)
    if inst == "guitar_lead":
        y = ins.pluck(f[0], dur + 0.2, sr=sr, rng=rng, brightness=0.85, damping=0.999)
        return ins.lowpass(np.tanh(dist_gain * 1.5 * y) / np.tanh(dist_gain * 1.5), 5000.0, sr=sr)
    if inst in ("acoustic_guitar", "guitar_clean"):
        return ins.strum(f, dur + 0.3, sr=sr, rng=rng, brightness=0.75, spread=0.01 if inst == "acoustic_guitar" else 0.004)
    if inst == "guitar_skank":
        return ins.highpass(ins.strum(f, dur + 0.05, sr=sr, rng=rng, brightness=0.95, damping=0.97, spread=0.004), 300.0, sr=sr)
    if inst in ("banjo", "harp", "twang"):
        bright, damp = {"banjo": (0.97, 0.992), "harp": (0.45, 0.998), "twang": (0.9, 0.998)}[inst]
        return sum(ins.pluck(x, dur + 0.4, sr=sr, rng=rng, brightness=bright, damping=damp) for x in f)
    if inst == "piano":
        return sum(ins.piano(x, dur, sr=sr) for x in f)
    if inst == "epiano":
        return sum(ins.epiano(x, dur, sr=sr) for x in f)
    if inst == "organ":
        return sum(ins.organ(x, dur, sr=sr, percussive=True) for x in f)
    if inst in ("strings", "cello", "violin", "fiddle"):
        opts = {"strings": dict(attack=0.25, voices=3), "cello": dict(attack=0.15, voices=2, brightness=0.3),
                "violin": dict(attack=0.08, voices=1, vibrato_cents=14, release=0.15),
                "fiddle": dict(attack=0.05, voices=1, brightness=0.85, vibrato_cents=10, release=0.1)}[inst]
        return sum(ins.bowed(x, dur, sr=sr, **opts) for x in f)
    if inst in ("harmonica", "sax", "trumpet", "flute", "melodica"):
        opts = {"harmonica": dict(brightness=0.8, breath=0.1), "sax": dict(brightness=0.45, breath=0.08),
                "trumpet": dict(brightness=1.0, breath=0.03, vibrato_cents=8), "flute": dict(brightness=0.0, breath=0.15, vibrato_cents=10),
                "melodica": dict(brightness=0.7, breath=0.05, vibrato_cents=3)}[inst]
        return ins.reed(f[0], dur, sr=sr, rng=rng, **opts)
    if inst == "synth_pad":
        return sum(ins.synth(x, dur, sr=sr, attack=0.25, release=0.4, brightness=0.45, voices=3) for x in f)
    if inst == "synth_pluck":
        return sum(ins.synth(x, dur, sr=sr, attack=0.003, decay=0.18, brightness=0.85) for x in f)
    if inst == "voice":
        vowel = str(rng.choice(list(ins.VOWELS)))
        if style == "rap":
            return ins.voice(f[0], dur, sr=sr, rng=rng, vowel=vowel, consonant=0.9, vibrato_cents=0.0, breath=0.12)
        if style == "scream":
            y = ins.voice(f[0], dur, sr=sr, rng=rng, vowel=vowel, consonant=0.5, vibrato_cents=30.0, breath=0.4)
            return ins.lowpass(np.tanh(8 * y), 6000.0, sr=sr)
        return ins.voice(f[0], dur, sr=sr, rng=rng, vowel=vowel, consonant=float(rng.uniform(0.1, 0.6)))
    raise ValueError(f"unknown instrument {inst!r}")


_KIT_LEVEL = {"kick": 1.0, "snare": 0.75, "clap": 0.6, "rim": 0.5, "hat": 0.3, "ohat": 0.3, "ride": 0.35,
              "crash": 0.45, "brush": 0.45, "pedal": 0.15}


def _drum_kit(params: dict, *, sr: int, rng) -> dict[str, np.ndarray]:
    """One set of drum sounds per clip, tuned as its artist's kit (every hit of a piece sounds the same)."""
    kit = {
        "kick": dk.kick(sr=sr, rng=rng, f_start=params["kick_start"], f_end=params["kick_end"],
                         decay=params["kick_decay"], click=params["kick_click"]),
        "snare": dk.snare(sr=sr, rng=rng, tone=params["snare_tone"], snappy=params["snare_snappy"],
                           decay=params["snare_decay"]),
        "clap": dk.clap(sr=sr, rng=rng),
        "rim": dk.rim(sr=sr, rng=rng),
        "hat": dk.hihat(sr=sr, rng=rng, cutoff=params["hat_cutoff"]),
        "ohat": dk.hihat(sr=sr, rng=rng, open_=True, cutoff=params["ohat_cutoff"]),
        "ride": dk.cymbal(sr=sr, rng=rng, kind="ride"),
        "crash": dk.cymbal(sr=sr, rng=rng, kind="crash"),
        "brush": dk.brush(sr=sr, rng=rng),
    }
    kit["pedal"] = kit["hat"]
    return kit


# --- mixing --------------------------------------------------------------------------------

@functools.lru_cache(maxsize=256)
def _artist(genre: str, artist: int, seed: int) -> Artist:
    return make_artist(genre, artist, seed=seed)


def _artist_eq(artist: Artist) -> np.ndarray:
    """The artist's own EQ at EQ_FREQS (dB): a low shelf, a presence bump and a high shelf."""
    low = np.array([1.0, 1.0, 0.5, 0, 0, 0, 0, 0, 0, 0])
    mid = np.array([0, 0, 0, 0.5, 1.0, 1.0, 0.5, 0, 0, 0])
    high = np.array([0, 0, 0, 0, 0, 0, 0.5, 1.0, 1.0, 1.0])
    return artist.eq_low_db * low + artist.eq_mid_db * mid + artist.eq_high_db * high


def synthesize_clip(genre: str, *, index: int, seed: int = 0, duration: float = 30.0,
                    sr: int = SR) -> tuple[np.ndarray, dict]:
    """Synthesize one clip of ``genre``, deterministically from ``(seed, genre, index)``.

    Parameters
    ----------
    genre : str
        One of :data:`musicviz.GENRES`.
    index : int >= 0
        Clip number within the genre (``blues.00003`` is index 3).
    seed : int >= 0
        Data-set seed: another seed gives different clips.
    duration : float >= 3
        Length in seconds (GTZAN clips are 30 s).
    sr : int
        Sample rate (8000-96000 Hz; musicviz uses 22050).

    Returns
    -------
    y : np.ndarray [shape=(round(duration * sr),), dtype=float32]
        Mono samples in [-1, 1], peak about -1 dBFS.
    meta : dict
        Ground truth: ``genre``, ``track_id``, ``index``, ``seed``, ``tempo`` (BPM), ``key``,
        ``mode``, ``instruments`` (";"-joined), ``swing`` (long/short split of a beat's
        eighths, 0.5 = straight), ``drum_style``, ``progression``, ``has_drums``,
        ``distortion``, ``borrowed_from`` (the neighbouring genre whose groove and one part
        this clip borrowed, or ""), ``duration``, ``sr``; ``artist`` (e.g. ``"blues_artist_1"``,
        see :mod:`musicviz.synth.artists`) and its production, shared by all of its clips:
        ``reverb``, ``tone_hz`` (master low-pass), ``eq_low_db``/``eq_mid_db``/``eq_high_db``,
        ``compression`` (bus ratio), ``kick_hz``, ``snare_hz``, ``cabinet_hz``.

    Raises
    ------
    ParameterError
        Unknown genre, negative index or seed, duration < 3 s, or an unusable ``sr``.

    Examples
    --------
    >>> from musicviz.synth import synthesize_clip
    >>> y, meta = synthesize_clip("reggae", index=0, duration=4.0)
    >>> y.shape, y.dtype.name, meta["track_id"], meta["genre"]
    ((88200,), 'float32', 'reggae.00000', 'reggae')
    """
    _check_genre(genre)
    index = _check_int("index", index, 0)
    seed, duration, sr = _check_common(seed, duration, sr)
    rng = clip_rng(genre, index=index, seed=seed)
    recipe = RECIPES[genre]
    artist = _artist(genre, artist_index(index), seed)

    # Draw the clip's musical parameters around its artist's habits.
    tempo = float(np.clip(artist.tempo * rng.uniform(0.96, 1.04), *recipe.tempo))
    swing = artist.swing
    mode = "minor" if rng.random() < artist.minor_prob else "major"
    key = int(rng.choice(artist.keys))
    progs = recipe.progressions.get(mode) or recipe.progressions["major"]
    prog = list(progs[int(rng.integers(len(progs)))])
    n = int(round(duration * sr))
    n_bars = int(math.ceil((duration + 0.5) / (4 * 60.0 / tempo * (1 - recipe.rubato)))) + 1
    start_bar = int(rng.integers(len(prog)))  # clips start anywhere in the song, as GTZAN excerpts do
    symbols = [prog[(start_bar + b) % len(prog)] for b in range(n_bars)]
    chords = [Chord((key + parse_chord(s)[0]) % 12, parse_chord(s)[1]) for s in symbols]
    scale = SCALES[recipe.scales.get(mode, "major")]
    # Genres overlap: now and then a clip borrows the groove and one part of a neighbour.
    borrowed = None
    for other, prob in recipe.borrow:
        if rng.random() < prob:
            borrowed = other
            break
    drum_style = artist.drum_style
    if borrowed and RECIPES[borrowed].drums:
        styles, w = zip(*RECIPES[borrowed].drums)
        drum_style = styles[int(rng.choice(len(styles), p=np.array(w) / sum(w)))]
    parts = [recipe.parts[i] for i in artist.part_choice]
    gains_db = list(artist.part_gain_db)
    if borrowed:
        extra = [p for p in RECIPES[borrowed].parts if p.role in ("chords", "lead") and p not in parts]
        if extra:
            part = extra[int(rng.integers(len(extra)))]
            parts.append(part)
            gains_db.append(float(rng.uniform(*part.gain_db)))
    dist_gain = artist.distortion
    cabinet = artist.cabinet
    humanize = {"classical": 0.012, "jazz": 0.008, "blues": 0.008, "country": 0.006, "reggae": 0.006}.get(genre, 0.003)
    clock = _Clock(tempo=tempo, swing=swing, unit=recipe.swing_unit, rubato=recipe.rubato, n_steps=16 * n_bars, rng=rng)

    total = n + int(_TAIL * sr)
    tracks = {"drums": np.zeros(total), "music": np.zeros(total)}

    # Drums: one kit per clip, every hit overlap-added.
    hits = dk.drum_hits(drum_style, n_bars) if drum_style else []
    if hits:
        kit = _drum_kit(artist.kit, sr=sr, rng=rng)
        level = {k: v * artist.kit["levels"][k] for k, v in _KIT_LEVEL.items()}
        drum_gain = 10 ** (artist.drum_gain_db / 20)
        jitter = rng.normal(0.0, humanize, len(hits))
        vel_jit = rng.uniform(0.85, 1.0, len(hits))
        for (piece, step, vel), dt, vj in zip(hits, jitter, vel_jit):
            t = clock.seconds(step) + (dt if step % 4 else 0.3 * dt)
            _add(tracks["drums"], int(round(t * sr)), kit[piece], level[piece] * vel * vj)

    # Pitched parts: every distinct (instrument, pitches, length) rendered once.
    cache: dict = {}
    kick_steps = tuple(s for p, s, _ in hits if p == "kick")
    for part, part_db in zip(parts, gains_db):
        ctx = Context(chords=chords, key=key, scale=scale, rng=rng, octave=part.octave, kick_steps=kick_steps, opts=part.opts)
        notes: list[Note] = STYLES[part.style](ctx)
        gain = 10 ** (part_db / 20)
        buf = np.zeros(total)
        detune = 0.0
        if part.opts.get("double"):  # a second guitar, a few ms late (the "wall of sound")
            detune = 0.012
        jitter = rng.normal(0.0, humanize, len(notes))
        # Song sections: chord and lead parts drop out for some 4-bar blocks (breaks, verses).
        muted = set()
        if part.role in ("chords", "lead", "texture"):
            muted = {b for b in range(0, n_bars, 4) if rng.random() < recipe.section_mute}
        for note, dt in zip(notes, jitter):
            if (int(note.step // 64) * 4) in muted:
                continue
            t = clock.seconds(note.step) + dt + detune
            if t >= n / sr:
                continue
            length = round(note.length * 4) / 4
            keyc = (part.instrument, part.style, note.pitches, length)
            wave = cache.get(keyc)
            if wave is None:
                wave = _render_note(part.instrument, note.pitches, max(length * clock.step_sec, 0.03), sr=sr, rng=rng,
                                    style=part.style, dist_gain=dist_gain, cabinet=cabinet)
                peak = np.max(np.abs(wave))
                wave = wave / peak if peak > 0 else wave
                cache[keyc] = wave
            _add(buf, int(round(t * sr)), wave, note.velocity)
        rms = np.sqrt(np.mean(buf[:n] ** 2)) + 1e-9
        # Normalise each part to a common loudness, then apply its level: the mix is set in dB.
        tracks["music"] += buf * (gain * 0.1 / rms)

    music = tracks["music"]
    if hits:
        drums = tracks["drums"]
        drms = np.sqrt(np.mean(drums[:n] ** 2)) + 1e-9
        music = music + drums * (0.2 * drum_gain / drms)
    # Room, tone and dynamics.
    size = artist.reverb
    wet = _reverb(music, sr=sr, size=size)
    music = music + size * 4 * wet
    tone = artist.tone
    if tone < 0.45 * sr:
        music = ins.lowpass(music, tone, sr=sr)
    music = ins.highpass(music, 35.0, sr=sr)[:n]
    music = _equalize(music, sr=sr, gains_db=np.asarray(recipe.eq_db) + _artist_eq(artist))
    if artist.compression > 1.0:
        music = _compress(music, sr=sr, ratio=artist.compression)
    if recipe.dynamics_db > 0:
        # Slow crescendi and diminuendi: classical music's wide dynamic range.
        t = np.arange(n) / sr
        depth = recipe.dynamics_db * float(rng.uniform(0.6, 1.0))
        curve_db = -depth * 0.5 * (1 + np.sin(2 * np.pi * t / rng.uniform(12, 30) + rng.uniform(0, 2 * np.pi)))
        music = music * 10 ** (curve_db / 20)
    target = artist.rms
    y = _master(music, target_rms=target)
    # Noise floor (tape hiss, at least -60 dBFS): no clip is digitally silent. It is darkened
    # like the music, or its flat spectrum would make quiet clips sound (and measure) bright.
    hiss_db = max(artist.hiss_db, -60.0)
    hiss = rng.standard_normal(n)
    if tone < 0.45 * sr:
        hiss = ins.lowpass(hiss, tone, sr=sr)
    y = y + 10 ** (hiss_db / 20) * hiss / np.sqrt(np.mean(hiss ** 2))
    y *= min(1.0, PEAK / max(float(np.max(np.abs(y))), 1e-9))  # the hiss must not push peaks past -1 dBFS
    y = np.clip(y, -1.0, 1.0).astype(np.float32)

    instruments = ["drums"] if hits else []
    instruments += list(dict.fromkeys(p.instrument for p in parts))
    meta = {
        "genre": genre,
        "track_id": track_id(genre, index),
        "artist": artist.name,
        "index": index,
        "seed": seed,
        "tempo": round(tempo, 2),
        "key": KEY_NAMES[key],
        "mode": mode,
        "instruments": ";".join(instruments),
        "swing": round(swing, 3),
        "drum_style": drum_style or "none",
        "has_drums": bool(hits),
        "progression": "-".join(prog),
        "distortion": round(dist_gain, 2) if recipe.distortion[1] > 0 else 0.0,
        "borrowed_from": borrowed or "",
        # The artist's production, shared by all its clips.
        "reverb": round(artist.reverb, 3),
        "tone_hz": round(artist.tone, 1),
        "eq_low_db": round(artist.eq_low_db, 2),
        "eq_mid_db": round(artist.eq_mid_db, 2),
        "eq_high_db": round(artist.eq_high_db, 2),
        "compression": round(artist.compression, 2),
        "kick_hz": round(artist.kit["kick_start"], 1),
        "snare_hz": round(artist.kit["snare_tone"], 1),
        "cabinet_hz": round(artist.cabinet, 1),
        "duration": duration,
        "sr": sr,
    }
    return y, meta


# --- the data set --------------------------------------------------------------------------

def _render_to_file(out_dir: str, genre: str, index: int, seed: int, duration: float, sr: int) -> dict:
    from musicviz.audio import write_wav

    y, meta = synthesize_clip(genre, index=index, seed=seed, duration=duration, sr=sr)
    rel = f"{genre}/{meta['track_id']}.wav"
    write_wav(Path(out_dir) / rel, y, sr=sr)
    return {"path": rel, **meta}


def generate_dataset(out_dir, *, seed: int = 0, clips_per_genre: int = DEFAULT_CLIPS_PER_GENRE, duration: float = 30.0,
                     sr: int = SR, n_jobs: int = -1, progress: bool = False):
    """Write the synthetic genre data set: ``<out_dir>/<genre>/<genre>.000NN.wav`` and ``metadata.csv``.

    ``out_dir`` ends up holding exactly the new set: the clips, ``metadata.csv`` and the marker
    file ``.musicviz-synth.json`` (:data:`MARKER_NAME`: the parameters of the set, and what
    tells a later run that this folder is musicviz's to replace). The set is written into a
    hidden temporary folder next to ``out_dir`` (``.<name>.tmp-<random>``) and swapped in
    whole when complete (the old folder is renamed away, the new one renamed in, the old one
    deleted): a rerun with fewer clips or another seed leaves no stale clips, and a failure or
    Ctrl-C before the swap leaves the previous set as it was. A run that is killed outright
    (``kill -9``, a power cut) cannot clean up: its hidden folder is deleted by the next run
    (the folder is locked while in use, so a run still going is never disturbed).

    Parameters
    ----------
    out_dir : str or path-like
        Folder to write: new, empty, or a synthetic set written by this function (replaced
        whole). A non-empty folder that is not a synthetic set (a GTZAN copy, anyone's
        files), or a set holding files musicviz did not write, is refused and left untouched.
        A symbolic link is followed: the set is replaced where the link points.
    seed : int >= 0
        Data-set seed. The same seed gives byte-identical files on any machine.
    clips_per_genre : int >= 1
        Clips of each of the ten genres.
    duration : float >= 3
        Seconds per clip.
    sr : int
        Sample rate (GTZAN's 22050 Hz by default).
    n_jobs : int
        Worker processes for joblib (-1: all cores, 1: in this process). The result does not
        depend on it.
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    pandas.DataFrame
        One row per clip, as written to ``metadata.csv``: ``path`` (relative to ``out_dir``),
        ``genre``, ``track_id``, ``tempo``, ``key``, ``mode``, ``instruments``, ``seed``, ...

    Raises
    ------
    ParameterError
        ``clips_per_genre`` < 1, ``duration`` < 3 s, a bad ``sr`` or ``seed``.
    OutputError
        ``out_dir`` is a file, is below a file, is not empty and not a synthetic set, holds
        foreign files, or cannot be written (read-only, permission denied). All of these are
        checked before any clip is synthesized; nothing is changed.

    Examples
    --------
    >>> import tempfile
    >>> from musicviz.synth import generate_dataset
    >>> meta = generate_dataset(tempfile.mkdtemp(), clips_per_genre=1, duration=3.0, n_jobs=1, progress=False)
    >>> len(meta), meta.loc[0, "path"]
    (10, 'blues/blues.00000.wav')
    """
    import pandas as pd
    from joblib import Parallel, delayed

    from musicviz import __version__
    from musicviz._io import atomic_path, atomic_write_text, make_sibling_folder, replace_folder

    seed, duration, sr = _check_common(seed, duration, sr)
    clips_per_genre = _check_int("clips_per_genre", clips_per_genre, 1)
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs == 0:
        raise ParameterError(f"n_jobs must be a non-zero integer (-1: all cores), got {n_jobs!r}")
    # The real folder: a symlinked out_dir is replaced where it points, and the link stays.
    out = Path(os.path.realpath(os.path.abspath(os.fspath(out_dir))))
    _check_output_folder(out)
    try:
        # Creating the staging folder is the write test: a read-only place fails here, before
        # any synthesis.
        staging = make_sibling_folder(out, tag="tmp")
    except OSError as exc:
        raise OutputError(f"{out}: cannot write the synthetic set there: {_os_reason(exc)}") from None
    try:
        jobs = [(g, i) for g in GENRES for i in range(clips_per_genre)]
        # Interleave genres so a progress bar and an interrupted run cover every genre evenly.
        jobs.sort(key=lambda gi: (gi[1], GENRES.index(gi[0])))
        if n_jobs == 1:
            results = (_render_to_file(str(staging), g, i, seed, duration, sr) for g, i in jobs)
        else:
            # Processes, not threads: rendering is numpy-heavy Python. Each clip seeds itself, so
            # neither the worker count nor the completion order changes a single byte.
            results = Parallel(n_jobs=n_jobs, backend="loky", return_as="generator")(
                delayed(_render_to_file)(str(staging), g, i, seed, duration, sr) for g, i in jobs)
        if progress:
            from tqdm.auto import tqdm

            results = tqdm(results, total=len(jobs), desc="synthesizing clips", unit="clip")
        rows = list(results)
        frame = pd.DataFrame(rows).sort_values(["genre", "index"], kind="stable").reset_index(drop=True)
        with atomic_path(staging / "metadata.csv") as tmp:
            frame.to_csv(tmp, index=False)
        marker = {"format": _MARKER_FORMAT, "version": 1, "written_by": "musicviz.synth.generate_dataset",
                  "musicviz_version": __version__, "seed": seed, "clips_per_genre": clips_per_genre,
                  "duration": duration, "sr": sr, "clips": len(frame),
                  "note": "musicviz replaces this folder whole when the set is regenerated: keep no other files here"}
        atomic_write_text(staging / MARKER_NAME, json.dumps(marker, indent=2, sort_keys=True) + "\n")
        try:
            replace_folder(staging, out)
        except OSError as exc:
            raise OutputError(f"{out}: could not put the new set in place ({_os_reason(exc)}); "
                              "the previous set is unchanged") from None
    finally:
        if os.path.lexists(staging):  # failed or interrupted: the half-made set goes
            shutil.rmtree(staging, ignore_errors=True)
    return frame
