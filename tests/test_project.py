"""The project's promises about itself: light import, environment files in sync, CI wiring."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _requirement_names(specs):
    return {re.split(r"[<>=!\[ ;]", spec, maxsplit=1)[0].strip().lower().replace("_", "-") for spec in specs}


def _pyproject():
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_import_is_light_and_fast():
    code = (
        "import sys, time; t = time.perf_counter(); import musicviz; "
        "dt = time.perf_counter() - t; "
        "heavy = [m for m in ('tensorflow', 'keras', 'torch', 'librosa', 'matplotlib', 'sklearn') if m in sys.modules]; "
        "print(dt); print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert float(out[0]) < 0.5, f"import musicviz took {out[0]} s"
    assert out[1] == "", f"import musicviz pulled in {out[1]}"


def test_import_changes_no_matplotlib_state():
    code = (
        "import matplotlib; before = dict(matplotlib.rcParams); "
        "import musicviz, musicviz.plot; "
        "print(before == dict(matplotlib.rcParams))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "True"


def test_environment_yml_matches_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "conda-forge" in env["channels"]
    conda_specs = [d for d in env["dependencies"] if isinstance(d, str)]
    pip_specs = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_specs
    conda = {re.split(r"[<>=! ]", s, maxsplit=1)[0].lower(): s for s in conda_specs}
    assert conda["python"].startswith("python=3.11")
    project = _pyproject()["project"]
    optional = project["optional-dependencies"]
    wanted = project["dependencies"] + optional["notebooks"] + optional["test"] + optional["cnn"]
    # conda-forge ships TensorFlow's CPU build as "tensorflow".
    names = {"tensorflow" if n == "tensorflow-cpu" else n for n in _requirement_names(wanted)}
    missing = names - set(conda)
    assert not missing, f"environment.yml lacks {sorted(missing)}"
    for card in ("jupyterlab", "librosa", "ipython", "matplotlib", "seaborn", "pandas", "scikit-learn", "keras", "tensorflow", "nbval"):
        assert card in conda
    # The version ranges agree with pyproject's.
    pyspecs = {}
    for spec in wanted:
        name = _requirement_names([spec]).pop()
        pyspecs["tensorflow" if name == "tensorflow-cpu" else name] = re.sub(r"^[A-Za-z0-9_.\-\[\]]+", "", spec)
    for name, rng in pyspecs.items():
        assert conda[name].replace(" ", "") == f"{name}{rng}".replace(" ", ""), (name, conda[name], rng)


def test_constraints_pin_every_dependency_exactly():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"constraints.txt line is not an exact pin: {line}"
            pins[name.lower().replace("_", "-")] = version
    project = _pyproject()["project"]
    names = _requirement_names(project["dependencies"] + sum(project["optional-dependencies"].values(), []))
    names -= {"dask"}  # optional cluster extra, not part of the course environment
    assert not names - set(pins), f"not pinned: {sorted(names - set(pins))}"
    from packaging.requirements import Requirement

    for spec in project["dependencies"]:
        req = Requirement(spec)
        assert req.specifier.contains(pins[req.name.lower()]), f"{spec} excludes the pinned {pins[req.name.lower()]}"
    assert all(re.search(r"<", spec) for spec in project["dependencies"]), "every range needs an upper bound"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in ci and "make test" in readme and "make run" in readme


def test_library_never_calls_show_or_savefig():
    import ast

    offenders = []
    for path in (ROOT / "musicviz").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr == "show" and getattr(node.func.value, "id", "") == "plt":
                    offenders.append(f"{path.name}:{node.lineno} plt.show()")
                if node.func.attr == "savefig" and path.name != "export.py":
                    offenders.append(f"{path.name}:{node.lineno} savefig()")
    assert not offenders


def test_no_removed_librosa_api():
    for path in list((ROOT / "musicviz").rglob("*.py")) + list((ROOT / "notebooks").glob("*.ipynb")):
        text = path.read_text()
        assert "beat.tempo(" not in text and "waveplot(" not in text, path


@pytest.mark.parametrize("module", ["musicviz.cnn", "musicviz.plot.cnn", "musicviz.widgets", "musicviz.cli"])
def test_modules_import_keras_lazily(module):
    code = f"import sys, {module}; print([m for m in ('tensorflow', 'keras') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
