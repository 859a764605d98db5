"""Checks of the exercises of notebook 04_features_and_standardization."""

from __future__ import annotations

import numpy as np

from musicviz._exercise_registry import as_float, exercise
from musicviz._exercise_checks._common import close

#: The brightness block of notebook 04's correlation heatmap (exercise 04.3 drops it).
BRIGHTNESS = ("spectral_centroid", "spectral_bandwidth", "rolloff", "zero_crossing_rate")


def _split():
    """Notebook 04's data: the course split (it may fall back to the synthetic set) and its 73 columns."""
    from musicviz.features import course_feature_table, feature_columns
    from musicviz.splits import course_split

    course = course_split(course_feature_table(), test_size=0.25, seed=0)
    return course, feature_columns(course.table)


def _test_std(*, leaky: bool = False) -> np.ndarray:
    """Per column, the std of the standardized test clips (scaler on train, or on all rows)."""
    from sklearn.preprocessing import StandardScaler

    course, columns = _split()
    table, side = course.table, course.sides
    fit_on = table[columns] if leaky else table.loc[side == "train", columns]
    z = StandardScaler().fit(fit_on).transform(table.loc[side == "test", columns])
    return z.std(axis=0)


def _distinct(wrong, right) -> list:
    """The wrong answers that really are wrong (on another data set one may equal the right one)."""
    return [w for w in wrong if abs(float(w) - float(right)) > 0.0011]


def _within(answer, truths, tol) -> bool:
    value = as_float(answer)
    return any(abs(value - float(t)) <= tol for t in truths)


@exercise(
    "04.1",
    question=(
        "Standardize the 73 feature columns with a scaler fitted on the training clips. Predict first: does "
        "every column have standard deviation 1 on the test clips? Then compute the largest test-side "
        "standard deviation over the 73 columns (2 decimals)."
    ),
    kind="predict",
    hints=(
        "The scaler learnt mu and sigma from the training clips only; the test clips are a different sample.",
        "X_test = scaler.transform(test[extended]) is already there: look at its standard deviation column by column.",
        "Method: take the standard deviation of every standardized test column separately, keep the largest "
        "of the 73, and round it to 2 decimals.",
    ),
    wrong_answers=lambda: [1.0, round(float(_test_std(leaky=True).max()), 2), round(float(_test_std().min()), 2)],
    truth=lambda: _truths_04_1(),
)
def _check_04_1(answer, truth) -> bool:
    return _within(answer, truth, 0.0051)


def _truths_04_1() -> tuple[float, float]:
    course, _ = _split()
    side = course.sides
    z_std = _test_std()
    n = int((side == "test").sum())
    # numpy's std (ddof=0) or pandas' (ddof=1): both are the right idea.
    return float(z_std.max()), float(z_std.max() * np.sqrt(n / (n - 1)))


def _segments():
    """The 3-second segments of the clips of the course split (notebook 04's segment table)."""
    from musicviz.features import feature_table

    course, columns = _split()
    seg = feature_table(course.audio_dir, segment_seconds=3, progress=False, warn=False)
    seg = seg[seg["track_id"].isin(course.table["track_id"])].reset_index(drop=True)
    return seg, columns


def _segment_accuracy(how: str, model: str = "svm") -> float:
    from sklearn.model_selection import GroupShuffleSplit, train_test_split
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    seg, columns = _segments()
    if how == "grouped":
        train, test = next(GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=0).split(seg, groups=seg["track_id"]))
        train, test = seg.iloc[train], seg.iloc[test]
    else:  # the leak: segments of one clip on both sides
        train, test = train_test_split(seg, test_size=0.25, random_state=0, stratify=seg["label"])
    clf = make_pipeline(StandardScaler(), SVC() if model == "svm" else KNeighborsClassifier())
    clf.fit(train[columns], train["label"])
    return round(float(clf.score(test[columns], test["label"])), 3)


@exercise(
    "04.2",
    question=(
        "On the table of 3-second segments, train make_pipeline(StandardScaler(), SVC()) on a track-grouped "
        "split: GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=0) with groups=track_id. Its "
        "accuracy on the held-out segments? (3 decimals)"
    ),
    kind="code",
    hints=(
        "A grouped split keeps all segments of one track on the same side: sklearn.model_selection.GroupShuffleSplit.",
        "train_idx, test_idx = next(GroupShuffleSplit(...).split(segments, groups=segments['track_id'])).",
        "Method: fit the pipeline on the training rows' feature columns and labels only, then score it on the "
        "held-out rows (whole tracks the model never saw) and round to 3 decimals.",
    ),
    wrong_answers=lambda: _distinct(
        [_segment_accuracy("random"), _segment_accuracy("grouped", model="knn")], _segment_accuracy("grouped")
    ),
    truth=lambda: _segment_accuracy("grouped"),
)
def _check_04_2(answer, truth) -> bool:
    return close(answer, truth, 0.0011)


def _knn_accuracy(columns) -> float:
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    course, _ = _split()
    table, side = course.table, course.sides
    train, test = table[side == "train"], table[side == "test"]
    model = make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=5)).fit(train[columns], train["label"])
    return round(float(model.score(test[columns], test["label"])), 3)


def _without_brightness(columns) -> list[str]:
    return [c for c in columns if not c.startswith(BRIGHTNESS)]


@exercise(
    "04.3",
    question=(
        "Predict first: does k-NN (k=5) on the course split get better or worse without the 8 brightness "
        "columns (spectral_centroid_*, spectral_bandwidth_*, rolloff_*, zero_crossing_rate_*)? Then compute its "
        "test accuracy on the other 65 of the 73 columns, standardized on the training clips (3 decimals)."
    ),
    kind="predict",
    hints=(
        "Keep the 73 columns of `extended` except those whose name starts with one of the four brightness features.",
        "str.startswith accepts a tuple: [c for c in extended if not c.startswith(('spectral_centroid', ...))].",
        "Method: the same scaler-then-5-NN pipeline as before, fitted on the training clips' kept columns and "
        "scored on the test clips' kept columns; compare the accuracy with the one on all 73.",
    ),
    wrong_answers=lambda: _distinct(
        [_knn_accuracy(_split()[1]), _knn_accuracy([c for c in _split()[1] if c.startswith(BRIGHTNESS)])],
        _knn_accuracy(_without_brightness(_split()[1])),
    ),
    truth=lambda: _knn_accuracy(_without_brightness(_split()[1])),
)
def _check_04_3(answer, truth) -> bool:
    return close(answer, truth, 0.0011)
