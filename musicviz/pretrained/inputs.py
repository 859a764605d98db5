"""What musicnn's networks see: audio at 16 kHz -> float32 log-mel -> 3 s patches.

Notebook: ``08_transfer_learning.ipynb``.

A copy of musicnn 0.1.0's ``extractor.batch_data`` (Pons & Serra, ISC licence), without
TensorFlow and with its float16 trap made explicit:

1. resample to :data:`SR` = 16 kHz the way ``librosa.load(path, sr=16000)`` does (float32
   samples, soxr "HQ");
2. mel power spectrogram, ``n_fft=512``, ``hop_length=256``, 96 mel bands (librosa's
   defaults otherwise: Hann window, centred frames, Slaney mel filters), frames as rows;
3. rounded to **float16** (musicnn stores it so, and its training data were float16), then
   ``log10(10000 * mel + 1)`` in **float32**. musicnn writes ``np.log10(10000 * mel + 1)``
   on the float16 array: NumPy 1.x promoted that product to float32, NumPy 2 keeps it in
   float16, where every mel value above 6.55 overflows to ``inf``;
4. cut into patches of :data:`PATCH_FRAMES` = 187 frames (2.99 s), one after the other
   (no overlap), the remainder dropped. A clip needs at least 187 frames (2.98 s).
"""

from __future__ import annotations

import numpy as np

from musicviz._checks import check_signal, check_sr
from musicviz.errors import AudioContentError, ParameterError

__all__ = [
    "SR",
    "N_FFT",
    "HOP_LENGTH",
    "N_MELS",
    "PATCH_FRAMES",
    "PATCH_SECONDS",
    "MIN_SAMPLES",
    "resample_16k",
    "log_mel",
    "patches",
    "patch_times",
]

#: Sample rate of musicnn's input (Hz).
SR: int = 16000
#: STFT size and hop (samples at 16 kHz).
N_FFT: int = 512
HOP_LENGTH: int = 256
#: Mel bands.
N_MELS: int = 96
#: Frames per patch: ``librosa.time_to_frames(3, sr=16000, n_fft=512, hop_length=256) + 1``.
PATCH_FRAMES: int = 187
#: Seconds between the starts of two patches (and the length of one): 187 hops.
PATCH_SECONDS: float = PATCH_FRAMES * HOP_LENGTH / SR
#: Fewest samples at 16 kHz that give one patch (centred frames: 1 + n // 256 >= 187).
MIN_SAMPLES: int = (PATCH_FRAMES - 1) * HOP_LENGTH


def resample_16k(y, *, sr) -> np.ndarray:
    """``y`` (mono) at :data:`SR`, float32, resampled like ``librosa.load(path, sr=16000)``.

    Notebook: ``08_transfer_learning.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono samples.
    sr : int > 0
        Their sample rate.

    Returns
    -------
    np.ndarray [shape=(m,), dtype=float32]

    Raises
    ------
    ParameterError
        ``y`` is not a finite mono signal, or ``sr`` is not a positive number.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.pretrained.inputs import resample_16k
    >>> resample_16k(np.zeros(22050), sr=22050).shape
    (16000,)
    """
    check_sr(sr)
    y = check_signal(y, name="y").astype(np.float32, copy=False)
    if sr == SR:
        return np.ascontiguousarray(y)
    import librosa

    return np.ascontiguousarray(librosa.resample(y, orig_sr=sr, target_sr=SR, res_type="soxr_hq"), dtype=np.float32)


def log_mel(y, *, sr) -> np.ndarray:
    """musicnn's input representation of a whole clip: ``log10(10000 * mel + 1)``, float32.

    Notebook: ``08_transfer_learning.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono samples at any rate (resampled with :func:`resample_16k`).
    sr : int > 0
        Their sample rate.

    Returns
    -------
    np.ndarray [shape=(frames, 96), dtype=float32]
        Frames as rows (musicnn's layout), one every 256 samples at 16 kHz (16 ms). Always
        finite and >= 0.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.pretrained.inputs import log_mel
    >>> t = np.arange(16000) / 16000
    >>> rep = log_mel(np.sin(2 * np.pi * 440 * t), sr=16000)   # loud: float16 math would give inf
    >>> rep.shape, rep.dtype, bool(np.isfinite(rep).all())
    ((63, 96), dtype('float32'), True)
    """
    import librosa

    audio = resample_16k(y, sr=sr)
    mel = librosa.feature.melspectrogram(y=audio, sr=SR, hop_length=HOP_LENGTH, n_fft=N_FFT, n_mels=N_MELS).T
    # float16 storage as in musicnn; the product and the log in float32 (never overflows).
    mel = mel.astype(np.float16).astype(np.float32)
    return np.log10(np.float32(10000) * mel + np.float32(1)).astype(np.float32, copy=False)


def patches(rep) -> np.ndarray:
    """Consecutive 187-frame patches of a log-mel representation (the remainder is dropped).

    Notebook: ``08_transfer_learning.ipynb``.

    Parameters
    ----------
    rep : np.ndarray [shape=(frames, 96)]
        :func:`log_mel`'s output.

    Returns
    -------
    np.ndarray [shape=(n_patches, 187, 96), dtype=float32]

    Raises
    ------
    AudioContentError
        Fewer than 187 frames: the clip is shorter than 2.98 s.
    ParameterError
        ``rep`` is not a (frames, 96) array.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.pretrained.inputs import patches
    >>> patches(np.zeros((400, 96), np.float32)).shape
    (2, 187, 96)
    """
    rep = np.asarray(rep, dtype=np.float32)
    if rep.ndim != 2 or rep.shape[1] != N_MELS:
        raise ParameterError(f"rep must have shape (frames, {N_MELS}), got {rep.shape}")
    count = (rep.shape[0] - PATCH_FRAMES) // PATCH_FRAMES + 1 if rep.shape[0] >= PATCH_FRAMES else 0
    if count == 0:
        seconds = max(rep.shape[0] - 1, 0) * HOP_LENGTH / SR
        raise AudioContentError(
            f"too short for musicnn: about {seconds:.2f} s of audio, at least {MIN_SAMPLES / SR:.2f} s "
            f"({PATCH_FRAMES} frames of {HOP_LENGTH} samples at {SR} Hz) needed"
        )
    return np.ascontiguousarray(rep[: count * PATCH_FRAMES].reshape(count, PATCH_FRAMES, N_MELS))


def patch_times(n_patches: int) -> np.ndarray:
    """Start time (s) of each patch: ``k * 187 * 256 / 16000`` (0, 2.992, 5.984, ...).

    Notebook: ``08_transfer_learning.ipynb``.

    Examples
    --------
    >>> from musicviz.pretrained.inputs import patch_times
    >>> patch_times(3).round(3).tolist()
    [0.0, 2.992, 5.984]
    """
    if isinstance(n_patches, bool) or not isinstance(n_patches, (int, np.integer)) or n_patches < 0:
        raise ParameterError(f"n_patches must be a non-negative integer, got {n_patches!r}")
    return np.arange(int(n_patches)) * PATCH_SECONDS
