"""Tests of musicviz.plot.mfcc_hpss_tempo (notebook 03b): what each helper returns and draws."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import QuadMesh
from matplotlib.image import AxesImage

from musicviz import mfcc_hpss_tempo as mht
from musicviz.errors import ParameterError
from musicviz.plot import mfcc_hpss_tempo as pm

SR = 22050


@pytest.fixture(scope="module")
def steps():
    return mht.mfcc_steps(np.random.default_rng(0).normal(scale=0.1, size=SR), sr=SR)


def _errors():
    return mht.tempo_errors([120.0, 240.0, 61.0, 90.0], [120.0, 120.0, 120.0, 95.0], genres=["rock", "jazz", "jazz", "blues"])


def _no_new_figure(call):
    before = set(plt.get_fignums())
    result = call()
    assert set(plt.get_fignums()) == before, "made a figure although it was given Axes"
    return result


def test_mfcc_steps_panels(steps):
    axes = pm.plot_mfcc_steps(steps)
    assert isinstance(axes, np.ndarray) and axes.shape == (3,)
    assert [ax.get_ylabel() for ax in axes] == ["Frequency (Hz)", "Frequency (Hz)", "MFCC number"]
    assert axes[2].get_xlabel() == "Time (s)"
    fig, given = plt.subplots(3, 1)
    assert list(_no_new_figure(lambda: pm.plot_mfcc_steps(steps, axes=given))) == list(given)
    with pytest.raises(ParameterError, match="3 Axes"):
        pm.plot_mfcc_steps(steps, axes=given[:2])
    with pytest.raises(ParameterError, match="mfcc_steps"):
        pm.plot_mfcc_steps({"mel": 1})


def test_reconstructions_share_one_colour_scale(steps):
    axes = pm.plot_log_mel_reconstructions(steps, n_coeffs=[13, 40])
    assert len(axes) == 3
    clims = {ax.collections[0].get_clim() for ax in axes}
    assert len(clims) == 1
    assert "13 MFCCs" in axes[1].get_title(loc="left")
    with pytest.raises(ParameterError, match="n_coeffs"):
        pm.plot_log_mel_reconstructions(steps, n_coeffs=[500])


def test_frame_envelopes(steps):
    fig, ax = plt.subplots()
    out = _no_new_figure(lambda: pm.plot_frame_envelopes(steps, time=0.5, n_coeffs=[13, 20], ax=ax))
    assert out is ax and len(ax.lines) == 3
    with pytest.raises(ParameterError, match="time"):
        pm.plot_frame_envelopes(steps, time=99.0)


def test_genre_means_heatmap_is_centred():
    means = pd.DataFrame({"a": [2.0, -0.5], "b": [0.1, 0.0]}, index=["rock", "jazz"])
    image = pm.plot_genre_means(means, labels=["1", "2"])
    assert isinstance(image, AxesImage) and image.get_clim() == (-2.0, 2.0)
    assert [t.get_text() for t in image.axes.get_yticklabels()] == ["rock", "jazz"]
    fig, ax = plt.subplots()
    assert _no_new_figure(lambda: pm.plot_genre_means(means, ax=ax, colorbar=False)).axes is ax
    with pytest.raises(ParameterError, match="labels"):
        pm.plot_genre_means(means, labels=["1"])


def test_f_statistic_highlights_the_largest():
    F = pd.DataFrame({"F": [3.0, 40.0, 9.0, 20.0]}, index=["m1", "m2", "m3", "m4"])
    ax = pm.plot_f_statistic(F, highlight=2)
    assert isinstance(ax, Axes) and len(ax.patches) == 4
    grey = ax.patches[0].get_facecolor()
    highlighted = [i for i, p in enumerate(ax.patches) if p.get_facecolor() != grey]
    assert highlighted == [1, 3]
    with pytest.raises(ParameterError, match="highlight"):
        pm.plot_f_statistic(F, highlight=-1)


def test_hpss_panels():
    y = np.random.default_rng(1).normal(scale=0.1, size=SR)
    fig, given = plt.subplots(3, 1)
    axes = _no_new_figure(lambda: pm.plot_hpss(y, 0.6 * y, 0.4 * y, sr=SR, axes=given))
    assert list(axes) == list(given)
    with pytest.raises(ParameterError, match="same number of samples"):
        pm.plot_hpss(y, y[:-10], y, sr=SR)


def test_beats_draw_one_line_per_beat():
    fig, ax = plt.subplots()
    out = _no_new_figure(
        lambda: pm.plot_beats(np.ones(50), times=np.arange(50) * 0.023, beats=[0.2, 0.6, 1.0], ax=ax)
    )
    assert out is ax and len(ax.lines) == 4 and ax.get_xlabel() == "Time (s)"
    with pytest.raises(ParameterError, match="times"):
        pm.plot_beats(np.ones(50), times=np.arange(40), beats=[])


def test_tempo_scatter_has_the_factor_lines_and_one_entry_per_genre():
    ax = pm.plot_tempo_scatter(_errors(), factors=("1", "2", "1/2"))
    assert isinstance(ax, Axes) and len(ax.lines) == 3
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["blues", "jazz", "rock"]
    fig, given = plt.subplots()
    assert _no_new_figure(lambda: pm.plot_tempo_scatter(_errors(), ax=given)) is given
    with pytest.raises(ParameterError, match="factors"):
        pm.plot_tempo_scatter(_errors(), factors=("5",))
    with pytest.raises(ParameterError, match="tempo_errors"):
        pm.plot_tempo_scatter(pd.DataFrame({"x": [1]}))


def test_spectral_contrast_mesh_and_band_lines():
    mesh = pm.plot_spectral_contrast(np.full((7, 20), 20.0), times=np.arange(20) * 0.023, bands=list("abcdefg"))
    assert isinstance(mesh, QuadMesh)
    assert [t.get_text() for t in mesh.axes.get_yticklabels()] == list("abcdefg")
    with pytest.raises(ParameterError, match="bands"):
        pm.plot_spectral_contrast(np.zeros((7, 5)), times=np.arange(5.0), bands=["a"])
    means = pd.DataFrame([[20.0, 18, 25], [15.0, 14, 16]], index=["classical", "metal"])
    fig, ax = plt.subplots()
    out = _no_new_figure(lambda: pm.plot_contrast_bands(means, bands=["low", "mid", "high"], ax=ax))
    assert out is ax and len(ax.lines) == 2
    assert [t.get_text() for t in ax.get_xticklabels()] == ["low", "mid", "high"]
    from musicviz.plot.palette import genre_color

    assert ax.lines[1].get_color() == genre_color("metal")


def test_levels_give_a_few_colours_and_a_neutral_zero(steps):
    axes = pm.plot_mfcc_steps(steps, levels=16)
    assert axes[1].collections[0].get_cmap().N == 16
    assert axes[2].collections[0].get_cmap().N == 17  # the diverging MFCC scale: 0 gets its own colour
    axes = pm.plot_log_mel_reconstructions(steps, n_coeffs=[13], levels=8)
    assert {ax.collections[0].get_cmap().N for ax in axes} == {8}
    before = set(plt.get_fignums())
    for bad in (1, True, 2.5):
        with pytest.raises(ParameterError, match="levels"):
            pm.plot_mfcc_steps(steps, levels=bad)
    assert set(plt.get_fignums()) == before  # refused before a figure exists


# --------------------------------------------------------------------------- by hand: novelty, HPSS
def test_novelty_plot_draws_the_curves_peaks_threshold_and_beats():
    from musicviz.plot.novelty import plot_novelty

    x = np.abs(np.sin(np.arange(100) / 5.0))
    times = np.arange(100) * 0.023
    ax = plot_novelty(2 * x, times=times, reference=x, peaks=[8, 23], threshold=0.1, beats=[0.5, 1.0, 1.5])
    labels = [line.get_label() for line in ax.lines]
    assert labels[:2] == ["novelty", "reference"] and labels.count("picked peak") == 1
    assert np.isclose(ax.lines[0].get_ydata().max(), 1.0) and np.isclose(ax.lines[1].get_ydata().max(), 1.0)
    peaks_line = ax.lines[labels.index("picked peak")]
    assert np.allclose(peaks_line.get_xdata(), times[[8, 23]])
    assert sum(1 for line in ax.lines if line.get_linestyle() == "--") == 3  # one per beat
    fig, given = plt.subplots()
    assert _no_new_figure(lambda: plot_novelty(x, times=times, ax=given, normalize=False)) is given
    assert given.get_ylabel() == "Novelty"
    with pytest.raises(ParameterError, match="frame indices"):
        plot_novelty(x, times=times, peaks=[100])
    with pytest.raises(ParameterError, match="one value per frame"):
        plot_novelty(x, times=times, reference=x[:50])


def test_autocorrelation_plot_marks_the_factors_absolute_or_relative():
    from musicviz.plot.novelty import plot_autocorrelation

    tempi = 60 * SR / 512 / np.arange(9, 80)
    acf = np.cos(np.arange(9, 80) / 3.0)
    ax = plot_autocorrelation(acf, tempi=tempi, truth=100.0, estimate=50.0, factors=("1/2", "1", "2"))
    assert ax.get_xscale() == "log"
    assert sorted(round(line.get_xdata()[0]) for line in ax.lines if line.get_linestyle() == ":") == [50, 100, 200]
    assert [t.get_text() for t in ax.texts] == ["x1/2", "truth", "x2"]
    ax = plot_autocorrelation(acf, tempi=tempi, truth=100.0, prior=np.ones_like(acf), relative=True, label="a")
    ax = plot_autocorrelation(acf, tempi=tempi, truth=200.0, relative=True, marks=False, label="b", ax=ax)
    assert ax.get_xlabel() == "Tempo / true tempo, log scale" and not ax.texts  # the ticks name the factors
    assert [t.get_text() for t in ax.get_xticklabels()][:3] == ["1/4", "1/3", "1/2"]
    lo, hi = ax.get_xlim()
    assert lo <= tempi.min() / 200 and hi >= tempi.max() / 100  # the range of both curves
    assert [line.get_label() for line in ax.lines if not line.get_label().startswith("_")] == ["a", "a: prior at 120 BPM", "b"]
    with pytest.raises(ParameterError, match="truth"):
        plot_autocorrelation(acf, tempi=tempi, relative=True)
    with pytest.raises(ParameterError, match="TEMPO_FACTORS"):
        plot_autocorrelation(acf, tempi=tempi, truth=100.0, factors=("5/4",))


def test_hpss_steps_six_panels_coarse_rows_and_levels():
    from musicviz.hpss import median_hpss
    from musicviz.plot.hpss import plot_hpss_steps

    steps = median_hpss(np.random.default_rng(0).normal(scale=0.1, size=SR), sr=SR)
    axes = plot_hpss_steps(steps, rows=64, levels=16)
    assert axes.shape == (6,) and axes[-1].get_title(loc="left") == "harmonic mask"
    mesh = axes[0].collections[0]
    assert mesh.get_cmap().N == 16 and axes[-1].collections[0].get_cmap().N == 10
    assert mesh.get_array().size < 64 * len(steps["times"]) < steps["stft"].size  # fewer rows than bins
    assert axes[-1].collections[0].get_clim() == (0.0, 1.0)
    full = plot_hpss_steps(steps)
    assert full[0].collections[0].get_array().size == steps["stft"].size
    fig, given = plt.subplots(2, 3)
    assert list(_no_new_figure(lambda: plot_hpss_steps(steps, axes=given))) == list(given.ravel())
    with pytest.raises(ParameterError, match="6 Axes"):
        plot_hpss_steps(steps, axes=given[0])
    with pytest.raises(ParameterError, match="median_hpss"):
        plot_hpss_steps({"stft": steps["stft"]})
    with pytest.raises(ParameterError, match="levels"):
        plot_hpss_steps(steps, levels=1)
