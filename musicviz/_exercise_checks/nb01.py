"""Checks of the exercises of notebook 01_waveforms.

They recompute what the notebook shows from the course data: the excerpts of the genre grid
(seconds 5-10 of each example clip) and the 5 ms window of the most periodic moment of the
classical example clip (:func:`pitched_excerpt`).
"""

from __future__ import annotations

import numpy as np

from musicviz._exercise_registry import as_int, exercise
from musicviz._exercise_checks._common import examples, genre_name, rms_db

#: The grid's excerpt in seconds (notebook 01's ``EXCERPT``).
EXCERPT = (5.0, 10.0)
#: The zoom windows of notebooks 01 and 03, in seconds.
WIDE, NARROW = 0.05, 0.005
#: How the notebooks search the pitched moment: fundamentals from 300 Hz (a 5 ms window holds
#: at least one cycle), windows at least as loud as the clip's RMS.
FMIN, MIN_LEVEL_DB = 300.0, 0.0


def _distinct(right, candidates) -> list:
    out = []
    for c in candidates:
        if c != right and c not in out:
            out.append(c)
    return out


def crest_db(y) -> float:
    """Peak level minus RMS level, in dB."""
    from musicviz.waveforms import peak_level_db

    return float(peak_level_db(y)) - rms_db(y)


def _excerpts():
    from musicviz.audio import segment

    clips, sr = examples()
    return clips, {g: segment(y, sr=sr, start=EXCERPT[0], end=EXCERPT[1]) for g, y in clips.items()}, sr


def pitched_excerpt(clips=None, sr=None):
    """Where notebooks 01 and 03 zoom in: the most periodic 50 ms of the classical example.

    Returns ``(pitched_genre, noisy_genre, start)``: the classical clip (or its stand-in on a
    partial copy), the metal clip (or its stand-in) shown at the same moment, and the start
    of the most periodic window (:func:`musicviz.waveforms.periodicity` with ``fmin=300``,
    ``min_level_db=0``) in seconds.
    """
    from musicviz.datasets import stand_ins
    from musicviz.waveforms import periodicity

    if clips is None:
        clips, sr = examples()
    pitched, noisy = stand_ins(clips, "classical", "metal")
    p, _, starts = periodicity(clips[pitched], sr=sr, duration=WIDE, fmin=FMIN, min_level_db=MIN_LEVEL_DB)
    start = float(starts[int(np.nanargmax(p))])
    return pitched, noisy, start


def count_sign_changes(piece) -> int:
    """Zero crossings of a piece of waveform: neighbouring samples on different sides of 0."""
    negative = np.signbit(np.asarray(piece))
    return int(np.count_nonzero(negative[1:] != negative[:-1]))


# ---------------------------------------------------------------------------------- 01.1
def _answer_01_1() -> str:
    _, excerpts, _ = _excerpts()
    return max(excerpts, key=lambda g: crest_db(excerpts[g]))


def _wrong_01_1() -> list:
    clips, excerpts, _ = _excerpts()
    return _distinct(
        _answer_01_1(),
        [
            max(clips, key=lambda g: crest_db(clips[g])),  # the whole clips, not the excerpts
            min(excerpts, key=lambda g: crest_db(excerpts[g])),  # the smallest crest
            max(excerpts, key=lambda g: rms_db(excerpts[g])),  # the loudest (RMS), not the punchiest
            min(excerpts, key=lambda g: rms_db(excerpts[g])),  # the quietest
            sorted(excerpts, key=lambda g: crest_db(excerpts[g]))[-2],  # the runner-up
        ],
    )


@exercise(
    "01.1",
    question=(
        "Look at the genre grid (seconds 5-10 of each clip) and predict which excerpt has the largest "
        "crest factor (peak minus RMS level, in dB); then compute it on `excerpts`. (a genre name)"
    ),
    kind="predict",
    hints=(
        "The crest factor is about the excerpt, not the whole clip: the table above describes whole clips.",
        "For every genre: mv.waveforms.peak_level_db(y) minus the RMS level 20*log10(sqrt(mean(y**2))), "
        "with y = excerpts[genre].",
        "Method: compute the crest factor of every genre's excerpt, keep them by genre, and answer with the "
        "genre whose crest factor is the largest (its name, not the number).",
    ),
    wrong_answers=_wrong_01_1,
    truth=_answer_01_1,
)
def _check_01_1(answer, truth) -> bool:
    return genre_name(answer) == truth


# ---------------------------------------------------------------------------------- 01.2
def _answer_01_2() -> int:
    from musicviz.audio import segment

    clips, sr = examples()
    pitched, _, start = pitched_excerpt(clips, sr)
    return len(segment(clips[pitched], sr=sr, start=start, end=start + NARROW))


def _wrong_01_2() -> list:
    _, sr = examples()
    return _distinct(
        _answer_01_2(),
        [
            int(round(WIDE * sr)),  # the 50 ms window
            int(round(5 * sr)),  # 5 ms read as 5 s
            int(round(NARROW * sr / 2)),  # half: one sample per two dots
        ],
    )


@exercise(
    "01.2",
    question=(
        "Predict how many samples (dots) one 5 ms panel of the zoom holds at the course's sample rate; "
        "then verify with len() of the 5 ms excerpt. (an int)"
    ),
    kind="predict",
    hints=(
        "A sample rate is a number of samples per second; 5 ms is 0.005 s.",
        "0.005 * sr is not a whole number here; mv.audio.segment rounds each end to the nearest sample.",
        "Method: cut the same 5 ms excerpt the zoom shows (same clip, same start, 0.005 s long) with "
        "mv.audio.segment and count its samples; compare with your prediction.",
    ),
    wrong_answers=_wrong_01_2,
    truth=_answer_01_2,
)
def _check_01_2(answer, truth) -> bool:
    return as_int(answer) == truth


# ---------------------------------------------------------------------------------- 01.3
def _pieces():
    from musicviz.audio import segment

    clips, sr = examples()
    pitched, noisy, start = pitched_excerpt(clips, sr)
    cut = lambda g, d: segment(clips[g], sr=sr, start=start, end=start + d)  # noqa: E731
    return cut(pitched, NARROW), cut(pitched, WIDE), cut(noisy, NARROW)


def _answer_01_3() -> int:
    return count_sign_changes(_pieces()[0])


def _wrong_01_3() -> list:
    narrow, wide, noisy = _pieces()
    extrema = int(np.count_nonzero(np.diff(np.sign(np.diff(narrow))) != 0))  # turning points, not crossings
    return _distinct(
        _answer_01_3(),
        [
            count_sign_changes(wide),  # the 50 ms window
            count_sign_changes(noisy),  # the other genre's panel
            extrema,
        ],
    )


@exercise(
    "01.3",
    question=(
        "Count the zero crossings of the 5 ms pitched excerpt by hand on the figure, then by code: how "
        "many times do neighbouring samples lie on different sides of zero? (an int)"
    ),
    kind="code",
    hints=(
        "A crossing sits between two neighbouring samples, one negative and one not (np.signbit tells which).",
        "Compare each sample's sign with the next one's: an array of n samples has n - 1 neighbouring pairs.",
        "Method: for the 5 ms excerpt of the pitched clip, mark each sample as negative or not, compare every "
        "sample's mark with its right neighbour's, and count the pairs that differ.",
    ),
    wrong_answers=_wrong_01_3,
    truth=_answer_01_3,
)
def _check_01_3(answer, truth) -> bool:
    return as_int(answer) == truth
