"""Worked solutions of notebook 06's exercises (each function returns the answer)."""

import numpy as np

import musicviz as mv
from musicviz import cnn

CONFIG = cnn.MelConfig(segment_seconds=3.0, n_fft=2048, hop_length=512, n_mels=64)


def exercise_06_1():
    clip = mv.datasets.scan(mv.datasets.course_audio_dir(), check_audio=False).tracks[0]
    y, sr = mv.audio.load_audio(clip.path)
    return len(cnn.cut_segments(y, sr=sr, config=CONFIG))


def exercise_06_2():
    model = cnn.build_model(CONFIG.input_shape, len(mv.GENRES))
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


def exercise_06_3():
    course = mv.splits.course_split(mv.features.course_feature_table(), test_size=0.25, seed=0)
    table, split = course.table, course.sides
    return round(1 / (split == "test").sum(), 3)
