"""Reliability of ``scan`` and ``import_gtzan`` (issue 12, items 2, 4, 6, 7, 8, 9 and 12).

Each test reproduces a failure of the old code: a scan that kept an invalid copy of a clip
and dropped the good one as a "duplicate", a scan that decoded every file in full, a raw
``PermissionError`` or a silently skipped folder, folders named ``*.wav``, link loops and
hidden files left unreported, a track-name pattern that took Unicode digits and a trailing
newline; an import that overwrote a user's edited file and the first of two members with the
same name, that had no size limit and took any extension, that ignored Windows member names
and crashed on a password-protected member. The fuzz tests at the end feed random folders and
random or mutated archives to ``scan`` and ``import_gtzan``: only musicviz errors (or clean
results) may come out, and nothing is ever written outside the destination.
"""

from __future__ import annotations

import io
import os
import stat
import struct
import tarfile
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _support import chmod_can_deny
from musicviz import datasets
from musicviz.datasets import ImportReport, import_gtzan, parse_track_name, scan
from musicviz.errors import DatasetError, MusicvizError

SR = 22050


def _wav_bytes(seconds=2.0, freq=330.0) -> bytes:
    buffer = io.BytesIO()
    t = np.arange(int(seconds * SR)) / SR
    sf.write(buffer, 0.3 * np.sin(2 * np.pi * freq * t), SR, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def _clip(path: Path, seconds=2.0, fmt="WAV", freq=330.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(seconds * SR)) / SR
    sf.write(path, 0.3 * np.sin(2 * np.pi * freq * t), SR, format=fmt, subtype="PCM_16")
    return path


def _wav_header(n_frames, *, sr=SR, channels=1, bits=16) -> bytes:
    block = channels * bits // 8
    size = n_frames * block
    return (b"RIFF" + struct.pack("<I", (36 + size) & 0xFFFFFFFF) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, sr, sr * block, block, bits)
            + b"data" + struct.pack("<I", size & 0xFFFFFFFF))


def _reasons(items) -> dict[str, str]:
    return {Path(s.path).name: s.reason for s in items}


# --- item 2: the good copy of a duplicate wins, whatever the scan mode -----------------------

@pytest.mark.parametrize("check_audio", [False, True])
def test_duplicates_are_resolved_among_files_that_pass_the_header_check(tmp_path, check_audio):
    kaggle = tmp_path / "Data" / "genres_original" / "jazz" / "jazz.00054.wav"
    kaggle.parent.mkdir(parents=True)
    kaggle.write_text("this is the invalid jazz.00054.wav of the Kaggle copy\n")
    marsyas = _clip(tmp_path / "genres" / "jazz" / "jazz.00054.au", fmt="AU")
    result = scan(tmp_path, check_audio=check_audio)
    assert [(t.track_id, t.path) for t in result.tracks] == [("jazz.00054", marsyas)]
    assert result.tracks[0].duration == 2.0 and result.tracks[0].sr == SR
    assert "contains text" in _reasons(result.skipped)["jazz.00054.wav"]
    assert "jazz.00054.au" not in _reasons(result.skipped)


# --- item 8: scan reads headers (and a block at each end), never the whole file --------------

@pytest.fixture
def long_wav(tmp_path):
    """A 10-minute 22050 Hz WAV that costs nothing on disk: 3 s of noise, then a sparse hole.

    Decoding all of it takes ~160 MB (float64 + float32 copies); header and size agree.
    """
    path = tmp_path / "long" / "rock.00001.wav"
    path.parent.mkdir()
    n = 600 * SR
    noise = np.random.default_rng(0).normal(0.0, 3000.0, 3 * SR).astype("<i2")
    with open(path, "wb") as handle:
        handle.write(_wav_header(n))
        handle.write(noise.tobytes())
        handle.truncate(44 + 2 * n)
    return path


@pytest.mark.parametrize("check_audio", [True, False])
def test_scan_never_decodes_a_whole_file(long_wav, check_audio):
    tracemalloc.start()
    try:
        result = scan(long_wav.parent, check_audio=check_audio)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [t.duration for t in result.tracks] == [600.0]
    assert peak < 20e6, f"scan took {peak / 1e6:.0f} MB for one 10-minute clip"


def test_scan_check_reads_both_ends_and_full_decoding_is_opt_in(tmp_path):
    good = _clip(tmp_path / "rock.00001.wav", seconds=12.0)
    # float WAV with NaN samples in its last block: the cheap check reads that block.
    y = 0.3 * np.sin(2 * np.pi * 330 * np.arange(12 * SR) / SR)
    y[-100:] = np.nan
    sf.write(tmp_path / "rock.00002.wav", y, SR, subtype="FLOAT")
    # NaN only in the middle: found by the explicit full decode, not by the cheap check.
    y = 0.3 * np.sin(2 * np.pi * 330 * np.arange(12 * SR) / SR)
    y[6 * SR] = np.nan
    sf.write(tmp_path / "rock.00003.wav", y, SR, subtype="FLOAT")
    cheap = scan(tmp_path)
    assert [t.track_id for t in cheap.tracks] == ["rock.00001", "rock.00003"]
    assert "NaN" in _reasons(cheap.skipped)["rock.00002.wav"]
    full = scan(tmp_path, check_audio="full")
    assert [t.path for t in full.tracks] == [good]
    assert "NaN" in _reasons(full.skipped)["rock.00003.wav"]
    with pytest.raises(MusicvizError, match="check_audio"):
        scan(tmp_path, check_audio="sometimes")


# --- item 9: one unreadable file or folder is a skipped entry, never an abort ----------------

@pytest.mark.parametrize("check_audio", [True, False])
def test_permission_denied_file_is_skipped_with_its_reason(tmp_path, monkeypatch, check_audio):
    _clip(tmp_path / "rock" / "rock.00001.wav")
    locked = _clip(tmp_path / "rock" / "rock.00002.wav")
    real_stat = os.stat

    def stat(path, *args, **kwargs):
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(locked))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    result = scan(tmp_path, check_audio=check_audio)
    assert [t.track_id for t in result.tracks] == ["rock.00001"]
    assert "permission denied" in _reasons(result.skipped)["rock.00002.wav"]


def test_unlistable_folder_is_reported_not_silently_ignored(tmp_path, monkeypatch):
    _clip(tmp_path / "rock" / "rock.00001.wav")
    _clip(tmp_path / "jazz" / "jazz.00001.wav")
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(os.fspath(path)).name == "jazz":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = scan(tmp_path)
    assert [t.track_id for t in result.tracks] == ["rock.00001"]
    assert "permission denied" in _reasons(result.skipped)["jazz"]


def _chmod_denies(folder: Path) -> bool:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return False
    return chmod_can_deny(folder)

def test_permission_denied_real_chmod(tmp_path):
    if not _chmod_denies(tmp_path):
        pytest.skip("running as root (or with CAP_DAC_OVERRIDE): chmod cannot deny reading; simulated above")
    _clip(tmp_path / "rock" / "rock.00001.wav")
    locked = _clip(tmp_path / "rock" / "rock.00002.wav")
    closed = tmp_path / "jazz"
    _clip(closed / "jazz.00001.wav")
    locked.chmod(0)
    closed.chmod(0)
    try:
        for check_audio in (True, False):
            result = scan(tmp_path, check_audio=check_audio)
            assert [t.track_id for t in result.tracks] == ["rock.00001"]
            reasons = _reasons(result.skipped)
            assert "permission denied" in reasons["rock.00002.wav"] and "permission denied" in reasons["jazz"]
    finally:
        locked.chmod(0o644)
        closed.chmod(0o755)


# --- item 12: folders named *.wav, link loops, hidden files, the track-name pattern ----------

def test_folder_named_like_a_clip_is_reported(tmp_path):
    (tmp_path / "blues.00001.wav").mkdir()
    _clip(tmp_path / "blues.00001.wav" / "blues.00002.wav")  # still found inside it
    result = scan(tmp_path)
    assert [t.track_id for t in result.tracks] == ["blues.00002"]
    assert "folder" in _reasons(result.skipped)["blues.00001.wav"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_symbolic_link_loops_are_reported_as_loops(tmp_path):
    _clip(tmp_path / "rock" / "rock.00001.wav")
    a, b = tmp_path / "rock" / "rock.00002.wav", tmp_path / "rock" / "rock.00003.wav"
    a.symlink_to(b)
    b.symlink_to(a)
    (tmp_path / "rock" / "again").symlink_to(tmp_path)  # a folder loop: leads back up
    for check_audio in (True, False):
        result = scan(tmp_path, check_audio=check_audio)
        assert [t.track_id for t in result.tracks] == ["rock.00001"]
        reasons = _reasons(result.skipped)
        assert "symbolic link loop" in reasons["rock.00002.wav"] and "symbolic link loop" in reasons["rock.00003.wav"]
        assert "not found" not in reasons["rock.00002.wav"]
        assert "symbolic link loop" in reasons["again"]


def test_hidden_files_are_reported_but_musicviz_temporaries_are_not(tmp_path):
    _clip(tmp_path / "blues" / "blues.00000.wav")
    _clip(tmp_path / "blues" / ".blues.00001.wav")
    _clip(tmp_path / "__MACOSX" / "blues" / "._blues.00002.wav")
    (tmp_path / "blues" / ".blues.00003.wav.3f9a0c1d.tmp").write_bytes(b"half written")
    result = scan(tmp_path)
    assert [t.track_id for t in result.tracks] == ["blues.00000"]
    reasons = _reasons(result.skipped)
    assert set(reasons) == {".blues.00001.wav", "._blues.00002.wav"}
    assert all("hidden file" in r for r in reasons.values())


def test_track_name_pattern_is_ascii_and_whole_name():
    assert parse_track_name("blues.00001.wav") == ("blues", 1)
    assert parse_track_name("blues.\u0660\u0660\u0660\u0660\u0661.wav") is None  # Arabic-Indic digits
    assert parse_track_name("blues.\uff10\uff10\uff10\uff10\uff11.wav") is None  # full-width digits
    assert parse_track_name("blues.00001.wav\n") is None
    assert parse_track_name("blues.00001.w\u0101v") is None


def test_scan_of_a_unicode_digit_name_reports_it(tmp_path):
    _clip(tmp_path / "blues.\u0660\u0660\u0660\u0660\u0661.wav")
    result = scan(tmp_path)
    assert result.tracks == [] and "name is not" in result.skipped[0].reason


# --- item 4: never overwrite a user's file; first of two same-named members wins ---------------

def _zip(path: Path, members, **kwargs) -> Path:
    with zipfile.ZipFile(path, "w", **kwargs) as z:
        for name, data in members:
            z.writestr(name, data)
    return path


def test_import_twice_keeps_an_edited_file(tmp_path):
    archive = _zip(tmp_path / "gtzan.zip", [("genres/blues/blues.00000.wav", _wav_bytes()),
                                            ("train_filtered.txt", "blues/blues.00000.wav\n")])
    dest = tmp_path / "dest"
    first = import_gtzan(archive, dest=dest, progress=False)
    assert sorted(first.imported) == ["genres/blues/blues.00000.wav", "train_filtered.txt"]
    edited = dest / "train_filtered.txt"
    edited.write_text("blues/blues.00000.wav\n# my notes\n")
    again = import_gtzan(archive, dest=dest, progress=False)
    assert edited.read_text().endswith("# my notes\n")  # kept
    assert again.imported == ["genres/blues/blues.00000.wav"] and again.unchanged == again.imported
    assert len(again.skipped) == 1 and "different content" in again.skipped[0].reason
    assert "kept yours" in again.skipped[0].reason and again.skipped[0].path == edited
    forced = import_gtzan(archive, dest=dest, progress=False, overwrite=True)
    assert "train_filtered.txt" in forced.imported and edited.read_text() == "blues/blues.00000.wav\n"


def test_import_folder_twice_keeps_an_edited_file(tmp_path):
    src = tmp_path / "src"
    _clip(src / "pop" / "pop.00003.wav")
    dest = tmp_path / "dest"
    import_gtzan(src, dest=dest, progress=False)
    mine = _clip(dest / "pop" / "pop.00003.wav", freq=880.0)
    report = import_gtzan(src, dest=dest, progress=False)
    assert report.imported == [] and "different content" in report.skipped[0].reason
    assert mine.read_bytes() != (src / "pop" / "pop.00003.wav").read_bytes()


def test_duplicate_zip_member_first_one_wins(tmp_path):
    first, second = _wav_bytes(freq=330.0), _wav_bytes(freq=660.0)
    archive = tmp_path / "dup.zip"
    with pytest.warns(UserWarning, match="Duplicate name"):
        _zip(archive, [("genres/rock/rock.00001.wav", first), ("genres/rock/rock.00001.wav", second)])
    report = import_gtzan(archive, dest=tmp_path / "dest", progress=False)
    assert report.imported == ["genres/rock/rock.00001.wav"]
    assert (tmp_path / "dest" / "genres" / "rock" / "rock.00001.wav").read_bytes() == first
    assert len(report.skipped) == 1 and "duplicate member" in report.skipped[0].reason


def test_duplicate_tar_member_first_one_wins(tmp_path):
    first, second = _wav_bytes(freq=330.0), _wav_bytes(freq=660.0)
    archive = tmp_path / "dup.tar"
    with tarfile.open(archive, "w") as tar:
        for data in (first, second):
            info = tarfile.TarInfo("genres/rock/rock.00001.wav")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    report = import_gtzan(archive, dest=tmp_path / "dest", progress=False)
    assert report.imported == ["genres/rock/rock.00001.wav"]
    assert (tmp_path / "dest" / "genres" / "rock" / "rock.00001.wav").read_bytes() == first
    assert "duplicate member" in report.skipped[0].reason


# --- item 6: size limits, compression ratio, extensions --------------------------------------

def test_import_limits_are_documented_constants():
    assert datasets.MAX_IMPORT_BYTES >= 1_500_000_000  # GTZAN's audio and tables: ~1.3 GB
    assert datasets.MAX_MEMBER_BYTES >= 10_000_000
    assert 10 <= datasets.MAX_COMPRESSION_RATIO <= 1000


def test_zip_bomb_member_is_refused_by_ratio_before_extracting(tmp_path, monkeypatch):
    archive = _zip(tmp_path / "bomb.zip", [("genres/rock/rock.00001.wav", b"\x00" * 20_000_000),
                                           ("genres/rock/rock.00002.wav", _wav_bytes())],
                   compression=zipfile.ZIP_DEFLATED)
    assert archive.stat().st_size < 100_000
    opened = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, name, *a, **k: (opened.append(getattr(name, "filename", name)),
                                                                                 real_open(self, name, *a, **k))[1])
    report = import_gtzan(archive, dest=tmp_path / "dest", progress=False)
    assert report.imported == ["genres/rock/rock.00002.wav"]
    assert "compression ratio" in _reasons(report.skipped)["rock.00001.wav"]
    assert opened == ["genres/rock/rock.00002.wav"]  # the bomb was never opened
    assert not (tmp_path / "dest" / "genres" / "rock" / "rock.00001.wav").exists()


def test_member_and_total_size_limits(tmp_path):
    members = [(f"genres/rock/rock.{i:05d}.wav", _wav_bytes()) for i in range(3)]
    archive = _zip(tmp_path / "g.zip", members)
    size = len(members[0][1])
    report = import_gtzan(archive, dest=tmp_path / "d1", progress=False, max_member_bytes=size - 1)
    assert report.imported == [] and all("limit" in s.reason and "max_member_bytes" in s.reason
                                         for s in report.skipped)
    with pytest.raises(DatasetError, match="max_total_bytes") as info:
        import_gtzan(archive, dest=tmp_path / "d2", progress=False, max_total_bytes=2 * size)
    assert "g.zip" in str(info.value)
    assert not list((tmp_path / "d2").rglob("*.wav"))  # refused before anything was written
    ok = import_gtzan(archive, dest=tmp_path / "d3", progress=False, max_total_bytes=3 * size)
    assert len(ok.imported) == 3


def test_bytes_are_counted_while_extracting(tmp_path, monkeypatch):
    """A header that understates a member's size does not get more bytes written than it says."""
    archive = _zip(tmp_path / "liar.zip", [("genres/rock/rock.00001.wav", _wav_bytes())])
    real_open = zipfile.ZipFile.open

    def lying_open(self, name, *args, **kwargs):
        handle = real_open(self, name, *args, **kwargs)
        return io.BufferedReader(io.BytesIO(handle.read() * 50))  # 50x what the header says

    monkeypatch.setattr(zipfile.ZipFile, "open", lying_open)
    report = import_gtzan(archive, dest=tmp_path / "dest", progress=False)
    assert report.imported == [] and "more than its header" in report.skipped[0].reason
    assert not list((tmp_path / "dest").rglob("*.wav")) and not list((tmp_path / "dest").rglob("*.tmp"))


def test_tar_gz_bomb_is_refused_by_ratio(tmp_path):
    archive = tmp_path / "bomb.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("genres/rock/rock.00001.wav")
        info.size = 20_000_000
        tar.addfile(info, io.BytesIO(b"\x00" * info.size))
    with pytest.raises(DatasetError, match="compression ratio"):
        import_gtzan(archive, dest=tmp_path / "dest", progress=False)
    assert not list((tmp_path / "dest").rglob("*.wav"))


def test_only_audio_extensions_and_known_tables_are_accepted(tmp_path):
    archive = _zip(tmp_path / "g.zip", [
        ("genres/blues/blues.00000.exe", b"MZ..."),
        ("genres/blues/blues.00001.wav", _wav_bytes()),
        ("genres/blues/blues.00002.WAV", _wav_bytes()),
        ("features_30_sec.csv", "filename,label\n"),
        ("features_3_sec.csv", "filename,label\n"),
        ("test_filtered.txt", "blues/blues.00001.wav\n"),
        ("install.sh", "rm -rf ~\n"),
    ])
    report = import_gtzan(archive, dest=tmp_path / "dest", progress=False)
    assert sorted(report.imported) == ["features_30_sec.csv", "features_3_sec.csv",
                                       "genres/blues/blues.00001.wav", "genres/blues/blues.00002.WAV",
                                       "test_filtered.txt"]
    reasons = _reasons(report.skipped)
    assert set(reasons) == {"blues.00000.exe"} and "not an audio" in reasons["blues.00000.exe"]


# --- item 7: Windows member names, encrypted members -----------------------------------------

def test_backslash_member_names_are_imported_and_still_checked(tmp_path):
    archive = _zip(tmp_path / "win.zip", [
        ("genres\\blues\\blues.00000.wav", _wav_bytes()),
        ("..\\..\\evil\\blues.00001.wav", _wav_bytes()),
        ("C:\\Windows\\blues.00002.wav", _wav_bytes()),
        ("\\\\server\\share\\blues.00003.wav", _wav_bytes()),
        ("C:blues.00004.wav", _wav_bytes()),
    ])
    report = import_gtzan(archive, dest=tmp_path / "dest", progress=False)
    assert report.imported == ["genres/blues/blues.00000.wav"]
    assert (tmp_path / "dest" / "genres" / "blues" / "blues.00000.wav").is_file()
    assert len(report.skipped) == 4 and all("unsafe" in s.reason for s in report.skipped)
    assert not (tmp_path / "evil").exists()


def _encrypted_zip(path: Path, members) -> Path:
    """A zip whose members carry the 'encrypted' flag (bit 0 of the general-purpose flags)."""
    with zipfile.ZipFile(path, "w") as z:
        for name, data, encrypted in members:
            z.writestr(name, data)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        infos = {i.filename: i for i in z.infolist()}
    locked = {name.encode() for name, _, encrypted in members if encrypted}
    for name in locked:
        raw[infos[name.decode()].header_offset + 6] |= 0x01  # local file header: flags
    central = raw.find(b"PK\x01\x02")
    while central >= 0:
        name_len = struct.unpack("<H", raw[central + 28:central + 30])[0]
        if bytes(raw[central + 46:central + 46 + name_len]) in locked:
            raw[central + 8] |= 0x01  # central directory: flags
        central = raw.find(b"PK\x01\x02", central + 46 + name_len)
    path.write_bytes(bytes(raw))
    return path


def test_encrypted_member_is_reported_not_a_traceback(tmp_path):
    archive = _encrypted_zip(tmp_path / "locked.zip", [("genres/rock/rock.00001.wav", _wav_bytes(), True),
                                                       ("genres/rock/rock.00002.wav", _wav_bytes(), False)])
    with zipfile.ZipFile(archive) as z, pytest.raises(RuntimeError, match="encrypted"):
        z.read("genres/rock/rock.00001.wav")  # what zipfile does with it
    report = import_gtzan(archive, dest=tmp_path / "dest", progress=False)
    assert report.imported == ["genres/rock/rock.00002.wav"]
    assert "encrypted (password-protected) member" in _reasons(report.skipped)["rock.00001.wav"]


def test_destination_problems_are_musicviz_errors(tmp_path):
    archive = _zip(tmp_path / "g.zip", [("genres/rock/rock.00001.wav", _wav_bytes())])
    (tmp_path / "file").write_text("x")
    with pytest.raises(MusicvizError, match="file"):
        import_gtzan(archive, dest=tmp_path / "file", progress=False)
    dest = tmp_path / "dest"
    (dest / "genres" / "rock" / "rock.00001.wav").mkdir(parents=True)  # a folder in the way
    report = import_gtzan(archive, dest=dest, progress=False)
    assert report.imported == [] and "folder" in report.skipped[0].reason


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_import_never_writes_through_a_link_out_of_the_destination(tmp_path):
    archive = _zip(tmp_path / "g.zip", [("genres/rock/rock.00001.wav", _wav_bytes())])
    outside = tmp_path / "outside"
    outside.mkdir()
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "genres").symlink_to(outside, target_is_directory=True)
    report = import_gtzan(archive, dest=dest, progress=False)
    assert report.imported == [] and "outside the destination" in report.skipped[0].reason
    assert not any(outside.rglob("*"))


# --- part 2: archives that expand by overlapping, by count, by headers; links in folders ------

def _local_header(name: bytes, *, method: int, crc: int, packed: int, size: int, extra: bytes = b"") -> bytes:
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, packed, size, len(name),
                       len(extra)) + name + extra


def _central_entry(name: bytes, *, method: int, crc: int, packed: int, size: int, offset: int) -> bytes:
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, packed, size,
                       len(name), 0, 0, 0, 0, 0, offset) + name


def _end_record(n: int, directory: bytes, offset: int) -> bytes:
    return struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(directory), offset, 0)


def _deflated(data: bytes) -> bytes:
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def _raw_zip(members) -> bytes:
    """A zip of ``(name, data)`` members written by hand: each deflated once, laid out in order."""
    import zlib

    body, directory, cache = bytearray(), bytearray(), {}
    for name, data in members:
        if data not in cache:
            cache[data] = (_deflated(data), zlib.crc32(data))
        packed, crc = cache[data]
        fields = {"method": 8, "crc": crc, "packed": len(packed), "size": len(data)}
        directory += _central_entry(name.encode(), offset=len(body), **fields)
        body += _local_header(name.encode(), **fields) + packed
    return bytes(body + directory + _end_record(len(members), directory, len(body)))


def _overlapping_zip(names, data: bytes) -> bytes:
    """Members whose local headers quote each other (each one's extra field holds the next
    header), so that every member's data is the same deflated block: the zip-bomb layout."""
    import zlib

    packed, crc = _deflated(data), zlib.crc32(data)
    fields = {"method": 8, "crc": crc, "packed": len(packed), "size": len(data)}
    chain = b""
    for name in reversed(names):
        chain = _local_header(name.encode(), extra=chain, **fields)
    directory, offset = bytearray(), 0
    for name in names:
        directory += _central_entry(name.encode(), offset=offset, **fields)
        offset += 30 + len(name.encode())
    body = chain + packed
    return body + bytes(directory) + _end_record(len(names), directory, len(body))


def test_zip_with_overlapping_members_is_refused_whole(tmp_path):
    names = [f"genres/rock/rock.{i:05d}.wav" for i in range(3)]
    archive = tmp_path / "overlap.zip"
    archive.write_bytes(_overlapping_zip(names, b"\x00" * 500_000))
    with zipfile.ZipFile(archive) as z:
        assert z.namelist() == names  # a valid directory: only the layout gives it away
    with pytest.raises(DatasetError, match="overlap") as info:
        import_gtzan(archive, dest=tmp_path / "dest", progress=False)
    assert "nothing was written" in str(info.value)
    assert not (tmp_path / "dest").exists() or not list((tmp_path / "dest").rglob("*"))


def test_many_small_members_are_a_bomb_together(tmp_path, monkeypatch):
    """Each 800 KB member of zeros is under the per-member ratio floor (1 MiB); together 250
    of them make a 180 KB zip write 200 MB (the issue's 576 KB zip wrote 210 MB)."""
    zeros = b"\x00" * 800_000
    members = [(f"genres/rock/rock.{i:05d}.wav", zeros) for i in range(250)]
    archive = tmp_path / "small-bombs.zip"
    archive.write_bytes(_raw_zip(members))
    assert archive.stat().st_size < 300_000
    opened = []
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, *a, **k: opened.append(a) or pytest.fail("opened"))
    with pytest.raises(DatasetError, match="expand") as info:
        import_gtzan(archive, dest=tmp_path / "dest", progress=False)
    assert "max_ratio" in str(info.value) and opened == []


def test_bytes_written_are_counted_across_all_members(tmp_path, monkeypatch):
    """Were the header check fooled, the running total still stops the import at the limit."""
    from musicviz.datasets import importing

    members = [(f"genres/rock/rock.{i:05d}.wav", _wav_bytes()) for i in range(4)]
    archive = _zip(tmp_path / "g.zip", members)
    size = len(members[0][1])
    real_plan = importing._plan
    monkeypatch.setattr(importing, "_plan", lambda *a, **k: real_plan(*a, **{**k, "max_total": 10**12}))
    report = import_gtzan(archive, dest=tmp_path / "dest", progress=False, max_total_bytes=2 * size + 10)
    assert len(report.imported) == 2
    assert [("max_total_bytes" in s.reason) for s in report.skipped] == [True, True]


def _ustar_headers(names, *, size: int = 0) -> bytes:
    """A plain tar of ``names`` (each ``size`` bytes of zeros), built from one header template."""
    template = tarfile.TarInfo("x").tobuf(tarfile.USTAR_FORMAT)
    data = b"\x00" * (-(-size // 512) * 512)
    out = bytearray()
    for name in names:
        header = bytearray(template)
        header[0:100] = name.encode().ljust(100, b"\x00")
        header[124:136] = b"%011o\x00" % size
        header[148:156] = b" " * 8
        header[148:156] = b"%06o\x00 " % sum(header)
        out += header + data
    return bytes(out + b"\x00" * 1024)


def test_tar_with_too_many_members_is_refused_while_listing(tmp_path):
    """The issue's 20,000 one-byte members were all written; the cap stops at 10,001 headers."""
    names = [f"genres/{GENRE}/{GENRE}.{i:05d}.wav" for GENRE in ("rock", "pop") for i in range(6_000)]
    archive = tmp_path / "many.tar"
    archive.write_bytes(_ustar_headers(names, size=1))
    with pytest.raises(DatasetError, match="more than 10000 entries"):
        import_gtzan(archive, dest=tmp_path / "dest", progress=False)
    assert not (tmp_path / "dest").exists() or not list((tmp_path / "dest").rglob("*.wav"))
    assert datasets.importing.MAX_MEMBERS == 10_000


def test_zip_with_too_many_members_is_refused_from_its_directory(tmp_path, monkeypatch):
    members = [(f"genres/rock/rock.{i:05d}.wav", b"x") for i in range(10_001)]
    archive = tmp_path / "many.zip"
    archive.write_bytes(_raw_zip(members))
    monkeypatch.setattr(zipfile.ZipFile, "__init__", lambda *a, **k: pytest.fail("the directory was parsed"))
    with pytest.raises(DatasetError, match="10001 entries"):
        import_gtzan(archive, dest=tmp_path / "dest", progress=False)


def test_tar_headers_are_read_one_at_a_time(tmp_path):
    """2,000 empty members (under the cap) that are not GTZAN's: none of their headers is kept
    (tarfile keeps every one: 200,000 took 262 MB)."""
    archive = tmp_path / "empty.tar"
    archive.write_bytes(_ustar_headers([f"junk/{i:06d}" for i in range(2_000)]))
    tracemalloc.start()
    try:
        report = import_gtzan(archive, dest=tmp_path / "dest", progress=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.imported == [] and report.skipped == []
    assert peak < 1_000_000, f"{peak / 1e6:.1f} MB"


def test_tar_long_name_header_is_refused_before_it_is_read(tmp_path):
    import gzip

    header = tarfile.TarInfo("././@LongLink")
    header.type = tarfile.GNUTYPE_LONGNAME
    header.size = 40_000_000  # a 40 MB "file name"
    raw = header.tobuf(tarfile.GNU_FORMAT) + b"a" * header.size + b"\x00" * (512 - header.size % 512)
    archive = tmp_path / "longname.tar.gz"
    archive.write_bytes(gzip.compress(raw + _ustar_headers(["genres/rock/rock.00001.wav"]), compresslevel=1))
    tracemalloc.start()
    try:
        with pytest.raises(DatasetError, match="extended headers"):
            import_gtzan(archive, dest=tmp_path / "dest", progress=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000, f"{peak / 1e6:.1f} MB"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_folder_import_reports_every_link_and_loop(tmp_path):
    src = tmp_path / "src"
    _clip(src / "genres" / "rock" / "rock.00001.wav")
    elsewhere = tmp_path / "elsewhere"
    _clip(elsewhere / "jazz" / "jazz.00001.wav")
    (src / "genres" / "jazz").symlink_to(elsewhere / "jazz", target_is_directory=True)  # scan follows it
    (src / "genres" / "loop").symlink_to(src / "genres", target_is_directory=True)
    (src / "genres" / "self").symlink_to(src / "genres" / "self")
    (src / "genres" / "gone").symlink_to(tmp_path / "missing")
    (src / "genres" / "rock" / "rock.00002.wav").symlink_to(elsewhere / "jazz" / "jazz.00001.wav")
    (src / "README").symlink_to(elsewhere)  # a link with another name is reported too: a folder
    report = import_gtzan(src, dest=tmp_path / "dest", progress=False)
    assert report.imported == ["genres/rock/rock.00001.wav"]
    reasons = _reasons(report.skipped)
    assert set(reasons) == {"jazz", "loop", "self", "gone", "rock.00002.wav", "README"}, reasons
    assert "symbolic link to a folder" in reasons["jazz"] and "not imported" in reasons["jazz"]
    assert "link loop" in reasons["loop"] and "link loop" in reasons["self"]
    assert "broken symbolic link" in reasons["gone"]
    assert "symbolic link" in reasons["rock.00002.wav"]
    assert "jazz.00001" in {t.track_id for t in scan(src).tracks}  # scan follows the link; import says why not


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_in_the_destination_is_not_replaced(tmp_path):
    archive = _zip(tmp_path / "g.zip", [("genres/rock/rock.00001.wav", _wav_bytes())])
    dest = tmp_path / "dest"
    fifo = dest / "genres" / "rock" / "rock.00001.wav"
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    report = import_gtzan(archive, dest=dest, progress=False, overwrite=True)
    assert report.imported == [] and "named pipe" in report.skipped[0].reason
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


# --- fuzz: only musicviz errors or clean results; nothing outside the destination ------------

def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


_NAME_PARTS = st.sampled_from(["blues", "rock", "jazz", "polka", ".", "..", "", "/", "\\", "C:", "00001",
                               "0000\u0661", "wav", "au", "exe", "csv", "features_30_sec", "_filtered", "txt",
                               "\n", " ", "\u00e9", "~", "blues.00001.wav", "rock.00002.au", ".jazz.00003.wav",
                               "genres/pop/pop.00004.wav", "train_filtered.txt"])
_NAMES = st.lists(_NAME_PARTS, min_size=1, max_size=8).map("".join).filter(lambda s: "\x00" not in s)
_CONTENT = st.one_of(st.binary(max_size=64), st.sampled_from([b"", b"RIFF", None]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(st.tuples(st.lists(_NAMES, min_size=1, max_size=3), _CONTENT), max_size=6),
       check_audio=st.sampled_from([True, False, "full"]))
def test_fuzz_scan_random_folders(tmp_path_factory, files, check_audio):
    root = tmp_path_factory.mktemp("scan")
    good = _wav_bytes(seconds=1.5)
    for parts, content in files:
        parts = [p.replace("/", "_").replace("\\", "_") for p in parts]
        if any(p in ("", ".", "..") for p in parts):
            continue
        path = root.joinpath(*parts)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if content is None:
                path.write_bytes(good)
            else:
                path.write_bytes(content)
        except OSError:
            continue  # a name the file system refuses, or a file where a folder is
    try:
        result = scan(root, check_audio=check_audio)
    except MusicvizError:
        return
    for track in result.tracks:
        assert parse_track_name(track.path.name) is not None and track.duration > 0
    assert all(isinstance(s.reason, str) and s.reason for s in result.skipped)


def _fuzz_zip(members) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in members:
            info = zipfile.ZipInfo(name or "x")
            z.writestr(info, data)
    return buffer.getvalue()


def _fuzz_tar(members) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name or "x")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["zip", "tar", "raw"]),
       members=st.lists(st.tuples(_NAMES, st.binary(max_size=64)), max_size=5),
       edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=6),
       cut=st.one_of(st.none(), st.integers(0, 2000)),
       raw=st.binary(max_size=300),
       overwrite=st.booleans())
def test_fuzz_import_random_and_mutated_archives(tmp_path_factory, kind, members, edits, cut, raw, overwrite):
    base = tmp_path_factory.mktemp("imp")
    if kind == "raw":
        data = raw
    else:
        with _quiet():
            data = bytearray(_fuzz_zip(members) if kind == "zip" else _fuzz_tar(members))
        for offset, value in edits:
            if data:
                data[offset % len(data)] = value
        if cut is not None:
            del data[cut:]
        data = bytes(data)
    archive = base / f"archive.{'zip' if kind == 'zip' else 'tar'}"
    archive.write_bytes(data)
    dest = base / "work" / "dest"
    before = _tree(base)
    try:
        report = import_gtzan(archive, dest=dest, progress=False, overwrite=overwrite,
                              max_total_bytes=1_000_000, max_member_bytes=100_000)
    except MusicvizError:
        report = None
    after = _tree(base)
    allowed = {base / "work", dest}  # the destination and the folder made to hold it
    outside = {p for p in after - before if base / p not in allowed and not (base / p).is_relative_to(dest)}
    assert not outside, f"written outside the destination: {outside}"
    if report is not None:
        assert isinstance(report, ImportReport)
        for name in report.imported:
            assert (dest / name).resolve().is_relative_to(dest.resolve()) and (dest / name).is_file()
        assert not list(dest.rglob("*.tmp"))


class _quiet:
    """Silence zipfile's 'Duplicate name' warning while building fuzz archives."""

    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)
