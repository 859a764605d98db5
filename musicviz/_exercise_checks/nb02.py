"""Checks of the exercises of notebook 02_spectrograms."""

from __future__ import annotations

from musicviz._exercise_registry import as_int, exercise
from musicviz._exercise_checks._common import examples, genre_name, close


@exercise(
    "02.1",
    question="How far apart (in Hz) are the frequency bins of an STFT with n_fft = 2048 at the course's sample rate? (2 decimals)",
    kind="read",
    hints="an n_fft-point DFT splits 0..sr into n_fft equal steps: sr / n_fft.",
)
def _check_02_1(answer) -> bool:
    from musicviz import SR

    return close(answer, SR / 2048, 0.006)


@exercise(
    "02.2",
    question="How many frames does the STFT of the whole blues example clip have with n_fft=2048, hop_length=512? (an int)",
    kind="read",
    hints="S_db, times, freqs = mv.spectrograms.stft_db(clips['blues'], sr=sr); frames are the columns (len(times)).",
)
def _check_02_2(answer) -> bool:
    from musicviz.spectrograms import stft_db

    clips, sr = examples()
    _, times, _ = stft_db(clips["blues"], sr=sr, n_fft=2048, hop_length=512)
    return as_int(answer) == len(times)


@exercise(
    "02.3",
    question="Which genre's example clip has the most energy above 5 kHz (highest mean mel level in the bands above 5000 Hz)? (a genre name)",
    kind="read",
    hints="M_db, t, f = mv.spectrograms.mel_db(y, sr=sr); average M_db[f > 5000] for every genre and take the largest.",
)
def _check_02_3(answer) -> bool:
    from musicviz.spectrograms import mel_db

    clips, sr = examples()

    def high_level(y):
        M_db, _, freqs = mel_db(y, sr=sr)
        return float(M_db[freqs > 5000].mean())

    return genre_name(answer) == max(clips, key=lambda g: high_level(clips[g]))
