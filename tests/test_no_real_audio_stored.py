"""No committed notebook stores real GTZAN audio (copyrighted: read by path, never committed).

Every audio player a committed notebook stores is decoded and searched for in the ten real
clips of ../shared/data/gtzan_samples by normalised cross-correlation: a player cut from a real
recording (at any offset, normalised or not) correlates at ~1.0 with it; synthetic audio does
not. Cells that may show a user's real audio carry ``REAL_AUDIO_MARKER`` and
``scripts/run_series.py --in-place`` drops their outputs.
"""

from __future__ import annotations

import base64
import io
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from run_series import REAL_AUDIO_MARKER, drop_real_audio_outputs  # noqa: E402

_WAV = re.compile(r'src="data:audio/wav;base64,([A-Za-z0-9+/=\s]+)"')


def _stored_players():
    """(notebook, cell index, samples) of every audio player stored in the committed notebooks."""
    import soundfile as sf

    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]*.ipynb")):
        for index, cell in enumerate(json.loads(path.read_text())["cells"]):
            for output in cell.get("outputs", []):
                html = "".join(output.get("data", {}).get("text/html", []))
                for encoded in _WAV.findall(html):
                    samples, _ = sf.read(io.BytesIO(base64.b64decode(encoded)), dtype="float64")
                    yield path.name, index, samples if samples.ndim == 1 else samples.mean(axis=1)


def _best_correlation(needle: np.ndarray, haystack: np.ndarray) -> float:
    """Largest normalised correlation of ``needle`` (a short excerpt) over all offsets in ``haystack``."""
    from scipy.signal import fftconvolve

    n = len(needle)
    needle = needle - needle.mean()
    if n > len(haystack) or not np.any(needle):
        return 0.0
    dot = fftconvolve(haystack, needle[::-1], mode="valid")
    # The variance of every window of the haystack, from running sums (one pass).
    sums = np.concatenate([[0.0], np.cumsum(haystack)])
    squares = np.concatenate([[0.0], np.cumsum(haystack**2)])
    window_sum = sums[n:] - sums[:-n]
    energy = (squares[n:] - squares[:-n]) - window_sum**2 / n
    score = dot / np.sqrt(np.maximum(energy, 1e-12) * np.sum(needle**2))
    return float(np.max(score))


def test_no_stored_player_holds_real_gtzan_audio(gtzan_samples):
    import soundfile as sf

    real = {p.stem: sf.read(p, dtype="float64")[0] for p in sorted(gtzan_samples.glob("*.wav"))}
    assert real, f"no real clips in {gtzan_samples}"
    players = list(_stored_players())
    assert players, "no stored audio players found: the test would prove nothing"
    leaks = []
    for notebook, index, samples in players:
        excerpt = samples[2048:4096] if len(samples) >= 4096 else samples  # 0.09 s: enough to identify
        for name, clip in real.items():
            if _best_correlation(excerpt, clip) > 0.98:
                leaks.append(f"{notebook} cell {index}: {name}")
    assert not leaks, f"real GTZAN audio stored in committed notebooks: {leaks}"


def test_the_search_finds_a_real_excerpt(gtzan_samples):
    import soundfile as sf

    clip = sf.read(sorted(gtzan_samples.glob("*.wav"))[0], dtype="float64")[0]
    excerpt = 0.5 * clip[44100 : 44100 + 4096] / np.max(np.abs(clip))  # normalised, as a player does
    assert _best_correlation(excerpt, clip) > 0.999
    noise = np.random.default_rng(0).normal(size=4096)
    assert _best_correlation(noise, clip) < 0.5


def test_marked_cells_are_ignored_and_store_nothing():
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]*.ipynb")):
        for index, cell in enumerate(json.loads(path.read_text())["cells"]):
            source = "".join(cell["source"])
            if REAL_AUDIO_MARKER in source:
                assert "# NBVAL_IGNORE_OUTPUT" in source, f"{path.name} cell {index}"
                assert not cell.get("outputs"), f"{path.name} cell {index} stores outputs"


def test_in_place_execution_drops_marked_outputs():
    import nbformat

    nb = nbformat.v4.new_notebook()
    kept = nbformat.v4.new_code_cell("print(1)")
    marked = nbformat.v4.new_code_cell(f"# NBVAL_IGNORE_OUTPUT\n{REAL_AUDIO_MARKER}\nplay(real)")
    for cell in (kept, marked):
        cell.outputs = [nbformat.v4.new_output("stream", text="x")]
    nb.cells = [kept, marked]
    assert drop_real_audio_outputs(nb) == 1
    assert kept.outputs and not marked.outputs
