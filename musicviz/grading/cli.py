"""``python -m musicviz.grading student|grade ...``: the grading command line.

Notebook: every notebook; for instructors (``make student``, ``make grade``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from musicviz.grading.release import student_release
from musicviz.grading.run import CELL_TIMEOUT, NOTEBOOK_TIMEOUT, grade_submissions

__all__ = ["main"]


def main(argv=None) -> int:
    """``python -m musicviz.grading student|grade ...`` (see :mod:`musicviz.grading`); returns the exit status.

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
