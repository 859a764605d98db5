"""One genre palette across the series: every genre has its own colour and its own marker."""

from __future__ import annotations

import matplotlib.colors as mcolors
import pandas as pd

from musicviz import GENRES
from musicviz.plot import features as pf
from musicviz.plot.palette import GENRE_COLORS, GENRE_MARKERS, genre_color, genre_marker, genre_palette


def test_every_genre_has_a_distinct_colour_and_marker():
    assert set(GENRE_COLORS) == set(GENRES) == set(GENRE_MARKERS)
    assert len(set(GENRE_COLORS.values())) == len(GENRES)
    assert len(set(GENRE_MARKERS.values())) == len(GENRES)
    assert all(mcolors.is_color_like(c) for c in GENRE_COLORS.values())


def test_unknown_names_get_a_neutral_style():
    assert genre_color("polka") not in GENRE_COLORS.values()
    assert genre_marker("polka") not in GENRE_MARKERS.values()
    assert genre_palette(["jazz", "rock"]) == {"jazz": GENRE_COLORS["jazz"], "rock": GENRE_COLORS["rock"]}


def test_pair_plot_uses_the_course_palette():
    table = pd.DataFrame({"label": ["rock", "jazz", "metal"] * 4, "a": range(12), "b": [3, 1, 4, 1, 5, 9] * 2})
    grid = pf.pair_plot(table, columns=["a", "b"])
    handles = grid.legend.legend_handles
    colours = {mcolors.to_hex(h.get_markerfacecolor()) for h in handles}
    assert colours == {GENRE_COLORS[g].lower() for g in ("rock", "jazz", "metal")}
    assert {h.get_marker() for h in handles} == {GENRE_MARKERS[g] for g in ("rock", "jazz", "metal")}


def test_box_medians_show_on_the_black_hiphop_box():
    """The median is drawn white with a black rim, so it is visible on black and light boxes alike."""
    import matplotlib.colors as mcolors
    import pandas as pd

    from musicviz.plot.features import plot_genre_distribution

    table = pd.DataFrame({"label": ["hiphop"] * 5 + ["pop"] * 5, "tempo": [90, 92, 95, 97, 99, 118, 120, 122, 124, 126]})
    ax = plot_genre_distribution(table, "tempo")
    medians = [line for line in ax.lines if len(line.get_xdata()) == 2 and line.get_path_effects()]
    assert len(medians) == 2
    for line in medians:
        assert mcolors.to_hex(line.get_color()) == "#ffffff"
        assert mcolors.to_hex(line.get_path_effects()[0]._gc["foreground"]) == "#000000"
