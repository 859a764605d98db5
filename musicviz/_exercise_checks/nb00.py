"""Checks of the exercises of notebook 00_introduction.

All three read the ground-truth sheet of the synthetic set (``metadata.csv``); a real GTZAN
copy has none, and the checks say so instead of failing with a bare ``FileNotFoundError``.
"""

from __future__ import annotations

from musicviz._exercise_registry import as_int, exercise
from musicviz._exercise_checks._common import genre_name


def _metadata():
    """The synthetic set's ``metadata.csv`` (genre and tempo of every clip), or a clear error."""
    import pandas as pd

    from musicviz.datasets import course_audio_dir
    from musicviz.errors import DatasetError

    path = course_audio_dir() / "metadata.csv"
    if not path.is_file():
        raise DatasetError(
            f"{path} does not exist: exercises 00.1-00.3 need the synthetic set's ground-truth "
            "sheet (unset MUSICVIZ_DATASET, or set it to 'synth')"
        )
    return pd.read_csv(path)


def tempo_near_median(table, *, bpm: float = 10.0, centre: str = "median", strict: bool = False) -> int:
    """How many clips have a tempo within ``bpm`` of their genre's ``centre`` (median or mean) tempo."""
    centres = table.groupby("genre")["tempo"].transform(centre)
    distance = (table["tempo"] - centres).abs()
    return int((distance < bpm).sum() if strict else (distance <= bpm).sum())


def _distinct(right, candidates) -> list:
    """The candidates that differ from the right answer, once each (a mistake must be wrong here)."""
    out = []
    for c in candidates:
        if c != right and c not in out:
            out.append(c)
    return out


# ---------------------------------------------------------------------------------- 00.1
def _answer_00_1() -> int:
    return tempo_near_median(_metadata(), bpm=10.0)


def _wrong_00_1() -> list:
    table = _metadata()
    overall = int(((table["tempo"] - table["tempo"].median()).abs() <= 10).sum())
    return _distinct(
        _answer_00_1(),
        [
            tempo_near_median(table, bpm=10.0, centre="mean"),  # the mean, not the median
            overall,  # the median of all clips, not of the clip's genre
            tempo_near_median(table, bpm=5.0),  # 5 BPM instead of 10
            tempo_near_median(table, bpm=20.0),  # +-10 read as a window 20 BPM wide on each side
            len(table) - tempo_near_median(table, bpm=10.0),  # the clips outside, not inside
        ],
    )


@exercise(
    "00.1",
    question=(
        "How many clips of the course set have a tempo within 10 BPM (inclusive) of the median "
        "tempo of their own genre, in metadata.csv? (an int)"
    ),
    kind="code",
    hints=(
        "Each clip is compared with the median of *its* genre: pandas' groupby(...).transform(...) "
        "gives every row its group's value.",
        "Compute the distance |tempo - genre median| for every row, then count the rows where it is <= 10.",
        "Method: give every row its genre's median tempo (a grouped transform keeps one value per row), "
        "subtract it from the row's own tempo, take the absolute value, and count the rows where it is "
        "at most 10 (10 itself counts).",
    ),
    wrong_answers=_wrong_00_1,
    truth=_answer_00_1,
)
def _check_00_1(answer, truth) -> bool:
    return as_int(answer) == truth


# ---------------------------------------------------------------------------------- 00.2
def _answer_00_2() -> str:
    return str(_metadata().groupby("genre")["tempo"].median().idxmin())


def _wrong_00_2() -> list:
    tempo = _metadata().groupby("genre")["tempo"]
    return _distinct(
        _answer_00_2(),
        [
            str(tempo.median().idxmax()),  # the fastest genre
            str(tempo.min().idxmin()),  # the genre of the single slowest clip
            str(tempo.max().idxmin()),  # the genre whose fastest clip is slowest
            str(tempo.median().sort_values().index[1]),  # the runner-up: second slowest
        ],
    )


@exercise(
    "00.2",
    question=(
        "Predict by ear which genre is the slowest, then verify: which genre has the lowest median "
        "tempo in metadata.csv? (a genre name)"
    ),
    kind="predict",
    hints=(
        "One number per genre: group the table by genre and summarise the tempo column.",
        'metadata.groupby("genre")["tempo"].median() gives one median per genre; which is the lowest?',
        "Method: one median per genre, then ask for the *label* of the smallest median (the genre's name), "
        "not the smallest value itself.",
    ),
    wrong_answers=_wrong_00_2,
    truth=_answer_00_2,
)
def _check_00_2(answer, truth) -> bool:
    return genre_name(answer) == truth


# ---------------------------------------------------------------------------------- 00.3
def _answer_00_3() -> str:
    tempo = _metadata().groupby("genre")["tempo"].agg(["min", "max"])
    return str((tempo["max"] - tempo["min"]).idxmax())


def _wrong_00_3() -> list:
    tempo = _metadata().groupby("genre")["tempo"]
    spread = tempo.max() - tempo.min()
    return _distinct(
        _answer_00_3(),
        [
            str(spread.idxmin()),  # the narrowest range
            str(tempo.max().idxmax()),  # the genre with the fastest clip
            str(tempo.min().idxmin()),  # the genre with the slowest clip
            str(spread.sort_values().index[-2]),  # the runner-up: second widest
        ],
    )


@exercise(
    "00.3",
    question="Which genre has the widest tempo range (fastest minus slowest clip, in BPM) in metadata.csv? (a genre name)",
    kind="code",
    hints=(
        "The range of a genre is its fastest clip's tempo minus its slowest clip's.",
        'metadata.groupby("genre")["tempo"].agg(["min", "max"]) gives both per genre.',
        "Method: per genre, the largest tempo minus the smallest; the answer is the genre (the label) "
        "where that difference is largest, not the difference.",
    ),
    wrong_answers=_wrong_00_3,
    truth=_answer_00_3,
)
def _check_00_3(answer, truth) -> bool:
    return genre_name(answer) == truth
