"""musicviz.similarity: nearest clips by cosine similarity in standardized feature space."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from musicviz.errors import FeatureError, ParameterError
from musicviz.similarity import cosine_similarities, nearest_clips


@pytest.fixture
def table():
    rng = np.random.default_rng(0)
    centres = {"rock": [1.0, 0.0, 500.0], "jazz": [0.0, 1.0, 100.0], "metal": [1.0, 1.0, 900.0]}
    rows = []
    for genre, centre in centres.items():
        for i in range(4):
            a, b, c = np.asarray(centre) + rng.normal(0, [0.05, 0.05, 20.0])
            rows.append({"track_id": f"{genre}.{i:05d}", "label": genre, "f1": a, "f2": b, "hz": c})
    return pd.DataFrame(rows)


COLS = ["f1", "f2", "hz"]


def test_nearest_are_same_genre_and_sorted(table):
    query = table.iloc[5][COLS]  # jazz.00001
    result = nearest_clips(query, table, k=4, columns=COLS, exclude=["jazz.00001"])
    assert list(result.columns) == ["track_id", "genre", "similarity"]
    assert len(result) == 4 and "jazz.00001" not in set(result["track_id"])
    assert list(result["genre"][:3]) == ["jazz"] * 3
    assert result["similarity"].is_monotonic_decreasing
    assert result["similarity"].between(-1, 1).all()


def test_query_itself_has_similarity_one(table):
    result = nearest_clips(table.iloc[[0]], table, k=1, columns=COLS)
    assert result.loc[0, "track_id"] == "rock.00000"
    assert result.loc[0, "similarity"] == pytest.approx(1.0)


def test_standardization_matters(table):
    # Unscaled, the Hz column would dominate; standardized, f1/f2 count as much.
    query = {"f1": 1.0, "f2": 0.0, "hz": 100.0}  # rock-like f1/f2, jazz-like hz
    genres = set(nearest_clips(query, table, k=3, columns=COLS)["genre"])
    assert "rock" in genres


def test_query_forms_are_equivalent(table):
    row = table.iloc[7]
    as_dict = nearest_clips(row[COLS].to_dict(), table, columns=COLS)
    as_array = nearest_clips(row[COLS].to_numpy(dtype=float), table, columns=COLS)
    pd.testing.assert_frame_equal(as_dict, as_array)


def test_k_larger_than_table_and_path_column(table):
    table = table.assign(path=[f"/x/{t}.wav" for t in table["track_id"]])
    result = nearest_clips(table.iloc[0][COLS], table, k=100, columns=COLS)
    assert len(result) == len(table) and "path" in result.columns


def test_default_columns_are_kaggle_features():
    from musicviz.features import KAGGLE_FEATURES

    rng = np.random.default_rng(1)
    table = pd.DataFrame(rng.normal(size=(6, len(KAGGLE_FEATURES))), columns=list(KAGGLE_FEATURES))
    table.insert(0, "track_id", [f"pop.{i:05d}" for i in range(6)])
    table["genre"] = "pop"
    result = nearest_clips(table.iloc[2], table, k=2)
    assert result.loc[0, "track_id"] == "pop.00002"


def test_constant_column_and_zero_query(table):
    table = table.assign(const=3.0)
    result = nearest_clips(table[COLS + ["const"]].mean(), table, columns=COLS + ["const"])
    assert np.all(np.isfinite(result["similarity"]))  # the mean standardizes to all zeros
    assert (result["similarity"] == 0).all()


def test_cosine_similarities():
    np.testing.assert_allclose(cosine_similarities([1, 0], [[2, 0], [0, 1], [-1, 0], [0, 0]]), [1, 0, -1, 0])


def test_errors(table):
    with pytest.raises(ParameterError, match="k must"):
        nearest_clips(table.iloc[0][COLS], table, k=0, columns=COLS)
    with pytest.raises(ParameterError, match="non-empty"):
        nearest_clips(table.iloc[0][COLS], table.iloc[:0], columns=COLS)
    with pytest.raises(FeatureError, match="lacks"):
        nearest_clips({"f1": 1.0}, table, columns=COLS)
    with pytest.raises(FeatureError, match="table lacks"):
        nearest_clips([1.0, 2.0, 3.0, 4.0], table, columns=COLS + ["nope"])
    with pytest.raises(ParameterError, match="values"):
        nearest_clips([1.0, 2.0], table, columns=COLS)
    with pytest.raises(ParameterError, match="NaN"):
        nearest_clips([1.0, np.nan, 3.0], table, columns=COLS)
    with pytest.raises(ParameterError, match="'genre'"):
        nearest_clips([1.0, 2.0, 3.0], table, columns=COLS, genre_column="genre")
    with pytest.raises(FeatureError, match="KAGGLE_FEATURES"):
        nearest_clips([1.0], table)


def test_same_artist_hints_use_genre_track_numbers_and_the_split_sides():
    from musicviz.similarity import same_artist_hints

    lists = {"test": ["hiphop.00000", "hiphop.00012"], "train": ["hiphop.00003"], "valid": ["hiphop.00005"]}
    hints = same_artist_hints("hiphop.00000", ["hiphop.00010", "hiphop.00011", "hiphop.00003", "hiphop.00005",
                                                "disco.00001", "my song", "hiphop.00000"], lists=lists)
    assert hints == [
        "probably (same genre, 10 tracks apart)",  # the window's edge is still nearby
        "unlikely (same genre, 11 tracks apart)",
        "no (other side of the artist-conscious split)",  # train and valid both count as training
        "no (other side of the artist-conscious split)",
        "no (other genre)",
        "unknown",  # not a GTZAN name
        "the clip itself",
    ]
    assert same_artist_hints("my song", ["hiphop.00001"]) == ["unknown"]
    with pytest.raises(ParameterError, match="window"):
        same_artist_hints("hiphop.00000", [], window=-1)
