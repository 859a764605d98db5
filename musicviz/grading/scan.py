"""What a submission's code refers to: the answer code, code built at run time, files outside its folder.

Notebook: every notebook; for instructors (``make grade``).

The sandbox keeps the answer code and the instructor's files out of a graded kernel's reach
(:mod:`musicviz.grading.sandbox`), but the checks ship with the student release (they compute
the truths in the student's own kernel), and on a machine without namespaces the kernel can
read what the grader's user can. So the grader also reads each submission's code cells
(comments aside) and flags what an honest notebook has no reason to do
(:func:`scan_notebook`): refer to ``_exercise_checks``, ``EXERCISES``, ``grade(`` or
``solutions``; build code at run time (``exec``, ``eval``, ``importlib``, ...), which a
static reading cannot follow; name files outside the notebook's own folder. A flag is for the
instructor to read, not a verdict: the points stay as the answers earned them.
"""

from __future__ import annotations

import io
import re
import tokenize

__all__ = ["scan_notebook", "code_without_comments"]

_ANSWER_CODE = re.compile(
    r"_exercise_checks|_exercise_registry|\bEXERCISES\b|\bgrade\s*\(|\bright_answer\b|\bwithhold\b"
    r"|\b_answer_\d|\b_check_\d|\bsolutions\b|\bplain_answer\b|\.truth\b|\.compare\b"
)
_DYNAMIC = re.compile(
    r"\b(?:exec|eval|compile|__import__)\s*\(|\bimportlib\b|\bctypes\b|\bmarshal\b|\bb64decode\b|\bcodecs\.decode\b"
    r"|\bsys\.modules\b|\bglobals\s*\(\s*\)\s*\[|\bbuiltins\b"
)
_OUTSIDE = re.compile(
    r"""(?P<q>["'])(?P<path>(?:/(?:work|root|home|tmp|proc|sys|etc|var|srv|mnt|opt|media|run|dev/shm|course)\b"""
    r"""|~/|(?:\.\./){2,})[^"']*)(?P=q)"""
)


def code_without_comments(source: str) -> str:
    """``source`` without its comments (strings kept); the source itself when it does not tokenize.

    Examples
    --------
    >>> from musicviz.grading.scan import code_without_comments
    >>> code_without_comments("x = 1  # see solutions/\\ny = '# not a comment'")
    "x = 1  \\ny = '# not a comment'"
    """
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return source
    lines = source.splitlines(keepends=True)
    for token in reversed(tokens):
        if token.type == tokenize.COMMENT:
            row, col = token.start
            line = lines[row - 1]
            lines[row - 1] = line[:col] + line[token.end[1]:]
    return "".join(lines)


def _first(pattern, text: str, group: int | str = 0) -> str | None:
    match = pattern.search(text)
    return None if match is None else " ".join(match.group(group).split())[:60]


def scan_notebook(nb) -> list[str]:
    """The flags (``"kind: detail"``) a submitted notebook's code cells earn; empty when none.

    Examples
    --------
    >>> from musicviz.grading.scan import scan_notebook
    >>> cells = [{"cell_type": "code", "source": "import musicviz._exercise_checks.nb00 as n"},
    ...          {"cell_type": "code", "source": "answer_00_1 = 3  # not from solutions/"},
    ...          {"cell_type": "code", "source": "open('/work/main/solutions/00_introduction.py')"}]
    >>> scan_notebook({"cells": cells})
    ['answer-code: _exercise_checks (cell 1)', 'answer-code: solutions (cell 3)', 'outside: /work/main/solutions/00_introduction.py (cell 3)']
    """
    flags = []
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        code = code_without_comments(source[:200_000])
        for kind, pattern, group in (("answer-code", _ANSWER_CODE, 0), ("dynamic-code", _DYNAMIC, 0),
                                     ("outside", _OUTSIDE, "path")):
            found = _first(pattern, code, group)
            if found is not None:
                flags.append(f"{kind}: {found} (cell {index + 1})")
    return flags
