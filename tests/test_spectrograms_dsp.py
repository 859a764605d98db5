"""Tests of the DSP helpers of notebook 02: test signals, one-frame spectra, resolution.

The expected numbers come from DSP theory, not from a run: a sine at a bin centre reads
20 log10(amplitude) dBFS; the first side lobe of the rectangular window is about -13.3 dB and
that of Hann about -31.5 dB; zero-padding does not narrow a main lobe; a Hann window needs the
two frequencies more than about two bins apart; centred frames put an impulse in the frame
whose centre is nearest to it.
"""

from __future__ import annotations

import numpy as np
import pytest

from musicviz import spectrograms as sp
from musicviz.errors import ParameterError

SR = 22050


@pytest.mark.parametrize("kind", sp.TEST_SIGNALS)
def test_test_signals_have_the_asked_length_and_peak(kind):
    y = sp.test_signal(kind, sr=SR, duration=0.5, amplitude=0.4)
    assert y.shape == (SR // 2,) and np.all(np.isfinite(y))
    assert np.abs(y).max() == pytest.approx(0.4, abs=0.01)


def test_test_signal_content():
    sine = sp.test_signal("sine", sr=SR, duration=1.0, freq=1000.0)
    crossings = np.count_nonzero(np.diff(np.signbit(sine)))
    assert crossings == pytest.approx(2000, abs=2)  # two zero crossings per period
    imp = sp.test_signal("impulse", sr=SR, duration=1.0, at=0.25)
    assert np.count_nonzero(imp) == 1 and np.argmax(imp) == SR // 4
    chirp = sp.test_signal("chirp", sr=SR, duration=2.0, fmin=100, fmax=3200)
    S, t, f = sp.stft_db(chirp, sr=SR)
    peak = f[np.argmax(S, axis=0)]
    # exponential sweep: the peak frequency at 1/4, 1/2, 3/4 of the way is 100 * 32**x
    for x in (0.25, 0.5, 0.75):
        m = int(np.argmin(np.abs(t - 2.0 * x)))
        assert peak[m] == pytest.approx(100 * 32**x, rel=0.08)


def test_test_signal_is_not_collected_as_a_test():
    assert sp.test_signal.__test__ is False


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"kind": "square"}, "kind"),
        ({"kind": "sine", "freq": 20000}, "freq"),
        ({"kind": "sine", "duration": 0}, "duration"),
        ({"kind": "chirp", "fmin": 500, "fmax": 100}, "fmin"),
        ({"kind": "impulse", "at": 2.0}, "at"),
        ({"kind": "two_sines", "spacing": -5}, "spacing"),
    ],
)
def test_test_signal_refuses_bad_input(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        sp.test_signal(sr=SR, **kwargs)


def test_window_spectrum_reads_dbfs_for_any_window():
    freq = SR / 1024 * 40  # exactly on bin 40 of a 1024-point DFT
    y = sp.test_signal("sine", sr=SR, freq=freq, amplitude=0.5)
    for window in ("boxcar", "hann", "hamming"):
        level, freqs = sp.window_spectrum(y, sr=SR, win_length=1024, window=window)
        assert freqs[np.argmax(level)] == pytest.approx(freq)
        assert level.max() == pytest.approx(20 * np.log10(0.5), abs=0.05)
    # a rectangular window on a bin centre: every other bin is (numerically) empty
    level, _ = sp.window_spectrum(y, sr=SR, win_length=1024, window="boxcar")
    assert np.all(np.delete(level, 40) < -90)


def _first_side_lobe(level):
    k = int(np.argmax(level))
    while level[k + 1] < level[k]:
        k += 1
    while level[k + 1] > level[k]:
        k += 1
    return level[k] - level.max()


def test_leakage_side_lobes_of_rectangular_and_hann():
    # a sine far from 0 Hz (bin 200), so its mirror image at -f does not disturb the lobes
    y = sp.test_signal("sine", sr=SR, freq=SR / 1024 * 200, amplitude=1.0)
    rect, _ = sp.window_spectrum(y, sr=SR, win_length=1024, n_fft=64 * 1024, window="boxcar")
    hann, _ = sp.window_spectrum(y, sr=SR, win_length=1024, n_fft=64 * 1024, window="hann")
    assert _first_side_lobe(rect) == pytest.approx(-13.26, abs=0.2)
    assert _first_side_lobe(hann) == pytest.approx(-31.47, abs=0.2)


def test_zero_padding_interpolates_but_does_not_narrow():
    y = sp.test_signal("sine", sr=SR, freq=1000.0, amplitude=1.0)

    def width_hz(level, freqs):  # -6 dB width of the main lobe
        above = freqs[level >= level.max() - 6]
        return above.max() - above.min()

    base = sp.average_spectrum(y, sr=SR, win_length=1024, n_fft=1024)
    padded = sp.average_spectrum(y, sr=SR, win_length=1024, n_fft=16 * 1024)
    longer = sp.average_spectrum(y, sr=SR, win_length=4096, n_fft=16 * 4096)
    assert len(padded[0]) == 8 * 1024 + 1  # 16x the bins
    # Hann's -6 dB width is 2 bins of the *window*: ~43 Hz for 1024 samples, ~11 Hz for 4096
    assert width_hz(*padded) == pytest.approx(2 * SR / 1024, rel=0.1)
    assert width_hz(*longer) == pytest.approx(2 * SR / 4096, rel=0.1)
    assert width_hz(*base) >= width_hz(*padded) - SR / 1024  # coarser sampling of the same lobe


def test_separates_needs_about_two_hann_bins():
    for spacing in (20.0, 30.0, 60.0):
        y = sp.test_signal("two_sines", sr=SR, duration=3.0, freq=440, spacing=spacing)
        for n in (512, 1024, 2048, 4096, 8192):
            bins_apart = spacing / (SR / n)
            verdict = sp.separates(y, sr=SR, f1=440, f2=440 + spacing, win_length=n)
            if bins_apart < 1.5:
                assert not verdict, (spacing, n)
            if bins_apart > 2.5:
                assert verdict, (spacing, n)
        # zero-padding a window that does not separate does not make it separate
        n = 2 ** int(np.floor(np.log2(SR / spacing)))  # < 1 bin apart
        assert not sp.separates(y, sr=SR, f1=440, f2=440 + spacing, win_length=n, n_fft=16 * n)


def test_separates_bad_input():
    y = sp.test_signal("two_sines", sr=SR, duration=1.0)
    with pytest.raises(ParameterError, match="n_fft"):
        sp.separates(y, sr=SR, f1=440, f2=470, win_length=2048, n_fft=1024)
    with pytest.raises(ParameterError, match="window"):
        sp.separates(y, sr=SR, f1=440, f2=470, win_length=2048, window="nonsense")
    with pytest.raises(ParameterError, match="f1 and f2"):
        sp.separates(y, sr=SR, f1=440, f2=20000, win_length=2048)
    with pytest.raises(ParameterError, match="at least 1024"):
        sp.average_spectrum(y[:100], sr=SR, win_length=1024)
    with pytest.raises(ParameterError, match="start"):
        sp.window_spectrum(y, sr=SR, win_length=1024, start=len(y) - 10)


def test_stft_frames_are_centred():
    hop = 512
    imp = sp.test_signal("impulse", sr=SR, duration=1.0, at=hop * 20 / SR)  # exactly on frame 20's centre
    S, times, _ = sp.stft_db(imp, sr=SR, n_fft=2048, hop_length=hop)
    assert len(times) == 1 + SR // hop
    assert int(np.argmax((10 ** (S / 10)).sum(axis=0))) == 20
    assert times[20] == pytest.approx(20 * hop / SR)


def test_slaney_mel_formula_is_what_mel_db_uses():
    f = np.array([0.0, 200.0, 999.0, 1000.0, 3000.0, 10000.0])
    slaney = np.where(f < 1000, 3 * f / 200, 15 + 27 * np.log(f / 1000 + (f == 0)) / np.log(6.4))
    assert np.allclose(sp.hz_to_mel(f), slaney)
    assert not np.allclose(sp.hz_to_mel(f[1:]), 2595 * np.log10(1 + f[1:] / 700))  # not HTK
