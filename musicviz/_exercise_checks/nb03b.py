"""Checks of the exercises of notebook 03b_mfcc_hpss_tempo."""

from __future__ import annotations

import numpy as np

from musicviz._exercise_checks._common import close, examples
from musicviz._exercise_registry import AnswerError, as_float, as_int, exercise

#: The excerpt notebook 03b takes MFCCs of: seconds 5-9 of the first clip of this genre
#: (or its stand-in on a partial copy, as the notebook picks it).
MFCC_GENRE, MFCC_EXCERPT = "rock", (5.0, 9.0)
#: Exercise 03b.1's bound on the RMS error of the rebuilt log-mel spectrogram, in dB.
MAX_ERROR_DB = 3.0
#: Exercise 03b.2: the first seconds of this genre's first clip; onsets match within this window (s)
#: and the F-measure must reach this.
ONSET_GENRE, ONSET_SECONDS, ONSET_WINDOW, ONSET_MIN_F = "rock", 12.0, 0.03, 0.95
#: Exercise 03b.3: the tempo range searched (BPM) and the relative tolerance of an answer.
ACF_GENRE, ACF_RANGE, ACF_TOLERANCE = "rock", (40.0, 240.0), 0.04
#: Exercise 03b.4: the HPSS excerpt (seconds of the first clip of this genre) and the kernel.
HPSS_GENRE, HPSS_EXCERPT, HPSS_KERNEL = "disco", (5.0, 9.0), 31


def _excerpt_log_mel():
    from musicviz.audio import segment
    from musicviz.datasets import stand_ins
    from musicviz.mfcc_hpss_tempo import mfcc_steps

    clips, sr = examples()
    (genre,) = stand_ins(clips, MFCC_GENRE)
    y = segment(clips[genre], sr=sr, start=MFCC_EXCERPT[0], end=MFCC_EXCERPT[1])
    return mfcc_steps(y, sr=sr)["log_mel"]


def _fewest_coefficients(max_error_db: float) -> int:
    from musicviz.mfcc_hpss_tempo import reconstruction_error

    log_mel = _excerpt_log_mel()
    errors = reconstruction_error(log_mel, n_coeffs=range(1, log_mel.shape[0] + 1))
    return int(errors.index[errors.to_numpy() <= max_error_db][0])


def _wrong_03b_1() -> list:
    right = _fewest_coefficients(MAX_ERROR_DB)
    # The same search with another bound (2 dB, 4 dB): the answer to a neighbouring question.
    return [k for k in {_fewest_coefficients(2.0), _fewest_coefficients(4.0)} if k != right]


@exercise(
    "03b.1",
    question=(
        f"Predict, then verify: how many MFCCs (the first k DCT coefficients of 128) does it take to rebuild "
        f"the log-mel spectrogram of the notebook's MFCC excerpt to within {MAX_ERROR_DB:g} dB RMS error? "
        "(the smallest k, an int)"
    ),
    kind="predict",
    hints=(
        "The RMS error only falls as k grows; you need the first k where it drops to the bound.",
        "mv.mfcc_hpss_tempo.reconstruction_error(steps['log_mel'], n_coeffs=range(1, 129)) gives the error "
        "for every k at once.",
        f"Method: walk k upwards from 1 and stop at the first k whose error is at most {MAX_ERROR_DB:g} dB; "
        "that k (a count of coefficients, not a position from 0) is the answer.",
    ),
    wrong_answers=_wrong_03b_1,
    truth=lambda: _fewest_coefficients(MAX_ERROR_DB),
)
def _check_03b_1(answer, truth) -> bool:
    return as_int(answer) == truth


def _clip(genre, start=None, end=None):
    from musicviz.audio import segment
    from musicviz.datasets import stand_ins

    clips, sr = examples()
    (name,) = stand_ins(clips, genre)
    y = clips[name] if start is None else segment(clips[name], sr=sr, start=start, end=end)
    return y, sr


def _onset_times(*, threshold: float = 0.1, delay: bool = True, seconds: bool = True):
    """The reference onsets of 03b.2 (``delay=False``: without the alignment delay, a mistake)."""
    from musicviz.novelty import pick_peaks, spectral_flux

    y, sr = _clip(ONSET_GENRE, 0.0, ONSET_SECONDS)
    curve = spectral_flux(y, sr=sr)
    frames = pick_peaks(curve["novelty"], width=3, threshold=threshold)
    if not delay:
        frames = np.maximum(frames - 2, 0)  # the curve two frames early: the peaks with it
    return curve["times"][frames] if seconds else frames.astype(float)


def _times(answer) -> np.ndarray:
    if isinstance(answer, str):
        raise AnswerError(f"expected onset times in seconds (a list, tuple or array of numbers), got {answer!r}")
    try:
        times = np.asarray(answer, dtype=float).ravel()
    except (TypeError, ValueError, OverflowError):
        raise AnswerError(f"expected onset times in seconds (a list, tuple or array of numbers), got {answer!r}") from None
    if times.size == 0 or not np.all(np.isfinite(times)):
        raise AnswerError("expected a non-empty list of finite onset times in seconds")
    return times


def _wrong_03b_2() -> list:
    import librosa

    y, sr = _clip(ONSET_GENRE, 0.0, ONSET_SECONDS)
    return [
        tuple(_onset_times(seconds=False)),  # frame numbers, not seconds
        tuple(_onset_times(delay=False)),  # without the alignment delay: every onset 46 ms early
        tuple(_onset_times(threshold=0.0)),  # every local maximum, no threshold
        tuple(librosa.onset.onset_detect(y=y, sr=sr, units="time")),  # librosa's onsets, not the recipe's
    ]


@exercise(
    "03b.2",
    question=(
        f"Build the spectral-flux novelty curve and pick its peaks as the notebook did, for the first "
        f"{ONSET_SECONDS:g} s of the {ONSET_GENRE} clip. Give the onset times in seconds (a list, tuple or array)."
    ),
    kind="code",
    hints=(
        "Reuse the notebook's cells of steps 1 and peak picking: only the clip changes.",
        "beat_clip = mv.audio.segment(clips[ROCK], sr=sr, start=0.0, end=12.0), then the same lines; the "
        "answer is frame_times[peaks].",
        "Method: keep every step of the recipe (log compression, half-wave rectified rise summed over "
        "frequency, the delay of three frames, the local average, local maxima over three frames each "
        "side above a tenth of the largest) and turn the frames of the peaks into seconds.",
    ),
    wrong_answers=_wrong_03b_2,
    truth=lambda: tuple(float(t) for t in _onset_times()),
)
def _check_03b_2(answer, truth) -> bool:
    from musicviz.novelty import match_onsets

    return match_onsets(_times(answer), truth, window=ONSET_WINDOW)["f_measure"] >= ONSET_MIN_F


def _acf_peaks(*, start_bpm: float | None = None) -> list[float]:
    """Tempi (BPM) of the rock clip's autocorrelation, highest first (weighted by a prior if given)."""
    import librosa

    from musicviz.novelty import novelty_autocorrelation, tempo_prior

    y, sr = _clip(ACF_GENRE)
    env = librosa.onset.onset_strength(y=y, sr=sr, hop_length=512, aggregate=np.median)
    acf, tempi = novelty_autocorrelation(env, sr=sr, hop_length=512, min_bpm=ACF_RANGE[0], max_bpm=ACF_RANGE[1])
    if start_bpm is not None:
        acf = np.maximum(acf, 0.0) * tempo_prior(tempi, start_bpm=start_bpm)
    return [float(t) for t in tempi[np.argsort(-acf, kind="stable")]]


def _wrong_03b_3() -> list:
    import librosa

    right = _acf_peaks()[0]
    y, sr = _clip(ACF_GENRE)
    env = librosa.onset.onset_strength(y=y, sr=sr, hop_length=512, aggregate=np.median)
    wrong = [
        float(librosa.feature.tempo(onset_envelope=env, sr=sr, hop_length=512)[0]),  # with the prior: librosa's
        _acf_peaks(start_bpm=120.0)[0],  # the same autocorrelation weighted by the prior
        _acf_peaks()[1],  # the runner-up peak
        60.0 / right,  # the beat period in seconds
    ]
    return [round(w, 1) for w in wrong if abs(w / right - 1.0) > 2 * ACF_TOLERANCE]


@exercise(
    "03b.3",
    question=(
        f"Predict, then verify: without the prior, at which tempo between {ACF_RANGE[0]:g} and {ACF_RANGE[1]:g} BPM "
        f"is the highest peak of the autocorrelation of the {ACF_GENRE} clip's novelty curve "
        "(librosa.onset.onset_strength with aggregate=np.median, the whole clip)? (BPM, within 4 %)"
    ),
    kind="predict",
    hints=(
        "The prior is what made librosa's estimate right; the raw autocorrelation does not know about 120 BPM.",
        "The notebook's autocorrelation function gives (acf, tempi); keep the tempi between 40 and 240 BPM and "
        "take the tempo of the largest acf value.",
        "Method: compute the novelty curve of the whole clip, its normalized autocorrelation at every lag, "
        "convert each lag to a tempo, restrict to the range, and answer the tempo of the largest value, "
        "in beats per minute (not the lag, not seconds).",
    ),
    wrong_answers=_wrong_03b_3,
    truth=lambda: _acf_peaks()[0],
)
def _check_03b_3(answer, truth) -> bool:
    return abs(as_float(answer) / float(truth) - 1.0) <= ACF_TOLERANCE


def _percussive_share(*, binary: bool = True, kernel_size: int = HPSS_KERNEL, part: str = "percussive",
                      squared: bool = False) -> float:
    from musicviz.hpss import median_hpss

    y, sr = _clip(HPSS_GENRE, *HPSS_EXCERPT)
    steps = median_hpss(y, sr=sr, kernel_size=kernel_size, power=None if binary else 2.0)
    energy = np.abs(steps["stft"]) ** 2
    mask = steps[f"{part}_mask"] ** (2 if squared else 1)
    return float(np.sum(mask * energy) / np.sum(energy))


def _wrong_03b_4() -> list:
    right = _percussive_share()
    wrong = [
        _percussive_share(binary=False),  # the soft mask, as in the notebook
        _percussive_share(binary=False, squared=True),  # the energy of the soft percussive part
        _percussive_share(part="harmonic"),  # the harmonic share
    ]
    return [round(w, 2) for w in wrong if abs(w - right) > 0.01]


@exercise(
    "03b.4",
    question=(
        "With binary masks (a bin goes wholly to the part whose median is larger), what share of the disco "
        "excerpt's spectrogram energy goes to the percussive part? (2 decimals)"
    ),
    kind="code",
    hints=(
        "A binary mask is 1 where the median along frequency is larger, 0 elsewhere: no squares, no division.",
        "percussive_binary = (P_med > H_med).astype(float); then the sum of percussive_binary * A**2 over the "
        "sum of A**2.",
        "Method: build the two median filters of the notebook's disco excerpt, mark the bins where the "
        "frequency median exceeds the time median, and divide their energy by the energy of all bins.",
    ),
    wrong_answers=_wrong_03b_4,
    truth=lambda: _percussive_share(),
)
def _check_03b_4(answer, truth) -> bool:
    return close(answer, truth, 0.006)
