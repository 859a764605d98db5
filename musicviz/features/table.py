"""The feature table of many clips: workers, the cache, skipped clips, the command line.

Notebook: ``04_features_and_standardization.ipynb``.

:func:`feature_table` runs clips in worker processes through joblib and never pins a backend,
so ``joblib.parallel_config(backend="dask")`` sends them to a Dask cluster (see
:mod:`musicviz.features`). The functions a worker runs are looked up through the package
(``musicviz.features._clip_rows`` and ``musicviz.features.extract_clip_features``) when
they are called, so replacing them there (a test, a profiler) replaces them everywhere.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from musicviz import GENRES, SR
from musicviz import _clip_engine
from musicviz._clip_engine import map_clips, skip_or_raise, skipped_summary
from musicviz.errors import MusicvizError, ParameterError
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
    MAX_CLIP_SECONDS,
    MIN_DURATION,
    N_FFT,
    save_table,
)

__all__ = ["feature_table", "skipped_clips", "course_feature_table", "run_features_command"]


def _package():
    """``musicviz.features``, where the replaceable functions are looked up at call time."""
    import musicviz.features

    return musicviz.features


@dataclass(frozen=True)
class _Clip:
    path: Path
    track_id: str
    label: str


def _clips_from(source):
    """(clips, skipped) from a folder, a ScanResult, or a list of Tracks/paths."""
    from musicviz.datasets import ScanResult, Track, parse_track_name, scan

    if source is None or isinstance(source, (str, Path)):
        # Headers only: duplicates are resolved among files that pass it; the workers decode
        # and validate the clips they compute.
        source = scan(source, check_audio=False)
    if isinstance(source, ScanResult):
        clips = [_Clip(Path(t.path), t.track_id, t.genre) for t in source.tracks]
        return clips, list(source.skipped)
    if isinstance(source, Track):
        source = [source]
    clips = []
    try:
        items = list(source)
    except TypeError:
        raise ParameterError(
            f"source must be a folder, a ScanResult or a list of Tracks/paths, got {type(source).__name__}"
        ) from None
    for item in items:
        if isinstance(item, Track):
            clips.append(_Clip(Path(item.path), item.track_id, item.genre))
            continue
        if not isinstance(item, (str, Path)):
            raise ParameterError(f"source items must be Tracks or paths, got {type(item).__name__}")
        path = Path(item)
        parsed = parse_track_name(path.name)
        if parsed is not None:
            clips.append(_Clip(path, f"{parsed[0]}.{parsed[1]:05d}", parsed[0]))
        else:  # any audio file: its stem is its id, its folder its label when that is a genre
            clips.append(_Clip(path, path.name.split(".")[0], path.parent.name if path.parent.name in GENRES else ""))
    return clips, []


def _clip_rows(clip: _Clip, segment_seconds, contrast, max_seconds=None) -> tuple[list[dict] | None, str | None]:
    """Rows of one clip (worker side): ``(rows, None)`` or ``(None, reason it was skipped)``."""
    from musicviz.audio import load_audio

    extract = _package().extract_clip_features
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
    except librosa_parameter_error() as exc:  # librosa refusing this clip's content
        return None, f"librosa: {exc}"
    except MemoryError:
        return None, "out of memory while computing its features (a lower max_seconds skips such clips)"
    # Anything else is a bug (a changed librosa API, a typo), not a bad clip: let it surface
    # instead of turning into an empty table and a warning.


def librosa_parameter_error():
    """librosa's own ``ParameterError`` class (imported lazily)."""
    from librosa.util.exceptions import ParameterError as LibrosaParameterError

    return LibrosaParameterError


# The clip loop lives in musicviz._clip_engine; musicviz.features still re-exports these two
# from here under their old names.
_tagged, _worker_died = _clip_engine._tagged, _clip_engine._worker_died


def _check_arguments(segment_seconds, max_seconds, errors):
    if errors not in ("skip", "raise"):
        raise ParameterError(f"errors must be 'skip' or 'raise', got {errors!r}")
    if segment_seconds is not None:
        if isinstance(segment_seconds, bool) or not np.isscalar(segment_seconds) or not float(segment_seconds) > 0:
            raise ParameterError(f"segment_seconds must be a positive number of seconds or None, got {segment_seconds!r}")
        segment_seconds = float(segment_seconds)
        if segment_seconds * SR < N_FFT:
            raise ParameterError(f"segment_seconds={segment_seconds} is shorter than one {N_FFT}-sample frame")
    if max_seconds is not None:
        if isinstance(max_seconds, bool) or not np.isscalar(max_seconds) or not float(max_seconds) >= MIN_DURATION:
            raise ParameterError(
                f"max_seconds must be a number of seconds >= {MIN_DURATION:g} (clips shorter than that are "
                f"skipped anyway) or None, got {max_seconds!r}"
            )
        max_seconds = float(max_seconds)
    return segment_seconds, max_seconds


def feature_table(
    source=None,
    *,
    segment_seconds: float | None = None,
    n_jobs: int = -1,
    cache_dir=None,
    use_cache: bool = True,
    contrast: bool = True,
    progress: bool = True,
    warn: bool = True,
    errors: str = "skip",
    max_seconds: float | None = MAX_CLIP_SECONDS,
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
    n_jobs : int
        Worker processes (-1: all cores; 1: in this process).
    cache_dir : path-like or None
        Cache folder (default :func:`default_cache_dir`).
    use_cache : bool
        Read and write the cache (False: recompute everything, write nothing).
    contrast : bool
        Add the spectral-contrast columns (:data:`CONTRAST_FEATURES`).
    progress : bool
        Show a tqdm progress bar.
    warn : bool
        ``warnings.warn`` a summary when clips were skipped.
    errors : {"skip", "raise"}
        What to do with a clip that cannot be used (unreadable, too short, silent, ...):
        skip it and report it in ``attrs["skipped"]`` (default), or raise
        :class:`~musicviz.errors.FeatureError` naming the clip. Errors that are not about a
        clip (a bug, a changed library API) always propagate.
    max_seconds : float or None
        Skip clips longer than this many seconds (default :data:`MAX_CLIP_SECONDS`), read
        from the header before anything is decoded; None: no limit (memory grows with the
        clip: about 2.5 GB for 10 minutes).

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
        Bad ``source``, ``segment_seconds`` or ``errors``.
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
    >>> table = feature_table(root, n_jobs=1, use_cache=False, progress=False, warn=False)
    >>> table.shape, table.loc[0, "track_id"], len(table.attrs["skipped"])
    ((1, 77), 'jazz.00001', 1)
    """
    segment_seconds, max_seconds = _check_arguments(segment_seconds, max_seconds, errors)
    clips, skipped = _clips_from(source)
    params = _params(segment_seconds, contrast)
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    names = FEATURES if contrast else KAGGLE_FEATURES
    # Keys are made and entries read and written here; the workers only compute.
    store = _features_cache(cache, names=names, segment_seconds=segment_seconds)

    # The shared clip loop (header, cache, workers, a dying worker): musicviz._clip_engine.
    # The worker function is looked up now, through the package: replacing
    # ``musicviz.features._clip_rows`` replaces what the workers run.
    results, cache_problems = map_clips(
        clips,
        _package()._clip_rows,
        args=(segment_seconds, contrast, max_seconds),
        n_jobs=n_jobs,
        store=store if use_cache else None,
        params=params,
        encode=_without_identity,  # rows are cached without their file name, track id and label
        decode=_with_identity,
        max_seconds=max_seconds,
        too_long_advice="cut it, or raise the limit if the memory allows",
        progress=progress,
        desc="features",
        what="features",
        no_cache="use_cache=False",
        assemble=lambda done, done_results: _assemble(
            done, done_results, list(skipped), names=names, segment_seconds=segment_seconds, errors="skip"
        ),
    )
    if cache_problems:
        more = f" (and {len(cache_problems) - 1} more)" if len(cache_problems) > 1 else ""
        warnings.warn(
            f"could not write the feature cache: {cache_problems[0]}{more}; the table is complete, but "
            "these clips will be computed again next time",
            stacklevel=2,
        )
    frame = _assemble(clips, results, skipped, names=names, segment_seconds=segment_seconds, errors=errors)
    skipped = frame.attrs["skipped"]
    if skipped and warn:
        warnings.warn(skipped_summary(skipped, caller="feature_table"), stacklevel=2)
    return frame


def _assemble(clips, results, skipped, *, names, segment_seconds, errors):
    """The table of ``clips`` from their ``(rows, reason)`` results; skipped ones are listed."""
    import pandas as pd

    all_rows = []
    for clip, (rows, reason) in zip(clips, results):
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


def course_feature_table(*, segment_seconds: float | None = None, n_jobs: int = -1, progress: bool = False):
    """The feature table of the course's audio (:func:`musicviz.datasets.course_audio_dir`).

    Cached per clip, so every notebook after the first gets it in a second or two.

    Examples
    --------
    >>> import musicviz as mv  # doctest: +SKIP
    >>> table = mv.features.course_feature_table()  # doctest: +SKIP
    """
    from musicviz.datasets import course_audio_dir

    return _package().feature_table(
        course_audio_dir(), segment_seconds=segment_seconds, n_jobs=n_jobs, progress=progress
    )


def run_features_command(directory, *, out, segment_seconds=None, n_jobs=-1, use_cache=True, progress=True) -> int:
    """``musicviz features DIR --out table.csv``: the table of every clip under DIR.

    Prints each skipped file with its reason and a one-line summary. Returns the exit
    status: 0 when a table was written, 1 when no clip could be used.
    """
    frame = _package().feature_table(
        directory,
        segment_seconds=segment_seconds,
        n_jobs=n_jobs,
        use_cache=use_cache,
        progress=progress,
        warn=False,
    )
    skipped = frame.attrs.get("skipped", [])
    for item in skipped:
        print(f"skipped {item.path}: {item.reason}")
    if frame.empty:
        print(f"no usable clips under {directory} ({len(skipped)} skipped); nothing written")
        return 1
    save_table(frame, out)
    per = f", {segment_seconds:g} s segments" if segment_seconds else ""
    print(
        f"wrote {len(frame)} rows ({frame['track_id'].nunique()} clips{per}) x {frame.shape[1]} columns "
        f"to {out}; skipped {len(skipped)} files"
    )
    return 0
