"""The course without make: musicviz installed non-editable, as a student or a hub image gets it.

A fresh virtual environment gets ``pip install .`` (not ``-e``) of a copy of the working tree
(its dependencies are read from this environment, see the test); HOME points at a temporary folder. From there, with no ``make`` and no
clone: ``musicviz notebooks DIR`` copies the notebooks, and ``jupyter nbconvert --execute``
runs 00, 01 and 05, which make the synthetic set on first use. Then:

* the data, caches and models are in the per-user folder (``~/.local/share/musicviz``);
* nothing was written into ``site-packages`` (no data folder, no file changed or added),
  except what Python and numba cache next to the code they compile in a writable environment
  (``__pycache__/*.pyc``, numba's ``*.nbi``/``*.nbc``: librosa's functions get them there for
  any user of librosa, musicviz or not).

Minutes (the synthetic set made, three notebooks run), so only ``.ci/run`` runs it (``ci``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = pytest.mark.ci

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ("00_introduction.ipynb", "01_waveforms.ipynb", "05_baseline_models.ipynb")
#: What Python and numba write next to the code they compile (never musicviz's data).
COMPILER_CACHES = (".pyc", ".nbi", ".nbc")


def _working_tree_copy(dest: Path) -> Path:
    """The files a clone would have, as they are now (tracked and new, not ignored): no data/, no .venv."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                            capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def _listing(folder: Path) -> dict[str, tuple[int, int]]:
    listing = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            info = path.lstat()
            listing[path.relative_to(folder).as_posix()] = (info.st_size, info.st_mtime_ns)
    return listing


def _run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{command[:4]} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def test_a_non_editable_install_runs_the_notebooks_without_make(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MUSICVIZ_", "XDG_", "JUPYTER", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="3")

    source = _working_tree_copy(tmp_path / "clone")
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], env=env, timeout=300)
    python = venv / "bin" / "python"
    purelib = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                        env=env).stdout.strip())
    # The dependencies are this environment's, read through one .pth line: it puts the folder on
    # sys.path but runs none of the .pth files in it, so this checkout's editable musicviz stays
    # invisible. Installing TensorFlow & co. wheel by wheel again would cost CI 7 minutes and
    # prove nothing about musicviz; musicviz itself is installed for real, from its wheel.
    (purelib / "zz_course_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(source)], env=env, timeout=900)
    assert (purelib / "musicviz" / "__init__.py").is_file()  # installed, not a link to the copy
    assert not (purelib / "__editable__.musicviz-0.1.0.pth").exists()
    before = _listing(purelib)

    course = tmp_path / "my course"
    _run([str(venv / "bin" / "musicviz"), "notebooks", str(course)], env=env, timeout=300)
    _run([str(python), "-m", "nbconvert", "--to", "notebook", "--execute", "--output-dir",
          str(tmp_path / "executed"), "--ExecutePreprocessor.timeout=3600",
          *(str(course / name) for name in NOTEBOOKS)], env=env, cwd=course, timeout=7200)
    assert sorted(p.name for p in (tmp_path / "executed").iterdir()) == sorted(NOTEBOOKS)

    data = home / ".local" / "share" / "musicviz"
    assert (data / "synth" / "metadata.csv").is_file()  # made on first use, in the user's folder
    assert any((data / "cache" / "features").rglob("*.json"))
    assert (data / "models" / "svm_course.skops").is_file()  # notebook 05 saves its models there
    assert [p.name for p in (source / "data").iterdir()] == ["README.md"]  # the copy's data/ as committed
    assert not (course / "data").exists()

    after = _listing(purelib)
    changed = sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))
    foreign = [name for name in changed if "/__pycache__/" not in f"/{name}" or not name.endswith(COMPILER_CACHES)]
    assert not foreign, f"written into site-packages: {foreign[:20]}"
    assert not (purelib / "data").exists()
    assert not [name for name in after if name.startswith("musicviz/") and name.endswith((".wav", ".skops", ".npy", ".json"))]
    assert sysconfig.get_paths()["purelib"] != str(purelib)  # the fresh environment, not this one
