"""A small convolutional network on log-mel spectrogram segments.

Notebooks: ``06_cnn.ipynb`` (training, evaluation) and ``07_classify_your_own_clip.ipynb``
(:func:`predict_clip`).

The pipeline, in the order a notebook runs it (and the submodule that holds each step):

1. :func:`split_tracks` (from :mod:`musicviz.datasets`) assigns whole *tracks* to train or
   test; :func:`build_segments` is then called separately on each side, so no segment of a
   test clip is ever seen in training.
2. :mod:`musicviz.cnn.data`: each clip is cut into non-overlapping segments of
   :attr:`MelConfig.segment_seconds` (3 s by default) and each segment becomes a log-scaled
   (``power_to_db``) mel spectrogram, an image with a frequency axis (mel bands) and a time
   axis (frames), cached on disk by :mod:`musicviz.cache`.
3. :mod:`musicviz.cnn.data`: :class:`BandScaler` standardizes every mel band with a mean and
   standard deviation fitted on the *training* segments only.
4. :mod:`musicviz.cnn.model` and :mod:`musicviz.cnn.training`: :func:`train_cnn` trains the
   network of :func:`build_model` (convolution + pooling blocks, ReLU, dropout, softmax; Adam
   and ``sparse_categorical_crossentropy``) deterministically on the CPU, with early stopping
   on validation *tracks*.
5. :mod:`musicviz.cnn.training`: :func:`evaluate` gives the segment accuracy and the clip
   accuracy (the mean probability over a clip's segments votes), plus the clip-level
   predictions for a confusion matrix.
6. :mod:`musicviz.cnn.inspect` looks inside the trained network: its layers as a table
   (:func:`~musicviz.cnn.inspect.layer_table`), feature maps
   (:func:`~musicviz.cnn.inspect.layer_outputs`), logits, occlusion maps, and the test clips
   to listen to (its mistakes, or its least confident clips).
7. :mod:`musicviz.cnn.io`: :meth:`CNNClassifier.save` writes ``model.keras`` and
   ``preprocessing.json`` (classes, mel parameters, band statistics) as one pair;
   :func:`load_classifier` reads them back and :func:`predict_clip` classifies any clip.

The submodules import one another in one direction only: ``data`` and ``model`` import no
other part of the package, ``io`` imports both, ``training`` imports all three; ``inspect``
imports ``model`` only (inside functions).

TensorFlow and Keras are imported inside functions only: ``import musicviz.cnn`` stays light.
"""

from __future__ import annotations

from musicviz.cnn import inspect
from musicviz.cnn.data import (
    MELS_VERSION,
    BandScaler,
    MelConfig,
    SegmentSet,
    build_segments,
    cut_segments,
    default_cache_dir,
    segment_mels,
    validation_tracks,
)
from musicviz.cnn.io import (
    MODEL_FILE,
    PREPROCESSING_FILE,
    CNNClassifier,
    default_model_dir,
    load_classifier,
    predict_clip,
)
from musicviz.cnn.model import build_model, configure_determinism, model_summary
from musicviz.cnn.training import Evaluation, clip_probabilities, evaluate, train_cnn

__all__ = [
    "inspect",
    "MelConfig",
    "SegmentSet",
    "BandScaler",
    "CNNClassifier",
    "Evaluation",
    "MODEL_FILE",
    "PREPROCESSING_FILE",
    "MELS_VERSION",
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
