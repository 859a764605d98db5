"""Every worked solution passes its check, and the checks reject wrong answers."""

from __future__ import annotations

import copy
import functools
import importlib.util
from pathlib import Path

import pytest

from musicviz.errors import ParameterError
from musicviz.exercises import EXERCISES, check, grade, reset_attempts

ROOT = Path(__file__).resolve().parents[1]


def _solution(exercise_id: str):
    notebook = exercise_id.split(".")[0]
    path = next((ROOT / "solutions").glob(f"{notebook}_*.py"))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, f"exercise_{exercise_id.replace('.', '_')}")


@functools.lru_cache(maxsize=None)
def _computed(exercise_id: str):
    # Some solutions train ten models (08.5): each worker runs a solution once, not once per test.
    return _solution(exercise_id)()


def _answer(exercise_id: str):
    """The worked solution's answer (a copy: a test may not change another's)."""
    return copy.deepcopy(_computed(exercise_id))


@pytest.fixture(autouse=True)
def _course_data(monkeypatch, synth_data):
    monkeypatch.setenv("MUSICVIZ_DATASET", "synth")


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_solution_passes_its_check(exercise_id):
    assert grade(exercise_id, _answer(exercise_id)) is True


def _plausible_wrong(answer) -> list:
    """Two answers a student could give that are near the right one, but wrong."""
    from musicviz import GENRES
    from musicviz.chroma import PITCH_CLASSES

    if isinstance(answer, tuple):  # a pair of genres: keep one, change the other
        other = next(g for g in GENRES if g not in answer)
        return [(answer[0], other), (other, answer[1])]
    if isinstance(answer, str) and answer in GENRES:
        i = GENRES.index(answer)
        return [GENRES[(i + 1) % len(GENRES)], GENRES[(i - 1) % len(GENRES)]]
    if isinstance(answer, str) and answer in PITCH_CLASSES:
        i = PITCH_CLASSES.index(answer)
        return [PITCH_CLASSES[(i + 1) % 12], PITCH_CLASSES[(i + 7) % 12]]  # a semitone off, a fifth off
    if isinstance(answer, str):  # a track id: the neighbouring tracks
        genre, number = answer.split(".")
        return [f"{genre}.{int(number) + 1:05d}", f"{genre}.{max(int(number) - 1, 0) if int(number) else 2:05d}"]
    if isinstance(answer, int):
        return [answer + 1, answer - 1 if answer > 1 else answer + 2]
    step = max(0.1 * abs(answer), 0.05)
    return [round(answer + step, 3), round(answer - step, 3)]


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_check_rejects_plausible_wrong_answers(exercise_id):
    right = _answer(exercise_id)
    truth = EXERCISES[exercise_id].right_answer()  # once, as the grader does: every wrong answer meets it
    assert grade(exercise_id, None, truth=truth) is False
    assert grade(exercise_id, "certainly-wrong", truth=truth) is False
    assert grade(exercise_id, right, truth=truth) is True  # the truth given is the one checks compute
    wrong_answers = _plausible_wrong(right)
    specific = EXERCISES[exercise_id].wrong_answers
    if specific is not None:
        wrong_answers += list(specific())
    for wrong in wrong_answers:
        assert grade(exercise_id, wrong, truth=truth) is False, f"{exercise_id} accepts {wrong!r} (right: {right!r})"


def test_every_notebook_has_two_exercises_that_make_the_student_work():
    by_notebook: dict[str, list[str]] = {}
    for eid, exercise in EXERCISES.items():
        by_notebook.setdefault(eid.split(".")[0], []).append(exercise.kind)
    for notebook, kinds in by_notebook.items():
        working = [k for k in kinds if k in ("code", "predict")]
        assert len(working) >= 2, f"notebook {notebook}: only {len(working)} code/predict exercises ({kinds})"


def test_every_notebook_exercise_has_a_check_cell():
    import json

    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]*.ipynb")):
        ids = [eid for eid in EXERCISES if eid.startswith(path.name.split("_")[0] + ".")]
        source = "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"])
        assert 2 <= len(ids) <= 4, f"{path.name}: {len(ids)} exercises"
        for eid in ids:
            assert f'check("{eid}"' in source, f"{path.name} has no check cell for {eid}"


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_no_hint_before_an_attempt_then_one_more_per_different_wrong_answer(exercise_id, capsys):
    exercise = EXERCISES[exercise_id]
    reset_attempts()
    check(exercise_id, None)
    out = capsys.readouterr().out
    assert "no answer yet" in out and "Hint" not in out
    assert all(hint not in out for hint in exercise.hints)
    for attempt in range(1, len(exercise.hints) + 2):
        check(exercise_id, f"certainly-wrong-{attempt}")
        out = capsys.readouterr().out
        step = min(attempt, len(exercise.hints))
        assert f"attempt {attempt}" in out and exercise.hints[step - 1] in out
        assert all(hint not in out for hint in exercise.hints[step:])
    check(exercise_id, _answer(exercise_id))
    assert "correct" in capsys.readouterr().out
    reset_attempts()


def test_the_same_wrong_answer_again_earns_no_new_hint(capsys):
    exercise = EXERCISES["00.1"]
    reset_attempts()
    for _ in range(5):  # re-running the cell with the same answer: still the first hint
        check("00.1", -1)
    out = capsys.readouterr().out
    assert out.count("Hint 1 of") == 5 and exercise.hints[-1] not in out
    assert "attempt 1" in out and "you gave this answer before" in out and "attempt 2" not in out
    check("00.1", -1.0)  # the same number written another way is the same attempt
    check("00.1", " -1 ")  # (text is another answer: a new attempt)
    out = capsys.readouterr().out
    assert "Hint 2 of" in out and "Hint 3 of" not in out
    check("00.1", -1)  # an earlier answer again: the hint earned so far, and which attempt it was
    out = capsys.readouterr().out
    assert "as attempt 1: no new hint" in out and "Hint 2 of" in out and "Hint 3 of" not in out
    reset_attempts()


@pytest.fixture
def toy_exercises():
    """Two exercises of this test alone (an array answer, an int answer), removed afterwards."""
    import numpy as np

    from musicviz.exercises import AnswerError, as_int, exercise

    def same_numbers(answer, truth):
        try:
            values = np.asarray(answer, dtype=float)
        except (TypeError, ValueError, OverflowError):
            raise AnswerError(f"expected numbers, got {answer!r}") from None
        return values.shape == truth.shape and bool(np.array_equal(values, truth))

    hints = ("a nudge", "a closer nudge", "Method: the way, in words.")
    exercise("99.1", question="q", hints=hints, kind="code", truth=lambda: np.arange(1.0, 4.0))(same_numbers)
    exercise("99.2", question="q", hints=hints, kind="predict", truth=lambda: 7)(
        lambda answer, truth: as_int(answer) == truth)
    reset_attempts()
    yield
    EXERCISES.pop("99.1", None)
    EXERCISES.pop("99.2", None)
    reset_attempts()


def test_hints_advance_only_on_a_distinct_wrong_answer(toy_exercises, capsys):
    import numpy as np

    # One wrong answer written five ways (dtype, container, float or int): one attempt, one hint.
    for same in (np.zeros(3, dtype=np.int64), np.zeros(3, dtype=np.float32), [0, 0, 0], (0.0, -0.0, 0), np.zeros(3)):
        check("99.1", same)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 5 and all("Hint 1 of 3: a nudge" in line for line in out)
    assert "(attempt 1)" in out[0] and all("you gave this answer before, as attempt 1" in line for line in out[1:])
    # Long arrays by content: one value changed in the middle is another answer, the same
    # values in another dtype are not.
    long_a = np.zeros(5000)
    long_b = long_a.copy()
    long_b[2500] = 1.0
    check("99.1", long_a)
    check("99.1", long_a.astype(np.float32))
    check("99.1", long_b)
    out = capsys.readouterr().out
    assert "attempt 2" in out and "as attempt 2" in out and "attempt 3" in out and "Hint 3 of 3: Method" in out
    check("99.1", 10 ** 400)  # a number no float holds: an answer like any other (read as wrong)
    assert "attempt 4" in capsys.readouterr().out
    # The right answer after wrong ones says so.
    check("99.1", np.array([1, 2, 3]))
    assert capsys.readouterr().out == "Exercise 99.1: correct, after 4 wrong answers.\n"

    from musicviz.exercises import answer_key

    assert answer_key(10 ** 17) != answer_key(10 ** 17 + 1) and answer_key(1e20) == answer_key(10 ** 20)
    assert answer_key(True) != answer_key(1) and answer_key(float("nan")) == answer_key(np.float64("nan"))
    assert answer_key(("x, s:y",)) != answer_key(("x", "y"))  # text cannot pose as two items


def test_a_prediction_is_recorded_and_shown_next_to_the_answer(toy_exercises, capsys):
    from musicviz.exercises import check, grade, predict, predictions

    predict("99.2", None)
    assert "no prediction yet" in capsys.readouterr().out and predictions() == {}
    guess = [5]
    predict("99.2", guess)
    assert "prediction recorded: [5]" in capsys.readouterr().out
    guess.append(6)  # the record is a copy of what was predicted then
    assert predictions()["99.2"].value == [5] and predictions()["99.2"].late is False
    predict("99.2", 5)  # changed before any check: still on time
    assert "after you checked" not in capsys.readouterr().out and predictions()["99.2"].late is False
    # A wrong answer: the prediction beside it, the answer not given away, the first hint only.
    check("99.2", 6)
    out = capsys.readouterr().out
    assert "attempt 1" in out and "You predicted 5; your answer 6 is not right yet." in out and "7" not in out
    # A right answer: the prediction beside the answer, and whether it would have passed.
    check("99.2", 7)
    assert capsys.readouterr().out == ("Exercise 99.2: correct, after 1 wrong answer.\n"
                                       "  You predicted 5; the answer is 7: your prediction was off.\n")
    predict("99.2", 5)  # the same prediction re-run (Run All): it keeps its time
    capsys.readouterr()
    assert predictions()["99.2"].late is False
    predict("99.2", 7)  # a new prediction after the check is marked
    assert "marked as made afterwards" in capsys.readouterr().out and predictions()["99.2"].late is True
    check("99.2", 7.0)
    assert "You predicted 7 (after checking an answer); the answer is 7.0: your prediction was right." in capsys.readouterr().out
    predict("99.2", "more than five")  # in words: shown, no verdict
    check("99.2", 7)
    out = capsys.readouterr().out
    assert "You predicted 'more than five' (after checking an answer); the answer is 7." in out and "was" not in out
    # Not plain data: not read, not recorded. Grades never see a prediction.
    class Seven(int):
        pass

    predict("99.2", Seven(7))
    assert "prediction not read" in capsys.readouterr().out and predictions()["99.2"].value == "more than five"
    assert grade("99.2", 7) is True and grade("99.2", 5) is False and grade("99.2", None) is False
    with pytest.raises(ParameterError, match="no exercise"):
        predict("99.9", 1)


def test_a_prediction_is_not_an_attempt(toy_exercises, capsys):
    from musicviz.exercises import predict

    predict("99.2", 6)
    check("99.2", 6)  # the wrong prediction, now checked as an answer: the first attempt
    out = capsys.readouterr().out
    assert "not yet (attempt 1). Hint 1 of 3" in out and "late" not in out


def test_the_last_hint_is_a_method_not_code():
    import re

    code = re.compile(r"[=\[\]{}]|\w\([^)]|\w\.\w+\(")  # assignments, indexing, calls with arguments
    for eid, exercise in EXERCISES.items():
        assert len(exercise.hints) >= 2, eid
        assert not code.search(exercise.hints[-1]), f"{eid}: the last hint reads like code: {exercise.hints[-1]!r}"


def test_checks_read_only_exact_plain_types(capsys):
    import numpy as np

    from musicviz.exercises import AnswerError, plain_answer

    right = _answer("00.2")  # a genre name
    truth = EXERCISES["00.1"].right_answer()

    class Yes(float):
        def __eq__(self, other):
            return True

        __hash__ = float.__hash__

    class Agreeable(str):
        def __eq__(self, other):
            return True

        def strip(self, *args):
            return self

        def lower(self):
            return self

        __hash__ = str.__hash__

    class Number(int):
        def __index__(self):
            return truth

    for rigged in (Yes(0.0), Number(0)):
        assert grade("00.1", rigged) is False
    assert grade("00.2", Agreeable("nothing")) is False
    assert grade("00.2", (right,)) is False and grade("00.2", right) is True
    # numpy numbers and plain containers are still answers.
    assert grade("00.1", np.int64(truth)) is True and grade("00.1", float(truth)) is True
    assert grade("02.4", np.array(20)) is True
    for bad in (np.array(["x" * 10] * 2), np.zeros(20_000), [0] * 20_000, "x" * 20_000, object(), {"a": 1}):
        with pytest.raises(AnswerError):
            plain_answer(bad)
    reset_attempts()
    check("00.1", Yes(0.0))
    out = capsys.readouterr().out
    assert "correct" not in out and "not read" in out and "Hint" not in out
    reset_attempts()


def test_a_truth_computed_before_is_what_grade_compares_with():
    truth = EXERCISES["00.1"].right_answer()
    assert grade("00.1", truth, truth=truth) is True
    assert grade("00.1", truth, truth=truth + 1) is False  # the given truth, not the data's, decides
    assert grade("00.1", truth + 1, truth=truth + 1) is True


def test_check_prints_feedback(capsys):
    reset_attempts()
    check("00.1", None)
    assert "no answer yet" in capsys.readouterr().out
    check("00.1", -1)
    assert "not yet (attempt 1). Hint 1 of" in capsys.readouterr().out
    reset_attempts()
    with pytest.raises(ParameterError, match="no exercise"):
        grade("99.9", 1)
