"""Checks of the exercises of notebook 05_baseline_models."""

from __future__ import annotations

from musicviz._exercise_registry import exercise
from musicviz._exercise_checks._common import close, course_split, genre_name

#: The grid of exercise 05.2 (wider than ``bl.SVM_GRID``, on purpose).
GRID = {"svc__C": [0.1, 1, 10, 100], "svc__gamma": [0.001, 0.01, 0.1]}


def _baseline_split():
    """Notebook 05's data: the 57 Kaggle features of the course table and its seeded track split."""
    from musicviz import baselines as bl

    table, side = course_split()
    X, y = bl.feature_matrix(table)
    train, test = side == "train", side == "test"
    return X, y, X[train], y[train], X[test], y[test]


def _folds():
    from sklearn.model_selection import StratifiedKFold

    return StratifiedKFold(n_splits=5, shuffle=True, random_state=0)


def _kmeans_score(k: int, score: str = "ari") -> float:
    from musicviz import baselines as bl

    X, y, _, _, _, _ = _baseline_split()
    clusters = bl.make_kmeans(k, seed=0).fit(X).named_steps["kmeans"].labels_
    return round(float(bl.cluster_scores(y, clusters)[score]), 2)


def _distinct(wrong, right, tol) -> list:
    """The wrong answers that really are wrong (on another data set one may equal the right one)."""
    return [w for w in wrong if abs(float(w) - float(right)) > tol]


@exercise(
    "05.1",
    question=(
        "Predict first: with k = 20 clusters (twice the number of genres) instead of 10, does K-means' ARI "
        "against the genres go up or down? Then compute it (make_kmeans(20, seed=0) on all clips; 2 decimals)."
    ),
    kind="predict",
    hints=(
        "The ARI rewards pairs of clips that share a genre *and* a cluster; more clusters split genres apart.",
        "Same steps as the k=10 cell: bl.make_kmeans(20, seed=SEED).fit(X), then the kmeans step's labels_.",
        "Method: score the 20 clusters against the genres with the course's cluster scores, read the ARI, "
        "round it to 2 decimals, and compare it with the ARI of 10 clusters.",
    ),
    wrong_answers=lambda: _distinct(
        [_kmeans_score(10), _kmeans_score(5), _kmeans_score(20, "purity")], _kmeans_score(20), 0.0051
    ),
    truth=lambda: _kmeans_score(20),
)
def _check_05_1(answer, truth) -> bool:
    return close(answer, truth, 0.0051)


def _grid_search(X, y, cv):
    from sklearn.model_selection import GridSearchCV

    from musicviz import baselines as bl

    return GridSearchCV(bl.make_svm(), GRID, cv=cv).fit(X, y)


def _wrong_05_2() -> list:
    X, y, X_train, y_train, X_test, y_test = _baseline_split()
    right = round(float(_grid_search(X_train, y_train, _folds()).best_score_), 3)
    search = _grid_search(X_train, y_train, _folds())
    wrong = [
        round(float(search.best_estimator_.score(X_test, y_test)), 3),  # the test score, not the CV score
        round(float(_grid_search(X, y, _folds()).best_score_), 3),  # searched on every clip: the test clips leak in
    ]
    return _distinct(wrong, right, 0.0011)


@exercise(
    "05.2",
    question=(
        "GridSearchCV over C in [0.1, 1, 10, 100] and gamma in [0.001, 0.01, 0.1] for bl.make_svm(), on the "
        "training clips only, with StratifiedKFold(5, shuffle=True, random_state=0). Which C wins, and what is "
        "its cross-validated accuracy (best_score_, 3 decimals)?"
    ),
    kind="code",
    hints=(
        "GridSearchCV takes the pipeline, a dict of parameter lists and cv=; the SVC step is named 'svc'.",
        "param_grid={'svc__C': [...], 'svc__gamma': [...]}; fit it on X_train, y_train only (never the test clips).",
        "Method: run the grid search with the seeded stratified 5-fold splitter on the training clips, and "
        "read the best mean cross-validated accuracy (not the test accuracy), to 3 decimals.",
    ),
    wrong_answers=_wrong_05_2,
    truth=lambda: _best_cv_score(),
)
def _check_05_2(answer, truth) -> bool:
    return close(answer, truth, 0.0011)


def _best_cv_score() -> float:
    _, _, X_train, y_train, _, _ = _baseline_split()
    return float(_grid_search(X_train, y_train, _folds()).best_score_)


def _cv_recall():
    """Per genre, the 5-fold cross-validated recall of the SVM (C=10) on the training clips."""
    import pandas as pd
    from sklearn.metrics import recall_score
    from sklearn.model_selection import cross_val_predict

    from musicviz import baselines as bl

    _, _, X_train, y_train, _, _ = _baseline_split()
    predicted = cross_val_predict(bl.make_svm(C=10), X_train, y_train, cv=_folds())
    genres = sorted(set(y_train))
    return pd.Series(recall_score(y_train, predicted, labels=genres, average=None), index=genres)


def _wrong_05_3() -> list:
    recall = _cv_recall()
    lowest = set(recall.index[recall == recall.min()])
    candidates = [recall.idxmax(), recall.drop(list(lowest)).idxmin() if len(lowest) < len(recall) else None]
    return [g for g in candidates if g is not None and g not in lowest]


@exercise(
    "05.3",
    question=(
        "Which genre has the lowest 5-fold cross-validated recall of the SVM (bl.make_svm(C=10)) on the training "
        "clips, with StratifiedKFold(5, shuffle=True, random_state=0)? (a genre name)"
    ),
    kind="code",
    hints=(
        "Cross-validation can predict every training clip once, from a model that did not see it: cross_val_predict.",
        "predicted = cross_val_predict(bl.make_svm(C=10), X_train, y_train, cv=...); then the recall of each genre.",
        "Method: from the cross-validated predictions, compute each genre's recall (the share of its clips "
        "predicted right) and answer with the genre where it is smallest.",
    ),
    wrong_answers=_wrong_05_3,
    truth=lambda: _lowest_recall(),
)
def _check_05_3(answer, truth) -> bool:
    return genre_name(answer) in truth


def _lowest_recall() -> tuple[str, ...]:
    recall = _cv_recall()
    return tuple(sorted(str(g) for g in recall.index[recall == recall.min()]))


# --------------------------------------------------------------------------- 05.4: the artist gap
def _artist_folds():
    """Notebook 05's table with the artist of every clip, and the folds of its grouped section.

    The folds: ``min(5, fewest artists of a genre)``, as the notebook computes them, so that
    grouped cross-validation can test every genre on an unheard artist in every fold.
    """
    import pandas as pd

    from musicviz import baselines as bl
    from musicviz.errors import DatasetError
    from musicviz.features import course_feature_table
    from musicviz.splits import course_split as split

    course = split(course_feature_table(), test_size=0.25, seed=0)
    path = course.audio_dir / "metadata.csv"
    if course.dataset != "synth" or not path.is_file():
        raise DatasetError("exercise 05.4 needs the synthetic set's metadata.csv (its artists); real copies have none")
    meta = pd.read_csv(path)
    if "artist" not in meta.columns:
        raise DatasetError(f"{path} has no 'artist' column: regenerate the synthetic set (`musicviz data synth`)")
    X, y = bl.feature_matrix(course.table)
    artists = course.table["track_id"].map(meta.set_index("track_id")["artist"]).to_numpy()
    n_folds = min(5, int(pd.Series(artists).groupby(y).nunique().min()))
    return X, y, artists, n_folds


def _artist_gap(model, *, n_splits=None) -> float:
    from musicviz import baselines as bl

    X, y, artists, n_folds = _artist_folds()
    return bl.grouped_vs_random(model, X, y, artists, n_splits=n_splits or n_folds, seed=0).attrs["gap"]


def _wrong_05_4() -> list:
    from musicviz import baselines as bl

    right = _artist_gap(bl.make_knn(n_neighbors=1))
    wrong = [
        _artist_gap(bl.make_knn()),  # k = 5, the gap printed in the notebook
        -right,  # grouped minus random: the sign turned round
        _artist_gap(bl.make_knn(n_neighbors=1), n_splits=5 if _artist_folds()[3] != 5 else 3),  # other folds
        _artist_gap(bl.make_svm(C=10)),  # the SVM's gap
    ]
    return _distinct(wrong, right, 0.0011)


@exercise(
    "05.4",
    question=(
        "Predict first: is the gap (random minus artist-grouped mean accuracy) of the nearest neighbour alone, "
        "bl.make_knn(n_neighbors=1), larger or smaller than the gap of KNN with k = 5? Then compute it with the "
        "folds of the section (n_folds, seed 0) (3 decimals)."
    ),
    kind="predict",
    hints=(
        "With k = 1 a clip takes the genre of its single nearest training clip: how often is that a clip of the same artist?",
        "bl.grouped_vs_random scores one model both ways; give it the 1-NN pipeline, X, genres, artists and n_splits=n_folds.",
        "Method: score the 1-NN pipeline both ways (random folds and artist-grouped folds, the section's "
        "number of folds and seed) and subtract the grouped mean from the random mean, to 3 decimals.",
    ),
    wrong_answers=_wrong_05_4,
    truth=lambda: _one_nn_gap(),
)
def _check_05_4(answer, truth) -> bool:
    return close(answer, truth, 0.0011)


def _one_nn_gap() -> float:
    from musicviz import baselines as bl

    return float(_artist_gap(bl.make_knn(n_neighbors=1)))
