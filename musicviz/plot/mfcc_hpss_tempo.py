"""Plotting MFCCs, harmonic/percussive separation, beats and tempo errors, spectral contrast.

Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

The beat and tempo plots (:func:`plot_beats`, :func:`plot_tempo_scatter`) live in
:mod:`musicviz.plot.tempo` and are re-exported here. Computation lives in
:mod:`musicviz.mfcc_hpss_tempo`; these helpers draw its results with time in seconds,
frequency in Hz. Every helper takes ``ax=None`` (``axes=None`` for several panels), creates a
figure only when it was given none, and returns what the contract of :mod:`musicviz.plot`
says.
"""

from __future__ import annotations

import numpy as np

from musicviz.errors import ParameterError
from musicviz.plot._helpers import check_coords, check_matrix, edges, get_axes
from musicviz.plot.palette import genre_color, genre_marker

# The tempo plots live in musicviz.plot.tempo; notebook 03b reaches them from here too.
from musicviz.plot.tempo import plot_beats, plot_tempo_scatter  # noqa: F401

__all__ = [
    "plot_mfcc_steps",
    "plot_log_mel_reconstructions",
    "plot_frame_envelopes",
    "plot_genre_means",
    "plot_f_statistic",
    "plot_hpss",
    "plot_beats",
    "plot_tempo_scatter",
    "plot_spectral_contrast",
    "plot_contrast_bands",
]

_STEP_KEYS = ("mel", "log_mel", "mfcc", "times", "mel_freqs")


def _check_steps(steps):
    if not hasattr(steps, "keys") or any(k not in steps for k in _STEP_KEYS):
        raise ParameterError(f"steps must be the dict of musicviz.mfcc_hpss_tempo.mfcc_steps (keys {_STEP_KEYS})")
    log_mel = check_matrix(steps["log_mel"], name="steps['log_mel']")
    times = check_coords(steps["times"], n=log_mel.shape[1], name="steps['times']", unit="seconds")
    freqs = check_coords(steps["mel_freqs"], n=log_mel.shape[0], name="steps['mel_freqs']", unit="Hz")
    return log_mel, times, freqs


def _panels(n, axes, *, height=1.6, sharex=True):
    import matplotlib.pyplot as plt

    if axes is not None:
        flat = np.asarray(axes, dtype=object).ravel()
        if flat.size != n:
            raise ParameterError(f"axes must hold {n} Axes (one per panel), got {flat.size}")
        return flat[0].figure, flat, False
    width = plt.rcParams["figure.figsize"][0]
    fig, grid = plt.subplots(n, 1, figsize=(width, height * n + 0.6), sharex=sharex, squeeze=False, layout="constrained")
    return fig, grid.ravel(), True


def _cmap(name, levels):
    """``name`` as is, or resampled to ``levels`` colours (a compact stored image; 16 over 80 dB: 5 dB steps)."""
    if levels is None:
        return name
    if isinstance(levels, bool) or not isinstance(levels, (int, np.integer)) or levels < 2:
        raise ParameterError(f"levels must be an integer >= 2 or None, got {levels!r}")
    import matplotlib.pyplot as plt

    return plt.get_cmap(name, int(levels))


def _coefficient_mesh(ax, C, times, **kwargs):
    t_edges = edges(times) if len(times) > 1 else np.array([times[0] - 0.01, times[0] + 0.01])
    t_edges[0] = max(t_edges[0], 0.0)
    k_edges = np.arange(C.shape[0] + 1) + 0.5
    lim = float(np.percentile(np.abs(C[1:]), 99)) if C.shape[0] > 1 else float(np.abs(C).max())
    kwargs.setdefault("cmap", "coolwarm")
    kwargs.setdefault("vmin", -max(lim, 1e-9))
    kwargs.setdefault("vmax", max(lim, 1e-9))
    kwargs.setdefault("rasterized", True)
    mesh = ax.pcolormesh(t_edges, k_edges, C, shading="flat", **kwargs)
    ax.set_ylim(k_edges[-1], k_edges[0])  # coefficient 1 on top, like a table
    ax.set_xlim(t_edges[0], t_edges[-1])
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("MFCC number")
    return mesh


def plot_mfcc_steps(steps, *, axes=None, fmax: float | None = None, levels: int | None = None):
    """The three steps of MFCCs, top to bottom: mel power, log-mel (dB), MFCCs (DCT).

    The power panel uses a *linear* colour scale, as the numbers are: a few loud low bands
    and nearly nothing else. The log panel shows what the ear hears. The MFCC panel shows
    what a classifier gets: coefficient 1 (loudness, off the colour scale that is set by the
    others) on top, then ever finer wiggles of the spectral envelope.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    steps : dict
        From :func:`musicviz.mfcc_hpss_tempo.mfcc_steps`.
    axes : sequence of 3 Axes or None
        Where to draw (a new figure when None).
    fmax : float or None
        Highest frequency shown in Hz.
    levels : int >= 2 or None
        Colours per colour scale (None: continuous; the MFCC panel's diverging scale gets one
        more if even, so that 0 has a neutral colour of its own). Fewer colours make a much
        smaller stored image (a notebook's PNG) at little cost to the eye.

    Returns
    -------
    np.ndarray of Axes [shape=(3,)]

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.mfcc_hpss_tempo import mfcc_steps
    >>> from musicviz.plot.mfcc_hpss_tempo import plot_mfcc_steps
    >>> steps = mfcc_steps(np.random.default_rng(0).normal(scale=0.1, size=22050), sr=22050)
    >>> [ax.get_ylabel() for ax in plot_mfcc_steps(steps)]
    ['Frequency (Hz)', 'Frequency (Hz)', 'MFCC number']
    """
    from musicviz.plot.spectrograms import plot_spectrogram

    log_mel, times, freqs = _check_steps(steps)
    mel = check_matrix(steps["mel"], name="steps['mel']")
    C = check_matrix(steps["mfcc"], name="steps['mfcc']")
    _cmap("magma", levels)  # checks levels before a figure exists
    fig, flat, created = _panels(3, axes)
    top = float(mel.max()) if mel.max() > 0 else 1.0
    m1 = plot_spectrogram(mel, times=times, freqs=freqs, yscale="mel", ax=flat[0], vmin=0.0, vmax=top,
                          fmax=fmax, colorbar=False, cmap=_cmap("magma", levels))
    fig.colorbar(m1, ax=flat[0], label="Power", pad=0.01)
    m2 = plot_spectrogram(log_mel, times=times, freqs=freqs, yscale="mel", ax=flat[1], fmax=fmax, colorbar=False,
                          cmap=_cmap("magma", levels))
    fig.colorbar(m2, ax=flat[1], label="Level (dB)", pad=0.01)
    odd = levels + 1 if levels is not None and levels % 2 == 0 else levels  # a middle colour of its own for 0
    m3 = _coefficient_mesh(flat[2], C, times, cmap=_cmap("coolwarm", odd))
    fig.colorbar(m3, ax=flat[2], label="Coefficient", pad=0.01)
    titles = ("1. mel spectrogram (power, linear scale)", "2. log-mel spectrogram (dB)",
              "3. DCT along frequency: MFCCs (colour scale clipped; MFCC 1 is far below)")
    for ax, title in zip(flat, titles):
        ax.set_title(title, loc="left", fontsize="medium")
    for ax in flat[:2]:
        ax.set_xlabel("")
    return flat


def plot_log_mel_reconstructions(steps, *, n_coeffs=(13, 20, 40), axes=None, fmax: float | None = None,
                                 levels: int | None = None):
    """The log-mel spectrogram, then rebuilt from its first 13, 20, 40 MFCCs (one colour scale).

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    steps : dict
        From :func:`musicviz.mfcc_hpss_tempo.mfcc_steps`.
    n_coeffs : sequence of int
        The numbers of coefficients to rebuild from (one panel each).
    axes : sequence of Axes or None
        ``1 + len(n_coeffs)`` Axes (a new figure when None).
    fmax : float or None
        Highest frequency shown in Hz.
    levels : int >= 2 or None
        Colours of the colour scale (None: continuous; 16 over the 80 dB shown: 5 dB steps).

    Returns
    -------
    np.ndarray of Axes [shape=(1 + len(n_coeffs),)]

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.mfcc_hpss_tempo import mfcc_steps
    >>> from musicviz.plot.mfcc_hpss_tempo import plot_log_mel_reconstructions
    >>> steps = mfcc_steps(np.random.default_rng(0).normal(scale=0.1, size=22050), sr=22050)
    >>> len(plot_log_mel_reconstructions(steps, n_coeffs=[5, 20]))
    3
    """
    from musicviz.mfcc_hpss_tempo import reconstruct_log_mel, reconstruction_error
    from musicviz.plot.spectrograms import plot_spectrogram

    log_mel, times, freqs = _check_steps(steps)
    ks = [n_coeffs] if np.ndim(n_coeffs) == 0 else list(n_coeffs)
    errors = reconstruction_error(log_mel, n_coeffs=ks)  # checks every k
    import scipy.fft

    dct = scipy.fft.dct(log_mel, axis=0, type=2, norm="ortho")
    _cmap("magma", levels)  # checks levels before a figure exists
    fig, flat, created = _panels(1 + len(ks), axes, height=1.3)
    vmax = float(log_mel.max())
    vmin = vmax - 80.0
    panels = [("log-mel spectrogram", log_mel)] + [
        (f"from the first {k} MFCCs (RMS error {errors[k]:.1f} dB)", reconstruct_log_mel(dct, n_mels=log_mel.shape[0], n_coeffs=k))
        for k in ks
    ]
    mesh = None
    for ax, (title, S) in zip(flat, panels):
        mesh = plot_spectrogram(S, times=times, freqs=freqs, yscale="mel", ax=ax, vmin=vmin, vmax=vmax, fmax=fmax, colorbar=False,
                                cmap=_cmap("magma", levels))
        ax.set_title(title, loc="left", fontsize="medium")
        if ax is not flat[-1]:
            ax.set_xlabel("")
    fig.colorbar(mesh, ax=list(flat), label="Level (dB)", pad=0.01, fraction=0.04, aspect=40)
    return flat


def plot_frame_envelopes(steps, *, time: float, n_coeffs=(13, 20, 40), ax=None):
    """One frame's log-mel spectrum and its smooth envelopes from the first k MFCCs.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    steps : dict
        From :func:`musicviz.mfcc_hpss_tempo.mfcc_steps`.
    time : float
        Seconds: the frame nearest to it is drawn.
    n_coeffs : sequence of int
        One envelope per number of coefficients.
    ax : Axes or None
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
        (several curves: see the return contract in :mod:`musicviz.plot`).

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.mfcc_hpss_tempo import mfcc_steps
    >>> from musicviz.plot.mfcc_hpss_tempo import plot_frame_envelopes
    >>> steps = mfcc_steps(np.random.default_rng(0).normal(scale=0.1, size=22050), sr=22050)
    >>> len(plot_frame_envelopes(steps, time=0.5, n_coeffs=[13]).lines)
    2
    """
    import scipy.fft

    from musicviz.mfcc_hpss_tempo import reconstruct_log_mel

    log_mel, times, freqs = _check_steps(steps)
    if isinstance(time, bool) or not isinstance(time, (int, float, np.floating)) or not times[0] - 1e-9 <= time <= times[-1] + 1e-9:
        raise ParameterError(f"time must be a number of seconds within the frames ({times[0]:.2f}-{times[-1]:.2f} s), got {time!r}")
    ks = [n_coeffs] if np.ndim(n_coeffs) == 0 else list(n_coeffs)
    m = int(np.argmin(np.abs(times - time)))
    frame = log_mel[:, m]
    dct = scipy.fft.dct(frame, type=2, norm="ortho")
    curves = [reconstruct_log_mel(dct, n_mels=len(frame), n_coeffs=k)[:, 0] for k in ks]  # checks each k
    fig, ax, created = get_axes(ax)
    ax.plot(freqs, frame, color="0.6", linewidth=1.0, label="log-mel spectrum")
    colors = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000")
    for i, (k, curve) in enumerate(zip(ks, curves)):
        ax.plot(freqs, curve, color=colors[i % len(colors)], linewidth=1.5, label=f"first {k} MFCCs")
    ax.set_xscale("log")
    ax.set_xlim(freqs[0], freqs[-1])
    from matplotlib.ticker import FixedLocator, NullLocator, ScalarFormatter

    ax.xaxis.set_major_locator(FixedLocator([f for f in (50, 100, 200, 500, 1000, 2000, 5000, 10000) if freqs[0] <= f <= freqs[-1]]))
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("Frequency (Hz, mel band centres)")
    ax.set_ylabel("Level (dB)")
    ax.set_title(f"One frame at {times[m]:.2f} s", loc="left", fontsize="medium")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False, borderaxespad=0)
    if created:
        fig.tight_layout()
    return ax


def _frame_matrix(frame, name):
    if not hasattr(frame, "to_numpy") or not hasattr(frame, "index"):
        raise ParameterError(f"{name} must be a pandas DataFrame (rows: genres), got {type(frame).__name__}")
    check_matrix(frame.to_numpy(dtype=float), name=name)
    return frame.to_numpy(dtype=float)


def plot_genre_means(means, *, labels=None, ax=None, colorbar: bool = True, **kwargs):
    """Heatmap of per-genre means (rows: genres, columns: features), centred on 0.

    With standardized means (:func:`musicviz.mfcc_hpss_tempo.genre_means`) red cells are
    genres above the average of all clips, blue ones below, in standard deviations.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    means : pandas.DataFrame
        One row per genre, one column per feature.
    labels : sequence of str or None
        Column tick labels (default: the column names).
    ax : Axes or None
        Where to draw.
    colorbar : bool
        Add a colorbar.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.imshow` (``vmin``/``vmax`` default to a
        symmetric range).

    Returns
    -------
    matplotlib.image.AxesImage

    Examples
    --------
    >>> import pandas as pd
    >>> from musicviz.plot.mfcc_hpss_tempo import plot_genre_means
    >>> im = plot_genre_means(pd.DataFrame({"a": [1.0, -1.0], "b": [0.5, 0.0]}, index=["rock", "jazz"]))
    >>> im.get_clim()
    (-1.0, 1.0)
    """
    M = _frame_matrix(means, "means")
    labels = [str(c) for c in means.columns] if labels is None else [str(x) for x in labels]
    if len(labels) != M.shape[1]:
        raise ParameterError(f"got {len(labels)} labels for {M.shape[1]} columns")
    lim = float(np.abs(M).max()) or 1.0
    fig, ax, created = get_axes(ax)
    kwargs.setdefault("cmap", "RdBu_r")
    kwargs.setdefault("vmin", -lim)
    kwargs.setdefault("vmax", lim)
    kwargs.setdefault("aspect", "auto")
    kwargs.setdefault("interpolation", "nearest")
    image = ax.imshow(M, **kwargs)
    ax.set_xticks(np.arange(M.shape[1]), labels=labels)
    ax.set_yticks(np.arange(M.shape[0]), labels=[str(g) for g in means.index])
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label="Mean (std. dev. from the average)", pad=0.02)
    if created:
        fig.tight_layout()
    return image


def plot_f_statistic(stats, *, labels=None, highlight: int = 3, ax=None, **kwargs):
    """Bar chart of the ANOVA F-statistic per feature; the ``highlight`` largest in colour.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    stats : pandas.DataFrame or pandas.Series
        From :func:`musicviz.mfcc_hpss_tempo.genre_f_statistic` (column ``F``), or F itself.
    labels : sequence of str or None
        Bar labels (default: the index).
    highlight : int >= 0
        How many of the largest bars to colour.
    ax : Axes or None
        Where to draw.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.bar`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from musicviz.plot.mfcc_hpss_tempo import plot_f_statistic
    >>> ax = plot_f_statistic(pd.Series([3.0, 40.0, 9.0], index=["a", "b", "c"]), highlight=1)
    >>> len(ax.patches)
    3
    """
    F = stats["F"] if hasattr(stats, "columns") else stats
    if not hasattr(F, "index"):
        raise ParameterError(f"stats must be a pandas DataFrame with an 'F' column or a Series, got {type(stats).__name__}")
    values = np.nan_to_num(np.asarray(F, dtype=float), nan=0.0)
    if values.size == 0:
        raise ParameterError("stats is empty")
    labels = [str(i) for i in F.index] if labels is None else [str(x) for x in labels]
    if len(labels) != values.size:
        raise ParameterError(f"got {len(labels)} labels for {values.size} bars")
    if isinstance(highlight, bool) or not isinstance(highlight, (int, np.integer)) or highlight < 0:
        raise ParameterError(f"highlight must be an integer >= 0, got {highlight!r}")
    top = set(np.argsort(-values, kind="stable")[: int(highlight)].tolist())
    colors = ["#D55E00" if i in top else "0.65" for i in range(values.size)]
    fig, ax, created = get_axes(ax)
    kwargs.setdefault("color", colors)
    ax.bar(np.arange(values.size), values, **kwargs)
    ax.set_xticks(np.arange(values.size), labels=labels)
    ax.set_xlim(-0.6, values.size - 0.4)
    ax.set_ylabel("F-statistic (between / within genres)")
    if created:
        fig.tight_layout()
    return ax


def plot_hpss(y, harmonic, percussive, *, sr: int, axes=None, fmax: float | None = None):
    """Spectrograms of a signal and of its harmonic and percussive parts (one colour scale).

    Look for horizontal lines (sustained notes) in the harmonic panel and vertical ones
    (drum hits) in the percussive panel.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    y, harmonic, percussive : np.ndarray [shape=(n,)]
        The signal and its parts (:func:`musicviz.mfcc_hpss_tempo.harmonic_percussive`).
    sr : int > 0
        Sample rate in Hz.
    axes : sequence of 3 Axes or None
        Where to draw.
    fmax : float or None
        Highest frequency shown in Hz.

    Returns
    -------
    np.ndarray of Axes [shape=(3,)]

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.plot.mfcc_hpss_tempo import plot_hpss
    >>> y = np.random.default_rng(0).normal(scale=0.1, size=22050)
    >>> [ax.get_title(loc="left") for ax in plot_hpss(y, 0.5 * y, 0.5 * y, sr=22050)]
    ['signal', 'harmonic part', 'percussive part']
    """
    from musicviz._checks import signal
    from musicviz.plot.spectrograms import LEVEL_LABEL, plot_spectrogram
    from musicviz.spectrograms import stft_db

    parts = {"signal": y, "harmonic part": harmonic, "percussive part": percussive}
    parts = {name: signal(x, sr=sr, name=name.split()[0] if name != "signal" else "y") for name, x in parts.items()}
    if len({x.shape for x in parts.values()}) != 1:
        raise ParameterError("y, harmonic and percussive must have the same number of samples")
    spectra = {name: stft_db(x, sr=sr) for name, x in parts.items()}
    vmax = float(np.ceil(max(S.max() for S, _, _ in spectra.values())))
    fig, flat, created = _panels(3, axes, height=1.4)
    mesh = None
    for ax, (name, (S, t, f)) in zip(flat, spectra.items()):
        mesh = plot_spectrogram(S, times=t, freqs=f, yscale="log", ax=ax, vmin=vmax - 80, vmax=vmax, fmax=fmax, colorbar=False)
        ax.set_title(name, loc="left", fontsize="medium")
        if ax is not flat[-1]:
            ax.set_xlabel("")
    fig.colorbar(mesh, ax=list(flat), label=LEVEL_LABEL, pad=0.01, fraction=0.04, aspect=40)
    return flat


def plot_spectral_contrast(contrast, *, times, bands, ax=None, colorbar: bool = True, **kwargs):
    """Spectral contrast of one clip: octave band (low to high) against time.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    contrast : np.ndarray [shape=(n_bands + 1, t)]
        From :func:`musicviz.mfcc_hpss_tempo.spectral_contrast` (dB).
    times : np.ndarray [shape=(t,)]
        Frame centres in seconds.
    bands : sequence of str
        Band names (Hz), one per row.
    ax : Axes or None
        Where to draw.
    colorbar : bool
        Add a colorbar.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.pcolormesh`.

    Returns
    -------
    matplotlib.collections.QuadMesh

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.plot.mfcc_hpss_tempo import plot_spectral_contrast
    >>> mesh = plot_spectral_contrast(np.full((7, 20), 20.0), times=np.arange(20) * 0.023, bands=list("abcdefg"))
    >>> mesh.axes.get_ylabel()
    'Octave band'
    """
    C = check_matrix(contrast, name="contrast")
    times = check_coords(times, n=C.shape[1], name="times", unit="seconds")
    bands = [str(b) for b in bands]
    if len(bands) != C.shape[0]:
        raise ParameterError(f"bands must name each of the {C.shape[0]} rows of contrast, got {len(bands)} names")
    fig, ax, created = get_axes(ax)
    t_edges = edges(times) if times.size > 1 else np.array([times[0] - 0.01, times[0] + 0.01])
    t_edges[0] = max(t_edges[0], 0.0)
    kwargs.setdefault("cmap", "viridis")
    kwargs.setdefault("rasterized", True)
    mesh = ax.pcolormesh(t_edges, np.arange(C.shape[0] + 1) - 0.5, C, shading="flat", **kwargs)
    ax.set_yticks(np.arange(C.shape[0]), labels=bands)
    ax.set_ylim(-0.5, C.shape[0] - 0.5)
    ax.set_xlim(t_edges[0], t_edges[-1])
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("Octave band")
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, label="Contrast (dB)", pad=0.02)
    if created:
        fig.tight_layout()
    return mesh


def plot_contrast_bands(means, *, bands=None, ax=None, legend: bool = True, **kwargs):
    """Mean spectral contrast per octave band, one line per genre (course colours and markers).

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    means : pandas.DataFrame
        One row per genre, one column per band (dB), e.g. the per-genre means of the table's
        ``spectral_contrast1_mean`` ... ``spectral_contrast7_mean``.
    bands : sequence of str or None
        Band names for the x axis (default: the column names).
    ax : Axes or None
        Where to draw.
    legend : bool
        One legend entry per genre, outside the axes on the right.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from musicviz.plot.mfcc_hpss_tempo import plot_contrast_bands
    >>> ax = plot_contrast_bands(pd.DataFrame([[20.0, 18, 25], [15.0, 14, 16]], index=["classical", "metal"]))
    >>> len(ax.lines)
    2
    """
    M = _frame_matrix(means, "means")
    bands = [str(c) for c in means.columns] if bands is None else [str(b) for b in bands]
    if len(bands) != M.shape[1]:
        raise ParameterError(f"got {len(bands)} band names for {M.shape[1]} columns")
    fig, ax, created = get_axes(ax)
    kwargs.setdefault("linewidth", 1.3)
    kwargs.setdefault("markersize", 5)
    x = np.arange(M.shape[1])
    for genre, row in zip(means.index, M):
        ax.plot(x, row, color=genre_color(genre), marker=genre_marker(genre), label=str(genre),
                markeredgecolor="0.2", markeredgewidth=0.4, **kwargs)
    ax.set_xticks(x, labels=bands)
    ax.set_xlabel("Octave band")
    ax.set_ylabel("Mean contrast (dB)")
    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False, borderaxespad=0)
    if created:
        fig.tight_layout()
    return ax
