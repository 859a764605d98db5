"""Checks of the exercises of notebook 05_baseline_models."""

from __future__ import annotations

from musicviz._exercise_registry import as_float, exercise
from musicviz._exercise_checks._common import course_split


def _baseline_split():
    """Notebook 05's data: the 57 Kaggle features of the course table and its seeded track split."""
    from musicviz import baselines as bl

    table, side = course_split()
    X, y = bl.feature_matrix(table)
    train, test = side == "train", side == "test"
    return X, y, X[train], y[train], X[test], y[test]


@exercise(
    "05.1",
    question="Which k in 1..15 gives KNN the best 5-fold cross-validated accuracy on the training clips? (an int)",
    kind="read",
    hints="bl.knn_curve(X_train, y_train, ks=range(1, 16), seed=0), then idxmax() of its cv_accuracy column.",
)
def _check_05_1(answer) -> bool:
    from musicviz import baselines as bl

    _, _, X_train, y_train, _, _ = _baseline_split()
    curve = bl.knn_curve(X_train, y_train, ks=range(1, 16), seed=0)
    best = curve.index[curve["cv_accuracy"] == curve["cv_accuracy"].max()]
    if isinstance(answer, bool) or as_float(answer) != int(as_float(answer)):
        return False
    return int(as_float(answer)) in {int(k) for k in best}


@exercise(
    "05.2",
    question="What ARI does K-means with only 5 clusters (seed 0, all clips) reach? (a float, 2 decimals)",
    kind="read",
    hints="bl.make_kmeans(5, seed=0).fit(X), then bl.cluster_scores(genres, its kmeans step's labels_).",
)
def _check_05_2(answer) -> bool:
    from musicviz import baselines as bl

    X, y, _, _, _, _ = _baseline_split()
    clusters = bl.make_kmeans(5, seed=0).fit(X).named_steps["kmeans"].labels_
    ari = bl.cluster_scores(y, clusters)["ari"]
    return abs(as_float(answer) - round(ari, 2)) < 0.0051


@exercise(
    "05.3",
    question="Counting both directions, which pair of genres does K-means → genre (KMeansGenreClassifier, seed 0) "
    "confuse most often on the test clips? (two genre names, any order)",
    kind="read",
    hints="bl.confused_pairs(y_test, predictions, top=20), then add up the counts of (a, b) and (b, a).",
)
def _check_05_3(answer) -> bool:
    from collections import Counter

    from musicviz import baselines as bl

    _, _, X_train, y_train, X_test, y_test = _baseline_split()
    predicted = bl.KMeansGenreClassifier(seed=0).fit(X_train, y_train).predict(X_test)
    pairs = Counter(frozenset((t, p)) for t, p in zip(y_test, predicted) if t != p)
    if isinstance(answer, str) or not hasattr(answer, "__len__") or len(answer) != 2:
        return False
    given = frozenset(str(g).strip().lower() for g in answer)
    return len(given) == 2 and pairs.get(given, 0) == max(pairs.values())
