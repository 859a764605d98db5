"""Plotting spectrograms: linear, log and mel frequency axes, genre grids, the waterfall.

Notebook: ``02_spectrograms.ipynb``.

The images are drawn by :func:`librosa.display.specshow` with librosa's linear, log and mel
frequency axes. Axes are labelled in seconds and Hz (a mel axis is *spaced* like the mel
scale but *labelled* in Hz), levels in dBFS with a colorbar. Grids use one colour scale for
every panel so that genres can be compared by eye.
"""

from __future__ import annotations

import numpy as np

from musicviz.errors import ParameterError
from musicviz.plot._helpers import (
    check_clips,
    check_coords,
    check_matrix,
    edges,
    get_axes,
    grid_axes,
    positive_int,
)

__all__ = [
    "LEVEL_LABEL",
    "plot_spectrogram",
    "plot_spectrogram_grid",
    "plot_spectrum",
    "plot_waterfall_lines",
]

LEVEL_LABEL = "Level (dBFS)"
_YSCALES = ("linear", "log", "mel")


def plot_spectrogram(
    S_db,
    *,
    times,
    freqs,
    yscale: str = "linear",
    ax=None,
    vmin: float | None = None,
    vmax: float | None = None,
    fmin: float | None = None,
    fmax: float | None = None,
    colorbar: bool = True,
    **kwargs,
):
    """Draw a spectrogram (levels in dB) against time in seconds and frequency in Hz.

    Notebook: ``02_spectrograms.ipynb``.

    Parameters
    ----------
    S_db : np.ndarray [shape=(f, t)]
        Levels in dB, e.g. from :func:`musicviz.spectrograms.stft_db` or ``mel_db``.
    times : np.ndarray [shape=(t,)]
        Centre of each frame in seconds.
    freqs : np.ndarray [shape=(f,)]
        Centre of each row in Hz (bins or mel bands).
    yscale : {"linear", "log", "mel"}
        How the frequency axis is spaced, with librosa's axes
        (``librosa.display.specshow(y_axis=yscale)``): ``"log"`` gives every octave above
        65 Hz (C2) the same height, as we hear pitch, and is linear below (so 0 Hz fits);
        ``"mel"`` is linear below 1 kHz and logarithmic above, the shape of the mel scale.
        Ticks are in Hz either way (octaves: ..., 256, 512, 1024, ... Hz on log and mel).
    ax : Axes or None
        Where to draw (a new figure when None).
    vmin, vmax : float or None
        Colour scale in dB. Pass the same values to compare several spectrograms
        (default: ``vmax`` = highest level, ``vmin`` = ``vmax - 80``).
    fmin, fmax : float or None
        Frequency range shown in Hz (default: the data's range, from 0 Hz at the lowest).
    colorbar : bool
        Add a colorbar labelled in dBFS.
    **kwargs
        Passed to :func:`librosa.display.specshow` and on to
        :meth:`~matplotlib.axes.Axes.pcolormesh` (``cmap``, ``rasterized``, ...).

    Returns
    -------
    matplotlib.collections.QuadMesh
        The image (pass it to ``fig.colorbar`` if you draw your own).

    See Also
    --------
    librosa.display.specshow : draws the image, scales and ticks the axes.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.spectrograms import stft_db
    >>> from musicviz.plot.spectrograms import plot_spectrogram
    >>> y = np.random.default_rng(0).normal(scale=0.1, size=22050)
    >>> S_db, times, freqs = stft_db(y, sr=22050)
    >>> mesh = plot_spectrogram(S_db, times=times, freqs=freqs, yscale="log", vmin=-80, vmax=0)
    >>> mesh.get_clim(), mesh.axes.get_ylabel()
    ((-80.0, 0.0), 'Frequency (Hz)')
    """
    import librosa.display

    if yscale not in _YSCALES:
        raise ParameterError(f"yscale must be one of {_YSCALES}, got {yscale!r}")
    S = check_matrix(S_db, name="S_db")
    times = check_coords(times, n=S.shape[1], name="times", unit="seconds")
    freqs = check_coords(freqs, n=S.shape[0], name="freqs", unit="Hz")
    vmax = float(S.max()) if vmax is None else float(vmax)
    vmin = vmax - 80.0 if vmin is None else float(vmin)
    if not vmin < vmax:
        raise ParameterError(f"need vmin < vmax, got vmin={vmin}, vmax={vmax}")
    # Cell edges half-way between the centres (what specshow's shading="auto" draws), the
    # outer half cell cut at 0 s / 0 Hz; computing them here fixes the limits before drawing.
    t_edges, f_edges = edges(times), edges(freqs)
    t_edges[0] = max(t_edges[0], min(times[0], 0.0))
    f_edges[0] = max(f_edges[0], min(freqs[0], 0.0))
    lo = f_edges[0] if fmin is None else float(fmin)
    hi = f_edges[-1] if fmax is None else float(fmax)
    if not 0 <= lo < hi:
        raise ParameterError(f"need 0 <= fmin < fmax (Hz), got fmin={lo}, fmax={hi}")
    # Every check is done before a figure exists: a refused call leaves no stray figure.
    fig, ax, created = get_axes(ax)
    kwargs.setdefault("cmap", "magma")
    mesh = librosa.display.specshow(
        S, x_coords=t_edges, y_coords=f_edges, x_axis="s", y_axis=yscale, ax=ax, vmin=vmin, vmax=vmax, **kwargs
    )
    ax.set_xlim(t_edges[0], t_edges[-1])
    ax.set_ylim(lo, hi)
    ax.set_xlabel("Time (s)")  # specshow writes "Time (seconds)" and "Hz"
    ax.set_ylabel("Frequency (Hz)")
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, label=LEVEL_LABEL, pad=0.02)
    if created:
        fig.tight_layout()
    return mesh


def plot_spectrogram_grid(
    clips,
    *,
    sr: int,
    kind: str = "mel",
    yscale: str | None = None,
    ncols: int = 2,
    vmin: float | None = None,
    vmax: float | None = None,
    fmax: float | None = None,
    n_fft: int = 2048,
    hop_length: int = 512,
    n_mels: int = 128,
    axes=None,
    colorbar: bool = True,
    **kwargs,
):
    """One spectrogram per clip (e.g. per genre), all on the SAME colour scale.

    Notebook: ``02_spectrograms.ipynb``.

    Parameters
    ----------
    clips : mapping of str -> np.ndarray [shape=(n,)]
        Title -> samples; drawn in this order.
    sr : int > 0
        Sample rate in Hz.
    kind : {"stft", "mel"}
        Linear-frequency STFT bins or mel bands.
    yscale : {"linear", "log", "mel"} or None
        Frequency axis spacing (default: ``"mel"`` for mel, ``"linear"`` for stft).
    ncols : int > 0
        Panels per row.
    vmin, vmax : float or None
        The shared colour scale in dBFS (default: ``vmax`` = the highest level of all clips,
        ``vmin = vmax - 80``).
    fmax : float or None
        Highest frequency shown in Hz.
    n_fft, hop_length, n_mels : int > 0
        Analysis parameters.
    axes : array of Axes or None
        Where to draw (a new figure when None).
    colorbar : bool
        Add one colorbar for the whole grid.
    **kwargs
        Passed to :func:`plot_spectrogram`.

    Returns
    -------
    np.ndarray of matplotlib.axes.Axes [shape=(len(clips),)]
        Each panel's image is ``ax.collections[0]``; they all share ``get_clim()``.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.plot.spectrograms import plot_spectrogram_grid
    >>> rng = np.random.default_rng(0)
    >>> axes = plot_spectrogram_grid({"a": rng.normal(size=22050), "b": 0.01 * rng.normal(size=22050)}, sr=22050)
    >>> axes[0].collections[0].get_clim() == axes[1].collections[0].get_clim()
    True
    """
    from musicviz.spectrograms import mel_db, stft_db

    if kind not in ("stft", "mel"):
        raise ParameterError(f"kind must be 'stft' or 'mel', got {kind!r}")
    yscale = yscale or ("mel" if kind == "mel" else "linear")
    items = check_clips(clips, sr=sr)
    data = []
    for label, y in items:
        if kind == "mel":
            S, t, f = mel_db(y, sr=sr, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels)
        else:
            S, t, f = stft_db(y, sr=sr, n_fft=n_fft, hop_length=hop_length)
        data.append((label, S, t, f))
    if vmax is None:
        vmax = float(np.ceil(max(S.max() for _, S, _, _ in data))) + 0.0  # + 0.0: never print '-0'
    if vmin is None:
        vmin = float(vmax) - 80.0
    fig, flat, created = grid_axes(
        len(data), ncols=ncols, axes=axes, row_height=1.4, xlabel="Time (s)", ylabel="Frequency (Hz)"
    )
    mesh = None
    for (label, S, t, f), ax in zip(data, flat):
        mesh = plot_spectrogram(
            S, times=t, freqs=f, yscale=yscale, ax=ax, vmin=vmin, vmax=vmax, fmax=fmax, colorbar=False, **kwargs
        )
        ax.set_title(label, loc="left", fontsize="medium")
        if created:  # a new grid has one shared x and y label instead
            ax.set_xlabel("")
            ax.set_ylabel("")
    if colorbar:
        fig.colorbar(mesh, ax=list(flat), label=LEVEL_LABEL, pad=0.01, fraction=0.04, aspect=40)
    return flat


def plot_spectrum(
    level_db,
    *,
    freqs,
    ax=None,
    fmin: float | None = None,
    fmax: float | None = None,
    ylabel: str = LEVEL_LABEL,
    **kwargs,
):
    """One spectrum (one frame, or an average): level against frequency in Hz.

    For the test-signal figures of notebook 02 (leakage, zero-padding, resolution, log
    compression). Mark true frequencies yourself with ``ax.axvline``.

    Notebook: ``02_spectrograms.ipynb``.

    Parameters
    ----------
    level_db : np.ndarray [shape=(f,)]
        Levels (dBFS by default), e.g. from :func:`musicviz.spectrograms.window_spectrum`.
    freqs : np.ndarray [shape=(f,)]
        Frequency of each value in Hz, increasing.
    ax : Axes or None
        Where to draw (a new figure when None).
    fmin, fmax : float or None
        Frequency range shown in Hz (default: all of ``freqs``).
    ylabel : str
        Label of the level axis (change it when you plot something other than dBFS).
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.plot` (``label``, ``color``, ``marker``, ...).

    Returns
    -------
    matplotlib.lines.Line2D
        The curve; ``line.axes`` is the Axes.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz import spectrograms
    >>> from musicviz.plot.spectrograms import plot_spectrum
    >>> y = spectrograms.test_signal("sine", sr=22050, freq=445.0)
    >>> level, freqs = spectrograms.window_spectrum(y, sr=22050, window="boxcar")
    >>> line = plot_spectrum(level, freqs=freqs, fmin=200, fmax=700, label="rectangular")
    >>> line.axes.get_xlabel(), [float(x) for x in line.axes.get_xlim()]
    ('Frequency (Hz)', [200.0, 700.0])
    """
    level = np.asarray(level_db, dtype=float)
    if level.ndim != 1 or level.size == 0:
        raise ParameterError(f"level_db must be a non-empty 1-D array (one value per frequency), got shape {level.shape}")
    if not np.all(np.isfinite(level)):
        raise ParameterError("level_db contains NaN or infinite values")
    freqs = check_coords(freqs, n=level.shape[0], name="freqs", unit="Hz")
    lo = float(freqs[0]) if fmin is None else float(fmin)
    hi = float(freqs[-1]) if fmax is None else float(fmax)
    if not (0 <= lo < hi):
        raise ParameterError(f"need 0 <= fmin < fmax (Hz), got fmin={lo}, fmax={hi}")
    fig, ax, created = get_axes(ax)
    (line,) = ax.plot(freqs, level, **kwargs)
    ax.set_xlim(lo, hi)
    ax.set_xlabel("Frequency (Hz)")
    ax.set_ylabel(ylabel)
    if created:
        fig.tight_layout()
    return line


def plot_waterfall_lines(
    S_db,
    *,
    times,
    freqs,
    ax=None,
    n_times: int = 20,
    fmin: float = 40.0,
    fmax: float | None = None,
    range_db: float = 50.0,
    spacing: float = 0.35,
    smooth_octaves: float = 1 / 12,
    **kwargs,
):
    """A readable waterfall in 2-D: one line spectrum per moment, offset upwards, the newest in front.

    The spectrogram is averaged (on power) into ``n_times`` moments; each moment's spectrum is
    drawn against a logarithmic frequency axis in Hz, smoothed over ``smooth_octaves`` octaves
    (the noisy single bins would hide the shape), clipped ``range_db`` below the peak and
    lifted by ``spacing`` (a fraction of ``range_db``) per step back in time. The oldest
    moment is at the top and the newest at the bottom, in front: each line is filled down to
    its own floor in white, so it hides what lies behind it, as on a spectrum analyser. The
    y axis is labelled with the time of each moment; a bar at the right shows how high 20 dB
    is.

    Notebook: ``02_spectrograms.ipynb``.

    Parameters
    ----------
    S_db : np.ndarray [shape=(f, t)]
        Levels in dB (e.g. from :func:`musicviz.spectrograms.stft_db`).
    times : np.ndarray [shape=(t,)]
        Seconds.
    freqs : np.ndarray [shape=(f,)]
        Hz.
    ax : Axes or None
        Where to draw (a new figure when None).
    n_times : int > 1
        Number of lines (moments).
    fmin, fmax : float
        Frequency range in Hz (``fmax`` default: the highest bin).
    range_db : float > 0
        Levels more than this below the highest one are drawn at the line's floor.
    spacing : float > 0
        Vertical step between consecutive lines, as a fraction of ``range_db``.
    smooth_octaves : float >= 0
        Width of the moving average along frequency, in octaves (0: no smoothing).
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.plot` for every line (``color``, ``linewidth``).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes (it holds one line and one fill per moment, and the 20 dB bar).

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.spectrograms import stft_db
    >>> from musicviz.plot.spectrograms import plot_waterfall_lines
    >>> S_db, times, freqs = stft_db(np.random.default_rng(0).normal(size=22050), sr=22050)
    >>> ax = plot_waterfall_lines(S_db, times=times, freqs=freqs, n_times=8, fmax=4000)
    >>> len(ax.lines), ax.get_xscale(), ax.get_xlabel()
    (9, 'log', 'Frequency (Hz)')
    """
    from matplotlib.ticker import FixedLocator, MaxNLocator, NullLocator, ScalarFormatter

    from musicviz._checks import positive_float
    from musicviz.spectrograms import downsample_spectrogram

    S = check_matrix(S_db, name="S_db")
    times = check_coords(times, n=S.shape[1], name="times", unit="seconds")
    freqs = check_coords(freqs, n=S.shape[0], name="freqs", unit="Hz")
    n_times = positive_int(n_times, "n_times", minimum=2)
    range_db = positive_float(range_db, "range_db")
    spacing = positive_float(spacing, "spacing")
    smooth_octaves = positive_float(smooth_octaves, "smooth_octaves", allow_zero=True)
    fmin = positive_float(fmin, "fmin")
    fmax = float(freqs[-1]) if fmax is None else positive_float(fmax, "fmax")
    if not (freqs[0] <= fmin < fmax <= freqs[-1] + 1e-9):
        raise ParameterError(
            f"need {freqs[0]:g} <= fmin < fmax <= {freqs[-1]:g} Hz (the range of freqs), got fmin={fmin}, fmax={fmax}"
        )
    small, t, _ = downsample_spectrogram(S, times=times, freqs=freqs, n_times=n_times, n_freqs=S.shape[0])
    # Resample every moment onto a log-frequency grid (on power), then smooth along it.
    n_grid = 400
    grid = np.geomspace(fmin, fmax, n_grid)
    power = 10.0 ** (small / 10.0)
    P = np.stack([np.interp(grid, freqs, power[:, j]) for j in range(power.shape[1])], axis=1)
    width = int(round(smooth_octaves / (np.log2(fmax / fmin) / (n_grid - 1))))
    if width > 1:
        kernel = np.ones(width) / width
        padded = np.pad(P, ((width // 2, width - 1 - width // 2), (0, 0)), mode="edge")
        P = np.stack([np.convolve(padded[:, j], kernel, mode="valid") for j in range(P.shape[1])], axis=1)
    L = 10.0 * np.log10(np.maximum(P, 1e-30))
    top = float(L.max())
    H = (np.maximum(L, top - range_db) - (top - range_db)) / range_db  # 0 at the floor, 1 at the peak
    fig, ax, created = get_axes(ax)
    kwargs.setdefault("color", "0.1")
    kwargs.setdefault("linewidth", 0.9)
    n = len(t)
    for j in range(n):  # oldest first, at the top and at the back
        base = (n - 1 - j) * spacing
        ax.fill_between(grid, base, base + H[:, j], color="white", zorder=2 * j + 1, linewidth=0)
        ax.plot(grid, base + H[:, j], zorder=2 * j + 2, **kwargs)
    ax.set_xscale("log")
    ax.set_xlim(fmin, fmax)
    ticks = [f for f in (50, 100, 200, 500, 1000, 2000, 5000, 10000) if fmin <= f <= fmax]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_ylim(-0.05, (n - 1) * spacing + 1.05)
    # Time ticks at round times, placed where a moment at that time would sit (moments are evenly spaced).
    step = (t[-1] - t[0]) / (n - 1)
    nice = [v for v in MaxNLocator(nbins=5).tick_values(t[0], t[-1]) if t[0] - step / 2 <= v <= t[-1] + step / 2]
    ax.set_yticks([(t[-1] - v) / step * spacing for v in nice])
    ax.set_yticklabels([f"{v:g}" for v in nice])
    ax.set_xlabel("Frequency (Hz)")
    ax.set_ylabel("Time (s), newest in front")
    # A scale bar: how high 20 dB is.
    bar = 20.0 / range_db
    x_bar = fmax / (fmax / fmin) ** 0.02
    ax.plot([x_bar, x_bar], [(n - 1) * spacing + 1.0 - bar, (n - 1) * spacing + 1.0], color="C3", linewidth=2.5, zorder=2 * n + 2)
    ax.annotate("20 dB", xy=(x_bar, (n - 1) * spacing + 1.0 - bar / 2), xytext=(-4, 0), textcoords="offset points",
                ha="right", va="center", color="C3", fontsize="small", zorder=2 * n + 2)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if created:
        fig.tight_layout()
    return ax
