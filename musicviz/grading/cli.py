"""``python -m musicviz.grading student|grade ...``: the grading command line.

Notebook: every notebook; for instructors (``make student``, ``make grade``).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from pathlib import Path

from musicviz.grading.isolation import Limits
from musicviz.grading.release import student_release
from musicviz.grading.run import CELL_TIMEOUT, NOTEBOOK_TIMEOUT, grade_submissions

__all__ = ["main"]


def _finite_positive(unit: str, scale: float = 1.0):
    """An argparse type: a finite, positive number of ``unit`` (times ``scale``); ``nan``, ``inf``,
    ``0`` and negatives are usage errors."""

    def parse(text: str):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of {unit}") from None
        if not math.isfinite(value) or value <= 0:
            raise argparse.ArgumentTypeError(f"{text!r}: give a finite, positive number of {unit}")
        return value if scale == 1.0 else int(value * scale)

    return parse


_seconds = _finite_positive("seconds")
_gib = _finite_positive("GiB", 1 << 30)  # as bytes


def main(argv=None) -> int:
    """``python -m musicviz.grading student|grade ...`` (see :mod:`musicviz.grading`); returns the exit status.

    Usage errors (an empty folder, a timeout that is not a finite, positive number of
    seconds) return 2 with a message and no traceback; a stopped grader (Ctrl-C, SIGTERM)
    returns 130 after stopping every kernel, and writes no grades.

    Examples
    --------
    >>> import tempfile
    >>> from musicviz.grading import main
    >>> main(["grade", tempfile.mkdtemp(), "--out", tempfile.mkdtemp()])  # an empty folder: status 2
    2
    """
    parser = argparse.ArgumentParser(
        prog="python -m musicviz.grading",
        description="Grading for instructors: a student release without solutions, and a grader for submissions.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    student = commands.add_parser("student", help="write the student release (no solutions, rubrics, tests)")
    student.add_argument("--out", type=Path, default=Path("build/student"), help="release folder (default: build/student)")
    graded = commands.add_parser("grade", help="run and grade a folder of submitted notebooks")
    graded.add_argument("submissions", type=Path, help="SUBMISSIONS/<student>/<nb>.ipynb or SUBMISSIONS/<student>__<nb>.ipynb")
    graded.add_argument("--out", type=Path, default=Path("build/grades"), help="output folder (default: build/grades)")
    graded.add_argument("--cell-timeout", type=_seconds, default=CELL_TIMEOUT, help=f"seconds per cell (default {CELL_TIMEOUT})")
    graded.add_argument(
        "--notebook-timeout", type=_seconds, default=NOTEBOOK_TIMEOUT, help=f"seconds per notebook (default {NOTEBOOK_TIMEOUT})"
    )
    graded.add_argument("--kernel", default="python3", help="Jupyter kernel (default: python3)")
    default = Limits()
    graded.add_argument("--memory", type=_gib, default=default.memory,
                        help=f"GiB of memory per submission, all its processes together (default {default.memory / 2**30:g})")
    graded.add_argument("--sandbox", choices=("auto", "namespace", "session"), default="auto",
                        help="namespace: fail unless the namespace sandbox works; session: the fallback (default: auto)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse printed the usage and the error
        return int(exc.code or 0)
    from musicviz.errors import MusicvizError

    try:
        if args.command == "student":
            release = student_release(args.out)
            files = sum(1 for p in release.rglob("*") if p.is_file())
            print(f"student release: {release} ({files} files; no solutions/, docs/, tests/, .ci/)")
            return 0
        started = time.perf_counter()
        from musicviz.grading.run import SandboxWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SandboxWarning)  # the progress lines say it, once
            results = grade_submissions(
                args.submissions,
                out=args.out,
                cell_timeout=args.cell_timeout,
                notebook_timeout=args.notebook_timeout,
                kernel_name=args.kernel,
                progress=lambda line: print(line, flush=True),
                sandbox=None if args.sandbox == "auto" else args.sandbox,
                limits=Limits(memory=args.memory),
            )
    except MusicvizError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM, SIGHUP: every kernel was stopped
        print(f"grading stopped ({exc or 'interrupted'}): every kernel was stopped; no grades written", file=sys.stderr)
        return 130
    failed = sum(1 for r in results if r.errors)
    flagged = sum(1 for r in results if r.flags)
    print(
        f"{len(results)} notebooks graded in {time.perf_counter() - started:.0f} s ({failed} with errors or timeouts, "
        f"{flagged} flagged): {args.out / 'grades.csv'}, {args.out / 'written.csv'}, {args.out / 'report.html'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
