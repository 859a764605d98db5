"""The ``musicviz`` command line fails with one ``error:`` line and a documented exit code.

Exit codes (``musicviz.cli.EXIT_CODES``): 0 ok, 1 nothing found to work on, 2 bad
command-line usage or argument, 3 bad input data, 4 cannot write the output, 130 interrupted, 70 a bug
(traceback shown). Every failure below used to be a traceback with exit code 1 (the code of
"nothing found"), a misleading message, or came only after all the computing.

Tests run as root, where chmod does not block writing: unwritable locations are a path below
a regular file or an existing folder where a file is expected (those fail for root too), a
read-only folder is simulated by patching ``os.access``, and the real chmod variants skip
when the euid is 0.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import soundfile as sf

from musicviz import cli
from musicviz.cli import EXIT_BAD_INPUT, EXIT_BUG, EXIT_CANNOT_WRITE, EXIT_INTERRUPTED, EXIT_USAGE, main

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
SR = 22050


def _error_line(err: str) -> str:
    """The single ``error:`` line of stderr (and nothing that looks like a traceback)."""
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one stderr line, got {lines}"
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


def _wav(path, seconds=3.0, freq=440.0):
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(seconds * SR)) / SR
    sf.write(path, (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32), SR)
    return path


@pytest.fixture
def clips(tmp_path):
    folder = tmp_path / "clips"
    _wav(folder / "rock" / "rock.00001.wav")
    _wav(folder / "jazz" / "jazz.00001.wav", freq=220.0)
    return folder


@pytest.fixture
def no_compute(monkeypatch):
    """Make the feature computation a failure: the output check must come first."""
    from musicviz import features

    def boom(*args, **kwargs):
        raise AssertionError("computed features before checking the output location")

    monkeypatch.setattr(features, "run_features_command", boom)


@pytest.fixture
def read_only(monkeypatch):
    """A folder that ``os.access`` reports as not writable (root ignores chmod)."""
    real_access = os.access

    def install(folder):
        folder = os.path.abspath(folder)

        def access(path, mode, *args, **kwargs):
            inside = os.path.abspath(path) == folder or os.path.abspath(path).startswith(folder + os.sep)
            if inside and mode & os.W_OK:
                return False
            return real_access(path, mode, *args, **kwargs)

        monkeypatch.setattr(os, "access", access)
        return folder

    return install


# --------------------------------------------------------------------------- exit codes documented
def test_exit_codes_are_defined_once_and_documented(capsys):
    assert sorted(cli.EXIT_CODES) == [0, 1, 2, 3, 4, 70, 130]
    assert (EXIT_USAGE, EXIT_BAD_INPUT, EXIT_CANNOT_WRITE, EXIT_BUG, EXIT_INTERRUPTED) == (2, 3, 4, 70, 130)
    assert main(["--help"]) == 0
    helptext = capsys.readouterr().out
    for code, meaning in cli.EXIT_CODES.items():
        assert f"{code:>3}  {meaning}" in helptext
        assert f"{code:>3}  {meaning}" in cli.__doc__


# --------------------------------------------------------------------------- features --out
def test_features_out_is_a_folder(clips, tmp_path, capsys, no_compute):
    folder = tmp_path / "tables"
    folder.mkdir()
    assert main(["-q", "features", str(clips), "--out", str(folder)]) == EXIT_CANNOT_WRITE
    line = _error_line(capsys.readouterr().err)
    assert str(folder) in line and "folder" in line


def test_features_out_below_a_file(clips, tmp_path, capsys, no_compute):
    (tmp_path / "file.txt").write_text("x")
    target = tmp_path / "file.txt" / "out.csv"
    assert main(["-q", "features", str(clips), "--out", str(target)]) == EXIT_CANNOT_WRITE
    line = _error_line(capsys.readouterr().err)
    assert str(target) in line and "file.txt" in line


def test_features_out_read_only_simulated(clips, tmp_path, capsys, no_compute, read_only):
    locked = tmp_path / "locked"
    locked.mkdir()
    read_only(locked)
    target = locked / "sub" / "out.csv"
    assert main(["-q", "features", str(clips), "--out", str(target)]) == EXIT_CANNOT_WRITE
    line = _error_line(capsys.readouterr().err)
    assert str(target) in line and "writ" in line


@pytest.mark.skipif(IS_ROOT, reason="root writes into read-only folders: see the simulated variant")
def test_features_out_read_only(clips, tmp_path, capsys, no_compute):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        assert main(["-q", "features", str(clips), "--out", str(locked / "out.csv")]) == EXIT_CANNOT_WRITE
        assert str(locked / "out.csv") in _error_line(capsys.readouterr().err)
    finally:
        locked.chmod(0o755)


def test_features_write_failing_after_the_check_is_one_line(clips, tmp_path, capsys, monkeypatch):
    """A write that still fails (disk full, a race) is exit 4 with one line, not a traceback."""
    from musicviz import features

    target = tmp_path / "out.csv"

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device", str(target))

    monkeypatch.setattr(features, "run_features_command", fail)
    assert main(["-q", "features", str(clips), "--out", str(target)]) == EXIT_CANNOT_WRITE
    line = _error_line(capsys.readouterr().err)
    assert str(target) in line and "No space left" in line


def test_features_end_to_end_below_a_file_in_a_subprocess(clips, tmp_path):
    (tmp_path / "file.txt").write_text("x")
    target = tmp_path / "file.txt" / "out.csv"
    proc = subprocess.run([sys.executable, "-m", "musicviz", "-q", "features", str(clips), "--out", str(target), "--jobs", "1"],
                          capture_output=True, text=True)
    assert proc.returncode == EXIT_CANNOT_WRITE, proc.stderr
    assert str(target) in _error_line(proc.stderr)
    assert "Traceback" not in proc.stdout


def test_features_still_work(clips, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MUSICVIZ_DATA", str(tmp_path / "data"))
    out = tmp_path / "new" / "table.csv"
    assert main(["-q", "features", str(clips), "--out", str(out), "--jobs", "1"]) == 0
    assert out.is_file() and capsys.readouterr().err == ""


# --------------------------------------------------------------------------- argument validation
@pytest.mark.parametrize(
    "argv, name",
    [
        (["features", "DIR", "--out", "t.csv", "--jobs", "0"], "--jobs"),
        (["features", "DIR", "--out", "t.csv", "--jobs", "two"], "--jobs"),
        (["features", "DIR", "--out", "t.csv", "--segment-seconds", "0"], "--segment-seconds"),
        (["features", "DIR", "--out", "t.csv", "--segment-seconds", "-3"], "--segment-seconds"),
        (["features", "DIR", "--out", "t.csv", "--segment-seconds", "nan"], "--segment-seconds"),
        (["features", "DIR", "--out", "t.csv", "--segment-seconds", "inf"], "--segment-seconds"),
        (["data", "synth", "--out", "s", "--jobs", "0"], "--jobs"),
        (["data", "synth", "--out", "s", "--clips-per-genre", "0"], "--clips-per-genre"),
        (["data", "synth", "--out", "s", "--duration", "nan"], "--duration"),
        (["bench", "features", "--jobs", "0"], "--jobs"),
        (["bench", "features", "--clips", "0"], "--clips"),
        (["features", "DIR"], "--out"),
        (["nonsense"], "nonsense"),
    ],
)
def test_bad_arguments_are_usage_errors(argv, name, capsys, no_compute):
    assert main(["-q", *argv]) == EXIT_USAGE
    line = _error_line(capsys.readouterr().err)
    assert name in line


def test_values_the_library_refuses_are_usage_errors(tmp_path, capsys):
    """argparse checks the form (a finite number > 0), the library the range (clips >= 1 s)."""
    out = tmp_path / "s"
    assert main(["-q", "data", "synth", "--out", str(out), "--duration", "0.01", "--clips-per-genre", "1"]) == EXIT_USAGE
    assert "duration" in _error_line(capsys.readouterr().err)
    assert not out.exists()


def test_jobs_minus_one_means_all_cores(clips, tmp_path, monkeypatch):
    from musicviz import features

    seen = {}
    monkeypatch.setattr(features, "run_features_command", lambda d, **kw: seen.update(kw) or 0)
    assert main(["-q", "features", str(clips), "--out", str(tmp_path / "t.csv"), "--jobs", "-1", "--segment-seconds", "3"]) == 0
    assert seen["n_jobs"] == -1 and seen["segment_seconds"] == 3.0


@pytest.mark.parametrize(
    "options, expected",
    [
        ([], {"cache": True, "max_seconds": 600, "n_jobs": -1, "progress": False}),
        (["--no-cache"], {"cache": False}),
        (["--cache", "CACHE"], {"cache": "CACHE"}),
        (["--max-seconds", "30", "--jobs", "2"], {"max_seconds": 30.0, "n_jobs": 2}),
    ],
)
def test_features_passes_the_clip_options(options, expected, clips, tmp_path, monkeypatch):
    """``--cache DIR`` / ``--no-cache``, ``--max-seconds``, ``--jobs`` and ``-q``: the keywords
    every function over many clips takes (``cache=``, ``max_seconds=``, ``n_jobs=``, ``progress=``)."""
    from musicviz import features

    seen = {}
    monkeypatch.setattr(features, "run_features_command", lambda d, **kw: seen.update(kw) or 0)
    options = [str(tmp_path / "c") if o == "CACHE" else o for o in options]
    assert main(["-q", "features", str(clips), "--out", str(tmp_path / "t.csv"), *options]) == 0
    expected = {k: tmp_path / "c" if v == "CACHE" else v for k, v in expected.items()}
    assert {k: seen[k] for k in expected} == expected


@pytest.mark.parametrize(
    "argv, name",
    [
        (["features", "DIR", "--out", "t.csv", "--cache", "c", "--no-cache"], "--no-cache"),
        (["features", "DIR", "--out", "t.csv", "--max-seconds", "0"], "--max-seconds"),
        (["features", "DIR", "--out", "t.csv", "--max-seconds", "inf"], "--max-seconds"),
        (["pretrained", "cache", "DIR", "--max-seconds", "-1"], "--max-seconds"),
        (["pretrained", "cache", "DIR", "--jobs", "0"], "--jobs"),
        (["pretrained", "cache", "DIR", "--no-cache"], "--no-cache"),
    ],
)
def test_bad_clip_options_are_usage_errors(argv, name, capsys, no_compute):
    assert main(["-q", *argv]) == EXIT_USAGE
    assert name in _error_line(capsys.readouterr().err)


def test_max_seconds_the_library_refuses_is_a_usage_error(clips, tmp_path, capsys):
    assert main(["-q", "features", str(clips), "--out", str(tmp_path / "t.csv"), "--max-seconds", "0.5"]) == EXIT_USAGE
    assert "max_seconds" in _error_line(capsys.readouterr().err)
    assert not (tmp_path / "t.csv").exists()


# --------------------------------------------------------------------------- data synth --out
def test_synth_out_below_a_file(tmp_path, capsys):
    (tmp_path / "file.txt").write_text("x")
    target = tmp_path / "file.txt" / "synth"
    argv = ["-q", "data", "synth", "--out", str(target), "--clips-per-genre", "1", "--duration", "2", "--jobs", "1"]
    assert main(argv) == EXIT_CANNOT_WRITE
    line = _error_line(capsys.readouterr().err)
    assert str(target) in line


def test_synth_out_is_a_file(tmp_path, capsys):
    target = tmp_path / "file.txt"
    target.write_text("x")
    argv = ["-q", "data", "synth", "--out", str(target), "--clips-per-genre", "1", "--duration", "2", "--jobs", "1"]
    assert main(argv) == EXIT_CANNOT_WRITE
    assert str(target) in _error_line(capsys.readouterr().err)


def test_synth_out_read_only_simulated(tmp_path, capsys, read_only, monkeypatch):
    from musicviz import synth

    monkeypatch.setattr(synth, "generate_dataset", lambda *a, **k: pytest.fail("generated before checking --out"))
    locked = tmp_path / "locked"
    locked.mkdir()
    read_only(locked)
    assert main(["-q", "data", "synth", "--out", str(locked / "synth")]) == EXIT_CANNOT_WRITE
    line = _error_line(capsys.readouterr().err)
    assert str(locked / "synth") in line and "writ" in line


@pytest.mark.skipif(IS_ROOT, reason="root writes into read-only folders: see the simulated variant")
def test_synth_out_read_only(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        argv = ["-q", "data", "synth", "--out", str(locked / "s"), "--clips-per-genre", "1", "--duration", "2", "--jobs", "1"]
        assert main(argv) == EXIT_CANNOT_WRITE
        assert str(locked / "s") in _error_line(capsys.readouterr().err)
    finally:
        locked.chmod(0o755)


@pytest.mark.slow
def test_synth_without_out_writes_the_data_folders_set(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MUSICVIZ_DATA", str(tmp_path / "data"))
    argv = ["-q", "data", "synth", "--clips-per-genre", "1", "--duration", "3", "--jobs", "1"]
    assert main(argv) == 0
    assert (tmp_path / "data" / "synth" / "metadata.csv").is_file()
    assert str(tmp_path / "data" / "synth") in capsys.readouterr().out


def test_synth_into_a_read_only_data_folder_is_refused_first(tmp_path, capsys, monkeypatch, read_only):
    from musicviz import synth

    monkeypatch.setattr(synth, "generate_dataset", lambda *a, **k: pytest.fail("generated before checking the folder"))
    monkeypatch.setenv("MUSICVIZ_DATA", read_only(tmp_path / "shared"))
    (tmp_path / "shared").mkdir()
    assert main(["-q", "data", "synth"]) == EXIT_CANNOT_WRITE
    assert str(tmp_path / "shared" / "synth") in _error_line(capsys.readouterr().err)


# --------------------------------------------------------------------------- notebooks, weights, embeddings
@pytest.mark.slow
def test_notebooks_are_copied_and_never_overwritten(tmp_path, capsys):
    from musicviz.install import notebooks_source

    dest = tmp_path / "my course"
    assert main(["notebooks", str(dest)]) == 0
    names = sorted(p.name for p in dest.iterdir())
    assert names == sorted([*(p.name for p in notebooks_source().glob("*.ipynb")), "README.md"])
    assert "00_introduction.ipynb" in names and "08_transfer_learning.ipynb" in names
    assert "solutions/" in (notebooks_source() / "00_introduction.ipynb").read_text(encoding="utf-8")
    assert "solutions/" not in (dest / "00_introduction.ipynb").read_text(encoding="utf-8")  # not installed: not pointed at
    (dest / "01_waveforms.ipynb").write_text("my work")
    capsys.readouterr()
    assert main(["notebooks", str(dest)]) == 0
    assert (dest / "01_waveforms.ipynb").read_text() == "my work"
    assert "kept" in capsys.readouterr().out


def test_notebooks_into_a_file_is_one_line(tmp_path, capsys):
    (tmp_path / "file.txt").write_text("x")
    assert main(["notebooks", str(tmp_path / "file.txt")]) == EXIT_CANNOT_WRITE
    assert str(tmp_path / "file.txt") in _error_line(capsys.readouterr().err)


def test_weights_run_this_pythons_pip_without_dependencies(monkeypatch, capsys):
    from musicviz import install

    calls = []
    monkeypatch.setattr(install, "weights_installed", lambda: bool(calls))
    monkeypatch.setattr(install.subprocess, "call", lambda command: calls.append(command) or 0)
    assert main(["weights"]) == 0
    assert calls == [[sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-deps", "musicnn==0.1.0"]]
    assert main(["weights"]) == 0 and len(calls) == 1  # installed: nothing to do
    monkeypatch.setattr(install.subprocess, "call", lambda command: 1)
    monkeypatch.setattr(install, "weights_installed", lambda: False)
    assert main(["weights", "--force"]) == 1  # pip's own status (its message is pip's)


def test_data_embeddings_calls_the_first_use_path(monkeypatch, capsys):
    import musicviz.datasets

    seen = []
    monkeypatch.setattr(musicviz.datasets, "require_embeddings", lambda **kw: seen.append(kw) or 0)
    assert main(["-q", "data", "embeddings", "--jobs", "2"]) == 0
    assert seen == [{"progress": False, "n_jobs": 2}]
    assert "cached already" in capsys.readouterr().out


@pytest.mark.slow
def test_the_console_command_and_python_m_are_one_program():
    import tomllib
    from pathlib import Path

    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"] == {"musicviz": "musicviz.cli:main"}
    script = Path(sys.executable).parent / "musicviz"
    outputs = [subprocess.run(command, capture_output=True, text=True, timeout=120).stdout
               for command in ([str(script), "--help"], [sys.executable, "-m", "musicviz", "--help"])]
    assert outputs[0] == outputs[1] and "notebooks" in outputs[0] and "weights" in outputs[0]


# --------------------------------------------------------------------------- data import --dest
@pytest.fixture
def archive(tmp_path):
    clip = _wav(tmp_path / "src" / "blues" / "blues.00000.wav", seconds=1.0)
    path = tmp_path / "gtzan.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.write(clip, "Data/genres_original/blues/blues.00000.wav")
    return path


def test_import_dest_below_a_file(archive, tmp_path, capsys):
    (tmp_path / "file.txt").write_text("x")
    dest = tmp_path / "file.txt" / "gtzan"
    assert main(["-q", "data", "import", str(archive), "--dest", str(dest)]) == EXIT_CANNOT_WRITE
    captured = capsys.readouterr()
    assert str(dest) in _error_line(captured.err)
    assert "damaged" not in captured.out + captured.err


def test_import_dest_read_only_is_not_damaged_archive(archive, tmp_path, capsys, read_only):
    locked = tmp_path / "locked"
    locked.mkdir()
    read_only(locked)
    dest = locked / "gtzan"
    assert main(["-q", "data", "import", str(archive), "--dest", str(dest)]) == EXIT_CANNOT_WRITE
    captured = capsys.readouterr()
    assert str(dest) in _error_line(captured.err)
    assert "damaged" not in captured.out + captured.err
    assert not dest.exists()


@pytest.mark.skipif(IS_ROOT, reason="root writes into read-only folders: see the simulated variant")
def test_import_dest_read_only(archive, tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        assert main(["-q", "data", "import", str(archive), "--dest", str(locked / "g")]) == EXIT_CANNOT_WRITE
        captured = capsys.readouterr()
        assert str(locked / "g") in _error_line(captured.err) and "damaged" not in captured.out
    finally:
        locked.chmod(0o755)


def test_import_still_works(archive, tmp_path, capsys):
    assert main(["-q", "data", "import", str(archive), "--dest", str(tmp_path / "dest")]) == 0
    assert "imported 1 files" in capsys.readouterr().out


# --------------------------------------------------------------------------- data realism
def _features_table(path):
    """musicviz's own ``features`` output: it has a ``track_id`` column."""
    from musicviz.features import KAGGLE_FEATURES

    header = ["filename", "track_id", "length", *KAGGLE_FEATURES, "label"]
    row = ["blues.00000.wav", "blues.00000", "88200", *["0.5"] * len(KAGGLE_FEATURES), "blues"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(",".join(header) + "\n" + ",".join(row) + "\n")
    return path


def test_realism_reference_table_is_musicviz_features_output(tmp_path, capsys, monkeypatch):
    table = _features_table(tmp_path / "gtzan" / "features_30_sec.csv")
    monkeypatch.setenv("MUSICVIZ_GTZAN", str(table.parent))
    (tmp_path / "synth").mkdir()
    assert main(["-q", "data", "realism", str(tmp_path / "synth")]) == EXIT_BAD_INPUT
    line = _error_line(capsys.readouterr().err)
    assert str(table) in line and "track_id" in line


def test_realism_metadata_is_a_features_table(tmp_path, capsys):
    synth = tmp_path / "synth"
    _features_table(synth / "metadata.csv")
    assert main(["-q", "data", "realism", str(synth)]) == EXIT_BAD_INPUT
    line = _error_line(capsys.readouterr().err)
    assert str(synth / "metadata.csv") in line and "path" in line and "genre" in line


@pytest.mark.parametrize("content", [b"", b'garbage\x00\xff,"unterminated\n', b"\xff\xfe\x00bad bytes\n"])
def test_realism_bad_metadata(tmp_path, capsys, content):
    synth = tmp_path / "synth"
    synth.mkdir()
    (synth / "metadata.csv").write_bytes(content)
    assert main(["-q", "data", "realism", str(synth)]) == EXIT_BAD_INPUT
    assert str(synth / "metadata.csv") in _error_line(capsys.readouterr().err)


def test_realism_given_a_table_file(tmp_path, capsys):
    table = _features_table(tmp_path / "feats.csv")
    assert main(["-q", "data", "realism", str(table)]) == EXIT_BAD_INPUT
    line = _error_line(capsys.readouterr().err)
    assert str(table) in line and "folder" in line


# --------------------------------------------------------------------------- every failure, one line
def test_bad_input_is_exit_3(tmp_path, capsys):
    assert main(["-q", "data", "scan", str(tmp_path / "missing")]) == EXIT_BAD_INPUT
    assert str(tmp_path / "missing") in _error_line(capsys.readouterr().err)


def test_hand_crafted_model_file_reaches_the_user_as_one_line(tmp_path, capsys, monkeypatch):
    """No command loads a model today; any that does gets ModelError -> exit 3, not a TypeError."""
    import joblib

    from musicviz import baselines

    path = tmp_path / "crafted.joblib"
    joblib.dump({"musicviz_model_format": 1, "estimator": baselines.make_knn(), "feature_columns": 5, "classes": None}, path)

    def load(args):
        baselines.load_model(path)
        return 0

    monkeypatch.setattr(cli, "_cmd_scan", load)
    assert main(["-q", "data", "scan", str(tmp_path)]) == EXIT_BAD_INPUT
    assert str(path) in _error_line(capsys.readouterr().err)


def test_interrupted(tmp_path, capsys, monkeypatch):
    def interrupt(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_cmd_scan", interrupt)
    assert main(["-q", "data", "scan", str(tmp_path)]) == EXIT_INTERRUPTED
    assert "interrupted" in _error_line(capsys.readouterr().err)


def test_a_bug_still_shows_its_traceback(tmp_path, capsys, monkeypatch):
    def bug(args):
        return {}["oops"]

    monkeypatch.setattr(cli, "_cmd_scan", bug)
    assert main(["-q", "data", "scan", str(tmp_path)]) == EXIT_BUG
    err = capsys.readouterr().err
    assert "Traceback" in err and "KeyError: 'oops'" in err and "bug in musicviz" in err


def test_os_error_reading_input_is_bad_input(tmp_path, capsys, monkeypatch):
    def unreadable(args):
        raise PermissionError(13, "Permission denied", str(tmp_path / "in.wav"))

    monkeypatch.setattr(cli, "_cmd_scan", unreadable)
    assert main(["-q", "data", "scan", str(tmp_path)]) == EXIT_BAD_INPUT
    line = _error_line(capsys.readouterr().err)
    assert str(tmp_path / "in.wav") in line and "Permission denied" in line


def test_multi_line_messages_are_one_line(tmp_path, capsys, monkeypatch):
    from musicviz.errors import DatasetError

    def multi(args):
        raise DatasetError("first line\nsecond line")

    monkeypatch.setattr(cli, "_cmd_scan", multi)
    assert main(["-q", "data", "scan", str(tmp_path)]) == EXIT_BAD_INPUT
    assert "second line" in _error_line(capsys.readouterr().err)


def test_closed_pipe_is_one_line(tmp_path, capsys, monkeypatch):
    def closed(args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli, "_cmd_scan", closed)
    assert main(["-q", "data", "scan", str(tmp_path)]) == EXIT_CANNOT_WRITE
    assert "pipe" in _error_line(capsys.readouterr().err)


# --------------------------------------------------------------------------- part 2: numbers too large
@pytest.mark.parametrize(
    "argv, name",
    [
        (["features", "DIR", "--out", "t.csv", "--segment-seconds", "1e308"], "--segment-seconds"),
        (["features", "DIR", "--out", "t.csv", "--max-seconds", "1e308"], "--max-seconds"),
        (["features", "DIR", "--out", "t.csv", "--jobs", "99999999999999999999999"], "--jobs"),
        (["data", "synth", "--out", "s", "--duration", "1e308"], "--duration"),
        (["data", "synth", "--out", "s", "--duration", "601"], "--duration"),
        (["data", "synth", "--out", "s", "--clips-per-genre", "99999999999999999999999"], "--clips-per-genre"),
        (["bench", "features", "--clips", "99999999999999999999"], "--clips"),
        (["bench", "features", "--repeats", "99999999999999999999"], "--repeats"),
    ],
)
def test_numbers_too_large_to_compute_with_are_usage_errors(argv, name, capsys, no_compute):
    """``--segment-seconds 1e308`` ended with exit 70 and an OverflowError traceback; a huge
    ``--clips-per-genre`` or ``--clips`` never ended."""
    assert main(["-q", *argv]) == EXIT_USAGE
    line = _error_line(capsys.readouterr().err)
    assert name in line and "at most" in line


def test_the_largest_numbers_accepted_still_run(clips, tmp_path, monkeypatch):
    from musicviz import features

    seen = {}
    monkeypatch.setattr(features, "run_features_command", lambda d, **kw: seen.update(kw) or 0)
    assert main(["-q", "features", str(clips), "--out", str(tmp_path / "t.csv"), "--segment-seconds", "1e6",
                 "--max-seconds", "1e6", "--jobs", "4096"]) == 0
    assert seen["segment_seconds"] == 1e6 and seen["max_seconds"] == 1e6


# --------------------------------------------------------------------------- part 2: --out a pipe or a device
@pytest.fixture
def quick_table(monkeypatch):
    """feature_table answers at once with a two-row table (the writing is what is tested)."""
    import pandas as pd

    from musicviz.features import table

    frame = pd.DataFrame({"filename": ["rock.00001.wav", "jazz.00001.wav"], "track_id": ["rock.00001", "jazz.00001"],
                          "tempo": [120.0, 90.0], "label": ["rock", "jazz"]})
    frame.attrs["skipped"] = []
    monkeypatch.setattr(table, "feature_table", lambda *a, **k: frame)
    return frame


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_features_out_a_named_pipe_writes_into_it(clips, tmp_path, capsys, quick_table):
    import stat
    import threading

    fifo = tmp_path / "table.csv"
    os.mkfifo(fifo)
    got = {}
    reader = threading.Thread(target=lambda: got.update(data=fifo.read_bytes()), daemon=True)
    reader.start()
    assert main(["-q", "features", str(clips), "--out", str(fifo)]) == 0
    reader.join(timeout=10)
    assert not reader.is_alive() and got["data"].startswith(b"filename,track_id,tempo,label\n")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # the pipe is still a pipe
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clips", "table.csv"]


_IN_NAMESPACE = (
    'set -e; mount -t tmpfs musicviz-test "$1"; mknod "$1/null" c 1 3; mknod "$1/full" c 1 7; chmod 666 "$1"/*; '
    'cd "$3"; "$2" -m musicviz -q features "$4" --out "$1/null" --jobs 1 --no-cache; echo "null: $?"; '
    '"$2" -m musicviz -q features "$4" --out "$1/full" --jobs 1 --no-cache 2>&1 || echo "full: $?"; '
    'stat -c "%n %F %t,%T" "$1/null" "$1/full"; ls -A "$1"; umount "$1"'
)


@pytest.mark.slow
def test_features_out_dev_null_and_dev_full_in_a_private_namespace(clips, tmp_path):
    """``musicviz features DIR --out /dev/null`` as root replaced /dev/null with a regular file,
    system-wide. Here the devices are made on a tmpfs only a throw-away mount namespace sees."""
    import shutil

    if os.geteuid() != 0 or shutil.which("unshare") is None or subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "true"], capture_output=True).returncode != 0:
        from conftest import require_or_skip

        require_or_skip("needs root and `unshare --mount` to make devices in a private namespace",
                        variable="MUSICVIZ_REQUIRE_NAMESPACES")
    devices = tmp_path / "devices"
    devices.mkdir()
    root = os.path.dirname(os.path.dirname(os.path.abspath(cli.__file__)))
    done = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", _IN_NAMESPACE, "sh", str(devices), sys.executable,
         root, str(clips)],
        capture_output=True, text=True, timeout=600, env={**os.environ, "MUSICVIZ_DATA": str(tmp_path / "data")},
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "null: 0" in out
    assert "error: cannot write" in out and "No space left on device" in out and "full: 4" in out
    assert f"{devices}/null character special file 1,3" in out and f"{devices}/full character special file 1,7" in out
    assert out.strip().endswith("full\nnull")  # nothing else beside them


def test_output_check_of_a_device_looks_at_the_device_not_its_folder(tmp_path, monkeypatch):
    """--out /dev/null for a user who may not write into /dev: the device itself is writable."""
    from musicviz import _io

    fake = tmp_path / "null"
    monkeypatch.setattr(_io, "write_plan", lambda path, special="refuse": ("write into", None))
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, m, **k: os.path.abspath(p) == str(fake) or real_access(p, m, **k)
                        if os.path.abspath(p) != str(tmp_path) else False)
    cli._check_output_file(fake)  # no OutputError although its folder is "not writable"


# --------------------------------------------------------------------------- part 2: file names printed
def test_names_that_are_not_utf8_are_printed_not_a_traceback(tmp_path, monkeypatch, capsysbinary):
    """Under a UTF-8 locale Python's stdout is strict: printing a skipped file's name that is not
    valid UTF-8 raised UnicodeEncodeError (exit 70, traceback)."""
    import io

    odd = tmp_path / os.fsdecode(b"rock.00001\xe9.wav")
    odd.write_bytes(b"not audio")
    _wav(tmp_path / "jazz" / "jazz.00001.wav")
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="utf-8", errors="strict"))
    assert main(["-q", "data", "scan", str(tmp_path)]) == 0
    sys.stdout.flush()
    assert b"rock.00001\xe9.wav" in raw.getvalue()  # the name's own bytes, as `ls` shows them


# --------------------------------------------------------------------------- part 2: Ctrl-C, whenever it comes
def test_a_real_ctrl_c_is_one_line_and_everything_is_put_back(tmp_path, capsys, monkeypatch):
    import signal
    import time

    ran = []

    def work(args):
        os.kill(os.getpid(), signal.SIGINT)  # what the terminal sends
        for _ in range(500):
            time.sleep(0.01)
        ran.append("finished")

    monkeypatch.setattr(cli, "_cmd_scan", work)
    handler, mask, hook = signal.getsignal(signal.SIGINT), signal.pthread_sigmask(signal.SIG_BLOCK, []), sys.unraisablehook
    assert main(["-q", "data", "scan", str(tmp_path)]) == EXIT_INTERRUPTED
    assert _error_line(capsys.readouterr().err) == "error: interrupted" and ran == []
    assert signal.getsignal(signal.SIGINT) is handler and sys.unraisablehook is hook
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == mask


def test_a_ctrl_c_a_library_swallowed_is_not_lost(tmp_path, capsys, monkeypatch):
    """numba's compiler calls Python through ctypes: a Ctrl-C landing there was printed as
    "Exception ignored ... KeyboardInterrupt" and the run went on to the end (exit 0)."""
    import ctypes
    import time

    ran = []

    @ctypes.CFUNCTYPE(None)
    def callback():
        raise KeyboardInterrupt  # as if Ctrl-C came while the callback ran

    def work(args):
        callback()  # ctypes reports it as unraisable and carries on
        for _ in range(500):
            time.sleep(0.01)
        ran.append("finished")
        return 0

    monkeypatch.setattr(cli, "_cmd_scan", work)
    assert main(["-q", "data", "scan", str(tmp_path)]) == EXIT_INTERRUPTED
    err = capsys.readouterr().err
    assert "Exception ignored" not in err and _error_line(err) == "error: interrupted" and ran == []


def _workers(pid: int) -> list[int]:
    """The loky worker processes of ``pid`` (not its resource trackers)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    command = handle.read()
            except OSError:
                continue
            if parent == pid and b"popen_loky_posix" in command:
                found.append(int(entry))
    return found


def _workers_running_python(pid: int) -> bool:
    """Do two loky workers of ``pid`` run Python yet (SIGINT caught by Python's handler, or blocked)?"""
    workers = _workers(pid)
    if len(workers) < 2:
        return False
    for worker in workers:
        try:
            with open(f"/proc/{worker}/status") as handle:
                fields = dict(line.split(":", 1) for line in handle if ":" in line)
        except OSError:
            return False
        if not (int(fields["SigCgt"], 16) | int(fields["SigBlk"], 16)) & (1 << 1):  # bit 1: SIGINT
            return False
    return True


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["workers starting", "workers busy"])
def test_ctrl_c_with_workers_is_one_line_and_exit_130(moment, tmp_path):
    """An early Ctrl-C printed a worker's traceback (it was importing numpy when the terminal
    sent SIGINT to the whole process group)."""
    import signal
    import time

    from musicviz.bench import make_bench_clips

    if not os.path.isdir("/proc"):
        pytest.skip("needs /proc to find the worker processes")
    make_bench_clips(10, tmp_path / "clips", duration=20.0)  # about 4 s of work for two workers
    process = subprocess.Popen(
        [sys.executable, "-m", "musicviz", "-q", "features", str(tmp_path / "clips"), "--out", str(tmp_path / "t.csv"),
         "--jobs", "2", "--no-cache"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        env={**os.environ, "MUSICVIZ_DATA": str(tmp_path / "data")},
    )
    deadline = time.monotonic() + 120
    while not _workers_running_python(process.pid) and time.monotonic() < deadline:
        time.sleep(0.002)  # until Python runs in both workers: they are importing joblib and numpy now
    if moment == "workers busy":
        time.sleep(2)
    os.killpg(process.pid, signal.SIGINT)  # the terminal's Ctrl-C goes to the whole foreground group
    out, err = process.communicate(timeout=120)
    assert process.returncode == EXIT_INTERRUPTED, err.decode()
    assert err.decode().strip() == "error: interrupted"
    assert not (tmp_path / "t.csv").exists()
