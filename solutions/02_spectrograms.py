"""Worked solutions of notebook 02's exercises (each function returns the answer)."""

import librosa
import numpy as np
import scipy.signal

import musicviz as mv


def exercise_02_1():
    # Prediction: a Hann main lobe reaches 2 bins to each side, so the bins must be closer
    # than about 20 Hz / 2 = 10 Hz: sr / n_fft < 10 -> n_fft > 2205 -> 4096 (2048 gives 10.8 Hz).
    sr = mv.SR
    y = mv.spectrograms.test_signal("two_sines", sr=sr, duration=3.0, freq=440, spacing=20)
    for n in [2**k for k in range(6, 16)]:
        if mv.spectrograms.separates(y, sr=sr, f1=440, f2=460, win_length=n):
            return n


def exercise_02_2():
    # 128 bands = 130 edges equally spaced in (Slaney) mel; band k (from 1) starts at edge k - 1.
    edges = librosa.mel_frequencies(n_mels=130, fmin=0.0, fmax=mv.SR / 2)
    return round(float(edges[19]), 1)


def _first_side_lobe(name, n=1024, oversample=64):
    w = scipy.signal.get_window(name, n)
    W = np.abs(np.fft.rfft(w, n=n * oversample))
    level = 20 * np.log10(np.maximum(W / W[0], 1e-300))
    k = 0
    while level[k + 1] < level[k]:  # down to the first null
        k += 1
    while level[k + 1] > level[k]:  # up to the first side lobe
        k += 1
    return level[k]


def exercise_02_3():
    # Prediction: the rectangular window is higher (its abrupt edges leak): about -13 dB vs -31 dB.
    return round(float(_first_side_lobe("boxcar") - _first_side_lobe("hann")), 1)


def exercise_02_4():
    # Prediction: frame m covers samples 512 m .. 512 m + 2047, centred on 512 m + 1024;
    # 512 m + 1024 = 11025 gives m = 19.5; m = 20 puts the impulse 239 samples from the
    # middle, m = 19 273 samples: frame 20.
    y = np.zeros(22050)
    y[11025] = 1.0
    X = librosa.stft(y=y, n_fft=2048, hop_length=512, center=False)
    return int(np.argmax((np.abs(X) ** 2).sum(axis=0)))
