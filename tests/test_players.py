"""Notebook players: small Ogg Opus files that decode back to the clip, the same bytes everywhere.

(That they play in a browser is checked in ``tests/test_browser.py``.)
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import resample_poly

from musicviz.audio import play
from musicviz.errors import ParameterError
from musicviz.player import OGG_SERIAL, PLAYER_BITRATE, PLAYER_MIMETYPE, PLAYER_SR, encode_opus, ogg_crc
from musicviz.synth import synthesize_clip

SR = 22050


def _pages(data: bytes) -> list[bytes]:
    pages, offset = [], 0
    while offset < len(data):
        assert data[offset : offset + 4] == b"OggS", offset
        n = data[offset + 26]
        end = offset + 27 + n + sum(data[offset + 27 : offset + 27 + n])
        pages.append(data[offset:end])
        offset = end
    return pages


def _decode(data: bytes) -> tuple[np.ndarray, int]:
    return sf.read(io.BytesIO(data), dtype="float64")


@pytest.fixture(scope="module")
def music() -> np.ndarray:
    """Four seconds of a synthetic rock clip: drums, bass, chords, a melody."""
    return synthesize_clip("rock", index=0, duration=4.0)[0].astype(np.float64)


def test_the_payload_decodes_back_to_the_clip(music):
    data = encode_opus(music, sr=SR, normalize=False)
    y, rate = _decode(data)
    info = sf.info(io.BytesIO(data))
    assert (info.format, info.subtype, info.channels) == ("OGG", "OPUS", 1)
    assert rate == PLAYER_SR == 24000
    assert len(y) == round(len(music) * PLAYER_SR / SR)  # as long as the clip, to the sample
    back = resample_poly(y, SR // 150, PLAYER_SR // 150)[: len(music)]  # 24000 -> 22050 Hz
    corr = np.corrcoef(music, back)[0, 1]
    snr = 10 * np.log10(np.sum(music**2) / np.sum((music - back) ** 2))
    assert corr > 0.95 and snr > 10, (corr, snr)
    # normalize=False keeps the level (within the codec's small overshoot).
    assert 0.8 < np.max(np.abs(y)) / np.max(np.abs(music)) < 1.25


def test_the_payload_is_small_and_near_the_stated_bit_rate(music):
    data = encode_opus(music, sr=SR)
    kbps = len(data) * 8 / (len(music) / SR) / 1000
    assert 0.6 * PLAYER_BITRATE / 1000 < kbps < 1.5 * PLAYER_BITRATE / 1000, kbps
    wav = io.BytesIO()
    sf.write(wav, music, SR, format="WAV", subtype="PCM_16")
    assert len(data) * 10 < len(wav.getvalue())


def test_normalize_scales_and_other_rates_are_resampled():
    t = np.arange(2 * 44100) / 44100
    quiet = 0.01 * np.sin(2 * np.pi * 440 * t)
    y, rate = _decode(encode_opus(quiet, sr=44100))
    assert rate == PLAYER_SR and len(y) == 2 * PLAYER_SR
    assert 0.5 < np.max(np.abs(y)) < 0.8  # peak at -4 dBFS (0.63)
    loud, _ = _decode(encode_opus(3.0 * np.sin(2 * np.pi * 440 * t[:22050]), sr=44100, normalize=False))
    assert np.max(np.abs(loud)) < 1.3  # clipped to [-1, 1] before coding, not refused
    silence, _ = _decode(encode_opus(np.zeros(SR), sr=SR))
    assert np.max(np.abs(silence)) < 1e-3


def test_pages_carry_the_fixed_serial_and_valid_checksums(music):
    pages = _pages(encode_opus(music[: SR // 2], sr=SR))
    assert len(pages) >= 3
    for page in pages:
        assert int.from_bytes(page[14:18], "little") == OGG_SERIAL
        assert ogg_crc(page[:22] + b"\0\0\0\0" + page[26:]) == int.from_bytes(page[22:26], "little")
    tags = pages[1][27 + pages[1][26] :]
    assert tags.startswith(b"OpusTags") and len(tags) < 64  # libsndfile's padding dropped
    # The catalogue's check value of CRC-32/CKSUM (same polynomial and init, final XOR).
    assert ogg_crc(b"123456789") ^ 0xFFFFFFFF == 0x765E7680


_ENCODE = """
import hashlib, sys
from musicviz.player import encode_opus
from musicviz.synth import synthesize_clip
y, _ = synthesize_clip("jazz", index=1, duration=3.0)
digest = hashlib.sha256()
for data in (encode_opus(y, sr=22050), encode_opus(0.3 * y, sr=22050, normalize=False), encode_opus(y, sr=44100)):
    digest.update(data)
print(digest.hexdigest())
"""


def test_the_same_signal_gives_the_same_bytes_in_other_processes():
    """libopus and libsndfile pick a random Ogg serial number per stream: fixed, so no run differs."""
    y, _ = synthesize_clip("jazz", index=1, duration=3.0)
    digest = hashlib.sha256()
    for data in (encode_opus(y, sr=22050), encode_opus(0.3 * y, sr=22050, normalize=False), encode_opus(y, sr=44100)):
        digest.update(data)
    here = digest.hexdigest()
    one_thread = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    for extra in ({}, {"OPENBLAS_CORETYPE": "Prescott", **one_thread}):
        env = {**os.environ, **extra}
        out = subprocess.run([sys.executable, "-c", _ENCODE], env=env, capture_output=True, text=True, check=True)
        assert out.stdout.strip() == here, extra


def test_play_embeds_ogg_with_its_mime_type(music):
    player = play(music, sr=SR, start=1.0, end=2.5)
    assert player.mimetype == PLAYER_MIMETYPE == "audio/ogg"
    html = player._repr_html_()
    assert html.startswith('<audio controls="controls" src="data:audio/ogg;base64,') and "<source" not in html
    payload = re.search(r'src="data:audio/ogg;base64,([A-Za-z0-9+/=]+)"', html).group(1)
    y, rate = _decode(base64.b64decode(payload))
    assert rate == PLAYER_SR and len(y) == round(1.5 * PLAYER_SR)
    assert base64.b64decode(payload) == player.data


def test_bad_signals_are_refused():
    with pytest.raises(ParameterError, match="NaN"):
        encode_opus(np.array([0.0, np.nan]), sr=SR)
    with pytest.raises(ParameterError, match="sr"):
        encode_opus(np.zeros(100), sr=0)
    with pytest.raises(ParameterError, match="whole number"):
        encode_opus(np.zeros(100), sr=22050.5)
    with pytest.raises(ParameterError, match="shape"):
        encode_opus(np.zeros((2, 100)), sr=SR)
