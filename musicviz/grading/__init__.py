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

:func:`grade_submissions` grades a folder of submitted notebooks, in three steps
(:mod:`~musicviz.grading.run`):

1. **Truths first.** A private snapshot of the course data, from which the truth of every
   exercise to grade is computed once, in the grader's process, before any submission runs
   (:mod:`~musicviz.grading.truths`). A submission cannot move anyone's truth.
2. **Each submission in its own sandbox.** A fresh ``python3`` kernel started through the
   launcher :mod:`~musicviz.grading.sandbox` (mount, PID, network namespaces, ``chroot``, an
   unprivileged user; or a session fallback with a warning where namespaces are not
   available), in its own throwaway copy of the student release whose checks are withheld
   (:mod:`~musicviz.grading.isolation`): no ``solutions/``, ``docs/``, other submissions or
   grades within reach, the course data read-only, limits on memory, processes, file size and
   output (truncated as it arrives). A per-cell and a per-notebook timeout, past failing
   cells (``allow_errors``); then injected cells report the ``answer_NN_k`` and
   ``prediction_NN_k`` variables as plain, bounded JSON (:mod:`~musicviz.grading.answers`),
   compared with the truths **in the grader's process**.
3. **Nothing left, then the grades.** Every process of a sandbox is killed before the next
   submission starts; stopping the grader stops every kernel. What a submission did that an
   honest one does not (changed the course data, code that refers to the answer code or to
   files outside its folder, processes left running, output truncated, a timeout, too much
   memory) is a *flag* (:mod:`~musicviz.grading.scan`, ``grades.csv``'s ``flags``,
   ``report.html``). ``grades.csv`` (one row per student and notebook, one column per
   exercise, ``total``, ``max_points``, ``seconds``, ``error``, ``flags``), ``written.csv``
   (the written ``**Discuss NN.k**`` prompts and the predictions, to grade by hand against
   ``docs/rubrics/NN_topic.md``), ``report.html`` and ``executed/`` are written once every
   process of every submission is gone. Exercises and their points are read from the
   registry (:data:`musicviz.exercises.EXERCISES`), never listed here.

What stays true: the checks ship with the release and compute each truth inside the
student's own kernel, so a determined student can read them. Auto-graded points are
formative; the written prompts are where grades should weigh (``docs/INSTRUCTORS.md``).

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
points, a total) with per-exercise points (:attr:`~musicviz.exercises.Exercise.points`), and
its idea of grading each submission in a container of its own (here: namespaces, no Docker).

The modules: :mod:`~musicviz.grading.submissions` (finding submissions, their exercises and
written prompts), :mod:`~musicviz.grading.answers` (the injected cells and the plain JSON),
:mod:`~musicviz.grading.truths` (the snapshot and the truths), :mod:`~musicviz.grading.isolation`
and :mod:`~musicviz.grading.sandbox` (the sandbox, its limits, its processes),
:mod:`~musicviz.grading.scan` (what a submission's code refers to),
:mod:`~musicviz.grading.run` (running and grading), :mod:`~musicviz.grading.report`
(``grades.csv``, ``written.csv``, ``report.html``), :mod:`~musicviz.grading.release` (the
student release) and :mod:`~musicviz.grading.cli` (the command line); every public name is
importable from ``musicviz.grading``.
"""

from __future__ import annotations

from musicviz.grading.answers import MAX_ANSWERS_JSON
from musicviz.grading.cli import main
from musicviz.grading.isolation import Limits
from musicviz.grading.release import (
    NEUTRAL_SOLUTIONS,
    RELEASE_EXCLUDED,
    RELEASE_FILES,
    RELEASE_FOLDERS,
    release_problems,
    student_release,
)
from musicviz.grading.report import write_grades_csv, write_report, write_written_csv
from musicviz.grading.run import (
    CELL_TIMEOUT,
    NOTEBOOK_TIMEOUT,
    READ_TIMEOUT,
    GradingStopped,
    check_timeouts,
    grade_notebook,
    grade_submissions,
)
from musicviz.grading.submissions import (
    FLAG_KINDS,
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
    "Limits",
    "FLAG_KINDS",
    "GradingStopped",
    "check_timeouts",
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
