"""Tests of the built-in synthetic genre data set (musicviz.synth).

Each genre's promise is checked on the audio itself, not only on the metadata: classical has
no drum hits and fewer zero crossings than metal, metal is brighter, the disco tempo estimate
matches the metadata, reggae and hip-hop are slower than metal and disco, and so on.
Durations are short (4-8 s) to keep the file fast.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from musicviz import GENRES
from musicviz.errors import ParameterError
from musicviz.synth import DEFAULT_CLIPS_PER_GENRE, generate_dataset, synthesize_clip
from musicviz.synth.genres import RECIPES, parse_chord
from musicviz.synth.drums import drum_hits

SR = 22050


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def small_set(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth_a")
    meta = generate_dataset(out, seed=0, clips_per_genre=1, duration=4.0, n_jobs=2, progress=False)
    return out, meta


@pytest.fixture(scope="module")
def clips():
    """Two 6 s clips per genre, with their metadata."""
    return {g: [synthesize_clip(g, index=i, seed=0, duration=6.0) for i in range(2)] for g in GENRES}


def _zcr(y) -> float:
    return float(np.mean(np.abs(np.diff(np.signbit(y).astype(np.int8)))))


def _centroid(y) -> float:
    import librosa

    return float(np.mean(librosa.feature.spectral_centroid(y=y, sr=SR)))


# --- determinism ---------------------------------------------------------------------------

def test_same_seed_gives_byte_identical_files(small_set, tmp_path):
    out_a, _ = small_set
    out_b = tmp_path / "b"
    # Another worker count must not change a byte.
    generate_dataset(out_b, seed=0, clips_per_genre=1, duration=4.0, n_jobs=1, progress=False)
    files_a = sorted(p.relative_to(out_a) for p in out_a.rglob("*.wav"))
    files_b = sorted(p.relative_to(out_b) for p in out_b.rglob("*.wav"))
    assert files_a == files_b and len(files_a) == 10
    for rel in files_a:
        assert _sha(out_a / rel) == _sha(out_b / rel), rel
    assert (out_a / "metadata.csv").read_bytes() == (out_b / "metadata.csv").read_bytes()


def test_different_seed_gives_different_audio():
    a, meta_a = synthesize_clip("rock", index=0, seed=0, duration=4.0)
    b, meta_b = synthesize_clip("rock", index=0, seed=1, duration=4.0)
    assert not np.array_equal(a, b)
    c, _ = synthesize_clip("rock", index=1, seed=0, duration=4.0)
    assert not np.array_equal(a, c)


def test_clip_does_not_depend_on_other_clips():
    first, _ = synthesize_clip("jazz", index=2, seed=5, duration=4.0)
    synthesize_clip("metal", index=0, seed=5, duration=4.0)
    again, _ = synthesize_clip("jazz", index=2, seed=5, duration=4.0)
    assert np.array_equal(first, again)


# --- layout, metadata, format --------------------------------------------------------------

def test_layout_and_metadata(small_set):
    out, meta = small_set
    assert len(meta) == 10
    assert list(meta["genre"]) == list(GENRES)
    on_disk = pd.read_csv(out / "metadata.csv")
    for column in ("path", "genre", "track_id", "tempo", "key", "mode", "instruments", "seed", "swing"):
        assert column in on_disk.columns, column
    assert list(on_disk["path"]) == [f"{g}/{g}.00000.wav" for g in GENRES]
    assert list(on_disk["track_id"]) == [f"{g}.00000" for g in GENRES]
    for rel in on_disk["path"]:
        assert (out / rel).is_file()
    assert set(on_disk["mode"]) <= {"major", "minor"}
    assert on_disk["key"].isin(["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]).all()
    assert (on_disk["seed"] == 0).all()
    assert not list(out.rglob("*.tmp")), "temporary files left behind"


def test_wav_format(small_set):
    out, _ = small_set
    for path in sorted(out.rglob("*.wav")):
        info = sf.info(str(path))
        assert (info.samplerate, info.channels, info.subtype, info.format) == (SR, 1, "PCM_16", "WAV")
        assert abs(info.frames - 4 * SR) <= 1


def test_clip_levels_and_dtype(clips):
    for genre, pairs in clips.items():
        for y, meta in pairs:
            assert y.dtype == np.float32 and y.shape == (6 * SR,)
            assert np.all(np.isfinite(y))
            peak = float(np.max(np.abs(y)))
            assert peak <= 10 ** (-0.9 / 20), (genre, peak)  # about -1 dBFS at most
            assert peak > 0.01, genre  # never silent
            # The noise floor: not one digitally silent stretch.
            assert np.count_nonzero(np.round(y * 32767)) > 0.95 * len(y), genre
            assert meta["genre"] == genre and meta["duration"] == 6.0 and meta["sr"] == SR


def test_default_set_size():
    assert DEFAULT_CLIPS_PER_GENRE >= 10


# --- genre properties, measured from the audio ---------------------------------------------

def test_classical_has_no_drums_and_fewer_zero_crossings_than_metal(clips):
    for y, meta in clips["classical"]:
        assert meta["has_drums"] is False and "drums" not in meta["instruments"].split(";")
    classical_zcr = np.mean([_zcr(y) for y, _ in clips["classical"]])
    metal_zcr = np.mean([_zcr(y) for y, _ in clips["metal"]])
    assert metal_zcr > 1.5 * classical_zcr, (metal_zcr, classical_zcr)


def test_classical_has_fewer_sharp_onsets_than_drummed_genres(clips):
    import librosa

    def percussive_share(y):
        harmonic, percussive = librosa.effects.hpss(y)
        return float(np.sum(percussive**2) / (np.sum(harmonic**2) + 1e-12))

    # The first 3 s of one clip each keep this fast; HPSS is the costly part.
    classical = percussive_share(clips["classical"][0][0][: 3 * SR])
    for genre in ("rock", "disco", "hiphop"):
        drummed = percussive_share(clips[genre][0][0][: 3 * SR])
        assert drummed > 2 * classical, (genre, drummed, classical)


def test_metal_is_brighter_than_classical_and_jazz(clips):
    metal = np.mean([_centroid(y) for y, _ in clips["metal"]])
    # Real GTZAN medians: metal 2.7 kHz, jazz 1.7 kHz, classical 1.3 kHz.
    for genre, factor in (("classical", 1.3), ("jazz", 1.1)):
        other = np.mean([_centroid(y) for y, _ in clips[genre]])
        assert metal > factor * other, (genre, metal, other)
    # Distortion gain, the cause, is in the metadata too.
    assert min(m["distortion"] for _, m in clips["metal"]) > max(m["distortion"] for _, m in clips["blues"])


def test_disco_tempo_estimate_matches_metadata(clips):
    import librosa

    for y, meta in clips["disco"]:
        tempo = float(np.atleast_1d(librosa.feature.tempo(y=y, sr=SR))[0])
        # Four-on-the-floor makes the beat unambiguous: within 4%, or an octave error.
        ratios = [tempo / (meta["tempo"] * k) for k in (0.5, 1.0, 2.0)]
        assert min(abs(r - 1) for r in ratios) < 0.04, (tempo, meta["tempo"])


def test_reggae_and_hiphop_are_slower_than_metal_and_disco(clips):
    slow = [RECIPES[g].tempo for g in ("reggae", "hiphop")]
    fast = [RECIPES[g].tempo for g in ("disco", "metal")]
    assert max(hi for _, hi in slow) <= min(lo for lo, _ in fast)
    tempos = {g: np.mean([m["tempo"] for _, m in clips[g]]) for g in ("reggae", "hiphop", "metal", "disco")}
    assert max(tempos["reggae"], tempos["hiphop"]) < min(tempos["metal"], tempos["disco"]), tempos


def test_swing_in_blues_and_jazz_straight_in_disco_and_metal(clips):
    for genre in ("blues", "jazz"):
        assert all(0.58 <= m["swing"] <= 0.7 for _, m in clips[genre]), genre
    for genre in ("disco", "metal", "rock", "pop"):
        assert all(m["swing"] == 0.5 for _, m in clips[genre]), genre


def test_grooves_encode_the_genre_rhythms():
    kicks = lambda style: [s for p, s, _ in drum_hits(style, 1) if p == "kick"]  # noqa: E731
    assert kicks("four_floor") == [0, 4, 8, 12]  # disco
    assert kicks("one_drop") == [8]  # reggae: only on beat 3
    snare = [s for p, s, _ in drum_hits("boom_bap", 1) if p == "snare"]
    assert snare == [4, 12]  # hip-hop backbeat on 2 and 4
    assert RECIPES["classical"].drums == ()


def test_harmony_recipes():
    assert parse_chord("V7") == (7, (0, 4, 7, 10))
    assert parse_chord("i5") == (0, (0, 7, 12))
    blues = RECIPES["blues"].progressions["major"][0]
    assert len(blues) == 12 and blues[4] == "IV7" and blues[8] == "V7"
    assert ["ii7", "V7", "Imaj7"] == RECIPES["jazz"].progressions["major"][0][:3]
    assert all(s.endswith("5") for prog in RECIPES["metal"].progressions["minor"] for s in prog)


def _style_notes(style, chords, *, octave=4, seed=0):
    from musicviz.synth.patterns import STYLES, Context

    ctx = Context(chords=chords, key=chords[0].root, scale=(0, 3, 5, 6, 7, 10), rng=np.random.default_rng(seed),
                  octave=octave)
    return STYLES[style](ctx)


def test_blues_singer_answers_the_band_every_four_bars():
    from musicviz.synth.patterns import Chord

    chords = [Chord(4, (0, 4, 7, 10))] * 12
    for seed in range(5):
        notes = _style_notes("blues_vocal", chords, seed=seed)
        bars = {int(n.step // 16) for n in notes}
        # The singer takes bars 1-2 of each four (and a pickup into bar 3); bar 4 is the band's answer.
        assert bars & {0, 1, 4, 5, 8, 9}
        assert not bars & {3, 7, 11}
        assert all(n.step % 16 < 4 for n in notes if n.step // 16 in (2, 6, 10))
    parts = RECIPES["blues"].parts
    assert any(p.instrument == "voice" and p.style == "blues_vocal" and p.prob >= 0.5 for p in parts)


def test_blues_shuffle_riff_walks_up_to_the_flat_seventh():
    from musicviz.synth.patterns import Chord

    notes = _style_notes("shuffle_riff", [Chord(9, (0, 4, 7, 10))], octave=3)
    root = min(n.pitches[0] for n in notes)
    assert {n.pitches[1] - root for n in notes} == {7, 9, 10}  # fifth, sixth, flat seventh
    assert [n.step for n in notes] == list(range(0, 16, 2))


def test_reggae_skank_chops_the_off_beats_with_an_up_stroke():
    from musicviz.synth.patterns import Chord

    for seed in range(6):
        notes = _style_notes("skank", [Chord(7, (0, 4, 7))] * 2, seed=seed)
        downs = [n for n in notes if n.velocity > 0.8]
        # off the beat: the "ands" of a 16-step bar, or 2 and 4 of the half-time count; never 1 or 3
        assert downs and all(n.step % 8 != 0 for n in downs)
        # every chop is answered by a quieter up-stroke one 16th later
        ups = {(n.step, n.pitches) for n in notes if n.velocity < 0.8}
        assert all((n.step + 1, n.pitches) in ups for n in downs) and len(ups) == len(downs)


def test_metadata_instruments_match_genre(clips):
    for _, meta in clips["metal"]:
        assert "distorted_guitar" in meta["instruments"]
    for _, meta in clips["hiphop"]:
        assert "808_bass" in meta["instruments"]
    for _, meta in clips["classical"]:
        assert {"strings", "piano", "harp"} & set(meta["instruments"].split(";"))


# --- parameter errors ----------------------------------------------------------------------

@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"clips_per_genre": 0}, "clips_per_genre"),
        ({"duration": 2.0}, "duration"),
        ({"sr": 0}, "sr"),
        ({"sr": 22050.5}, "sr"),
        ({"seed": -1}, "seed"),
        ({"n_jobs": 0}, "n_jobs"),
    ],
)
def test_generate_dataset_rejects_bad_arguments(tmp_path, kwargs, message):
    with pytest.raises(ParameterError, match=message):
        generate_dataset(tmp_path, progress=False, **kwargs)
    assert not list(tmp_path.rglob("*.wav"))


def test_synthesize_clip_rejects_bad_arguments():
    with pytest.raises(ParameterError, match="unknown genre 'polka'"):
        synthesize_clip("polka", index=0)
    with pytest.raises(ParameterError, match="index"):
        synthesize_clip("pop", index=-1)
    with pytest.raises(ParameterError, match="duration"):
        synthesize_clip("pop", index=0, duration=1.0)


# --- synthetic artists ---------------------------------------------------------------------

#: Metadata columns that record an artist's production: equal on all of its clips.
_ARTIST_COLUMNS = ("reverb", "tone_hz", "eq_low_db", "eq_mid_db", "eq_high_db", "compression", "kick_hz", "snare_hz",
                   "cabinet_hz", "distortion", "swing")


@pytest.fixture(scope="module")
def artist_set(tmp_path_factory):
    """Two genres' worth of metadata with several clips per artist (short clips: only metadata matters)."""
    from musicviz.synth.artists import CLIPS_PER_ARTIST

    n = 2 * CLIPS_PER_ARTIST
    return pd.DataFrame([synthesize_clip(g, index=i, seed=3, duration=3.0)[1] for g in ("metal", "jazz") for i in range(n)])


def test_artists_are_in_the_metadata_with_several_clips_each(small_set, artist_set):
    from musicviz.synth.artists import CLIPS_PER_ARTIST, artist_index, artist_name

    _, meta = small_set
    on_disk = pd.read_csv(small_set[0] / "metadata.csv")
    assert "artist" in on_disk.columns and list(on_disk["artist"]) == [f"{g}_artist_0" for g in GENRES]
    counts = artist_set["artist"].value_counts()
    assert len(counts) == 4 and (counts == CLIPS_PER_ARTIST).all() and CLIPS_PER_ARTIST >= 2
    assert all(a.startswith(g + "_") for a, g in zip(artist_set["artist"], artist_set["genre"]))
    assert [artist_index(i) for i in range(2 * CLIPS_PER_ARTIST)] == [0] * CLIPS_PER_ARTIST + [1] * CLIPS_PER_ARTIST
    assert artist_name("pop", 1) == "pop_artist_1"
    # The default set: 12 clips per genre, at least 3 artists of at least 2 clips each.
    n_artists = len({artist_index(i) for i in range(DEFAULT_CLIPS_PER_GENRE)})
    assert n_artists >= 3 and DEFAULT_CLIPS_PER_GENRE // n_artists >= 2


def test_an_artists_clips_share_its_production(artist_set):
    for artist, rows in artist_set.groupby("artist"):
        for column in _ARTIST_COLUMNS:
            assert rows[column].nunique() == 1, (artist, column, rows[column].tolist())
        # Tempo habit: every clip within a few percent of the artist's centre.
        assert rows["tempo"].max() / rows["tempo"].min() < 1.09, (artist, rows["tempo"].tolist())
        assert rows["key"].nunique() <= 3, artist
    # ... and the artists of a genre differ from each other.
    for genre, rows in artist_set.groupby("genre"):
        firsts = rows.groupby("artist").first()
        assert firsts["reverb"].nunique() == len(firsts) and firsts["kick_hz"].nunique() == len(firsts), genre


def test_clip_metadata_records_its_artists_production():
    # The recorded values are the artist's own (drawn once), not a per-clip draw.
    from musicviz.synth.artists import make_artist

    a, b = make_artist("classical", 0, seed=0), make_artist("classical", 1, seed=0)
    assert a.tone != b.tone and a.reverb != b.reverb
    metas = [synthesize_clip("classical", index=i, seed=0, duration=3.0)[1] for i in (0, 1, 3)]
    assert metas[0]["tone_hz"] == metas[1]["tone_hz"] == round(a.tone, 1) and metas[2]["tone_hz"] == round(b.tone, 1)
    assert metas[0]["reverb"] == round(a.reverb, 3) and metas[2]["artist"] == b.name


def test_artists_are_deterministic_and_depend_on_the_seed():
    from musicviz.synth.artists import make_artist

    assert make_artist("rock", 2, seed=4) == make_artist("rock", 2, seed=4)
    assert make_artist("rock", 2, seed=4) != make_artist("rock", 2, seed=5)
    assert make_artist("rock", 2, seed=4) != make_artist("rock", 1, seed=4)
    lo, hi = RECIPES["rock"].tempo
    assert lo <= make_artist("rock", 2, seed=4).tempo <= hi


def test_compressor_reduces_loudness_swings():
    from musicviz.synth.mixing import _compress

    t = np.arange(4 * SR) / SR
    # Loud accents a quarter of the time (20 dB above the rest): above the median, so compressed.
    y = np.sin(2 * np.pi * 220 * t) * np.where(t % 1.0 < 0.25, 1.0, 0.1)
    out = _compress(y, sr=SR, ratio=4.0)

    def swing_db(x):
        frames = np.sqrt(np.mean(x[: len(x) // 2205 * 2205].reshape(-1, 2205) ** 2, axis=1))
        return 20 * np.log10(frames.max() / frames.min())

    assert swing_db(out) < 0.6 * swing_db(y)
    assert np.array_equal(_compress(y, sr=SR, ratio=1.0), y)
