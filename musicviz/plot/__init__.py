"""Plot helpers, one module per notebook; computation lives in the top-level modules.

=========================  =====================================
module                     notebook
=========================  =====================================
``plot.waveforms``         01_waveforms
``plot.spectrograms``      02_spectrograms
``plot.chroma``            03_chroma_and_zero_crossings
``plot.mfcc_hpss_tempo``   03b_mfcc_hpss_tempo
``plot.tempo``             03b_mfcc_hpss_tempo (beats and tempo; re-exported by ``plot.mfcc_hpss_tempo``)
``plot.features``          04_features_and_standardization
``plot.models``            05_baseline_models, 05b_baselines_on_real_gtzan, 06_cnn
``plot.cnn``               06_cnn, 07_classify_your_own_clip
``plot.pretrained``        08_transfer_learning, 07_classify_your_own_clip
``plot.palette``           every figure that tells genres apart (one palette + markers)
=========================  =====================================

Every helper has the form ``plot_x(data, *, ..., ax=None, **kwargs)`` (``axes=None`` when it
draws several panels); it creates a figure only when it is given none (and calls
``tight_layout`` only on that figure), labels time and frequency in seconds and Hz (never
frames or bins), and never calls ``plt.show()`` or ``savefig``. Importing this package changes no global matplotlib
state; :func:`use_style` is the one explicit call that does.

Return contract
---------------
librosa's: :func:`librosa.display.specshow` returns the ``QuadMesh`` it drew, and the
helpers here return, by what they draw (the helper decides, never its data or ``**kwargs``):

1. **One artist on one Axes** (a single plot) -> **that artist**: an image (``QuadMesh`` from
   ``specshow``/``pcolormesh``, ``AxesImage`` from ``imshow``), one curve (``Line2D``). An
   image is the mappable ``fig.colorbar`` and ``set_clim`` need; ``artist.axes`` and
   ``artist.figure`` reach the rest. A colorbar the helper adds (it lives on an Axes of its
   own), labels, ticks and the title do not count.
2. **Several artists on one Axes** -> **the Axes**: a waveform with its zero line, a curve with
   its mean line or error band, bars with their values, box plots, an image with a number in
   each cell, and anything seaborn draws (seaborn's axes-level functions return the Axes, and
   their keyword arguments can add artists, e.g. ``annot=True``).
3. **Several panels** -> **a 1-D** ``np.ndarray`` **of Axes** in panel order, also when the
   caller passed them (``axes=``); colorbar Axes are not in it.

One exception: :func:`musicviz.plot.features.pair_plot` returns seaborn's ``PairGrid``:
``seaborn.pairplot`` is figure-level (it makes its own figure and takes no Axes), and the grid
is the one object holding both (``grid.figure``, ``grid.axes``).

``tests/test_plot_contract.py`` calls every public helper and checks its return against this.
"""

from __future__ import annotations

import importlib

__all__ = [
    "STYLE",
    "use_style",
    "palette",
    "waveforms",
    "spectrograms",
    "chroma",
    "mfcc_hpss_tempo",
    "tempo",
    "features",
    "models",
    "cnn",
    "pretrained",
]

_SUBMODULES = {"palette", "waveforms", "spectrograms", "chroma", "mfcc_hpss_tempo", "tempo", "features", "models", "cnn",
               "pretrained"}

#: The course's matplotlib settings: fixed figure size and DPI so stored notebook outputs
#: (``<Figure size 640x480 with 1 Axes>``) are the same on every machine, readable fonts,
#: and a fixed SVG hash salt so exported SVG files are byte-reproducible.
STYLE: dict = {
    "figure.figsize": (8.0, 3.5),
    "figure.dpi": 80,
    "savefig.dpi": 150,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "image.cmap": "magma",
    "svg.hashsalt": "musicviz",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
}


def use_style(**overrides) -> dict:
    """Apply the course style to matplotlib (explicitly: importing musicviz never does).

    Parameters
    ----------
    **overrides
        rcParams to change on top of :data:`STYLE` (use ``_`` for ``.``: ``figure_dpi=100``
        or pass real names through a dict: ``use_style(**{"figure.dpi": 100})``).

    Returns
    -------
    dict
        The rcParams that were set.

    Examples
    --------
    >>> import matplotlib
    >>> from musicviz.plot import use_style
    >>> _ = use_style()
    >>> matplotlib.rcParams["svg.hashsalt"]
    'musicviz'
    """
    import matplotlib

    params = dict(STYLE)
    for key, value in overrides.items():
        params[key if "." in key else key.replace("_", ".", 1)] = value
    matplotlib.rcParams.update(params)
    return params


def __getattr__(name: str):
    if name in _SUBMODULES:
        module = importlib.import_module(f"musicviz.plot.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'musicviz.plot' has no attribute {name!r}")
