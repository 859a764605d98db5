"""Checks of the exercises of notebook 07_classify_your_own_clip.

The exercises ask about the notebook's default clip (the real GTZAN ``hiphop.00000`` when the
user's copy has it, else the first clip of the copy on the fault-filtered split's test list, else
a synthetic hip-hop test clip: :func:`default_clip`, the same choice as the notebook's), never
about ``MY_FILE``. No check runs a network: the clip's
musicnn embedding comes from :func:`musicviz.pretrained.embedding_table`, which caches it after
the first call, and the synthetic set's embeddings from the same cache.
"""

from __future__ import annotations

import functools

from musicviz._exercise_checks._common import genre_name
from musicviz._exercise_registry import AnswerError, as_float, as_int, exercise

#: Seconds of the default clip the notebook classifies (its first 30 s, like a GTZAN clip).
EXCERPT_SECONDS = 30.0
#: The notebook's default clip: on the test list of the fault-filtered split (held out from the SVM).
DEFAULT_CLIP = "hiphop.00000"
#: How many real GTZAN neighbours 07.2 counts.
REAL_K = 10
#: Tolerance on a similarity given to 2 decimals.
TOL = 0.006
#: Tolerance on an interval end given to 3 decimals.
ACCURACY_TOL = 0.0011


@functools.lru_cache(maxsize=1)
def default_clip():
    """``(path, genre, real)`` of the notebook's default clip (the same choice as its "Choose a clip" cell)."""
    from musicviz.config import gtzan_dir
    from musicviz.datasets import load_filtered_split, scan

    test_list = set(load_filtered_split()["test"])
    root = gtzan_dir()
    tracks = scan(root, check_audio=False).tracks if root.is_dir() else []
    held_out = sorted((t for t in tracks if t.track_id in test_list), key=lambda t: t.track_id != DEFAULT_CLIP)
    if held_out:
        return held_out[0].path, held_out[0].genre, True
    from musicviz.features import course_feature_table
    from musicviz.splits import course_split

    course = course_split(course_feature_table(), test_size=0.25, seed=0)
    track = next(t for t in course.tracks("test") if t.genre == "hiphop")
    return track.path, "hiphop", False


@functools.lru_cache(maxsize=1)
def _clip_features() -> dict:
    from musicviz.audio import load_audio
    from musicviz.features import extract_clip_features

    path = default_clip()[0]
    y, sr = load_audio(path, duration=EXCERPT_SECONDS)
    return extract_clip_features(y, sr=sr)


def _same_clip() -> list:
    """The clip's id when it is itself a clip of the course's audio (then it is no neighbour of itself)."""
    from musicviz.datasets import course_audio_dir

    path = default_clip()[0]
    return [path.stem] if path.resolve().is_relative_to(course_audio_dir().resolve()) else []


# --------------------------------------------------------------------------- 07.1
def _embedding_tables():
    """The clip's MSD_musicnn embedding (one-row table) and the synthetic set's (both cached)."""
    from musicviz.pretrained import embedding_table

    path = default_clip()[0]
    clip = embedding_table([path], model="MSD_musicnn", n_jobs=1, progress=False, warn=False)
    synth = embedding_table(model="MSD_musicnn", n_jobs=1, progress=False, warn=False)
    columns = [c for c in synth.columns if c.startswith("emb_")]
    return clip, synth, columns


def _embedding_neighbours(k: int = 2):
    from musicviz.similarity import nearest_clips

    clip, synth, columns = _embedding_tables()
    return nearest_clips(clip.iloc[0][columns], synth, k=k, columns=columns, exclude=_same_clip())


def _pair_07_1(answer) -> tuple[str, float]:
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__len__") or len(answer) != 2:
        raise AnswerError(f"expected a pair (genre, similarity), got {answer!r}")
    return genre_name(answer[0]), as_float(answer[1])


def _wrong_07_1() -> list:
    import numpy as np

    from musicviz.similarity import cosine_similarities, nearest_clips

    right = _embedding_neighbours(2)
    clip, synth, columns = _embedding_tables()
    raw = cosine_similarities(clip.iloc[0][columns].to_numpy(float), synth[columns].to_numpy(float))  # not standardized
    best_raw = int(np.argmax(raw))
    features = nearest_clips(_clip_features(), _synth_feature_table(), k=1, exclude=_same_clip())  # feature space
    candidates = [
        (synth["genre"].iloc[best_raw], round(float(raw[best_raw]), 2)),
        (features["genre"].iloc[0], round(float(features["similarity"].iloc[0]), 2)),
        (right["genre"].iloc[1], round(float(right["similarity"].iloc[1]), 2)),  # the second neighbour
    ]
    truth = (right["genre"].iloc[0], float(right["similarity"].iloc[0]))
    return [c for c in candidates if c[0] != truth[0] or abs(c[1] - truth[1]) > TOL]


@exercise(
    "07.1",
    question=(
        "Predict first: in musicnn's embedding space (MSD_musicnn, penultimate layer, standardized over the "
        "synthetic set), is the clip's nearest synthetic clip of the clip's own genre, and is it more or less "
        "similar than the nearest one in feature space? Then compute it: (genre, cosine similarity to 2 decimals)."
    ),
    kind="predict",
    hints=(
        "mv.similarity.nearest_clips works on any numeric columns: pass columns= the embedding columns of "
        "the synthetic set's embedding table.",
        "synth_emb = mv.pretrained.embedding_table(model='MSD_musicnn'); columns = [c for c in synth_emb.columns "
        "if c.startswith('emb_')]; the query is the clip's embedding (clip_emb), one value per column.",
        "Method: ask for the single nearest synthetic clip to the clip's embedding, over the embedding "
        "columns only, and answer with its genre and its cosine similarity rounded to 2 decimals.",
    ),
    wrong_answers=_wrong_07_1,
    truth=lambda: _nearest_in_embedding(),
)
def _check_07_1(answer, truth) -> bool:
    genre, similarity = _pair_07_1(answer)
    return genre == truth[0] and abs(similarity - truth[1]) <= TOL


def _nearest_in_embedding() -> tuple[str, float]:
    right = _embedding_neighbours(1)
    return str(right["genre"].iloc[0]), float(right["similarity"].iloc[0])


# --------------------------------------------------------------------------- 07.2
def _real_table():
    from musicviz.datasets import load_feature_table

    return load_feature_table()


def _real_neighbours(k: int, *, exclude_self: bool = True):
    from musicviz.similarity import nearest_clips

    path, _, real = default_clip()
    exclude = [path.stem] if exclude_self and real else []  # a real GTZAN clip is a row of GTZAN's table
    return nearest_clips(_clip_features(), _real_table(), k=k, exclude=exclude)


def _own_genre_count(neighbours) -> int:
    genre = default_clip()[1]
    return int((neighbours["genre"] == genre).sum())


def _synth_feature_table():
    from musicviz.features import course_feature_table

    return course_feature_table()


def _wrong_07_2() -> list:
    from musicviz.similarity import nearest_clips

    right = _own_genre_count(_real_neighbours(REAL_K))
    candidates = [
        _own_genre_count(_real_neighbours(5)),  # the five shown, not ten
        _own_genre_count(_real_neighbours(REAL_K, exclude_self=False)),  # the clip counted as its own neighbour
        _own_genre_count(nearest_clips(_clip_features(), _synth_feature_table(), k=REAL_K, exclude=_same_clip())),
    ]
    return [c for c in dict.fromkeys(candidates) if c != right]


@exercise(
    "07.2",
    question=(
        "Predict first: among the 10 real GTZAN clips (the shipped feature table) most similar to the clip, the "
        "clip itself excluded, how many are of the clip's own genre? Then compute it. (an int)"
    ),
    kind="predict",
    hints=(
        "The real table has the same 57 feature columns as the clip's features: nearest_clips works on it as on "
        "the synthetic table.",
        "real_table = mv.datasets.load_feature_table(); use features (the clip's) as the query, k=10, and "
        "exclude the clip's own row (exclude=[clip_path.stem]) when it is a GTZAN clip.",
        "Method: of the ten nearest real clips (the clip itself left out), count how many share the clip's "
        "genre.",
    ),
    wrong_answers=_wrong_07_2,
    truth=lambda: int(_own_genre_count(_real_neighbours(REAL_K))),
)
def _check_07_2(answer, truth) -> bool:
    return as_int(answer) == truth


# --------------------------------------------------------------------------- 07.3
def _nearest_other(table, *, standardize: bool = True, include_self: bool = False):
    """Each clip's cosine similarity to its most similar *other* clip of the table."""
    import numpy as np

    from musicviz.features import KAGGLE_FEATURES

    X = table[list(KAGGLE_FEATURES)].to_numpy(dtype=np.float64)
    if standardize:
        X = (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    S = X @ X.T
    if not include_self:
        np.fill_diagonal(S, -np.inf)
    return S.max(axis=1)


def _within_synth_median() -> float:
    import numpy as np

    return float(np.median(_nearest_other(_synth_feature_table())))


def _wrong_07_3() -> list:
    import numpy as np

    table = _synth_feature_table()
    right = _within_synth_median()
    candidates = [
        round(float(np.mean(_nearest_other(table))), 2),  # the mean, not the median
        round(float(np.median(_nearest_other(table, standardize=False))), 2),  # raw features: Hz columns dominate
        round(float(np.median(_nearest_other(table, include_self=True))), 2),  # each clip's nearest is itself
    ]
    return [c for c in dict.fromkeys(candidates) if abs(c - right) > TOL]


@exercise(
    "07.3",
    question=(
        "How alike are clips *of the same data set*? For every synthetic clip, find the cosine similarity "
        "(standardized features, as above) to its most similar other synthetic clip. What is the median of "
        "these numbers (2 decimals)? Compare it with the real clip's best synthetic similarity."
    ),
    kind="code",
    hints=(
        "Loop over course_table's track ids and reuse nearest_clips with k=1 and the clip excluded; or do it "
        "once with a similarity matrix.",
        "Query: course_table.set_index('track_id').loc[tid, mv.features.KAGGLE_FEATURES]; "
        "mv.similarity.nearest_clips(query, course_table, k=1, exclude=[tid])['similarity'].iloc[0].",
        "Method: one value per clip (its similarity to its most similar other clip), collected over every "
        "clip of the table; the answer is their median, not their mean.",
    ),
    wrong_answers=_wrong_07_3,
    truth=_within_synth_median,
)
def _check_07_3(answer, truth) -> bool:
    return abs(as_float(answer) - truth) <= TOL


# --------------------------------------------------------------------------- 07.5
@functools.lru_cache(maxsize=1)
def _held_out_counts() -> tuple[int, int]:
    """``(correct, n)`` of the real-GTZAN SVM on the filtered test list (its stored metadata).

    The model notebook 05b saved, when there is one to read; otherwise (not saved yet, an older
    model, or one being rewritten at this moment) the same model trained here, in memory.
    """
    from musicviz.baselines import load_model, models_dir, train_real_gtzan_svm
    from musicviz.errors import ModelError

    try:
        meta = load_model(models_dir() / "svm_real_gtzan.skops").metadata
    except ModelError:
        meta = {}
    if "test_accuracy" not in meta:
        meta = train_real_gtzan_svm().metadata
    n = int(meta["n_test"])
    return int(round(meta["test_accuracy"] * n)), n


def _wilson_low(correct: int, n: int, z: float = 1.96) -> float:
    import math

    p = correct / n
    centre, spread = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n)


def _wrong_07_5() -> list:
    import math

    correct, n = _held_out_counts()
    p = correct / n
    right = round(_wilson_low(correct, n), 3)
    candidates = [
        round(p - 1.96 * math.sqrt(p * (1 - p) / n), 3),  # the textbook (Wald) interval
        round(p - 1.96 * math.sqrt(p * (1 - p) / n) / (1 + 1.96**2 / n), 3),  # the centre's shift forgotten
        round(_wilson_low(correct, n, z=1.645), 3),  # a 90 % interval
        round(p, 3),  # the score itself
    ]
    return [c for c in dict.fromkeys(candidates) if abs(c - right) > ACCURACY_TOL]


@exercise(
    "07.5",
    question=(
        "The real-GTZAN SVM got correct = round(test_accuracy * n) of the n clips of the filtered test list right "
        "(its metadata). Compute the lower end of the Wilson 95 % interval with the formula (z = 1.96), not with "
        "mv.scores, to 3 decimals."
    ),
    kind="code",
    hints=(
        "Start from p = correct / n; the Wilson interval is centred on a point pulled towards 1/2, not on p.",
        "Centre: p + z**2 / (2 n); half-width: z * sqrt(p (1 - p) / n + z**2 / (4 n**2)); both divided by "
        "1 + z**2 / n.",
        "Method: the lower end is (centre - half-width) / (1 + z**2 / n); compare it with mv.scores.wilson_interval "
        "only after you computed it.",
    ),
    wrong_answers=_wrong_07_5,
    truth=lambda: _wilson_low(*_held_out_counts()),
)
def _check_07_5(answer, truth) -> bool:
    return abs(as_float(answer) - truth) <= ACCURACY_TOL
