"""Small helpers several test files share."""

from __future__ import annotations

import numpy as np

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
