"""Worked solutions of notebook 05b's exercises (each function returns the answer)."""

import numpy as np
from sklearn.model_selection import train_test_split

import musicviz as mv
from musicviz import baselines as bl


def _data():
    table = mv.datasets.load_feature_table()
    X, y = bl.feature_matrix(table)
    return X, y, bl.filtered_masks(table["track_id"])


def _reference_svm_on_both_splits():
    """The reference SVM's (y_test, predicted) on the filtered split and on a random split of the same clips."""
    X, y, masks = _data()
    filtered_svm = bl.make_svm(C=10).fit(X[masks["train"]], y[masks["train"]])
    filtered = (y[masks["test"]], filtered_svm.predict(X[masks["test"]]))
    # The same 930 clips, the same test size, but chosen at random (artists may sit on both sides).
    keep = masks["train"] | masks["test"]
    X_a, X_b, y_a, y_b = train_test_split(X[keep], y[keep], test_size=int(masks["test"].sum()),
                                          stratify=y[keep], random_state=0)
    random = (y_b, bl.make_svm(C=10).fit(X_a, y_a).predict(X_b))
    return random, filtered


def exercise_05b_1():
    random, filtered = _reference_svm_on_both_splits()
    accuracy = {name: np.mean(pred == truth) for name, (truth, pred) in (("random", random), ("filtered", filtered))}
    return round(100 * (accuracy["random"] - accuracy["filtered"]), 1)


def exercise_05b_2():
    recall = {}
    for name, (truth, pred) in zip(("random", "filtered"), _reference_svm_on_both_splits()):
        recall[name] = bl.per_genre_report(truth, pred, labels=list(mv.GENRES)).loc[list(mv.GENRES), "recall"]
    return (recall["random"] - recall["filtered"]).idxmax()


def exercise_05b_3():
    X, y, _ = _data()
    clusters = bl.make_kmeans(20, seed=0).fit(X).named_steps["kmeans"].labels_
    # Barely above the 10 clusters' ARI: more clusters split genres further, purity rises, the ARI does not.
    return round(bl.cluster_scores(y, clusters)["ari"], 3)
