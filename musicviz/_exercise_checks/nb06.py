"""Checks of the exercises of notebook 06_cnn.

No check trains a network (training results differ across machines): they build models and
count their weights, cut signals into segments, or fit scikit-learn models, which give the same
answer everywhere.
"""

from __future__ import annotations

from musicviz._exercise_checks._common import course_split
from musicviz._exercise_registry import AnswerError, as_float, as_int, exercise

#: The change 06.1 asks for: the first convolution gets 32 filters instead of 8.
CHANGED_FILTERS = (32, 16, 32)
#: The clip lengths of 06.2, in seconds.
CLIP_SECONDS = (20.0, 45.0)


def _notebook_06_config():
    from musicviz import cnn

    return cnn.MelConfig(segment_seconds=3.0, n_fft=2048, hop_length=512, n_mels=64)


def _n_weights(model, *, biases: bool = True) -> int:
    import numpy as np

    return sum(int(np.prod(w.shape)) for w in model.trainable_weights if biases or len(w.shape) > 1)


def _model(filters=None):
    from musicviz import GENRES
    from musicviz.cnn import build_model

    kwargs = {} if filters is None else {"filters": filters}
    return build_model(_notebook_06_config().input_shape, len(GENRES), **kwargs)


def _wrong_06_1() -> list:
    original = _n_weights(_model())
    first_only = original + (CHANGED_FILTERS[0] - 8) * (3 * 3 * 1 + 1)  # forgot that conv2 sees 32 channels now
    return [original, first_only, _n_weights(_model(CHANGED_FILTERS), biases=False)]


@exercise(
    "06.1",
    question=(
        "Predict first: how many weights does the CNN have when its first convolution gets 32 filters instead of 8 "
        "(filters=(32, 16, 32))? Then build it and count. (an int)"
    ),
    kind="predict",
    hints=(
        "A Conv2D layer has (kernel height x kernel width x input channels + 1) weights per filter. Which layers "
        "does a change of conv1's filters touch?",
        "conv1 now has 32 filters of 3x3x1+1 weights, and conv2's 16 filters each see 32 input channels instead of 8; "
        "the layers after conv2 do not change.",
        "Method: add up, layer by layer, the weights of the layers whose shapes changed and keep the others' "
        "counts; then verify by building the changed model and counting its parameters.",
    ),
    wrong_answers=_wrong_06_1,
    truth=lambda: int(_n_weights(_model(CHANGED_FILTERS))),
)
def _check_06_1(answer, truth) -> bool:
    return as_int(answer) == truth


def _pair(answer) -> tuple[int, int]:
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__len__") or len(answer) != 2:
        raise AnswerError(f"expected two numbers (20 s clip, 45 s clip), got {answer!r}")
    return as_int(answer[0]), as_int(answer[1])


def _segments(seconds: float) -> int:
    import numpy as np

    from musicviz import SR
    from musicviz.cnn import cut_segments

    y = np.random.default_rng(0).normal(scale=0.1, size=int(seconds * SR))
    return len(cut_segments(y, sr=SR, config=_notebook_06_config()))


def _wrong_06_2() -> list:
    config = _notebook_06_config()
    right = tuple(_segments(s) for s in CLIP_SECONDS)
    uncapped = tuple(int(s // config.segment_seconds) for s in CLIP_SECONDS)  # forgot max_segments
    rounded_up = tuple(-int(-s // config.segment_seconds) for s in CLIP_SECONDS)  # kept the short tail
    capped_up = tuple(min(n, config.max_segments) for n in rounded_up)
    return [w for w in dict.fromkeys([uncapped, rounded_up, capped_up]) if w != right]


@exercise(
    "06.2",
    question=(
        "Predict first: how many input images does the CNN get from a 20 s clip, and from a 45 s clip, with this "
        "notebook's config? Then verify with cnn.cut_segments. (two ints: (20 s clip, 45 s clip))"
    ),
    kind="predict",
    hints=(
        "Segments do not overlap, and a piece shorter than a segment is not padded. Read MelConfig's fields: "
        "is there a limit on the number of segments?",
        "Method: make a 20 s and a 45 s signal at the course's sample rate, cut each into the CNN's segments "
        "and count them; remember the configured cap on the number of segments per clip.",
    ),
    wrong_answers=_wrong_06_2,
    truth=lambda: tuple(int(_segments(s)) for s in CLIP_SECONDS),
)
def _check_06_2(answer, truth) -> bool:
    return _pair(answer) == tuple(truth)


def _cnn_fit_mask(table, sides):
    """The training clips the CNN of the notebook fits on: train, minus the tracks it validates on."""
    import numpy as np

    from musicviz.cnn import SegmentSet, validation_tracks

    train = table[sides == "train"]
    one_per_track = SegmentSet(np.zeros((len(train), 1, 1)), train["track_id"].to_numpy(str),
                               train["label"].to_numpy(str), np.zeros(len(train), dtype=int))
    held_out = validation_tracks(one_per_track, fraction=0.2, seed=0)
    return (sides == "train") & ~table["track_id"].isin(held_out).to_numpy(), held_out


def _test_accuracy(make, fit_rows) -> float:
    from musicviz import baselines as bl

    table, sides = course_split()
    X, labels = bl.feature_matrix(table)
    is_test = sides == "test"
    mask = fit_rows(table, sides)
    return float(make().fit(X[mask], labels[mask]).score(X[is_test], labels[is_test]))


def _cnn_fit_rows(table, sides):
    return _cnn_fit_mask(table, sides)[0]


def _pair_of_accuracies(fit_rows) -> tuple[float, float]:
    from musicviz import baselines as bl

    return _test_accuracy(bl.make_svm, fit_rows), _test_accuracy(bl.make_knn, fit_rows)


def _held_out_rows(table, sides):
    return table["track_id"].isin(_cnn_fit_mask(table, sides)[1]).to_numpy()


def _wrong_06_3() -> list:
    right = _pair_of_accuracies(_cnn_fit_rows)
    candidates = [
        _pair_of_accuracies(lambda t, s: s == "train"),  # all training clips: the comparison's rows
        _pair_of_accuracies(_held_out_rows),  # trained on the validation clips instead
        right[::-1],  # KNN first
    ]
    return [tuple(round(v, 3) for v in c) for c in candidates
            if any(abs(round(v, 3) - r) > 0.0011 for v, r in zip(c, right))]


def _accuracies(answer) -> tuple[float, float]:
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__len__") or len(answer) != 2:
        raise AnswerError(f"expected two accuracies (SVM, KNN), got {answer!r}")
    return as_float(answer[0]), as_float(answer[1])


@exercise(
    "06.3",
    question=(
        "Is the comparison fair to the CNN? Train bl.make_svm() and bl.make_knn() on the clips the CNN fitted on "
        "(the training clips not in held_out) and score both on the same test clips. (two accuracies, 3 decimals: "
        "(SVM, KNN))"
    ),
    kind="code",
    hints=(
        "The CNN's fitting clips are the rows of `table` on the training side whose track_id is not in "
        "`held_out`: combine `is_train` with table['track_id'].isin(held_out).",
        "Method: build that mask of fitting rows, fit the SVM and the KNN on those rows only, score each on the "
        "test clips, and answer with the two accuracies in the order (SVM, KNN).",
    ),
    wrong_answers=_wrong_06_3,
    truth=lambda: _pair_of_accuracies(_cnn_fit_rows),
)
def _check_06_3(answer, truth) -> bool:
    svm, knn = _accuracies(answer)
    right = truth
    return abs(svm - right[0]) <= 0.0011 and abs(knn - right[1]) <= 0.0011
