"""One exception family for musicviz.

Every error musicviz raises on purpose derives from :class:`MusicvizError`, so a notebook or
a script can catch them all with one ``except`` clause, and each message names the file (where
there is one) and the problem in words a student can act on.
"""

from __future__ import annotations

__all__ = [
    "MusicvizError",
    "ParameterError",
    "AudioError",
    "AudioFileNotFoundError",
    "AudioDecodeError",
    "AudioContentError",
    "DatasetError",
    "FeatureError",
    "ModelError",
    "OutputError",
]


class MusicvizError(Exception):
    """Base class of every error musicviz raises on purpose."""


class ParameterError(MusicvizError, ValueError):
    """A function was called with an argument it cannot work with (wrong shape, range, type)."""


class AudioError(MusicvizError):
    """An audio file or signal cannot be used. ``path`` is the file, when there is one."""

    def __init__(self, message: str, *, path=None):
        self.path = None if path is None else str(path)
        super().__init__(f"{self.path}: {message}" if self.path else message)
        self.reason = message


class AudioFileNotFoundError(AudioError, FileNotFoundError):
    """The audio file does not exist."""


class AudioDecodeError(AudioError):
    """The file exists but is not readable audio (empty, truncated, text named .wav, ...)."""


class AudioContentError(AudioError):
    """The audio decodes but its content is unusable (silent, NaN/inf, too short, too long)."""


class DatasetError(MusicvizError):
    """A data set folder, archive, split list or feature table is missing or malformed."""


class FeatureError(MusicvizError):
    """Features could not be computed, or a feature table lacks what is asked of it."""


class ModelError(MusicvizError):
    """A model cannot be trained, saved, loaded or applied as asked."""


class OutputError(MusicvizError):
    """An output location (file or folder) cannot be written: a folder where a file is
    expected, read-only, below a file, or a folder that holds someone else's data."""
