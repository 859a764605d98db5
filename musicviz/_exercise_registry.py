"""The exercise registry: what an exercise is, and the decorator that registers its check.

Notebooks: the ``## Exercises`` section of every notebook. Imports run one way only:
:mod:`musicviz._exercise_checks` registers its checks here, and :mod:`musicviz.exercises`
(``check``, ``grade``) imports the checks. Nothing here imports either of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from musicviz.errors import ParameterError

__all__ = ["Exercise", "EXERCISES", "KINDS", "AnswerError", "as_int", "as_float", "exercise"]


#: What an exercise asks the student to do. ``"read"`` exercises can be answered from an output
#: on screen; every notebook has at least two ``"code"`` or ``"predict"`` ones.
KINDS = ("code", "predict", "read")


@dataclass(frozen=True)
class Exercise:
    """One self-checking exercise.

    Attributes
    ----------
    id : str
        ``"NN.k"``: exercise k of notebook NN; the notebook's answer variable is
        ``answer_NN_k`` (``answer_05b_1`` for ``"05b.1"``).
    question : str
        The question, as the notebook asks it.
    hints : tuple of str
        Staged hints: none before the first wrong answer, then one more per wrong answer; the
        last one may come close to the solution, the first never gives it away.
    check : callable
        ``check(answer) -> bool``, recomputing the right answer from the data.
    kind : str
        One of :data:`KINDS`: write code, predict then verify, or read an output.
    points : int
        What the exercise is worth when graded.
    wrong_answers : callable or None
        ``wrong_answers() -> list``: plausible wrong answers (a common mistake, an off-by-one,
        the answer to a neighbouring question), recomputed from the data; the tests check that
        the check rejects each of them.
    """

    id: str
    question: str
    hints: tuple[str, ...]
    check: Callable[[Any], bool]
    kind: str = "code"
    points: int = 1
    wrong_answers: Callable[[], list] | None = None

    @property
    def variable(self) -> str:
        """The name of the notebook variable that holds the student's answer."""
        return "answer_" + self.id.replace(".", "_")


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


def exercise(
    exercise_id: str,
    *,
    question: str,
    hints,
    kind: str,
    points: int = 1,
    wrong_answers: Callable[[], list] | None = None,
):
    """Register ``func(answer) -> bool`` as the check of an exercise (a decorator).

    See :class:`Exercise` for the arguments; ``hints`` is one string or a sequence of them.
    """
    hints = (hints,) if isinstance(hints, str) else tuple(hints)
    if not hints or not all(isinstance(h, str) and h.strip() for h in hints):
        raise ParameterError(f"exercise {exercise_id}: hints must be one or more non-empty strings")
    if kind not in KINDS:
        raise ParameterError(f"exercise {exercise_id}: kind must be one of {KINDS}, got {kind!r}")

    def register(func):
        if exercise_id in EXERCISES:
            raise ParameterError(f"exercise {exercise_id} is defined twice")
        EXERCISES[exercise_id] = Exercise(exercise_id, question, hints, func, kind, points, wrong_answers)
        return func

    return register
