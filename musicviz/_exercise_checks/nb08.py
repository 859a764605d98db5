"""Checks of the exercises of notebook 08_transfer_learning.

No check runs the network: they read the cached musicnn tables of the course's clips
(:func:`musicviz.pretrained.embedding_table`, computed by the notebook and by
``python -m musicviz pretrained cache``) and fit scikit-learn models, on the split of the series.
"""

from __future__ import annotations

import functools

from musicviz._exercise_registry import AnswerError, as_float, as_int, exercise

#: The genre of 08.1 (it has no tag in the MSD vocabulary).
UNTAGGED_GENRE = "reggae"
#: The share of variance of 08.3.
VARIANCE_SHARE = 0.90
#: Training clips per genre of 08.2.
FEW_CLIPS = 2
#: Accuracies are compared at 3 decimals.
ACCURACY_TOL = 0.0011


@functools.lru_cache(maxsize=1)
def _course():
    from musicviz.features import course_feature_table
    from musicviz.splits import course_split

    return course_split(course_feature_table(), test_size=0.25, seed=0)


@functools.lru_cache(maxsize=None)
def _table(model: str, layer: str = "pooled"):
    """The cached table of ``model``'s outputs for the course's clips (as the notebook builds it)."""
    from musicviz.pretrained import embedding_table

    return embedding_table(_course().audio_dir, model=model, layer=layer, progress=False, warn=False)


def _split_data(model: str, layer: str = "pooled"):
    """``(X, labels, is_train, is_test)``: the embedding rows of the split's clips, in split order."""
    course = _course()
    emb = _table(model, layer)
    columns = [c for c in emb.columns if c.startswith("emb_")]
    data = course.table[["track_id", "label"]].assign(side=course.sides).merge(emb[["track_id", *columns]], on="track_id")
    sides = data["side"].to_numpy()
    return data[columns].to_numpy(), data["label"].to_numpy(str), sides == "train", sides == "test"


# --------------------------------------------------------------------------- 08.1
def _mean_tags(model: str, rows=None):
    """Mean probability of each tag over the given rows (default: all clips), highest first."""
    emb = _table(model)
    tags = emb.attrs["tags"]
    picked = emb if rows is None else emb[rows(emb)]
    return picked[[f"tag:{t}" for t in tags]].mean(axis=0).set_axis(tags).sort_values(ascending=False, kind="stable")


def _genre_rows(genre: str):
    def rows(emb):
        labels = _course().table.set_index("track_id")["label"]
        return emb["track_id"].map(labels).eq(genre).to_numpy()

    return rows


def _top_two(model: str, rows=None) -> tuple[str, str]:
    ranked = _mean_tags(model, rows)
    return str(ranked.index[0]), str(ranked.index[1])


def _right_08_1() -> tuple[str, str]:
    return _top_two("MSD_musicnn", _genre_rows(UNTAGGED_GENRE))


def _wrong_08_1() -> list:
    right = _right_08_1()
    reggae = _mean_tags("MSD_musicnn", _genre_rows(UNTAGGED_GENRE))
    candidates = [
        right[::-1],  # runner-up first
        (right[0], str(reggae.index[2])),  # skipped the runner-up
        _top_two("MSD_musicnn"),  # over all clips, not only reggae
        _top_two("MTT_musicnn", _genre_rows(UNTAGGED_GENRE)),  # the other network's vocabulary
        (str(reggae.index[-1]), str(reggae.index[-2])),  # sorted the wrong way
    ]
    return [c for c in dict.fromkeys(candidates) if c != right]


def _tag_pair(answer) -> tuple[str, str]:
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__len__") or len(answer) != 2:
        raise AnswerError(f"expected two tag names (strongest, runner-up), got {answer!r}")
    names = []
    for item in answer:
        if not isinstance(item, str) or not item.strip():
            raise AnswerError(f"expected two tag names, got {answer!r}")
        name = item.strip()
        names.append((name[4:] if name.lower().startswith("tag:") else name).lower())
    return names[0], names[1]


@exercise(
    "08.1",
    question=(
        "The MSD vocabulary has no 'reggae'. Which two MSD tags does the network give the highest mean probability "
        "over the reggae clips of the course (the tag: columns of tables['MSD_musicnn'])? (two tag names, "
        "strongest first)"
    ),
    kind="code",
    hints=(
        "Each row of the table is one clip; its tag:<name> columns hold the tag's mean probability over the "
        "clip's patches. Keep the reggae rows, then average each tag column.",
        "course.table's label (matched by track_id) picks the reggae rows; "
        "rows.filter(like='tag:').mean() gives one number per tag: sort it, highest first.",
        "Method: keep the reggae clips' rows, average every tag column over them, and answer with the names of "
        "the two largest averages, largest first, without the 'tag:' prefix.",
    ),
    wrong_answers=_wrong_08_1,
    truth=lambda: tuple(t.lower() for t in _right_08_1()),
)
def _check_08_1(answer, truth) -> bool:
    return _tag_pair(answer) == tuple(truth)


# --------------------------------------------------------------------------- 08.2
def _probe(model_name: str, *, per_genre: int | None = FEW_CLIPS, layer: str = "pooled", standardize: bool = True) -> float:
    """Test accuracy of the logistic probe trained on the first ``per_genre`` training clips of each genre."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    X, labels, is_train, is_test = _split_data(model_name, layer)
    fit = is_train.copy()
    if per_genre is not None:
        rank = np.zeros(len(labels), dtype=int)
        seen: dict = {}
        for i in np.flatnonzero(is_train):  # table order within each genre
            rank[i] = seen.get(labels[i], 0)
            seen[labels[i]] = rank[i] + 1
        fit &= rank < per_genre
    steps = ([StandardScaler()] if standardize else []) + [LogisticRegression(C=1.0, max_iter=5000)]
    with threadpool_limits(1):  # small data: one BLAS thread is many times faster
        model = make_pipeline(*steps).fit(X[fit], labels[fit])
        return round(float(model.score(X[is_test], labels[is_test])), 3)


def _wrong_08_2() -> list:
    right = _probe("MTT_musicnn")
    candidates = [
        _probe("MSD_musicnn"),  # the MSD probe
        _probe("MTT_musicnn", per_genre=None),  # every training clip
        _probe("MTT_musicnn", per_genre=FEW_CLIPS + 1),  # off by one
        _probe("MTT_musicnn", standardize=False),  # forgot the StandardScaler
        round(1.0 - right, 3),  # the error rate
    ]
    return [c for c in dict.fromkeys(candidates) if abs(c - right) > ACCURACY_TOL]


@exercise(
    "08.2",
    question=(
        "Predict first: with only two training clips per genre, is the probe on the MTT network's pooled embedding "
        "more or less accurate than the MSD one? Then train the MTT probe like the MSD one and give its test "
        "accuracy. (3 decimals)"
    ),
    kind="predict",
    hints=(
        "Build the MTT data exactly like section 3 did for MSD: the emb_ columns of tables['MTT_musicnn'], matched "
        "to course.table by track_id, so that is_train / is_test and the few-clips mask of the curve still apply.",
        "The mask of the curve with k = 2: few[np.flatnonzero(is_train)[order.to_numpy() < 2]] = True. Fit "
        "make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000)) on those rows only.",
        "Method: the MSD probe of section 3, step for step, with the MTT embedding columns in place of the MSD "
        "ones: fit on the same few training clips per genre and score on the same test clips.",
    ),
    wrong_answers=_wrong_08_2,
    truth=lambda: float(_probe("MTT_musicnn")),
)
def _check_08_2(answer, truth) -> bool:
    return abs(as_float(answer) - truth) <= ACCURACY_TOL


# --------------------------------------------------------------------------- 08.3
def _components(*, rows: str = "train", standardize: bool = True, share: float = VARIANCE_SHARE) -> int:
    import numpy as np
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    X, _, is_train, _ = _split_data("MSD_musicnn")
    X = X[is_train] if rows == "train" else X
    if standardize:
        X = StandardScaler().fit_transform(X)
    with threadpool_limits(1):
        cumulative = np.cumsum(PCA().fit(X).explained_variance_ratio_)
    return int(np.searchsorted(cumulative, share) + 1)


def _wrong_08_3() -> list:
    right = _components()
    X, _, is_train, _ = _split_data("MSD_musicnn")
    candidates = [
        _components(rows="all"),  # every clip instead of the training clips
        _components(standardize=False),  # forgot to standardize
        right - 1,  # the index of the component, not the count
        int(is_train.sum()) - 1,  # the bound, not the count
    ]
    return [c for c in dict.fromkeys(candidates) if c != right]


@exercise(
    "08.3",
    question=(
        "Predict first: how many directions can the training clips span at most? Then count the principal components "
        "of the standardized MSD embedding of the training clips needed to explain 90 % of its variance. (an int)"
    ),
    kind="predict",
    hints=(
        "n points span at most n - 1 directions around their mean, whatever the number of dimensions: PCA of the "
        "training clips has at most that many components with non-zero variance.",
        "Standardize X_emb[is_train] with StandardScaler().fit_transform, fit sklearn.decomposition.PCA() on it and "
        "read explained_variance_ratio_.",
        "Method: add up the explained variance ratios component by component; the answer is the number of "
        "components at which the running total first reaches 0.90 (a count, starting from 1).",
    ),
    wrong_answers=_wrong_08_3,
    truth=lambda: int(_components()),
)
def _check_08_3(answer, truth) -> bool:
    return as_int(answer) == truth



# --------------------------------------------------------------------------- 08.5
#: The split seeds of 08.5.
SPLIT_SEEDS = tuple(range(10))


@functools.lru_cache(maxsize=None)
def _over_splits(model: str = "MSD_musicnn") -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Test accuracies of the feature SVM and of the logistic probe on the artist-disjoint split of each seed."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from musicviz.baselines import feature_matrix, make_svm
    from musicviz.features import course_feature_table
    from musicviz.splits import course_split

    emb = _table(model)
    columns = [c for c in emb.columns if c.startswith("emb_")]
    svm_scores, probe_scores = [], []
    for seed in SPLIT_SEEDS:
        split = course_split(course_feature_table(), test_size=0.25, seed=seed)
        data = split.table.assign(side=split.sides).merge(emb[["track_id", *columns]], on="track_id")
        X_feat, y = feature_matrix(data)
        train, test = (data["side"] == "train").to_numpy(), (data["side"] == "test").to_numpy()
        svm = make_svm()
        svm_scores.append(float(svm.fit(X_feat[train], y[train]).score(X_feat[test], y[test])))
        X = data[columns].to_numpy()
        probe = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000)).fit(X[train], y[train])
        probe_scores.append(float(probe.score(X[test], y[test])))
    return tuple(svm_scores), tuple(probe_scores)


def _lowest() -> tuple[float, float]:
    svm_scores, probe_scores = _over_splits()
    return min(svm_scores), min(probe_scores)


def _pair_08_5(answer) -> tuple[float, float]:
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__len__") or len(answer) != 2:
        raise AnswerError(f"expected a pair (lowest SVM accuracy, lowest probe accuracy), got {answer!r}")
    return as_float(answer[0]), as_float(answer[1])


def _wrong_08_5() -> list:
    import numpy as np

    svm_scores, probe_scores = _over_splits()
    right = _lowest()
    candidates = [
        (round(float(np.mean(svm_scores)), 3), round(float(np.mean(probe_scores)), 3)),  # the means
        (round(svm_scores[0], 3), round(probe_scores[0], 3)),  # seed 0 only: the table above
        (round(max(svm_scores), 3), round(max(probe_scores), 3)),  # the highest
        (round(right[1], 3), round(right[0], 3)),  # the two swapped
    ]
    return [c for c in dict.fromkeys(candidates) if abs(c[0] - right[0]) > ACCURACY_TOL or abs(c[1] - right[1]) > ACCURACY_TOL]


@exercise(
    "08.5",
    question=(
        "Predict first: which score moves more with the choice of test artists, the feature SVM's or the probe's? "
        "Then, for seeds 0-9, split with mv.splits.course_split(mv.features.course_feature_table(), test_size=0.25, "
        "seed=s), train the SVM of notebook 05 (bl.make_svm(), 57 features) and the logistic probe (StandardScaler + "
        "LogisticRegression(C=1.0), pooled MSD embedding) on the training clips and score both on the test clips: "
        "the pair (lowest SVM accuracy, lowest probe accuracy), 3 decimals."
    ),
    kind="predict",
    hints=(
        "Each seed tests other artists: the split, not only the model, decides a score.",
        "Per seed: split = mv.splits.course_split(...); data = split.table.assign(side=split.sides) merged with "
        "tables['MSD_musicnn'] on track_id; bl.feature_matrix(data) gives the 57 features; fit on side == 'train', "
        "score on side == 'test'.",
        "Method: collect ten accuracies per model (one per seed) and answer with the smallest of each, SVM first.",
    ),
    wrong_answers=_wrong_08_5,
    truth=_lowest,
)
def _check_08_5(answer, truth) -> bool:
    svm_low, probe_low = _pair_08_5(answer)
    return abs(svm_low - truth[0]) <= ACCURACY_TOL and abs(probe_low - truth[1]) <= ACCURACY_TOL
