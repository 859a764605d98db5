"""Realism of the synthetic set, measured by a model trained on the real GTZAN feature table.

The real table ships with musicviz, so these tests run on every machine (a copy under
``$MUSICVIZ_GTZAN`` takes precedence).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from musicviz import GENRES
from musicviz.errors import DatasetError


LAST_LINE = re.compile(r"^realism: recognised \d{1,3}\.\d% of \d+ synthetic clips$")


@pytest.fixture(scope="module")
def synth_subset(tmp_path_factory):
    from musicviz.synth import generate_dataset

    out = tmp_path_factory.mktemp("synth_realism")
    # Full 30 s clips: the real table's variances are over 30 s, so shorter clips would not compare.
    generate_dataset(out, seed=0, clips_per_genre=1, duration=30.0, n_jobs=2, progress=False)
    return out


@pytest.mark.slow
def test_real_model_recognises_synthetic_genres(synth_subset):
    from musicviz.realism import format_report, realism_report

    report = realism_report(synth_subset, n_jobs=2)
    assert report.n_clips == 10
    assert list(report.confusion.index) == list(GENRES) and list(report.confusion.columns) == list(GENRES)
    assert int(report.confusion.to_numpy().sum()) == 10
    assert set(report.predictions.columns) >= {"track_id", "path", "genre", "predicted", "recognised"}
    text = format_report(report)
    last = text.splitlines()[-1]
    assert LAST_LINE.match(last), last
    assert f"of {report.n_clips} synthetic clips" in last
    # Chance is 10 %; one clip per genre is a small, deterministic sample: demand a clear margin
    # over chance, not the full-set figure.
    assert report.recognised >= 0.3, text


def test_main_realism_prints_report(synth_subset, capsys, monkeypatch, tmp_path):
    from musicviz import realism

    monkeypatch.setenv("MUSICVIZ_GTZAN", str(tmp_path / "no-copy"))  # the shipped table
    cached = realism.synthetic_features(synth_subset, n_jobs=2, limit_per_genre=1)
    monkeypatch.setattr(realism, "synthetic_features", lambda *a, **k: cached)
    assert realism.main_realism(synth_subset) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert LAST_LINE.match(out[-1]), out[-1]


def test_format_report_last_line():
    from musicviz.realism import RealismReport, format_report

    preds = pd.DataFrame({"track_id": ["pop.00000", "rock.00000"], "path": ["a", "b"], "genre": ["pop", "rock"],
                          "predicted": ["pop", "metal"], "recognised": [True, False]})
    rep = RealismReport(preds, pd.DataFrame(), pd.Series({"pop": 1.0, "rock": 0.0}), 0.5, Path("t.csv"))
    assert format_report(rep).splitlines()[-1] == "realism: recognised 50.0% of 2 synthetic clips"


def test_missing_table_is_a_dataset_error(tmp_path):
    from musicviz.realism import train_real_model

    with pytest.raises(DatasetError, match="features_30_sec.csv"):
        train_real_model(tmp_path / "nowhere")


def test_no_clips_is_a_dataset_error(tmp_path):
    from musicviz.realism import synthetic_features

    with pytest.raises(DatasetError, match="no synthetic clips"):
        synthetic_features(tmp_path, n_jobs=1)
