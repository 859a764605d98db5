"""musicviz.plot.models: genre names on the axes, Axes reuse, no figure leaks, bad input."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from musicviz import GENRES
from musicviz import baselines as bl
from musicviz.errors import ParameterError
from musicviz.plot import models as pm

Y_TRUE = np.repeat(GENRES, 3)
Y_PRED = np.roll(Y_TRUE, 1)


def _ticks(labels):
    return [t.get_text() for t in labels]


def test_confusion_matrix_labels_are_genre_names():
    ax = pm.plot_confusion_matrix(Y_TRUE, Y_PRED, labels=GENRES)
    assert _ticks(ax.get_xticklabels()) == list(GENRES)
    assert _ticks(ax.get_yticklabels()) == list(GENRES)
    assert ax.get_xlabel() == "predicted genre" and ax.get_ylabel() == "true genre"
    image = ax.images[0].get_array()
    np.testing.assert_allclose(image.sum(axis=1), 1.0)  # rows normalized


def test_confusion_matrix_counts_and_ax_reuse():
    fig, axes = plt.subplots(1, 2)
    n_figs = len(plt.get_fignums())
    ax = pm.plot_confusion_matrix(Y_TRUE, Y_PRED, labels=GENRES, ax=axes[1], normalize=None, title="counts")
    assert ax is axes[1] and len(plt.get_fignums()) == n_figs
    assert ax.images[0].get_array().sum() == len(Y_TRUE)
    assert ax.get_title() == "counts"


def test_confusion_matrix_bad_input():
    with pytest.raises(ParameterError, match="must match"):
        pm.plot_confusion_matrix(Y_TRUE, Y_PRED[:-1], labels=GENRES)
    with pytest.raises(ParameterError, match="lacks"):
        pm.plot_confusion_matrix(Y_TRUE, Y_PRED, labels=GENRES[:5])
    with pytest.raises(ParameterError, match="normalize"):
        pm.plot_confusion_matrix(Y_TRUE, Y_PRED, labels=GENRES, normalize="rows")
    with pytest.raises(ParameterError, match="Axes"):
        pm.plot_confusion_matrix(Y_TRUE, Y_PRED, labels=GENRES, ax="left")


def test_comparison_chart():
    table = pd.DataFrame({"accuracy": [0.74, 0.68], "macro_f1": [0.73, 0.67], "accuracy_std": [0.02, 0.03]},
                         index=["SVM", "KNN"])
    ax = pm.plot_comparison(table, metric=("accuracy", "macro_f1"), reference={"chance": 0.1})
    assert _ticks(ax.get_xticklabels()) == ["SVM", "KNN"]
    assert len(ax.patches) == 4
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["chance", "accuracy", "macro f1"]
    fig, other = plt.subplots()
    n_figs = len(plt.get_fignums())
    assert pm.plot_comparison(table, errors="accuracy_std", ax=other, sort=True) is other
    assert len(plt.get_fignums()) == n_figs
    with pytest.raises(ParameterError, match="no column"):
        pm.plot_comparison(table, metric="f1")


def test_per_genre_report_and_k_curve_and_contingency():
    report = bl.per_genre_report(Y_TRUE, Y_PRED, labels=GENRES)
    ax = pm.plot_per_genre_report(report)
    assert _ticks(ax.get_xticklabels()) == list(GENRES)
    curve = pd.DataFrame({"cv_accuracy": [0.6, 0.7], "cv_std": [0.1, 0.1], "test_accuracy": [0.5, 0.6]},
                         index=pd.Index([1, 5], name="k"))
    assert len(pm.plot_k_curve(curve).lines) == 2
    ax = pm.plot_contingency(bl.contingency_table(Y_TRUE, np.arange(len(Y_TRUE)) % 10, labels=GENRES))
    assert _ticks(ax.get_yticklabels()) == list(GENRES) and len(ax.images) == 1
    with pytest.raises(ParameterError):
        pm.plot_k_curve(pd.DataFrame({"x": [1]}))


def test_helpers_do_not_leak_figures():
    plt.close("all")
    for _ in range(3):
        pm.plot_confusion_matrix(Y_TRUE, Y_PRED, labels=GENRES)
    assert len(plt.get_fignums()) == 3  # one figure per call, no hidden extras
    _, ax = plt.subplots()
    pm.plot_comparison(pd.DataFrame({"accuracy": [0.5]}, index=["m"]), ax=ax)
    assert len(plt.get_fignums()) == 4


def _boxes(texts, renderer):
    return [t.get_window_extent(renderer) for t in texts if t.get_text()]


def _overlapping(boxes):
    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1]


@pytest.mark.parametrize("n_models, n_metrics", [(4, 2), (3, 3), (6, 4)])
def test_comparison_texts_do_not_collide_or_cover_bars(n_models, n_metrics):
    # Long model names (as in notebook 06) and close values (K-means 0.278 / 0.279 in 05b).
    names = ["SVM", "KNN (k=5)", "K-means (named clusters)", "CNN (log-mel, vote)", "SVM tuned on all", "KNN tuned"]
    rng = np.random.default_rng(0)
    table = pd.DataFrame({f"metric {j}": 0.278 + 0.001 * j + rng.uniform(0, 0.7, n_models).round(3)
                          for j in range(n_metrics)}, index=names[:n_models])
    table.iloc[0] = 0.999  # the tallest bar: its value label needs headroom
    ax = pm.plot_comparison(table, metric=list(table.columns), reference={"chance": 0.1})
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    ticks = _boxes(ax.get_xticklabels(), renderer)
    assert not _overlapping(ticks), "model names run into each other"
    values = _boxes([t for t in ax.texts], renderer)
    assert len(values) == n_models * n_metrics
    assert not _overlapping(values), "value labels run into each other"
    axes_box = ax.get_window_extent(renderer)
    assert all(b.y1 <= axes_box.y1 for b in values), "a value label sticks out of the axes"
    bars = [p.get_window_extent(renderer) for p in ax.patches]
    legend = ax.get_legend().get_window_extent(renderer)
    covered = [b for b in bars + values if _overlapping([legend, b])]
    assert not covered, "the legend covers bars or their values"
    # ... and the names still read as the index (only broken into lines).
    assert [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()] == names[:n_models]
    plt.close(fig)


def test_comparison_draws_intervals_as_error_bars_with_values_above_them():
    table = pd.DataFrame({"accuracy": [0.867, 0.6], "ci_low": [0.703, 0.423], "ci_high": [0.947, 0.754],
                          "macro_f1": [0.83, 0.52]}, index=["SVM", "K-means"])
    ax = pm.plot_comparison(table, metric=("accuracy", "macro_f1"))
    bars = [c for c in ax.containers if hasattr(c, "patches")]
    assert bars[0].errorbar is not None and bars[1].errorbar is None  # only accuracy has an interval
    segments = bars[0].errorbar.lines[2][0].get_segments()
    np.testing.assert_allclose([(s[0][1], s[1][1]) for s in segments], [(0.703, 0.947), (0.423, 0.754)])
    assert "95 % interval" in [t.get_text() for t in ax.get_legend().get_texts()]
    renderer = ax.figure.canvas.get_renderer()
    tops = [ax.transData.transform((0, high))[1] for high in table["ci_high"]]
    labels = [t for t in ax.texts if t.get_text() in ("0.867", "0.600")]
    assert [t.get_window_extent(renderer).y0 >= top for t, top in zip(labels, tops)] == [True, True]
    # Named interval columns, and an interval that does not hold its value.
    named = table.rename(columns={"ci_low": "lo", "ci_high": "hi"})
    assert pm.plot_comparison(named, errors=[("lo", "hi")]).containers
    with pytest.raises(ParameterError, match="hold the value"):
        pm.plot_comparison(named.assign(lo=0.9), errors=[("lo", "hi")])


def test_confusion_matrix_numbers_are_readable_and_zeros_recede():
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.8))  # notebook 05's three matrices
    ax = pm.plot_confusion_matrix(Y_TRUE, Y_PRED, labels=GENRES, normalize=None, ax=axes[0])
    texts = [t for t in ax.texts if t.get_text()]
    assert len(texts) == len(GENRES) ** 2
    assert min(t.get_fontsize() for t in texts) >= 8
    zeros = [t for t in texts if t.get_text() == "0"]
    assert zeros and all(t.get_color() == "0.6" for t in zeros)
    plt.close(fig)
