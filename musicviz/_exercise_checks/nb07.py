"""Checks of the exercises of notebook 07_classify_your_own_clip."""

from __future__ import annotations

from musicviz._exercise_registry import exercise
from musicviz._exercise_checks._common import genre_name


def _neighbours(track_id: str, k: int):
    from musicviz.features import KAGGLE_FEATURES, course_feature_table
    from musicviz.similarity import nearest_clips

    table = course_feature_table()
    query = table.loc[table["track_id"] == track_id, list(KAGGLE_FEATURES)].iloc[0].to_dict()
    return nearest_clips(query, table, k=k, exclude=[track_id])


@exercise(
    "07.1",
    question="Which clip of the course is most similar (cosine similarity of standardized features) to blues.00000, other than itself? (a track id)",
    kind="read",
    hints='query = course_table.set_index("track_id").loc["blues.00000", mv.features.KAGGLE_FEATURES].to_dict(); mv.similarity.nearest_clips(query, course_table, k=1, exclude=["blues.00000"]).',
)
def _check_07_1(answer) -> bool:
    return str(answer).strip() == _neighbours("blues.00000", 1)["track_id"].iloc[0]


@exercise(
    "07.2",
    question="Among the 5 clips most similar to reggae.00000 (itself excluded), which genre is the most common? (a genre name)",
    kind="read",
    hints="nearest_clips(..., k=5, exclude=['reggae.00000'])['genre'].value_counts(): that majority vote is a KNN classifier with cosine similarity.",
)
def _check_07_2(answer) -> bool:
    counts = _neighbours("reggae.00000", 5)["genre"].value_counts()
    return genre_name(answer) in set(counts.index[counts == counts.max()])
