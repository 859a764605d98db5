"""Root pytest configuration, for everything ``make test`` collects: tests, docstring
examples (``--doctest-modules musicviz``) and notebooks (``--nbval``).

Headless matplotlib (Agg), and every figure a test or an example makes is closed after it.
"""

from __future__ import annotations

import os
import sys

import pytest

os.environ["MPLBACKEND"] = "Agg"  # headless, whatever the shell says
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# Not test modules: the command lines (importing them runs them), and the conftest files, which
# --doctest-modules would import a second time under the one name "conftest" (they are loaded
# as conftests all the same).
collect_ignore_glob = ["musicviz/__main__.py", "musicviz/*/__main__.py", "build/*", "node_modules/*",
                       "tests/conftest.py", "notebooks/conftest.py"]


@pytest.fixture(autouse=True)
def _close_example_figures():
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")  # never imported just to close nothing
    if pyplot is not None:
        pyplot.close("all")
