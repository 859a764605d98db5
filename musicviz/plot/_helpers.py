"""Small shared pieces of the plot helpers (private)."""

from __future__ import annotations

import numpy as np

from musicviz._checks import check_matrix, positive_int, signal  # noqa: F401  (check_matrix: re-exported)
from musicviz.errors import ParameterError


def get_axes(ax):
    """``(fig, ax, created)``: the given Axes, or a new figure with one Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots()
        return fig, ax, True
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise ParameterError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    return ax.figure, ax, False


def grid_axes(n, *, ncols, axes=None, row_height=1.3, sharex=True, sharey=True, xlabel=None, ylabel=None):
    """``(fig, axes, created)`` for ``n`` panels: a new grid, or the flattened given axes.

    A new grid uses constrained layout (room for a shared colorbar, and it re-lays itself
    out when the exporter enlarges the fonts) and one shared x and y label for the figure.
    """
    import matplotlib.pyplot as plt

    positive_int(ncols, "ncols")
    if axes is not None:
        flat = np.asarray(axes, dtype=object).ravel()
        if flat.size < n:
            raise ParameterError(f"need {n} axes for {n} clips, got {flat.size}")
        return flat[0].figure, flat[:n], False
    ncols = min(int(ncols), n)
    nrows = -(-n // ncols)
    width = plt.rcParams["figure.figsize"][0]
    fig, grid = plt.subplots(
        nrows,
        ncols,
        figsize=(width, row_height * nrows + 0.8),
        sharex=sharex,
        sharey=sharey,
        squeeze=False,
        layout="constrained",
    )
    flat = grid.ravel()
    for extra in flat[n:]:
        extra.remove()
    if xlabel:
        fig.supxlabel(xlabel, fontsize=plt.rcParams["axes.labelsize"])
    if ylabel:
        fig.supylabel(ylabel, fontsize=plt.rcParams["axes.labelsize"])
    return fig, flat[:n], True


def check_clips(clips, *, sr):
    """``clips`` (a mapping label -> samples) as a list of ``(label, float array)``."""
    if not hasattr(clips, "items"):
        raise ParameterError(f"clips must be a mapping such as {{'blues': y, ...}}, got {type(clips).__name__}")
    if len(clips) == 0:
        raise ParameterError("clips is empty: pass at least one clip")
    return [(str(label), signal(y, sr=sr, name=f"clips[{label!r}]")) for label, y in clips.items()]


def check_coords(values, *, n, name, unit):
    """A 1-D increasing coordinate vector of length ``n``."""
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ParameterError(f"{name} must hold {n} values in {unit} (one per row/column), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or (n > 1 and np.any(np.diff(arr) <= 0)):
        raise ParameterError(f"{name} must be finite and strictly increasing ({unit})")
    return arr


def edges(centers):
    """Cell edges around increasing centres (half-way between neighbours, extrapolated at the ends)."""
    c = np.asarray(centers, dtype=float)
    if c.size == 1:
        return np.array([c[0] - 0.5, c[0] + 0.5])
    mid = (c[:-1] + c[1:]) / 2
    return np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])
