"""The CNN itself: quiet TensorFlow import, deterministic setup, the network, its summary.

Notebook: ``06_cnn.ipynb``.

TensorFlow and Keras are imported inside functions only (:func:`_import_keras`), so importing
this module stays light.
"""

from __future__ import annotations

import contextlib
import os

from musicviz.errors import ParameterError

__all__ = ["configure_determinism", "build_model", "model_summary"]

_THREADS = {"intra": 2, "inter": 1}


def _import_keras():
    """Import TensorFlow and Keras quietly: C++ logging off before the first import.

    ``TF_CPP_MIN_LOG_LEVEL=3`` silences TensorFlow's C++ log, but TensorFlow 2.21 still
    prints a oneDNN notice to stderr at import; ``TF_ENABLE_ONEDNN_OPTS=0`` removes it (and
    the round-off differences oneDNN's reordered computations may bring).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    import keras
    import tensorflow as tf

    return tf, keras


def configure_determinism(seed: int = 0, *, intra_op_threads: int | None = None, inter_op_threads: int = 1) -> None:
    """Make TensorFlow training repeatable on the CPU (same machine type, same results).

    Notebook: ``06_cnn.ipynb``.

    Sets ``TF_CPP_MIN_LOG_LEVEL=3`` (before TensorFlow is first imported), seeds Python,
    NumPy and TensorFlow (``keras.utils.set_random_seed``), turns on
    ``tf.config.experimental.enable_op_determinism()`` and fixes the thread counts. Thread
    counts can only be set before TensorFlow starts its runtime; later calls keep the first
    values. ``intra_op_threads=None`` takes ``$MUSICVIZ_TF_THREADS`` (default 2), so a test
    run can vary it from outside (``make portability``).

    Training is repeatable on one machine, not across machines: another CPU, BLAS kernel,
    thread count or oneDNN setting rounds differently, and training amplifies it. Compare
    training results against bands, never exact values.
    """
    tf, keras = _import_keras()
    keras.utils.set_random_seed(int(seed))
    tf.config.experimental.enable_op_determinism()
    _configure_threads(intra_op_threads, inter_op_threads)


def _configure_threads(intra_op_threads: int | None = None, inter_op_threads: int = 1) -> None:
    """Fix TensorFlow's thread counts (``None``: ``$MUSICVIZ_TF_THREADS``, default 2); seeds nothing.

    Only possible before TensorFlow starts its runtime; later calls keep the first values.
    """
    tf, _ = _import_keras()
    if intra_op_threads is None:
        intra_op_threads = int(os.environ.get("MUSICVIZ_TF_THREADS") or 2)
    try:
        tf.config.threading.set_intra_op_parallelism_threads(int(intra_op_threads))
        tf.config.threading.set_inter_op_parallelism_threads(int(inter_op_threads))
        _THREADS.update(intra=int(intra_op_threads), inter=int(inter_op_threads))
    except RuntimeError:
        pass  # the runtime is already running with the counts set first


def build_model(
    input_shape,
    n_classes: int,
    *,
    filters=(8, 16, 32),
    dense_units: int = 64,
    dropout: float = 0.3,
    learning_rate: float = 2e-3,
):
    """The CNN: convolution + pooling blocks, a ReLU dense layer, dropout, softmax.

    Notebook: ``06_cnn.ipynb``.

    Each block is ``Conv2D(f, 3x3, ReLU) -> MaxPooling2D(2x2)``: the
    3x3 kernels look for small time-frequency patterns (an onset, a harmonic), pooling
    halves the resolution so the next block sees larger patterns. The feature maps are then
    averaged over *time* only (the frequency axis is kept: where a pattern sits in
    frequency matters for the genre) and feed ``Dense(dense_units, ReLU)``, dropout and the
    softmax over genres. Compiled with Adam and ``sparse_categorical_crossentropy``
    (labels are class indices).

    Parameters
    ----------
    input_shape : tuple (n_mels, n_frames, 1)
    n_classes : int >= 2
    filters : sequence of int
        Filters of each convolution block.
    dense_units : int
    dropout : float in [0, 1)
    learning_rate : float > 0

    Returns
    -------
    keras.Model
    """
    _, keras = _import_keras()
    layers = keras.layers

    input_shape = tuple(int(s) for s in input_shape)
    if len(input_shape) != 3 or min(input_shape) <= 0:
        raise ParameterError(f"input_shape must be (n_mels, n_frames, channels), got {input_shape}")
    if n_classes < 2:
        raise ParameterError(f"n_classes must be at least 2, got {n_classes}")
    if not 0 <= dropout < 1:
        raise ParameterError(f"dropout must be in [0, 1), got {dropout}")
    inputs = keras.Input(shape=input_shape, name="log_mel")
    x = inputs
    for i, f in enumerate(filters, start=1):
        x = layers.Conv2D(int(f), 3, padding="same", activation="relu", name=f"conv{i}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{i}")(x)
    # Average over time only: where in frequency a pattern sits (bass drum or hi-hat, low
    # drone or bright lead) matters for the genre, when in the 3 s it happens does not.
    x = layers.AveragePooling2D(pool_size=(1, int(x.shape[2])), name="time_average")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(int(dense_units), activation="relu", name="dense")(x)
    x = layers.Dropout(float(dropout), name="dropout")(x)
    outputs = layers.Dense(int(n_classes), activation="softmax", name="genre")(x)
    model = keras.Model(inputs, outputs, name="genre_cnn")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=float(learning_rate)),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def model_summary(model, *, line_length: int = 80) -> str:
    """``model.summary()`` as plain text (no colours, no box-drawing characters).

    Notebook: ``06_cnn.ipynb``.
    """
    lines: list[str] = []

    def collect(text, *args, **kwargs):
        lines.append(str(text))

    quiet = contextlib.nullcontext()
    try:  # Keras prints through rich, which also sends an empty display to Jupyter: swallow it
        from IPython import get_ipython

        if get_ipython() is not None:
            from IPython.utils.capture import capture_output

            quiet = capture_output(stdout=False, stderr=False, display=True)
    except ImportError:
        pass
    with quiet:
        model.summary(line_length=line_length, print_fn=collect)
    text = "\n".join(lines)
    table = str.maketrans({"┏": "+", "┓": "+", "┗": "+", "┛": "+", "┃": "|", "━": "-", "│": "|", "─": "-",
                           "┡": "+", "┩": "+", "└": "+", "┘": "+", "├": "+", "┤": "+", "┼": "+", "┳": "+",
                           "┻": "+", "╇": "+", "┬": "+", "┴": "+", "┐": "+", "┌": "+"})  # fmt: skip
    return "\n".join(line.rstrip() for line in text.translate(table).splitlines() if line.strip())
