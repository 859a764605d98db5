"""Checks of the exercises of notebook 03_chroma_and_zero_crossings."""

from __future__ import annotations

from musicviz._exercise_registry import exercise
from musicviz._exercise_checks._common import examples, genre_name


@exercise(
    "03.1",
    question="Which pitch class does 1000 Hz fall into? (a name such as 'C#')",
    kind="read",
    hints="12*log2(1000/440) semitones above A4, rounded, then folded into one octave; mv.chroma.pitch_class checks it.",
)
def _check_03_1(answer) -> bool:
    from musicviz.chroma import PITCH_CLASSES, pitch_class

    return str(answer).strip() == PITCH_CLASSES[int(pitch_class(1000.0))]


@exercise(
    "03.2",
    question="Which genre's example clip has the highest mean zero-crossing rate? (a genre name)",
    kind="read",
    hints="rate, times = mv.waveforms.zero_crossing_rate(y, sr=sr) for each clip; compare rate.mean().",
)
def _check_03_2(answer) -> bool:
    from musicviz.waveforms import zero_crossing_rate

    clips, sr = examples()
    return genre_name(answer) == max(clips, key=lambda g: float(zero_crossing_rate(clips[g], sr=sr)[0].mean()))


@exercise(
    "03.3",
    question="Which pitch class is strongest in the mean chroma of the blues example clip? (a name such as 'E')",
    kind="read",
    hints="C, times, names = mv.chroma.chromagram(clips['blues'], sr=sr); names[mv.chroma.mean_chroma(C).argmax()].",
)
def _check_03_3(answer) -> bool:
    from musicviz.chroma import chromagram, mean_chroma

    clips, sr = examples()
    C, _, names = chromagram(clips["blues"], sr=sr)
    return str(answer).strip() == names[int(mean_chroma(C).argmax())]
