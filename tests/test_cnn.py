"""musicviz.cnn on tiny generated signals: shapes, no leakage, train-only scaling, determinism,
save/load round trip, errors, and that importing musicviz never pulls in TensorFlow."""

from __future__ import annotations

import json

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
        cnn.build_segments(train, config=TINY, cache=cache),
        cnn.build_segments(test, config=TINY, cache=cache),
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
    with pytest.raises(ParameterError, match="segment_seconds"):
        cnn.MelConfig(segment_seconds=float("inf"))
    with pytest.raises(ParameterError, match="max_segments"):
        cnn.MelConfig(max_segments=0)
    with pytest.raises(ParameterError, match="n_mels"):
        cnn.MelConfig(n_mels=True)
    numpy_typed = cnn.MelConfig(n_mels=np.int64(32), segment_seconds=np.float32(3.0))
    assert json.loads(json.dumps(numpy_typed.to_dict())) == cnn.MelConfig(n_mels=32).to_dict()  # plain types


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


def _entries(cache_dir):
    return sorted(p for p in cache_dir.rglob("*") if p.is_file())


def test_cache_is_used_and_identical(segments, split):
    train, _, cache = segments
    files = _entries(cache)
    assert len(files) == len(split[0]) + len(split[1])
    assert all(f.suffix == ".npy" and f.parent.name == f.name[:2] for f in files)  # <key[:2]>/<key>.npy
    assert not [f for f in files if f.name.startswith(".")]  # no temporary left behind
    again = cnn.build_segments(split[0], config=TINY, cache=cache)
    np.testing.assert_array_equal(again.X, train.X)
    fresh = cnn.build_segments(split[0], config=TINY, cache=False)
    np.testing.assert_allclose(fresh.X, train.X, rtol=0, atol=1e-4)
    other = cnn.MelConfig(segment_seconds=1.0, n_fft=512, hop_length=512, n_mels=8, max_segments=3)
    assert cnn.build_segments(split[0][:1], config=other, cache=cache).X.shape[1] == 8  # key has params


def test_damaged_mel_entries_are_recomputed(split, tmp_path):
    tracks = split[0][:4]
    first = cnn.build_segments(tracks, config=TINY, cache=tmp_path)
    entries = _entries(tmp_path)
    entries[0].write_bytes(b"garbage")
    np.save(entries[1], np.zeros((2, 3), np.float32))  # wrong shape
    np.save(entries[2], np.full((3, TINY.n_mels, TINY.n_frames), np.nan, np.float32))
    entries[3].unlink()
    entries[3].mkdir()  # a folder in its place
    again = cnn.build_segments(tracks, config=TINY, cache=tmp_path)
    np.testing.assert_array_equal(again.X, first.X)
    assert _entries(tmp_path) == entries  # each one rewritten in place, as a file
    for entry in entries:
        assert np.load(entry, allow_pickle=False).shape == (3, TINY.n_mels, TINY.n_frames)


def test_a_librosa_upgrade_is_a_cache_miss(split, tmp_path, monkeypatch):
    import librosa

    tracks = split[0][:2]
    cnn.build_segments(tracks, config=TINY, cache=tmp_path)
    before = _entries(tmp_path)
    poisoned = np.full((3, TINY.n_mels, TINY.n_frames), 1.0, np.float32)  # valid, but not these clips' mels
    for entry in before:
        np.save(entry, poisoned)
    monkeypatch.setattr(librosa, "__version__", librosa.__version__ + ".post1")
    upgraded = cnn.build_segments(tracks, config=TINY, cache=tmp_path)
    assert len(_entries(tmp_path)) == 2 * len(before)  # new entries, the old ones never read
    assert not np.any(upgraded.X == 1.0)


def test_build_segments_errors(tmp_path, split):
    with pytest.raises(ParameterError, match="no tracks"):
        cnn.build_segments([], config=TINY, cache=False)
    with pytest.raises(ParameterError, match="twice"):
        cnn.build_segments([split[0][0], split[0][0]], config=TINY, cache=False)
    with pytest.raises(MusicvizError, match="not found"):
        cnn.build_segments([(tmp_path / "missing.wav", "rock.00001", "rock")], config=TINY, cache=False)
    short = write_wav(tmp_path / "rock.00002.wav", _clip(0, 0, seconds=0.5), sr=SR)
    with pytest.raises(AudioContentError, match="too short"):
        cnn.build_segments([(short, "rock.00002", "rock")], config=TINY, cache=False)


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
    """The scaler inside train_cnn equals one fitted here, independently, on exactly the
    training tracks that are not held out for validation (and differs from one fitted on all)."""
    train, _, _ = segments
    held_out = cnn.validation_tracks(train, fraction=0.2, seed=0)  # what train_cnn(seed=0) holds out
    fitted_on = train.subset(~np.isin(train.track_ids, held_out))
    assert 0 < len(fitted_on) < len(train) and set(fitted_on.track_ids).isdisjoint(held_out)
    expected = cnn.BandScaler.fit(fitted_on.X)
    np.testing.assert_array_equal(trained.scaler.mean, expected.mean)
    np.testing.assert_array_equal(trained.scaler.std, expected.std)
    on_all = cnn.BandScaler.fit(train.X)  # the leak this test guards against
    assert np.abs(expected.mean - on_all.mean).max() > 1e-3 or np.abs(expected.std - on_all.std).max() > 1e-3
    assert trained.info["n_train_segments"] == len(fitted_on)
    assert trained.info["n_validation_segments"] == len(train) - len(fitted_on)


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


class _FakeModel:
    """Stands in for a Keras model in save(): writes recognisable bytes."""

    def __init__(self, payload: bytes):
        self.payload = payload

    def save(self, path):
        with open(path, "wb") as handle:
            handle.write(self.payload)


def _pair(model_dir):
    return {name: (model_dir / name).read_bytes() for name in (cnn.MODEL_FILE, cnn.PREPROCESSING_FILE)}


def _other_classifier(trained, payload=b"the new network", **info):
    scaler = cnn.BandScaler(trained.scaler.mean + 1, trained.scaler.std)
    return cnn.CNNClassifier(_FakeModel(payload), trained.classes, scaler, trained.config, info=info)


def test_save_replaces_the_pair_and_leaves_nothing_behind(trained, tmp_path):
    model_dir = trained.save(tmp_path / "models" / "cnn")
    _other_classifier(trained).save(model_dir)
    pair = _pair(model_dir)
    assert pair[cnn.MODEL_FILE] == b"the new network"
    meta = json.loads(pair[cnn.PREPROCESSING_FILE])
    np.testing.assert_allclose(meta["band_mean"], trained.scaler.mean + 1, rtol=1e-6)
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["cnn"]  # no staging or old folder
    assert sorted(p.name for p in model_dir.iterdir()) == [cnn.MODEL_FILE, cnn.PREPROCESSING_FILE]


def test_a_failed_save_keeps_the_previous_pair(trained, tmp_path, monkeypatch):
    """A save that fails after the new network is written must not leave it beside the old
    preprocessing (today's failure: preprocessing.json cannot be written)."""
    model_dir = trained.save(tmp_path / "cnn")
    before = _pair(model_dir)
    broken = _other_classifier(trained, note=[object()])  # preprocessing.json cannot be written
    with pytest.raises((ModelError, TypeError)):
        broken.save(model_dir)
    assert _pair(model_dir) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cnn"]
    # A failure at the swap itself (the last step) leaves the previous pair too.
    import os

    def refuse(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "rename", refuse)
    with pytest.raises(OSError):
        _other_classifier(trained).save(model_dir)
    monkeypatch.undo()
    assert _pair(model_dir) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cnn"]
    np.testing.assert_array_equal(cnn.load_classifier(model_dir).scaler.mean, trained.scaler.mean)


def test_save_refuses_a_folder_with_other_files(trained, tmp_path):
    from musicviz.errors import OutputError

    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.txt").write_text("precious")
    with pytest.raises(OutputError, match="thesis.txt"):
        trained.save(folder)
    assert [p.name for p in folder.iterdir()] == ["thesis.txt"]
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(OutputError, match="not a folder"):
        trained.save(a_file)


def test_load_changes_no_global_state(trained, segments, tmp_path):
    import random

    import tensorflow as tf

    _, test, _ = segments
    model_dir = trained.save(tmp_path / "cnn")
    random.seed(1234)
    np.random.seed(1234)
    tf.random.set_seed(1234)
    python_state, numpy_state = random.getstate(), np.random.get_state()
    loaded = cnn.load_classifier(model_dir)
    assert random.getstate() == python_state
    after = np.random.get_state()
    assert after[0] == numpy_state[0] and np.array_equal(after[1], numpy_state[1]) and after[2:] == numpy_state[2:]
    draw_after_load = tf.random.uniform([4]).numpy()
    tf.random.set_seed(1234)
    np.testing.assert_array_equal(draw_after_load, tf.random.uniform([4]).numpy())  # TensorFlow's seed kept
    np.testing.assert_array_equal(loaded.predict_proba(test.X), trained.predict_proba(test.X))


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


def test_log_mel_colorbar_names_its_decibel_reference():
    # The CNN's input is power_to_db(ref=1), not notebook 02's dBFS: the colour bar says which.
    from musicviz.plot import cnn as plot_cnn

    img = plot_cnn.plot_log_mel(np.zeros((64, 130)))
    assert img.colorbar is not None and img.colorbar.ax.get_ylabel() == plot_cnn.LOG_MEL_LABEL
    assert "dBFS" not in plot_cnn.LOG_MEL_LABEL and "dB" in plot_cnn.LOG_MEL_LABEL
    img = plot_cnn.plot_log_mel(np.zeros((64, 130)), colorbar_label="standardized level")
    assert img.colorbar.ax.get_ylabel() == "standardized level"


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


# --------------------------------------------------------------------------- band statistics
def _fake_saved_cnn(folder, **changes):
    """A saved-CNN folder whose preprocessing.json has ``changes``; model.keras is a dummy, which
    load_classifier never reaches when the statistics are refused (no TensorFlow needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"format": 1, "classes": list(GENRES3), "mel": TINY.to_dict(),
            "band_mean": [-40.0] * TINY.n_mels, "band_std": [10.0] * TINY.n_mels, "history": {}, "best_epoch": 1}
    meta.update(changes)
    (folder / cnn.PREPROCESSING_FILE).write_text(json.dumps(meta))
    (folder / cnn.MODEL_FILE).write_bytes(b"PK\x05\x06" + bytes(18))
    return folder


@pytest.mark.parametrize(
    "changes, match",
    [
        ({"band_std": [0.0] * TINY.n_mels}, r"band_std of mel bands \[0, 1, 2, 3, 4\]"),
        ({"band_std": [10.0] * (TINY.n_mels - 1) + [-1.0]}, r"band_std of mel bands \[15\]"),
        ({"band_std": [10.0] * (TINY.n_mels - 1) + [float("inf")]}, "band_std"),
        ({"band_mean": [float("nan")] + [-40.0] * (TINY.n_mels - 1)}, r"band_mean of mel bands \[0\]"),
        ({"band_mean": [1e39] * TINY.n_mels}, "float32"),
        ({"band_mean": [-40.0] * 3}, "n_mels"),
        ({"classes": ["blues", 3, "metal"]}, "classes"),
    ],
    ids=["zero-std", "negative-std", "inf-std", "nan-mean", "float32-overflow", "wrong-length", "classes"],
)
def test_band_statistics_must_be_finite_with_std_above_zero(tmp_path, changes, match):
    """An all-zero band_std or a NaN band_mean loaded, and predict_clip answered NaN."""
    import sys

    folder = _fake_saved_cnn(tmp_path / "cnn", **changes)
    tensorflow_before = "tensorflow" in sys.modules
    with pytest.raises(ModelError, match=match) as info:
        cnn.load_classifier(folder)
    assert cnn.PREPROCESSING_FILE in str(info.value)
    assert ("tensorflow" in sys.modules) == tensorflow_before  # refused before TensorFlow is imported


@pytest.mark.slow  # librosa's first mel spectrogram takes seconds
def test_predict_clip_refuses_nan_probabilities():
    class Broken:
        classes = GENRES3
        config = TINY

        def predict_proba(self, mels):
            return np.full((len(mels), 3), np.nan)

    with pytest.raises(ModelError, match="NaN"):
        cnn.predict_clip(_clip(0, 0), sr=SR, model=Broken())


# --------------------------------------------------------------------------- looking inside
def test_layer_table_follows_the_output_shape_rule(trained):
    from musicviz.cnn.inspect import layer_table

    table = layer_table(trained.model)
    assert table["layer"].tolist()[:4] == ["conv1", "pool1", "conv2", "pool2"]
    assert table["params"].sum() == trained.model.count_params()
    windowed = table[table["kernel"].notna()]
    assert len(windowed) == 5  # two convolutions, two poolings, the time average
    for row in windowed.itertuples():
        by_rule = tuple((n - k + 2 * p) // s + 1 for n, k, p, s in zip(row.input, row.kernel, row.padding, row.stride))
        assert by_rule == row.keras_output[:2], row.layer
    conv1 = table.set_index("layer").loc["conv1"]
    assert conv1["padding"] == (1, 1) and conv1["params"] == 4 * (3 * 3 * 1 + 1)


def test_conv1_is_a_cross_correlation_and_the_softmax_of_the_logits(trained, segments):
    from numpy.lib.stride_tricks import sliding_window_view

    from musicviz.cnn.inspect import keras_loss, layer_outputs, logits

    _, test, _ = segments
    X = test.X[:3]
    maps = layer_outputs(trained, X, layers=("log_mel", "conv1"))
    K, b = trained.model.get_layer("conv1").get_weights()
    padded = np.pad(maps["log_mel"][..., 0], ((0, 0), (1, 1), (1, 1)))
    by_hand = np.einsum("nijab,abc->nijc", sliding_window_view(padded, (3, 3), axis=(1, 2)), K[:, :, 0, :]) + b
    np.testing.assert_allclose(np.maximum(by_hand, 0), maps["conv1"], atol=1e-5)
    z = logits(trained, X)
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(p, trained.predict_proba(X), atol=1e-5)
    y = trained.encode(test.genres[:3])
    assert keras_loss(trained, X, test.genres[:3]) == pytest.approx(float(np.mean(-np.log(p[np.arange(3), y]))), abs=1e-5)
    with pytest.raises(ParameterError, match="layers must name"):
        layer_outputs(trained, X, layers=("conv9",))


def test_occlusion_map_slides_like_a_kernel(trained, segments):
    from musicviz.cnn.inspect import occlusion_map

    _, test, _ = segments
    segment, genre = test.X[0], test.genres[0]
    n_mels, n_frames = TINY.n_mels, TINY.n_frames
    occ = occlusion_map(trained, segment, target=genre, patch=(4, 10), stride=(4, 8))
    assert occ.grid.shape == ((n_mels - 4) // 4 + 1, (n_frames - 10) // 8 + 1)
    assert occ.drop.shape == (n_mels, n_frames)
    k = list(trained.classes).index(genre)
    assert occ.probability == pytest.approx(float(trained.predict_proba(segment[None])[0, k]), abs=1e-6)
    # One patch over everything: the drop is the log-odds of the segment minus those of an all-mean input.
    whole = occlusion_map(trained, segment, target=genre, patch=(n_mels, n_frames))
    blank = trained.model.predict(np.zeros((1, n_mels, n_frames, 1), np.float32), verbose=0)[0, k]
    assert whole.grid.shape == (1, 1)
    log_odds = lambda p: np.log(p / (1 - p))  # noqa: E731
    np.testing.assert_allclose(whole.drop, log_odds(whole.probability) - log_odds(blank), atol=1e-3)
    with pytest.raises(ParameterError, match="target"):
        occlusion_map(trained, segment, target="polka")
    with pytest.raises(ParameterError, match="patch"):
        occlusion_map(trained, segment, target=genre, patch=(n_mels + 1, 4))


def test_clips_to_hear_plays_the_mistakes_at_their_most_convincing_segment():
    import pandas as pd

    from musicviz.cnn.inspect import clips_to_hear

    seg = cnn.SegmentSet(np.zeros((4, 16, 44)), np.array(["a", "a", "b", "b"]), np.array(["rock", "rock", "jazz", "jazz"]),
                         np.array([0, 1, 0, 1]), TINY)
    proba = np.array([[0.9, 0.1], [0.6, 0.4], [0.45, 0.55], [0.8, 0.2]])  # classes (rock, jazz); b looks like rock
    clips = pd.DataFrame({"track_id": ["a", "b"], "genre": ["rock", "jazz"], "predicted": ["rock", "rock"],
                          "confidence": [0.75, 0.625]})
    result = type("R", (), {"clips": clips, "segment_proba": proba, "classes": ("rock", "jazz")})
    heard = clips_to_hear(result, seg)
    assert heard[["track_id", "start", "end", "why"]].to_dict("records") == [
        {"track_id": "b", "start": 1.0, "end": 2.0, "why": "mistake"}]
    with pytest.raises(ParameterError, match="segments"):
        clips_to_hear(result, seg.subset(np.array([True, True, True, False])))


def test_feature_map_and_occlusion_plots_reject_other_shapes():
    from musicviz.plot import cnn as plot_cnn

    with pytest.raises(ParameterError, match="bands dividing 64"):
        plot_cnn.plot_feature_map(np.zeros((30, 65)))
    img = plot_cnn.plot_occlusion(np.zeros((64, 130)))
    assert img.get_clim() == (-1.0, 1.0)  # nothing changes: a symmetric scale all the same
