"""Worked solutions of notebook 00's exercises (each function returns the answer)."""

import pandas as pd

import musicviz as mv


def _metadata():
    return pd.read_csv(mv.datasets.course_audio_dir() / "metadata.csv")


def exercise_00_1():
    metadata = _metadata()
    # Every row gets the median of its own genre (transform keeps the table's shape).
    genre_median = metadata.groupby("genre")["tempo"].transform("median")
    distance = (metadata["tempo"] - genre_median).abs()
    return int((distance <= 10).sum())


def exercise_00_2():
    # Prediction by ear (from the ten players): hip-hop or reggae sound the slowest. Verify:
    return _metadata().groupby("genre")["tempo"].median().idxmin()


def exercise_00_3():
    tempo = _metadata().groupby("genre")["tempo"].agg(["min", "max"])
    return (tempo["max"] - tempo["min"]).idxmax()
