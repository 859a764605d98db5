"""A trained CNN as one object: apply it, save it as a pair of files, load it, classify a clip.

Notebooks: ``06_cnn.ipynb`` (:meth:`CNNClassifier.save`) and
``07_classify_your_own_clip.ipynb`` (:func:`load_classifier`, :func:`predict_clip`).

A saved classifier is a folder holding exactly two files: ``model.keras`` (the network) and
``preprocessing.json`` (classes, mel parameters, band statistics, training history). The two
belong together, so :meth:`CNNClassifier.save` writes both into a hidden staging folder next
to the model folder and swaps it in as a whole (:func:`musicviz._io.replace_folder`): a crash
leaves the previous pair or the new pair, never a new network with old preprocessing.
:func:`load_classifier` changes no global state (Python's, NumPy's and TensorFlow's random
generators are left as they were).

:class:`CNNClassifier` lives here rather than in :mod:`musicviz.cnn.training` because the
file format is part of it: training builds one, this module saves and loads it, and no module
of the package imports one that imports it back.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from musicviz._io import atomic_write_text, make_sibling_folder, replace_folder
from musicviz.cnn.data import BandScaler, MelConfig, SegmentSet, segment_mels
from musicviz.cnn.model import _configure_threads, _import_keras
from musicviz.errors import ModelError, MusicvizError, OutputError

__all__ = [
    "CNNClassifier",
    "MODEL_FILE",
    "PREPROCESSING_FILE",
    "default_model_dir",
    "load_classifier",
    "predict_clip",
]

MODEL_FILE = "model.keras"
PREPROCESSING_FILE = "preprocessing.json"
_FORMAT_VERSION = 1
_MAX_PREPROCESSING_BYTES = 16 * 2**20  # a saved CNN's takes a few KB
# Left inside a model folder by a crash of musicviz's earlier save (``.staging-<random>``).
_OLD_STAGING_PREFIX = ".staging-"


def default_model_dir() -> Path:
    """Where notebook 06 saves the CNN and notebook 07 loads it: ``<data_dir>/models/cnn``."""
    from musicviz.config import models_dir

    return models_dir() / "cnn"


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
        """Write ``model.keras`` and ``preprocessing.json`` into ``model_dir``, as a pair.

        ``preprocessing.json`` holds the classes, the mel parameters, the per-band mean and
        std, the training history and the versions used. Both files are written into a hidden
        folder next to ``model_dir`` (``.<name>.staging-<random>``), flushed to disk, and that
        folder then takes the place of ``model_dir``: readers see the previous pair or the new
        one, and a failure at any point leaves the previous pair untouched.

        Raises
        ------
        OutputError
            ``model_dir`` is a file, holds files other than a saved CNN's (they would be
            lost), or its parent cannot be written.
        ModelError
            ``info`` holds values that cannot be written as JSON.
        """
        _, keras = _import_keras()

        model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
        if model_dir.is_symlink():
            model_dir = model_dir.resolve()  # swap the folder the link points to, keep the link
        _check_model_dir(model_dir)
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
        _check_band_statistics(np.asarray(self.scaler.mean, dtype=np.float64),
                               np.asarray(self.scaler.std, dtype=np.float64), self.config, "cannot save the classifier")
        try:
            text = json.dumps(meta, indent=1) + "\n"
        except (TypeError, ValueError) as exc:
            raise ModelError(f"cannot save the classifier: its info is not plain JSON ({exc})") from None
        try:
            staging = make_sibling_folder(model_dir, tag="staging")
        except OSError as exc:
            raise OutputError(f"{model_dir}: cannot write the model there ({exc.strerror or exc})") from None
        try:
            # Keras insists on the .keras suffix: the staging folder gives it its final name.
            self.model.save(staging / MODEL_FILE)
            with open(staging / MODEL_FILE, "rb+") as handle:
                os.fsync(handle.fileno())
            atomic_write_text(staging / PREPROCESSING_FILE, text)
            replace_folder(staging, model_dir)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return model_dir


def _check_model_dir(model_dir: Path) -> None:
    """Refuse a model folder whose replacement would lose anything but a saved CNN."""
    if not os.path.lexists(model_dir):
        return
    if not model_dir.is_dir():
        raise OutputError(f"{model_dir}: is a file, not a folder; give a folder to save the CNN in")
    ours = {MODEL_FILE, PREPROCESSING_FILE}
    foreign = sorted(p.name for p in model_dir.iterdir() if p.name not in ours and not p.name.startswith(_OLD_STAGING_PREFIX))
    if foreign:
        listed = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise OutputError(
            f"{model_dir}: holds other files ({listed}), which saving the CNN would delete; "
            "save into a new folder or one where a CNN was saved before"
        )


@contextlib.contextmanager
def _global_random_state_kept():
    """Restore Python's and NumPy's global random states afterwards (Keras draws default
    seeds from Python's ``random`` when it rebuilds layers)."""
    python_state, numpy_state = random.getstate(), np.random.get_state()
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


def _check_band_statistics(mean, std, config: MelConfig, where) -> None:
    """Per-band statistics a network can use: one finite mean and one finite std > 0 per band.

    A NaN mean or a zero std makes every standardized input NaN or infinite, and the network
    then answers NaN probabilities without any error: refused here instead (ModelError).
    """
    if mean.shape != (config.n_mels,) or std.shape != (config.n_mels,):
        raise ModelError(f"{where}: band statistics do not match n_mels={config.n_mels}")
    bad_mean = np.flatnonzero(~np.isfinite(mean))
    bad_std = np.flatnonzero(~(np.isfinite(std) & (std > 0)))
    if len(bad_mean) or len(bad_std):
        which = "band_mean" if len(bad_mean) else "band_std"
        bands = (bad_mean if len(bad_mean) else bad_std)[:5].tolist()
        raise ModelError(
            f"{where}: {which} of mel bands {bands} is not a finite number{' > 0' if which == 'band_std' else ''}: "
            "the network would answer NaN; this is not a preprocessing file CNNClassifier.save writes"
        )
    # float32 is what the scaler applies: a std that underflows or a mean that overflows there is no better.
    f32 = np.finfo(np.float32)
    if np.any(np.abs(mean) > f32.max) or np.any(std > f32.max) or np.any(std < f32.tiny):
        raise ModelError(f"{where}: band statistics out of the float32 range: not a file CNNClassifier.save writes")


def load_classifier(model_dir=None) -> CNNClassifier:
    """Load a classifier written by :meth:`CNNClassifier.save`.

    Notebook: ``07_classify_your_own_clip.ipynb``.

    Loading changes no global state: Python's, NumPy's and TensorFlow's random generators are
    left as they were (only TensorFlow's thread counts are fixed, as in training, if its
    runtime has not started yet). Predictions equal those of the classifier that was saved.

    Raises
    ------
    ModelError
        The folder, ``model.keras`` or ``preprocessing.json`` is missing or unreadable, or the
        band statistics are not one finite mean and one finite std > 0 per mel band (checked
        before TensorFlow is imported).
    """
    model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
    model_path, meta_path = model_dir / MODEL_FILE, model_dir / PREPROCESSING_FILE
    for path in (model_path, meta_path):
        if not path.is_file():
            raise ModelError(f"{path}: not found; train and save the CNN first (notebook 06_cnn.ipynb)")
    try:
        with open(meta_path, "rb") as handle:
            text = handle.read(_MAX_PREPROCESSING_BYTES + 1)
        if len(text) > _MAX_PREPROCESSING_BYTES:
            raise ValueError(f"more than {_MAX_PREPROCESSING_BYTES // 2**20} MB")
        meta = json.loads(text.decode("utf-8"))
        classes = tuple(meta["classes"])
        config = MelConfig.from_dict(meta["mel"])
        mean = np.array(meta["band_mean"], dtype=np.float64)
        std = np.array(meta["band_std"], dtype=np.float64)
    except (OSError, ValueError, KeyError, TypeError, MusicvizError) as exc:
        raise ModelError(f"{meta_path}: unreadable preprocessing file ({exc})") from None
    _check_band_statistics(mean, std, config, meta_path)
    if not classes or not all(isinstance(c, str) for c in classes) or len(set(classes)) != len(classes):
        raise ModelError(f"{meta_path}: classes must be distinct genre names, got {list(classes)[:5]}")
    scaler = BandScaler(mean.astype(np.float32), std.astype(np.float32))
    _, keras = _import_keras()
    _configure_threads()  # the same thread counts as training; no seeds: loading changes no random state

    try:
        with _global_random_state_kept():
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
        No saved model in ``model_dir``, or the network answers NaN (damaged weights).
    """
    clf = model if model is not None else load_classifier(model_dir)
    mels = segment_mels(y, sr=sr, config=clf.config)
    mean = clf.predict_proba(mels).mean(axis=0)
    if not np.all(np.isfinite(mean)):
        raise ModelError("the network answered NaN or infinite probabilities: its weights or band statistics are "
                         "damaged; retrain and save it again (notebook 06_cnn.ipynb)")
    return {g: float(p) for g, p in zip(clf.classes, mean)}
