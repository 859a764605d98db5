"""Worked solutions of notebook 07's exercises (each function returns the answer)."""

import musicviz as mv


def _neighbours(track_id, k):
    course_table = mv.features.course_feature_table()
    query = course_table.set_index("track_id").loc[track_id, list(mv.features.KAGGLE_FEATURES)].to_dict()
    return mv.similarity.nearest_clips(query, course_table, k=k, exclude=[track_id])


def exercise_07_1():
    return _neighbours("blues.00000", 1)["track_id"].iloc[0]


def exercise_07_2():
    return _neighbours("reggae.00000", 5)["genre"].value_counts().idxmax()
