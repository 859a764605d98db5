"""Reliability of the feature table (issue 12, items 2, 3, 8 and 9).

Each test reproduces a failure of the old code: ``musicviz features`` that kept the invalid
Kaggle ``jazz.00054.wav`` and dropped the good Marsyas copy as a duplicate; cache entries that
were valid JSON but not valid rows (``[]`` dropped the clip, a partial row gave NaN features);
no length limit on clips; a killed worker process that lost everything with a raw joblib
error; a raw ``PermissionError`` that aborted the whole table. The fuzz test at the end feeds
random JSON-ish payloads to the cache reader: it may only return valid rows or None.

What the feature table shares with every table of many clips is tested once, where it lives:
damaged entries of any kind (garbage, a wrong envelope, a folder in place of an entry) in
tests/test_cache.py; a dying worker, resuming, ``n_jobs`` and an unwritable cache in
tests/test_clip_engine.py. Here: what is the feature table's own (its rows, its segments, its
partial table).
"""

from __future__ import annotations

import builtins
import json
import math
import os
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import musicviz.cache
from musicviz import SR, features
from musicviz.audio import write_wav
from musicviz.errors import FeatureError, MusicvizError, ParameterError
from musicviz.features import FEATURES, KAGGLE_FEATURES, feature_table
from musicviz.features.cache import _features_cache, _params


def _tone(seconds, *, freq=220.0, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    return 0.3 * np.sin(2 * np.pi * freq * t) + 0.05 * rng.standard_normal(t.size)


def _table(source, **kw):
    kw.setdefault("n_jobs", 1)
    kw.setdefault("warn", False)
    return feature_table(source, **kw)


def _reasons(table) -> dict[str, str]:
    return {Path(s.path).name: s.reason for s in table.attrs["skipped"]}


@pytest.fixture()
def one_clip(tmp_path):
    root = tmp_path / "audio"
    write_wav(root / "jazz" / "jazz.00001.wav", _tone(4.0), sr=SR)
    return root


# --- item 2: the good copy of a duplicate wins ------------------------------------------------

def test_features_keep_the_good_copy_when_the_kaggle_file_is_invalid(tmp_path):
    kaggle = tmp_path / "Data" / "genres_original" / "jazz" / "jazz.00054.wav"
    kaggle.parent.mkdir(parents=True)
    kaggle.write_text("this is the invalid jazz.00054.wav of the Kaggle copy\n")
    marsyas = tmp_path / "genres" / "jazz" / "jazz.00054.au"
    marsyas.parent.mkdir(parents=True)
    sf.write(marsyas, _tone(4.0), SR, format="AU", subtype="PCM_16")
    table = _table(tmp_path, cache=False)
    assert table["track_id"].tolist() == ["jazz.00054"] and table["filename"].tolist() == ["jazz.00054.au"]
    reasons = _reasons(table)
    assert set(reasons) == {"jazz.00054.wav"} and "contains text" in reasons["jazz.00054.wav"]


# --- item 3: every cache entry is validated; invalid ones are recomputed and overwritten ------

def _entries(cache: Path) -> list[Path]:
    return sorted(p for p in cache.rglob("*.json"))


# A valid envelope around a wrong value.
BAD_VALUES = (
    "value empty list",
    "value null",
    "value list of a number",
    "value a string",
    "partial row",
    "NaN feature",
    "string feature",
    "identity smuggled in",
    "two whole-clip rows",
)


def _bad_payload(kind: str, good: dict) -> str:
    row = dict(good["value"][0])
    values = {
        "value empty list": [],
        "value null": None,
        "value list of a number": [1],
        "value a string": "rows",
        "partial row": [{"length": row["length"], "tempo": row["tempo"]}],
        "NaN feature": [{**row, "tempo": float("nan")}],  # json.dumps writes NaN
        "string feature": [{**row, "tempo": "120"}],
        "identity smuggled in": [{**row, "label": "metal", "track_id": "metal.00099"}],
        "two whole-clip rows": [row, row],
    }
    return json.dumps({**good, "value": values[kind]})


@pytest.mark.parametrize("kind", BAD_VALUES)
def test_invalid_cache_entry_is_recomputed_and_overwritten(one_clip, tmp_path, kind):
    cache = tmp_path / "cache"
    fresh = _table(one_clip, cache=cache)
    (entry,) = _entries(cache)
    good = json.loads(entry.read_text())
    assert set(good) == {"musicviz_cache", "kind", "key", "value"} and good["kind"] == "features"
    assert entry.stem == good["key"] and len(good["value"]) == 1
    entry.write_text(_bad_payload(kind, good))
    again = _table(one_clip, cache=cache)
    pd.testing.assert_frame_equal(again, fresh)
    assert again.attrs["skipped"] == [] and not again[list(FEATURES)].isna().any().any()
    assert json.loads(entry.read_text()) == good  # overwritten with a valid entry
    assert not list(cache.rglob("*.tmp"))


def test_wrong_segment_numbering_is_recomputed(one_clip, tmp_path):
    cache = tmp_path / "cache"
    fresh = _table(one_clip, cache=cache, segment_seconds=1.0)
    (entry,) = _entries(cache)
    good = json.loads(entry.read_text())
    assert [r["segment"] for r in good["value"]] == [0, 1, 2, 3]
    for rows in (good["value"][:2] + good["value"][3:], good["value"][::-1],
                 [{**r, "length": 5} for r in good["value"]], [{k: v for k, v in r.items() if k != "segment"}
                                                                for r in good["value"]]):
        entry.write_text(json.dumps({**good, "value": rows}))
        pd.testing.assert_frame_equal(_table(one_clip, cache=cache, segment_seconds=1.0), fresh)
        assert json.loads(entry.read_text()) == good


# --- item 8: a length limit, checked from the header; a killed worker -------------------------

def _wav_header(n_frames, *, sr=SR) -> bytes:
    size = 2 * n_frames
    return (b"RIFF" + struct.pack("<I", 36 + size) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, sr, 2 * sr, 2, 16)
            + b"data" + struct.pack("<I", size))


def test_clips_longer_than_the_limit_are_skipped_before_decoding(tmp_path, monkeypatch):
    assert features.MAX_CLIP_SECONDS == 600
    root = tmp_path / "audio"
    write_wav(root / "rock" / "rock.00001.wav", _tone(4.0), sr=SR)
    long = root / "rock" / "rock.00002.wav"
    n = 660 * SR  # 11 minutes, sparse on disk
    with open(long, "wb") as handle:
        handle.write(_wav_header(n))
        handle.write((np.random.default_rng(0).normal(0, 3000, 3 * SR)).astype("<i2").tobytes())
        handle.truncate(44 + 2 * n)
    computed = []
    real = features.table._clip_rows

    def recording(clip, *args, **kwargs):
        computed.append(clip.path.name)
        return real(clip, *args, **kwargs)

    monkeypatch.setattr(features.table, "_clip_rows", recording)
    table = _table(root, cache=False)
    assert table["track_id"].tolist() == ["rock.00001"] and computed == ["rock.00001.wav"]
    assert "too long: 660.0 s" in _reasons(table)["rock.00002.wav"]
    assert "max_seconds" in _reasons(table)["rock.00002.wav"]
    short_limit = _table(root, cache=False, max_seconds=3.0)
    assert short_limit.empty and set(_reasons(short_limit)) == {"rock.00001.wav", "rock.00002.wav"}
    with pytest.raises(ParameterError, match="max_seconds"):
        _table(root, max_seconds=0)


def test_a_dead_worker_leaves_the_table_of_the_finished_clips(tmp_path, monkeypatch):
    """The engine reports a dead worker with the results it had (tests/test_clip_engine.py);
    the table turns them into ``partial_table``: the rows of the finished clips."""
    root = tmp_path / "audio"
    write_wav(root / "jazz" / "jazz.00001.wav", _tone(3.0), sr=SR)
    write_wav(root / "jazz" / "jazz.00002.wav", _tone(3.0, seed=1), sr=SR)
    write_wav(root / "rock" / "rock.00003.wav", _tone(3.0, seed=2), sr=SR)
    (root / "rock" / "rock.00004.wav").write_text("not audio")  # skipped by the scan
    real = features.table.map_clips

    def dying(clips, job, **kwargs):
        results = real(clips, job, **kwargs)
        error = FeatureError("a worker process died while computing features")
        error.results = [results[0], None, results[2]]
        raise error

    monkeypatch.setattr(features.table, "map_clips", dying)
    with pytest.raises(FeatureError, match="worker process died") as info:
        _table(root, cache=False, segment_seconds=1.0)
    partial = info.value.partial_table
    assert partial["track_id"].tolist() == ["jazz.00001"] * 3 + ["rock.00003"] * 3
    assert list(partial.columns[:4]) == ["filename", "track_id", "segment", "length"]
    assert set(_reasons(partial)) == {"rock.00004.wav"}
    monkeypatch.undo()
    pd.testing.assert_frame_equal(partial, _table(root, cache=False, segment_seconds=1.0).drop(index=[3, 4, 5]).reset_index(drop=True))


# --- item 9: an unreadable clip is skipped with its reason ------------------------------------

def test_permission_denied_clip_is_skipped_not_fatal(tmp_path, monkeypatch):
    root = tmp_path / "audio"
    write_wav(root / "jazz" / "jazz.00001.wav", _tone(3.0), sr=SR)
    locked = write_wav(root / "jazz" / "jazz.00002.wav", _tone(3.0, seed=1), sr=SR)
    real_open = builtins.open

    def deny(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.fspath(file) == str(locked):
            raise PermissionError(13, "Permission denied", str(locked))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", deny)
    for source in (root, [locked, root / "jazz" / "jazz.00001.wav"]):
        table = _table(source, cache=tmp_path / "cache")
        assert table["track_id"].tolist() == ["jazz.00001"]
        assert "permission denied" in _reasons(table)["jazz.00002.wav"]
    with pytest.raises(FeatureError, match="jazz.00002.wav.*permission denied"):
        _table([locked], cache=tmp_path / "cache", errors="raise")


def test_permission_denied_real_chmod(tmp_path):
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("running as root: chmod cannot deny reading; simulated in the test above")
    root = tmp_path / "audio"
    write_wav(root / "jazz" / "jazz.00001.wav", _tone(3.0), sr=SR)
    locked = write_wav(root / "jazz" / "jazz.00002.wav", _tone(3.0, seed=1), sr=SR)
    locked.chmod(0)
    try:
        table = _table(root, cache=tmp_path / "cache")
        assert table["track_id"].tolist() == ["jazz.00001"]
        assert "permission denied" in _reasons(table)["jazz.00002.wav"]
    finally:
        locked.chmod(0o644)


# --- fuzz: the cache reader returns valid rows or None, never raises --------------------------

_GOOD_ROW = {"length": 88200, **{name: float(i) + 0.5 for i, name in enumerate(FEATURES)}}

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


def _mutated_good(draw_kind, value):
    """An envelope around one good row, with one thing changed (or nothing: ``"none"``)."""
    row = dict(_GOOD_ROW)
    envelope = {"value": [row]}
    if draw_kind == "drop":
        row.pop(sorted(row)[value % len(row)])
    elif draw_kind == "replace":
        row[sorted(row)[value % len(row)]] = [None, True, "x", math.inf, -1, 10**400, {}][value % 7]
    elif draw_kind == "version":
        envelope["musicviz_cache"] = [True, 1.0, "1", None, 2, 0][value % 6]
    elif draw_kind == "extra":
        row["segment"] = value
    return envelope


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.one_of(
    _JSON,  # raw JSON in the file
    st.builds(lambda value: {"value": value}, _JSON),  # any value in a valid envelope
    st.builds(_mutated_good, st.sampled_from(["drop", "replace", "version", "extra", "none"]), st.integers(0, 500)),
), text=st.one_of(st.none(), st.text(max_size=40)), segment_seconds=st.sampled_from([None, 1.0]))
def test_fuzz_cache_reader(tmp_path, payload, text, segment_seconds):
    names = FEATURES
    clip = tmp_path / "clip.wav"
    clip.write_bytes(b"RIFF fuzz")
    store = _features_cache(tmp_path / "cache", names=names, segment_seconds=segment_seconds)
    key = store.key(clip, {"segment_seconds": segment_seconds})
    entry = store.entry(key)
    entry.parent.mkdir(parents=True, exist_ok=True)
    if text is None:
        if isinstance(payload, dict) and set(payload) <= {"value", "musicviz_cache"} and "value" in payload:
            # fill in the rest of the shared cache's envelope for this entry
            payload = {"musicviz_cache": musicviz.cache.CACHE_FORMAT, "kind": store.kind, "key": key, **payload}
        try:
            text = json.dumps(payload)
        except (ValueError, OverflowError):
            text = "[]"
    entry.write_text(text)
    try:
        rows = store.read(key)
    except MusicvizError:
        return
    if rows is None:
        return
    assert isinstance(rows, list) and rows
    for k, row in enumerate(rows):
        assert set(row) == {"length", *names} | ({"segment"} if segment_seconds else set())
        assert all(type(row[n]) in (float, int) and math.isfinite(row[n]) for n in names)
        assert type(row["length"]) is int and row["length"] > 0
        if segment_seconds:
            assert row["segment"] == k


def test_cache_reader_accepts_what_the_writer_writes(tmp_path):
    clip = tmp_path / "clip.wav"
    clip.write_bytes(b"RIFF some clip")
    rows = [dict(_GOOD_ROW)]
    store = _features_cache(tmp_path / "cache", names=FEATURES, segment_seconds=None)
    key = store.key(clip, _params(None, True))
    store.write(key, rows)
    assert store.read(key) == rows
    kaggle = _features_cache(tmp_path / "cache", names=KAGGLE_FEATURES, segment_seconds=None)
    assert kaggle.read(key) is None  # same entry, other columns: refused
    assert store.read(store.key(clip, _params(1.0, True))) is None  # missing
    with pytest.raises(ParameterError):  # the table never caches identity columns
        store.write(key, [{**_GOOD_ROW, "track_id": "jazz.00001"}])
    assert store.read(key) == rows
