"""Worked solutions of notebook 06's exercises (each function returns the answer)."""

import numpy as np

import musicviz as mv
from musicviz import baselines as bl
from musicviz import cnn

CONFIG = cnn.MelConfig(segment_seconds=3.0, n_fft=2048, hop_length=512, n_mels=64)
SEED = 0


def exercise_06_1():
    # Prediction: conv1 has 32 * (3*3*1 + 1) = 320 weights instead of 80, and conv2's 16 filters now
    # see 32 channels: 16 * (3*3*32 + 1) = 4624 instead of 1168. Nothing after conv2 changes.
    model = cnn.build_model(CONFIG.input_shape, len(mv.GENRES), filters=(32, 16, 32))
    return int(model.count_params())


def exercise_06_2():
    # Prediction: 20 s // 3 s = 6 (the 2 s tail is dropped); 45 s // 3 s = 15, but MelConfig keeps at
    # most max_segments = 10.
    rng = np.random.default_rng(0)
    counts = []
    for seconds in (20, 45):
        y = rng.normal(scale=0.1, size=seconds * mv.SR)
        counts.append(len(cnn.cut_segments(y, sr=mv.SR, config=CONFIG)))
    return tuple(counts)


def exercise_06_3():
    course = mv.splits.course_split(mv.features.course_feature_table(), test_size=0.25, seed=SEED)
    table, split = course.table, course.sides
    train_set = cnn.build_segments(course.tracks("train"), config=CONFIG)
    held_out = cnn.validation_tracks(train_set, fraction=0.2, seed=SEED)  # what train_cnn holds out
    X, labels = bl.feature_matrix(table)
    is_train, is_test = split == "train", split == "test"
    fit = is_train & ~table["track_id"].isin(held_out).to_numpy()
    # KNN, which votes among the nearest training clips, feels the missing clips more than the SVM.
    return tuple(round(model.fit(X[fit], labels[fit]).score(X[is_test], labels[is_test]), 3)
                 for model in (bl.make_svm(), bl.make_knn()))
