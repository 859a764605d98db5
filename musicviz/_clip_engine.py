"""The clip loop shared by the tables of many clips: clips, header check, cache, workers, progress.

Notebooks: ``04_features_and_standardization.ipynb`` (:func:`musicviz.features.feature_table`)
and ``08_transfer_learning.ipynb`` (:func:`musicviz.pretrained.embedding_table`).

Why it exists: both tables run the same loop over their clips: list them (:func:`clips_from`),
skip a file whose header is unreadable or too long before anything is decoded, read what
:class:`musicviz.cache.Cache` holds, compute the rest in this process or in joblib workers
(results in the order they finish, each cached at once), and turn a dying worker into a clear
error that keeps the finished clips. Written twice, the copies drifted (the musicnn table lost
every finished clip when a worker died); :func:`map_clips` is that loop, once. A table describes
its per-clip work in a :class:`ClipJob` and builds its rows from the results it gets back;
the engine never calls back into the table.

Every function over many clips speaks the same keywords, checked by :mod:`musicviz._checks`:
``cache=`` (True: the default folder, False: none, or a folder), ``progress=`` (False by
default: a notebook's stored outputs must not hold a progress bar's timings; the command line
turns it on unless ``--quiet``), ``max_seconds=`` (default :data:`MAX_CLIP_SECONDS`) and
``n_jobs=`` (-1: all cores).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from musicviz.errors import FeatureError, MusicvizError, ParameterError

__all__: list[str] = []  # private: used by musicviz.features and musicviz.pretrained

#: Longest clip a table of many clips computes by default (seconds; ``max_seconds=``): longer
#: clips are skipped from their header, before decoding. GTZAN's clips last 30 s; the features
#: of a 10-minute clip take about 2.5 GB of memory.
MAX_CLIP_SECONDS = 600

_CONTROLLER = None
_NUMBA_WARM = False


# --------------------------------------------------------------------------- the clips
@dataclass(frozen=True)
class Clip:
    """One audio file of a table: its path, its track id and its label ("" when unknown)."""

    path: Path
    track_id: str
    label: str


def clips_from(source) -> tuple[list[Clip], list]:
    """``(clips, skipped)`` from a folder (scanned), a ScanResult, a Track, or a list of Tracks/paths.

    ``skipped`` lists the files a scan left out (:class:`musicviz.datasets.Skipped`). A path
    named like GTZAN (``rock.00003.wav``) gets its track id and genre from the name; any
    other audio file gets its stem as id and its folder as label when that is a genre.

    Examples
    --------
    >>> from musicviz._clip_engine import clips_from
    >>> clips, skipped = clips_from(["music/rock.00003.wav", "jazz/my song.wav"])
    >>> [(c.track_id, c.label) for c in clips], skipped
    ([('rock.00003', 'rock'), ('my song', 'jazz')], [])
    """
    from musicviz import GENRES
    from musicviz.datasets import ScanResult, Track, parse_track_name, scan

    if source is None or isinstance(source, (str, Path)):
        # Headers only: duplicates are resolved among files that pass it; the workers decode
        # and validate the clips they compute.
        source = scan(source, check_audio=False)
    if isinstance(source, ScanResult):
        return [Clip(Path(t.path), t.track_id, t.genre) for t in source.tracks], list(source.skipped)
    if isinstance(source, Track):
        source = [source]
    try:
        items = list(source)
    except TypeError:
        raise ParameterError(
            f"source must be a folder, a ScanResult or a list of Tracks/paths, got {type(source).__name__}"
        ) from None
    clips = []
    for item in items:
        if isinstance(item, Track):
            clips.append(Clip(Path(item.path), item.track_id, item.genre))
            continue
        if not isinstance(item, (str, Path)):
            raise ParameterError(f"source items must be Tracks or paths, got {type(item).__name__}")
        path = Path(item)
        parsed = parse_track_name(path.name)
        if parsed is not None:
            clips.append(Clip(path, f"{parsed[0]}.{parsed[1]:05d}", parsed[0]))
        else:  # any audio file: its stem is its id, its folder its label when that is a genre
            clips.append(Clip(path, path.name.split(".")[0], path.parent.name if path.parent.name in GENRES else ""))
    return clips, []


# --------------------------------------------------------------------------- the job
@dataclass(frozen=True)
class ClipJob:
    """What a table computes for each clip, and how it caches it.

    Attributes
    ----------
    function : callable
        ``function(clip, *args) -> (value, None) | (None, reason it was skipped)``, the work of
        one clip; a module-level function (worker processes get it pickled by name). Errors
        that are not about the clip propagate.
    args : tuple
        Its further arguments (picklable).
    label : str
        What is computed, for the progress bar and the messages ("features", "MTT_vgg outputs").
    max_seconds : float or None
        Clips longer than this (read from the header) are skipped; None: no limit.
    store : musicviz.cache.Cache or None
        Where values are cached, under ``store.key(clip.path, params)``; None: no cache.
    params : mapping
        The parameters of the cache key.
    encode, decode : callable or None
        ``encode(value)`` is what is stored, ``decode(stored, clip)`` the value read back
        (default: the value itself).
    worker_setup : callable or None
        Called (without arguments) in a worker process before each of its clips: one
        TensorFlow thread, no GPU, ... Never called in this process. Must be idempotent.
    """

    function: Callable
    args: tuple = ()
    label: str = "clips"
    max_seconds: float | None = MAX_CLIP_SECONDS
    store: Any = None
    params: Mapping = field(default_factory=dict)
    encode: Callable | None = None
    decode: Callable | None = None
    worker_setup: Callable | None = None


# --------------------------------------------------------------------------- workers
def _one_blas_thread():
    """A context in which BLAS/OpenMP use one thread (restored afterwards).

    Every clip is computed that way, in this process (``n_jobs=1``) or in a worker: loky's
    workers are started with one thread already, Dask's are not (two worker processes with a
    BLAS thread per core each would oversubscribe the cores), and in this process the
    feature's small matrix products are faster without threads (measured: 165 ms/clip
    instead of 290 under load). It also makes ``n_jobs=1`` and ``n_jobs=2`` give the same
    numbers: OpenBLAS's threaded sgemm rounds the mel products differently (MFCCs ~1e-7).
    """
    global _CONTROLLER
    from threadpoolctl import ThreadpoolController

    if _CONTROLLER is None:
        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1)


def _run(i, function, clip, args, setup=None, verify=False):
    """``(i, function(clip, *args), digest)`` with one BLAS thread: results may come back in any order.

    With ``verify``, ``digest`` is the SHA-256 of the clip's bytes when a
    :func:`musicviz.cache.snapshot` taken right before the work equals one taken right after
    (so the value was computed from exactly those bytes), else None: the clip was replaced or
    edited meanwhile and its value must not be cached under any key.
    """
    if setup is not None:
        setup()
    before = None
    if verify:
        from musicviz.cache import snapshot

        try:
            before = snapshot(clip.path)
        except OSError:
            before = None
    with _one_blas_thread():
        result = function(clip, *args)
    digest = None
    if before is not None:
        try:
            digest = before[0] if snapshot(clip.path) == before else None
        except OSError:
            digest = None
    return i, result, digest


def _worker_died(exc: BaseException) -> bool:
    """Is ``exc`` joblib's (loky's) or Dask's report of a worker process that died?"""
    from concurrent.futures import BrokenExecutor

    return isinstance(exc, BrokenExecutor) or type(exc).__name__ in ("TerminatedWorkerError", "KilledWorker")


def warm_numba() -> None:
    """Compile, or load from numba's cache, what the workers will run: here, once per process.

    librosa's ``@guvectorize(cache=True)`` functions are compiled when their module is
    imported, and its and musicviz's ``@njit(cache=True)`` functions on their first call. Two
    worker processes that do it at the same time on a fresh cache (a new environment, a
    librosa upgrade) write the two halves of one cache entry (numba issue 10128, librosa
    issue 1998), and every later process that loads it crashes (segmentation fault). So
    before a pool starts, this process imports those modules and runs, on 3 s of audio, the
    feature extraction (every kernel of :mod:`musicviz.features._kernels`, with the workers'
    float32 types) and the librosa calls of the course (``estimate_tuning``/``piptrack``,
    ``beat_track``, ``onset_detect``, ``zero_crossings``): the workers then only load
    complete entries. When the cache is warm this loads it (about a second, once per
    process). Dask workers on other machines have caches of their own, which this cannot
    reach.

    Examples
    --------
    >>> from musicviz._clip_engine import warm_numba
    >>> warm_numba()  # doctest: +SKIP
    """
    global _NUMBA_WARM
    if _NUMBA_WARM:
        return
    import librosa
    import librosa.beat  # noqa: F401  (guvectorize: compiled or loaded on import)
    import librosa.onset  # noqa: F401
    import numpy as np

    from musicviz import SR
    from musicviz.features.extract import extract_clip_features

    t = np.arange(3 * SR) / SR
    noise = np.random.default_rng(0).standard_normal(t.size)
    y = (0.3 * np.sin(2 * np.pi * 220 * t) + 0.05 * noise).astype(np.float32)  # load_audio's float32
    with _one_blas_thread():
        extract_clip_features(y, sr=SR)
        librosa.estimate_tuning(y=y, sr=SR)
        librosa.beat.beat_track(y=y, sr=SR)
        librosa.onset.onset_detect(y=y, sr=SR)
        librosa.zero_crossings(y=y)
    _NUMBA_WARM = True


# --------------------------------------------------------------------------- the loop
def _too_long(duration: float, max_seconds: float) -> str:
    return (
        f"too long: {duration:.1f} s of audio, more than max_seconds={max_seconds:g} (cut it, or raise "
        "max_seconds if the memory allows)"
    )


def _unreadable_reason(exc: OSError) -> str:
    reason = "permission denied" if isinstance(exc, PermissionError) else (exc.strerror or str(exc))
    return f"cannot read the file ({reason})"


def map_clips(clips, job: ClipJob, *, n_jobs: int = -1, progress: bool = False) -> list[tuple]:
    """Every clip's ``(value, None)`` or ``(None, reason it was skipped)``, cached, in parallel.

    For each clip, in order: its header is read (:func:`musicviz.audio.probe`; a missing,
    unreadable or too long file is skipped with its reason before anything is decoded or
    hashed), then its cache entry (when ``job.store`` is set); the clips left are computed by
    ``job.function(clip, *job.args)`` in this process (``n_jobs=1``, or a single clip of a job
    without ``worker_setup``) or in joblib worker processes, always with one BLAS thread. Before a pool starts,
    :func:`warm_numba` runs once in this process. Workers return in the order they finish and
    every finished clip is cached at once, so a worker that dies loses only its own clip. A
    value that cannot be cached costs one warning, not the value.

    Parameters
    ----------
    clips : sequence of Clip
        The clips (:func:`clips_from`).
    job : ClipJob
        What to compute per clip and how to cache it.
    n_jobs : int
        Worker processes (-1: all cores; 1: in this process). joblib's backend is not
        pinned, so ``joblib.parallel_config(backend="dask")`` applies.
    progress : bool
        Show a tqdm progress bar labelled ``job.label``.

    Returns
    -------
    list of tuple
        ``(value, None)`` or ``(None, reason)``, one per clip, in the order of ``clips``.

    Raises
    ------
    FeatureError
        A worker process died (out of memory, killed): the message says how many clips were
        done and whether they are cached (rerun to resume); the exception's ``results`` holds
        what this function would have returned, with None for the clips not finished.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from musicviz._clip_engine import Clip, ClipJob, map_clips
    >>> from musicviz.audio import write_wav
    >>> root = Path(tempfile.mkdtemp())
    >>> path = write_wav(root / "a.wav", np.zeros(22050, np.float32), sr=22050)
    >>> clips = [Clip(path, "a", ""), Clip(root / "missing.wav", "b", "")]
    >>> results = map_clips(clips, ClipJob(lambda clip: (clip.track_id, None)), n_jobs=1)
    >>> results[0], results[1][0]
    (('a', None), None)
    """
    from musicviz.audio import probe

    store, max_seconds = job.store, job.max_seconds
    results: list = [None] * len(clips)
    keys: list = [None] * len(clips)
    todo = []
    for i, clip in enumerate(clips):
        # The header first: a missing, unreadable or too long file is skipped before anything
        # is decoded (and before its bytes are hashed for the cache key).
        try:
            duration = probe(clip.path).duration
        except MusicvizError as exc:
            results[i] = (None, getattr(exc, "reason", None) or str(exc))
            continue
        if max_seconds is not None and duration > max_seconds:
            results[i] = (None, _too_long(duration, max_seconds))
            continue
        if store is not None:
            try:
                keys[i] = store.key(clip.path, dict(job.params))
            except OSError as exc:
                results[i] = (None, _unreadable_reason(exc))
                continue
            cached = store.read(keys[i])
            if cached is not None:
                results[i] = (cached if job.decode is None else job.decode(cached, clip), None)
                continue
        todo.append(i)
    if not todo:
        return results

    cache_problems: list[str] = []
    done = 0
    try:
        # A job with a worker_setup (musicnn: one TensorFlow thread) runs even a single clip in a
        # worker: its last bits depend on that setup, and a cached value must not depend on how
        # many clips were left to compute (n_jobs=1 asks for this process, whatever it rounds).
        # Each clip's bytes are hashed right before and right after its work (where it runs), and
        # its value is cached under the key of those bytes, only when they agree: a clip replaced
        # meanwhile is never cached under the other content's key.
        verify = store is not None
        if n_jobs == 1 or (len(todo) == 1 and job.worker_setup is None):
            computed = (_run(i, job.function, clips[i], job.args, None, verify) for i in todo)
        else:
            from joblib import Parallel, delayed

            warm_numba()  # before any worker compiles a numba function (see its docstring)
            # Results in the order they finish: every finished clip is cached at once.
            tasks = (delayed(_run)(i, job.function, clips[i], job.args, job.worker_setup, verify) for i in todo)
            computed = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(tasks)
        if progress:
            from tqdm.auto import tqdm

            computed = tqdm(computed, total=len(todo), desc=job.label, unit="clip")
        for i, result, digest in computed:
            results[i] = result
            done += 1
            value = result[0]
            if value is not None and store is not None and digest is not None:
                key = store.key_for(digest, dict(job.params))
                try:
                    store.write(key, value if job.encode is None else job.encode(value))
                except (OSError, ValueError) as exc:
                    cache_problems.append(f"{store.entry(key)}: {getattr(exc, 'strerror', None) or exc}")
    except Exception as exc:
        if not _worker_died(exc):
            raise
        kept = (
            f"they are cached in {store.folder}: rerun the same call to resume from the cache"
            if store is not None
            else "the cache is off (cache=False), so nothing was kept: rerun with the cache on to keep finished clips"
        )
        error = FeatureError(
            f"a worker process died while computing {job.label} ({type(exc).__name__}: out of memory, or "
            f"killed): {done} of {len(todo)} clips were computed before it stopped; {kept}. n_jobs=1 (or "
            f"fewer jobs) and a lower max_seconds use less memory"
        )
        error.results = results
        raise error from None
    finally:
        if cache_problems:
            import warnings

            more = f" (and {len(cache_problems) - 1} more)" if len(cache_problems) > 1 else ""
            warnings.warn(
                f"could not write the {store.kind} cache: {cache_problems[0]}{more}; the results are complete, "
                "but these clips will be computed again next time",
                stacklevel=3,
            )
    return results


# --------------------------------------------------------------------------- skipped clips
def skip_or_raise(clip, reason: str, skipped: list, *, errors: str) -> None:
    """A clip that cannot be used: raise :class:`FeatureError` naming it (``errors="raise"``) or list it."""
    from musicviz.datasets import Skipped

    if errors == "raise":
        raise FeatureError(f"{clip.path}: {reason}")
    skipped.append(Skipped(clip.path, reason))


def skipped_summary(skipped, *, caller: str) -> str:
    """The one warning a table gives for its skipped clips: how many, the first five and why."""
    listed = "; ".join(f"{s.path.name}: {s.reason}" for s in skipped[:5])
    more = f" (and {len(skipped) - 5} more)" if len(skipped) > 5 else ""
    return f"{caller} skipped {len(skipped)} file(s): {listed}{more}"
