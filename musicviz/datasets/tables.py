"""The real GTZAN tables and splits, and the clips the notebooks show.

Notebooks: ``00_introduction.ipynb`` … ``03_chroma_and_zero_crossings.ipynb`` (example clips),
``05b_baselines_on_real_gtzan.ipynb`` (feature table, filtered split),
``07_classify_your_own_clip.ipynb`` (a real clip).

The two small real GTZAN tables (the Kaggle feature table ``features_30_sec.csv`` and the
fault-filtered split lists ``train_filtered.txt``, ``valid_filtered.txt``,
``test_filtered.txt``) ship with musicviz (``musicviz/data/gtzan/``, see its
``PROVENANCE.md``); a copy found under ``MUSICVIZ_GTZAN`` takes precedence.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import numpy as np

from musicviz import GENRES
from musicviz.audio import load_audio
from musicviz.config import GTZAN_ENV, dataset_name, gtzan_dir, packaged_gtzan_dir
from musicviz.datasets.scanning import Track, _check_genres, parse_track_name, scan
from musicviz.errors import AudioError, DatasetError, ParameterError

__all__ = [
    "FEATURE_TABLE_NAME",
    "SPLIT_NAMES",
    "example_clips",
    "stand_ins",
    "find_real_clip",
    "find_feature_table",
    "load_feature_table",
    "find_split_lists",
    "load_filtered_split",
    "split_tracks",
]

FEATURE_TABLE_NAME = "features_30_sec.csv"
SPLIT_NAMES = ("train", "valid", "test")


# --------------------------------------------------------------------------- example clips
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
    _check_genres(wanted)
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

    Adds ``track_id`` (``"blues.00000"``) when the table lacks it (GTZAN's Kaggle table) and
    keeps ``label`` as the genre. A table that has one (written by ``musicviz features``) keeps
    its own, checked against ``filename``.

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
        The table is missing, unreadable, lacks the ``filename``/``label`` columns, names a
        genre that is not GTZAN's, or has a ``track_id`` that disagrees with its ``filename``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from musicviz.datasets import load_feature_table
    >>> csv = Path(tempfile.mkdtemp()) / "features_30_sec.csv"
    >>> _ = csv.write_text("filename,tempo,label\\njazz.00054.wav,120.0,jazz\\n")
    >>> load_feature_table(csv)[["filename", "track_id", "label"]].values.tolist()
    [['jazz.00054.wav', 'jazz.00054', 'jazz']]
    >>> _ = csv.write_text("filename,track_id,tempo,label\\njazz.00054.3.wav,jazz.00054,120.0,jazz\\n")
    >>> load_feature_table(csv)["track_id"].tolist()  # musicviz's own table: kept
    ['jazz.00054']
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
    if "track_id" not in frame.columns:
        # "blues.00000.wav" and the 3-second table's "blues.00000.3.wav" both belong to blues.00000.
        names = frame["filename"].astype(str)
        track_id = names.str.extract(r"^([^.]+\.\d{5})", expand=False).fillna(names.str.split(".").str[0])
        frame.insert(1, "track_id", track_id)
        return frame
    # musicviz's own table: its track_id must name the clip of the row's file ("blues.00000"
    # for "blues.00000.wav", or for segment "blues.00000.3.wav").
    names, ids = frame["filename"].astype(str), frame["track_id"].astype(str)
    wrong = [i for i, (name, tid) in enumerate(zip(names, ids)) if not name.startswith(tid + ".")]
    if wrong:
        first = wrong[0]
        raise DatasetError(
            f"{table}: row {first + 1}: track_id {ids.iloc[first]!r} does not match filename "
            f"{names.iloc[first]!r} ({len(wrong)} of {len(frame)} rows disagree); a track_id is the "
            "filename without its extension (and segment number)"
        )
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
