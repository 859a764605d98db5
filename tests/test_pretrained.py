"""musicviz.pretrained: musicnn's networks rebuilt for TF2, checked against the original code.

The reference values (``tests/data/musicnn_reference.npz``) were made by
``scripts/make_musicnn_reference.py`` in a throwaway environment outside the repository
(Python 3.11, tensorflow-cpu 2.21.0 + tf-keras 2.21.0 with ``TF_USE_LEGACY_KERAS=1``, NumPy
1.26.4, librosa 0.11.0, musicnn 0.1.0 installed with ``--no-deps``): it runs musicnn's own
``extractor()`` (TF1 graph, ``tf.compat.v1.layers``) on three synthetic clips made from fixed
seeds (a chord with drums at 22050 Hz, white noise, a sweep over a bass line; stored in the
file as int16 samples) with every model, and saves the taggrams and the embedding layers.
Two things differ from a plain ``extractor()`` call, both explained in the script: the
checkpoint restore is checked (musicnn ignores a failed one), and ``penultimate`` is taken
patch by patch because ``extractor`` repeats the first patch's values for the later ones.
The comparison tolerance is 1e-4, absolute, on probabilities and embeddings.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from musicviz import GENRES
from musicviz.errors import AudioContentError, FeatureError, ModelError, ParameterError

REFERENCE = Path(__file__).parent / "data" / "musicnn_reference.npz"
CLIPS = ("chord_drums", "noise", "sweep_bass")
ATOL = 1e-4

needs_weights = pytest.mark.skipif(
    importlib.util.find_spec("musicnn") is None, reason="musicnn's weights are not installed (make env)"
)


@pytest.fixture(scope="module")
def reference():
    with np.load(REFERENCE) as data:
        return {key: data[key] for key in data.files}


def _clip(reference, name):
    return reference[f"clip_{name}"].astype(np.float32) / 32768, int(reference[f"sr_{name}"])


def _tone_file(path, seconds, *, sr=22050, freq=220.0):
    from musicviz.audio import write_wav

    t = np.arange(int(sr * seconds)) / sr
    return write_wav(path, 0.4 * np.sin(2 * np.pi * freq * t) + 0.1 * np.sin(2 * np.pi * 3 * freq * t), sr=sr)


# --------------------------------------------------------------------------- the equivalence proof
@needs_weights
@pytest.mark.parametrize("model", ["MTT_musicnn", "MSD_musicnn", "MTT_vgg", "MSD_vgg"])
def test_outputs_match_the_original_musicnn_code(reference, model):
    from musicviz.pretrained import network_outputs

    compared = 0
    for name in CLIPS:
        y, sr = _clip(reference, name)
        out = network_outputs(y, sr=sr, model=model)
        for layer in ("taggram", "penultimate", "mean_pool", "max_pool", "pool5"):
            key = f"{model}/{name}/{layer}"
            if key not in reference:
                continue
            assert out[layer].shape == reference[key].shape, key
            np.testing.assert_allclose(out[layer], reference[key], rtol=0, atol=ATOL, err_msg=key)
            compared += 1
    assert compared == (12 if "musicnn" in model else 6)


@needs_weights
def test_the_reference_penultimate_is_per_patch_not_extractors_copy(reference):
    """extractor() returns patch 0's penultimate for every patch; the reference and musicviz do not."""
    from musicviz.pretrained import embeddings

    returned = reference["MTT_musicnn/chord_drums/penultimate_extractor"]
    assert np.array_equal(returned[1], returned[0])  # the bug, as recorded
    per_patch = reference["MTT_musicnn/chord_drums/penultimate"]
    assert np.abs(per_patch[1] - per_patch[0]).max() > 0.01
    y, sr = _clip(reference, "chord_drums")
    ours = embeddings(y, sr=sr, model="MTT_musicnn", layer="penultimate")
    np.testing.assert_allclose(ours, per_patch, rtol=0, atol=ATOL)


# --------------------------------------------------------------------------- shapes, determinism
@needs_weights
def test_taggram_embeddings_shapes_and_determinism(reference):
    from musicviz.pretrained import LAYERS, clip_embedding, embeddings, taggram

    y, sr = _clip(reference, "chord_drums")  # 6.5 s at 22050 Hz: two 2.992 s patches
    probs, tags, times = taggram(y, sr=sr, model="MTT_musicnn")
    assert probs.shape == (2, 50) and probs.dtype == np.float32 and len(tags) == 50
    assert np.all((probs >= 0) & (probs <= 1))
    np.testing.assert_allclose(times, [0.0, 187 * 256 / 16000])
    again, _, _ = taggram(y, sr=sr, model="MTT_musicnn")
    assert np.array_equal(probs, again)  # same input, same bits
    for layer, size in LAYERS["musicnn"].items():
        assert embeddings(y, sr=sr, model="MSD_musicnn", layer=layer).shape == (2, size)
    pooled = embeddings(y, sr=sr, model="MSD_musicnn", layer="pooled")
    np.testing.assert_array_equal(pooled[:, :753], embeddings(y, sr=sr, model="MSD_musicnn", layer="max_pool"))
    np.testing.assert_allclose(clip_embedding(y, sr=sr), embeddings(y, sr=sr).mean(axis=0), rtol=1e-6)
    assert embeddings(y, sr=sr, model="MTT_vgg").shape == (2, 256)


# --------------------------------------------------------------------------- vocabularies, zero-shot
def test_tag_vocabularies_are_musicnns():
    from musicviz.pretrained import MSD_TAGS, MTT_TAGS, tags_of

    assert len(MTT_TAGS) == len(set(MTT_TAGS)) == 50 and len(MSD_TAGS) == len(set(MSD_TAGS)) == 50
    assert tags_of("MTT_vgg") == list(MTT_TAGS) and tags_of("MSD_musicnn") == list(MSD_TAGS)
    if importlib.util.find_spec("musicnn") is not None:
        from musicnn import configuration  # plain lists, no TensorFlow

        assert list(MTT_TAGS) == configuration.MTT_LABELS
        assert list(MSD_TAGS) == configuration.MSD_LABELS


def test_missing_genres_are_those_without_a_tag_of_their_name():
    from musicviz.pretrained import GENRE_TAGS, MISSING_GENRES, MSD_TAGS, MTT_TAGS

    for vocab, tags in (("MTT", MTT_TAGS), ("MSD", MSD_TAGS)):
        names = {t.lower().replace("-", "") for t in tags}
        assert MISSING_GENRES[vocab] == tuple(g for g in GENRES if g not in names)
        for genre, used in GENRE_TAGS[vocab].items():
            assert set(used) <= set(tags), (vocab, genre)
    assert MISSING_GENRES["MTT"] == ("blues", "disco", "hiphop", "jazz", "reggae")
    assert MISSING_GENRES["MSD"] == ("classical", "disco", "reggae")


def test_zero_shot_genres_never_invents_a_missing_genre():
    from musicviz.pretrained import MSD_TAGS, MTT_TAGS, zero_shot_genres

    rng = np.random.default_rng(0)
    for tags in (MTT_TAGS, MSD_TAGS):
        for _ in range(20):
            result = zero_shot_genres(rng.uniform(size=(3, 50)), tags)
            assert list(result.scores.index) == list(GENRES)
            assert result.scores[list(result.missing)].isna().all()
            assert result.scores.drop(list(result.missing)).notna().all()
            assert result.guess not in result.missing
    probs = np.full(50, 0.05)
    probs[list(MTT_TAGS).index("metal")] = 0.9
    assert zero_shot_genres(probs, MTT_TAGS).guess == "metal"
    with pytest.raises(ParameterError, match="tags"):
        zero_shot_genres(probs, list(MTT_TAGS)[::-1])
    with pytest.raises(ParameterError, match="shape"):
        zero_shot_genres(np.zeros((2, 49)), MTT_TAGS)


# --------------------------------------------------------------------------- preprocessing
def test_preprocessing_is_float32_and_never_overflows():
    import librosa

    from musicviz.pretrained import log_mel, patches

    t = np.arange(16000 * 4) / 16000
    loud = np.sign(np.sin(2 * np.pi * 110 * t))  # full-scale square wave
    mel = librosa.feature.melspectrogram(y=loud.astype(np.float32), sr=16000, hop_length=256, n_fft=512, n_mels=96).T
    with np.errstate(over="ignore"):
        naive = np.log10(10000 * mel.astype(np.float16) + 1)  # musicnn's line under NumPy 2
    if np.__version__.split(".")[0] >= "2":
        assert naive.dtype == np.float16 and np.isinf(naive).any()  # the trap is real here
    rep = log_mel(loud, sr=16000)
    assert rep.dtype == np.float32 and rep.shape == (251, 96)
    assert np.all(np.isfinite(rep)) and rep.min() >= 0
    expected = np.log10(10000 * mel.astype(np.float16).astype(np.float32) + 1)
    np.testing.assert_allclose(rep, expected, rtol=1e-6)
    assert patches(rep).shape == (1, 187, 96)


def test_bad_inputs_get_clear_errors():
    from musicviz.pretrained import embeddings, log_mel, patches, taggram

    y = np.zeros(16000 * 4, np.float32)
    with pytest.raises(ParameterError, match="sr"):
        log_mel(y, sr="16000")
    with pytest.raises(ParameterError, match="sr"):
        taggram(y, sr=None)
    with pytest.raises(AudioContentError, match="too short"):
        patches(log_mel(np.ones(16000 * 2, np.float32) * 0.1, sr=16000))
    with pytest.raises(ParameterError, match="model"):
        taggram(y, sr=16000, model="MSD_musicnn_big")
    with pytest.raises(ParameterError, match="layer"):
        embeddings(y, sr=16000, model="MTT_vgg", layer="penultimate")
    with pytest.raises(ParameterError, match="NaN"):
        log_mel(np.full(16000 * 4, np.nan), sr=16000)


@needs_weights
def test_too_short_clip_is_refused_before_the_network(reference):
    from musicviz.pretrained import taggram

    with pytest.raises(AudioContentError, match="too short for musicnn"):
        taggram(np.full(int(22050 * 2.9), 0.1, np.float32), sr=22050)


def test_missing_package_says_make_env(monkeypatch, tmp_path):
    from musicviz.pretrained import embedding_table, network

    monkeypatch.setattr(network, "_find_spec", lambda name: None)
    network.weights_digest.cache_clear()
    try:
        with pytest.raises(ModelError, match="make env"):
            network.checkpoint_dir("MTT_musicnn")
        with pytest.raises(ModelError, match="make env"):
            network.Network("MTT_musicnn")
        _tone_file(tmp_path / "rock" / "rock.00000.wav", 4.0)
        with pytest.raises(ModelError, match="not installed"):
            embedding_table(tmp_path, model="MTT_musicnn", n_jobs=1, cache=tmp_path / "cache", progress=False)
    finally:
        network.weights_digest.cache_clear()


def test_importing_does_not_import_tensorflow():
    code = (
        "import sys, musicviz, musicviz.pretrained, musicviz.plot.pretrained\n"
        "heavy = [m for m in ('tensorflow', 'keras', 'tf_keras') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# --------------------------------------------------------------------------- the table and its cache
@needs_weights
def test_embedding_table_caches_skips_and_recomputes(tmp_path, monkeypatch):
    from musicviz.pretrained import table as table_module
    from musicviz.pretrained import embedding_table

    _tone_file(tmp_path / "audio" / "rock" / "rock.00000.wav", 4.0)
    _tone_file(tmp_path / "audio" / "jazz" / "jazz.00001.wav", 6.5, freq=330.0)
    (tmp_path / "audio" / "jazz" / "jazz.00002.wav").write_text("not audio")
    _tone_file(tmp_path / "audio" / "pop" / "pop.00003.wav", 2.0)  # too short for one patch
    cache = tmp_path / "cache"
    kwargs = dict(model="MTT_vgg", n_jobs=1, cache=cache, progress=False)

    with pytest.warns(UserWarning, match="skipped"):
        first = embedding_table(tmp_path / "audio", **kwargs)
    assert first["track_id"].tolist() == ["jazz.00001", "rock.00000"]
    assert first["genre"].tolist() == ["jazz", "rock"] and first["n_patches"].tolist() == [2, 1]
    assert first.shape == (2, 4 + 256 + 50)
    skipped = {s.path.name: s.reason for s in first.attrs["skipped"]}
    assert set(skipped) == {"jazz.00002.wav", "pop.00003.wav"}, skipped
    assert "too short" in skipped["pop.00003.wav"]
    entries = sorted(cache.rglob("*.npy"))
    assert len(entries) == 2

    calls = []
    real = table_module._clip_outputs

    def counting(*args, **kw):
        if Path(args[0]).name != "pop.00003.wav":  # too short: never cached, tried every time
            calls.append(args[0])
        return real(*args, **kw)

    monkeypatch.setattr(table_module, "_clip_outputs", counting)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        second = embedding_table(tmp_path / "audio", **kwargs)
    assert calls == [] and second.equals(first)  # every clip from the cache

    entries[0].write_bytes(b"\x93NUMPY garbage")  # a damaged entry is recomputed and rewritten
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        third = embedding_table(tmp_path / "audio", **kwargs)
    assert len(calls) == 1
    np.testing.assert_allclose(third.drop(columns=["filename"]).iloc[:, 3:], first.drop(columns=["filename"]).iloc[:, 3:], rtol=0, atol=1e-6)
    assert np.load(entries[0]).shape[1] == 50 + 256

    with pytest.raises(FeatureError, match="pop.00003.wav: too short"):
        embedding_table(tmp_path / "audio", errors="raise", **kwargs)


@needs_weights
def test_parallel_workers_give_the_serial_values(tmp_path):
    from musicviz.pretrained import embedding_table

    for k in range(2):
        _tone_file(tmp_path / "blues" / f"blues.0000{k}.wav", 3.5, freq=200.0 + 50 * k)
    serial = embedding_table(tmp_path, model="MTT_vgg", n_jobs=1, cache=False, progress=False)
    parallel = embedding_table(tmp_path, model="MTT_vgg", n_jobs=2, cache=False, progress=False)
    assert parallel["track_id"].tolist() == serial["track_id"].tolist()
    np.testing.assert_allclose(parallel.iloc[:, 4:].to_numpy(), serial.iloc[:, 4:].to_numpy(), rtol=0, atol=ATOL)


def _fake_outputs(clip, model, max_seconds, worker):
    """Made-up packed outputs of the right width (no network: the workers stay light)."""
    from musicviz.pretrained import table as table_module

    width = table_module._width(table_module.architecture(model))
    return np.full((2, width), 0.01 * int(clip.track_id[-1]), dtype=np.float32), None


def _die_on_rock_outputs(clip, model, max_seconds, worker):
    """A worker function that kills its process on ``rock.00003``, as the OOM killer would.

    It first waits (up to 120 s) until the two jazz clips are in the cache (``<tmp>/cache``,
    next to ``<tmp>/audio/<genre>/<clip>``), so what "finished before the crash" is
    deterministic; they get made-up outputs, so the workers never load the network.
    """
    if clip.track_id != "rock.00003":
        return _fake_outputs(clip, model, max_seconds, worker)
    import os
    import time

    entries = clip.path.parents[2] / "cache"
    for _ in range(2400):
        if len(list(entries.rglob("*.npy"))) >= 2:
            break
        time.sleep(0.05)
    os._exit(1)


@needs_weights
def test_killed_worker_is_a_clear_error_and_the_finished_clips_are_kept(tmp_path, monkeypatch):
    # The feature table's guarantee (tests/test_reliability_features.py), now shared.
    from musicviz.pretrained import table as table_module
    from musicviz.pretrained import embedding_table

    _tone_file(tmp_path / "audio" / "jazz" / "jazz.00001.wav", 3.5)
    _tone_file(tmp_path / "audio" / "jazz" / "jazz.00002.wav", 3.5, freq=330.0)
    _tone_file(tmp_path / "audio" / "rock" / "rock.00003.wav", 3.5, freq=440.0)
    cache = tmp_path / "cache"
    kwargs = dict(model="MTT_vgg", cache=cache, progress=False, warn=False)
    monkeypatch.setattr(table_module, "_clip_job", _die_on_rock_outputs)
    with pytest.raises(FeatureError) as info:
        embedding_table(tmp_path / "audio", n_jobs=2, **kwargs)
    message = str(info.value)
    assert "worker" in message and "2 of 3 clips" in message and "rerun" in message and str(cache) in message
    partial = info.value.partial_table
    assert partial["track_id"].tolist() == ["jazz.00001", "jazz.00002"]
    assert partial["n_patches"].tolist() == [2, 2] and partial.shape[1] == 4 + 256 + 50

    computed = []

    def recording(clip, *args):
        computed.append(clip.track_id)
        return _fake_outputs(clip, *args)

    monkeypatch.setattr(table_module, "_clip_job", recording)
    table = embedding_table(tmp_path / "audio", n_jobs=1, **kwargs)
    assert computed == ["rock.00003"]  # resumed from the cache
    assert table["track_id"].tolist() == ["jazz.00001", "jazz.00002", "rock.00003"]
    assert table.iloc[:2].equals(partial)


@needs_weights
def test_terminated_worker_without_cache_says_nothing_was_kept(tmp_path, monkeypatch):
    from joblib.externals.loky.process_executor import TerminatedWorkerError

    from musicviz.pretrained import embedding_table

    def parallel_whose_worker_dies(*args, **kwargs):
        def run(jobs):
            raise TerminatedWorkerError("A worker process managed by the executor was unexpectedly terminated.")

        return run

    _tone_file(tmp_path / "jazz" / "jazz.00001.wav", 3.5)
    _tone_file(tmp_path / "rock" / "rock.00003.wav", 3.5, freq=440.0)
    monkeypatch.setattr("joblib.Parallel", parallel_whose_worker_dies)
    with pytest.raises(FeatureError, match=r"MTT_vgg outputs.*0 of 2 clips.*cache=False, so nothing was kept"):
        embedding_table(tmp_path, model="MTT_vgg", n_jobs=2, cache=False, progress=False)


@needs_weights
def test_cli_pretrained_cache(tmp_path, monkeypatch, capsys):
    from musicviz.cli import main

    monkeypatch.setenv("MUSICVIZ_DATA", str(tmp_path / "data"))
    _tone_file(tmp_path / "audio" / "metal" / "metal.00000.wav", 3.5)
    assert main(["-q", "pretrained", "cache", str(tmp_path / "audio"), "--model", "MTT_vgg", "--jobs", "1"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "1 clips" in out[0] and "MTT_vgg" in out[0]
    assert len(list((tmp_path / "data" / "cache" / "musicnn").rglob("*.npy"))) == 1
    assert main(["pretrained", "cache", str(tmp_path / "audio"), "--model", "nope"]) == 2


# --------------------------------------------------------------------------- plots
def test_plot_taggram_and_friends():
    from musicviz.plot.pretrained import plot_network_input, plot_taggram, plot_taggram_with_input, plot_top_tags

    probs = np.array([[0.1, 0.9, 0.5], [0.2, 0.8, 0.4]])
    img = plot_taggram(probs, tags=["a", "b", "c"], times=[0.0, 2.992], top=2)
    assert [t.get_text() for t in img.axes.get_yticklabels()] == ["b", "c"]
    assert img.axes.get_xlim() == pytest.approx((0.0, 2 * 2.992))
    with pytest.raises(ParameterError, match="tags"):
        plot_taggram(probs, tags=["a", "b"], times=[0.0, 2.992])
    with pytest.raises(ParameterError, match="times"):
        plot_taggram(probs, tags=["a", "b", "c"], times=[0.0])
    assert plot_network_input(np.zeros((300, 96))).axes.get_xlabel() == "Time (s)"
    assert len(plot_top_tags(probs, tags=["a", "b", "c"], top=3).patches) == 3
    axes = plot_taggram_with_input(np.zeros((400, 96)), probs, tags=["a", "b", "c"], times=[0.0, 2.992])
    assert axes.shape == (2,)
