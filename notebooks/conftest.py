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

import atexit
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _kernels_over_unix_sockets() -> None:
    """nbval's kernels talk over Unix sockets in a private folder, not TCP ports.

    jupyter_client picks a kernel's five TCP ports by binding port 0 and letting go: two
    pytest-xdist workers starting kernels at the same moment (07 and 08 in ``make test``'s
    second run) can be handed the same port, and the kernel that loses dies unseen (nbval
    sends its stderr to /dev/null): "Kernel didn't respond in 60 seconds" and every cell an
    error. A socket file in a folder of one's own cannot be taken by another process.
    """
    import nbval.kernel
    from jupyter_client.manager import KernelManager

    if os.name != "posix" or getattr(nbval.kernel.KernelManager, "_musicviz_ipc", False):
        return

    class UnixSocketKernelManager(KernelManager):
        _musicviz_ipc = True

        def __init__(self, **kwargs):
            folder = tempfile.mkdtemp(prefix="nbval-kernel-")
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("connection_file", os.path.join(folder, "kernel.json"))
            super().__init__(**kwargs)

    nbval.kernel.KernelManager = UnixSocketKernelManager


_kernels_over_unix_sockets()
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
