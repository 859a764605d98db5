"""The project's promises about itself: light import, environment files in sync, CI wiring."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _requirement_names(specs):
    return {re.split(r"[<>=!\[ ;]", spec, maxsplit=1)[0].strip().lower().replace("_", "-") for spec in specs}


def _pyproject():
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())


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


#: What the committed notebooks may weigh together (8 MiB). With WAV players they were 24.6 MiB,
#: 18 of it audio; Ogg Opus players (musicviz.player) are some 15 times smaller.
NOTEBOOKS_BUDGET = 8 * 2**20


def test_committed_notebooks_stay_small():
    sizes = {p.name: p.stat().st_size for p in sorted((ROOT / "notebooks").glob("*.ipynb"))}
    assert len(sizes) >= 10
    total = sum(sizes.values())
    heaviest = ", ".join(f"{name} {size / 2**20:.1f} MiB" for name, size in sorted(sizes.items(), key=lambda kv: -kv[1])[:3])
    assert total <= NOTEBOOKS_BUDGET, f"the notebooks weigh {total / 2**20:.1f} MiB, more than {NOTEBOOKS_BUDGET / 2**20:.0f} MiB (heaviest: {heaviest})"


def test_stored_players_are_compressed():
    wav = [p.name for p in sorted((ROOT / "notebooks").glob("*.ipynb")) if "data:audio/wav;base64," in p.read_text()]
    assert not wav, f"WAV players stored (re-execute with the Ogg Opus players of mv.audio.play): {wav}"


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


#: librosa names removed by 1.0 (or 0.10): code that uses them breaks for students.
REMOVED_LIBROSA = {"beat.tempo", "display.waveplot", "output.write_wav", "util.example_audio_file", "core.audio"}
#: librosa functions whose first argument may stay positional (the data they act on).
POSITIONAL_OK = {"power_to_db", "amplitude_to_db", "db_to_power", "db_to_amplitude", "stft", "istft",
                 "hz_to_mel", "mel_to_hz", "hz_to_midi", "midi_to_hz", "note_to_hz", "hz_to_note",
                 "frames_to_time", "time_to_frames", "samples_to_time", "time_to_samples", "fft_frequencies",
                 "magphase", "specshow", "waveshow", "decompose.hpss", "util.normalize", "util.fix_length",
                 "feature.delta", "feature.stack_memory", "effects.hpss", "effects.harmonic", "effects.percussive",
                 "resample", "to_mono", "get_duration", "frame", "util.frame", "pcen", "cqt", "load", "clicks",
                 "feature.inverse.mfcc_to_audio", "feature.inverse.mel_to_audio", "griffinlim", "segment.recurrence_matrix"}


def _librosa_calls(tree, aliases):
    """(dotted name after ``librosa.``, call node) for every call of a librosa function."""
    import ast

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        parts, func = [], node.func
        while isinstance(func, ast.Attribute):
            parts.append(func.attr)
            func = func.value
        if isinstance(func, ast.Name) and func.id in aliases:
            yield ".".join(reversed(parts)), node


def _sources():
    """(label, python source) of every module, script, solution and notebook code cell."""
    for path in sorted([*(ROOT / "musicviz").rglob("*.py"), *(ROOT / "scripts").glob("*.py"), *(ROOT / "solutions").glob("*.py")]):
        yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            if cell["cell_type"] == "code":
                code = "\n".join(l for l in "".join(cell["source"]).splitlines() if not l.lstrip().startswith(("%", "!")))
                yield f"{path.name} cell {i}", code


def test_librosa_is_called_with_keywords_and_no_removed_name():
    import ast

    checked = 0
    for label, source in _sources():
        tree = ast.parse(source)
        aliases = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names if a.name == "librosa"}
        if not aliases:
            continue
        for name, call in _librosa_calls(tree, aliases):
            checked += 1
            assert name not in REMOVED_LIBROSA, f"{label}: librosa.{name} was removed"
            allowed = 1 if name in POSITIONAL_OK or name.split(".")[-1] in POSITIONAL_OK else 0
            assert len(call.args) <= allowed, f"{label}: librosa.{name}(...) with {len(call.args)} positional arguments"
    assert checked > 20  # the walk really sees the code


def test_the_librosa_walk_catches_what_it_guards():
    import ast

    bad = ["import librosa\nlibrosa.beat.tempo(y=y, sr=sr)", "import librosa as lr\nlr.feature.mfcc(y, sr)"]
    for source in bad:
        tree = ast.parse(source)
        calls = list(_librosa_calls(tree, {"librosa", "lr"}))
        name, call = calls[0]
        assert name in REMOVED_LIBROSA or len(call.args) > 0


def test_shipped_jupyterlab_settings_are_what_lab_setup_writes(tmp_path):
    """The wheel's data files (pyproject.toml) are scripts/lab_setup.py's output, committed."""
    import tomllib

    from musicviz.course import lab_setup

    assert lab_setup.main(["--prefix", str(tmp_path)]) == 0
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json"))
    shipped = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["data-files"]
    listed = sorted(f"{folder}/{Path(f).name}" for folder, files in shipped.items() for f in files)
    assert listed == written
    for name in written:
        assert (ROOT / "jupyter-config" / name).read_text() == (tmp_path / name).read_text(), name
