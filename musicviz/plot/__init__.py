"""Plot helpers, one module per notebook; computation lives in the top-level modules.

=========================  =====================================
module                     notebook
=========================  =====================================
``plot.waveforms``         01_waveforms
``plot.spectrograms``      02_spectrograms
``plot.chroma``            03_chroma_and_zero_crossings
``plot.features``          04_features_and_standardization
``plot.models``            05_baseline_models, 05b_baselines_on_real_gtzan, 06_cnn
``plot.cnn``               06_cnn, 07_classify_your_own_clip
=========================  =====================================

Every helper follows one contract: ``plot_x(data, *, sr=..., ax=None, **kwargs)``; it creates
a figure only when ``ax is None``, returns the Axes (or the image artist for images), and
never calls ``plt.show()`` or ``savefig``. Importing this package changes no global
matplotlib state; :func:`use_style` is the one explicit call that does.
"""

from __future__ import annotations

import importlib

__all__ = ["STYLE", "use_style", "waveforms", "spectrograms", "chroma", "features", "models", "cnn"]

_SUBMODULES = {"waveforms", "spectrograms", "chroma", "features", "models", "cnn"}

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
