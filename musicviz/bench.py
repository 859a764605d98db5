"""``musicviz bench features``: the feature table against the naive way, timed.

Notebook: ``04_features_and_standardization.ipynb`` (the speed note at its end).

The *naive way* is what tutorials do (and what made GTZAN's Kaggle table): load each clip,
call every librosa feature function on the raw signal, so each one computes its own STFT
(chroma, centroid, bandwidth, rolloff, contrast, MFCC, onset strength and HPSS: eight STFTs),
and HPSS runs librosa's 2-D median filters. :func:`naive_clip_features` keeps the Kaggle
table's definitions (see :mod:`musicviz.features`), so both ways must give the same numbers;
the benchmark checks it and prints the largest relative difference. It is the *twin* of
:func:`musicviz.features.extract_clip_features`: a new feature column gets its naive twin
here too (CONTRIBUTING.md, "add a feature column"), or the benchmark fails.

Both runs include loading the audio and run with the process's default BLAS threads (the
naive way is not slowed down; musicviz uses one BLAS thread per clip, its own choice). numba
compilation, imports and worker start-up are excluded by a warm-up run (two clips per
worker).

Before the last line, one line times musicnn (notebooks 07, 08; ``make data`` computes it for
every clip): :func:`musicviz.pretrained.network_outputs` on the same clips (16 kHz, log-mel,
the network's graph), warm (TensorFlow, the weights and the traced graph loaded by a first
clip), with one TensorFlow and BLAS thread, as in the embedding table's workers, in a fresh
process (:func:`musicnn_line`). The last line printed is exactly::

    speedup 1 worker: X.XX, all workers: Y.YY, max rel diff: Z
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from musicviz import GENRES, SR
from musicviz.errors import ParameterError

__all__ = [
    "naive_clip_features",
    "naive_table",
    "make_bench_clips",
    "max_rel_diff",
    "musicnn_line",
    "run_features_benchmark",
]


def naive_clip_features(y, *, sr: int) -> dict[str, float]:
    """The features of one clip the tutorial way: every librosa function on the raw signal.

    Same definitions as :func:`musicviz.features.extract_clip_features` (reflect padding,
    the old ``effects.hpss``, ``beat_track``'s median onset envelope), nothing shared.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.bench import naive_clip_features
    >>> from musicviz.features import extract_clip_features
    >>> y = np.random.default_rng(0).uniform(-0.5, 0.5, 22050 * 2)
    >>> a, b = naive_clip_features(y, sr=22050), extract_clip_features(y, sr=22050)
    >>> max(abs(a[k] - b[k]) / abs(b[k]) for k in b) < 1e-4
    True
    """
    import librosa

    from musicviz.features import FEATURES, N_CONTRAST_BANDS, PAD_MODE

    y = np.asarray(y, dtype=np.float32)
    out: dict[str, float] = {}

    def mean_var(name, values):
        out[f"{name}_mean"] = float(np.mean(values))
        out[f"{name}_var"] = float(np.var(values))

    mean_var("chroma_stft", librosa.feature.chroma_stft(y=y, sr=sr, pad_mode=PAD_MODE))
    mean_var("rms", librosa.feature.rms(y=y, pad_mode=PAD_MODE))
    mean_var("spectral_centroid", librosa.feature.spectral_centroid(y=y, sr=sr, pad_mode=PAD_MODE))
    mean_var("spectral_bandwidth", librosa.feature.spectral_bandwidth(y=y, sr=sr, pad_mode=PAD_MODE))
    mean_var("rolloff", librosa.feature.spectral_rolloff(y=y, sr=sr, pad_mode=PAD_MODE))
    mean_var("zero_crossing_rate", librosa.feature.zero_crossing_rate(y=y))
    # librosa.effects.hpss(y) as it was when GTZAN's table was made.
    harmonic, percussive = librosa.decompose.hpss(librosa.stft(y=y, pad_mode=PAD_MODE))
    mean_var("harmony", librosa.util.fix_length(librosa.istft(harmonic, dtype=y.dtype), size=len(y)))
    mean_var("perceptr", librosa.util.fix_length(librosa.istft(percussive, dtype=y.dtype), size=len(y)))
    # librosa.beat.beat_track(y=y, sr=sr)[0], without tracking the beats.
    onset_envelope = librosa.onset.onset_strength(y=y, sr=sr, aggregate=np.median, pad_mode=PAD_MODE)
    out["tempo"] = float(np.atleast_1d(librosa.feature.tempo(onset_envelope=onset_envelope, sr=sr))[0])
    mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=20, pad_mode=PAD_MODE)
    for i in range(mfcc.shape[0]):
        mean_var(f"mfcc{i + 1}", mfcc[i])
    contrast = librosa.feature.spectral_contrast(y=y, sr=sr, n_bands=N_CONTRAST_BANDS, pad_mode=PAD_MODE)
    mean_var("spectral_contrast", contrast)
    for b in range(contrast.shape[0]):
        mean_var(f"spectral_contrast{b + 1}", contrast[b])
    return {name: out[name] for name in FEATURES}


def naive_table(paths):
    """The naive feature table of some files, in this process (one row per file)."""
    import pandas as pd

    from musicviz.audio import load_audio

    rows = []
    for path in paths:
        y, sr = load_audio(path, sr=SR, dtype=np.float32)
        rows.append({"filename": Path(path).name, **naive_clip_features(y, sr=sr)})
    return pd.DataFrame(rows)


def make_bench_clips(n_clips: int, folder, *, duration: float = 30.0) -> list[Path]:
    """Write ``n_clips`` synthetic clips (genres in turn) into ``folder``; return their paths."""
    from musicviz.audio import write_wav
    from musicviz.synth import synthesize_clip

    paths = []
    for k in range(n_clips):
        genre = GENRES[k % len(GENRES)]
        index = k // len(GENRES)
        y, meta = synthesize_clip(genre, index=index, seed=0, duration=duration)
        paths.append(write_wav(Path(folder) / f"{genre}.{index:05d}.wav", y, sr=SR))
    return paths


def max_rel_diff(a, b, columns) -> float:
    """Largest ``|a - b| / |b|`` over the given columns of two tables (0/0 counts as 0)."""
    x = a[list(columns)].to_numpy(dtype=float)
    y = b[list(columns)].to_numpy(dtype=float)
    diff = np.abs(x - y)
    scale = np.abs(y)
    rel = np.divide(diff, scale, out=np.where(diff == 0, 0.0, np.inf), where=scale > 0)
    return float(rel.max()) if rel.size else 0.0


def _best(fn, repeats):
    best, value = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def _time_musicnn(paths, model: str, repeats: int) -> dict:
    """Seconds (wall and CPU) per clip of ``network_outputs``, warm, one thread (run in a fresh process)."""
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
    from threadpoolctl import threadpool_limits

    from musicviz.audio import load_audio
    from musicviz.pretrained.api import network_outputs
    from musicviz.pretrained.network import _import_tf

    tf = _import_tf()
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    clips = [load_audio(path, sr=None, dtype=np.float32) for path in paths]
    with threadpool_limits(1):
        network_outputs(clips[0][0], sr=clips[0][1], model=model)  # warm-up: TensorFlow, weights, the trace
        wall, cpu = float("inf"), float("inf")
        for _ in range(repeats):
            start, start_cpu = time.perf_counter(), time.process_time()
            for y, sr in clips:
                network_outputs(y, sr=sr, model=model)
            wall = min(wall, time.perf_counter() - start)
            cpu = min(cpu, time.process_time() - start_cpu)
    return {"wall": wall / len(clips), "cpu": cpu / len(clips)}


def _musicnn_timing(paths, model: str, repeats: int) -> dict:
    """:func:`_time_musicnn` in a new Python process: its own TensorFlow, one thread from the start."""
    code = "import json, sys; from musicviz.bench import _time_musicnn; print(json.dumps(_time_musicnn(sys.argv[3:], sys.argv[1], int(sys.argv[2]))))"
    done = subprocess.run(
        [sys.executable, "-c", code, model, str(repeats), *map(str, paths)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        from musicviz.errors import ModelError

        last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit status {done.returncode}"
        raise ModelError(f"timing {model} in a new process failed: {last}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def musicnn_line(paths, *, model: str = "MSD_musicnn", repeats: int = 1, duration: float | None = None) -> str:
    """One benchmark line: seconds per clip of musicnn's outputs (warm, one thread).

    Notebook: ``08_transfer_learning.ipynb`` (the embeddings ``make data`` caches).

    Times :func:`musicviz.pretrained.network_outputs` (resampling, log-mel, the network) on
    each clip, after one warm-up clip, in a fresh process with one TensorFlow and BLAS thread
    (how the embedding table's workers run); the best of ``repeats`` runs over all clips.
    Without musicnn's weights the line says so instead.

    Examples
    --------
    >>> from musicviz.bench import musicnn_line
    >>> musicnn_line(["a.wav", "b.wav"], model="MSD_musicnn", duration=30)  # doctest: +SKIP
    'musicnn: 0.48 s per clip (MSD_musicnn, warm, 1 thread, 2 clips x 30 s; 0.47 CPU-s per clip)'
    """
    from musicviz.errors import ModelError
    from musicviz.pretrained.network import checkpoint_dir

    paths = list(paths)
    if not paths or repeats < 1:
        raise ParameterError(f"need clips and repeats >= 1, got {len(paths)} clips, repeats={repeats}")
    try:
        checkpoint_dir(model)
    except ModelError as exc:
        return f"musicnn: not timed ({exc})"
    seconds = _musicnn_timing(paths, model, repeats)
    length = f" x {duration:g} s" if duration is not None else ""
    return (
        f"musicnn: {seconds['wall']:.2f} s per clip ({model}, warm, 1 thread, {len(paths)} clips{length}; "
        f"{seconds['cpu']:.2f} CPU-s per clip)"
    )


def run_features_benchmark(
    *, n_clips: int = 8, n_jobs: int = -1, repeats: int = 1, duration: float = 30.0, musicnn: str | None = "MSD_musicnn"
) -> int:
    """Time the naive way against :func:`musicviz.features.feature_table` and print ratios.

    Parameters
    ----------
    n_clips : int >= 1
        Clips to time (synthetic, ``duration`` seconds each).
    n_jobs : int
        Workers of the parallel run (-1: all cores).
    repeats : int >= 1
        Timed repeats of each run; the best is kept.
    duration : float
        Seconds per clip.
    musicnn : str or None
        The musicnn model timed on the same clips (:func:`musicnn_line`); None: not timed.

    Returns
    -------
    int
        0 (the exit status of ``musicviz bench features``).
    """
    from joblib import cpu_count

    from musicviz.features import FEATURES, feature_table

    if n_clips < 1 or repeats < 1:
        raise ParameterError(f"need clips >= 1 and repeats >= 1, got clips={n_clips}, repeats={repeats}")
    workers = cpu_count() if n_jobs == -1 else (cpu_count() + 1 + n_jobs if n_jobs < 0 else n_jobs)
    with tempfile.TemporaryDirectory(prefix="musicviz-bench-") as tmp:
        paths = make_bench_clips(n_clips, tmp, duration=duration)
        warm = make_bench_clips(2 * max(workers, 1), os.path.join(tmp, "warm"), duration=3.0)
        # Warm-up: numba compilation, imports, and the worker pool (kept alive by loky): two
        # clips per worker, so that no worker meets its first clip in the timed run.
        naive_table(warm[:1])
        feature_table(warm[:1], n_jobs=1, cache=False, progress=False, warn=False)
        feature_table(warm, n_jobs=n_jobs, cache=False, progress=False, warn=False)

        t_naive, naive = _best(lambda: naive_table(paths), repeats)
        t_one, table = _best(lambda: feature_table(paths, n_jobs=1, cache=False, progress=False, warn=False), repeats)
        t_all, table_all = _best(
            lambda: feature_table(paths, n_jobs=n_jobs, cache=False, progress=False, warn=False), repeats
        )
        pretrained = musicnn_line(paths, model=musicnn, repeats=repeats, duration=duration) if musicnn else None
    diff = max(max_rel_diff(table, naive, FEATURES), max_rel_diff(table_all, naive, FEATURES))
    print(f"clips: {n_clips} synthetic x {duration:g} s, best of {repeats}, {workers} workers for the parallel run")
    print(f"naive librosa, 1 process: {t_naive:7.2f} s ({t_naive / n_clips:.3f} s/clip)")
    print(f"musicviz, 1 worker:       {t_one:7.2f} s ({t_one / n_clips:.3f} s/clip)")
    print(f"musicviz, {workers} workers:      {t_all:7.2f} s ({t_all / n_clips:.3f} s/clip)")
    if pretrained:
        print(pretrained)
    print(f"speedup 1 worker: {t_naive / t_one:.2f}, all workers: {t_naive / t_all:.2f}, max rel diff: {diff:.1e}")
    return 0
