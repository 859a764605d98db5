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

__all__ = ["Exercise", "EXERCISES", "exercise", "check", "grade"]


@dataclass(frozen=True)
class Exercise:
    """One self-checking exercise."""

    id: str
    question: str
    hint: str
    check: Callable[[Any], bool]


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
    except (TypeError, ValueError, KeyError, AttributeError, IndexError):
        # A malformed answer is a wrong answer, not a crash in the student's notebook.
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
