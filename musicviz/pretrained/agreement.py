"""How often the pretrained network's genre tags agree with the genre a clip was made to be.

Command line: ``musicviz data realism`` prints this as its second, independent realism figure
(the first is the real-GTZAN SVM's). Notebook: ``08_transfer_learning.ipynb`` measures the same
thing clip by clip.
"""

from __future__ import annotations

import numpy as np

from musicviz import GENRES
from musicviz._clip_engine import MAX_CLIP_SECONDS
from musicviz.errors import ParameterError

__all__ = ["zero_shot_agreement"]


def zero_shot_agreement(
    source=None,
    *,
    model: str = "MSD_musicnn",
    cache=True,
    progress: bool = False,
    max_seconds: float | None = MAX_CLIP_SECONDS,
    n_jobs: int = -1,
) -> dict:
    """Zero-shot agreement of a pretrained network with the intended genres of many clips.

    Each clip's guess is :func:`musicviz.pretrained.zero_shot_genres` of its mean taggram (no
    training). A genre without a tag in the model's vocabulary can never be guessed: its clips
    count as not recognised, and the result says which genres those are.

    Parameters
    ----------
    source : path-like, ScanResult or None
        The clips (default: the course's audio, :func:`musicviz.datasets.course_audio_dir`).
        Their genre comes from the folder or file name.
    model : {"MSD_musicnn", "MTT_musicnn", "MSD_vgg", "MTT_vgg"}
    cache, progress, max_seconds, n_jobs
        As :func:`musicviz.pretrained.embedding_table`, which computes (or reads from its cache)
        the taggrams: ``cache`` True (the default folder), False or a folder; ``progress`` a
        progress bar; ``max_seconds`` the longest clip used; ``n_jobs`` the worker processes
        for clips not yet cached (-1: all cores).

    Returns
    -------
    dict
        ``recognised`` (fraction of all clips), ``n_clips``, ``model`` (with the genres it has no
        tag for), ``recall`` (per genre, fraction) and ``missing`` (those genres): the
        ``zero_shot`` argument of :func:`musicviz.realism.format_report`.

    Raises
    ------
    ParameterError
        No clip with a GTZAN genre was found.

    Examples
    --------
    >>> from musicviz.pretrained.agreement import zero_shot_agreement
    >>> figure = zero_shot_agreement("data/synth")  # doctest: +SKIP
    >>> sorted(figure)  # doctest: +SKIP
    ['missing', 'model', 'n_clips', 'recall', 'recognised']
    """
    from musicviz.pretrained.api import zero_shot_genres
    from musicviz.pretrained.table import embedding_table

    table = embedding_table(
        source, model=model, warn=False, cache=cache, progress=progress, max_seconds=max_seconds, n_jobs=n_jobs
    )
    table = table[table["genre"].isin(GENRES)]
    if table.empty:
        raise ParameterError(f"no clip of a GTZAN genre found in {source or 'the course audio'}")
    tags = list(table.attrs["tags"])
    probabilities = table[[f"tag:{t}" for t in tags]].to_numpy(dtype=np.float64)
    guesses = [zero_shot_genres(row, tags).guess for row in probabilities]
    right = np.asarray(guesses, dtype=object) == table["genre"].to_numpy(dtype=object)
    missing = zero_shot_genres(probabilities[0], tags).missing
    recall = {g: float(right[(table["genre"] == g).to_numpy()].mean()) for g in GENRES if (table["genre"] == g).any()}
    label = f"{model} (no tag for {', '.join(missing)})" if missing else model
    return {"recognised": float(right.mean()), "n_clips": int(len(table)), "model": label, "recall": recall, "missing": missing}
