"""Exercises that check themselves.

Notebooks: the ``## Exercises`` section of every notebook.

Each exercise has an id (``"02.1"`` is notebook 02's first exercise), a truth that is
recomputed from the data itself (never a stored constant that could drift), a comparison and
staged hints. In a notebook the student writes an answer into a variable and runs::

    mv.exercises.check("02.1", answer)

which prints whether the answer is right. Hints are staged: none before a first attempt, then
one more with each *different* wrong answer (running the same wrong answer again earns
nothing new: :func:`musicviz._exercise_registry.answer_key` says which answers are the same),
and the last one describes the method, never the code. In a *predict, then verify* exercise
the student first records a guess::

    mv.exercises.predict("02.1", prediction_02_1)

and the check of the answer later shows it next to the result. Only plain answers are
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

import copy
from dataclasses import dataclass, field

from musicviz import _exercise_checks  # noqa: F401  (registers every check)
from musicviz._exercise_registry import (
    EXERCISES,
    KINDS,
    AnswerError,
    Exercise,
    WithheldError,
    as_float,
    answer_key,
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
    "answer_key",
    "exercise",
    "Prediction",
    "check",
    "grade",
    "predict",
    "predictions",
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
    exercise = _exercise(exercise_id)
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


def _exercise(exercise_id: str) -> Exercise:
    if exercise_id not in EXERCISES:
        raise ParameterError(f"no exercise {exercise_id!r}; known: {', '.join(sorted(EXERCISES))}")
    return EXERCISES[exercise_id]


@dataclass(frozen=True)
class Prediction:
    """A prediction the student recorded in this kernel with :func:`predict`.

    Attributes
    ----------
    exercise_id : str
        ``"NN.k"``.
    value : object
        The prediction (plain data, copied when recorded).
    late : bool
        Recorded after an answer to the exercise had been checked in this kernel.
    """

    exercise_id: str
    value: object
    late: bool


@dataclass
class _Session:
    """What this kernel knows of one exercise: the distinct wrong answers, checks, the prediction."""

    wrong: list = field(default_factory=list)  # answer_key of each distinct wrong answer, in order
    checked: bool = False  # an answer (right or wrong) has been checked
    prediction: Prediction | None = None
    prediction_key: str = ""


#: This kernel's session, per exercise id.
_SESSIONS: dict[str, _Session] = {}


def reset_attempts() -> None:
    """Forget this kernel's session: the wrong answers given (the hints start again from none) and the predictions."""
    _SESSIONS.clear()


def predictions() -> dict[str, Prediction]:
    """The predictions recorded in this kernel, by exercise id (see :func:`predict`)."""
    return {eid: s.prediction for eid, s in sorted(_SESSIONS.items()) if s.prediction is not None}


def _shown(value, limit: int = 80) -> str:
    """A short text of a plain answer (numpy numbers as numbers, long arrays elided)."""
    def plain(item):
        if type(item).__module__ == "numpy":
            if getattr(item, "ndim", 0) and getattr(item, "size", 0) > 8:
                import numpy as np

                return _AsIs(np.array2string(item, threshold=8, edgeitems=3, separator=", "))
            return item.tolist()
        if type(item) in (tuple, list):
            return type(item)(plain(i) for i in item)
        return item

    text = repr(plain(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _AsIs(str):
    def __repr__(self):
        return str(self)


def predict(exercise_id: str, prediction) -> None:
    """Record the student's prediction for exercise ``exercise_id`` before they compute the answer.

    In a *predict, then verify* exercise the student writes a guess and records it *before*
    running any code that computes the answer; :func:`check` later shows it next to the
    result. A prediction recorded after an answer to the exercise was checked in this kernel
    is marked as made afterwards (recording the same prediction again, as a "Run All" does,
    keeps its time). The prediction never counts in a grade: the grader reads the notebook's
    ``prediction_NN_k`` variable only to show it to the instructor.

    Parameters
    ----------
    exercise_id : str
        ``"NN.k"``: exercise k of notebook NN.
    prediction : object
        The guess: plain data (a number, text, a tuple...), in the answer's form or in words;
        ``None``: no prediction yet.

    See Also
    --------
    check : checks the answer, and shows the prediction next to it.
    predictions : the predictions recorded in this kernel.

    Examples
    --------
    In a notebook, the cell after the question (then compute, then check)::

        prediction_02_4 = 21  # your prediction, before you compute
        mv.exercises.predict("02.4", prediction_02_4)

    >>> from musicviz.exercises import check, predict, reset_attempts
    >>> predict("02.4", 21)
    Exercise 02.4: prediction recorded: 21. Now compute the answer, then check it.
    >>> check("02.4", 20)
    Exercise 02.4: correct.
      You predicted 21; the answer is 20: your prediction was off.
    >>> predict("02.4", 20)
    Exercise 02.4: prediction recorded: 20, but after you checked an answer: it is marked as made afterwards.
    >>> reset_attempts()
    """
    _exercise(exercise_id)
    if prediction is None:
        variable = "prediction_" + exercise_id.replace(".", "_")
        print(f"Exercise {exercise_id}: no prediction yet. Write it in {variable} and run this cell again.")
        return
    try:
        plain_answer(prediction)
    except AnswerError as exc:
        print(f"Exercise {exercise_id}: prediction not read: {exc}.")
        return
    session = _SESSIONS.setdefault(exercise_id, _Session())
    key = answer_key(prediction)
    if session.prediction is not None and key == session.prediction_key:
        late = session.prediction.late  # the same prediction again (a re-run cell) keeps its time
    else:
        late = session.checked
    session.prediction = Prediction(exercise_id, copy.deepcopy(prediction), late)
    session.prediction_key = key
    if late:
        print(f"Exercise {exercise_id}: prediction recorded: {_shown(prediction)}, but after you checked an "
              "answer: it is marked as made afterwards.")
    else:
        print(f"Exercise {exercise_id}: prediction recorded: {_shown(prediction)}. Now compute the answer, then check it.")


def _prediction_matches(exercise: Exercise, value, truth) -> bool | None:
    """Whether a prediction would pass the check; ``None`` when the check cannot read it (a guess in words)."""
    try:
        plain_answer(value)
        return bool(exercise.check(value) if truth is _NO_TRUTH else exercise.check(value, truth=truth))
    except Exception:  # noqa: BLE001  a prediction is not an answer: a check that cannot read it gives no verdict
        return None


def check(exercise_id: str, answer) -> None:
    """Tell the student whether ``answer`` is right; hints come only after wrong answers.

    No hint is shown before a first attempt. Each *different* wrong answer earns the next of
    the exercise's staged hints (the last one is repeated); giving the same wrong answer again
    (the same :func:`~musicviz._exercise_registry.answer_key`: ``3`` and ``3.0``, ``"Metal "``
    and ``"metal"``, an array and the list of its numbers) shows the hint already earned and
    says it is the same answer as before, so hints come from trying, not from re-running a
    cell. A right answer after wrong ones says how many there were. When the student recorded
    a prediction (:func:`predict`), it is shown next to the result: after a right answer with
    the answer, and whether the prediction would have passed; after a wrong one alone (the
    answer is not given away).

    Parameters
    ----------
    exercise_id : str
        ``"NN.k"``: exercise k of notebook NN.
    answer : object
        The student's answer (``None``: not answered yet).

    See Also
    --------
    grade : the same verdict as a bool, without printing or counting attempts.
    predict : record a prediction before computing the answer.

    Examples
    --------
    >>> from musicviz.exercises import check, reset_attempts
    >>> check("02.4", None)
    Exercise 02.4: no answer yet. Write it in the cell above and run this cell again.
    >>> check("02.4", 19)  # doctest: +ELLIPSIS
    Exercise 02.4: not yet (attempt 1). Hint 1 of 3: ...
    >>> check("02.4", 19.0)  # doctest: +ELLIPSIS
    Exercise 02.4: not yet (you gave this answer before, as attempt 1: no new hint). Hint 1 of 3: ...
    >>> check("02.4", 20)
    Exercise 02.4: correct, after 1 wrong answer.
    >>> reset_attempts()
    """
    exercise = _exercise(exercise_id)
    if answer is None:
        print(f"Exercise {exercise_id}: no answer yet. Write it in the cell above and run this cell again.")
        return
    session = _SESSIONS.setdefault(exercise_id, _Session())
    if exercise.withheld:  # the copy a graded submission runs with: the grader checks the answer
        session.checked = True
        print(f"Exercise {exercise_id}: answer recorded (the grader checks it).")
        return
    try:
        plain_answer(answer)
    except AnswerError as exc:
        print(f"Exercise {exercise_id}: not read: {exc}.")
        return
    truth = _NO_TRUTH if exercise.truth is None else exercise.right_answer()  # once, for answer and prediction
    right = grade(exercise_id, answer, truth=truth)
    session.checked = True
    guess = session.prediction
    if guess is not None:
        predicted = "You predicted " + _shown(guess.value) + (" (after checking an answer)" if guess.late else "")
    if right:
        wrong = len(session.wrong)
        after = f", after {wrong} wrong answer{'s' if wrong > 1 else ''}" if wrong else ""
        lines = [f"Exercise {exercise_id}: correct{after}."]
        if guess is not None:
            verdict = _prediction_matches(exercise, guess.value, truth)
            said = {True: ": your prediction was right", False: ": your prediction was off", None: ""}[verdict]
            lines.append(f"  {predicted}; the answer is {_shown(answer)}{said}.")
        print("\n".join(lines))
        return
    key = answer_key(answer)
    if key in session.wrong:
        said = f"you gave this answer before, as attempt {session.wrong.index(key) + 1}: no new hint"
    else:
        session.wrong.append(key)
        said = f"attempt {len(session.wrong)}"
    step = min(len(session.wrong), len(exercise.hints))
    lines = [f"Exercise {exercise_id}: not yet ({said}). Hint {step} of {len(exercise.hints)}: {exercise.hints[step - 1]}"]
    if guess is not None:
        lines.append(f"  {predicted}; your answer {_shown(answer)} is not right yet.")
    print("\n".join(lines))
