"""Loading, validating and playing audio.

Notebook: ``00_introduction.ipynb`` (and every notebook that plays a clip).

:func:`load_audio` is the one door through which audio enters musicviz. It checks what
`soundfile` would let through silently (truncated WAV files, silence, NaN samples, absurd
sample rates) and turns every problem into a :class:`~musicviz.errors.AudioError` whose message
names the file and the problem. It reads the header first, so a file longer than
``max_duration`` is refused before a single sample is decoded, and ``duration=`` decodes only
the part asked for: memory stays bounded however long the file is. :func:`probe` reads only
the header (duration, sample rate, channels) with the same checks, to scan many files cheaply.
:func:`play` (from :mod:`musicviz.player`) returns an :class:`IPython.display.Audio` player so
that a notebook can let the student hear every clip or segment it plots.
"""

from __future__ import annotations

import errno
import math
import os
import stat
import struct
from pathlib import Path
from typing import NamedTuple

import numpy as np

from musicviz import SR
from musicviz._checks import check_dtype as _check_dtype
from musicviz._checks import check_seconds as _check_seconds
from musicviz._checks import check_signal, check_sr  # public here (documented), defined in _checks
from musicviz._checks import check_target_sr as _check_target_sr
from musicviz._io import atomic_path
from musicviz.errors import (
    AudioContentError,
    AudioDecodeError,
    AudioError,
    AudioFileNotFoundError,
    ParameterError,
)

__all__ = [
    "AUDIO_EXTENSIONS",
    "MIN_SR",
    "MAX_SR",
    "AudioInfo",
    "probe",
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

#: Lowest sample rate (Hz) accepted, for ``sr=`` and in a file's header. Telephone audio is
#: 8000 Hz; a header that claims less than 1000 Hz is damaged, or the file is not music.
MIN_SR = 1000

#: Highest sample rate (Hz) accepted for ``sr=`` (the fastest studio converters).
MAX_SR = 384_000

# A real WAV file has a handful of chunks; walking more is pointless work on a damaged file.
_MAX_CHUNKS = 1000
# libsndfile reports SF_COUNT_MAX (2**63 - 1) frames when a stream's length is unknown.
_UNKNOWN_FRAMES = 2**62


class AudioInfo(NamedTuple):
    """What :func:`probe` reads from a file's header. A plain tuple ``(duration, sr, channels)``."""

    #: Length in seconds.
    duration: float
    #: The file's own sample rate, in Hz.
    sr: int
    #: Number of channels (1 mono, 2 stereo).
    channels: int


# More seconds than any recording holds: counted in samples, larger values overflow (1e308 s).
_MAX_ARGUMENT_SECONDS = 1e9


class _Header(NamedTuple):
    frames: int | None  # None: the header does not say
    sr: int
    channels: int


# --------------------------------------------------------------------------- file checks
def _as_path(path) -> Path:
    """``path`` as a :class:`Path`, or a ParameterError saying why it is not a file path."""
    try:
        text = os.fsdecode(os.fspath(path))  # str, bytes and path-like objects
    except TypeError:
        shown = repr(path) if len(repr(path)) <= 60 else repr(path)[:57] + "..."
        raise ParameterError(
            f"path must be a file path (str, bytes or pathlib.Path), got {type(path).__name__} {shown}"
        ) from None
    if not text:
        raise ParameterError("path is empty: give the audio file's name")
    if "\x00" in text:
        raise ParameterError(f"path {text!r} contains a NUL character: no file can have that name")
    return Path(text)


def _os_error(path: Path, exc: OSError) -> AudioError:
    """The musicviz error for an OSError met while looking at or opening ``path``."""
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        return AudioDecodeError("permission denied: this user may not read the file (or its folder)", path=path)
    if exc.errno == errno.ELOOP:
        return AudioFileNotFoundError(
            "symbolic link loop: following the links leads back in a circle, never to a file", path=path
        )
    if isinstance(exc, (FileNotFoundError, NotADirectoryError)) or exc.errno in (errno.ENOENT, errno.ENOTDIR):
        if os.path.islink(path):
            # realpath follows the chain as far as it goes: name the target that is missing.
            return AudioFileNotFoundError(
                f"broken symbolic link: it points to {os.path.realpath(path)!r}, which does not exist", path=path
            )
        return AudioFileNotFoundError("file not found", path=path)
    if exc.errno == errno.ENAMETOOLONG:
        return AudioFileNotFoundError("file not found: the name is too long for the file system", path=path)
    return AudioDecodeError(f"cannot read the file ({exc.strerror or exc})", path=path)


def _stat_file(path: Path) -> os.stat_result:
    """Stat ``path``, refusing what is not a non-empty regular file."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _os_error(path, exc) from None
    if stat.S_ISDIR(info.st_mode):
        raise AudioDecodeError("is a folder, not an audio file", path=path)
    if not stat.S_ISREG(info.st_mode):
        # Opening a named pipe blocks until someone writes to it; a device never ends.
        raise AudioDecodeError("not a regular file (a named pipe, socket or device): only audio files are read",
                               path=path)
    if info.st_size == 0:
        raise AudioDecodeError("file is empty (0 bytes)", path=path)
    return info


def _read_head(path: Path, n: int = 64) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(n)
    except OSError as exc:
        raise _os_error(path, exc) from None


def _wav_truncation(path: Path, size: int) -> tuple[int, int] | None:
    """Return ``(declared, present)`` data bytes when a RIFF/WAVE file is cut short.

    libsndfile quietly reads what is there, so a download that stopped halfway would
    otherwise look like a valid shorter clip.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            offset = 12
            for _ in range(_MAX_CHUNKS):
                if offset + 8 > size:
                    return None
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
    except OSError as exc:
        raise _os_error(path, exc) from None
    return None


def _describe_unreadable(head: bytes) -> str:
    printable = all(32 <= b < 127 or b in b"\t\n\r" for b in head)
    if head.strip() and printable:
        return "not an audio file: it contains text (first bytes: {!r})".format(head[:24].decode("ascii", "replace"))
    return "not a readable audio file (unknown or damaged format)"


def _libsndfile_error(path: Path, exc: Exception, head: bytes) -> AudioError:
    if "permission denied" in str(exc).lower():  # libsndfile opens the file itself
        return _os_error(path, PermissionError(errno.EACCES, "Permission denied"))
    return AudioDecodeError(_describe_unreadable(head), path=path)


def _read_header(path: Path) -> _Header:
    """Every check that needs no decoding: existence, type, size, truncation, the header."""
    import soundfile as sf

    size = _stat_file(path).st_size
    head = _read_head(path)  # also proves the file is readable by this user
    truncated = _wav_truncation(path, size)
    if truncated is not None:
        declared, present = truncated
        raise AudioDecodeError(
            f"truncated WAV file: the header promises {declared} bytes of audio, the file holds {present}",
            path=path,
        )
    try:
        info = sf.info(os.fsencode(path))  # bytes: a name that is not valid UTF-8 opens too
    except OSError as exc:
        raise _os_error(path, exc) from None
    except (sf.LibsndfileError, RuntimeError, ValueError, TypeError, OverflowError) as exc:
        raise _libsndfile_error(path, exc, head) from None
    native_sr, channels, frames = int(info.samplerate), int(info.channels), int(info.frames)
    if native_sr < MIN_SR:
        raise AudioDecodeError(
            f"implausible sample rate {native_sr} Hz in the header (at least {MIN_SR} Hz expected): "
            "the header is damaged or this is not a music recording",
            path=path,
        )
    if channels < 1:
        raise AudioDecodeError(f"the header declares {channels} audio channels", path=path)
    return _Header(frames if 0 <= frames < _UNKNOWN_FRAMES else None, native_sr, channels)


def _count_frames(path: Path) -> int:
    """Count the frames of a file whose header does not say, block by block (bounded memory)."""
    import soundfile as sf

    try:
        with sf.SoundFile(os.fsencode(path)) as handle:
            return sum(len(block) for block in handle.blocks(blocksize=1 << 16, dtype="float32"))
    except OSError as exc:
        raise _os_error(path, exc) from None
    except (sf.LibsndfileError, RuntimeError, ValueError, TypeError, OverflowError) as exc:
        raise AudioDecodeError(f"could not decode the audio ({exc})", path=path) from None


def probe(path) -> AudioInfo:
    """Read a file's duration, sample rate and channel count from its header, decoding nothing.

    The cheap first pass of a data-set scan: it runs every check of :func:`load_audio` that
    does not need the samples, and raises the same errors, so a file that passes ``probe`` can
    only still fail ``load_audio`` on its content (silence, NaN samples, length limits,
    damage in the middle of the data).

    Parameters
    ----------
    path : str, bytes or path-like
        An audio file libsndfile can read: WAV, AU, FLAC, OGG, MP3, AIFF.

    Returns
    -------
    AudioInfo
        A named tuple ``(duration, sr, channels)``: seconds of audio (float), the file's own
        sample rate (Hz) and its number of channels. A few streamed files do not state their
        length in the header; for those the frames are counted by reading the file block by
        block (slower, but memory stays small).

    Raises
    ------
    ParameterError
        ``path`` is not a file path (a number, None, a list, an empty string).
    AudioFileNotFoundError
        The file does not exist, or is a broken symbolic link, or a symbolic link loop.
    AudioDecodeError
        A folder, a named pipe or device, an empty, truncated or text file, a format
        libsndfile cannot read (there is no other decoder), a sample rate below
        :data:`MIN_SR`, or permission denied.

    See Also
    --------
    load_audio : decode the samples, with the same checks and the content checks.

    Examples
    --------
    >>> import numpy as np, soundfile as sf, tempfile, os
    >>> from musicviz.audio import probe
    >>> path = os.path.join(tempfile.mkdtemp(), "tone.wav")
    >>> sf.write(path, np.zeros((44100 * 3, 2)), 44100)
    >>> probe(path)
    AudioInfo(duration=3.0, sr=44100, channels=2)
    >>> duration, sr, channels = probe(path)
    >>> duration
    3.0
    """
    path = _as_path(path)
    header = _read_header(path)
    frames = header.frames if header.frames is not None else _count_frames(path)
    return AudioInfo(frames / header.sr, header.sr, header.channels)


# --------------------------------------------------------------------------- loading
def _too_long(path: Path, seconds: float, max_duration: float) -> AudioContentError:
    return AudioContentError(
        f"too long: {seconds:.1f} s of audio, at most {max_duration:g} s allowed (pass duration= to read the start)",
        path=path,
    )


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

    The header is read first (:func:`probe`'s checks): a clip longer than ``max_duration`` is
    refused before anything is decoded, and only ``[offset, offset + duration)`` is decoded, so
    memory stays proportional to the part asked for, not to the file.

    Parameters
    ----------
    path : str, bytes or path-like
        WAV, AU (GTZAN's original format), FLAC, OGG or MP3 file. Non-ASCII names are fine.
    sr : int in [1000, 384000] or None
        Sample rate to return (:data:`MIN_SR` .. :data:`MAX_SR` Hz). Files at another rate
        (8, 44.1, 48 kHz, ...) are resampled with soxr. ``None`` keeps the file's own rate.
    mono : bool
        Mix multi-channel files down to one channel (the mean of the channels).
    offset : float >= 0
        Start reading ``offset`` seconds into the file.
    duration : float > 0 or None
        Read only ``duration`` seconds (None: to the end). Only that part is decoded.
    min_duration : float >= 0
        Clips shorter than this (in seconds, after ``offset``/``duration``) are refused:
        most features and every 3 s CNN segment need at least a few seconds.
    max_duration : float > 0 or None
        Refuse clips longer than this many seconds (after ``offset``/``duration``; None: no
        limit), from the header, before decoding. Use ``duration`` to read the start of a long
        file instead. Without either, a long file is decoded whole (2 hours of audio take
        about 1.3 GB of float64 samples per channel), so pass one when files come from users.
    dtype : numpy floating dtype
        Floating-point type of the samples (``np.float32`` or ``np.float64``).

    Returns
    -------
    y : np.ndarray [shape=(n,) or (channels, n)]
        The samples.
    sr : int
        Their sample rate.

    Raises
    ------
    ParameterError
        An argument is out of range or of the wrong type (the message names it): ``path`` not
        a path, ``sr`` outside 1000..384000 Hz or not whole, a non-float ``dtype``,
        ``max_duration <= 0``, ``min_duration > max_duration``, a NaN or negative time.
    AudioFileNotFoundError
        The file does not exist, is a broken symbolic link or a symbolic link loop.
    AudioDecodeError
        The file is a folder, a pipe or device, empty, truncated, text, unreadable (permission
        denied), in a format libsndfile cannot read, or its header claims a sample rate below
        1000 Hz.
    AudioContentError
        The audio is silent, contains NaN/inf samples, or is shorter/longer than allowed.

    See Also
    --------
    probe : duration, sample rate and channels from the header only.

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
    >>> load_audio(path, duration=3.0)[0].shape
    (66150,)
    """
    import soundfile as sf

    # Every argument is checked before the file is touched.
    path = _as_path(path)
    sr = _check_target_sr(sr)
    offset = _check_seconds("offset", offset, positive=False)
    if duration is not None:
        duration = _check_seconds("duration", duration, positive=True)
    min_duration = _check_seconds("min_duration", min_duration, positive=False)
    if max_duration is not None:
        max_duration = _check_seconds("max_duration", max_duration, positive=True, allow_inf=True)
        if min_duration > max_duration:
            raise ParameterError(f"min_duration ({min_duration:g} s) is larger than max_duration ({max_duration:g} s)")
        if max_duration > _MAX_ARGUMENT_SECONDS:
            max_duration = math.inf  # no recording is longer: no limit (1e308 x the rate overflowed)
    for name, value in (("offset", offset), ("duration", duration), ("min_duration", min_duration)):
        if value is not None and value > _MAX_ARGUMENT_SECONDS:
            raise ParameterError(
                f"{name} must be at most {_MAX_ARGUMENT_SECONDS:g} seconds (about 31 years), got {value!r}"
            )
    dtype = _check_dtype(dtype)

    header = _read_header(path)
    native_sr = header.sr
    start = int(round(offset * native_sr))
    wanted = None if duration is None else int(round(duration * native_sr))
    # Most frames that may be accepted; one more decoded frame proves "too long".
    limit = None if max_duration is None or math.isinf(max_duration) else math.floor(max_duration * native_sr)
    if header.frames is not None:
        available = header.frames - start
        if available <= 0:
            raise AudioContentError(
                f"no audio samples after offset {offset:g} s (the file holds {header.frames / native_sr:.2f} s)",
                path=path,
            )
        n = available if wanted is None else min(wanted, available)
        if limit is not None and n > limit:
            raise _too_long(path, n / native_sr, max_duration)
        stop = start + n
    else:
        # The header does not state the length: never decode more than could be accepted.
        caps = [c for c in (wanted, None if limit is None else limit + 1) if c is not None]
        stop = start + min(caps) if caps else None
    try:
        data, _ = sf.read(os.fsencode(path), start=start, stop=stop, dtype="float64", always_2d=True)
    except OSError as exc:
        raise _os_error(path, exc) from None
    except MemoryError:
        raise AudioContentError(
            "too long to decode into memory; pass duration= to read a part, or max_duration= to refuse such files",
            path=path,
        ) from None
    except (sf.LibsndfileError, RuntimeError, ValueError, TypeError, OverflowError) as exc:
        raise AudioDecodeError(f"could not decode the audio ({exc})", path=path) from None
    y = data.T  # (channels, n)
    if y.shape[1] == 0:
        raise AudioContentError(f"no audio samples after offset {offset:g} s", path=path)
    if limit is not None and y.shape[1] > limit:  # the header said less than there was
        raise _too_long(path, y.shape[1] / native_sr, max_duration)
    if not np.all(np.isfinite(y)):
        bad = int(np.count_nonzero(~np.isfinite(y)))
        raise AudioContentError(f"contains {bad} NaN or infinite samples", path=path)
    seconds = y.shape[1] / native_sr
    if seconds < min_duration:
        raise AudioContentError(f"too short: {seconds:.2f} s of audio, at least {min_duration:g} s needed", path=path)
    peak = float(np.max(np.abs(y)))
    if peak < SILENCE_PEAK:
        raise AudioContentError(f"silent: peak amplitude {peak:.1e} (below -100 dBFS)", path=path)
    if mono:
        y = y.mean(axis=0)
    if sr is not None and sr != native_sr:
        import soxr

        # soxr works along the first axis; keep channels last while resampling.
        y = soxr.resample(y.T, native_sr, sr, quality="HQ").T
        native_sr = sr
    y = np.ascontiguousarray(np.clip(y, -1.0, 1.0), dtype=dtype)
    return y, int(native_sr)


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
        sf.write(os.fsencode(tmp), data, int(sr), subtype="PCM_16", format="WAV")
    return path


# The players live in musicviz.player (small Ogg Opus files); notebooks call mv.audio.play.
from musicviz.player import play  # noqa: E402
