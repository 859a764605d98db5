"""Submissions, the exercises they answer and the written prompts they hold.

Notebook: every notebook (their ``## Exercises`` section); for instructors, not students.

A submission is one student's copy of a course notebook (:func:`find_submissions` reads a
folder of them); its exercises come from the registry (:func:`exercises_of`), its written
``**Discuss NN.k**`` prompts and the student's text for each from the notebook itself
(:func:`written_prompts`). :class:`GradedSubmission` is what grading one of them found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from musicviz.errors import ParameterError

__all__ = [
    "FLAG_KINDS",
    "Submission",
    "Discussion",
    "GradedSubmission",
    "notebook_key",
    "exercises_of",
    "find_submissions",
    "written_prompts",
]

#: The kinds of flag a graded submission can get (``grades.csv``'s ``flags`` column, ``report.html``).
FLAG_KINDS = {
    "changed-data": "changed the course data (undone before the next submission; no truth depends on it)",
    "answer-code": "its code refers to the answer code, grade() or solutions/",
    "dynamic-code": "its code builds code at run time (exec, eval, importlib, ...): read it",
    "outside": "its code refers to files outside its own folder",
    "left-processes": "left processes running after its last cell (stopped by the grader)",
    "output-truncated": "printed more than the output limit (the rest was dropped)",
    "timed-out": "a cell or the notebook ran out of time",
    "memory": "used more memory than allowed (the kernel was stopped)",
    "sandbox": "the sandbox did not work as it should for this submission",
}

_SKIPPED_NAMES = frozenset({"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".hypothesis"})
_KEY = re.compile(r"^(\d{2}[a-z]?)_")
_DISCUSS = re.compile(r"^\s*\*\*\s*Discuss\s+(\d{2}[a-z]?\.\d+)\b[^*]*\*\*", re.IGNORECASE)
_PROMPT = re.compile(r"^\s*\*\*\s*(Discuss\s+)?\d{2}[a-z]?\.\d+\b[^*]*\*\*", re.IGNORECASE)


# --------------------------------------------------------------------------- exercises
def notebook_key(name) -> str | None:
    """The exercise-id prefix of a notebook file name: ``"05b"`` for ``05b_baselines.ipynb``.

    Returns ``None`` when the name does not start with ``NN_`` or ``NNx_``.

    Examples
    --------
    >>> from musicviz.grading import notebook_key
    >>> notebook_key("05b_baselines_on_real_gtzan.ipynb"), notebook_key("notes.ipynb")
    ('05b', None)
    """
    match = _KEY.match(Path(str(name)).name)
    return match.group(1) if match else None


def _exercise_order(exercise_id: str):
    key, _, number = exercise_id.partition(".")
    return (key, int(number) if number.isdigit() else 0, exercise_id)


def exercises_of(key: str) -> list:
    """The registered exercises of one notebook (``key`` ``"02"``), in order ``02.1, 02.2, ...``.

    Examples
    --------
    >>> from musicviz.grading import exercises_of
    >>> [e.id for e in exercises_of("00")][:1]
    ['00.1']
    """
    from musicviz.exercises import EXERCISES

    return sorted((e for e in EXERCISES.values() if e.id.split(".")[0] == key), key=lambda e: _exercise_order(e.id))


# --------------------------------------------------------------------------- submissions
@dataclass(frozen=True)
class Submission:
    """One submitted notebook: ``student`` handed in ``notebook`` (a course file name) at ``path``."""

    student: str
    notebook: str
    path: Path

    @property
    def key(self) -> str | None:
        """The notebook's exercise-id prefix (``"00"``), or ``None`` for a name outside the course."""
        return notebook_key(self.notebook)


def find_submissions(folder) -> list[Submission]:
    """Every submitted notebook in ``folder``, sorted by student then notebook.

    Two layouts are understood (they may be mixed)::

        SUBMISSIONS/<student>/<notebook>.ipynb      (one folder per student, any depth below it)
        SUBMISSIONS/<student>__<notebook>.ipynb     (flat: two underscores between the two)

    Hidden files and folders and ``.ipynb_checkpoints`` are ignored.

    Raises
    ------
    ParameterError
        ``folder`` is not a folder, holds no notebook, a flat file name has no ``__``, or one
        student handed in the same notebook twice.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from musicviz.grading import find_submissions
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / "ada").mkdir()
    >>> _ = (folder / "ada" / "00_introduction.ipynb").write_text("{}")
    >>> _ = (folder / "bob__00_introduction.ipynb").write_text("{}")
    >>> [(s.student, s.notebook) for s in find_submissions(folder)]
    [('ada', '00_introduction.ipynb'), ('bob', '00_introduction.ipynb')]
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ParameterError(f"submissions folder {folder}: not a folder")
    found: dict[tuple[str, str], Submission] = {}
    for path in sorted(folder.rglob("*.ipynb")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") or part in _SKIPPED_NAMES for part in relative.parts):
            continue
        if len(relative.parts) > 1:
            student, notebook = relative.parts[0], path.name
        else:
            student, sep, notebook = path.name.partition("__")
            if not sep or not student or not notebook[: -len(".ipynb")]:
                raise ParameterError(
                    f"submission {path}: cannot tell the student from the file name; name it "
                    "<student>__<notebook>.ipynb or put it in a folder <student>/"
                )
        if (student, notebook) in found:
            raise ParameterError(
                f"submission {path}: {student} handed in {notebook} twice (also {found[student, notebook].path})"
            )
        found[student, notebook] = Submission(student, notebook, path)
    if not found:
        raise ParameterError(f"submissions folder {folder}: no .ipynb file found")
    return [found[k] for k in sorted(found)]


@dataclass(frozen=True)
class Discussion:
    """A written prompt (``**Discuss NN.k**``) and what the student wrote for it."""

    id: str
    prompt: str
    text: str
    rubric: str


@dataclass
class GradedSubmission:
    """What grading one submitted notebook found.

    Attributes
    ----------
    submission : Submission
    points : dict
        Exercise id -> points earned (every exercise of the notebook, in order).
    max_points : dict
        Exercise id -> points it is worth.
    errors : list of str
        What went wrong while running it: cells that raised or timed out, a dead kernel.
    notes : list of str
        Answers that were missing or could not be read (not errors of the notebook).
    timed_out : bool
        A cell or the whole notebook ran out of time.
    seconds : float
        Wall-clock time of the run.
    discussions : list of Discussion
        The written prompts, to grade by hand.
    flags : list of str
        What the instructor should look at, one ``"kind: detail"`` each (:data:`FLAG_KINDS`):
        changed course data, code that refers to the answer code or to files outside its
        folder, processes left running, output truncated, timed out, killed for memory.
    predictions : list of tuple
        ``(variable, text)``: the ``prediction_NN_k`` values the student wrote (to read by hand).
    """

    submission: Submission
    points: dict = field(default_factory=dict)
    max_points: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    timed_out: bool = False
    seconds: float = 0.0
    discussions: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    predictions: list = field(default_factory=list)

    @property
    def total(self) -> float:
        """Points earned in all."""
        return sum(self.points.values())

    @property
    def error(self) -> str:
        """The errors as one line (empty when the notebook ran cleanly)."""
        return "; ".join(self.errors)

    @property
    def flag(self) -> str:
        """The flags as one line (empty when there is nothing to look at)."""
        return "; ".join(self.flags)


# --------------------------------------------------------------------------- written prompts
def _text(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def written_prompts(nb, *, template=None, rubric: str = "") -> list[Discussion]:
    """The ``**Discuss NN.k**`` prompts of a notebook and the student's text for each.

    The student's text is what they added to the prompt cell and the markdown cells after
    it, up to the next code cell, heading, prompt or cell of the course notebook ``template``
    (a placeholder cell right after the prompt, left unchanged, is skipped).

    Parameters
    ----------
    nb : dict or nbformat.NotebookNode
        The submitted notebook.
    template : dict or None
        The course's own notebook (to tell the student's text from the prompt's).
    rubric : str
        Where the rubric of these prompts is (shown in the report).

    Examples
    --------
    >>> from musicviz.grading import written_prompts
    >>> cells = [{"cell_type": "markdown", "source": "**Discuss 01.4** Why?"},
    ...          {"cell_type": "markdown", "source": "Because."}]
    >>> [(d.id, d.text) for d in written_prompts({"cells": cells})]
    [('01.4', 'Because.')]
    """
    cells = list(nb.get("cells", []))
    template_cells = [c for c in (template or {}).get("cells", []) if c.get("cell_type") != "code"]
    course = {_norm(_text(c)) for c in template_cells}
    course_prompts = {}
    for cell in template_cells:
        match = _DISCUSS.match(_text(cell))
        if match:
            course_prompts[match.group(1)] = _text(cell).strip()
    found = []
    for index, cell in enumerate(cells):
        match = _DISCUSS.match(_text(cell)) if cell.get("cell_type") == "markdown" else None
        if not match:
            continue
        prompt = _text(cell).strip()
        parts = []
        if template is not None and _norm(prompt) not in course:  # the student wrote into the prompt cell
            original = course_prompts.get(match.group(1), "")
            parts.append(prompt[len(original):].strip() if original and prompt.startswith(original) else prompt)
            prompt = original or prompt
        for n, after in enumerate(cells[index + 1:]):
            text = _text(after).strip()
            if after.get("cell_type") == "code" or text.startswith("#") or _PROMPT.match(text):
                break
            if _norm(text) in course:
                if n == 0:
                    continue  # a placeholder cell ("your answer here") left as it was
                break  # the course's next cell: the student's text ended before it
            if text:
                parts.append(text)
        parts = [p for p in parts if p]
        found.append(Discussion(match.group(1), prompt, "\n\n".join(parts), rubric))
    return found
