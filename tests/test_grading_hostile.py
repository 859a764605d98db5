"""Hostile submissions: each attack on the grader is one small notebook of 00 (or 02), written here.

One grading run (namespace sandbox, tight limits) grades a class of them next to honest
submissions, so every test below also proves that one hostile submission costs no other student
their grade. The session fallback, SIGTERM, the command line and the in-kernel checks have
their own tests. No test executes a course notebook; every kernel runs a notebook of a few
cells written here. Everything a submission attacks is a copy in ``tmp_path`` (never the
checkout's data), and the fork bomb is bounded by itself as well as by the sandbox.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from musicviz.grading import Limits, grade_submissions, main
from musicviz.grading.isolation import MARKER_ENV, sandbox_mode

ROOT = Path(__file__).resolve().parents[1]
GIB = 1 << 30


# --------------------------------------------------------------------------- helpers
def _needs_namespaces():
    mode, why = sandbox_mode()
    if mode != "namespace":
        from conftest import require_or_skip

        require_or_skip(f"the namespace sandbox is not available here ({why})", variable="MUSICVIZ_REQUIRE_NAMESPACES")


def _right_answers() -> dict:
    """The worked solutions of notebook 00, computed here (the checkout's data), as Python literals."""
    path = ROOT / "solutions" / "00_introduction.py"
    spec = importlib.util.spec_from_file_location("solutions_00", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {f"answer_00_{k}": repr(getattr(module, f"exercise_00_{k}")()) for k in (1, 2, 3)}


def _notebook(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(nb, path)
    return path


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _processes_holding(text: str) -> list[int]:
    """Live processes whose command line or environment holds ``text``."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        for part in ("cmdline", "environ"):
            try:
                if text.encode() in Path(f"/proc/{name}/{part}").read_bytes():
                    state = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()[0]
                    if state != "Z":
                        found.append(int(name))
                    break
            except OSError:
                continue
    return found


def _no_kernel_left(timeout: float = 240.0) -> bool:
    """No grading kernel (a process carrying ``MARKER_ENV``) is left, once other runs are done.

    Another test file may be grading at the same time (pytest-xdist workers): its kernels carry
    the marker too, with their own run's value, until that run ends. This run's own processes
    are checked strictly through their tags; this waits for every run to end, then asserts
    that nothing stayed behind.
    """
    deadline = time.monotonic() + timeout
    while _processes_holding(MARKER_ENV + "=") and time.monotonic() < deadline:
        time.sleep(0.5)
    return _processes_holding(MARKER_ENV + "=") == []


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _rows(out: Path) -> dict:
    with open(out / "grades.csv", newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def _copy_course_data(data: Path, synth: Path) -> Path:
    import shutil

    from musicviz.config import data_dir

    shutil.copytree(synth, data / "synth")
    if (data_dir() / "cache").is_dir():
        shutil.copytree(data_dir() / "cache", data / "cache")
    return data


@pytest.fixture(scope="module")
def course_data(tmp_path_factory, synth_data):
    """A copy of the course data for the grader to read (``MUSICVIZ_DATA``): what saboteurs may attack."""
    data = _copy_course_data(tmp_path_factory.mktemp("course-data"), synth_data)
    mp = pytest.MonkeyPatch()
    mp.setenv("MUSICVIZ_DATA", str(data))
    mp.setenv("MUSICVIZ_DATASET", "synth")
    mp.delenv("MUSICVIZ_GTZAN", raising=False)
    yield data
    mp.undo()


# --------------------------------------------------------------------------- the hostile class
TAG = f"musicviz-hostile-{os.getpid()}-{int(time.time())}"


def _saboteur(data: Path) -> list[str]:
    """Rewrites metadata.csv (every tempo 100) wherever it can reach it, then answers to fit."""
    return [
        f"""\
import pandas as pd, musicviz as mv
targets = [mv.datasets.course_audio_dir() / "metadata.csv", "../data/synth/metadata.csv", {str(data / 'synth' / 'metadata.csv')!r}]
for target in targets:
    try:
        table = pd.read_csv(target)
        table["tempo"] = 100
        table.to_csv(target, index=False)
        print("rewrote", target)
    except Exception as exc:
        print("refused:", type(exc).__name__)
""",
        "table = pd.read_csv(mv.datasets.course_audio_dir() / 'metadata.csv')\n"
        "answer_00_1 = 0 if table['tempo'].nunique() > 1 else len(table)  # all within 10 of their median",
    ]


def _honest(right: dict) -> list[str]:
    return ["import musicviz as mv\nprediction_00_2 = 'hip-hop, by ear'",
            *(f"{name} = {value}\nmv.exercises.check('00.{name[-1]}', {name})" for name, value in right.items())]


ORACLE_SOLUTIONS = """\
import importlib.util, pathlib, musicviz as mv
found = {}
for folder in (pathlib.Path(mv.__file__).resolve().parents[1] / "solutions", pathlib.Path(ROOT) / "solutions"):
    try:
        spec = importlib.util.spec_from_file_location("s", folder / "00_introduction.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found = {k: getattr(module, f"exercise_00_{k}")() for k in (1, 2, 3)}
        print("read", folder)
        break
    except Exception as exc:
        print("no solutions at", folder, type(exc).__name__)
answer_00_1, answer_00_2, answer_00_3 = (found.get(k) for k in (1, 2, 3))
"""

ORACLE_CHECKS = """\
import musicviz as mv
try:
    from musicviz._exercise_checks import nb00
    answer_00_1 = nb00._answer_00_1()
except Exception as exc:
    print("no answer code:", type(exc).__name__)
for genre in mv.GENRES:  # brute force with grade(): the grading copy has no checks to ask
    try:
        if mv.exercises.grade("00.2", genre):
            answer_00_2 = genre
    except Exception as exc:
        print("grade refused:", type(exc).__name__)
        break
"""

FORGER = """\
import os, subprocess, sys
forge = '''
import csv, os, sys, time
path = sys.argv[1]
for _ in range(600):  # wait for "graded", then give myself full marks
    time.sleep(0.1)
    if os.path.exists(path):
        time.sleep(0.5)
        rows = list(csv.reader(open(path)))
        for row in rows[1:]:
            if row[0] == "e_forger":
                row[2:5] = ["1", "1", "1"]
        csv.writer(open(path, "w")).writerows(rows)
        break
'''
subprocess.Popen([sys.executable, "-c", forge + "#TAG", OUT], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if os.fork() == 0:  # and the double-fork daemon way
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", forge + "#TAG", OUT])
    os._exit(0)
for _ in range(20):
    subprocess.Popen(["sleep", "120"], start_new_session=True)
answer_00_1 = -1
"""

FORGED_ANSWER = """\
import json
answer_00_1 = 77
_real_dumps = json.dumps
def _forged(obj, *args, **kwargs):  # the reader's JSON: every answer a numpy array of 400 MB strings
    if isinstance(obj, dict) and any(str(k).startswith("answer_") for k in obj):
        obj = {name: {"value": {"__ndarray__": [["x"] * 64] * 64, "dtype": "U100000000"}} for name in obj}
    return _real_dumps(obj, *args, **kwargs)
json.dumps = _forged
"""

FLOOD = "while True:\n    print('all work and no play makes Jack a dull boy ' * 20)"

FORK_BOMB = """\
import gc, os, time
gc.freeze()  # forked children then share the kernel's pages: this bomb meets the process limit, not the memory one
deadline = time.time() + 3
for depth in range(8):  # every process forks: 2**8 at most, bounded by itself too, for 3 seconds
    try:
        os.fork()
    except OSError:
        break
if os.getpid() != KERNEL:
    while time.time() < deadline:
        time.sleep(0.1)
    os._exit(0)
refused, forks = None, 0
for _ in range(1000):  # then the kernel alone, until the process limit says no
    try:
        if os.fork() == 0:
            time.sleep(max(0.0, deadline - time.time()))
            os._exit(0)
        forks += 1
    except OSError as exc:
        refused = exc
        break
print("fork refused:", refused.strerror if refused else None, "after", forks)
while time.time() < deadline + 0.5:
    time.sleep(0.1)
while True:
    try:
        if os.waitpid(-1, os.WNOHANG)[0] == 0:
            break
    except ChildProcessError:
        break
"""

NETWORK = """\
import socket
try:
    socket.create_connection(("127.0.0.1", PORT), timeout=2).sendall(b"hello from a submission")
    print("connected")
except OSError as exc:
    print("no network:", exc.strerror or type(exc).__name__)
"""

BIG_FILE = """\
try:
    with open("big.bin", "wb") as f:
        f.write(b"x" * (300 * 1024**2))  # over the file-size limit
    print("wrote it")
except OSError as exc:
    print("refused:", exc.strerror)
import os
os.remove("big.bin")
"""

BIG_ALLOCATION = """\
import numpy as np
try:
    big = np.ones(2 * 1024**3 // 8)  # 2 GiB
    print("allocated", big.nbytes)
except MemoryError:
    print("MemoryError")
"""

MEMORY_CHILDREN = """\
import os, time
import numpy as np
children = []
for _ in range(3):  # each under the address-space limit, together over the memory limit
    pid = os.fork()
    if pid == 0:
        block = np.ones(500 * 1024**2 // 8)
        time.sleep(30)
        os._exit(0)
    children.append(pid)
time.sleep(30)
"""

RIGGED = """\
class Yes(float):
    def __eq__(self, other):
        return True
    __hash__ = float.__hash__
class Agreeable(str):
    def __eq__(self, other):
        return True
    def strip(self, *a):
        return self
    def lower(self):
        return self
    __hash__ = str.__hash__
answer_00_1 = Yes(0.0)
answer_00_2 = Agreeable("no idea")
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, course_data):
    _needs_namespaces()
    right = _right_answers()
    folder = tmp_path_factory.mktemp("hostile-submissions")
    out = tmp_path_factory.mktemp("hostile-grades")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.2)
    contacts = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                contacts.append(listener.accept())
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    nb = "00_introduction.ipynb"
    _notebook(folder / f"a_saboteur__{nb}", *_saboteur(course_data))
    _notebook(folder / f"b_honest__{nb}", *_honest(right))
    _notebook(folder / f"c_oracle__{nb}", ORACLE_SOLUTIONS.replace("ROOT", repr(str(ROOT))))
    _notebook(folder / f"d_answercode__{nb}", ORACLE_CHECKS)
    _notebook(folder / f"e_forger__{nb}", FORGER.replace("OUT", repr(str(out / "grades.csv"))).replace("#TAG", "#" + TAG))
    _notebook(folder / f"f_forged__{nb}", FORGED_ANSWER)
    _notebook(folder / f"g_flood__{nb}", f"answer_00_1 = {right['answer_00_1']}", FLOOD, "answer_00_2 = 'too late'")
    _notebook(folder / f"h_forkbomb__{nb}", f"import os\nKERNEL = os.getpid()\nanswer_00_1 = {right['answer_00_1']}",
              FORK_BOMB, f"answer_00_2 = {right['answer_00_2']}")
    _notebook(folder / f"i_network__{nb}", f"answer_00_1 = {right['answer_00_1']}", NETWORK.replace("PORT", str(port)))
    _notebook(folder / f"j_bigalloc__{nb}", f"answer_00_1 = {right['answer_00_1']}", BIG_ALLOCATION,
              f"answer_00_3 = {right['answer_00_3']}")
    _notebook(folder / f"k_memory__{nb}", f"answer_00_1 = {right['answer_00_1']}", MEMORY_CHILDREN)
    _notebook(folder / f"l_rigged__{nb}", RIGGED)
    _notebook(folder / f"p_bigfile__{nb}", BIG_FILE, f"answer_00_2 = {right['answer_00_2']}")
    course = nbformat.read(ROOT / "notebooks" / nb, as_version=4)
    nbformat.write(course, folder / f"m_blank__{nb}")
    _notebook(folder / f"n_honest__{nb}", *_honest(right))
    _notebook(folder / "o_partial__02_spectrograms.ipynb", "answer_02_4 = 20\nanswer_02_1 = 4096\nanswer_02_2 = 'wrong'")
    instructor_data = _digest(course_data / "synth")
    lines = []
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    # 12 s a cell: on a loaded CI machine three 500 MB children took more than 5 s to reach the
    # sandbox's memory limit, and the cell timed out before the limit could stop them.
    results = grade_submissions(folder, out=out, cell_timeout=12, notebook_timeout=60, progress=lines.append,
                                limits=Limits(memory=1 * GIB, processes=64), sandbox="namespace")
    seconds = time.perf_counter() - started
    grades = (out / "grades.csv").read_bytes()
    time.sleep(3)  # what a forger left behind would strike now
    stop.set()
    thread.join(2)
    listener.close()
    print("\n".join(lines))
    print(f"graded {len(results)} hostile and honest submissions in {seconds:.0f} s")
    yield {
        "by": {r.submission.student: r for r in results},
        "out": out,
        "right": right,
        "grades": grades,
        "contacts": contacts,
        "data": course_data,
        "instructor_data": instructor_data,
        "rss_growth": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before,
        "lines": lines,
    }


@pytest.mark.ci  # one grading run of the hostile class (a minute of kernels): CI only, make test's budget
def test_truths_come_first_and_a_saboteur_moves_nobody(hostile):
    by = hostile["by"]
    # The saboteur, graded first, could not rewrite the data (read-only in its sandbox; the
    # instructor's copy is not there), and answering to fit its rigged data earns nothing.
    assert by["a_saboteur"].points["00.1"] == 0
    assert _digest(hostile["data"] / "synth") == hostile["instructor_data"]
    # The honest students graded after it get full marks: their truths were computed before.
    for student in ("b_honest", "n_honest"):
        assert by[student].points == {"00.1": 1, "00.2": 1, "00.3": 1}, by[student]
        assert by[student].flags == [] and by[student].errors == []
    executed = nbformat.read(hostile["out"] / "executed" / "a_saboteur__00_introduction.ipynb", as_version=4)
    said = "".join(o.get("text", "") for o in executed.cells[0].outputs)
    assert "rewrote" not in said and said.count("refused") == 3, said
    assert any(line.strip().startswith("truth 00.1") for line in hostile["lines"])


@pytest.mark.ci  # one grading run of the hostile class (a minute of kernels): CI only, make test's budget
def test_the_oracle_finds_no_answer_code_and_is_flagged(hostile):
    by = hostile["by"]
    for student in ("c_oracle", "d_answercode"):
        assert by[student].total == 0, by[student]
        assert any(f.startswith("answer-code:") for f in by[student].flags), by[student].flags
    executed = nbformat.read(hostile["out"] / "executed" / "c_oracle__00_introduction.ipynb", as_version=4)
    assert "read " not in "".join(o.get("text", "") for o in executed.cells[0].outputs)
    executed = nbformat.read(hostile["out"] / "executed" / "d_answercode__00_introduction.ipynb", as_version=4)
    said = "".join(o.get("text", "") for o in executed.cells[0].outputs)
    assert "no answer code: ImportError" in said and "grade refused: WithheldError" in said


@pytest.mark.ci  # one grading run of the hostile class (a minute of kernels): CI only, make test's budget
def test_a_forger_cannot_touch_grades_and_nothing_outlives_the_run(hostile):
    by, out = hostile["by"], hostile["out"]
    assert (out / "grades.csv").read_bytes() == hostile["grades"]  # 3 s after "graded": unchanged
    assert _rows(out)["e_forger"]["total"] == "0"
    assert any(f.startswith("left-processes: 2") for f in by["e_forger"].flags), by["e_forger"].flags
    assert _processes_holding(TAG) == []
    assert _no_kernel_left()


@pytest.mark.ci  # one grading run of the hostile class (a minute of kernels): CI only, make test's budget
def test_a_forged_answer_is_unreadable_not_an_allocation(hostile):
    by = hostile["by"]
    assert by["f_forged"].total == 0
    assert any("not readable" in n for n in by["f_forged"].notes), by["f_forged"].notes
    assert hostile["rss_growth"] < 1_500_000  # KiB: the grader never built the 400 MB strings


@pytest.mark.ci  # one grading run of the hostile class (a minute of kernels): CI only, make test's budget
def test_an_output_flood_is_truncated_as_it_arrives_and_earlier_answers_count(hostile):
    flood = hostile["by"]["g_flood"]
    assert flood.points["00.1"] == 1 and flood.points["00.2"] == 0
    assert flood.timed_out and any(f.startswith("output-truncated: cell 2") for f in flood.flags), flood.flags
    executed = nbformat.read(hostile["out"] / "executed" / "g_flood__00_introduction.ipynb", as_version=4)
    stored = sum(len(o.get("text", "")) for o in executed.cells[1].outputs)
    assert stored <= Limits().cell_output + 1000
    assert "output truncated" in "".join(o.get("text", "") for o in executed.cells[1].outputs)


@pytest.mark.ci  # one grading run of the hostile class (a minute of kernels): CI only, make test's budget
def test_a_fork_bomb_stops_at_the_process_limit(hostile):
    bomb = hostile["by"]["h_forkbomb"]
    assert bomb.points["00.1"] == 1 and bomb.points["00.2"] == 1, bomb
    executed = nbformat.read(hostile["out"] / "executed" / "h_forkbomb__00_introduction.ipynb", as_version=4)
    assert "fork refused: Resource temporarily unavailable" in "".join(o.get("text", "") for o in executed.cells[1].outputs)


@pytest.mark.ci  # one grading run of the hostile class (a minute of kernels): CI only, make test's budget
def test_no_network_not_even_loopback(hostile):
    assert hostile["contacts"] == []
    executed = nbformat.read(hostile["out"] / "executed" / "i_network__00_introduction.ipynb", as_version=4)
    said = "".join(o.get("text", "") for o in executed.cells[1].outputs)
    assert "no network" in said and "connected" not in said
    assert hostile["by"]["i_network"].points["00.1"] == 1


@pytest.mark.ci  # one grading run of the hostile class (a minute of kernels): CI only, make test's budget
def test_memory_is_bounded_per_process_and_for_the_sandbox(hostile):
    by = hostile["by"]
    big = by["j_bigalloc"]  # 2 GiB at once: over the address-space limit, a MemoryError, the kernel lives
    executed = nbformat.read(hostile["out"] / "executed" / "j_bigalloc__00_introduction.ipynb", as_version=4)
    assert "MemoryError" in "".join(o.get("text", "") for o in executed.cells[1].outputs)
    assert big.points["00.1"] == 1 and big.points["00.3"] == 1, big
    children = by["k_memory"]  # three processes of 500 MB: over 1 GiB together, the sandbox is stopped
    assert any(f.startswith("memory:") for f in children.flags), children.flags
    assert "more than 1 GiB of memory" in children.error


@pytest.mark.ci  # one grading run of the hostile class (a minute of kernels): CI only, make test's budget
def test_a_file_over_the_size_limit_is_refused(hostile):
    executed = nbformat.read(hostile["out"] / "executed" / "p_bigfile__00_introduction.ipynb", as_version=4)
    assert "refused: File too large" in "".join(o.get("text", "") for o in executed.cells[0].outputs)
    assert hostile["by"]["p_bigfile"].points["00.2"] == 1


@pytest.mark.ci  # one grading run of the hostile class (a minute of kernels): CI only, make test's budget
def test_rigged_types_earn_nothing(hostile):
    rigged = hostile["by"]["l_rigged"]
    assert rigged.points["00.1"] == 0 and rigged.points["00.2"] == 0


@pytest.mark.ci  # one grading run of the hostile class (a minute of kernels): CI only, make test's budget
def test_blank_partial_and_predictions(hostile):
    by, out = hostile["by"], hostile["out"]
    assert by["m_blank"].total == 0 and by["m_blank"].flags == [] and by["m_blank"].errors == []
    partial = by["o_partial"]
    assert partial.points["02.4"] == 1 and partial.points["02.2"] == 0 and partial.max_points["02.4"] == 1
    written = (out / "written.csv").read_text()
    assert "b_honest,00_introduction.ipynb,prediction 00.2,,\"hip-hop, by ear\"," in written
    report = (out / "report.html").read_text()
    assert "<h2>Flags</h2>" in report and "left-processes" in report and "formative" in report
    header = next(csv.reader(open(out / "grades.csv")))
    assert header[-2:] == ["error", "flags"]


# --------------------------------------------------------------------------- the fallback
@pytest.mark.ci  # a second grading run, in the fallback mode: CI only (make test's budget)
def test_the_session_fallback_flags_and_undoes_a_data_change(tmp_path, synth_data, monkeypatch):
    course_data = _copy_course_data(tmp_path / "course-data", synth_data)  # this saboteur does change it
    monkeypatch.setenv("MUSICVIZ_DATA", str(course_data))
    monkeypatch.setenv("MUSICVIZ_DATASET", "synth")
    monkeypatch.delenv("MUSICVIZ_GTZAN", raising=False)
    right = _right_answers()
    folder, out = tmp_path / "subs", tmp_path / "grades"
    folder.mkdir()
    nb = "00_introduction.ipynb"
    _notebook(folder / f"a_saboteur__{nb}", *_saboteur(course_data))
    _notebook(folder / f"b_honest__{nb}", *_honest(right))
    _notebook(folder / f"c_leaver__{nb}", "import subprocess, sys\n"
              f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)  #{TAG}'], start_new_session=True)")
    lines = []
    with pytest.warns(UserWarning, match="no namespace sandbox"):
        results = grade_submissions(folder, out=out, cell_timeout=20, notebook_timeout=60, progress=lines.append,
                                    sandbox="session")
    print("\n".join(lines))
    by = {r.submission.student: r for r in results}
    assert by["b_honest"].points == {"00.1": 1, "00.2": 1, "00.3": 1}
    # Without namespaces the saboteur did rewrite the kernels' copy and the instructor's: both
    # are flagged, the kernels' copy is restored before the next submission, and the truths
    # (computed before from the snapshot) did not move.
    assert any(f.startswith("changed-data: data/synth") for f in by["a_saboteur"].flags), by["a_saboteur"].flags
    assert any("the instructor's copy" in f for f in by["a_saboteur"].flags), by["a_saboteur"].flags
    assert any(f.startswith("left-processes") for f in by["c_leaver"].flags), by["c_leaver"].flags
    assert _processes_holding(TAG) == [] and _no_kernel_left()


# --------------------------------------------------------------------------- stopping the grader
@pytest.mark.ci  # starts the grader twice and waits for its kernels: CI only (make test's budget)
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_grader_stops_every_kernel_and_writes_no_grades(tmp_path, course_data, stop):
    folder, out = tmp_path / "subs", tmp_path / "grades"
    folder.mkdir()
    _notebook(folder / "ada__00_introduction.ipynb", "import subprocess, sys, time\n"
              f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)  #{TAG}-term'], start_new_session=True)\n"
              "while True:\n    time.sleep(1)")
    env = {**os.environ, "MUSICVIZ_DATA": str(course_data)}
    grader = subprocess.Popen([sys.executable, "-m", "musicviz.grading", "grade", str(folder), "--out", str(out),
                               "--cell-timeout", "200"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while not _processes_holding(f"{TAG}-term") and time.monotonic() < deadline:
        time.sleep(0.2)
    kernels = _processes_holding(f"{TAG}-term")
    assert kernels, "the submission never started"
    grader.send_signal(stop)
    stdout, stderr = grader.communicate(timeout=180)  # kernels stopped one by one, on a loaded CI machine
    assert grader.returncode == 130, stderr.decode()
    assert b"every kernel was stopped" in stderr and b"Traceback" not in stderr
    assert not (out / "grades.csv").exists()
    time.sleep(0.5)
    assert [pid for pid in kernels if _alive(pid)] == []
    assert _processes_holding(f"{TAG}-term") == [] and _no_kernel_left()


# --------------------------------------------------------------------------- timeouts (no kernel)
@pytest.mark.parametrize("option,value", [("--cell-timeout", "nan"), ("--cell-timeout", "inf"), ("--notebook-timeout", "nan"),
                                          ("--notebook-timeout", "0"), ("--cell-timeout", "-3"), ("--memory", "inf")])
def test_timeouts_must_be_finite_and_positive(tmp_path, capsys, option, value):
    assert main(["grade", str(tmp_path), "--out", str(tmp_path / "out"), option, value]) == 2
    err = capsys.readouterr().err
    assert "usage:" in err and "finite, positive" in err and "Traceback" not in err


# --------------------------------------------------------------------------- in the student's own kernel
def test_in_the_kernel_rigged_types_are_not_answers_and_hints_need_new_answers(capsys):
    import numpy as np

    from musicviz.exercises import EXERCISES, as_int, check, exercise, grade, reset_attempts

    class Yes(float):
        def __eq__(self, other):
            return True

        __hash__ = float.__hash__

    hints = ("a nudge", "a closer nudge", "Method: the way, in words.")
    exercise("99.7", question="q", hints=hints, kind="code", truth=lambda: 7)(lambda answer, truth: as_int(answer) == truth)
    try:
        assert grade("99.7", Yes(0)) is False and grade("99.7", 7) is True and grade("99.7", np.int64(7)) is True
        reset_attempts()
        for _ in range(3):  # the same wrong answer, run three times: still the first hint only
            check("99.7", 8)
        check("99.7", Yes(0))  # not an answer: no hint, no "correct"
        out = capsys.readouterr().out
        assert out.count("Hint 1 of 3: a nudge") == 3 and hints[-1] not in out and "correct" not in out
        check("99.7", 9)
        check("99.7", 10)
        assert "Hint 3 of 3: Method: the way, in words." in capsys.readouterr().out
    finally:
        EXERCISES.pop("99.7", None)
        reset_attempts()


def test_the_grading_copy_withholds_the_checks(tmp_path):
    from musicviz.grading.isolation import withhold_checks

    (tmp_path / "musicviz" / "_exercise_checks").mkdir(parents=True)
    (tmp_path / "musicviz" / "_exercise_checks" / "nb00.py").write_text("def _answer_00_1(): return 77\n")
    withhold_checks(tmp_path)
    source = (tmp_path / "musicviz" / "_exercise_checks" / "__init__.py").read_text()
    assert "_answer_00_1" not in source and "withhold(" in source
    assert [p.name for p in (tmp_path / "musicviz" / "_exercise_checks").iterdir()] == ["__init__.py"]


def test_the_scan_flags_what_honest_code_has_no_reason_to_do():
    from musicviz.grading.scan import scan_notebook

    assert scan_notebook({"cells": [{"cell_type": "code", "source": "exec(bytes.fromhex('7072696e74'))"}]}) == [
        "dynamic-code: exec( (cell 1)"
    ]
    assert scan_notebook({"cells": [{"cell_type": "code", "source": "x = 1  # solutions/ later"}]}) == []
    assert re.search(r"outside: /root", scan_notebook({"cells": [{"cell_type": "code", "source": "open('/root/x')"}]})[0])


# --------------------------------------------------------------------------- a class of 30 (CI only)
def _filled(values: dict, *, broken_after: str | None = None):
    """The course notebook 00 with these answers (variable -> source) and, optionally, a bug after one."""
    nb = nbformat.read(ROOT / "notebooks" / "00_introduction.ipynb", as_version=4)
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            for name, value in values.items():
                cell.source = re.sub(rf"^(\s*{name}\s*=\s*)None\b", rf"\g<1>{value}", cell.source, flags=re.MULTILINE)
        cells.append(cell)
        if broken_after and cell.cell_type == "code" and re.search(rf"^\s*{broken_after}\s*=", cell.source, re.MULTILINE):
            cells.append(nbformat.v4.new_code_cell("raise RuntimeError('a student bug')"))
    nb.cells = cells
    return nb


@pytest.mark.ci  # costs minutes: 30 kernels, most of them running the whole notebook 00
def test_a_class_of_30_in_one_run(tmp_path, course_data):
    _needs_namespaces()
    right = _right_answers()
    folder, out = tmp_path / "class", tmp_path / "grades"
    folder.mkdir()
    nb = "00_introduction.ipynb"
    for n in range(12):
        nbformat.write(_filled(right), folder / f"honest{n:02d}__{nb}")
    for n in range(4):
        nbformat.write(_filled({}), folder / f"blank{n:02d}__{nb}")
    for n in range(4):
        nbformat.write(_filled({"answer_00_1": right["answer_00_1"], "answer_00_2": "'metal'"}, broken_after="answer_00_1"),
                       folder / f"partial{n:02d}__{nb}")
    hostile = {
        "x_saboteur": _saboteur(course_data), "x_oracle": [ORACLE_SOLUTIONS.replace("ROOT", repr(str(ROOT)))],
        "x_answercode": [ORACLE_CHECKS], "x_forger": [FORGER.replace("OUT", repr(str(out / "grades.csv"))).replace("#TAG", "#" + TAG)],
        "x_forged": [FORGED_ANSWER], "x_flood": ["answer_00_1 = 1", FLOOD],
        "x_forkbomb": ["import os\nKERNEL = os.getpid()", FORK_BOMB], "x_network": [NETWORK.replace("PORT", "9")],
        "x_bigalloc": [BIG_ALLOCATION], "x_rigged": [RIGGED],
    }
    for student, cells in hostile.items():
        _notebook(folder / f"{student}__{nb}", *cells)
    lines = []
    started = time.perf_counter()
    results = grade_submissions(folder, out=out, cell_timeout=10, notebook_timeout=120, progress=lines.append,
                                sandbox="namespace")
    seconds = time.perf_counter() - started
    print("\n".join(lines))
    print(f"a class of {len(results)} graded in {seconds:.0f} s")
    by = {r.submission.student: r for r in results}
    assert len(results) == 30
    for n in range(12):
        assert by[f"honest{n:02d}"].total == 3 and by[f"honest{n:02d}"].flags == [], by[f"honest{n:02d}"]
    for n in range(4):
        assert by[f"blank{n:02d}"].total == 0 and by[f"partial{n:02d}"].points == {"00.1": 1, "00.2": 0, "00.3": 0}
    assert all(by[s].total == 0 for s in hostile if s not in ("x_flood",))
    time.sleep(2)
    assert _processes_holding(TAG) == [] and _no_kernel_left()
