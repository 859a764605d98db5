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
)

__all__ = [
    "LEVEL_LABEL",
    "plot_spectrogram",
    "plot_spectrogram_grid",
    "plot_waterfall",
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
    sr: float,
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
    sr : float > 0
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
        vmax = float(np.ceil(max(S.max() for _, S, _, _ in data)))
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


def plot_waterfall(
    S_db,
    *,
    times,
    freqs,
    ax=None,
    n_times: int = 40,
    n_freqs: int = 128,
    fmax: float | None = None,
    floor_db: float | None = None,
    **kwargs,
):
    """The spectrogram as a landscape: level (height) over time and frequency, in 3-D.

    The spectrogram is first averaged down to at most ``n_times`` x ``n_freqs`` cells
    (:func:`musicviz.spectrograms.downsample_spectrogram`), so that the surface draws in
    well under a second even for a 30 s clip.

    Notebook: ``02_spectrograms.ipynb``.

    Parameters
    ----------
    S_db : np.ndarray [shape=(f, t)]
        Levels in dB.
    times : np.ndarray [shape=(t,)]
        Seconds.
    freqs : np.ndarray [shape=(f,)]
        Hz.
    ax : 3-D Axes or None
        Where to draw (a new figure with a 3-D Axes when None).
    n_times, n_freqs : int > 0
        Resolution of the surface.
    fmax : float or None
        Highest frequency shown in Hz (most musical energy is below 5 kHz).
    floor_db : float or None
        Levels below this are drawn at this height (default: 80 dB below the peak), so the
        noise floor does not dominate the picture.
    **kwargs
        Passed to :meth:`~mpl_toolkits.mplot3d.axes3d.Axes3D.plot_surface`.

    Returns
    -------
    mpl_toolkits.mplot3d.art3d.Poly3DCollection
        The surface (one artist, so the helper returns it, as :mod:`musicviz.plot` says);
        ``surface.axes`` is the 3-D Axes.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.spectrograms import stft_db
    >>> from musicviz.plot.spectrograms import plot_waterfall
    >>> S_db, times, freqs = stft_db(np.random.default_rng(0).normal(size=22050), sr=22050)
    >>> surface = plot_waterfall(S_db, times=times, freqs=freqs, fmax=5000)
    >>> surface.axes.get_zlabel()
    'Level (dBFS)'
    """
    from musicviz.spectrograms import downsample_spectrogram

    S = check_matrix(S_db, name="S_db")
    times = check_coords(times, n=S.shape[1], name="times", unit="seconds")
    freqs = check_coords(freqs, n=S.shape[0], name="freqs", unit="Hz")
    small, t, f = downsample_spectrogram(S, times=times, freqs=freqs, n_times=n_times, n_freqs=n_freqs, fmax=fmax)
    floor = float(small.max()) - 80.0 if floor_db is None else float(floor_db)
    Z = np.maximum(small, floor)
    fig, ax, created = get_axes(ax, projection="3d")
    T, F = np.meshgrid(t, f)
    kwargs.setdefault("cmap", "magma")
    kwargs.setdefault("rstride", 1)
    kwargs.setdefault("cstride", 1)
    kwargs.setdefault("linewidth", 0)
    kwargs.setdefault("antialiased", False)
    kwargs.setdefault("vmin", floor)
    kwargs.setdefault("vmax", float(Z.max()))
    surface = ax.plot_surface(T, F, Z, **kwargs)
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("Frequency (Hz)")
    ax.set_zlabel(LEVEL_LABEL)
    ax.set_xlim(float(t[0]), float(t[-1]))
    ax.set_ylim(float(f[0]), float(f[-1]))
    ax.set_zlim(floor, float(Z.max()) + 1.0)
    ax.view_init(elev=35, azim=-60)
    if created:
        fig.tight_layout()
    return surface
