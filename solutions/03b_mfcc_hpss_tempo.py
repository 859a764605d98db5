"""Worked solutions of notebook 03b's exercises (each function returns the answer)."""

import pandas as pd

import musicviz as mv


def exercise_03b_1():
    # The notebook's MFCC excerpt: seconds 5-9 of the first rock clip (or its stand-in).
    clips, sr, _ = mv.datasets.example_clips()
    (genre,) = mv.datasets.stand_ins(clips, "rock")
    y = mv.audio.segment(clips[genre], sr=sr, start=5.0, end=9.0)
    log_mel = mv.mfcc_hpss_tempo.mfcc_steps(y, sr=sr)["log_mel"]
    # The error for every k at once; it only falls as k grows, so the first k under 3 dB is the answer.
    errors = mv.mfcc_hpss_tempo.reconstruction_error(log_mel, n_coeffs=range(1, log_mel.shape[0] + 1))
    return int(errors.index[errors <= 3.0][0])


def exercise_03b_2():
    table = mv.features.course_feature_table()
    stats = mv.mfcc_hpss_tempo.genre_f_statistic(table, columns=[f"mfcc{k}_var" for k in range(1, 21)])
    best = stats["F"].idxmax()  # e.g. "mfcc5_var"
    return int(best.removeprefix("mfcc").removesuffix("_var"))


def exercise_03b_3():
    table = mv.features.course_feature_table()
    meta = pd.read_csv(mv.datasets.course_audio_dir() / "metadata.csv")
    both = table[["track_id", "tempo", "label"]].merge(meta[["track_id", "tempo"]], on="track_id", suffixes=("", "_true"))
    errors = mv.mfcc_hpss_tempo.tempo_errors(both["tempo"], both["tempo_true"], tolerance=0.08, genres=both["label"])
    return round(float(errors["octave_ok"].mean()), 2)
