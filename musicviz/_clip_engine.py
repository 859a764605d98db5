"""The clip loop shared by the tables of many clips: header check, cache, workers, progress.

Notebooks: ``04_features_and_standardization.ipynb`` (:func:`musicviz.features.feature_table`)
and ``08_transfer_learning.ipynb`` (:func:`musicviz.pretrained.embedding_table`).

Why it exists: both tables run the same loop over their clips — skip a file whose header is
unreadable or too long before anything is decoded, read what :class:`musicviz.cache.Cache`
holds, compute the rest in this process or in joblib workers (results in the order they finish,
each cached at once), and turn a dying worker into a clear error that keeps the finished clips.
Written twice, the copies drifted (the musicnn table lost every finished clip when a worker
died); :func:`map_clips` is that loop, once. What a table computes per clip, how it caches it
and how it builds its rows stay with the table.
"""

from __future__ import annotations

from musicviz.errors import FeatureError, MusicvizError

__all__: list[str] = []  # private: used by musicviz.features and musicviz.pretrained

_CONTROLLER = None


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


def _tagged(i, function, *args):
    """``(i, function(*args))`` with one BLAS thread: results may come back in any order."""
    with _one_blas_thread():
        return i, function(*args)


def _worker_died(exc: BaseException) -> bool:
    """Is ``exc`` joblib's (loky's) or Dask's report of a worker process that died?"""
    from concurrent.futures import BrokenExecutor

    return isinstance(exc, BrokenExecutor) or type(exc).__name__ in ("TerminatedWorkerError", "KilledWorker")


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


def _unreadable_reason(exc: OSError) -> str:
    reason = "permission denied" if isinstance(exc, PermissionError) else (exc.strerror or str(exc))
    return f"cannot read the file ({reason})"


def map_clips(
    clips,
    function,
    *,
    args=(),
    worker_args=None,
    n_jobs: int = -1,
    store=None,
    params=None,
    encode=None,
    decode=None,
    max_seconds=None,
    too_long_advice: str | None = None,
    progress: bool = True,
    desc: str = "clips",
    what: str = "clips",
    no_cache: str = "the cache is off",
    assemble=None,
):
    """Every clip's ``(value, None)`` or ``(None, reason it was skipped)``, cached, in parallel.

    For each clip, in order: its header is read (:func:`musicviz.audio.probe`; a missing,
    unreadable or too long file is skipped with its reason before anything is decoded or
    hashed), then its cache entry (when ``store`` is given); the clips left are computed by
    ``function(clip, *args)`` in this process (``n_jobs=1``, or a single clip) or in joblib
    worker processes, always with one BLAS thread. Workers return in the order they finish
    and every finished clip is cached at once, so a worker that dies loses only its own clip.

    Parameters
    ----------
    clips : sequence
        The clips, objects with a ``path`` (``musicviz.features.table._Clip``).
    function : callable
        ``function(clip, *args) -> (value, None) | (None, reason)``, the work of one clip; a
        module-level function (worker processes get it pickled by name). Errors that are not
        about the clip propagate.
    args, worker_args : tuple
        Its further arguments in this process, and in worker processes (default: ``args``).
    n_jobs : int
        Worker processes (-1: all cores; 1: in this process). joblib's backend is not
        pinned, so ``joblib.parallel_config(backend="dask")`` applies.
    store : musicviz.cache.Cache or None
        Where values are cached under ``store.key(clip.path, params)``; None: no cache.
    params : dict
        The parameters of the cache key.
    encode, decode : callable or None
        ``encode(value)`` is what is stored, ``decode(stored, clip)`` the value read back
        (default: the value itself).
    max_seconds : float or None
        Skip clips longer than this (from the header); None: no limit.
    too_long_advice : str or None
        Added to the "too long" reason after ``max_seconds=``.
    progress : bool
        Show a tqdm progress bar labelled ``desc``.
    what : str
        What is computed, for the error when a worker dies ("features").
    no_cache : str
        How the caller turned the cache off, for that error ("use_cache=False").
    assemble : callable or None
        ``assemble(clips, results)``: the table of the finished clips, attached to that error
        as ``partial_table``.

    Returns
    -------
    results : list of tuple
        ``(value, None)`` or ``(None, reason)``, one per clip, in the order of ``clips``.
    cache_problems : list of str
        ``"<entry>: <reason>"`` for every value that could not be cached (the caller warns).

    Raises
    ------
    FeatureError
        A worker process died (out of memory, killed): the message says how many clips were
        done and that they are cached (rerun to resume); ``partial_table`` holds their rows.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from musicviz._clip_engine import map_clips
    >>> from musicviz.audio import write_wav
    >>> from musicviz.features.table import _Clip
    >>> root = Path(tempfile.mkdtemp())
    >>> path = write_wav(root / "a.wav", np.zeros(22050, np.float32), sr=22050)
    >>> clips = [_Clip(path, "a", ""), _Clip(root / "missing.wav", "b", "")]
    >>> results, problems = map_clips(clips, lambda clip: (clip.track_id, None), n_jobs=1, progress=False)
    >>> results[0], results[1][0], problems
    (('a', None), None, [])
    """
    from musicviz.audio import probe

    worker_args = args if worker_args is None else worker_args
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
            advice = f"; {too_long_advice}" if too_long_advice else ""
            results[i] = (None, f"too long: {duration:.1f} s of audio, at most {max_seconds:g} s (max_seconds={advice})")
            continue
        if store is not None:
            try:
                keys[i] = store.key(clip.path, params)
            except OSError as exc:
                results[i] = (None, _unreadable_reason(exc))
                continue
            cached = store.read(keys[i])
            if cached is not None:
                results[i] = (cached if decode is None else decode(cached, clip), None)
                continue
        todo.append(i)

    cache_problems: list[str] = []
    done = 0
    if not todo:
        return results, cache_problems
    try:
        if n_jobs == 1 or len(todo) == 1:
            computed = (_tagged(i, function, clips[i], *args) for i in todo)
        else:
            from joblib import Parallel, delayed

            # Results in the order they finish: every finished clip is cached at once.
            jobs = (delayed(_tagged)(i, function, clips[i], *worker_args) for i in todo)
            computed = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(jobs)
        if progress:
            from tqdm.auto import tqdm

            computed = tqdm(computed, total=len(todo), desc=desc, unit="clip")
        for i, result in computed:
            results[i] = result
            done += 1
            value = result[0]
            if value is not None and store is not None and keys[i] is not None:
                try:
                    store.write(keys[i], value if encode is None else encode(value))
                except (OSError, ValueError) as exc:
                    cache_problems.append(f"{store.entry(keys[i])}: {getattr(exc, 'strerror', None) or exc}")
    except Exception as exc:
        if not _worker_died(exc):
            raise
        kept = (
            f"they are cached in {store.folder}: rerun the same call to resume from the cache"
            if store is not None
            else f"{no_cache}, so nothing was kept: rerun with the cache on to keep finished clips"
        )
        error = FeatureError(
            f"a worker process died while computing {what} ({type(exc).__name__}: out of memory, or "
            f"killed): {done} of {len(todo)} clips were computed before it stopped; {kept}. n_jobs=1 (or "
            f"fewer jobs) and a lower max_seconds use less memory"
        )
        if assemble is not None:
            finished = [(c, r) for c, r in zip(clips, results) if r is not None]
            error.partial_table = assemble([c for c, _ in finished], [r for _, r in finished])
        raise error from None
    return results, cache_problems
