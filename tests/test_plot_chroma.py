"""Tests of musicviz.chroma and musicviz.plot.chroma (notebook 03)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from musicviz.chroma import PITCH_CLASSES, chromagram, mean_chroma, pitch_class
from musicviz.errors import ParameterError
from musicviz.plot import chroma as pc
from musicviz.waveforms import zero_crossing_rate

SR = 22050


def tones(*freqs, seconds=2.0):
    t = np.arange(int(SR * seconds)) / SR
    return sum(0.3 * np.sin(2 * np.pi * f * t + 0.1) for f in freqs)


def test_pitch_class_folding():
    assert PITCH_CLASSES[pitch_class(261.63)] == "C"
    assert [PITCH_CLASSES[c] for c in pitch_class([130.81, 523.25, 1046.5])] == ["C", "C", "C"]  # octaves fold
    assert PITCH_CLASSES[pitch_class(466.16)] == "A#"
    with pytest.raises(ParameterError):
        pitch_class([0.0])


def test_chromagram_of_a_c_major_chord():
    C, times, names = chromagram(tones(261.63, 329.63, 392.0), sr=SR)
    assert C.shape == (12, len(times)) and names == PITCH_CLASSES
    profile = mean_chroma(C)
    top3 = {PITCH_CLASSES[i] for i in np.argsort(profile)[-3:]}
    assert top3 == {"C", "E", "G"}
    assert profile.sum() == pytest.approx(1.0)


def test_mean_chroma_guards():
    assert np.allclose(mean_chroma(np.zeros((12, 4))), 1 / 12)  # silence: uniform, no 0/0
    with pytest.raises(ParameterError, match="12"):
        mean_chroma(np.zeros((11, 4)))
    with pytest.raises(ParameterError, match="NaN"):
        mean_chroma(np.full((12, 3), np.nan))


def test_plot_chromagram_pitch_names():
    C, times, _ = chromagram(tones(440.0), sr=SR)
    before = plt.get_fignums()
    mesh = pc.plot_chromagram(C, times=times)
    ax = mesh.axes
    assert [t.get_text() for t in ax.get_yticklabels()] == list(PITCH_CLASSES)
    assert ax.get_xlabel() == "Time (s)" and ax.get_ylabel() == "Pitch class"
    assert len(ax.figure.axes) == 2  # + colorbar
    plt.close(ax.figure)
    assert plt.get_fignums() == before
    fig, ax2 = plt.subplots()
    assert pc.plot_chromagram(C, times=times, ax=ax2, colorbar=False).axes is ax2
    assert len(fig.axes) == 1
    with pytest.raises(ParameterError, match="12 rows"):
        pc.plot_chromagram(C[:6], times=times)


def test_chroma_profiles_heatmap():
    profiles = {"blues": np.eye(12)[0], "rock": np.ones(12) / 12, "jazz": np.eye(12)[9]}
    image = pc.plot_chroma_profiles(profiles)
    ax = image.axes
    assert image.get_array().shape == (3, 12)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["blues", "rock", "jazz"]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(PITCH_CLASSES)
    assert ax.get_xlabel() == "Pitch class"
    assert image.get_clim() == (0.0, 1.0)  # fixed 0..max, not fitted to the data's range
    with pytest.raises(ParameterError):
        pc.plot_chroma_profiles({"a": np.ones(11)})
    with pytest.raises(ParameterError, match="labels"):
        pc.plot_chroma_profiles(np.ones((2, 12)), labels=["x"])


def test_waveform_with_zcr_shares_time():
    y = tones(500.0)
    ax_wave, ax_zcr = pc.plot_waveform_with_zcr(y, sr=SR)
    assert ax_wave.figure is ax_zcr.figure
    assert ax_wave.get_ylabel() == "Amplitude"
    assert ax_zcr.get_ylabel() == "Zero crossings per second" and ax_zcr.get_xlabel() == "Time (s)"
    assert ax_wave.get_xlim() == pytest.approx(ax_zcr.get_xlim())
    (line,) = ax_zcr.lines
    assert np.median(line.get_ydata()) == pytest.approx(1000, rel=0.02)
    fig, axs = plt.subplots(2, 1)
    assert list(pc.plot_waveform_with_zcr(y, sr=SR, axes=axs)) == list(axs)
    with pytest.raises(ParameterError, match="two"):
        pc.plot_waveform_with_zcr(y, sr=SR, axes=[axs[0]])


def test_zero_crossings_zoom_marks_every_crossing():
    y = tones(500.0)
    ax = pc.plot_zero_crossings(y, sr=SR, start=0.2, duration=0.02)
    markers = [ln for ln in ax.lines if ln.get_label() == "zero crossing"]
    assert len(markers) == 1
    crossings = markers[0].get_xdata()
    assert len(crossings) in (19, 20, 21)  # 500 Hz: 1000 crossings per second
    assert np.all((crossings >= 0.2) & (crossings <= 0.22)) and np.allclose(markers[0].get_ydata(), 0)
    assert f"{len(crossings)} zero crossings in 20 ms" in ax.get_title()
    assert ax.get_xlabel() == "Time (s)"


def test_zero_crossings_5ms_marks_samples_and_can_hide_the_count():
    y = tones(441.0, seconds=20.0)
    ax = pc.plot_zero_crossings(y, sr=SR, start=17.765, duration=0.005, show_count=False)
    assert ax.get_title() == ""  # the student counts first
    (wave,) = [ln for ln in ax.lines if ln.get_label() != "zero crossing" and len(ln.get_xdata()) > 2]
    assert wave.get_marker() == "." and len(wave.get_xdata()) == round(0.005 * SR)  # one dot per sample
    (marks,) = [ln for ln in ax.lines if ln.get_label() == "zero crossing"]
    signs = np.signbit(wave.get_ydata())
    assert len(marks.get_xdata()) == np.count_nonzero(signs[1:] != signs[:-1])  # 441 Hz: 4 or 5 in 5 ms
    assert 4 <= len(marks.get_xdata()) <= 5
    assert ax.xaxis.get_major_formatter().get_useOffset() is False
    shown = pc.plot_zero_crossings(y, sr=SR, start=17.765, duration=0.005)
    assert shown.get_title().startswith(f"{len(marks.get_xdata())} zero crossings in 5 ms")


def test_zero_crossings_close_together_are_stacked_not_hidden():
    y = np.random.default_rng(0).normal(scale=0.3, size=SR)  # noise crosses at neighbouring samples
    fig, (_, ax) = plt.subplots(1, 2, figsize=(8.0, 3.0))
    pc.plot_zero_crossings(y, sr=SR, start=0.1, duration=0.005, ax=ax, show_count=False)
    fig.tight_layout()  # the layout shrinks the Axes after the circles were placed
    fig.canvas.draw()
    marks = [ln for ln in ax.lines if ln.get_label().lstrip("_") == "zero crossing"]
    (wave,) = [ln for ln in ax.lines if ln not in marks and len(ln.get_xdata()) > 2]
    signs = np.signbit(wave.get_ydata())
    times = np.concatenate([ln.get_xdata() for ln in marks])
    assert len(times) == np.count_nonzero(signs[1:] != signs[:-1])  # every crossing, once
    assert len(marks) > 1  # some had to leave the line
    centres = np.vstack([ln.get_transform().transform(np.column_stack([ln.get_xdata(), ln.get_ydata()]))
                         for ln in marks])
    gaps = np.hypot(*(centres[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(gaps, np.inf)
    assert gaps.min() >= pc.CROSSING_SIZE * fig.dpi / 72  # no circle overlaps another
    plt.close(fig)


def test_chroma_profiles_deviation_from_uniform_is_centred():
    flat = np.full(12, 1 / 12)
    peaked = flat + np.where(np.arange(12) == 9, 0.03, -0.03 / 11)  # A a little above uniform
    image = pc.plot_chroma_profiles({"flat": flat, "peaked": peaked}, deviation=True)
    data = image.get_array()
    assert np.allclose(data[0], 0.0) and data[1].argmax() == 9 and data[1, 9] == pytest.approx(0.03)
    low, high = image.get_clim()
    assert low == pytest.approx(-high) and high == pytest.approx(0.03)  # symmetric around 0
    assert image.get_cmap().name == "RdBu_r"
    colorbar = image.axes.figure.axes[-1]
    assert "1/12" in colorbar.get_ylabel()
    uniform = pc.plot_chroma_profiles({"flat": flat}, deviation=True)  # all zero: still a valid scale
    assert uniform.get_clim()[1] > 0


def test_chroma_filterbank_is_gaussian_not_hard_bins():
    from musicviz.chroma import chroma_filterbank

    W, freqs, names = chroma_filterbank(sr=SR, n_fft=2048)
    assert W.shape == (12, 1025) and freqs.shape == (1025,) and names == PITCH_CLASSES
    near_a = int(np.argmin(np.abs(freqs - 440.0)))
    column = W[:, near_a]
    assert names[int(column.argmax())] == "A"
    assert np.count_nonzero(column > 0.01 * column.max()) >= 2  # a bin feeds more than one class
    a_row = W[PITCH_CLASSES.index("A")]
    in_band = (freqs > 400) & (freqs < 480)
    bump = a_row[in_band]
    partial = (bump > 0.1 * bump.max()) & (bump < 0.9 * bump.max())
    assert np.count_nonzero(partial) >= 2  # graded weights around 440 Hz: a bump, not a 0/1 plateau
    # the octave weighting: the bump near 880 Hz is stronger than the one near 110 Hz
    assert a_row[(freqs > 850) & (freqs < 910)].max() > a_row[(freqs > 95) & (freqs < 125)].max()
    with pytest.raises(ParameterError, match="n_fft"):
        chroma_filterbank(sr=SR, n_fft=0)
    with pytest.raises(ParameterError, match="tuning"):
        chroma_filterbank(sr=SR, tuning=float("nan"))


def test_plot_chroma_filters():
    from musicviz.chroma import chroma_filterbank

    W, freqs, _ = chroma_filterbank(sr=SR)
    ax = pc.plot_chroma_filters(W, freqs=freqs, classes=("A", "C"))
    assert [ln.get_label() for ln in ax.lines] == ["A", "C"]
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "Frequency (Hz)"
    assert ax.get_xlim() == pytest.approx((50.0, 5000.0))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["55", "110", "220", "440", "880", "1760", "3520"]
    fig, given = plt.subplots()
    assert pc.plot_chroma_filters(W, freqs=freqs, ax=given) is given
    with pytest.raises(ParameterError, match="classes"):
        pc.plot_chroma_filters(W, freqs=freqs, classes=("H",))
    with pytest.raises(ParameterError, match="fmin"):
        pc.plot_chroma_filters(W, freqs=freqs, fmin=1000.0, fmax=100.0)
    with pytest.raises(ParameterError, match="freqs"):
        pc.plot_chroma_filters(W, freqs=freqs[:-1])


def test_zcr_distribution_per_genre():
    zcrs = {g: zero_crossing_rate(tones(f), sr=SR)[0] for g, f in (("low", 100.0), ("high", 3000.0))}
    ax = pc.plot_zcr_distribution(zcrs)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["low", "high"]
    assert ax.get_xlabel() == "Zero crossings per second"
    with pytest.raises(ParameterError):
        pc.plot_zcr_distribution({})
    with pytest.raises(ParameterError, match="NaN"):
        pc.plot_zcr_distribution({"x": np.array([1.0, np.nan])})


def test_plot_zcr_reuse_and_bad_input():
    fig, ax = plt.subplots()
    assert pc.plot_zcr(np.full(5, 10.0), times=np.arange(5) * 0.1, ax=ax).axes is ax
    with pytest.raises(ParameterError, match="times"):
        pc.plot_zcr(np.full(5, 10.0), times=np.arange(4))
