"""The truths of a grading run: computed once, up front, from a private snapshot of the course data.

Notebook: every notebook (their exercises); for instructors (``make grade``).

Each check of :mod:`musicviz._exercise_checks` computes what a right answer is from the course
data (``Exercise.truth``). A grader that recomputed it after each submission's kernel ran
would let one submission change the data (every tempo 100 in ``metadata.csv``) and so the
truths of every student graded after it. So the grader first copies the course data into a
private snapshot (:func:`snapshot_course_data`: the synthetic set, a GTZAN copy when there is
one, the caches of features and musicnn outputs) and computes every truth it will need from
that snapshot, in its own process, before any submission runs (:func:`compute_truths`).
Grading then only compares each answer with these fixed values.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Truth", "CourseSnapshot", "snapshot_course_data", "compute_truths", "tree_digest"]


@dataclass(frozen=True)
class Truth:
    """One exercise's truth (``value``), or why it could not be computed (``error``)."""

    value: object = None
    error: str | None = None


@dataclass(frozen=True)
class CourseSnapshot:
    """A private copy of the course data: ``folder`` (a ``MUSICVIZ_DATA``-like folder) and its parts' digests."""

    folder: Path
    digests: dict

    @property
    def parts(self) -> list[str]:
        return sorted(self.digests)


def tree_digest(folder) -> str:
    """A BLAKE2 digest of every file's relative path and bytes under ``folder`` (links by target).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from musicviz.grading.truths import tree_digest
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.csv").write_text("tempo\\n100\\n")
    >>> before = tree_digest(folder)
    >>> _ = (folder / "a.csv").write_text("tempo\\n101\\n")
    >>> tree_digest(folder) == before
    False
    """
    folder = Path(folder)
    digest = hashlib.blake2b(digest_size=20)
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode):
            digest.update(f"L {relative} -> {os.readlink(path)}\n".encode())
        elif stat.S_ISREG(mode):
            digest.update(f"F {relative} {path.stat().st_size}\n".encode())
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
        elif stat.S_ISDIR(mode):
            digest.update(f"D {relative}\n".encode())
        else:
            digest.update(f"? {relative} {stat.S_IFMT(mode)}\n".encode())
    return digest.hexdigest()


def snapshot_course_data(dest) -> CourseSnapshot:
    """Copy the course data into ``dest`` (a new folder) and digest it.

    What is copied: the synthetic set (``data/synth``), a real GTZAN copy when
    ``MUSICVIZ_GTZAN`` (or ``data/gtzan``) names one, the caches of computed data
    (``data/cache``) the checks read, and the models the notebooks saved (``data/models``:
    notebook 07 uses the CNN of notebook 06). ``dest`` then works as a ``MUSICVIZ_DATA``
    folder, with the GTZAN copy at ``dest/gtzan``. Only the data sets are digested: the caches
    and models are the kernels' to write, each in its own copy.
    """
    from musicviz.config import gtzan_dir, synth_dir, work_dir

    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=False)
    digests = {}
    sources = (("synth", synth_dir()), ("gtzan", gtzan_dir()), ("cache", work_dir() / "cache"),
               ("models", work_dir() / "models"))
    for name, source in sources:
        if Path(source).is_dir():
            shutil.copytree(source, dest / name, symlinks=False)
            if name in ("synth", "gtzan"):  # caches and saved models are the kernels' to write (each its own copy)
                digests[name] = tree_digest(dest / name)
    return CourseSnapshot(dest, digests)


@contextlib.contextmanager
def _course_data(folder: Path):
    """``MUSICVIZ_DATA`` (and ``MUSICVIZ_GTZAN``) pointing at ``folder`` while the truths are computed."""
    saved = {name: os.environ.get(name) for name in ("MUSICVIZ_DATA", "MUSICVIZ_GTZAN")}
    os.environ["MUSICVIZ_DATA"] = str(folder)
    if (folder / "gtzan").is_dir():
        os.environ["MUSICVIZ_GTZAN"] = str(folder / "gtzan")
    else:
        os.environ.pop("MUSICVIZ_GTZAN", None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def compute_truths(exercise_ids, *, snapshot: CourseSnapshot, progress=None) -> dict[str, Truth]:
    """Every listed exercise's truth, computed here from ``snapshot`` (errors are kept, not raised).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from musicviz.grading.truths import CourseSnapshot, compute_truths
    >>> snapshot = CourseSnapshot(pathlib.Path(tempfile.mkdtemp()), {})
    >>> compute_truths(["02.4"], snapshot=snapshot)["02.4"].value  # 02.4 reads no data
    20
    """
    import time

    from musicviz.exercises import EXERCISES

    truths = {}
    with _course_data(Path(snapshot.folder)):
        for exercise_id in exercise_ids:
            exercise = EXERCISES[exercise_id]
            started = time.perf_counter()
            try:
                truths[exercise_id] = Truth(exercise.right_answer())
            except Exception as exc:  # missing data, a broken check: that exercise cannot be graded
                message = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
                truths[exercise_id] = Truth(error=message)
            if progress is not None:
                said = "ok" if truths[exercise_id].error is None else f"NOT AVAILABLE ({truths[exercise_id].error})"
                progress(f"  truth {exercise_id:6s} {said} ({time.perf_counter() - started:.1f} s)")
    return truths
