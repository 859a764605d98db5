"""Loading validates and fails clearly: one case per kind of bad input."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

import musicviz
from _support import tone
from musicviz.audio import check_signal, load_audio, play, segment, write_wav
from musicviz.errors import (
    AudioContentError,
    AudioDecodeError,
    AudioError,
    AudioFileNotFoundError,
    MusicvizError,
    ParameterError,
)

SR = 22050


@pytest.fixture
def wav(tmp_path):
    path = tmp_path / "rock.00001.wav"
    sf.write(path, tone(), SR, subtype="PCM_16")
    return path


def test_loads_a_valid_clip(wav):
    y, sr = load_audio(wav)
    assert sr == SR and y.dtype == np.float32 and y.shape == (4 * SR,)
    assert 0.49 < np.abs(y).max() <= 0.51


def test_error_family_has_one_base():
    for cls in (AudioFileNotFoundError, AudioDecodeError, AudioContentError, ParameterError, musicviz.DatasetError):
        assert issubclass(cls, MusicvizError)


def test_missing_file(tmp_path):
    with pytest.raises(AudioFileNotFoundError, match="file not found") as info:
        load_audio(tmp_path / "nope.wav")
    assert "nope.wav" in str(info.value)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    with pytest.raises(AudioDecodeError, match="empty"):
        load_audio(path)


def test_text_named_wav(tmp_path):
    path = tmp_path / "jazz.00054.wav"
    path.write_text("this is not audio, it is a text file\n")
    with pytest.raises(AudioDecodeError, match="contains text") as info:
        load_audio(path)
    assert "jazz.00054.wav" in str(info.value)


def test_binary_garbage(tmp_path):
    path = tmp_path / "garbage.wav"
    path.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(AudioDecodeError, match="not a readable audio file"):
        load_audio(path)


def test_truncated_wav(wav):
    data = wav.read_bytes()
    wav.write_bytes(data[: len(data) // 2])
    with pytest.raises(AudioDecodeError, match="truncated"):
        load_audio(wav)


def test_silence(tmp_path):
    path = tmp_path / "silent.wav"
    sf.write(path, np.zeros(4 * SR), SR)
    with pytest.raises(AudioContentError, match="silent"):
        load_audio(path)


def test_nan_and_inf_samples(tmp_path):
    y = tone().astype(np.float32)
    y[100], y[200] = np.nan, np.inf
    path = tmp_path / "nan.wav"
    sf.write(path, y, SR, subtype="FLOAT")
    with pytest.raises(AudioContentError, match="2 NaN or infinite"):
        load_audio(path)


def test_one_second_clip_is_too_short(tmp_path):
    path = tmp_path / "short.wav"
    sf.write(path, tone(1.0), SR)
    with pytest.raises(AudioContentError, match=r"too short: 1.00 s"):
        load_audio(path)
    y, _ = load_audio(path, min_duration=0.5)  # allowed when asked for
    assert len(y) == SR


def test_ten_minute_clip(tmp_path):
    path = tmp_path / "long.wav"
    sf.write(path, tone(600.0, freq=220.0), SR, subtype="PCM_16")
    y, _ = load_audio(path, duration=30.0)
    assert len(y) == 30 * SR
    with pytest.raises(AudioContentError, match="too long"):
        load_audio(path, max_duration=300)
    y, _ = load_audio(path)
    assert len(y) == 600 * SR


def test_stereo_is_mixed_down(tmp_path):
    path = tmp_path / "stereo.wav"
    left, right = tone(freq=440), np.zeros(4 * SR, dtype=np.float32)
    sf.write(path, np.stack([left, right], axis=1), SR)
    y, _ = load_audio(path)
    assert y.ndim == 1 and 0.24 < np.abs(y).max() < 0.26
    both, _ = load_audio(path, mono=False)
    assert both.shape == (2, 4 * SR)


@pytest.mark.parametrize("native_sr", [8000, 44100, 48000])
def test_other_sample_rates_are_resampled(tmp_path, native_sr):
    path = tmp_path / f"tone_{native_sr}.wav"
    sf.write(path, tone(4.0, sr=native_sr, freq=440.0), native_sr)
    y, sr = load_audio(path)
    assert sr == SR and abs(len(y) - 4 * SR) <= 1
    spectrum = np.abs(np.fft.rfft(y))
    assert abs(np.argmax(spectrum) * SR / len(y) - 440.0) < 1.0
    y_native, sr_native = load_audio(path, sr=None)
    assert sr_native == native_sr


def test_non_ascii_path(tmp_path):
    folder = tmp_path / "Müsik_音楽"
    folder.mkdir()
    path = folder / "blues.00001.wav"
    sf.write(path, tone(), SR)
    y, _ = load_audio(path)
    assert len(y) == 4 * SR


def test_au_file(tmp_path):
    path = tmp_path / "blues.00000.au"
    sf.write(path, tone(), SR, format="AU", subtype="PCM_16")
    y, sr = load_audio(path)
    assert sr == SR and len(y) == 4 * SR


def test_offset_and_bad_arguments(wav):
    y, _ = load_audio(wav, offset=1.0, duration=3.0)
    assert len(y) == 3 * SR
    with pytest.raises(ParameterError):
        load_audio(wav, offset=-1)
    with pytest.raises(AudioContentError, match="no audio samples"):
        load_audio(wav, offset=10.0)


def test_check_signal_rejects_bad_arrays():
    with pytest.raises(ParameterError, match="shape"):
        check_signal(np.zeros((2, 3, 4)))
    with pytest.raises(ParameterError, match="NaN"):
        check_signal(np.array([0.0, np.nan]))
    with pytest.raises(ParameterError, match="real numbers"):
        check_signal(np.array(["a", "b"]))
    with pytest.raises(ParameterError, match="at least"):
        check_signal(np.array([]))
    with pytest.raises(ParameterError, match="sr"):
        check_signal(np.zeros(10), sr=0)
    with pytest.raises(ParameterError, match="sr"):
        check_signal(np.zeros(10), sr="22050")
    assert check_signal([1, 2, 3]).dtype == np.float64


def test_segment_and_player():
    y = tone()
    assert segment(y, sr=SR, start=1.0, end=2.0).shape == (SR,)
    with pytest.raises(ParameterError, match="start < end"):
        segment(y, sr=SR, start=3.0, end=2.0)
    with pytest.raises(ParameterError, match="start < end"):
        segment(y, sr=SR, start=0.0, end=10.0)
    player = play(y, sr=SR, start=0.0, end=0.5)
    assert player.data[:4] == b"OggS" and player.mimetype == "audio/ogg"  # Ogg Opus (tests/test_players.py)
    assert "<audio" in player._repr_html_()
    quiet = play(0.01 * y, sr=SR, normalize=False)
    assert "<audio" in quiet._repr_html_()


def test_write_wav_is_atomic_and_readable(tmp_path):
    path = write_wav(tmp_path / "sub" / "x.wav", tone(), sr=SR)
    info = sf.info(path)
    assert info.samplerate == SR and info.subtype == "PCM_16" and info.channels == 1
    assert sorted(p.name for p in path.parent.iterdir()) == ["x.wav"]  # no temporaries left
    with pytest.raises(ParameterError):
        write_wav(tmp_path / "bad.wav", np.array([np.nan]), sr=SR)
    assert not (tmp_path / "bad.wav").exists()


def test_audio_errors_carry_path_and_reason(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    with pytest.raises(AudioError) as info:
        load_audio(path)
    assert info.value.path == str(path) and info.value.reason == "file is empty (0 bytes)"


@pytest.mark.parametrize("bad", [{"sr": "22050"}, {"sr": 44100.7}, {"sr": True}, {"offset": float("nan")}, {"duration": float("nan")}])
def test_bad_load_arguments_are_refused_before_decoding(wav, bad):
    with pytest.raises(ParameterError):
        load_audio(wav, **bad)
