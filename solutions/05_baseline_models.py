"""Worked solutions of notebook 05's exercises (each function returns the answer)."""

from sklearn.metrics import recall_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_predict

import musicviz as mv
from musicviz import baselines as bl


def _split():
    course = mv.splits.course_split(mv.features.course_feature_table(), test_size=0.25, seed=0)
    table, split = course.table, course.sides
    X, genres = bl.feature_matrix(table)
    train, test = split == "train", split == "test"
    return X, genres, X[train], genres[train], X[test], genres[test]


def exercise_05_1():
    # Prediction: down. Twice as many clusters cut most genres in two, so many pairs of clips of
    # the same genre land in different clusters (purity rises, the ARI does not).
    X, genres, _, _, _, _ = _split()
    clusters = bl.make_kmeans(20, seed=0).fit(X).named_steps["kmeans"].labels_
    return round(bl.cluster_scores(genres, clusters)["ari"], 2)


def exercise_05_2():
    _, _, X_train, y_train, _, _ = _split()
    grid = {"svc__C": [0.1, 1, 10, 100], "svc__gamma": [0.001, 0.01, 0.1]}
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    search = GridSearchCV(bl.make_svm(), grid, cv=folds).fit(X_train, y_train)
    # search.best_params_["svc__C"] is the C; several C may tie (search.cv_results_ shows them).
    return round(float(search.best_score_), 3)


def exercise_05_3():
    _, _, X_train, y_train, _, _ = _split()
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    predicted = cross_val_predict(bl.make_svm(C=10), X_train, y_train, cv=folds)
    recall = recall_score(y_train, predicted, labels=mv.GENRES, average=None)
    return mv.GENRES[int(recall.argmin())]


def exercise_05_4():
    # Prediction: larger. With k = 1 the genre comes from the single nearest training clip, and
    # under random folds that is very often another clip of the same artist (same production):
    # 1-NN profits most from hearing the artist before. Under grouped folds no such clip exists.
    import pandas as pd

    course = mv.splits.course_split(mv.features.course_feature_table(), test_size=0.25, seed=0)
    table = course.table
    X, genres = bl.feature_matrix(table)
    meta = pd.read_csv(course.audio_dir / "metadata.csv").set_index("track_id")
    artists = table["track_id"].map(meta["artist"]).to_numpy()
    n_folds = min(5, int(pd.Series(artists).groupby(genres).nunique().min()))
    gaps = bl.grouped_vs_random(bl.make_knn(n_neighbors=1), X, genres, artists, n_splits=n_folds, seed=0)
    return gaps.attrs["gap"]
