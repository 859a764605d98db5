"""Plots for the CNN and for classifying one clip.

Notebooks: ``06_cnn.ipynb`` (log-mel input, training curves, feature maps, occlusion maps) and
``07_classify_your_own_clip.ipynb`` (genre probabilities). Computation lives in
:mod:`musicviz.cnn`; these helpers only draw.
"""

from __future__ import annotations

import numpy as np

from musicviz.errors import ParameterError

__all__ = [
    "LOG_MEL_LABEL",
    "plot_log_mel",
    "plot_feature_map",
    "plot_occlusion",
    "plot_training_curves",
    "plot_genre_probabilities",
]


#: The level of a CNN input segment: ``librosa.power_to_db(mel power, ref=1.0)``, decibels
#: relative to a mel-band power of 1, not notebook 02's dBFS (0 dB = a full-scale sine).
LOG_MEL_LABEL = "Level (dB re mel power 1)"


def plot_log_mel(S_db, *, config=None, ax=None, colorbar: bool = True, colorbar_label: str = LOG_MEL_LABEL, **kwargs):
    """One log-mel segment, as the CNN sees it: time in seconds, frequency in Hz (mel scale).

    Notebook: ``06_cnn.ipynb``.

    The segments of :func:`musicviz.cnn.segment_mels` are ``power_to_db(..., ref=1.0)``:
    decibels relative to a mel-band power of 1, a fixed reference that does not depend on
    the clip. They are not the dBFS of notebook 02's spectrograms, whose 0 dB is a
    full-scale sine, so the colour bar says which scale it shows.

    Parameters
    ----------
    S_db : np.ndarray [shape=(n_mels, n_frames)]
        A log-mel segment (dB, or standardized values).
    config : musicviz.cnn.MelConfig or None
        Its parameters (default ``MelConfig()``).
    ax : matplotlib Axes or None
    colorbar : bool
        Add a colour bar (only when the figure is created here).
    colorbar_label : str
        Its label (default :data:`LOG_MEL_LABEL`; e.g. ``"standardized level"`` for
        segments after :class:`~musicviz.cnn.BandScaler`).
    **kwargs
        Passed on to ``librosa.display.specshow``.

    Returns
    -------
    matplotlib.collections.QuadMesh

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.plot.cnn import plot_log_mel
    >>> img = plot_log_mel(np.zeros((64, 130)))
    >>> img.axes.get_xlabel(), img.figure.axes[1].get_ylabel()
    ('Time (s)', 'Level (dB re mel power 1)')
    """
    import librosa.display
    import matplotlib.pyplot as plt

    from musicviz.cnn.data import MelConfig

    config = MelConfig() if config is None else config
    S_db = np.asarray(S_db)
    if S_db.ndim != 2 or S_db.shape[0] != config.n_mels:
        raise ParameterError(f"S_db must have shape ({config.n_mels}, frames), got {S_db.shape}")
    created = ax is None
    if created:
        fig, ax = plt.subplots()
    kwargs.setdefault("cmap", "magma")
    img = librosa.display.specshow(
        S_db, sr=config.sr, hop_length=config.hop_length, n_fft=config.n_fft, x_axis="s", y_axis="mel", ax=ax, **kwargs
    )
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("Frequency (Hz, mel scale)")
    if created:
        if colorbar:
            fig.colorbar(img, ax=ax, format="%+.0f", label=colorbar_label)
        fig.tight_layout()
    return img


def _map_on_mel_axes(values, *, config, ax, what: str, **kwargs):
    """Draw a (bands, frames) map of a segment, possibly pooled, on time (s) and mel (Hz) axes."""
    import librosa.display
    import matplotlib.pyplot as plt

    from musicviz.cnn.data import MelConfig

    config = MelConfig() if config is None else config
    values = np.asarray(values, dtype=float)
    if values.ndim != 2 or values.shape[0] < 1 or config.n_mels % values.shape[0]:
        raise ParameterError(f"{what} must have shape (bands, frames) with bands dividing {config.n_mels}, got {values.shape}")
    factor = config.n_mels // values.shape[0]  # 1 for a conv1 map, 2 after one pooling, ...
    created = ax is None
    if created:
        _, ax = plt.subplots()
    img = librosa.display.specshow(values, sr=config.sr, hop_length=config.hop_length * factor, x_axis="s",
                                   y_axis="mel", fmax=config.sr / 2, ax=ax, **kwargs)
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("Frequency (Hz, mel scale)")
    return img, created


def plot_feature_map(fmap, *, config=None, ax=None, colorbar: bool = True, **kwargs):
    """One feature map of a convolution layer over a segment, on the segment's time and mel axes.

    Notebook: ``06_cnn.ipynb``.

    A feature map of the first convolution has the input's shape (bands x frames); after each
    2 x 2 pooling it has half the bands and half the frames, and is drawn over the same 3 s
    and the same frequency range.

    Parameters
    ----------
    fmap : np.ndarray [shape=(bands, frames)]
        One channel of :func:`musicviz.cnn.inspect.layer_outputs` (``maps[i, :, :, c]``).
    config : musicviz.cnn.MelConfig or None
    ax : matplotlib Axes or None
    colorbar : bool
        Add a colour bar (only when the figure is created here).
    **kwargs
        Passed on to ``librosa.display.specshow`` (default colour map ``"viridis"``).

    Returns
    -------
    matplotlib.collections.QuadMesh

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.plot.cnn import plot_feature_map
    >>> img = plot_feature_map(np.zeros((32, 65)))  # after one pooling: half the bands and frames
    >>> img.axes.get_xlabel(), round(float(img.axes.get_xlim()[1]), 1)
    ('Time (s)', 3.0)
    """
    kwargs.setdefault("cmap", "viridis")
    img, created = _map_on_mel_axes(fmap, config=config, ax=ax, what="fmap", **kwargs)
    if created:
        if colorbar:
            img.axes.figure.colorbar(img, ax=img.axes, label="activation")
        img.axes.figure.tight_layout()
    return img


def plot_occlusion(drop, *, config=None, ax=None, colorbar: bool = True, **kwargs):
    """An occlusion map: where hiding the input lowers (red) or raises (blue) a genre's log-odds.

    Notebook: ``06_cnn.ipynb``.

    Parameters
    ----------
    drop : np.ndarray [shape=(n_mels, n_frames)]
        :attr:`musicviz.cnn.inspect.OcclusionMap.drop`.
    config : musicviz.cnn.MelConfig or None
    ax : matplotlib Axes or None
    colorbar : bool
        Add a colour bar (only when the figure is created here).
    **kwargs
        Passed on to ``librosa.display.specshow`` (default: ``"RdBu_r"``, symmetric around 0).

    Returns
    -------
    matplotlib.collections.QuadMesh

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.plot.cnn import plot_occlusion
    >>> img = plot_occlusion(np.linspace(-0.2, 0.5, 64 * 130).reshape(64, 130))
    >>> img.get_clim()
    (-0.5, 0.5)
    """
    drop = np.asarray(drop, dtype=float)
    limit = float(np.nanmax(np.abs(drop))) if drop.size else 0.0
    limit = limit if limit > 0 else 1.0
    kwargs.setdefault("cmap", "RdBu_r")
    kwargs.setdefault("vmin", -limit)
    kwargs.setdefault("vmax", limit)
    img, created = _map_on_mel_axes(drop, config=config, ax=ax, what="drop", **kwargs)
    if created:
        if colorbar:
            img.axes.figure.colorbar(img, ax=img.axes, label="drop of log-odds")
        img.axes.figure.tight_layout()
    return img


def plot_training_curves(history, *, best_epoch: int | None = None, axes=None):
    """Loss and accuracy per epoch, training against validation, side by side.

    Notebook: ``06_cnn.ipynb``.

    Parameters
    ----------
    history : dict
        ``{"loss": [...], "accuracy": [...], "val_loss": [...], "val_accuracy": [...]}``
        (``CNNClassifier.history`` or a Keras ``History.history``).
    best_epoch : int or None
        Mark the epoch whose weights were kept (1-based).
    axes : pair of Axes or None
        Where to draw; a 1x2 figure is made when None.

    Returns
    -------
    np.ndarray of 2 Axes

    Examples
    --------
    >>> from musicviz.plot.cnn import plot_training_curves
    >>> axes = plot_training_curves({"loss": [2.0, 1.0], "accuracy": [0.3, 0.6]})
    >>> [ax.get_ylabel() for ax in axes]
    ['loss', 'accuracy']
    """
    import matplotlib.pyplot as plt

    if not history or "loss" not in history:
        raise ParameterError("history must hold at least a 'loss' list (one value per epoch)")
    created = axes is None
    if created:
        fig, axes = plt.subplots(1, 2)
    axes = np.asarray(axes).ravel()
    if axes.size != 2:
        raise ParameterError(f"axes must be two Axes, got {axes.size}")
    for ax, metric in zip(axes, ("loss", "accuracy")):
        for key, label, style in ((metric, "training", "-o"), (f"val_{metric}", "validation", "-s")):
            values = history.get(key)
            if values:
                ax.plot(np.arange(1, len(values) + 1), values, style, markersize=3, label=label)
        if best_epoch:
            ax.axvline(best_epoch, color="0.5", linestyle=":", label=f"kept (epoch {best_epoch})")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        if metric == "accuracy":
            ax.set_ylim(0, 1.02)
        # Centre right: the curves start high (loss) or low (accuracy) on the left and settle at
        # the other end, so the middle of the right side stays free of data.
        ax.legend(fontsize=8, loc="center right")
    if created:
        fig.tight_layout()
    return axes


def plot_genre_probabilities(probabilities, *, ax=None, title: str | None = None, highlight: str | None = None, **kwargs):
    """Genre probabilities as horizontal bars, the most likely genre highlighted.

    Notebook: ``07_classify_your_own_clip.ipynb``.

    Parameters
    ----------
    probabilities : dict or pandas.Series
        ``{genre: probability}`` (e.g. :func:`musicviz.cnn.predict_clip`).
    ax : Axes or None
    title : str or None
    highlight : str or None
        Genre to highlight (default: the most likely one).
    **kwargs
        Passed on to ``ax.barh``.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from musicviz.plot.cnn import plot_genre_probabilities
    >>> ax = plot_genre_probabilities({"rock": 0.6, "jazz": 0.4})
    >>> len(ax.patches)
    2
    """
    import matplotlib.pyplot as plt

    items = list(dict(probabilities).items())
    if not items:
        raise ParameterError("probabilities is empty")
    genres = [str(g) for g, _ in items]
    values = np.array([float(p) for _, p in items])
    if not np.all(np.isfinite(values)) or values.min() < 0:
        raise ParameterError("probabilities must be finite and non-negative")
    highlight = genres[int(values.argmax())] if highlight is None else highlight
    created = ax is None
    if created:
        fig, ax = plt.subplots()
    colors = ["C1" if g == highlight else "C0" for g in genres]
    kwargs.setdefault("color", colors)
    ax.barh(np.arange(len(genres)), values, **kwargs)
    ax.set_yticks(np.arange(len(genres)), genres)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("probability")
    for i, v in enumerate(values):
        ax.text(min(v + 0.01, 0.9), i, f"{v:.2f}", va="center", fontsize=8)
    if title:
        ax.set_title(title)
    if created:
        fig.tight_layout()
    return ax
