"""What the checks of several notebooks share: the course data, read the way the notebooks read it."""

from __future__ import annotations

import pandas as pd

from musicviz._exercise_registry import as_float

__all__ = ["metadata", "examples", "rms_db", "genre_name", "close", "course_split"]


def metadata():
    from musicviz.datasets import course_audio_dir

    return pd.read_csv(course_audio_dir() / "metadata.csv")


def examples():
    from musicviz.datasets import example_clips

    clips, sr, _ = example_clips()
    return clips, sr


def rms_db(y) -> float:
    import numpy as np

    return float(20 * np.log10(np.sqrt(np.mean(np.square(y, dtype=np.float64)))))


def genre_name(answer) -> str:
    return str(answer).strip().lower()


def close(answer, truth, tol) -> bool:
    return abs(as_float(answer) - float(truth)) <= tol


def course_split():
    from musicviz.features import course_feature_table
    from musicviz.splits import course_split as split

    course = split(course_feature_table(), test_size=0.25, seed=0)
    return course.table, course.sides
