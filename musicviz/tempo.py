"""Beats and tempo: a click track to hear a beat tracker, and how tempo estimates go wrong.

Notebook: ``03b_mfcc_hpss_tempo.ipynb`` (its tempo part; :mod:`musicviz.mfcc_hpss_tempo`
re-exports everything here, so the notebook calls ``mht.beat_clicks``, ``mht.tempo_errors``).

* :func:`beat_clicks` tracks the beats (``librosa.beat.beat_track``) and mixes a click on each
  into the music, the quickest test of a beat tracker: listen;
* :func:`tempo_errors` compares tempo estimates with the true tempi and names each error by
  its ratio (:data:`TEMPO_FACTORS`): octave errors (x2, x1/2), metrical ones (x3/2, x2/3, x3,
  x1/3), or other; :func:`tempo_accuracy` gives the two usual scores of such a table.

The plots are in :mod:`musicviz.plot.tempo`.
"""

from __future__ import annotations

import numpy as np

from musicviz._checks import positive_float, positive_int
from musicviz._checks import signal as _signal
from musicviz.errors import ParameterError

__all__ = ["TEMPO_FACTORS", "beat_clicks", "tempo_errors", "tempo_accuracy"]

#: The tempo ratios (estimate / truth) that :func:`tempo_errors` names, in the order it tries
#: them: right, octave errors (twice, half), then the metrical errors of triple metre.
TEMPO_FACTORS: dict[str, float] = {"1": 1.0, "2": 2.0, "1/2": 0.5, "3/2": 1.5, "2/3": 2.0 / 3.0, "3": 3.0, "1/3": 1.0 / 3.0}


def beat_clicks(y, *, sr: int, hop_length: int = 512, click_level: float = 0.5) -> dict:
    """Track the beats (``librosa.beat.beat_track``) and mix a click on each into the music.

    Listening to the mix is the quickest test of a beat tracker: clicks on the beat sound
    like a metronome playing along; clicks on every other beat (half tempo), between the
    beats (double tempo) or drifting away are heard at once.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono samples.
    sr : int > 0
        Sample rate in Hz.
    hop_length : int > 0
        Hop of the onset envelope in samples.
    click_level : float > 0
        Peak level of the clicks relative to the music's peak.

    Returns
    -------
    dict
        ``"tempo"`` (beats per minute, float), ``"beats"`` (beat times in seconds),
        ``"onset_envelope"`` and ``"onset_times"`` (the onset strength the tracker follows,
        and its frame times in seconds), ``"clicks"`` (the click track, ``len(y)`` samples)
        and ``"mix"`` (music + clicks, peak 1 at most).

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.tempo import beat_clicks
    >>> sr = 22050
    >>> y = np.zeros(8 * sr)
    >>> for t in np.arange(0.25, 8, 0.5):  # a click every 0.5 s: 120 BPM
    ...     y[int(t * sr):int(t * sr) + 200] = np.random.default_rng(0).normal(size=200)
    >>> out = beat_clicks(y, sr=sr)
    >>> round(out["tempo"] / 10) * 10, out["mix"].shape == y.shape
    (120, True)
    """
    import librosa

    y = _signal(y, sr=sr, min_samples=2)
    hop_length = positive_int(hop_length, "hop_length")
    click_level = positive_float(click_level, "click_level")
    onset = librosa.onset.onset_strength(y=y, sr=sr, hop_length=hop_length, aggregate=np.median)
    tempo, beats = librosa.beat.beat_track(onset_envelope=onset, sr=sr, hop_length=hop_length, units="time")
    clicks = librosa.clicks(times=beats, sr=sr, length=len(y))
    peak = float(np.max(np.abs(y))) or 1.0
    mix = y + click_level * peak * clicks / max(float(np.max(np.abs(clicks))), 1e-12)
    mix = mix / max(1.0, float(np.max(np.abs(mix))))
    onset_times = librosa.frames_to_time(frames=np.arange(onset.shape[-1]), sr=sr, hop_length=hop_length)
    return {
        "tempo": float(np.atleast_1d(tempo)[0]),
        "beats": np.asarray(beats, dtype=float),
        "onset_envelope": onset,
        "onset_times": onset_times,
        "clicks": clicks,
        "mix": mix,
    }


def _as_series(values, name):
    import pandas as pd

    series = values.copy() if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=float))
    try:
        series = series.astype(float)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must hold numbers (beats per minute)") from None
    if series.empty:
        raise ParameterError(f"{name} is empty")
    if not np.all(np.isfinite(series)) or np.any(series <= 0):
        raise ParameterError(f"{name} must hold finite tempi > 0 BPM")
    return series


def tempo_errors(estimated, truth, *, tolerance: float = 0.04, genres=None):
    """Compare tempo estimates with the true tempi, and name the kind of error.

    The ratio estimate / truth is classified as the first factor of :data:`TEMPO_FACTORS`
    it is within ``tolerance`` of (relative): ``"1"`` (right), ``"2"`` / ``"1/2"``
    (**octave errors**: the tracker tapped twice as fast or half as fast, a common and
    musically forgivable mistake), ``"3/2"`` / ``"2/3"`` / ``"3"`` / ``"1/3"`` (it tapped
    in threes where there are twos, or the other way round), else ``"other"``.

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Parameters
    ----------
    estimated, truth : array-like or pandas.Series of float > 0
        Tempi in beats per minute, one per clip, in the same order (Series: aligned by index).
    tolerance : float in (0, 0.2)
        Relative tolerance (MIREX uses 0.04, i.e. 4 %).
    genres : array-like of str or None
        Add a ``genre`` column (for ``groupby``).

    Returns
    -------
    pandas.DataFrame
        Columns ``estimated``, ``truth``, ``ratio``, ``factor`` (str), ``correct`` (within
        tolerance of the truth) and ``octave_ok`` (within tolerance of the truth, twice or
        half of it), plus ``genre`` when given.

    Examples
    --------
    >>> from musicviz.tempo import tempo_errors
    >>> tempo_errors([120.0, 241.0, 59.0, 181.0, 100.0], [120.0, 120.0, 120.0, 120.0, 120.0])["factor"].tolist()
    ['1', '2', '1/2', '3/2', 'other']
    """
    import pandas as pd

    est = _as_series(estimated, "estimated")
    true = _as_series(truth, "truth")
    if len(est) != len(true):
        raise ParameterError(f"estimated and truth must hold one tempo per clip each, got {len(est)} and {len(true)}")
    if isinstance(estimated, pd.Series) and isinstance(truth, pd.Series):
        if not est.index.equals(true.index):
            raise ParameterError("estimated and truth are Series with different indexes: align them first")
    else:
        true.index = est.index
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float, np.floating)) or not 0 < tolerance < 0.2:
        raise ParameterError(f"tolerance must be a relative tolerance in (0, 0.2), got {tolerance!r}")
    ratio = est / true
    factor = pd.Series("other", index=est.index, dtype=object)
    for name, value in reversed(list(TEMPO_FACTORS.items())):  # the first factor wins
        factor[np.abs(ratio / value - 1.0) <= tolerance] = name
    out = pd.DataFrame({"estimated": est, "truth": true, "ratio": ratio, "factor": factor})
    out["correct"] = out["factor"] == "1"
    out["octave_ok"] = out["factor"].isin(["1", "2", "1/2"])
    if genres is not None:
        genres = list(genres)
        if len(genres) != len(out):
            raise ParameterError(f"genres must name one genre per clip ({len(out)}), got {len(genres)}")
        out["genre"] = [str(g) for g in genres]
    return out


def tempo_accuracy(errors) -> dict:
    """The two usual tempo scores of a :func:`tempo_errors` table (fractions of clips).

    Notebook: ``03b_mfcc_hpss_tempo.ipynb``.

    Returns
    -------
    dict
        ``"within tolerance"`` (factor 1: MIREX's *accuracy 1*) and ``"up to an octave"``
        (factor 1, 2 or 1/2).

    Examples
    --------
    >>> from musicviz.tempo import tempo_accuracy, tempo_errors
    >>> tempo_accuracy(tempo_errors([120.0, 240.0, 90.0, 121.0], [120.0] * 4))
    {'within tolerance': 0.5, 'up to an octave': 0.75}
    """
    if not hasattr(errors, "columns") or not {"correct", "octave_ok"} <= set(errors.columns) or len(errors) == 0:
        raise ParameterError("errors must be a non-empty table from tempo_errors (columns 'correct', 'octave_ok')")
    return {"within tolerance": float(errors["correct"].mean()), "up to an octave": float(errors["octave_ok"].mean())}
