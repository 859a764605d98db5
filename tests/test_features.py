"""musicviz.features: exact fast HPSS, the feature table, its cache, its files and its CLI."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.ndimage

from musicviz import SR, features
from musicviz.audio import write_wav
from musicviz.datasets import Track, scan
from musicviz.errors import FeatureError, ParameterError
from musicviz.features import (
    CONTRAST_FEATURES,
    FEATURES,
    KAGGLE_FEATURES,
    extract_clip_features,
    feature_columns,
    feature_table,
    load_table,
    median_filter_along,
    save_table,
)


def _tone(seconds, *, freq=220.0, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    return 0.3 * np.sin(2 * np.pi * freq * t) + 0.05 * rng.standard_normal(t.size)


@pytest.fixture()
def clip_dir(tmp_path):
    root = tmp_path / "audio"
    write_wav(root / "jazz" / "jazz.00001.wav", _tone(4.2, freq=220), sr=SR)
    write_wav(root / "rock" / "rock.00003.wav", _tone(3.5, freq=440, seed=1), sr=SR)
    return root


def _table(source, **kw):
    kw.setdefault("n_jobs", 1)
    return feature_table(source, **kw)


# --------------------------------------------------------------------------- exact HPSS
@pytest.mark.parametrize("shape", [(7, 50), (40, 3), (1, 1), (3, 4, 20)])
@pytest.mark.parametrize("size", [1, 2, 5, 31])
@pytest.mark.parametrize("axis", [-1, -2])
def test_median_filter_is_scipy_bit_for_bit(shape, size, axis):
    x = np.random.default_rng(0).random(shape).astype(np.float32)
    footprint = [1] * x.ndim
    footprint[axis] = size
    expected = scipy.ndimage.median_filter(x, size=footprint, mode="reflect")
    got = median_filter_along(x, size=size, axis=axis)
    assert got.dtype == x.dtype and np.array_equal(got, expected)


def test_median_filter_rejects_bad_size():
    with pytest.raises(ParameterError, match="size"):
        median_filter_along(np.zeros((3, 3)), size=0)


def test_hpss_is_librosa_bit_for_bit():
    import librosa

    stft = librosa.stft(y=_tone(2.0).astype(np.float32))
    stft[:, :3] = 0  # silent frames exercise the 0/0 branch of the soft mask
    harmonic, percussive = features.hpss(stft)
    ref_h, ref_p = librosa.decompose.hpss(stft)
    assert np.array_equal(harmonic, ref_h) and np.array_equal(percussive, ref_p)


# --------------------------------------------------------------------------- one clip
def test_clip_features_names_and_order():
    feats = extract_clip_features(_tone(3.0), sr=SR)
    assert tuple(feats) == FEATURES and len(FEATURES) == 73 and len(KAGGLE_FEATURES) == 57
    assert tuple(extract_clip_features(_tone(3.0), sr=SR, contrast=False)) == KAGGLE_FEATURES
    assert all(np.isfinite(v) for v in feats.values())
    assert len(CONTRAST_FEATURES) == 16


def test_clip_features_match_the_naive_way():
    from musicviz.bench import naive_clip_features

    y = _tone(3.0, seed=3)
    fast, naive = extract_clip_features(y, sr=SR), naive_clip_features(y, sr=SR)
    worst = max(abs(fast[k] - naive[k]) / abs(naive[k]) for k in FEATURES)
    assert worst < 1e-4


def test_clip_features_reject_bad_input():
    with pytest.raises(FeatureError, match="silent"):
        extract_clip_features(np.zeros(SR), sr=SR)
    with pytest.raises(ParameterError, match="samples"):
        extract_clip_features(np.ones(100), sr=SR)
    with pytest.raises(ParameterError, match="shape"):
        extract_clip_features(np.ones((2, SR)), sr=SR)
    with pytest.raises(ParameterError, match="sr"):
        extract_clip_features(np.ones(SR), sr=0)


# --------------------------------------------------------------------------- the table
def test_table_columns_and_rows(clip_dir, tmp_path):
    table = _table(clip_dir, cache=tmp_path / "cache")
    assert list(table.columns) == ["filename", "track_id", "length", *FEATURES, "label"]
    assert table["track_id"].tolist() == ["jazz.00001", "rock.00003"]  # GTZAN genre order
    assert table["label"].tolist() == ["jazz", "rock"]
    assert table["filename"].tolist() == ["jazz.00001.wav", "rock.00003.wav"]
    assert table["length"].tolist() == [int(4.2 * SR), int(3.5 * SR)]
    assert table.attrs["skipped"] == []


def test_segments_keep_their_track(clip_dir, tmp_path):
    table = _table(clip_dir, segment_seconds=1.5, cache=tmp_path / "cache")
    assert table["segment"].tolist() == [0, 1, 0, 1]
    assert table["track_id"].tolist() == ["jazz.00001"] * 2 + ["rock.00003"] * 2
    assert (table["length"] == int(1.5 * SR)).all()
    assert table["filename"].iloc[1] == "jazz.00001.1.wav"
    assert list(table.columns[:4]) == ["filename", "track_id", "segment", "length"]


def test_bad_and_short_clips_are_skipped_and_reported(clip_dir, tmp_path):
    (clip_dir / "jazz" / "jazz.00002.wav").write_text("not audio")
    write_wav(clip_dir / "rock" / "rock.00009.wav", _tone(0.5), sr=SR)  # too short
    write_wav(clip_dir / "rock" / "rock.00010.wav", np.zeros(SR * 2), sr=SR)  # silent
    with pytest.warns(UserWarning, match="skipped 3 file"):
        table = _table(clip_dir, cache=tmp_path / "cache")
    assert table["track_id"].tolist() == ["jazz.00001", "rock.00003"]
    report = features.skipped_clips(table)
    reasons = dict(zip(report["path"].map(lambda p: p.rsplit("/", 1)[-1]), report["reason"]))
    assert set(reasons) == {"jazz.00002.wav", "rock.00009.wav", "rock.00010.wav"}
    assert "short" in reasons["rock.00009.wav"] and "silent" in reasons["rock.00010.wav"]
    # a clip shorter than one segment is skipped with its reason, the others stay
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seg = _table(clip_dir, segment_seconds=4.0, cache=tmp_path / "cache")
    assert seg["track_id"].unique().tolist() == ["jazz.00001"]
    assert any("too short for 4 s segments" in s.reason for s in seg.attrs["skipped"])


def test_sources_folder_scan_tracks_and_paths_agree(clip_dir, tmp_path):
    kw = {"cache": False}
    by_folder = _table(clip_dir, **kw)
    by_scan = _table(scan(clip_dir), **kw)
    paths = sorted(clip_dir.rglob("*.wav"))
    by_paths = _table(paths, **kw)
    by_tracks = _table([Track(path=p, genre=p.parent.name, number=int(p.name.split(".")[1])) for p in paths], **kw)
    for other in (by_scan, by_paths, by_tracks):
        pd.testing.assert_frame_equal(by_folder, other)
    odd = tmp_path / "my song.wav"
    write_wav(odd, _tone(2.0), sr=SR)
    row = _table([odd], **kw).iloc[0]
    assert (row["track_id"], row["label"]) == ("my song", "")
    with pytest.raises(ParameterError, match="source"):
        _table(42)
    with pytest.raises(ParameterError, match="segment_seconds"):
        _table(clip_dir, segment_seconds=-1)


def test_cache_is_used_and_never_stale(clip_dir, tmp_path, monkeypatch):
    # The cache's own guarantees (damaged entries, atomic writes) are tests/test_cache.py's;
    # here: the feature table's keys and entries.
    cache = tmp_path / "cache"
    first = _table(clip_dir, cache=cache)
    entries = sorted(cache.rglob("*.json"))
    assert len(entries) == 2 and not list(cache.rglob("*.tmp"))

    def boom(*args, **kwargs):
        raise AssertionError("recomputed a cached clip")

    monkeypatch.setattr(features.table, "_clip_rows", boom)
    pd.testing.assert_frame_equal(_table(clip_dir, cache=cache), first)
    monkeypatch.undo()

    # a changed parameter is a different key
    seg = _table(clip_dir, cache=cache, segment_seconds=1.0)
    assert "segment" in seg and len(list(cache.rglob("*.json"))) == 4
    # a changed file is a different key
    write_wav(clip_dir / "jazz" / "jazz.00001.wav", _tone(4.2, freq=880), sr=SR)
    changed = _table(clip_dir, cache=cache)
    assert changed.loc[0, "spectral_centroid_mean"] != first.loc[0, "spectral_centroid_mean"]
    pd.testing.assert_frame_equal(changed, _table(clip_dir, cache=False))
    pd.testing.assert_series_equal(changed.iloc[1], first.iloc[1])
    # cache=False writes nothing
    fresh = tmp_path / "fresh"
    monkeypatch.setenv("MUSICVIZ_DATA", str(fresh))
    _table(clip_dir, cache=False)
    assert not fresh.exists()


def test_table_keywords_are_checked(clip_dir):
    for bad in (
        {"cache": None},
        {"cache": ""},
        {"n_jobs": 0},
        {"n_jobs": True},
        {"max_seconds": 0.5},
        {"max_seconds": float("nan")},
        {"segment_seconds": 0.01},
        {"errors": "ignore"},
    ):
        (name,) = bad
        with pytest.raises(ParameterError, match=name):
            _table(clip_dir, **bad)


def test_default_cache_dir_follows_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("MUSICVIZ_DATA", str(tmp_path))
    assert features.default_cache_dir() == tmp_path / "cache" / "features"


# --------------------------------------------------------------------------- columns and files
def test_feature_columns(clip_dir):
    table = _table(clip_dir, cache=False, contrast=False)
    assert feature_columns(table) == list(KAGGLE_FEATURES)
    assert feature_columns(table, kind="kaggle") == list(KAGGLE_FEATURES)
    assert feature_columns(kind="contrast") == list(CONTRAST_FEATURES)
    with pytest.raises(FeatureError, match="contrast"):
        feature_columns(table, kind="contrast")
    with pytest.raises(ParameterError, match="kind"):
        feature_columns(table, kind="nope")


def test_save_and_load_round_trip_exactly(clip_dir, tmp_path):
    table = _table(clip_dir, cache=False, segment_seconds=1.5)
    path = save_table(table, tmp_path / "out" / "t.csv")
    back = load_table(path)
    pd.testing.assert_frame_equal(back, table, check_exact=True)


def test_load_table_errors_and_kaggle_csv(tmp_path):
    with pytest.raises(FeatureError, match="not found"):
        load_table(tmp_path / "missing.csv")
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    with pytest.raises(FeatureError, match="missing columns"):
        load_table(tmp_path / "bad.csv")
    (tmp_path / "k.csv").write_text("filename,tempo,label\nblues.00000.au,120,blues\nrock.00001.2.wav,90,rock\n")
    assert load_table(tmp_path / "k.csv")["track_id"].tolist() == ["blues.00000", "rock.00001"]


# --------------------------------------------------------------------------- command line
def test_features_command(clip_dir, tmp_path, capsys, monkeypatch):
    from musicviz import cli

    monkeypatch.setenv("MUSICVIZ_DATA", str(tmp_path / "data"))
    (clip_dir / "jazz" / "jazz.00002.wav").write_text("not audio")
    out = tmp_path / "table.csv"
    assert cli.main(["-q", "features", str(clip_dir), "--out", str(out), "--jobs", "1"]) == 0
    printed = capsys.readouterr().out
    assert "skipped" in printed and "jazz.00002.wav" in printed
    assert "wrote 2 rows (2 clips) x 77 columns" in printed
    assert load_table(out).shape == (2, 77)
    assert cli.main(["-q", "features", str(clip_dir), "--out", str(out), "--segment-seconds", "1", "--no-cache"]) == 0
    assert load_table(out)["segment"].max() == 3
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli.main(["-q", "features", str(empty), "--out", str(tmp_path / "none.csv")]) == 1
    assert not (tmp_path / "none.csv").exists()
    assert cli.main(["-q", "features", str(tmp_path / "nowhere"), "--out", str(out)]) == 3  # bad input data


def test_cache_never_lends_one_files_identity_to_a_copy(tmp_path):
    import shutil

    import numpy as np

    from musicviz.audio import write_wav
    from musicviz.features import feature_table

    sr = 22050
    t = np.arange(sr * 4) / sr
    write_wav(tmp_path / "audio" / "rock" / "rock.00001.wav", 0.3 * np.sin(2 * np.pi * 220 * t), sr=sr)
    cache = tmp_path / "cache"
    first = feature_table(tmp_path / "audio", cache=cache, n_jobs=1)
    shutil.copyfile(tmp_path / "audio" / "rock" / "rock.00001.wav", tmp_path / "audio" / "jazz.00007.wav")
    both = feature_table(tmp_path / "audio", cache=cache, n_jobs=1).set_index("track_id")
    assert sorted(both.index) == ["jazz.00007", "rock.00001"]
    assert both.loc["jazz.00007", "label"] == "jazz" and both.loc["jazz.00007", "filename"] == "jazz.00007.wav"
    assert both.loc["jazz.00007", "tempo"] == first["tempo"].iloc[0]
