"""The feature table: GTZAN-compatible clip features, computed from one STFT per clip.

Notebook: ``04_features_and_standardization.ipynb``.

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
One STFT per clip feeds every spectral feature, one mel spectrogram feeds tempo and MFCC,
and HPSS uses :func:`median_filter_along`, an exact (bit-identical) replacement for the
2-D ``scipy.ndimage.median_filter`` librosa uses, about 10x faster: HPSS is 80 % of the
naive cost. ``musicviz bench features`` measures it (``make bench``).

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

The workers must see the audio files at the same path (a shared file system).

A clip longer than :data:`MAX_CLIP_SECONDS` (``max_seconds=``) is skipped, from its header,
before anything is decoded: one 10-minute clip needs about 2.5 GB while its features are
computed. If a worker process dies all the same (the system's out-of-memory killer, a crash in
a native library), :func:`feature_table` raises a :class:`~musicviz.errors.FeatureError` that
says how many clips were done; those are in the cache, so running the same call again resumes
from there.

Caching
-------
Each clip's rows are cached on disk (default ``<data_dir>/cache/features``), keyed on the
SHA-256 of the file's bytes *and* every parameter (segment length, sample rate, STFT
settings, the feature-code version and the librosa version), so a changed file or parameter
never returns a stale row. Cache files are written atomically, as
``{"version": CACHE_FORMAT, "rows": [...]}``, and every entry is validated when it is read
(the format version, every feature a finite number, the segment numbering and lengths): an
entry that fails, whatever is wrong with it (hand-edited, from another tool, a folder in its
place), is recomputed and overwritten, never trusted and never fatal. A cache that cannot be
written costs a warning, not the table.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from musicviz import GENRES, SR
from musicviz._io import atomic_path
from musicviz.audio import check_signal, probe
from musicviz.errors import FeatureError, MusicvizError, ParameterError

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
]

N_FFT = 2048
HOP_LENGTH = 512
N_MFCC = 20
#: Median-filter length of librosa's HPSS (frames for harmonic, bins for percussive).
HPSS_KERNEL = 31
#: How STFT/RMS frames are centred: GTZAN's table was made when librosa padded by reflection.
PAD_MODE = "reflect"
#: Spectral contrast: librosa's default 6 octave bands (+1 for the rest).
N_CONTRAST_BANDS = 6
#: Bump when a feature's definition or computation changes: invalidates every cache entry.
FEATURES_VERSION = "2"
#: Clips shorter than this are skipped (tempo and the 31-frame HPSS need a few seconds).
MIN_DURATION = 1.0
#: Longest clip :func:`feature_table` computes by default (seconds; ``max_seconds=``): longer
#: clips are skipped from their header, before decoding. GTZAN's clips last 30 s; features of
#: a 10-minute clip take about 2.5 GB of memory.
MAX_CLIP_SECONDS = 600
#: Format of a cache entry, ``{"version": CACHE_FORMAT, "rows": [...]}``: bump when it changes.
CACHE_FORMAT = 1
# A cache entry larger than this is not read (600 s in 1 s segments is about 1.2 MB).
_MAX_CACHE_ENTRY_BYTES = 64 * 2**20

#: The 57 numeric feature columns of GTZAN's Kaggle table, in its order.
KAGGLE_FEATURES: tuple[str, ...] = (
    *(
        f"{name}_{stat}"
        for name in (
            "chroma_stft",
            "rms",
            "spectral_centroid",
            "spectral_bandwidth",
            "rolloff",
            "zero_crossing_rate",
            "harmony",
            "perceptr",
        )
        for stat in ("mean", "var")
    ),
    "tempo",
    *(f"mfcc{i}_{stat}" for i in range(1, N_MFCC + 1) for stat in ("mean", "var")),
)

#: Spectral contrast, which the Kaggle table lacks: over all bands, then band by band.
CONTRAST_FEATURES: tuple[str, ...] = (
    "spectral_contrast_mean",
    "spectral_contrast_var",
    *(f"spectral_contrast{b}_{stat}" for b in range(1, N_CONTRAST_BANDS + 2) for stat in ("mean", "var")),
)

#: Every numeric feature musicviz computes: the Kaggle 57, then spectral contrast (73).
FEATURES: tuple[str, ...] = KAGGLE_FEATURES + CONTRAST_FEATURES

#: Non-feature columns of a table, in order (``segment`` only in segment tables; ``label`` last).
ID_COLUMNS: tuple[str, ...] = ("filename", "track_id", "segment", "length")


# --------------------------------------------------------------------------- one clip
def median_filter_along(x, *, size: int, axis: int = -1) -> np.ndarray:
    """Median of every run of ``size`` values along one axis: exact, and fast.

    Gives the same numbers, bit for bit, as ``scipy.ndimage.median_filter(x, size=...,
    mode="reflect")`` with a footprint that is 1 along every other axis (what HPSS uses),
    about 10x faster: the rows are laid end to end, each with its own mirrored edges, and
    one 1-D median filter runs over them (scipy's 1-D path is O(n log size)).

    Parameters
    ----------
    x : np.ndarray [shape=(..., n)]
        Real values.
    size : int > 0
        Window length (odd, centred).
    axis : int
        Axis to filter along.

    Returns
    -------
    np.ndarray
        Same shape and dtype as ``x``.

    Examples
    --------
    >>> import numpy as np, scipy.ndimage
    >>> from musicviz.features import median_filter_along
    >>> x = np.random.default_rng(0).random((5, 40))
    >>> fast = median_filter_along(x, size=7, axis=0)
    >>> bool(np.array_equal(fast, scipy.ndimage.median_filter(x, size=(7, 1), mode="reflect")))
    True
    """
    from scipy import ndimage

    x = np.asarray(x)
    if size < 1:
        raise ParameterError(f"size must be a positive window length, got {size}")
    moved = np.moveaxis(x, axis, -1)
    half_left, half_right = size // 2, (size - 1) // 2
    # ndimage's "reflect" is numpy's "symmetric" (d c b a | a b c d | d c b a).
    padded = np.pad(moved, [(0, 0)] * (moved.ndim - 1) + [(half_left, half_right)], mode="symmetric")
    flat = ndimage.median_filter(padded.reshape(-1), size=size, mode="nearest")
    n = moved.shape[-1]
    out = flat.reshape(padded.shape)[..., half_left : half_left + n]
    return np.ascontiguousarray(np.moveaxis(out, -1, axis))


def hpss(stft, *, kernel_size: int = HPSS_KERNEL):
    """librosa's harmonic/percussive separation, with the fast exact median filter.

    Same result as ``librosa.decompose.hpss(stft, kernel_size=kernel_size)`` (default margin
    and power), computed about 5x faster.

    Parameters
    ----------
    stft : np.ndarray [shape=(..., n_bins, n_frames)], complex
        A complex STFT.
    kernel_size : int
        Median filter length, in frames (harmonic) and bins (percussive).

    Returns
    -------
    harmonic, percussive : np.ndarray, complex, same shape as ``stft``

    Examples
    --------
    >>> import numpy as np, librosa
    >>> from musicviz.features import hpss
    >>> D = librosa.stft(y=np.random.default_rng(0).standard_normal(22050).astype(np.float32))
    >>> H, P = hpss(D)
    >>> ref_H, ref_P = librosa.decompose.hpss(D)
    >>> bool(np.array_equal(H, ref_H) and np.array_equal(P, ref_P))
    True
    """
    import librosa

    magnitude, phase = librosa.magphase(stft)
    harm = median_filter_along(magnitude, size=kernel_size, axis=-1)
    perc = median_filter_along(magnitude, size=kernel_size, axis=-2)
    # librosa.util.softmask(harm, perc, power=2, split_zeros=True) and its mirror, sharing
    # the work: the same operations in the same order, so the same numbers.
    peak = np.maximum(harm, perc)
    bad = peak < np.finfo(magnitude.dtype).tiny
    peak[bad] = 1
    h = (harm / peak) ** 2
    p = (perc / peak) ** 2
    total = h + p
    total[bad] = 1
    mask_harm = h / total
    mask_perc = p / total
    mask_harm[bad] = 0.5
    mask_perc[bad] = 0.5
    return (magnitude * mask_harm) * phase, (magnitude * mask_perc) * phase


def extract_clip_features(y, *, sr: int, contrast: bool = True) -> dict[str, float]:
    """Every feature of one clip (GTZAN's Kaggle definitions), from a single STFT.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono samples (computed in float32, like ``librosa.load`` returns them).
    sr : int > 0
        Sample rate.
    contrast : bool
        Also compute spectral contrast (:data:`CONTRAST_FEATURES`).

    Returns
    -------
    dict
        ``{column name: value}`` for every name in :data:`KAGGLE_FEATURES` (then
        :data:`CONTRAST_FEATURES` when ``contrast``), in that order.

    Raises
    ------
    ParameterError
        ``y`` is not a mono signal of at least ``n_fft`` finite samples, or ``sr`` is bad.
    FeatureError
        The clip is silent.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.features import extract_clip_features
    >>> t = np.arange(22050 * 3) / 22050
    >>> feats = extract_clip_features(0.5 * np.sin(2 * np.pi * 440 * t), sr=22050)
    >>> bool(abs(feats["spectral_centroid_mean"] - 440) < 20)
    True
    """
    import librosa

    y = check_signal(y, sr=sr, min_samples=N_FFT)
    y = np.asarray(y, dtype=np.float32)
    if not np.any(y):
        raise FeatureError("the clip is silent: spectral features are undefined")
    out: dict[str, float] = {}

    def mean_var(name, values):
        out[f"{name}_mean"] = float(np.mean(values))
        out[f"{name}_var"] = float(np.var(values))

    stft = librosa.stft(y=y, n_fft=N_FFT, hop_length=HOP_LENGTH, pad_mode=PAD_MODE)
    magnitude = np.abs(stft)
    power = magnitude**2
    mean_var("chroma_stft", librosa.feature.chroma_stft(S=power, sr=sr, n_fft=N_FFT, hop_length=HOP_LENGTH))
    # rms from the waveform: librosa's S-based rms uses a different normalisation.
    mean_var("rms", librosa.feature.rms(y=y, frame_length=N_FFT, hop_length=HOP_LENGTH, pad_mode=PAD_MODE))
    centroid = librosa.feature.spectral_centroid(S=magnitude, sr=sr, n_fft=N_FFT)
    mean_var("spectral_centroid", centroid)
    mean_var("spectral_bandwidth", librosa.feature.spectral_bandwidth(S=magnitude, sr=sr, n_fft=N_FFT, centroid=centroid))
    mean_var("rolloff", librosa.feature.spectral_rolloff(S=magnitude, sr=sr, n_fft=N_FFT))
    mean_var("zero_crossing_rate", librosa.feature.zero_crossing_rate(y=y, frame_length=N_FFT, hop_length=HOP_LENGTH))
    harmonic, percussive = hpss(stft)
    # Both inverse STFTs in one call; no length= and zero-padding, as the old effects.hpss.
    both = librosa.istft(np.stack([harmonic, percussive]), hop_length=HOP_LENGTH, n_fft=N_FFT, dtype=y.dtype)
    both = librosa.util.fix_length(both, size=len(y))
    mean_var("harmony", both[0])
    mean_var("perceptr", both[1])
    log_mel = librosa.power_to_db(S=librosa.feature.melspectrogram(S=power, sr=sr, n_fft=N_FFT, hop_length=HOP_LENGTH))
    onset_envelope = librosa.onset.onset_strength(S=log_mel, sr=sr, hop_length=HOP_LENGTH, aggregate=np.median)
    tempo = librosa.feature.tempo(onset_envelope=onset_envelope, sr=sr, hop_length=HOP_LENGTH)
    out["tempo"] = float(np.atleast_1d(tempo)[0])
    mfcc = librosa.feature.mfcc(S=log_mel, sr=sr, n_mfcc=N_MFCC)
    for i in range(N_MFCC):
        mean_var(f"mfcc{i + 1}", mfcc[i])
    names = KAGGLE_FEATURES
    if contrast:
        bands = librosa.feature.spectral_contrast(S=magnitude, sr=sr, n_fft=N_FFT, n_bands=N_CONTRAST_BANDS)
        mean_var("spectral_contrast", bands)
        for b in range(bands.shape[0]):
            mean_var(f"spectral_contrast{b + 1}", bands[b])
        names = FEATURES
    return {name: out[name] for name in names}


# --------------------------------------------------------------------------- many clips
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


def _params(segment_seconds, contrast) -> dict:
    import librosa

    return {
        "version": FEATURES_VERSION,
        "librosa": librosa.__version__,
        "sr": SR,
        "n_fft": N_FFT,
        "hop_length": HOP_LENGTH,
        "n_mfcc": N_MFCC,
        "hpss_kernel": HPSS_KERNEL,
        "pad_mode": PAD_MODE,
        "segment_seconds": segment_seconds,
        "contrast": bool(contrast),
    }


def _cache_key(path: Path, params: dict) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    digest.update(json.dumps(params, sort_keys=True).encode())
    return digest.hexdigest()


def _clip_rows(clip: _Clip, segment_seconds, contrast, max_seconds=None) -> tuple[list[dict] | None, str | None]:
    """Rows of one clip (worker side): ``(rows, None)`` or ``(None, reason it was skipped)``."""
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
            feats = extract_clip_features(piece, sr=sr, contrast=contrast)
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


def default_cache_dir() -> Path:
    """Where clip features are cached: ``<data_dir>/cache/features``."""
    from musicviz.datasets import data_dir

    return data_dir() / "cache" / "features"


_IDENTITY = ("filename", "track_id", "label")


def _tagged(i, function, *args):
    """``(i, function(*args))``: lets results come back in any order (worker side)."""
    return i, function(*args)


def _entry_path(cache: Path, key: str) -> Path:
    return cache / key[:2] / f"{key}.json"


def _valid_rows(payload, *, names, segment_seconds) -> list[dict] | None:
    """The rows of a parsed cache entry when it is exactly what the writer writes, else None."""
    if not isinstance(payload, dict) or set(payload) != {"version", "rows"}:
        return None
    version, rows = payload["version"], payload["rows"]
    if type(version) is not int or version != CACHE_FORMAT or not isinstance(rows, list) or not rows:
        return None
    segmented = segment_seconds is not None
    if not segmented and len(rows) != 1:
        return None
    step = int(round(segment_seconds * SR)) if segmented else None
    keys = {"length", *names} | ({"segment"} if segmented else set())
    out = []
    for k, row in enumerate(rows):
        if not isinstance(row, dict) or set(row) != keys:
            return None
        length = row["length"]
        if type(length) is not int or length <= 0 or (segmented and length != step):
            return None
        if segmented and (type(row["segment"]) is not int or row["segment"] != k):
            return None
        clean = {"segment": k} if segmented else {}
        clean["length"] = length
        for name in names:
            value = row[name]
            if type(value) not in (float, int):
                return None
            try:
                value = float(value)
            except OverflowError:  # a huge integer
                return None
            if not math.isfinite(value):
                return None
            clean[name] = value
        out.append(clean)
    return out


def _read_cache_entry(entry: Path, *, names, segment_seconds) -> list[dict] | None:
    """The cached feature rows at ``entry``, validated; None when missing or invalid in any way.

    Never raises for what is in the file: an entry that is not exactly what
    :func:`_write_cache_entry` writes for these ``names`` and ``segment_seconds`` is None
    (the caller recomputes the clip and overwrites it).
    """
    try:
        if not entry.is_file() or entry.stat().st_size > _MAX_CACHE_ENTRY_BYTES:
            return None
        payload = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # unreadable, not UTF-8, not JSON, too deep
        return None
    return _valid_rows(payload, names=names, segment_seconds=segment_seconds)


def _write_cache_entry(entry: Path, rows) -> None:
    """Write one clip's feature rows (identity columns left out) atomically.

    Whatever is in the way at ``entry`` (an invalid file, a link, a folder) is replaced.
    Raises OSError when the cache cannot be written.
    """
    # Only the features are cached: a renamed or duplicated file (same bytes) must get its
    # own name, track id and label, never those of the first copy seen.
    payload = {"version": CACHE_FORMAT, "rows": [{k: v for k, v in row.items() if k not in _IDENTITY} for row in rows]}
    text = json.dumps(payload, allow_nan=False)
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry)  # a folder named like an entry, inside musicviz's own cache
    with atomic_path(entry) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _with_identity(payload, clip) -> list[dict]:
    """Cached feature rows of ``clip`` with its file name, track id and label attached."""
    rows = []
    for cached in payload:
        k = cached.get("segment")
        filename = clip.path.name if k is None else f"{clip.track_id}.{k}{clip.path.suffix}"
        rows.append({"filename": filename, "track_id": clip.track_id, **cached, "label": clip.label})
    return rows


def _worker_died(exc: BaseException) -> bool:
    """Is ``exc`` joblib's (loky's) or Dask's report of a worker process that died?"""
    from concurrent.futures import BrokenExecutor

    return isinstance(exc, BrokenExecutor) or type(exc).__name__ in ("TerminatedWorkerError", "KilledWorker")


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

    Clips run in parallel worker processes (joblib; see the module docstring for Dask),
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
    clips, skipped = _clips_from(source)
    params = _params(segment_seconds, contrast)
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    names = FEATURES if contrast else KAGGLE_FEATURES

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
            results[i] = (
                None,
                f"too long: {duration:.1f} s of audio, at most {max_seconds:g} s (max_seconds=; "
                "cut it, or raise the limit if the memory allows)",
            )
            continue
        if use_cache:
            try:
                keys[i] = _cache_key(clip.path, params)
            except OSError as exc:
                reason = "permission denied" if isinstance(exc, PermissionError) else (exc.strerror or str(exc))
                results[i] = (None, f"cannot read the file ({reason})")
                continue
            rows = _read_cache_entry(_entry_path(cache, keys[i]), names=names, segment_seconds=segment_seconds)
            if rows is not None:
                results[i] = (_with_identity(rows, clip), None)
                continue
        todo.append(i)

    cache_problems: list[str] = []
    done = 0
    if todo:
        try:
            if n_jobs == 1 or len(todo) == 1:
                computed = ((i, _clip_rows(clips[i], segment_seconds, contrast, max_seconds)) for i in todo)
            else:
                from joblib import Parallel, delayed

                # Looked up now (not in the worker), and results in the order they finish: every
                # finished clip is cached at once, so a worker that dies loses only its own clip.
                worker = _clip_rows
                jobs = (delayed(_tagged)(i, worker, clips[i], segment_seconds, contrast, max_seconds) for i in todo)
                computed = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(jobs)
            if progress:
                from tqdm.auto import tqdm

                computed = tqdm(computed, total=len(todo), desc="features", unit="clip")
            for i, result in computed:
                results[i] = result
                done += 1
                rows, reason = result
                if rows is not None and use_cache and keys[i] is not None:
                    entry = _entry_path(cache, keys[i])
                    try:
                        _write_cache_entry(entry, rows)
                    except (OSError, ValueError) as exc:
                        cache_problems.append(f"{entry}: {getattr(exc, 'strerror', None) or exc}")
        except Exception as exc:
            if not _worker_died(exc):
                raise
            finished = [(c, r) for c, r in zip(clips, results) if r is not None]
            kept = (
                f"they are cached in {cache}: rerun the same call to resume from the cache"
                if use_cache
                else "use_cache=False, so nothing was kept: rerun with the cache on to keep finished clips"
            )
            error = FeatureError(
                f"a worker process died while computing features ({type(exc).__name__}: out of memory, or "
                f"killed): {done} of {len(todo)} clips were computed before it stopped; {kept}. n_jobs=1 (or "
                f"fewer jobs) and a lower max_seconds use less memory"
            )
            error.partial_table = _assemble(
                [c for c, _ in finished], [r for _, r in finished], list(skipped), names=names,
                segment_seconds=segment_seconds, errors="skip",
            )
            raise error from None

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
        listed = "; ".join(f"{s.path.name}: {s.reason}" for s in skipped[:5])
        more = f" (and {len(skipped) - 5} more)" if len(skipped) > 5 else ""
        warnings.warn(f"feature_table skipped {len(skipped)} file(s): {listed}{more}", stacklevel=2)
    return frame


def _assemble(clips, results, skipped, *, names, segment_seconds, errors):
    """The table of ``clips`` from their ``(rows, reason)`` results; skipped ones are listed."""
    import pandas as pd

    from musicviz.datasets import Skipped

    all_rows = []
    for clip, (rows, reason) in zip(clips, results):
        if rows is None:
            if errors == "raise":
                raise FeatureError(f"{clip.path}: {reason}")
            skipped.append(Skipped(clip.path, reason))
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


def feature_columns(frame=None, *, kind: str = "all") -> list[str]:
    """The numeric feature columns: the Kaggle 57, the contrast ones, or all of them.

    Parameters
    ----------
    frame : pandas.DataFrame or None
        Keep only the columns this table has (in canonical order). None: every name.
    kind : {"all", "kaggle", "contrast"}
        Which set: :data:`FEATURES`, :data:`KAGGLE_FEATURES` or :data:`CONTRAST_FEATURES`.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from musicviz.features import feature_columns
    >>> len(feature_columns(kind="kaggle")), len(feature_columns())
    (57, 73)
    """
    sets = {"all": FEATURES, "kaggle": KAGGLE_FEATURES, "contrast": CONTRAST_FEATURES}
    if kind not in sets:
        raise ParameterError(f"kind must be one of {sorted(sets)}, got {kind!r}")
    names = list(sets[kind])
    if frame is None:
        return names
    present = [n for n in names if n in frame.columns]
    if not present:
        raise FeatureError(f"the table has none of the {kind!r} feature columns (e.g. {names[0]!r})")
    return present


# --------------------------------------------------------------------------- files
def save_table(frame, path) -> Path:
    """Write a feature table as CSV, atomically; floats keep every digit.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> from musicviz.features import save_table, load_table
    >>> path = save_table(pd.DataFrame({"filename": ["a.wav"], "label": ["jazz"], "tempo": [1 / 3]}),
    ...                   os.path.join(tempfile.mkdtemp(), "t.csv"))
    >>> bool(load_table(path).loc[0, "tempo"] == 1 / 3)
    True
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, float_format="%.17g")
    return path


def load_table(path):
    """Read a feature table written by :func:`save_table` (or GTZAN's Kaggle CSV).

    Raises
    ------
    FeatureError
        The file is missing, unreadable, or lacks ``filename``/``label``.
    """
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise FeatureError(f"{path}: feature table not found")
    try:
        frame = pd.read_csv(path)
    except Exception as exc:
        raise FeatureError(f"{path}: not a readable CSV table ({exc})") from None
    missing = {"filename", "label"} - set(frame.columns)
    if missing:
        raise FeatureError(f"{path}: missing columns {sorted(missing)}")
    if "track_id" not in frame.columns:
        names = frame["filename"].astype(str)
        track_id = names.str.extract(r"^([^.]+\.\d{5})", expand=False).fillna(names.str.split(".").str[0])
        frame.insert(1, "track_id", track_id)
    return frame


def course_feature_table(*, segment_seconds: float | None = None, n_jobs: int = -1, progress: bool = False):
    """The feature table of the course's audio (:func:`musicviz.datasets.course_audio_dir`).

    Cached per clip, so every notebook after the first gets it in a second or two.

    Examples
    --------
    >>> import musicviz as mv  # doctest: +SKIP
    >>> table = mv.features.course_feature_table()  # doctest: +SKIP
    """
    from musicviz.datasets import course_audio_dir

    return feature_table(course_audio_dir(), segment_seconds=segment_seconds, n_jobs=n_jobs, progress=progress)


def run_features_command(directory, *, out, segment_seconds=None, n_jobs=-1, use_cache=True, progress=True) -> int:
    """``musicviz features DIR --out table.csv``: the table of every clip under DIR.

    Prints each skipped file with its reason and a one-line summary. Returns the exit
    status: 0 when a table was written, 1 when no clip could be used.
    """
    frame = feature_table(
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
