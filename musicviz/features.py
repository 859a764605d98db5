"""The feature table: GTZAN-compatible clip features, computed from one STFT per clip.

Notebook: ``04_features_and_standardization.ipynb``.

Column names and definitions are those of GTZAN's Kaggle table ``features_30_sec.csv``
(librosa defaults: ``n_fft=2048``, ``hop_length=512``, mean and variance over frames), so a
model trained on that table can classify any clip musicviz reads.
"""

from __future__ import annotations

import numpy as np

from musicviz.audio import check_signal
from musicviz.errors import FeatureError

__all__ = ["KAGGLE_FEATURES", "extract_clip_features"]

N_FFT = 2048
HOP_LENGTH = 512
N_MFCC = 20

#: The 57 numeric feature columns of GTZAN's Kaggle table, in its order.
KAGGLE_FEATURES: tuple[str, ...] = (
    *(
        f"{name}_{stat}"
        for name in (
            "chroma_stft",
            "rms",
            "spectral_centroid",
            "spectral_bandwidth",
            "rolloff",
            "zero_crossing_rate",
            "harmony",
            "perceptr",
        )
        for stat in ("mean", "var")
    ),
    "tempo",
    *(f"mfcc{i}_{stat}" for i in range(1, N_MFCC + 1) for stat in ("mean", "var")),
)


def extract_clip_features(y, *, sr: int) -> dict[str, float]:
    """All Kaggle-table features of one clip, every spectral one fed from a single STFT.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono samples.
    sr : int > 0
        Sample rate.

    Returns
    -------
    dict
        ``{column name: value}`` for every name in :data:`KAGGLE_FEATURES`.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.features import extract_clip_features
    >>> t = np.arange(22050 * 3) / 22050
    >>> feats = extract_clip_features(0.5 * np.sin(2 * np.pi * 440 * t), sr=22050)
    >>> round(feats["spectral_centroid_mean"], -1)
    440.0
    """
    import librosa

    y = check_signal(y, sr=sr, min_samples=N_FFT)
    y = np.asarray(y, dtype=np.float32)
    if not np.any(y):
        raise FeatureError("the clip is silent: spectral features are undefined")
    stft = librosa.stft(y=y, n_fft=N_FFT, hop_length=HOP_LENGTH)
    magnitude = np.abs(stft)
    power = magnitude**2
    out: dict[str, float] = {}

    def mean_var(name, values):
        out[f"{name}_mean"] = float(np.mean(values))
        out[f"{name}_var"] = float(np.var(values))

    mean_var("chroma_stft", librosa.feature.chroma_stft(S=power, sr=sr))
    # rms from the waveform: librosa's S-based rms uses a different normalisation.
    mean_var("rms", librosa.feature.rms(y=y, frame_length=N_FFT, hop_length=HOP_LENGTH))
    mean_var("spectral_centroid", librosa.feature.spectral_centroid(S=magnitude, sr=sr))
    mean_var("spectral_bandwidth", librosa.feature.spectral_bandwidth(S=magnitude, sr=sr))
    mean_var("rolloff", librosa.feature.spectral_rolloff(S=magnitude, sr=sr))
    mean_var("zero_crossing_rate", librosa.feature.zero_crossing_rate(y=y, frame_length=N_FFT, hop_length=HOP_LENGTH))
    harmonic, percussive = librosa.decompose.hpss(stft)
    mean_var("harmony", librosa.istft(harmonic, hop_length=HOP_LENGTH, n_fft=N_FFT, length=len(y)))
    mean_var("perceptr", librosa.istft(percussive, hop_length=HOP_LENGTH, n_fft=N_FFT, length=len(y)))
    log_mel = librosa.power_to_db(librosa.feature.melspectrogram(S=power, sr=sr))
    onset_envelope = librosa.onset.onset_strength(S=log_mel, sr=sr)
    out["tempo"] = float(np.atleast_1d(librosa.feature.tempo(onset_envelope=onset_envelope, sr=sr))[0])
    mfcc = librosa.feature.mfcc(S=log_mel, sr=sr, n_mfcc=N_MFCC)
    for i in range(N_MFCC):
        mean_var(f"mfcc{i + 1}", mfcc[i])
    return {name: out[name] for name in KAGGLE_FEATURES}
