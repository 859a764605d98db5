"""A pretrained music-tagging network (musicnn) for real music: tags over time and embeddings.

Notebooks: ``08_transfer_learning.ipynb``, ``07_classify_your_own_clip.ipynb``.

Every model the course trains learns from synthetic clips; musicnn's networks (Pons & Serra,
"musicnn: pre-trained convolutional neural networks for music audio tagging", ISMIR 2019 LBD,
ISC licence) were trained on real music: MagnaTagATune (MTT) and the Million Song Dataset
(MSD), 50 tags each. musicviz rebuilds them with TensorFlow 2 ops and reads the weights that
the ``musicnn`` wheel ships (installed for its data only by ``make env``); see
:mod:`musicviz.pretrained.network`. ``tests/test_pretrained.py`` checks the rebuild against
the original code's outputs (``scripts/make_musicnn_reference.py``).

==========================  ================================================================
module                      what
==========================  ================================================================
``pretrained.inputs``       audio -> 16 kHz -> float32 log-mel -> 3 s patches (musicnn's)
``pretrained.network``      the networks, the checkpoint files, :func:`load_network`
``pretrained.tags``         the MTT and MSD vocabularies, the GTZAN genres they name
``pretrained.api``          :func:`taggram`, :func:`embeddings`, :func:`clip_embedding`,
                            :func:`zero_shot_genres`
``pretrained.table``        :func:`embedding_table`: many clips, cached, in worker processes
``pretrained.real``         :func:`transfer_check`: zero-shot, probe and SVM on your real clips
==========================  ================================================================

Importing this package imports neither TensorFlow nor librosa; the first network call does.

Examples
--------
>>> import musicviz.pretrained as pt
>>> pt.MODELS
('MTT_musicnn', 'MSD_musicnn', 'MTT_vgg', 'MSD_vgg')
>>> pt.MISSING_GENRES["MSD"]
('classical', 'disco', 'reggae')
"""

from __future__ import annotations

from musicviz.pretrained.api import (
    ZeroShotGenres,
    clip_embedding,
    embeddings,
    network_outputs,
    taggram,
    zero_shot_genres,
)
from musicviz.pretrained.inputs import PATCH_SECONDS, log_mel, patch_times, patches
from musicviz.pretrained.network import LAYERS, MODELS, load_network
from musicviz.pretrained.real import transfer_check
from musicviz.pretrained.table import embedding_table, run_pretrained_command
from musicviz.pretrained.tags import GENRE_TAGS, MISSING_GENRES, MSD_TAGS, MTT_TAGS, tags_of

__all__ = [
    "MODELS",
    "LAYERS",
    "PATCH_SECONDS",
    "MTT_TAGS",
    "MSD_TAGS",
    "GENRE_TAGS",
    "MISSING_GENRES",
    "taggram",
    "embeddings",
    "clip_embedding",
    "network_outputs",
    "zero_shot_genres",
    "ZeroShotGenres",
    "embedding_table",
    "run_pretrained_command",
    "transfer_check",
    "load_network",
    "log_mel",
    "patches",
    "patch_times",
    "tags_of",
]
