"""nbval collection rules for the series.

The test suite points ``MUSICVIZ_GTZAN`` at ``../shared/data`` (real GTZAN material on the
course's own machines) unless it is set already; users' runs never do (their default is
``data/gtzan/``). Every notebook runs without it: the real tables ship with musicviz.

A notebook whose metadata says ``"musicviz": {"needs_real_audio": true}`` shows results on a
real GTZAN recording. It runs whenever one is found under ``$MUSICVIZ_GTZAN`` (always in CI,
where ``MUSICVIZ_REQUIRE_GTZAN=1``) and is skipped, with the reason, otherwise: its stored
outputs were made with that recording.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
if SHARED_DATA.is_dir():
    os.environ.setdefault("MUSICVIZ_GTZAN", str(SHARED_DATA))


def _real_audio_present() -> bool:
    from musicviz.datasets import find_real_clip

    return find_real_clip("metal") is not None


def pytest_collection_modifyitems(config, items):
    if os.environ.get("MUSICVIZ_REQUIRE_GTZAN") == "1":
        return
    needs = {}
    present = None
    for item in items:
        path = Path(str(item.fspath))
        if path.suffix != ".ipynb":
            continue
        if path not in needs:
            meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
            needs[path] = bool(meta.get("musicviz", {}).get("needs_real_audio"))
        if needs[path]:
            if present is None:
                present = _real_audio_present()
            if not present:
                item.add_marker(
                    pytest.mark.skip(reason=f"{path.name} shows a real GTZAN recording: none found (set MUSICVIZ_GTZAN)")
                )
