"""A small convolutional network on log-mel spectrogram segments.

Notebooks: ``06_cnn.ipynb`` (training, evaluation) and ``07_classify_your_own_clip.ipynb``
(:func:`predict_clip`).

The pipeline, in the order a notebook runs it:

1. :func:`split_tracks` (from :mod:`musicviz.datasets`) assigns whole *tracks* to train or
   test; :func:`build_segments` is then called separately on each side, so no segment of a
   test clip is ever seen in training.
2. Each clip is cut into non-overlapping segments of :attr:`MelConfig.segment_seconds`
   (3 s by default) and each segment becomes a log-scaled (``power_to_db``) mel spectrogram,
   an image with a frequency axis (mel bands) and a time axis (frames).
3. :class:`BandScaler` standardizes every mel band with a mean and standard deviation
   fitted on the *training* segments only.
4. :func:`train_cnn` trains the network of :func:`build_model` (convolution + pooling
   blocks, ReLU, dropout, softmax; Adam and ``sparse_categorical_crossentropy``)
   deterministically on the CPU, with early stopping on validation *tracks*.
5. :func:`evaluate` gives the segment accuracy and the clip accuracy (the mean probability
   over a clip's segments votes), plus the clip-level predictions for a confusion matrix.
6. :meth:`CNNClassifier.save` writes ``model.keras`` and ``preprocessing.json`` (classes,
   mel parameters, band statistics) atomically; :func:`load_classifier` reads them back and
   :func:`predict_clip` classifies any clip.

TensorFlow and Keras are imported inside functions only: ``import musicviz.cnn`` stays light.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from musicviz import GENRES, SR
from musicviz._io import atomic_path, atomic_write_text
from musicviz.audio import check_signal
from musicviz.errors import AudioContentError, ModelError, MusicvizError, ParameterError

__all__ = [
    "MelConfig",
    "SegmentSet",
    "BandScaler",
    "CNNClassifier",
    "Evaluation",
    "MODEL_FILE",
    "PREPROCESSING_FILE",
    "default_model_dir",
    "default_cache_dir",
    "cut_segments",
    "segment_mels",
    "build_segments",
    "configure_determinism",
    "build_model",
    "model_summary",
    "validation_tracks",
    "train_cnn",
    "clip_probabilities",
    "evaluate",
    "load_classifier",
    "predict_clip",
]

MODEL_FILE = "model.keras"
PREPROCESSING_FILE = "preprocessing.json"
_FORMAT_VERSION = 1


def default_model_dir() -> Path:
    """Where notebook 06 saves the CNN and notebook 07 loads it: ``<data_dir>/models/cnn``."""
    from musicviz.datasets import data_dir

    return data_dir() / "models" / "cnn"


def default_cache_dir() -> Path:
    """Where :func:`build_segments` caches mel segments: ``<data_dir>/cache/cnn_mels``."""
    from musicviz.datasets import data_dir

    return data_dir() / "cache" / "cnn_mels"


# --------------------------------------------------------------------------- preprocessing
@dataclass(frozen=True)
class MelConfig:
    """How a clip becomes the network's input.

    Notebook: ``06_cnn.ipynb``.

    Parameters
    ----------
    sr : int > 0
        Sample rate the clips are (re)sampled to.
    segment_seconds : float > 0
        Length of one segment; a 30 s clip gives ``30 // segment_seconds`` segments.
    n_fft, hop_length : int > 0
        STFT window and hop, in samples.
    n_mels : int > 0
        Number of mel bands (the image height).
    max_segments : int > 0 or None
        Keep at most this many segments per clip (the first ones).

    Examples
    --------
    >>> from musicviz.cnn import MelConfig
    >>> config = MelConfig()
    >>> config.segment_samples, config.n_frames, config.input_shape
    (66150, 130, (64, 130, 1))
    """

    sr: int = SR
    segment_seconds: float = 3.0
    n_fft: int = 2048
    hop_length: int = 512
    n_mels: int = 64
    max_segments: int | None = 10

    def __post_init__(self):
        for name in ("sr", "n_fft", "hop_length", "n_mels"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
                raise ParameterError(f"MelConfig.{name} must be a positive integer, got {value!r}")
        if not self.segment_seconds > 0:
            raise ParameterError(f"MelConfig.segment_seconds must be > 0, got {self.segment_seconds!r}")
        if self.max_segments is not None and self.max_segments <= 0:
            raise ParameterError(f"MelConfig.max_segments must be > 0 or None, got {self.max_segments!r}")
        if self.segment_samples < self.n_fft:
            raise ParameterError(
                f"a segment of {self.segment_seconds} s ({self.segment_samples} samples) is shorter than n_fft={self.n_fft}"
            )

    @property
    def segment_samples(self) -> int:
        """Samples in one segment."""
        return int(round(self.segment_seconds * self.sr))

    @property
    def n_frames(self) -> int:
        """Spectrogram frames in one segment (librosa's centred frames)."""
        return 1 + self.segment_samples // self.hop_length

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """The network's input shape: ``(n_mels, n_frames, 1)``."""
        return (self.n_mels, self.n_frames, 1)

    def to_dict(self) -> dict:
        """Plain types, for JSON."""
        return {k: (float(v) if k == "segment_seconds" else v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict) -> MelConfig:
        """The inverse of :meth:`to_dict` (unknown keys are an error)."""
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ModelError(f"unknown mel parameters {sorted(unknown)}")
        return cls(**data)

    def key(self) -> str:
        """A short hash of the parameters (part of the cache key)."""
        return hashlib.sha1(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:12]


def cut_segments(y, *, sr: int, config: MelConfig = MelConfig()) -> np.ndarray:
    """Cut a clip into non-overlapping segments of ``config.segment_seconds``.

    Notebook: ``06_cnn.ipynb``.

    A clip at another sample rate is resampled to ``config.sr`` first; the tail shorter than
    a segment is dropped; at most ``config.max_segments`` segments are kept.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono samples.
    sr : int > 0
        Their sample rate.
    config : MelConfig

    Returns
    -------
    np.ndarray [shape=(n_segments, config.segment_samples)], float32

    Raises
    ------
    AudioContentError
        The clip is shorter than one segment.
    ParameterError
        ``y`` is not a finite mono signal or ``sr`` is invalid.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.cnn import cut_segments
    >>> cut_segments(np.zeros(22050 * 10), sr=22050).shape
    (3, 66150)
    """
    y = check_signal(y, sr=sr)
    if int(sr) != config.sr:
        import soxr

        y = soxr.resample(y, int(sr), config.sr, quality="HQ")
    n = y.shape[0] // config.segment_samples
    if n == 0:
        raise AudioContentError(
            f"too short for the CNN: {y.shape[0] / config.sr:.2f} s of audio, "
            f"at least one segment of {config.segment_seconds:g} s needed"
        )
    if config.max_segments is not None:
        n = min(n, config.max_segments)
    return np.asarray(y[: n * config.segment_samples], dtype=np.float32).reshape(n, config.segment_samples)


def segment_mels(y, *, sr: int, config: MelConfig = MelConfig()) -> np.ndarray:
    """Log-mel spectrograms (dB, ``power_to_db`` with ``ref=1.0``) of a clip's segments.

    Notebook: ``06_cnn.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono samples, at least one segment long.
    sr : int > 0
        Their sample rate.
    config : MelConfig

    Returns
    -------
    np.ndarray [shape=(n_segments, config.n_mels, config.n_frames)], float32
        Not yet standardized (see :class:`BandScaler`).

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.cnn import segment_mels
    >>> t = np.arange(22050 * 7) / 22050
    >>> segment_mels(0.5 * np.sin(2 * np.pi * 440 * t), sr=22050).shape
    (2, 64, 130)
    """
    import librosa

    segments = cut_segments(y, sr=sr, config=config)
    power = librosa.feature.melspectrogram(
        y=segments, sr=config.sr, n_fft=config.n_fft, hop_length=config.hop_length, n_mels=config.n_mels
    )
    return librosa.power_to_db(power, ref=1.0, amin=1e-10, top_db=None).astype(np.float32)


@dataclass
class SegmentSet:
    """Log-mel segments with the track and genre each one comes from.

    Notebook: ``06_cnn.ipynb``.

    Attributes
    ----------
    X : np.ndarray [shape=(n, n_mels, n_frames)]
        Log-mel segments (dB), not standardized.
    track_ids, genres : np.ndarray [shape=(n,)] of str
        The clip and genre of every segment.
    segment_index : np.ndarray [shape=(n,)] of int
        Position of the segment in its clip (0, 1, ...).
    config : MelConfig
    """

    X: np.ndarray
    track_ids: np.ndarray
    genres: np.ndarray
    segment_index: np.ndarray
    config: MelConfig = field(default_factory=MelConfig)

    def __post_init__(self):
        n = len(self.X)
        if any(len(a) != n for a in (self.track_ids, self.genres, self.segment_index)):
            raise ParameterError("SegmentSet: X, track_ids, genres and segment_index must have the same length")

    def __len__(self) -> int:
        return len(self.X)

    @property
    def n_tracks(self) -> int:
        """Number of distinct clips."""
        return len(np.unique(self.track_ids))

    def subset(self, mask) -> SegmentSet:
        """The segments where ``mask`` is true."""
        mask = np.asarray(mask)
        return SegmentSet(self.X[mask], self.track_ids[mask], self.genres[mask], self.segment_index[mask], self.config)

    def __repr__(self) -> str:
        return f"SegmentSet({len(self)} segments of {self.n_tracks} clips, shape {self.X.shape[1:]})"


def _file_digest(path: Path) -> str:
    digest = hashlib.sha1()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _track_fields(track):
    """(path, track_id, genre) of a Track, a dict, a pandas row, or a (path, id, genre) tuple."""
    if isinstance(track, (tuple, list)) and len(track) == 3:
        return Path(track[0]), str(track[1]), str(track[2])
    getter = track.get if isinstance(track, dict) else lambda k: getattr(track, k, None)
    path, track_id, genre = getter("path"), getter("track_id"), getter("genre")
    if path is None or track_id is None or genre is None:
        raise ParameterError(f"a track needs path, track_id and genre, got {track!r}")
    return Path(path), str(track_id), str(genre)


def build_segments(tracks, *, config: MelConfig = MelConfig(), cache_dir=None, progress: bool = False) -> SegmentSet:
    """Load clips and turn each into log-mel segments (cached on disk).

    Notebook: ``06_cnn.ipynb``.

    Call it separately on the training tracks and on the test tracks (after
    :func:`musicviz.datasets.split_tracks`): segments are cut *after* the track-level split.

    Parameters
    ----------
    tracks : iterable
        :class:`musicviz.datasets.Track` objects (``scan(...).tracks``), rows of
        ``ScanResult.to_frame()`` (``frame.itertuples()``), dicts or ``(path, track_id, genre)``.
    config : MelConfig
    cache_dir : path-like, False or None
        Folder of the cache (default :func:`default_cache_dir`); ``False`` disables it. An
        entry's key is the file's content hash plus the mel parameters; entries are written
        atomically.
    progress : bool
        Show a progress bar.

    Returns
    -------
    SegmentSet

    Raises
    ------
    AudioError
        A file is missing, unreadable or shorter than one segment.
    ParameterError
        No tracks, or a track id given twice.

    Examples
    --------
    >>> import numpy as np, tempfile
    >>> from pathlib import Path
    >>> from musicviz.audio import write_wav
    >>> from musicviz.cnn import build_segments
    >>> root = Path(tempfile.mkdtemp())
    >>> noise = np.random.default_rng(0).normal(0, 0.1, 22050 * 6)
    >>> path = write_wav(root / "rock.00001.wav", noise, sr=22050)
    >>> build_segments([(path, "rock.00001", "rock")], cache_dir=False)
    SegmentSet(2 segments of 1 clips, shape (64, 130))
    """
    from musicviz.audio import load_audio

    items = [_track_fields(t) for t in tracks]
    if not items:
        raise ParameterError("build_segments: no tracks given")
    ids = [i for _, i, _ in items]
    if len(set(ids)) != len(ids):
        raise ParameterError("build_segments: a track id appears twice; give each clip once")
    cache = None if cache_dir is False else Path(cache_dir) if cache_dir is not None else default_cache_dir()
    iterator = items
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(items, desc="mel segments", unit="clip")
    X, track_ids, genres, index = [], [], [], []
    for path, track_id, genre in iterator:
        mels = None
        if cache is not None and path.is_file():
            entry = cache / f"{_file_digest(path)}-{config.key()}.npy"
            if entry.is_file():
                try:
                    mels = np.load(entry)
                except (OSError, ValueError):
                    mels = None  # a damaged entry is recomputed and replaced
        if mels is None:
            y, sr = load_audio(path, sr=config.sr, min_duration=config.segment_seconds)
            mels = segment_mels(y, sr=sr, config=config)
            if cache is not None:
                with atomic_path(entry) as tmp:
                    with open(tmp, "wb") as handle:
                        np.save(handle, mels)
        X.append(mels)
        track_ids += [track_id] * len(mels)
        genres += [genre] * len(mels)
        index += list(range(len(mels)))
    return SegmentSet(
        np.concatenate(X).astype(np.float32),
        np.array(track_ids, dtype=str),
        np.array(genres, dtype=str),
        np.array(index, dtype=int),
        config,
    )


@dataclass
class BandScaler:
    """Per-mel-band standardization: ``(X - mean[band]) / std[band]``.

    Notebook: ``06_cnn.ipynb``.

    Fit it on the training segments only; apply it unchanged to validation, test and any
    new clip. Bands with (near) zero spread get ``std = 1`` instead of a division by zero.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.cnn import BandScaler
    >>> X = np.random.default_rng(0).normal(5.0, 2.0, size=(8, 4, 10))
    >>> scaler = BandScaler.fit(X)
    >>> Z = scaler.transform(X)
    >>> np.allclose(Z.mean(axis=(0, 2)), 0, atol=1e-5), np.allclose(Z.std(axis=(0, 2)), 1, atol=1e-4)
    (True, True)
    """

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, X, *, min_std: float = 1e-6) -> BandScaler:
        """Mean and standard deviation of each band over all segments and frames."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 3 or X.shape[0] == 0:
            raise ParameterError(f"BandScaler.fit needs X of shape (segments, bands, frames), got {X.shape}")
        mean = X.mean(axis=(0, 2))
        std = X.std(axis=(0, 2))
        std = np.where(std < min_std, 1.0, std)
        return cls(mean.astype(np.float32), std.astype(np.float32))

    def transform(self, X) -> np.ndarray:
        """Standardized copy of ``X`` (shape kept, float32)."""
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 3 or X.shape[1] != len(self.mean):
            raise ParameterError(
                f"BandScaler.transform needs X of shape (segments, {len(self.mean)}, frames), got {X.shape}"
            )
        return (X - self.mean[None, :, None]) / self.std[None, :, None]


# --------------------------------------------------------------------------- the model
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
    if intra_op_threads is None:
        intra_op_threads = int(os.environ.get("MUSICVIZ_TF_THREADS") or 2)

    keras.utils.set_random_seed(int(seed))
    tf.config.experimental.enable_op_determinism()
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


def _epoch_logger(log, *, every: int = 1):
    _, keras = _import_keras()

    class EpochSummary(keras.callbacks.Callback):
        """One short line per epoch with rounded numbers (instead of a progress bar)."""

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            if (epoch + 1) % every:
                return
            parts = [f"epoch {epoch + 1:3d}"]
            for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
                if key in logs:
                    parts.append(f"{key} {float(logs[key]):.3f}")
            log("  ".join(parts))

    return EpochSummary()


@dataclass
class CNNClassifier:
    """A trained CNN with everything needed to apply it to a new clip.

    Notebooks: ``06_cnn.ipynb``, ``07_classify_your_own_clip.ipynb``.

    Attributes
    ----------
    model : keras.Model
    classes : tuple of str
        Genre of each output unit.
    scaler : BandScaler
        Per-band statistics of the training segments.
    config : MelConfig
    history : dict
        Per-epoch ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy`` (lists of floats).
    best_epoch : int
        The epoch (1-based) whose weights were kept by early stopping.
    seconds : float
        Training time.
    """

    model: object
    classes: tuple
    scaler: BandScaler
    config: MelConfig
    history: dict = field(default_factory=dict)
    best_epoch: int = 0
    seconds: float = 0.0
    info: dict = field(default_factory=dict)

    def encode(self, genres) -> np.ndarray:
        """Genre names -> class indices; unknown genres are a :class:`ModelError`."""
        lookup = {g: i for i, g in enumerate(self.classes)}
        genres = np.asarray(genres, dtype=str)
        unknown = sorted(set(genres.tolist()) - set(lookup))
        if unknown:
            raise ModelError(f"unknown labels {unknown}: the model knows {list(self.classes)}")
        return np.array([lookup[g] for g in genres], dtype=np.int64)

    def _inputs(self, X) -> np.ndarray:
        X = np.asarray(X)
        expected = (self.config.n_mels, self.config.n_frames)
        if X.ndim == 2:
            X = X[None]
        if X.ndim != 3 or X.shape[1:] != expected:
            raise ModelError(f"the model expects log-mel segments of shape (n, {expected[0]}, {expected[1]}), got {X.shape}")
        return self.scaler.transform(X)[..., None]

    def predict_proba(self, X, *, batch_size: int = 64) -> np.ndarray:
        """Genre probabilities of log-mel segments (shape ``(n, n_mels, n_frames)``)."""
        X = X.X if isinstance(X, SegmentSet) else X
        return np.asarray(self.model.predict(self._inputs(X), batch_size=batch_size, verbose=0), dtype=np.float64)

    def save(self, model_dir=None) -> Path:
        """Write ``model.keras`` and ``preprocessing.json`` into ``model_dir`` (atomically).

        ``preprocessing.json`` holds the classes, the mel parameters, the per-band mean and
        std, the training history and the versions used.
        """
        _, keras = _import_keras()

        model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
        model_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=model_dir))
        try:
            # Keras insists on the .keras suffix, so stage it in a temporary folder.
            self.model.save(staging / MODEL_FILE)
            os.replace(staging / MODEL_FILE, model_dir / MODEL_FILE)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        meta = {
            "format": _FORMAT_VERSION,
            "classes": list(self.classes),
            "mel": self.config.to_dict(),
            "band_mean": [float(v) for v in self.scaler.mean],
            "band_std": [float(v) for v in self.scaler.std],
            "history": {k: [float(x) for x in v] for k, v in self.history.items()},
            "best_epoch": int(self.best_epoch),
            "keras_version": keras.__version__,
            **{k: v for k, v in self.info.items() if isinstance(v, (str, int, float, list, dict))},
        }
        atomic_write_text(model_dir / PREPROCESSING_FILE, json.dumps(meta, indent=1) + "\n")
        return model_dir


def _labels_ok(segments: SegmentSet, classes):
    unknown = sorted(set(segments.genres.tolist()) - set(classes))
    if unknown:
        raise ModelError(f"unknown labels {unknown}: expected genres among {list(classes)}")


def validation_tracks(segments: SegmentSet, *, fraction: float = 0.2, seed: int = 0) -> list[str]:
    """Training tracks held out to stop early: ``fraction`` of each genre's tracks, seeded.

    Notebook: ``06_cnn.ipynb``.

    Every genre with at least two tracks gives at least one (whole) track, so validation
    segments never share a clip with the segments the network is fitted on.

    Raises
    ------
    ModelError
        No genre has two tracks, so nothing can be held out.
    """
    rng = np.random.default_rng(seed)
    tracks, first = np.unique(segments.track_ids, return_index=True)
    genres = segments.genres[first]
    held_out: list[str] = []
    for genre in sorted(set(genres.tolist())):
        ids = np.sort(tracks[genres == genre])
        if len(ids) < 2:
            continue
        n = min(len(ids) - 1, max(1, int(round(fraction * len(ids)))))
        held_out += sorted(rng.permutation(ids)[:n].tolist())
    if not held_out:
        raise ModelError("need at least two training tracks of a genre to hold some out for validation")
    return sorted(held_out)


def train_cnn(
    train: SegmentSet,
    *,
    classes=None,
    validation_fraction: float = 0.2,
    epochs: int = 30,
    batch_size: int = 32,
    patience: int = 5,
    seed: int = 0,
    log=print,
    **model_kwargs,
) -> CNNClassifier:
    """Train the CNN on training segments, deterministically, with early stopping.

    Notebook: ``06_cnn.ipynb``.

    A fraction of the training *tracks* (never single segments) is held out for
    validation; the band statistics are fitted on the remaining training segments only.
    Training stops when the validation loss has not improved for ``patience`` epochs and
    the best weights are restored.

    Parameters
    ----------
    train : SegmentSet
        Segments of the training tracks only.
    classes : sequence of str or None
        Output classes (default: the GTZAN genres present in ``train``, in GTZAN order).
    validation_fraction : float in [0, 1)
        Share of the training tracks used to stop early (0: no early stopping).
    epochs, batch_size, patience : int
    seed : int
        Seeds everything (see :func:`configure_determinism`).
    log : callable or None
        Receives one rounded summary line per epoch (``print`` by default).
    **model_kwargs
        Passed on to :func:`build_model`.

    Returns
    -------
    CNNClassifier

    Raises
    ------
    ModelError
        Fewer than two genres, labels outside ``classes``, or too few tracks to validate.
    """
    if not isinstance(train, SegmentSet) or len(train) == 0:
        raise ModelError("train_cnn needs a non-empty SegmentSet (see build_segments)")
    present = [g for g in GENRES if g in set(train.genres.tolist())]
    extra = sorted(set(train.genres.tolist()) - set(GENRES))
    classes = tuple(classes) if classes is not None else tuple(present + extra)
    if len(classes) < 2:
        raise ModelError(f"need at least two genres to train a classifier, got {list(classes)}")
    _labels_ok(train, classes)
    if not 0 <= validation_fraction < 1:
        raise ParameterError(f"validation_fraction must be in [0, 1), got {validation_fraction}")

    configure_determinism(seed)
    _, keras = _import_keras()

    fit_part, val_part = train, None
    if validation_fraction > 0:
        val_tracks = validation_tracks(train, fraction=validation_fraction, seed=seed)
        is_val = np.isin(train.track_ids, val_tracks)
        fit_part, val_part = train.subset(~is_val), train.subset(is_val)

    scaler = BandScaler.fit(fit_part.X)
    clf = CNNClassifier(model=None, classes=classes, scaler=scaler, config=train.config)
    X_fit, y_fit = clf._inputs(fit_part.X), clf.encode(fit_part.genres)
    validation = None if val_part is None else (clf._inputs(val_part.X), clf.encode(val_part.genres))

    keras.utils.set_random_seed(int(seed))
    model = build_model(train.config.input_shape, len(classes), **model_kwargs)
    callbacks = []
    if validation is not None:
        callbacks.append(
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=int(patience), restore_best_weights=True)
        )
    if log is not None:
        callbacks.append(_epoch_logger(log))
    start = time.perf_counter()
    fit = model.fit(
        X_fit,
        y_fit,
        validation_data=validation,
        epochs=int(epochs),
        batch_size=int(batch_size),
        shuffle=True,
        callbacks=callbacks,
        verbose=0,
    )
    seconds = time.perf_counter() - start
    history = {k: [float(v) for v in values] for k, values in fit.history.items()}
    if "val_loss" in history:
        best_epoch = int(np.argmin(history["val_loss"])) + 1
    else:
        best_epoch = len(history.get("loss", []))
    clf.model, clf.history, clf.best_epoch, clf.seconds = model, history, best_epoch, seconds
    clf.info = {
        "seed": int(seed),
        "n_train_segments": int(len(fit_part)),
        "n_validation_segments": 0 if val_part is None else int(len(val_part)),
    }
    return clf


# --------------------------------------------------------------------------- evaluation
def clip_probabilities(proba, track_ids, *, classes) -> "pandas.DataFrame":  # noqa: F821
    """Clip-level vote: the mean of each clip's segment probabilities.

    Notebook: ``06_cnn.ipynb``.

    Parameters
    ----------
    proba : np.ndarray [shape=(n_segments, n_classes)]
    track_ids : sequence of str [shape=(n_segments,)]
    classes : sequence of str [shape=(n_classes,)]

    Returns
    -------
    pandas.DataFrame
        Indexed by track id (in order of first appearance), one column per class.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.cnn import clip_probabilities
    >>> p = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6]])
    >>> clip_probabilities(p, ["a", "a", "b"], classes=["rock", "jazz"]).round(2).to_dict("index")
    {'a': {'rock': 0.55, 'jazz': 0.45}, 'b': {'rock': 0.4, 'jazz': 0.6}}
    """
    import pandas as pd

    proba = np.asarray(proba, dtype=np.float64)
    track_ids = np.asarray(track_ids, dtype=str)
    if proba.ndim != 2 or proba.shape[0] != len(track_ids) or proba.shape[1] != len(classes):
        raise ParameterError(
            f"proba must have shape ({len(track_ids)}, {len(classes)}) (segments, classes), got {proba.shape}"
        )
    frame = pd.DataFrame(proba, columns=list(classes))
    frame.insert(0, "track_id", track_ids)
    order = list(dict.fromkeys(track_ids.tolist()))
    return frame.groupby("track_id", sort=False).mean().loc[order]


@dataclass
class Evaluation:
    """Segment- and clip-level results of a CNN on test segments.

    Notebook: ``06_cnn.ipynb``.

    Attributes
    ----------
    segment_accuracy, clip_accuracy : float
    segment_proba : np.ndarray [shape=(n_segments, n_classes)]
    clips : pandas.DataFrame
        One row per clip: ``track_id``, ``genre`` (true), ``predicted``, ``confidence``.
    clip_proba : pandas.DataFrame
        Mean probability of each class per clip (index ``track_id``).
    classes : tuple of str
    """

    segment_accuracy: float
    clip_accuracy: float
    segment_proba: np.ndarray
    clips: object
    clip_proba: object
    classes: tuple

    def confusion_matrix(self, *, level: str = "clip") -> np.ndarray:
        """Counts ``[true class, predicted class]`` at clip (default) or segment level."""
        from sklearn.metrics import confusion_matrix

        if level == "clip":
            return confusion_matrix(self.clips["genre"], self.clips["predicted"], labels=list(self.classes))
        raise ParameterError(f"level must be 'clip', got {level!r} (segment labels are in SegmentSet.genres)")


def evaluate(clf: CNNClassifier, segments: SegmentSet) -> Evaluation:
    """Segment accuracy and clip accuracy (mean-probability vote) on held-out segments.

    Notebook: ``06_cnn.ipynb``.

    Raises
    ------
    ModelError
        A segment's genre is not one of the model's classes.
    """
    import pandas as pd

    if not isinstance(segments, SegmentSet) or len(segments) == 0:
        raise ModelError("evaluate needs a non-empty SegmentSet")
    y_true = clf.encode(segments.genres)
    proba = clf.predict_proba(segments.X)
    segment_accuracy = float(np.mean(proba.argmax(axis=1) == y_true))
    clip_proba = clip_probabilities(proba, segments.track_ids, classes=clf.classes)
    first = pd.Series(segments.genres, index=segments.track_ids).groupby(level=0, sort=False).first()
    classes = np.array(clf.classes)
    clips = pd.DataFrame(
        {
            "track_id": clip_proba.index,
            "genre": first.loc[clip_proba.index].to_numpy(),
            "predicted": classes[clip_proba.to_numpy().argmax(axis=1)],
            "confidence": clip_proba.to_numpy().max(axis=1),
        }
    )
    clip_accuracy = float(np.mean(clips["genre"] == clips["predicted"]))
    return Evaluation(segment_accuracy, clip_accuracy, proba, clips, clip_proba, tuple(clf.classes))


# --------------------------------------------------------------------------- saving / applying
def load_classifier(model_dir=None) -> CNNClassifier:
    """Load a classifier written by :meth:`CNNClassifier.save`.

    Notebook: ``07_classify_your_own_clip.ipynb``.

    Raises
    ------
    ModelError
        The folder, ``model.keras`` or ``preprocessing.json`` is missing or unreadable.
    """
    model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
    model_path, meta_path = model_dir / MODEL_FILE, model_dir / PREPROCESSING_FILE
    for path in (model_path, meta_path):
        if not path.is_file():
            raise ModelError(f"{path}: not found; train and save the CNN first (notebook 06_cnn.ipynb)")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        classes = tuple(meta["classes"])
        config = MelConfig.from_dict(meta["mel"])
        scaler = BandScaler(np.array(meta["band_mean"], dtype=np.float32), np.array(meta["band_std"], dtype=np.float32))
    except (ValueError, KeyError, TypeError, MusicvizError) as exc:
        raise ModelError(f"{meta_path}: unreadable preprocessing file ({exc})") from None
    if len(scaler.mean) != config.n_mels or len(scaler.std) != config.n_mels:
        raise ModelError(f"{meta_path}: band statistics do not match n_mels={config.n_mels}")
    configure_determinism(meta.get("seed", 0))
    _, keras = _import_keras()

    try:
        model = keras.models.load_model(model_path)
    except Exception as exc:  # keras raises many kinds for a damaged archive
        raise ModelError(f"{model_path}: could not load the model ({type(exc).__name__}: {exc})") from None
    if model.output_shape[-1] != len(classes):
        raise ModelError(f"{model_path}: {model.output_shape[-1]} outputs but {len(classes)} classes in {meta_path.name}")
    info = {k: meta[k] for k in ("seed", "n_train_segments", "n_validation_segments") if k in meta}
    return CNNClassifier(model, classes, scaler, config, meta.get("history", {}), meta.get("best_epoch", 0), 0.0, info)


def predict_clip(y, *, sr: int, model_dir=None, model: CNNClassifier | None = None) -> dict[str, float]:
    """Genre probabilities of one clip: the mean over its segments.

    Notebook: ``07_classify_your_own_clip.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono samples, at least one segment (3 s) long; any sample rate (resampled).
    sr : int > 0
    model_dir : path-like or None
        Folder of a saved classifier (default :func:`default_model_dir`).
    model : CNNClassifier or None
        An already loaded classifier (then ``model_dir`` is ignored).

    Returns
    -------
    dict
        ``{genre: probability}`` in the model's class order, summing to 1.

    Raises
    ------
    AudioContentError
        The clip is shorter than one segment.
    ModelError
        No saved model in ``model_dir``.
    """
    clf = model if model is not None else load_classifier(model_dir)
    mels = segment_mels(y, sr=sr, config=clf.config)
    mean = clf.predict_proba(mels).mean(axis=0)
    return {g: float(p) for g, p in zip(clf.classes, mean)}
