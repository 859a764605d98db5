"""The train/test split of the course's clips, said out loud.

Notebooks: ``04_features_and_standardization.ipynb``, ``05_baseline_models.ipynb``,
``06_cnn.ipynb``, ``07_classify_your_own_clip.ipynb``.

:func:`course_split` is the one split every model notebook uses, so all of them are tested on
the same clips. Which split it is depends on the data, and it always says which and why:

* the synthetic set: an artist-disjoint split: per genre, a seeded draw of a quarter of its
  synthetic artists (one of four) sends all of their clips to the test side, so no artist is on
  both sides (notebook 05 measures what a random split would flatter); a set without artists
  (made before synthetic artists existed) gets a stratified random split by track, and says so;
* real GTZAN: the fault-filtered, artist-conscious split of Kereliuk, Sturm & Larsen (2015)
  when it can be formed from the clips present; otherwise contiguous blocks of track numbers
  per genre (GTZAN is roughly ordered by artist, so blocks keep most artists on one side);
* a copy too small to train and test on: the synthetic set instead, with the reason.

Genres with too few clips for both sides are left out of the split, by name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from musicviz.errors import DatasetError, ParameterError

__all__ = ["MIN_TRAIN_CLIPS", "CourseSplit", "course_split", "block_split", "artist_split"]

#: The fewest training clips a genre needs to be kept in a split (5-fold CV needs 5).
MIN_TRAIN_CLIPS = 5


@dataclass
class CourseSplit:
    """A split of a feature table's tracks, with the words that explain it.

    Attributes
    ----------
    table : pandas.DataFrame
        The rows the split covers (the genres that could be split; possibly the synthetic
        set's table when the requested copy was too small).
    sides : numpy.ndarray of str
        ``"train"`` or ``"test"`` per row of ``table``.
    kind : str
        ``"artists"``, ``"random"``, ``"filtered"`` or ``"blocks"``.
    dataset : str
        ``"synth"`` or ``"gtzan"``: the data the table holds.
    notes : list of str
        One sentence per decision taken (which split, which genres left out, why).
    """

    table: object
    sides: np.ndarray
    kind: str
    dataset: str
    notes: list[str] = field(default_factory=list)

    @property
    def is_train(self) -> np.ndarray:
        return self.sides == "train"

    @property
    def is_test(self) -> np.ndarray:
        return self.sides == "test"

    def side_of(self) -> dict[str, str]:
        """``{track_id: "train" | "test"}``."""
        return dict(zip(self.table["track_id"], self.sides))

    @property
    def audio_dir(self):
        """The folder of the clips the table was computed from."""
        from musicviz.datasets import gtzan_dir, synth_dir

        return synth_dir() if self.dataset == "synth" else gtzan_dir()

    def tracks(self, side: str | None = None) -> list:
        """The :class:`musicviz.datasets.Track` of each row (of one side), in table order."""
        from musicviz.datasets import scan

        if side not in (None, "train", "test"):
            raise ParameterError(f"side must be 'train', 'test' or None, got {side!r}")
        wanted = self.side_of()
        found = {t.track_id: t for t in scan(self.audio_dir, check_audio=False).tracks}
        missing = sorted(set(wanted) - set(found))
        if missing:
            raise DatasetError(f"{self.audio_dir}: no audio for {len(missing)} clips of the table, e.g. {missing[0]}")
        return [found[t] for t in self.table["track_id"] if side is None or wanted[t] == side]

    def __str__(self) -> str:
        return "\n".join(self.notes)


def block_split(track_ids, genres, *, test_size: float = 0.25) -> np.ndarray:
    """Per genre, the last ``ceil(test_size * n)`` tracks by number go to the test side.

    GTZAN's clips are roughly ordered by artist within a genre, so contiguous blocks keep
    most artists on one side (random splits of GTZAN leak artists). Genres with a single
    track stay on the training side.

    Examples
    --------
    >>> from musicviz.splits import block_split
    >>> ids = [f"rock.{i:05d}" for i in range(8)]
    >>> block_split(ids, ["rock"] * 8, test_size=0.25).tolist()
    ['train', 'train', 'train', 'train', 'train', 'train', 'test', 'test']
    """
    if not 0 < test_size < 1:
        raise ParameterError(f"test_size must be between 0 and 1, got {test_size}")
    track_ids = [str(t) for t in track_ids]
    genres = list(genres)
    if len(track_ids) != len(genres):
        raise ParameterError(f"got {len(track_ids)} track ids but {len(genres)} genres")
    sides = np.array(["train"] * len(track_ids), dtype=object)
    for genre in dict.fromkeys(genres):
        rows = sorted((i for i, g in enumerate(genres) if g == genre), key=lambda i: track_ids[i])
        n_test = min(math.ceil(test_size * len(rows)), len(rows) - 1)
        for i in rows[len(rows) - n_test :] if n_test > 0 else []:
            sides[i] = "test"
    return sides.astype(str)


def artist_split(track_ids, genres, artists, *, test_size: float = 0.25, seed: int = 0) -> np.ndarray:
    """Per genre, a seeded draw of ``round(test_size * n_artists)`` artists goes to the test side.

    Every clip of an artist lands on the same side, so a model is tested on artists it has never
    heard (a random split by track tests it on the same artists' other clips, which flatters it).
    Each genre keeps at least one artist on each side when it has two or more.

    Parameters
    ----------
    track_ids, genres, artists : sequence of str
        One entry per clip.
    test_size : float in (0, 1)
        Fraction of each genre's *artists* for testing (at least one).
    seed : int
        Seed of the draw.

    Returns
    -------
    numpy.ndarray of str
        ``"train"`` or ``"test"`` per clip.

    Examples
    --------
    >>> from musicviz.splits import artist_split
    >>> ids = [f"rock.{i:05d}" for i in range(8)]
    >>> sides = artist_split(ids, ["rock"] * 8, ["a", "a", "b", "b", "c", "c", "d", "d"], seed=0)
    >>> sorted(sides.tolist()).count("test")  # one artist of four, both of its clips
    2
    """
    if not 0 < test_size < 1:
        raise ParameterError(f"test_size must be between 0 and 1, got {test_size}")
    track_ids, genres, artists = [str(t) for t in track_ids], list(genres), [str(a) for a in artists]
    if not len(track_ids) == len(genres) == len(artists):
        raise ParameterError(f"got {len(track_ids)} track ids, {len(genres)} genres and {len(artists)} artists")
    both = {a for a in artists if len({g for g, b in zip(genres, artists) if b == a}) > 1}
    if both:
        raise ParameterError(f"an artist must belong to one genre; {sorted(both)[0]!r} has clips in several")
    rng = np.random.default_rng(seed)
    test_artists: set[str] = set()
    for genre in sorted(set(genres)):
        names = sorted({a for g, a in zip(genres, artists) if g == genre})
        n_test = min(max(1, round(test_size * len(names))), len(names) - 1)
        if n_test > 0:
            test_artists.update(rng.choice(names, size=n_test, replace=False).tolist())
    return np.array(["test" if a in test_artists else "train" for a in artists]).astype(str)


def _synth_artists(table) -> list[str] | None:
    """The artist of every row: the table's ``artist`` column, else the set's ``metadata.csv``."""
    if "artist" in table.columns:
        return table["artist"].astype(str).tolist()
    import pandas as pd

    from musicviz.datasets import synth_dir

    path = synth_dir() / "metadata.csv"
    try:
        meta = pd.read_csv(path, usecols=["track_id", "artist"], dtype=str)
    except (OSError, ValueError, pd.errors.ParserError):
        return None  # no artists known (an older set, or none at all): the caller says so
    by_track = dict(zip(meta["track_id"], meta["artist"]))
    found = [by_track.get(str(t)) for t in table["track_id"]]
    return None if any(a is None or a != a for a in found) else found


def _synth_sides(table, *, test_size, seed):
    """``(sides, kind, note)`` of the synthetic set: by artist when the artists are known."""
    from musicviz.datasets import split_tracks

    artists = _synth_artists(table)
    if artists is None:
        sides = split_tracks(table["track_id"], table["label"], test_size=test_size, seed=seed, filtered=False)
        return sides, "random", "This synthetic set names no artists, so the split is random by track."
    sides = artist_split(table["track_id"], table["label"], artists, test_size=test_size, seed=seed)
    tested = sorted({a for a, s in zip(artists, sides) if s == "test"})
    n_artists = len(set(artists))
    note = f"Test artists ({len(tested)} of {n_artists}, none of them heard in training): {', '.join(tested)}."
    return sides, "artists", note


def _keep_trainable(table, sides, notes, min_train):
    """Drop genres without ``min_train`` training clips and one test clip, saying which."""
    counts = _side_counts(table, sides)
    dropped = {g: c for g, c in counts.items() if c["train"] < min_train or c["test"] < 1}
    if dropped:
        listed = ", ".join(f"{g} ({c['train']} train / {c['test']} test)" for g, c in sorted(dropped.items()))
        notes.append(
            f"Left out, too few clips to train on {min_train} and test on 1: {listed}."
        )
    keep = ~table["label"].isin(list(dropped)).to_numpy() & (sides != "unused")
    return table.loc[keep].reset_index(drop=True), sides[keep]


def _describe(kind, dataset, sides, extra=""):
    n_train, n_test = int((sides == "train").sum()), int((sides == "test").sum())
    what = {
        "artists": "artist-disjoint split (seed {seed}, {pct}% of each genre's artists for testing)",
        "random": "stratified random split (seed {seed}, {pct}% test)",
        "filtered": "fault-filtered, artist-conscious split of Kereliuk, Sturm & Larsen (2015)",
        "blocks": "contiguous blocks of track numbers per genre ({pct}% test)",
    }[kind]
    data = "synthetic" if dataset == "synth" else "real GTZAN"
    return f"Split: {what} of the {data} clips{extra}: {n_train} for training, {n_test} for testing."


def course_split(
    table, *, test_size: float = 0.25, seed: int = 0, min_train: int = MIN_TRAIN_CLIPS, dataset: str | None = None
) -> CourseSplit:
    """The split every model notebook uses, chosen from the data and explained.

    Parameters
    ----------
    table : pandas.DataFrame
        A clip-level feature table (``track_id`` and ``label`` columns), usually
        :func:`musicviz.features.course_feature_table`.
    test_size : float in (0, 1)
        Fraction of each genre's clips for testing (random and block splits).
    seed : int
        Seed of the random split.
    min_train : int
        The fewest training clips (and at least one test clip) a genre needs to be kept.
    dataset : {"synth", "gtzan"} or None
        Which data ``table`` holds (default: the course's, :func:`musicviz.datasets.dataset_name`).
        ``"synth"`` for a table of the synthetic set made while the course runs on real GTZAN
        (e.g. notebook 07's probe on the synthetic set's embeddings).

    Returns
    -------
    CourseSplit
        ``print(split)`` says which split was used and why.

    Raises
    ------
    DatasetError
        The copy is too small and the synthetic set is not there to fall back on.

    Examples
    --------
    >>> import pandas as pd
    >>> from musicviz.splits import course_split
    >>> table = pd.DataFrame({"track_id": [f"{g}.{i:05d}" for g in ("jazz", "rock") for i in range(8)],
    ...                       "label": ["jazz"] * 8 + ["rock"] * 8})
    >>> split = course_split(table)  # doctest: +SKIP
    """
    from musicviz.datasets import dataset_name, load_filtered_split

    if dataset not in (None, "synth", "gtzan"):
        raise ParameterError(f"dataset must be 'synth', 'gtzan' or None, got {dataset!r}")
    dataset = dataset or dataset_name()
    ids, labels = table["track_id"].tolist(), table["label"].tolist()
    notes: list[str] = []
    if dataset == "synth":
        sides, kind, note = _synth_sides(table, test_size=test_size, seed=seed)
        notes.append(note)
    else:
        # The lists ship with musicviz (a user's own copy takes precedence), so they are always there.
        filtered = load_filtered_split()
        where = {t: ("test" if name == "test" else "train") for name, tids in filtered.items() for t in tids}
        sides = np.array([where.get(t, "unused") for t in ids])
        matched = ", ".join(f"{len(set(tids) & set(ids))} of {len(tids)} {name}" for name, tids in filtered.items())
        if _trainable_genres(table, sides, min_train) == set(labels):
            kind = "filtered"
            notes.append(
                f"The filtered lists matched {matched} tracks; "
                f"{int((sides == 'unused').sum())} clips present are in no list and stay unused."
            )
        else:
            kind = "blocks"
            notes.append(
                f"The fault-filtered split cannot be formed from the clips present: its lists matched {matched} "
                f"tracks, too few to train and test every genre (at least {min_train} train and 1 test clip each). "
                "Falling back to contiguous blocks of track numbers, which keeps most artists on one side because "
                "GTZAN is roughly ordered by artist."
            )
        if kind == "blocks":
            sides = block_split(ids, labels, test_size=test_size)
    kept_table, kept_sides = _keep_trainable(table, np.asarray(sides), notes, min_train)
    if kept_table["label"].nunique() < 2:
        return _synthetic_instead(table, dataset, test_size=test_size, seed=seed, min_train=min_train)
    notes.insert(0, _describe(kind, dataset, kept_sides).format(seed=seed, pct=round(100 * test_size)))
    return CourseSplit(kept_table, kept_sides, kind, dataset, notes)


def _side_counts(table, sides) -> dict[str, dict[str, int]]:
    """``{genre: {"train": n, "test": n, "unused": n}}``."""
    counts: dict[str, dict[str, int]] = {}
    for genre, side in zip(table["label"], sides):
        counts.setdefault(genre, {"train": 0, "test": 0, "unused": 0})[side] += 1
    return counts


def _trainable_genres(table, sides, min_train) -> set[str]:
    return {g for g, c in _side_counts(table, sides).items() if c["train"] >= min_train and c["test"] >= 1}


def _synthetic_instead(table, dataset, *, test_size, seed, min_train) -> CourseSplit:
    """A copy too small to train and test on: the synthetic set's split, and why."""
    from musicviz.datasets import synth_dir
    from musicviz.features import feature_table

    per_genre = table["label"].value_counts()
    why = (
        f"This copy of {'GTZAN' if dataset == 'gtzan' else 'the synthetic set'} has {len(table)} usable clips "
        f"({', '.join(f'{g} {n}' for g, n in sorted(per_genre.items()))}): too few to train and test "
        f"models on (each genre needs at least {min_train} training clips and 1 test clip). "
        "The models below use the course's synthetic set instead."
    )
    if not (synth_dir() / "metadata.csv").is_file():
        raise DatasetError(f"{why} But {synth_dir()} has no synthetic set: run `musicviz data synth` (or `make data` in a clone).")
    synth = feature_table(synth_dir(), progress=False, warn=False)
    sides, kind, note = _synth_sides(synth, test_size=test_size, seed=seed)
    notes = [why, _describe(kind, "synth", sides).format(seed=seed, pct=round(100 * test_size)), note]
    return CourseSplit(synth, sides, kind, "synth", notes)
