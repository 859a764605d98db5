"""Training and evaluating the CNN: deterministic fit with early stopping, clip-level vote.

Notebook: ``06_cnn.ipynb``.

:func:`train_cnn` holds out whole training *tracks* (:func:`~musicviz.cnn.data.validation_tracks`)
to stop early, fits the :class:`~musicviz.cnn.data.BandScaler` on the remaining training
segments only, and returns a :class:`~musicviz.cnn.io.CNNClassifier`. :func:`evaluate` gives
the segment accuracy and the clip accuracy (the mean probability over a clip's segments votes).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from musicviz import GENRES
from musicviz.cnn.data import BandScaler, SegmentSet, validation_tracks
from musicviz.cnn.io import CNNClassifier
from musicviz.cnn.model import _import_keras, build_model, configure_determinism
from musicviz.errors import ModelError, ParameterError

__all__ = ["train_cnn", "clip_probabilities", "Evaluation", "evaluate"]


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


def _labels_ok(segments: SegmentSet, classes):
    unknown = sorted(set(segments.genres.tolist()) - set(classes))
    if unknown:
        raise ModelError(f"unknown labels {unknown}: expected genres among {list(classes)}")


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
