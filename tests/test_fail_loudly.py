"""Expected failures are handled; bugs surface (never an empty table, a silent split, a "not yet")."""

from __future__ import annotations

import numpy as np
import pytest

from musicviz import features
from musicviz.audio import write_wav
from musicviz.errors import FeatureError, ParameterError
from musicviz.exercises import EXERCISES, AnswerError, as_float, as_int, exercise, grade


def _clips(root, n=2):
    t = np.arange(22050 * 4) / 22050
    for i in range(n):
        write_wav(root / "jazz" / f"jazz.{i:05d}.wav", 0.3 * np.sin(2 * np.pi * (220 + 50 * i) * t), sr=22050)
    return root


def test_a_bug_in_feature_code_surfaces_instead_of_an_empty_table(tmp_path, monkeypatch):
    root = _clips(tmp_path)

    def broken(*args, **kwargs):
        raise TypeError("extract() got an unexpected keyword argument 'S'")  # e.g. a changed librosa API

    monkeypatch.setattr(features.table, "extract_clip_features", broken)  # what feature_table hands its workers
    with pytest.raises(TypeError, match="unexpected keyword"):
        features.feature_table(root, n_jobs=1, cache=False, warn=False)


def test_errors_switch(tmp_path):
    root = _clips(tmp_path)
    # A well-formed file whose content is unusable (silent): it passes the scan's header check
    # and fails in the worker, where errors= decides.
    write_wav(root / "jazz" / "jazz.00009.wav", np.zeros(22050 * 4), sr=22050)
    table = features.feature_table(root, n_jobs=1, cache=False, warn=False, errors="skip")
    assert len(table) == 2 and [s.path.name for s in table.attrs["skipped"]] == ["jazz.00009.wav"]
    with pytest.raises(FeatureError, match="jazz.00009.wav"):
        features.feature_table(root, n_jobs=1, cache=False, warn=False, errors="raise")
    with pytest.raises(ParameterError, match="errors must be"):
        features.feature_table(root, n_jobs=1, cache=False, errors="ignore")


def test_answer_conversion():
    assert as_int(3.0) == 3 and as_int(np.int64(7)) == 7
    assert as_float(np.float32(0.5)) == 0.5
    for bad in ("3", True, None, float("nan"), [1], 2.5):
        with pytest.raises(AnswerError):
            as_int(bad)


@pytest.fixture
def registered():
    added = []

    def add(eid, func):
        exercise(eid, question="q", hints="h", kind="code")(func)
        added.append(eid)

    yield add
    for eid in added:
        EXERCISES.pop(eid, None)


def test_grade_surfaces_an_error_inside_a_check(registered):
    def check(answer):
        return as_int(answer) == {"x": 1}["missing"]  # a bug in the check, not in the answer

    registered("99.1", check)
    with pytest.raises(KeyError):
        grade("99.1", 1)


def test_grade_reads_a_malformed_answer_as_wrong(registered):
    registered("99.2", lambda answer: as_int(answer) == 4)
    assert grade("99.2", 4) is True
    assert grade("99.2", 5) is False
    assert grade("99.2", "four") is False
    assert grade("99.2", [4]) is False
