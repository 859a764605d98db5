"""Exercises that check themselves.

Notebooks: the ``## Exercises`` section of every notebook.

Each exercise has an id (``"02.1"`` is notebook 02's first exercise), a check that computes the
right answer from the data itself (never a stored constant that could drift), and a hint. In a
notebook the student writes an answer into a variable and runs::

    mv.exercises.check("02.1", answer)

which prints whether the answer is right, with the hint when it is not. Worked solutions live
in ``solutions/NN_topic.py`` (out of the student's way); the test suite runs every solution
through its check, so the checks cannot silently break.
"""

from __future__ import annotations

from musicviz import _exercise_checks  # noqa: F401  (registers every check)
from musicviz._exercise_registry import EXERCISES, AnswerError, Exercise, as_float, as_int, exercise
from musicviz.errors import ParameterError

__all__ = ["Exercise", "EXERCISES", "AnswerError", "as_int", "as_float", "exercise", "check", "grade"]


def grade(exercise_id: str, answer) -> bool:
    """True when ``answer`` is right (no printing); for tests and autograders.

    Raises
    ------
    ParameterError
        Unknown exercise id.
    """
    if exercise_id not in EXERCISES:
        raise ParameterError(f"no exercise {exercise_id!r}; known: {', '.join(sorted(EXERCISES))}")
    if answer is None:
        return False
    try:
        return bool(EXERCISES[exercise_id].check(answer))
    except AnswerError:
        # An answer of the wrong kind is a wrong answer. Any other error is a bug in the
        # check (or missing data) and must surface, never read as "not yet" for a right answer.
        return False


def check(exercise_id: str, answer) -> None:
    """Tell the student whether ``answer`` is right, with a hint when it is not.

    Parameters
    ----------
    exercise_id : str
        ``"NN.k"``: exercise k of notebook NN.
    answer : object
        The student's answer (``None``: not answered yet).

    See Also
    --------
    grade : the same verdict as a bool, without printing.

    Examples
    --------
    >>> from musicviz.exercises import check
    >>> check("00.1", None)
    Exercise 00.1: no answer yet. Hint: count the tracks of one genre in found.tracks, or use found.genre_counts().
    """
    right = grade(exercise_id, answer)
    hint = EXERCISES[exercise_id].hint
    if answer is None:
        print(f"Exercise {exercise_id}: no answer yet. Hint: {hint}")
    elif right:
        print(f"Exercise {exercise_id}: correct.")
    else:
        print(f"Exercise {exercise_id}: not yet. Hint: {hint}")
