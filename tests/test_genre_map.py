"""musicviz.features.maps (genre_map, map_examples) and plot.features.plot_genre_map."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from musicviz.errors import FeatureError, ParameterError
from musicviz.features import genre_map, map_examples
from musicviz.plot.features import plot_genre_map
from musicviz.plot.palette import GENRE_COLORS, GENRE_MARKERS


def _blobs(n_per=8, genres=("jazz", "metal", "pop"), dims=5, seed=0):
    """Well-separated genre blobs: genre k around k * 10 on every axis."""
    rng = np.random.default_rng(seed)
    rows, labels = [], []
    for k, genre in enumerate(genres):
        rows.append(rng.normal(loc=10.0 * k, scale=1.0, size=(n_per, dims)))
        labels += [genre] * n_per
    table = pd.DataFrame(np.vstack(rows), columns=[f"f{i}" for i in range(dims)])
    table["label"] = labels
    table["track_id"] = [f"{g}.{i:05d}" for g, i in zip(labels, range(len(labels)))]
    return table


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_pca_map_is_fitted_on_the_fit_rows_only():
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    table = _blobs()
    cols = [c for c in table.columns if c.startswith("f")]
    fit = np.arange(len(table)) % 4 != 0
    coords = genre_map(table, columns=cols, fit_rows=fit)
    scaler = StandardScaler().fit(table.loc[fit, cols])
    pca = PCA(n_components=2).fit(scaler.transform(table.loc[fit, cols]))
    expected = pca.transform(scaler.transform(table[cols]))
    np.testing.assert_allclose(coords[["x", "y"]].to_numpy(), expected, atol=1e-10)
    np.testing.assert_allclose(coords.attrs["explained_variance"], pca.explained_variance_ratio_)
    assert coords["fitted"].tolist() == fit.tolist()
    # Fitting on every row gives another map: the held-out rows really were left out.
    assert not np.allclose(genre_map(table, columns=cols)[["x", "y"]].to_numpy(), expected)


def test_pca_axis_labels_carry_the_variance():
    coords = genre_map(_blobs(), columns=["f0", "f1", "f2"])
    ratio = coords.attrs["explained_variance"]
    assert ratio[0] >= ratio[1] > 0 and sum(ratio) <= 1 + 1e-12
    assert coords.attrs["axis_labels"][0].startswith("PC1 (") and f"{100 * ratio[0]:.0f} %" in coords.attrs["axis_labels"][0]


def test_tsne_keeps_blobs_apart_and_is_seeded():
    table = _blobs()
    cols = ["f0", "f1", "f2", "f3", "f4"]
    a = genre_map(table, method="tsne", columns=cols, seed=0)
    b = genre_map(table, method="tsne", columns=cols, seed=0)
    np.testing.assert_allclose(a[["x", "y"]], b[["x", "y"]])
    # Every clip's nearest neighbour on the map is of its own genre (the blobs are far apart).
    xy = a[["x", "y"]].to_numpy()
    d = np.linalg.norm(xy[:, None] - xy[None], axis=2)
    np.fill_diagonal(d, np.inf)
    assert (a["label"].to_numpy()[d.argmin(axis=1)] == a["label"].to_numpy()).all()
    assert "explained_variance" not in a.attrs and a.attrs["perplexity"] <= (len(table) - 1) / 3


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"method": "umap"}, ParameterError, "method"),
        ({"fit_rows": [1, 0] * 12}, ParameterError, "boolean"),
        ({"fit_rows": np.ones(5, dtype=bool)}, ParameterError, "one True/False per row"),
        ({"columns": ["f0", "nope"]}, FeatureError, "nope"),
        ({"columns": ["f0"]}, ParameterError, "at least 2"),
        ({"method": "tsne", "perplexity": 0}, ParameterError, "perplexity"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, match):
    kwargs.setdefault("columns", ["f0", "f1"])
    with pytest.raises(error, match=match):
        genre_map(_blobs(), **kwargs)


def test_non_finite_value_is_refused_with_its_column():
    table = _blobs()
    table.loc[3, "f1"] = np.nan
    with pytest.raises(FeatureError, match="f1"):
        genre_map(table, columns=["f0", "f1"])


def test_map_examples_typical_and_strays():
    table = _blobs()
    # Move one metal clip into the jazz blob: it must come out as the stray, near jazz.
    table.loc[10, ["f0", "f1", "f2", "f3", "f4"]] = 0.5
    coords = genre_map(table, columns=["f0", "f1", "f2", "f3", "f4"])
    ex = map_examples(coords, strays=2)
    typical = ex[ex["kind"] == "typical"]
    assert typical["label"].tolist() == ["jazz", "metal", "pop"]  # GTZAN order, one each
    assert (typical["label"] == typical["near"]).all()
    strays = ex[ex["kind"] == "stray"]
    assert len(strays) == 1  # only one clip sits nearer another genre's centre
    assert strays.iloc[0]["row"] == 10 and strays.iloc[0]["near"] == "jazz" and strays.iloc[0]["label"] == "metal"
    assert ex["number"].tolist() == list(range(1, len(ex) + 1))


def test_map_examples_in_another_space():
    table = _blobs()
    coords = genre_map(table, columns=["f0", "f1"])
    space = table[["f0", "f1", "f2"]].to_numpy().copy()
    space[5] = 20.0  # a jazz clip placed on pop's centre in the full space
    ex = map_examples(coords, space=space, strays=1)
    assert ex[ex["kind"] == "stray"]["row"].tolist() == [5]
    with pytest.raises(ParameterError, match="one row per row"):
        map_examples(coords, space=space[:3])
    with pytest.raises(ParameterError, match="strays"):
        map_examples(coords, strays=-1)


def test_plot_genre_map_uses_course_palette_markers_and_highlights():
    table = _blobs()
    coords = genre_map(table, columns=["f0", "f1", "f2"])
    ex = map_examples(coords, strays=0)
    ax = plot_genre_map(coords, highlight=ex)
    by_label = {c.get_label(): c for c in ax.collections if not c.get_label().startswith("_")}
    assert set(by_label) == {"jazz", "metal", "pop"}
    for genre, coll in by_label.items():
        assert matplotlib.colors.to_hex(coll.get_facecolor()[0]) == GENRE_COLORS[genre].lower()
        expected = matplotlib.markers.MarkerStyle(GENRE_MARKERS[genre]).get_path().transformed(
            matplotlib.markers.MarkerStyle(GENRE_MARKERS[genre]).get_transform())
        np.testing.assert_allclose(coll.get_paths()[0].vertices, expected.vertices)
    assert [t.get_text() for t in ax.texts] == [str(n) for n in ex["number"]]
    assert ax.get_xlabel().startswith("PC1")
    legend = ax.get_legend()
    assert legend is not None and legend.get_bbox_to_anchor().x0 >= ax.get_window_extent().x1 - 1  # outside the data


def test_plot_genre_map_given_axes_and_errors():
    coords = genre_map(_blobs(), columns=["f0", "f1"])
    fig, ax = plt.subplots()
    assert plot_genre_map(coords, ax=ax, legend=False) is ax and ax.get_legend() is None
    with pytest.raises(ParameterError, match="not in coords"):
        plot_genre_map(coords, highlight=[999])
    with pytest.raises(ParameterError, match="one genre per row"):
        plot_genre_map(coords, labels=["jazz"])
    with pytest.raises(ParameterError, match="'x' and 'y'"):
        plot_genre_map(coords.drop(columns="x"))
