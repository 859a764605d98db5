"""Genre maps: the standardized feature table reduced to two dimensions (PCA or t-SNE).

Notebook: ``04_features_and_standardization.ipynb``.

:func:`genre_map` standardizes the feature columns with a scaler fitted on the training rows
only (``fit_rows=``, as notebook 04 teaches), then places every clip on a plane:

* ``method="pca"``: the two directions of largest variance of the *training* rows (a linear
  projection; every row, train or test, is projected the same way). The coordinates keep a
  meaning: the share of the variance each axis explains is in ``coords.attrs``.
* ``method="tsne"``: scikit-learn's t-SNE on all rows (t-SNE cannot place new rows, so it
  sees every clip; the labels are never used). It keeps *neighbours* together; distances
  between clusters and the size of a cluster mean little. Its coordinates can differ in the
  last digits between machines (BLAS), so print nothing computed from them.

:func:`map_examples` picks clips worth listening to from a map: the most typical clip of
each genre and the clips that sit deepest in another genre's cloud.
"""

from __future__ import annotations

import numpy as np

from musicviz.errors import FeatureError, ParameterError

__all__ = ["MAP_METHODS", "genre_map", "map_examples"]

#: The methods :func:`genre_map` knows.
MAP_METHODS = ("pca", "tsne")


def _fit_mask(fit_rows, n: int) -> np.ndarray:
    """``fit_rows`` as a boolean mask of ``n`` rows (None: every row)."""
    if fit_rows is None:
        return np.ones(n, dtype=bool)
    mask = np.asarray(fit_rows)
    if mask.dtype != bool:
        raise ParameterError(f"fit_rows must be a boolean mask (one True/False per row) or None, got dtype {mask.dtype}")
    if mask.shape != (n,):
        raise ParameterError(f"fit_rows must hold one True/False per row of the table ({n}), got shape {mask.shape}")
    if mask.sum() < 3:
        raise ParameterError(f"fit_rows selects {int(mask.sum())} rows: need at least 3 to fit the scaler and the map")
    return mask


def genre_map(
    table,
    *,
    method: str = "pca",
    columns=None,
    fit_rows=None,
    seed: int = 0,
    perplexity: float = 15.0,
    label_column: str = "label",
):
    """Every clip of a feature table as a point on a plane: PCA or t-SNE of its standardized features.

    Parameters
    ----------
    table : pandas.DataFrame
        A feature table (one row per clip), e.g. :func:`musicviz.features.course_feature_table`.
    method : {"pca", "tsne"}
        A linear projection on the two main directions (PCA), or t-SNE's neighbour map.
    columns : list of str or None
        Feature columns to use (default: every feature column the table has,
        :func:`musicviz.features.feature_columns`).
    fit_rows : array of bool or None
        The rows the scaler (and the PCA) is fitted on, usually the training side of the
        split; the other rows are only transformed. None: every row.
    seed : int
        Seed of t-SNE's optimisation (PCA needs none).
    perplexity : float > 0
        t-SNE's effective number of neighbours (lowered to ``(n_rows - 1) / 3`` on small tables).
    label_column : str
        Column with the genre (copied to the result, never used for the map).

    Returns
    -------
    pandas.DataFrame
        Columns ``x``, ``y``, ``track_id`` (when the table has one), ``label`` and ``fitted``
        (whether the row was in ``fit_rows``), in the table's row order. ``attrs`` holds
        ``method``, ``columns``, ``axis_labels`` (two strings for the plot) and, for PCA,
        ``explained_variance`` (the share of the training rows' variance along each axis).

    Raises
    ------
    ParameterError
        Unknown ``method``, a bad ``fit_rows`` or ``perplexity``, fewer than 4 rows.
    FeatureError
        A column is missing or holds a non-finite value.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from musicviz.features.maps import genre_map
    >>> rng = np.random.default_rng(0)
    >>> t = pd.DataFrame(rng.normal(size=(12, 3)), columns=["a", "b", "c"])
    >>> t["label"] = ["rock", "jazz", "pop"] * 4
    >>> coords = genre_map(t, columns=["a", "b", "c"])
    >>> coords.shape, len(coords.attrs["explained_variance"])
    ((12, 4), 2)
    """
    import pandas as pd
    from sklearn.preprocessing import StandardScaler

    from musicviz.features.columns import feature_columns

    if method not in MAP_METHODS:
        raise ParameterError(f"method must be one of {MAP_METHODS}, got {method!r}")
    if columns is None:
        columns = feature_columns(table)
    columns = [str(c) for c in columns]
    if len(columns) < 2:
        raise ParameterError(f"columns must name at least 2 feature columns, got {len(columns)}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise FeatureError(f"the table has no column {missing[0]!r} ({len(missing)} of the requested columns missing)")
    if len(table) < 4:
        raise ParameterError(f"table has {len(table)} rows: a map needs at least 4 clips")
    values = table[columns].to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise FeatureError(f"column {columns[col]!r} holds a non-finite value (row {row}): fix or drop it first")
    fit = _fit_mask(fit_rows, len(table))

    scaler = StandardScaler().fit(values[fit])
    z = scaler.transform(values)
    attrs: dict = {"method": method, "columns": columns}
    if method == "pca":
        from sklearn.decomposition import PCA

        pca = PCA(n_components=2).fit(z[fit])
        xy = pca.transform(z)
        ratio = [float(r) for r in pca.explained_variance_ratio_]
        attrs["explained_variance"] = ratio
        attrs["axis_labels"] = tuple(f"PC{i + 1} ({100 * r:.0f} % of the variance)" for i, r in enumerate(ratio))
    else:
        from sklearn.manifold import TSNE

        if isinstance(perplexity, bool) or not np.isscalar(perplexity) or not float(perplexity) > 0:
            raise ParameterError(f"perplexity must be a positive number, got {perplexity!r}")
        perplexity = min(float(perplexity), (len(table) - 1) / 3)
        tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=int(seed), max_iter=1000)
        xy = tsne.fit_transform(z)
        attrs["perplexity"] = perplexity
        attrs["axis_labels"] = ("t-SNE 1 (no unit)", "t-SNE 2 (no unit)")

    coords = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1]}, index=table.index)
    if "track_id" in table.columns:
        coords["track_id"] = table["track_id"].to_numpy()
    if label_column in table.columns:
        coords["label"] = table[label_column].astype(str).to_numpy()
    coords["fitted"] = fit
    coords.attrs.update(attrs)
    return coords


def map_examples(coords, *, space=None, strays: int = 2):
    """Clips worth listening to on a map: one typical clip per genre, and the clearest strays.

    A genre's **centre** is the median of its clips (per dimension). Its typical clip is the
    one nearest that centre; a **stray** is a clip nearer another genre's centre than its own,
    and the ``strays`` clips with the largest margin (distance to their own centre minus
    distance to the nearest other one) are returned, at most one per genre.

    Parameters
    ----------
    coords : pandas.DataFrame
        The result of :func:`genre_map` (columns ``x``, ``y``, ``label``).
    space : array-like [shape=(n_rows, d)] or None
        Where to measure distances: e.g. the standardized features (all ``d`` columns, what a
        model sees), so the choice holds for every map of the same clips. None: the map's own
        ``x``, ``y``.
    strays : int >= 0
        How many strays to return (fewer when there are fewer).

    Returns
    -------
    pandas.DataFrame
        One row per example, numbered from 1 (``number``), with ``kind`` (``"typical"`` or
        ``"stray"``), ``label``, ``near`` (the genre whose centre is nearest), ``track_id``
        (when ``coords`` has it) and ``row`` (the index label in ``coords``).

    Examples
    --------
    >>> import pandas as pd
    >>> from musicviz.features.maps import map_examples
    >>> c = pd.DataFrame({"x": [0, 0.1, 5, 5.1, 0.2], "y": [0, 0.1, 5, 5.1, 0.05],
    ...                   "label": ["jazz", "jazz", "rock", "rock", "rock"]})
    >>> map_examples(c, strays=1)[["kind", "label", "near"]].values.tolist()
    [['typical', 'jazz', 'jazz'], ['typical', 'rock', 'rock'], ['stray', 'rock', 'jazz']]
    """
    import pandas as pd

    from musicviz import GENRES

    for column in ("x", "y", "label"):
        if column not in getattr(coords, "columns", ()):
            raise ParameterError(f"coords must be a table from genre_map with a {column!r} column")
    if isinstance(strays, bool) or not isinstance(strays, (int, np.integer)) or strays < 0:
        raise ParameterError(f"strays must be a whole number >= 0, got {strays!r}")
    if space is None:
        xy = coords[["x", "y"]].to_numpy(dtype=float)
    else:
        xy = np.asarray(space, dtype=float)
        if xy.ndim != 2 or xy.shape[0] != len(coords):
            raise ParameterError(f"space must hold one row per row of coords ({len(coords)}), got shape {xy.shape}")
        if not np.isfinite(xy).all():
            raise ParameterError("space holds a non-finite value")
    labels = coords["label"].astype(str).to_numpy()
    present = set(labels)
    genres = [g for g in GENRES if g in present] + sorted(present - set(GENRES))
    centres = np.array([np.median(xy[labels == g], axis=0) for g in genres])
    dist = np.linalg.norm(xy[:, None, :] - centres[None, :, :], axis=2)  # rows x genres
    own = np.array([genres.index(g) for g in labels])
    nearest = dist.argmin(axis=1)

    rows = []
    for k, genre in enumerate(genres):
        members = np.flatnonzero(own == k)
        best = members[np.argmin(dist[members, k])]
        rows.append(("typical", best, genre))
    margin = dist[np.arange(len(labels)), own] - dist.min(axis=1)
    used_genres: set[str] = set()
    for i in np.argsort(-margin, kind="stable"):
        if len([r for r in rows if r[0] == "stray"]) >= strays or margin[i] <= 0:
            break
        if labels[i] in used_genres:
            continue
        used_genres.add(labels[i])
        rows.append(("stray", i, genres[nearest[i]]))
    out = pd.DataFrame(
        {
            "number": np.arange(1, len(rows) + 1),
            "kind": [r[0] for r in rows],
            "label": [labels[r[1]] for r in rows],
            "near": [r[2] for r in rows],
            "row": [coords.index[r[1]] for r in rows],
        }
    )
    if "track_id" in coords.columns:
        out.insert(3, "track_id", [coords["track_id"].iloc[r[1]] for r in rows])
    return out
