"""Plots for the pretrained network: tags over time, the network's input, clip-level tags.

Notebooks: ``08_transfer_learning.ipynb``, ``07_classify_your_own_clip.ipynb``. Computation
lives in :mod:`musicviz.pretrained`; these helpers only draw.
"""

from __future__ import annotations

import numpy as np

from musicviz.errors import ParameterError

__all__ = ["plot_taggram", "plot_network_input"]

_PATCH_SECONDS = 187 * 256 / 16000  # musicviz.pretrained.inputs.PATCH_SECONDS (kept import-free)


def _check_taggram(probabilities, tags, times):
    probs = np.asarray(probabilities, dtype=float)
    if probs.ndim != 2 or probs.shape[0] == 0:
        raise ParameterError(f"probabilities must have shape (n_patches, n_tags), got {probs.shape}")
    tags = [str(t) for t in tags]
    if len(tags) != probs.shape[1]:
        raise ParameterError(f"tags has {len(tags)} names for {probs.shape[1]} columns of probabilities")
    times = np.asarray(times, dtype=float)
    if times.shape != (probs.shape[0],) or not np.all(np.isfinite(times)) or np.any(np.diff(times) <= 0):
        raise ParameterError(f"times must be {probs.shape[0]} increasing patch start times (s), got shape {times.shape}")
    if not np.all(np.isfinite(probs)):
        raise ParameterError("probabilities must be finite")
    return probs, tags, times


def _top(probs, tags, top):
    if top is None:
        return np.arange(len(tags))
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise ParameterError(f"top must be a positive integer or None, got {top!r}")
    return np.argsort(-probs.mean(axis=0), kind="stable")[: int(top)]


def plot_taggram(probabilities, *, tags, times, top: int | None = 15, patch_seconds: float = _PATCH_SECONDS,
                 ax=None, colorbar: bool = True, **kwargs):  # fmt: skip
    """Tag probabilities over time: tags on the y axis, time in seconds on the x axis.

    Notebook: ``08_transfer_learning.ipynb``.

    Parameters
    ----------
    probabilities : np.ndarray [shape=(n_patches, n_tags)]
        :func:`musicviz.pretrained.taggram`'s probabilities.
    tags : sequence of str
        The column names.
    times : np.ndarray [shape=(n_patches,)]
        Patch start times in seconds (the taggram's third output).
    top : int or None
        Show the ``top`` tags of highest mean probability, most likely first (None: all, in
        the vocabulary's order).
    patch_seconds : float
        Length of a patch (musicnn: 2.992 s): the last patch's right edge.
    ax : Axes or None
    colorbar : bool
        Add a colour bar (only when the figure is created here).
    **kwargs
        Passed on to ``ax.pcolormesh`` (default ``cmap="viridis"``, ``vmin=0``, ``vmax=1``).

    Returns
    -------
    matplotlib.collections.QuadMesh

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.plot.pretrained import plot_taggram
    >>> probs = np.linspace(0, 1, 3 * 4).reshape(3, 4)
    >>> img = plot_taggram(probs, tags=["a", "b", "c", "d"], times=[0.0, 2.992, 5.984], top=2)
    >>> [t.get_text() for t in img.axes.get_yticklabels()], img.axes.get_xlabel()
    (['d', 'c'], 'Time (s)')
    """
    import matplotlib.pyplot as plt

    probs, tags, times = _check_taggram(probabilities, tags, times)
    if not (np.isfinite(patch_seconds) and patch_seconds > 0):
        raise ParameterError(f"patch_seconds must be a positive number of seconds, got {patch_seconds!r}")
    chosen = _top(probs, tags, top)
    created = ax is None
    if created:
        fig, ax = plt.subplots()
    edges = np.append(times, times[-1] + patch_seconds)
    kwargs.setdefault("cmap", "viridis")
    kwargs.setdefault("vmin", 0.0)
    kwargs.setdefault("vmax", 1.0)
    img = ax.pcolormesh(edges, np.arange(len(chosen) + 1), probs[:, chosen].T, **kwargs)
    ax.set_yticks(np.arange(len(chosen)) + 0.5, [tags[i] for i in chosen])
    ax.set_ylim(len(chosen), 0)  # most likely tag on top
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("tag")
    if created:
        if colorbar:
            fig.colorbar(img, ax=ax, label="probability")
        fig.tight_layout()
    return img


def plot_network_input(rep, *, ax=None, colorbar: bool = True, **kwargs):
    """The log-mel representation musicnn sees (``log10(10000 * mel + 1)``, 16 kHz, 96 bands).

    Notebook: ``08_transfer_learning.ipynb``.

    Parameters
    ----------
    rep : np.ndarray [shape=(frames, 96)]
        :func:`musicviz.pretrained.log_mel`'s output (frames as rows, as musicnn stores it).
    ax : Axes or None
    colorbar : bool
        Add a colour bar (only when the figure is created here).
    **kwargs
        Passed on to ``librosa.display.specshow``.

    Returns
    -------
    matplotlib.collections.QuadMesh

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.plot.pretrained import plot_network_input
    >>> img = plot_network_input(np.zeros((200, 96)))
    >>> img.axes.get_xlabel(), img.axes.get_ylabel()
    ('Time (s)', 'Frequency (Hz, mel scale)')
    """
    import librosa.display
    import matplotlib.pyplot as plt

    rep = np.asarray(rep, dtype=float)
    if rep.ndim != 2 or rep.shape[1] != 96 or rep.shape[0] < 2:
        raise ParameterError(f"rep must have shape (frames, 96) with at least 2 frames, got {rep.shape}")
    created = ax is None
    if created:
        fig, ax = plt.subplots()
    kwargs.setdefault("cmap", "magma")
    img = librosa.display.specshow(rep.T, sr=16000, hop_length=256, n_fft=512, x_axis="s", y_axis="mel", ax=ax, **kwargs)
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("Frequency (Hz, mel scale)")
    if created:
        if colorbar:
            fig.colorbar(img, ax=ax, label="log10(10000 mel + 1)")
        fig.tight_layout()
    return img
