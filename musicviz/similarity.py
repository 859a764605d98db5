"""\"More like this\": the clips nearest to a query in standardized feature space.

Notebook: ``07_classify_your_own_clip.ipynb``.

Each feature column is standardized (a :class:`sklearn.preprocessing.StandardScaler` fitted
on the table), so that a feature measured in Hz (spectral centroid) does not outweigh one
measured in fractions (zero-crossing rate); clips are then compared by the cosine of the
angle between their standardized feature vectors: 1 means "the same profile", 0 "unrelated",
-1 "opposite".
"""

from __future__ import annotations

import numpy as np

from musicviz._checks import positive_int
from musicviz.errors import FeatureError, ParameterError

__all__ = ["nearest_clips", "cosine_similarities", "same_artist_hints", "ARTIST_WINDOW"]

#: GTZAN is roughly ordered by artist: tracks of one genre this close in number are probably one artist's.
ARTIST_WINDOW = 10


def _columns(table, columns):
    if columns is None:
        from musicviz.features import KAGGLE_FEATURES

        columns = [c for c in KAGGLE_FEATURES if c in table.columns]
        if not columns:
            raise FeatureError("the table has none of the KAGGLE_FEATURES columns; pass columns=")
    columns = list(columns)
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise FeatureError(f"the table lacks the feature columns {missing[:5]}{' ...' if len(missing) > 5 else ''}")
    return columns


def _query_vector(query_features, columns) -> np.ndarray:
    import pandas as pd

    if isinstance(query_features, pd.DataFrame):
        if len(query_features) != 1:
            raise ParameterError(f"query_features must be one row, got {len(query_features)} rows")
        query_features = query_features.iloc[0]
    if isinstance(query_features, (dict, pd.Series)):
        missing = [c for c in columns if c not in query_features]
        if missing:
            raise FeatureError(f"query_features lacks {missing[:5]}{' ...' if len(missing) > 5 else ''}")
        values = [query_features[c] for c in columns]
    else:
        values = query_features
    try:
        vector = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ParameterError("query_features must hold numbers") from None
    if vector.shape != (len(columns),):
        raise ParameterError(f"query_features must have {len(columns)} values (one per column), got shape {vector.shape}")
    if not np.all(np.isfinite(vector)):
        raise ParameterError("query_features contains NaN or infinite values")
    return vector


def cosine_similarities(query, matrix) -> np.ndarray:
    """Cosine similarity of one vector with every row of a matrix (0 for an all-zero vector).

    Notebook: ``07_classify_your_own_clip.ipynb``.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.similarity import cosine_similarities
    >>> cosine_similarities(np.array([1.0, 0.0]), np.array([[2.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]))
    array([ 1.,  0., -1.])
    """
    query = np.asarray(query, dtype=np.float64)
    matrix = np.asarray(matrix, dtype=np.float64)
    norms = np.linalg.norm(matrix, axis=1) * np.linalg.norm(query)
    dots = matrix @ query
    return np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 1e-12)


def nearest_clips(
    query_features,
    table,
    *,
    k: int = 5,
    columns=None,
    id_column: str = "track_id",
    genre_column: str | None = None,
    exclude=(),
):
    """The ``k`` clips of ``table`` most similar to a query, in standardized feature space.

    Notebook: ``07_classify_your_own_clip.ipynb``.

    Parameters
    ----------
    query_features : dict, pandas.Series, one-row DataFrame or 1-D array
        The query's features (e.g. :func:`musicviz.features.extract_clip_features`); an array
        must follow the order of ``columns``.
    table : pandas.DataFrame
        One row per clip: an id column, a genre column and the feature columns.
    k : int > 0
        How many neighbours (fewer if the table is smaller).
    columns : sequence of str or None
        Feature columns (default: the :data:`~musicviz.features.KAGGLE_FEATURES` the table has).
    id_column : str
        Column naming each clip.
    genre_column : str or None
        Column with the genre (default: ``genre``, else ``label``).
    exclude : iterable of str
        Clip ids to leave out (e.g. the query itself when it comes from the table).

    Returns
    -------
    pandas.DataFrame
        Columns ``track_id``, ``genre``, ``similarity``, most similar first (ties broken by
        ``track_id``); a ``path`` column is carried along when the table has one.

    Raises
    ------
    FeatureError
        The table or the query lacks feature columns.
    ParameterError
        Bad ``k``, an empty table, missing id/genre columns, or non-numeric values.

    Examples
    --------
    >>> import pandas as pd
    >>> from musicviz.similarity import nearest_clips
    >>> table = pd.DataFrame({"track_id": ["a", "b", "c"], "genre": ["rock", "jazz", "rock"],
    ...                       "x": [0.0, 10.0, 1.0], "y": [5.0, 0.0, 4.0]})
    >>> nearest_clips({"x": 0.5, "y": 4.5}, table, k=2, columns=["x", "y"])["track_id"].tolist()
    ['a', 'c']
    """
    import pandas as pd
    from sklearn.preprocessing import StandardScaler

    if not isinstance(table, pd.DataFrame) or table.empty:
        raise ParameterError("table must be a non-empty pandas DataFrame (one row per clip)")
    k = positive_int(k, "k")
    if genre_column is None:
        genre_column = "genre" if "genre" in table.columns else "label"
    for name in (id_column, genre_column):
        if name not in table.columns:
            raise ParameterError(f"the table has no {name!r} column")
    columns = _columns(table, columns)
    query = _query_vector(query_features, columns)
    try:
        features = table[columns].to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        raise ParameterError("the feature columns must hold numbers") from None
    if not np.all(np.isfinite(features)):
        raise ParameterError("the feature table contains NaN or infinite values")
    scaler = StandardScaler().fit(features)  # zero-variance columns get scale 1
    similarity = cosine_similarities(scaler.transform(query[None, :])[0], scaler.transform(features))
    result = pd.DataFrame(
        {
            "track_id": table[id_column].astype(str).to_numpy(),
            "genre": table[genre_column].astype(str).to_numpy(),
            "similarity": similarity,
        }
    )
    if "path" in table.columns:
        result["path"] = table["path"].to_numpy()
    exclude = {str(e) for e in ([exclude] if isinstance(exclude, str) else exclude)}
    result = result[~result["track_id"].isin(exclude)]
    result = result.sort_values(["similarity", "track_id"], ascending=[False, True], kind="mergesort")
    return result.head(int(k)).reset_index(drop=True)


def same_artist_hints(query_id: str, neighbour_ids, *, lists=None, window: int = ARTIST_WINDOW):
    """Could each real GTZAN neighbour be by the query clip's artist? A computed guess, per neighbour.

    GTZAN has no artist column, but its clips are roughly ordered by artist within a genre
    (Sturm 2013), so a neighbour of the same genre within ``window`` track numbers is
    *probably* the same artist ("more like this" then finds the same band, not a similar one).
    The fault-filtered split (Kereliuk, Sturm & Larsen 2015) is artist-conscious: a clip on its
    test list and a clip on its train or valid list are by different artists, whatever their
    numbers.

    Notebook: ``07_classify_your_own_clip.ipynb``.

    Parameters
    ----------
    query_id : str
        The query's GTZAN track id (``"hiphop.00000"``); anything else (a user's own file)
        gives ``"unknown"`` everywhere.
    neighbour_ids : iterable of str
        GTZAN track ids.
    lists : dict or None
        ``{"train": [...], "valid": [...], "test": [...]}``
        (:func:`musicviz.datasets.load_filtered_split`); None: the numbers only.
    window : int >= 0
        Largest distance in track numbers that counts as "nearby".

    Returns
    -------
    list of str
        Per neighbour: ``"the clip itself"``, ``"no (other genre)"``, ``"no (other side of the artist-conscious split)"``,
        ``"probably (same genre, N tracks apart)"``, ``"unlikely (same genre, N tracks apart)"``
        or ``"unknown"``.

    Examples
    --------
    >>> from musicviz.similarity import same_artist_hints
    >>> same_artist_hints("metal.00000", ["metal.00004", "rock.00056", "metal.00071"])
    ['probably (same genre, 4 tracks apart)', 'no (other genre)', 'unlikely (same genre, 71 tracks apart)']
    >>> same_artist_hints("pop.00000", ["pop.00003"], lists={"test": ["pop.00000"], "train": ["pop.00003"]})
    ['no (other side of the artist-conscious split)']
    """
    from musicviz.datasets import parse_track_name

    window = int(window)
    if window < 0:
        raise ParameterError(f"window must be a number of tracks >= 0, got {window}")
    side = {}
    for name, ids in (lists or {}).items():
        for track_id in ids:
            side[str(track_id)] = "test" if name == "test" else "train"

    def parsed(track_id):
        return parse_track_name(f"{track_id}.wav")

    query = parsed(str(query_id))
    hints = []
    for neighbour in neighbour_ids:
        other = parsed(str(neighbour))
        if str(neighbour) == str(query_id) and query is not None:
            hints.append("the clip itself")
        elif query is None or other is None:
            hints.append("unknown")
        elif other[0] != query[0]:
            hints.append("no (other genre)")
        elif str(query_id) in side and str(neighbour) in side and side[str(query_id)] != side[str(neighbour)]:
            hints.append("no (other side of the artist-conscious split)")
        else:
            apart = abs(other[1] - query[1])
            hints.append(f"{'probably' if apart <= window else 'unlikely'} (same genre, {apart} track{'s' * (apart != 1)} apart)")
    return hints
