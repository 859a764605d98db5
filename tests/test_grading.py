"""The student release leaks no solution, and the grader grades executed submissions."""

from __future__ import annotations

import ast
import csv
import importlib.util
import json
import re
import time
from pathlib import Path

import nbformat
import pytest

from musicviz.errors import OutputError, ParameterError
from musicviz.exercises import grade
from musicviz.grading import (
    NEUTRAL_SOLUTIONS,
    Submission,
    exercises_of,
    find_submissions,
    grade_notebook,
    grade_submissions,
    release_problems,
    student_release,
    written_prompts,
)

ROOT = Path(__file__).resolve().parents[1]
INTRO = ROOT / "notebooks" / "00_introduction.ipynb"
ANSWER_CELL = re.compile(r"^\s*(answer_\w+)\s*=\s*None\b", re.MULTILINE)


def _solutions(stem: str):
    path = ROOT / "solutions" / f"{stem}.py"
    spec = importlib.util.spec_from_file_location(f"solutions_{stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _literal(value):
    """The solution's value as Python source a student would type (numpy scalars as plain numbers)."""
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        value = value.item()
    if isinstance(value, (tuple, list)):
        items = [_literal(v) for v in value]
        return ("(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")") if isinstance(value, tuple) else "[" + ", ".join(items) + "]"
    text = repr(value)
    ast.literal_eval(text)  # a literal, or the test cannot express this solution
    return text


# --------------------------------------------------------------------------- the student release
@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return student_release(tmp_path_factory.mktemp("release") / "student")


def _solution_bodies() -> dict[str, str]:
    """Each worked solution's body (no docstring), whitespace collapsed: what must not leak."""
    bodies = {}
    for path in sorted((ROOT / "solutions").glob("*.py")):
        source = path.read_text()
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("exercise_"):
                body = node.body[1:] if isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant) else node.body
                bodies[node.name] = " ".join("\n".join(ast.get_source_segment(source, s) for s in body).split())
    return bodies


def _reader_text(path: Path) -> str:
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text())
        pieces = []
        for cell in nb["cells"]:
            pieces.append("".join(cell["source"]))
            for output in cell.get("outputs", []):
                pieces.append("".join(output.get("text", "")) + "".join(output.get("data", {}).get("text/plain", "")))
        return " ".join("\n".join(pieces).split())
    return " ".join(path.read_bytes().decode("utf-8", errors="replace").split())


def test_release_holds_what_a_student_needs_and_nothing_else(release):
    for name in ("pyproject.toml", "constraints.txt", "Makefile", "README.md", "environment.yml", "package.json",
                 "package-lock.json", "musicviz/__init__.py", "musicviz/exercises.py", "scripts/run_series.py",
                 "scripts/lab_setup.py", "docs/site/conf.py"):
        assert (release / name).is_file(), name
    assert sorted(p.name for p in (release / "docs").iterdir()) == ["site"]  # make html's configuration only
    for name in ("solutions", "docs/rubrics", "docs/INSTRUCTORS.md", "tests", ".ci", ".git", "data/synth"):
        assert not (release / name).exists(), name
    assert not list(release.rglob("__pycache__"))
    committed = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]*.ipynb"))
    assert sorted(p.name for p in (release / "notebooks").glob("*.ipynb")) == committed


def test_release_leaks_no_solution_text(release):
    bodies = _solution_bodies()
    assert {"exercise_" + e.id.replace(".", "_") for e in exercises_of("00")} <= set(bodies)  # it reads them
    for path in (p for p in release.rglob("*") if p.is_file()):
        text = _reader_text(path)
        assert "def exercise_" not in text, path
        for name, body in bodies.items():
            assert body not in text, f"{path.relative_to(release)} holds the body of {name}"
    assert release_problems(release) == []


def test_release_notebooks_keep_answer_cells_and_say_nothing_of_solutions(release):
    for source in sorted((ROOT / "notebooks").glob("[0-9][0-9]*.ipynb")):
        original = nbformat.read(source, as_version=4)
        released = nbformat.read(release / "notebooks" / source.name, as_version=4)
        assert len(released.cells) == len(original.cells)
        answers = [c.source for c in original.cells if c.cell_type == "code" and ANSWER_CELL.search(c.source)]
        assert answers == [c.source for c in released.cells if c.cell_type == "code" and ANSWER_CELL.search(c.source)]
        assert answers, f"{source.name} has no answer cell"
        for before, after in zip(original.cells, released.cells):
            assert "solutions/" not in after.source
            if "solutions/" in before.source:
                assert NEUTRAL_SOLUTIONS in after.source
            else:
                assert after.source == before.source
            if before.cell_type == "code":  # stored outputs (figures, players) are kept
                assert after.outputs == before.outputs
    assert "solutions/" not in (release / "README.md").read_text()


def test_release_refuses_a_notebook_that_gives_an_answer_away(tmp_path):
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    (root / "musicviz").mkdir()
    (root / "pyproject.toml").write_text("")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("answer_00_1 = 12  # your answer")])
    nbformat.write(nb, root / "notebooks" / "00_x.ipynb")
    (tmp_path / "build" / "student").mkdir(parents=True)
    (tmp_path / "build" / "student" / "old.txt").write_text("previous release")
    with pytest.raises(OutputError, match=r"00_x.ipynb, cell 1: answer_00_1 = 12"):
        student_release(tmp_path / "build" / "student", root=root)
    # The previous release is untouched and no staging folder is left behind.
    assert [p.name for p in (tmp_path / "build").iterdir()] == ["student"]
    assert (tmp_path / "build" / "student" / "old.txt").read_text() == "previous release"


def test_release_refuses_a_file_holding_a_worked_solution(tmp_path):
    root = tmp_path / "course"
    for folder in ("notebooks", "musicviz", "solutions"):
        (root / folder).mkdir(parents=True)
    (root / "pyproject.toml").write_text("")
    (root / "solutions" / "00_x.py").write_text('def exercise_00_1():\n    """Doc."""\n    return sorted([3, 1, 2])[-1] * 7\n')
    (root / "musicviz" / "helpers.py").write_text("def helper():\n    return sorted([3, 1, 2])[-1] * 7\n")
    with pytest.raises(OutputError, match="musicviz/helpers.py holds the solution 00_x.py:exercise_00_1"):
        student_release(tmp_path / "student", root=root)
    assert not (tmp_path / "student").exists()
    with pytest.raises(ParameterError, match="not a musicviz checkout"):
        student_release(tmp_path / "student", root=tmp_path / "nowhere")


# --------------------------------------------------------------------------- submissions
def test_find_submissions_reads_both_layouts_and_rejects_ambiguity(tmp_path):
    (tmp_path / "ada" / "work").mkdir(parents=True)
    (tmp_path / "ada" / "work" / "00_introduction.ipynb").write_text("{}")
    (tmp_path / "bob__01_waveforms.ipynb").write_text("{}")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "x__00_introduction-checkpoint.ipynb").write_text("{}")
    found = find_submissions(tmp_path)
    assert [(s.student, s.notebook, s.key) for s in found] == [
        ("ada", "00_introduction.ipynb", "00"),
        ("bob", "01_waveforms.ipynb", "01"),
    ]
    (tmp_path / "ada__00_introduction.ipynb").write_text("{}")
    with pytest.raises(ParameterError, match="ada handed in 00_introduction.ipynb twice"):
        find_submissions(tmp_path)
    (tmp_path / "ada__00_introduction.ipynb").unlink()
    (tmp_path / "nameless.ipynb").write_text("{}")
    with pytest.raises(ParameterError, match="nameless.ipynb: cannot tell the student"):
        find_submissions(tmp_path)
    with pytest.raises(ParameterError, match="not a folder"):
        find_submissions(tmp_path / "missing")


def test_written_prompts_keep_only_the_students_text():
    course = {"cells": [
        {"cell_type": "markdown", "source": "**Discuss 00.4** What do you hear?"},
        {"cell_type": "markdown", "source": "*Your answer here.*"},
        {"cell_type": "code", "source": "x = 1"},
    ]}
    blank = written_prompts(course, template=course, rubric="docs/rubrics/00_introduction.md")
    assert [(d.id, d.text, d.rubric) for d in blank] == [("00.4", "", "docs/rubrics/00_introduction.md")]
    answered = {"cells": [course["cells"][0], {"cell_type": "markdown", "source": "A swung hi-hat."},
                          {"cell_type": "markdown", "source": "## Next section"}]}
    assert [d.text for d in written_prompts(answered, template=course)] == ["A swung hi-hat."]
    inline = {"cells": [{"cell_type": "markdown", "source": "**Discuss 00.4** What do you hear?\n\nA shuffle."},
                        *course["cells"][1:]]}
    [found] = written_prompts(inline, template=course)
    assert (found.prompt, found.text) == ("**Discuss 00.4** What do you hear?", "A shuffle.")
    # The student's text ends at the course's next cell (navigation, "Going further").
    course["cells"].insert(2, {"cell_type": "markdown", "source": "[< 03 · Chroma](03_chroma.ipynb)"})
    after = {"cells": [course["cells"][0], {"cell_type": "markdown", "source": "Mine."}, *course["cells"][1:]]}
    assert [d.text for d in written_prompts(after, template=course)] == ["Mine."]


# --------------------------------------------------------------------------- grading three submissions
def _fill(nb, values: dict, *, raise_after: str | None = None):
    """A copy of ``nb`` whose answer cells hold ``values`` (variable -> source text)."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    cells = []
    for cell in nb.cells:
        names = ANSWER_CELL.findall(cell.source) if cell.cell_type == "code" else []
        for name in names:
            if name in values:
                cell.source = re.sub(rf"^(\s*{name}\s*=\s*)None\b", rf"\g<1>{values[name]}", cell.source, flags=re.MULTILINE)
        cells.append(cell)
        if raise_after in names:
            cells.append(nbformat.v4.new_code_cell('raise RuntimeError("a student bug")'))
    nb.cells = cells
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory, synth_data):
    mp = pytest.MonkeyPatch()
    mp.setenv("MUSICVIZ_DATASET", "synth")
    exercises = exercises_of("00")
    solutions = _solutions(INTRO.stem)
    right = {e.variable: _literal(getattr(solutions, "exercise_" + e.id.replace(".", "_"))()) for e in exercises}
    wrong = {e.variable: repr("certainly-wrong") for e in exercises[1:]}
    course = nbformat.read(INTRO, as_version=4)
    folder = tmp_path_factory.mktemp("submissions")
    nbformat.write(_fill(course, right), folder / "perfect__00_introduction.ipynb")
    (folder / "blank").mkdir()
    nbformat.write(course, folder / "blank" / "00_introduction.ipynb")
    partly = _fill(course, {exercises[0].variable: right[exercises[0].variable], **wrong}, raise_after=exercises[0].variable)
    nbformat.write(partly, folder / "partly__00_introduction.ipynb")
    out = tmp_path_factory.mktemp("grades")
    started = time.perf_counter()
    results = grade_submissions(folder, out=out, cell_timeout=120, notebook_timeout=300, progress=print)
    seconds = time.perf_counter() - started
    print(f"graded {len(results)} submissions in {seconds:.1f} s")
    yield {r.submission.student: r for r in results}, out, exercises, right
    mp.undo()


@pytest.mark.slow  # starts kernels
def test_the_solutions_are_right_so_the_perfect_submission_must_be(graded):
    _, _, exercises, right = graded
    for e in exercises:
        assert grade(e.id, ast.literal_eval(right[e.variable])) is True


@pytest.mark.slow  # starts kernels
def test_points_per_exercise_and_totals(graded):
    results, _, exercises, _ = graded
    worth = {e.id: e.points for e in exercises}
    assert results["perfect"].points == worth
    assert results["perfect"].total == sum(worth.values())
    assert results["blank"].points == {e.id: 0 for e in exercises}
    assert results["blank"].total == 0
    first = exercises[0].id
    assert results["partly"].points == {e.id: (e.points if e.id == first else 0) for e in exercises}
    assert results["partly"].total == exercises[0].points
    for r in results.values():
        assert r.max_points == worth and not r.timed_out and r.notes == []


@pytest.mark.slow  # starts kernels
def test_a_raising_cell_is_an_error_but_keeps_the_points_before_it(graded):
    results, _, _, _ = graded
    assert results["perfect"].error == "" and results["blank"].error == ""
    assert re.fullmatch(r"cell \d+ raised RuntimeError: a student bug", results["partly"].error)


@pytest.mark.slow  # starts kernels
def test_grades_csv_and_report_are_written(graded):
    results, out, exercises, _ = graded
    with open(out / "grades.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    ids = [e.id for e in exercises]
    with open(out / "grades.csv", newline="") as f:
        header = next(csv.reader(f))
    assert header == ["student", "notebook", *ids, "total", "max_points", "seconds", "error", "flags"]
    assert set(rows) == {"perfect", "blank", "partly"}
    for student, r in results.items():
        assert [float(rows[student][i]) for i in ids] == [r.points[i] for i in ids]
        assert float(rows[student]["total"]) == r.total
        assert float(rows[student]["max_points"]) == sum(e.points for e in exercises)
        assert rows[student]["error"] == r.error
        assert rows[student]["flags"] == r.flag == ""  # honest notebooks earn no flag
        assert rows[student]["notebook"] == "00_introduction.ipynb"
    report = (out / "report.html").read_text()
    assert "a student bug" in report and "Per exercise" in report
    for e in exercises:  # success rate: perfect everywhere, partly on the first only
        rate = 2 / 3 if e is exercises[0] else 1 / 3
        assert re.search(rf"<td>{re.escape(e.id)}</td>.*?<td class=\"num\">{rate:.0%}</td>", report)
    assert (out / "written.csv").read_text().startswith("student,notebook,prompt,rubric,text,points")
    executed = nbformat.read(out / "executed" / "partly__00_introduction.ipynb", as_version=4)
    assert any(o.get("ename") == "RuntimeError" for c in executed.cells if c.cell_type == "code" for o in c.outputs)


@pytest.mark.slow  # starts a kernel
def test_an_endless_loop_times_out_and_the_answers_before_it_still_count(tmp_path, monkeypatch, synth_data):
    monkeypatch.setenv("MUSICVIZ_DATASET", "synth")
    first = exercises_of("00")[0]
    right = _literal(getattr(_solutions(INTRO.stem), "exercise_" + first.id.replace(".", "_"))())
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(f"{first.variable} = {right}"),
        nbformat.v4.new_code_cell("while True:\n    pass"),
    ])
    path = tmp_path / "loop__00_introduction.ipynb"
    nbformat.write(nb, path)
    started = time.perf_counter()
    result = grade_notebook(Submission("loop", "00_introduction.ipynb", path), cell_timeout=3, notebook_timeout=60)
    assert time.perf_counter() - started < 45
    assert result.timed_out
    assert result.error == "timeout: cell 2 ran out of time (3 s)"
    assert result.points[first.id] == first.points


def test_grading_rejects_bad_timeouts(tmp_path):
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ParameterError, match="must be finite, positive seconds"):
            grade_notebook(Submission("x", "00_introduction.ipynb", tmp_path / "x.ipynb"), cell_timeout=bad)
        with pytest.raises(ParameterError, match="must be finite, positive seconds"):
            grade_submissions(tmp_path, out=tmp_path / "out", notebook_timeout=bad)


def test_answers_travel_as_plain_json_and_come_back_as_plain_values(capsys):
    import numpy as np
    import pandas as pd

    from musicviz.grading.answers import decode, read_answers, reader_cell

    space = {
        "answer_a": (np.int64(3), "metal"),
        "answer_b": np.array([[1.5, 2.0]], dtype=np.float32),
        "answer_c": pd.Series([1, 2], index=["x", "y"], name="n"),
        "answer_d": [float("nan"), float("-inf"), None, True],
        "answer_e": lambda: 1,  # not an answer anyone can grade
        "answer_f": {"k": 1},  # neither: a dict is no answer of any exercise
        "prediction_00_2": "reggae, by ear",
    }
    names = [n for n in space if n.startswith("answer_")] + ["answer_missing"]
    exec(reader_cell(names, "@@m@@", limit=10000), space)
    cell = {"outputs": [{"output_type": "stream", "name": "stdout", "text": capsys.readouterr().out}]}
    found = read_answers(cell, "@@m@@")
    assert decode(found["answer_a"]["value"]) == (3, "metal")
    assert decode(found["answer_b"]["value"]) == [[1.5, 2.0]]  # arrays and Series come back as lists
    assert decode(found["answer_c"]["value"]) == [1, 2]
    d = decode(found["answer_d"]["value"])
    assert np.isnan(d[0]) and d[1:] == [float("-inf"), None, True]
    assert "function" in found["answer_e"]["unreadable"] and "dict" in found["answer_f"]["unreadable"]
    assert found["answer_missing"] == {"missing": True}
    assert decode(found["prediction_00_2"]["value"]) == "reggae, by ear"  # predictions travel too
    assert "_musicviz_read_answers" not in space  # the injected cell cleans up after itself
    # Only plain data is ever built from what a kernel sent.
    for forged, why in (({"__float__": "__import__('os')"}, "not a float"),
                        ({"__ndarray__": [["x"]], "dtype": "U100000000"}, "not a plain answer"),
                        ({"__dict__": [[1, 2]]}, "not a plain answer"),
                        (["x"] * 10_001, "more than 10000 items"),
                        ("x" * 10_001, "longer than"),
                        ([[[[[[1]]]]]], "nested more than"),
                        (float("inf"), "must be tagged")):
        with pytest.raises(ValueError, match=why):
            decode(forged)


def test_report_escapes_student_text_and_lists_written_prompts(tmp_path):
    from musicviz.grading import Discussion, GradedSubmission, write_report

    discussion = Discussion("02.5", "**Discuss 02.5** What beats?", "<script>alert(1)</script> it beats",
                            "docs/rubrics/02_spectrograms.md")
    graded = GradedSubmission(Submission("<b>eve</b>", "02_spectrograms.ipynb", tmp_path / "x.ipynb"),
                              points={"02.1": 0}, max_points={"02.1": 1}, errors=["timeout: cell 3 ran out of time (5 s)"],
                              timed_out=True, discussions=[discussion])
    report = write_report([graded], tmp_path / "report.html").read_text()
    assert "<script>" not in report and "&lt;script&gt;alert(1)&lt;/script&gt; it beats" in report
    assert "&lt;b&gt;eve&lt;/b&gt;" in report and "<b>eve</b>" not in report
    assert "To grade by hand (rubric: <code>docs/rubrics/02_spectrograms.md</code>)" in report
    assert "(timed out): timeout: cell 3 ran out of time (5 s)" in report
