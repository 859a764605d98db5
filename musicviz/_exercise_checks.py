"""The checks of every notebook's exercises (registered in :mod:`musicviz.exercises`).

Each check recomputes the right answer from the course data, so it stays right when the
data set changes (a new seed, real GTZAN).
"""

from __future__ import annotations

import pandas as pd

from musicviz.exercises import exercise


def _course_tracks():
    from musicviz.datasets import course_audio_dir, scan

    return scan(course_audio_dir(), check_audio=False)


def _metadata():
    from musicviz.datasets import course_audio_dir

    return pd.read_csv(course_audio_dir() / "metadata.csv")


# --------------------------------------------------------------------------- 00_introduction
@exercise(
    "00.1",
    question="How many clips does the course's data set hold per genre? (an int)",
    hint="count the tracks of one genre in found.tracks, or use found.genre_counts().",
)
def _check_00_1(answer) -> bool:
    counts = set(_course_tracks().genre_counts().values())
    return len(counts) == 1 and int(answer) == counts.pop()


@exercise(
    "00.2",
    question="Which genre has the widest tempo range (max - min BPM) in metadata.csv? (a genre name)",
    hint='metadata.groupby("genre")["tempo"].agg(["min", "max"]), then the largest max - min.',
)
def _check_00_2(answer) -> bool:
    tempo = _metadata().groupby("genre")["tempo"].agg(["min", "max"])
    return str(answer).strip().lower() == (tempo["max"] - tempo["min"]).idxmax()


@exercise(
    "00.3",
    question="Which genre is the slowest on average in metadata.csv? (a genre name)",
    hint='metadata.groupby("genre")["tempo"].mean() and idxmin().',
)
def _check_00_3(answer) -> bool:
    return str(answer).strip().lower() == _metadata().groupby("genre")["tempo"].mean().idxmin()
