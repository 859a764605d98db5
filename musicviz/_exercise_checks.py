"""The checks of every notebook's exercises (registered in :mod:`musicviz.exercises`).

Each check recomputes the right answer from the course data, so it stays right when the
data set changes (a new seed, real GTZAN).
"""

from __future__ import annotations

import pandas as pd

from musicviz._exercise_registry import as_float, as_int, exercise


def _course_tracks():
    from musicviz.datasets import course_audio_dir, scan

    return scan(course_audio_dir(), check_audio=False)


def _metadata():
    from musicviz.datasets import course_audio_dir

    return pd.read_csv(course_audio_dir() / "metadata.csv")


# --------------------------------------------------------------------------- 00_introduction
@exercise(
    "00.1",
    question="How many clips does the course's data set hold per genre? (an int)",
    hint="count the tracks of one genre in found.tracks, or use found.genre_counts().",
)
def _check_00_1(answer) -> bool:
    counts = set(_course_tracks().genre_counts().values())
    return len(counts) == 1 and as_int(answer) == counts.pop()


@exercise(
    "00.2",
    question="Which genre has the widest tempo range (max - min BPM) in metadata.csv? (a genre name)",
    hint='metadata.groupby("genre")["tempo"].agg(["min", "max"]), then the largest max - min.',
)
def _check_00_2(answer) -> bool:
    tempo = _metadata().groupby("genre")["tempo"].agg(["min", "max"])
    return str(answer).strip().lower() == (tempo["max"] - tempo["min"]).idxmax()


@exercise(
    "00.3",
    question="Which genre is the slowest on average in metadata.csv? (a genre name)",
    hint='metadata.groupby("genre")["tempo"].mean() and idxmin().',
)
def _check_00_3(answer) -> bool:
    return str(answer).strip().lower() == _metadata().groupby("genre")["tempo"].mean().idxmin()


# --------------------------------------------------------------------------- shared data of 01-04
def _examples():
    from musicviz.datasets import example_clips

    clips, sr, _ = example_clips()
    return clips, sr


def _rms_db(y) -> float:
    import numpy as np

    return float(20 * np.log10(np.sqrt(np.mean(np.square(y, dtype=np.float64)))))


def _genre(answer) -> str:
    return str(answer).strip().lower()


def _close(answer, truth, tol) -> bool:
    return abs(as_float(answer) - float(truth)) <= tol


# --------------------------------------------------------------------------- 01_waveforms
@exercise(
    "01.1",
    question="Which genre's example clip has the highest RMS level? (a genre name)",
    hint="RMS level in dBFS is 20*log10(sqrt(mean(y**2))); compute it for every clip in `clips` and take the largest.",
)
def _check_01_1(answer) -> bool:
    clips, _ = _examples()
    return _genre(answer) == max(clips, key=lambda g: _rms_db(clips[g]))


@exercise(
    "01.2",
    question="Which genre's example clip has the largest crest factor (peak level minus RMS level, in dB)? (a genre name)",
    hint="mv.waveforms.peak_level_db(y) minus the RMS level; the `levels` table above has both for every genre.",
)
def _check_01_2(answer) -> bool:
    from musicviz.waveforms import peak_level_db

    clips, _ = _examples()
    return _genre(answer) == max(clips, key=lambda g: peak_level_db(clips[g]) - _rms_db(clips[g]))


@exercise(
    "01.3",
    question="What is the peak level of the rock example clip, in dBFS? (a number, 1 decimal)",
    hint="mv.waveforms.peak_level_db(clips['rock']); 0 dBFS is the largest value a file can hold.",
)
def _check_01_3(answer) -> bool:
    from musicviz.waveforms import peak_level_db

    clips, _ = _examples()
    return _close(answer, peak_level_db(clips["rock"]), 0.051)


# --------------------------------------------------------------------------- 02_spectrograms
@exercise(
    "02.1",
    question="How far apart (in Hz) are the frequency bins of an STFT with n_fft = 2048 at the course's sample rate? (2 decimals)",
    hint="an n_fft-point DFT splits 0..sr into n_fft equal steps: sr / n_fft.",
)
def _check_02_1(answer) -> bool:
    from musicviz import SR

    return _close(answer, SR / 2048, 0.006)


@exercise(
    "02.2",
    question="How many frames does the STFT of the whole blues example clip have with n_fft=2048, hop_length=512? (an int)",
    hint="S_db, times, freqs = mv.spectrograms.stft_db(clips['blues'], sr=sr); frames are the columns (len(times)).",
)
def _check_02_2(answer) -> bool:
    from musicviz.spectrograms import stft_db

    clips, sr = _examples()
    _, times, _ = stft_db(clips["blues"], sr=sr, n_fft=2048, hop_length=512)
    return as_int(answer) == len(times)


@exercise(
    "02.3",
    question="Which genre's example clip has the most energy above 5 kHz (highest mean mel level in the bands above 5000 Hz)? (a genre name)",
    hint="M_db, t, f = mv.spectrograms.mel_db(y, sr=sr); average M_db[f > 5000] for every genre and take the largest.",
)
def _check_02_3(answer) -> bool:
    from musicviz.spectrograms import mel_db

    clips, sr = _examples()

    def high_level(y):
        M_db, _, freqs = mel_db(y, sr=sr)
        return float(M_db[freqs > 5000].mean())

    return _genre(answer) == max(clips, key=lambda g: high_level(clips[g]))


# --------------------------------------------------------------------------- 03_chroma_and_zero_crossings
@exercise(
    "03.1",
    question="Which pitch class does 1000 Hz fall into? (a name such as 'C#')",
    hint="12*log2(1000/440) semitones above A4, rounded, then folded into one octave; mv.chroma.pitch_class checks it.",
)
def _check_03_1(answer) -> bool:
    from musicviz.chroma import PITCH_CLASSES, pitch_class

    return str(answer).strip() == PITCH_CLASSES[int(pitch_class(1000.0))]


@exercise(
    "03.2",
    question="Which genre's example clip has the highest mean zero-crossing rate? (a genre name)",
    hint="rate, times = mv.waveforms.zero_crossing_rate(y, sr=sr) for each clip; compare rate.mean().",
)
def _check_03_2(answer) -> bool:
    from musicviz.waveforms import zero_crossing_rate

    clips, sr = _examples()
    return _genre(answer) == max(clips, key=lambda g: float(zero_crossing_rate(clips[g], sr=sr)[0].mean()))


@exercise(
    "03.3",
    question="Which pitch class is strongest in the mean chroma of the blues example clip? (a name such as 'E')",
    hint="C, times, names = mv.chroma.chromagram(clips['blues'], sr=sr); names[mv.chroma.mean_chroma(C).argmax()].",
)
def _check_03_3(answer) -> bool:
    from musicviz.chroma import chromagram, mean_chroma

    clips, sr = _examples()
    C, _, names = chromagram(clips["blues"], sr=sr)
    return str(answer).strip() == names[int(mean_chroma(C).argmax())]


# --------------------------------------------------------------------------- 04_features_and_standardization
def _course_split():
    from musicviz.features import course_feature_table
    from musicviz.splits import course_split

    course = course_split(course_feature_table(), test_size=0.25, seed=0)
    return course.table, course.sides


@exercise(
    "04.1",
    question="Which genre has the highest median zero_crossing_rate_mean in the feature table? (a genre name)",
    hint='table.groupby("label")["zero_crossing_rate_mean"].median().idxmax()',
)
def _check_04_1(answer) -> bool:
    table, _ = _course_split()
    return _genre(answer) == table.groupby("label")["zero_crossing_rate_mean"].median().idxmax()


@exercise(
    "04.2",
    question="How many clips are in the test part of the notebook's track-level split? (an int)",
    hint='course.sides holds "train"/"test" per track: count the "test" ones.',
)
def _check_04_2(answer) -> bool:
    _, side = _course_split()
    return as_int(answer) == int((side == "test").sum())


@exercise(
    "04.3",
    question=(
        "Test accuracy of make_pipeline(StandardScaler(), KNeighborsClassifier()) trained on the "
        "57 Kaggle columns of the training clips of that split? (3 decimals)"
    ),
    hint="X = table[mv.features.KAGGLE_FEATURES]; fit on the rows where split == 'train', score on 'test'.",
)
def _check_04_3(answer) -> bool:
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from musicviz.features import KAGGLE_FEATURES

    table, side = _course_split()
    X, y = table[list(KAGGLE_FEATURES)], table["label"]
    model = make_pipeline(StandardScaler(), KNeighborsClassifier()).fit(X[side == "train"], y[side == "train"])
    return _close(answer, model.score(X[side == "test"], y[side == "test"]), 0.0011)


# --------------------------------------------------------------------------- 05b_baselines_on_real_gtzan
def _real_filtered():
    from musicviz import baselines as bl
    from musicviz.datasets import load_feature_table

    table = load_feature_table()
    X, y = bl.feature_matrix(table)
    masks = bl.filtered_masks(table["track_id"])
    return bl, X, y, masks


def _real_reference_svm_predictions():
    bl, X, y, masks = _real_filtered()
    model = bl.make_svm(C=10).fit(X[masks["train"]], y[masks["train"]])
    return y[masks["test"]], model.predict(X[masks["test"]])


@exercise(
    "05b.1",
    question="Accuracy of the reference SVM (C=10) trained on train+valid and scored on the filtered test list? (3 decimals)",
    hint="bl.make_svm(C=10).fit(X[masks['train']], y[masks['train']]).score(X[masks['test']], y[masks['test']])",
)
def _check_05b_1(answer) -> bool:
    import numpy as np

    y_test, predicted = _real_reference_svm_predictions()
    return _close(answer, float(np.mean(np.asarray(predicted) == np.asarray(y_test))), 0.0011)


@exercise(
    "05b.2",
    question="For that reference SVM on the filtered test list, which genre has the lowest recall? (a genre name)",
    hint="bl.per_genre_report(y_test, predicted) and the smallest value of its 'recall' column among the genres.",
)
def _check_05b_2(answer) -> bool:
    from musicviz import GENRES
    from musicviz.baselines import per_genre_report

    y_test, predicted = _real_reference_svm_predictions()
    recall = per_genre_report(y_test, predicted, labels=list(GENRES)).loc[list(GENRES), "recall"]
    lowest = set(recall.index[recall == recall.min()])
    return _genre(answer) in lowest


@exercise(
    "05b.3",
    question="Cluster all 1000 clips with bl.make_kmeans(20, seed=0). What adjusted Rand index do the 20 clusters reach against the genres? (2 decimals)",
    hint="clusters = bl.make_kmeans(20, seed=0).fit(X).named_steps['kmeans'].labels_; bl.cluster_scores(y, clusters)['ari'].",
)
def _check_05b_3(answer) -> bool:
    bl, X, y, _ = _real_filtered()
    clusters = bl.make_kmeans(20, seed=0).fit(X).named_steps["kmeans"].labels_
    return _close(answer, bl.cluster_scores(y, clusters)["ari"], 0.0051)


# --------------------------------------------------------------------------- 05_baseline_models
def _baseline_split():
    """Notebook 05's data: the 57 Kaggle features of the course table and its seeded track split."""
    from musicviz import baselines as bl

    table, side = _course_split()
    X, y = bl.feature_matrix(table)
    train, test = side == "train", side == "test"
    return X, y, X[train], y[train], X[test], y[test]


@exercise(
    "05.1",
    question="Which k in 1..15 gives KNN the best 5-fold cross-validated accuracy on the training clips? (an int)",
    hint="bl.knn_curve(X_train, y_train, ks=range(1, 16), seed=0), then idxmax() of its cv_accuracy column.",
)
def _check_05_1(answer) -> bool:
    from musicviz import baselines as bl

    _, _, X_train, y_train, _, _ = _baseline_split()
    curve = bl.knn_curve(X_train, y_train, ks=range(1, 16), seed=0)
    best = curve.index[curve["cv_accuracy"] == curve["cv_accuracy"].max()]
    if isinstance(answer, bool) or as_float(answer) != int(as_float(answer)):
        return False
    return int(as_float(answer)) in {int(k) for k in best}


@exercise(
    "05.2",
    question="What ARI does K-means with only 5 clusters (seed 0, all clips) reach? (a float, 2 decimals)",
    hint="bl.make_kmeans(5, seed=0).fit(X), then bl.cluster_scores(genres, its kmeans step's labels_).",
)
def _check_05_2(answer) -> bool:
    from musicviz import baselines as bl

    X, y, _, _, _, _ = _baseline_split()
    clusters = bl.make_kmeans(5, seed=0).fit(X).named_steps["kmeans"].labels_
    ari = bl.cluster_scores(y, clusters)["ari"]
    return abs(as_float(answer) - round(ari, 2)) < 0.0051


@exercise(
    "05.3",
    question="Counting both directions, which pair of genres does K-means → genre (KMeansGenreClassifier, seed 0) "
    "confuse most often on the test clips? (two genre names, any order)",
    hint="bl.confused_pairs(y_test, predictions, top=20), then add up the counts of (a, b) and (b, a).",
)
def _check_05_3(answer) -> bool:
    from collections import Counter

    from musicviz import baselines as bl

    _, _, X_train, y_train, X_test, y_test = _baseline_split()
    predicted = bl.KMeansGenreClassifier(seed=0).fit(X_train, y_train).predict(X_test)
    pairs = Counter(frozenset((t, p)) for t, p in zip(y_test, predicted) if t != p)
    if isinstance(answer, str) or not hasattr(answer, "__len__") or len(answer) != 2:
        return False
    given = frozenset(str(g).strip().lower() for g in answer)
    return len(given) == 2 and pairs.get(given, 0) == max(pairs.values())


# --------------------------------------------------------------------------- 06_cnn
def _notebook_06_config():
    from musicviz import cnn

    return cnn.MelConfig(segment_seconds=3.0, n_fft=2048, hop_length=512, n_mels=64)


@exercise(
    "06.1",
    question="How many input images does one 30 s clip give the CNN with this notebook's MelConfig? (an int)",
    hint="cnn.cut_segments(y, sr=sr, config=config) cuts a clip into segments; count them (its first axis).",
)
def _check_06_1(answer) -> bool:
    import numpy as np

    from musicviz import SR
    from musicviz.cnn import cut_segments

    y = np.random.default_rng(0).normal(scale=0.1, size=30 * SR)
    return as_int(answer) == len(cut_segments(y, sr=SR, config=_notebook_06_config()))


@exercise(
    "06.2",
    question="How many weights (trainable parameters) does the CNN of this notebook have? (an int)",
    hint="model.count_params() of cnn.build_model(config.input_shape, 10), or add up the Param # column of model.summary().",
)
def _check_06_2(answer) -> bool:
    import numpy as np

    from musicviz.cnn import build_model

    model = build_model(_notebook_06_config().input_shape, 10)
    return as_int(answer) == sum(int(np.prod(w.shape)) for w in model.trainable_weights)


@exercise(
    "06.3",
    question="The comparison uses one test set for every model. How much accuracy is one test clip worth? (3 decimals)",
    hint="1 / (number of test clips); the split is the one of notebooks 04-06.",
)
def _check_06_3(answer) -> bool:
    _, side = _course_split()
    return _close(answer, 1 / int((side == "test").sum()), 0.0011)


# --------------------------------------------------------------------------- 07_classify_your_own_clip
def _neighbours(track_id: str, k: int):
    from musicviz.features import KAGGLE_FEATURES, course_feature_table
    from musicviz.similarity import nearest_clips

    table = course_feature_table()
    query = table.loc[table["track_id"] == track_id, list(KAGGLE_FEATURES)].iloc[0].to_dict()
    return nearest_clips(query, table, k=k, exclude=[track_id])


@exercise(
    "07.1",
    question="Which clip of the course is most similar (cosine similarity of standardized features) to blues.00000, other than itself? (a track id)",
    hint='query = course_table.set_index("track_id").loc["blues.00000", mv.features.KAGGLE_FEATURES].to_dict(); mv.similarity.nearest_clips(query, course_table, k=1, exclude=["blues.00000"]).',
)
def _check_07_1(answer) -> bool:
    return str(answer).strip() == _neighbours("blues.00000", 1)["track_id"].iloc[0]


@exercise(
    "07.2",
    question="Among the 5 clips most similar to reggae.00000 (itself excluded), which genre is the most common? (a genre name)",
    hint="nearest_clips(..., k=5, exclude=['reggae.00000'])['genre'].value_counts(): that majority vote is a KNN classifier with cosine similarity.",
)
def _check_07_2(answer) -> bool:
    counts = _neighbours("reggae.00000", 5)["genre"].value_counts()
    return _genre(answer) in set(counts.index[counts == counts.max()])
