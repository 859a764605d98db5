"""Checks of the exercises of notebook 06_cnn.

No check trains a network (training results differ across machines): they build untrained
models and read their shapes, run numpy on the course's log-mel segments, or do arithmetic,
which give the same answer everywhere. One exercise per piece the notebook builds by hand:
the output-shape rule (06.1), the convolution and its feature map (06.2), softmax and
cross-entropy (06.3), the occlusion map (06.4).
"""

from __future__ import annotations

import math

from musicviz._exercise_registry import AnswerError, as_float, as_int, exercise

#: 06.1: the segment length whose pooled frame counts are worked out with the rule.
SEGMENT_SECONDS_06_1 = 4.0
#: 06.2: the onset kernel (every row: earlier frame -1, same 0, later frame +1).
ONSET_KERNEL = ((-1.0, 0.0, 1.0),) * 3
#: 06.3: how far above the other nine logits the true genre's logit is in the second case.
LOGIT_GAP = 2.0
#: 06.4: the occlusion patch and stride (mel bands, frames).
PATCH_06_4, STRIDE_06_4 = (16, 20), (8, 8)


def _config(segment_seconds: float = 3.0):
    from musicviz import cnn

    return cnn.MelConfig(segment_seconds=segment_seconds, n_fft=2048, hop_length=512, n_mels=64)


def _pair(answer, what: str) -> tuple:
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__len__") or len(answer) != 2:
        raise AnswerError(f"expected two numbers {what}, got {answer!r}")
    return answer[0], answer[1]


# --------------------------------------------------------------------- 06.1 the shape rule
def _shapes_06_1(*, time_average: bool = True) -> tuple[int, int]:
    from musicviz import GENRES
    from musicviz.cnn import build_model

    model = build_model(_config(SEGMENT_SECONDS_06_1).input_shape, len(GENRES))
    frames = int(model.get_layer("pool3").output.shape[2])
    weights = int(model.count_params())
    if not time_average:  # the dense layer would see every frame of pool3's output
        units = model.get_layer("dense").units
        bands, channels = (int(s) for s in model.get_layer("pool3").output.shape[1::2])
        weights += (frames - 1) * bands * channels * units
    return frames, weights


def _wrong_06_1() -> list:
    frames, weights = _shapes_06_1()
    n = _config(SEGMENT_SECONDS_06_1).n_frames
    rounded_up = n
    for _ in range(3):  # ceil at every pooling: 173 -> 87 -> 44 -> 22
        rounded_up = -(-rounded_up // 2)
    return [
        (rounded_up, weights),
        (round(n / 8), weights),
        (frames, _shapes_06_1(time_average=False)[1]),  # more frames, more weights: not with the time average
        (frames, round(weights * n / _config().n_frames)),
    ]


@exercise(
    "06.1",
    question=(
        "Predict first: with 4 s segments (MelConfig(segment_seconds=4.0, ...): 173 frames), how many frames does "
        "pool3 output, and how many weights does the CNN have? Then build that model and read both. "
        "(two ints: (frames after pool3, weights))"
    ),
    kind="predict",
    hints=(
        "Apply the rule floor((n - k + 2p) / s) + 1 to the time axis layer by layer: the convolutions keep the "
        "size ('same' padding), each 2 x 2 pooling has k = s = 2 and p = 0.",
        "173 is odd: the rule's floor drops the last frame at the first pooling. And which layer's weights "
        "could depend on the number of frames, once time_average has averaged them away?",
        "Method: follow the frames through pool1, pool2 and pool3 with the rule; count the weights layer by layer "
        "as in the table (none of them sees the frame count); then build the model for the 4 s input shape and "
        "read pool3's output shape and the parameter count.",
    ),
    wrong_answers=_wrong_06_1,
    truth=lambda: _shapes_06_1(),
)
def _check_06_1(answer, truth) -> bool:
    frames, weights = _pair(answer, "(frames after pool3, weights)")
    return (as_int(frames), as_int(weights)) == tuple(truth)


# ------------------------------------------------------- 06.2 a convolution, a feature map
def _disco_segment():
    """The segment notebook 06 shows first: segment 0 of the first disco training clip (or of the first clip)."""
    import musicviz as mv
    from musicviz.cnn import build_segments

    course = mv.splits.course_split(mv.features.course_feature_table(), test_size=0.25, seed=0)
    tracks = course.tracks("train")
    example = next((t for t in tracks if t.genre == "disco"), tracks[0])
    segments = build_segments([example], config=_config())
    return segments.X[segments.segment_index == 0][0]


def _onset_time(kernel=ONSET_KERNEL, *, centred: bool = True, relu: bool = True) -> float:
    import librosa
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view

    X = np.asarray(_disco_segment(), dtype=np.float64)
    K = np.asarray(kernel, dtype=np.float64)
    feature_map = np.einsum("ijab,ab->ij", sliding_window_view(X, K.shape), K)
    if relu:
        feature_map = np.maximum(feature_map, 0)
    column = int(np.argmax(feature_map.sum(axis=0)))
    frame = column + (K.shape[1] // 2 if centred else 0)
    return float(librosa.frames_to_time(frame, sr=_config().sr, hop_length=_config().hop_length))


def _wrong_06_2() -> list:
    right = _onset_time()
    flipped = tuple(tuple(row[::-1]) for row in ONSET_KERNEL)  # a true convolution flips the kernel
    candidates = [_onset_time(flipped), _onset_time(centred=False), _onset_time(relu=False)]
    return [round(w, 2) for w in candidates if abs(w - right) > 0.011]


@exercise(
    "06.2",
    question=(
        "Apply the onset kernel K = [[-1, 0, 1]] * 3 with your corr2d (no padding) to the disco segment "
        "train_set.X[first] in dB, keep the positive part (ReLU) and add the feature map up over the mel bands. "
        "At what time (s, 2 decimals) is the strongest onset? (output column j is centred on input frame j + 1)"
    ),
    kind="code",
    hints=(
        "The kernel subtracts the frame before from the frame after, in every band: it answers 'how much louder "
        "did this band just get?'. Its feature map has 62 x 128 cells; a sum over axis 0 leaves one number per "
        "column.",
        "Keras-style layers (and corr2d) do not flip the kernel. Turn the best column j into seconds with "
        "librosa.frames_to_time(j + 1, sr=sr, hop_length=config.hop_length).",
        "Method: correlate the segment with the kernel, set negative values to 0, sum each column over the bands, "
        "take the column with the largest sum and convert its centre frame to seconds.",
    ),
    wrong_answers=_wrong_06_2,
    truth=lambda: _onset_time(),
)
def _check_06_2(answer, truth) -> bool:
    return abs(as_float(answer) - float(truth)) <= 0.011


# ------------------------------------------------------------- 06.3 softmax, cross-entropy
def _losses(n_classes: int = 10, gap: float = LOGIT_GAP, *, log=math.log) -> tuple[float, float]:
    uniform = -log(1 / n_classes)
    with_gap = -log(math.exp(gap) / (math.exp(gap) + (n_classes - 1)))
    return uniform, with_gap


def _wrong_06_3() -> list:
    right = _losses()
    log2 = _losses(log=math.log2)
    log10 = _losses(log=math.log10)
    return [
        tuple(round(v, 3) for v in log2),
        tuple(round(v, 3) for v in log10),
        (round(right[0], 3), round(-math.log(math.exp(LOGIT_GAP) / (math.exp(LOGIT_GAP) + 10)), 3)),  # e^gap counted twice
        (round(right[0], 3), round(-math.log(LOGIT_GAP / (LOGIT_GAP + 9)), 3)),  # the gap as a ratio, no exp
        (0.9, round(1 - math.exp(LOGIT_GAP) / (math.exp(LOGIT_GAP) + 9), 3)),  # 1 - p instead of -log p
    ]


@exercise(
    "06.3",
    question=(
        "Predict first: the cross-entropy loss of one segment (natural log, 3 decimals) when the network's 10 logits "
        "are all equal, and when the true genre's logit is 2 above the other nine (which are equal). Then compute "
        "both with your softmax. (two floats: (all equal, true genre 2 above))"
    ),
    kind="predict",
    hints=(
        "Softmax only sees differences between logits: equal logits give every genre the same probability.",
        "With the true logit 2 above the rest, its probability is e^2 / (e^2 + 9 * e^0). The loss is -ln of the true "
        "genre's probability.",
        "Method: build the two logit vectors (ten zeros; ten zeros with a 2 for the true genre), apply your softmax, "
        "and take minus the natural log of the true genre's probability in each.",
    ),
    wrong_answers=_wrong_06_3,
    truth=lambda: _losses(),
)
def _check_06_3(answer, truth) -> bool:
    a, b = _pair(answer, "(all equal, true genre 2 above)")
    return abs(as_float(a) - truth[0]) <= 0.0011 and abs(as_float(b) - truth[1]) <= 0.0011


# ---------------------------------------------------------------- 06.4 the occlusion grid
def _positions(n: int, k: int, s: int, *, rounding=math.floor) -> int:
    return int(rounding((n - k) / s)) + 1


def _predictions_06_4(*, rounding=math.floor) -> int:
    config = _config()
    rows = _positions(config.n_mels, PATCH_06_4[0], STRIDE_06_4[0], rounding=rounding)
    cols = _positions(config.n_frames, PATCH_06_4[1], STRIDE_06_4[1], rounding=rounding)
    return rows * cols


def _wrong_06_4() -> list:
    config = _config()
    right = _predictions_06_4()
    candidates = [
        _predictions_06_4(rounding=math.ceil),  # a last, partial patch
        (config.n_mels // STRIDE_06_4[0]) * (config.n_frames // STRIDE_06_4[1]),  # n / s, no kernel
        (config.n_mels // PATCH_06_4[0]) * (config.n_frames // PATCH_06_4[1]),  # patches side by side
        right + 1,  # plus the unoccluded prediction
    ]
    return [w for w in dict.fromkeys(candidates) if w != right]


@exercise(
    "06.4",
    question=(
        "Predict first: how many predictions does an occlusion map of one 64 x 130 segment need with a patch of "
        "16 bands x 20 frames moved in steps of 8 bands and 8 frames (not counting the unoccluded one)? Then run "
        "cnn.inspect.occlusion_map(classifier, ..., patch=(16, 20), stride=(8, 8)) and count. (an int)"
    ),
    kind="predict",
    hints=(
        "A patch that slides is a kernel without weights: the output-shape rule counts its positions along each "
        "axis.",
        "Along time: floor((130 - 20) / 8) + 1 positions (no padding: the patch never hangs over the edge); along "
        "the mel axis the same with 64, 16 and 8. Each position is one prediction.",
        "Method: count the positions along each axis with the rule (no padding), multiply the two counts, and verify with "
        "the size of the map's grid.",
    ),
    wrong_answers=_wrong_06_4,
    truth=lambda: _predictions_06_4(),
)
def _check_06_4(answer, truth) -> bool:
    return as_int(answer) == truth
