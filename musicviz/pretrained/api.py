"""Tags over time, embeddings and zero-shot genres of one signal, with musicnn's networks.

Notebook: ``08_transfer_learning.ipynb`` (also ``07_classify_your_own_clip.ipynb``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from musicviz import GENRES
from musicviz.errors import ParameterError
from musicviz.pretrained.inputs import log_mel, patch_times, patches
from musicviz.pretrained.network import LAYERS, MODELS, architecture, load_network
from musicviz.pretrained.tags import GENRE_TAGS, MISSING_GENRES, VOCABULARIES, tags_of

__all__ = ["taggram", "embeddings", "clip_embedding", "network_outputs", "zero_shot_genres", "ZeroShotGenres"]


def _check_layer(model: str, layer) -> str:
    layers = LAYERS[architecture(model)]
    if layer not in layers:
        raise ParameterError(f"layer must be one of {list(layers)} for {model}, got {layer!r}")
    return layer


def network_outputs(y, *, sr, model: str = "MTT_musicnn", outputs=None) -> dict[str, np.ndarray]:
    """Everything the network computes for each 3 s patch of ``y``.

    Notebook: ``08_transfer_learning.ipynb``.

    All the clip's patches go through the network's compiled graph at once (TensorFlow and
    the weights are loaded once per process, :func:`~musicviz.pretrained.network.load_network`).

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono samples, at least 2.98 s.
    sr : int > 0
        Their sample rate (resampled to 16 kHz).
    model : {"MTT_musicnn", "MSD_musicnn", "MTT_vgg", "MSD_vgg"}
    outputs : sequence of str or None
        Only these of ``"taggram"`` and the model's layers (default: all of them).

    Returns
    -------
    dict of np.ndarray (float32, one row per patch)
        ``"taggram"`` (50 probabilities) and the layers of
        :data:`musicviz.pretrained.network.LAYERS` (or ``outputs``).

    Raises
    ------
    ParameterError
        Bad ``y``, ``sr`` or ``model``.
    AudioContentError
        ``y`` is shorter than one patch.
    ModelError
        musicnn's weights are not installed (``make env``) or damaged.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.pretrained import network_outputs
    >>> t = np.arange(22050 * 7) / 22050
    >>> out = network_outputs(0.5 * np.sin(2 * np.pi * 220 * t), sr=22050)  # doctest: +SKIP
    >>> {name: value.shape for name, value in out.items()}  # doctest: +SKIP
    {'taggram': (2, 50), 'penultimate': (2, 200), 'mean_pool': (2, 753), 'max_pool': (2, 753), 'pooled': (2, 1506)}
    """
    if model not in MODELS:
        raise ParameterError(f"model must be one of {list(MODELS)}, got {model!r}")
    if outputs is not None:
        names = ("taggram", *LAYERS[architecture(model)])
        outputs = [outputs] if isinstance(outputs, str) else list(outputs)
        if not outputs or any(name not in names for name in outputs):
            raise ParameterError(f"outputs must be some of {list(names)} for {model}, got {outputs!r}")
    batch = patches(log_mel(y, sr=sr))
    return load_network(model)(batch, outputs=outputs)


def taggram(y, *, sr, model: str = "MTT_musicnn"):
    """Tag probabilities for each 3 s patch of ``y`` (musicnn's taggram).

    Notebook: ``08_transfer_learning.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono samples, at least 2.98 s.
    sr : int > 0
        Their sample rate (resampled to 16 kHz like ``librosa.load(sr=16000)``).
    model : {"MTT_musicnn", "MSD_musicnn", "MTT_vgg", "MSD_vgg"}
        MTT: MagnaTagATune's tags (instruments, moods, a few genres); MSD: Last.fm's
        (genres, decades, moods).

    Returns
    -------
    probabilities : np.ndarray [shape=(n_patches, 50), dtype=float32]
        Independent sigmoid probabilities (a patch can be 'rock' and 'guitar'); rows do not
        sum to 1.
    tags : list of str
        The 50 tags, in column order.
    times : np.ndarray [shape=(n_patches,)]
        Start of each patch in seconds (patches last 2.992 s, no overlap; the remainder of
        the clip is not tagged).

    Raises
    ------
    ParameterError, AudioContentError, ModelError
        See :func:`network_outputs`.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.pretrained import taggram
    >>> t = np.arange(22050 * 7) / 22050
    >>> probs, tags, times = taggram(0.5 * np.sin(2 * np.pi * 220 * t), sr=22050)  # doctest: +SKIP
    >>> probs.shape, len(tags), times.round(2).tolist()  # doctest: +SKIP
    ((2, 50), 50, [0.0, 2.99])
    """
    probabilities = network_outputs(y, sr=sr, model=model, outputs=["taggram"])["taggram"]
    return probabilities, tags_of(model), patch_times(probabilities.shape[0])


def embeddings(y, *, sr, model: str = "MSD_musicnn", layer: str | None = None) -> np.ndarray:
    """One embedding vector per 3 s patch: an inner layer of the network, for transfer learning.

    Notebook: ``08_transfer_learning.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono samples, at least 2.98 s.
    sr : int > 0
        Their sample rate.
    model : {"MSD_musicnn", "MTT_musicnn", "MTT_vgg", "MSD_vgg"}
    layer : str or None
        musicnn models: ``"penultimate"`` (200 values, the dense layer before the tags; the
        default), ``"mean_pool"`` / ``"max_pool"`` (753: the mean / max over time of the
        front and mid end's features), ``"pooled"`` (1506: ``max_pool`` then ``mean_pool``).
        vgg models: ``"pool5"`` (256, the default).

    Returns
    -------
    np.ndarray [shape=(n_patches, size), dtype=float32]

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.pretrained import embeddings
    >>> t = np.arange(16000 * 6) / 16000
    >>> embeddings(0.5 * np.sin(2 * np.pi * 220 * t), sr=16000).shape  # doctest: +SKIP
    (2, 200)
    """
    if model not in MODELS:
        raise ParameterError(f"model must be one of {list(MODELS)}, got {model!r}")
    layer = _check_layer(model, next(iter(LAYERS[architecture(model)])) if layer is None else layer)
    return network_outputs(y, sr=sr, model=model, outputs=[layer])[layer]


def clip_embedding(y, *, sr, model: str = "MSD_musicnn", layer: str | None = None) -> np.ndarray:
    """One vector for the whole clip: the mean of :func:`embeddings` over its patches.

    Notebook: ``08_transfer_learning.ipynb``.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.pretrained import clip_embedding
    >>> t = np.arange(16000 * 6) / 16000
    >>> clip_embedding(0.5 * np.sin(2 * np.pi * 220 * t), sr=16000).shape  # doctest: +SKIP
    (200,)
    """
    return embeddings(y, sr=sr, model=model, layer=layer).mean(axis=0)


@dataclass(frozen=True)
class ZeroShotGenres:
    """GTZAN genre scores read off a taggram's genre tags (:func:`zero_shot_genres`).

    Attributes
    ----------
    scores : pandas.Series
        One score per GTZAN genre (GTZAN's order): the mean probability of the genre's tags
        (:data:`musicviz.pretrained.tags.GENRE_TAGS`), NaN for a genre the vocabulary has no
        tag for.
    guess : str or None
        The genre with the highest score (None if no genre has a tag, which never happens
        with musicnn's vocabularies).
    missing : tuple of str
        The genres without a tag: this model can never guess them.
    vocabulary : str
        ``"MTT"`` or ``"MSD"``.
    tags_used : dict
        genre -> the tags averaged for it.
    """

    scores: object
    guess: str | None
    missing: tuple
    vocabulary: str
    tags_used: dict = field(default_factory=dict)


def zero_shot_genres(taggram, tags) -> ZeroShotGenres:
    """Which GTZAN genre a taggram points to, using only the tags that name a genre.

    Notebook: ``08_transfer_learning.ipynb``.

    No training: a genre's score is the mean over patches of the mean probability of its
    tags. Genres without a tag in the vocabulary get NaN and are never guessed (MTT: blues,
    disco, hiphop, jazz, reggae; MSD: classical, disco, reggae).

    Parameters
    ----------
    taggram : array-like [shape=(n_patches, 50) or (50,)]
        Probabilities (:func:`taggram`), per patch or already averaged.
    tags : sequence of str
        Its 50 tags, which must be MTT's or MSD's list in order (they say which mapping applies).

    Returns
    -------
    ZeroShotGenres

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.pretrained import zero_shot_genres
    >>> from musicviz.pretrained.tags import MSD_TAGS
    >>> probs = np.full(50, 0.1)
    >>> probs[MSD_TAGS.index("jazz")] = 0.8
    >>> result = zero_shot_genres(probs, MSD_TAGS)
    >>> result.guess, result.missing
    ('jazz', ('classical', 'disco', 'reggae'))
    >>> round(float(result.scores["jazz"]), 2), bool(np.isnan(result.scores["reggae"]))
    (0.8, True)
    """
    import pandas as pd

    tags = [str(t) for t in tags] if tags is not None else []
    vocabulary = next((name for name, vocab in VOCABULARIES.items() if list(vocab) == tags), None)
    if vocabulary is None:
        raise ParameterError("tags must be the 50 tags of an MTT or MSD model, in order (as taggram() returns them)")
    probs = np.asarray(taggram, dtype=np.float64)
    if probs.ndim == 1:
        probs = probs[None, :]
    if probs.ndim != 2 or probs.shape[1] != len(tags) or probs.shape[0] == 0:
        raise ParameterError(f"taggram must have shape (n_patches, {len(tags)}) or ({len(tags)},), got {np.shape(taggram)}")
    if not np.all(np.isfinite(probs)) or probs.min() < 0 or probs.max() > 1:
        raise ParameterError("taggram must hold probabilities in [0, 1]")
    mean = probs.mean(axis=0)
    mapping = GENRE_TAGS[vocabulary]
    scores = pd.Series(
        [float(np.mean([mean[tags.index(t)] for t in mapping[g]])) if g in mapping else np.nan for g in GENRES],
        index=list(GENRES),
        name=f"{vocabulary} zero-shot score",
    )
    guess = None if scores.isna().all() else str(scores.idxmax())
    return ZeroShotGenres(scores, guess, MISSING_GENRES[vocabulary], vocabulary, {g: mapping[g] for g in GENRES if g in mapping})
