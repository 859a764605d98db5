"""The course split: which split, and the words that explain it (notebooks 04-07)."""

from __future__ import annotations

import pandas as pd
import pytest

from musicviz import GENRES
from musicviz.datasets import load_feature_table, split_tracks
from musicviz.errors import DatasetError, ParameterError
from musicviz.splits import block_split, course_split


def _table(per_genre, genres=GENRES, start=0):
    ids = [f"{g}.{i:05d}" for g in genres for i in range(start, start + per_genre)]
    return pd.DataFrame({"track_id": ids, "label": [i.split(".")[0] for i in ids]})


def test_synthetic_set_gets_the_seeded_stratified_split(monkeypatch):
    monkeypatch.setenv("MUSICVIZ_DATASET", "synth")
    table = _table(12)
    course = course_split(table, test_size=0.25, seed=0)
    expected = split_tracks(table["track_id"], table["label"], test_size=0.25, seed=0, filtered=False)
    assert course.kind == "random" and course.dataset == "synth"
    assert (course.sides == expected).all()
    assert str(course).startswith("Split: stratified random split (seed 0, 25% test) of the synthetic clips: 90 for training, 30")


def test_full_real_copy_gets_the_filtered_split(monkeypatch):
    monkeypatch.setenv("MUSICVIZ_DATASET", "gtzan")
    table = load_feature_table()
    course = course_split(table)
    assert course.kind == "filtered"
    assert (course.sides == "test").sum() == 290 and (course.sides == "train").sum() == 640
    assert "70 clips present are in no list" in str(course)
    assert "blues.00029" in set(course.table.loc[course.is_train, "track_id"])  # train_filtered.txt


def test_partial_copy_falls_back_to_blocks_and_says_why(monkeypatch):
    monkeypatch.setenv("MUSICVIZ_DATASET", "gtzan")
    table = _table(10)
    course = course_split(table, test_size=0.25)
    assert course.kind == "blocks"
    text = str(course)
    assert "cannot be formed" in text and "matched" in text and "contiguous blocks" in text
    for genre in GENRES:  # the last three track numbers of each genre are tested
        test_ids = sorted(course.table.loc[course.is_test & (course.table["label"] == genre), "track_id"])
        assert test_ids == [f"{genre}.{i:05d}" for i in (7, 8, 9)]


def test_genres_too_small_are_left_out_by_name(monkeypatch):
    monkeypatch.setenv("MUSICVIZ_DATASET", "gtzan")
    table = pd.concat([_table(10, ("rock", "jazz", "pop")), _table(2, ("metal",))], ignore_index=True)
    course = course_split(table)
    assert set(course.table["label"]) == {"rock", "jazz", "pop"}
    assert "Left out" in str(course) and "metal (1 train / 1 test)" in str(course)


def test_a_copy_too_small_uses_the_synthetic_set_and_says_so(monkeypatch, synth_data):
    monkeypatch.setenv("MUSICVIZ_DATASET", "gtzan")
    course = course_split(_table(1))
    assert course.dataset == "synth" and len(course.table) == 120
    assert "too few to train and test" in str(course) and "synthetic set instead" in str(course)


def test_too_small_without_a_synthetic_set_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("MUSICVIZ_DATASET", "gtzan")
    monkeypatch.setenv("MUSICVIZ_DATA", str(tmp_path))
    with pytest.raises(DatasetError, match="make data"):
        course_split(_table(1))


def test_a_malformed_list_is_an_error_not_a_silent_random_split(monkeypatch, tmp_path):
    for name in ("train", "valid"):
        (tmp_path / f"{name}_filtered.txt").write_text("blues/blues.00001.wav\n")
    (tmp_path / "test_filtered.txt").write_text("blues/blues.00002.wav\nnot a track name\n")
    monkeypatch.setenv("MUSICVIZ_GTZAN", str(tmp_path))
    monkeypatch.setenv("MUSICVIZ_DATASET", "gtzan")
    with pytest.raises(DatasetError, match="test_filtered.txt:2"):
        course_split(_table(8))
    with pytest.raises(DatasetError, match="test_filtered.txt:2"):
        split_tracks(["blues.00001", "blues.00002"], ["blues", "blues"], test_size=0.5)


def test_block_split_keeps_contiguous_numbers_and_single_clips_in_training():
    ids = ["rock.00009", "rock.00001", "rock.00005", "rock.00003", "jazz.00004"]
    sides = block_split(ids, [i.split(".")[0] for i in ids], test_size=0.5)
    assert dict(zip(ids, sides)) == {
        "rock.00009": "test", "rock.00005": "test", "rock.00001": "train", "rock.00003": "train", "jazz.00004": "train",
    }
    with pytest.raises(ParameterError, match="test_size"):
        block_split(ids, ["rock"] * 5, test_size=0)


def test_tracks_follow_the_table(monkeypatch, synth_data):
    monkeypatch.setenv("MUSICVIZ_DATASET", "synth")
    course = course_split(_table(12))
    test = course.tracks("test")
    assert [t.track_id for t in test] == course.table.loc[course.is_test, "track_id"].tolist()
    assert all(t.path.is_file() for t in test)
    with pytest.raises(ParameterError):
        course.tracks("validation")


def test_course_split_can_be_told_the_table_is_synthetic(monkeypatch):
    import pandas as pd

    from musicviz.errors import ParameterError
    from musicviz.splits import course_split

    table = pd.DataFrame(
        {"track_id": [f"{g}.{i:05d}" for g in ("jazz", "rock") for i in range(8)], "label": ["jazz"] * 8 + ["rock"] * 8}
    )
    monkeypatch.setenv("MUSICVIZ_DATASET", "gtzan")
    # Told it is the synthetic set, the table is split at random, not matched against GTZAN's lists.
    split = course_split(table, dataset="synth")
    assert split.kind == "random" and split.dataset == "synth"
    assert (split.sides == "test").sum() == 4 and len(split.table) == len(table)
    with pytest.raises(ParameterError, match="dataset must be"):
        course_split(table, dataset="fma")
