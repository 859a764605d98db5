"""The course's data, made on first use: the synthetic set and the pretrained network's embeddings.

Notebook: ``00_introduction.ipynb`` (the first notebook that asks for the audio; every later
one asks again through :func:`musicviz.datasets.course_audio_dir`), ``07`` and ``08`` (the
embeddings).

Without ``make`` (``pip install``, conda, a JupyterHub image) nobody has run ``make data``:
the first notebook that needs the synthetic set makes it here, with one sentence saying what
happens and how long it takes, and a progress bar. The same holds for the embeddings of the
pretrained network (:func:`require_embeddings`). ``musicviz data synth`` and ``musicviz data
embeddings`` do the same from a terminal, ahead of time.

A shared, read-only data folder (``MUSICVIZ_DATA`` on a hub, made once by an administrator)
is never written: a missing set there is an error that says who can make it.

The durations are measured (docs/INSTRUCTORS.md, "Without make"): the synthetic set takes
about 30 s of CPU (1.5 minutes of wall time on two busy cores); the embeddings of both
networks take about 1.5 minutes on two cores.
"""

from __future__ import annotations

from pathlib import Path

from musicviz.config import DATA_ENV, data_dir, is_read_only, synth_dir
from musicviz.errors import DatasetError

__all__ = ["EMBEDDING_MODELS", "SYNTH_SEED", "require_synth", "missing_embeddings", "require_embeddings"]

#: The networks whose outputs notebooks 07 and 08 read (``make data`` caches the same two).
EMBEDDING_MODELS = ("MTT_musicnn", "MSD_musicnn")
#: The seed of the course's synthetic set (``make data``'s ``SEED``).
SYNTH_SEED = 0

_SYNTH_SENTENCE = (
    "Making the course's synthetic data set in {folder}: 120 clips of 30 s (about 160 MB), once; "
    "it takes about a minute (30 s of CPU), and every later notebook reuses it."
)
_EMBEDDINGS_SENTENCE = (
    "Computing the pretrained network's embeddings of {n} clips ({models}), once: about "
    "1.5 minutes on two idle cores, longer on a busy machine; every later run reads them from {cache}."
)


def _read_only_error(folder: Path, what: str, command: str) -> DatasetError:
    return DatasetError(
        f"{folder}: no {what} here, and the data folder {data_dir()} is read-only (a shared folder?): "
        f"whoever manages it makes it once with `{DATA_ENV}={data_dir()} {command}`; or point "
        f"{DATA_ENV} at a folder of your own"
    )


def require_synth(*, progress: bool = True, n_jobs: int = -1) -> Path:
    """The synthetic set's folder (:func:`musicviz.config.synth_dir`), made first if missing.

    A folder holding ``metadata.csv`` is returned at once. Otherwise one sentence says what
    happens and how long it takes, and :func:`musicviz.synth.generate_dataset` writes the
    course's set (seed :data:`SYNTH_SEED`, the default size) with a progress bar.

    Parameters
    ----------
    progress : bool
        Show the progress bar.
    n_jobs : int
        Worker processes (-1: all cores).

    Returns
    -------
    pathlib.Path
        The folder of the synthetic set.

    Raises
    ------
    DatasetError
        The set is missing and the data folder is read-only (a hub's shared folder).
    OutputError
        The folder cannot be written for another reason (it holds someone else's files, ...).

    Examples
    --------
    >>> import musicviz as mv
    >>> folder = mv.datasets.require_synth()  # doctest: +SKIP
    Making the course's synthetic data set in ...
    """
    folder = synth_dir()
    if (folder / "metadata.csv").is_file():
        return folder
    if is_read_only(data_dir()):
        raise _read_only_error(folder, "synthetic set", "musicviz data synth")
    from musicviz.synth import generate_dataset

    print(_SYNTH_SENTENCE.format(folder=folder), flush=True)
    generate_dataset(folder, seed=SYNTH_SEED, n_jobs=n_jobs, progress=progress)
    return folder


def _clips(folder):
    from musicviz._clip_engine import clips_from

    return clips_from(Path(folder) if folder is not None else require_synth())[0]


def _missing(clips, models) -> int:
    from musicviz.pretrained import table

    missing = 0
    for model in models:
        store, params = table._store(table.default_cache_dir(), model), table._params(model)
        for clip in clips:
            try:
                cached = store.read(store.key(clip.path, params))
            except OSError:
                continue  # an unreadable clip: the table skips it and says why
            missing += cached is None
    return missing


def missing_embeddings(folder=None, *, models=EMBEDDING_MODELS) -> int:
    """How many (clip, network) outputs of ``folder`` (default: the synthetic set) are not cached.

    Reads every clip's bytes (for its cache key), nothing else: about a second for the
    synthetic set.

    Raises
    ------
    ModelError
        musicnn's weights are not installed (``musicviz weights``).
    """
    return _missing(_clips(folder), models)


def require_embeddings(folder=None, *, models=EMBEDDING_MODELS, progress: bool = True, n_jobs: int = -1) -> int:
    """Cache the pretrained networks' outputs of every clip of ``folder`` (default: the
    synthetic set, made first if missing); returns how many were computed (0: all cached).

    When something is missing, one sentence says what happens and how long it takes, and
    :func:`musicviz.pretrained.embedding_table` computes it with a progress bar. Later calls
    of ``embedding_table`` read the cache.

    Parameters
    ----------
    folder : path-like or None
        Audio folder (default: the synthetic set, made first if missing).
    models : sequence of str
        The networks (default :data:`EMBEDDING_MODELS`).
    progress : bool
        Show the progress bar.
    n_jobs : int
        Worker processes (-1: all cores).

    Raises
    ------
    ModelError
        musicnn's weights are not installed (``musicviz weights``).

    Examples
    --------
    >>> import musicviz as mv
    >>> mv.datasets.require_embeddings()  # doctest: +SKIP
    0
    """
    from musicviz.pretrained import table

    source = Path(folder) if folder is not None else require_synth()
    clips = _clips(source)
    missing = _missing(clips, models)
    if not missing:
        return 0
    print(_EMBEDDINGS_SENTENCE.format(n=len(clips), models=" and ".join(models), cache=table.default_cache_dir()),
          flush=True)
    for model in models:
        table.embedding_table(source, model=model, progress=progress, n_jobs=n_jobs)
    return missing
