"""The feature table's columns, its settings, and its files (CSV in, CSV out).

Notebook: ``04_features_and_standardization.ipynb``.

Names *and definitions* are those of GTZAN's Kaggle table ``features_30_sec.csv`` (see
:mod:`musicviz.features`); :data:`KAGGLE_FEATURES` (57 columns) and :data:`FEATURES`
(57 + 16 spectral-contrast columns) name them, :func:`feature_columns` picks them out of a
table, :func:`save_table` / :func:`load_table` write and read tables.
"""

from __future__ import annotations

from pathlib import Path

from musicviz._clip_engine import MAX_CLIP_SECONDS  # one limit for every table of many clips
from musicviz._io import atomic_path
from musicviz.errors import FeatureError, ParameterError
from musicviz.spectrograms import HOP_LENGTH, N_FFT

__all__ = [
    "N_FFT",
    "HOP_LENGTH",
    "N_MFCC",
    "HPSS_KERNEL",
    "PAD_MODE",
    "N_CONTRAST_BANDS",
    "FEATURES_VERSION",
    "MIN_DURATION",
    "MAX_CLIP_SECONDS",
    "KAGGLE_FEATURES",
    "CONTRAST_FEATURES",
    "FEATURES",
    "ID_COLUMNS",
    "feature_columns",
    "save_table",
    "load_table",
]

N_MFCC = 20
#: Median-filter length of librosa's HPSS (frames for harmonic, bins for percussive).
HPSS_KERNEL = 31
#: How STFT/RMS frames are centred: GTZAN's table was made when librosa padded by reflection.
PAD_MODE = "reflect"
#: Spectral contrast: librosa's default 6 octave bands (+1 for the rest).
N_CONTRAST_BANDS = 6
#: Bump when a feature's definition or computation changes: invalidates every cache entry.
FEATURES_VERSION = "2"
#: Clips shorter than this are skipped (tempo and the 31-frame HPSS need a few seconds).
MIN_DURATION = 1.0

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

#: Spectral contrast, which the Kaggle table lacks: over all bands, then band by band.
CONTRAST_FEATURES: tuple[str, ...] = (
    "spectral_contrast_mean",
    "spectral_contrast_var",
    *(f"spectral_contrast{b}_{stat}" for b in range(1, N_CONTRAST_BANDS + 2) for stat in ("mean", "var")),
)

#: Every numeric feature musicviz computes: the Kaggle 57, then spectral contrast (73).
FEATURES: tuple[str, ...] = KAGGLE_FEATURES + CONTRAST_FEATURES

#: Non-feature columns of a table, in order (``segment`` only in segment tables; ``label`` last).
ID_COLUMNS: tuple[str, ...] = ("filename", "track_id", "segment", "length")


def feature_columns(frame=None, *, kind: str = "all") -> list[str]:
    """The numeric feature columns: the Kaggle 57, the contrast ones, or all of them.

    Parameters
    ----------
    frame : pandas.DataFrame or None
        Keep only the columns this table has (in canonical order). None: every name.
    kind : {"all", "kaggle", "contrast"}
        Which set: :data:`FEATURES`, :data:`KAGGLE_FEATURES` or :data:`CONTRAST_FEATURES`.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from musicviz.features import feature_columns
    >>> len(feature_columns(kind="kaggle")), len(feature_columns())
    (57, 73)
    """
    sets = {"all": FEATURES, "kaggle": KAGGLE_FEATURES, "contrast": CONTRAST_FEATURES}
    if kind not in sets:
        raise ParameterError(f"kind must be one of {sorted(sets)}, got {kind!r}")
    names = list(sets[kind])
    if frame is None:
        return names
    present = [n for n in names if n in frame.columns]
    if not present:
        raise FeatureError(f"the table has none of the {kind!r} feature columns (e.g. {names[0]!r})")
    return present


def save_table(frame, path) -> Path:
    """Write a feature table as CSV, atomically; floats keep every digit.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> from musicviz.features import save_table, load_table
    >>> path = save_table(pd.DataFrame({"filename": ["a.wav"], "label": ["jazz"], "tempo": [1 / 3]}),
    ...                   os.path.join(tempfile.mkdtemp(), "t.csv"))
    >>> bool(load_table(path).loc[0, "tempo"] == 1 / 3)
    True
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, float_format="%.17g")
    return path


def load_table(path):
    """Read a feature table written by :func:`save_table` (or GTZAN's Kaggle CSV).

    Raises
    ------
    FeatureError
        The file is missing, unreadable, or lacks ``filename``/``label``.
    """
    from musicviz.datasets import load_feature_table
    from musicviz.errors import DatasetError

    path = Path(path)
    if not path.is_file():
        raise FeatureError(f"{path}: feature table not found")
    try:  # one reader for every table: the same checks, the same track ids
        return load_feature_table(path)
    except DatasetError as exc:
        raise FeatureError(str(exc)) from None
