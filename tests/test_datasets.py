"""Finding data: layouts, skipped files, splits, feature table, safe import, the CLI."""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from musicviz import GENRES
from musicviz.cli import main as cli
from musicviz.datasets import (
    course_audio_dir,
    find_split_lists,
    import_gtzan,
    load_feature_table,
    load_filtered_split,
    parse_track_name,
    scan,
    split_tracks,
)
from musicviz.errors import DatasetError, ParameterError

SR = 22050


def _clip(path: Path, seconds=2.0, fmt="WAV"):
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(seconds * SR)) / SR
    sf.write(path, 0.3 * np.sin(2 * np.pi * 330 * t), SR, format=fmt, subtype="PCM_16")


@pytest.mark.parametrize(
    "layout",
    [
        "Data/genres_original/{g}/{g}.{n:05d}.wav",  # Kaggle
        "genres/{g}/{g}.{n:05d}.au",  # Marsyas
        "{g}.{n:05d}.wav",  # flat
    ],
)
def test_scan_understands_every_layout(tmp_path, layout):
    for g in ("blues", "rock"):
        for n in (0, 1):
            rel = layout.format(g=g, n=n)
            _clip(tmp_path / rel, fmt="AU" if rel.endswith(".au") else "WAV")
    result = scan(tmp_path)
    assert [t.track_id for t in result.tracks] == ["blues.00000", "blues.00001", "rock.00000", "rock.00001"]
    assert result.skipped == []
    assert result.genre_counts() == {"blues": 2, "rock": 2}
    frame = result.to_frame()
    assert list(frame.columns) == ["track_id", "genre", "number", "duration", "sr", "path"]
    assert frame["duration"].tolist() == [2.0] * 4 and set(frame["sr"]) == {SR}


def test_scan_skips_bad_files_with_reasons_and_never_aborts(tmp_path):
    _clip(tmp_path / "jazz" / "jazz.00053.wav")
    (tmp_path / "jazz" / "jazz.00054.wav").write_text("not audio")  # the Kaggle copy's broken file
    (tmp_path / "jazz" / "jazz.00055.wav").write_bytes(b"")
    sf.write(tmp_path / "jazz" / "jazz.00056.wav", np.zeros(SR * 2), SR)
    _clip(tmp_path / "jazz" / "holiday.wav")
    _clip(tmp_path / "jazz" / "polka.00001.wav")
    good = tmp_path / "jazz" / "jazz.00057.wav"
    _clip(good)
    data = good.read_bytes()
    (tmp_path / "jazz" / "jazz.00058.wav").write_bytes(data[: len(data) // 3])
    (tmp_path / "notes.txt").write_text("ignored: not audio by extension")
    result = scan(tmp_path)
    assert [t.track_id for t in result.tracks] == ["jazz.00053", "jazz.00057"]
    reasons = {s.path.name: s.reason for s in result.skipped}
    assert "contains text" in reasons["jazz.00054.wav"]
    assert "empty" in reasons["jazz.00055.wav"]
    assert "silent" in reasons["jazz.00056.wav"]
    assert "truncated" in reasons["jazz.00058.wav"]
    assert "name is not" in reasons["holiday.wav"] and "name is not" in reasons["polka.00001.wav"]
    assert "notes.txt" not in reasons


def test_scan_reports_duplicates_and_filters_genres(tmp_path):
    _clip(tmp_path / "a" / "rock.00001.wav")
    _clip(tmp_path / "b" / "rock.00001.au", fmt="AU")
    _clip(tmp_path / "b" / "pop.00001.wav")
    result = scan(tmp_path, genres=("rock",))
    assert [t.track_id for t in result.tracks] == ["rock.00001"]
    assert [s.reason.split(" of ")[0] for s in result.skipped] == ["duplicate"]
    with pytest.raises(ParameterError, match="unknown genres"):
        scan(tmp_path, genres=("polka",))


def test_scan_errors(tmp_path):
    with pytest.raises(DatasetError, match="folder not found"):
        scan(tmp_path / "missing")
    (tmp_path / "file").write_text("x")
    with pytest.raises(DatasetError, match="not a folder"):
        scan(tmp_path / "file")


def test_parse_track_name():
    assert parse_track_name("blues.00029.wav") == ("blues", 29)
    assert parse_track_name("blues/blues.00029.wav") == ("blues", 29)
    assert parse_track_name("Blues.00029.wav") is None
    assert parse_track_name("blues.29.wav") is None


def test_real_gtzan_samples_are_found(gtzan_samples):
    result = scan(gtzan_samples)
    assert [t.genre for t in result.tracks] == list(GENRES)
    assert all(29.9 < t.duration < 30.2 and t.sr == SR for t in result.tracks)


def test_real_feature_table_and_filtered_split():
    table = load_feature_table()
    assert table.shape == (1000, 61) and table["track_id"].iloc[0] == "blues.00000"
    assert table["label"].value_counts().to_dict() == {g: 100 for g in GENRES}
    split = load_filtered_split()
    assert {k: len(v) for k, v in split.items()} == {"train": 443, "valid": 197, "test": 290}
    labels = split_tracks(table["track_id"], table["label"], filtered=split)
    assert (labels == "test").sum() == 290 and (labels == "train").sum() == 640 and (labels == "unused").sum() == 70


def test_feature_table_and_split_errors(tmp_path):
    with pytest.raises(DatasetError, match="no features_30_sec.csv"):
        load_feature_table(tmp_path)
    (tmp_path / "features_30_sec.csv").write_text("a,b\n1,2\n")
    with pytest.raises(DatasetError, match="missing columns"):
        load_feature_table(tmp_path)
    with pytest.raises(DatasetError, match="split lists"):
        load_filtered_split(tmp_path)
    for name in ("train", "valid", "test"):
        (tmp_path / f"{name}_filtered.txt").write_text("rock/rock.00001.wav\n")
    assert set(find_split_lists(tmp_path)) == {"train", "valid", "test"}
    with pytest.raises(DatasetError, match="overlap"):
        load_filtered_split(tmp_path)
    (tmp_path / "test_filtered.txt").write_text("rock/rock.00002.wav\nnonsense line\n")
    with pytest.raises(DatasetError, match="test_filtered.txt:2"):
        load_filtered_split(tmp_path)


def test_auto_split_uses_filtered_lists_only_for_real_gtzan(monkeypatch):
    ids = ["blues.00029", "blues.00000", "rock.00050", "rock.00051"]
    genres = ["blues", "blues", "rock", "rock"]
    monkeypatch.setenv("MUSICVIZ_DATASET", "synth")
    assert "unused" not in split_tracks(ids, genres, test_size=0.5).tolist()
    monkeypatch.setenv("MUSICVIZ_DATASET", "gtzan")
    split = split_tracks(ids, genres, test_size=0.5).tolist()
    assert split[0] == "train"  # blues.00029 is in train_filtered.txt
    with pytest.raises(ParameterError, match="filtered must be"):
        split_tracks(ids, genres, filtered="yes")


def test_random_split_is_stratified_seeded_and_track_level():
    ids = [f"{g}.{i:05d}" for g in GENRES for i in range(8)]
    genres = [i.split(".")[0] for i in ids]
    a = split_tracks(ids, genres, test_size=0.25, seed=0, filtered=False)
    b = split_tracks(ids, genres, test_size=0.25, seed=0, filtered=False)
    c = split_tracks(ids, genres, test_size=0.25, seed=1, filtered=False)
    assert (a == b).all() and not (a == c).all()
    for g in GENRES:
        assert sum(1 for gi, s in zip(genres, a) if gi == g and s == "test") == 2
    with pytest.raises(ParameterError, match="unique"):
        split_tracks(ids + ids[:1], genres + genres[:1], filtered=False)
    with pytest.raises(ParameterError, match="test_size"):
        split_tracks(ids, genres, test_size=1.5, filtered=False)


def test_course_audio_dir_switch(tmp_path, monkeypatch):
    monkeypatch.setenv("MUSICVIZ_DATA", str(tmp_path))
    monkeypatch.setenv("MUSICVIZ_DATASET", "synth")
    with pytest.raises(DatasetError, match="musicviz data synth"):
        course_audio_dir(make=False)
    (tmp_path / "synth").mkdir()
    assert course_audio_dir() == tmp_path / "synth"
    monkeypatch.setenv("MUSICVIZ_GTZAN", str(tmp_path / "mine"))
    monkeypatch.setenv("MUSICVIZ_DATASET", "gtzan")
    with pytest.raises(DatasetError, match="MUSICVIZ_GTZAN"):
        course_audio_dir()
    monkeypatch.setenv("MUSICVIZ_DATASET", "polka")
    with pytest.raises(DatasetError, match="must be 'synth' or 'gtzan'"):
        course_audio_dir()


def _wav_bytes():
    buf = io.BytesIO()
    t = np.arange(2 * SR) / SR
    sf.write(buf, 0.3 * np.sin(2 * np.pi * 330 * t), SR, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def test_import_zip_refuses_unsafe_members(tmp_path):
    archive = tmp_path / "gtzan.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("Data/genres_original/blues/blues.00000.wav", _wav_bytes())
        z.writestr("Data/features_30_sec.csv", "filename,label\nblues.00000.wav,blues\n")
        z.writestr("../evil/blues.00001.wav", _wav_bytes())
        z.writestr("/abs/blues.00002.wav", _wav_bytes())
        z.writestr("Data/readme.md", "not wanted")
    dest = tmp_path / "dest"
    report = import_gtzan(archive, dest=dest, progress=False)
    assert sorted(report.imported) == ["Data/features_30_sec.csv", "Data/genres_original/blues/blues.00000.wav"]
    assert len(report.skipped) == 2 and all("unsafe" in s.reason for s in report.skipped)
    assert not (tmp_path / "evil").exists()
    assert [t.track_id for t in scan(dest).tracks] == ["blues.00000"]


def test_import_tar_refuses_links_and_traversal(tmp_path):
    archive = tmp_path / "gtzan.tar.gz"
    payload = _wav_bytes()
    with tarfile.open(archive, "w:gz") as tar:
        for name in ("genres/rock/rock.00000.wav", "../../rock.00009.wav"):
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
        link = tarfile.TarInfo("genres/rock/rock.00001.wav")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tar.addfile(link)
    report = import_gtzan(archive, dest=tmp_path / "dest", progress=False)
    assert report.imported == ["genres/rock/rock.00000.wav"]
    assert sorted(s.reason.split(" ")[0] for s in report.skipped) == ["not", "unsafe"]


def test_import_folder_and_errors(tmp_path):
    _clip(tmp_path / "src" / "pop" / "pop.00003.wav")
    report = import_gtzan(tmp_path / "src", dest=tmp_path / "dest", progress=False)
    assert report.imported == ["pop/pop.00003.wav"]
    with pytest.raises(DatasetError, match="not found"):
        import_gtzan(tmp_path / "missing.zip", dest=tmp_path / "d")
    (tmp_path / "x.bin").write_bytes(b"\x00" * 10)
    with pytest.raises(DatasetError, match="not a folder, zip or tar"):
        import_gtzan(tmp_path / "x.bin", dest=tmp_path / "d")


def test_cli_scan(tmp_path, capsys):
    _clip(tmp_path / "metal" / "metal.00001.wav")
    (tmp_path / "metal" / "metal.00002.wav").write_text("oops")
    assert cli(["-q", "data", "scan", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "metal.00001" in out and "skipped" in out and "contains text" in out
    assert out.strip().splitlines()[-1] == "found 1 tracks (metal 1), skipped 1 files"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli(["-q", "data", "scan", str(empty)]) == 1


def test_cli_reports_errors_without_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "musicviz", "data", "scan", str(tmp_path / "missing")], capture_output=True, text=True
    )
    assert proc.returncode == 3  # bad input data (cli.EXIT_CODES)
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr


def test_cli_import(tmp_path, capsys):
    _clip(tmp_path / "src" / "pop.00003.wav")
    assert cli(["-q", "data", "import", str(tmp_path / "src"), "--dest", str(tmp_path / "dest")]) == 0
    assert "imported 1 files" in capsys.readouterr().out


def test_import_reports_damaged_members_without_traceback(tmp_path):
    archive = tmp_path / "gtzan.zip"
    payload = _wav_bytes()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("genres/rock/rock.00000.wav", payload)
        z.writestr("genres/rock/rock.00001.wav", payload)
    data = bytearray(archive.read_bytes())
    data[data.rfind(b"RIFF") + 100] ^= 0xFF  # corrupt the second member: CRC mismatch
    archive.write_bytes(bytes(data))
    report = import_gtzan(archive, dest=tmp_path / "dest", progress=False)
    assert report.imported == ["genres/rock/rock.00000.wav"]
    assert [s.path.name for s in report.skipped] == ["rock.00001.wav"] and "damaged" in report.skipped[0].reason
    assert not (tmp_path / "dest" / "genres" / "rock" / "rock.00001.wav").exists()


def test_split_edge_cases_are_musicviz_errors():
    with pytest.raises(ParameterError, match="no tracks"):
        split_tracks([], [], filtered=False)
    ids = [f"{g}.00001" for g in GENRES]
    with pytest.raises(ParameterError, match="cannot split"):
        split_tracks(ids + [f"{g}.00002" for g in GENRES], list(GENRES) * 2, test_size=0.2, filtered=False)
    with pytest.raises(DatasetError, match="name none"):
        split_tracks(["rock.00001"], ["rock"], filtered={"train": ["jazz.00001"], "test": []})


def test_example_clips_short_excerpts_and_unreadable_first_clip(tmp_path):
    from musicviz.datasets import example_clips

    (tmp_path / "rock").mkdir()
    (tmp_path / "rock" / "rock.00000.wav").write_text("broken")
    _clip(tmp_path / "rock" / "rock.00001.wav", seconds=4.0)
    _clip(tmp_path / "jazz" / "jazz.00000.wav", seconds=4.0)
    clips, sr, tracks = example_clips(tmp_path, duration=1.0)
    assert sorted(clips) == ["jazz", "rock"] and tracks["rock"].track_id == "rock.00001"
    assert all(len(y) == sr for y in clips.values())


# --- load_feature_table on musicviz's own `features` output ----------------------------------

@pytest.mark.parametrize("segment_seconds", [None, 1.0])
def test_load_feature_table_keeps_the_track_id_of_musicviz_features_output(tmp_path, segment_seconds):
    from musicviz.features import feature_table, save_table

    _clip(tmp_path / "audio" / "rock" / "rock.00001.wav", seconds=2.0)
    _clip(tmp_path / "audio" / "jazz" / "jazz.00054.au", seconds=2.0, fmt="AU")
    made = feature_table(tmp_path / "audio", segment_seconds=segment_seconds, n_jobs=1, cache=False)
    assert "track_id" in made.columns  # what used to make load_feature_table raise
    csv = save_table(made, tmp_path / "features_30_sec.csv")
    table = load_feature_table(csv)
    assert list(table.columns) == list(made.columns)  # track_id kept, not inserted a second time
    assert table["track_id"].tolist() == made["track_id"].tolist()
    assert set(table["track_id"]) == {"jazz.00054", "rock.00001"}
    assert load_feature_table(tmp_path)["track_id"].tolist() == made["track_id"].tolist()  # found in a folder


def test_load_feature_table_checks_track_id_against_filename(tmp_path):
    csv = tmp_path / "features_30_sec.csv"
    csv.write_text("filename,track_id,tempo,label\n"
                   "rock.00001.wav,rock.00001,120.0,rock\n"
                   "rock.00002.3.wav,rock.00002,120.0,rock\n"  # a segment keeps its clip's id
                   "rock.00004.wav,rock.00003,120.0,rock\n")
    with pytest.raises(DatasetError, match=r"features_30_sec.csv: row 3: track_id 'rock.00003' does not match "
                                           r"filename 'rock.00004.wav' \(1 of 3 rows"):
        load_feature_table(csv)
    csv.write_text("filename,track_id,label\nrock.00001.wav,rock.0000,rock\n")  # a prefix, not the clip
    with pytest.raises(DatasetError, match="does not match"):
        load_feature_table(csv)
    csv.write_text("filename,tempo,label\nrock.00001.au,1.0,rock\n")  # Kaggle-style: track_id added
    table = load_feature_table(csv)
    assert table.columns.tolist() == ["filename", "track_id", "tempo", "label"]
    assert table["track_id"].tolist() == ["rock.00001"]


# --- the datasets package: one public surface, submodules without cycles ---------------------

SUBMODULES = ("musicviz.datasets.scanning", "musicviz.datasets.tables", "musicviz.datasets.importing",
              "musicviz.datasets.firstuse")


def test_datasets_reexports_every_public_name_and_configs_locations():
    import importlib

    from musicviz import config, datasets

    for module in SUBMODULES:
        sub = importlib.import_module(module)
        for name in sub.__all__:
            assert getattr(datasets, name) is getattr(sub, name), name
    for name in ("DATA_ENV", "GTZAN_ENV", "DATASET_ENV", "data_dir", "synth_dir", "gtzan_dir",
                 "packaged_gtzan_dir", "dataset_name"):
        assert getattr(datasets, name) is getattr(config, name), name  # one home, no copy
        assert name in datasets.__all__
    for name in ("FEATURE_TABLE_NAME", "SPLIT_NAMES", "MAX_IMPORT_BYTES", "MAX_MEMBER_BYTES",
                 "MAX_COMPRESSION_RATIO", "TABLE_NAMES", "MIN_SCAN_SECONDS", "CHECK_BLOCK_SECONDS",
                 "Track", "Skipped", "ScanResult", "ImportReport", "course_audio_dir", "scan", "import_gtzan"):
        assert name in datasets.__all__ and hasattr(datasets, name), name
    assert callable(datasets.scan)  # the function, not a submodule of the same name
    assert len(datasets.__all__) == len(set(datasets.__all__))
    assert datasets.packaged_gtzan_dir().joinpath(datasets.FEATURE_TABLE_NAME).is_file()
    for path in Path(datasets.__file__).parent.glob("*.py"):
        assert len(path.read_text().splitlines()) < 600, path.name


# --------------------------------------------------------------------------- where the data lives
@pytest.fixture
def installed(tmp_path, monkeypatch):
    """musicviz as if pip-installed (not a clone), with HOME and the XDG folders in ``tmp_path``."""
    from musicviz import config

    monkeypatch.setattr(config, "is_checkout", lambda: False)
    for name in ("MUSICVIZ_DATA", "MUSICVIZ_CACHE", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_the_data_folder_of_a_clone_is_data_and_of_an_install_a_user_folder(installed, monkeypatch):
    from musicviz import config
    from musicviz._io import project_root

    assert config.data_dir() == installed / ".local" / "share" / "musicviz"
    assert config.synth_dir() == installed / ".local" / "share" / "musicviz" / "synth"
    assert project_root() not in config.data_dir().parents  # never inside site-packages
    assert config.work_dir() == config.data_dir()  # writable: caches and models next to the data
    monkeypatch.setattr(config, "is_checkout", lambda: True)
    assert config.data_dir() == project_root() / "data"
    monkeypatch.setenv("MUSICVIZ_DATA", str(installed / "mine"))
    assert config.data_dir() == installed / "mine" and config.cache_dir("features").parent.parent == installed / "mine"


def test_the_clone_is_recognised():
    from musicviz import config

    assert config.is_checkout()  # the tests run from the clone (make env installs it editable)


def test_a_read_only_data_folder_sends_caches_and_models_to_the_users_folder(installed, monkeypatch):
    from musicviz import config

    shared = installed / "shared"
    shared.mkdir(parents=True)
    monkeypatch.setenv("MUSICVIZ_DATA", str(shared))
    assert config.shared_cache_dir("musicnn") is None
    shared.chmod(0o555)  # chmod a-w: read-only for everyone, root included (config.is_read_only)
    try:
        assert config.is_read_only(shared) and config.is_read_only(shared / "synth" / "blues")
        assert config.work_dir() == installed / ".cache" / "musicviz"
        assert config.models_dir() == installed / ".cache" / "musicviz" / "models"
        assert config.cache_dir("musicnn") == installed / ".cache" / "musicviz" / "cache" / "musicnn"
        assert config.shared_cache_dir("musicnn") == shared / "cache" / "musicnn"
        monkeypatch.setenv("MUSICVIZ_CACHE", str(installed / "scratch"))
        assert config.models_dir() == installed / "scratch" / "models"
    finally:
        shared.chmod(0o755)
    assert not config.is_read_only(installed / "not yet made" / "below")


def _listing(folder: Path) -> dict:
    """Every file and folder under ``folder``: its kind, size, mode, mtime and, for files, its bytes' digest."""
    import hashlib
    import os

    listing = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            info = path.lstat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
            listing[path.relative_to(folder).as_posix()] = (info.st_mode, info.st_size, info.st_mtime_ns, digest)
    return listing


@pytest.mark.slow
def test_a_hubs_read_only_data_folder_is_read_never_written(installed, monkeypatch):
    """An administrator makes the data once into a shared folder and makes it read-only; a
    student's notebooks read it there and write caches and models into their own folder."""
    import os

    from musicviz import baselines, config, features

    shared = installed / "course-data"
    monkeypatch.setenv("MUSICVIZ_DATA", str(shared))
    # The administrator: a small set of clips, and its feature rows cached in the shared folder.
    for genre in ("blues", "jazz", "rock"):
        _clip(config.synth_dir() / genre / f"{genre}.00000.wav")
    admin = features.course_feature_table(n_jobs=1)
    assert any((shared / "cache" / "features").rglob("*.json"))
    for root, dirs, files in os.walk(shared):  # chmod -R a-w
        for name in dirs + files:
            (Path(root) / name).chmod(0o555 if (Path(root) / name).is_dir() else 0o444)
    shared.chmod(0o555)
    before = _listing(shared)
    try:
        # A student: the same table is read from the shared cache, nothing is recomputed here ...
        student = features.course_feature_table(n_jobs=1)
        assert student.equals(admin)
        user = installed / ".cache" / "musicviz"
        assert not (user / "cache" / "features").exists()
        # ... a table of new rows (1 s segments) is computed and cached in the student's folder ...
        features.course_feature_table(segment_seconds=1.0, n_jobs=1)
        assert any((user / "cache" / "features").rglob("*.json"))
        # ... and a model is saved there too.
        knn = baselines.make_knn(n_neighbors=1).fit(admin[list(features.FEATURES)], admin["label"])
        path = config.models_dir() / "knn.skops"
        baselines.save_model(knn, path)
        assert path.is_file() and user in path.parents
        assert _listing(shared) == before  # not one file changed, appeared or went
    finally:
        for root, dirs, files in os.walk(shared):
            for name in dirs:
                (Path(root) / name).chmod(0o755)
        shared.chmod(0o755)


def test_the_synthetic_set_is_made_on_first_use(installed, monkeypatch, capsys):
    from musicviz import config, synth

    made = []

    def fake_generate(folder, **kwargs):
        made.append((Path(folder), kwargs))
        Path(folder).mkdir(parents=True)
        (Path(folder) / "metadata.csv").write_text("path,genre\n")

    monkeypatch.setattr(synth, "generate_dataset", fake_generate)
    assert course_audio_dir() == config.synth_dir()
    assert made == [(config.synth_dir(), {"seed": 0, "n_jobs": -1, "progress": True})]
    out = capsys.readouterr().out
    assert out.startswith(f"Making the course's synthetic data set in {config.synth_dir()}") and "about a minute" in out
    assert course_audio_dir() == config.synth_dir() and len(made) == 1  # once


def test_a_missing_set_in_a_read_only_folder_says_who_can_make_it(installed, monkeypatch):
    from musicviz import synth

    shared = installed / "shared"
    shared.mkdir(parents=True)
    monkeypatch.setenv("MUSICVIZ_DATA", str(shared))
    monkeypatch.setattr(synth, "generate_dataset", lambda *a, **k: pytest.fail("wrote into a read-only folder"))
    shared.chmod(0o555)
    try:
        with pytest.raises(DatasetError, match=r"read-only .*MUSICVIZ_DATA=.*musicviz data synth"):
            course_audio_dir()
    finally:
        shared.chmod(0o755)
