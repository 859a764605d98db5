"""The student release: the course without solutions, rubrics, tests or CI.

Notebook: every notebook (released with their stored outputs and ``None`` answer cells).

:func:`student_release` copies what a student needs (the notebooks with their stored outputs,
the ``musicviz`` package, the environment files, the ``scripts/`` that ``make run`` and
``make lab`` use, and ``docs/site/`` for ``make html``) and leaves out ``solutions/``, the rest
of ``docs/`` (rubrics, instructor guide),
``tests/`` and ``.ci/``. Sentences of the notebooks and READMEs that point at ``solutions/``
are rewritten. It refuses to write a release that would leak (:func:`release_problems`): an
answer cell that is not ``None``, an otter ``# BEGIN SOLUTION`` block, nbgrader ``solution``
cell metadata, or the body of any worked solution (``exercise_*`` in ``solutions/``) found in
a released file. It is built in a hidden sibling folder and swapped in whole
(:func:`musicviz._io.replace_folder`).
"""

from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

from musicviz._io import make_sibling_folder, project_root, replace_folder
from musicviz.course.runner import one_line
from musicviz.errors import OutputError, ParameterError
from musicviz.grading.submissions import _SKIPPED_NAMES, _norm, _text

__all__ = [
    "RELEASE_FILES",
    "RELEASE_FOLDERS",
    "RELEASE_EXCLUDED",
    "NEUTRAL_SOLUTIONS",
    "release_problems",
    "student_release",
]

#: The files and folders a student release holds (relative to the project root).
RELEASE_FILES = (
    "README.md",
    "LICENSE",
    "Makefile",
    "pyproject.toml",
    "setup.py",
    "MANIFEST.in",
    "jupyter-config/share/jupyter/lab/settings/overrides.d/musicviz.json",
    "jupyter-config/etc/jupyter/jupyter_server_config.d/musicviz.json",
    "constraints.txt",
    "environment.yml",
    "package.json",
    "package-lock.json",
    ".gitignore",
    "data/README.md",
)
#: ``docs/site`` is the course site's configuration (``make html``), not instructors' material.
RELEASE_FOLDERS = ("musicviz", "notebooks", "scripts", "docs/site")
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

#: What replaces a sentence that points at ``solutions/`` in a released notebook or README.
NEUTRAL_SOLUTIONS = "Worked solutions are not part of the student release: your instructor shares them."

_ANSWER_LINE = re.compile(r"^\s*(answer_\w+)\s*=\s*(.*?)\s*(#.*)?$")
_SOLUTION_REF = re.compile(r"\[[^\]]*\]\([^)]*solutions/[^)]*\)|`?(?:\.\./)*solutions/[^\s`)]*`?")


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
                        f"{where}: {match.group(1)} = {one_line(match.group(2), 40)} gives an answer away; "
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
