"""Worked solutions of notebook 01's exercises (each function returns the answer)."""

import numpy as np

import musicviz as mv

EXCERPT = (5.0, 10.0)


def _crest_db(y):
    rms_db = 20 * np.log10(np.sqrt(np.mean(y.astype(float) ** 2)))
    return mv.waveforms.peak_level_db(y) - rms_db


def _pitched_excerpt(duration):
    """The notebook's zoom: the most periodic 50 ms of the classical clip, then its first `duration` s."""
    clips, sr, _ = mv.datasets.example_clips()
    (pitched,) = mv.datasets.stand_ins(clips, "classical")
    p, f0, starts = mv.waveforms.periodicity(clips[pitched], sr=sr, fmin=300.0, min_level_db=0.0)
    zoom = float(starts[int(np.nanargmax(p))])
    return mv.audio.segment(clips[pitched], sr=sr, start=zoom, end=zoom + duration)


def exercise_01_1():
    # Prediction from the grid: the excerpt with tall isolated spikes over a low body.
    clips, sr, _ = mv.datasets.example_clips()
    excerpts = {g: mv.audio.segment(y, sr=sr, start=EXCERPT[0], end=EXCERPT[1]) for g, y in clips.items()}
    crest = {g: _crest_db(y) for g, y in excerpts.items()}
    return max(crest, key=crest.get)


def exercise_01_2():
    # Prediction: 0.005 s * 22050 samples/s = 110.25 -> about 110 dots. Verify:
    return len(_pitched_excerpt(0.005))


def exercise_01_3():
    piece = _pitched_excerpt(0.005)
    negative = np.signbit(piece)
    return int(np.count_nonzero(negative[1:] != negative[:-1]))
