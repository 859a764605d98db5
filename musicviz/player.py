"""Audio players for the notebooks: small Ogg Opus files, the same bytes on every machine.

Notebook: every notebook that plays a clip (``00_introduction.ipynb`` first), through
``mv.audio.play``.

A notebook stores its players in its outputs, and nbval compares those outputs byte for byte,
so a player must be **small** and **deterministic**:

* **Small.** 16-bit WAV at 22050 Hz costs 353 kbit/s (44 kB per second of audio, 59 kB once
  base64-encoded): the players were 19 of the 26 MB of the committed notebooks. A player is now
  Ogg Opus (RFC 7845), mono, at :data:`PLAYER_SR` (24 kHz: all of a 22050 Hz clip's band, up
  to 11 kHz, and a rate Opus takes natively) with a variable bit rate aimed at
  :data:`PLAYER_BITRATE` (20 kbit/s; with the container about 3 kB per second), some 15 times
  smaller. At this rate Opus keeps the timbre, the drums and the bass that the course listens
  for; noise-like parts (cymbals, the rebuilt sound of an MFCC) are kept as shaped noise, not
  sample by sample. (Vorbis, at libsndfile's smallest setting, needs about 40 kbit/s for the
  same clips; MP3 at 24 kbit/s cuts everything above 6 kHz.)
* **Deterministic.** The encoder (libopus 1.4, in the libsndfile that the pinned ``soundfile``
  wheel ships) uses no random numbers and no BLAS, and its floating-point code has no
  CPU-specific variants on x86-64 (its only ones are SSE4.1 versions of integer routines, exact
  by construction): ``OPENBLAS_CORETYPE``, thread counts and denormal flushing change nothing.
  Two things did vary, and are fixed here. (1) The Ogg container gives every stream a *random*
  serial number, written into every page, so two runs gave different bytes:
  :func:`encode_opus` sets it to the constant :data:`OGG_SERIAL` and recomputes each page's
  checksum (:func:`ogg_crc`; RFC 3533). (2) A signal computed with another BLAS or FFT kernel
  may differ in its last bits; it is rounded to 16-bit samples before and after resampling,
  which hides such differences exactly as the WAV players did. ``tests/test_players.py``
  encodes the same clip in other processes (also with ``OPENBLAS_CORETYPE=Prescott`` and one
  thread) and compares the bytes.

The player is an :class:`IPython.display.Audio` whose ``<audio controls>`` element carries the Opus
file as its own ``src``, a ``data:audio/ogg;base64,`` URL (not in a nested ``<source>``, which
JupyterLab strips from an untrusted notebook), so it plays offline, trusted or not, in JupyterLab,
VS Code and the course site, in Chromium/Chrome, Edge and Firefox (older Safari versions play no Ogg).
"""

from __future__ import annotations

import io
import math

import numpy as np

from musicviz.errors import AudioError, ParameterError

__all__ = ["PLAYER_SR", "PLAYER_BITRATE", "PLAYER_MIMETYPE", "OGG_SERIAL", "encode_opus", "ogg_crc", "play"]

#: Sample rate (Hz) of every player: clips at other rates are resampled to it.
PLAYER_SR = 24_000

#: Target bit rate (bit/s) of the Opus encoder (variable bit rate: busy passages take more).
PLAYER_BITRATE = 20_000

#: MIME type of the embedded file, in the ``data:`` URL.
PLAYER_MIMETYPE = "audio/ogg"

#: Serial number written into every Ogg page ("mviz"), in place of the encoder's random one.
OGG_SERIAL = 0x6D76697A

#: Peak level of a normalized player: -4 dBFS. Lossy coding moves peaks: decoded, the players of
#: the course's notebooks peak up to 3.8 dB above their input, and a browser clips beyond 0 dBFS.
_PEAK = 10 ** (-4 / 20)

# libsndfile maps its compression level c (0..1) to an Opus target of (1 - c) * 250 + 6 kbit/s
# per channel; half a bit/s more keeps int() in libsndfile from rounding the target down.
_COMPRESSION_LEVEL = 1.0 - (PLAYER_BITRATE - 6000 + 0.5) / 250_000


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
        table.append(crc & 0xFFFFFFFF)
    return tuple(table)


_CRC_TABLE = _crc_table()


def ogg_crc(data: bytes) -> int:
    """The Ogg page checksum of ``data`` (CRC-32, polynomial 0x04C11DB7, MSB first, init 0).

    Computed over a whole page whose checksum field (bytes 22-25) holds zeros (RFC 3533).

    Notebook: every notebook that plays a clip (:func:`encode_opus` checksums its pages).

    Examples
    --------
    >>> from musicviz.player import ogg_crc
    >>> hex(ogg_crc(b"OggS"))
    '0x5fb0a94f'
    """
    crc = 0
    table = _CRC_TABLE
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ table[(crc >> 24) ^ byte]
    return crc


def _fix_ogg(data: bytes, *, serial: int = OGG_SERIAL) -> bytes:
    """Ogg ``data`` with a fixed stream serial number, the comment header's padding dropped
    and every page checksum recomputed."""
    pages, offset = [], 0
    while offset < len(data):
        if data[offset : offset + 4] != b"OggS" or offset + 27 > len(data):
            raise AudioError(f"the encoder's Ogg stream is damaged: no page starts at byte {offset}")
        n_segments = data[offset + 26]
        lacing = data[offset + 27 : offset + 27 + n_segments]
        end = offset + 27 + n_segments + sum(lacing)
        if len(lacing) < n_segments or end > len(data):
            raise AudioError(f"the encoder's Ogg stream is damaged: the page at byte {offset} is cut short")
        payload = data[offset + 27 + n_segments : end]
        whole_packet = n_segments > 0 and lacing[-1] < 255 and all(v == 255 for v in lacing[:-1])
        if whole_packet and payload.startswith(b"OpusTags"):
            # The comment header: keep the vendor string and the (empty) comment list, drop the
            # zeros libsndfile pads it with (RFC 7845 5.2 allows both; ~780 bytes a player).
            count_at = 12 + int.from_bytes(payload[8:12], "little")
            if payload[count_at : count_at + 4] == b"\0\0\0\0":
                payload = payload[: count_at + 4]
                lacing = bytes([255] * (len(payload) // 255) + [len(payload) % 255])
        page = (data[offset : offset + 14] + serial.to_bytes(4, "little") + data[offset + 18 : offset + 22]
                + b"\0\0\0\0" + bytes([len(lacing)]) + lacing + payload)
        pages.append(page[:22] + ogg_crc(page).to_bytes(4, "little") + page[26:])
        offset = end
    return b"".join(pages)


def encode_opus(y, *, sr: int, normalize: bool = True) -> bytes:
    """Encode a mono signal as a small, deterministic Ogg Opus file (what a player embeds).

    The signal is scaled (``normalize``) or clipped to [-1, 1], rounded to 16 bits, resampled
    to :data:`PLAYER_SR` (24 kHz) with scipy's polyphase filter, rounded to 16 bits again and
    encoded with libopus at a variable bit rate aimed at :data:`PLAYER_BITRATE` (20 kbit/s);
    the Ogg stream's random serial number is replaced by :data:`OGG_SERIAL`. The same samples
    give the same bytes in every process, on every x86-64 machine (see the module's docstring
    for why), which is what nbval needs of a stored notebook.

    Notebook: every notebook that plays a clip (through :func:`play`).

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples (mono).
    sr : int > 0
        Their sample rate (any: 22050 Hz clips are resampled by 160/147).
    normalize : bool
        Scale the peak to -4 dBFS (room for the codec's overshoot). False keeps the level
        (samples beyond [-1, 1] are clipped).

    Returns
    -------
    bytes
        An Ogg Opus file: mono, 24 kHz, as long as ``y``; ``soundfile`` reads it back.

    Examples
    --------
    >>> import io, numpy as np, soundfile as sf
    >>> from musicviz.player import encode_opus
    >>> t = np.arange(22050) / 22050
    >>> data = encode_opus(0.5 * np.sin(2 * np.pi * 440 * t), sr=22050)
    >>> data[:4], len(data) < 6000
    (b'OggS', True)
    >>> data == encode_opus(0.5 * np.sin(2 * np.pi * 440 * t), sr=22050)
    True
    >>> y, rate = sf.read(io.BytesIO(data))
    >>> rate, len(y)
    (24000, 24000)
    """
    import soundfile as sf
    from scipy.signal import resample_poly

    from musicviz._checks import signal

    y = signal(y, sr=sr)
    if int(sr) != sr:
        raise ParameterError(f"sr must be a whole number of samples per second, got {sr!r}")
    sr = int(sr)
    peak = float(np.max(np.abs(y)))
    if normalize and peak > 0:
        y = y * (_PEAK / peak)
    y = _to_int16(y).astype(np.float64) / 32768.0
    if sr != PLAYER_SR:
        g = math.gcd(PLAYER_SR, sr)
        y = resample_poly(y, PLAYER_SR // g, sr // g)
    buffer = io.BytesIO()
    sf.write(buffer, _to_int16(y), PLAYER_SR, format="OGG", subtype="OPUS", compression_level=_COMPRESSION_LEVEL)
    return _fix_ogg(buffer.getvalue())


def _to_int16(y: np.ndarray) -> np.ndarray:
    return np.clip(np.round(y * 32768.0), -32768, 32767).astype(np.int16)


def play(y, *, sr: int, start: float = 0.0, end: float | None = None, normalize: bool = True):
    """An audio player for a clip or a segment of it, to put under every plot.

    The player embeds the audio as Ogg Opus (:func:`encode_opus`: mono, 24 kHz, about
    20 kbit/s), some 15 times smaller than WAV, and the same bytes on every machine.

    Notebook: every notebook that plays a clip (``mv.audio.play``).

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples.
    sr : int > 0
        Sample rate.
    start, end : float
        Play only ``[start, end)`` seconds (default: everything).
    normalize : bool
        Scale to a common loudness (peak at -4 dBFS). Pass False to hear level differences between
        clips, e.g. classical against metal.

    Returns
    -------
    IPython.display.Audio
        Shown as an ``<audio controls>`` element whose source is a
        ``data:audio/ogg;base64,...`` URL (no file or server needed).

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.audio import play
    >>> player = play(np.sin(np.linspace(0, 2000, 22050)), sr=22050, end=0.5)
    >>> player.mimetype, player.data[:4]
    ('audio/ogg', b'OggS')
    >>> 'src="data:audio/ogg;base64,' in player._repr_html_()
    True
    """
    from musicviz.audio import segment

    clip = segment(y, sr=sr, start=start, end=end)
    player = _player_class()(data=encode_opus(clip, sr=sr, normalize=normalize))
    # IPython labels raw bytes audio/wav (and reload() would again): state the real type.
    player.mimetype = PLAYER_MIMETYPE
    return player


def _player_class():
    from IPython.display import Audio

    class Player(Audio):
        """IPython's Audio with the ``data:`` URL on the ``<audio>`` element itself.

        JupyterLab's sanitizer keeps ``<audio src="data:...">`` in an untrusted notebook (one
        opened with plain ``jupyter lab``, a hub or VS Code) but strips the URL from a nested
        ``<source>``, IPython's form, which leaves the saved players silent.
        """

        def _repr_html_(self):
            return f'<audio controls="controls" src="{self.src_attr()}"></audio>'

    return Player
