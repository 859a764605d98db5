"""Loading, validating and playing audio.

Notebook: ``00_introduction.ipynb`` (and every notebook that plays a clip).

:func:`load_audio` is the one door through which audio enters musicviz. It checks what
`soundfile` would let through silently (truncated WAV files, silence, NaN samples) and turns
every problem into a :class:`~musicviz.errors.AudioError` whose message names the file and
the problem. :func:`play` returns an :class:`IPython.display.Audio` player so that a notebook
can let the student hear every clip or segment it plots.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from musicviz import SR
from musicviz._io import atomic_path
from musicviz.errors import (
    AudioContentError,
    AudioDecodeError,
    AudioFileNotFoundError,
    ParameterError,
)

__all__ = [
    "AUDIO_EXTENSIONS",
    "load_audio",
    "check_sr",
    "check_signal",
    "play",
    "segment",
    "write_wav",
]

#: File name endings musicviz treats as audio when it scans a folder.
AUDIO_EXTENSIONS = (".wav", ".au", ".flac", ".ogg", ".mp3", ".aiff", ".aif")

#: Peak amplitude below which a clip counts as silent (-100 dBFS).
SILENCE_PEAK = 1e-5


def _wav_truncation(path: Path) -> tuple[int, int] | None:
    """Return ``(declared, present)`` data bytes when a RIFF/WAVE file is cut short.

    libsndfile quietly reads what is there, so a download that stopped halfway would
    otherwise look like a valid shorter clip.
    """
    size = path.stat().st_size
    with open(path, "rb") as handle:
        head = handle.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        offset = 12
        while offset + 8 <= size:
            handle.seek(offset)
            chunk = handle.read(8)
            if len(chunk) < 8:
                return None
            chunk_id, chunk_size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if chunk_id == b"data":
                present = size - (offset + 8)
                # 0 and 0xFFFFFFFF mean "unknown length" (streamed writers): not truncation.
                if chunk_size not in (0, 0xFFFFFFFF) and present < chunk_size:
                    return chunk_size, present
                return None
            offset += 8 + chunk_size + (chunk_size & 1)
    return None


def _describe_unreadable(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(64)
    printable = all(32 <= b < 127 or b in b"\t\n\r" for b in head)
    if head.strip() and printable:
        return "not an audio file: it contains text (first bytes: {!r})".format(head[:24].decode("ascii", "replace"))
    return "not a readable audio file (unknown or damaged format)"


def load_audio(
    path,
    *,
    sr: int | None = SR,
    mono: bool = True,
    offset: float = 0.0,
    duration: float | None = None,
    min_duration: float = 3.0,
    max_duration: float | None = None,
    dtype=np.float32,
) -> tuple[np.ndarray, int]:
    """Load an audio file, validated, as floating-point samples in [-1, 1].

    Parameters
    ----------
    path : str or path-like
        WAV, AU (GTZAN's original format), FLAC, OGG or MP3 file. Non-ASCII names are fine.
    sr : int > 0 or None
        Sample rate to return. Files at another rate (8, 44.1, 48 kHz, ...) are resampled
        with soxr. ``None`` keeps the file's own rate.
    mono : bool
        Mix multi-channel files down to one channel (the mean of the channels).
    offset, duration : float >= 0
        Read only ``duration`` seconds starting at ``offset`` seconds.
    min_duration : float >= 0
        Clips shorter than this (in seconds, after ``offset``/``duration``) are refused:
        most features and every 3 s CNN segment need at least a few seconds.
    max_duration : float > 0 or None
        Refuse clips longer than this many seconds (None: no limit). Use ``duration`` to
        read the start of a long file instead.
    dtype : numpy dtype
        Floating-point type of the samples.

    Returns
    -------
    y : np.ndarray [shape=(n,) or (channels, n)]
        The samples.
    sr : int
        Their sample rate.

    Raises
    ------
    AudioFileNotFoundError
        The file does not exist.
    AudioDecodeError
        The file is empty, truncated, text, or in a format libsndfile cannot read.
    AudioContentError
        The audio is silent, contains NaN/inf samples, or is shorter/longer than allowed.

    Examples
    --------
    >>> import numpy as np, soundfile as sf, tempfile, os
    >>> from musicviz.audio import load_audio
    >>> path = os.path.join(tempfile.mkdtemp(), "tone.wav")
    >>> t = np.arange(44100 * 4) / 44100
    >>> sf.write(path, 0.5 * np.sin(2 * np.pi * 440 * t), 44100)
    >>> y, sr = load_audio(path)
    >>> sr, y.shape
    (22050, (88200,))
    """
    import soundfile as sf

    if sr is not None:
        check_sr(sr)
        if int(sr) != sr:
            raise ParameterError(f"sr must be a whole number of samples per second, got {sr!r}")
    path = Path(path)
    if not path.exists():
        raise AudioFileNotFoundError("file not found", path=path)
    if path.is_dir():
        raise AudioDecodeError("is a folder, not an audio file", path=path)
    if path.stat().st_size == 0:
        raise AudioDecodeError("file is empty (0 bytes)", path=path)
    if not (np.isfinite(offset) and offset >= 0) or (duration is not None and not (np.isfinite(duration) and duration > 0)):
        raise ParameterError(f"offset must be >= 0 and duration > 0, got offset={offset}, duration={duration}")
    truncated = _wav_truncation(path)
    if truncated is not None:
        declared, present = truncated
        raise AudioDecodeError(
            f"truncated WAV file: the header promises {declared} bytes of audio, the file holds {present}",
            path=path,
        )
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError):
        raise AudioDecodeError(_describe_unreadable(path), path=path) from None
    native_sr = int(info.samplerate)
    start = int(round(offset * native_sr))
    stop = None if duration is None else start + int(round(duration * native_sr))
    try:
        data, native_sr = sf.read(str(path), start=start, stop=stop, dtype="float64", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise AudioDecodeError(f"could not decode the audio ({exc})", path=path) from None
    y = data.T  # (channels, n)
    if y.shape[1] == 0:
        raise AudioContentError(f"no audio samples after offset {offset} s", path=path)
    if not np.all(np.isfinite(y)):
        bad = int(np.count_nonzero(~np.isfinite(y)))
        raise AudioContentError(f"contains {bad} NaN or infinite samples", path=path)
    seconds = y.shape[1] / native_sr
    if seconds < min_duration:
        raise AudioContentError(f"too short: {seconds:.2f} s of audio, at least {min_duration:g} s needed", path=path)
    if max_duration is not None and seconds > max_duration:
        raise AudioContentError(
            f"too long: {seconds:.1f} s of audio, at most {max_duration:g} s allowed (pass duration= to read the start)",
            path=path,
        )
    peak = float(np.max(np.abs(y)))
    if peak < SILENCE_PEAK:
        raise AudioContentError(f"silent: peak amplitude {peak:.1e} (below -100 dBFS)", path=path)
    if mono:
        y = y.mean(axis=0)
    if sr is not None and int(sr) != native_sr:
        import soxr

        # soxr works along the first axis; keep channels last while resampling.
        y = soxr.resample(y.T, native_sr, int(sr), quality="HQ").T
        native_sr = int(sr)
    y = np.ascontiguousarray(np.clip(y, -1.0, 1.0), dtype=dtype)
    return y, int(native_sr)


_UNCHECKED = object()


def check_sr(sr) -> None:
    """Raise :class:`ParameterError` unless ``sr`` is a positive, finite number (not a bool or str)."""
    if isinstance(sr, bool) or not isinstance(sr, (int, float, np.integer, np.floating)) or not 0 < sr < np.inf:
        raise ParameterError(f"sr must be a positive number of samples per second, got {sr!r}")


def check_signal(y, *, sr=_UNCHECKED, name: str = "y", min_samples: int = 1, allow_multichannel: bool = False) -> np.ndarray:
    """Check an in-memory signal and return it as a float array.

    Parameters
    ----------
    y : array-like [shape=(n,)]
        Samples (a list works too).
    sr : int > 0, optional
        Sample rate to check alongside the samples (when given, it must be valid: ``None``
        is refused too).
    name : str
        Name used in error messages.
    min_samples : int
        Fewest samples accepted.
    allow_multichannel : bool
        Accept a ``(channels, n)`` array as well.

    Returns
    -------
    np.ndarray
        ``y`` as a floating-point array (no copy when it already is one).

    Raises
    ------
    ParameterError
        Wrong type, dimension, dtype, too few samples, NaN/inf, or a bad ``sr``.

    Examples
    --------
    >>> from musicviz.audio import check_signal
    >>> check_signal([0.0, 0.5, -0.5], sr=22050).dtype
    dtype('float64')
    """
    if sr is not _UNCHECKED:
        check_sr(sr)
    try:
        arr = np.asarray(y)
    except Exception as exc:  # ragged lists and the like
        raise ParameterError(f"{name} must be an array of samples, got {type(y).__name__} ({exc})") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise ParameterError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.integer):
        arr = arr.astype(np.float64)
    ndim_ok = arr.ndim == 1 or (allow_multichannel and arr.ndim == 2)
    if not ndim_ok:
        want = "(n,) or (channels, n)" if allow_multichannel else "(n,) (mono)"
        raise ParameterError(f"{name} must have shape {want}, got shape {arr.shape}")
    if arr.shape[-1] < min_samples:
        raise ParameterError(f"{name} has {arr.shape[-1]} samples, at least {min_samples} needed")
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"{name} contains NaN or infinite samples")
    return arr


def segment(y, *, sr: int, start: float = 0.0, end: float | None = None) -> np.ndarray:
    """Cut ``[start, end)`` seconds out of a signal, with clear errors for bad bounds.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.audio import segment
    >>> segment(np.zeros(22050 * 2), sr=22050, start=0.5, end=1.0).shape
    (11025,)
    """
    y = check_signal(y, sr=sr)
    total = y.shape[-1] / sr
    end = total if end is None else end
    if not 0 <= start < end <= total + 1e-9:
        raise ParameterError(f"need 0 <= start < end <= {total:.3f} s (the clip's length), got start={start}, end={end}")
    return y[..., int(round(start * sr)) : int(round(end * sr))]


def play(y, *, sr: int, start: float = 0.0, end: float | None = None, normalize: bool = True):
    """An audio player for a clip or a segment of it, to put under every plot.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples.
    sr : int > 0
        Sample rate.
    start, end : float
        Play only ``[start, end)`` seconds (default: everything).
    normalize : bool
        Scale to full loudness (IPython's default). Pass False to hear level differences
        between clips, e.g. classical against metal.

    Returns
    -------
    IPython.display.Audio

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.audio import play
    >>> player = play(np.sin(np.linspace(0, 2000, 22050)), sr=22050, end=0.5)
    >>> type(player).__name__
    'Audio'
    """
    from IPython.display import Audio

    clip = segment(y, sr=sr, start=start, end=end)
    if not normalize:
        # IPython refuses samples beyond [-1, 1] when it may not rescale.
        clip = np.clip(clip, -1.0, 1.0)
    return Audio(data=clip, rate=int(sr), normalize=normalize)


def write_wav(path, y, *, sr: int) -> Path:
    """Write 16-bit PCM WAV atomically (a temporary file renamed into place).

    A crash mid-write leaves either the old file or none, never half a file.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from musicviz.audio import write_wav
    >>> write_wav(os.path.join(tempfile.mkdtemp(), "a.wav"), np.zeros(100), sr=22050).name
    'a.wav'
    """
    import soundfile as sf

    y = check_signal(y, sr=sr, allow_multichannel=True)
    path = Path(path)
    data = np.clip(y, -1.0, 1.0)
    data = data.T if data.ndim == 2 else data
    with atomic_path(path) as tmp:
        sf.write(str(tmp), data, int(sr), subtype="PCM_16", format="WAV")
    return path

