"""Checks of the exercises of notebook 05b_baselines_on_real_gtzan."""

from __future__ import annotations

from musicviz._exercise_registry import exercise
from musicviz._exercise_checks._common import genre_name, close


def _real_filtered():
    from musicviz import baselines as bl
    from musicviz.datasets import load_feature_table

    table = load_feature_table()
    X, y = bl.feature_matrix(table)
    masks = bl.filtered_masks(table["track_id"])
    return bl, X, y, masks


def _real_reference_svm_predictions():
    bl, X, y, masks = _real_filtered()
    model = bl.make_svm(C=10).fit(X[masks["train"]], y[masks["train"]])
    return y[masks["test"]], model.predict(X[masks["test"]])


@exercise(
    "05b.1",
    question="Accuracy of the reference SVM (C=10) trained on train+valid and scored on the filtered test list? (3 decimals)",
    kind="read",
    hints="bl.make_svm(C=10).fit(X[masks['train']], y[masks['train']]).score(X[masks['test']], y[masks['test']])",
)
def _check_05b_1(answer) -> bool:
    import numpy as np

    y_test, predicted = _real_reference_svm_predictions()
    return close(answer, float(np.mean(np.asarray(predicted) == np.asarray(y_test))), 0.0011)


@exercise(
    "05b.2",
    question="For that reference SVM on the filtered test list, which genre has the lowest recall? (a genre name)",
    kind="read",
    hints="bl.per_genre_report(y_test, predicted) and the smallest value of its 'recall' column among the genres.",
)
def _check_05b_2(answer) -> bool:
    from musicviz import GENRES
    from musicviz.baselines import per_genre_report

    y_test, predicted = _real_reference_svm_predictions()
    recall = per_genre_report(y_test, predicted, labels=list(GENRES)).loc[list(GENRES), "recall"]
    lowest = set(recall.index[recall == recall.min()])
    return genre_name(answer) in lowest


@exercise(
    "05b.3",
    question="Cluster all 1000 clips with bl.make_kmeans(20, seed=0). What adjusted Rand index do the 20 clusters reach against the genres? (2 decimals)",
    kind="read",
    hints="clusters = bl.make_kmeans(20, seed=0).fit(X).named_steps['kmeans'].labels_; bl.cluster_scores(y, clusters)['ari'].",
)
def _check_05b_3(answer) -> bool:
    bl, X, y, _ = _real_filtered()
    clusters = bl.make_kmeans(20, seed=0).fit(X).named_steps["kmeans"].labels_
    return close(answer, bl.cluster_scores(y, clusters)["ari"], 0.0051)
