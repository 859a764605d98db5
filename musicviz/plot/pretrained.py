"""Plots for the pretrained network: tags over time, the network's input, clip-level tags.

Notebooks: ``08_transfer_learning.ipynb``, ``07_classify_your_own_clip.ipynb``. Computation
lives in :mod:`musicviz.pretrained`; these helpers only draw.
"""

from __future__ import annotations

import numpy as np

from musicviz.errors import ParameterError

__all__ = ["plot_taggram", "plot_network_input", "plot_clip_tags"]

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


def plot_network_input(rep, *, time_pool: int = 1, ax=None, colorbar: bool = True, **kwargs):
    """The log-mel representation musicnn sees (``log10(10000 * mel + 1)``, 16 kHz, 96 bands).

    Notebook: ``08_transfer_learning.ipynb``.

    Parameters
    ----------
    rep : np.ndarray [shape=(frames, 96)]
        :func:`musicviz.pretrained.log_mel`'s output (frames as rows, as musicnn stores it).
    time_pool : int > 0
        Show the mean of every ``time_pool`` frames (16 ms each) as one column: a 30 s clip has
        about 1900 frames, more than a figure has pixels, so pooling 4 loses nothing visible
        and makes a smoother, smaller image. A trailing partial group is dropped.
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
    if isinstance(time_pool, bool) or not isinstance(time_pool, (int, np.integer)) or time_pool < 1:
        raise ParameterError(f"time_pool must be a positive integer, got {time_pool!r}")
    if rep.shape[0] // time_pool < 2:
        raise ParameterError(f"time_pool={time_pool} leaves fewer than 2 columns of the {rep.shape[0]} frames")
    rep = rep[: rep.shape[0] // time_pool * time_pool].reshape(-1, time_pool, 96).mean(axis=1)
    created = ax is None
    if created:
        fig, ax = plt.subplots()
    kwargs.setdefault("cmap", "magma")
    img = librosa.display.specshow(rep.T, sr=16000, hop_length=256 * int(time_pool), n_fft=512, x_axis="s", y_axis="mel",
                                   ax=ax, **kwargs)
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("Frequency (Hz, mel scale)")
    if created:
        if colorbar:
            fig.colorbar(img, ax=ax, label="log10(10000 mel + 1)")
        fig.tight_layout()
    return img


def plot_clip_tags(table, *, top: int = 12, ax=None, colorbar: bool = True, **kwargs):
    """Clip-level tags: one row per clip, one column per tag, the colour its mean probability.

    The taggram of many clips at once (each clip's probabilities averaged over its patches),
    for the ``top`` tags of highest mean over the clips shown, strongest on the left.

    Notebook: ``08_transfer_learning.ipynb``.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`musicviz.pretrained.embedding_table`'s result (``track_id`` and ``tag:<tag>``
        columns, the vocabulary in ``attrs["tags"]``), one row per clip.
    top : int > 0
        How many tags to show.
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
    >>> import pandas as pd
    >>> from musicviz.plot.pretrained import plot_clip_tags
    >>> table = pd.DataFrame({"track_id": ["rock.00000", "jazz.00000"], "tag:rock": [0.9, 0.1], "tag:jazz": [0.2, 0.7]})
    >>> table.attrs["tags"] = ["rock", "jazz"]
    >>> img = plot_clip_tags(table, top=2)
    >>> [t.get_text() for t in img.axes.get_xticklabels()], [t.get_text() for t in img.axes.get_yticklabels()]
    (['rock', 'jazz'], ['rock.00000', 'jazz.00000'])
    """
    import matplotlib.pyplot as plt

    tags = [str(t) for t in getattr(table, "attrs", {}).get("tags", [])]
    columns = [f"tag:{t}" for t in tags]
    if not tags or "track_id" not in getattr(table, "columns", ()) or any(c not in table.columns for c in columns):
        raise ParameterError("table must be an embedding_table result: track_id, tag:<tag> columns and attrs['tags']")
    if len(table) == 0:
        raise ParameterError("table has no clips to show")
    probs = table[columns].to_numpy(dtype=float)
    if not np.all(np.isfinite(probs)):
        raise ParameterError("tag probabilities must be finite")
    chosen = _top(probs, tags, top)
    created = ax is None
    if created:
        fig, ax = plt.subplots()
    kwargs.setdefault("cmap", "viridis")
    kwargs.setdefault("vmin", 0.0)
    kwargs.setdefault("vmax", 1.0)
    img = ax.pcolormesh(probs[:, chosen], **kwargs)
    ax.set_xticks(np.arange(len(chosen)) + 0.5, [tags[i] for i in chosen], rotation=60, ha="right")
    ax.set_yticks(np.arange(len(table)) + 0.5, table["track_id"].astype(str).tolist())
    ax.set_ylim(len(table), 0)  # first clip on top
    ax.set_xlabel("tag")
    ax.set_ylabel("clip")
    if created:
        if colorbar:
            fig.colorbar(img, ax=ax, label="mean probability")
        fig.tight_layout()
    return img
