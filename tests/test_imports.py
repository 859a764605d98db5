"""Import hygiene, in one table: what each module may pull in when imported first and alone.

``import musicviz`` stays light (no TensorFlow, librosa, matplotlib or scikit-learn: a student's
first cell and every command-line call start fast), and no module imports TensorFlow/Keras at
import time (only functions of ``musicviz.cnn`` and ``musicviz.pretrained`` do, when called).

Each row needs a fresh interpreter, because a module already imported hides what it imports.
One child process imports the standard library it needs, then forks once per row: each fork
imports its module from the same clean state, cheaply, and reports what landed in
``sys.modules``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

TENSORFLOW = ("tensorflow", "keras", "tf_keras", "torch")
HEAVY = (*TENSORFLOW, "librosa", "matplotlib", "sklearn")

#: module -> the top-level packages it must not import.
TABLE = {
    "musicviz": HEAVY,
    "musicviz.datasets.scanning": ("sklearn", "librosa", "matplotlib", *TENSORFLOW),
    "musicviz.datasets.tables": ("sklearn", "librosa", "matplotlib", *TENSORFLOW),
    "musicviz.datasets.importing": ("sklearn", "librosa", "matplotlib", *TENSORFLOW),
    "musicviz.cnn": ("librosa", "matplotlib", *TENSORFLOW),
    "musicviz.similarity": TENSORFLOW,
    "musicviz.pretrained": TENSORFLOW,
    "musicviz.plot.pretrained": TENSORFLOW,
    "musicviz.plot.cnn": ("librosa", *TENSORFLOW),
    "musicviz.cnn.data": TENSORFLOW,
    "musicviz.cnn.model": TENSORFLOW,
    "musicviz.cnn.io": TENSORFLOW,
    "musicviz.cnn.training": TENSORFLOW,
    "musicviz.cache": TENSORFLOW,
    "musicviz.widgets": TENSORFLOW,
    "musicviz.cli": TENSORFLOW,
    "musicviz.grading": ("matplotlib", "librosa", *TENSORFLOW),
    "musicviz.course": ("nbclient", "nbconvert", "playwright", "matplotlib", "librosa", *TENSORFLOW),
    "musicviz.baselines": TENSORFLOW,
    "musicviz.features": TENSORFLOW,
    "musicviz._interrupts": HEAVY,
    "musicviz.datasets._sources": ("sklearn", "librosa", "matplotlib", *TENSORFLOW),
    "musicviz.baselines._model_checks": TENSORFLOW,
    "musicviz.install": HEAVY,
    "musicviz.scores": HEAVY,
    "musicviz.datasets.firstuse": ("sklearn", "matplotlib", *TENSORFLOW),
}

_CHILD = textwrap.dedent(
    """
    import importlib, json, os, sys
    table = json.loads(sys.argv[1])
    report = {}
    for module in table:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            try:
                importlib.import_module(module)
                result = sorted({name.split(".")[0] for name in sys.modules} & set(table[module]))
            except BaseException as exc:  # report it: the parent fails the row with the reason
                result = f"import failed: {type(exc).__name__}: {exc}"
            os.write(write, json.dumps(result).encode())
            os._exit(0)
        os.close(write)
        chunks = []
        while chunk := os.read(read, 65536):
            chunks.append(chunk)
        os.close(read)
        os.waitpid(pid, 0)
        report[module] = json.loads(b"".join(chunks) or b'"no report"')
    print(json.dumps(report))
    """
)


@pytest.fixture(scope="module")
def imported() -> dict:
    """What each module of :data:`TABLE` pulled in, imported first in a fresh interpreter."""
    if not hasattr(__import__("os"), "fork"):
        pytest.skip("needs os.fork (POSIX)")
    run = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(TABLE)], capture_output=True, text=True, timeout=300, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", sorted(TABLE))
def test_module_imports_nothing_heavy(imported, module):
    assert imported[module] == [], f"import {module} pulled in {imported[module]}"


def test_the_table_catches_a_heavy_import():
    """The probe sees an import: a module that does import the heavy library is reported."""
    run = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps({"json": ["json"], "musicviz.features": ["numpy"]})],
        capture_output=True, text=True, timeout=120, check=True,
    )
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report == {"json": ["json"], "musicviz.features": ["numpy"]}
