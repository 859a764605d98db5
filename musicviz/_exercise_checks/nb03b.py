"""Checks of the exercises of notebook 03b_mfcc_hpss_tempo."""

from __future__ import annotations

import re

import numpy as np

from musicviz._exercise_checks._common import close, examples, metadata
from musicviz._exercise_registry import AnswerError, as_int, exercise

#: The excerpt notebook 03b takes MFCCs of: seconds 5-9 of the first clip of this genre
#: (or its stand-in on a partial copy, as the notebook picks it).
MFCC_GENRE, MFCC_EXCERPT = "rock", (5.0, 9.0)
#: Exercise 03b.1's bound on the RMS error of the rebuilt log-mel spectrogram, in dB.
MAX_ERROR_DB = 3.0
#: Exercise 03b.3's tolerance.
TEMPO_TOLERANCE = 0.08


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


def _coefficient_number(answer) -> int:
    if isinstance(answer, str):
        match = re.fullmatch(r"\s*mfcc(\d+)(_var)?\s*", answer.lower())
        if not match:
            raise AnswerError(f"expected a coefficient number or a name like 'mfcc3_var', got {answer!r}")
        return int(match.group(1))
    return as_int(answer)


def _var_columns():
    return [f"mfcc{k}_var" for k in range(1, 21)]


def _f_of(columns):
    from musicviz.features import course_feature_table
    from musicviz.mfcc_hpss_tempo import genre_f_statistic

    return genre_f_statistic(course_feature_table(), columns=columns)["F"].to_numpy()


def _best_by_f(columns) -> int:
    return int(np.nanargmax(_f_of(columns))) + 1


def _wrong_03b_2() -> list:
    from musicviz.features import course_feature_table

    F = _f_of(_var_columns())
    ranked = np.argsort(-np.nan_to_num(F, nan=-np.inf), kind="stable") + 1
    right = int(ranked[0])
    table = course_feature_table()
    wrong = [
        _best_by_f([f"mfcc{k}_mean" for k in range(1, 21)]),  # the means, as in the notebook
        int(np.argmax(table[_var_columns()].mean().to_numpy())) + 1,  # the largest variance, no ANOVA
        int(ranked[1]),  # the runner-up (e.g. ranked by a rounded F)
        int(ranked[-1]),  # sorted the wrong way round: the smallest F
    ]
    return sorted({k for k in wrong if k != right})


@exercise(
    "03b.2",
    question=(
        "Which MFCC *variance* column (mfcc1_var ... mfcc20_var) of the course feature table has the largest "
        "ANOVA F-statistic across genres? (the coefficient number, e.g. 7 for mfcc7_var)"
    ),
    kind="code",
    hints=(
        "Do for the variance columns what the notebook did for the means.",
        "mv.mfcc_hpss_tempo.genre_f_statistic(table, columns=[f'mfcc{k}_var' for k in range(1, 21)]).",
        "Method: find the variance column with the largest F-statistic and answer with the number in its "
        "name (7 for mfcc7_var), not its position in the table.",
    ),
    wrong_answers=_wrong_03b_2,
    truth=lambda: _best_by_f(_var_columns()),
)
def _check_03b_2(answer, truth) -> bool:
    return _coefficient_number(answer) == truth


def _tempo_table(tolerance: float):
    from musicviz.datasets import course_audio_dir
    from musicviz.errors import DatasetError
    from musicviz.features import course_feature_table
    from musicviz.mfcc_hpss_tempo import tempo_errors

    if not (course_audio_dir() / "metadata.csv").is_file():
        raise DatasetError(f"{course_audio_dir()}: exercise 03b.3 needs the true tempi of the synthetic set's metadata.csv")
    table = course_feature_table()[["track_id", "tempo", "label"]]
    both = table.merge(metadata()[["track_id", "tempo"]], on="track_id", suffixes=("", "_true"))
    return tempo_errors(both["tempo"], both["tempo_true"], tolerance=tolerance, genres=both["label"])


def _wrong_03b_3() -> list:
    right = float(_tempo_table(TEMPO_TOLERANCE)["octave_ok"].mean())
    wrong = [
        float(_tempo_table(TEMPO_TOLERANCE)["correct"].mean()),  # octave errors counted as wrong
        float(_tempo_table(0.04)["octave_ok"].mean()),  # the notebook's 4 %
    ]
    return [round(w, 2) for w in wrong if abs(w - right) > 0.01]


@exercise(
    "03b.3",
    question=(
        f"With a tolerance of {TEMPO_TOLERANCE:.0%} instead of 4 %, what fraction of the clips has a tempo "
        "estimate within tolerance of the true tempo, of twice it or of half of it? (2 decimals)"
    ),
    kind="code",
    hints=(
        "The notebook's tempo error table has a tolerance= argument.",
        f"mv.mfcc_hpss_tempo.tempo_errors(estimated, truth, tolerance={TEMPO_TOLERANCE}) with the same "
        "estimated and true tempi as the notebook.",
        "Its octave_ok column is True when the factor is 1, 2 or 1/2: take its mean.",
    ),
    wrong_answers=_wrong_03b_3,
    truth=lambda: float(_tempo_table(TEMPO_TOLERANCE)["octave_ok"].mean()),
)
def _check_03b_3(answer, truth) -> bool:
    return close(answer, truth, 0.006)
