"""Worked solutions of notebook 05's exercises (each function returns the answer)."""

from collections import Counter

import musicviz as mv
from musicviz import baselines as bl


def _split():
    course = mv.splits.course_split(mv.features.course_feature_table(), test_size=0.25, seed=0)
    table, split = course.table, course.sides
    X, genres = bl.feature_matrix(table)
    train, test = split == "train", split == "test"
    return X, genres, X[train], genres[train], X[test], genres[test]


def exercise_05_1():
    _, _, X_train, y_train, _, _ = _split()
    curve = bl.knn_curve(X_train, y_train, ks=range(1, 16), seed=0)
    return int(curve["cv_accuracy"].idxmax())


def exercise_05_2():
    X, genres, _, _, _, _ = _split()
    clusters = bl.make_kmeans(5, seed=0).fit(X).named_steps["kmeans"].labels_
    return round(bl.cluster_scores(genres, clusters)["ari"], 2)


def exercise_05_3():
    _, _, X_train, y_train, X_test, y_test = _split()
    predicted = bl.KMeansGenreClassifier(seed=0).fit(X_train, y_train).predict(X_test)
    pairs = Counter(tuple(sorted((t, p))) for t, p in zip(y_test, predicted) if t != p)
    return tuple(str(g) for g in pairs.most_common(1)[0][0])
