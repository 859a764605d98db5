"""``generate_dataset`` never destroys data it did not write (issue 12, item 1).

The old code wrote straight into ``--out``: pointed at a GTZAN copy it overwrote the real
clips, and a rerun with fewer clips or another seed left old clips beside new ones while
``metadata.csv`` listed only the new. Now a non-empty folder that is not a musicviz synthetic
set is refused (OutputError, nothing touched); a synthetic set is rebuilt in a hidden sibling
folder and swapped in whole; a read-only location is refused before any synthesis.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from musicviz import GENRES
from musicviz.cli import main
from musicviz.errors import MusicvizError, OutputError
from musicviz.synth import generate as gen
from musicviz.synth import generate_dataset

FAST = {"duration": 3.0, "n_jobs": 1, "progress": False}


def snapshot(folder):
    """Every file under ``folder`` (hidden ones too) with the hash of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def wavs(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*.wav"))


@pytest.fixture
def gtzan_copy(tmp_path):
    """A user's real-data folder laid out as GTZAN: the names the synthesizer would write."""
    root = tmp_path / "gtzan"
    for genre in ("blues", "rock"):
        (root / genre).mkdir(parents=True)
        for i in range(2):
            (root / genre / f"{genre}.{i:05d}.wav").write_bytes(f"real {genre} clip {i}".encode() * 100)
    (root / "metadata.csv").write_text("filename,label\nblues.00000.wav,blues\n")
    return root


_REAL_SYNTHESIZE = gen.synthesize_clip
_remembered = functools.lru_cache(maxsize=None)(
    lambda genre, index, seed, duration, sr: _REAL_SYNTHESIZE(genre, index=index, seed=seed, duration=duration, sr=sr))


@pytest.fixture(autouse=True)
def remembered_clips(monkeypatch):
    """Each clip is synthesized once for the whole module (the same bytes, ten times faster)."""
    def synthesize(genre, *, index, seed=0, duration=30.0, sr=22050):
        y, meta = _remembered(genre, index, seed, duration, sr)
        return y, dict(meta)

    monkeypatch.setattr(gen, "synthesize_clip", synthesize)


@pytest.fixture
def no_synthesis(monkeypatch, remembered_clips):
    def refuse(*args, **kwargs):
        raise AssertionError("a clip was synthesized")

    monkeypatch.setattr(gen, "synthesize_clip", refuse)


# --- refusing folders that are not ours ------------------------------------------------------

def test_refuses_a_gtzan_copy_and_touches_nothing(gtzan_copy, no_synthesis):
    before, siblings = snapshot(gtzan_copy), sorted(os.listdir(gtzan_copy.parent))
    with pytest.raises(OutputError, match="not a musicviz synthetic set") as info:
        generate_dataset(gtzan_copy, clips_per_genre=1, **FAST)
    assert str(gtzan_copy) in str(info.value)
    assert snapshot(gtzan_copy) == before
    assert sorted(os.listdir(gtzan_copy.parent)) == siblings  # no temporary folder left either


def test_refuses_any_non_empty_foreign_folder(tmp_path, no_synthesis):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "thesis.txt").write_text("two years of work")
    with pytest.raises(OutputError, match=r"notes.*not a musicviz synthetic set.*thesis\.txt"):
        generate_dataset(folder, clips_per_genre=1, **FAST)
    assert (folder / "thesis.txt").read_text() == "two years of work"


def test_refuses_a_synthetic_set_holding_foreign_files(tmp_path):
    out = tmp_path / "synth"
    generate_dataset(out, clips_per_genre=1, **FAST)
    (out / "my_notes.txt").write_text("mine")
    (out / "jazz" / "my_own_recording.wav").write_bytes(b"RIFF mine")
    before = snapshot(out)
    with pytest.raises(OutputError, match=r"did not write.*jazz/my_own_recording\.wav.*my_notes\.txt"):
        generate_dataset(out, clips_per_genre=1, **FAST)
    assert snapshot(out) == before


def test_cli_refuses_the_gtzan_copy(gtzan_copy, capsys, no_synthesis):
    before = snapshot(gtzan_copy)
    # A failure exit (the CLI's table maps OutputError to "cannot write the output").
    assert main(["-q", "data", "synth", "--out", str(gtzan_copy), "--clips-per-genre", "1"]) not in (0, None)
    err = capsys.readouterr().err
    assert str(gtzan_copy) in err and "Traceback" not in err
    assert snapshot(gtzan_copy) == before


# --- regenerating a synthetic set: exactly the new set ---------------------------------------

def test_rerun_with_fewer_clips_and_another_seed_leaves_exactly_the_new_set(tmp_path):
    out = tmp_path / "synth"
    generate_dataset(out, clips_per_genre=2, seed=0, **FAST)
    assert len(wavs(out)) == 20
    meta = generate_dataset(out, clips_per_genre=1, seed=1, **FAST)
    on_disk = pd.read_csv(out / "metadata.csv")
    assert wavs(out) == sorted(on_disk["path"]) == sorted(meta["path"]) and len(on_disk) == 10
    assert (on_disk["seed"] == 1).all()
    fresh = tmp_path / "fresh"
    generate_dataset(fresh, clips_per_genre=1, seed=1, **FAST)
    assert snapshot(out) == snapshot(fresh)  # byte for byte what a fresh run writes
    assert sorted(os.listdir(tmp_path)) == ["fresh", "synth"]  # no hidden leftovers


def test_same_seed_rerun_is_byte_identical(tmp_path):
    out = tmp_path / "synth"
    generate_dataset(out, clips_per_genre=1, seed=3, **FAST)
    first = snapshot(out)
    generate_dataset(out, clips_per_genre=1, seed=3, **FAST)
    assert snapshot(out) == first


@pytest.mark.parametrize("error", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_failure_midway_leaves_the_old_set_intact(tmp_path, monkeypatch, error):
    out = tmp_path / "synth"
    generate_dataset(out, clips_per_genre=1, seed=0, **FAST)
    before = snapshot(out)
    real, calls = gen._render_to_file, []

    def fail_on_the_fifth(*args, **kwargs):
        calls.append(args)
        if len(calls) == 5:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(gen, "_render_to_file", fail_on_the_fifth)
    with pytest.raises(type(error)):
        generate_dataset(out, clips_per_genre=1, seed=7, **FAST)
    assert len(calls) == 5
    assert snapshot(out) == before
    assert sorted(os.listdir(tmp_path)) == ["synth"]  # the half-made set is gone


def test_failed_swap_puts_the_old_set_back(tmp_path, monkeypatch):
    out = tmp_path / "synth"
    generate_dataset(out, clips_per_genre=1, seed=0, **FAST)
    before = snapshot(out)
    real_rename = os.rename

    def fail_second_rename(src, dst):
        if str(dst) == str(out) and ".synth.tmp-" in str(src):  # the new set into place
            raise OSError(28, "No space left on device")
        return real_rename(src, dst)

    monkeypatch.setattr(os, "rename", fail_second_rename)
    with pytest.raises(OutputError, match="unchanged"):
        generate_dataset(out, clips_per_genre=1, seed=7, **FAST)
    assert snapshot(out) == before
    assert sorted(os.listdir(tmp_path)) == ["synth"]


# --- markers ---------------------------------------------------------------------------------

def test_marker_written_and_recognised(tmp_path):
    out = tmp_path / "synth"
    generate_dataset(out, clips_per_genre=1, seed=2, **FAST)
    marker = json.loads((out / gen.MARKER_NAME).read_text())
    assert marker["format"] == "musicviz-synthetic-set" and marker["seed"] == 2 and marker["clips_per_genre"] == 1
    assert gen.is_synthetic_set(out)
    assert gen.MARKER_NAME in generate_dataset.__doc__
    assert not gen.is_synthetic_set(tmp_path) and not gen.is_synthetic_set(tmp_path / "missing")


def test_set_from_before_the_marker_is_recognised_by_its_metadata(tmp_path):
    out = tmp_path / "synth"
    generate_dataset(out, clips_per_genre=2, **FAST)
    (out / gen.MARKER_NAME).unlink()  # as written by older musicviz versions
    assert gen.is_synthetic_set(out)
    generate_dataset(out, clips_per_genre=1, **FAST)
    assert len(wavs(out)) == 10 and (out / gen.MARKER_NAME).is_file()


def test_empty_existing_folder_is_used(tmp_path):
    out = tmp_path / "synth"
    out.mkdir()
    generate_dataset(out, clips_per_genre=1, **FAST)
    assert len(wavs(out)) == 10


def test_new_set_has_the_usual_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        out = tmp_path / "synth"
        generate_dataset(out, clips_per_genre=1, **FAST)
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o755  # not mkdtemp's 0700
    assert (out / "metadata.csv").stat().st_mode & 0o777 == 0o644


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links on this platform")
def test_symlinked_output_folder_is_regenerated_behind_the_link(tmp_path):
    real = tmp_path / "disk" / "synth"
    generate_dataset(real, clips_per_genre=2, **FAST)
    link = tmp_path / "synth"
    link.symlink_to(real, target_is_directory=True)
    generate_dataset(link, clips_per_genre=1, **FAST)
    assert link.is_symlink() and len(wavs(real)) == 10


# --- unwritable locations: refused before any synthesis --------------------------------------

def test_output_below_a_file_is_refused_before_synthesis(tmp_path, no_synthesis):
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(OutputError, match="a_file"):
        generate_dataset(tmp_path / "a_file" / "synth", clips_per_genre=1, **FAST)


def test_output_that_is_a_file_is_refused(tmp_path, no_synthesis):
    target = tmp_path / "synth"
    target.write_text("a file")
    with pytest.raises(OutputError, match="not a folder"):
        generate_dataset(target, clips_per_genre=1, **FAST)
    assert target.read_text() == "a file"


def test_read_only_location_is_refused_before_synthesis(tmp_path, monkeypatch, no_synthesis):
    real_mkdir = os.mkdir

    def read_only(path, *args, **kwargs):
        if os.fspath(path).startswith(str(tmp_path)):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", read_only)
    with pytest.raises(OutputError, match="permission denied") as info:
        generate_dataset(tmp_path / "synth", clips_per_genre=1, **FAST)
    assert str(tmp_path) in str(info.value)


def _write_can_be_denied(folder) -> bool:
    probe = folder / "probe"
    probe.mkdir()
    probe.chmod(0o555)
    try:
        (probe / "x").write_text("x")
    except PermissionError:
        return True
    else:
        return False
    finally:
        probe.chmod(0o755)
        for p in probe.iterdir():
            p.unlink()
        probe.rmdir()


def test_read_only_folder_real_chmod(tmp_path, no_synthesis):
    if not _write_can_be_denied(tmp_path):
        pytest.skip("this process writes whatever the folder's mode (root or CAP_DAC_OVERRIDE): "
                    "chmod cannot make a folder read-only for it; simulated in the test above")
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="permission denied"):
            generate_dataset(parent / "synth", clips_per_genre=1, **FAST)
        assert os.listdir(parent) == []
    finally:
        parent.chmod(0o755)


def test_errors_are_in_the_musicviz_family():
    assert issubclass(OutputError, MusicvizError)


# --- the Makefile's way of making the data ----------------------------------------------------

def test_makefile_command_works(tmp_path):
    out = tmp_path / "data" / "synth"
    command = [sys.executable, "-m", "musicviz", "-q", "data", "synth", "--out", str(out), "--seed", "0",
               "--clips-per-genre", "1", "--duration", "3", "--jobs", "1"]
    # After `rm -rf data/synth`, as the Makefile does (reruns over a set are tested above).
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert len(wavs(out)) == 10 and (out / "metadata.csv").is_file()
    assert sorted(os.listdir(out)) == sorted([*GENRES, "metadata.csv", gen.MARKER_NAME])
    assert os.listdir(out.parent) == ["synth"]


def test_metadata_has_artists_and_is_identical_on_rerun(tmp_path):
    out = tmp_path / "synth"
    generate_dataset(out, clips_per_genre=2, seed=4, **FAST)
    meta = pd.read_csv(out / "metadata.csv")
    assert "artist" in meta.columns and meta["artist"].notna().all()
    # With three clips per artist, a two-clip genre is one artist's: its production is shared.
    for genre, rows in meta.groupby("genre"):
        assert rows["artist"].nunique() == 1, genre
        for column in ("reverb", "tone_hz", "eq_low_db", "kick_hz", "compression"):
            assert rows[column].nunique() == 1, (genre, column)
    first = snapshot(out)
    generate_dataset(out, clips_per_genre=2, seed=4, **FAST)
    assert snapshot(out) == first
    # A set with artists but without the marker (an older musicviz) is still recognised.
    (out / gen.MARKER_NAME).unlink()
    assert gen.is_synthetic_set(out)


# --- part 2: what a killed run leaves behind is cleaned by the next -----------------------------

def test_staging_folder_of_a_killed_run_is_deleted_by_the_next_run(tmp_path):
    out = tmp_path / "synth"
    stale = tmp_path / ".synth.tmp-5eed0bad"  # a killed `data synth` dies holding no lock on it
    (stale / "blues").mkdir(parents=True)
    (stale / "blues" / "blues.00000.wav").write_bytes(b"RIFF half a clip")
    old = tmp_path / ".synth.old-0ddba11a"  # ... or killed after the swap, before deleting the old set
    old.mkdir()
    out.mkdir()
    generate_dataset(out, clips_per_genre=1, **FAST)
    assert sorted(os.listdir(tmp_path)) == ["synth"]
    assert len(wavs(out)) == 10


@pytest.mark.slow
def test_a_real_kill_leaves_a_staging_folder_that_the_next_run_removes(tmp_path):
    import signal
    import time

    out = tmp_path / "synth"
    command = [sys.executable, "-m", "musicviz", "-q", "data", "synth", "--out", str(out), "--clips-per-genre", "3",
               "--duration", "3", "--jobs", "1"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob(".synth.tmp-*/*/*.wav")) and time.monotonic() < deadline:
            assert process.poll() is None, "finished before it could be killed"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".synth.tmp-"), left
    generate_dataset(out, clips_per_genre=1, **FAST)
    assert sorted(os.listdir(tmp_path)) == ["synth"]
