"""Checks of the exercises of notebook 01_waveforms."""

from __future__ import annotations

from musicviz._exercise_registry import exercise
from musicviz._exercise_checks._common import examples, rms_db, genre_name, close


@exercise(
    "01.1",
    question="Which genre's example clip has the highest RMS level? (a genre name)",
    kind="read",
    hints="RMS level in dBFS is 20*log10(sqrt(mean(y**2))); compute it for every clip in `clips` and take the largest.",
)
def _check_01_1(answer) -> bool:
    clips, _ = examples()
    return genre_name(answer) == max(clips, key=lambda g: rms_db(clips[g]))


@exercise(
    "01.2",
    question="Which genre's example clip has the largest crest factor (peak level minus RMS level, in dB)? (a genre name)",
    kind="read",
    hints="mv.waveforms.peak_level_db(y) minus the RMS level; the `levels` table above has both for every genre.",
)
def _check_01_2(answer) -> bool:
    from musicviz.waveforms import peak_level_db

    clips, _ = examples()
    return genre_name(answer) == max(clips, key=lambda g: peak_level_db(clips[g]) - rms_db(clips[g]))


@exercise(
    "01.3",
    question="What is the peak level of the rock example clip, in dBFS? (a number, 1 decimal)",
    kind="read",
    hints="mv.waveforms.peak_level_db(clips['rock']); 0 dBFS is the largest value a file can hold.",
)
def _check_01_3(answer) -> bool:
    from musicviz.waveforms import peak_level_db

    clips, _ = examples()
    return close(answer, peak_level_db(clips["rock"]), 0.051)
