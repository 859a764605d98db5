"""Exercises that check themselves.

Notebooks: the ``## Exercises`` section of every notebook.

Each exercise has an id (``"02.1"`` is notebook 02's first exercise), a check that computes the
right answer from the data itself (never a stored constant that could drift), and a hint. In a
notebook the student writes an answer into a variable and runs::

    mv.exercises.check("02.1", answer)

which prints whether the answer is right. Hints are staged: none before a first attempt, then
one more with each wrong answer. Worked solutions live
in ``solutions/NN_topic.py`` (out of the student's way, and not in the student release); the test suite runs every solution
through its check, so the checks cannot silently break.
"""

from __future__ import annotations

from musicviz import _exercise_checks  # noqa: F401  (registers every check)
from musicviz._exercise_registry import EXERCISES, KINDS, AnswerError, Exercise, as_float, as_int, exercise
from musicviz.errors import ParameterError

__all__ = ["Exercise", "EXERCISES", "KINDS", "AnswerError", "as_int", "as_float", "exercise", "check", "grade", "reset_attempts"]


def grade(exercise_id: str, answer) -> bool:
    """True when ``answer`` is right (no printing, no attempt counted); for tests and autograders.

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


#: Wrong answers given so far in this kernel, per exercise: how many hints have been earned.
_ATTEMPTS: dict[str, int] = {}


def reset_attempts() -> None:
    """Forget the wrong answers given so far (the hints start again from none)."""
    _ATTEMPTS.clear()


def check(exercise_id: str, answer) -> None:
    """Tell the student whether ``answer`` is right; hints come only after wrong answers.

    No hint is shown before a first attempt. Each wrong answer earns the next of the
    exercise's staged hints (the last one is repeated), so a student who tries first sees
    the least help they need.

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
    right = grade(exercise_id, answer)
    exercise = EXERCISES[exercise_id]
    if answer is None:
        print(f"Exercise {exercise_id}: no answer yet. Write it in the cell above and run this cell again.")
    elif right:
        print(f"Exercise {exercise_id}: correct.")
    else:
        attempts = _ATTEMPTS[exercise_id] = _ATTEMPTS.get(exercise_id, 0) + 1
        step = min(attempts, len(exercise.hints))
        print(
            f"Exercise {exercise_id}: not yet (attempt {attempts}). "
            f"Hint {step} of {len(exercise.hints)}: {exercise.hints[step - 1]}"
        )
