"""Finding the data the course runs on: the built-in synthetic set and real GTZAN.

Notebook: ``00_introduction.ipynb``.

Where the data lives
--------------------
Folders and environment variables have one home, :mod:`musicviz.config`; its names are
re-exported here (``mv.datasets.data_dir()`` works as before):

``MUSICVIZ_DATA``
    The course's data folder (default: ``data/`` in a clone of the repository, a per-user
    folder when musicviz is pip-installed; :mod:`musicviz.config`). The synthetic set is
    written to ``$MUSICVIZ_DATA/synth`` by ``make data``, ``musicviz data synth``, or on
    first use (:func:`require_synth`).
``MUSICVIZ_CACHE``
    This user's folder for caches and saved models (default: the data folder when it can be
    written, else a per-user cache folder; :func:`musicviz.config.work_dir`).
``MUSICVIZ_GTZAN``
    A folder holding (any part of) a real GTZAN copy (default: ``$MUSICVIZ_DATA/gtzan``):
    audio in the Kaggle layout (``Data/genres_original/<genre>/<genre>.000NN.wav``), the
    original Marsyas layout (``genres/<genre>/<genre>.000NN.au``) or flat folders of
    ``<genre>.000NN.wav``; the Kaggle table ``features_30_sec.csv``; and the fault-filtered
    split lists ``train_filtered.txt``, ``valid_filtered.txt``, ``test_filtered.txt``.
    The test suite and CI point it at ``../shared/data``.
``MUSICVIZ_DATASET``
    Which audio the notebooks use: ``synth`` (default) or ``gtzan``.

The two small real GTZAN tables (the Kaggle feature table and the fault-filtered split lists)
ship with musicviz (``musicviz/data/gtzan/``, see its ``PROVENANCE.md``), so the real-data
notebooks work with no download; a copy found under ``MUSICVIZ_GTZAN`` takes precedence.
Real audio is never shipped.

Every scan is track-level and never aborts on one bad file: a file that cannot be used is
skipped and reported with its reason (the Kaggle copy of GTZAN has an invalid
``jazz.00054.wav``; its Marsyas ``jazz.00054.au`` is then the copy used). A scan reads each
file's header and, by default, a block at each end, never a whole file, so memory stays small
whatever the files hold.

:func:`import_gtzan` copies only GTZAN's audio, tables and split lists out of an archive or a
folder, within size limits (:data:`MAX_IMPORT_BYTES`, :data:`MAX_MEMBER_BYTES`,
:data:`MAX_COMPRESSION_RATIO`), never outside the destination and never over a file you
changed.

The notebooks use ``mv.datasets.X``; every public name of the submodules is here:

======================================  =====================================================
:mod:`musicviz.config` (re-exported)    :func:`data_dir`, :func:`synth_dir`, :func:`gtzan_dir`,
                                        :func:`packaged_gtzan_dir`, :func:`dataset_name`,
                                        :data:`DATA_ENV`, :data:`GTZAN_ENV`, :data:`DATASET_ENV`
:mod:`musicviz.datasets.scanning`       :func:`course_audio_dir`, :func:`scan` (a
                                        :class:`ScanResult` of :class:`Track` and
                                        :class:`Skipped`), :func:`parse_track_name`,
                                        :data:`MIN_SCAN_SECONDS`, :data:`CHECK_BLOCK_SECONDS`
:mod:`musicviz.datasets.tables`         :func:`example_clips`, :func:`stand_ins`,
                                        :func:`find_real_clip`, :func:`find_feature_table`,
                                        :func:`load_feature_table`, :func:`find_split_lists`,
                                        :func:`load_filtered_split`, :func:`split_tracks`,
                                        :data:`FEATURE_TABLE_NAME`, :data:`SPLIT_NAMES`
:mod:`musicviz.datasets.importing`      :func:`import_gtzan`, :class:`ImportReport`,
                                        :data:`MAX_IMPORT_BYTES`, :data:`MAX_MEMBER_BYTES`,
                                        :data:`MAX_COMPRESSION_RATIO`, :data:`TABLE_NAMES`
:mod:`musicviz.datasets.firstuse`       :func:`require_synth`, :func:`require_embeddings`,
                                        :func:`missing_embeddings` (the course's data made on
                                        first use), :data:`EMBEDDING_MODELS`, :data:`SYNTH_SEED`
======================================  =====================================================

Each submodule imports only the ones above it in this table (no cycle).
"""

from __future__ import annotations

from musicviz.config import (
    DATA_ENV,
    DATASET_ENV,
    GTZAN_ENV,
    data_dir,
    dataset_name,
    gtzan_dir,
    packaged_gtzan_dir,
    synth_dir,
)
from musicviz.datasets import firstuse as _firstuse
from musicviz.datasets import importing as _importing
from musicviz.datasets import scanning as _scanning
from musicviz.datasets import tables as _tables
from musicviz.datasets.firstuse import (
    EMBEDDING_MODELS,
    SYNTH_SEED,
    missing_embeddings,
    require_embeddings,
    require_synth,
)
from musicviz.datasets.importing import (
    MAX_COMPRESSION_RATIO,
    MAX_IMPORT_BYTES,
    MAX_MEMBER_BYTES,
    TABLE_NAMES,
    ImportReport,
    import_gtzan,
)
from musicviz.datasets.scanning import (
    CHECK_BLOCK_SECONDS,
    MIN_SCAN_SECONDS,
    ScanResult,
    Skipped,
    Track,
    course_audio_dir,
    parse_track_name,
    scan,
)
from musicviz.datasets.tables import (
    FEATURE_TABLE_NAME,
    SPLIT_NAMES,
    example_clips,
    find_feature_table,
    find_real_clip,
    find_split_lists,
    load_feature_table,
    load_filtered_split,
    split_tracks,
    stand_ins,
)

#: The names re-exported from musicviz.config (the home of every folder and environment variable).
_LOCATIONS = ("DATA_ENV", "GTZAN_ENV", "DATASET_ENV", "data_dir", "synth_dir", "gtzan_dir",
              "packaged_gtzan_dir", "dataset_name")

# Every public name of the submodules, in the order of the table above.
__all__ = [*_LOCATIONS, *_scanning.__all__, *_tables.__all__, *_importing.__all__, *_firstuse.__all__]
