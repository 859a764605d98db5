"""Grading: truths first, then each submission in its own sandboxed kernel, then the grades.

Notebook: every notebook (their exercises); for instructors, not students.

:func:`grade_submissions` does it in this order:

1. **Truths first.** It copies the course data into a private snapshot and computes the truth
   of every exercise it will grade there, in this process, before any submission runs
   (:mod:`musicviz.grading.truths`).
2. **Isolation.** Each submission runs in a fresh kernel started through the sandbox launcher
   (:mod:`musicviz.grading.sandbox`), in its own throwaway copy of the student release whose
   exercise checks are withheld (:mod:`musicviz.grading.isolation`): no ``solutions/``,
   ``docs/``, instructor files or other submissions within reach, the course data read-only,
   no network, limits on memory, processes, file size and output. Then :data:`SETTLE` and a
   reader cell (:func:`musicviz.grading.answers.reader_cell`) report the answer variables as
   plain JSON, and the grader compares each with its truth **in its own process**.
3. **Nothing left.** Every process of the sandbox is killed before the next submission starts;
   what a submission left running, a change to the course data (undone), output truncated,
   code that refers to the answer code, are *flags* (``grades.csv``, ``report.html``). The
   grades are written once every process of every submission is gone. Stopping the grader
   (Ctrl-C, SIGTERM) stops every kernel it started and writes no grades.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
import signal
import threading
import time
import warnings
from pathlib import Path

from musicviz._io import atomic_write_text, project_root
from musicviz.course.runner import one_line, run_notebook
from musicviz.errors import OutputError, ParameterError
from musicviz.grading.answers import SETTLE, decode, new_marker, read_answers, reader_cell
from musicviz.grading.isolation import (
    Limits,
    Sandbox,
    Workspace,
    left_behind,
    processes_with_marker,
    sandbox_members,
    sandbox_mode,
    stop_sandbox,
    tree_signature,
)
from musicviz.grading.report import write_grades_csv, write_report, write_written_csv
from musicviz.grading.scan import scan_notebook
from musicviz.grading.submissions import GradedSubmission, Submission, exercises_of, find_submissions, written_prompts
from musicviz.grading.truths import compute_truths, snapshot_course_data, tree_digest

__all__ = [
    "CELL_TIMEOUT",
    "NOTEBOOK_TIMEOUT",
    "READ_TIMEOUT",
    "MAX_NOTEBOOK_BYTES",
    "GradingStopped",
    "SandboxWarning",
    "check_timeouts",
    "grade_notebook",
    "grade_submissions",
]

#: Default seconds one cell may run (training the CNN of notebook 06 takes 1-2 minutes).
CELL_TIMEOUT = 300
#: Default seconds a whole notebook may run (the series runs in 3-4 minutes in all).
NOTEBOOK_TIMEOUT = 900
#: Seconds each injected cell (settling, reading the answers) may run.
READ_TIMEOUT = 30
#: Largest submitted notebook file read (bytes); a bigger one is an error of that submission.
MAX_NOTEBOOK_BYTES = 64 << 20


class SandboxWarning(UserWarning):
    """The namespace sandbox is not available: submissions run in the session fallback."""


class GradingStopped(KeyboardInterrupt):
    """The grader was told to stop (SIGTERM, SIGHUP): every kernel is stopped, no grades are written."""


def check_timeouts(cell_timeout, notebook_timeout) -> None:
    """Raise :class:`ParameterError` unless both timeouts are finite, positive numbers of seconds.

    Examples
    --------
    >>> from musicviz.grading.run import check_timeouts
    >>> check_timeouts(300, 900)
    >>> check_timeouts(300, float("nan"))
    Traceback (most recent call last):
    ...
    musicviz.errors.ParameterError: cell_timeout and notebook_timeout must be finite, positive seconds, got 300 and nan
    """
    for value in (cell_timeout, notebook_timeout):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise ParameterError(
                "cell_timeout and notebook_timeout must be finite, positive seconds, "
                f"got {cell_timeout!r} and {notebook_timeout!r}"
            )


# --------------------------------------------------------------------------- one grading run
class _Grading:
    """The state of one grading run: sandbox, workspace, truths, the live kernels; a context manager."""

    def __init__(self, exercise_ids, *, root=None, sandbox=None, limits=None, progress=None):
        self.root = Path(root) if root is not None else project_root()
        self.progress = progress or (lambda line: None)
        mode, why = sandbox_mode(force=sandbox)
        self.sandbox = Sandbox(mode, limits or Limits(), why=why)
        if self.sandbox.mode == "session":
            message = (
                f"warning: no namespace sandbox ({self.sandbox.why}): each submission runs in its own session with limits, "
                "but can read what this user can read, and use the network"
                + (" (and, as root, start any number of processes)" if self.sandbox.uid == 0 else "")
                + ". Grade as root on Linux, or in a throwaway container or VM."
            )
            warnings.warn(message, SandboxWarning, stacklevel=3)
            self.progress(message)
        self.exercise_ids = list(exercise_ids)
        self.live: dict = {}  # Run -> launcher pid
        self.workspace = None
        self._handlers = {}

    # ------------------------------------------------------------------ set up, tear down
    def __enter__(self):
        self._install_signal_handlers()
        try:
            self.workspace = Workspace(sandbox=self.sandbox)
            started = time.perf_counter()
            self.workspace.build_release(self.root)
            truth = self.workspace.path / "truth"  # the grader's own: no kernel reaches it
            self.snapshot = snapshot_course_data(truth)
            os.chmod(truth, 0o700)
            self._copy_kernel_data()
            self.progress(
                f"grading: {self.sandbox.mode} sandbox; course data snapshot ({', '.join(self.snapshot.parts) or 'none'}) "
                f"in {time.perf_counter() - started:.0f} s; computing {len(self.exercise_ids)} truths"
            )
            self.truths = compute_truths(self.exercise_ids, snapshot=self.snapshot, progress=self.progress)
            self.data_signature = self._data_signature()
            self.original = self._original_signature()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        try:
            self.stop_everything()
        finally:
            if self.workspace is not None:
                self.workspace.remove()
            self._restore_signal_handlers()

    def _install_signal_handlers(self):
        if threading.current_thread() is not threading.main_thread():
            return

        def stop(signum, frame):
            raise GradingStopped(f"stopped by signal {signal.Signals(signum).name}")

        # Ctrl-C too: one handler for every way to stop the grader, whatever the process's
        # SIGINT disposition was (a shell's background job may have it ignored).
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            self._handlers[sig] = signal.signal(sig, stop)

    def _restore_signal_handlers(self):
        for sig, handler in self._handlers.items():
            signal.signal(sig, handler)
        self._handlers = {}

    def stop_everything(self) -> list[int]:
        """Kill every process of every kernel this run started; returns those that would not die."""
        left = []
        for run, launcher in list(self.live.items()):
            left += stop_sandbox(run, launcher)
            self.live.pop(run, None)
        if self.workspace is not None:
            deadline = time.monotonic() + 10
            while (stray := processes_with_marker(self.workspace.token)) and time.monotonic() < deadline:
                for pid in stray:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(pid, signal.SIGKILL)
                time.sleep(0.05)
            left += processes_with_marker(self.workspace.token)
        return sorted(set(left))

    # ------------------------------------------------------------------ the course data
    def _copy_kernel_data(self):
        data = self.workspace.data
        data.mkdir(mode=0o755)
        for name in ("synth", "gtzan", "cache", "models"):
            if (self.snapshot.folder / name).is_dir():
                shutil.copytree(self.snapshot.folder / name, data / name)
        for part in self.snapshot.parts:  # the data sets: read-only to everyone (the kernels' user owns nothing here)
            _make_read_only(data / part)

    def _data_signature(self) -> dict:
        data = self.workspace.data
        return {name: tree_signature(data / name) for name in self.snapshot.parts}

    def _original_signature(self) -> dict:
        from musicviz.config import gtzan_dir, synth_dir

        return {str(p): tree_signature(p) for p in (synth_dir(), gtzan_dir()) if Path(p).is_dir()}

    def check_data(self) -> list[str]:
        """Flags for course data a submission changed (then undone); the truths never depend on it."""
        flags = []
        data = self.workspace.data
        now = self._data_signature()
        for name in self.snapshot.parts:
            if now[name] == self.data_signature[name]:
                continue
            if tree_digest(data / name) != self.snapshot.digests[name]:
                flags.append(f"changed-data: data/{name} (restored from the snapshot)")
                _make_writable(data / name)
                shutil.rmtree(data / name)
                shutil.copytree(self.snapshot.folder / name, data / name)
                _make_read_only(data / name)
        self.data_signature = self._data_signature()
        original = self._original_signature()
        for path, signature in original.items():
            if signature != self.original.get(path):
                flags.append(f"changed-data: {path} (the instructor's copy; the truths come from the snapshot)")
        self.original = original
        return flags

    # ------------------------------------------------------------------ one submission
    def grade(self, submission: Submission, *, cell_timeout, notebook_timeout, kernel_name, executed=None):
        return _grade_one(self, submission, cell_timeout=cell_timeout, notebook_timeout=notebook_timeout,
                          kernel_name=kernel_name, executed=executed)


def _make_read_only(folder: Path):
    for path, dirs, files in os.walk(folder):
        for name in files:
            os.chmod(os.path.join(path, name), 0o444)
        for name in dirs:
            os.chmod(os.path.join(path, name), 0o555)
    os.chmod(folder, 0o555)


def _make_writable(folder: Path):
    for path, dirs, files in os.walk(folder):
        os.chmod(path, 0o755)
        for name in files:
            with contextlib.suppress(OSError):
                os.chmod(os.path.join(path, name), 0o644)


_PREDICTION = re.compile(r"^prediction_(\d{2}[a-z]?)_(\d+)$")


def _grade_one(grading: _Grading, submission: Submission, *, cell_timeout, notebook_timeout, kernel_name, executed):
    import nbformat

    from musicviz.exercises import grade

    result = GradedSubmission(submission)
    exercises = exercises_of(submission.key) if submission.key else []
    result.max_points = {e.id: e.points for e in exercises}
    result.points = {e.id: 0 for e in exercises}
    started = time.perf_counter()
    try:
        size = Path(submission.path).stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            raise ValueError(f"{size / 2**20:.0f} MB, more than {MAX_NOTEBOOK_BYTES >> 20} MB")
        with warnings.catch_warnings():  # an old notebook without cell ids is still a notebook
            warnings.simplefilter("ignore")
            nb = nbformat.read(submission.path, as_version=4)
    except Exception as exc:  # not JSON, not a notebook, too large: that student's problem, not the run's
        result.errors.append(f"not a readable notebook ({type(exc).__name__}: {one_line(exc, 120)})")
        return result
    course = _course_notebook(grading.root, submission.key)
    template = nbformat.read(course, as_version=4) if course is not None else None
    rubric = f"docs/rubrics/{(course or Path(submission.notebook)).stem}.md"
    result.discussions = written_prompts(nb, template=template, rubric=rubric)
    if not exercises and not result.discussions:
        result.errors.append(f"{submission.notebook} is not a notebook of the course (no exercises registered for it)")
        return result
    result.flags.extend(scan_notebook(nb))
    limits = grading.sandbox.limits
    marker = new_marker()
    reader = reader_cell([e.variable for e in exercises], marker)
    run = grading.workspace.new_run()
    launcher = {"pid": None, "left": []}

    def started_kernel(pid):
        launcher["pid"] = pid
        grading.live[run] = pid

    def before_shutdown(pid):
        launcher["left"] = left_behind(sandbox_members(run, pid), pid)

    try:
        run.prepare()
        grading.live[run] = None
        outcome = run_notebook(
            nb,
            cwd=run.launch_cwd,
            timeout=cell_timeout,
            notebook_timeout=notebook_timeout,
            allow_errors=True,
            after=[SETTLE, reader, reader],  # twice: a flood's last burst may cost the first
            after_timeout=READ_TIMEOUT,
            kernel_name=kernel_name,
            # The kernel process's own stderr is noise in the grading log; what the student's
            # code prints reaches the notebook through the kernel's messages.
            quiet=True,
            kernel_prefix=run.prefix(),
            connection_dir=run.conn,
            transport="ipc",
            max_cell_output=limits.cell_output,
            max_output=limits.output,
            max_message=limits.message,
            on_kernel_start=started_kernel,
            before_kernel_shutdown=before_shutdown,
        )
        left = launcher["left"]
        still = stop_sandbox(run, launcher["pid"])
    finally:
        if run in grading.live:
            stop_sandbox(run, launcher["pid"])
            grading.live.pop(run, None)
    state = run.read_state()
    run.remove()
    result.errors.extend(outcome.errors)
    result.timed_out = outcome.timed_out
    if state.get("setup_error"):
        result.errors.append(f"the sandbox could not start the kernel ({one_line(state['setup_error'], 160)})")
        result.flags.append(f"sandbox: {one_line(state['setup_error'], 80)}")
    if state.get("memory_killed"):
        result.errors.append(f"the kernel was stopped: more than {limits.memory / 2**30:g} GiB of memory")
        result.flags.append(f"memory: more than {limits.memory / 2**30:g} GiB")
    if left:
        result.flags.append(f"left-processes: {len(left)} still running after the last cell (stopped)")
    if still:
        result.flags.append(f"sandbox: {len(still)} processes would not stop")
    truncated = sorted(set(outcome.truncated) | set(_cut_in_the_kernel(nb)))
    if truncated:
        result.flags.append(
            "output-truncated: cell" + ("s " if len(truncated) > 1 else " ")
            + ", ".join(str(c) for c in truncated[:10]) + ("…" if len(truncated) > 10 else "")
        )
    if outcome.timed_out:
        result.flags.append("timed-out: " + next((e for e in outcome.errors if e.startswith("timeout")), "yes")[9:])
    result.flags.extend(grading.check_data())

    answers = None
    readers = outcome.after[1:]
    if readers:  # the kernel lived to run a reader
        problem = None
        for cell in readers:
            try:
                answers = read_answers(cell, marker)
                break
            except (ValueError, RecursionError) as exc:
                failure = next((o for o in cell.outputs if o.get("output_type") == "error"), None)
                problem = f"{failure.get('ename')}: {one_line(failure.get('evalue', ''), 80)}" if failure else str(exc)
        if answers is None:
            if not any(cell.outputs for cell in readers):  # nothing at all came back from the kernel
                problem = (f"nothing came back from the kernel: its output channel was cut, e.g. by a message "
                           f"over {limits.message >> 20} MiB")
                result.flags.append(f"output-truncated: {problem}")
            result.errors.append(f"could not read the answers ({problem})")
    elif not any("kernel died" in e for e in result.errors):
        result.errors.append("could not read the answers (the kernel did not run the reader)")
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
        except (ValueError, TypeError, RecursionError) as exc:
            result.notes.append(f"{exercise.id}: answer not readable ({one_line(exc, 100)})")
            continue
        truth = grading.truths.get(exercise.id)
        if truth is None or truth.error is not None:
            result.notes.append(f"{exercise.id}: not graded: its truth could not be computed ({truth.error if truth else 'no truth'})")
            continue
        try:
            right = grade(exercise.id, value, truth=truth.value)
        except Exception as exc:  # a check that breaks on an odd answer: count it wrong, say so
            result.notes.append(f"{exercise.id}: the check failed on this answer ({type(exc).__name__}: {one_line(exc, 100)})")
            right = False
        result.points[exercise.id] = exercise.points if right else 0
    if answers is not None:
        for name in sorted(answers):
            match = _PREDICTION.match(name)
            if not match or match.group(1) != submission.key:
                continue
            found = answers[name]
            try:
                value = decode(found.get("value")) if isinstance(found, dict) and "value" in found else None
            except (ValueError, TypeError, RecursionError):
                value = "(not readable)"
            if value is not None:
                result.predictions.append((name, one_line(value, 2000)))
    result.seconds = time.perf_counter() - started
    if executed is not None:
        atomic_write_text(executed, nbformat.writes(nb) + "\n")
    return result


def _cut_in_the_kernel(nb) -> list[int]:
    """The cells (from 1) whose output the kernel itself truncated (:data:`~musicviz.grading.isolation.KERNEL_STARTUP`)."""
    cut = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and any(
            "[musicviz: output truncated in the kernel" in "".join(o.get("text", "")) for o in cell.get("outputs", [])
        ):
            cut.append(index + 1)
    return cut


def _course_notebook(root: Path, key: str | None) -> Path | None:
    if key is None:
        return None
    return next(iter(sorted((root / "notebooks").glob(f"{key}_*.ipynb"))), None)


def grade_notebook(
    submission: Submission,
    *,
    cell_timeout: float = CELL_TIMEOUT,
    notebook_timeout: float = NOTEBOOK_TIMEOUT,
    kernel_name: str = "python3",
    root=None,
    executed=None,
    sandbox: str | None = None,
    limits: Limits | None = None,
) -> GradedSubmission:
    """Grade one submitted notebook on its own (a grading run of one: see :func:`grade_submissions`).

    Parameters
    ----------
    submission : Submission
        See :func:`find_submissions`.
    cell_timeout, notebook_timeout : float
        Seconds one cell, and the whole notebook, may run (finite, positive).
    kernel_name : str
        The Jupyter kernel (the environment's ``python3``).
    root : path-like or None
        The project (course notebooks, rubric paths, the release); default: this checkout.
    executed : path-like or None
        Where to save the executed notebook (no file when ``None``).
    sandbox : {None, "namespace", "session"}
        Force a sandbox mode (default: namespaces where this machine allows them).
    limits : Limits or None
        Memory, processes, file size and output limits (default :class:`Limits`).

    Returns
    -------
    GradedSubmission

    Raises
    ------
    ParameterError
        A timeout that is not a finite, positive number of seconds.

    Examples
    --------
    >>> import pathlib
    >>> from musicviz.grading import Submission, grade_notebook
    >>> grade_notebook(Submission("ada", "00_introduction.ipynb", pathlib.Path("x.ipynb")), cell_timeout=float("inf"))
    Traceback (most recent call last):
    ...
    musicviz.errors.ParameterError: cell_timeout and notebook_timeout must be finite, positive seconds, got inf and 900
    """
    check_timeouts(cell_timeout, notebook_timeout)
    ids = [e.id for e in exercises_of(submission.key)] if submission.key else []
    with _Grading(ids, root=root, sandbox=sandbox, limits=limits) as grading:
        result = grading.grade(submission, cell_timeout=cell_timeout, notebook_timeout=notebook_timeout,
                               kernel_name=kernel_name, executed=executed)
    return result


def grade_submissions(
    folder,
    *,
    out,
    cell_timeout: float = CELL_TIMEOUT,
    notebook_timeout: float = NOTEBOOK_TIMEOUT,
    kernel_name: str = "python3",
    root=None,
    progress=None,
    sandbox: str | None = None,
    limits: Limits | None = None,
) -> list[GradedSubmission]:
    """Grade every submission in ``folder``; write ``grades.csv``, ``written.csv`` and ``report.html``.

    Truths first (from a private snapshot of the course data), then each submission in its own
    sandboxed kernel, one at a time; the files are written once every process of every
    submission is gone. See the module's docstring.

    Parameters
    ----------
    folder : path-like
        The submissions (layouts: :func:`find_submissions`).
    out : path-like
        The output folder (created; its ``grades.csv``, ``written.csv``, ``report.html`` and
        ``executed/`` are replaced).
    cell_timeout, notebook_timeout : float
        Seconds one cell, and one notebook, may run (finite, positive).
    kernel_name : str
        The Jupyter kernel that runs the submissions.
    root : path-like or None
        The project (course notebooks, rubric paths, the release); default: this checkout.
    progress : callable or None
        Called with one line of text per graded notebook (and per truth computed).
    sandbox : {None, "namespace", "session"}
        Force a sandbox mode (default: namespaces where this machine allows them, else the
        session fallback with a warning).
    limits : Limits or None
        Memory, processes, file size and output limits of each kernel (default :class:`Limits`).

    Returns
    -------
    list of GradedSubmission

    Raises
    ------
    ParameterError
        Bad submissions folder (see :func:`find_submissions`) or timeouts.
    OutputError
        ``out`` exists and is not a folder.
    GradingStopped
        SIGTERM or SIGHUP: every kernel was stopped and nothing was written (Ctrl-C raises
        ``KeyboardInterrupt`` the same way).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from musicviz.grading import grade_submissions
    >>> grade_submissions(pathlib.Path(tempfile.mkdtemp()), out="unused")
    Traceback (most recent call last):
    ...
    musicviz.errors.ParameterError: submissions folder ...: no .ipynb file found
    """
    check_timeouts(cell_timeout, notebook_timeout)
    submissions = find_submissions(folder)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"grades folder {out}: exists and is not a folder")
    ids = sorted({e.id for s in submissions if s.key for e in exercises_of(s.key)})
    executed = out / "executed"
    started = time.perf_counter()
    results = []
    with _Grading(ids, root=root, sandbox=sandbox, limits=limits, progress=progress) as grading:
        for submission in submissions:
            graded = grading.grade(
                submission,
                cell_timeout=cell_timeout,
                notebook_timeout=notebook_timeout,
                kernel_name=kernel_name,
                executed=executed / f"{submission.student}__{submission.notebook}",
            )
            results.append(graded)
            if progress is not None:
                status = "TIMEOUT" if graded.timed_out else "error" if graded.errors else "ok"
                flags = f"  flags: {graded.flag}" if graded.flags else ""
                progress(
                    f"  {submission.student:20s} {submission.notebook:40s} "
                    f"{graded.total:g}/{sum(graded.max_points.values()):g}  {status:7s} {graded.seconds:6.1f} s{flags}"
                )
        stray = grading.stop_everything()
        if stray:
            raise OutputError(f"{len(stray)} processes of the submissions would not stop ({stray[:5]}); no grades written")
    elapsed = time.perf_counter() - started
    write_grades_csv(results, out / "grades.csv")
    write_written_csv(results, out / "written.csv")
    write_report(results, out / "report.html", seconds=elapsed, sandbox=grading.sandbox)
    return results
