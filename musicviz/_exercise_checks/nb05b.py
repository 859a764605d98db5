"""Checks of the exercises of notebook 05b_baselines_on_real_gtzan.

Every answer is recomputed from the real GTZAN feature table that ships with musicviz and the
fault-filtered split (:func:`musicviz.baselines.filtered_masks`); scikit-learn's SVM and
K-means give the same numbers on every machine at the precision asked.
"""

from __future__ import annotations

from musicviz._exercise_checks._common import close, genre_name
from musicviz._exercise_registry import exercise

#: The random split of 05b.1: the same clips as the filtered split, chosen at random.
RANDOM_STATE = 0


def _real_filtered():
    from musicviz import baselines as bl
    from musicviz.datasets import load_feature_table

    table = load_feature_table()
    X, y = bl.feature_matrix(table)
    masks = bl.filtered_masks(table["track_id"])
    return X, y, masks


def _random_split(*, random_state: int = RANDOM_STATE, every_clip: bool = False):
    """``(X_train, X_test, y_train, y_test)``: a random stratified split of the filtered split's clips.

    The test part has as many clips as the filtered test list. ``every_clip=True`` splits all
    1000 clips instead (a wrong answer: it brings back the 70 faulty clips).
    """
    from sklearn.model_selection import train_test_split

    X, y, masks = _real_filtered()
    keep = slice(None) if every_clip else (masks["train"] | masks["test"])
    return train_test_split(X[keep], y[keep], test_size=int(masks["test"].sum()), stratify=y[keep],
                            random_state=random_state)


def _reference_predictions(split: str = "filtered", random_state: int = RANDOM_STATE, every_clip: bool = False):
    """``(y_test, predicted)`` of the reference SVM (``C=10``) on the filtered or a random split."""
    from musicviz import baselines as bl

    if split == "filtered":
        X, y, masks = _real_filtered()
        X_train, X_test, y_train, y_test = X[masks["train"]], X[masks["test"]], y[masks["train"]], y[masks["test"]]
    else:
        X_train, X_test, y_train, y_test = _random_split(random_state=random_state, every_clip=every_clip)
    return y_test, bl.make_svm(C=10).fit(X_train, y_train).predict(X_test)


def _accuracy(split: str = "filtered", **kwargs) -> float:
    import numpy as np

    y_test, predicted = _reference_predictions(split, **kwargs)
    return float(np.mean(np.asarray(predicted) == np.asarray(y_test)))


def _gap_points(**kwargs) -> float:
    """Random-split minus filtered-split accuracy of the reference SVM, in percentage points."""
    return 100 * (_accuracy("random", **kwargs) - _accuracy("filtered"))


def _wrong_05b_1() -> list:
    from musicviz import baselines as bl

    X, y, _ = _real_filtered()
    right = _gap_points()
    five_fold = bl.cross_validate_models({"svm": bl.make_svm(C=10)}, X, y, n_splits=5, seed=0).loc["svm", "accuracy"]
    candidates = [
        right / 100,  # a fraction, not points
        _gap_points(every_clip=True),  # all 1000 clips: the faulty ones are back
        _gap_points(random_state=1),  # another random split
        100 * (five_fold - _accuracy("filtered")),  # the gap printed on screen (5-fold CV, 1000 clips)
        100 * _accuracy("random"),  # the random-split accuracy itself
    ]
    return [round(c, 2) for c in candidates if abs(round(c, 2) - right) > 0.11]


@exercise(
    "05b.1",
    question=(
        "Split the 930 clips of the filtered split at random instead (train_test_split, test_size = the size "
        "of the filtered test list, stratify=y, random_state=0), train bl.make_svm(C=10) on the random training "
        "part and score it on the random test part. How many percentage points above its filtered-split "
        "accuracy is it? (1 decimal)"
    ),
    kind="code",
    hints=(
        "Use the same clips, so that only the way of choosing them differs: keep = masks['train'] | masks['test'], "
        "then sklearn.model_selection.train_test_split on X[keep], y[keep].",
        "train_test_split(X[keep], y[keep], test_size=int(masks['test'].sum()), stratify=y[keep], random_state=0) "
        "gives X_a, X_b, y_a, y_b; fit bl.make_svm(C=10) on (X_a, y_a) and .score(X_b, y_b).",
        "Method: subtract the filtered-split accuracy of the same SVM from the random-split accuracy, and "
        "give the difference in percentage points: a number such as 12.3, not a fraction such as 0.123.",
    ),
    wrong_answers=_wrong_05b_1,
    truth=lambda: float(_gap_points()),
)
def _check_05b_1(answer, truth) -> bool:
    # 0.11 points: the answer may come from accuracies rounded to 3 decimals; one test clip is 0.34 points.
    return close(answer, truth, 0.11)


def _recall_drop():
    """Per-genre recall of the reference SVM: random split minus filtered split (a Series)."""
    from musicviz import GENRES
    from musicviz.baselines import per_genre_report

    recalls = {}
    for split in ("random", "filtered"):
        y_test, predicted = _reference_predictions(split)
        recalls[split] = per_genre_report(y_test, predicted, labels=list(GENRES)).loc[list(GENRES), "recall"]
    return recalls["random"] - recalls["filtered"], recalls


def _largest(series) -> set:
    return set(series.index[series == series.max()])


def _wrong_05b_2() -> list:
    drop, recalls = _recall_drop()
    right = _largest(drop)
    candidates = [
        drop.drop(index=list(right)).idxmax(),  # the second largest drop
        drop.idxmin(),  # the largest gain (the difference taken the wrong way round)
        recalls["random"].idxmin(),  # the weakest genre on the random split
        recalls["filtered"].idxmax(),  # the strongest genre on the filtered split
    ]
    return list(dict.fromkeys(c for c in candidates if c not in right))


@exercise(
    "05b.2",
    question=(
        "Predict first: which genre loses the most recall when the reference SVM moves from the random split "
        "of 05b.1 to the filtered split? Then compute the recall of every genre on both test sets. (a genre name)"
    ),
    kind="predict",
    hints=(
        "A genre's recall is the share of its test clips the model gets right: the 'recall' column of "
        "bl.per_genre_report(y_true, y_pred, labels=mv.GENRES).",
        "Method: compute that recall column twice, for the SVM of 05b.1 on its random test part and for the "
        "SVM trained on train+valid and scored on the filtered test list; subtract the filtered recall from the "
        "random one for every genre and answer with the genre whose loss is largest.",
    ),
    wrong_answers=_wrong_05b_2,
    truth=lambda: tuple(sorted(str(g) for g in _largest(_recall_drop()[0]))),
)
def _check_05b_2(answer, truth) -> bool:
    return genre_name(answer) in truth


def _cluster_scores(n_clusters: int) -> dict:
    from musicviz import baselines as bl

    X, y, _ = _real_filtered()
    clusters = bl.make_kmeans(n_clusters, seed=0).fit(X).named_steps["kmeans"].labels_
    return bl.cluster_scores(y, clusters)


def _wrong_05b_3() -> list:
    right = _cluster_scores(20)["ari"]
    candidates = [
        _cluster_scores(10)["ari"],  # the 10 clusters of the notebook
        _cluster_scores(20)["nmi"],  # another score
        _cluster_scores(20)["purity"],  # the score that always rises with more clusters
    ]
    return [round(c, 3) for c in candidates if abs(round(c, 3) - right) > 0.0011]


@exercise(
    "05b.3",
    question=(
        "Predict first: with 20 clusters instead of 10, does the adjusted Rand index against the genres rise a "
        "lot, a little, or fall? Then cluster all 1000 clips with bl.make_kmeans(20, seed=0) and compute it. "
        "(3 decimals)"
    ),
    kind="predict",
    hints=(
        "The fitted pipeline holds the clusters: .named_steps['kmeans'].labels_ (one cluster number per clip).",
        "Method: the K-means cell above with 20 clusters instead of 10 (same seed, all clips): score its "
        "clusters against the genres and read the adjusted Rand index, to 3 decimals.",
    ),
    wrong_answers=_wrong_05b_3,
    truth=lambda: float(_cluster_scores(20)["ari"]),
)
def _check_05b_3(answer, truth) -> bool:
    # cluster_scores rounds to 3 decimals; 0.0011 accepts that rounding and nothing else.
    return close(answer, truth, 0.0011)
