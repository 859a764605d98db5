"""Plots of the feature table: one feature over time, per-genre distributions, correlations,
standardization before/after, and the genre map (PCA / t-SNE).

Notebook: ``04_features_and_standardization.ipynb``.

Every helper takes ``ax=None`` (or ``axes=None``), creates a figure only when it was not given
one (and calls ``tight_layout`` only on that figure), returns what it drew on, and never calls
``plt.show()`` or ``savefig``.
"""

from __future__ import annotations

import numpy as np

from musicviz import GENRES, SR
from musicviz.plot._helpers import get_axes
from musicviz.plot.palette import genre_marker, genre_palette

__all__ = [
    "genre_order",
    "plot_feature_over_time",
    "plot_genre_distribution",
    "plot_correlation",
    "plot_standardization",
    "pair_plot",
    "plot_genre_map",
]


def genre_order(labels) -> list[str]:
    """The genres present in ``labels``, in GTZAN's order (others after, sorted).

    Examples
    --------
    >>> from musicviz.plot.features import genre_order
    >>> genre_order(["rock", "blues", "rock"])
    ['blues', 'rock']
    """
    present = set(labels)
    return [g for g in GENRES if g in present] + sorted(present - set(GENRES))


def plot_feature_over_time(values, *, sr: int = SR, hop_length: int = 512, ax=None, label=None, **kwargs):
    """One frame-wise feature (a row of a librosa feature matrix) against time in seconds.

    Dashed line: its mean over the clip, the number that goes into the table.

    Parameters
    ----------
    values : np.ndarray [shape=(n_frames,) or (1, n_frames)]
        The feature, one value per frame.
    sr, hop_length : int
        Sample rate and hop, to place frames in seconds.
    ax : matplotlib Axes or None
    label : str or None
        y-axis label (and legend name).
    **kwargs
        Passed to ``ax.plot``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.plot.features import plot_feature_over_time
    >>> ax = plot_feature_over_time(np.linspace(0, 1, 100), label="rms")
    >>> ax.get_xlabel()
    'time (s)'
    """
    values = np.asarray(values, dtype=float).reshape(-1)
    fig, ax, made = get_axes(ax)
    times = np.arange(values.size) * hop_length / sr
    kwargs.setdefault("lw", 1.0)
    ax.plot(times, values, label=label, **kwargs)
    ax.axhline(float(np.mean(values)), color="0.3", ls="--", lw=1, label=f"mean {np.mean(values):.3g}")
    ax.set_xlabel("time (s)")
    if label:
        ax.set_ylabel(label)
    ax.set_xlim(0, times[-1] if times.size > 1 else 1)
    ax.legend(loc="upper right", fontsize=8)
    if made:
        fig.tight_layout()
    return ax


def plot_genre_distribution(table, feature: str, *, kind: str = "box", label_column: str = "label", ax=None, **kwargs):
    """How one feature is spread within each genre (seaborn box or violin plot).

    Parameters
    ----------
    table : pandas.DataFrame
        A feature table with a ``label`` column.
    feature : str
        Column to plot.
    kind : {"box", "violin"}
    ax : matplotlib Axes or None
    **kwargs
        Passed to ``seaborn.boxplot``/``violinplot``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from musicviz.plot.features import plot_genre_distribution
    >>> t = pd.DataFrame({"label": ["rock", "jazz"] * 3, "tempo": [120, 90, 125, 95, 118, 100]})
    >>> plot_genre_distribution(t, "tempo").get_ylabel()
    'tempo'
    """
    import seaborn as sns

    from musicviz.errors import ParameterError

    if kind not in ("box", "violin"):
        raise ParameterError(f"kind must be 'box' or 'violin', got {kind!r}")
    if feature not in table.columns:
        raise ParameterError(f"the table has no column {feature!r}")
    fig, ax, made = get_axes(ax)
    order = genre_order(table[label_column])
    kwargs.setdefault("palette", genre_palette(order))
    draw = sns.boxplot if kind == "box" else sns.violinplot
    if kind == "violin":
        kwargs.setdefault("cut", 0)
        kwargs.setdefault("density_norm", "width")
    else:
        # A white median with a black rim shows on every box, hip-hop's black one included.
        kwargs.setdefault("medianprops", _median_visible_on_any_box())
    draw(data=table, x=label_column, y=feature, hue=label_column, order=order, hue_order=order, legend=False, ax=ax, **kwargs)
    ax.set_xlabel("")
    ax.set_ylabel(feature)
    ax.tick_params(axis="x", labelrotation=45)
    if made:
        fig.tight_layout()
    return ax


def _median_visible_on_any_box() -> dict:
    from matplotlib import patheffects

    rim = [patheffects.Stroke(linewidth=3.2, foreground="black"), patheffects.Normal()]
    return {"color": "white", "linewidth": 1.8, "path_effects": rim}


def plot_correlation(table, *, columns, ax=None, **kwargs):
    """Pearson correlation of feature columns as a heatmap (red +1, blue -1).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from musicviz.plot.features import plot_correlation
    >>> t = pd.DataFrame(np.random.default_rng(0).random((20, 3)), columns=list("abc"))
    >>> len(plot_correlation(t, columns=["a", "b", "c"]).get_xticklabels())
    3
    """
    import seaborn as sns

    fig, ax, made = get_axes(ax)
    corr = table[list(columns)].corr()
    kwargs.setdefault("cmap", "RdBu_r")
    kwargs.setdefault("square", True)
    kwargs.setdefault("cbar_kws", {"label": "correlation", "shrink": 0.8})
    sns.heatmap(corr, vmin=-1, vmax=1, center=0, ax=ax, xticklabels=True, yticklabels=True, **kwargs)
    ax.tick_params(labelsize=7)
    if made:
        fig.tight_layout()
    return ax


def plot_standardization(raw, scaled, *, columns, axes=None):
    """Box plots of some features before and after standardization, side by side.

    Parameters
    ----------
    raw, scaled : pandas.DataFrame
        The same rows and columns, before and after ``(x - mean) / std``.
    columns : list of str
    axes : two matplotlib Axes or None

    Returns
    -------
    numpy.ndarray of two Axes

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from musicviz.plot.features import plot_standardization
    >>> raw = pd.DataFrame({"a": [1.0, 2, 3], "b": [100.0, 300, 200]})
    >>> axes = plot_standardization(raw, (raw - raw.mean()) / raw.std(ddof=0), columns=["a", "b"])
    >>> axes[1].get_ylabel()
    'z-score'
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    made = axes is None
    if made:
        fig, axes = plt.subplots(1, 2)
    axes = np.asarray(axes).reshape(-1)
    for ax, frame, title, ylabel in (
        (axes[0], raw, "raw values", "value (feature's own unit, log scale)"),
        (axes[1], scaled, "standardized: (x - mean) / std", "z-score"),
    ):
        long = frame[list(columns)].melt(var_name="feature", value_name="value")
        sns.boxplot(data=long, x="feature", y="value", ax=ax, color="#8fb3d9", fliersize=2)
        ax.set_title(title)
        ax.set_xlabel("")
        ax.set_ylabel(ylabel)
        ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    if (raw[list(columns)] > 0).all().all():
        axes[0].set_yscale("log")
    else:
        axes[0].set_ylabel("value (feature's own unit)")
    axes[1].axhline(0, color="0.3", lw=0.8)
    if made:
        fig.tight_layout()
    return axes


def pair_plot(table, *, columns, label_column: str = "label", **kwargs):
    """Scatter plots of every pair of a few features, coloured by genre (seaborn pairplot).

    seaborn makes its own figure: tag ``grid.figure``.

    Returns
    -------
    seaborn.PairGrid

    Examples
    --------
    >>> import pandas as pd
    >>> from musicviz.plot.features import pair_plot
    >>> t = pd.DataFrame({"label": ["rock", "jazz"] * 3, "a": range(6), "b": [3, 1, 4, 1, 5, 9]})
    >>> type(pair_plot(t, columns=["a", "b"])).__name__
    'PairGrid'
    """
    import seaborn as sns

    order = genre_order(table[label_column])
    kwargs.setdefault("palette", genre_palette(order))
    kwargs.setdefault("markers", [genre_marker(g) for g in order])
    kwargs.setdefault("height", 1.6)
    # A thin dark rim keeps the pale colours (pop's yellow) visible; markers big enough to tell apart.
    kwargs.setdefault("plot_kws", {"s": 18, "alpha": 0.85, "linewidth": 0.3, "edgecolor": "0.25"})
    kwargs.setdefault("corner", True)
    return sns.pairplot(table[[*columns, label_column]], hue=label_column, hue_order=order, **kwargs)


def plot_genre_map(coords, *, labels="label", highlight=None, ax=None, legend=True, **kwargs):
    """A genre map: one point per clip, the course colour *and* marker of its genre.

    Parameters
    ----------
    coords : pandas.DataFrame
        Columns ``x`` and ``y``, e.g. from :func:`musicviz.features.genre_map` (its
        ``attrs["axis_labels"]`` label the axes).
    labels : str or array-like
        The genre of each row: a column of ``coords`` or one value per row.
    highlight : pandas.DataFrame, sequence or None
        Clips to mark with a ring and a number: a table with ``row`` (index labels of
        ``coords``) and ``number`` columns (:func:`musicviz.features.map_examples`), or a
        sequence of index labels (numbered from 1).
    ax : matplotlib Axes or None
    legend : bool
        One legend entry per genre, placed outside the axes on the right (never over the points).
    **kwargs
        Passed to every ``ax.scatter`` (defaults ``s=26``, ``alpha=0.9``, a thin dark edge).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from musicviz.plot.features import plot_genre_map
    >>> c = pd.DataFrame({"x": [0, 1, 2, 3], "y": [1, 0, 1, 0], "label": ["rock", "jazz"] * 2})
    >>> ax = plot_genre_map(c, highlight=[0])
    >>> len(ax.collections)
    3
    """
    from musicviz.errors import ParameterError

    for column in ("x", "y"):
        if column not in getattr(coords, "columns", ()):
            raise ParameterError(f"coords must be a table with columns 'x' and 'y' (e.g. from genre_map), missing {column!r}")
    if isinstance(labels, str):
        if labels not in coords.columns:
            raise ParameterError(f"labels={labels!r} is not a column of coords; pass a column name or one genre per row")
        genres = coords[labels].astype(str).to_numpy()
    else:
        genres = np.asarray(labels).astype(str)
        if genres.shape != (len(coords),):
            raise ParameterError(f"labels must hold one genre per row of coords ({len(coords)}), got shape {genres.shape}")
    x, y = coords["x"].to_numpy(dtype=float), coords["y"].to_numpy(dtype=float)
    fig, ax, made = get_axes(ax)
    kwargs.setdefault("s", 26)
    kwargs.setdefault("alpha", 0.9)
    kwargs.setdefault("edgecolors", "0.25")  # a thin dark rim: the pale colours (pop's yellow) stay visible
    kwargs.setdefault("linewidths", 0.4)
    palette = genre_palette(genre_order(genres))
    for genre in genre_order(genres):
        rows = genres == genre
        ax.scatter(x[rows], y[rows], color=palette[genre], marker=genre_marker(genre), label=genre, **kwargs)
    if highlight is not None:
        if hasattr(highlight, "columns"):
            if not {"row", "number"} <= set(highlight.columns):
                raise ParameterError("highlight must be a table with 'row' and 'number' columns (map_examples) or a list of rows")
            marks = list(zip(highlight["row"], highlight["number"]))
        else:
            marks = [(row, k + 1) for k, row in enumerate(highlight)]
        position = {label: i for i, label in enumerate(coords.index)}
        unknown = [row for row, _ in marks if row not in position]
        if unknown:
            raise ParameterError(f"highlight names row {unknown[0]!r}, which is not in coords")
        at = np.array([position[row] for row, _ in marks], dtype=int)
        ax.scatter(x[at], y[at], s=140, facecolors="none", edgecolors="black", linewidths=1.2, zorder=3)
        for i, (_, number) in zip(at, marks):
            ax.annotate(
                str(number), (x[i], y[i]), xytext=(5, 5), textcoords="offset points", fontsize=9, fontweight="bold",
                zorder=4, bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
            )
    axis_labels = getattr(coords, "attrs", {}).get("axis_labels")
    if axis_labels:
        ax.set_xlabel(axis_labels[0])
        ax.set_ylabel(axis_labels[1])
    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False, borderaxespad=0)
    if made:
        fig.tight_layout()
    return ax
