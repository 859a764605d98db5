"""Checks of the exercises of notebook 00_introduction."""

from __future__ import annotations

from musicviz._exercise_registry import as_int, exercise
from musicviz._exercise_checks._common import course_tracks, metadata


@exercise(
    "00.1",
    question="How many clips does the course's data set hold per genre? (an int)",
    kind="read",
    hints="count the tracks of one genre in found.tracks, or use found.genre_counts().",
)
def _check_00_1(answer) -> bool:
    counts = set(course_tracks().genre_counts().values())
    return len(counts) == 1 and as_int(answer) == counts.pop()


@exercise(
    "00.2",
    question="Which genre has the widest tempo range (max - min BPM) in metadata.csv? (a genre name)",
    kind="read",
    hints='metadata.groupby("genre")["tempo"].agg(["min", "max"]), then the largest max - min.',
)
def _check_00_2(answer) -> bool:
    tempo = metadata().groupby("genre")["tempo"].agg(["min", "max"])
    return str(answer).strip().lower() == (tempo["max"] - tempo["min"]).idxmax()


@exercise(
    "00.3",
    question="Which genre is the slowest on average in metadata.csv? (a genre name)",
    kind="read",
    hints='metadata.groupby("genre")["tempo"].mean() and idxmin().',
)
def _check_00_3(answer) -> bool:
    return str(answer).strip().lower() == metadata().groupby("genre")["tempo"].mean().idxmin()
