"""musicnn's networks rebuilt with TensorFlow 2 ops, weights read from musicnn's wheel.

Notebook: ``08_transfer_learning.ipynb``.

musicnn 0.1.0 (Pons & Serra, ISC licence, https://github.com/jordipons/musicnn) ships four
trained networks as TF1 checkpoints inside its wheel, in ``<package>/<model>/`` under the
file prefix ``""`` (files ``.index`` and ``.data-00000-of-00001``). Its code needs
``tf.compat.v1.layers``, which Keras 3 removed, so the project installs the wheel for its data
only (``pip install --no-deps musicnn==0.1.0``, done by ``make env`` or ``musicviz weights``) and this module
recomputes the same graphs with plain TF2 ops (``tf.nn.conv2d``, ``tf.nn.batch_normalization``,
...) in inference mode (moving averages, no dropout), as :class:`Network` objects.

``tf.train.load_checkpoint`` cannot open these checkpoints: given the folder, it follows the
``checkpoint`` file, which names the authors' own disk (``/home/jpons/...``). The weights are
read with ``tf.compat.v1.train.NewCheckpointReader`` on the prefix ``<folder>/`` instead, and
every variable the graph needs must be there with the expected shape (a missing or damaged
file is a :class:`~musicviz.errors.ModelError`, never random weights, unlike musicnn's
``extractor``, which ignores a failed restore).

Architectures (``models.py`` of musicnn), input ``(patches, 187, 96)``:

* ``*_musicnn``: batch norm of the input; front end of 5 CNNs (timbral: 204 filters 7x38
  and 7x67 over time x frequency; temporal: 51 filters of 128, 64, 32 frames x 1), each
  ReLU, batch norm, max over frequency -> 561 features per frame; mid end of three 7-frame
  1-D convolutions (64 filters, ReLU, batch norm; residual on the last two) -> 753 features
  per frame with the front end's; back end: max and mean over time (``max_pool``,
  ``mean_pool``, 753 each), batch norm, dense 200 + ReLU + batch norm (``penultimate``),
  dense 50 (logits) -> sigmoid.
* ``*_vgg``: batch norm, five 3x3 CNNs of 128 filters (ReLU, batch norm, max pooling
  4x1/2, 2x2, 2x2, 2x2, 4x4) -> ``pool5`` (2 x 1 x 128 = 256), dense 50 -> sigmoid.

How the musicnn graph is computed (the same numbers, about twice as fast on one thread):

* a front-end filter's output is ReLU -> batch norm -> max over frequency, and each of these
  steps is monotone per filter (rounding is monotone too): non-decreasing when the batch
  norm's scale ``gamma`` is >= 0, non-increasing otherwise. So the max over frequency is taken
  of the convolution's raw output first (of the filter negated, for ``gamma < 0``: a max of
  -z is exactly -min z), and bias, ReLU and batch norm then run on ``(n, 187, filters)``
  instead of ``(n, 187, frequencies, filters)``: bit for bit the same values;
* the temporal convolutions (one input channel, kernels of 128, 64, 32 frames) are one matrix
  product each: frames of ``8 + k - 1`` input samples, every 8th, times a banded (Toeplitz)
  matrix of ``8 * 51`` columns that holds the kernel 8 times, shifted (:func:`_banded`).
  TensorFlow's own convolution (Eigen, without oneDNN) is slow on that shape: for 10 patches,
  278, 149 and 93 ms against 62, 45 and 34 ms (same values);
* a clip's patches go through one compiled graph (``tf.function`` with a fixed input
  signature: one trace per network and process, whatever the number of patches), at most
  :data:`MAX_BATCH` patches per call so that a long clip does not need gigabytes.

Measured (a 30 s clip, 10 patches, one thread, ``TF_ENABLE_ONEDNN_OPTS=0``, best of 5 runs;
CPU time, the machine being shared): the graph 0.96 CPU-s before, 0.47 after; what remains is
almost all the two timbral convolutions (11 of the 14 GMAC per clip), which Eigen runs near
the core's peak. The outputs were bit for bit those of the direct graph (every clip of the
synthetic set tried, both musicnn models), and ``tests/test_pretrained.py`` checks them
against the original code's within float32 accumulation error. They depend on TensorFlow's
intra-op thread count in the last bits (one thread and two differ by ~1e-5 on ``max_pool``):
the embedding table's workers use one.

TensorFlow is imported when a network is first loaded, never by ``import musicviz``.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
from pathlib import Path

import numpy as np

from musicviz.errors import ModelError, ParameterError
from musicviz.pretrained.inputs import N_MELS, PATCH_FRAMES

__all__ = ["MODELS", "LAYERS", "OUTPUTS", "MAX_BATCH", "Network", "load_network", "checkpoint_dir", "weights_digest"]

#: The models musicnn's wheel ships.
MODELS: tuple[str, ...] = ("MTT_musicnn", "MSD_musicnn", "MTT_vgg", "MSD_vgg")
#: Embedding layers per architecture and their sizes (``pooled`` = ``max_pool`` then ``mean_pool``).
LAYERS: dict[str, dict[str, int]] = {
    "musicnn": {"penultimate": 200, "mean_pool": 753, "max_pool": 753, "pooled": 1506},
    "vgg": {"pool5": 256},
}
#: What a network's graph returns per patch, by architecture (``pooled`` is put together from
#: ``max_pool`` and ``mean_pool`` afterwards). Every one is on the way to the taggram, so a
#: graph returning fewer would run the same convolutions.
OUTPUTS: dict[str, tuple[str, ...]] = {
    "musicnn": ("taggram", "penultimate", "mean_pool", "max_pool"),
    "vgg": ("taggram", "pool5"),
}
#: Most patches per graph call (a 30 s clip has 10): longer clips run in batches of this size,
#: so memory stays bounded (measured: 64 patches at once took 1 GB before, 0.3 GB in batches of
#: 32; the timbral convolutions alone give 9 MB per patch). Eigen's loop blocking depends on the
#: batch size, so a patch's last bits do too: changing this changes long clips' outputs.
MAX_BATCH: int = 32
_EPSILON = 1e-3  # tf.compat.v1.layers.batch_normalization's default
_BLOCK = 8  # output frames per row of the temporal convolutions' matrix product (_banded)
_find_spec = importlib.util.find_spec  # replaceable in tests (a machine without musicnn)


def _check_model(model) -> str:
    if model not in MODELS:
        raise ParameterError(f"model must be one of {list(MODELS)}, got {model!r}")
    return model


def architecture(model: str) -> str:
    """``"musicnn"`` or ``"vgg"``."""
    return _check_model(model).split("_", 1)[1]


def checkpoint_dir(model: str) -> Path:
    """The folder of ``model``'s checkpoint inside the installed musicnn package.

    Raises
    ------
    ModelError
        musicnn is not installed, or its folder lacks the checkpoint files.

    Examples
    --------
    >>> from musicviz.pretrained.network import checkpoint_dir
    >>> checkpoint_dir("MTT_musicnn").name  # doctest: +SKIP
    'MTT_musicnn'
    """
    _check_model(model)
    spec = _find_spec("musicnn")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "the pretrained weights come from the musicnn package, which is not installed: "
            "`musicviz weights` installs it (pip install --no-deps musicnn==0.1.0; `make env` in a clone)"
        )
    folder = Path(list(spec.submodule_search_locations)[0]) / model
    missing = [name for name in (".index", ".data-00000-of-00001") if not (folder / name).is_file()]
    if missing:
        raise ModelError(
            f"{folder}: the {model} checkpoint lacks {missing}; reinstall the weights with `musicviz weights --force` "
            "(pip install --force-reinstall --no-deps musicnn==0.1.0)"
        )
    return folder


@functools.lru_cache(maxsize=None)
def weights_digest(model: str) -> str:
    """SHA-256 of ``model``'s checkpoint files (part of every cache key: other weights, other entries)."""
    from musicviz.cache import content_digest

    folder = checkpoint_dir(model)
    digest = hashlib.sha256()
    for name in (".index", ".data-00000-of-00001"):
        digest.update(content_digest(folder / name).encode())
    return digest.hexdigest()


def _import_tf():
    """TensorFlow, imported quietly (no C++ log, no oneDNN notice or reordering)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    import tensorflow as tf

    return tf


def _read_weights(model: str) -> dict[str, np.ndarray]:
    tf = _import_tf()
    folder = checkpoint_dir(model)
    try:
        reader = tf.compat.v1.train.NewCheckpointReader(str(folder) + os.sep)
        shapes = reader.get_variable_to_shape_map()
        return {
            name: np.asarray(reader.get_tensor(name), dtype=np.float32)
            for name in shapes
            if "Adam" not in name and not name.endswith("_power")
        }
    except Exception as exc:  # TensorFlow's DataLossError, NotFoundError, ...
        raise ModelError(f"{folder}: cannot read the {model} checkpoint ({type(exc).__name__}: {exc})") from None


class Network:
    """One of musicnn's trained networks, ready for inference (use :func:`load_network`).

    Calling it on patches ``(n, 187, 96)`` (float32, :func:`musicviz.pretrained.inputs.patches`)
    returns a dict of float32 arrays with ``n`` rows: ``"taggram"`` (sigmoid probabilities,
    50 columns) and the embedding layers of :data:`LAYERS`, or only the names given as
    ``outputs``. The graph is traced once (its input signature has any number of patches).
    """

    def __init__(self, model: str):
        self.model = _check_model(model)
        self.architecture = architecture(model)
        tf = _import_tf()
        weights = _read_weights(model)
        expected = _expected_shapes(self.architecture)
        problems = [
            f"{name} {weights[name].shape if name in weights else 'missing'} (expected {shape})"
            for name, shape in expected.items()
            if name not in weights or weights[name].shape != shape
        ]
        if problems:
            raise ModelError(f"{checkpoint_dir(model)}: not the {model} checkpoint musicviz expects: {'; '.join(problems[:3])}")
        weights = {name: weights[name] for name in expected}
        if self.architecture == "musicnn":
            weights.update(_front_end_weights(weights))
        with tf.device("/CPU:0"):
            self._w = {name: tf.constant(value) for name, value in weights.items()}
        forward = _musicnn_forward if self.architecture == "musicnn" else _vgg_forward
        spec = tf.TensorSpec([None, PATCH_FRAMES, N_MELS], tf.float32)
        self._forward = tf.function(functools.partial(forward, tf, self._w), input_signature=[spec])

    def __repr__(self) -> str:
        return f"Network({self.model!r})"

    def __call__(self, patches, *, outputs=None) -> dict[str, np.ndarray]:
        names = ("taggram", *LAYERS[self.architecture])
        wanted = names if outputs is None else tuple(outputs)
        unknown = [name for name in wanted if name not in names]
        if unknown or not wanted:
            raise ParameterError(f"outputs must be some of {list(names)} for {self.model}, got {outputs!r}")
        patches = np.asarray(patches, dtype=np.float32)
        if patches.ndim != 3 or patches.shape[1:] != (PATCH_FRAMES, N_MELS):
            raise ParameterError(f"patches must have shape (n, {PATCH_FRAMES}, {N_MELS}), got {patches.shape}")
        tf = _import_tf()
        parts = []
        with tf.device("/CPU:0"):
            for start in range(0, max(len(patches), 1), MAX_BATCH):
                out = self._forward(tf.constant(patches[start : start + MAX_BATCH]))
                parts.append({name: value.numpy() for name, value in out.items()})
        result = {name: np.concatenate([part[name] for part in parts]) if len(parts) > 1 else parts[0][name] for name in parts[0]}
        if "pooled" in wanted:
            result["pooled"] = np.concatenate([result["max_pool"], result["mean_pool"]], axis=1)
        return {name: result[name] for name in wanted}


@functools.lru_cache(maxsize=None)
def load_network(model: str = "MTT_musicnn") -> Network:
    """The :class:`Network` of ``model``, built once per process (later calls reuse it).

    Notebook: ``08_transfer_learning.ipynb``.

    Raises
    ------
    ParameterError
        Unknown ``model``.
    ModelError
        musicnn is not installed, or its checkpoint is missing or damaged.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.pretrained.network import load_network
    >>> network = load_network("MTT_musicnn")  # doctest: +SKIP
    >>> out = network(np.zeros((2, 187, 96), np.float32))  # doctest: +SKIP
    >>> out["taggram"].shape, out["penultimate"].shape, out["pooled"].shape  # doctest: +SKIP
    ((2, 50), (2, 200), (2, 1506))
    >>> list(network(np.zeros((1, 187, 96), np.float32), outputs=["taggram"]))  # doctest: +SKIP
    ['taggram']
    """
    return Network(_check_model(model))


# --------------------------------------------------------------------------- graphs
def _bn_shapes(names_sizes):
    shapes = {}
    for name, size in names_sizes:
        for part in ("beta", "gamma", "moving_mean", "moving_variance"):
            shapes[f"{name}/{part}"] = (size,)
    return shapes


def _expected_shapes(arch: str) -> dict[str, tuple]:
    if arch == "musicnn":
        bn = [("batch_normalization", 1), ("batch_normalization_1", 204), ("batch_normalization_2", 204)]
        bn += [(f"batch_normalization_{i}", 51) for i in (3, 4, 5)]
        bn += [(f"batch_normalization_{i}", 64) for i in (6, 7, 8)]
        bn += [("batch_normalization_9", 1506), ("batch_normalization_10", 200)]
        shapes = _bn_shapes(bn)
        kernels = {
            "conv2d": (7, 38, 1, 204), "conv2d_1": (7, 67, 1, 204),
            "conv2d_2": (128, 1, 1, 51), "conv2d_3": (64, 1, 1, 51), "conv2d_4": (32, 1, 1, 51),
            "conv2d_5": (7, 561, 1, 64), "conv2d_6": (7, 64, 1, 64), "conv2d_7": (7, 64, 1, 64),
            "dense": (1506, 200), "dense_1": (200, 50),
        }  # fmt: skip
    else:
        shapes = _bn_shapes([("batch_normalization", 1)] + [(f"batch_normalization_{i}", 128) for i in range(1, 6)])
        kernels = {"1CNN": (3, 3, 1, 128), **{f"{i}CNN": (3, 3, 128, 128) for i in range(2, 6)}, "dense": (256, 50)}
    for name, shape in kernels.items():
        shapes[f"{name}/kernel"] = shape
        shapes[f"{name}/bias"] = (shape[-1],)
    return shapes


def _bn(tf, w, name, x):
    return tf.nn.batch_normalization(
        x, w[f"{name}/moving_mean"], w[f"{name}/moving_variance"], w[f"{name}/beta"], w[f"{name}/gamma"], _EPSILON
    )


def _conv(tf, w, name, x, padding):
    return tf.nn.relu(tf.nn.conv2d(x, w[f"{name}/kernel"], strides=1, padding=padding) + w[f"{name}/bias"])


def _pad_time(tf, x, before=3, after=3):
    return tf.pad(x, [[0, 0], [before, after], [0, 0], [0, 0]])


def _same_padding(k: int) -> tuple[int, int]:
    """Frames TensorFlow's ``padding='SAME'`` adds before and after, for a kernel of ``k`` frames."""
    return (k - 1) // 2, k - 1 - (k - 1) // 2


# The front end's five filters of musicnn: (kernel, batch norm); timbral ones span frequency.
_TIMBRAL = (("conv2d", "batch_normalization_1"), ("conv2d_1", "batch_normalization_2"))
_TEMPORAL = (("conv2d_2", "batch_normalization_3"), ("conv2d_3", "batch_normalization_4"), ("conv2d_4", "batch_normalization_5"))


def _banded(kernel: np.ndarray, block: int) -> np.ndarray:
    """A 1-D convolution's kernel ``(k, c)`` as a ``(block + k - 1, block * c)`` matrix.

    A frame of ``block + k - 1`` consecutive (padded) inputs times this matrix gives the
    ``block`` consecutive outputs that start with the frame: column ``j * c + f`` holds
    filter ``f`` shifted down by ``j`` (zeros elsewhere; they add exact zeros).

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.pretrained.network import _banded
    >>> x, kernel = np.arange(6.0), np.array([[1.0], [10.0]])   # k = 2, one filter
    >>> (x[0:3] @ _banded(kernel, 2)).tolist()                  # outputs 0 and 1
    [10.0, 21.0]
    >>> [float(x[t] + 10 * x[t + 1]) for t in (0, 1)]         # the convolution's
    [10.0, 21.0]
    """
    k, c = kernel.shape
    matrix = np.zeros((block + k - 1, block, c), dtype=np.float32)
    for j in range(block):
        matrix[j : j + k, j] = kernel
    return matrix.reshape(block + k - 1, block * c)


def _front_end_weights(weights: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per front-end filter, the kernel times the sign of its batch norm's ``gamma`` (exact).

    ``<conv>/sign`` (+1 or -1 per filter), ``<conv>/signed_kernel`` (timbral) and
    ``<conv>/banded`` (temporal, :func:`_banded`): see :func:`_front_end_max`.
    """
    extra = {}
    for conv, bn in _TIMBRAL + _TEMPORAL:
        sign = np.where(weights[f"{bn}/gamma"] >= 0, 1.0, -1.0).astype(np.float32)
        extra[f"{conv}/sign"] = sign
        signed = weights[f"{conv}/kernel"] * sign  # multiplying by +-1 is exact
        if (conv, bn) in _TIMBRAL:
            extra[f"{conv}/signed_kernel"] = signed
        else:
            extra[f"{conv}/banded"] = _banded(signed[:, 0, 0, :], _BLOCK)
    return extra


def _front_end_max(tf, w, conv, bn, signed_max):
    """``max over frequency of BN(ReLU(z + bias))`` from ``max over frequency of sign * z``.

    ``z -> BN(ReLU(z + bias))`` is non-decreasing for a filter whose batch norm has
    ``gamma >= 0`` and non-increasing otherwise (each step rounds monotonically), so its max
    over frequency is its value at ``max z`` or at ``min z = -max(-z)``: the same bits as
    applying it to every frequency first, on 96 (or 59, 30) times fewer values.
    """
    extreme = signed_max * w[f"{conv}/sign"]
    return _bn(tf, w, bn, tf.nn.relu(extreme + w[f"{conv}/bias"]))


def _musicnn_forward(tf, w, x):
    x = _bn(tf, w, "batch_normalization", x[..., None])  # (n, 187, 96, 1)
    front = []
    # Timbral: 'valid' over (time padded by 3, frequency), then max over what is left of frequency.
    padded = _pad_time(tf, x)
    for conv, bn in _TIMBRAL:
        z = tf.nn.conv2d(padded, w[f"{conv}/signed_kernel"], strides=1, padding="VALID")  # (n, 187, f, 204)
        front.append(_front_end_max(tf, w, conv, bn, tf.reduce_max(z, axis=2)))
    # Temporal: 'same' over time (TF pads (k-1)//2 before, the rest after), max over frequency;
    # each as one matrix product (_banded): rows are frames of _BLOCK + k - 1 samples.
    n = tf.shape(x)[0]
    blocks = -(-PATCH_FRAMES // _BLOCK)
    by_band = tf.transpose(x[..., 0], [0, 2, 1])  # (n, 96, 187): frequency bands of time signals
    for conv, bn in _TEMPORAL:
        banded = w[f"{conv}/banded"]
        k = banded.shape[0] - _BLOCK + 1
        filters = banded.shape[1] // _BLOCK
        before, after = _same_padding(k)
        signal = tf.pad(by_band, [[0, 0], [0, 0], [before, after + blocks * _BLOCK - PATCH_FRAMES]])
        frames = tf.signal.frame(signal, _BLOCK + k - 1, _BLOCK, axis=-1)  # (n, 96, blocks, 8 + k - 1)
        z = tf.matmul(tf.reshape(frames, [-1, _BLOCK + k - 1]), banded)  # (n * 96 * blocks, 8 * filters)
        z = tf.reduce_max(tf.reshape(z, [n, N_MELS, blocks * _BLOCK, filters]), axis=1)[:, :PATCH_FRAMES]
        front.append(_front_end_max(tf, w, conv, bn, z))
    front = tf.concat(front, axis=2)  # (n, 187, 561)

    def mid(name, bn, features):  # (n, 187, c) -> (n, 187, 64): a 7-frame convolution over all c features
        out = _conv(tf, w, name, _pad_time(tf, features[..., None]), "VALID")  # (n, 187, 1, 64)
        return _bn(tf, w, bn, out)[:, :, 0, :]

    c1 = mid("conv2d_5", "batch_normalization_6", front)
    c2 = mid("conv2d_6", "batch_normalization_7", c1) + c1
    c3 = mid("conv2d_7", "batch_normalization_8", c2) + c2
    features = tf.concat([front, c1, c2, c3], axis=2)  # (n, 187, 753)
    max_pool = tf.reduce_max(features, axis=1)
    mean_pool = tf.reduce_mean(features, axis=1)
    flat = tf.reshape(tf.stack([max_pool, mean_pool], axis=2), [-1, 2 * 753])  # musicnn's order: interleaved
    flat = _bn(tf, w, "batch_normalization_9", flat)
    dense = tf.nn.relu(tf.matmul(flat, w["dense/kernel"]) + w["dense/bias"])
    penultimate = _bn(tf, w, "batch_normalization_10", dense)
    logits = tf.matmul(penultimate, w["dense_1/kernel"]) + w["dense_1/bias"]
    return {"taggram": tf.nn.sigmoid(logits), "penultimate": penultimate, "mean_pool": mean_pool, "max_pool": max_pool}


def _vgg_forward(tf, w, x):
    x = _bn(tf, w, "batch_normalization", x[..., None])
    pools = ((4, 1), (2, 2), (2, 2), (2, 2), (4, 4))
    strides = ((2, 2), (2, 2), (2, 2), (2, 2), (4, 4))
    for i in range(5):
        x = _bn(tf, w, f"batch_normalization_{i + 1}", _conv(tf, w, f"{i + 1}CNN", x, "SAME"))
        x = tf.nn.max_pool2d(x, ksize=pools[i], strides=strides[i], padding="VALID")
    pool5 = tf.reshape(x, [-1, 256])
    logits = tf.matmul(pool5, w["dense/kernel"]) + w["dense/bias"]
    return {"taggram": tf.nn.sigmoid(logits), "pool5": pool5}
