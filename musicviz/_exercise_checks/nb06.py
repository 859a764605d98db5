"""Checks of the exercises of notebook 06_cnn."""

from __future__ import annotations

from musicviz._exercise_registry import as_int, exercise
from musicviz._exercise_checks._common import close, course_split


def _notebook_06_config():
    from musicviz import cnn

    return cnn.MelConfig(segment_seconds=3.0, n_fft=2048, hop_length=512, n_mels=64)


@exercise(
    "06.1",
    question="How many input images does one 30 s clip give the CNN with this notebook's MelConfig? (an int)",
    kind="read",
    hints="cnn.cut_segments(y, sr=sr, config=config) cuts a clip into segments; count them (its first axis).",
)
def _check_06_1(answer) -> bool:
    import numpy as np

    from musicviz import SR
    from musicviz.cnn import cut_segments

    y = np.random.default_rng(0).normal(scale=0.1, size=30 * SR)
    return as_int(answer) == len(cut_segments(y, sr=SR, config=_notebook_06_config()))


@exercise(
    "06.2",
    question="How many weights (trainable parameters) does the CNN of this notebook have? (an int)",
    kind="read",
    hints="model.count_params() of cnn.build_model(config.input_shape, 10), or add up the Param # column of model.summary().",
)
def _check_06_2(answer) -> bool:
    import numpy as np

    from musicviz.cnn import build_model

    model = build_model(_notebook_06_config().input_shape, 10)
    return as_int(answer) == sum(int(np.prod(w.shape)) for w in model.trainable_weights)


@exercise(
    "06.3",
    question="The comparison uses one test set for every model. How much accuracy is one test clip worth? (3 decimals)",
    kind="read",
    hints="1 / (number of test clips); the split is the one of notebooks 04-06.",
)
def _check_06_3(answer) -> bool:
    _, side = course_split()
    return close(answer, 1 / int((side == "test").sum()), 0.0011)
