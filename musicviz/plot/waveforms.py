"""Plotting waveforms: one clip, one clip per genre on a shared scale, and a zoom on cycles.

Notebook: ``01_waveforms.ipynb``.

Every helper takes keyword-only arguments, creates a figure only when it is given no Axes,
labels time in seconds, and returns the Axes (or an array of Axes for grids).
"""

from __future__ import annotations

import numpy as np

from musicviz.audio import segment
from musicviz.errors import ParameterError
from musicviz._checks import signal as _signal
from musicviz.plot._helpers import check_clips, get_axes, grid_axes
from musicviz.waveforms import envelope

__all__ = ["plot_waveform", "plot_waveform_grid", "plot_waveform_zoom"]

_COLOR = "#1f4e79"


def _draw(ax, y, *, sr, offset, n_points, kwargs):
    t, lower, upper = envelope(y, sr=sr, n_points=n_points)
    t = t + offset
    kwargs.setdefault("color", _COLOR)
    if len(t) == len(y):  # short: every sample
        kwargs.setdefault("linewidth", 0.6)
        ax.plot(t, y, **kwargs)
    else:  # long: the min/max envelope per pixel-sized block looks the same, draws 100x faster
        kwargs.setdefault("linewidth", 0)  # no outline unless the caller asks for one
        ax.fill_between(t, lower, upper, **kwargs)
    ax.set_xlim(offset, offset + len(y) / sr)


def plot_waveform(y, *, sr: int, ax=None, offset: float = 0.0, n_points: int = 2000, **kwargs):
    """Plot the waveform of one clip: amplitude against time in seconds.

    Long signals are drawn as their min/max envelope (:func:`musicviz.waveforms.envelope`),
    which looks the same as every sample at screen resolution.

    Notebook: ``01_waveforms.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples.
    sr : int > 0
        Sample rate in Hz.
    ax : matplotlib.axes.Axes or None
        Where to draw (a new figure when None).
    offset : float
        Time in seconds of the first sample (to plot a segment at its place in the clip).
    n_points : int > 0
        Horizontal resolution of the envelope.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.fill_between` (or ``plot`` for short signals).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.plot.waveforms import plot_waveform
    >>> ax = plot_waveform(np.sin(np.arange(22050) / 10), sr=22050)
    >>> ax.get_xlabel()
    'Time (s)'
    """
    y = _signal(y, sr=sr)
    fig, ax, created = get_axes(ax)
    _draw(ax, y, sr=sr, offset=float(offset), n_points=n_points, kwargs=kwargs)
    ax.axhline(0.0, color="0.6", linewidth=0.5, zorder=0)
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("Amplitude")
    if created:
        fig.tight_layout()
    return ax


def plot_waveform_grid(
    clips, *, sr: int, ncols: int = 2, ylim: float | None = None, axes=None, n_points: int = 1000, **kwargs
):
    """One waveform per clip (e.g. per genre) on a *shared* amplitude scale.

    With a shared scale, loudness differences are visible: a classical clip looks small
    next to a metal clip, as it sounds. (Each plot scaled to its own peak would hide this.)

    Notebook: ``01_waveforms.ipynb``.

    Parameters
    ----------
    clips : mapping of str -> np.ndarray [shape=(n,)]
        Title -> samples, e.g. ``{"blues": y_blues, ...}``; drawn in this order.
    sr : int > 0
        Sample rate in Hz (the same for every clip).
    ncols : int > 0
        Panels per row.
    ylim : float > 0 or None
        The amplitude range ``[-ylim, ylim]`` shared by every panel (default: just above the
        loudest peak of all clips).
    axes : array of Axes or None
        Where to draw (a new figure when None).
    **kwargs
        Passed to :func:`plot_waveform`'s drawing call.

    Returns
    -------
    np.ndarray of matplotlib.axes.Axes [shape=(len(clips),)]

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.plot.waveforms import plot_waveform_grid
    >>> axes = plot_waveform_grid({"loud": np.ones(100), "quiet": 0.1 * np.ones(100)}, sr=100)
    >>> axes[0].get_ylim() == axes[1].get_ylim()
    True
    """
    items = check_clips(clips, sr=sr)
    peak = max(float(np.max(np.abs(y))) for _, y in items)
    if ylim is None:
        ylim = 1.05 * peak if peak > 0 else 1.0
    elif not (np.isscalar(ylim) and float(ylim) > 0):
        raise ParameterError(f"ylim must be a positive amplitude, got {ylim!r}")
    fig, flat, created = grid_axes(len(items), ncols=ncols, axes=axes, xlabel="Time (s)", ylabel="Amplitude")
    longest = max(len(y) for _, y in items) / sr
    for (label, y), ax in zip(items, flat):
        _draw(ax, y, sr=sr, offset=0.0, n_points=n_points, kwargs=dict(kwargs))
        ax.axhline(0.0, color="0.6", linewidth=0.5, zorder=0)
        ax.set_ylim(-ylim, ylim)
        ax.set_xlim(0, longest)
        ax.set_title(label, loc="left", fontsize="medium")
        if not created:  # a new grid has one shared x and y label instead
            ax.set_xlabel("Time (s)")
            ax.set_ylabel("Amplitude")
    return flat


def plot_waveform_zoom(
    y, *, sr: int, start: float, duration: float = 0.05, ax=None, show_samples: bool | None = None, **kwargs
):
    """A short window (default 50 ms) of a clip, where individual cycles become visible.

    Times are labelled in plain seconds of the clip (no offset notation). In a window of a
    few milliseconds (at most 300 samples) every sample is a dot, so a student can count
    samples and zero crossings by hand.

    Notebook: ``01_waveforms.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples of the whole clip.
    sr : int > 0
        Sample rate in Hz.
    start : float >= 0
        Start of the window in seconds (the x axis shows the time in the clip).
    duration : float > 0
        Length of the window in seconds.
    ax : Axes or None
        Where to draw.
    show_samples : bool or None
        Mark each sample with a dot (default: when the window has at most 300 samples,
        e.g. 5 ms at 22 050 Hz = 110 samples).
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.plot.waveforms import plot_waveform_zoom
    >>> y = np.sin(2 * np.pi * 220 * np.arange(22050) / 22050)
    >>> ax = plot_waveform_zoom(y, sr=22050, start=0.5, duration=0.02)
    >>> [round(float(v), 2) for v in ax.get_xlim()]
    [0.5, 0.52]
    """
    y = _signal(y, sr=sr)
    if not (np.isscalar(duration) and float(duration) > 0):
        raise ParameterError(f"duration must be > 0 seconds, got {duration!r}")
    piece = segment(y, sr=sr, start=float(start), end=float(start) + float(duration))
    fig, ax, created = get_axes(ax)
    t = float(start) + np.arange(len(piece)) / sr
    if show_samples is None:
        show_samples = len(piece) <= 300
    kwargs.setdefault("color", _COLOR)
    kwargs.setdefault("linewidth", 1.0)
    if show_samples:
        kwargs.setdefault("marker", ".")
        kwargs.setdefault("markersize", 4)
    ax.plot(t, piece, **kwargs)
    ax.axhline(0.0, color="0.6", linewidth=0.5, zorder=0)
    ax.set_xlim(float(start), float(start) + float(duration))
    _plain_time_ticks(ax)
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("Amplitude")
    if created:
        fig.tight_layout()
    return ax


def _plain_time_ticks(ax, *, nbins: int = 4) -> None:
    """Show times as plain seconds (``17.765``), never as an offset (``0.005 + 1.776e1``).

    A window of a few milliseconds deep into a clip otherwise gets matplotlib's offset
    notation, which students misread. ``nbins`` keeps the long labels from overlapping.

    Notebooks: ``01_waveforms.ipynb``, ``03_chroma_and_zero_crossings.ipynb``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from musicviz.plot.waveforms import _plain_time_ticks
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_xlim(17.765, 17.770)
    >>> _plain_time_ticks(ax)
    >>> ax.xaxis.get_major_formatter().get_useOffset()
    False
    """
    from matplotlib.ticker import MaxNLocator, ScalarFormatter

    formatter = ScalarFormatter(useOffset=False)
    ax.xaxis.set_major_formatter(formatter)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=nbins))
