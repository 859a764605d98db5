"""Reference values of the *original* musicnn code, for ``tests/test_pretrained.py``.

:mod:`musicviz.pretrained` rebuilds musicnn's networks (Pons & Serra, ISC licence) with TF2
ops and reads the weights that musicnn 0.1.0's wheel ships. This script runs musicnn's own
code (``musicnn.extractor.extractor``, TF1 graphs through ``tf.compat.v1.layers``) on fixed,
synthetic clips and saves what it outputs, so the test can check that the rebuild computes the
same numbers. It does not run in the project's environment (Keras 3 has no
``tf.compat.v1.layers``); it needs a throwaway one, outside the repository::

    python3.11 -m venv /tmp/musicnn_ref/venv
    /tmp/musicnn_ref/venv/bin/pip install "tensorflow-cpu==2.21.0" "tf-keras==2.21.0" \\
        "numpy==1.26.4" "librosa==0.11.0"
    /tmp/musicnn_ref/venv/bin/pip install --no-deps musicnn==0.1.0
    TF_USE_LEGACY_KERAS=1 CUDA_VISIBLE_DEVICES=-1 TF_ENABLE_ONEDNN_OPTS=0 \\
        /tmp/musicnn_ref/venv/bin/python scripts/make_musicnn_reference.py

(the versions the committed ``tests/data/musicnn_reference.npz`` was made with; they are
stored in it, under ``versions``). TensorFlow is the project's version, so only the model
code differs: TF1 graph + ``tf_keras`` legacy layers here, TF2 ops in musicviz.

What is run: musicnn's code as installed, with one change made outside its files,
**loud checkpoint loading**: ``extractor`` calls ``Saver.restore`` inside a bare
``try/except`` and goes on with *random* weights if it fails, so the script wraps
``tf.compat.v1.train.Saver.restore`` to record each restore and asserts, after every call,
that it happened.

About the float16 trap: ``musicnn.extractor.batch_data`` casts the mel spectrogram to
float16 and computes ``np.log10(10000 * audio_rep + 1)``. Under NumPy 1.x's value-based
casting, ``10000`` (an int16-sized integer) promotes the float16 array to **float32**, so the
original code computed the product and the log in float32 (only the mel values are rounded to
float16). Under NumPy 2 (NEP 50) the product stays float16 and every mel value above 6.55
overflows to ``inf``. The script checks that its NumPy promotes (and stops otherwise), so the
references are the original code's behaviour; musicviz reproduces it explicitly
(``mel.astype(float16).astype(float32)``).

A bug of ``extractor`` shows in the references: for every patch after the first, it
concatenates the *first* patch's ``penultimate`` (and ``cnn1``-``cnn3``) again (the loop
unpacks the new values into other names, ``backend_``, ``midend1_``, ...). Its taggram,
``mean_pool`` and ``max_pool`` are right. So ``penultimate`` is taken patch by patch: the
script runs ``extractor`` once more for each patch k >= 1, with ``batch_data`` wrapped to keep
only patch k of the batch musicnn's own code made, and takes that run's single row (it also
checks that the run's taggram equals row k of the full run). What ``extractor`` returned is
kept as ``penultimate_extractor`` (its rows are all row 0).

Everything else is musicnn's code as installed: ``librosa.load(path, sr=16000)`` (soxr_hq
resampling), ``librosa.feature.melspectrogram(n_fft=512, hop_length=256, n_mels=96)``, 187-frame
patches without overlap (3 s), one patch per ``session.run``.

The clips are made here from fixed seeds (no real music: GTZAN is copyrighted) and stored in
the reference file as 16-bit integers (``clip_<name>`` and ``sr_<name>``), exactly the samples
written to the WAV files musicnn reads, so the test feeds musicviz the same input:

* ``chord_drums``: 22050 Hz (resampled to 16 kHz by both sides), 6.5 s, a C major chord of
  harmonic tones with a kick drum and hi-hats at 120 BPM, peak 0.8;
* ``noise``: 16 kHz, 3.5 s, white Gaussian noise (one patch);
* ``sweep_bass``: 16 kHz, 6.5 s, an exponential sine sweep 60 Hz -> 6 kHz over a plucked bass line.

Saved for each clip and model (``<model>/<clip>/<name>``): ``taggram`` (patches x 50 sigmoid
probabilities) and, for the musicnn models, ``penultimate`` (200, patch by patch, see
above), ``penultimate_extractor``, ``mean_pool`` and ``max_pool`` (753 each); for the vgg models ``pool5`` (flattened, 256 per patch).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "musicnn_reference.npz"
MODELS = ("MTT_musicnn", "MSD_musicnn", "MTT_vgg", "MSD_vgg")
SEEDS = {"chord_drums": 0, "noise": 1, "sweep_bass": 2}


def _tone(f0, t, n_harmonics=6):
    return sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, n_harmonics + 1))


def make_clips() -> dict[str, tuple[np.ndarray, int]]:
    """The fixed clips, as int16 samples and their sample rate."""
    clips = {}
    # A chord with drums, 120 BPM.
    rng = np.random.default_rng(SEEDS["chord_drums"])
    sr, seconds = 22050, 6.5
    t = np.arange(int(sr * seconds)) / sr
    chord = sum(_tone(f, t) for f in (261.63, 329.63, 392.00)) * 0.15
    drums = np.zeros_like(t)
    beat = int(sr * 0.5)
    kick_t = np.arange(int(0.25 * sr)) / sr
    kick = np.sin(2 * np.pi * (50 + 100 * np.exp(-kick_t * 30)) * kick_t) * np.exp(-kick_t * 12)
    hat = rng.standard_normal(int(0.05 * sr)) * np.exp(-np.arange(int(0.05 * sr)) / (0.01 * sr))
    for start in range(0, len(t), beat):
        n = min(len(kick), len(t) - start)
        drums[start : start + n] += kick[:n]
        off = start + beat // 2
        if off < len(t):
            n = min(len(hat), len(t) - off)
            drums[off : off + n] += 0.3 * hat[:n]
    y = chord + drums
    clips["chord_drums"] = (y / np.max(np.abs(y)) * 0.8, sr)
    # White noise.
    rng = np.random.default_rng(SEEDS["noise"])
    sr, seconds = 16000, 3.5
    clips["noise"] = (np.clip(0.1 * rng.standard_normal(int(sr * seconds)), -1, 1), sr)
    # A sweep over a plucked bass line.
    rng = np.random.default_rng(SEEDS["sweep_bass"])
    sr, seconds = 16000, 6.5
    t = np.arange(int(sr * seconds)) / sr
    f0, f1 = 60.0, 6000.0
    sweep = np.sin(2 * np.pi * f0 * seconds / np.log(f1 / f0) * (np.exp(t / seconds * np.log(f1 / f0)) - 1))
    bass = np.zeros_like(t)
    note = int(0.25 * sr)
    for i, start in enumerate(range(0, len(t), note)):
        f = 55.0 * 2 ** (rng.integers(0, 12) / 12)
        n = min(note, len(t) - start)
        tt = np.arange(n) / sr
        bass[start : start + n] = _tone(f, tt, 4) * np.exp(-tt * 8)
    y = 0.3 * sweep + 0.5 * bass
    clips["sweep_bass"] = (y / np.max(np.abs(y)) * 0.7, sr)
    return {name: (np.round(y * 32767).astype(np.int16), sr) for name, (y, sr) in clips.items()}


def main() -> int:
    import librosa
    import soundfile as sf
    import tensorflow as tf

    import musicnn
    from musicnn import extractor as ex

    restores = []
    original_restore = tf.compat.v1.train.Saver.restore

    def loud_restore(self, sess, save_path):
        result = original_restore(self, sess, save_path)  # raises if it fails: recorded below only on success
        restores.append(save_path)
        return result

    tf.compat.v1.train.Saver.restore = loud_restore

    promoted = (10000 * np.ones(2, dtype=np.float16)).dtype
    if promoted != np.float32:
        sys.exit(f"NumPy {np.__version__} keeps 10000 * float16 in {promoted}: musicnn's preprocessing overflows; use NumPy 1.26")

    original_batch_data = ex.batch_data

    def run(path, model, patch=None):
        if patch is None:
            ex.batch_data = original_batch_data
        else:
            def one_patch(*args, **kwargs):
                batch, rep = original_batch_data(*args, **kwargs)
                return batch[patch : patch + 1], rep

            ex.batch_data = one_patch
        before = len(restores)
        taggram, tags, features = ex.extractor(str(path), model=model, input_length=3, input_overlap=False, extract_features=True)
        assert len(restores) == before + 1, f"{model}: the checkpoint was not restored"
        return np.asarray(taggram, dtype=np.float32), tags, features

    arrays = {}
    clips = make_clips()
    with tempfile.TemporaryDirectory() as tmp:
        for name, (samples, sr) in clips.items():
            arrays[f"clip_{name}"] = samples
            arrays[f"sr_{name}"] = np.int64(sr)
            path = Path(tmp) / f"{name}.wav"
            sf.write(path, samples, sr, subtype="PCM_16")
            back, _ = sf.read(path, dtype="int16")
            assert np.array_equal(back, samples)
            for model in MODELS:
                taggram, tags, features = run(path, model)
                n = taggram.shape[0]
                arrays[f"{model}/{name}/taggram"] = taggram
                if "vgg" in model:
                    arrays[f"{model}/{name}/pool5"] = np.asarray(features["pool5"], np.float32).reshape(n, -1)
                else:
                    for layer in ("mean_pool", "max_pool"):
                        arrays[f"{model}/{name}/{layer}"] = np.asarray(features[layer], np.float32).reshape(n, -1)
                    returned = np.asarray(features["penultimate"], np.float32).reshape(n, -1)
                    arrays[f"{model}/{name}/penultimate_extractor"] = returned
                    rows = [returned[0]]
                    for k in range(1, n):
                        single, _, single_features = run(path, model, patch=k)
                        assert np.array_equal(single[0], taggram[k]), f"{model} {name}: patch {k} alone differs"
                        rows.append(np.asarray(single_features["penultimate"], np.float32).reshape(-1))
                    arrays[f"{model}/{name}/penultimate"] = np.stack(rows)
                arrays[f"tags/{model}"] = np.array(tags)
                print(f"{model} {name}: {n} patches, top tag {tags[int(taggram.mean(0).argmax())]!r}", file=sys.stderr)
    import tf_keras

    arrays["versions"] = np.array(
        [
            f"tensorflow {tf.__version__}",
            f"tf_keras {tf_keras.__version__}",
            f"numpy {np.__version__}",
            f"librosa {librosa.__version__}",
            f"musicnn 0.1.0 ({Path(musicnn.__file__).parent})",
        ]
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = OUT.with_name(".musicnn_reference.tmp.npz")
    np.savez_compressed(tmp_out, **arrays)
    os.replace(tmp_out, OUT)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
