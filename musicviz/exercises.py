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

from dataclasses import dataclass
from typing import Any, Callable

from musicviz.errors import ParameterError

__all__ = ["Exercise", "EXERCISES", "AnswerError", "as_int", "as_float", "exercise", "check", "grade"]


@dataclass(frozen=True)
class Exercise:
    """One self-checking exercise."""

    id: str
    question: str
    hint: str
    check: Callable[[Any], bool]


class AnswerError(ParameterError):
    """The student's answer cannot be read as what the exercise asks for (a wrong answer)."""


def as_float(answer) -> float:
    """The answer as a finite float, or :class:`AnswerError` (bools and text are not numbers)."""
    import math

    if isinstance(answer, (bool, str, bytes)) or answer is None:
        raise AnswerError(f"expected a number, got {answer!r}")
    try:
        value = float(answer)
    except (TypeError, ValueError, OverflowError):
        raise AnswerError(f"expected a number, got {answer!r}") from None
    if not math.isfinite(value):
        raise AnswerError(f"expected a finite number, got {answer!r}")
    return value


def as_int(answer) -> int:
    """The answer as an int (``3`` or ``3.0``), or :class:`AnswerError`."""
    value = as_float(answer)
    if value != int(value):
        raise AnswerError(f"expected a whole number, got {answer!r}")
    return int(value)


#: Every exercise of the series, by id.
EXERCISES: dict[str, Exercise] = {}


def exercise(exercise_id: str, *, question: str, hint: str):
    """Register ``func(answer) -> bool`` as the check of an exercise (a decorator)."""

    def register(func):
        if exercise_id in EXERCISES:
            raise ParameterError(f"exercise {exercise_id} is defined twice")
        EXERCISES[exercise_id] = Exercise(exercise_id, question, hint, func)
        return func

    return register


def grade(exercise_id: str, answer) -> bool:
    """True when ``answer`` is right (no printing); for tests and autograders.

    Raises
    ------
    ParameterError
        Unknown exercise id.
    """
    _load_checks()
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
    _load_checks()
    right = grade(exercise_id, answer)
    hint = EXERCISES[exercise_id].hint
    if answer is None:
        print(f"Exercise {exercise_id}: no answer yet. Hint: {hint}")
    elif right:
        print(f"Exercise {exercise_id}: correct.")
    else:
        print(f"Exercise {exercise_id}: not yet. Hint: {hint}")


def _load_checks() -> None:
    # The checks live in one module per notebook; importing registers them.
    from musicviz import _exercise_checks  # noqa: F401
