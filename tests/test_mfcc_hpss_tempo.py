"""Tests of musicviz.mfcc_hpss_tempo (notebook 03b): MFCC steps, HPSS, beats, tempo errors, contrast."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from musicviz import mfcc_hpss_tempo as mht
from musicviz.errors import FeatureError, ParameterError

from _support import SR, tone


def noise(seconds=2.0, seed=0, scale=0.1):
    return np.random.default_rng(seed).normal(scale=scale, size=int(SR * seconds))


def click_track(bpm, seconds=10.0, seed=0):
    """Short noise bursts on every beat of ``bpm``, nothing in between."""
    rng = np.random.default_rng(seed)
    y = np.zeros(int(seconds * SR))
    for t in np.arange(0.1, seconds - 0.05, 60.0 / bpm):
        start = int(t * SR)
        y[start : start + 300] += rng.normal(scale=0.5, size=300) * np.exp(-np.arange(300) / 60.0)
    return y


# --------------------------------------------------------------------------- MFCC
def test_the_dct_step_is_librosas_mfcc():
    import librosa

    y = tone(2.0) + noise(2.0, scale=0.05).astype(np.float32)
    steps = mht.mfcc_steps(y, sr=SR, n_mfcc=13)
    ref = librosa.feature.mfcc(y=y, sr=SR, n_mfcc=13, pad_mode="reflect")
    assert steps["mfcc"].shape == ref.shape == (13, len(steps["times"]))
    np.testing.assert_allclose(steps["mfcc"], ref, atol=1e-3, rtol=1e-4)
    # and each step is the one before it, transformed
    np.testing.assert_allclose(steps["log_mel"], librosa.power_to_db(S=steps["mel"]), atol=1e-6)
    assert steps["dct"].shape[0] == 128 and np.array_equal(steps["mfcc"], steps["dct"][:13])


def test_pad_mode_is_the_tables():
    from musicviz.features import columns

    assert mht.PAD_MODE == columns.PAD_MODE


def test_mel_band_centres_rise_and_stay_below_nyquist():
    steps = mht.mfcc_steps(noise(), sr=SR, n_mels=40)
    f = steps["mel_freqs"]
    assert f.shape == (40,) and np.all(np.diff(f) > 0) and 0 < f[0] and f[-1] < SR / 2


def test_mfcc_means_match_the_kaggle_table_on_a_real_clip(gtzan_samples, shared_data):
    from musicviz.audio import load_audio

    y, sr = load_audio(gtzan_samples / "blues.00000.wav")
    steps = mht.mfcc_steps(y, sr=sr)
    csv = pd.read_csv(shared_data / "features_30_sec.csv").set_index("filename").loc["blues.00000.au"]
    ours = steps["mfcc"].mean(axis=1)
    theirs = np.array([csv[f"mfcc{k}_mean"] for k in range(1, 21)])
    np.testing.assert_allclose(ours, theirs, rtol=2e-3, atol=0.05)


def test_reconstruction_error_shrinks_with_more_coefficients_and_vanishes_with_all():
    log_mel = mht.mfcc_steps(tone(2.0, freq=330.0) + noise(2.0, scale=0.02), sr=SR)["log_mel"]
    ks = [1, 5, 13, 20, 40, 80, 128]
    err = mht.reconstruction_error(log_mel, n_coeffs=ks)
    assert list(err.index) == ks
    assert np.all(np.diff(err.to_numpy()) <= 1e-9)  # orthonormal DCT: dropping less never hurts
    assert err[1] > 2 * err[40] and err[128] == pytest.approx(0.0, abs=1e-6)
    # the error is the energy of the dropped coefficients (Parseval)
    import scipy.fft

    dct = scipy.fft.dct(log_mel, axis=0, type=2, norm="ortho")
    assert err[13] == pytest.approx(np.sqrt(np.sum(dct[13:] ** 2) / log_mel.size), rel=1e-9)


def test_reconstruct_log_mel_keeps_a_smooth_envelope():
    # A log spectrum with a broad tilt and fine ripple: few coefficients keep the tilt only.
    bands = np.arange(128)
    tilt, ripple = -0.4 * bands, 6.0 * np.cos(np.pi * bands * 0.9)
    import scipy.fft

    dct = scipy.fft.dct((tilt + ripple)[:, None], axis=0, type=2, norm="ortho")
    smooth = mht.reconstruct_log_mel(dct, n_mels=128, n_coeffs=13)[:, 0]
    assert np.abs(smooth - tilt)[10:-10].max() < 3.0  # the ripple is gone, the tilt is there
    assert np.allclose(mht.reconstruct_log_mel(dct, n_mels=128)[:, 0], tilt + ripple)


def test_mfcc_audio_is_seeded_and_rebuilds_the_envelope():
    import librosa

    y = tone(1.5, freq=300.0) + noise(1.5, scale=0.05)
    steps = mht.mfcc_steps(y, sr=SR)
    a = mht.mfcc_audio(steps["mfcc"], sr=SR, n_iter=8)
    b = mht.mfcc_audio(steps["mfcc"], sr=SR, n_iter=8)
    c = mht.mfcc_audio(steps["mfcc"], sr=SR, n_iter=8, seed=1)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert abs(a.size - y.size) <= 512 and np.max(np.abs(a)) == pytest.approx(0.9)
    # its MFCCs are close to the ones it was made from (same envelope), far from silence's
    again = librosa.feature.mfcc(y=a, sr=SR, n_mfcc=20, pad_mode="reflect")
    frames = min(again.shape[1], steps["mfcc"].shape[1])
    gap = np.abs(again[1:6, :frames] - steps["mfcc"][1:6, :frames]).mean()
    assert gap < 0.25 * np.abs(steps["mfcc"][1:6]).mean()


def test_mfcc_bad_input():
    with pytest.raises(ParameterError, match="n_mfcc must be at most n_mels"):
        mht.mfcc_steps(noise(), sr=SR, n_mfcc=50, n_mels=40)
    with pytest.raises(ParameterError, match="NaN"):
        mht.mfcc_steps(np.full(4000, np.nan), sr=SR)
    with pytest.raises(ParameterError, match="sr"):
        mht.mfcc_steps(noise(), sr=None)
    with pytest.raises(ParameterError, match="n_coeffs must be at most 20"):
        mht.reconstruct_log_mel(np.zeros((20, 5)), n_mels=128, n_coeffs=40)
    with pytest.raises(ParameterError, match="n_coeffs"):
        mht.reconstruction_error(np.zeros((40, 5)), n_coeffs=[0])
    with pytest.raises(ParameterError, match="at least 2 frames"):
        mht.mfcc_audio(np.zeros(20), sr=SR)
    with pytest.raises(ParameterError, match="seed"):
        mht.mfcc_audio(np.zeros((20, 10)), sr=SR, seed=0.5)


# --------------------------------------------------------------------------- genres
def _table():
    rng = np.random.default_rng(0)
    rows = []
    for genre, centre in [("blues", 0.0), ("metal", 3.0), ("jazz", -1.0)]:
        for _ in range(6):
            rows.append({"label": genre, "a": centre + rng.normal(scale=0.3), "b": rng.normal(), "flat": 1.0})
    return pd.DataFrame(rows)


def test_genre_means_and_f_statistic_find_the_separating_column():
    table = _table()
    means = mht.genre_means(table, columns=["a", "b"])
    assert list(means.index) == ["blues", "jazz", "metal"]  # GTZAN's order
    assert means["a"].idxmax() == "metal" and means["a"].idxmin() == "jazz"
    # standardized: the genre means, weighted by genre size, average to zero
    assert means["a"].mean() == pytest.approx(0.0, abs=1e-9)
    stats = mht.genre_f_statistic(table, columns=["a", "b"])
    assert stats.loc["a", "F"] > 50 > stats.loc["b", "F"]
    from scipy.stats import f_oneway

    expected = f_oneway(*[g["a"] for _, g in table.groupby("label")]).statistic
    assert stats.loc["a", "F"] == pytest.approx(expected)
    assert mht.genre_means(table, columns=["flat"])["flat"].eq(0.0).all()  # no spread: 0, not NaN


def test_genre_statistics_bad_input():
    with pytest.raises(FeatureError, match="no column 'mfcc1_mean'"):
        mht.genre_means(_table(), columns=["mfcc1_mean"])
    with pytest.raises(ParameterError, match="DataFrame"):
        mht.genre_means(np.zeros((3, 3)), columns=["a"])
    one_each = _table().groupby("label").head(1)
    with pytest.raises(FeatureError, match="more clips than genres"):
        mht.genre_f_statistic(one_each, columns=["a"])


# --------------------------------------------------------------------------- HPSS
def test_hpss_puts_the_sine_in_the_harmonic_part_and_the_clicks_in_the_percussive_part():
    sine = tone(4.0, freq=440.0).astype(float)
    clicks = click_track(120, seconds=4.0)
    h, p = mht.harmonic_percussive(sine + clicks)
    assert h.shape == p.shape == sine.shape
    np.testing.assert_allclose(h + p, sine + clicks, atol=1e-3)  # margin 1: the parts add up
    corr = lambda a, b: float(np.dot(a, b) / np.linalg.norm(a) / np.linalg.norm(b))  # noqa: E731
    assert corr(h, sine) > 0.95 and corr(p, clicks) > 0.8
    assert corr(p, sine) < 0.3 and corr(h, clicks) < 0.5
    # the parts of a waveform average to about zero: the table's *_mean columns are near 0
    assert abs(h.mean()) < 1e-3 and abs(p.mean()) < 1e-3


def test_hpss_bad_input():
    with pytest.raises(ParameterError, match="margin"):
        mht.harmonic_percussive(noise(), margin=0.5)
    with pytest.raises(ParameterError, match="kernel_size"):
        mht.harmonic_percussive(noise(), kernel_size=0)


# --------------------------------------------------------------------------- beats and tempo
def test_beat_clicks_follow_a_click_track():
    out = mht.beat_clicks(click_track(100), sr=SR)
    assert out["tempo"] == pytest.approx(100, rel=0.04)
    beats = out["beats"]
    assert len(beats) >= 10 and np.median(np.diff(beats)) == pytest.approx(0.6, rel=0.05)
    assert out["mix"].shape == out["clicks"].shape == (10 * SR,) and np.max(np.abs(out["mix"])) <= 1.0
    assert out["onset_envelope"].shape == out["onset_times"].shape


def test_tempo_errors_classify_octave_and_metrical_errors():
    truth = [100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0]
    est = [103.0, 201.0, 50.5, 149.0, 67.0, 120.0, 96.5]
    err = mht.tempo_errors(est, truth, genres=list("abcdefg"))
    assert err["factor"].tolist() == ["1", "2", "1/2", "3/2", "2/3", "other", "1"]
    assert err["correct"].tolist() == [True, False, False, False, False, False, True]
    assert err["octave_ok"].tolist() == [True, True, True, False, False, False, True]
    acc = mht.tempo_accuracy(err)
    assert acc == {"within tolerance": pytest.approx(2 / 7), "up to an octave": pytest.approx(4 / 7)}
    # 4 %: 104.5 is out, with 5 % it is in
    assert mht.tempo_errors([104.5], [100.0])["factor"].item() == "other"
    assert mht.tempo_errors([104.5], [100.0], tolerance=0.05)["factor"].item() == "1"


def test_tempo_errors_keep_the_index_of_series():
    est = pd.Series([120.0, 60.0], index=["rock.00000", "jazz.00000"])
    truth = pd.Series([120.0, 120.0], index=["rock.00000", "jazz.00000"])
    err = mht.tempo_errors(est, truth)
    assert list(err.index) == ["rock.00000", "jazz.00000"] and err.loc["jazz.00000", "factor"] == "1/2"


def test_tempo_errors_bad_input():
    with pytest.raises(ParameterError, match="one tempo per clip"):
        mht.tempo_errors([100.0, 120.0], [100.0])
    with pytest.raises(ParameterError, match="> 0 BPM"):
        mht.tempo_errors([0.0], [100.0])
    with pytest.raises(ParameterError, match="tolerance"):
        mht.tempo_errors([100.0], [100.0], tolerance=4)
    with pytest.raises(ParameterError, match="different indexes"):
        mht.tempo_errors(pd.Series([1.0], index=["a"]), pd.Series([1.0], index=["b"]))
    with pytest.raises(ParameterError, match="one genre per clip"):
        mht.tempo_errors([100.0], [100.0], genres=["a", "b"])
    with pytest.raises(ParameterError, match="tempo_errors"):
        mht.tempo_accuracy(pd.DataFrame())


# --------------------------------------------------------------------------- contrast
def test_spectral_contrast_is_high_for_a_tone_and_low_for_noise():
    c_tone, times, bands = mht.spectral_contrast(tone(2.0, freq=1000.0), sr=SR)
    c_noise, _, _ = mht.spectral_contrast(noise(2.0), sr=SR)
    assert c_tone.shape == (7, len(times)) and len(bands) == 7
    assert bands[3] == "800-1600 Hz"  # the band that holds 1 kHz
    assert c_tone[3].mean() > c_noise[3].mean() + 10


def test_contrast_band_labels_and_bad_input():
    assert mht.contrast_band_labels(sr=44100, n_bands=3) == ["0-200 Hz", "200-400 Hz", "400-800 Hz", "800-22050 Hz"]
    with pytest.raises(ParameterError, match="do not fit below sr / 2"):
        mht.contrast_band_labels(sr=8000, n_bands=6)


# --------------------------------------------------------------------------- by hand: novelty, peaks, periodicity
def test_spectral_flux_peaks_sit_on_the_hits():
    from musicviz.novelty import match_onsets, pick_peaks, spectral_flux

    y = click_track(120, seconds=6.0)  # a burst at 0.1 s, then every 0.5 s
    out = spectral_flux(y, sr=SR)
    assert out["novelty"].shape == out["flux"].shape == out["times"].shape and np.all(out["novelty"] >= 0)
    hits = np.arange(0.1, 5.95, 0.5)
    found = out["times"][pick_peaks(out["novelty"])]
    assert match_onsets(found, hits, window=0.03)["f_measure"] == 1.0
    # The delay puts the peaks on the hits, within a frame (23 ms) on average; without its two
    # frames they would come more than a frame early.
    frame = 512 / SR
    offsets = found - hits[np.argmin(np.abs(found[:, None] - hits[None, :]), axis=1)]
    assert abs(offsets.mean()) < frame < abs(offsets.mean() - 2 * frame)


def test_spectral_flux_is_librosas_onset_strength_up_to_the_spectrum():
    import librosa

    from musicviz.novelty import spectral_flux

    y = click_track(100, seconds=6.0) + 0.05 * tone(6.0, freq=220.0)
    ours = spectral_flux(y, sr=SR, average_seconds=None)
    assert np.array_equal(ours["novelty"], ours["flux"]) and not ours["local_average"].any()
    theirs = librosa.onset.onset_strength(y=y, sr=SR)
    assert np.corrcoef(ours["flux"], theirs)[0, 1] > 0.9
    assert np.corrcoef(np.roll(ours["flux"], -2), theirs)[0, 1] < 0.5  # the alignment is what makes them agree
    with pytest.raises(ParameterError, match="gamma"):
        spectral_flux(y, sr=SR, gamma=0)


def test_pick_peaks_width_and_threshold():
    from musicviz.novelty import pick_peaks

    x = np.array([0, 1, 0, 0, 0.9, 0, 0, 0, 0, 5, 2, 0, 0.4, 0.0])
    assert pick_peaks(x, width=1, threshold=0.0).tolist() == [1, 4, 9, 12]
    assert pick_peaks(x, width=1).tolist() == [1, 4, 9]  # 0.4 is below 10 % of the largest, 5
    assert pick_peaks(x, width=3, threshold=0.0).tolist() == [1, 9]  # 0.9 is within 3 frames of the 1, 0.4 of the 5
    with pytest.raises(ParameterError, match="threshold"):
        pick_peaks(x, threshold=1.0)
    with pytest.raises(ParameterError, match="1-D"):
        pick_peaks(np.ones((2, 2)))


def test_match_onsets_pairs_each_onset_once():
    from musicviz.novelty import match_onsets

    two_for_one = match_onsets([1.00, 1.01], [1.0], window=0.05)
    assert two_for_one == {"precision": 0.5, "recall": 1.0, "f_measure": 0.667, "matched": 1}
    # the closest pair wins: 1.04 goes with 1.05, so 0.99 can still take 1.0
    assert match_onsets([0.99, 1.04], [1.0, 1.05], window=0.05)["matched"] == 2
    assert match_onsets([], [1.0])["f_measure"] == 0.0
    with pytest.raises(ParameterError, match="finite"):
        match_onsets([np.nan], [1.0])


def test_autocorrelation_peaks_at_the_beat_and_at_its_multiples():
    import librosa

    from musicviz.novelty import novelty_autocorrelation, tempo_prior

    env = librosa.onset.onset_strength(y=click_track(120, seconds=20.0), sr=SR)
    acf, tempi = novelty_autocorrelation(env, sr=SR, min_bpm=40.0, max_bpm=240.0)
    assert acf.shape == tempi.shape and np.all(np.diff(tempi) < 0) and 40 <= tempi.min() and tempi.max() <= 240
    def at(bpm):
        return acf[np.abs(tempi - bpm) <= 0.04 * bpm].max()
    # every multiple of the beat period repeats the pattern: peaks at 120, 60 and 40 BPM, not between
    assert min(at(120), at(60), at(40)) > 0.5 > at(90)
    assert tempo_prior([120.0]).item() == 1.0 and np.allclose(tempo_prior([60.0, 240.0]), np.exp(-0.5))
    with pytest.raises(ParameterError, match="too short"):
        novelty_autocorrelation(env[:50], sr=SR)
    with pytest.raises(ParameterError, match="constant"):
        novelty_autocorrelation(np.ones(2000), sr=SR)
    with pytest.raises(ParameterError, match="min_bpm"):
        novelty_autocorrelation(env, sr=SR, min_bpm=200.0, max_bpm=100.0)


def test_median_hpss_gives_librosas_masks_and_binary_masks():
    import librosa

    from musicviz.hpss import median_hpss

    y = tone(3.0, freq=440.0).astype(float) + click_track(120, seconds=3.0)
    soft = median_hpss(y, sr=SR)
    ref_h, ref_p = librosa.decompose.hpss(S=soft["stft"], kernel_size=31, mask=True)
    np.testing.assert_allclose(soft["harmonic_mask"], ref_h, atol=1e-5)
    np.testing.assert_allclose(soft["percussive_mask"], ref_p, atol=1e-5)
    binary = median_hpss(y, sr=SR, power=None)
    assert set(np.unique(binary["harmonic_mask"])) <= {0.0, 1.0}
    assert np.array_equal(binary["percussive_mask"] == 1.0, binary["percussive_median"] > binary["harmonic_median"])
    k = int(round(440 * 2048 / SR))
    assert soft["harmonic_mask"][k].mean() > 0.9  # the sine's bin: harmonic
    hits = librosa.time_to_frames(np.arange(0.1, 2.9, 0.5), sr=SR) + 1
    assert soft["percussive_mask"][600:, hits].mean() > 0.9  # high bins at the hits: percussive
    silent = median_hpss(np.zeros(SR), sr=SR)
    assert np.all(silent["harmonic_mask"] == 0.5)  # nothing to split: half and half, no NaN
