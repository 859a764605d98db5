"""Worked solutions of notebook 01's exercises (each function returns the answer)."""

import numpy as np

import musicviz as mv


def _levels():
    clips, sr, _ = mv.datasets.example_clips()
    rms = {g: 20 * np.log10(np.sqrt(np.mean(y.astype(float) ** 2))) for g, y in clips.items()}
    peak = {g: mv.waveforms.peak_level_db(y) for g, y in clips.items()}
    return clips, rms, peak


def exercise_01_1():
    _, rms, _ = _levels()
    return max(rms, key=rms.get)


def exercise_01_2():
    _, rms, peak = _levels()
    crest = {g: peak[g] - rms[g] for g in rms}
    return max(crest, key=crest.get)


def exercise_01_3():
    _, _, peak = _levels()
    return round(peak["rock"], 1)
