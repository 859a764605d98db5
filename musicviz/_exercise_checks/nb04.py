"""Checks of the exercises of notebook 04_features_and_standardization."""

from __future__ import annotations

from musicviz._exercise_registry import as_int, exercise
from musicviz._exercise_checks._common import genre_name, close, course_split


@exercise(
    "04.1",
    question="Which genre has the highest median zero_crossing_rate_mean in the feature table? (a genre name)",
    kind="read",
    hints='table.groupby("label")["zero_crossing_rate_mean"].median().idxmax()',
)
def _check_04_1(answer) -> bool:
    table, _ = course_split()
    return genre_name(answer) == table.groupby("label")["zero_crossing_rate_mean"].median().idxmax()


@exercise(
    "04.2",
    question="How many clips are in the test part of the notebook's track-level split? (an int)",
    kind="read",
    hints='course.sides holds "train"/"test" per track: count the "test" ones.',
)
def _check_04_2(answer) -> bool:
    _, side = course_split()
    return as_int(answer) == int((side == "test").sum())


@exercise(
    "04.3",
    question=(
        "Test accuracy of make_pipeline(StandardScaler(), KNeighborsClassifier()) trained on the "
        "57 Kaggle columns of the training clips of that split? (3 decimals)"
    ),
    kind="read",
    hints="X = table[mv.features.KAGGLE_FEATURES]; fit on the rows where split == 'train', score on 'test'.",
)
def _check_04_3(answer) -> bool:
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from musicviz.features import KAGGLE_FEATURES

    table, side = course_split()
    X, y = table[list(KAGGLE_FEATURES)], table["label"]
    model = make_pipeline(StandardScaler(), KNeighborsClassifier()).fit(X[side == "train"], y[side == "train"])
    return close(answer, model.score(X[side == "test"], y[side == "test"]), 0.0011)
