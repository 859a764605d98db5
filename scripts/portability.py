#!/usr/bin/env python3
"""Run the notebooks under nbval on perturbed platforms (``make portability``, CI only).

Stored notebook outputs must not depend on the machine: another CPU, BLAS kernel, thread
count or oneDNN setting rounds floats differently, and training or any iterative algorithm
(Griffin-Lim, optimisation) amplifies it. This script runs the notebooks under
``pytest --nbval`` once per perturbation, each in a fresh process with its own environment,
and fails if any run fails. Every notebook runs under the other BLAS kernel (any cell may
use BLAS); the thread and oneDNN perturbations only touch TensorFlow, so they run the
notebooks that use it:

* ``blas-kernel``: ``OPENBLAS_CORETYPE=Prescott`` (OpenBLAS's oldest x86-64 kernel; a
  machine whose environment already names a kernel runs the other one);
* ``one-thread``: one thread for TensorFlow (``MUSICVIZ_TF_THREADS=1``), OpenMP and BLAS;
* ``onednn``: TensorFlow's oneDNN optimisations on (``TF_ENABLE_ONEDNN_OPTS=1``).

The unperturbed run is ``make test`` itself. Usage::

    python scripts/portability.py [--only NAME ...] [--notebooks PATTERN ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: The notebooks that run TensorFlow (a CNN or musicnn): the only ones whose arithmetic the
#: thread count and oneDNN can change.
TENSORFLOW_NOTEBOOKS = ("06_cnn.ipynb", "07_classify_your_own_clip.ipynb", "08_transfer_learning.ipynb")


def notebooks_of(name: str) -> list[str]:
    """The notebooks a perturbation runs: all of them under another BLAS kernel."""
    every = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]*.ipynb"))
    return every if name == "blas-kernel" else [nb for nb in every if nb in TENSORFLOW_NOTEBOOKS]


def _after(notebook: str) -> bool:
    """Does the notebook use another's results (metadata "after": 07, 08 use 06's CNN)?"""
    import json

    metadata = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8")).get("metadata", {})
    return bool(metadata.get("musicviz", {}).get("after"))


def perturbations(environ=os.environ) -> dict[str, dict[str, str]]:
    """The environment changes of each perturbed platform."""
    kernel = "Haswell" if environ.get("OPENBLAS_CORETYPE", "").lower() == "prescott" else "Prescott"
    return {
        "blas-kernel": {"OPENBLAS_CORETYPE": kernel},
        "one-thread": {
            "MUSICVIZ_TF_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        },
        "onednn": {"TF_ENABLE_ONEDNN_OPTS": "1"},
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="run only these perturbations")
    args = parser.parse_args(argv)
    table = perturbations()
    names = args.only or list(table)
    unknown = sorted(set(names) - set(table))
    if unknown:
        parser.error(f"unknown perturbations {unknown}; choose from {list(table)}")
    results = []
    for name in names:
        notebooks = notebooks_of(name)
        env = {**os.environ, **table[name]}
        pytest = [
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "auto", "--dist", "loadfile", "--nbval",
            "--nbval-current-env", "--nbval-sanitize-with", "notebooks/sanitize.cfg",
        ]
        changes = " ".join(f"{k}={v}" for k, v in table[name].items())
        print(f"== {name}: {changes}", flush=True)
        start = time.perf_counter()
        # Notebooks that use another's results run once those have run (as in make test).
        code = 0
        for batch in ([nb for nb in notebooks if not _after(nb)], [nb for nb in notebooks if _after(nb)]):
            if batch and code == 0:
                code = subprocess.call([*pytest, *[f"notebooks/{nb}" for nb in batch]], cwd=ROOT, env=env)
        results.append((name, changes, code, time.perf_counter() - start))
    print("\nportability summary")
    for name, changes, code, seconds in results:
        print(f"  {name:12s} {'ok    ' if code == 0 else 'FAILED'} {seconds:5.0f} s  {changes}")
    return 0 if all(code == 0 for _, _, code, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
