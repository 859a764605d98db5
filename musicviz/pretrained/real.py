"""What the pretrained network does on a user's own real GTZAN clips: zero-shot, probe, SVM.

Notebook: ``08_transfer_learning.ipynb`` (section 4 cites what a full copy gives and shows the
one-liner that reproduces it on yours)::

    python -c "import musicviz.pretrained as pt; print(pt.transfer_check('/path/to/gtzan'))"

Three answers on the same real clips, each an accuracy with its Wilson 95 % interval
(:mod:`musicviz.scores`): musicnn's zero-shot genre guess (no training), a linear probe on its
embedding and the 57-feature RBF SVM of notebook 05 (the clips' rows of GTZAN's Kaggle table),
the last two scored out of fold on the *same* stratified folds, grouped by track (a track's
rows never sit on both sides). No audio is stored: the embeddings go to musicviz's cache.
"""

from __future__ import annotations

import numpy as np

from musicviz.errors import DatasetError, ParameterError

__all__ = ["transfer_check"]


def transfer_check(
    source=None,
    *,
    model: str = "MSD_musicnn",
    layer: str = "pooled",
    n_splits: int = 5,
    seed: int = 0,
    cache=True,
    progress: bool = False,
    n_jobs: int = -1,
):
    """Zero-shot, linear-probe and feature-SVM accuracy on real GTZAN clips, with intervals.

    Notebook: ``08_transfer_learning.ipynb``.

    Parameters
    ----------
    source : path-like, ScanResult, list of Track or paths, or None
        The real clips (default: the user's copy, :func:`musicviz.config.gtzan_dir`). Only
        clips named like GTZAN (``rock.00003.wav``) with a row in the Kaggle table are used.
    model, layer : str
        The network and the embedding layer of the probe (as
        :func:`musicviz.pretrained.embedding_table`).
    n_splits : int >= 2
        Folds of the stratified, track-grouped cross-validation; every genre needs at least
        that many clips (genres with fewer are left out, and the result says which).
    seed : int
        Seed of the folds.
    cache, progress, n_jobs
        As :func:`musicviz.pretrained.embedding_table`.

    Returns
    -------
    pandas.DataFrame
        Index ``zero-shot (no training)``, ``linear probe (<model> <layer>)``,
        ``SVM (57 features)``; columns ``accuracy``, ``ci_low``, ``ci_high``, ``n`` (3
        decimals). ``attrs["notes"]``: what was used and what was left out.

    Raises
    ------
    ParameterError
        Bad ``n_splits``.
    DatasetError
        Fewer than two genres have ``n_splits`` clips (a probe cannot be scored).

    Examples
    --------
    >>> import musicviz.pretrained as pt
    >>> pt.transfer_check("/path/to/gtzan")  # doctest: +SKIP
    """
    import pandas as pd
    from sklearn.base import clone
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedGroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from musicviz import GENRES
    from musicviz.baselines import feature_matrix, make_svm
    from musicviz.config import gtzan_dir
    from musicviz.datasets import load_feature_table
    from musicviz.features import KAGGLE_FEATURES
    from musicviz.pretrained.api import zero_shot_genres
    from musicviz.pretrained.table import embedding_table
    from musicviz.scores import accuracy_interval

    if isinstance(n_splits, bool) or not isinstance(n_splits, (int, np.integer)) or n_splits < 2:
        raise ParameterError(f"n_splits must be an integer of at least 2, got {n_splits!r}")
    source = gtzan_dir() if source is None else source
    emb = embedding_table(source, model=model, layer=layer, warn=False, cache=cache, progress=progress, n_jobs=n_jobs)
    kaggle = load_feature_table()
    data = emb.merge(kaggle[["track_id", "label", *KAGGLE_FEATURES]], on="track_id")
    data = data[data["label"].isin(GENRES)].reset_index(drop=True)
    counts = data["label"].value_counts()
    kept = sorted(g for g, n in counts.items() if n >= n_splits)
    notes = [f"{len(data)} real GTZAN clips with a row in the Kaggle table: "
             + ", ".join(f"{g} {counts.get(g, 0)}" for g in GENRES)]  # fmt: skip
    if len(kept) < 2:
        found = ", ".join(f"{g} {int(n)}" for g, n in counts.sort_index().items()) or "none"
        raise DatasetError(
            f"{source}: a {n_splits}-fold probe needs at least {n_splits} clips of each of two genres or more; "
            f"found {found} (a full GTZAN copy has 100 per genre)"
        )
    left_out = sorted(set(counts.index) - set(kept))
    if left_out:
        notes.append(f"left out, fewer than {n_splits} clips: {', '.join(left_out)}")
    data = data[data["label"].isin(kept)].reset_index(drop=True)
    labels = data["label"].to_numpy(str)

    tags = list(emb.attrs["tags"])
    guesses = np.array([zero_shot_genres(row, tags).guess for row in data[[f"tag:{t}" for t in tags]].to_numpy(float)],
                       dtype=object)  # fmt: skip
    emb_columns = [c for c in data.columns if c.startswith("emb_")]
    X_emb = data[emb_columns].to_numpy(float)
    X_feat, _ = feature_matrix(data, columns=KAGGLE_FEATURES)
    folds = list(StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
                 .split(X_emb, labels, groups=data["track_id"]))  # fmt: skip
    probe = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000))
    predicted = {}
    for name, estimator, X in (("probe", probe, X_emb), ("svm", make_svm(seed=seed), np.asarray(X_feat))):
        out = np.empty(len(labels), dtype=object)
        for train, test in folds:
            out[test] = clone(estimator).fit(X[train], labels[train]).predict(X[test])
        predicted[name] = out
    rows = {
        "zero-shot (no training)": accuracy_interval(labels, guesses),
        f"linear probe ({model} {layer})": accuracy_interval(labels, predicted["probe"]),
        "SVM (57 features)": accuracy_interval(labels, predicted["svm"]),
    }
    notes.append(f"probe and SVM scored out of fold on the same {n_splits} stratified folds, grouped by track (seed {seed})")
    frame = pd.DataFrame({name: score.as_dict() for name, score in rows.items()}).T
    frame["n"] = frame["n"].astype(int)
    frame.attrs["notes"] = notes
    return frame
