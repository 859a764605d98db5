"""Reliability of audio loading and atomic writing (issue 12, items 8, 9, 11, 12 and _io).

Each test reproduces a failure of the old code: a long file decoded before ``max_duration``
was checked, arguments that gave zeros / MemoryError / TypeError instead of a named
ParameterError, a raw PermissionError, a symlink loop reported as "file not found", and an
``atomic_path`` that changed the process umask and never flushed to disk. The fuzz test at the
end feeds random and mutated WAV files to :func:`load_audio` and :func:`probe`: only musicviz
errors (or success) may come out.
"""

from __future__ import annotations

import builtins
import os
import struct
import threading
import tracemalloc

import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from musicviz import _io
from musicviz import audio as mv_audio
from _support import chmod_can_deny, tone
from musicviz.audio import load_audio, write_wav
from musicviz.errors import (
    AudioContentError,
    AudioDecodeError,
    AudioError,
    AudioFileNotFoundError,
    MusicvizError,
    ParameterError,
)

SR = 22050


def wav_header(n_frames, *, sr=SR, channels=1, bits=16) -> bytes:
    """A canonical 44-byte PCM WAV header announcing ``n_frames`` frames."""
    block = channels * bits // 8
    size = n_frames * block
    return (b"RIFF" + struct.pack("<I", (36 + size) & 0xFFFFFFFF) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, sr, sr * block, block, bits)
            + b"data" + struct.pack("<I", size & 0xFFFFFFFF))


@pytest.fixture
def wav(tmp_path):
    path = tmp_path / "rock.00001.wav"
    sf.write(path, tone(), SR, subtype="PCM_16")
    return path


@pytest.fixture
def two_hour_wav(tmp_path):
    """A 2-hour 22050 Hz mono WAV that costs almost nothing: 10 s of noise, then a sparse hole.

    The header and the file size agree (317 MB), so it is not "truncated"; decoding all of it
    as float64 would take 1.3 GB.
    """
    path = tmp_path / "two_hours.wav"
    n = 2 * 3600 * SR
    noise = np.random.default_rng(0).normal(0.0, 3000.0, 10 * SR).astype("<i2")
    with open(path, "wb") as handle:
        handle.write(wav_header(n))
        handle.write(noise.tobytes())
        handle.truncate(44 + 2 * n)  # sparse: no disk blocks for the rest
    return path


@pytest.fixture
def no_decoding(monkeypatch):
    """Make every way of decoding samples fail the test (headers may still be read)."""
    def refuse(*args, **kwargs):
        raise AssertionError("audio samples were decoded")

    monkeypatch.setattr(sf, "read", refuse)
    monkeypatch.setattr(sf.SoundFile, "read", refuse)
    monkeypatch.setattr(sf.SoundFile, "blocks", refuse)
    monkeypatch.setattr(sf, "blocks", refuse)


# --- item 8: bounded memory for long files ---------------------------------------------------

def test_long_file_is_refused_by_max_duration_before_decoding(two_hour_wav, no_decoding):
    with pytest.raises(AudioContentError, match=r"too long: 7200\.0 s .* at most 60 s") as info:
        load_audio(two_hour_wav, max_duration=60)
    assert "two_hours.wav" in str(info.value)


def test_long_file_duration_decodes_only_the_part_asked_for(two_hour_wav):
    tracemalloc.start()
    try:
        y, sr = load_audio(two_hour_wav, duration=5.0, max_duration=60)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sr == SR and len(y) == 5 * SR
    assert peak < 20e6, f"peak {peak / 1e6:.0f} MB to read 5 s"  # the whole file would be 1270 MB


def test_max_duration_counts_the_part_after_offset_and_duration(two_hour_wav):
    y, _ = load_audio(two_hour_wav, offset=1.0, duration=8.0, max_duration=10)
    assert len(y) == 8 * SR


def test_probe_reads_the_header_only(two_hour_wav, no_decoding):
    info = mv_audio.probe(two_hour_wav)
    assert info == (7200.0, SR, 1)
    duration, sr, channels = info  # a plain tuple too
    assert (info.duration, info.sr, info.channels) == (duration, sr, channels)


def test_probe_raises_the_same_errors_as_load_audio(tmp_path, wav):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "jazz.00054.wav"
    text.write_text("this is not audio, it is a text file\n")
    truncated = tmp_path / "cut.wav"
    truncated.write_bytes(wav.read_bytes()[:5000])
    cases = [
        (tmp_path / "nope.wav", AudioFileNotFoundError, "file not found"),
        (empty, AudioDecodeError, "empty"),
        (text, AudioDecodeError, "contains text"),
        (truncated, AudioDecodeError, "truncated"),
        (tmp_path, AudioDecodeError, "folder"),
    ]
    for path, cls, message in cases:
        for function in (mv_audio.probe, load_audio):
            with pytest.raises(cls, match=message) as info:
                function(path)
            assert info.value.path == str(path)
    assert mv_audio.probe(wav) == (4.0, SR, 1)


def test_probe_of_stereo_and_au(tmp_path):
    stereo = tmp_path / "stereo.flac"
    sf.write(stereo, np.stack([tone(3.0, sr=44100)] * 2, axis=1), 44100)
    assert mv_audio.probe(stereo) == (3.0, 44100, 2)
    au = tmp_path / "blues.00000.au"
    sf.write(au, tone(), SR, format="AU", subtype="PCM_16")
    assert mv_audio.probe(au) == (4.0, SR, 1)


# --- item 11: argument validation ------------------------------------------------------------

@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"dtype": np.int16}, "dtype"),
        ({"dtype": int}, "dtype"),
        ({"dtype": "not a dtype"}, "dtype"),
        ({"sr": 10**12}, "sr"),
        ({"sr": 1}, "sr"),
        ({"max_duration": 0}, "max_duration"),
        ({"max_duration": -5.0}, "max_duration"),
        ({"max_duration": float("nan")}, "max_duration"),
        ({"min_duration": -1.0}, "min_duration"),
        ({"min_duration": 10.0, "max_duration": 5.0}, "min_duration"),
        ({"offset": "1"}, "offset"),
        ({"duration": True}, "duration"),
    ],
)
def test_bad_arguments_name_the_argument(wav, kwargs, message, no_decoding):
    with pytest.raises(ParameterError, match=message):
        load_audio(wav, **kwargs)


@pytest.mark.parametrize("bad", [42, None, ["a.wav"], 3.5, "", "a\x00.wav"])
def test_a_non_path_is_a_parameter_error(bad):
    for function in (load_audio, mv_audio.probe):
        with pytest.raises(ParameterError, match="path"):
            function(bad)


def test_str_bytes_and_pathlike_paths_work(wav):
    for path in (wav, str(wav), os.fsencode(wav)):
        assert load_audio(path)[0].shape == (4 * SR,)


def test_sample_rate_range_is_documented_and_accepted(wav):
    assert mv_audio.MIN_SR == 1000 and mv_audio.MAX_SR == 384000
    assert "1000" in load_audio.__doc__ and "384000" in load_audio.__doc__
    y, sr = load_audio(wav, sr=1000)
    assert sr == 1000 and abs(len(y) - 4000) <= 1
    y, sr = load_audio(wav, sr=22050.0, dtype=np.float64)  # whole float rates and float64 still fine
    assert sr == 22050 and y.dtype == np.float64


@pytest.mark.parametrize("native_sr", [1, 8, 999])
def test_absurdly_low_native_rate_is_refused(tmp_path, native_sr):
    path = tmp_path / "low.wav"
    n = 10 * native_sr
    path.write_bytes(wav_header(n, sr=native_sr) + (np.ones(n, "<i2") * 1000).tobytes())
    for function in (load_audio, mv_audio.probe):
        with pytest.raises((AudioDecodeError, AudioContentError), match=f"{native_sr} Hz") as info:
            function(path, **({"min_duration": 0.0} if function is load_audio else {}))
        assert "low.wav" in str(info.value)


# --- item 9: permission denied ---------------------------------------------------------------

def test_permission_denied_is_an_audio_error(wav, monkeypatch):
    real_open = builtins.open

    def deny(file, *args, **kwargs):
        if os.fspath(file) == str(wav):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", deny)
    monkeypatch.setattr(os, "open", _deny_os_open(wav, os.open))
    for function in (load_audio, mv_audio.probe):
        with pytest.raises(AudioDecodeError, match="permission denied") as info:
            function(wav)
        assert info.value.path == str(wav)


def _deny_os_open(path, real):
    def deny(file, *args, **kwargs):
        if os.fspath(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real(file, *args, **kwargs)
    return deny


def test_permission_denied_by_libsndfile_is_an_audio_error(wav, monkeypatch):
    # Even when only libsndfile is refused (the header read by musicviz got through).
    def deny(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(sf, "info", deny)
    monkeypatch.setattr(sf, "read", deny)
    monkeypatch.setattr(sf, "SoundFile", deny)
    for function in (load_audio, mv_audio.probe):
        with pytest.raises(AudioDecodeError, match="permission denied"):
            function(wav)


def test_permission_denied_real_chmod(wav):
    if not chmod_can_deny(wav.parent):
        pytest.skip(f"this process (euid {os.geteuid() if hasattr(os, 'geteuid') else '?'}) reads files whatever "
                    "their mode (root or CAP_DAC_OVERRIDE): chmod 000 cannot deny it; simulated in the tests above")
    wav.chmod(0)
    try:
        for function in (load_audio, mv_audio.probe):
            with pytest.raises(AudioDecodeError, match="permission denied") as info:
                function(wav)
            assert info.value.path == str(wav)
    finally:
        wav.chmod(0o644)


# --- item 12: symbolic links -----------------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links on this platform")
def test_symlink_loop_and_dangling_link(tmp_path, wav):
    a, b = tmp_path / "a.wav", tmp_path / "b.wav"
    a.symlink_to(b)
    b.symlink_to(a)
    dangling = tmp_path / "dangling.wav"
    dangling.symlink_to(tmp_path / "gone.wav")
    good = tmp_path / "good.wav"
    good.symlink_to(wav)
    for function in (load_audio, mv_audio.probe):
        with pytest.raises(AudioError, match="symbolic link loop") as info:
            function(a)
        assert "a.wav" in str(info.value)
        with pytest.raises(AudioFileNotFoundError, match="broken symbolic link.*gone.wav"):
            function(dangling)
    assert load_audio(good)[0].shape == (4 * SR,)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_named_pipe_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.wav"
    os.mkfifo(fifo)
    for function in (load_audio, mv_audio.probe):
        with pytest.raises(AudioDecodeError, match="not a regular file"):
            function(fifo)



# --- file names that are not valid UTF-8 ------------------------------------------------------

@pytest.fixture
def latin1_named_wav(tmp_path, wav):
    """A valid WAV named ``rock.00002\xe9.wav`` in Latin-1 (a byte that is not UTF-8), as an
    old archive or a Windows copy leaves it; Python shows it as a surrogate escape."""
    raw = os.path.join(os.fsencode(tmp_path), b"rock.00002\xe9.wav")
    try:
        os.rename(os.fsencode(wav), raw)
    except OSError:  # pragma: no cover - a file system that stores names as Unicode (macOS)
        pytest.skip("this file system cannot hold a name that is not valid UTF-8")
    return tmp_path / os.fsdecode(os.path.basename(raw))


def test_a_name_that_is_not_utf8_loads(latin1_named_wav):
    """soundfile encodes a str name as UTF-8 and fails ("damaged format"); the bytes name opens."""
    path = latin1_named_wav
    assert "\udce9" in str(path)
    y, sr = load_audio(path)
    assert sr == SR and y.shape == (len(tone()),)
    assert mv_audio.probe(path).sr == SR
    y_bytes, _ = load_audio(os.fsencode(path))  # the bytes name as such works too
    np.testing.assert_array_equal(y, y_bytes)


def test_scan_finds_a_clip_whose_name_is_not_utf8(tmp_path, latin1_named_wav):
    from musicviz.datasets import scan

    copy = tmp_path / "genres" / "rock" / "rock.00003.wav"
    copy.parent.mkdir(parents=True)
    os.rename(os.fsencode(latin1_named_wav), os.fsencode(copy.parent) + b"/rock.00003\xe9.wav")
    nested = tmp_path / "genres" / os.fsdecode(b"caf\xe9")
    nested.mkdir()
    sf.write(os.fsencode(nested / "jazz.00004.wav"), tone(), SR, subtype="PCM_16")
    for check_audio in (True, "full"):
        result = scan(tmp_path, check_audio=check_audio)
        assert [t.track_id for t in result.tracks] == ["jazz.00004"], result.skipped
        assert [s.path.name for s in result.skipped] == [os.fsdecode(b"rock.00003\xe9.wav")]
        assert "damaged" not in result.skipped[0].reason and "name" in result.skipped[0].reason
    again = write_wav(nested / "jazz.00005.wav", tone(), sr=SR)  # writing through such a folder too
    assert load_audio(again)[1] == SR


# --- _io.atomic_path: umask and fsync --------------------------------------------------------

def _current_umask() -> int:
    with open("/proc/self/status") if os.path.exists("/proc/self/status") else open(os.devnull) as handle:
        for line in handle:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    pytest.skip("cannot read the umask without changing it on this platform")


def test_atomic_path_gives_umask_permissions(tmp_path):
    old = os.umask(0o027)  # the test itself may change it: it is the code under test that must not
    try:
        target = _io.atomic_write_text(tmp_path / "a.txt", "x")
        wav_path = write_wav(tmp_path / "b.wav", tone(), sr=SR)
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o666 & ~0o027
    assert wav_path.stat().st_mode & 0o777 == 0o666 & ~0o027
    written = _io.atomic_write_text(tmp_path / "c.txt", "x")
    assert written.stat().st_mode & 0o777 == 0o666 & ~_current_umask()


def test_atomic_path_never_touches_the_umask(tmp_path, monkeypatch):
    def forbidden(mask):
        raise AssertionError("os.umask changes the umask of every thread")

    monkeypatch.setattr(os, "umask", forbidden)
    _io.atomic_write_bytes(tmp_path / "a.bin", b"\x00")
    with _io.atomic_path(tmp_path / "b.txt") as tmp:
        tmp.write_text("y")
    assert (tmp_path / "a.bin").read_bytes() == b"\x00" and (tmp_path / "b.txt").read_text() == "y"


def test_atomic_path_flushes_file_and_folder(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync

    def record(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}") if os.path.exists(f"/proc/self/fd/{fd}") else fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", record)
    target = tmp_path / "out.txt"
    _io.atomic_write_text(target, "durable")
    assert len(synced) >= 2, synced
    if isinstance(synced[0], str):  # Linux: the file (under its temporary name), then the folder
        assert synced[0].startswith(str(tmp_path / ".out.txt.")) and synced[-1] == str(tmp_path)
    assert target.read_text() == "durable"


def test_atomic_path_failure_leaves_old_file_and_no_temporary(tmp_path):
    target = _io.atomic_write_text(tmp_path / "keep.txt", "old")
    with pytest.raises(RuntimeError):
        with _io.atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("crash mid-write")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_atomic_path_is_safe_from_threads(tmp_path):
    # Many writers at once: each file exists once, whole, with the umask's permissions.
    umask = _current_umask()
    errors = []

    def write(i):
        try:
            _io.atomic_write_text(tmp_path / f"f{i}.txt", str(i) * 1000)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for i in range(32):
        path = tmp_path / f"f{i}.txt"
        assert path.read_text() == str(i) * 1000 and path.stat().st_mode & 0o777 == 0o666 & ~umask
    assert not list(tmp_path.glob(".*.tmp"))


# --- fuzz: only musicviz errors --------------------------------------------------------------

_GOOD_WAV = None


def _good_wav_bytes() -> bytes:
    global _GOOD_WAV
    if _GOOD_WAV is None:
        import io

        buffer = io.BytesIO()
        sf.write(buffer, tone(0.2), SR, format="WAV", subtype="PCM_16")
        _GOOD_WAV = buffer.getvalue()
    return _GOOD_WAV


def _check_only_musicviz_errors(path):
    for function, kwargs in ((load_audio, {"min_duration": 0.0, "max_duration": 600.0}), (mv_audio.probe, {})):
        try:
            function(path, **kwargs)
        except MusicvizError:
            pass
        # Anything else (struct.error, ValueError, LibsndfileError, MemoryError, ...) fails.


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(min_size=0, max_size=512))
def test_fuzz_random_bytes(tmp_path, data):
    path = tmp_path / "fuzz.wav"
    path.write_bytes(data)
    _check_only_musicviz_errors(path)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=st.lists(st.tuples(st.integers(0, 59), st.integers(0, 255)), max_size=8),
    fields=st.lists(st.tuples(st.sampled_from([4, 16, 20, 22, 24, 28, 32, 34, 40]),
                              st.sampled_from([0, 1, 2, 7, 255, 1000, 65535, 0x7FFFFFFF, 0xFFFFFFFF])),
                    max_size=3),
    cut=st.one_of(st.none(), st.integers(0, 4000)),
)
def test_fuzz_mutated_wav_headers(tmp_path, edits, fields, cut):
    data = bytearray(_good_wav_bytes())
    for offset, value in edits:  # random bytes anywhere in the header
        data[offset] = value
    for offset, value in fields:  # plausible-but-wrong values in the header's fields
        width = 2 if offset in (20, 22, 32, 34) else 4
        data[offset:offset + width] = (value & ((1 << 8 * width) - 1)).to_bytes(width, "little")
    if cut is not None:
        del data[cut:]
    path = tmp_path / "mutated.wav"
    path.write_bytes(bytes(data))
    _check_only_musicviz_errors(path)
