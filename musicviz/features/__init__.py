"""The feature table: GTZAN-compatible clip features, computed from one STFT per clip.

Notebook: ``04_features_and_standardization.ipynb``.

=====================================  ==================================================
module                                 what it holds
=====================================  ==================================================
:mod:`~musicviz.features.columns`      column names (:data:`FEATURES`, ...), settings,
                                       :func:`feature_columns`, :func:`save_table`,
                                       :func:`load_table`
:mod:`~musicviz.features.extract`      one clip: :func:`extract_clip_features`,
                                       :func:`hpss`, :func:`median_filter_along`
:mod:`~musicviz.features._kernels`     the compiled inner loops (numba, loaded on use)
:mod:`~musicviz.features.cache`        the per-clip cache entries
:mod:`~musicviz.features.table`        many clips: :func:`feature_table` (workers,
                                       cache, skipped clips), :func:`course_feature_table`,
                                       :func:`run_features_command`
:mod:`~musicviz.features.maps`         genre maps: :func:`genre_map` (PCA or t-SNE of the
                                       standardized table), :func:`map_examples`
=====================================  ==================================================

Every name is importable from ``musicviz.features`` itself, as before the split.

What the columns mean
---------------------
Column names *and definitions* are those of GTZAN's Kaggle table ``features_30_sec.csv``, so
a model trained on that table can classify any clip musicviz reads, and the other way round.
That table was made with the librosa of its day (0.8); three of its defaults have changed
since, and musicviz keeps the old ones (measured: with them every column of the ten real
clips in ``../shared/data/gtzan_samples`` matches the CSV to 1e-4 relative, without them
tempo is off by up to a factor 1.9 and harmony/perceptr means by up to 800 %):

* STFT and RMS frames are centred with **reflect** padding (librosa >= 0.10: zeros);
* ``harmony``/``perceptr`` are the inverse STFTs of librosa's HPSS *without* ``length=``,
  zero-padded to the clip's length (the old ``librosa.effects.hpss``);
* ``tempo`` is that of ``librosa.beat.beat_track``: the onset envelope aggregates mel bands
  with the **median** (``librosa.feature.tempo``'s default is the mean).

Every feature is the mean and variance over frames (``n_fft=2048``, ``hop_length=512``) of a
librosa feature. Beyond the Kaggle table there is **spectral contrast** (librosa's 7 bands:
six octave bands from 200 Hz plus the rest): ``spectral_contrast_mean``/``_var`` over all
bands and frames, and per band ``spectral_contrast1_mean`` ... ``spectral_contrast7_var``.
:data:`KAGGLE_FEATURES` (57 columns) and :data:`FEATURES` (57 + 16 = 73) name them;
:func:`feature_columns` picks them out of a table.

Speed
-----
One STFT per clip feeds every spectral feature, and the passes librosa makes over the
spectrogram are fused into compiled loops that keep librosa's arithmetic (see
:mod:`musicviz.features.extract`): the features are librosa's to within 1e-6 relative, most
of them bit for bit. ``musicviz bench features`` measures it against the naive way
(``make bench``); worker processes use one BLAS thread each, so they do not oversubscribe
the cores.

Parallel runs and clusters
--------------------------
:func:`feature_table` runs clips in worker processes through joblib (``n_jobs=-1``: all
cores). It does not pin a backend, so a Dask cluster takes over with joblib's own switch
(``pip install musicviz[dask]``)::

    from dask.distributed import Client
    import joblib, musicviz as mv

    client = Client("tcp://scheduler:8786")        # or Client() for a local cluster
    with joblib.parallel_config(backend="dask"):
        table = mv.features.feature_table("/data/gtzan", n_jobs=-1)

The workers must see the audio files at the same path (a shared file system). Before a pool
starts, the calling process compiles (or loads from numba's cache) every compiled function the
workers run, once: two workers compiling the same one at once would leave a damaged cache
entry that crashes every later process (``musicviz._clip_engine.warm_numba``).

A clip longer than :data:`MAX_CLIP_SECONDS` (``max_seconds=``) is skipped, from its header,
before anything is decoded: one 10-minute clip needs about 2.5 GB while its features are
computed. If a worker process dies all the same (the system's out-of-memory killer, a crash in
a native library), :func:`feature_table` raises a :class:`~musicviz.errors.FeatureError` that
says how many clips were done; those are in the cache, so running the same call again resumes
from there.

Caching
-------
Each clip's rows are cached on disk (default ``<data_dir>/cache/features``) in musicviz's
shared cache, :class:`musicviz.cache.Cache` (kind ``"features"``), keyed on the SHA-256 of
the file's bytes *and* every parameter (segment length, sample rate, STFT settings, the
feature-code version and the numpy, scipy and librosa versions), so a changed file or
parameter never returns a stale row. Entries are written atomically and every entry is
validated when it is read (its envelope, every feature a finite number, the segment
numbering and lengths): an
entry that fails, whatever is wrong with it (hand-edited, from another tool, a folder in its
place), is recomputed and overwritten, never trusted and never fatal. A cache that cannot be
written costs a warning, not the table.
"""

from __future__ import annotations

from musicviz.features.cache import CACHE_FORMAT, default_cache_dir
from musicviz.features.columns import (
    CONTRAST_FEATURES,
    FEATURES,
    FEATURES_VERSION,
    HOP_LENGTH,
    HPSS_KERNEL,
    ID_COLUMNS,
    KAGGLE_FEATURES,
    MAX_CLIP_SECONDS,
    MIN_DURATION,
    N_CONTRAST_BANDS,
    N_FFT,
    N_MFCC,
    PAD_MODE,
    feature_columns,
    load_table,
    save_table,
)
from musicviz.features.extract import extract_clip_features, hpss, median_filter_along
from musicviz.features.maps import MAP_METHODS, genre_map, map_examples
from musicviz.features.table import (
    course_feature_table,
    feature_table,
    run_features_command,
    skipped_clips,
)

__all__ = [
    "N_FFT",
    "HOP_LENGTH",
    "N_MFCC",
    "HPSS_KERNEL",
    "PAD_MODE",
    "KAGGLE_FEATURES",
    "CONTRAST_FEATURES",
    "FEATURES",
    "ID_COLUMNS",
    "FEATURES_VERSION",
    "MAX_CLIP_SECONDS",
    "CACHE_FORMAT",
    "extract_clip_features",
    "median_filter_along",
    "hpss",
    "feature_table",
    "feature_columns",
    "skipped_clips",
    "course_feature_table",
    "default_cache_dir",
    "save_table",
    "load_table",
    "run_features_command",
    "MAP_METHODS",
    "genre_map",
    "map_examples",
]
