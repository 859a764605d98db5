"""Worked solutions of notebook 05b's exercises (each function returns the answer)."""

import musicviz as mv
from musicviz import baselines as bl


def _data():
    table = mv.datasets.load_feature_table()
    X, y = bl.feature_matrix(table)
    return X, y, bl.filtered_masks(table["track_id"])


def _reference_svm():
    X, y, masks = _data()
    model = bl.make_svm(C=10).fit(X[masks["train"]], y[masks["train"]])
    return model, X[masks["test"]], y[masks["test"]]


def exercise_05b_1():
    model, X_test, y_test = _reference_svm()
    return round(model.score(X_test, y_test), 3)


def exercise_05b_2():
    model, X_test, y_test = _reference_svm()
    report = bl.per_genre_report(y_test, model.predict(X_test), labels=list(mv.GENRES))
    return report.loc[list(mv.GENRES), "recall"].idxmin()


def exercise_05b_3():
    X, y, _ = _data()
    clusters = bl.make_kmeans(20, seed=0).fit(X).named_steps["kmeans"].labels_
    return round(bl.cluster_scores(y, clusters)["ari"], 2)
