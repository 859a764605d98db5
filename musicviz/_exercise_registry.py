"""The exercise registry: what an exercise is, and the decorator that registers its check.

Notebooks: the ``## Exercises`` section of every notebook. Imports run one way only:
:mod:`musicviz._exercise_checks` registers its checks here, and :mod:`musicviz.exercises`
(``check``, ``grade``) imports the checks. Nothing here imports either of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from musicviz.errors import ParameterError

__all__ = ["Exercise", "EXERCISES", "AnswerError", "as_int", "as_float", "exercise"]


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
