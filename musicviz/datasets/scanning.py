"""Scanning a folder for GTZAN clips: every usable track, and every file skipped with its reason.

Notebook: ``00_introduction.ipynb``.

Understands the Kaggle layout (``Data/genres_original/<genre>/<genre>.000NN.wav``), the Marsyas
layout (``genres/<genre>/<genre>.000NN.au``) and flat folders of ``<genre>.000NN.wav``. A scan
reads each file's header and, by default, a block at each end, never a whole file, so memory
stays small whatever the files hold; it never aborts on one bad file or folder.
"""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np

from musicviz import GENRES
from musicviz.audio import AUDIO_EXTENSIONS, probe
from musicviz.config import GTZAN_ENV, dataset_name, gtzan_dir, synth_dir
from musicviz.errors import AudioContentError, AudioDecodeError, AudioError, DatasetError, ParameterError

__all__ = [
    "MIN_SCAN_SECONDS",
    "CHECK_BLOCK_SECONDS",
    "Track",
    "Skipped",
    "ScanResult",
    "course_audio_dir",
    "parse_track_name",
    "scan",
]

# ASCII digits and letters only, and the whole name (fullmatch: "$" would accept a final "\n").
_TRACK_RE = re.compile(r"(?P<genre>[a-z]+)\.(?P<number>[0-9]{5})\.(?P<ext>[A-Za-z0-9]+)", re.ASCII)


def _check_genres(genres) -> None:
    """ParameterError naming the genres that are not GTZAN's (shared by scan and tables)."""
    unknown = sorted(set(genres) - set(GENRES))
    if unknown:
        raise ParameterError(f"unknown genres {unknown}; choose from {list(GENRES)}")


# --------------------------------------------------------------------------- the course's audio
def course_audio_dir(*, make: bool = True) -> Path:
    """The audio the notebooks use: the synthetic set, or GTZAN when ``MUSICVIZ_DATASET=gtzan``.

    The synthetic set is made on first use (:func:`musicviz.datasets.require_synth`: one
    sentence, a progress bar, about a minute) unless ``make=False``.

    Raises
    ------
    DatasetError
        ``MUSICVIZ_DATASET`` names something else, or the folder does not exist (GTZAN; the
        synthetic set with ``make=False``, or in a read-only shared data folder).
    """
    which = dataset_name()
    root = synth_dir() if which == "synth" else gtzan_dir()
    if which == "synth" and make and not root.is_dir():
        from musicviz.datasets.firstuse import require_synth

        return require_synth()
    if not root.is_dir():
        hint = "run `musicviz data synth`" if which == "synth" else f"set {GTZAN_ENV} or run `musicviz data import`"
        raise DatasetError(f"{root}: no {which} data here ({hint})")
    return root


# --------------------------------------------------------------------------- scanning
@dataclass(frozen=True)
class Track:
    """One clip: ``blues.00042`` of genre ``blues`` at ``path``."""

    path: Path
    genre: str
    number: int
    duration: float = float("nan")
    sr: int = 0

    @property
    def track_id(self) -> str:
        """GTZAN's name without extension, e.g. ``"blues.00042"``."""
        return f"{self.genre}.{self.number:05d}"


@dataclass(frozen=True)
class Skipped:
    """A file a scan could not use, and why."""

    path: Path
    reason: str


@dataclass
class ScanResult:
    """What :func:`scan` found: usable tracks, sorted by genre and number, and skipped files."""

    root: Path
    tracks: list[Track] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def to_frame(self):
        """The tracks as a pandas DataFrame (track_id, genre, number, duration, sr, path)."""
        import pandas as pd

        return pd.DataFrame(
            {
                "track_id": [t.track_id for t in self.tracks],
                "genre": [t.genre for t in self.tracks],
                "number": [t.number for t in self.tracks],
                "duration": [round(t.duration, 3) for t in self.tracks],
                "sr": [t.sr for t in self.tracks],
                "path": [str(t.path) for t in self.tracks],
            }
        )

    def genre_counts(self) -> dict[str, int]:
        """How many tracks each genre has (genres with none are left out)."""
        counts: dict[str, int] = {}
        for t in self.tracks:
            counts[t.genre] = counts.get(t.genre, 0) + 1
        return counts

    def __repr__(self) -> str:
        return f"ScanResult(root={str(self.root)!r}, tracks={len(self.tracks)}, skipped={len(self.skipped)})"


def parse_track_name(name: str) -> tuple[str, int] | None:
    """``"blues.00042.wav"`` -> ``("blues", 42)``; None for names that are not GTZAN tracks.

    Examples
    --------
    >>> from musicviz.datasets import parse_track_name
    >>> parse_track_name("jazz.00054.wav")
    ('jazz', 54)
    >>> parse_track_name("notes.txt") is None
    True
    """
    match = _TRACK_RE.fullmatch(PurePosixPath(name).name)
    if not match or match["genre"] not in GENRES:
        return None
    return match["genre"], int(match["number"])


#: Clips shorter than this are skipped by :func:`scan` (no feature or 3 s segment fits).
MIN_SCAN_SECONDS = 1.0
#: Seconds read at each end of a file by ``scan(check_audio=True)`` (files up to twice this
#: long are read whole, so their silence and NaN checks are complete).
CHECK_BLOCK_SECONDS = 2.0

# musicviz's own temporaries (musicviz._io): atomic-write files ".<name>.<random>.tmp" and
# staging / replaced folders ".<name>.<tag>-<random>". A scan never reports them.
_TEMP_FILE_RE = re.compile(r"\.[^/]+\.[A-Za-z0-9_]+\.tmp", re.ASCII)
_TEMP_FOLDER_RE = re.compile(r"\.[^/]+\.[A-Za-z0-9_]+-[0-9a-f]{8}", re.ASCII)


def _check_mode(check_audio):
    """``check_audio`` as ``False``, ``True`` or ``"full"`` (ParameterError otherwise)."""
    if isinstance(check_audio, str):
        if check_audio != "full":
            raise ParameterError(f"check_audio must be True, False or 'full', got {check_audio!r}")
        return "full"
    if isinstance(check_audio, (bool, np.bool_)):
        return bool(check_audio)
    raise ParameterError(f"check_audio must be True, False or 'full', got {check_audio!r}")


def _read_reason(exc: OSError) -> str:
    """A skipped file's reason for an OSError met while reading it."""
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied: this user may not read the file (or its folder)"
    if exc.errno == errno.ELOOP:
        return "symbolic link loop: following the links leads back in a circle, never to a file"
    return f"cannot read the file ({exc.strerror or exc})"


def _check_samples(path: Path, info, *, full: bool) -> None:
    """Read a file's first and last blocks (``full``: every block), bounded memory.

    Catches what the header cannot show: damage at the end of the data (the file holds less
    than its header promises), NaN/inf samples in the blocks read, and silence when the whole
    file was read. Raises the musicviz Audio* errors.
    """
    import soundfile as sf

    from musicviz.audio import SILENCE_PEAK

    frames = int(round(info.duration * info.sr))
    block = max(1, int(CHECK_BLOCK_SECONDS * info.sr))
    spans = [(0, block), (frames - block, frames)]
    peak, seen, bad = 0.0, 0, 0
    try:
        with sf.SoundFile(os.fsencode(path)) as handle:
            if full or frames <= 2 * block or not handle.seekable():
                spans = [(0, None)]  # everything, block by block
            # MP3 and Ogg headers only estimate the length: reading less is not damage there.
            exact = handle.format not in ("MPEG", "OGG")
            for start, stop in spans:
                handle.seek(start)
                wanted = None if stop is None else stop - start
                got = 0
                for data in handle.blocks(blocksize=1 << 16, frames=-1 if wanted is None else wanted,
                                          dtype="float64", always_2d=True):
                    got += len(data)
                    finite = np.isfinite(data)
                    if not finite.all():
                        bad += int(np.count_nonzero(~finite))
                    elif len(data):
                        peak = max(peak, float(np.max(np.abs(data))))
                seen += got
                if wanted is not None and got < wanted and exact:
                    raise AudioDecodeError(
                        f"truncated: the header promises {frames} frames, reading stopped at {start + got}", path=path
                    )
    except OSError as exc:
        raise AudioDecodeError(_read_reason(exc), path=path) from None
    except (sf.LibsndfileError, RuntimeError, ValueError, TypeError, OverflowError) as exc:
        raise AudioDecodeError(f"could not decode the audio ({exc})", path=path) from None
    whole = spans == [(0, None)]
    if whole and seen < frames and exact:
        raise AudioDecodeError(f"truncated: the header promises {frames} frames, the file holds {seen}", path=path)
    where = "" if whole else f" (in the first or last {CHECK_BLOCK_SECONDS:g} s)"
    if bad:
        raise AudioContentError(f"contains {bad} NaN or infinite samples{where}", path=path)
    if whole and peak < SILENCE_PEAK:
        raise AudioContentError(f"silent: peak amplitude {peak:.1e} (below -100 dBFS)", path=path)


def _validate(path: Path, mode) -> tuple[float, int]:
    """Check one file as ``scan`` does; return (duration, native sample rate) or raise AudioError."""
    info = probe(path)
    if info.duration < MIN_SCAN_SECONDS:
        raise AudioContentError(
            f"too short: {info.duration:.2f} s of audio, at least {MIN_SCAN_SECONDS:g} s needed", path=path
        )
    if mode:
        _check_samples(path, info, full=mode == "full")
    return float(info.duration), int(info.sr)


def _walk(root: Path) -> tuple[list[Path], list[Skipped]]:
    """Every audio-named file under ``root`` (sorted) and what the walk itself must report.

    Follows links to folders, but never into a folder it is already inside (a loop) or has
    already walked; never aborts on a folder it cannot list.
    """
    candidates: list[Path] = []
    skipped: list[Skipped] = []
    walked: dict[tuple[int, int], Path] = {}
    try:
        top = os.stat(root)
        inside = {(top.st_dev, top.st_ino): root}
    except OSError:
        inside = {}
    walked.update(inside)
    stack = [(root, inside)]  # depth first, without recursion (no limit on the depth)
    while stack:
        folder, inside = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
                reason = "permission denied: this user may not list the folder; its files were not scanned"
            else:
                reason = f"cannot list the folder ({exc.strerror or exc}); its files were not scanned"
            skipped.append(Skipped(folder, reason))
            continue
        below = []
        for entry in entries:
            path = folder / entry.name
            audio_name = PurePosixPath(entry.name).suffix.lower() in AUDIO_EXTENSIONS
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False  # a link loop, a permission problem: the file checks name it
            if is_dir:
                if entry.name.startswith(".") and _TEMP_FOLDER_RE.fullmatch(entry.name):
                    continue  # musicviz's own staging folder
                if audio_name:
                    skipped.append(Skipped(path, "is a folder, not an audio file (its contents are scanned)"))
                try:
                    info = os.stat(path)
                except OSError as exc:
                    skipped.append(Skipped(path, f"cannot open the folder ({_read_reason(exc)})"))
                    continue
                key = (info.st_dev, info.st_ino)
                if key in inside:
                    skipped.append(Skipped(path, f"symbolic link loop: it leads back to {inside[key]}, a folder above it"))
                    continue
                if key in walked:
                    skipped.append(Skipped(path, f"the same folder as {walked[key]} (a link), already scanned"))
                    continue
                walked[key] = path
                below.append((path, {**inside, key: path}))
                continue
            if not audio_name:
                continue  # notes, tables, images: not audio, not reported
            if entry.name.startswith("."):
                if not _TEMP_FILE_RE.fullmatch(entry.name):
                    skipped.append(Skipped(path, "hidden file (its name starts with '.'): rename it to use it"))
                continue
            candidates.append(path)
        stack.extend(reversed(below))
    return sorted(candidates), skipped


def scan(root=None, *, check_audio: bool | str = True, genres=GENRES, progress: bool = False) -> ScanResult:
    """Find every GTZAN-named clip under ``root``, checking each one without decoding it whole.

    Understands the Kaggle layout, the Marsyas layout and flat folders (anything whose file
    names are ``<genre>.<5 digits>.<audio extension>``). Files that are not usable are
    skipped, each with its reason; the scan itself never aborts on a bad file or folder.

    Every file's header is read (:func:`musicviz.audio.probe`: it exists, is readable, is
    audio, is not truncated, lasts at least :data:`MIN_SCAN_SECONDS`), whatever
    ``check_audio`` says. Two files with the same track id (the Kaggle and the Marsyas copy
    of a clip) are resolved among the files that pass the checks: the first usable one, in
    path order, is kept and the others are reported as duplicates, so a damaged copy never
    hides a good one. Also reported: folders named like audio files, symbolic link loops,
    folders that cannot be listed, and hidden audio files (``.blues.00001.wav``, macOS's
    ``._blues.00001.wav``); musicviz's own temporary files are ignored.

    Parameters
    ----------
    root : path-like or None
        Folder to search recursively (default: :func:`course_audio_dir`). Links to folders
        are followed, never round a loop.
    check_audio : bool or "full"
        How closely to look at the samples (memory stays small in every mode):

        * ``False``: the header only (fastest).
        * ``True`` (default): the header, plus the first and last
          :data:`CHECK_BLOCK_SECONDS` of samples: catches a file cut short or damaged at the
          end, NaN samples there, and silent or NaN short clips (read whole when they are at
          most twice that long).
        * ``"full"``: decode every sample, block by block (slow on a large collection):
          also catches NaN samples and decoding errors in the middle, and silent long clips.

        A clip that passes can still be refused later by :func:`musicviz.audio.load_audio`
        for what was not read (silence or NaN in the middle of a long clip).
    genres : sequence of str
        Genres to keep.
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    ScanResult
        Tracks with the duration and sample rate of their headers.

    Raises
    ------
    DatasetError
        ``root`` does not exist or is not a folder.
    ParameterError
        Unknown genres, or a ``check_audio`` that is not True, False or ``"full"``.

    Examples
    --------
    >>> import numpy as np, tempfile
    >>> from pathlib import Path
    >>> from musicviz.audio import write_wav
    >>> from musicviz.datasets import scan
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = write_wav(root / "rock" / "rock.00001.wav", 0.1 * np.ones(22050 * 2), sr=22050)
    >>> _ = (root / "rock" / "rock.00002.wav").write_text("not audio")
    >>> result = scan(root)
    >>> [t.track_id for t in result.tracks], len(result.skipped)
    (['rock.00001'], 1)
    >>> "contains text" in result.skipped[0].reason
    True
    """
    root = course_audio_dir() if root is None else Path(root)
    if not root.exists():
        raise DatasetError(f"{root}: folder not found")
    if not root.is_dir():
        raise DatasetError(f"{root}: not a folder")
    mode = _check_mode(check_audio)
    _check_genres(genres)
    result = ScanResult(root=root)
    candidates, result.skipped = _walk(root)
    seen: dict[str, Path] = {}
    found: list[Track] = []
    iterator = candidates
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(candidates, desc=f"scanning {root.name}", unit="file")
    for path in iterator:
        parsed = parse_track_name(path.name)
        if parsed is None:
            result.skipped.append(Skipped(path, "name is not <genre>.<5 digits>.<ext> with a GTZAN genre"))
            continue
        genre, number = parsed
        if genre not in genres:
            continue
        track_id = f"{genre}.{number:05d}"
        if track_id in seen:
            result.skipped.append(Skipped(path, f"duplicate of {seen[track_id]}"))
            continue
        try:
            duration, sr = _validate(path, mode)
        except AudioError as exc:
            result.skipped.append(Skipped(path, exc.reason))
            continue
        except OSError as exc:  # belt and braces: a file that vanished or changed mid-scan
            result.skipped.append(Skipped(path, _read_reason(exc)))
            continue
        seen[track_id] = path
        found.append(Track(path=path, genre=genre, number=number, duration=duration, sr=sr))
    result.tracks = sorted(found, key=lambda t: (GENRES.index(t.genre), t.number))
    return result
