"""Finding the data the course runs on: the built-in synthetic set and real GTZAN.

Notebook: ``00_introduction.ipynb``.

Where the data lives
--------------------
``MUSICVIZ_DATA``
    The project's data folder (default: ``data/`` in the repository). The synthetic set is
    written to ``$MUSICVIZ_DATA/synth`` by ``make run`` / ``make test``.
``MUSICVIZ_GTZAN``
    A folder holding (any part of) a real GTZAN copy (default: ``$MUSICVIZ_DATA/gtzan``):
    audio in the Kaggle layout (``Data/genres_original/<genre>/<genre>.000NN.wav``), the
    original Marsyas layout (``genres/<genre>/<genre>.000NN.au``) or flat folders of
    ``<genre>.000NN.wav``; the Kaggle table ``features_30_sec.csv``; and the fault-filtered
    split lists ``train_filtered.txt``, ``valid_filtered.txt``, ``test_filtered.txt``.
    The test suite and CI point it at ``../shared/data``.
``MUSICVIZ_DATASET``
    Which audio the notebooks use: ``synth`` (default) or ``gtzan``.

The two small real GTZAN tables (the Kaggle feature table and the fault-filtered split lists)
ship with musicviz (``musicviz/data/gtzan/``, see its ``PROVENANCE.md``), so the real-data
notebooks work with no download; a copy found under ``MUSICVIZ_GTZAN`` takes precedence.
Real audio is never shipped.

Every scan is track-level and never aborts on one bad file: a file that cannot be used is
skipped and reported with its reason (the Kaggle copy of GTZAN has an invalid
``jazz.00054.wav``; its Marsyas ``jazz.00054.au`` is then the copy used). A scan reads each
file's header and, by default, a block at each end, never a whole file, so memory stays small
whatever the files hold.

:func:`import_gtzan` copies only GTZAN's audio, tables and split lists out of an archive or a
folder, within size limits (:data:`MAX_IMPORT_BYTES`, :data:`MAX_MEMBER_BYTES`,
:data:`MAX_COMPRESSION_RATIO`), never outside the destination and never over a file you
changed.
"""

from __future__ import annotations

import errno
import filecmp
import lzma
import os
import re
import stat
import struct
import tarfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np

from musicviz import GENRES
from musicviz._io import atomic_path, project_root
from musicviz.audio import AUDIO_EXTENSIONS, load_audio, probe
from musicviz.errors import (
    AudioContentError,
    AudioDecodeError,
    AudioError,
    DatasetError,
    OutputError,
    ParameterError,
)

__all__ = [
    "DATA_ENV",
    "GTZAN_ENV",
    "DATASET_ENV",
    "FEATURE_TABLE_NAME",
    "SPLIT_NAMES",
    "Track",
    "Skipped",
    "ScanResult",
    "data_dir",
    "synth_dir",
    "gtzan_dir",
    "dataset_name",
    "course_audio_dir",
    "find_real_clip",
    "stand_ins",
    "parse_track_name",
    "scan",
    "example_clips",
    "packaged_gtzan_dir",
    "find_feature_table",
    "load_feature_table",
    "find_split_lists",
    "load_filtered_split",
    "split_tracks",
    "ImportReport",
    "import_gtzan",
]

DATA_ENV = "MUSICVIZ_DATA"
GTZAN_ENV = "MUSICVIZ_GTZAN"
DATASET_ENV = "MUSICVIZ_DATASET"
FEATURE_TABLE_NAME = "features_30_sec.csv"
SPLIT_NAMES = ("train", "valid", "test")

# ASCII digits and letters only, and the whole name (fullmatch: "$" would accept a final "\n").
_TRACK_RE = re.compile(r"(?P<genre>[a-z]+)\.(?P<number>[0-9]{5})\.(?P<ext>[A-Za-z0-9]+)", re.ASCII)


# --------------------------------------------------------------------------- locations
def data_dir() -> Path:
    """The project's data folder: ``$MUSICVIZ_DATA`` or ``data/`` in the repository."""
    return Path(os.environ.get(DATA_ENV) or project_root() / "data")


def synth_dir() -> Path:
    """Where the synthetic set lives: ``<data_dir>/synth``."""
    return data_dir() / "synth"


def gtzan_dir() -> Path:
    """Where a real GTZAN copy is looked for: ``$MUSICVIZ_GTZAN`` or ``<data_dir>/gtzan``."""
    return Path(os.environ.get(GTZAN_ENV) or data_dir() / "gtzan")


def packaged_gtzan_dir() -> Path:
    """The real GTZAN tables that ship with musicviz (no audio): ``musicviz/data/gtzan``."""
    return Path(__file__).resolve().parent / "data" / "gtzan"


def dataset_name() -> str:
    """``"synth"`` or ``"gtzan"``: the value of ``MUSICVIZ_DATASET`` (default ``synth``).

    Raises
    ------
    DatasetError
        ``MUSICVIZ_DATASET`` names something else.
    """
    which = (os.environ.get(DATASET_ENV) or "synth").strip().lower()
    if which not in ("synth", "gtzan"):
        raise DatasetError(f"{DATASET_ENV} must be 'synth' or 'gtzan', got {which!r}")
    return which


def course_audio_dir() -> Path:
    """The audio the notebooks use: the synthetic set, or GTZAN when ``MUSICVIZ_DATASET=gtzan``.

    Raises
    ------
    DatasetError
        ``MUSICVIZ_DATASET`` names something else, or the folder does not exist.
    """
    which = dataset_name()
    root = synth_dir() if which == "synth" else gtzan_dir()
    if not root.is_dir():
        hint = "run `make data`" if which == "synth" else f"set {GTZAN_ENV} or run `musicviz data import`"
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
        with sf.SoundFile(str(path)) as handle:
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
    unknown = sorted(set(genres) - set(GENRES))
    if unknown:
        raise ParameterError(f"unknown genres {unknown}; choose from {list(GENRES)}")
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


def example_clips(root=None, *, duration: float | None = None):
    """The first clip of every genre, loaded: the examples notebooks 01-03 plot and play.

    Parameters
    ----------
    root : path-like or None
        Data folder (default: :func:`course_audio_dir`).
    duration : float or None
        Load only the first ``duration`` seconds of each clip.

    Returns
    -------
    clips : dict
        ``{genre: samples}`` in GTZAN's genre order (genres without clips are left out).
    sr : int
        The sample rate (22050 Hz).
    tracks : dict
        ``{genre: Track}``, e.g. to show ``tracks["blues"].track_id``.

    Raises
    ------
    DatasetError
        No clip was found.
    """
    found = scan(root, check_audio=False)  # load_audio below checks each clip used
    tracks: dict[str, Track] = {}
    for track in found.tracks:
        tracks.setdefault(track.genre, track)
    if not tracks:
        raise DatasetError(f"{found.root}: no clips found")
    clips, sr, chosen = {}, 0, {}
    shortest = 3.0 if duration is None else min(3.0, duration)
    for genre in tracks:
        # The first usable clip of each genre: one unreadable file must not stop the others.
        for track in (t for t in found.tracks if t.genre == genre):
            try:
                clips[genre], sr = load_audio(track.path, duration=duration, min_duration=shortest)
            except AudioError:
                continue
            chosen[genre] = track
            break
    if not clips:
        raise DatasetError(f"{found.root}: no readable clips found")
    return clips, sr, chosen


def stand_ins(available, *wanted: str) -> tuple[str, ...]:
    """Each wanted genre if ``available`` has it, else a stand-in genre that it has.

    A partial copy of GTZAN may lack the genre a notebook shows (say, no metal clip); the
    notebook then shows another genre instead of failing. Stand-ins are taken in GTZAN's
    order, avoiding the genres already chosen while there are others.

    Examples
    --------
    >>> from musicviz.datasets import stand_ins
    >>> stand_ins({"blues": 1, "jazz": 2}, "jazz", "metal")
    ('jazz', 'blues')
    """
    have = [g for g in GENRES if g in available]
    if not have:
        raise DatasetError("no genre to show: the data holds no clips")
    unknown = sorted(set(wanted) - set(GENRES))
    if unknown:
        raise ParameterError(f"unknown genres {unknown}; choose from {list(GENRES)}")
    chosen: list[str] = []
    for genre in wanted:
        if genre in have:
            chosen.append(genre)
        else:
            unused = [g for g in have if g not in chosen and g not in wanted]
            chosen.append(unused[0] if unused else have[0])
    return tuple(chosen)


def find_real_clip(genre: str | None = "metal"):
    """A real GTZAN clip of ``genre`` (any genre for None) from the user's copy, or None.

    Looks at every GTZAN-named file under :func:`gtzan_dir`, whatever its layout, and returns
    the path of the first one of ``genre`` that decodes. Real audio never ships with musicviz,
    so on a machine without a copy this is None and notebooks fall back to a synthetic clip.

    Notebook: ``07_classify_your_own_clip.ipynb``.
    """
    if genre is not None and genre not in GENRES:
        raise ParameterError(f"unknown genre {genre!r}; choose from {list(GENRES)}")
    root = gtzan_dir()
    if not root.is_dir():
        return None
    for track in scan(root, check_audio=False, genres=GENRES if genre is None else (genre,)).tracks:
        try:
            load_audio(track.path, duration=1.0, min_duration=0.5)
        except AudioError:
            continue
        return track.path
    return None


# --------------------------------------------------------------------------- feature table
def find_feature_table(root=None) -> Path | None:
    """Path of ``features_30_sec.csv`` under ``root``, or None.

    With ``root=None``: the user's copy under :func:`gtzan_dir` when there is one, otherwise
    the table that ships with musicviz (:func:`packaged_gtzan_dir`), so this never returns
    None for the default.
    """
    if root is None:
        return find_feature_table(gtzan_dir()) or find_feature_table(packaged_gtzan_dir())
    root = Path(root)
    if root.is_file():
        return root
    if not root.is_dir():
        return None
    direct = root / FEATURE_TABLE_NAME
    if direct.is_file():
        return direct
    return next(iter(sorted(root.rglob(FEATURE_TABLE_NAME))), None)


def load_feature_table(path=None):
    """Load GTZAN's Kaggle feature table (one row per 30 s clip), validated.

    Adds ``track_id`` (``"blues.00000"``) and keeps ``label`` as the genre.

    Parameters
    ----------
    path : path-like or None
        The CSV file, or a folder to search (default: the user's copy under :func:`gtzan_dir`,
        else the copy that ships with musicviz).

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    DatasetError
        The table is missing, unreadable, or lacks the ``filename``/``label`` columns.
    """
    import pandas as pd

    table = find_feature_table(path)
    if table is None:
        where = gtzan_dir() if path is None else path
        raise DatasetError(
            f"{where}: no {FEATURE_TABLE_NAME} found; download GTZAN's feature table (Kaggle: "
            f"'GTZAN Dataset - Music Genre Classification') and point {GTZAN_ENV} at its folder"
        )
    try:
        frame = pd.read_csv(table)
    except Exception as exc:
        raise DatasetError(f"{table}: not a readable CSV table ({exc})") from None
    missing = {"filename", "label"} - set(frame.columns)
    if missing:
        raise DatasetError(f"{table}: missing columns {sorted(missing)}")
    bad_labels = sorted(set(frame["label"]) - set(GENRES))
    if bad_labels:
        raise DatasetError(f"{table}: unknown labels {bad_labels}")
    frame.insert(1, "track_id", frame["filename"].str.replace(r"\.(au|wav)$", "", regex=True))
    return frame


# --------------------------------------------------------------------------- splits
def find_split_lists(root=None) -> dict[str, Path]:
    """The fault-filtered split lists found under ``root``: ``{"train": path, ...}``.

    Returns an empty dict unless all three lists are there. With ``root=None``: the user's
    lists under :func:`gtzan_dir` when all three are there, otherwise the lists that ship
    with musicviz.
    """
    if root is None:
        return find_split_lists(gtzan_dir()) or find_split_lists(packaged_gtzan_dir())
    root = Path(root)
    if not root.is_dir():
        return {}
    found = {}
    for name in SPLIT_NAMES:
        direct = root / f"{name}_filtered.txt"
        hits = [direct] if direct.is_file() else sorted(root.rglob(f"{name}_filtered.txt"))
        if hits:
            found[name] = hits[0]
    return found if len(found) == len(SPLIT_NAMES) else {}


def load_filtered_split(root=None) -> dict[str, list[str]]:
    """The fault-filtered, artist-conscious split of Kereliuk, Sturm & Larsen (2015).

    Returns
    -------
    dict
        ``{"train": [track ids], "valid": [...], "test": [...]}``, e.g. ``"blues.00029"``.

    Raises
    ------
    DatasetError
        The lists are missing, malformed, or overlap.
    """
    lists = find_split_lists(root)
    if not lists:
        where = gtzan_dir() if root is None else root
        raise DatasetError(f"{where}: the split lists {', '.join(n + '_filtered.txt' for n in SPLIT_NAMES)} were not found")
    split: dict[str, list[str]] = {}
    for name, path in lists.items():
        ids = []
        for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            parsed = parse_track_name(PurePosixPath(line).name)
            if parsed is None:
                raise DatasetError(f"{path}:{line_no}: not a GTZAN track name: {line!r}")
            ids.append(f"{parsed[0]}.{parsed[1]:05d}")
        split[name] = ids
    all_ids = [i for ids in split.values() for i in ids]
    if len(all_ids) != len(set(all_ids)):
        raise DatasetError("the split lists overlap: a track appears in more than one list")
    return split


def split_tracks(track_ids, genres, *, test_size: float = 0.25, seed: int = 0, filtered="auto"):
    """Assign whole tracks to ``"train"`` or ``"test"`` (never segments of one clip to both).

    Uses the fault-filtered split (train + valid -> train) when ``filtered`` is given, or,
    with ``filtered="auto"``, when the course runs on real GTZAN (``MUSICVIZ_DATASET=gtzan``)
    and the lists are found under :func:`gtzan_dir`; otherwise a stratified, seeded random
    split. (The synthetic set reuses GTZAN's track names, so the real lists must never be
    applied to it by accident.)

    Parameters
    ----------
    track_ids : sequence of str
        One id per track, e.g. ``"blues.00042"``.
    genres : sequence of str
        The genre of each track (stratification).
    test_size : float in (0, 1)
        Fraction of tracks for the test set (random split only).
    seed : int
        Seed of the random split.
    filtered : dict, "auto", None or False
        A split as returned by :func:`load_filtered_split`; ``"auto"`` (see above); ``None``
        or ``False`` for the random split.

    Returns
    -------
    numpy.ndarray of str
        ``"train"``, ``"test"``, or ``"unused"`` (tracks the filtered split leaves out).

    Examples
    --------
    >>> from musicviz.datasets import split_tracks
    >>> ids = [f"{g}.{i:05d}" for g in ("rock", "jazz") for i in range(4)]
    >>> split = split_tracks(ids, [i.split(".")[0] for i in ids], test_size=0.5, filtered=False)
    >>> sorted(split.tolist()).count("test")
    4
    """
    from sklearn.model_selection import train_test_split

    track_ids = [str(t) for t in track_ids]
    genres = list(genres)
    if len(track_ids) != len(genres):
        raise ParameterError(f"got {len(track_ids)} track ids but {len(genres)} genres")
    if len(set(track_ids)) != len(track_ids):
        raise ParameterError("track ids must be unique: split whole tracks, then cut segments")
    if not track_ids:
        raise ParameterError("no tracks to split")
    if not 0 < test_size < 1:
        raise ParameterError(f"test_size must be between 0 and 1, got {test_size}")
    if isinstance(filtered, str):
        if filtered != "auto":
            raise ParameterError(f"filtered must be a split dict, 'auto', None or False; got {filtered!r}")
        filtered = False
        # Only missing lists mean "no filtered split"; a malformed list is an error to see.
        if dataset_name() == "gtzan" and find_split_lists():
            filtered = load_filtered_split()
    if filtered:
        where = {tid: ("test" if name == "test" else "train") for name, ids in filtered.items() for tid in ids}
        if not any(t in where for t in track_ids):
            raise DatasetError("the filtered split lists name none of these tracks")
        return np.array([where.get(t, "unused") for t in track_ids])
    counts = {g: genres.count(g) for g in set(genres)}
    stratify = genres if min(counts.values()) >= 2 else None
    try:
        train_idx, test_idx = train_test_split(
            np.arange(len(track_ids)), test_size=test_size, random_state=seed, stratify=stratify
        )
    except ValueError as exc:  # too few tracks for the test part, or for every genre in it
        raise ParameterError(
            f"cannot split {len(track_ids)} tracks of {len(counts)} genres with test_size={test_size}: {exc}"
        ) from None
    out = np.empty(len(track_ids), dtype=object)
    out[train_idx] = "train"
    out[test_idx] = "test"
    return out.astype(str)


# --------------------------------------------------------------------------- import
#: Most bytes one :func:`import_gtzan` may write, all files together (GTZAN's audio and
#: tables take about 1.3 GB). Checked from the archive's headers before anything is written.
MAX_IMPORT_BYTES = 2_000_000_000
#: Largest single file :func:`import_gtzan` writes (a GTZAN clip is 1.3 MB, the Kaggle
#: 3-second table 3 MB); larger members are skipped with the reason.
MAX_MEMBER_BYTES = 200_000_000
#: Most a zip member (or a compressed tar as a whole) may expand: uncompressed size over
#: compressed size. Audio barely compresses (about 1.1:1, text 5:1); a "zip bomb" expands
#: 1000:1 or more. Members under 1 MiB are never refused for their ratio.
MAX_COMPRESSION_RATIO = 100
#: The GTZAN tables :func:`import_gtzan` copies besides the audio (plus ``*_filtered.txt``).
TABLE_NAMES = (FEATURE_TABLE_NAME, "features_3_sec.csv")

_RATIO_FLOOR = 1 << 20
_COPY_BLOCK = 1 << 20
_SPLIT_LIST_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*_filtered\.txt", re.ASCII)
# What reading a damaged, truncated or unsupported archive (or member) raises.
_DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    tarfile.TarError,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    ValueError,
    struct.error,
    NotImplementedError,
    RuntimeError,
    IndexError,
    KeyError,
    OverflowError,
)
# Writing errors that concern the whole destination, not one file: stop the import.
_FATAL_WRITE = (errno.ENOSPC, errno.EROFS, getattr(errno, "EDQUOT", errno.ENOSPC))


@dataclass
class ImportReport:
    """What :func:`import_gtzan` brought in and what it refused.

    ``imported`` lists every file (relative to ``dest``) that now holds the source's content,
    including those that were already there with the same content, which ``unchanged`` lists
    again; ``skipped`` gives each refused member or file with its reason.
    """

    dest: Path
    imported: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


class _Refused(Exception):
    """One member is not imported; ``args[0]`` is the reason."""


class _Unchanged(Exception):
    """The destination already holds this member's exact content."""


def _member_name(raw: str) -> str:
    """A member name with Windows separators made ``/`` (archives made on Windows)."""
    return raw.replace("\\", "/")


def _kind(name: str) -> tuple[str | None, str | None]:
    """``(kind, refusal)`` of a (normalised) member name.

    kind is ``"audio"`` or ``"table"`` for what GTZAN holds, None for anything else (ignored,
    not reported); refusal is a reason when the name looks like GTZAN's but is not accepted.
    """
    base = name.rsplit("/", 1)[-1].rsplit(":", 1)[-1]  # "C:blues.00000.wav" is refused as unsafe below
    if base in TABLE_NAMES or _SPLIT_LIST_RE.fullmatch(base):
        return "table", None
    match = _TRACK_RE.fullmatch(base)
    if match is None or match["genre"] not in GENRES:
        return None, None
    if "." + match["ext"].lower() not in AUDIO_EXTENSIONS:
        return None, f"extension .{match['ext']} is not an audio extension ({' '.join(AUDIO_EXTENSIONS)}): refused"
    return "audio", None


def _safe_member(name: str) -> str | None:
    """The relative path to write a (normalised) member to, or None when it is unsafe.

    Refused: absolute paths, ``..``, drive letters and any ``:`` (``C:``, ``C:\\``, NTFS
    streams), control characters, and names with nothing left.
    """
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return None
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts or any(":" in part for part in pure.parts):
        return None
    parts = [part for part in pure.parts if part not in ("", ".")]
    return "/".join(parts) if parts else None


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n} bytes"


def _copy_member(open_source, target: Path, *, declared: int, limit: int, overwrite: bool, unreadable: str) -> None:
    """Copy one member to ``target`` atomically, counting bytes; raise _Refused / _Unchanged.

    OSErrors from the writing side propagate (the caller decides); everything the reading
    side raises is a member that cannot be read (``unreadable`` says how, e.g. "damaged in
    the archive").
    """
    if target.is_dir() and not target.is_symlink():
        raise _Refused(f"a folder is in the way at {target}: not replaced")
    cap = min(limit, declared) if declared >= 0 else limit
    with atomic_path(target) as tmp:
        with open(tmp, "wb") as out:
            try:
                source = open_source()
            except _DAMAGED as exc:
                raise _Refused(f"{unreadable} ({exc})") from None
            with source:
                written = 0
                while True:
                    try:
                        block = source.read(_COPY_BLOCK)
                    except _DAMAGED as exc:
                        raise _Refused(f"{unreadable} ({exc})") from None
                    if not block:
                        break
                    written += len(block)
                    if written > cap:
                        raise _Refused(
                            f"holds more than its header declares ({_mb(declared)}) or than the per-file limit "
                            f"({_mb(limit)}, max_member_bytes=): refused, nothing written"
                        )
                    out.write(block)
        if os.path.lexists(target):
            try:
                same = filecmp.cmp(tmp, target, shallow=False)
            except OSError:
                same = False
            if same:
                raise _Unchanged()
            if not overwrite:
                raise _Refused(
                    "exists with different content; kept yours (delete it, or pass overwrite=True, to import this copy)"
                )


class _Member:
    """One entry of a source: its name, sizes and how to open it."""

    __slots__ = ("raw", "name", "size", "packed", "open", "refusal", "unreadable")

    def __init__(self, raw, size, packed, opener, refusal=None, unreadable="damaged in the archive"):
        self.raw, self.name = raw, _member_name(raw)
        self.size, self.packed, self.open, self.refusal = size, packed, opener, refusal
        self.unreadable = unreadable  # how a member that fails to read is reported


def _plan(source: Path, members, report: ImportReport, *, max_total: int, max_member: int, max_ratio: float):
    """Decide, from names and headers only, what to extract: ``[(member, relative path)]``.

    Every refusal is added to ``report.skipped``; a total over ``max_total`` raises.
    """
    plan, claimed, total = [], {}, 0
    for member in members:
        kind, refusal = _kind(member.name)
        if kind is None and refusal is None:
            continue  # not part of GTZAN
        shown = Path(member.raw)
        if refusal is None:
            safe = _safe_member(member.name)
            if safe is None:
                refusal = "unsafe path (absolute, '..' or a drive letter) refused"
        if refusal is None and member.refusal:
            refusal = member.refusal
        if refusal is None:
            key = safe.casefold()
            if key in claimed:
                refusal = f"duplicate member: the archive already holds {claimed[key]}; the first one was kept"
            else:
                claimed[key] = safe
        if refusal is None and member.size > max_member:
            refusal = f"{_mb(member.size)}, more than the per-file limit of {_mb(max_member)} (max_member_bytes=): refused"
        if refusal is None and member.packed is not None and member.size >= _RATIO_FLOOR:
            ratio = member.size / max(member.packed, 1)
            if ratio > max_ratio:
                refusal = (
                    f"compression ratio {ratio:.0f}:1 is above the limit of {max_ratio:g}:1 (max_ratio=; "
                    f"{_mb(member.packed)} would expand to {_mb(member.size)}, like a zip bomb): refused"
                )
        if refusal is not None:
            report.skipped.append(Skipped(shown, refusal))
            continue
        total += member.size
        plan.append((member, safe))
    if total > max_total:
        raise DatasetError(
            f"{source}: would write {_mb(total)}, more than the limit of {_mb(max_total)} "
            f"(max_total_bytes=); nothing was written"
        )
    return plan, total


def _inside(folder: Path, real_dest: Path) -> bool:
    """Does ``folder`` (which may not exist yet) lie inside ``real_dest`` once links are followed?"""
    try:
        return folder.resolve().is_relative_to(real_dest)
    except (OSError, RuntimeError):  # a symbolic link loop on the way
        return False


def _extract(plan, dest: Path, report: ImportReport, bar, *, max_member: int, overwrite: bool) -> None:
    real_dest = dest.resolve()
    for member, safe in bar(plan, total=len(plan)):
        target = dest / safe
        shown = Path(member.raw)
        try:
            if not _inside(target.parent, real_dest):
                raise _Refused(
                    f"would be written outside the destination (a symbolic link in {dest} leads elsewhere, or round a loop)"
                )
            _copy_member(member.open, target, declared=member.size, limit=max_member, overwrite=overwrite,
                         unreadable=member.unreadable)
        except _Refused as exc:
            path = target if "kept yours" in exc.args[0] else shown
            report.skipped.append(Skipped(path, exc.args[0]))
            continue
        except _Unchanged:
            report.unchanged.append(safe)
        except OSError as exc:
            if exc.errno in _FATAL_WRITE:
                raise OutputError(
                    f"{dest}: cannot write ({exc.strerror or exc}); stopped after {len(report.imported)} files"
                ) from None
            report.skipped.append(Skipped(shown, f"cannot write {target} ({exc.strerror or exc})"))
            continue
        report.imported.append(safe)


def _check_dest(dest: Path) -> None:
    if os.path.lexists(dest) and not dest.is_dir():
        raise OutputError(f"{dest}: the destination is a file, not a folder")
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{dest}: cannot create the destination folder ({exc.strerror or exc})") from None
    if not os.access(dest, os.W_OK | os.X_OK):
        raise OutputError(f"{dest}: the destination folder is not writable (permission denied)")


def import_gtzan(
    source,
    *,
    dest=None,
    progress: bool = True,
    overwrite: bool = False,
    max_total_bytes: int = MAX_IMPORT_BYTES,
    max_member_bytes: int = MAX_MEMBER_BYTES,
    max_ratio: float = MAX_COMPRESSION_RATIO,
) -> ImportReport:
    r"""Bring a GTZAN copy (a .zip/.tar(.gz) archive or a folder) into ``data/gtzan``.

    Only GTZAN audio (``<genre>.<5 digits>`` with an audio extension of
    :data:`musicviz.audio.AUDIO_EXTENSIONS`), the feature tables (:data:`TABLE_NAMES`) and the
    split lists (``*_filtered.txt``) are copied, keeping their relative layout; other files are
    ignored. Each file is written atomically. Refused, each reported in ``skipped`` with its
    reason:

    * members with absolute paths, ``..`` or drive letters (they could write outside the
      destination; Windows ``\`` separators are understood first), links and devices, and
      writing through a symbolic link that leads out of ``dest``;
    * GTZAN-named files with another extension (``blues.00000.exe``);
    * a second member with the name of an earlier one (the first one wins);
    * encrypted (password-protected) zip members;
    * members larger than ``max_member_bytes``, zip members that expand more than
      ``max_ratio`` times, and members holding more bytes than their header says (bytes are
      counted while extracting);
    * a file already in ``dest`` with different content: yours is kept unless ``overwrite``
      (identical content is fine and listed in ``unchanged``).

    Sizes are checked from the archive's headers before anything is extracted: an import that
    would write more than ``max_total_bytes`` (or a compressed tar that expands more than
    ``max_ratio`` times) is refused whole.

    Parameters
    ----------
    source : path-like
        A zip or tar archive (as downloaded), or a folder.
    dest : path-like or None
        Destination (default: ``<data_dir>/gtzan``).
    progress : bool
        Show a progress bar.
    overwrite : bool
        Replace files in ``dest`` whose content differs from the source's (default: keep them).
    max_total_bytes : int
        Most bytes written in all (default :data:`MAX_IMPORT_BYTES`, 2 GB).
    max_member_bytes : int
        Largest file written (default :data:`MAX_MEMBER_BYTES`, 200 MB).
    max_ratio : float
        Largest compression ratio accepted (default :data:`MAX_COMPRESSION_RATIO`, 100:1).

    Returns
    -------
    ImportReport

    Raises
    ------
    DatasetError
        The source is missing, unreadable, damaged, not an archive/folder musicviz can read,
        or would write more than ``max_total_bytes``.
    OutputError
        ``dest`` is a file, cannot be created or written, or the disk is full.
    ParameterError
        A limit is not a positive number.

    Examples
    --------
    >>> import io, tempfile, zipfile
    >>> from pathlib import Path
    >>> from musicviz.datasets import import_gtzan
    >>> work = Path(tempfile.mkdtemp())
    >>> with zipfile.ZipFile(work / "gtzan.zip", "w") as z:
    ...     z.writestr("Data\\train_filtered.txt", "blues/blues.00000.wav\n")
    ...     z.writestr("../evil/blues.00001.wav", b"RIFF")
    ...     z.writestr("genres/blues/blues.00002.exe", b"MZ")
    >>> report = import_gtzan(work / "gtzan.zip", dest=work / "gtzan", progress=False)
    >>> report.imported
    ['Data/train_filtered.txt']
    >>> [s.reason.split(" ")[0] for s in report.skipped]
    ['unsafe', 'extension']
    """
    for name, value in (("max_total_bytes", max_total_bytes), ("max_member_bytes", max_member_bytes),
                        ("max_ratio", max_ratio)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not value > 0:
            raise ParameterError(f"{name} must be a positive number, got {value!r}")
    source = Path(source)
    dest = Path(dest) if dest is not None else data_dir() / "gtzan"
    if not os.path.lexists(source):
        raise DatasetError(f"{source}: not found")
    try:
        info = os.stat(source)
    except OSError as exc:
        raise DatasetError(f"{source}: {_read_reason(exc)}") from None
    if not (stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode)):
        raise DatasetError(f"{source}: not a folder, zip or tar archive (a pipe, socket or device)")
    report = ImportReport(dest=dest)

    def bar(items, total=None):
        if not progress:
            return items
        from tqdm.auto import tqdm

        return tqdm(items, total=total, desc="importing", unit="file")

    limits = {"max_total": max_total_bytes, "max_member": max_member_bytes, "max_ratio": max_ratio}
    if stat.S_ISDIR(info.st_mode):
        members = _folder_members(source, report)
        plan, _ = _plan(source, members, report, **limits)
        _check_dest(dest)
        _extract(plan, dest, report, bar, max_member=max_member_bytes, overwrite=overwrite)
        return report

    try:
        with open(source, "rb"):
            pass
    except OSError as exc:
        raise DatasetError(f"{source}: {_read_reason(exc)}") from None
    try:
        return _import_archive(source, dest, report, bar, limits, overwrite=overwrite, size=info.st_size)
    except _DAMAGED as exc:
        raise DatasetError(f"{source}: damaged archive ({type(exc).__name__}: {exc})") from None


def _folder_members(source: Path, report: ImportReport) -> list[_Member]:
    """The regular files under ``source`` (links are refused, unreadable folders reported)."""
    members = []

    def unlistable(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else source
        report.skipped.append(Skipped(where, f"cannot list the folder ({exc.strerror or exc}); its files were not imported"))

    for folder, dirs, files in os.walk(source, onerror=unlistable):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            rel = path.relative_to(source).as_posix()
            try:
                info = os.lstat(path)
            except OSError as exc:
                members.append(_Member(rel, 0, None, None, f"cannot read the file ({exc.strerror or exc})"))
                continue
            refusal = None
            if stat.S_ISLNK(info.st_mode):
                refusal = "symbolic link refused"
            elif not stat.S_ISREG(info.st_mode):
                refusal = "not a regular file (link or device) refused"
            members.append(_Member(rel, info.st_size, None, lambda path=path: open(path, "rb"), refusal,
                                   unreadable="cannot read the file"))
    return members


def _import_archive(source: Path, dest: Path, report: ImportReport, bar, limits, *, overwrite, size):
    if zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            members = []
            for info in archive.infolist():
                if info.is_dir():
                    continue
                refusal = None
                if info.flag_bits & 0x1:
                    refusal = ("encrypted (password-protected) member: musicviz cannot read it; extract the archive "
                               "with its password and import the folder")
                # Unix mode bits in external_attr: a symlink member must not be written out.
                elif (info.external_attr >> 16) & 0o170000 == 0o120000:
                    refusal = "symbolic link refused"
                members.append(_Member(info.filename, info.file_size, info.compress_size,
                                       lambda info=info: archive.open(info), refusal))
            plan, _ = _plan(source, members, report, **limits)
            _check_dest(dest)
            _extract(plan, dest, report, bar, max_member=limits["max_member"], overwrite=overwrite)
        return report

    if tarfile.is_tarfile(source):
        with tarfile.open(source) as archive:
            members = []
            # Listing a compressed tar decompresses it: stop as soon as its members add up to
            # more than max_ratio times the archive's size (a bomb), before anything is written.
            budget, listed = max(limits["max_ratio"] * size, _RATIO_FLOOR), 0
            for member in archive:
                listed += max(member.size, 0)
                if listed > budget:
                    raise DatasetError(
                        f"{source}: compression ratio above the limit of {limits['max_ratio']:g}:1 (max_ratio=; its "
                        f"{_mb(size)} hold more than {_mb(listed)}, like a zip bomb); nothing was written"
                    )
                if member.isdir():
                    continue
                refusal = None if member.isfile() else "not a regular file (link or device) refused"
                members.append(_Member(member.name, max(member.size, 0), None,
                                       lambda member=member: archive.extractfile(member), refusal))
            plan, _ = _plan(source, members, report, **limits)
            _check_dest(dest)
            _extract(plan, dest, report, bar, max_member=limits["max_member"], overwrite=overwrite)
        return report

    raise DatasetError(f"{source}: not a folder, zip or tar archive")
