"""The feature table of many clips: workers, the cache, skipped clips, the command line.

Notebook: ``04_features_and_standardization.ipynb``.

:func:`feature_table` describes the work of one clip (:func:`_clip_rows` with
:func:`~musicviz.features.extract_clip_features`, both passed explicitly in a
:class:`~musicviz._clip_engine.ClipJob`) and hands it to the clip engine
(:func:`musicviz._clip_engine.map_clips`), which lists, caches and parallelises. joblib's
backend is never pinned, so ``joblib.parallel_config(backend="dask")`` sends the clips to a
Dask cluster (see :mod:`musicviz.features`).
"""

from __future__ import annotations

import math

import warnings

import numpy as np

from musicviz import SR, _checks
from musicviz._clip_engine import MAX_CLIP_SECONDS, ClipJob, clips_from, map_clips, skip_or_raise, skipped_summary
from musicviz.errors import FeatureError, MusicvizError
from musicviz.features.cache import (
    _features_cache,
    _params,
    _with_identity,
    _without_identity,
    default_cache_dir,
)
from musicviz.features.columns import (
    FEATURES,
    ID_COLUMNS,
    KAGGLE_FEATURES,
    MIN_DURATION,
    N_FFT,
    save_table,
)
from musicviz.features.extract import extract_clip_features

__all__ = ["feature_table", "skipped_clips", "course_feature_table", "run_features_command"]


def _clip_rows(clip, extract, segment_seconds, contrast, max_seconds) -> tuple[list[dict] | None, str | None]:
    """Rows of one clip (worker side): ``(rows, None)`` or ``(None, reason it was skipped)``.

    ``extract`` computes the features of one signal (:func:`extract_clip_features`).
    """
    from librosa.util.exceptions import ParameterError as LibrosaParameterError

    from musicviz.audio import load_audio

    try:
        y, sr = load_audio(clip.path, sr=SR, min_duration=MIN_DURATION, max_duration=max_seconds, dtype=np.float32)
        if segment_seconds is None:
            pieces = [(None, y)]
        else:
            step = int(round(segment_seconds * sr))
            count = len(y) // step
            if count == 0:
                return None, f"too short for {segment_seconds:g} s segments: {len(y) / sr:.2f} s of audio"
            pieces = [(k, y[k * step : (k + 1) * step]) for k in range(count)]
        rows = []
        for k, piece in pieces:
            feats = extract(piece, sr=sr, contrast=contrast)
            if not all(np.isfinite(v) for v in feats.values()):
                bad = [n for n, v in feats.items() if not np.isfinite(v)]
                return None, f"non-finite features {bad[:3]}" + (f" in segment {k}" if k is not None else "")
            filename = clip.path.name if k is None else f"{clip.track_id}.{k}{clip.path.suffix}"
            row = {"filename": filename, "track_id": clip.track_id}
            if k is not None:
                row["segment"] = k
            row["length"] = len(piece)
            row.update(feats)
            row["label"] = clip.label
            rows.append(row)
        return rows, None
    except MusicvizError as exc:
        return None, getattr(exc, "reason", None) or str(exc)
    except LibrosaParameterError as exc:  # librosa refusing this clip's content
        return None, f"librosa: {exc}"
    except MemoryError:
        return None, "out of memory while computing its features (a lower max_seconds skips such clips)"
    # Anything else is a bug (a changed librosa API, a typo), not a bad clip: let it surface
    # instead of turning into an empty table and a warning.


def feature_table(
    source=None,
    *,
    segment_seconds: float | None = None,
    contrast: bool = True,
    errors: str = "skip",
    warn: bool = True,
    cache=True,
    progress: bool = False,
    max_seconds: float | None = MAX_CLIP_SECONDS,
    n_jobs: int = -1,
):
    """The feature table of many clips: one row per clip (or per segment), GTZAN's columns.

    Clips run in parallel worker processes (joblib; see :mod:`musicviz.features` for Dask),
    each clip's rows are cached on disk, and a clip that cannot be used is skipped and
    reported, never aborting the table.

    Parameters
    ----------
    source : path-like, ScanResult, list of Track or paths, or None
        A folder to scan (:func:`musicviz.datasets.scan`), a scan's result, or clips.
        Default: :func:`musicviz.datasets.course_audio_dir`.
    segment_seconds : float > 0 or None
        Cut each clip into segments of this many seconds (the remainder is dropped) and
        make one row per segment, with a ``segment`` column (0, 1, ...). Segments keep their
        clip's ``track_id``: split by track, never by row.
    contrast : bool
        Add the spectral-contrast columns (:data:`CONTRAST_FEATURES`).
    errors : {"skip", "raise"}
        What to do with a clip that cannot be used (unreadable, too short, silent, ...):
        skip it and report it in ``attrs["skipped"]`` (default), or raise
        :class:`~musicviz.errors.FeatureError` naming the clip. Errors that are not about a
        clip (a bug, a changed library API) always propagate.
    warn : bool
        ``warnings.warn`` a summary when clips were skipped.
    cache : bool or path-like
        True: read and write the cache in :func:`default_cache_dir`; a folder: that one;
        False: recompute everything and write nothing.
    progress : bool
        Show a tqdm progress bar.
    max_seconds : float or None
        Skip clips longer than this many seconds (default :data:`MAX_CLIP_SECONDS`), read
        from the header before anything is decoded; None: no limit (memory grows with the
        clip: about 2.5 GB for 10 minutes).
    n_jobs : int
        Worker processes (-1: all cores; 1: in this process).

    Returns
    -------
    pandas.DataFrame
        Columns ``filename, track_id, [segment,] length``, the features (:data:`FEATURES`),
        ``label``; rows in the order of the clips. ``table.attrs["skipped"]`` lists the
        clips left out, as :class:`musicviz.datasets.Skipped` (path and reason); see
        :func:`skipped_clips`.

    Raises
    ------
    ParameterError
        Bad ``source``, ``segment_seconds``, ``errors``, ``cache``, ``max_seconds`` or ``n_jobs``.
    DatasetError
        ``source`` is a folder that does not exist.
    FeatureError
        ``errors="raise"`` and a clip could not be used; or a worker process died (out of
        memory, killed): the message says how many clips were done, those are cached (rerun
        the same call to resume) and the exception's ``partial_table`` holds their rows.

    Examples
    --------
    >>> import numpy as np, tempfile
    >>> from pathlib import Path
    >>> from musicviz.audio import write_wav
    >>> from musicviz.features import feature_table
    >>> root = Path(tempfile.mkdtemp())
    >>> t = np.arange(22050 * 4) / 22050
    >>> _ = write_wav(root / "jazz" / "jazz.00001.wav", 0.3 * np.sin(2 * np.pi * 220 * t), sr=22050)
    >>> _ = (root / "jazz" / "jazz.00002.wav").write_text("not audio")
    >>> table = feature_table(root, cache=False, n_jobs=1, warn=False)
    >>> table.shape, table.loc[0, "track_id"], len(table.attrs["skipped"])
    ((1, 77), 'jazz.00001', 1)
    """
    errors = _checks.one_of(errors, "errors", ("skip", "raise"))
    segment_seconds = _checks.seconds_or_none(
        segment_seconds, "segment_seconds", minimum=N_FFT / SR, why=f"one {N_FFT}-sample frame"
    )
    max_seconds = _checks.seconds_or_none(
        max_seconds, "max_seconds", minimum=MIN_DURATION, maximum=math.inf, why="shorter clips are skipped anyway"
    )
    n_jobs = _checks.n_jobs(n_jobs)
    folder = _checks.cache_folder(cache, default=default_cache_dir)
    clips, skipped = clips_from(source)
    names = FEATURES if contrast else KAGGLE_FEATURES
    job = ClipJob(
        _clip_rows,
        args=(extract_clip_features, segment_seconds, contrast, max_seconds),
        label="features",
        max_seconds=max_seconds,
        # Keys are made and entries read and written in this process; the workers only compute.
        store=None if folder is None else _features_cache(folder, names=names, segment_seconds=segment_seconds),
        params=_params(segment_seconds, contrast),
        encode=_without_identity,  # rows are cached without their file name, track id and label
        decode=_with_identity,
    )
    try:
        results = map_clips(clips, job, n_jobs=n_jobs, progress=progress)
    except FeatureError as exc:
        if getattr(exc, "results", None) is not None:  # a worker died: the rows of the clips done
            exc.partial_table = _assemble(
                clips, exc.results, list(skipped), names=names, segment_seconds=segment_seconds, errors="skip"
            )
        raise
    frame = _assemble(clips, results, skipped, names=names, segment_seconds=segment_seconds, errors=errors)
    skipped = frame.attrs["skipped"]
    if skipped and warn:
        warnings.warn(skipped_summary(skipped, caller="feature_table"), stacklevel=2)
    return frame


def _assemble(clips, results, skipped, *, names, segment_seconds, errors):
    """The table of ``clips`` from their ``(rows, reason)`` results (None: not computed); skipped ones are listed."""
    import pandas as pd

    all_rows = []
    for clip, result in zip(clips, results):
        if result is None:
            continue
        rows, reason = result
        if rows is None:
            skip_or_raise(clip, reason, skipped, errors=errors)
        else:
            all_rows.extend(rows)
    ids = [c for c in ID_COLUMNS if c != "segment" or segment_seconds is not None]
    columns = [*ids, *names, "label"]
    frame = pd.DataFrame(all_rows, columns=columns)
    frame[list(names)] = frame[list(names)].astype(float)
    frame["length"] = frame["length"].astype(int)
    if segment_seconds is not None:
        frame["segment"] = frame["segment"].astype(int)
    frame.attrs["skipped"] = skipped
    return frame


def skipped_clips(frame):
    """The files a :func:`feature_table` call left out, as a DataFrame (path, reason).

    Examples
    --------
    >>> import pandas as pd
    >>> from musicviz.features import skipped_clips
    >>> len(skipped_clips(pd.DataFrame()))
    0
    """
    import pandas as pd

    skipped = frame.attrs.get("skipped", [])
    return pd.DataFrame({"path": [str(s.path) for s in skipped], "reason": [s.reason for s in skipped]})


def course_feature_table(
    *,
    segment_seconds: float | None = None,
    cache=True,
    progress: bool = False,
    max_seconds: float | None = MAX_CLIP_SECONDS,
    n_jobs: int = -1,
):
    """The feature table of the course's audio (:func:`musicviz.datasets.course_audio_dir`).

    Cached per clip, so every notebook after the first gets it in a second or two. The
    keywords are :func:`feature_table`'s.

    Examples
    --------
    >>> import musicviz as mv  # doctest: +SKIP
    >>> table = mv.features.course_feature_table()  # doctest: +SKIP
    """
    from musicviz.datasets import course_audio_dir

    return feature_table(
        course_audio_dir(),
        segment_seconds=segment_seconds,
        cache=cache,
        progress=progress,
        max_seconds=max_seconds,
        n_jobs=n_jobs,
    )


def run_features_command(
    directory,
    *,
    out,
    segment_seconds=None,
    cache=True,
    progress: bool = False,
    max_seconds: float | None = MAX_CLIP_SECONDS,
    n_jobs: int = -1,
) -> int:
    """``musicviz features DIR --out table.csv``: the table of every clip under DIR.

    Prints each skipped file with its reason and a one-line summary. Returns the exit
    status: 0 when a table was written, 1 when no clip could be used. The keywords are
    :func:`feature_table`'s.
    """
    frame = feature_table(
        directory,
        segment_seconds=segment_seconds,
        warn=False,
        cache=cache,
        progress=progress,
        max_seconds=max_seconds,
        n_jobs=n_jobs,
    )
    skipped = frame.attrs.get("skipped", [])
    for item in skipped:
        print(f"skipped {item.path}: {item.reason}")
    if frame.empty:
        print(f"no usable clips under {directory} ({len(skipped)} skipped); nothing written")
        return 1
    # A table is a stream: sent to a pipe or to /dev/null (--out /dev/null) it is written into
    # it; anywhere else it replaces the file atomically (never a device renamed over).
    from musicviz._io import atomic_path

    with atomic_path(out, special="write") as tmp:
        save_table(frame, tmp)
    per = f", {segment_seconds:g} s segments" if segment_seconds else ""
    print(
        f"wrote {len(frame)} rows ({frame['track_id'].nunique()} clips{per}) x {frame.shape[1]} columns "
        f"to {out}; skipped {len(skipped)} files"
    )
    return 0
