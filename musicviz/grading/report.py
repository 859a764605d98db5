"""The grader's outputs: ``grades.csv``, ``written.csv`` and ``report.html``.

Notebook: every notebook (their exercises' points and written prompts); for instructors.
"""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path

from musicviz._io import atomic_write_text
from musicviz.grading.submissions import _exercise_order

__all__ = ["write_grades_csv", "write_written_csv", "write_report"]


def _columns(results) -> list[str]:
    ids = {eid for r in results for eid in r.max_points}
    return sorted(ids, key=_exercise_order)


def _number(value) -> str:
    return f"{value:g}"


def write_grades_csv(results, path) -> Path:
    """Write ``grades.csv``: one row per submission, one column per exercise (points earned).

    Columns: ``student``, ``notebook``, one per exercise id (empty where the exercise belongs
    to another notebook), ``total``, ``max_points``, ``seconds``, ``error``, ``flags`` (what to
    look at: :data:`~musicviz.grading.submissions.FLAG_KINDS`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from musicviz.grading import GradedSubmission, Submission, write_grades_csv
    >>> graded = GradedSubmission(Submission("ada", "00_introduction.ipynb", pathlib.Path("x")),
    ...                           points={"00.1": 1}, max_points={"00.1": 1})
    >>> path = write_grades_csv([graded], pathlib.Path(tempfile.mkdtemp()) / "grades.csv")
    >>> path.read_text().splitlines()[1]
    'ada,00_introduction.ipynb,1,1,1,0.0,,'
    """
    columns = _columns(results)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "notebook", *columns, "total", "max_points", "seconds", "error", "flags"])
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
                r.flag,
            ]
        )
    return atomic_write_text(path, buffer.getvalue())


def write_written_csv(results, path) -> Path:
    """Write ``written.csv``: one row per written prompt of each submission, to grade by hand.

    Columns: ``student``, ``notebook``, ``prompt`` (``NN.k``, or ``prediction NN.k`` for the
    value of a ``prediction_NN_k`` variable), ``rubric`` (where its rubric is), ``text`` (what
    the student wrote), ``points`` (empty: the grader's to fill in).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from musicviz.grading import Discussion, GradedSubmission, Submission, write_written_csv
    >>> said = Discussion("00.4", "**Discuss 00.4** Why?", "Because.", "docs/rubrics/00_introduction.md")
    >>> graded = GradedSubmission(Submission("ada", "00_introduction.ipynb", pathlib.Path("x")), discussions=[said])
    >>> write_written_csv([graded], pathlib.Path(tempfile.mkdtemp()) / "written.csv").read_text().splitlines()[1]
    'ada,00_introduction.ipynb,00.4,docs/rubrics/00_introduction.md,Because.,'
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "notebook", "prompt", "rubric", "text", "points"])
    for r in results:
        for d in r.discussions:
            writer.writerow([r.submission.student, r.submission.notebook, d.id, d.rubric, d.text, ""])
        for name, text in r.predictions:
            prompt = "prediction " + name[len("prediction_"):].replace("_", ".", 1)
            writer.writerow([r.submission.student, r.submission.notebook, prompt, "", text, ""])
    return atomic_write_text(path, buffer.getvalue())


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; max-width: 75em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td.num { text-align: right; } tr.bad td { background: #fff0f0; }
pre { white-space: pre-wrap; margin: 0; font-family: inherit; }
"""


def write_report(results, path, *, seconds: float | None = None, sandbox=None) -> Path:
    """Write ``report.html``: per-student tables, success rate per exercise, flags, failed runs, written prompts.

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
    flagged = [r for r in results if r.flags]
    summary += f"; {len(flagged)} flagged"
    if seconds is not None:
        summary += f"; graded in {seconds:.0f} s"
    parts.append(f"<p>{e(summary)}.</p>")
    if sandbox is not None:
        if getattr(sandbox, "isolated", False):
            said = "Each submission ran in its own namespace sandbox (no instructor files, no network, read-only data)."
        else:
            said = (f"Warning: no namespace sandbox ({getattr(sandbox, 'why', '')}): submissions could read what the "
                    "grader's user can read; the flags are the only sign of it.")
        parts.append(f"<p>{e(said)}</p>")
    parts.append("<p>Auto-graded points are formative: the checks compute each truth inside the student's own kernel, "
                 "so a determined student can read them. Weigh the written prompts (to grade by hand, below).</p>")

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
        parts.append("<th>total</th><th>error</th><th>flags</th></tr>")
        for r in rows:
            row_class = ' class="bad"' if r.errors or r.flags else ""
            parts.append(f"<tr{row_class}><td>{e(r.submission.student)}</td>")
            parts.extend(
                f'<td class="num">{_number(r.points[c])}/{_number(r.max_points[c])}</td>' if c in r.points else "<td></td>"
                for c in columns
            )
            parts.append(
                f'<td class="num">{_number(r.total)}/{_number(sum(r.max_points.values()))}</td>'
                f"<td>{e(r.error)}</td><td>{e(r.flag)}</td></tr>"
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

    parts.append("<h2>Flags</h2>")
    if flagged:
        from musicviz.grading.submissions import FLAG_KINDS

        parts.append("<p>What to look at in these submissions (the points stay as the answers earned them):</p><ul>")
        for r in flagged:
            items = "".join(
                f"<li>{e(flag)} <i>({e(FLAG_KINDS.get(flag.split(':', 1)[0], ''))})</i></li>" for flag in r.flags
            )
            parts.append(f"<li><b>{e(r.submission.student)}</b>, {e(r.submission.notebook)}<ul>{items}</ul></li>")
        parts.append("</ul>")
    else:
        parts.append("<p>No submission was flagged.</p>")

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
