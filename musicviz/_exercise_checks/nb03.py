"""Checks of the exercises of notebook 03_chroma_and_zero_crossings."""

from __future__ import annotations

import numpy as np

from musicviz._exercise_registry import as_float, exercise
from musicviz._exercise_checks._common import examples, genre_name

#: Index of the perfect fifth above the strongest pitch class, once a profile is rolled.
FIFTH = 7


def _distinct(right, candidates) -> list:
    out = []
    for c in candidates:
        if c != right and c not in out:
            out.append(c)
    return out


def _pitch_name(answer) -> str:
    return str(answer).strip()


# ---------------------------------------------------------------------------------- 03.1
def _semitones_above_a4(freq: float, log=np.log2) -> int:
    return int(np.round(12 * log(freq / 440.0)))


def _answer_03_1() -> str:
    from musicviz.chroma import PITCH_CLASSES, pitch_class

    return PITCH_CLASSES[int(pitch_class(1000.0))]


def _wrong_03_1() -> list:
    from musicviz.chroma import PITCH_CLASSES

    return _distinct(
        _answer_03_1(),
        [
            PITCH_CLASSES[_semitones_above_a4(1000.0) % 12],  # counted from C instead of A
            PITCH_CLASSES[(9 + _semitones_above_a4(1000.0, log=np.log)) % 12],  # natural log, not log2
            PITCH_CLASSES[(9 + int(np.ceil(12 * np.log2(1000.0 / 440.0)))) % 12],  # rounded up
        ],
    )


@exercise(
    "03.1",
    question="Predict with the folding formula which pitch class 1000 Hz falls into, then verify. (a name such as 'C#')",
    kind="predict",
    hints=(
        "Count semitones from A4 = 440 Hz: every factor 2 in frequency is 12 semitones.",
        "12 * log2(1000 / 440) semitones above A, rounded to a whole number, then folded into 0..11.",
        "Method: count the semitones from A up to 1000 Hz, round to a whole number, then step that many pitch "
        "classes up from A, wrapping round after G#; mv.chroma.pitch_class verifies your result.",
    ),
    wrong_answers=_wrong_03_1,
    truth=_answer_03_1,
)
def _check_03_1(answer, truth) -> bool:
    return _pitch_name(answer) == truth


# ---------------------------------------------------------------------------------- 03.2
def _profiles() -> dict:
    from musicviz.chroma import chromagram, mean_chroma

    clips, sr = examples()
    return {g: mean_chroma(chromagram(y, sr=sr)[0]) for g, y in clips.items()}


def key_normalised(profile) -> np.ndarray:
    """Roll a 12-value profile so that its strongest pitch class is at index 0."""
    profile = np.asarray(profile, dtype=float)
    return np.roll(profile, -int(np.argmax(profile)))


def _answer_03_2(profiles=None) -> str:
    profiles = _profiles() if profiles is None else profiles
    return max(profiles, key=lambda g: key_normalised(profiles[g])[FIFTH])


def _wrong_03_2() -> list:
    profiles = _profiles()
    wrong_way = {g: np.roll(p, int(np.argmax(p)))[FIFTH] for g, p in profiles.items()}
    return _distinct(
        _answer_03_2(profiles),
        [
            max(profiles, key=lambda g: profiles[g][FIFTH]),  # not rolled: the pitch class G
            max(wrong_way, key=wrong_way.get),  # rolled the wrong way
            max(profiles, key=lambda g: key_normalised(profiles[g])[3]),  # the minor third
            max(profiles, key=lambda g: key_normalised(profiles[g])[5]),  # the fourth (7 steps the other way)
            sorted(profiles, key=lambda g: key_normalised(profiles[g])[FIFTH])[-2],  # the runner-up
        ],
    )


@exercise(
    "03.2",
    question=(
        "Key-normalise the mean chroma of each genre's example clip (roll it so its strongest pitch "
        "class is at index 0). Which genre has the largest share on the fifth (index 7)? (a genre name)"
    ),
    kind="code",
    hints=(
        "Chroma of clips in different keys cannot be compared class by class; compare intervals "
        "above each clip's strongest class instead.",
        "p = mv.chroma.mean_chroma(mv.chroma.chromagram(y, sr=sr)[0]) for each clip in `clips`; "
        "np.roll shifts an array in a circle.",
        "Method: rotate each genre's profile so that its strongest class comes first, read the value seven "
        "steps above it, and answer with the genre where that value is largest.",
    ),
    wrong_answers=_wrong_03_2,
    truth=_answer_03_2,
)
def _check_03_2(answer, truth) -> bool:
    return genre_name(answer) == truth


# ---------------------------------------------------------------------------------- 03.3
def _answer_03_3() -> float:
    from musicviz.waveforms import zero_crossing_rate

    sr = 22050  # the sample rate the question names
    t = np.arange(sr) / sr
    rate, _ = zero_crossing_rate(np.sin(2 * np.pi * 1000.0 * t + 0.1), sr=sr)
    return float(np.median(rate))


def _wrong_03_3() -> list:
    truth = _answer_03_3()
    return [1000.0, truth / 22050, 2 * truth]  # the frequency itself, librosa's fraction, twice too many


@exercise(
    "03.3",
    question=(
        "Predict the zero-crossing rate (crossings per second) of a pure 1000 Hz tone, then verify with "
        "mv.waveforms.zero_crossing_rate on one second of np.sin at sr = 22050. (a number)"
    ),
    kind="predict",
    hints=(
        "Draw one cycle of a sine: how many times does it cross zero?",
        "Two crossings per cycle, 1000 cycles per second; mv.waveforms.zero_crossing_rate returns "
        "crossings per second (not librosa's fraction).",
        "Method: make one second of the 1000 Hz sine at 22050 samples per second (a small phase offset keeps samples off "
        "exact zeros), compute its zero-crossing rate frame by frame, and take the median over the frames.",
    ),
    wrong_answers=_wrong_03_3,
    truth=_answer_03_3,
)
def _check_03_3(answer, truth) -> bool:
    return abs(as_float(answer) - truth) <= 0.02 * truth
