"""musicviz.cnn on tiny generated signals: shapes, no leakage, train-only scaling, determinism,
save/load round trip, errors, and that importing musicviz never pulls in TensorFlow."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from musicviz import cnn
from musicviz.audio import write_wav
from musicviz.datasets import split_tracks
from musicviz.errors import AudioContentError, ModelError, MusicvizError, ParameterError

SR = 22050
TINY = cnn.MelConfig(segment_seconds=1.0, n_fft=512, hop_length=512, n_mels=16, max_segments=3)
TINY_MODEL = {"filters": (4, 8), "dense_units": 8, "dropout": 0.2}
GENRES3 = ("blues", "classical", "metal")


def _clip(genre_index: int, k: int, seconds: float = 3.2, sr: int = SR) -> np.ndarray:
    """A tone whose pitch tells the genre, plus a little noise (distinct per clip)."""
    rng = np.random.default_rng(100 * genre_index + k)
    t = np.arange(int(seconds * sr)) / sr
    f0 = 220.0 * (genre_index + 1)
    return (0.4 * np.sin(2 * np.pi * f0 * t) + rng.normal(0, 0.02, t.size)).astype(np.float32)


@pytest.fixture(scope="module")
def tiny_tracks(tmp_path_factory):
    """3 genres x 4 tracks of 3.2 s on disk, as (path, track_id, genre) tuples."""
    root = tmp_path_factory.mktemp("tiny_audio")
    tracks = []
    for gi, genre in enumerate(GENRES3):
        for k in range(4):
            track_id = f"{genre}.{k:05d}"
            tracks.append((write_wav(root / f"{track_id}.wav", _clip(gi, k), sr=SR), track_id, genre))
    return tracks


@pytest.fixture(scope="module")
def split(tiny_tracks):
    ids = [t[1] for t in tiny_tracks]
    side = split_tracks(ids, [t[2] for t in tiny_tracks], test_size=0.25, seed=0, filtered=False)
    train = [t for t, s in zip(tiny_tracks, side) if s == "train"]
    test = [t for t, s in zip(tiny_tracks, side) if s == "test"]
    return train, test


@pytest.fixture(scope="module")
def segments(split, tmp_path_factory):
    cache = tmp_path_factory.mktemp("mel_cache")
    train, test = split
    return (
        cnn.build_segments(train, config=TINY, cache_dir=cache),
        cnn.build_segments(test, config=TINY, cache_dir=cache),
        cache,
    )


@pytest.fixture(scope="module")
def trained(segments):
    train, _, _ = segments
    return cnn.train_cnn(train, epochs=3, batch_size=8, patience=2, seed=0, log=None, **TINY_MODEL)


# --------------------------------------------------------------------------- preprocessing
def test_config_shapes():
    config = cnn.MelConfig()
    assert (config.segment_samples, config.n_frames, config.input_shape) == (66150, 130, (64, 130, 1))
    assert cnn.MelConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ParameterError, match="n_mels"):
        cnn.MelConfig(n_mels=0)
    with pytest.raises(ParameterError, match="n_fft"):
        cnn.MelConfig(segment_seconds=0.01)


def test_cut_segments_drops_tail_caps_count_and_resamples():
    assert cnn.cut_segments(np.zeros(int(2.5 * SR)), sr=SR, config=TINY).shape == (2, SR)
    assert cnn.cut_segments(np.zeros(10 * SR), sr=SR, config=TINY).shape == (3, SR)  # max_segments
    assert cnn.cut_segments(np.zeros(2 * 44100), sr=44100, config=TINY).shape == (2, SR)
    seg = cnn.cut_segments(np.arange(2 * SR, dtype=float), sr=SR, config=TINY)
    np.testing.assert_array_equal(seg[1], np.arange(SR, 2 * SR))  # segment order kept


def test_segment_mels_shape_and_log_scale():
    mels = cnn.segment_mels(_clip(0, 0), sr=SR, config=TINY)
    assert mels.shape == (3, TINY.n_mels, TINY.n_frames) and mels.dtype == np.float32
    assert np.all(np.isfinite(mels)) and mels.max() < 100 and mels.min() < 0  # dB, not power


def test_signal_errors():
    with pytest.raises(AudioContentError, match="too short"):
        cnn.segment_mels(np.ones(SR // 2), sr=SR, config=TINY)
    with pytest.raises(ParameterError, match="shape"):
        cnn.segment_mels(np.ones((2, 2 * SR)), sr=SR, config=TINY)
    with pytest.raises(ParameterError, match="NaN"):
        cnn.segment_mels(np.full(2 * SR, np.nan), sr=SR, config=TINY)
    with pytest.raises(ParameterError, match="sr"):
        cnn.cut_segments(np.ones(2 * SR), sr=0, config=TINY)


def test_split_before_slicing_no_leakage(segments, split):
    train, test, _ = segments
    assert len(train) == 3 * len(split[0]) and len(test) == 3 * len(split[1])
    assert train.X.shape[1:] == (TINY.n_mels, TINY.n_frames)
    assert set(train.track_ids).isdisjoint(set(test.track_ids))
    assert set(test.track_ids) == {t[1] for t in split[1]}
    assert set(test.genres) == set(GENRES3)  # stratified: every genre is tested
    np.testing.assert_array_equal(test.segment_index[:3], [0, 1, 2])


def test_cache_is_used_and_identical(segments, split):
    train, _, cache = segments
    files = sorted(cache.glob("*.npy"))
    assert len(files) == len(split[0]) + len(split[1])
    assert not list(cache.glob(".*"))  # no temporary left behind
    again = cnn.build_segments(split[0], config=TINY, cache_dir=cache)
    np.testing.assert_array_equal(again.X, train.X)
    fresh = cnn.build_segments(split[0], config=TINY, cache_dir=False)
    np.testing.assert_allclose(fresh.X, train.X, rtol=0, atol=1e-4)
    other = cnn.MelConfig(segment_seconds=1.0, n_fft=512, hop_length=512, n_mels=8, max_segments=3)
    assert cnn.build_segments(split[0][:1], config=other, cache_dir=cache).X.shape[1] == 8  # key has params


def test_build_segments_errors(tmp_path, split):
    with pytest.raises(ParameterError, match="no tracks"):
        cnn.build_segments([], config=TINY, cache_dir=False)
    with pytest.raises(ParameterError, match="twice"):
        cnn.build_segments([split[0][0], split[0][0]], config=TINY, cache_dir=False)
    with pytest.raises(MusicvizError, match="not found"):
        cnn.build_segments([(tmp_path / "missing.wav", "rock.00001", "rock")], config=TINY, cache_dir=False)
    short = write_wav(tmp_path / "rock.00002.wav", _clip(0, 0, seconds=0.5), sr=SR)
    with pytest.raises(AudioContentError, match="too short"):
        cnn.build_segments([(short, "rock.00002", "rock")], config=TINY, cache_dir=False)


def test_band_scaler_guards_zero_variance():
    X = np.random.default_rng(0).normal(3.0, 2.0, size=(5, 4, 7))
    X[:, 2, :] = 7.0  # a constant band
    scaler = cnn.BandScaler.fit(X)
    Z = scaler.transform(X)
    assert scaler.std[2] == 1.0 and np.all(np.isfinite(Z))
    np.testing.assert_allclose(Z.mean(axis=(0, 2)), 0, atol=1e-5)
    with pytest.raises(ParameterError, match="shape"):
        scaler.transform(np.zeros((2, 5, 7)))


# --------------------------------------------------------------------------- training
def test_band_statistics_fitted_on_training_segments_only(segments):
    train, test, _ = segments
    clf = cnn.train_cnn(train, validation_fraction=0, epochs=1, batch_size=8, log=None, **TINY_MODEL)
    expected = cnn.BandScaler.fit(train.X)
    np.testing.assert_array_equal(clf.scaler.mean, expected.mean)
    np.testing.assert_array_equal(clf.scaler.std, expected.std)
    everything = cnn.BandScaler.fit(np.concatenate([train.X, test.X]))
    assert not np.allclose(clf.scaler.mean, everything.mean)


def test_validation_tracks_are_held_out_of_scaler_and_fit(trained, segments):
    train, _, _ = segments
    info = trained.info
    assert info["n_train_segments"] + info["n_validation_segments"] == len(train)
    assert info["n_validation_segments"] % 3 == 0 and info["n_validation_segments"] > 0  # whole tracks
    assert not np.allclose(trained.scaler.mean, cnn.BandScaler.fit(train.X).mean)


def test_training_history_and_summary(trained):
    assert set(trained.history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert 1 <= trained.best_epoch <= len(trained.history["loss"]) <= 3
    assert trained.classes == GENRES3
    text = cnn.model_summary(trained.model)
    assert "conv1" in text and "genre" in text and "Total params" in text
    assert not any(ch in text for ch in "┏━┃│")


def test_epoch_log_is_compact(segments):
    train, _, _ = segments
    lines = []
    cnn.train_cnn(train, epochs=2, batch_size=8, log=lines.append, **TINY_MODEL)
    assert len(lines) == 2 and lines[0].startswith("epoch   1  loss ")
    assert all(len(part.split(".")[-1]) == 3 for part in lines[0].split()[3::2])  # 3 decimals


def test_training_is_deterministic(segments, trained):
    train, test, _ = segments
    again = cnn.train_cnn(train, epochs=3, batch_size=8, patience=2, seed=0, log=None, **TINY_MODEL)
    for a, b in zip(trained.model.get_weights(), again.model.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(trained.predict_proba(test.X), again.predict_proba(test.X))
    assert trained.history == again.history


def test_evaluate_votes_by_mean_probability(trained, segments):
    _, test, _ = segments
    result = cnn.evaluate(trained, test)
    assert result.segment_proba.shape == (len(test), 3)
    np.testing.assert_allclose(result.segment_proba.sum(axis=1), 1, atol=1e-5)
    assert list(result.clips.columns) == ["track_id", "genre", "predicted", "confidence"]
    assert len(result.clips) == test.n_tracks
    first = result.clips.iloc[0]
    mean = result.segment_proba[test.track_ids == first["track_id"]].mean(axis=0)
    assert first["predicted"] == GENRES3[int(mean.argmax())]
    assert result.clip_accuracy == np.mean(result.clips["genre"] == result.clips["predicted"])
    assert 0 <= result.segment_accuracy <= 1
    assert result.confusion_matrix().sum() == test.n_tracks


def test_clip_probabilities():
    p = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6]])
    frame = cnn.clip_probabilities(p, ["a", "a", "b"], classes=["rock", "jazz"])
    np.testing.assert_allclose(frame.loc["a"].to_numpy(), [0.55, 0.45])
    with pytest.raises(ParameterError, match="shape"):
        cnn.clip_probabilities(p, ["a", "b"], classes=["rock", "jazz"])


def test_model_errors(trained, segments):
    train, test, _ = segments
    with pytest.raises(ModelError, match="unknown labels"):
        cnn.evaluate(trained, cnn.SegmentSet(test.X[:1], np.array(["x.1"]), np.array(["polka"]), np.array([0]), TINY))
    with pytest.raises(ModelError, match="shape"):
        trained.predict_proba(np.zeros((2, 5, 7)))
    one_genre = train.subset(train.genres == "blues")
    with pytest.raises(ModelError, match="two genres"):
        cnn.train_cnn(one_genre, epochs=1, log=None)
    with pytest.raises(ModelError, match="unknown labels"):
        cnn.train_cnn(train, classes=("blues", "metal"), epochs=1, log=None)
    with pytest.raises(ParameterError, match="n_classes"):
        cnn.build_model(TINY.input_shape, 1)
    with pytest.raises(ParameterError, match="input_shape"):
        cnn.build_model((16, 10), 3)


# --------------------------------------------------------------------------- saving
def test_save_load_round_trip(trained, segments, tmp_path):
    _, test, _ = segments
    model_dir = trained.save(tmp_path / "cnn")
    assert sorted(p.name for p in model_dir.iterdir()) == [cnn.MODEL_FILE, cnn.PREPROCESSING_FILE]
    meta = json.loads((model_dir / cnn.PREPROCESSING_FILE).read_text())
    assert meta["classes"] == list(GENRES3) and len(meta["band_mean"]) == TINY.n_mels
    loaded = cnn.load_classifier(model_dir)
    assert loaded.classes == trained.classes and loaded.config == trained.config
    np.testing.assert_array_equal(loaded.scaler.mean, trained.scaler.mean)
    np.testing.assert_array_equal(loaded.scaler.std, trained.scaler.std)
    np.testing.assert_array_equal(loaded.predict_proba(test.X), trained.predict_proba(test.X))
    y = _clip(2, 9)
    from_disk = cnn.predict_clip(y, sr=SR, model_dir=model_dir)
    in_memory = cnn.predict_clip(y, sr=SR, model=trained)
    assert list(from_disk) == list(GENRES3)
    assert from_disk == in_memory and abs(sum(from_disk.values()) - 1) < 1e-5


def test_load_errors(trained, tmp_path):
    with pytest.raises(ModelError, match="not found"):
        cnn.load_classifier(tmp_path / "nothing")
    model_dir = trained.save(tmp_path / "cnn")
    (model_dir / cnn.PREPROCESSING_FILE).write_text("{not json")
    with pytest.raises(ModelError, match="unreadable"):
        cnn.load_classifier(model_dir)
    (model_dir / cnn.PREPROCESSING_FILE).unlink()
    with pytest.raises(ModelError, match=cnn.PREPROCESSING_FILE):
        cnn.load_classifier(model_dir)
    trained.save(model_dir)
    (model_dir / cnn.MODEL_FILE).write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="could not load"):
        cnn.load_classifier(model_dir)


def test_predict_clip_errors(trained):
    with pytest.raises(AudioContentError, match="too short"):
        cnn.predict_clip(np.ones(100), sr=SR, model=trained)
    with pytest.raises(ParameterError, match="shape"):
        cnn.predict_clip(np.ones((2, 3 * SR)), sr=SR, model=trained)


# --------------------------------------------------------------------------- plots
def test_plots(trained, segments):
    from musicviz.plot import cnn as plot_cnn

    axes = plot_cnn.plot_training_curves(trained.history, best_epoch=trained.best_epoch)
    assert len(axes) == 2 and axes[0].get_xlabel() == "epoch"
    ax = plot_cnn.plot_genre_probabilities({"blues": 0.7, "metal": 0.3})
    assert len(ax.patches) == 2
    img = plot_cnn.plot_log_mel(segments[0].X[0], config=TINY)
    assert img.axes.get_xlabel() == "Time (s)"


# --------------------------------------------------------------------------- lightness
def test_import_does_not_load_tensorflow():
    code = (
        "import sys, musicviz, musicviz.cnn, musicviz.similarity, musicviz.plot.cnn\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'librosa', 'matplotlib'))\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout[:500]


def test_validation_tracks_whole_tracks_per_genre(segments):
    train, _, _ = segments
    held = cnn.validation_tracks(train, fraction=0.2, seed=0)
    assert held == cnn.validation_tracks(train, fraction=0.2, seed=0)  # seeded
    genres = {t.split(".")[0] for t in held}
    assert genres == set(GENRES3)  # at least one track of every genre with two or more
    assert set(held) < set(train.track_ids)
    single = train.subset(train.track_ids == train.track_ids[0])
    with pytest.raises(ModelError, match="two training tracks"):
        cnn.validation_tracks(single)
