"""Exercises that check themselves.

Notebooks: the ``## Exercises`` section of every notebook.

Each exercise has an id (``"02.1"`` is notebook 02's first exercise), a truth that is
recomputed from the data itself (never a stored constant that could drift), a comparison and
staged hints. In a notebook the student writes an answer into a variable and runs::

    mv.exercises.check("02.1", answer)

which prints whether the answer is right. Hints are staged: none before a first attempt, then
one more with each *different* wrong answer (running the same wrong answer again earns
nothing new), and the last one describes the method, never the code. Only plain answers are
read: numbers, text, numpy numbers and arrays, tuples and lists of them, of exactly those
types (:func:`musicviz._exercise_registry.plain_answer`). Worked solutions live in
``solutions/NN_topic.py`` (out of the student's way, and not in the student release); the test
suite runs every solution through its check, so the checks cannot silently break.

The checks run in the student's own kernel and compute the truth there, so a determined
student can read how: the points they give are formative. The grader
(:mod:`musicviz.grading`) computes every truth once, in its own process, and never trusts a
verdict from a submission's kernel.
"""

from __future__ import annotations

from musicviz import _exercise_checks  # noqa: F401  (registers every check)
from musicviz._exercise_registry import (
    EXERCISES,
    KINDS,
    AnswerError,
    Exercise,
    WithheldError,
    as_float,
    as_int,
    exercise,
    plain_answer,
)
from musicviz.errors import ParameterError

__all__ = [
    "Exercise",
    "EXERCISES",
    "KINDS",
    "AnswerError",
    "WithheldError",
    "as_int",
    "as_float",
    "plain_answer",
    "exercise",
    "check",
    "grade",
    "reset_attempts",
]

_NO_TRUTH = object()


def grade(exercise_id: str, answer, *, truth=_NO_TRUTH) -> bool:
    """True when ``answer`` is right (no printing, no attempt counted); for tests and autograders.

    An answer that is not plain data (:func:`~musicviz._exercise_registry.plain_answer`: a
    subclass of ``float`` or ``str``, an object, a huge list) is a wrong answer.

    Parameters
    ----------
    exercise_id : str
        ``"NN.k"``.
    answer : object
        The answer (``None``: not answered).
    truth : object, optional
        The exercise's truth, computed before (:meth:`Exercise.right_answer`); without it the
        truth is recomputed from the data now.

    Raises
    ------
    ParameterError
        Unknown exercise id.
    WithheldError
        The check is not in this copy of musicviz (a graded submission's copy).

    Examples
    --------
    >>> from musicviz.exercises import grade
    >>> grade("02.4", 20), grade("02.4", 20, truth=21)
    (True, False)
    """
    if exercise_id not in EXERCISES:
        raise ParameterError(f"no exercise {exercise_id!r}; known: {', '.join(sorted(EXERCISES))}")
    exercise = EXERCISES[exercise_id]
    if exercise.withheld:
        raise WithheldError(f"exercise {exercise_id}: the check is withheld here; the grader checks the answers")
    if answer is None:
        return False
    try:
        plain_answer(answer)
        if truth is _NO_TRUTH:
            return bool(exercise.check(answer))
        return bool(exercise.check(answer, truth=truth))
    except AnswerError:
        # An answer of the wrong kind is a wrong answer. Any other error is a bug in the
        # check (or missing data) and must surface, never read as "not yet" for a right answer.
        return False


#: The different wrong answers given so far in this kernel, per exercise: how many hints are earned.
_ATTEMPTS: dict[str, list[str]] = {}


def reset_attempts() -> None:
    """Forget the wrong answers given so far (the hints start again from none)."""
    _ATTEMPTS.clear()


def _answer_key(answer) -> str:
    """What makes two answers the same attempt: ``3`` and ``3.0`` are; text ignores case and outer spaces."""
    if type(answer).__module__ == "numpy" and getattr(answer, "ndim", 1) == 0:
        answer = answer.item()
    if isinstance(answer, (tuple, list)):
        return "(" + ", ".join(_answer_key(item) for item in answer) + ")"
    if isinstance(answer, str):
        return "s:" + " ".join(answer.split()).lower()[:500]
    if isinstance(answer, (int, float)) and not isinstance(answer, bool):
        number = float(answer)
        return f"n:{int(number)}" if number.is_integer() else f"n:{number!r}"
    return f"{type(answer).__name__}:{answer!r}"[:500]


def check(exercise_id: str, answer) -> None:
    """Tell the student whether ``answer`` is right; hints come only after wrong answers.

    No hint is shown before a first attempt. Each *different* wrong answer earns the next of
    the exercise's staged hints (the last one is repeated); giving the same wrong answer again
    shows the hint already earned, so hints come from trying, not from re-running a cell.

    Parameters
    ----------
    exercise_id : str
        ``"NN.k"``: exercise k of notebook NN.
    answer : object
        The student's answer (``None``: not answered yet).

    See Also
    --------
    grade : the same verdict as a bool, without printing or counting attempts.

    Examples
    --------
    >>> from musicviz.exercises import check, reset_attempts
    >>> check("00.1", None)
    Exercise 00.1: no answer yet. Write it in the cell above and run this cell again.
    >>> reset_attempts()
    """
    if exercise_id not in EXERCISES:
        raise ParameterError(f"no exercise {exercise_id!r}; known: {', '.join(sorted(EXERCISES))}")
    exercise = EXERCISES[exercise_id]
    if answer is None:
        print(f"Exercise {exercise_id}: no answer yet. Write it in the cell above and run this cell again.")
        return
    if exercise.withheld:  # the copy a graded submission runs with: the grader checks the answer
        print(f"Exercise {exercise_id}: answer recorded (the grader checks it).")
        return
    try:
        plain_answer(answer)
    except AnswerError as exc:
        print(f"Exercise {exercise_id}: not read: {exc}.")
        return
    if grade(exercise_id, answer):
        print(f"Exercise {exercise_id}: correct.")
        return
    tried = _ATTEMPTS.setdefault(exercise_id, [])
    key = _answer_key(answer)
    again = key in tried
    if not again:
        tried.append(key)
    step = min(len(tried), len(exercise.hints))
    said = "you gave this answer before" if again else f"attempt {len(tried)}"
    print(f"Exercise {exercise_id}: not yet ({said}). Hint {step} of {len(exercise.hints)}: {exercise.hints[step - 1]}")
