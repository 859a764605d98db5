"""Worked solutions of notebook 07's exercises (each function returns the answer).

They work on the notebook's default clip: a real GTZAN metal clip when your copy has one (else a real
clip of any genre, else a synthetic metal test clip), its first 30 s.
"""

import numpy as np

import musicviz as mv


def _clip():
    """The notebook's default clip: (path, genre, is it real GTZAN audio?)."""
    real_clip = mv.datasets.find_real_clip("metal") or mv.datasets.find_real_clip(None)
    if real_clip is not None:
        return real_clip, real_clip.stem.split(".")[0], True
    course = mv.splits.course_split(mv.features.course_feature_table(), test_size=0.25, seed=0)
    track = next(t for t in course.tracks("test") if t.genre == "metal")
    return track.path, "metal", False


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
