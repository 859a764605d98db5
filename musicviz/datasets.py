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
``jazz.00054.wav``).
"""

from __future__ import annotations

import os
import re
import shutil
import tarfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np

from musicviz import GENRES
from musicviz._io import atomic_path, project_root
from musicviz.audio import AUDIO_EXTENSIONS, load_audio
from musicviz.errors import AudioError, DatasetError, ParameterError

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

_TRACK_RE = re.compile(r"^(?P<genre>[a-z]+)\.(?P<number>\d{5})\.(?P<ext>[A-Za-z0-9]+)$")


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
    match = _TRACK_RE.match(PurePosixPath(name).name)
    if not match or match["genre"] not in GENRES:
        return None
    return match["genre"], int(match["number"])


def _probe(path: Path) -> tuple[float, int]:
    """Decode and validate one file; return (duration, native sample rate)."""
    y, sr = load_audio(path, sr=None, min_duration=1.0)
    return y.shape[-1] / sr, sr


def scan(root=None, *, check_audio: bool = True, genres=GENRES, progress: bool = False) -> ScanResult:
    """Find every GTZAN-named clip under ``root``, validating each one.

    Understands the Kaggle layout, the Marsyas layout and flat folders (anything whose file
    names are ``<genre>.<5 digits>.<audio extension>``). Files that are not usable are
    skipped, each with its reason; the scan itself never aborts on a bad file.

    Parameters
    ----------
    root : path-like or None
        Folder to search recursively (default: :func:`course_audio_dir`).
    check_audio : bool
        Decode every file to catch unreadable, truncated, silent or NaN clips (slower).
    genres : sequence of str
        Genres to keep.
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    ScanResult

    Raises
    ------
    DatasetError
        ``root`` does not exist or is not a folder.

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
    """
    root = course_audio_dir() if root is None else Path(root)
    if not root.exists():
        raise DatasetError(f"{root}: folder not found")
    if not root.is_dir():
        raise DatasetError(f"{root}: not a folder")
    unknown = sorted(set(genres) - set(GENRES))
    if unknown:
        raise ParameterError(f"unknown genres {unknown}; choose from {list(GENRES)}")
    result = ScanResult(root=root)
    candidates = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_EXTENSIONS)
    seen: dict[str, Path] = {}
    found: list[Track] = []
    iterator = candidates
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(candidates, desc=f"scanning {root.name}", unit="file")
    for path in iterator:
        if path.name.startswith("."):
            continue  # editor and atomic-write temporaries
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
        duration, sr = float("nan"), 0
        if check_audio:
            try:
                duration, sr = _probe(path)
            except AudioError as exc:
                result.skipped.append(Skipped(path, exc.reason))
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


def find_real_clip(genre: str = "metal"):
    """A real GTZAN clip of ``genre`` from the user's copy (:func:`gtzan_dir`), or None.

    Looks at every GTZAN-named file under the copy, whatever its layout, and returns the path
    of the first one of ``genre`` that decodes. Real audio never ships with musicviz, so on a
    machine without a copy this is None and notebooks fall back to a synthetic clip.

    Notebook: ``07_classify_your_own_clip.ipynb``.
    """
    if genre not in GENRES:
        raise ParameterError(f"unknown genre {genre!r}; choose from {list(GENRES)}")
    root = gtzan_dir()
    if not root.is_dir():
        return None
    for track in scan(root, check_audio=False, genres=(genre,)).tracks:
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
@dataclass
class ImportReport:
    """What :func:`import_gtzan` brought in and what it refused."""

    dest: Path
    imported: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _wanted(name: str) -> bool:
    base = PurePosixPath(name).name
    return parse_track_name(base) is not None or base == FEATURE_TABLE_NAME or base.endswith("_filtered.txt")


def _safe_member(name: str) -> str | None:
    """The member name if extracting it stays inside the destination, else None."""
    pure = PurePosixPath(name.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or (pure.parts and ":" in pure.parts[0]):
        return None
    return str(pure)


# What a damaged or truncated archive raises while it is read.
_DAMAGED = (zipfile.BadZipFile, tarfile.TarError, zlib.error, EOFError, OSError)


def import_gtzan(source, *, dest=None, progress: bool = True) -> ImportReport:
    """Bring a GTZAN copy (a .zip/.tar(.gz) archive or a folder) into ``data/gtzan``.

    Only GTZAN audio, the feature table and the split lists are copied, keeping their
    relative layout. Archive members with absolute paths or ``..`` are refused (they could
    write outside the destination), links are refused, and every refusal is reported.
    Each file is written atomically.

    Parameters
    ----------
    source : path-like
        A zip or tar archive (as downloaded), or a folder.
    dest : path-like or None
        Destination (default: ``<data_dir>/gtzan``).
    progress : bool
        Show a progress bar.

    Returns
    -------
    ImportReport

    Raises
    ------
    DatasetError
        The source is missing or not an archive/folder musicviz can read.
    """
    source = Path(source)
    dest = Path(dest) if dest is not None else data_dir() / "gtzan"
    if not source.exists():
        raise DatasetError(f"{source}: not found")
    report = ImportReport(dest=dest)
    dest.mkdir(parents=True, exist_ok=True)

    def bar(items, total=None):
        if not progress:
            return items
        from tqdm.auto import tqdm

        return tqdm(items, total=total, desc="importing", unit="file")

    if source.is_dir():
        for path in bar(sorted(p for p in source.rglob("*") if p.is_file())):
            rel = path.relative_to(source).as_posix()
            if not _wanted(rel):
                continue
            if path.is_symlink():
                report.skipped.append(Skipped(path, "symbolic link refused"))
                continue
            with atomic_path(dest / rel) as tmp:
                shutil.copyfile(path, tmp)
            report.imported.append(rel)
        return report

    try:
        return _import_archive(source, dest, report, bar)
    except _DAMAGED as exc:
        raise DatasetError(f"{source}: damaged archive ({exc})") from None


def _import_archive(source: Path, dest: Path, report: ImportReport, bar) -> ImportReport:
    if zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            for info in bar(archive.infolist()):
                if info.is_dir() or not _wanted(info.filename):
                    continue
                safe = _safe_member(info.filename)
                if safe is None:
                    report.skipped.append(Skipped(Path(info.filename), "unsafe path (absolute or '..') refused"))
                    continue
                # Unix mode bits in external_attr: a symlink member must not be written out.
                if (info.external_attr >> 16) & 0o170000 == 0o120000:
                    report.skipped.append(Skipped(Path(info.filename), "symbolic link refused"))
                    continue
                try:
                    with archive.open(info) as src, atomic_path(dest / safe) as tmp, open(tmp, "wb") as out:
                        shutil.copyfileobj(src, out)
                except _DAMAGED as exc:
                    report.skipped.append(Skipped(Path(info.filename), f"damaged in the archive ({exc})"))
                    continue
                report.imported.append(safe)
        return report

    if tarfile.is_tarfile(source):
        with tarfile.open(source) as archive:
            for member in bar(archive.getmembers()):
                if member.isdir() or not _wanted(member.name):
                    continue
                safe = _safe_member(member.name)
                if safe is None:
                    report.skipped.append(Skipped(Path(member.name), "unsafe path (absolute or '..') refused"))
                    continue
                if not member.isfile():
                    report.skipped.append(Skipped(Path(member.name), "not a regular file (link or device) refused"))
                    continue
                try:
                    src = archive.extractfile(member)
                    with src, atomic_path(dest / safe) as tmp, open(tmp, "wb") as out:
                        shutil.copyfileobj(src, out)
                except _DAMAGED as exc:
                    report.skipped.append(Skipped(Path(member.name), f"damaged in the archive ({exc})"))
                    continue
                report.imported.append(safe)
        return report

    raise DatasetError(f"{source}: not a folder, zip or tar archive")

