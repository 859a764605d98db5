"""Root pytest configuration: the docstring examples of ``musicviz`` (``--doctest-modules``).

Examples run headless (Agg) and every figure an example makes is closed after it, as the
unit tests' own ``tests/conftest.py`` does for them.
"""

from __future__ import annotations

import os
import sys

import pytest

os.environ["MPLBACKEND"] = "Agg"  # headless, whatever the shell says
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

collect_ignore_glob = ["musicviz/__main__.py", "musicviz/*/__main__.py", "build/*", "node_modules/*"]


@pytest.fixture(autouse=True)
def _close_example_figures():
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")  # never imported just to close nothing
    if pyplot is not None:
        pyplot.close("all")
