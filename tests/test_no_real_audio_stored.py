"""No committed notebook stores real GTZAN audio (copyrighted: read by path, never committed).

Every audio player a committed notebook stores is decoded and searched for in the ten real
clips of ../shared/data/gtzan_samples by normalised cross-correlation. Players are Ogg Opus at
24 kHz (``musicviz.player``): a lossy codec keeps the waveform below about 4 kHz but only the
envelope of noise-like highs, so both sides are brought to 8 kHz (which low-passes them at
4 kHz) and a one-second excerpt is searched for: a player cut from a real recording (at any
offset, normalised or not) correlates above 0.9 with it; synthetic audio stays near 0.3. Cells that may show a user's real audio carry ``REAL_AUDIO_MARKER`` and
``make execute`` (``musicviz.course.series --in-place``) drops their outputs.
"""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

from musicviz.course.runner import REAL_AUDIO_MARKER, drop_real_audio_outputs

ROOT = Path(__file__).resolve().parents[1]

_PLAYER = re.compile(r'src="data:audio/(?:wav|ogg);base64,([A-Za-z0-9+/=\s]+)"')
#: The rate both sides are compared at (a low-pass at half of it), and the excerpt searched for.
SEARCH_SR = 8000
EXCERPT_SECONDS = 1.0
THRESHOLD = 0.8


def _at_search_rate(samples: np.ndarray, sr: int) -> np.ndarray:
    from fractions import Fraction

    from scipy.signal import resample_poly

    ratio = Fraction(SEARCH_SR, int(sr))
    return resample_poly(samples, ratio.numerator, ratio.denominator)


def _decode(encoded: bytes) -> np.ndarray:
    import soundfile as sf

    samples, sr = sf.read(io.BytesIO(encoded), dtype="float64")
    return _at_search_rate(samples if samples.ndim == 1 else samples.mean(axis=1), sr)


def _stored_players():
    """(notebook, cell index, samples at SEARCH_SR) of every player the committed notebooks store."""
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]*.ipynb")):
        for index, cell in enumerate(json.loads(path.read_text())["cells"]):
            for output in cell.get("outputs", []):
                html = "".join(output.get("data", {}).get("text/html", []))
                for encoded in _PLAYER.findall(html):
                    yield path.name, index, _decode(base64.b64decode(encoded))


def _excerpt(samples: np.ndarray) -> np.ndarray:
    """One second from the middle (a player's first milliseconds may be a fade or silence)."""
    n = int(EXCERPT_SECONDS * SEARCH_SR)
    start = max((len(samples) - n) // 2, 0)
    return samples[start : start + n]


@pytest.fixture(scope="module")
def real_clips(gtzan_samples) -> dict:
    import soundfile as sf

    clips = {}
    for path in sorted(gtzan_samples.glob("*.wav")):
        samples, sr = sf.read(path, dtype="float64")
        clips[path.stem] = _at_search_rate(samples, sr)
    assert clips, f"no real clips in {gtzan_samples}"
    return clips


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


def test_no_stored_player_holds_real_gtzan_audio(real_clips):
    players = list(_stored_players())
    assert players, "no stored audio players found: the test would prove nothing"
    leaks = []
    for notebook, index, samples in players:
        excerpt = _excerpt(samples)
        for name, clip in real_clips.items():
            if _best_correlation(excerpt, clip) > THRESHOLD:
                leaks.append(f"{notebook} cell {index}: {name}")
    assert not leaks, f"real GTZAN audio stored in committed notebooks: {leaks}"


def test_the_search_finds_a_real_excerpt_through_the_player(real_clips, gtzan_samples, synth_data):
    """A real excerpt made into a player, as a notebook would store it, is found; synthetic audio is not."""
    import soundfile as sf

    from musicviz.player import encode_opus

    for path in sorted(gtzan_samples.glob("*.wav"))[:3]:
        clip, sr = sf.read(path, dtype="float64")
        player = encode_opus(clip[5 * sr : 9 * sr], sr=sr)  # a 4 s excerpt, normalised
        score = _best_correlation(_excerpt(_decode(player)), real_clips[path.stem])
        assert score > THRESHOLD, (path.name, score)
    synthetic = sorted(synth_data.glob("*/*.wav"))[:3]
    for path in synthetic:
        clip, sr = sf.read(path, dtype="float64")
        excerpt = _excerpt(_decode(encode_opus(clip[:4 * sr], sr=sr)))
        worst = max(_best_correlation(excerpt, real) for real in real_clips.values())
        assert worst < THRESHOLD / 2, (path.name, worst)


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
