"""nbval collection rules for the series.

A notebook whose metadata says ``"musicviz": {"needs_gtzan": true}`` shows results on real
GTZAN material. It runs whenever ``$MUSICVIZ_GTZAN`` holds that material (always in CI) and is
skipped, with the reason, otherwise: its stored outputs were made with the data.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _gtzan_present() -> bool:
    root = Path(os.environ.get("MUSICVIZ_GTZAN") or ROOT / "data" / "gtzan")
    return (root / "features_30_sec.csv").is_file()


def pytest_collection_modifyitems(config, items):
    if _gtzan_present() or os.environ.get("MUSICVIZ_REQUIRE_GTZAN") == "1":
        return
    needs = {}
    for item in items:
        path = Path(str(item.fspath))
        if path.suffix != ".ipynb":
            continue
        if path not in needs:
            meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
            needs[path] = bool(meta.get("musicviz", {}).get("needs_gtzan"))
        if needs[path]:
            item.add_marker(pytest.mark.skip(reason=f"{path.name} needs real GTZAN material: set MUSICVIZ_GTZAN"))
