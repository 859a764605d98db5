"""musicviz: plotting and feature helpers for a notebook course on music genre classification.

The package mirrors the notebooks (see ``notebooks/``):

=====================================  ==========================================
notebook                               modules
=====================================  ==========================================
00_introduction                        :mod:`musicviz.audio`, :mod:`musicviz.datasets`, :mod:`musicviz.synth`
01_waveforms                           :mod:`musicviz.waveforms`, :mod:`musicviz.plot.waveforms`
02_spectrograms                        :mod:`musicviz.spectrograms`, :mod:`musicviz.plot.spectrograms`
03_chroma_and_zero_crossings           :mod:`musicviz.chroma`, :mod:`musicviz.plot.chroma`
03b_mfcc_hpss_tempo                    :mod:`musicviz.mfcc_hpss_tempo`, :mod:`musicviz.plot.mfcc_hpss_tempo`,
                                       :mod:`musicviz.tempo`, :mod:`musicviz.plot.tempo` (its tempo part),
                                       :mod:`musicviz.novelty`, :mod:`musicviz.plot.novelty` (onsets by hand),
                                       :mod:`musicviz.hpss`, :mod:`musicviz.plot.hpss` (HPSS by hand)
04_features_and_standardization        :mod:`musicviz.features`, :mod:`musicviz.plot.features`,
                                       :mod:`musicviz.splits` (the split of 04-07)
05_baseline_models (+ 05b real GTZAN)  :mod:`musicviz.baselines`, :mod:`musicviz.plot.models`,
                                       :mod:`musicviz.scores` (intervals of 05-08)
06_cnn                                 :mod:`musicviz.cnn` (imports Keras lazily), :mod:`musicviz.plot.cnn`
07_classify_your_own_clip              :mod:`musicviz.cnn`, :mod:`musicviz.similarity`, :mod:`musicviz.plot.cnn`,
                                       :mod:`musicviz.pretrained`
08_transfer_learning                   :mod:`musicviz.pretrained` (imports TensorFlow lazily),
                                       :mod:`musicviz.plot.pretrained`
instructors                            :mod:`musicviz.grading` (student release, grading)
every notebook                         :mod:`musicviz.export` (figure names), :mod:`musicviz.exercises`,
                                       :mod:`musicviz.player` (the audio players of ``mv.audio.play``),
                                       :mod:`musicviz.widgets` (01, 02, 05)
=====================================  ==========================================

Importing musicviz is light on purpose: it loads neither TensorFlow/Keras nor librosa nor
matplotlib, and it changes no global state. Submodules are imported on first attribute access.
"""

from __future__ import annotations

import importlib

from musicviz.errors import (
    AudioContentError,
    AudioDecodeError,
    AudioError,
    AudioFileNotFoundError,
    DatasetError,
    FeatureError,
    ModelError,
    MusicvizError,
    OutputError,
    ParameterError,
)

__version__ = "0.1.0"

#: The ten GTZAN genres, in GTZAN's (alphabetical) order.
GENRES: tuple[str, ...] = (
    "blues",
    "classical",
    "country",
    "disco",
    "hiphop",
    "jazz",
    "metal",
    "pop",
    "reggae",
    "rock",
)

#: Sample rate of GTZAN and of every clip musicviz makes.
SR: int = 22050

_SUBMODULES = {
    "audio",
    "baselines",
    "cache",
    "chroma",
    "cli",
    "cnn",
    "config",
    "course",
    "datasets",
    "export",
    "exercises",
    "features",
    "grading",
    "hpss",
    "install",
    "mfcc_hpss_tempo",
    "novelty",
    "player",
    "plot",
    "pretrained",
    "realism",
    "scores",
    "similarity",
    "spectrograms",
    "splits",
    "synth",
    "tempo",
    "waveforms",
    "widgets",
}

__all__ = [
    "GENRES",
    "SR",
    "MusicvizError",
    "ParameterError",
    "AudioError",
    "AudioFileNotFoundError",
    "AudioDecodeError",
    "AudioContentError",
    "DatasetError",
    "FeatureError",
    "ModelError",
    "OutputError",
    *sorted(_SUBMODULES),
]


def __getattr__(name: str):
    # Lazy submodules keep `import musicviz` fast and free of heavy imports.
    if name in _SUBMODULES:
        module = importlib.import_module(f"musicviz.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'musicviz' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES)
