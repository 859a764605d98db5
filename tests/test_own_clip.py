"""Notebook 07's promise: a clip of any format and length can be classified, or gets a clear message.

``mv.audio.load_audio`` must read WAV, FLAC, OGG (Vorbis) and MP3 alike, decode only the excerpt
asked for, and refuse a clip shorter than the models need; the models (musicnn's input, the CNN's
segments) must say "too short" rather than answer. Files are written here with soundfile
(libsndfile 1.1+ encodes MP3 through LAME); a format this libsndfile cannot write is skipped with
the reason, never faked.
"""

from __future__ import annotations

import numpy as np
import pytest

from musicviz.errors import AudioContentError

SR = 22050
FREQ = 440.0
FORMATS = {  # extension -> (soundfile format, subtype)
    "wav": ("WAV", "PCM_16"),
    "flac": ("FLAC", "PCM_16"),
    "ogg": ("OGG", "VORBIS"),
    "mp3": ("MP3", "MPEG_LAYER_III"),
}


def _tone(seconds, *, sr=SR, freq=FREQ, channels=1):
    t = np.arange(int(round(seconds * sr))) / sr
    y = 0.4 * np.sin(2 * np.pi * freq * t)
    return y if channels == 1 else np.stack([y] * channels, axis=1)


def _write(path, data, *, sr, ext):
    import soundfile as sf

    fmt, subtype = FORMATS[ext]
    if fmt not in sf.available_formats() or subtype not in sf.available_subtypes(fmt):
        pytest.skip(f"this libsndfile ({sf.__libsndfile_version__}) cannot write {fmt}/{subtype}")
    sf.write(str(path), data, sr, format=fmt, subtype=subtype)
    return path


def _peak_hz(y, sr) -> float:
    spectrum = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    return float(np.fft.rfftfreq(len(y), 1 / sr)[int(np.argmax(spectrum))])


@pytest.mark.parametrize("ext", sorted(FORMATS))
def test_load_audio_reads_every_format(tmp_path, ext):
    from musicviz.audio import load_audio, probe

    path = _write(tmp_path / f"tone.{ext}", _tone(4.0, sr=44100, channels=2), sr=44100, ext=ext)
    info = probe(path)
    assert info.sr == 44100 and info.channels == 2
    assert info.duration == pytest.approx(4.0, abs=0.1)  # MP3 frames may pad a little
    y, sr = load_audio(path)  # mono, resampled to 22050 Hz
    assert sr == SR and y.ndim == 1 and y.dtype == np.float32
    assert len(y) / sr == pytest.approx(4.0, abs=0.1)
    middle = y[SR : 3 * SR]  # away from codec edges
    assert _peak_hz(middle, sr) == pytest.approx(FREQ, abs=2.0)
    assert np.sqrt(np.mean(middle**2)) == pytest.approx(0.4 / np.sqrt(2), rel=0.1)  # the level survives
    if ext in ("wav", "flac"):  # lossless: the samples themselves, up to 16-bit rounding and resampling
        reference = _tone(4.0)[SR : 3 * SR]
        assert np.max(np.abs(middle - reference)) < 2e-3


@pytest.mark.parametrize("ext", ["flac", "mp3"])
def test_excerpt_of_a_long_file(tmp_path, ext):
    """OFFSET/DURATION: 10 s from 20 s into a 45 s file, a different tone in each part."""
    from musicviz.audio import load_audio

    y = np.concatenate([_tone(20.0, freq=220.0), _tone(10.0, freq=660.0), _tone(15.0, freq=330.0)])
    path = _write(tmp_path / f"long.{ext}", y, sr=SR, ext=ext)
    excerpt, sr = load_audio(path, offset=20.0, duration=10.0)
    assert len(excerpt) == pytest.approx(10 * SR, abs=SR // 100)
    assert _peak_hz(excerpt[SR:-SR], sr) == pytest.approx(660.0, abs=2.0)
    first, _ = load_audio(path, duration=30.0)  # the notebook's default: the first 30 s
    assert len(first) == pytest.approx(30 * SR, abs=SR // 100)
    tail, _ = load_audio(path, offset=40.0, duration=30.0)  # less left than asked: what there is
    assert len(tail) == pytest.approx(5 * SR, abs=SR // 20)


@pytest.mark.parametrize("ext", ["wav", "ogg"])
def test_too_short_clip_is_refused_with_a_clear_message(tmp_path, ext):
    from musicviz.audio import load_audio

    path = _write(tmp_path / f"short.{ext}", _tone(2.0), sr=SR, ext=ext)
    with pytest.raises(AudioContentError, match=r"too short: 2\.0\d s of audio, at least 3 s needed") as err:
        load_audio(path)
    assert err.value.path == str(path)
    with pytest.raises(AudioContentError, match="too short"):
        load_audio(_write(tmp_path / f"long.{ext}", _tone(10.0), sr=SR, ext=ext), offset=8.0)  # 2 s left


def test_models_say_too_short_instead_of_answering():
    """musicnn's patches and the CNN's segments both need about 3 s (no network is loaded here)."""
    from musicviz.cnn import MelConfig, segment_mels
    from musicviz.pretrained import log_mel, patches

    short = _tone(2.0)
    with pytest.raises(AudioContentError, match=r"too short for musicnn: about 2\.\d+ s of audio, at least 2\.98 s"):
        patches(log_mel(short, sr=SR))
    assert patches(log_mel(_tone(3.0), sr=SR)).shape == (1, 187, 96)  # 3 s is enough for one patch
    with pytest.raises(AudioContentError, match="too short for the CNN"):
        segment_mels(short, sr=SR, config=MelConfig(segment_seconds=3.0))
