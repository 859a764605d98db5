"""Plotting beats and tempo: the onset envelope with its tracked beats, estimated vs true tempo.

Notebook: ``03b_mfcc_hpss_tempo.ipynb`` (its tempo part; :mod:`musicviz.plot.mfcc_hpss_tempo`
re-exports both helpers, so the notebook calls ``mplot.plot_beats``).

Computation lives in :mod:`musicviz.tempo`; these helpers draw its results with time in
seconds and tempo in beats per minute. Each takes ``ax=None``, creates a figure only when it
was given none, and returns what the contract of :mod:`musicviz.plot` says (the Axes).
"""

from __future__ import annotations

import numpy as np

from musicviz.errors import ParameterError
from musicviz.plot._helpers import check_coords, get_axes
from musicviz.plot.palette import genre_color, genre_marker

__all__ = ["plot_beats", "plot_tempo_scatter"]


def plot_beats(onset_envelope, *, times, beats, ax=None, **kwargs):
    """The onset strength a beat tracker follows, with a vertical line at every tracked beat.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    onset_envelope : np.ndarray [shape=(t,)]
        Onset strength (``beat_clicks(...)["onset_envelope"]``).
    times : np.ndarray [shape=(t,)]
        Its frame times in seconds.
    beats : np.ndarray
        Beat times in seconds.
    ax : Axes or None
        Where to draw.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.plot` (the onset curve).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.plot.tempo import plot_beats
    >>> ax = plot_beats(np.abs(np.sin(np.arange(100) / 5)), times=np.arange(100) * 0.023, beats=[0.5, 1.0, 1.5])
    >>> len(ax.lines)
    4
    """
    env = np.asarray(onset_envelope, dtype=float)
    if env.ndim != 1 or env.size == 0 or not np.all(np.isfinite(env)):
        raise ParameterError(f"onset_envelope must be a non-empty 1-D array of finite numbers, got shape {env.shape}")
    times = check_coords(times, n=env.size, name="times", unit="seconds")
    beats = np.asarray(beats, dtype=float).ravel()
    if not np.all(np.isfinite(beats)):
        raise ParameterError("beats must be finite times in seconds")
    fig, ax, created = get_axes(ax)
    kwargs.setdefault("color", "0.35")
    kwargs.setdefault("linewidth", 1.0)
    ax.plot(times, env, label="onset strength", **kwargs)
    for i, b in enumerate(beats):
        ax.axvline(b, color="#D55E00", linewidth=1.2, alpha=0.8, label="tracked beat" if i == 0 else None)
    ax.set_xlim(times[0], times[-1])
    ax.set_ylim(0, max(float(env.max()) * 1.05, 1e-9))
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("Onset strength")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False, borderaxespad=0)
    if created:
        fig.tight_layout()
    return ax


def plot_tempo_scatter(errors, *, factors=("1", "2", "1/2", "3/2", "2/3"), ax=None, legend: bool = True, **kwargs):
    """Estimated against true tempo, one point per clip, with the lines of octave errors.

    Points on ``y = x`` are right; on ``y = 2x`` and ``y = x/2`` the tracker tapped twice as
    fast or half as fast (octave errors); on ``3/2`` and ``2/3`` it counted in threes. Both
    axes are logarithmic, so every factor is a parallel line. With a ``genre`` column, each
    genre has the course colour and marker.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    errors : pandas.DataFrame
        From :func:`musicviz.tempo.tempo_errors` (``estimated``, ``truth``, optional ``genre``).
    factors : sequence of str
        Keys of :data:`musicviz.tempo.TEMPO_FACTORS` to draw as lines.
    ax : Axes or None
        Where to draw.
    legend : bool
        One legend entry per genre, outside the axes on the right.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.scatter`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from musicviz.tempo import tempo_errors
    >>> from musicviz.plot.tempo import plot_tempo_scatter
    >>> ax = plot_tempo_scatter(tempo_errors([120.0, 240.0], [120.0, 120.0], genres=["rock", "jazz"]))
    >>> ax.get_xlabel()
    'True tempo (BPM)'
    """
    from musicviz import GENRES
    from musicviz.tempo import TEMPO_FACTORS

    if not hasattr(errors, "columns") or not {"estimated", "truth"} <= set(errors.columns) or len(errors) == 0:
        raise ParameterError("errors must be a non-empty table from tempo_errors (columns 'estimated', 'truth')")
    unknown = [f for f in factors if f not in TEMPO_FACTORS]
    if unknown:
        raise ParameterError(f"factors must be keys of TEMPO_FACTORS {list(TEMPO_FACTORS)}, got {unknown[0]!r}")
    est, true = errors["estimated"].to_numpy(float), errors["truth"].to_numpy(float)
    if not (np.all(np.isfinite(est)) and np.all(np.isfinite(true)) and est.min() > 0 and true.min() > 0):
        raise ParameterError("errors: tempi must be finite and > 0 BPM (log axes)")
    fig, ax, created = get_axes(ax)
    x_lo, x_hi = 0.9 * true.min(), 1.1 * true.max()
    y_lo, y_hi = 0.9 * min(est.min(), true.min()), 1.1 * max(est.max(), true.max())
    styles = {"1": ("-", "0.2"), "2": ("--", "0.4"), "1/2": ("--", "0.4"), "3/2": (":", "0.5"), "2/3": (":", "0.5"),
              "3": ("-.", "0.55"), "1/3": ("-.", "0.55")}
    for name in factors:
        value = TEMPO_FACTORS[name]
        style, color = styles[name]
        ax.plot([x_lo, x_hi], [value * x_lo, value * x_hi], style, color=color, linewidth=1.0, zorder=1)
        # The label sits on the line, a little inside the point where it leaves the axes.
        x_label = min(x_hi, y_hi / value) / 1.12
        if value * x_label > y_lo and x_label > x_lo:
            ax.text(x_label, value * x_label * 1.02, "y = x" if name == "1" else f"y = {name} x", fontsize=8,
                    color=color, ha="right", va="bottom", zorder=2)
    kwargs.setdefault("s", 28)
    kwargs.setdefault("edgecolors", "0.2")
    kwargs.setdefault("linewidths", 0.4)
    if "genre" in errors.columns:
        genres = errors["genre"].astype(str)
        order = [g for g in GENRES if g in set(genres)] + sorted(set(genres) - set(GENRES))
        for g in order:
            mask = (genres == g).to_numpy()
            ax.scatter(true[mask], est[mask], color=genre_color(g), marker=genre_marker(g), label=g, zorder=3, **kwargs)
    else:
        kwargs.setdefault("color", "#0072B2")
        ax.scatter(true, est, zorder=3, **kwargs)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator, ScalarFormatter

    ticks = [t for t in (20, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250, 300, 400, 500, 600)]
    for axis, (a, b) in ((ax.xaxis, (x_lo, x_hi)), (ax.yaxis, (y_lo, y_hi))):
        axis.set_major_locator(FixedLocator([t for t in ticks if a <= t <= b]))
        axis.set_major_formatter(ScalarFormatter())
        axis.set_minor_locator(NullLocator())
        axis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("True tempo (BPM)")
    ax.set_ylabel("Estimated tempo (BPM)")
    if legend and "genre" in errors.columns:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False, borderaxespad=0)
    if created:
        fig.tight_layout()
    return ax
