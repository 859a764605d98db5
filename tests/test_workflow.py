"""The CI workflow passes zizmor's offline audit (issue 12, workflow findings).

zizmor is a static analyser for GitHub Actions workflows. Offline it checks, among others:
actions pinned to a commit hash (``unpinned-uses``), checkout credentials not left on disk
where an uploaded artifact could carry them (``artipacked``), an explicit least-privilege
``permissions:`` block (``excessive-permissions``) and no ``${{ ... }}`` expansion inside a
``run:`` script (``template-injection``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "course.yml"


def _zizmor() -> str:
    # The venv's own copy (installed with the test dependencies), never a random one on PATH
    # first: its version decides which audits run.
    here = Path(sys.executable).parent
    for name in ("zizmor", "zizmor.exe"):
        if (here / name).is_file():
            return str(here / name)
    found = shutil.which("zizmor")
    if found is None:
        pytest.skip(f"zizmor is not installed next to {sys.executable} (pip install zizmor==1.32.0)")
    return found


def test_workflow_has_no_zizmor_findings():
    result = subprocess.run(
        [_zizmor(), "--offline", "--format", "plain", str(WORKFLOW.relative_to(ROOT))],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, f"zizmor findings (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"


def test_workflow_still_runs_the_course_tests():
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "run: make test" in text
    # Every action is pinned to a full commit hash, with the release it is in a comment.
    uses = [line.split("uses:", 1)[1].strip() for line in text.splitlines() if "uses:" in line]
    assert len(uses) == 3
    for ref in uses:
        action, _, rest = ref.partition("@")
        sha, _, comment = rest.partition("#")
        assert len(sha.strip()) == 40 and all(c in "0123456789abcdef" for c in sha.strip()), ref
        assert comment.strip().startswith("v"), ref
