"""Worked solutions of notebook 04's exercises (each function returns the answer)."""

from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import musicviz as mv


def _table_and_split():
    course = mv.splits.course_split(mv.features.course_feature_table(), test_size=0.25, seed=0)
    table, split = course.table, course.sides
    return table, split


def exercise_04_1():
    table, _ = _table_and_split()
    return table.groupby("label")["zero_crossing_rate_mean"].median().idxmax()


def exercise_04_2():
    _, split = _table_and_split()
    return int((split == "test").sum())


def exercise_04_3():
    table, split = _table_and_split()
    X, y = table[list(mv.features.KAGGLE_FEATURES)], table["label"]
    train, test = split == "train", split == "test"
    model = make_pipeline(StandardScaler(), KNeighborsClassifier()).fit(X[train], y[train])
    return round(model.score(X[test], y[test]), 3)
