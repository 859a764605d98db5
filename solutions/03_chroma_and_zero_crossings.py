"""Worked solutions of notebook 03's exercises (each function returns the answer)."""

import numpy as np

import musicviz as mv


def exercise_03_1():
    # Prediction: 12 * log2(1000 / 440) = 14.2 semitones above A4 -> 14 -> A + 14 = B (an octave up).
    semitones = int(np.round(12 * np.log2(1000 / 440)))
    prediction = mv.chroma.PITCH_CLASSES[(9 + semitones) % 12]
    assert prediction == mv.chroma.PITCH_CLASSES[mv.chroma.pitch_class(1000.0)]  # verified
    return prediction


def exercise_03_2():
    clips, sr, _ = mv.datasets.example_clips()
    fifth = {}
    for genre, y in clips.items():
        profile = mv.chroma.mean_chroma(mv.chroma.chromagram(y, sr=sr)[0])
        rolled = np.roll(profile, -int(np.argmax(profile)))  # strongest class at index 0
        fifth[genre] = rolled[7]  # seven semitones above it: the fifth
    return max(fifth, key=fifth.get)


def exercise_03_3():
    # Prediction: a sine crosses zero twice per cycle -> 2 * 1000 = 2000 crossings per second.
    sr = 22050
    y = np.sin(2 * np.pi * 1000 * np.arange(sr) / sr + 0.1)
    rate, _ = mv.waveforms.zero_crossing_rate(y, sr=sr)
    return float(np.median(rate))
