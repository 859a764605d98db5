"""``musicviz bench features`` runs and prints its result in the agreed format (no timing checks)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from musicviz import bench
from musicviz.features import extract_clip_features

LAST_LINE = re.compile(r"^speedup 1 worker: (\d+\.\d\d), all workers: (\d+\.\d\d), max rel diff: (\d\.\de[+-]\d\d)$")


@pytest.mark.slow
def test_benchmark_output_and_agreement(capsys):
    assert bench.run_features_benchmark(n_clips=2, n_jobs=2, repeats=1, duration=4.0) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    match = LAST_LINE.match(lines[-1])
    assert match, lines[-1]
    assert float(match[1]) > 0 and float(match[2]) > 0
    assert float(match[3]) < 1e-4
    musicnn = lines[-2]
    assert MUSICNN_LINE.match(musicnn) or musicnn.startswith("musicnn: not timed"), musicnn
    assert "2 clips x 4 s" in musicnn or "not timed" in musicnn


def test_cli_wires_the_benchmark(monkeypatch):
    from musicviz import cli

    seen = {}
    monkeypatch.setattr(bench, "run_features_benchmark", lambda **kw: seen.update(kw) or 0)
    assert cli.main(["bench", "features", "--clips", "3", "--jobs", "1", "--repeats", "2"]) == 0
    assert seen == {"n_clips": 3, "n_jobs": 1, "repeats": 2}


def test_naive_and_fast_agree_on_noise():
    y = np.random.default_rng(1).uniform(-0.5, 0.5, 22050 * 3)
    naive = bench.naive_clip_features(y, sr=22050)
    fast = extract_clip_features(y, sr=22050)
    assert naive.keys() == fast.keys()
    for key in fast:
        assert abs(naive[key] - fast[key]) <= 1e-4 * abs(naive[key]), key


def test_max_rel_diff_handles_zeros():
    import pandas as pd

    a = pd.DataFrame({"x": [0.0, 1.0], "y": [2.0, 3.0]})
    b = pd.DataFrame({"x": [0.0, 1.0], "y": [2.0, 3.3]})
    assert bench.max_rel_diff(a, b, ["x"]) == 0.0
    assert bench.max_rel_diff(a, b, ["x", "y"]) == pytest.approx(0.3 / 3.3)
    assert bench.max_rel_diff(pd.DataFrame({"x": [1.0]}), pd.DataFrame({"x": [0.0]}), ["x"]) == np.inf


MUSICNN_LINE = re.compile(r"^musicnn: \d+\.\d\d s per clip \(MSD_musicnn, warm, 1 thread, \d+ clips( x [\d.]+ s)?; \d+\.\d\d CPU-s per clip\)$")


def test_musicnn_line_format(monkeypatch):
    from musicviz.pretrained import network

    monkeypatch.setattr(network, "checkpoint_dir", lambda model: "here")
    monkeypatch.setattr(bench, "_musicnn_timing", lambda paths, model, repeats: {"wall": 0.4321, "cpu": 0.4})
    line = bench.musicnn_line(["a.wav", "b.wav", "c.wav"], model="MSD_musicnn", duration=30.0)
    assert line == "musicnn: 0.43 s per clip (MSD_musicnn, warm, 1 thread, 3 clips x 30 s; 0.40 CPU-s per clip)"
    assert MUSICNN_LINE.match(line)


def test_musicnn_line_without_the_weights(monkeypatch):
    from musicviz.pretrained import network

    monkeypatch.setattr(network, "_find_spec", lambda name: None)
    assert bench.musicnn_line(["a.wav"]).startswith("musicnn: not timed (the pretrained weights come from the musicnn package")
