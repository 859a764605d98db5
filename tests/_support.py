"""Small helpers several test files share."""

from __future__ import annotations

import os

import numpy as np
import pytest

SR = 22050


def tone(seconds=4.0, sr=SR, freq=440.0):
    """A 0.5-amplitude sine, float32."""
    t = np.arange(int(seconds * sr)) / sr
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def chmod_can_deny(folder) -> bool:
    """Does ``chmod 000`` stop this process reading a file? Not for root (CAP_DAC_OVERRIDE)."""
    probe_file = folder / "chmod-probe"
    probe_file.write_bytes(b"x")
    probe_file.chmod(0)
    try:
        with open(probe_file, "rb"):
            return False
    except PermissionError:
        return True
    finally:
        probe_file.chmod(0o600)
        probe_file.unlink()


def require_or_skip(reason: str, *, variable: str = "MUSICVIZ_REQUIRE_DATA") -> None:
    """Skip a test whose material is missing, or fail it where that material must be there.

    ``make test`` sets ``MUSICVIZ_REQUIRE_DATA=1`` (it makes the synthetic set first) and
    ``.ci/run`` sets ``MUSICVIZ_REQUIRE_GTZAN=1``: there, a missing folder is a bug, never a
    silent skip.
    """
    if os.environ.get(variable) == "1":
        pytest.fail(f"{reason}, and {variable}=1 says it must be there")
    pytest.skip(reason)
