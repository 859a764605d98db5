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

The comparison (:func:`_mismatch`) allows float32 accumulation error, per layer: see
:func:`_tolerance` for the formula and why an absolute tolerance cannot work. The sabotage
tests prove that it still catches a wrong network: a weight off by 1 %, a padding off by one
frame, a float16 input.
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
#: Absolute tolerance of the table tests below (two runs of *this* code); the comparison with
#: the original code uses :func:`_tolerance`.
ATOL = 1e-4



@pytest.fixture(scope="session")
def _weights_installed():
    """musicnn's weights: a skip where they are not installed, a failure under make test (make env installs them)."""
    if importlib.util.find_spec("musicnn") is None:
        from _support import require_or_skip

        require_or_skip("musicnn's weights are not installed (make env)")


needs_weights = pytest.mark.usefixtures("_weights_installed")


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
#: float32's machine epsilon (2**-23): the relative size of one rounding step.
EPS32 = float(np.finfo(np.float32).eps)
# Accumulation depth K of each compared layer: how many float32 products and sums lie on the
# longest path from the log-mel input to it (per convolution, kernel size x input channels;
# per dense layer, its inputs; a mean adds its 187 frames; max pooling, ReLU and batch norm add
# no sums).
_MUSICNN_FRONT = 7 * 67  # the widest front-end filter: 7 frames x 67 bands, one input channel
_MUSICNN_MID = 7 * 561 + 2 * (7 * 64)  # the mid end's three 7-frame convolutions, chained
_VGG_POOL5 = 3 * 3 * 1 + 4 * (3 * 3 * 128)  # five 3x3 convolutions, 128 channels after the first
DEPTH = {
    "musicnn": {
        "max_pool": _MUSICNN_FRONT + _MUSICNN_MID,  # 5292
        "mean_pool": _MUSICNN_FRONT + _MUSICNN_MID + 187,  # 5479
        "penultimate": _MUSICNN_FRONT + _MUSICNN_MID + 187 + 1506,  # 6985
        "taggram": _MUSICNN_FRONT + _MUSICNN_MID + 187 + 1506 + 200,  # 7185
    },
    "vgg": {"pool5": _VGG_POOL5, "taggram": _VGG_POOL5 + 256},  # 4617, 4873
}
#: The constant of the tolerance (see _tolerance); the sabotage tests show how much room it leaves.
C_TOL = 1.0


def _tolerance(arch: str, layer: str, expected: np.ndarray) -> float:
    """How far float32 arithmetic in another order may move a layer: ``C * eps32 * sqrt(K) * scale``.

    Why not an absolute tolerance: the embeddings reach 120 (``max_pool``), where one float32
    step is 7.6e-6, while the taggram's probabilities are below 1. Our graph sums the same
    products as musicnn's in another order (other ops, another CPU's kernels: AVX-512,
    AVX2, NEON block their loops differently), so the two results differ by rounding errors
    that grow with how many terms are summed and with the size of those terms:

    * ``K`` (:data:`DEPTH`): the accumulation depth of the layer. The rounding errors of K
      additions behave like a random walk, ``~ sqrt(K) * eps`` relative, not the worst case
      ``K * eps`` (Higham & Mary, "A new approach to probabilistic rounding error analysis",
      SIAM J. Sci. Comput. 2019); sqrt(K) is 68-85 here.
    * ``scale``: the largest |value| of the layer in the reference. The error of a sum is
      relative to its terms, not to its result: small entries (many are ~1e-6) come out of
      the same large terms by cancellation and carry the same absolute error as the large
      ones, so a per-element relative tolerance would fail them. The layer's largest value
      measures its terms.
    * ``C = 1``: measured on this project's reference, the largest error is 0.16 of this
      tolerance (``MSD_musicnn/noise/max_pool``: 11.4 eps x scale, sqrt(K) = 73); the CPU where
      the old ``atol=1e-4`` failed (``sweep_bass/max_pool[1, 742]``, 1.2e-4 off at scale 120)
      is at 0.12. The mildest sabotage below (one batch-norm variance of 64 off by 1 %) is
      32 times the tolerance, a float16 input 134 times: 6x room below, 32x above.
    """
    depth = DEPTH[arch][layer]
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    return C_TOL * EPS32 * float(np.sqrt(depth)) * scale


def _mismatch(ours, reference) -> list[str]:
    """What is wrong with ``ours`` against ``reference``: one line per bad array ([] if all agree).

    ``ours`` maps ``"<model>/<clip>/<layer>"`` to our outputs; each must be in ``reference``
    with the same shape, be finite and lie within :func:`_tolerance` of it everywhere.
    """
    problems = []
    for key, value in ours.items():
        if key not in reference:
            problems.append(f"{key}: not in the reference")
            continue
        expected = np.asarray(reference[key], dtype=np.float64)
        value = np.asarray(value, dtype=np.float64)
        if value.shape != expected.shape:
            problems.append(f"{key}: shape {value.shape}, reference {expected.shape}")
            continue
        if not np.all(np.isfinite(value)):
            problems.append(f"{key}: {int(np.sum(~np.isfinite(value)))} values are not finite")
            continue
        model, _, layer = key.split("/")
        tol = _tolerance(model.split("_")[1], layer, expected)
        diff = np.abs(value - expected)
        if diff.size and diff.max() > tol:
            at = np.unravel_index(int(np.argmax(diff)), diff.shape)
            problems.append(
                f"{key}: {int(np.sum(diff > tol))} of {diff.size} values off by more than {tol:.2e}; worst "
                f"{list(map(int, at))}: {value[at]:.6f} vs {expected[at]:.6f} ({diff.max() / tol:.1f} x the tolerance)"
            )
    return problems


def _reference_outputs(reference, model, network=None, *, prepare=None) -> dict:
    """Our outputs for the reference clips, keyed like the reference file (``<model>/<clip>/<layer>``).

    ``network``: a :class:`~musicviz.pretrained.network.Network` (default: the public
    :func:`~musicviz.pretrained.network_outputs`); ``prepare``: applied to each clip's patches.
    """
    from musicviz.pretrained import log_mel, network_outputs, patches

    ours = {}
    for name in CLIPS:
        y, sr = _clip(reference, name)
        if network is None and prepare is None:
            out = network_outputs(y, sr=sr, model=model)
        else:
            from musicviz.pretrained import load_network

            batch = patches(log_mel(y, sr=sr))
            out = (network or load_network(model))(batch if prepare is None else prepare(batch))
        for layer in ("taggram", "penultimate", "mean_pool", "max_pool", "pool5"):
            if f"{model}/{name}/{layer}" in reference:
                ours[f"{model}/{name}/{layer}"] = out[layer]
    return ours


@needs_weights
@pytest.mark.parametrize("model", ["MTT_musicnn", "MSD_musicnn", "MTT_vgg", "MSD_vgg"])
def test_outputs_match_the_original_musicnn_code(reference, model):
    ours = _reference_outputs(reference, model)
    assert len(ours) == (12 if "musicnn" in model else 6)
    problems = _mismatch(ours, reference)
    assert not problems, "\n".join(problems)


def test_mismatch_reports_what_is_wrong():
    reference = {"MSD_musicnn/noise/max_pool": np.array([[100.0, 1e-6]], np.float32)}
    tol = _tolerance("musicnn", "max_pool", reference["MSD_musicnn/noise/max_pool"])
    assert 1e-4 < tol < 1e-3  # 100 * 1.19e-7 * sqrt(5292)
    assert _mismatch({"MSD_musicnn/noise/max_pool": np.array([[100.0 + tol / 2, 1e-6 + tol / 2]])}, reference) == []
    assert "off by more" in _mismatch({"MSD_musicnn/noise/max_pool": np.array([[100.0, 2 * tol]])}, reference)[0]
    assert "shape" in _mismatch({"MSD_musicnn/noise/max_pool": np.zeros((2, 2))}, reference)[0]
    assert "not finite" in _mismatch({"MSD_musicnn/noise/max_pool": np.array([[np.inf, 0.0]])}, reference)[0]
    assert "not in the reference" in _mismatch({"MSD_musicnn/noise/pool5": np.zeros((1, 2))}, reference)[0]


# Sabotage: each makes the network wrong in a way a rebuild could be (the weights, the graph,
# the input's precision); the comparison must see every one. Each returns how to prepare the
# patches (None: as they are).
def _scaled_weight(name, index, factor):
    def sabotage(monkeypatch, network):
        real = network._read_weights

        def edited(model):
            weights = real(model)
            weights[name] = weights[name].copy()
            weights[name][index] *= factor
            return weights

        monkeypatch.setattr(network, "_read_weights", edited)

    return sabotage


def _timbral_same_padding(monkeypatch, network):
    """'SAME' instead of 'VALID' over frequency: the timbral filters also see zero-padded bands."""
    tf = network._import_tf()
    real_conv2d = tf.nn.conv2d

    def conv2d(x, kernel, strides, padding, **kwargs):
        if kernel.shape[0] == 7 and kernel.shape[1] in (38, 67):  # the two timbral filters
            x, padding = x[:, 3:-3], "SAME"  # undo the explicit time padding: SAME pads 3 + 3 frames too
        return real_conv2d(x, kernel, strides, padding, **kwargs)

    monkeypatch.setattr(tf.nn, "conv2d", conv2d)


def _time_padding_off_by_one(monkeypatch, network):
    """The timbral and mid-end convolutions pad 4 frames before and 2 after instead of 3 and 3."""
    real = network._pad_time
    monkeypatch.setattr(network, "_pad_time", lambda tf, x, before=3, after=3: real(tf, x, before + 1, after - 1))


def _temporal_padding_centred_the_other_way(monkeypatch, network):
    """'SAME' for even kernels padded k // 2 before (the other convention) instead of (k - 1) // 2."""
    monkeypatch.setattr(network, "_same_padding", lambda k: (k // 2, k - 1 - k // 2))


def _float16_input(monkeypatch, network):
    """The log-mel patches rounded to float16 (musicnn's storage type) before the network."""
    return lambda batch: batch.astype(np.float16).astype(np.float32)


# Worst error over the reference's MSD_musicnn arrays, in tolerances (measured when written):
# kernel 2375, live filter 725, variance 32, SAME 163000, time padding 88000, temporal
# padding 49000, float16 input 134; the right network: 0.16. Most of the 204 timbral filters
# never fire on these clips (ReLU always 0): scaling one of those changes nothing, so the
# single filter is one that does (194 of conv2d_1 varies most).
SABOTAGES = {
    "timbral 7x67 kernel x 1.01": _scaled_weight("conv2d_1/kernel", ..., 1.01),
    "one live timbral filter x 1.01": _scaled_weight("conv2d_1/kernel", (..., 194), 1.01),
    "one mid-end batch-norm variance x 1.01": _scaled_weight("batch_normalization_7/moving_variance", 5, 1.01),
    "timbral padding SAME, not VALID": _timbral_same_padding,
    "time padding off by one frame": _time_padding_off_by_one,
    "temporal SAME padding centred the other way": _temporal_padding_centred_the_other_way,
    "float16 input": _float16_input,
}


@needs_weights
@pytest.mark.slow
@pytest.mark.parametrize("sabotage", list(SABOTAGES))
def test_the_comparison_catches_a_wrong_network(reference, monkeypatch, sabotage):
    from musicviz.pretrained import network

    model = "MSD_musicnn"
    prepare = SABOTAGES[sabotage](monkeypatch, network)
    wrong = network.Network(model)  # a new graph, traced with the sabotage (load_network's stays clean)
    problems = _mismatch(_reference_outputs(reference, model, wrong, prepare=prepare), reference)
    assert problems, f"{sabotage}: the comparison with the original code did not notice"


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
    assert _mismatch({"MTT_musicnn/chord_drums/penultimate": ours}, reference) == []
    assert _mismatch({"MTT_musicnn/chord_drums/penultimate": ours}, {"MTT_musicnn/chord_drums/penultimate": returned})


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


@needs_weights
def test_one_trace_for_every_batch_size_and_outputs_on_request(monkeypatch):
    from musicviz.pretrained import network

    net = network.Network("MTT_musicnn")
    batch = np.random.default_rng(0).uniform(0, 3, (5, 187, 96)).astype(np.float32)
    everything = net(batch)
    assert list(everything) == ["taggram", *network.LAYERS["musicnn"]]
    np.testing.assert_array_equal(everything["pooled"], np.concatenate([everything["max_pool"], everything["mean_pool"]], axis=1))
    for n in (1, 3, 2, 5):
        assert net(batch[:n], outputs=["taggram"])["taggram"].shape == (n, 50)
    assert list(net(batch, outputs=("pooled", "taggram"))) == ["pooled", "taggram"]
    # Longer clips run in batches of MAX_BATCH patches: same graph, same values (up to
    # rounding: how Eigen blocks its loops depends on the batch size).
    monkeypatch.setattr(network, "MAX_BATCH", 2)
    in_batches = net(batch)
    for name, value in everything.items():
        assert in_batches[name].shape == value.shape
        np.testing.assert_allclose(in_batches[name], value, rtol=1e-5, atol=1e-5 * np.abs(value).max())
    assert net._forward.experimental_get_tracing_count() == 1  # the input signature allows any batch
    assert set(net._forward(batch[:1])) == set(network.OUTPUTS["musicnn"])  # the graph returns no more
    with pytest.raises(ParameterError, match="outputs"):
        net(batch, outputs=["pool5"])
    with pytest.raises(ParameterError, match="shape"):
        net(batch[:, :100])


@pytest.mark.slow
def test_max_over_frequency_first_gives_the_same_bits():
    """The front end's shortcut (network._front_end_max): max of sign * z, then bias, ReLU, batch norm."""
    from musicviz.pretrained import network

    tf = network._import_tf()
    rng = np.random.default_rng(1)
    z = rng.normal(0, 3, (2, 187, 59, 8)).astype(np.float32)
    gamma = np.array([1.5, -0.7, 0.0, 2.0, -3.0, 0.4, -1e-3, 1.0], np.float32)
    w = {
        "c/bias": rng.normal(0, 1, 8).astype(np.float32), "b/gamma": gamma,
        "b/beta": rng.normal(0, 1, 8).astype(np.float32), "b/moving_mean": rng.uniform(0, 2, 8).astype(np.float32),
        "b/moving_variance": rng.uniform(0.1, 4, 8).astype(np.float32),
    }  # fmt: skip
    w["c/sign"] = np.where(gamma >= 0, 1.0, -1.0).astype(np.float32)
    w = {k: tf.constant(v) for k, v in w.items()}
    direct = tf.reduce_max(network._bn(tf, w, "b", tf.nn.relu(z + w["c/bias"])), axis=2)
    shortcut = network._front_end_max(tf, w, "c", "b", tf.reduce_max(z * w["c/sign"], axis=2))
    np.testing.assert_array_equal(shortcut.numpy(), direct.numpy())


def test_banded_matrix_is_the_convolution():
    from musicviz.pretrained.network import _banded, _same_padding

    rng = np.random.default_rng(2)
    x, kernel = rng.normal(size=40), rng.normal(size=(6, 3))  # 40 samples, k = 6, three filters
    before, after = _same_padding(6)
    assert (before, after) == (2, 3)  # TensorFlow's 'SAME': (k - 1) // 2 before
    padded = np.concatenate([np.zeros(before), x, np.zeros(after + 4)])  # 40 -> 44 outputs (blocks of 4)
    expected = np.stack([[padded[t : t + 6] @ kernel[:, f] for f in range(3)] for t in range(40)])
    frames = np.stack([padded[4 * m : 4 * m + 4 + 5] for m in range(11)])  # every 4th, 4 + k - 1 long
    ours = (frames @ _banded(kernel, 4)).reshape(44, 3)[:40]
    np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=1e-5)  # _banded is float32


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


# --------------------------------------------------------------------------- the table and its cache
# A dying worker, resuming, n_jobs and damaged cache entries are the clip engine's and the
# cache's (tests/test_clip_engine.py, tests/test_cache.py); here: what is this table's own.
@needs_weights
def test_embedding_table_caches_and_skips(tmp_path, monkeypatch):
    from musicviz.pretrained import embedding_table
    from musicviz.pretrained import table as table_module

    _tone_file(tmp_path / "audio" / "rock" / "rock.00000.wav", 4.0)
    _tone_file(tmp_path / "audio" / "jazz" / "jazz.00001.wav", 6.5, freq=330.0)
    (tmp_path / "audio" / "jazz" / "jazz.00002.wav").write_text("not audio")
    _tone_file(tmp_path / "audio" / "pop" / "pop.00003.wav", 2.0)  # too short for one patch
    cache = tmp_path / "cache"
    kwargs = dict(model="MTT_vgg", n_jobs=1, cache=cache)

    with pytest.warns(UserWarning, match="skipped"):
        first = embedding_table(tmp_path / "audio", **kwargs)
    assert first["track_id"].tolist() == ["jazz.00001", "rock.00000"]
    assert first["genre"].tolist() == ["jazz", "rock"] and first["n_patches"].tolist() == [2, 1]
    assert first.shape == (2, 4 + 256 + 50)
    skipped = {s.path.name: s.reason for s in first.attrs["skipped"]}
    assert set(skipped) == {"jazz.00002.wav", "pop.00003.wav"}, skipped
    assert "too short" in skipped["pop.00003.wav"]
    entries = sorted(cache.rglob("*.npy"))
    assert len(entries) == 2 and np.load(entries[0]).shape[1] == 50 + 256  # the taggram and pool5, per patch

    calls = []
    real = table_module._clip_outputs

    def counting(clip, *args):
        if clip.path.name != "pop.00003.wav":  # too short: never cached, tried every time
            calls.append(clip.path.name)
        return real(clip, *args)

    monkeypatch.setattr(table_module, "_clip_outputs", counting)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        second = embedding_table(tmp_path / "audio", **kwargs)
    assert calls == [] and second.equals(first)  # every clip from the cache

    with pytest.raises(FeatureError, match="pop.00003.wav: too short"):
        embedding_table(tmp_path / "audio", errors="raise", **kwargs)


@needs_weights
def test_embedding_table_keywords_are_checked(tmp_path):
    from musicviz.pretrained import embedding_table

    for bad in ({"cache": None}, {"n_jobs": 0}, {"max_seconds": -1}, {"errors": "ignore"}, {"layer": "nope"},
                {"model": "nope"}):
        (name,) = bad
        with pytest.raises(ParameterError, match=name):
            embedding_table(tmp_path, **bad)


@needs_weights
def test_a_dead_worker_leaves_the_table_of_the_finished_clips(tmp_path, monkeypatch):
    """The engine reports a dead worker with the results it had; the table turns them into
    ``partial_table``."""
    from musicviz.pretrained import embedding_table
    from musicviz.pretrained import table as table_module

    for k, name in enumerate(("jazz/jazz.00001.wav", "jazz/jazz.00002.wav", "rock/rock.00003.wav")):
        _tone_file(tmp_path / name, 3.5, freq=220.0 + 110 * k)
    width = table_module._width("vgg")

    def dying(clips, job, **kwargs):
        assert job.function is table_module._clip_outputs and job.worker_setup is table_module._worker_setup
        error = FeatureError("a worker process died while computing MTT_vgg outputs")
        error.results = [(np.full((2, width), 0.5, np.float32), None), None, (np.zeros((1, width), np.float32), None)]
        raise error

    monkeypatch.setattr(table_module, "map_clips", dying)
    with pytest.raises(FeatureError, match="worker process died") as info:
        embedding_table(tmp_path, model="MTT_vgg", cache=False)
    partial = info.value.partial_table
    assert partial["track_id"].tolist() == ["jazz.00001", "rock.00003"]
    assert partial["n_patches"].tolist() == [2, 1] and partial.shape[1] == 4 + 256 + 50
    assert partial.loc[0, "emb_000"] == 0.5 and partial.attrs["skipped"] == []


@needs_weights
def test_worker_setup_runs_the_network_on_one_cpu_thread():
    """What each worker process does before its clips (the engine calls it there, never here)."""
    code = (
        "import os\n"
        "os.environ.pop('CUDA_VISIBLE_DEVICES', None)\n"
        "from musicviz.pretrained.table import _worker_setup\n"
        "_worker_setup(); _worker_setup()  # a reused worker: no error the second time\n"
        "import tensorflow as tf\n"
        "assert os.environ['CUDA_VISIBLE_DEVICES'] == '-1'\n"
        "assert tf.config.threading.get_intra_op_parallelism_threads() == 1\n"
        "assert tf.config.threading.get_inter_op_parallelism_threads() == 1\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)


@needs_weights
def test_cli_pretrained_cache(tmp_path, monkeypatch, capsys):
    from musicviz.cli import main

    monkeypatch.setenv("MUSICVIZ_DATA", str(tmp_path / "data"))
    _tone_file(tmp_path / "audio" / "metal" / "metal.00000.wav", 3.5)
    assert main(["-q", "pretrained", "cache", str(tmp_path / "audio"), "--model", "MTT_vgg", "--jobs", "1"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "1 clips" in out[0] and "MTT_vgg" in out[0]
    assert len(list((tmp_path / "data" / "cache" / "musicnn").rglob("*.npy"))) == 1
    argv = ["-q", "pretrained", "cache", str(tmp_path / "audio"), "--model", "MTT_vgg", "--jobs", "1"]
    assert main([*argv, "--cache", str(tmp_path / "mine")]) == 0
    assert str(tmp_path / "mine") in capsys.readouterr().out and len(list((tmp_path / "mine").rglob("*.npy"))) == 1
    assert main([*argv, "--max-seconds", "3"]) == 1  # the only clip is 3.5 s long: skipped
    assert "too long" in capsys.readouterr().out
    assert main(["pretrained", "cache", str(tmp_path / "audio"), "--model", "nope"]) == 2


# --------------------------------------------------------------------------- plots
def test_plot_taggram_and_friends():
    from musicviz.plot.pretrained import plot_network_input, plot_taggram

    probs = np.array([[0.1, 0.9, 0.5], [0.2, 0.8, 0.4]])
    img = plot_taggram(probs, tags=["a", "b", "c"], times=[0.0, 2.992], top=2)
    assert [t.get_text() for t in img.axes.get_yticklabels()] == ["b", "c"]
    assert img.axes.get_xlim() == pytest.approx((0.0, 2 * 2.992))
    with pytest.raises(ParameterError, match="tags"):
        plot_taggram(probs, tags=["a", "b"], times=[0.0, 2.992])
    with pytest.raises(ParameterError, match="times"):
        plot_taggram(probs, tags=["a", "b", "c"], times=[0.0])
    assert plot_network_input(np.zeros((300, 96))).axes.get_xlabel() == "Time (s)"
    pooled = plot_network_input(np.arange(300 * 96, dtype=float).reshape(300, 96), time_pool=4)
    assert np.asarray(pooled.get_array()).size == 75 * 96  # 300 frames averaged 4 by 4
    assert pooled.axes.get_xlim()[1] == pytest.approx(300 * 256 / 16000, rel=0.02)  # the same time axis
    with pytest.raises(ParameterError, match="time_pool"):
        plot_network_input(np.zeros((300, 96)), time_pool=0)


def test_plot_clip_tags_orders_tags_by_mean_and_refuses_other_tables():
    import pandas as pd

    from musicviz.plot.pretrained import plot_clip_tags

    table = pd.DataFrame({"track_id": ["a.00000", "b.00000"], "tag:x": [0.1, 0.2], "tag:y": [0.9, 0.8], "tag:z": [0.5, 0.0]})
    table.attrs["tags"] = ["x", "y", "z"]
    img = plot_clip_tags(table, top=2)
    assert [t.get_text() for t in img.axes.get_xticklabels()] == ["y", "z"]  # the strongest over the clips first
    np.testing.assert_allclose(np.asarray(img.get_array()).reshape(2, 2), [[0.9, 0.5], [0.8, 0.0]])
    with pytest.raises(ParameterError, match="embedding_table"):
        plot_clip_tags(table.drop(columns="tag:z"))
    import matplotlib.pyplot as plt

    plt.close("all")
