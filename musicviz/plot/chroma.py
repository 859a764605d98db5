"""Plotting chroma and zero crossings.

Notebook: ``03_chroma_and_zero_crossings.ipynb``.

Chromagrams are labelled with pitch-class names (C, C#, ... B), time in seconds; the
zero-crossing rate in crossings per second.
"""

from __future__ import annotations

import numpy as np

from musicviz._checks import check_signal
from musicviz.audio import segment
from musicviz.chroma import PITCH_CLASSES
from musicviz.errors import ParameterError
from musicviz._checks import signal as _signal
from musicviz.plot._helpers import check_coords, check_matrix, edges, get_axes
from musicviz.plot.waveforms import _plain_time_ticks, plot_waveform
from musicviz.waveforms import zero_crossing_rate, zero_crossings

__all__ = [
    "ZCR_LABEL",
    "plot_chromagram",
    "plot_chroma_filters",
    "plot_chroma_profiles",
    "plot_zcr",
    "plot_waveform_with_zcr",
    "plot_zero_crossings",
    "plot_zcr_distribution",
]

ZCR_LABEL = "Zero crossings per second"


def plot_chromagram(C, *, times, ax=None, colorbar: bool = True, **kwargs):
    """Draw a chromagram: pitch class (C ... B) against time in seconds.

    Notebook: ``03_chroma_and_zero_crossings.ipynb``.

    Parameters
    ----------
    C : np.ndarray [shape=(12, t)]
        From :func:`musicviz.chroma.chromagram`.
    times : np.ndarray [shape=(t,)]
        Centre of each frame in seconds.
    ax : Axes or None
        Where to draw.
    colorbar : bool
        Add a colorbar.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.pcolormesh` (``vmin``/``vmax`` default 0 and 1).

    Returns
    -------
    matplotlib.collections.QuadMesh

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.plot.chroma import plot_chromagram
    >>> mesh = plot_chromagram(np.random.default_rng(0).random((12, 50)), times=np.arange(50) * 0.023)
    >>> [t.get_text() for t in mesh.axes.get_yticklabels()][:3]
    ['C', 'C#', 'D']
    """
    C = check_matrix(C, name="C", rows=12)
    times = check_coords(times, n=C.shape[1], name="times", unit="seconds")
    fig, ax, created = get_axes(ax)
    t_edges = edges(times)
    t_edges[0] = max(t_edges[0], 0.0)
    kwargs.setdefault("cmap", "gray_r")
    kwargs.setdefault("vmin", 0.0)
    kwargs.setdefault("vmax", max(1.0, float(C.max())))
    kwargs.setdefault("rasterized", True)
    mesh = ax.pcolormesh(t_edges, np.arange(13) - 0.5, C, shading="flat", **kwargs)
    ax.set_yticks(np.arange(12), labels=list(PITCH_CLASSES))
    ax.set_ylim(-0.5, 11.5)
    ax.set_xlim(t_edges[0], t_edges[-1])
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("Pitch class")
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, label="Chroma energy", pad=0.02)
    if created:
        fig.tight_layout()
    return mesh


def plot_chroma_filters(weights, *, freqs, classes=("A",), ax=None, fmin: float = 50.0, fmax: float = 5000.0, **kwargs):
    """The weight of every STFT bin in some pitch classes, against frequency (log axis).

    Shows what :func:`musicviz.chroma.chroma_filterbank` does: Gaussian bumps around every
    octave of a class (dotted lines: the exact note frequencies), not hard bins, and an overall weighting that favours the middle
    octaves. The frequency axis is logarithmic, with ticks at the octaves of A (55, 110,
    220, ... Hz) in plain Hz.

    Notebook: ``03_chroma_and_zero_crossings.ipynb``.

    Parameters
    ----------
    weights : np.ndarray [shape=(12, k)]
        From :func:`musicviz.chroma.chroma_filterbank`.
    freqs : np.ndarray [shape=(k,)]
        Frequency of each column in Hz.
    classes : sequence of str
        Pitch class names to draw, e.g. ``("A", "C")``.
    ax : Axes or None
        Where to draw.
    fmin, fmax : float > 0
        Frequency range shown (log scale).
    **kwargs
        Passed to every :meth:`~matplotlib.axes.Axes.plot` call.

    Returns
    -------
    matplotlib.axes.Axes
        A curve and the dotted note frequencies per class (several artists: the Axes).

    Examples
    --------
    >>> from musicviz.chroma import chroma_filterbank
    >>> from musicviz.plot.chroma import plot_chroma_filters
    >>> W, freqs, _ = chroma_filterbank(sr=22050)
    >>> ax = plot_chroma_filters(W, freqs=freqs, classes=("A", "C"))
    >>> ax.get_xlabel(), [line.get_label() for line in ax.lines]
    ('Frequency (Hz)', ['A', 'C'])
    """
    W = check_matrix(weights, name="weights", rows=12)
    freqs = check_coords(freqs, n=W.shape[1], name="freqs", unit="Hz")
    if isinstance(classes, str):
        classes = (classes,)
    unknown = [c for c in classes if c not in PITCH_CLASSES]
    if not classes or unknown:
        raise ParameterError(f"classes must be pitch class names from {PITCH_CLASSES}, got {tuple(classes)!r}")
    from musicviz._checks import positive_float

    fmin, fmax = positive_float(fmin, "fmin"), positive_float(fmax, "fmax")
    if not fmin < fmax:
        raise ParameterError(f"need 0 < fmin < fmax, got fmin={fmin!r}, fmax={fmax!r}")
    fig, ax, created = get_axes(ax)
    shown = (freqs >= fmin) & (freqs <= fmax)
    for name in classes:
        (line,) = ax.plot(freqs[shown], W[PITCH_CLASSES.index(name), shown], label=name, **kwargs)
        # the exact frequency of every octave of the class (A: 440 * 2**k Hz), where its bumps centre
        midi = np.arange(12, 128)[(np.arange(12, 128) % 12) == PITCH_CLASSES.index(name)]
        centres = 440.0 * 2.0 ** ((midi - 69) / 12)
        centres = centres[(centres >= fmin) & (centres <= fmax)]
        ax.vlines(centres, 0, 1, transform=ax.get_xaxis_transform(), colors=line.get_color(),
                  linestyles="dotted", linewidth=0.8, alpha=0.6)
    from matplotlib.ticker import NullFormatter

    ax.set_xscale("log")
    ticks = [27.5 * 2**k for k in range(12) if fmin <= 27.5 * 2**k <= fmax]  # the octaves of A, in Hz
    if ticks:
        ax.set_xticks(ticks, labels=[f"{t:g}" for t in ticks])
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlim(fmin, fmax)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("Frequency (Hz)")
    ax.set_ylabel("Weight in the class")
    ax.legend(title="pitch class", loc="upper left", fontsize="small")
    if created:
        fig.tight_layout()
    return ax


def plot_chroma_profiles(
    profiles, *, labels=None, ax=None, colorbar: bool = True, deviation: bool = False, **kwargs
):
    """Heatmap of one mean-chroma profile per row (e.g. per genre) against pitch class.

    Profiles that sum to 1 all hover around the uniform share 1/12 = 0.083; a colour scale
    fitted to their range would make tiny differences look dramatic. So the scale is fixed:
    from 0 to the largest share (default), or, with ``deviation=True``, the share *minus*
    1/12 on a diverging map centred on 0 (red: more than a uniform share, blue: less), its
    limits symmetric around 0.

    Notebook: ``03_chroma_and_zero_crossings.ipynb``.

    Parameters
    ----------
    profiles : mapping of str -> np.ndarray [shape=(12,)], or np.ndarray [shape=(n, 12)]
        Profiles from :func:`musicviz.chroma.mean_chroma`.
    labels : sequence of str or None
        Row names when ``profiles`` is an array.
    ax : Axes or None
        Where to draw.
    colorbar : bool
        Add a colorbar.
    deviation : bool
        Draw ``profile - 1/12`` with a diverging colour map centred on 0.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.imshow` (``cmap``, ``vmin``, ``vmax`` override
        the defaults above).

    Returns
    -------
    matplotlib.image.AxesImage

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.plot.chroma import plot_chroma_profiles
    >>> im = plot_chroma_profiles({"rock": np.ones(12) / 12, "jazz": np.eye(12)[0]})
    >>> im.get_array().shape
    (2, 12)
    >>> im.get_clim()
    (0.0, 1.0)
    >>> im = plot_chroma_profiles({"rock": np.ones(12) / 12, "jazz": np.eye(12)[0]}, deviation=True)
    >>> [round(v, 3) for v in im.get_clim()]
    [-0.917, 0.917]
    """
    if hasattr(profiles, "items"):
        labels = [str(k) for k in profiles]
        rows = list(profiles.values())
        if not rows:
            raise ParameterError("profiles is empty")
        try:
            P = np.vstack([np.asarray(r, dtype=float).reshape(1, -1) for r in rows])
        except ValueError:
            raise ParameterError("every profile must hold 12 numbers (one per pitch class)") from None
    else:
        P = np.asarray(profiles, dtype=float)
        if P.ndim == 1:
            P = P[None, :]
        labels = [str(i) for i in range(P.shape[0])] if labels is None else [str(x) for x in labels]
    if P.ndim != 2 or P.shape[1] != 12 or P.shape[0] == 0:
        raise ParameterError(f"profiles must have shape (n, 12), got {P.shape}")
    if len(labels) != P.shape[0]:
        raise ParameterError(f"got {len(labels)} labels for {P.shape[0]} profiles")
    P = check_matrix(P, name="profiles")
    if deviation:
        P = P - 1.0 / 12
        limit = float(np.max(np.abs(P)))
        limit = limit if limit > 0 else 1.0 / 12
        kwargs.setdefault("cmap", "RdBu_r")
        kwargs.setdefault("vmin", -limit)
        kwargs.setdefault("vmax", limit)
        label = "Share minus uniform 1/12"
    else:
        kwargs.setdefault("cmap", "viridis")
        kwargs.setdefault("vmin", 0.0)
        kwargs.setdefault("vmax", max(float(P.max()), 1e-12))
        label = "Share of chroma energy"
    fig, ax, created = get_axes(ax)
    kwargs.setdefault("aspect", "auto")
    kwargs.setdefault("interpolation", "nearest")
    image = ax.imshow(P, **kwargs)
    ax.set_xticks(np.arange(12), labels=list(PITCH_CLASSES))
    ax.set_yticks(np.arange(P.shape[0]), labels=labels)
    ax.set_xlabel("Pitch class")
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label=label, pad=0.02)
    if created:
        fig.tight_layout()
    return image


def plot_zcr(zcr, *, times, ax=None, **kwargs):
    """The zero-crossing rate (crossings per second) over time.

    Notebook: ``03_chroma_and_zero_crossings.ipynb``.

    Parameters
    ----------
    zcr : np.ndarray [shape=(t,)]
        From :func:`musicviz.waveforms.zero_crossing_rate`.
    times : np.ndarray [shape=(t,)]
        Seconds.
    ax : Axes or None
        Where to draw.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.lines.Line2D
        The curve (one artist: see the return contract in :mod:`musicviz.plot`).

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.plot.chroma import plot_zcr
    >>> line = plot_zcr(np.full(10, 880.0), times=np.arange(10) * 0.023)
    >>> line.axes.get_ylabel()
    'Zero crossings per second'
    """
    zcr = check_signal(zcr, name="zcr")
    times = check_coords(times, n=zcr.shape[0], name="times", unit="seconds")
    fig, ax, created = get_axes(ax)
    kwargs.setdefault("color", "#c0392b")
    kwargs.setdefault("linewidth", 1.0)
    (line,) = ax.plot(times, zcr, **kwargs)
    ax.set_ylim(0, max(1.0, float(zcr.max()) * 1.05))
    ax.set_xlabel("Time (s)")
    ax.set_ylabel(ZCR_LABEL)
    if created:
        fig.tight_layout()
    return line


def plot_waveform_with_zcr(y, *, sr: int, axes=None, frame_length: int = 2048, hop_length: int = 512):
    """The waveform (top) and its zero-crossing rate (bottom) on a shared time axis.

    Notebook: ``03_chroma_and_zero_crossings.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples.
    sr : int > 0
        Sample rate in Hz.
    axes : pair of Axes or None
        Where to draw (a new figure with two rows when None).
    frame_length, hop_length : int > 0
        ZCR frames in samples.

    Returns
    -------
    np.ndarray of Axes [shape=(2,)]

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.plot.chroma import plot_waveform_with_zcr
    >>> ax_wave, ax_zcr = plot_waveform_with_zcr(np.random.default_rng(0).normal(size=22050), sr=22050)
    >>> ax_wave.get_ylabel(), ax_zcr.get_xlabel()
    ('Amplitude', 'Time (s)')
    """
    import matplotlib.pyplot as plt

    y = _signal(y, sr=sr, min_samples=2)
    zcr, times = zero_crossing_rate(y, sr=sr, frame_length=frame_length, hop_length=hop_length)
    created = axes is None
    if created:
        fig, axes = plt.subplots(2, 1, sharex=True)
    else:
        axes = np.asarray(axes, dtype=object).ravel()
        if axes.size != 2:
            raise ParameterError(f"axes must be two Axes (waveform, ZCR), got {axes.size}")
        fig = axes[0].figure
    plot_waveform(y, sr=sr, ax=axes[0])
    axes[0].set_xlabel("")
    plot_zcr(zcr, times=times, ax=axes[1])
    axes[1].set_xlim(0, len(y) / sr)
    if created:
        fig.tight_layout()
    return np.asarray(axes, dtype=object)


#: Diameter of a zero-crossing circle, in points.
CROSSING_SIZE = 6.0


def _crossing_rows(x, *, diameter: float) -> np.ndarray:
    """A row for each circle at ``x`` (points): 0 on the line, then 1, -1, 2, -2, ...

    Each circle takes the first row in which it keeps at least ``diameter`` from the circle
    before it, so that two crossings a sample apart (or at the same sample) stay two circles.
    """
    rows = np.zeros(len(x), dtype=int)
    last: dict[int, float] = {}
    for i in np.argsort(x, kind="stable"):
        row = 0
        while x[i] - last.get(row, -np.inf) < diameter:
            row = -row + 1 if row <= 0 else -row  # 0, 1, -1, 2, -2, ...
        rows[i], last[row] = row, x[i]
    return rows


def _mark_crossings(ax, crossings, *, start: float, duration: float) -> None:
    """Circle every crossing on the zero line, stacking circles that would overlap."""
    from matplotlib.transforms import offset_copy

    fig = ax.figure
    # Points per second along x; the layout (tight_layout, constrained) may still shrink the
    # Axes by a few tens of percent, hence the margin on the diameter.
    width_pt = ax.get_position().width * fig.get_figwidth() * 72.0
    x_pt = (np.asarray(crossings) - start) / duration * width_pt
    rows = _crossing_rows(x_pt, diameter=1.5 * CROSSING_SIZE)
    for i, row in enumerate(sorted(set(rows.tolist()), key=lambda r: (abs(r), -r))):
        on_row = crossings[rows == row]
        transform = offset_copy(ax.transData, fig=fig, y=row * (CROSSING_SIZE + 1.0), units="points")
        ax.plot(on_row, np.zeros_like(on_row), linestyle="none", marker="o", markersize=CROSSING_SIZE,
                markerfacecolor="none", markeredgecolor="#c0392b", transform=transform,
                label="zero crossing" if i == 0 else "_zero crossing")


def plot_zero_crossings(
    y, *, sr: int, start: float = 0.0, duration: float = 0.01, ax=None, show_count: bool = True, **kwargs
):
    """A zoom (default 10 ms) that marks every sample and every single zero crossing.

    Each sample is a dot and each crossing a circle, so a student can count the crossings
    by hand (and, with ``show_count=False``, count before the answer is shown). A circle sits
    on the zero line at its crossing; crossings too close to draw side by side (noise crosses
    at neighbouring samples) are stacked above and below the line, at their own times, so no
    circle hides another.

    Notebook: ``03_chroma_and_zero_crossings.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples of the whole clip.
    sr : int > 0
        Sample rate in Hz.
    start : float >= 0
        Start of the window in seconds.
    duration : float > 0
        Length of the window in seconds.
    ax : Axes or None
        Where to draw.
    show_count : bool
        Title the Axes with the number of crossings and the rate in crossings per second
        (``False``: no title, the student counts).
    **kwargs
        Passed to the :meth:`~matplotlib.axes.Axes.plot` of the waveform.

    Returns
    -------
    matplotlib.axes.Axes
        With ``show_count``, its title says how many crossings the window holds and the rate
        in crossings per second.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.plot.chroma import plot_zero_crossings
    >>> y = np.sin(2 * np.pi * 500 * (np.arange(22050) + 0.5) / 22050)
    >>> ax = plot_zero_crossings(y, sr=22050, start=0.1005, duration=0.01)
    >>> ax.get_title()
    '10 zero crossings in 10 ms = 1000 per second'
    """
    y = _signal(y, sr=sr)
    if not (np.isscalar(duration) and float(duration) > 0):
        raise ParameterError(f"duration must be > 0 seconds, got {duration!r}")
    start, duration = float(start), float(duration)
    piece = segment(y, sr=sr, start=start, end=start + duration)
    if len(piece) < 2:
        raise ParameterError(f"a {duration * 1000:g} ms window at {sr} Hz holds fewer than 2 samples")
    fig, ax, created = get_axes(ax)
    t = start + np.arange(len(piece)) / sr
    crossings = start + zero_crossings(piece, sr=sr)
    kwargs.setdefault("color", "#1f4e79")
    kwargs.setdefault("linewidth", 1.0)
    kwargs.setdefault("marker", ".")
    kwargs.setdefault("markersize", 4)
    ax.plot(t, piece, **kwargs)
    ax.axhline(0.0, color="0.6", linewidth=0.5, zorder=0)
    ax.set_xlim(start, start + duration)
    _mark_crossings(ax, crossings, start=start, duration=duration)
    _plain_time_ticks(ax)
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("Amplitude")
    if show_count:
        n = len(crossings)
        ax.set_title(f"{n} zero crossings in {duration * 1000:g} ms = {n / duration:.0f} per second")
    if created:
        fig.tight_layout()
    return ax


def plot_zcr_distribution(zcrs, *, ax=None, **kwargs):
    """Box plot of the frame-wise zero-crossing rate of each clip (e.g. one per genre).

    Notebook: ``03_chroma_and_zero_crossings.ipynb``.

    Parameters
    ----------
    zcrs : mapping of str -> np.ndarray [shape=(t,)]
        Label -> zero crossings per second of each frame.
    ax : Axes or None
        Where to draw.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.boxplot`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.plot.chroma import plot_zcr_distribution
    >>> ax = plot_zcr_distribution({"bass": np.full(5, 200.0), "hats": np.full(5, 6000.0)})
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['bass', 'hats']
    """
    if not hasattr(zcrs, "items") or len(zcrs) == 0:
        raise ParameterError("zcrs must be a non-empty mapping such as {'blues': zcr, ...}")
    labels = [str(k) for k in zcrs]
    data = [check_signal(v, name=f"zcrs[{k!r}]") for k, v in zcrs.items()]
    fig, ax, created = get_axes(ax)
    kwargs.setdefault("vert", False) if _boxplot_uses_vert() else kwargs.setdefault("orientation", "horizontal")
    kwargs.setdefault("showfliers", False)
    kwargs.setdefault("widths", 0.6)
    kwargs.setdefault("patch_artist", True)
    parts = ax.boxplot(data, positions=np.arange(len(data)), **kwargs)
    for box in parts.get("boxes", []):
        if hasattr(box, "set_facecolor"):
            box.set_facecolor("#aed6f1")
    ax.set_yticks(np.arange(len(data)), labels=labels)
    ax.set_ylim(len(data) - 0.5, -0.5)  # first label on top
    ax.set_xlabel(ZCR_LABEL)
    ax.set_xlim(left=0)
    if created:
        fig.tight_layout()
    return ax


def _boxplot_uses_vert() -> bool:
    """matplotlib < 3.10 orients box plots with ``vert=``, newer ones with ``orientation=``."""
    import matplotlib

    major, minor = (int(x) for x in matplotlib.__version__.split(".")[:2])
    return (major, minor) < (3, 10)
