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

:func:`grade_submissions` runs every submitted notebook with the course's one notebook runner
(:func:`musicviz.course.runner.run_notebook`) in a fresh ``python3`` kernel (its own process)
with a per-cell and a per-notebook timeout, executing past failing cells (``allow_errors``),
then runs one injected cell (``after=``) that prints the answer variables
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

The modules: :mod:`~musicviz.grading.submissions` (finding submissions, their exercises and
written prompts), :mod:`~musicviz.grading.answers` (the injected cell and the tagged JSON),
:mod:`~musicviz.grading.run` (running and grading), :mod:`~musicviz.grading.report`
(``grades.csv``, ``written.csv``, ``report.html``), :mod:`~musicviz.grading.release` (the
student release) and :mod:`~musicviz.grading.cli` (the command line); every public name is
importable from ``musicviz.grading``.
"""

from __future__ import annotations

from musicviz.grading.answers import MAX_ANSWERS_JSON
from musicviz.grading.cli import main
from musicviz.grading.release import (
    NEUTRAL_SOLUTIONS,
    RELEASE_EXCLUDED,
    RELEASE_FILES,
    RELEASE_FOLDERS,
    release_problems,
    student_release,
)
from musicviz.grading.report import write_grades_csv, write_report, write_written_csv
from musicviz.grading.run import CELL_TIMEOUT, NOTEBOOK_TIMEOUT, READ_TIMEOUT, grade_notebook, grade_submissions
from musicviz.grading.submissions import (
    Discussion,
    GradedSubmission,
    Submission,
    exercises_of,
    find_submissions,
    notebook_key,
    written_prompts,
)

__all__ = [
    "Submission",
    "Discussion",
    "GradedSubmission",
    "CELL_TIMEOUT",
    "NOTEBOOK_TIMEOUT",
    "READ_TIMEOUT",
    "MAX_ANSWERS_JSON",
    "RELEASE_FILES",
    "RELEASE_FOLDERS",
    "RELEASE_EXCLUDED",
    "NEUTRAL_SOLUTIONS",
    "notebook_key",
    "exercises_of",
    "find_submissions",
    "written_prompts",
    "grade_notebook",
    "grade_submissions",
    "write_grades_csv",
    "write_written_csv",
    "write_report",
    "student_release",
    "release_problems",
    "main",
]
