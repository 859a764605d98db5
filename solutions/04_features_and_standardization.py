"""Worked solutions of notebook 04's exercises (each function returns the answer)."""

from sklearn.model_selection import GroupShuffleSplit
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import musicviz as mv


def _course():
    course = mv.splits.course_split(mv.features.course_feature_table(), test_size=0.25, seed=0)
    extended = mv.features.feature_columns(course.table)
    train, test = course.table[course.sides == "train"], course.table[course.sides == "test"]
    return course, extended, train, test


def exercise_04_1():
    # Prediction: no. mu and sigma come from the training clips; the test clips are another
    # sample, so their z-scores have a mean near 0 and a std near 1, not exactly.
    _, extended, train, test = _course()
    scaler = StandardScaler().fit(train[extended])
    X_test = scaler.transform(test[extended])
    return round(float(X_test.std(axis=0).max()), 2)


def exercise_04_2():
    course, extended, _, _ = _course()
    segments = mv.features.feature_table(course.audio_dir, segment_seconds=3, progress=False, warn=False)
    segments = segments[segments["track_id"].isin(course.table["track_id"])].reset_index(drop=True)
    splitter = GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=0)
    train_idx, test_idx = next(splitter.split(segments, groups=segments["track_id"]))
    train, test = segments.iloc[train_idx], segments.iloc[test_idx]
    model = make_pipeline(StandardScaler(), SVC()).fit(train[extended], train["label"])
    return round(float(model.score(test[extended], test["label"])), 3)


def exercise_04_3():
    # Prediction: the 8 brightness columns are highly correlated with each other and with
    # mfcc2, so dropping them should cost little; on 30 test clips a change of one clip is noise.
    _, extended, train, test = _course()
    brightness = ("spectral_centroid", "spectral_bandwidth", "rolloff", "zero_crossing_rate")
    kept = [c for c in extended if not c.startswith(brightness)]
    model = make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=5)).fit(train[kept], train["label"])
    return round(float(model.score(test[kept], test["label"])), 3)
