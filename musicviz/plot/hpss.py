"""Plotting harmonic-percussive separation step by step: the two median filters, the mask, the parts.

Notebooks: ``03b_mfcc_hpss_tempo.ipynb`` (its HPSS part). Computation lives in
:mod:`musicviz.hpss` (or in the notebook's own numpy cells). The helper takes ``axes=None``,
creates a figure only when it was given none, and returns the panels (the contract of
:mod:`musicviz.plot`).
"""

from __future__ import annotations

import numpy as np

from musicviz.errors import ParameterError

__all__ = ["plot_hpss_steps"]

_KEYS = ("stft", "harmonic_median", "percussive_median", "harmonic_mask", "times", "freqs")


def plot_hpss_steps(steps, *, axes=None, fmax: float | None = None, floor_db: float = 80.0, rows: int | None = None,
                    levels: int | None = None):
    """Six panels: the spectrogram, its two median filters, the harmonic mask, the two parts.

    Top row, on one colour scale (dBFS): the magnitude spectrogram :math:`|X|`, its median
    along time (the horizontal lines survive), its median along frequency (the vertical
    lines survive). Bottom row: the harmonic part :math:`|M_H X|` and the percussive part
    :math:`|(1 - M_H) X|` on the colour scale of the top row, then the harmonic mask
    :math:`M_H` (0 to 1; the percussive mask is :math:`1 - M_H`).

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    steps : dict
        From :func:`musicviz.hpss.median_hpss` (or a dict with its keys).
    axes : sequence of 6 Axes or None
        Where to draw (a new 2 x 3 figure when None).
    fmax : float or None
        Highest frequency shown in Hz.
    floor_db : float > 0
        Range of the colour scale below the loudest bin, in dB.
    rows : int > 0 or None
        Draw the bins averaged (in power; the mask as it is) into about this many rows, equally
        spaced on the log-frequency axis (None: every bin). A panel a hundred pixels high shows
        no finer rows, and the stored image (a notebook's PNG) is much smaller.
    levels : int >= 2 or None
        Colours per colour scale (None: continuous; 16 over 80 dB: 5 dB steps), again for a
        smaller stored image.

    Returns
    -------
    np.ndarray of Axes [shape=(6,)]

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.hpss import median_hpss
    >>> from musicviz.plot.hpss import plot_hpss_steps
    >>> steps = median_hpss(np.random.default_rng(0).normal(scale=0.1, size=22050), sr=22050)
    >>> [ax.get_title(loc="left") for ax in plot_hpss_steps(steps)][-1]
    'harmonic mask'
    """
    import matplotlib.pyplot as plt

    from musicviz._checks import check_matrix, positive_float, positive_int
    from musicviz.plot._helpers import check_coords
    from musicviz.plot.spectrograms import LEVEL_LABEL, plot_spectrogram

    if not hasattr(steps, "keys") or any(k not in steps for k in _KEYS):
        raise ParameterError(f"steps must be the dict of musicviz.hpss.median_hpss (keys {_KEYS})")
    X = np.asarray(steps["stft"])
    if X.ndim != 2 or X.size == 0:
        raise ParameterError(f"steps['stft'] must be a 2-D STFT (bins x frames), got shape {X.shape}")
    A = np.abs(X)
    H = check_matrix(steps["harmonic_median"], name="steps['harmonic_median']")
    P = check_matrix(steps["percussive_median"], name="steps['percussive_median']")
    M = check_matrix(steps["harmonic_mask"], name="steps['harmonic_mask']")
    if not (A.shape == H.shape == P.shape == M.shape):
        raise ParameterError(f"the arrays of steps must share one shape, got {A.shape}, {H.shape}, {P.shape}, {M.shape}")
    if M.min() < -1e-9 or M.max() > 1 + 1e-9:
        raise ParameterError("steps['harmonic_mask'] must lie between 0 and 1")
    floor_db = positive_float(floor_db, "floor_db")
    n_fft = 2 * (A.shape[0] - 1)
    full_scale = np.hanning(n_fft + 1)[:-1].sum() / 2.0  # a full-scale sine peaks at 0 dBFS (notebook 02)

    def db(mag):
        return 20.0 * np.log10(np.maximum(mag / full_scale, 1e-10))

    freqs = check_coords(steps["freqs"], n=A.shape[0], name="steps['freqs']", unit="Hz")
    starts = np.arange(A.shape[0])
    if rows is not None:  # log-spaced groups of bins, at least one bin each
        starts = np.unique(np.round(np.geomspace(1, A.shape[0], positive_int(rows, "rows"))).astype(int) - 1)
    sizes = np.diff(np.append(starts, A.shape[0]))[:, None]

    def rows_of(values):
        return np.add.reduceat(values, starts, axis=0) / sizes

    freqs = np.add.reduceat(freqs, starts) / sizes[:, 0]
    panels = [("spectrogram |X|", db(np.sqrt(rows_of(A**2)))), ("median along time", db(np.sqrt(rows_of(H**2)))),
              ("median along frequency", db(np.sqrt(rows_of(P**2)))), ("harmonic part", db(np.sqrt(rows_of((M * A) ** 2)))),
              ("percussive part", db(np.sqrt(rows_of(((1.0 - M) * A) ** 2)))), ("harmonic mask", rows_of(M))]
    if levels is not None and (isinstance(levels, bool) or not isinstance(levels, (int, np.integer)) or levels < 2):
        raise ParameterError(f"levels must be an integer >= 2 or None, got {levels!r}")
    level_cmap = plt.get_cmap("magma", levels) if levels else "magma"
    mask_cmap = plt.get_cmap("viridis", max(2, int(levels) * 5 // 8)) if levels else "viridis"
    if axes is None:
        width = plt.rcParams["figure.figsize"][0]
        fig, grid = plt.subplots(2, 3, figsize=(width, 3.6), sharex=True, sharey=True, layout="constrained")
        flat = grid.ravel()
    else:
        flat = np.asarray(axes, dtype=object).ravel()
        if flat.size != 6:
            raise ParameterError(f"axes must hold 6 Axes (one per panel), got {flat.size}")
        fig = flat[0].figure
    vmax = float(np.ceil(panels[0][1].max()))
    level = mask = None
    for ax, (title, S) in zip(flat, panels):
        if title == "harmonic mask":
            mask = plot_spectrogram(S, times=steps["times"], freqs=freqs, yscale="log", ax=ax, vmin=0.0, vmax=1.0,
                                    fmax=fmax, colorbar=False, cmap=mask_cmap)
        else:
            level = plot_spectrogram(S, times=steps["times"], freqs=freqs, yscale="log", ax=ax,
                                     vmin=vmax - floor_db, vmax=vmax, fmax=fmax, colorbar=False, cmap=level_cmap)
        ax.set_title(title, loc="left", fontsize="medium")
    for i, ax in enumerate(flat):
        if i < 3:
            ax.set_xlabel("")
        if i % 3:
            ax.set_ylabel("")
    fig.colorbar(level, ax=list(flat[:3]), label=LEVEL_LABEL, pad=0.01, aspect=15)
    fig.colorbar(mask, ax=list(flat[3:]), label="Harmonic mask", pad=0.01, aspect=15)
    return flat
