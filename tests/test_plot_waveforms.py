"""Tests of musicviz.waveforms and musicviz.plot.waveforms (notebook 01)."""

from __future__ import annotations

import subprocess
import sys

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from musicviz.errors import ParameterError
from musicviz.plot import waveforms as pw
from musicviz.waveforms import envelope, peak_level_db, time_axis, zero_crossing_rate, zero_crossings

SR = 22050


def tone(freq=220.0, seconds=1.0, amp=0.5, sr=SR):
    return amp * np.sin(2 * np.pi * freq * (np.arange(int(sr * seconds)) + 0.5) / sr)


# ----------------------------------------------------------------- computation
def test_time_axis_and_envelope():
    y = tone(seconds=2.0)
    assert time_axis(y, sr=SR)[-1] == pytest.approx((len(y) - 1) / SR)
    t, lo, hi = envelope(y, sr=SR, n_points=100)
    assert t.shape == lo.shape == hi.shape == (100,)
    assert np.all(lo <= hi) and hi.max() == pytest.approx(0.5, abs=1e-3) and lo.min() == pytest.approx(-0.5, abs=1e-3)
    assert 0 < t[0] < t[-1] < 2.0
    t_short, lo_short, _ = envelope(y[:50], sr=SR, n_points=100)  # short: every sample
    assert len(t_short) == 50 and np.array_equal(lo_short, y[:50])


def test_peak_level_db():
    assert peak_level_db(np.array([0.0, 1.0])) == pytest.approx(0.0)
    assert peak_level_db(np.array([0.0, -0.1])) == pytest.approx(-20.0)


def test_zero_crossings_of_a_tone():
    crossings = zero_crossings(tone(100.0, seconds=1.0), sr=SR)
    assert len(crossings) == 199
    assert np.allclose(np.diff(crossings), 1 / 200, atol=1e-4)  # every half period


def test_zero_crossing_rate_is_twice_the_frequency():
    zcr, times = zero_crossing_rate(tone(1000.0, seconds=2.0), sr=SR)
    assert zcr.shape == times.shape
    assert np.median(zcr) == pytest.approx(2000, rel=0.02)
    assert times[1] - times[0] == pytest.approx(512 / SR)


@pytest.mark.parametrize(
    "bad",
    [np.array([]), np.array([0.0, np.nan, 1.0]), np.zeros((2, 10)), np.array(["a", "b"]), [[1, 2], [3]]],
)
def test_bad_signals_raise_parameter_error(bad):
    with pytest.raises(ParameterError):
        pw.plot_waveform(bad, sr=SR)
    with pytest.raises(ParameterError):
        envelope(bad, sr=SR)


@pytest.mark.parametrize("sr", [0, -1, float("nan"), "22050", None, True])
def test_bad_sample_rate(sr):
    with pytest.raises(ParameterError, match="sr"):
        pw.plot_waveform(tone(), sr=sr)


def test_bad_frame_arguments():
    with pytest.raises(ParameterError, match="hop_length"):
        zero_crossing_rate(tone(), sr=SR, hop_length=0)
    with pytest.raises(ParameterError, match="n_points"):
        envelope(tone(), sr=SR, n_points=0)


# ----------------------------------------------------------------- plots
def test_plot_waveform_new_figure_and_labels():
    before = plt.get_fignums()
    ax = pw.plot_waveform(tone(seconds=3.0), sr=SR)
    assert ax.get_xlabel() == "Time (s)" and ax.get_ylabel() == "Amplitude"
    assert len(ax.collections) == 1  # the envelope
    assert ax.get_xlim() == pytest.approx((0.0, 3.0))
    assert len(plt.get_fignums()) == len(before) + 1
    plt.close(ax.figure)
    assert plt.get_fignums() == before


def test_plot_waveform_reuses_given_axes():
    fig, ax = plt.subplots()
    n_figs = len(plt.get_fignums())
    out = pw.plot_waveform(tone(seconds=0.001), sr=SR, ax=ax, offset=2.0, color="red")
    assert out is ax and len(plt.get_fignums()) == n_figs
    line = ax.lines[0]  # short signal: every sample as a line
    assert line.get_color() == "red"
    assert ax.get_xlim()[0] == pytest.approx(2.0)


def test_plot_waveform_rejects_non_axes():
    with pytest.raises(ParameterError, match="ax"):
        pw.plot_waveform(tone(), sr=SR, ax="left")


def test_waveform_grid_shares_amplitude_scale():
    clips = {"loud": tone(amp=0.9), "quiet": tone(amp=0.05), "mid": tone(amp=0.3)}
    axes = pw.plot_waveform_grid(clips, sr=SR, ncols=2)
    assert len(axes) == 3
    limits = {ax.get_ylim() for ax in axes}
    assert len(limits) == 1
    (low, high), = limits
    assert high == pytest.approx(0.9 * 1.05, rel=1e-3) and low == pytest.approx(-high)
    assert [ax.get_title(loc="left") for ax in axes] == ["loud", "quiet", "mid"]
    fig = axes[0].figure
    assert fig.get_supxlabel() == "Time (s)" and fig.get_supylabel() == "Amplitude"
    assert len(fig.axes) == 3  # the unused fourth cell is removed


def test_waveform_grid_fixed_ylim_and_given_axes():
    fig, axs = plt.subplots(1, 2)
    out = pw.plot_waveform_grid({"a": tone(), "b": tone()}, sr=SR, axes=axs, ylim=1.0)
    assert list(out) == list(axs)
    assert all(ax.get_ylim() == (-1.0, 1.0) for ax in axs)
    assert axs[0].get_xlabel() == "Time (s)"
    with pytest.raises(ParameterError, match="ylim"):
        pw.plot_waveform_grid({"a": tone()}, sr=SR, ylim=-1)
    with pytest.raises(ParameterError, match="empty"):
        pw.plot_waveform_grid({}, sr=SR)
    with pytest.raises(ParameterError, match="mapping"):
        pw.plot_waveform_grid([tone()], sr=SR)


def test_waveform_zoom_shows_cycles():
    y = tone(220.0, seconds=2.0)
    ax = pw.plot_waveform_zoom(y, sr=SR, start=1.0, duration=0.05)
    assert ax.get_xlim() == pytest.approx((1.0, 1.05))
    (line,) = [ln for ln in ax.lines if len(ln.get_xdata()) > 2]
    assert len(line.get_xdata()) == pytest.approx(0.05 * SR, abs=1)
    assert ax.get_xlabel() == "Time (s)"
    # 50 ms of 220 Hz: 11 cycles -> 22 sign changes visible
    assert np.count_nonzero(np.diff(np.signbit(line.get_ydata()))) in (21, 22)
    with pytest.raises(ParameterError, match="start"):
        pw.plot_waveform_zoom(y, sr=SR, start=1.99, duration=0.05)
    with pytest.raises(ParameterError, match="duration"):
        pw.plot_waveform_zoom(y, sr=SR, start=0.0, duration=0)


def test_importing_changes_no_matplotlib_state():
    code = (
        "import matplotlib, json; before = dict(matplotlib.rcParams);"
        "import musicviz, musicviz.plot, musicviz.plot.waveforms, musicviz.plot.spectrograms,"
        " musicviz.plot.chroma, musicviz.export, musicviz.waveforms, musicviz.spectrograms, musicviz.chroma;"
        "import matplotlib.pyplot as plt;"
        "after = dict(matplotlib.rcParams);"
        "diff = sorted(k for k in before if str(before[k]) != str(after[k]) and k != 'backend');"
        "print(json.dumps(diff))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_use_style_sets_fixed_figure_size():
    from musicviz.plot import STYLE, use_style

    with matplotlib.rc_context():
        use_style()
        fig = plt.figure()
        assert tuple(fig.get_size_inches()) == tuple(STYLE["figure.figsize"])
        plt.close(fig)


# ----------------------------------------------------------------- periodicity (notebooks 01, 03)
def test_periodicity_finds_the_tone_and_its_fundamental():
    from musicviz.waveforms import periodicity

    rng = np.random.default_rng(0)
    y = np.concatenate([0.3 * rng.normal(size=SR), tone(441.0, seconds=1.0), 0.3 * rng.normal(size=SR)])
    p, f0, starts = periodicity(y, sr=SR)
    assert p.shape == f0.shape == starts.shape and starts[1] - starts[0] == pytest.approx(0.005, abs=1 / SR)
    inside = (starts >= 1.0) & (starts <= 1.95)
    noise = (starts <= 0.9) | (starts >= 2.0)
    assert np.nanmin(p[inside]) > 0.95 and np.nanmax(p[noise]) < 0.5
    assert np.allclose(f0[inside], 441.0, rtol=0.01)  # the period, not twice it (no octave error)
    assert 1.0 <= starts[int(np.nanargmax(p))] <= 1.95


def test_periodicity_of_a_harmonic_tone_is_its_fundamental():
    from musicviz.waveforms import periodicity

    t = np.arange(SR) / SR
    y = sum(np.sin(2 * np.pi * 220.0 * k * t) / k for k in (1, 2, 3, 4))  # a sawtooth-like 220 Hz
    p, f0, _ = periodicity(y, sr=SR)
    assert np.nanmedian(p) > 0.95 and np.median(f0) == pytest.approx(220.0, rel=0.01)


def test_periodicity_marks_quiet_windows_nan():
    from musicviz.waveforms import periodicity

    y = np.concatenate([np.zeros(SR), tone(300.0, seconds=1.0)])
    p, _, starts = periodicity(y, sr=SR)
    assert np.all(np.isnan(p[starts < 0.9])) and not np.any(np.isnan(p[starts > 1.0]))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"fmin": 500.0, "fmax": 400.0}, "fmin"),
        ({"fmax": 20000.0}, "fmax"),
        ({"duration": 0.005}, "duration"),
        ({"hop": 0}, "hop"),
        ({"min_level_db": 3.0}, "min_level_db"),
    ],
)
def test_periodicity_bad_arguments(kwargs, match):
    from musicviz.waveforms import periodicity

    with pytest.raises(ParameterError, match=match):
        periodicity(tone(), sr=SR, **kwargs)
    with pytest.raises(ParameterError, match="shorter"):
        periodicity(tone(seconds=0.01), sr=SR)


def test_waveform_zoom_5ms_shows_every_sample_in_plain_seconds():
    y = tone(441.0, seconds=20.0)
    ax = pw.plot_waveform_zoom(y, sr=SR, start=17.765, duration=0.005)
    (line,) = [ln for ln in ax.lines if len(ln.get_xdata()) > 2]  # not the zero line
    assert line.get_marker() == "." and len(line.get_xdata()) == round(0.005 * SR)
    assert ax.xaxis.get_major_formatter().get_useOffset() is False  # 17.765, never 0.005 + 1.776e1
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels and all(label.startswith("17.7") for label in labels) and len(labels) <= 6
    wide = pw.plot_waveform_zoom(y, sr=SR, start=1.0, duration=0.05)
    (wide_line,) = [ln for ln in wide.lines if len(ln.get_xdata()) > 2]
    assert wide_line.get_marker() in ("None", None, "")  # 1102 samples: a line, no dots
