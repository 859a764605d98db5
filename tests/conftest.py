"""Shared fixtures: where the real GTZAN material is, and a headless matplotlib."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("MUSICVIZ_GTZAN") or ROOT.parent / "shared" / "data")
# Every test (and every subprocess a test starts) sees the real material at the same place.
# Only the tests do this: a user's default stays data/gtzan/ (the Makefile sets nothing).
os.environ.setdefault("MUSICVIZ_GTZAN", str(SHARED_DATA))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real GTZAN material (../shared/data); skips when it is absent.

    With ``MUSICVIZ_REQUIRE_GTZAN=1`` (set by ``.ci/run``) its absence is an error, not a
    skip: those tests must run there.
    """
    if not (SHARED_DATA / "features_30_sec.csv").is_file():
        if os.environ.get("MUSICVIZ_REQUIRE_GTZAN") == "1":
            pytest.fail(f"CI needs the real GTZAN material at {SHARED_DATA}")
        pytest.skip(f"real GTZAN material not found at {SHARED_DATA} (set MUSICVIZ_GTZAN)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def gtzan_samples(shared_data) -> Path:
    """The ten real GTZAN clips ``<genre>.00000.wav``."""
    return shared_data / "gtzan_samples"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
