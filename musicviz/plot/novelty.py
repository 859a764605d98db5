"""Plotting novelty curves, their peaks, and the periodicities a tempo estimate chooses from.

Notebooks: ``03b_mfcc_hpss_tempo.ipynb`` (its tempo part). Computation lives in
:mod:`musicviz.novelty` (or in the notebook's own numpy cells); these helpers draw it with
time in seconds and tempo in beats per minute. Each takes ``ax=None``, creates a figure only
when it was given none, and returns what the contract of :mod:`musicviz.plot` says.
"""

from __future__ import annotations

import numpy as np

from musicviz.errors import ParameterError
from musicviz.plot._helpers import check_coords, get_axes

__all__ = ["plot_novelty", "plot_autocorrelation"]

_TEMPO_TICKS = (20, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250, 300, 400)


def _curve(values, name):
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)):
        raise ParameterError(f"{name} must be a non-empty 1-D array of finite numbers, got shape {arr.shape}")
    return arr


def _scaled(x, normalize):
    peak = float(np.max(np.abs(x)))
    return x / peak if normalize and peak > 0 else x


def _tempo_axis(axis, lo, hi):
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator, ScalarFormatter

    axis.set_major_locator(FixedLocator([t for t in _TEMPO_TICKS if lo <= t <= hi]))
    axis.set_major_formatter(ScalarFormatter())
    axis.set_minor_locator(NullLocator())
    axis.set_minor_formatter(NullFormatter())


def plot_novelty(novelty, *, times, reference=None, peaks=None, threshold=None, beats=None, normalize: bool = True,
                 label: str = "novelty", reference_label: str = "reference", ax=None, **kwargs):
    """A novelty curve against time, with what was found on it: peaks, a threshold, beats.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    novelty : np.ndarray [shape=(t,)]
        The curve (e.g. a spectral flux computed by hand).
    times : np.ndarray [shape=(t,)]
        Its frame times in seconds.
    reference : np.ndarray [shape=(t,)] or None
        A second curve on the same frames to compare with (e.g. librosa's ``onset_strength``),
        drawn thinner, in orange.
    peaks : array-like of int or None
        Frame indices of picked peaks: a dot on the curve at each.
    threshold : float or None
        A horizontal line (in the units drawn: a fraction of the maximum when ``normalize``).
    beats : array-like of float or None
        Beat times in seconds: a vertical line at each.
    normalize : bool
        Divide each curve by its maximum (curves of different scales side by side).
    label, reference_label : str
        Legend entries.
    ax : Axes or None
        Where to draw.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.plot` (the novelty curve).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.plot.novelty import plot_novelty
    >>> x = np.abs(np.sin(np.arange(100) / 5))
    >>> ax = plot_novelty(x, times=np.arange(100) * 0.023, peaks=[8, 23], threshold=0.1)
    >>> ax.get_ylabel()
    'Novelty (/ maximum)'
    """
    x = _curve(novelty, "novelty")
    times = check_coords(times, n=x.size, name="times", unit="seconds")
    ref = None if reference is None else _curve(reference, "reference")
    if ref is not None and ref.size != x.size:
        raise ParameterError(f"reference must hold one value per frame ({x.size}), got {ref.size}")
    idx = None if peaks is None else np.asarray(peaks).astype(int).ravel()
    if idx is not None and idx.size and (idx.min() < 0 or idx.max() >= x.size):
        raise ParameterError(f"peaks must be frame indices in [0, {x.size}), got {idx.min()} ... {idx.max()}")
    beat_times = None if beats is None else np.asarray(beats, dtype=float).ravel()
    if beat_times is not None and not np.all(np.isfinite(beat_times)):
        raise ParameterError("beats must be finite times in seconds")
    fig, ax, created = get_axes(ax)
    shown = _scaled(x, normalize)
    kwargs.setdefault("color", "#0072B2")
    kwargs.setdefault("linewidth", 1.2)
    ax.plot(times, shown, label=label, **kwargs)
    if ref is not None:
        ax.plot(times, _scaled(ref, normalize), color="#E69F00", linewidth=0.9, alpha=0.9, label=reference_label)
    if threshold is not None:
        ax.axhline(float(threshold), color="0.5", linestyle=":", linewidth=1.0, label="threshold")
    if idx is not None:
        ax.plot(times[idx], shown[idx], "o", color="#D55E00", markersize=4, label="picked peak")
    if beat_times is not None:
        for i, b in enumerate(beat_times):
            ax.axvline(b, color="0.35", linestyle="--", linewidth=0.9, label="tracked beat" if i == 0 else None)
    ax.set_xlim(times[0], times[-1])
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("Novelty (/ maximum)" if normalize else "Novelty")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False, borderaxespad=0)
    if created:
        fig.tight_layout()
    return ax


def plot_autocorrelation(acf, *, tempi, truth=None, factors=("1/3", "1/2", "2/3", "1", "3/2", "2"), prior=None,
                         estimate=None, relative: bool = False, marks: bool = True, label: str = "autocorrelation",
                         ax=None, **kwargs):
    """Autocorrelation of a novelty curve against tempo, with the true tempo and its multiples.

    Each lag is drawn at its tempo (60 / lag in seconds) on a log axis, so a factor of the
    tempo is the same distance everywhere. Dotted lines mark the true tempo times each factor
    (``"1/2"``: the tracker taps every other beat; ticks name them when ``relative``, labels
    above the axes otherwise); a dashed curve in the line's colour shows a
    tempo prior; a triangle marks the estimate. With ``relative=True`` the axis is the tempo
    divided by the true tempo, so that several clips share the lines of the factors (call the
    helper once per clip, with ``marks=False`` after the first).

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    acf : np.ndarray [shape=(n,)]
        Autocorrelation at each lag (:func:`musicviz.novelty.novelty_autocorrelation`).
    tempi : np.ndarray [shape=(n,)]
        The tempo of each lag in BPM.
    truth : float or None
        The true tempo in BPM (required with ``relative``).
    factors : sequence of str
        Keys of :data:`musicviz.tempo.TEMPO_FACTORS` to mark (with ``truth``).
    prior : np.ndarray [shape=(n,)] or None
        A weight per tempo between 0 and 1 (:func:`musicviz.novelty.tempo_prior`).
    estimate : float or None
        An estimated tempo in BPM.
    relative : bool
        Tempo divided by ``truth`` on the x axis.
    marks : bool
        Draw the lines of the factors (False for a second clip on the same axes).
    label : str
        Legend entry of the autocorrelation (the prior's and the estimate's follow it).
    ax : Axes or None
        Where to draw.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.plot` (the autocorrelation).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.plot.novelty import plot_autocorrelation
    >>> tempi = np.linspace(300, 40, 100)
    >>> ax = plot_autocorrelation(np.cos(tempi / 10), tempi=tempi, truth=120.0)
    >>> ax.get_xlabel()
    'Tempo (BPM), log scale'
    >>> plot_autocorrelation(np.cos(tempi / 10), tempi=tempi, truth=120.0, relative=True).get_xlabel()
    'Tempo / true tempo, log scale'
    """
    from musicviz.tempo import TEMPO_FACTORS

    a = _curve(acf, "acf")
    t = _curve(tempi, "tempi")
    if t.size != a.size or np.any(t <= 0):
        raise ParameterError(f"tempi must hold one tempo > 0 BPM per value of acf ({a.size}), got {t.size}")
    unknown = [f for f in factors if f not in TEMPO_FACTORS]
    if unknown:
        raise ParameterError(f"factors must be keys of TEMPO_FACTORS {list(TEMPO_FACTORS)}, got {unknown[0]!r}")
    w = None if prior is None else _curve(prior, "prior")
    if w is not None and w.size != a.size:
        raise ParameterError(f"prior must hold one weight per tempo ({a.size}), got {w.size}")
    for name, value in (("truth", truth), ("estimate", estimate)):
        if value is not None and (isinstance(value, bool) or not np.isfinite(value) or value <= 0):
            raise ParameterError(f"{name} must be a tempo > 0 BPM, got {value!r}")
    if relative and truth is None:
        raise ParameterError("relative=True needs the true tempo (truth=...)")
    scale = float(truth) if relative else 1.0
    x = t / scale
    fig, ax, created = get_axes(ax)
    order = np.argsort(x)
    kwargs.setdefault("color", "#0072B2")
    kwargs.setdefault("linewidth", 1.3)
    (line,) = ax.plot(x[order], a[order], label=label, **kwargs)
    if w is not None:
        ax.plot(x[order], w[order], "--", color=line.get_color(), alpha=0.6, linewidth=1.0, label=f"{label}: prior at 120 BPM")
    lo, hi = float(x.min()), float(x.max())
    if ax.get_xscale() == "log" and not created:  # a second curve: keep the union of the ranges
        lo, hi = min(lo, ax.get_xlim()[0]), max(hi, ax.get_xlim()[1])
    if truth is not None and marks:
        for name in factors:
            value = TEMPO_FACTORS[name] * (1.0 if relative else float(truth))
            ax.axvline(value, color="#009E73" if name == "1" else "0.6", linestyle=":", linewidth=1.2 if name == "1" else 1.0)
            if not relative:  # (relative: the ticks name the factors)
                ax.text(value, 1.0, "truth" if name == "1" else f"x{name}", transform=ax.get_xaxis_transform(), ha="center",
                        va="bottom", fontsize=7, color="#009E73" if name == "1" else "0.4")
    if estimate is not None:
        k = int(np.argmin(np.abs(t - float(estimate))))
        ax.plot([float(estimate) / scale], [a[k]], "v", color=line.get_color(), markeredgecolor="0.1", markersize=7,
                label=f"{label}: estimate")
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    if relative:
        from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

        ticks = sorted({TEMPO_FACTORS[f] for f in factors} | {0.25})
        names = {v: k for k, v in TEMPO_FACTORS.items()} | {0.25: "1/4"}
        ax.xaxis.set_major_locator(FixedLocator([v for v in ticks if lo <= v <= hi]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: names.get(v, f"{v:g}")))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xlabel("Tempo / true tempo, log scale")
    else:
        _tempo_axis(ax.xaxis, lo, hi)
        ax.set_xlabel("Tempo (BPM), log scale")
    ax.set_ylabel("Autocorrelation")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False, borderaxespad=0)
    if created:
        fig.tight_layout()
    return ax
