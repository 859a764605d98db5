"""musicnn's outputs for many clips: one table row per clip, cached, in worker processes.

Notebook: ``08_transfer_learning.ipynb``.

Like the feature table (:mod:`musicviz.features.table`), and through the same clip engine
(:mod:`musicviz._clip_engine`: clip listing, cache, workers), with the same keywords
(``cache=``, ``progress=``, ``max_seconds=``, ``n_jobs=``):

* every clip's per-patch outputs (taggram and embedding layers, one float32 array) are cached
  in musicviz's content-addressed cache (:class:`musicviz.cache.Cache`, kind ``"musicnn"``,
  default folder ``<data_dir>/cache/musicnn``), keyed on the file's bytes, the model, the
  SHA-256 of its checkpoint files, the input settings and the numpy, librosa, soxr and
  TensorFlow versions; an entry is validated on read (shape, dtype, finite values) and
  recomputed when it fails;
* clips run in joblib worker processes (CPU only: ``CUDA_VISIBLE_DEVICES=-1`` and one
  TensorFlow thread in each, :func:`_worker_setup`), and the cache is read and written by the
  calling process only;
* a clip that cannot be used (unreadable, too short, too long, silent) is skipped and
  reported in ``table.attrs["skipped"]`` (:func:`musicviz.features.skipped_clips` lists them)
  and, by default, in one warning: it never aborts the table;
* a worker process that dies (out of memory, killed) raises a
  :class:`~musicviz.errors.FeatureError` saying how many clips were done: those are cached, so
  the same call resumes from there.

A fully cached table imports neither TensorFlow nor the network.
"""

from __future__ import annotations

import math

import functools
import os
import warnings
from pathlib import Path

import numpy as np

from musicviz import _checks
from musicviz._clip_engine import MAX_CLIP_SECONDS, ClipJob, clips_from, map_clips, skip_or_raise, skipped_summary
from musicviz.errors import FeatureError, ModelError, MusicvizError, ParameterError
from musicviz.pretrained.inputs import HOP_LENGTH, N_FFT, N_MELS, PATCH_FRAMES, SR
from musicviz.pretrained.network import LAYERS, MODELS, architecture, weights_digest
from musicviz.pretrained.tags import tags_of

__all__ = ["CACHE_VERSION", "embedding_table", "run_pretrained_command", "default_cache_dir"]

#: Version of the cached computation: bump when the outputs change for the same input.
CACHE_VERSION = 1
#: What an entry holds per patch, by architecture, in column order (``pooled`` is derived).
_STORED = {"musicnn": ("taggram", "penultimate", "mean_pool", "max_pool"), "vgg": ("taggram", "pool5")}
_SIZES = {"taggram": 50, "penultimate": 200, "mean_pool": 753, "max_pool": 753, "pool5": 256}


def default_cache_dir() -> Path:
    """Where musicnn outputs are cached: ``<data_dir>/cache/musicnn``."""
    from musicviz.config import cache_dir

    return cache_dir("musicnn")


def _width(arch: str) -> int:
    return sum(_SIZES[name] for name in _STORED[arch])


@functools.lru_cache(maxsize=None)
def _tensorflow_version() -> str:
    """The installed TensorFlow's version, without importing it."""
    from importlib import metadata

    for dist in ("tensorflow", "tensorflow-cpu"):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return "absent"


def _params(model: str) -> dict:
    return {
        "model": model,
        "weights": weights_digest(model),
        "tensorflow": _tensorflow_version(),
        "sr": SR,
        "n_fft": N_FFT,
        "hop_length": HOP_LENGTH,
        "n_mels": N_MELS,
        "patch_frames": PATCH_FRAMES,
    }


def _store(folder, model: str):
    from musicviz.cache import Cache, array_check

    return Cache(
        "musicnn",
        version=CACHE_VERSION,
        payload="array",
        folder=folder,
        validate=array_check(shape=(None, _width(architecture(model))), dtype=np.float32),
        libraries=("numpy", "librosa", "soxr"),
    )


def _pack(outputs: dict, arch: str) -> np.ndarray:
    return np.ascontiguousarray(np.concatenate([outputs[name] for name in _STORED[arch]], axis=1), dtype=np.float32)


def _unpack(array: np.ndarray, arch: str) -> dict[str, np.ndarray]:
    out, start = {}, 0
    for name in _STORED[arch]:
        out[name] = array[:, start : start + _SIZES[name]]
        start += _SIZES[name]
    if arch == "musicnn":
        out["pooled"] = np.concatenate([out["max_pool"], out["mean_pool"]], axis=1)
    return out


def _clip_outputs(clip, model: str, max_seconds):
    """``(packed outputs, None)`` or ``(None, reason it was skipped)`` for one clip (worker side)."""
    from musicviz.audio import load_audio
    from musicviz.pretrained.api import network_outputs

    try:
        y, sr = load_audio(clip.path, sr=None, min_duration=0.0, max_duration=max_seconds, dtype=np.float32)
        return _pack(network_outputs(y, sr=sr, model=model), architecture(model)), None
    except (ParameterError, ModelError):
        raise  # not about this clip: no weights, a bug
    except MusicvizError as exc:
        return None, getattr(exc, "reason", None) or str(exc)
    except MemoryError:
        return None, "out of memory while computing its musicnn outputs (a lower max_seconds skips such clips)"


def _worker_setup():
    """A worker process runs the network on the CPU with one TensorFlow thread (two workers on
    two cores, not four threads)."""
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
    from musicviz.pretrained.network import _import_tf

    tf = _import_tf()
    try:
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        pass  # already running (a reused worker): keeps its first setting


def embedding_table(
    source=None,
    *,
    model: str = "MSD_musicnn",
    layer: str | None = None,
    errors: str = "skip",
    warn: bool = True,
    cache=True,
    progress: bool = False,
    max_seconds: float | None = MAX_CLIP_SECONDS,
    n_jobs: int = -1,
):
    """musicnn embeddings and tag probabilities of many clips: one row per clip.

    Notebook: ``08_transfer_learning.ipynb``.

    Parameters
    ----------
    source : path-like, ScanResult, list of Track or paths, or None
        A folder to scan, a scan's result, or clips (as :func:`musicviz.features.feature_table`).
        Default: :func:`musicviz.datasets.course_audio_dir`.
    model : {"MSD_musicnn", "MTT_musicnn", "MTT_vgg", "MSD_vgg"}
    layer : str or None
        The embedding layer (see :func:`musicviz.pretrained.embeddings`; default
        ``"penultimate"`` for musicnn models, ``"pool5"`` for vgg).
    errors : {"skip", "raise"}
        Skip a clip that cannot be used and list it in ``attrs["skipped"]``, or raise
        :class:`~musicviz.errors.FeatureError` naming it.
    warn : bool
        ``warnings.warn`` a summary when clips were skipped.
    cache : bool or path-like
        True: the default cache folder (:func:`default_cache_dir`); a folder: that one;
        False: recompute everything and write nothing.
    progress : bool
        Show a tqdm progress bar.
    max_seconds : float or None
        Skip clips longer than this (default :data:`~musicviz.features.MAX_CLIP_SECONDS`),
        read from the header; None: no limit.
    n_jobs : int
        Worker processes (-1: all cores; 1: in this process).

    Returns
    -------
    pandas.DataFrame
        Columns ``track_id``, ``genre`` (the folder's or file name's genre, "" if none),
        ``filename``, ``n_patches``, the embedding ``emb_000`` ... (the layer's mean over the
        clip's patches) and ``tag:<tag>`` for the 50 tags (mean probability over patches).
        ``attrs``: ``"skipped"`` (list of :class:`musicviz.datasets.Skipped`), ``"model"``,
        ``"layer"``, ``"tags"``.

    Raises
    ------
    ParameterError
        Bad ``model``, ``layer``, ``errors``, ``cache``, ``max_seconds``, ``n_jobs`` or ``source``.
    ModelError
        musicnn's weights are not installed (``make env``).
    FeatureError
        ``errors="raise"`` and a clip could not be used. Also when a worker process dies
        (out of memory, killed), as in :func:`~musicviz.features.feature_table`: the clips
        finished before are cached, so the same call resumes, and are the rows of the
        exception's ``partial_table``.

    Examples
    --------
    >>> import musicviz as mv  # doctest: +SKIP
    >>> table = mv.pretrained.embedding_table(model="MSD_musicnn", n_jobs=2)  # doctest: +SKIP
    >>> table.shape  # doctest: +SKIP
    (120, 254)
    """
    if model not in MODELS:
        raise ParameterError(f"model must be one of {list(MODELS)}, got {model!r}")
    arch = architecture(model)
    layer = next(iter(LAYERS[arch])) if layer is None else layer
    if layer not in LAYERS[arch]:
        raise ParameterError(f"layer must be one of {list(LAYERS[arch])} for {model}, got {layer!r}")
    errors = _checks.one_of(errors, "errors", ("skip", "raise"))
    max_seconds = _checks.seconds_or_none(max_seconds, "max_seconds", maximum=math.inf)
    n_jobs = _checks.n_jobs(n_jobs)
    folder = _checks.cache_folder(cache, default=default_cache_dir)
    clips, skipped = clips_from(source)
    job = ClipJob(
        _clip_outputs,
        args=(model, max_seconds),
        label=f"{model} outputs",
        max_seconds=max_seconds,
        store=None if folder is None else _store(folder, model),
        params=_params(model),  # ModelError here, before any work, when musicnn is missing
        worker_setup=_worker_setup,
    )
    try:
        results = map_clips(clips, job, n_jobs=n_jobs, progress=progress)
    except FeatureError as exc:
        if getattr(exc, "results", None) is not None:  # a worker died: the rows of the clips done
            exc.partial_table = _assemble(clips, exc.results, list(skipped), model=model, layer=layer, errors="skip")
        raise
    frame = _assemble(clips, results, list(skipped), model=model, layer=layer, errors=errors)
    skipped = frame.attrs["skipped"]
    if skipped and warn:
        warnings.warn(skipped_summary(skipped, caller="embedding_table"), stacklevel=2)
    return frame


def _assemble(clips, results, skipped, *, model, layer, errors):
    """The table of ``clips`` from their ``(packed outputs, reason)`` results (None: not computed)."""
    import pandas as pd

    arch = architecture(model)
    tags = tags_of(model)
    size = LAYERS[arch][layer]
    rows = []
    for clip, result in zip(clips, results):
        if result is None:
            continue
        packed, reason = result
        if packed is None:
            skip_or_raise(clip, reason, skipped, errors=errors)
            continue
        outputs = _unpack(packed, arch)
        rows.append(
            [clip.track_id, clip.label, clip.path.name, packed.shape[0],
             *outputs[layer].mean(axis=0).astype(float), *outputs["taggram"].mean(axis=0).astype(float)]
        )  # fmt: skip
    columns = ["track_id", "genre", "filename", "n_patches", *[f"emb_{k:03d}" for k in range(size)], *[f"tag:{t}" for t in tags]]
    frame = pd.DataFrame(rows, columns=columns)
    frame["n_patches"] = frame["n_patches"].astype(int)
    frame.attrs.update(skipped=skipped, model=model, layer=layer, tags=tags)
    return frame


def run_pretrained_command(
    directory=None,
    *,
    models=("MTT_musicnn", "MSD_musicnn"),
    cache=True,
    progress: bool = False,
    max_seconds: float | None = MAX_CLIP_SECONDS,
    n_jobs: int = -1,
) -> int:
    """``musicviz pretrained cache [DIR] [--model M ...]``: compute and cache musicnn's outputs.

    Prints each skipped file and one summary line. Returns 0, or 1 when no clip could be used.
    The keywords are :func:`embedding_table`'s, except that ``cache`` cannot be False here:
    filling the cache is the point.
    """
    from musicviz.datasets import course_audio_dir

    where = _checks.cache_folder(cache, default=default_cache_dir)
    if where is None:
        raise ParameterError("cache must be True (the default folder) or a folder: this command fills the cache")
    directory = course_audio_dir() if directory is None else directory
    counts, skipped = [], []
    for model in models:
        frame = embedding_table(
            directory, model=model, warn=False, cache=where, progress=progress, max_seconds=max_seconds, n_jobs=n_jobs
        )
        counts.append(len(frame))
        skipped = frame.attrs["skipped"]
    for item in skipped:
        print(f"skipped {item.path}: {item.reason}")
    print(f"musicnn: {min(counts)} clips of {directory} cached for {', '.join(models)} in {where}; skipped {len(skipped)} files")
    return 0 if min(counts) else 1
