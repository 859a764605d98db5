"""Worked solutions of notebook 00's exercises (each function returns the answer)."""

import pandas as pd

import musicviz as mv


def exercise_00_1():
    found = mv.datasets.scan(mv.datasets.course_audio_dir(), check_audio=False)
    return found.genre_counts()["blues"]


def exercise_00_2():
    metadata = pd.read_csv(mv.datasets.course_audio_dir() / "metadata.csv")
    tempo = metadata.groupby("genre")["tempo"].agg(["min", "max"])
    return (tempo["max"] - tempo["min"]).idxmax()


def exercise_00_3():
    metadata = pd.read_csv(mv.datasets.course_audio_dir() / "metadata.csv")
    return metadata.groupby("genre")["tempo"].mean().idxmin()
