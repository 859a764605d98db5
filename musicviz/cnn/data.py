"""The CNN's input: clips cut into segments, log-mel spectrograms, per-band scaling.

Notebook: ``06_cnn.ipynb``.

A clip is cut into non-overlapping segments of :attr:`MelConfig.segment_seconds` (3 s by
default), each segment becomes a log-scaled (``power_to_db``) mel spectrogram, and
:class:`BandScaler` standardizes every mel band with statistics of the *training* segments
only. :func:`build_segments` does this for a list of tracks and caches each clip's mels with
:class:`musicviz.cache.Cache` (keyed on the file's bytes, the mel parameters and the numpy,
librosa and soxr versions). :func:`validation_tracks` picks the training tracks held out to
stop training early.

Neither TensorFlow nor Keras is imported here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from musicviz import SR
from musicviz._checks import cache_folder, check_signal, positive_float, positive_int
from musicviz.errors import AudioContentError, ModelError, ParameterError

__all__ = [
    "MelConfig",
    "SegmentSet",
    "BandScaler",
    "MELS_VERSION",
    "default_cache_dir",
    "cut_segments",
    "segment_mels",
    "build_segments",
    "validation_tracks",
]

#: Version of the mel computation (:func:`segment_mels`): bump it when its output changes for
#: the same clip and parameters; every cached mel entry is then recomputed.
MELS_VERSION = 1
#: Libraries whose versions are part of a mel entry's key (soxr resamples, librosa computes).
_MEL_LIBRARIES = ("numpy", "librosa", "soxr")


def default_cache_dir() -> Path:
    """Where :func:`build_segments` caches mel segments: ``<data_dir>/cache/cnn_mels``."""
    from musicviz.config import cache_dir

    return cache_dir("cnn_mels")


# --------------------------------------------------------------------------- mel segments
@dataclass(frozen=True)
class MelConfig:
    """How a clip becomes the network's input.

    Notebook: ``06_cnn.ipynb``.

    Parameters
    ----------
    sr : int > 0
        Sample rate the clips are (re)sampled to.
    segment_seconds : float > 0
        Length of one segment; a 30 s clip gives ``30 // segment_seconds`` segments.
    n_fft, hop_length : int > 0
        STFT window and hop, in samples.
    n_mels : int > 0
        Number of mel bands (the image height).
    max_segments : int > 0 or None
        Keep at most this many segments per clip (the first ones).

    Examples
    --------
    >>> from musicviz.cnn import MelConfig
    >>> config = MelConfig()
    >>> config.segment_samples, config.n_frames, config.input_shape
    (66150, 130, (64, 130, 1))
    """

    sr: int = SR
    segment_seconds: float = 3.0
    n_fft: int = 2048
    hop_length: int = 512
    n_mels: int = 64
    max_segments: int | None = 10

    def __post_init__(self):
        # Canonical types (plain int/float, so to_dict() is JSON) through the shared checks.
        for name in ("sr", "n_fft", "hop_length", "n_mels"):
            object.__setattr__(self, name, positive_int(getattr(self, name), f"MelConfig.{name}"))
        object.__setattr__(self, "segment_seconds", positive_float(self.segment_seconds, "MelConfig.segment_seconds"))
        if self.max_segments is not None:
            object.__setattr__(self, "max_segments", positive_int(self.max_segments, "MelConfig.max_segments"))
        if self.segment_samples < self.n_fft:
            raise ParameterError(
                f"a segment of {self.segment_seconds} s ({self.segment_samples} samples) is shorter than n_fft={self.n_fft}"
            )

    @property
    def segment_samples(self) -> int:
        """Samples in one segment."""
        return int(round(self.segment_seconds * self.sr))

    @property
    def n_frames(self) -> int:
        """Spectrogram frames in one segment (librosa's centred frames)."""
        return 1 + self.segment_samples // self.hop_length

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """The network's input shape: ``(n_mels, n_frames, 1)``."""
        return (self.n_mels, self.n_frames, 1)

    def to_dict(self) -> dict:
        """Plain types, for JSON (the fields are made plain ``int``/``float`` on creation)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> MelConfig:
        """The inverse of :meth:`to_dict` (unknown keys are an error)."""
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ModelError(f"unknown mel parameters {sorted(unknown)}")
        return cls(**data)


def cut_segments(y, *, sr: int, config: MelConfig = MelConfig()) -> np.ndarray:
    """Cut a clip into non-overlapping segments of ``config.segment_seconds``.

    Notebook: ``06_cnn.ipynb``.

    A clip at another sample rate is resampled to ``config.sr`` first; the tail shorter than
    a segment is dropped; at most ``config.max_segments`` segments are kept.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono samples.
    sr : int > 0
        Their sample rate.
    config : MelConfig

    Returns
    -------
    np.ndarray [shape=(n_segments, config.segment_samples)], float32

    Raises
    ------
    AudioContentError
        The clip is shorter than one segment.
    ParameterError
        ``y`` is not a finite mono signal or ``sr`` is invalid.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.cnn import cut_segments
    >>> cut_segments(np.zeros(22050 * 10), sr=22050).shape
    (3, 66150)
    """
    y = check_signal(y, sr=sr)
    if int(sr) != config.sr:
        import soxr

        y = soxr.resample(y, int(sr), config.sr, quality="HQ")
    n = y.shape[0] // config.segment_samples
    if n == 0:
        raise AudioContentError(
            f"too short for the CNN: {y.shape[0] / config.sr:.2f} s of audio, "
            f"at least one segment of {config.segment_seconds:g} s needed"
        )
    if config.max_segments is not None:
        n = min(n, config.max_segments)
    return np.asarray(y[: n * config.segment_samples], dtype=np.float32).reshape(n, config.segment_samples)


def segment_mels(y, *, sr: int, config: MelConfig = MelConfig()) -> np.ndarray:
    """Log-mel spectrograms (dB, ``power_to_db`` with ``ref=1.0``) of a clip's segments.

    Notebook: ``06_cnn.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono samples, at least one segment long.
    sr : int > 0
        Their sample rate.
    config : MelConfig

    Returns
    -------
    np.ndarray [shape=(n_segments, config.n_mels, config.n_frames)], float32
        Not yet standardized (see :class:`BandScaler`).

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.cnn import segment_mels
    >>> t = np.arange(22050 * 7) / 22050
    >>> segment_mels(0.5 * np.sin(2 * np.pi * 440 * t), sr=22050).shape
    (2, 64, 130)
    """
    import librosa

    segments = cut_segments(y, sr=sr, config=config)
    power = librosa.feature.melspectrogram(
        y=segments, sr=config.sr, n_fft=config.n_fft, hop_length=config.hop_length, n_mels=config.n_mels
    )
    return librosa.power_to_db(power, ref=1.0, amin=1e-10, top_db=None).astype(np.float32)


@dataclass
class SegmentSet:
    """Log-mel segments with the track and genre each one comes from.

    Notebook: ``06_cnn.ipynb``.

    Attributes
    ----------
    X : np.ndarray [shape=(n, n_mels, n_frames)]
        Log-mel segments (dB), not standardized.
    track_ids, genres : np.ndarray [shape=(n,)] of str
        The clip and genre of every segment.
    segment_index : np.ndarray [shape=(n,)] of int
        Position of the segment in its clip (0, 1, ...).
    config : MelConfig
    """

    X: np.ndarray
    track_ids: np.ndarray
    genres: np.ndarray
    segment_index: np.ndarray
    config: MelConfig = field(default_factory=MelConfig)

    def __post_init__(self):
        n = len(self.X)
        if any(len(a) != n for a in (self.track_ids, self.genres, self.segment_index)):
            raise ParameterError("SegmentSet: X, track_ids, genres and segment_index must have the same length")

    def __len__(self) -> int:
        return len(self.X)

    @property
    def n_tracks(self) -> int:
        """Number of distinct clips."""
        return len(np.unique(self.track_ids))

    def subset(self, mask) -> SegmentSet:
        """The segments where ``mask`` is true."""
        mask = np.asarray(mask)
        return SegmentSet(self.X[mask], self.track_ids[mask], self.genres[mask], self.segment_index[mask], self.config)

    def __repr__(self) -> str:
        return f"SegmentSet({len(self)} segments of {self.n_tracks} clips, shape {self.X.shape[1:]})"


def _track_fields(track):
    """(path, track_id, genre) of a Track, a dict, a pandas row, or a (path, id, genre) tuple."""
    if isinstance(track, (tuple, list)) and len(track) == 3:
        return Path(track[0]), str(track[1]), str(track[2])
    getter = track.get if isinstance(track, dict) else lambda k: getattr(track, k, None)
    path, track_id, genre = getter("path"), getter("track_id"), getter("genre")
    if path is None or track_id is None or genre is None:
        raise ParameterError(f"a track needs path, track_id and genre, got {track!r}")
    return Path(path), str(track_id), str(genre)


def _mel_cache(config: MelConfig, folder):
    """The cache of :func:`segment_mels` results for ``config``: entries are checked on read."""
    from musicviz.cache import Cache, array_check

    shape_ok = array_check(shape=(None, config.n_mels, config.n_frames), dtype=np.float32, finite=True)

    def valid(mels) -> bool:
        return shape_ok(mels) and len(mels) >= 1 and (config.max_segments is None or len(mels) <= config.max_segments)

    return Cache(
        "cnn_mels",
        version=MELS_VERSION,
        validate=valid,
        payload="array",
        folder=folder if folder is not None else default_cache_dir(),
        libraries=_MEL_LIBRARIES,
    )


def build_segments(tracks, *, config: MelConfig = MelConfig(), cache=True, progress: bool = False) -> SegmentSet:
    """Load clips and turn each into log-mel segments (cached on disk).

    Notebook: ``06_cnn.ipynb``.

    Call it separately on the training tracks and on the test tracks (after
    :func:`musicviz.datasets.split_tracks`): segments are cut *after* the track-level split.

    Parameters
    ----------
    tracks : iterable
        :class:`musicviz.datasets.Track` objects (``scan(...).tracks``), rows of
        ``ScanResult.to_frame()`` (``frame.itertuples()``), dicts or ``(path, track_id, genre)``.
    config : MelConfig
    cache : bool or path-like
        True: the default folder (:func:`default_cache_dir`); a folder: that one; False: no
        cache (as every function over many clips, :func:`musicviz.features.feature_table`). An
        entry's key is the SHA-256 of the file's bytes plus the mel parameters,
        :data:`MELS_VERSION` and the numpy, librosa and soxr versions; an entry is checked
        (shape, dtype, finite values) before it is used, recomputed and replaced when it is
        not right, and written atomically (see :mod:`musicviz.cache`).
    progress : bool
        Show a progress bar.

    Returns
    -------
    SegmentSet

    Raises
    ------
    AudioError
        A file is missing, unreadable or shorter than one segment.
    ParameterError
        No tracks, or a track id given twice.

    Examples
    --------
    >>> import numpy as np, tempfile
    >>> from pathlib import Path
    >>> from musicviz.audio import write_wav
    >>> from musicviz.cnn import build_segments
    >>> root = Path(tempfile.mkdtemp())
    >>> noise = np.random.default_rng(0).normal(0, 0.1, 22050 * 6)
    >>> path = write_wav(root / "rock.00001.wav", noise, sr=22050)
    >>> build_segments([(path, "rock.00001", "rock")], cache=False)
    SegmentSet(2 segments of 1 clips, shape (64, 130))
    """
    from musicviz.audio import load_audio

    items = [_track_fields(t) for t in tracks]
    if not items:
        raise ParameterError("build_segments: no tracks given")
    ids = [i for _, i, _ in items]
    if len(set(ids)) != len(ids):
        raise ParameterError("build_segments: a track id appears twice; give each clip once")
    folder = cache_folder(cache, default=default_cache_dir)
    cache = None if folder is None else _mel_cache(config, folder)
    params = {"mel": config.to_dict()}
    iterator = items
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(items, desc="mel segments", unit="clip")
    X, track_ids, genres, index = [], [], [], []
    for path, track_id, genre in iterator:

        def compute(path=path):
            y, sr = load_audio(path, sr=config.sr, min_duration=config.segment_seconds)
            return segment_mels(y, sr=sr, config=config)

        mels = compute() if cache is None else cache.get_or_compute(path, params, compute)
        X.append(mels)
        track_ids += [track_id] * len(mels)
        genres += [genre] * len(mels)
        index += list(range(len(mels)))
    return SegmentSet(
        np.concatenate(X).astype(np.float32),
        np.array(track_ids, dtype=str),
        np.array(genres, dtype=str),
        np.array(index, dtype=int),
        config,
    )


@dataclass
class BandScaler:
    """Per-mel-band standardization: ``(X - mean[band]) / std[band]``.

    Notebook: ``06_cnn.ipynb``.

    Fit it on the training segments only; apply it unchanged to validation, test and any
    new clip. Bands with (near) zero spread get ``std = 1`` instead of a division by zero.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.cnn import BandScaler
    >>> X = np.random.default_rng(0).normal(5.0, 2.0, size=(8, 4, 10))
    >>> scaler = BandScaler.fit(X)
    >>> Z = scaler.transform(X)
    >>> np.allclose(Z.mean(axis=(0, 2)), 0, atol=1e-5), np.allclose(Z.std(axis=(0, 2)), 1, atol=1e-4)
    (True, True)
    """

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, X, *, min_std: float = 1e-6) -> BandScaler:
        """Mean and standard deviation of each band over all segments and frames."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 3 or X.shape[0] == 0:
            raise ParameterError(f"BandScaler.fit needs X of shape (segments, bands, frames), got {X.shape}")
        mean = X.mean(axis=(0, 2))
        std = X.std(axis=(0, 2))
        std = np.where(std < min_std, 1.0, std)
        return cls(mean.astype(np.float32), std.astype(np.float32))

    def transform(self, X) -> np.ndarray:
        """Standardized copy of ``X`` (shape kept, float32)."""
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 3 or X.shape[1] != len(self.mean):
            raise ParameterError(
                f"BandScaler.transform needs X of shape (segments, {len(self.mean)}, frames), got {X.shape}"
            )
        return (X - self.mean[None, :, None]) / self.std[None, :, None]


def validation_tracks(segments: SegmentSet, *, fraction: float = 0.2, seed: int = 0) -> list[str]:
    """Training tracks held out to stop early: ``fraction`` of each genre's tracks, seeded.

    Notebook: ``06_cnn.ipynb``.

    Every genre with at least two tracks gives at least one (whole) track, so validation
    segments never share a clip with the segments the network is fitted on.

    Raises
    ------
    ModelError
        No genre has two tracks, so nothing can be held out.
    """
    rng = np.random.default_rng(seed)
    tracks, first = np.unique(segments.track_ids, return_index=True)
    genres = segments.genres[first]
    held_out: list[str] = []
    for genre in sorted(set(genres.tolist())):
        ids = np.sort(tracks[genres == genre])
        if len(ids) < 2:
            continue
        n = min(len(ids) - 1, max(1, int(round(fraction * len(ids)))))
        held_out += sorted(rng.permutation(ids)[:n].tolist())
    if not held_out:
        raise ModelError("need at least two training tracks of a genre to hold some out for validation")
    return sorted(held_out)
