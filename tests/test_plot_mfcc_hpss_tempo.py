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
