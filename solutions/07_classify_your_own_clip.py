"""Worked solutions of notebook 07's exercises (each function returns the answer).

They work on the notebook's default clip: the real GTZAN hiphop.00000 when your copy has it (else the
first clip of your copy on the fault-filtered split's test list, else a synthetic hip-hop test clip),
its first 30 s.
"""

import numpy as np

import musicviz as mv


def _clip():
    """The notebook's default clip: (path, genre, is it real GTZAN audio?)."""
    test_list = set(mv.datasets.load_filtered_split()["test"])
    root = mv.config.gtzan_dir()
    tracks = mv.datasets.scan(root, check_audio=False).tracks if root.is_dir() else []
    held_out = sorted((t for t in tracks if t.track_id in test_list), key=lambda t: t.track_id != "hiphop.00000")
    if held_out:
        return held_out[0].path, held_out[0].genre, True
    course = mv.splits.course_split(mv.features.course_feature_table(), test_size=0.25, seed=0)
    track = next(t for t in course.tracks("test") if t.genre == "hiphop")
    return track.path, "hiphop", False


def _same_clip(clip_path):
    """Exclude the clip from the course's clips only when it *is* one of them."""
    course_dir = mv.datasets.course_audio_dir().resolve()
    return [clip_path.stem] if clip_path.resolve().is_relative_to(course_dir) else []


def exercise_07_1():
    # The clip's embedding: the mean over its 3 s patches of MSD_musicnn's penultimate layer.
    clip_path, _, _ = _clip()
    y, sr = mv.audio.load_audio(clip_path, duration=30.0)
    clip_emb = mv.pretrained.clip_embedding(y, sr=sr, model="MSD_musicnn")
    # The synthetic set's embeddings (cached), standardized over the set by nearest_clips.
    synth_emb = mv.pretrained.embedding_table(model="MSD_musicnn", progress=False)
    columns = [c for c in synth_emb.columns if c.startswith("emb_")]
    best = mv.similarity.nearest_clips(clip_emb, synth_emb, k=1, columns=columns, exclude=_same_clip(clip_path))
    return best["genre"].iloc[0], round(float(best["similarity"].iloc[0]), 2)


def exercise_07_2():
    clip_path, genre, real = _clip()
    y, sr = mv.audio.load_audio(clip_path, duration=30.0)
    features = mv.features.extract_clip_features(y, sr=sr)
    real_table = mv.datasets.load_feature_table()
    exclude = [clip_path.stem] if real else []  # a real GTZAN clip is a row of the table: not its own neighbour
    neighbours = mv.similarity.nearest_clips(features, real_table, k=10, exclude=exclude)
    return int((neighbours["genre"] == genre).sum())


def exercise_07_3():
    course_table = mv.features.course_feature_table()
    by_id = course_table.set_index("track_id")
    best = []
    for tid in course_table["track_id"]:
        query = by_id.loc[tid, list(mv.features.KAGGLE_FEATURES)]
        nearest = mv.similarity.nearest_clips(query, course_table, k=1, exclude=[tid])
        best.append(nearest["similarity"].iloc[0])
    return round(float(np.median(best)), 2)


def exercise_07_5():
    import math

    # As notebook 07 does: the model 05b saved, or the same model trained (and saved) here.
    path = mv.baselines.models_dir() / "svm_real_gtzan.skops"
    svm = mv.baselines.load_model(path) if path.is_file() else mv.baselines.train_real_gtzan_svm(path=path)
    meta = svm.metadata
    n = meta["n_test"]
    correct = round(meta["test_accuracy"] * n)
    p, z = correct / n, 1.96
    centre = p + z**2 / (2 * n)
    half_width = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    # The textbook interval p +- z sqrt(p(1-p)/n) is close to it at 158 of 290, but at 30 of 30 it
    # collapses to [1, 1]: the Wilson interval stays honest there ([0.886, 1]).
    return round((centre - half_width) / (1 + z**2 / n), 3)
