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


def _with_artists(per_artist=3, n_artists=4):
    table = _table(per_artist * n_artists)
    table["artist"] = [f"{t.split('.')[0]}_artist_{int(t.split('.')[1]) // per_artist}" for t in table["track_id"]]
    return table


def test_synthetic_set_gets_an_artist_disjoint_split(monkeypatch):
    monkeypatch.setenv("MUSICVIZ_DATASET", "synth")
    table = _with_artists()
    course = course_split(table, test_size=0.25, seed=0)
    assert course.kind == "artists" and course.dataset == "synth"
    test_artists = set(table.loc[course.is_test, "artist"])
    assert not test_artists & set(table.loc[course.is_train, "artist"])  # no artist on both sides
    per_genre = table.loc[course.is_test].groupby("label")["artist"].nunique()
    assert per_genre.to_dict() == {g: 1 for g in GENRES}  # one of each genre's four artists
    assert str(course).startswith("Split: artist-disjoint split (seed 0, 25% of each genre's artists for testing)")
    assert "90 for training, 30 for testing" in str(course) and "Test artists (10 of 40" in str(course)
    again = course_split(table, test_size=0.25, seed=0)
    assert (again.sides == course.sides).all()  # seeded
    draws = {tuple(course_split(table, seed=seed).sides) for seed in range(5)}
    assert len(draws) > 1  # the seed picks the artists


def test_synthetic_set_reads_artists_from_its_metadata(monkeypatch, synth_data):
    from musicviz.features import course_feature_table

    monkeypatch.setenv("MUSICVIZ_DATASET", "synth")
    table = course_feature_table()
    course = course_split(table)
    meta = pd.read_csv(synth_data / "metadata.csv").set_index("track_id")["artist"]
    artists = meta.loc[course.table["track_id"]].to_numpy()
    assert course.kind == "artists"
    assert not set(artists[course.is_test]) & set(artists[course.is_train])
    assert course.is_test.sum() == 30


def test_a_set_without_artists_is_split_at_random_and_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("MUSICVIZ_DATASET", "synth")
    monkeypatch.setenv("MUSICVIZ_DATA", str(tmp_path))  # no metadata.csv to read artists from
    table = _table(12)
    course = course_split(table, test_size=0.25, seed=0)
    expected = split_tracks(table["track_id"], table["label"], test_size=0.25, seed=0, filtered=False)
    assert course.kind == "random" and (course.sides == expected).all()
    assert "names no artists" in str(course)


def test_artist_split_rejects_an_artist_in_two_genres_and_ragged_input():
    from musicviz.splits import artist_split

    with pytest.raises(ParameterError, match="one genre"):
        artist_split(["a.0", "b.0"], ["jazz", "rock"], ["x", "x"])
    with pytest.raises(ParameterError, match="artists"):
        artist_split(["a.0", "b.0"], ["jazz", "rock"], ["x"])
    with pytest.raises(ParameterError, match="test_size"):
        artist_split(["a.0"], ["jazz"], ["x"], test_size=1.5)


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


def test_course_split_can_be_told_the_table_is_synthetic(monkeypatch, tmp_path):
    import pandas as pd

    from musicviz.errors import ParameterError
    from musicviz.splits import course_split

    table = pd.DataFrame(
        {"track_id": [f"{g}.{i:05d}" for g in ("jazz", "rock") for i in range(8)], "label": ["jazz"] * 8 + ["rock"] * 8}
    )
    monkeypatch.setenv("MUSICVIZ_DATASET", "gtzan")
    monkeypatch.setenv("MUSICVIZ_DATA", str(tmp_path))  # a set without artists: split at random
    # Told it is the synthetic set, the table is split at random, not matched against GTZAN's lists.
    split = course_split(table, dataset="synth")
    assert split.kind == "random" and split.dataset == "synth"
    assert (split.sides == "test").sum() == 4 and len(split.table) == len(table)
    with pytest.raises(ParameterError, match="dataset must be"):
        course_split(table, dataset="fma")
