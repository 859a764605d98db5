"""Shared fixtures: where the real GTZAN material and the synthetic set are.

Headless matplotlib and closing every figure after a test: the root ``conftest.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _support import require_or_skip

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
        require_or_skip(f"real GTZAN material not found at {SHARED_DATA} (set MUSICVIZ_GTZAN)", variable="MUSICVIZ_REQUIRE_GTZAN")
    return SHARED_DATA


@pytest.fixture(scope="session")
def synth_data() -> Path:
    """The generated synthetic set (``data/synth``); skips (fails under ``make test``) without it."""
    from musicviz.datasets import synth_dir

    folder = synth_dir()
    if not (folder / "metadata.csv").is_file():
        require_or_skip(f"the synthetic set is not generated at {folder} (make data)")
    return folder


@pytest.fixture(scope="session")
def gtzan_samples(shared_data) -> Path:
    """The ten real GTZAN clips ``<genre>.00000.wav``."""
    return shared_data / "gtzan_samples"


#: Fixtures that mean "needs more than the venv": a test using one is ``slow`` (not in ``make check``).
DATA_FIXTURES = ("synth_data", "shared_data", "gtzan_samples", "_weights_installed", "_chromium_present")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if any(name in getattr(item, "fixturenames", ()) for name in DATA_FIXTURES):
            item.add_marker(pytest.mark.slow)


# The browser tests' Playwright and Chromium (tests/test_site.py, tests/test_browser.py).
@pytest.fixture(scope="session")
def _chromium_present():
    """Debian's Chromium (``make test`` installs it where it can): a skip with the reason without it,
    a failure where ``MUSICVIZ_REQUIRE_BROWSER=1`` (``.ci/run``)."""
    from musicviz.course import browser

    if browser.chromium() is None:
        require_or_skip("Debian's chromium is not installed (`apt-get install chromium`; make test installs it as root)",
                        variable="MUSICVIZ_REQUIRE_BROWSER")


@pytest.fixture(scope="module")
def playwright():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the test extra)")
    with sync_api.sync_playwright() as pw:
        yield pw


@pytest.fixture
def chromium(playwright):
    """A Chromium context that refuses every outside request, and its guard."""
    from musicviz.course import browser

    with browser.browser(playwright) as (context, guard):
        yield context, guard
