"""One genre palette for the whole series: colour-blind-safe colours, each with a marker shape.

Notebooks: every figure that tells genres apart (04's pair plot, 05's maps, 08's embeddings).
Ten classes are more than any colour-blind-safe palette separates by hue alone, so each genre
also has its own marker: a reader with deuteranopia, or a black-and-white print of a slide,
still tells them apart by shape.

The colours are the eight of Okabe & Ito (2008, "Color Universal Design"), which stay distinct
under the common forms of colour blindness, plus a mid grey and a dark brown.
"""

from __future__ import annotations

from musicviz import GENRES

__all__ = ["GENRE_COLORS", "GENRE_MARKERS", "genre_color", "genre_marker", "genre_palette"]

_COLORS = (
    "#0072B2",  # blue: blues
    "#CC79A7",  # reddish purple: classical
    "#E69F00",  # orange: country
    "#56B4E9",  # sky blue: disco
    "#000000",  # black: hiphop
    "#009E73",  # bluish green: jazz
    "#D55E00",  # vermillion: metal
    "#F0E442",  # yellow: pop
    "#999999",  # grey: reggae
    "#7F3C0A",  # dark brown: rock
)
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<")

#: Colour of each GTZAN genre (hex strings), the same in every figure of the series.
GENRE_COLORS: dict[str, str] = dict(zip(GENRES, _COLORS))
#: Matplotlib marker of each genre, so genres stay apart without colour.
GENRE_MARKERS: dict[str, str] = dict(zip(GENRES, _MARKERS))


def genre_color(genre: str) -> str:
    """The course colour of ``genre`` (a neutral grey for a name that is not a GTZAN genre).

    Examples
    --------
    >>> from musicviz.plot.palette import genre_color
    >>> genre_color("metal")
    '#D55E00'
    """
    return GENRE_COLORS.get(str(genre), "#BBBBBB")


def genre_marker(genre: str) -> str:
    """The course marker of ``genre`` (``"."`` for a name that is not a GTZAN genre).

    Examples
    --------
    >>> from musicviz.plot.palette import genre_marker
    >>> genre_marker("blues")
    'o'
    """
    return GENRE_MARKERS.get(str(genre), ".")


def genre_palette(genres) -> dict[str, str]:
    """``{genre: colour}`` for the genres given, for seaborn's ``palette=``.

    Examples
    --------
    >>> from musicviz.plot.palette import genre_palette
    >>> genre_palette(["rock", "jazz"])
    {'rock': '#7F3C0A', 'jazz': '#009E73'}
    """
    return {g: genre_color(g) for g in genres}
