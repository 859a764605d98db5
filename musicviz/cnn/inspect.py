"""Looking inside the trained CNN: its layers as a table, what a layer outputs, the logits,
occlusion saliency, and which test clips to listen to.

Notebook: ``06_cnn.ipynb``.

The notebook builds the pieces a student should see built (a 2-D convolution in numpy, the
output-shape rule, softmax and cross-entropy) and checks them against what this module reads
out of Keras. TensorFlow and Keras are imported inside functions only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from musicviz.errors import ModelError, ParameterError

__all__ = [
    "layer_table",
    "layer_outputs",
    "logits",
    "keras_loss",
    "OcclusionMap",
    "occlusion_map",
    "clips_to_hear",
    "LEAST_CONFIDENT",
]

#: The label of the clips :func:`clips_to_hear` falls back to when the CNN made no mistake.
LEAST_CONFIDENT = "no mistakes: these are the least confident"


def _pair(value) -> tuple[int, int]:
    value = tuple(int(v) for v in np.atleast_1d(value))
    return value if len(value) == 2 else (value[0], value[0])


def layer_table(model) -> "pandas.DataFrame":  # noqa: F821
    """One row per layer: its window (kernel, stride, padding), its input and output shape, its weights.

    Notebook: ``06_cnn.ipynb``.

    What Keras knows about each layer, as plain numbers, so that a notebook can apply the
    output-shape rule ``floor((n - k + 2p) / s) + 1`` to the ``input`` column and compare
    with ``keras_output``. Padding is given per side: ``"same"`` with stride 1 pads
    ``(k - 1) // 2`` cells on each side (the output keeps the input's size), ``"valid"`` pads
    none. Layers without a sliding window (flatten, dense, dropout) have empty window cells.

    Parameters
    ----------
    model : keras.Model
        A model of :func:`musicviz.cnn.build_model` (any functional model with one input).

    Returns
    -------
    pandas.DataFrame
        Columns ``layer``, ``type``, ``kernel``, ``stride``, ``padding`` (tuples (height,
        width) or ``None``), ``input`` and ``keras_output`` (shapes without the batch axis)
        and ``params``; the input layer is left out.

    Examples
    --------
    >>> from musicviz.cnn import build_model
    >>> from musicviz.cnn.inspect import layer_table
    >>> t = layer_table(build_model((64, 130, 1), 10))
    >>> t.set_index("layer").loc["pool1", ["kernel", "stride", "padding", "input", "keras_output"]].tolist()
    [(2, 2), (2, 2), (0, 0), (64, 130, 8), (32, 65, 8)]
    """
    import pandas as pd

    rows = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        kernel = getattr(layer, "kernel_size", None) or getattr(layer, "pool_size", None)
        stride = getattr(layer, "strides", None)
        padding = None
        if kernel is not None:
            kernel, stride = _pair(kernel), _pair(stride if stride is not None else kernel)
            mode = str(getattr(layer, "padding", "valid")).lower()
            if mode == "same" and stride != (1, 1):
                raise ParameterError(f"layer {layer.name}: 'same' padding with stride {stride} pads unevenly")
            padding = tuple((k - 1) // 2 for k in kernel) if mode == "same" else (0, 0)
        else:
            stride = None
        rows.append({
            "layer": layer.name,
            "type": kind,
            "kernel": kernel,
            "stride": stride,
            "padding": padding,
            "input": tuple(int(s) for s in layer.input.shape[1:]),
            "keras_output": tuple(int(s) for s in layer.output.shape[1:]),
            "params": int(layer.count_params()),
        })
    return pd.DataFrame(rows)


def _check_classifier(clf):
    if getattr(clf, "model", None) is None or not hasattr(clf, "_inputs"):
        raise ModelError("expected a trained CNNClassifier (see musicviz.cnn.train_cnn or load_classifier)")


def layer_outputs(clf, X, *, layers=("conv1",)) -> dict:
    """What some layers of the CNN output for log-mel segments (their *feature maps*).

    Notebook: ``06_cnn.ipynb``.

    Parameters
    ----------
    clf : CNNClassifier
        The trained CNN (its band statistics standardize ``X`` first, as in
        :meth:`~musicviz.cnn.CNNClassifier.predict_proba`).
    X : np.ndarray [shape=(n, n_mels, n_frames) or (n_mels, n_frames)]
        Log-mel segments in dB.
    layers : sequence of str
        Layer names (``"log_mel"`` is the standardized input itself).

    Returns
    -------
    dict
        ``{name: np.ndarray [shape=(n, height, width, channels)]}`` (float64).
    """
    _check_classifier(clf)
    from musicviz.cnn.model import _import_keras

    _, keras = _import_keras()
    inputs = clf._inputs(X)
    names = [str(n) for n in layers]
    known = [layer.name for layer in clf.model.layers]
    unknown = [n for n in names if n not in known]
    if not names or unknown:
        raise ParameterError(f"layers must name layers of the model {known}, got {names}")
    (source,) = clf.model.inputs  # one input tensor, given as such (a list makes Keras warn at every call)
    probe = keras.Model(source, [clf.model.get_layer(n).output for n in names])
    # A direct call, not probe.predict: a new model per call would retrace predict's function
    # (and TensorFlow warns about it in the notebook).
    outputs = probe(inputs, training=False)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    return {n: np.asarray(o, dtype=np.float64) for n, o in zip(names, outputs)}


def _logits_of_inputs(clf, inputs) -> np.ndarray:
    """Logits of already standardized inputs (n, n_mels, n_frames, 1), in float64.

    A direct call of a probe model, not ``predict``: a new model or a batch of another size
    would retrace ``predict``'s function (and TensorFlow warns about it in the notebook).
    """
    from musicviz.cnn.model import _import_keras

    _, keras = _import_keras()
    (source,) = clf.model.inputs
    probe = keras.Model(source, clf.model.layers[-2].output)
    h = np.asarray(probe(inputs, training=False), dtype=np.float64)
    W, b = (np.asarray(w, dtype=np.float64) for w in clf.model.layers[-1].get_weights())
    return h.reshape(len(h), -1) @ W + b


def logits(clf, X) -> np.ndarray:
    """The CNN's scores *before* the softmax: one number per genre and segment.

    Notebook: ``06_cnn.ipynb``.

    The last layer computes ``z = h @ W + b`` from the 64 units ``h`` of the layer before it
    and turns ``z`` into probabilities with a softmax. This returns ``z`` (dropout is off
    outside training, so ``h`` is the dense layer's output), in float64.

    Returns
    -------
    np.ndarray [shape=(n, n_classes)]
    """
    _check_classifier(clf)
    return _logits_of_inputs(clf, clf._inputs(X))


def _log_odds(z, k: int) -> np.ndarray:
    """``ln(p_k / (1 - p_k))`` of the softmax of ``z``, from the logits (exact where p_k rounds to 1)."""
    z = np.asarray(z, dtype=np.float64)
    others = np.delete(z, k, axis=-1)
    top = others.max(axis=-1)
    return z[..., k] - top - np.log(np.exp(others - top[..., None]).sum(axis=-1))


def keras_loss(clf, X, genres) -> float:
    """Keras's own mean cross-entropy loss (the one training minimises) on some segments.

    Notebook: ``06_cnn.ipynb``.
    """
    _check_classifier(clf)
    loss = clf.model.evaluate(clf._inputs(X), clf.encode(genres), verbose=0, batch_size=64)
    return float(loss[0] if isinstance(loss, (list, tuple)) else loss)


@dataclass
class OcclusionMap:
    """How much the network's log-odds for one genre drop when each part of the input is hidden.

    Notebook: ``06_cnn.ipynb``.

    Attributes
    ----------
    drop : np.ndarray [shape=(n_mels, n_frames)]
        For each cell of the input, the mean drop of the log-odds ``ln(p / (1 - p))`` of the
        target over the patches that covered it (positive: hiding it makes the genre less
        likely; a drop of 1 divides the odds by e).
    grid : np.ndarray [shape=(rows, columns)]
        The drop of each patch position; rows run up the mel axis, columns along time.
    probability : float
        The genre's probability with nothing hidden (from the float64 logits).
    target : str
        The genre.
    patch, stride : tuple of int
        (mel bands, frames).
    """

    drop: np.ndarray
    grid: np.ndarray
    probability: float
    target: str
    patch: tuple
    stride: tuple


def occlusion_map(clf, segment, *, target: str, patch=(8, 10), stride=None, batch_size: int = 128) -> OcclusionMap:
    """Occlusion saliency: hide one patch of the input at a time and watch the genre's probability.

    Notebook: ``06_cnn.ipynb``.

    What is watched is the genre's log-odds ``ln(p / (1 - p))`` (0 at p = 0.5, 4.6 at
    p = 0.99), computed from the logits in float64: a confident network's probability sits
    at 1.0 whatever is hidden, its log-odds still move.
    The patch is set to 0 *after* standardization, i.e. to the training mean of each mel
    band: the hidden part carries no information, and the input stays in the range the
    network has seen. The patch slides with ``stride``, so (like a convolution) it takes
    ``floor((n - k) / s) + 1`` positions along each axis, one prediction each.

    Parameters
    ----------
    clf : CNNClassifier
    segment : np.ndarray [shape=(n_mels, n_frames)]
        One log-mel segment in dB.
    target : str
        The genre whose probability is watched (one of ``clf.classes``).
    patch : (int, int)
        Patch size (mel bands, frames).
    stride : (int, int) or None
        Step between patches (default: half the patch).
    batch_size : int

    Returns
    -------
    OcclusionMap
    """
    _check_classifier(clf)
    if target not in clf.classes:
        raise ParameterError(f"target must be one of the model's genres {list(clf.classes)}, got {target!r}")
    x = clf._inputs(segment)
    if x.shape[0] != 1:
        raise ParameterError(f"segment must be one log-mel segment (n_mels, n_frames), got {np.shape(segment)}")
    n_mels, n_frames = x.shape[1:3]
    patch = _pair(patch)
    stride = tuple(max(1, p // 2) for p in patch) if stride is None else _pair(stride)
    if not (0 < patch[0] <= n_mels and 0 < patch[1] <= n_frames) or min(stride) < 1:
        raise ParameterError(f"patch {patch} must fit the input {(n_mels, n_frames)} and the stride {stride} be >= 1")
    rows = (n_mels - patch[0]) // stride[0] + 1
    cols = (n_frames - patch[1]) // stride[1] + 1
    k = list(clf.classes).index(target)
    base = float(_log_odds(_logits_of_inputs(clf, x), k)[0])
    grid = np.empty((rows, cols))
    drop, cover = np.zeros((n_mels, n_frames)), np.zeros((n_mels, n_frames))
    positions = [(r * stride[0], c * stride[1]) for r in range(rows) for c in range(cols)]
    for start in range(0, len(positions), batch_size):
        chunk = positions[start:start + batch_size]
        batch = np.repeat(x, len(chunk), axis=0)
        for b, (i, j) in enumerate(chunk):
            batch[b, i:i + patch[0], j:j + patch[1]] = 0.0
        log_odds = _log_odds(_logits_of_inputs(clf, batch), k)
        for (i, j), value in zip(chunk, log_odds):
            grid[i // stride[0], j // stride[1]] = base - value
            drop[i:i + patch[0], j:j + patch[1]] += base - value
            cover[i:i + patch[0], j:j + patch[1]] += 1
    drop = np.divide(drop, cover, out=np.zeros_like(drop), where=cover > 0)
    return OcclusionMap(drop, grid, float(1 / (1 + np.exp(-base))), str(target), patch, stride)


def clips_to_hear(result, segments, *, n: int = 4, fallback: int = 2) -> "pandas.DataFrame":  # noqa: F821
    """The test clips to listen to: the CNN's mistakes, or its least confident clips when it made none.

    Notebook: ``06_cnn.ipynb``.

    For a wrong clip, the segment the CNN found most like the genre it chose; when every
    clip is right, the ``fallback`` clips with the lowest confidence and, in each, the
    *worst* segment (the lowest probability of the clip's own genre). So a student always
    hears where the network is weakest.

    Parameters
    ----------
    result : Evaluation
        From :func:`musicviz.cnn.evaluate`.
    segments : SegmentSet
        The segments ``result`` was computed on.
    n : int
        At most this many mistakes.
    fallback : int
        How many least-confident clips when there is no mistake.

    Returns
    -------
    pandas.DataFrame
        ``track_id``, ``genre``, ``predicted``, ``confidence``, ``start`` and ``end`` (seconds
        of the segment in the clip) and ``why`` (``"mistake"`` or :data:`LEAST_CONFIDENT`).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from types import SimpleNamespace
    >>> from musicviz.cnn import MelConfig, SegmentSet
    >>> from musicviz.cnn.inspect import clips_to_hear
    >>> seg = SegmentSet(np.zeros((4, 64, 130)), np.array(["a", "a", "b", "b"]), np.array(["rock", "rock", "jazz", "jazz"]),
    ...                  np.array([0, 1, 0, 1]), MelConfig())
    >>> proba = np.array([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.45, 0.55]])  # classes (rock, jazz)
    >>> clips = pd.DataFrame({"track_id": ["a", "b"], "genre": ["rock", "jazz"], "predicted": ["rock", "jazz"],
    ...                       "confidence": [0.75, 0.625]})
    >>> result = SimpleNamespace(clips=clips, segment_proba=proba, classes=("rock", "jazz"))
    >>> clips_to_hear(result, seg, fallback=1)[["track_id", "start", "end", "why"]].to_dict("records")
    [{'track_id': 'b', 'start': 3.0, 'end': 6.0, 'why': 'no mistakes: these are the least confident'}]
    """
    import pandas as pd

    clips = result.clips
    classes = list(result.classes)
    proba = np.asarray(result.segment_proba)
    if len(proba) != len(segments):
        raise ParameterError(f"result has {len(proba)} segments, segments has {len(segments)}: not the same set")
    wrong = clips[clips["genre"] != clips["predicted"]].head(int(n))
    if len(wrong):
        chosen, why = wrong, "mistake"
    else:
        chosen, why = clips.sort_values("confidence", kind="stable").head(int(fallback)), LEAST_CONFIDENT
    seconds = float(segments.config.segment_seconds)
    rows = []
    for row in chosen.itertuples():
        idx = np.flatnonzero(segments.track_ids == row.track_id)
        if why == "mistake":  # the segment most like the genre it chose
            best = idx[np.argmax(proba[idx, classes.index(row.predicted)])]
        else:  # the segment least like its own genre
            best = idx[np.argmin(proba[idx, classes.index(row.genre)])]
        start = float(segments.segment_index[best]) * seconds
        rows.append({"track_id": row.track_id, "genre": row.genre, "predicted": row.predicted,
                     "confidence": float(row.confidence), "start": start, "end": start + seconds, "why": why})
    return pd.DataFrame(rows, columns=["track_id", "genre", "predicted", "confidence", "start", "end", "why"])
