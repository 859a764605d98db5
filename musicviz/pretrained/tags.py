"""The tag vocabularies of musicnn's models, and which GTZAN genres they can name.

Notebook: ``08_transfer_learning.ipynb``.

The two lists are musicnn 0.1.0's ``configuration.MTT_LABELS`` and ``MSD_LABELS`` (Pons &
Serra, ISC licence), in the order of the networks' 50 outputs; ``tests/test_pretrained.py``
checks them against the installed package. They are copied here so that tags and the
zero-shot genre mapping work without the package or TensorFlow.

* **MTT** (MagnaTagATune): instruments, moods, voices and a few genres.
* **MSD** (Million Song Dataset, Last.fm tags): mostly genres, decades and moods.

:data:`GENRE_TAGS` says which tags stand for each GTZAN genre, per vocabulary; a genre with no
tag is absent from its dict (:data:`MISSING_GENRES`), and :func:`musicviz.pretrained.zero_shot_genres`
gives it NaN rather than a guess:

=====  ===========================================================================
MTT    blues, disco, hiphop, jazz, reggae have no tag ('dance', 'beats', 'techno'
       are not genres of GTZAN's list and are not used)
MSD    classical, disco, reggae have no tag ('classic rock' is rock, 'oldies' and
       'funk' are not disco)
=====  ===========================================================================
"""

from __future__ import annotations

from musicviz import GENRES
from musicviz.errors import ParameterError

__all__ = ["MTT_TAGS", "MSD_TAGS", "VOCABULARIES", "GENRE_TAGS", "MISSING_GENRES", "tags_of", "vocabulary_of"]

#: MagnaTagATune's 50 tags (``musicnn.configuration.MTT_LABELS``).
MTT_TAGS: tuple[str, ...] = (
    "guitar", "classical", "slow", "techno", "strings", "drums", "electronic", "rock", "fast", "piano",
    "ambient", "beat", "violin", "vocal", "synth", "female", "indian", "opera", "male", "singing",
    "vocals", "no vocals", "harpsichord", "loud", "quiet", "flute", "woman", "male vocal", "no vocal", "pop",
    "soft", "sitar", "solo", "man", "classic", "choir", "voice", "new age", "dance", "male voice",
    "female vocal", "beats", "harp", "cello", "no voice", "weird", "country", "metal", "female voice", "choral",
)  # fmt: skip

#: The Million Song Dataset's 50 Last.fm tags (``musicnn.configuration.MSD_LABELS``).
MSD_TAGS: tuple[str, ...] = (
    "rock", "pop", "alternative", "indie", "electronic", "female vocalists", "dance", "00s", "alternative rock", "jazz",
    "beautiful", "metal", "chillout", "male vocalists", "classic rock", "soul", "indie rock", "Mellow", "electronica", "80s",
    "folk", "90s", "chill", "instrumental", "punk", "oldies", "blues", "hard rock", "ambient", "acoustic",
    "experimental", "female vocalist", "guitar", "Hip-Hop", "70s", "party", "country", "easy listening", "sexy", "catchy",
    "funk", "electro", "heavy metal", "Progressive rock", "60s", "rnb", "indie pop", "sad", "House", "happy",
)  # fmt: skip

#: Vocabulary name -> its tags.
VOCABULARIES: dict[str, tuple[str, ...]] = {"MTT": MTT_TAGS, "MSD": MSD_TAGS}

#: Per vocabulary, the tags that name each GTZAN genre (a genre's score is the mean of their
#: probabilities). Only tags that *are* the genre: no 'dance' for disco, no 'funk' for reggae.
GENRE_TAGS: dict[str, dict[str, tuple[str, ...]]] = {
    "MTT": {
        "classical": ("classical", "classic"),
        "country": ("country",),
        "metal": ("metal",),
        "pop": ("pop",),
        "rock": ("rock",),
    },
    "MSD": {
        "blues": ("blues",),
        "country": ("country",),
        "hiphop": ("Hip-Hop",),
        "jazz": ("jazz",),
        "metal": ("metal", "heavy metal"),
        "pop": ("pop",),
        "rock": ("rock", "classic rock", "hard rock"),
    },
}

#: Per vocabulary, the GTZAN genres with no tag, in GTZAN's order.
MISSING_GENRES: dict[str, tuple[str, ...]] = {
    name: tuple(g for g in GENRES if g not in mapping) for name, mapping in GENRE_TAGS.items()
}


def vocabulary_of(model: str) -> str:
    """``"MTT"`` or ``"MSD"``: the data set a model name was trained on.

    Examples
    --------
    >>> from musicviz.pretrained.tags import vocabulary_of
    >>> vocabulary_of("MSD_musicnn")
    'MSD'
    """
    if not isinstance(model, str) or model.split("_")[0] not in VOCABULARIES:
        raise ParameterError(f"model must be one of 'MTT_musicnn', 'MSD_musicnn', 'MTT_vgg', 'MSD_vgg', got {model!r}")
    return model.split("_")[0]


def tags_of(model: str) -> list[str]:
    """The 50 tags of ``model``'s outputs, in order.

    Notebook: ``08_transfer_learning.ipynb``.

    Examples
    --------
    >>> from musicviz.pretrained.tags import tags_of, MISSING_GENRES
    >>> tags_of("MTT_musicnn")[:3], len(tags_of("MSD_vgg"))
    (['guitar', 'classical', 'slow'], 50)
    >>> MISSING_GENRES["MTT"], MISSING_GENRES["MSD"]
    (('blues', 'disco', 'hiphop', 'jazz', 'reggae'), ('classical', 'disco', 'reggae'))
    """
    return list(VOCABULARIES[vocabulary_of(model)])
