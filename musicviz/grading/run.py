"""Grading: run each submission in a fresh kernel and grade its answers here.

Notebook: every notebook (their exercises); for instructors, not students.

:func:`grade_submissions` runs every submitted notebook with the course's one runner
(:func:`musicviz.course.runner.run_notebook`) in a fresh ``python3`` kernel (its own process)
in an empty temporary folder, with a per-cell and a per-notebook timeout, executing past
failing cells, then one injected cell (:func:`musicviz.grading.answers.reader_cell`) that
prints the answer variables as tagged JSON. The grader decodes them and calls
:func:`musicviz.exercises.grade` **in its own process**, so a submission cannot grade itself.
"""

from __future__ import annotations

import tempfile
import time
import warnings
from pathlib import Path

from musicviz._io import atomic_write_text, project_root
from musicviz.course.runner import one_line, run_notebook
from musicviz.errors import OutputError, ParameterError
from musicviz.grading.answers import decode, new_marker, read_answers, reader_cell
from musicviz.grading.report import write_grades_csv, write_report, write_written_csv
from musicviz.grading.submissions import GradedSubmission, Submission, exercises_of, find_submissions, written_prompts

__all__ = ["CELL_TIMEOUT", "NOTEBOOK_TIMEOUT", "READ_TIMEOUT", "grade_notebook", "grade_submissions"]

#: Default seconds one cell may run (training the CNN of notebook 06 takes 1-2 minutes).
CELL_TIMEOUT = 300
#: Default seconds a whole notebook may run (the series runs in 3-4 minutes in all).
NOTEBOOK_TIMEOUT = 900
#: Seconds the injected cell that reads the answers may run.
READ_TIMEOUT = 30


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
        result.errors.append(f"not a readable notebook ({type(exc).__name__}: {one_line(exc, 120)})")
        return result
    course = _course_notebook(root, submission.key)
    template = nbformat.read(course, as_version=4) if course is not None else None
    rubric = f"docs/rubrics/{(course or Path(submission.notebook)).stem}.md"
    result.discussions = written_prompts(nb, template=template, rubric=rubric)
    if not exercises and not result.discussions:
        result.errors.append(f"{submission.notebook} is not a notebook of the course (no exercises registered for it)")
        return result
    marker = new_marker()
    with tempfile.TemporaryDirectory(prefix="musicviz-grade-") as cwd:
        run = run_notebook(
            nb,
            cwd=cwd,
            timeout=cell_timeout,
            notebook_timeout=notebook_timeout,
            allow_errors=True,
            after=[reader_cell([e.variable for e in exercises], marker)],
            after_timeout=READ_TIMEOUT,
            kernel_name=kernel_name,
            # The kernel process's own stderr is noise in the grading log; what the student's
            # code prints reaches the notebook through the kernel's messages.
            quiet=True,
        )
    result.errors.extend(run.errors)
    result.timed_out = run.timed_out
    answers = None
    if run.after:  # the kernel lived to run the reader
        try:
            answers = read_answers(run.after[0], marker)
        except ValueError as exc:
            failure = next((o for o in run.after[0].outputs if o.get("output_type") == "error"), None)
            why = f"{failure.get('ename')}: {one_line(failure.get('evalue', ''), 80)}" if failure else str(exc)
            result.errors.append(f"could not read the answers ({why})")
    for exercise in exercises:
        if answers is None:
            break
        found = answers.get(exercise.variable)
        if not isinstance(found, dict) or found.get("missing"):
            result.notes.append(f"{exercise.id}: no variable {exercise.variable}")
            continue
        if "unreadable" in found:
            result.notes.append(f"{exercise.id}: answer not readable ({one_line(found['unreadable'], 100)})")
            continue
        try:
            value = decode(found.get("value"))
        except (ValueError, TypeError) as exc:
            result.notes.append(f"{exercise.id}: answer not readable ({exc})")
            continue
        try:
            right = grade(exercise.id, value)
        except Exception as exc:  # a check that breaks on an odd answer: count it wrong, say so
            result.notes.append(f"{exercise.id}: the check failed on this answer ({type(exc).__name__}: {one_line(exc, 100)})")
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
    write_written_csv(results, out / "written.csv")
    write_report(results, out / "report.html", seconds=elapsed)
    return results
