"""Robustness sweep: bad input to any public function gives a clear musicviz error.

Every case must raise a subclass of :class:`musicviz.MusicvizError` (never a bare numpy,
librosa or matplotlib traceback), and the message must say what was wrong.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import musicviz as mv
from musicviz import chroma, features, similarity, spectrograms, waveforms
from musicviz.errors import MusicvizError
from musicviz.plot import chroma as pchroma
from musicviz.plot import spectrograms as pspec
from musicviz.plot import waveforms as pwave

SR = 22050
GOOD = (0.3 * np.sin(2 * np.pi * 440 * np.arange(SR * 3) / SR)).astype(np.float32)

BAD_SIGNALS = {
    "empty": np.array([], dtype=np.float32),
    "2-D": np.zeros((3, 4, 5)),
    "strings": np.array(["a", "b", "c"]),
    "NaN": np.array([0.0, np.nan, 0.1] * 2000),
    "inf": np.array([0.0, np.inf, 0.1] * 2000),
    "object": np.array([None, 1.0], dtype=object),
}

SIGNAL_FUNCTIONS = {
    "waveforms.time_axis": lambda y, sr: waveforms.time_axis(y, sr=sr),
    "waveforms.envelope": lambda y, sr: waveforms.envelope(y, sr=sr),
    "waveforms.zero_crossings": lambda y, sr: waveforms.zero_crossings(y, sr=sr),
    "waveforms.zero_crossing_rate": lambda y, sr: waveforms.zero_crossing_rate(y, sr=sr),
    "spectrograms.stft_db": lambda y, sr: spectrograms.stft_db(y, sr=sr),
    "spectrograms.mel_db": lambda y, sr: spectrograms.mel_db(y, sr=sr),
    "chroma.chromagram": lambda y, sr: chroma.chromagram(y, sr=sr),
    "features.extract_clip_features": lambda y, sr: features.extract_clip_features(y, sr=sr),
    "audio.play": lambda y, sr: mv.audio.play(y, sr=sr),
    "audio.segment": lambda y, sr: mv.audio.segment(y, sr=sr, start=0.0, end=0.1),
    "plot.waveforms.plot_waveform": lambda y, sr: pwave.plot_waveform(y, sr=sr),
    "plot.waveforms.plot_waveform_zoom": lambda y, sr: pwave.plot_waveform_zoom(y, sr=sr, start=0.0, duration=0.05),
    "plot.chroma.plot_zero_crossings": lambda y, sr: pchroma.plot_zero_crossings(y, sr=sr, start=0.0, duration=0.01),
    "cnn.cut_segments": lambda y, sr: mv.cnn.cut_segments(y, sr=sr),
}


#: What a message must say about each bad signal (the problem, in words a student can act on).
PROBLEM_WORDS = {
    "empty": ("0 samples", "too short", "samples"),
    "2-D": ("shape",),
    "strings": ("real numbers", "dtype"),
    "NaN": ("NaN",),
    "inf": ("infinite", "inf"),
    "object": ("real numbers", "dtype"),
}


@pytest.mark.parametrize("bad", sorted(BAD_SIGNALS))
@pytest.mark.parametrize("name", sorted(SIGNAL_FUNCTIONS))
def test_bad_signals_raise_musicviz_errors(name, bad):
    import re

    with pytest.raises(MusicvizError) as info:
        SIGNAL_FUNCTIONS[name](BAD_SIGNALS[bad], SR)
    message = str(info.value)
    # It names the argument (y, the signal) and says what is wrong with it.
    assert re.search(r"\by\b", message), f"{name}: message does not name the argument: {message!r}"
    assert any(word in message for word in PROBLEM_WORDS[bad]), f"{name}: message does not say the problem: {message!r}"


@pytest.mark.parametrize("sr", [0, -22050, float("nan"), "22050", None, True])
@pytest.mark.parametrize("name", sorted(SIGNAL_FUNCTIONS))
def test_bad_sample_rates_raise_musicviz_errors(name, sr):
    with pytest.raises(MusicvizError, match="sr"):
        SIGNAL_FUNCTIONS[name](GOOD, sr)


def test_silence_is_refused_where_features_are_undefined():
    with pytest.raises(MusicvizError, match="silent"):
        features.extract_clip_features(np.zeros(SR * 3), sr=SR)


def test_too_short_clips():
    with pytest.raises(MusicvizError):
        features.extract_clip_features(GOOD[:100], sr=SR)
    with pytest.raises(MusicvizError):
        mv.cnn.cut_segments(GOOD[: SR // 2], sr=SR)


def test_mismatched_sample_rate_is_resampled_for_cnn():
    # The CNN was configured for 22050 Hz: 6 s at 44.1 kHz is resampled, not misread as 12 s.
    y44 = np.sin(2 * np.pi * 440 * np.arange(44100 * 6) / 44100)
    segments = mv.cnn.cut_segments(y44, sr=44100)
    assert segments.shape == (2, mv.cnn.MelConfig().segment_samples)
    with pytest.raises(MusicvizError, match="too short"):
        mv.cnn.cut_segments(y44[: 44100 * 2], sr=44100)


@pytest.mark.parametrize(
    "call",
    [
        lambda: spectrograms.stft_db(GOOD, sr=SR, n_fft=0),
        lambda: spectrograms.stft_db(GOOD, sr=SR, n_fft=2048, hop_length=-1),
        lambda: spectrograms.mel_db(GOOD, sr=SR, n_mels=0),
        lambda: spectrograms.mel_db(GOOD, sr=SR, fmin=5000, fmax=100),
        lambda: chroma.pitch_class(-440.0),
        lambda: chroma.mean_chroma(np.zeros((11, 10))),
        lambda: pspec.plot_spectrogram(np.zeros((10, 5)), times=np.arange(4), freqs=np.arange(10)),
        lambda: pspec.plot_spectrogram(np.zeros((10, 5)), times=np.arange(5), freqs=np.arange(10), yscale="cubic"),
        lambda: pwave.plot_waveform_grid({}, sr=SR),
        lambda: pchroma.plot_chromagram(np.zeros((5, 10)), times=np.arange(10)),
    ],
)
def test_bad_parameters_and_shapes(call):
    with pytest.raises(MusicvizError):
        call()


def _table(n=12):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(n, len(features.KAGGLE_FEATURES))), columns=list(features.KAGGLE_FEATURES))
    frame.insert(0, "track_id", [f"{mv.GENRES[i % 10]}.{i:05d}" for i in range(n)])
    frame["label"] = [t.split(".")[0] for t in frame["track_id"]]
    return frame


def test_feature_tables_with_missing_columns():
    table = _table()
    query = table.iloc[0][list(features.KAGGLE_FEATURES)].to_dict()
    with pytest.raises(MusicvizError, match="tempo"):
        similarity.nearest_clips(query, table.drop(columns=["tempo"]), columns=list(features.KAGGLE_FEATURES))
    with pytest.raises(MusicvizError):
        mv.baselines.feature_matrix(table.drop(columns=["label"]))
    with pytest.raises(MusicvizError):
        mv.baselines.feature_matrix(table, columns=["no_such_feature"])
    nan_table = table.copy()
    nan_table.loc[0, "tempo"] = np.nan
    with pytest.raises(MusicvizError, match="NaN"):
        mv.baselines.feature_matrix(nan_table)


def test_saved_model_rejects_missing_columns(tmp_path):
    table = _table(40)
    X, y = mv.baselines.feature_matrix(table)
    model = mv.baselines.make_knn(n_neighbors=3).fit(X, y)
    mv.baselines.save_model(model, tmp_path / "knn.joblib", feature_columns=list(X.columns))
    loaded = mv.baselines.load_model(tmp_path / "knn.joblib")
    with pytest.raises(MusicvizError, match="mfcc20_var"):
        loaded.predict(X.drop(columns=["mfcc20_var"]))
    (tmp_path / "junk.joblib").write_text("not a model")
    with pytest.raises(MusicvizError):
        mv.baselines.load_model(tmp_path / "junk.joblib")
    with pytest.raises(MusicvizError):
        mv.baselines.load_model(tmp_path / "missing.joblib")


def _many_clip_calls(folder):
    """Every function over many clips, called on ``folder`` with the keywords they all take."""
    from musicviz.pretrained import embedding_table, run_pretrained_command
    from musicviz.pretrained.agreement import zero_shot_agreement

    return {
        "features.feature_table": lambda **kw: features.feature_table(folder, **kw),
        "features.course_feature_table": lambda **kw: features.course_feature_table(**kw),
        "features.run_features_command": lambda **kw: features.run_features_command(folder, out=folder / "t.csv", **kw),
        "pretrained.embedding_table": lambda **kw: embedding_table(folder, **kw),
        "pretrained.run_pretrained_command": lambda **kw: run_pretrained_command(folder, **kw),
        "pretrained.zero_shot_agreement": lambda **kw: zero_shot_agreement(folder, **kw),
    }


BAD_CLIP_KEYWORDS = [
    {"cache": None},
    {"cache": 3},
    {"cache": ""},
    {"n_jobs": 0},
    {"n_jobs": 1.5},
    {"n_jobs": True},
    {"max_seconds": 0},
    {"max_seconds": float("nan")},
    {"max_seconds": "600"},
]


@pytest.mark.parametrize("bad", BAD_CLIP_KEYWORDS, ids=lambda kw: f"{next(iter(kw))}={next(iter(kw.values()))!r}")
@pytest.mark.parametrize("name", sorted(_many_clip_calls(Path("."))))
def test_bad_clip_keywords_are_refused_before_any_work(name, bad, tmp_path, monkeypatch):
    for table in ("musicviz.features.table", "musicviz.pretrained.table"):
        monkeypatch.setattr(f"{table}.clips_from", lambda *a: pytest.fail("listed clips before the checks"))
    (keyword,) = bad
    with pytest.raises(MusicvizError, match=keyword):
        _many_clip_calls(tmp_path)[name](**bad)


def test_cli_commands_fail_cleanly(tmp_path, capsys):
    from musicviz.cli import main

    # Exit codes (musicviz.cli.EXIT_CODES): 3 bad input data, 2 bad command-line argument.
    assert main(["-q", "features", str(tmp_path / "nowhere"), "--out", str(tmp_path / "t.csv")]) == 3
    assert main(["-q", "data", "import", str(tmp_path / "missing.zip")]) == 3
    assert main(["-q", "data", "synth", "--out", str(tmp_path / "s"), "--clips-per-genre", "0"]) == 2
    assert main(["-q", "data", "realism", str(tmp_path / "nowhere")]) == 3
    err = capsys.readouterr().err
    assert err.count("error: ") == 4 and "Traceback" not in err


# --------------------------------------------------------------------------- properties
finite = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False, width=32)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arrays(np.float32, st.integers(min_value=2, max_value=4000), elements=finite))
def test_zero_crossings_are_sign_changes(y):
    times = waveforms.zero_crossings(y, sr=SR)
    negative = y < 0  # librosa's convention: 0 counts as positive
    assert len(times) == int(np.count_nonzero(negative[1:] != negative[:-1]))
    assert np.all(np.diff(times) >= 0) and np.all((times >= 0) & (times <= len(y) / SR))


@settings(max_examples=30, deadline=None)
@given(arrays(np.float32, st.integers(min_value=10, max_value=5000), elements=finite), st.integers(10, 500))
def test_envelope_bounds_the_signal(y, n_points):
    t, low, high = waveforms.envelope(y, sr=SR, n_points=n_points)
    assert len(t) == len(low) == len(high) <= max(n_points, len(y))
    assert np.all(low <= high)
    assert low.min() == pytest.approx(float(y.min())) and high.max() == pytest.approx(float(y.max()))


@settings(max_examples=30, deadline=None)
@given(st.floats(min_value=20.0, max_value=10000.0), st.integers(min_value=-3, max_value=3))
def test_pitch_class_is_octave_invariant(freq, octaves):
    assert int(chroma.pitch_class(freq)) == int(chroma.pitch_class(freq * 2.0**octaves)) or abs(
        12 * np.log2(freq / 440.0) % 1 - 0.5
    ) < 1e-6


@settings(max_examples=25, deadline=None)
@given(st.floats(min_value=0.0, max_value=11025.0))
def test_mel_scale_round_trip(freq):
    assert spectrograms.mel_to_hz(spectrograms.hz_to_mel(freq)) == pytest.approx(freq, rel=1e-6, abs=1e-6)


@settings(max_examples=20, deadline=None)
@given(arrays(np.float64, st.integers(min_value=SR // 10, max_value=SR // 2), elements=finite), st.floats(0.0, 0.09))
def test_segment_has_the_asked_length(y, start):
    piece = mv.audio.segment(y, sr=SR, start=start, end=start + 0.01)
    assert abs(len(piece) - 0.01 * SR) <= 1


def test_refused_spectrogram_leaves_no_figure():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    with pytest.raises(MusicvizError):
        pspec.plot_spectrogram(np.zeros((10, 5)), times=np.arange(5), freqs=np.arange(10.0), fmin=500, fmax=100)
    assert plt.get_fignums() == before


def test_waveform_keeps_the_callers_linewidth():
    long = np.sin(np.arange(SR * 10) / 5.0)
    ax = pwave.plot_waveform(long, sr=SR, linewidth=2.0)
    assert ax.collections[0].get_linewidth()[0] == 2.0
