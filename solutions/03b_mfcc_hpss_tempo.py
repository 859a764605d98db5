"""Worked solutions of notebook 03b's exercises (each function returns the answer)."""

import librosa
import numpy as np
from scipy.ndimage import maximum_filter1d, median_filter, uniform_filter1d

import musicviz as mv


def exercise_03b_1():
    # The notebook's MFCC excerpt: seconds 5-9 of the first rock clip (or its stand-in).
    clips, sr, _ = mv.datasets.example_clips()
    (genre,) = mv.datasets.stand_ins(clips, "rock")
    y = mv.audio.segment(clips[genre], sr=sr, start=5.0, end=9.0)
    log_mel = mv.mfcc_hpss_tempo.mfcc_steps(y, sr=sr)["log_mel"]
    # The error for every k at once; it only falls as k grows, so the first k under 3 dB is the answer.
    errors = mv.mfcc_hpss_tempo.reconstruction_error(log_mel, n_coeffs=range(1, log_mel.shape[0] + 1))
    return int(errors.index[errors <= 3.0][0])


def exercise_03b_2():
    # The notebook's steps 1 and peak picking, on the first 12 s of the rock clip.
    clips, sr, _ = mv.datasets.example_clips()
    (genre,) = mv.datasets.stand_ins(clips, "rock")
    y = mv.audio.segment(clips[genre], sr=sr, start=0.0, end=12.0)
    n_fft, hop = 2048, 512
    S = np.abs(librosa.stft(y=y, n_fft=n_fft, hop_length=hop))
    rise = np.maximum(0.0, np.diff(np.log1p(100 * S), axis=1)).sum(axis=0)
    delay = 1 + n_fft // (2 * hop)
    flux = np.concatenate([np.zeros(delay), rise])[: S.shape[1]]
    novelty = np.maximum(0.0, flux - uniform_filter1d(flux, size=2 * round(0.25 * sr / hop) + 1, mode="nearest"))
    is_max = novelty == maximum_filter1d(novelty, size=2 * 3 + 1, mode="nearest")
    peaks = np.flatnonzero(is_max & (novelty > 0.1 * novelty.max()))
    return tuple(float(t) for t in librosa.frames_to_time(peaks, sr=sr, hop_length=hop))


def exercise_03b_3():
    # The whole rock clip's novelty curve (as the table's), its autocorrelation, no prior.
    clips, sr, _ = mv.datasets.example_clips()
    (genre,) = mv.datasets.stand_ins(clips, "rock")
    env = librosa.onset.onset_strength(y=clips[genre], sr=sr, hop_length=512, aggregate=np.median)
    x = env - env.mean()
    acf = np.correlate(x, x, mode="full")[x.size - 1:] / np.dot(x, x)
    lags = np.arange(1, acf.size)
    tempi = 60.0 * sr / (512 * lags)
    keep = (tempi >= 40) & (tempi <= 240)
    # The highest peak lies at half the true tempo: the groove repeats best every two beats.
    return round(float(tempi[keep][np.argmax(acf[1:][keep])]), 1)


def exercise_03b_4():
    # The notebook's disco excerpt and median filters; a binary mask instead of the soft one.
    clips, sr, _ = mv.datasets.example_clips()
    (genre,) = mv.datasets.stand_ins(clips, "disco")
    y = mv.audio.segment(clips[genre], sr=sr, start=5.0, end=9.0)
    A = np.abs(librosa.stft(y=y, n_fft=2048, hop_length=512))
    H_med = median_filter(A, size=(1, 31))
    P_med = median_filter(A, size=(31, 1))
    percussive_binary = (P_med > H_med).astype(float)
    return round(float(np.sum(percussive_binary * A**2) / np.sum(A**2)), 2)
