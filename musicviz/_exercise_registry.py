"""The exercise registry: what an exercise is, and the decorator that registers its check.

Notebooks: the ``## Exercises`` section of every notebook. Imports run one way only:
:mod:`musicviz._exercise_checks` registers its checks here, and :mod:`musicviz.exercises`
(``check``, ``grade``) imports the checks. Nothing here imports either of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from musicviz.errors import ParameterError

__all__ = [
    "Exercise",
    "EXERCISES",
    "KINDS",
    "AnswerError",
    "WithheldError",
    "MAX_ANSWER_ITEMS",
    "as_int",
    "as_float",
    "plain_answer",
    "answer_key",
    "exercise",
    "withhold",
]


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
        Staged hints: none before the first wrong answer, then one more per *distinct* wrong
        answer (two answers are the same when their :func:`answer_key` is: ``3``, ``3.0`` and
        ``np.int64(3)`` are one answer, and so are ``"Metal "`` and ``"metal"``); the same wrong
        answer again shows the hint already earned, and says it is the same answer. The first
        never gives the answer away; the last describes the method in words, never the code.
    compare : callable or None
        ``compare(answer, truth) -> bool`` when ``truth`` is given, else ``compare(answer) ->
        bool`` (a check that recomputes what it needs itself). ``None`` for a withheld check.
    kind : str
        One of :data:`KINDS`: write code, predict then verify, or read an output. In a
        ``"predict"`` exercise the student records a guess first,
        ``mv.exercises.predict("NN.k", prediction_NN_k)``, and the check later shows it next
        to the answer (:func:`musicviz.exercises.predict`); the prediction never counts in a grade.
    points : int
        What the exercise is worth when graded.
    wrong_answers : callable or None
        ``wrong_answers() -> list``: plausible wrong answers (a common mistake, an off-by-one,
        the answer to a neighbouring question), recomputed from the data; the tests check that
        the check rejects each of them.
    truth : callable or None
        ``truth() -> object``: what a right answer is compared with, recomputed from the course
        data. The grader calls it once per grading run, in its own process, on a private copy of
        the data, before any submission runs (:mod:`musicviz.grading.truths`).
    withheld : bool
        The check is not in this copy of musicviz (the copy a graded submission runs with):
        :meth:`check` raises :class:`WithheldError`.
    """

    id: str
    question: str
    hints: tuple[str, ...]
    compare: Callable[..., bool] | None
    kind: str = "code"
    points: int = 1
    wrong_answers: Callable[[], list] | None = None
    truth: Callable[[], Any] | None = None
    withheld: bool = False

    @property
    def variable(self) -> str:
        """The name of the notebook variable that holds the student's answer."""
        return "answer_" + self.id.replace(".", "_")

    def right_answer(self):
        """What a right answer is compared with (:attr:`truth`), recomputed now; ``None`` without one."""
        if self.withheld:
            raise WithheldError(f"exercise {self.id}: the check is withheld in this copy of musicviz")
        return None if self.truth is None else self.truth()

    def check(self, answer, **truth) -> bool:
        """``True`` when ``answer`` is right, against the truth recomputed now (or ``truth=``, given).

        Raises
        ------
        AnswerError
            The answer is not of a kind the exercise can read (a wrong answer).
        WithheldError
            The check is not in this copy of musicviz.
        """
        if self.withheld or self.compare is None:
            raise WithheldError(f"exercise {self.id}: the check is withheld in this copy of musicviz")
        if self.truth is None:
            return self.compare(answer)
        return self.compare(answer, truth["truth"] if "truth" in truth else self.truth())


class AnswerError(ParameterError):
    """The student's answer cannot be read as what the exercise asks for (a wrong answer)."""


class WithheldError(ParameterError):
    """The check of an exercise is not part of this copy of musicviz (a graded submission's copy)."""


#: Most items an answer (a tuple, a list, an array) may hold.
MAX_ANSWER_ITEMS = 10_000
#: Longest text an answer may be (characters).
MAX_ANSWER_TEXT = 10_000

_BUILTIN_SCALARS = (int, float, str, bool)
_NUMPY_SCALAR_NAMES = (
    "bool_", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "str_",
)


def plain_answer(answer, *, depth: int = 0) -> None:
    """Raise :class:`AnswerError` unless ``answer`` is plain data a check can trust.

    Plain: an ``int``, ``float``, ``str`` or ``bool``, a numpy scalar of a number, bool or text
    type, a numpy array of numbers, or a ``tuple`` / ``list`` of them, of *exactly* these types.
    A subclass (a ``float`` whose ``__eq__`` always says yes, a ``str`` that lies about its
    ``strip()``) is refused: a check compares with ``==``, and a subclass decides what ``==``
    means. Sizes are bounded too (:data:`MAX_ANSWER_ITEMS`, :data:`MAX_ANSWER_TEXT`, nesting 4).

    Examples
    --------
    >>> from musicviz._exercise_registry import AnswerError, plain_answer
    >>> plain_answer((3, "metal"))
    >>> class Yes(float):
    ...     def __eq__(self, other):
    ...         return True
    >>> try:
    ...     plain_answer(Yes(1.0))
    ... except AnswerError as exc:
    ...     print(exc)
    an answer must be a plain number, text, or a tuple or list of them, not Yes
    """
    kind = type(answer)
    if kind in _BUILTIN_SCALARS:
        if kind is str and len(answer) > MAX_ANSWER_TEXT:
            raise AnswerError(f"an answer text is at most {MAX_ANSWER_TEXT} characters")
        return
    if kind in (tuple, list):
        if depth >= 4 or len(answer) > MAX_ANSWER_ITEMS:
            raise AnswerError(f"an answer holds at most {MAX_ANSWER_ITEMS} items, nested at most 4 deep")
        for item in answer:
            plain_answer(item, depth=depth + 1)
        return
    if kind.__module__ == "numpy":
        import numpy as np

        if kind in tuple(getattr(np, name) for name in _NUMPY_SCALAR_NAMES):
            if kind is np.str_ and len(answer) > MAX_ANSWER_TEXT:
                raise AnswerError(f"an answer text is at most {MAX_ANSWER_TEXT} characters")
            return
        if kind is np.ndarray:
            if answer.dtype.kind not in "biuf" or answer.dtype.fields is not None or answer.size > MAX_ANSWER_ITEMS:
                raise AnswerError(f"an answer array holds at most {MAX_ANSWER_ITEMS} numbers, got {answer.dtype} x {answer.size}")
            return
    raise AnswerError(f"an answer must be a plain number, text, or a tuple or list of them, not {kind.__name__}")


def answer_key(answer) -> str:
    """What makes two plain answers the same answer: equal keys, same answer.

    Numbers by value, whatever their type (``3``, ``3.0``, ``np.int64(3)`` agree; ``0.1`` and
    ``0.10001`` do not; NaN is NaN; ``True`` is not ``1``), text without case and with runs of
    spaces squeezed, tuples and lists item by item, numpy arrays by shape and content (a
    ``float32`` and an ``int64`` array of the same numbers agree, and so does the list of
    them), however long. The key is a SHA-256 hex digest of that normal form. Give it plain
    answers only (:func:`plain_answer`).

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz._exercise_registry import answer_key
    >>> answer_key(3) == answer_key(3.0) == answer_key(np.int64(3)), answer_key(3) == answer_key(3.5)
    (True, False)
    >>> answer_key(" Hip  hop") == answer_key("hip hop"), answer_key((1, "metal")) == answer_key([1.0, "METAL"])
    (True, True)
    >>> a = np.zeros(5000); b = a.copy(); b[2500] = 1.0
    >>> answer_key(a) == answer_key(a.astype(np.float32)), answer_key(a) == answer_key(b)
    (True, False)
    """
    import hashlib

    return hashlib.sha256(_normal_form(answer).encode("utf-8", "surrogatepass")).hexdigest()


def _normal_form(answer) -> str:
    import json

    if type(answer).__module__ == "numpy":  # numpy numbers and arrays: their Python values
        answer = answer.tolist() if hasattr(answer, "tolist") else answer.item()
    if type(answer) is bool:
        return "b:1" if answer else "b:0"
    if type(answer) is int:
        return f"n:{answer}"
    if type(answer) is float:
        # By value: a whole float is the int it equals, exactly (1e20 is 10**20).
        return f"n:{int(answer)}" if answer.is_integer() else f"n:{answer!r}"
    if type(answer) is str:
        return "s:" + json.dumps(" ".join(answer.split()).casefold())
    if type(answer) in (tuple, list):
        return "[" + ",".join(_normal_form(item) for item in answer) + "]"
    return f"{type(answer).__qualname__}:{answer!r}"  # not a plain answer; never the same as one


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
    truth: Callable[[], Any] | None = None,
):
    """Register the check of an exercise (a decorator).

    With ``truth`` (``truth() -> object``, recomputed from the data) the decorated function is
    ``compare(answer, truth) -> bool``; without it, ``check(answer) -> bool`` recomputing what
    it needs. Every course exercise gives a ``truth``: the grader computes it once, up front,
    from a private copy of the data. See :class:`Exercise` for the other arguments; ``hints``
    is one string or a sequence of them.
    """
    hints = (hints,) if isinstance(hints, str) else tuple(hints)
    if not hints or not all(isinstance(h, str) and h.strip() for h in hints):
        raise ParameterError(f"exercise {exercise_id}: hints must be one or more non-empty strings")
    if kind not in KINDS:
        raise ParameterError(f"exercise {exercise_id}: kind must be one of {KINDS}, got {kind!r}")

    def register(func):
        if exercise_id in EXERCISES:
            raise ParameterError(f"exercise {exercise_id} is defined twice")
        EXERCISES[exercise_id] = Exercise(exercise_id, question, hints, func, kind, points, wrong_answers, truth)
        return func

    return register


def withhold(entries) -> None:
    """Register exercises whose checks are withheld (the copy of musicviz a graded submission runs with).

    ``entries``: ``(id, question, hints, kind, points)`` each. :func:`musicviz.exercises.check`
    then says the answer was recorded, and :func:`musicviz.exercises.grade` cannot be used:
    the grader checks the answers in its own process (:mod:`musicviz.grading`).
    """
    for exercise_id, question, hints, kind, points in entries:
        EXERCISES[exercise_id] = Exercise(exercise_id, question, tuple(hints), None, kind, int(points), None, None, True)
