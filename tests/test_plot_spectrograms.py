"""Tests of musicviz.spectrograms and musicviz.plot.spectrograms (notebook 02)."""

from __future__ import annotations


import matplotlib.pyplot as plt
import numpy as np
import pytest

from musicviz.errors import ParameterError
from musicviz.plot import spectrograms as ps
from musicviz.spectrograms import downsample_spectrogram, hz_to_mel, mel_db, mel_to_hz, stft_db

SR = 22050


def tone(freq=1000.0, seconds=1.0, amp=1.0):
    return amp * np.sin(2 * np.pi * freq * np.arange(int(SR * seconds)) / SR)


def noise(seconds=1.0, scale=0.1, seed=0):
    return np.random.default_rng(seed).normal(scale=scale, size=int(SR * seconds))


# ----------------------------------------------------------------- computation
def test_stft_db_is_in_dbfs_with_coordinates():
    S_db, times, freqs = stft_db(tone(1000.0, amp=1.0), sr=SR)
    assert S_db.shape == (1025, len(times)) and freqs.shape == (1025,)
    assert freqs[-1] == pytest.approx(SR / 2) and times[1] == pytest.approx(512 / SR)
    k = int(np.argmax(S_db[:, 20]))
    assert freqs[k] == pytest.approx(1000, abs=SR / 2048)
    assert S_db[:, 20].max() == pytest.approx(0.0, abs=1.0)  # full-scale sine ~ 0 dBFS
    quieter, _, _ = stft_db(tone(1000.0, amp=0.1), sr=SR)
    assert quieter[:, 20].max() == pytest.approx(-20.0, abs=1.0)  # fixed reference, not per clip
    assert S_db.min() >= -100.0


def test_mel_db_band_centres_in_hz():
    M_db, times, freqs = mel_db(tone(1000.0), sr=SR, n_mels=64)
    assert M_db.shape == (64, len(times)) and np.all(np.diff(freqs) > 0)
    assert freqs[int(np.argmax(M_db[:, 20]))] == pytest.approx(1000, rel=0.1)
    assert M_db[:, 20].max() == pytest.approx(0.0, abs=3.0)
    with pytest.raises(ParameterError, match="fmax"):
        mel_db(tone(), sr=SR, fmax=20000)
    with pytest.raises(ParameterError, match="n_mels"):
        mel_db(tone(), sr=SR, n_mels=0)


def test_mel_conversions_round_trip():
    f = np.array([0.0, 100.0, 1000.0, 5000.0])
    assert np.allclose(mel_to_hz(hz_to_mel(f)), f)


def test_downsample_keeps_power():
    S = np.full((1025, 300), -20.0)
    small, t, f = downsample_spectrogram(S, times=np.arange(300) * 0.023, freqs=np.linspace(0, 11025, 1025),
                                         n_times=30, n_freqs=50, fmax=5000)
    assert small.shape == (50, 30) and np.allclose(small, -20.0)
    assert f.max() <= 5000 and np.all(np.diff(t) > 0)
    with pytest.raises(ParameterError, match="shape"):
        downsample_spectrogram(S, times=np.arange(3), freqs=np.arange(1025))


@pytest.mark.parametrize("bad", [np.array([]), np.array([0.0, np.inf]), np.ones((2, 100))])
def test_bad_signal(bad):
    with pytest.raises(ParameterError):
        stft_db(bad, sr=SR)
    with pytest.raises(ParameterError):
        ps.plot_spectrogram_grid({"x": bad}, sr=SR)


def test_bad_parameters():
    with pytest.raises(ParameterError, match="sr"):
        stft_db(tone(), sr=0)
    with pytest.raises(ParameterError, match="n_fft"):
        stft_db(tone(), sr=SR, n_fft=0)


# ----------------------------------------------------------------- plots
@pytest.fixture(scope="module")
def spec():
    return stft_db(noise(2.0), sr=SR)


@pytest.mark.parametrize("yscale", ["linear", "log", "mel"])
def test_plot_spectrogram_axes_in_seconds_and_hz(spec, yscale):
    S_db, times, freqs = spec
    if yscale == "mel":
        S_db, times, freqs = mel_db(noise(2.0), sr=SR)
    before = plt.get_fignums()
    mesh = ps.plot_spectrogram(S_db, times=times, freqs=freqs, yscale=yscale, vmin=-90, vmax=-10)
    ax = mesh.axes
    assert ax.get_xlabel() == "Time (s)" and ax.get_ylabel() == "Frequency (Hz)"
    assert mesh.get_clim() == (-90.0, -10.0)
    assert ax.get_yscale() == {"linear": "linear", "log": "symlog", "mel": "symlog"}[yscale]  # librosa's axes
    assert ax.get_xlim() == pytest.approx((0.0, times[-1] + (times[1] - times[0]) / 2), abs=0.03)
    # the rows sit at their frequencies in Hz (not at bin numbers): each centre inside its cell
    y_edges = mesh.get_coordinates()[:, 0, 1]
    assert np.all(y_edges[:-1] <= freqs) and np.all(freqs <= y_edges[1:])
    assert ax.get_ylim() == pytest.approx((y_edges[0], y_edges[-1]))
    fig = ax.figure
    colorbars = [a for a in fig.axes if a is not ax]
    assert len(colorbars) == 1 and colorbars[0].get_ylabel() == "Level (dBFS)"
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert labels and all(label.isdigit() for label in labels)  # plain Hz, no bins, no kHz
    if yscale != "linear":
        assert {"512", "1024", "2048", "4096"} <= set(labels)  # octaves, in Hz
    plt.close(fig)
    assert plt.get_fignums() == before


def _height(ax, f_lo, f_hi):
    """Screen distance between two frequencies on the y axis."""
    y = ax.transData.transform([[0, f_lo], [0, f_hi]])[:, 1]
    return y[1] - y[0]


def test_log_and_mel_axes_are_spaced_as_we_hear(spec):
    S_db, times, freqs = spec
    log = ps.plot_spectrogram(S_db, times=times, freqs=freqs, yscale="log").axes
    assert _height(log, 250, 500) == pytest.approx(_height(log, 2000, 4000))  # every octave alike
    assert _height(log, 2000, 4000) == pytest.approx(_height(log, 4000, 8000))
    M_db, mt, mf = mel_db(noise(1.0), sr=SR)
    mel = ps.plot_spectrogram(M_db, times=mt, freqs=mf, yscale="mel").axes
    assert _height(mel, 0, 500) == pytest.approx(_height(mel, 500, 1000))  # linear below 1 kHz
    assert _height(mel, 1000, 2000) == pytest.approx(_height(mel, 4000, 8000))  # octaves above
    assert _height(mel, 2000, 4000) < _height(mel, 0, 2000) < 4 * _height(mel, 2000, 4000)
    lin = ps.plot_spectrogram(S_db, times=times, freqs=freqs).axes
    assert _height(lin, 0, 1000) == pytest.approx(_height(lin, 5000, 6000))


def test_plot_spectrogram_frequency_limits(spec):
    S_db, times, freqs = spec
    for yscale in ("linear", "log", "mel"):
        ax = ps.plot_spectrogram(S_db, times=times, freqs=freqs, yscale=yscale, fmin=50, fmax=5000).axes
        assert ax.get_ylim() == pytest.approx((50, 5000))
    ax = ps.plot_spectrogram(S_db, times=times, freqs=freqs, yscale="log", fmax=8000).axes
    assert ax.get_ylim() == pytest.approx((0, 8000))  # librosa's log axis is linear near 0 Hz
    before = plt.get_fignums()
    for fmin, fmax in ((500, 100), (-10, 100), (None, 0)):
        with pytest.raises(ParameterError, match="fmin"):
            ps.plot_spectrogram(S_db, times=times, freqs=freqs, fmin=fmin, fmax=fmax)
    assert plt.get_fignums() == before


def test_figures_keep_the_size_and_axes_count_notebooks_print():
    from musicviz.plot import STYLE

    with plt.rc_context(STYLE):
        S_db, times, freqs = mel_db(noise(2.0), sr=SR)
        mesh = ps.plot_spectrogram(S_db, times=times, freqs=freqs, yscale="mel")
        assert repr(mesh.axes.figure) == "<Figure size 640x280 with 2 Axes>"  # notebook 07
        clips = {f"g{i}": noise(1.0, seed=i) for i in range(10)}
        axes = ps.plot_spectrogram_grid(clips, sr=SR, kind="mel", ncols=2)
        assert repr(axes[0].figure) == "<Figure size 640x624 with 11 Axes>"  # notebook 02
        fig, axs = plt.subplots(3, 1, figsize=(8.0, 7.0))
        for ax, yscale in zip(axs, ("linear", "log", "mel")):
            ps.plot_spectrogram(S_db, times=times, freqs=freqs, yscale=yscale, ax=ax)
        assert repr(fig) == "<Figure size 640x560 with 6 Axes>"  # notebook 02


def test_plot_spectrogram_default_scale_and_reuse(spec):
    S_db, times, freqs = spec
    fig, ax = plt.subplots()
    n = len(plt.get_fignums())
    mesh = ps.plot_spectrogram(S_db, times=times, freqs=freqs, ax=ax, colorbar=False, cmap="viridis")
    assert mesh.axes is ax and len(plt.get_fignums()) == n and len(fig.axes) == 1
    assert mesh.get_cmap().name == "viridis"
    vmin, vmax = mesh.get_clim()
    assert vmax == pytest.approx(S_db.max()) and vmax - vmin == pytest.approx(80)


def test_plot_spectrogram_bad_input(spec):
    S_db, times, freqs = spec
    with pytest.raises(ParameterError, match="times"):
        ps.plot_spectrogram(S_db, times=times[:-1], freqs=freqs)
    with pytest.raises(ParameterError, match="yscale"):
        ps.plot_spectrogram(S_db, times=times, freqs=freqs, yscale="bark")
    with pytest.raises(ParameterError, match="NaN"):
        ps.plot_spectrogram(np.full_like(S_db, np.nan), times=times, freqs=freqs)
    with pytest.raises(ParameterError, match="2-D"):
        ps.plot_spectrogram(S_db[:, 0], times=times, freqs=freqs)
    with pytest.raises(ParameterError, match="vmin"):
        ps.plot_spectrogram(S_db, times=times, freqs=freqs, vmin=0, vmax=-10)


@pytest.mark.parametrize("kind", ["stft", "mel"])
def test_grid_shares_one_colour_scale(kind):
    clips = {"loud": noise(1.0, scale=0.3), "quiet": noise(1.0, scale=0.003, seed=1), "tone": tone(440.0, amp=0.5)}
    axes = ps.plot_spectrogram_grid(clips, sr=SR, kind=kind, ncols=2)
    assert len(axes) == 3
    clims = {ax.collections[0].get_clim() for ax in axes}
    assert len(clims) == 1  # the same vmin/vmax in every panel
    vmin, vmax = clims.pop()
    assert vmax - vmin == pytest.approx(80)
    fig = axes[0].figure
    assert fig.get_supxlabel() == "Time (s)" and fig.get_supylabel() == "Frequency (Hz)"
    colorbars = [a for a in fig.axes if a not in list(axes)]
    assert len(colorbars) == 1 and colorbars[0].get_ylabel() == "Level (dBFS)"
    # the quiet clip really looks darker: its median level sits far below the loud one's
    loud, quiet = (np.median(np.asarray(ax.collections[0].get_array())) for ax in axes[:2])
    assert loud - quiet > 30


def test_grid_explicit_scale_and_given_axes():
    fig, axs = plt.subplots(1, 2)
    out = ps.plot_spectrogram_grid({"a": noise(), "b": noise(seed=2)}, sr=SR, kind="stft", yscale="log",
                                   vmin=-100, vmax=0, axes=axs, colorbar=False)
    assert list(out) == list(axs) and len(fig.axes) == 2
    assert all(ax.collections[0].get_clim() == (-100.0, 0.0) for ax in axs)
    assert axs[0].get_ylabel() == "Frequency (Hz)"
    with pytest.raises(ParameterError, match="kind"):
        ps.plot_spectrogram_grid({"a": noise()}, sr=SR, kind="cqt")


def _peaks_of(n_lines, seconds=3.0):
    """A signal whose spectrum has a 500 Hz tone in the first half and a 2 kHz tone in the second."""
    half = int(SR * seconds / 2)
    t = np.arange(half) / SR
    y = np.concatenate([0.5 * np.sin(2 * np.pi * 500 * t), 0.5 * np.sin(2 * np.pi * 2000 * t)])
    y = y + noise(seconds, scale=1e-4)
    return stft_db(y, sr=SR)


def test_waterfall_lines_newest_in_front_on_a_log_axis_in_hz():
    S_db, times, freqs = _peaks_of(12)
    before = plt.get_fignums()
    ax = ps.plot_waterfall_lines(S_db, times=times, freqs=freqs, n_times=12, fmin=50, fmax=8000)
    assert len(plt.get_fignums()) == len(before) + 1
    assert ax.get_xscale() == "log" and ax.get_xlim() == pytest.approx((50, 8000))
    assert ax.get_xlabel() == "Frequency (Hz)" and ax.get_ylabel().startswith("Time (s)")
    ax.figure.canvas.draw()
    xticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert set(xticks) <= {"50", "100", "200", "500", "1000", "2000", "5000"} and "1000" in xticks
    curves = ax.lines[:-1]  # the last line is the 20 dB bar
    assert len(curves) == 12 and len(ax.collections) == 12
    # newest in front: later moments sit lower and are drawn on top (higher zorder)
    bases = [line.get_ydata().min() for line in curves]
    assert all(a >= b for a, b in zip(bases, bases[1:]))
    zorders = [line.get_zorder() for line in curves]
    assert zorders == sorted(zorders)
    # the tone moves from 500 Hz (old, top lines) to 2 kHz (new, bottom lines)
    x = curves[0].get_xdata()
    first = x[np.argmax(curves[0].get_ydata())]
    last = x[np.argmax(curves[-1].get_ydata())]
    assert first == pytest.approx(500, rel=0.05) and last == pytest.approx(2000, rel=0.05)
    # time ticks are labelled in seconds, within the clip
    labels = [float(t.get_text()) for t in ax.get_yticklabels() if t.get_text()]
    assert labels and min(labels) >= 0 and max(labels) <= times[-1] + 0.2


def test_waterfall_lines_given_axes_and_bad_input():
    S_db, times, freqs = stft_db(noise(1.0), sr=SR)
    fig, ax = plt.subplots()
    before = plt.get_fignums()
    assert ps.plot_waterfall_lines(S_db, times=times, freqs=freqs, ax=ax, n_times=5) is ax
    assert plt.get_fignums() == before and len(fig.axes) == 1
    with pytest.raises(ParameterError, match="fmin"):
        ps.plot_waterfall_lines(S_db, times=times, freqs=freqs, fmin=5000, fmax=1000)
    with pytest.raises(ParameterError, match="n_times"):
        ps.plot_waterfall_lines(S_db, times=times, freqs=freqs, n_times=1)
    with pytest.raises(ParameterError, match="times"):
        ps.plot_waterfall_lines(S_db, times=times[:-1], freqs=freqs)
    assert plt.get_fignums() == before


def test_plot_spectrum_one_line_in_hz():
    from musicviz import spectrograms as sp

    y = sp.test_signal("sine", sr=SR, freq=445.0)
    level, f = sp.window_spectrum(y, sr=SR, window="hann")
    line = ps.plot_spectrum(level, freqs=f, fmin=200, fmax=700, color="C2")
    ax = line.axes
    assert list(ax.lines) == [line] and ax.get_xlim() == (200.0, 700.0)
    assert ax.get_xlabel() == "Frequency (Hz)" and ax.get_ylabel() == "Level (dBFS)"
    assert np.array_equal(line.get_xdata(), f)
    fig, given = plt.subplots()
    assert ps.plot_spectrum(level, freqs=f, ax=given, ylabel="dB").axes is given and given.get_ylabel() == "dB"
    before = plt.get_fignums()
    with pytest.raises(ParameterError, match="1-D"):
        ps.plot_spectrum(np.ones((2, 3)), freqs=f)
    with pytest.raises(ParameterError, match="freqs"):
        ps.plot_spectrum(level, freqs=f[:-1])
    with pytest.raises(ParameterError, match="fmin"):
        ps.plot_spectrum(level, freqs=f, fmin=800, fmax=700)
    assert plt.get_fignums() == before


def test_grid_colour_scale_never_reads_minus_zero():
    clips = {"full": tone(1000.0, amp=0.99)}
    axes = ps.plot_spectrogram_grid(clips, sr=SR, kind="stft")
    _, vmax = axes[0].collections[0].get_clim()
    assert f"{vmax:.0f}" == "0"
