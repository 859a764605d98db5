"""Worked solutions of notebook 03's exercises (each function returns the answer)."""

import numpy as np

import musicviz as mv


def exercise_03_1():
    # 12 * log2(1000 / 440) = 14.2 semitones above A4 -> 14 -> A + 14 = B (one octave up).
    semitones = int(np.round(12 * np.log2(1000 / 440)))
    return mv.chroma.PITCH_CLASSES[(9 + semitones) % 12]


def exercise_03_2():
    clips, sr, _ = mv.datasets.example_clips()
    means = {g: mv.waveforms.zero_crossing_rate(y, sr=sr)[0].mean() for g, y in clips.items()}
    return max(means, key=means.get)


def exercise_03_3():
    clips, sr, _ = mv.datasets.example_clips()
    C, times, names = mv.chroma.chromagram(clips["blues"], sr=sr)
    return names[int(mv.chroma.mean_chroma(C).argmax())]
