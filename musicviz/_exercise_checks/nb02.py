"""Checks of the exercises of notebook 02_spectrograms.

Every check recomputes its answer with numpy / scipy / librosa from the definitions the
notebook states (the course's sample rate, ``musicviz.spectrograms.separates``, Slaney's mel
scale, librosa's framing), never from a stored number.
"""

from __future__ import annotations

import numpy as np

from musicviz._exercise_registry import as_int, exercise
from musicviz._exercise_checks._common import close

#: 02.1: the two sines and the powers of two tried.
SINES = (440.0, 460.0)
POWERS = tuple(2**k for k in range(6, 16))
#: 02.3: the window length used to measure side lobes, and the zero-padding factor.
SIDE_LOBE_N, SIDE_LOBE_OVERSAMPLE = 1024, 64
#: 02.4: the impulse and the framing.
IMPULSE_SAMPLE, FRAME_N_FFT, FRAME_HOP = 11025, 2048, 512


# ----------------------------------------------------------------- 02.1 resolution
def _smallest_separating(window: str = "hann") -> int:
    from musicviz import SR
    from musicviz.spectrograms import separates, test_signal

    f1, f2 = SINES
    y = test_signal("two_sines", sr=SR, duration=3.0, freq=f1, spacing=f2 - f1)
    for n in POWERS:
        if separates(y, sr=SR, f1=f1, f2=f2, win_length=n, window=window):
            return n
    raise AssertionError("no power of two up to 32768 separates the sines")  # pragma: no cover


def _wrong_02_1():
    right = _smallest_separating("hann")
    return [_smallest_separating("boxcar"), right // 2, right * 2, int(np.log2(right))]


@exercise(
    "02.1",
    question=(
        "Two sines at 440 Hz and 460 Hz (20 Hz apart), 3 s at the course's sample rate "
        "(mv.spectrograms.test_signal('two_sines', sr=sr, duration=3.0, freq=440, spacing=20)). "
        "Predict, then find: the smallest n_fft (a power of two, window length = n_fft, Hann "
        "window, no zero-padding) for which mv.spectrograms.separates(y, sr=sr, f1=440, f2=460, "
        "win_length=n_fft) is True."
    ),
    kind="predict",
    hints=(
        "Bins are sr / n_fft apart, and a Hann window's main lobe is 4 bins wide (2 on each side of the peak).",
        "For the two peaks to have a dip between them they must be more than about 2 bins apart: 20 Hz > 2 * sr / n_fft.",
        "Method: try the powers of two from small to large, ask mv.spectrograms.separates about each one, "
        "and stop at the first that separates the two sines.",
    ),
    wrong_answers=_wrong_02_1,
    truth=lambda: _smallest_separating("hann"),
)
def _check_02_1(answer, truth) -> bool:
    return as_int(answer) == truth


# ----------------------------------------------------------------- 02.2 Slaney mel band
def _band_edges(htk: bool = False) -> np.ndarray:
    import librosa

    from musicviz import SR

    # 128 triangular bands need 130 edges: band i rises from edge i, peaks at i + 1, ends at i + 2.
    return librosa.mel_frequencies(n_mels=128 + 2, fmin=0.0, fmax=SR / 2, htk=htk)


def _wrong_02_2():
    slaney, htk = _band_edges(), _band_edges(htk=True)
    return [round(float(htk[19]), 1), round(float(slaney[20]), 1), round(float(slaney[18]), 1), round(float(slaney[21]), 1)]


@exercise(
    "02.2",
    question=(
        "A 128-band mel filterbank on librosa's default (Slaney) scale covers 0 Hz to sr / 2 at "
        "the course's sample rate. At what frequency in Hz does the 20th band (counting from 1) "
        "start, i.e. where does its triangle rise from zero? (1 decimal)"
    ),
    kind="code",
    hints=(
        "n_mels triangles need n_mels + 2 edges equally spaced on the mel scale; each triangle spans three consecutive edges.",
        "librosa.mel_frequencies(n_mels=..., fmin=0, fmax=sr / 2) gives edges equally spaced in mel (htk=False is Slaney).",
        "Method: list the 130 edges from 0 Hz to sr / 2; band k (counting from 1) rises from the k-th edge, "
        "so count to the right edge carefully (off by one is the usual mistake).",
    ),
    wrong_answers=_wrong_02_2,
    truth=lambda: float(_band_edges()[19]),
)
def _check_02_2(answer, truth) -> bool:
    return close(answer, truth, 0.5)


# ----------------------------------------------------------------- 02.3 side lobes
def side_lobes_db(window: str, *, n: int = SIDE_LOBE_N, oversample: int = SIDE_LOBE_OVERSAMPLE) -> tuple[float, float]:
    """The first two side-lobe levels of ``window``, in dB relative to its main-lobe peak."""
    import scipy.signal

    w = scipy.signal.get_window(window, n, fftbins=True)
    W = np.abs(np.fft.rfft(w, n=n * oversample))
    level = 20 * np.log10(np.maximum(W / W[0], 1e-300))
    lobes, k = [], 0
    while len(lobes) < 2:
        while level[k + 1] < level[k]:  # down into the next null
            k += 1
        while level[k + 1] > level[k]:  # up to the next side lobe
            k += 1
        lobes.append(float(level[k]))
    return lobes[0], lobes[1]


def _side_lobe_gap() -> float:
    return side_lobes_db("boxcar")[0] - side_lobes_db("hann")[0]


def _wrong_02_3():
    gap = _side_lobe_gap()
    second = side_lobes_db("boxcar")[1] - side_lobes_db("hann")[1]
    hamming = side_lobes_db("boxcar")[0] - side_lobes_db("hamming")[0]
    return [round(-gap, 1), round(gap / 2, 1), round(second, 1), round(hamming, 1)]


@exercise(
    "02.3",
    question=(
        "Which window has the higher first side lobe, rectangular ('boxcar') or Hann, and by how many dB? "
        "Answer with one number: (first side lobe of the rectangular window) minus (first side lobe of the "
        "Hann window), each in dB relative to its own main-lobe peak (positive if the rectangular one is "
        "higher; 1 decimal). Predict the sign first, then measure."
    ),
    kind="predict",
    hints=(
        "The rectangular window cuts the signal abruptly; the abrupt edges are what leaks. Side lobes are the bumps beside the main peak.",
        "Measure on a finely sampled spectrum of the window itself: np.fft.rfft(w, n=64 * len(w)) with w = scipy.signal.get_window(name, 1024), in dB relative to its value at 0 Hz.",
        "From the peak at 0 Hz, walk down to the first minimum (the first null), then up to the next maximum: that is the first side lobe; subtract the Hann one from the rectangular one.",
    ),
    wrong_answers=_wrong_02_3,
    truth=_side_lobe_gap,
)
def _check_02_3(answer, truth) -> bool:
    return close(answer, truth, 0.3)


# ----------------------------------------------------------------- 02.4 framing
def _loudest_frame(center: bool) -> int:
    import librosa

    y = np.zeros(2 * IMPULSE_SAMPLE)
    y[IMPULSE_SAMPLE] = 1.0
    X = librosa.stft(y=y, n_fft=FRAME_N_FFT, hop_length=FRAME_HOP, window="hann", center=center)
    return int(np.argmax(np.sum(np.abs(X) ** 2, axis=0)))


def _wrong_02_4():
    return [_loudest_frame(True), IMPULSE_SAMPLE // FRAME_HOP, (IMPULSE_SAMPLE - FRAME_N_FFT) // FRAME_HOP]


@exercise(
    "02.4",
    question=(
        "An impulse sits at sample 11025 of a signal of 22050 samples. With librosa.stft(y=y, n_fft=2048, "
        "hop_length=512, center=False), which frame (index from 0) holds the most energy (sum of |X|^2 over "
        "the bins)? Predict it from where each frame starts, then verify."
    ),
    kind="predict",
    hints=(
        "With center=False nothing is padded: frame m covers samples m * hop to m * hop + n_fft - 1.",
        "A Hann window is largest in its middle, so the impulse is loudest in the frame whose middle (m * hop + n_fft / 2) is closest to it.",
        "Method: find the frame whose middle sample is nearest to the impulse (start + half a window), "
        "then check it by summing the energy of every frame and taking the loudest.",
    ),
    wrong_answers=_wrong_02_4,
    truth=lambda: _loudest_frame(False),
)
def _check_02_4(answer, truth) -> bool:
    return as_int(answer) == truth
