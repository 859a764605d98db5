"""Grading for instructors: a student release without solutions, and a grader for submissions.

Notebook: every notebook (their ``## Exercises`` section); for instructors, not students.

Two jobs, one command each (``docs/INSTRUCTORS.md``, "Grading and the student release")::

    python -m musicviz.grading student --out build/student        # make student
    python -m musicviz.grading grade SUBMISSIONS --out build/grades  # make grade SUBMISSIONS=dir

:func:`student_release` copies what a student needs (the notebooks with their stored outputs,
the ``musicviz`` package, the environment files, the ``scripts/`` that ``make run`` and
``make lab`` use) and leaves out ``solutions/``, ``docs/`` (rubrics, instructor guide),
``tests/`` and ``.ci/``. Sentences of the notebooks and READMEs that point at ``solutions/``
are rewritten. It refuses to write a release that would leak: an answer cell that is not
``None``, an otter ``# BEGIN SOLUTION`` block, nbgrader ``solution`` cell metadata, or the body
of any worked solution (``exercise_*`` in ``solutions/``) found in a released file. It is built
in a hidden sibling folder and swapped in whole (:func:`musicviz._io.replace_folder`).

:func:`grade_submissions` runs every submitted notebook in a fresh ``python3`` kernel (its own
process) with a per-cell and a per-notebook timeout, executing past failing cells
(``allow_errors``), then runs one injected cell that prints the answer variables
(``answer_NN_k``, see :attr:`musicviz.exercises.Exercise.variable`) as tagged JSON between two
random markers. The grader decodes that JSON and calls :func:`musicviz.exercises.grade` **in
its own process**, so a submission cannot grade itself (it could redefine ``grade`` in its own
kernel, but that kernel only reports values). It writes ``grades.csv`` (one row per
student and notebook, one column per exercise with the points earned, ``total``,
``max_points``, ``seconds``, ``error``), ``written.csv`` (the written ``**Discuss NN.k**``
prompts with each student's text, to grade by hand against ``docs/rubrics/NN_topic.md``),
``report.html`` and the executed notebooks (``executed/``). Exercises and their points are read
from the registry (:data:`musicviz.exercises.EXERCISES`), never listed here.

Why our own code and not nbgrader or otter-grader (both read for this module): nbgrader needs
its gradebook database, its exchange/course folder layout and ``nbgrader`` metadata on every
graded cell of every notebook, and grades by running hidden test cells; our notebooks already
have an answer variable and a check per exercise. otter-grader needs its own assignment format
(``# BEGIN QUESTION`` / test files per question), grades inside Docker containers, and passes
results from the notebook back as pickles (the grader must never unpickle what a submission
produced). What we take from them: a release folder built from the instructor's notebooks
(nbgrader ``release_assignment``, otter ``assign``); otter's ``# BEGIN SOLUTION`` and
nbgrader's ``"solution": true`` cell metadata are *refused* in released notebooks (we do not
need them: answers live in ``solutions/``); nbgrader's autograde settings (a fresh kernel per
notebook, ``allow_errors``, interrupt on a cell timeout, a ``CellTimeoutError`` output);
otter's ``final_grades.csv`` shape (one row per submission, one column per question with
points, a total) with per-exercise points (:attr:`~musicviz.exercises.Exercise.points`).

Security: submissions are untrusted code. Each runs in its own kernel process, with the
grader's user rights, environment and file access, in an empty temporary working folder, and is
stopped by the timeouts; that is not a sandbox. Grade in a throwaway container or a user
account that can read the course data and nothing you care about.
"""

from __future__ import annotations

import argparse
import ast
import csv
import html
import io
import json
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from musicviz._io import atomic_write_text, make_sibling_folder, project_root, replace_folder
from musicviz.errors import OutputError, ParameterError

__all__ = [
    "Submission",
    "Discussion",
    "GradedSubmission",
    "CELL_TIMEOUT",
    "NOTEBOOK_TIMEOUT",
    "notebook_key",
    "exercises_of",
    "find_submissions",
    "written_prompts",
    "grade_notebook",
    "grade_submissions",
    "write_grades_csv",
    "write_report",
    "student_release",
    "release_problems",
    "main",
]

#: Default seconds one cell may run (training the CNN of notebook 06 takes 1-2 minutes).
CELL_TIMEOUT = 300
#: Default seconds a whole notebook may run (the series runs in 3-4 minutes in all).
NOTEBOOK_TIMEOUT = 900
#: Seconds the injected cell that reads the answers may run.
READ_TIMEOUT = 30
#: Largest JSON text of the answers the grader reads from one kernel (characters).
MAX_ANSWERS_JSON = 5_000_000

#: The files and folders a student release holds (relative to the project root).
RELEASE_FILES = (
    "README.md",
    "LICENSE",
    "Makefile",
    "pyproject.toml",
    "constraints.txt",
    "environment.yml",
    "package.json",
    "package-lock.json",
    ".gitignore",
    "data/README.md",
)
RELEASE_FOLDERS = ("musicviz", "notebooks", "scripts")
#: Left out of the released folders: test machinery (nbval settings, mutation testing, the
#: perturbed-platform runs), which needs tests/ and the instructors' material.
RELEASE_EXCLUDED = frozenset(
    {
        "notebooks/conftest.py",
        "notebooks/sanitize.cfg",
        "scripts/mutation.py",
        "scripts/portability.py",
        "scripts/grade.py",
        "scripts/student_release.py",
    }
)
_SKIPPED_NAMES = frozenset({"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".hypothesis"})

#: What replaces a sentence that points at ``solutions/`` in a released notebook or README.
NEUTRAL_SOLUTIONS = "Worked solutions are not part of the student release: your instructor shares them."

_KEY = re.compile(r"^(\d{2}[a-z]?)_")
_ANSWER_LINE = re.compile(r"^\s*(answer_\w+)\s*=\s*(.*?)\s*(#.*)?$")
_DISCUSS = re.compile(r"^\s*\*\*\s*Discuss\s+(\d{2}[a-z]?\.\d+)\b[^*]*\*\*", re.IGNORECASE)
_PROMPT = re.compile(r"^\s*\*\*\s*(Discuss\s+)?\d{2}[a-z]?\.\d+\b[^*]*\*\*", re.IGNORECASE)
_SOLUTION_REF = re.compile(r"\[[^\]]*\]\([^)]*solutions/[^)]*\)|`?(?:\.\./)*solutions/[^\s`)]*`?")


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
    """

    submission: Submission
    points: dict = field(default_factory=dict)
    max_points: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    timed_out: bool = False
    seconds: float = 0.0
    discussions: list = field(default_factory=list)

    @property
    def total(self) -> float:
        """Points earned in all."""
        return sum(self.points.values())

    @property
    def error(self) -> str:
        """The errors as one line (empty when the notebook ran cleanly)."""
        return "; ".join(self.errors)


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


# --------------------------------------------------------------------------- reading answers
_READER = '''\
def _musicviz_read_answers(names, marker, limit):
    import json, math, sys

    def enc(value, depth=0):
        if depth > 8:
            raise TypeError("nested too deeply")
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return float(value) if math.isfinite(value) else {"__float__": repr(float(value))}
        if isinstance(value, (list, tuple)):
            items = [enc(item, depth + 1) for item in value]
            return {"__tuple__": items} if isinstance(value, tuple) else items
        if isinstance(value, dict):
            return {"__dict__": [[enc(k, depth + 1), enc(v, depth + 1)] for k, v in value.items()]}
        kind = type(value)
        module = kind.__module__.split(".")[0]
        if module == "numpy" and getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
            return enc(value.item(), depth + 1)
        if module == "numpy" and kind.__name__ == "ndarray":
            return {"__ndarray__": enc(value.tolist(), depth + 1), "dtype": str(value.dtype)}
        if module == "pandas" and kind.__name__ == "Series":
            return {"__series__": enc(value.tolist(), depth + 1), "index": enc(list(value.index), depth + 1),
                    "name": enc(value.name, depth + 1)}
        raise TypeError(kind.__qualname__)

    space = globals()
    found = {}
    for name in names:
        if name not in space:
            found[name] = {"missing": True}
            continue
        value = space[name]
        try:
            text = json.dumps({"value": enc(value)}, allow_nan=False)
            if len(text) > limit:
                raise ValueError("too large")
            found[name] = json.loads(text)
        except Exception as exc:
            found[name] = {"unreadable": type(value).__module__ + "." + type(value).__qualname__ + ": " + str(exc)[:80]}
    sys.stdout.write(marker + json.dumps(found, allow_nan=False) + marker + "\\n")
    sys.stdout.flush()


_musicviz_read_answers(NAMES, MARKER, LIMIT)
del _musicviz_read_answers
'''


def _decode(obj, depth: int = 0):
    """Tagged JSON (from the injected cell) back to Python values; never evaluates anything."""
    if depth > 12:
        raise ValueError("nested too deeply")
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, list):
        return [_decode(item, depth + 1) for item in obj]
    if not isinstance(obj, dict):
        raise ValueError(f"unexpected {type(obj).__name__}")
    if "__tuple__" in obj:
        return tuple(_decode(item, depth + 1) for item in obj["__tuple__"])
    if "__float__" in obj:
        if obj["__float__"] not in ("nan", "inf", "-inf"):
            raise ValueError(f"not a float: {obj['__float__']!r}")
        return float(obj["__float__"])
    if "__dict__" in obj:
        pairs = [(_decode(k, depth + 1), _decode(v, depth + 1)) for k, v in obj["__dict__"]]
        return {(tuple(k) if isinstance(k, list) else k): v for k, v in pairs}
    if "__ndarray__" in obj:
        import numpy as np

        values = _decode(obj["__ndarray__"], depth + 1)
        try:
            dtype = np.dtype(str(obj.get("dtype", "")))
        except TypeError:
            dtype = None
        if dtype is not None and dtype.kind in "biufcUS":
            return np.asarray(values, dtype=dtype)
        return np.asarray(values)
    if "__series__" in obj:
        import pandas as pd

        return pd.Series(
            _decode(obj["__series__"], depth + 1),
            index=_decode(obj.get("index"), depth + 1),
            name=_decode(obj.get("name"), depth + 1),
        )
    raise ValueError(f"unknown tag in {sorted(obj)[:3]}")


def _read_answers(cell, marker: str) -> dict:
    text = "".join(
        "".join(o.get("text", "")) for o in cell.get("outputs", []) if o.get("output_type") == "stream"
    )
    parts = text.split(marker)
    if len(parts) < 3:
        raise ValueError("the injected cell printed no answers")
    payload = parts[-2]
    if len(payload) > MAX_ANSWERS_JSON:
        raise ValueError("the answers are too large to read")
    found = json.loads(payload)
    if not isinstance(found, dict):
        raise ValueError("the answers are not a mapping")
    return found


# --------------------------------------------------------------------------- running
def _cell_error(cell) -> tuple[str, str] | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return str(output.get("ename", "Error")), str(output.get("evalue", ""))
    return None


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _execute(nb, *, variables, cell_timeout: float, notebook_timeout: float, kernel_name: str, cwd: Path):
    """Run ``nb`` in a fresh kernel, then read ``variables``; returns (answers or None, errors, timed_out)."""
    import nbformat
    from nbclient import NotebookClient

    marker = f"@@musicviz-answers-{secrets.token_hex(16)}@@"
    timeout_ename = "CellTimeoutError"
    deadline = time.monotonic() + notebook_timeout
    reading = [False]
    allowed = [0]  # the timeout given to the cell being run

    def timeout_for(cell):
        allowed[0] = READ_TIMEOUT if reading[0] else max(1, int(min(cell_timeout, deadline - time.monotonic()) + 0.999))
        return allowed[0]

    client = NotebookClient(
        nb,
        kernel_name=kernel_name,
        timeout=int(cell_timeout),
        timeout_func=timeout_for,
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={"ename": timeout_ename, "evalue": "the cell ran out of time", "traceback": []},
        shutdown_kernel="immediate",
        record_timing=False,
        resources={"metadata": {"path": str(cwd)}},
    )
    errors: list[str] = []
    timed_out = False
    answers = None
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    try:
        # The kernel process's own stderr (ipykernel's start-up warnings) is noise in the grading
        # log; what the student's code prints reaches the notebook through the kernel's messages.
        with client.setup_kernel(stderr=subprocess.DEVNULL):
            code = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
            for n, index in enumerate(code):
                if time.monotonic() >= deadline:
                    timed_out = True
                    errors.append(
                        f"timeout: the notebook ran out of its {notebook_timeout:g} s before cell {index + 1} "
                        f"({len(code) - n} code cells not run)"
                    )
                    break
                started = time.monotonic()
                client.execute_cell(nb.cells[index], index)
                if time.monotonic() - started >= allowed[0]:  # interrupted (a KeyboardInterrupt, or nothing)
                    timed_out = True
                    errors.append(f"timeout: cell {index + 1} ran out of time ({allowed[0]} s)")
                    nb.cells[index].outputs.append(
                        nbformat.v4.new_output("error", ename=timeout_ename, evalue=f"interrupted after {allowed[0]} s", traceback=[])
                    )
                    continue
                failure = _cell_error(nb.cells[index])
                if failure is not None:
                    errors.append(f"cell {index + 1} raised {failure[0]}: {_short(failure[1], 120)}")
            reader = nbformat.v4.new_code_cell(
                _READER.replace("NAMES, MARKER, LIMIT", f"{list(variables)!r}, {marker!r}, {MAX_ANSWERS_JSON // 4!r}")
            )
            nb.cells.append(reader)
            reading[0] = True
            try:
                client.execute_cell(reader, len(nb.cells) - 1)
            finally:
                nb.cells.pop()
            try:
                answers = _read_answers(reader, marker)
            except ValueError as exc:
                failure = _cell_error(reader)
                why = f"{failure[0]}: {_short(failure[1], 80)}" if failure else str(exc)
                errors.append(f"could not read the answers ({why})")
    except Exception as exc:  # a dead kernel, a kernel that would not start: that submission only
        name = type(exc).__name__
        errors.append(f"{'the kernel died' if name == 'DeadKernelError' else 'could not run it'} ({name}: {_short(exc, 120)})")
    return answers, errors, timed_out


def grade_notebook(
    submission: Submission,
    *,
    cell_timeout: float = CELL_TIMEOUT,
    notebook_timeout: float = NOTEBOOK_TIMEOUT,
    kernel_name: str = "python3",
    root=None,
    executed=None,
) -> GradedSubmission:
    """Run one submitted notebook in a fresh kernel and grade its answers.

    Every code cell runs in order in a new kernel process (working folder: an empty temporary
    folder), past cells that raise; a cell that runs longer than ``cell_timeout`` is
    interrupted, and no cell starts after ``notebook_timeout``. Then an injected cell reports
    the answer variables as JSON and each is graded here with :func:`musicviz.exercises.grade`:
    an answer set before a failing cell still earns its points.

    Parameters
    ----------
    submission : Submission
        See :func:`find_submissions`.
    cell_timeout, notebook_timeout : float
        Seconds one cell, and the whole notebook, may run.
    kernel_name : str
        The Jupyter kernel (the environment's ``python3``).
    root : path-like or None
        The project (for the course notebook and the rubric paths); default: this checkout.
    executed : path-like or None
        Where to save the executed notebook (no file when ``None``).

    Returns
    -------
    GradedSubmission

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> from musicviz.grading import Submission, grade_notebook
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "ada__00_introduction.ipynb"
    >>> cell = {"cell_type": "code", "id": "a1", "metadata": {}, "outputs": [], "execution_count": None,
    ...         "source": "answer_00_1 = -1"}
    >>> _ = path.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    >>> graded = grade_notebook(Submission("ada", "00_introduction.ipynb", path), notebook_timeout=60)
    >>> graded.points["00.1"], graded.error
    (0, '')
    """
    import nbformat

    from musicviz.exercises import grade

    if cell_timeout <= 0 or notebook_timeout <= 0:
        raise ParameterError(
            f"cell_timeout and notebook_timeout must be positive seconds, got {cell_timeout!r} and {notebook_timeout!r}"
        )
    root = Path(root) if root is not None else project_root()
    result = GradedSubmission(submission)
    exercises = exercises_of(submission.key) if submission.key else []
    result.max_points = {e.id: e.points for e in exercises}
    result.points = {e.id: 0 for e in exercises}
    started = time.perf_counter()
    try:
        with warnings.catch_warnings():  # an old notebook without cell ids is still a notebook
            warnings.simplefilter("ignore")
            nb = nbformat.read(submission.path, as_version=4)
    except Exception as exc:  # not JSON, not a notebook: that student's problem, not the run's
        result.errors.append(f"not a readable notebook ({type(exc).__name__}: {_short(exc, 120)})")
        return result
    course = _course_notebook(root, submission.key)
    template = nbformat.read(course, as_version=4) if course is not None else None
    rubric = f"docs/rubrics/{(course or Path(submission.notebook)).stem}.md"
    result.discussions = written_prompts(nb, template=template, rubric=rubric)
    if not exercises and not result.discussions:
        result.errors.append(f"{submission.notebook} is not a notebook of the course (no exercises registered for it)")
        return result
    with tempfile.TemporaryDirectory(prefix="musicviz-grade-") as cwd:
        answers, errors, timed_out = _execute(
            nb,
            variables=[e.variable for e in exercises],
            cell_timeout=cell_timeout,
            notebook_timeout=notebook_timeout,
            kernel_name=kernel_name,
            cwd=Path(cwd),
        )
    result.errors.extend(errors)
    result.timed_out = timed_out
    for exercise in exercises:
        if answers is None:
            break
        found = answers.get(exercise.variable)
        if not isinstance(found, dict) or found.get("missing"):
            result.notes.append(f"{exercise.id}: no variable {exercise.variable}")
            continue
        if "unreadable" in found:
            result.notes.append(f"{exercise.id}: answer not readable ({_short(found['unreadable'], 100)})")
            continue
        try:
            value = _decode(found.get("value"))
        except (ValueError, TypeError) as exc:
            result.notes.append(f"{exercise.id}: answer not readable ({exc})")
            continue
        try:
            right = grade(exercise.id, value)
        except Exception as exc:  # a check that breaks on an odd answer: count it wrong, say so
            result.notes.append(f"{exercise.id}: the check failed on this answer ({type(exc).__name__}: {_short(exc, 100)})")
            right = False
        result.points[exercise.id] = exercise.points if right else 0
    result.seconds = time.perf_counter() - started
    if executed is not None:
        atomic_write_text(executed, nbformat.writes(nb) + "\n")
    return result


def _course_notebook(root: Path, key: str | None) -> Path | None:
    if key is None:
        return None
    return next(iter(sorted((root / "notebooks").glob(f"{key}_*.ipynb"))), None)


def grade_submissions(
    folder,
    *,
    out,
    cell_timeout: float = CELL_TIMEOUT,
    notebook_timeout: float = NOTEBOOK_TIMEOUT,
    kernel_name: str = "python3",
    root=None,
    progress=None,
) -> list[GradedSubmission]:
    """Grade every submission in ``folder``; write ``grades.csv``, ``written.csv`` and ``report.html``.

    Parameters
    ----------
    folder : path-like
        The submissions (layouts: :func:`find_submissions`).
    out : path-like
        The output folder (created; its ``grades.csv``, ``written.csv``, ``report.html`` and
        ``executed/`` are replaced).
    cell_timeout, notebook_timeout : float
        Seconds one cell, and one notebook, may run (see :func:`grade_notebook`).
    kernel_name : str
        The Jupyter kernel that runs the submissions.
    root : path-like or None
        The project (course notebooks, rubric paths); default: this checkout.
    progress : callable or None
        Called with one line of text per graded notebook.

    Returns
    -------
    list of GradedSubmission

    Raises
    ------
    ParameterError
        Bad submissions folder (see :func:`find_submissions`) or timeouts.
    OutputError
        ``out`` exists and is not a folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from musicviz.grading import grade_submissions
    >>> grade_submissions(pathlib.Path(tempfile.mkdtemp()), out="unused")
    Traceback (most recent call last):
    ...
    musicviz.errors.ParameterError: submissions folder ...: no .ipynb file found
    """
    submissions = find_submissions(folder)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"grades folder {out}: exists and is not a folder")
    executed = out / "executed"
    started = time.perf_counter()
    results = []
    for submission in submissions:
        graded = grade_notebook(
            submission,
            cell_timeout=cell_timeout,
            notebook_timeout=notebook_timeout,
            kernel_name=kernel_name,
            root=root,
            executed=executed / f"{submission.student}__{submission.notebook}",
        )
        results.append(graded)
        if progress is not None:
            status = "TIMEOUT" if graded.timed_out else "error" if graded.errors else "ok"
            progress(
                f"  {submission.student:20s} {submission.notebook:40s} "
                f"{graded.total:g}/{sum(graded.max_points.values()):g}  {status:7s} {graded.seconds:6.1f} s"
            )
    elapsed = time.perf_counter() - started
    write_grades_csv(results, out / "grades.csv")
    _write_written_csv(results, out / "written.csv")
    write_report(results, out / "report.html", seconds=elapsed)
    return results


# --------------------------------------------------------------------------- outputs
def _columns(results) -> list[str]:
    ids = {eid for r in results for eid in r.max_points}
    return sorted(ids, key=_exercise_order)


def _number(value) -> str:
    return f"{value:g}"


def write_grades_csv(results, path) -> Path:
    """Write ``grades.csv``: one row per submission, one column per exercise (points earned).

    Columns: ``student``, ``notebook``, one per exercise id (empty where the exercise belongs
    to another notebook), ``total``, ``max_points``, ``seconds``, ``error``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from musicviz.grading import GradedSubmission, Submission, write_grades_csv
    >>> graded = GradedSubmission(Submission("ada", "00_introduction.ipynb", pathlib.Path("x")),
    ...                           points={"00.1": 1}, max_points={"00.1": 1})
    >>> path = write_grades_csv([graded], pathlib.Path(tempfile.mkdtemp()) / "grades.csv")
    >>> path.read_text().splitlines()[1]
    'ada,00_introduction.ipynb,1,1,1,0.0,'
    """
    columns = _columns(results)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "notebook", *columns, "total", "max_points", "seconds", "error"])
    for r in results:
        writer.writerow(
            [
                r.submission.student,
                r.submission.notebook,
                *(_number(r.points[c]) if c in r.points else "" for c in columns),
                _number(r.total),
                _number(sum(r.max_points.values())),
                f"{r.seconds:.1f}",
                r.error,
            ]
        )
    return atomic_write_text(path, buffer.getvalue())


def _write_written_csv(results, path) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "notebook", "prompt", "rubric", "text", "points"])
    for r in results:
        for d in r.discussions:
            writer.writerow([r.submission.student, r.submission.notebook, d.id, d.rubric, d.text, ""])
    return atomic_write_text(path, buffer.getvalue())


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; max-width: 75em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td.num { text-align: right; } tr.bad td { background: #fff0f0; }
pre { white-space: pre-wrap; margin: 0; font-family: inherit; }
"""


def write_report(results, path, *, seconds: float | None = None) -> Path:
    """Write ``report.html``: per-student tables, success rate per exercise, failed runs, written prompts.

    Everything a submission wrote is escaped (a student's text is shown as text, never as HTML).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from musicviz.grading import GradedSubmission, Submission, write_report
    >>> graded = GradedSubmission(Submission("<ada>", "00_introduction.ipynb", pathlib.Path("x")),
    ...                           points={"00.1": 0}, max_points={"00.1": 1})
    >>> "&lt;ada&gt;" in write_report([graded], pathlib.Path(tempfile.mkdtemp()) / "r.html").read_text()
    True
    """
    from musicviz.exercises import EXERCISES

    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>Grades</title>',
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Grades</h1>",
    ]
    students = sorted({r.submission.student for r in results})
    failed = [r for r in results if r.errors]
    summary = f"{len(results)} notebooks from {len(students)} students; {len(failed)} with errors or timeouts"
    if seconds is not None:
        summary += f"; graded in {seconds:.0f} s"
    parts.append(f"<p>{e(summary)}.</p>")

    parts.append("<h2>Per student</h2><table><tr><th>student</th><th>notebooks</th><th>points</th><th>errors</th></tr>")
    for student in students:
        mine = [r for r in results if r.submission.student == student]
        parts.append(
            f"<tr><td>{e(student)}</td><td class=\"num\">{len(mine)}</td>"
            f'<td class="num">{_number(sum(r.total for r in mine))}/{_number(sum(sum(r.max_points.values()) for r in mine))}</td>'
            f'<td class="num">{sum(1 for r in mine if r.errors)}</td></tr>'
        )
    parts.append("</table>")
    notebooks = sorted({r.submission.notebook for r in results})
    for notebook in notebooks:
        rows = [r for r in results if r.submission.notebook == notebook]
        columns = _columns(rows)
        parts.append(f"<h3>{e(notebook)}</h3><table><tr><th>student</th>")
        parts.extend(f"<th>{e(c)}</th>" for c in columns)
        parts.append("<th>total</th><th>error</th></tr>")
        for r in rows:
            row_class = ' class="bad"' if r.errors else ""
            parts.append(f"<tr{row_class}><td>{e(r.submission.student)}</td>")
            parts.extend(
                f'<td class="num">{_number(r.points[c])}/{_number(r.max_points[c])}</td>' if c in r.points else "<td></td>"
                for c in columns
            )
            parts.append(
                f'<td class="num">{_number(r.total)}/{_number(sum(r.max_points.values()))}</td>'
                f"<td>{e(r.error)}</td></tr>"
            )
        parts.append("</table>")

    parts.append("<h2>Per exercise</h2><table><tr><th>exercise</th><th>question</th><th>points</th>"
                 "<th>right</th><th>submissions</th><th>success rate</th></tr>")
    for c in _columns(results):
        graded = [r for r in results if c in r.points]
        right = sum(1 for r in graded if r.points[c] > 0)
        question = EXERCISES[c].question if c in EXERCISES else ""
        parts.append(
            f"<tr><td>{e(c)}</td><td>{e(question)}</td><td class=\"num\">{_number(graded[0].max_points[c])}</td>"
            f'<td class="num">{right}</td><td class="num">{len(graded)}</td>'
            f'<td class="num">{right / len(graded):.0%}</td></tr>'
        )
    parts.append("</table>")

    parts.append("<h2>Errors and timeouts</h2>")
    if failed:
        parts.append("<ul>")
        parts.extend(
            f"<li><b>{e(r.submission.student)}</b>, {e(r.submission.notebook)}"
            f"{' (timed out)' if r.timed_out else ''}: {e(r.error)}</li>"
            for r in failed
        )
        parts.append("</ul>")
    else:
        parts.append("<p>Every notebook ran to the end without an error.</p>")
    notes = [(r, n) for r in results for n in r.notes]
    if notes:
        parts.append("<h3>Answers not read</h3><ul>")
        parts.extend(f"<li>{e(r.submission.student)}, {e(r.submission.notebook)}: {e(n)}</li>" for r, n in notes)
        parts.append("</ul>")

    parts.append("<h2>To grade by hand</h2>")
    prompts: dict[tuple[str, str], list] = {}
    for r in results:
        for d in r.discussions:
            prompts.setdefault((r.submission.notebook, d.id), []).append((r, d))
    if not prompts:
        parts.append("<p>No written prompts (<code>**Discuss NN.k**</code> cells) in these notebooks.</p>")
    for (notebook, prompt_id), answers in sorted(prompts.items(), key=lambda kv: (kv[0][0], _exercise_order(kv[0][1]))):
        first = answers[0][1]
        parts.append(
            f"<h3>{e(notebook)}: Discuss {e(prompt_id)}</h3><blockquote><pre>{e(first.prompt)}</pre></blockquote>"
            f"<p>To grade by hand (rubric: <code>{e(first.rubric)}</code>).</p>"
            "<table><tr><th>student</th><th>text</th></tr>"
        )
        parts.extend(
            f"<tr><td>{e(r.submission.student)}</td><td><pre>{e(d.text) if d.text else '<i>(nothing written)</i>'}</pre></td></tr>"
            for r, d in answers
        )
        parts.append("</table>")
    parts.append("</body></html>\n")
    return atomic_write_text(path, "\n".join(parts))


# --------------------------------------------------------------------------- student release
def _neutralise(text: str) -> str:
    """Rewrite the sentences (or parenthesised clauses) of markdown ``text`` that point at ``solutions/``."""
    for _ in range(100):
        match = _SOLUTION_REF.search(text)
        if match is None:
            return text
        start, end = match.span()
        opened = text.rfind("(", 0, start)
        if opened > max(text.rfind(")", 0, start), text.rfind("\n\n", 0, start)):
            closed = text.find(")", end)
            if closed != -1:  # inside parentheses: drop the clause, keep the rest
                cut = max(text.rfind(";", opened, start), text.rfind(",", opened, start))
                stop = min([i for i in (text.find(";", end, closed), text.find(",", end, closed)) if i != -1] or [closed])
                if cut != -1:
                    text = text[:cut] + text[stop:]
                elif stop != closed:
                    text = text[: opened + 1] + text[stop + 1:].lstrip()
                else:
                    text = text[:opened].rstrip() + text[closed + 1:]
                continue
        bounds = [m.end() for m in re.finditer(r"[.!?]\s+(?=[A-Z`*\[])|\n\s*\n|\n[-*] ", text[:start])]
        begin = bounds[-1] if bounds else 0
        finish = re.compile(r"[.!?](?=\s|$)|\n\s*\n").search(text, end)
        stop = finish.end() if finish and finish.group(0)[0] in ".!?" else (finish.start() if finish else len(text))
        text = text[:begin] + NEUTRAL_SOLUTIONS + text[stop:]
    raise OutputError("could not rewrite the references to solutions/ (more than 100)")


def _release_notebook(source: Path, target: Path) -> None:
    import nbformat

    nb = nbformat.read(source, as_version=4)
    changed = False
    for index, cell in enumerate(nb.cells):
        where = f"{source.name}, cell {index + 1}"
        metadata = cell.get("metadata", {})
        if metadata.get("nbgrader", {}).get("solution") or "solution" in metadata.get("tags", []):
            raise OutputError(f"{where}: a cell marked as a solution cannot go into the student release")
        if cell.cell_type == "code":
            if "BEGIN SOLUTION" in cell.source:
                raise OutputError(f"{where}: a '# BEGIN SOLUTION' block cannot go into the student release")
            for line in cell.source.splitlines():
                match = _ANSWER_LINE.match(line)
                if match and match.group(2) != "None":
                    raise OutputError(
                        f"{where}: {match.group(1)} = {_short(match.group(2), 40)} gives an answer away; "
                        "set it to None before releasing"
                    )
        elif cell.cell_type == "markdown" and _SOLUTION_REF.search(cell.source):
            cell.source = _neutralise(cell.source)
            changed = True
    if changed:
        target.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    else:
        shutil.copy2(source, target)


def _solution_bodies(root: Path) -> dict[str, str]:
    """``exercise_*`` function name -> its body (no docstring), whitespace-normalised."""
    bodies = {}
    for path in sorted((root / "solutions").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        try:
            tree = ast.parse(source)
        except SyntaxError as exc:
            raise OutputError(f"{path}: cannot parse the solutions ({exc.msg}, line {exc.lineno})") from None
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("exercise_"):
                body = node.body
                if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                    body = body[1:]
                text = _norm("\n".join(ast.get_source_segment(source, statement) or "" for statement in body))
                if text:
                    bodies[f"{path.name}:{node.name}"] = text
    return bodies


def _released_text(path: Path) -> str:
    """The text of a released file as a reader sees it (a notebook's cell sources and text outputs)."""
    raw = path.read_bytes()
    if b"\0" in raw[:4096]:
        return ""
    text = raw.decode("utf-8", errors="replace")
    if path.suffix == ".ipynb":
        nb = json.loads(text)
        pieces = []
        for cell in nb.get("cells", []):
            pieces.append(_text(cell))
            for output in cell.get("outputs", []):
                pieces.append("".join(output.get("text", "")))
                pieces.append("".join(output.get("data", {}).get("text/plain", "")))
        text = "\n".join(pieces)
    return _norm(text)


def release_problems(folder, *, root=None) -> list[str]:
    """What in a student release gives answers away (empty list: nothing found).

    Looks for: a ``solutions/`` or ``docs/rubrics/`` folder, ``tests/``, ``.ci/``, the body of
    any worked solution (each ``exercise_*`` function of ``root/solutions/``) in any released
    file, and ``solutions/`` named in a released notebook or README.

    Examples
    --------
    >>> import tempfile
    >>> from musicviz.grading import release_problems
    >>> release_problems(tempfile.mkdtemp())
    []
    """
    folder = Path(folder)
    root = Path(root) if root is not None else project_root()
    problems = [f"{name}/ is in the release" for name in ("solutions", "docs/rubrics", "tests", ".ci") if (folder / name).exists()]
    bodies = _solution_bodies(root)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        text = _released_text(path)
        problems.extend(f"{relative} holds the solution {name}" for name, body in bodies.items() if body in text)
        if (path.suffix == ".ipynb" or path.name == "README.md") and "solutions/" in text:
            problems.append(f"{relative} points at solutions/")
    return problems


def _copy_tree(source: Path, target: Path, *, root: Path) -> None:
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(root)
        if any(part.startswith(".") or part in _SKIPPED_NAMES or part.endswith(".egg-info") for part in relative.parts):
            continue
        if relative.as_posix() in RELEASE_EXCLUDED or path.suffix in (".pyc", ".pyo") or path.is_dir():
            continue
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if relative.parts[0] == "notebooks" and path.suffix == ".ipynb":
            _release_notebook(path, destination)
        elif path.name == "README.md":
            destination.write_text(_neutralise(path.read_text(encoding="utf-8")), encoding="utf-8")
        else:
            shutil.copy2(path, destination)


def student_release(out, *, root=None) -> Path:
    """Write the student release of the course into ``out`` (replaced as a whole) and return it.

    The release holds the notebooks with their stored outputs (figures, players, tables; the
    answer cells are ``None``), the ``musicviz`` package, ``scripts/`` (minus test tooling),
    the environment and build files (:data:`RELEASE_FILES`), and leaves out ``solutions/``,
    ``docs/``, ``tests/`` and ``.ci/``. Sentences pointing at ``solutions/`` in the notebooks
    and READMEs are rewritten (:data:`NEUTRAL_SOLUTIONS`).

    Parameters
    ----------
    out : path-like
        The release folder (``build/student``). Built next to it and swapped in whole: a
        failure leaves the previous release as it was.
    root : path-like or None
        The project to release; default: this checkout.

    Raises
    ------
    ParameterError
        ``root`` is not a musicviz checkout.
    OutputError
        A notebook gives an answer away (an answer cell that is not ``None``, a solution
        cell), a released file holds a worked solution, or ``out`` is a file or lies inside
        ``root``'s released folders.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from musicviz.grading import student_release
    >>> release = student_release(pathlib.Path(tempfile.mkdtemp()) / "student")
    >>> (release / "notebooks").is_dir(), (release / "solutions").exists()
    (True, False)
    """
    root = Path(root).resolve() if root is not None else project_root()
    out = Path(out).resolve()
    missing = [name for name in ("pyproject.toml", "musicviz", "notebooks") if not (root / name).exists()]
    if missing:
        raise ParameterError(f"root {root}: not a musicviz checkout (no {', '.join(missing)})")
    if out.exists() and not out.is_dir():
        raise OutputError(f"release folder {out}: exists and is not a folder")
    if out == root or any(out.is_relative_to(root / name) for name in RELEASE_FOLDERS):
        raise OutputError(f"release folder {out}: would be inside what it copies; use build/student")
    staging = make_sibling_folder(out)
    try:
        for name in RELEASE_FILES:
            if (root / name).is_file():
                destination = staging / name
                destination.parent.mkdir(parents=True, exist_ok=True)
                if name == "README.md":
                    destination.write_text(_neutralise((root / name).read_text(encoding="utf-8")), encoding="utf-8")
                else:
                    shutil.copy2(root / name, destination)
        for name in RELEASE_FOLDERS:
            if (root / name).is_dir():
                _copy_tree(root / name, staging, root=root)
        problems = release_problems(staging, root=root)
        if problems:
            raise OutputError(f"the student release would give answers away: {'; '.join(problems[:5])}")
        replace_folder(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


# --------------------------------------------------------------------------- command line
def main(argv=None) -> int:
    """``python -m musicviz.grading student|grade ...`` (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m musicviz.grading", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    student = commands.add_parser("student", help="write the student release (no solutions, rubrics, tests)")
    student.add_argument("--out", type=Path, default=Path("build/student"), help="release folder (default: build/student)")
    graded = commands.add_parser("grade", help="run and grade a folder of submitted notebooks")
    graded.add_argument("submissions", type=Path, help="SUBMISSIONS/<student>/<nb>.ipynb or SUBMISSIONS/<student>__<nb>.ipynb")
    graded.add_argument("--out", type=Path, default=Path("build/grades"), help="output folder (default: build/grades)")
    graded.add_argument("--cell-timeout", type=float, default=CELL_TIMEOUT, help=f"seconds per cell (default {CELL_TIMEOUT})")
    graded.add_argument(
        "--notebook-timeout", type=float, default=NOTEBOOK_TIMEOUT, help=f"seconds per notebook (default {NOTEBOOK_TIMEOUT})"
    )
    graded.add_argument("--kernel", default="python3", help="Jupyter kernel (default: python3)")
    args = parser.parse_args(argv)
    from musicviz.errors import MusicvizError

    try:
        if args.command == "student":
            release = student_release(args.out)
            files = sum(1 for p in release.rglob("*") if p.is_file())
            print(f"student release: {release} ({files} files; no solutions/, docs/, tests/, .ci/)")
            return 0
        started = time.perf_counter()
        results = grade_submissions(
            args.submissions,
            out=args.out,
            cell_timeout=args.cell_timeout,
            notebook_timeout=args.notebook_timeout,
            kernel_name=args.kernel,
            progress=lambda line: print(line, flush=True),
        )
    except MusicvizError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    failed = sum(1 for r in results if r.errors)
    print(
        f"{len(results)} notebooks graded in {time.perf_counter() - started:.0f} s ({failed} with errors or timeouts): "
        f"{args.out / 'grades.csv'}, {args.out / 'written.csv'}, {args.out / 'report.html'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
