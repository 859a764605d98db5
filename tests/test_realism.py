"""Realism of the synthetic set, measured by a model trained on the real GTZAN feature table.

The real table ships with musicviz, so these tests run on every machine (a copy under
``$MUSICVIZ_GTZAN`` takes precedence). Features go to a temporary cache, never to data/.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
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


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("realism_cache")


@pytest.fixture(scope="module")
def features(synth_subset, cache):
    from musicviz import realism

    return realism.synthetic_features(synth_subset, n_jobs=2, cache=cache)


def _small_set(root: Path, source: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A set whose metadata.csv lists ``rows`` (track_id, path, genre); the clips that exist
    in ``source`` are copied."""
    root.mkdir(parents=True, exist_ok=True)
    for _, path, _ in rows:
        if (source / path).is_file():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source / path, root / path)
    pd.DataFrame(rows, columns=["track_id", "path", "genre"]).to_csv(root / "metadata.csv", index=False)
    return root


@pytest.mark.slow
def test_real_model_recognises_synthetic_genres(synth_subset, cache):
    from musicviz.realism import format_report, realism_report

    report = realism_report(synth_subset, n_jobs=2, cache=cache)
    assert report.n_clips == 10 and report.skipped == []
    assert list(report.confusion.index) == list(GENRES) and list(report.confusion.columns) == list(GENRES)
    assert int(report.confusion.to_numpy().sum()) == 10
    assert set(report.predictions.columns) >= {"track_id", "path", "genre", "predicted", "recognised"}
    text = format_report(report)
    last = text.splitlines()[-1]
    assert LAST_LINE.match(last), last
    assert f"of {report.n_clips} synthetic clips" in last
    assert "skipped" not in text
    # Chance is 10 %; one clip per genre is a small, deterministic sample: demand a clear margin
    # over chance, not the full-set figure.
    assert report.recognised >= 0.3, text


def test_main_realism_prints_report(features, synth_subset, capsys, monkeypatch, tmp_path):
    from musicviz import realism

    monkeypatch.setenv("MUSICVIZ_GTZAN", str(tmp_path / "no-copy"))  # the shipped table
    monkeypatch.setattr(realism, "synthetic_features", lambda *a, **k: features)
    assert realism.main_realism(synth_subset) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert LAST_LINE.match(out[-1]), out[-1]
    assert out[-1].endswith("of 10 synthetic clips")


def test_format_report_last_line():
    from musicviz.realism import RealismReport, format_report

    preds = pd.DataFrame({"track_id": ["pop.00000", "rock.00000"], "path": ["a", "b"], "genre": ["pop", "rock"],
                          "predicted": ["pop", "metal"], "recognised": [True, False]})
    rep = RealismReport(preds, pd.DataFrame(), pd.Series({"pop": 1.0, "rock": 0.0}), 0.5, Path("t.csv"))
    assert format_report(rep).splitlines()[-1] == "realism: recognised 50.0% of 2 synthetic clips"


# --------------------------------------------------------------------------- built from the course's pieces
def test_model_is_the_baselines_svm():
    """train_real_model is make_svm(C=10) on real_gtzan_matrix(): same steps, same predictions."""
    from musicviz import baselines as bl
    from musicviz.realism import train_real_model

    model = train_real_model()
    X, y = bl.real_gtzan_matrix()
    reference = bl.make_svm(C=10).fit(X, y)
    assert list(model.named_steps) == list(reference.named_steps)
    assert list(model.feature_names_in_) == list(X.columns) and len(X.columns) == 57
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))
    # The real table's own clips: the model learnt them (a model fit on nothing would not).
    assert np.mean(model.predict(X) == y) > 0.9


def test_features_are_feature_tables_and_cached(features, synth_subset, cache, monkeypatch):
    from musicviz import features as mf
    from musicviz.realism import synthetic_features

    assert list(features.columns[:3]) == ["track_id", "path", "genre"]
    assert list(features["genre"]) == list(GENRES)
    table = mf.feature_table([synth_subset / p for p in features["path"]], n_jobs=1, cache=cache,
                             progress=False, warn=False)
    names = mf.feature_columns(table)
    assert set(mf.KAGGLE_FEATURES) <= set(names)
    np.testing.assert_array_equal(features[names].to_numpy(), table[names].to_numpy())

    # A second run reads every clip from the cache: computing one now would fail.
    def no_computing(*args, **kwargs):
        raise AssertionError("a cached clip was computed again")

    monkeypatch.setattr(mf.table, "_clip_rows", no_computing)
    again = synthetic_features(synth_subset, n_jobs=1, cache=cache, limit_per_genre=1)
    pd.testing.assert_frame_equal(again, features)


def test_missing_clip_is_skipped_and_reported(features, synth_subset, cache, tmp_path):
    from musicviz.realism import format_report, realism_report

    rows = [("blues.00000", "blues/blues.00000.wav", "blues"),
            ("jazz.00000", "jazz/jazz.00000.wav", "jazz"),
            ("rock.00007", "rock/rock.00007.wav", "rock")]  # listed, but not on disk
    small = _small_set(tmp_path / "small", synth_subset, rows)
    report = realism_report(small, n_jobs=1, cache=cache)
    assert report.n_clips == 2 and list(report.predictions["track_id"]) == ["blues.00000", "jazz.00000"]
    assert [Path(s.path).name for s in report.skipped] == ["rock.00007.wav"]
    text = format_report(report)
    assert "skipped 1 clip(s)" in text and str(small / "rock" / "rock.00007.wav") in text
    assert text.splitlines()[-1].endswith("of 2 synthetic clips")
    # Each prediction is that of the full run's clip (same features, same model).
    full = realism_report(synth_subset, features=features).predictions.set_index("track_id")
    for _, row in report.predictions.iterrows():
        assert row["predicted"] == full.loc[row["track_id"], "predicted"]


def test_no_usable_clip_is_a_dataset_error(tmp_path):
    from musicviz.realism import realism_report

    small = _small_set(tmp_path / "small", tmp_path, [("rock.00007", "rock/rock.00007.wav", "rock")])
    with pytest.raises(DatasetError, match="none of the 1 synthetic clips") as info:
        realism_report(small, n_jobs=1, cache=tmp_path / "cache")
    assert "rock.00007.wav" in str(info.value)


# --------------------------------------------------------------------------- bad input
def test_missing_table_is_a_dataset_error(tmp_path):
    from musicviz.realism import train_real_model

    with pytest.raises(DatasetError, match="features_30_sec.csv"):
        train_real_model(tmp_path / "nowhere")


def test_table_without_feature_columns_is_a_dataset_error(tmp_path):
    from musicviz.realism import train_real_model

    table = tmp_path / "features_30_sec.csv"
    table.write_text("filename,length,tempo,label\nblues.00000.wav,661794,120.0,blues\n")
    with pytest.raises(DatasetError, match="lacks 56 of the 57") as info:
        train_real_model(table)
    assert str(table) in str(info.value)


def test_no_clips_is_a_dataset_error(tmp_path):
    from musicviz.realism import synthetic_features

    with pytest.raises(DatasetError, match="no synthetic clips"):
        synthetic_features(tmp_path, n_jobs=1)


@pytest.mark.parametrize(
    "content, match",
    [
        (b"", "not a readable CSV"),
        (b"\xff\xfe\x00bad bytes\n", "not a readable CSV|lacks the columns"),
        (b'garbage\x00\xff,"unterminated\n', "not a readable CSV|lacks the columns"),
        (b"filename,track_id,label\nblues.00000.wav,blues.00000,blues\n", r"lacks the columns \['path', 'genre'\]"),
        (b"track_id,path,genre\nblues.00000,,blues\n", "row 1 has no path"),
        (b"track_id,path,genre\nblues.00000,blues/blues.00000.wav,polka\n", "unknown genres"),
    ],
)
def test_bad_metadata_is_a_dataset_error(tmp_path, content, match):
    from musicviz.realism import synthetic_features

    (tmp_path / "metadata.csv").write_bytes(content)
    with pytest.raises(DatasetError, match=match) as info:
        synthetic_features(tmp_path, n_jobs=1, cache=tmp_path / "cache")
    assert str(tmp_path / "metadata.csv") in str(info.value)


@pytest.mark.parametrize("outside", ["../secret/blues.00000.wav", "blues/../../x.wav", "/etc/passwd", "link/blues.00000.wav"])
def test_metadata_paths_outside_the_set_are_refused(tmp_path, outside, monkeypatch):
    from musicviz import features as mf
    from musicviz.realism import synthetic_features

    synth = tmp_path / "synth"
    synth.mkdir()
    (tmp_path / "secret").mkdir()
    (synth / "link").symlink_to(tmp_path / "secret")  # a link inside the set that leads out of it
    rows = [("blues.00001", "blues/blues.00001.wav", "blues"), ("blues.00000", outside, "blues")]
    pd.DataFrame(rows, columns=["track_id", "path", "genre"]).to_csv(synth / "metadata.csv", index=False)
    monkeypatch.setattr(mf, "feature_table", lambda *a, **k: pytest.fail("read clips before checking the paths"))
    with pytest.raises(DatasetError, match="outside the set") as info:
        synthetic_features(synth, n_jobs=1, cache=tmp_path / "cache")
    assert "row 2" in str(info.value) and outside in str(info.value)


# --------------------------------------------------------------------------- a second, independent figure
def _two_clip_report():
    from musicviz.realism import RealismReport

    preds = pd.DataFrame({"track_id": ["pop.00000", "rock.00000"], "path": ["a", "b"], "genre": ["pop", "rock"],
                          "predicted": ["pop", "metal"], "recognised": [True, False]})
    return RealismReport(preds, pd.DataFrame(), pd.Series({"pop": 1.0, "rock": 0.0}), 0.5, Path("t.csv"))


def test_zero_shot_figure_is_printed_before_the_svm_last_line():
    from musicviz.realism import format_report

    rep = _two_clip_report()
    plain = format_report(rep).splitlines()
    lines = format_report(rep, zero_shot={"recognised": 0.25, "n_clips": 2, "model": "pretrained CNN",
                                          "recall": {"pop": 0.5, "rock": 0.0}}).splitlines()
    assert lines[-1] == plain[-1] == "realism: recognised 50.0% of 2 synthetic clips"
    assert lines[-2] == "zero-shot: pretrained CNN recognised 25.0% of 2 synthetic clips"
    assert "zero-shot recognised per genre:" in lines and "  pop         50.0%" in lines
    assert lines[: len(plain) - 1] == plain[:-1]  # the SVM's part is unchanged
    # Without a model name or clip count: a generic name and the report's clip count.
    assert format_report(rep, zero_shot={"recognised": 1.0}).splitlines()[-2] == \
        "zero-shot: pretrained model recognised 100.0% of 2 synthetic clips"


@pytest.mark.parametrize("zero_shot, match", [
    ([0.5], "zero_shot must be a dict"),
    ({}, r"zero_shot\['recognised'\]"),
    ({"recognised": 1.5}, r"zero_shot\['recognised'\]"),
    ({"recognised": True}, r"zero_shot\['recognised'\]"),
    ({"recognised": 0.5, "recall": {"pop": 2.0}}, r"zero_shot\['recall'\]"),
])
def test_bad_zero_shot_figure_is_a_parameter_error(zero_shot, match):
    from musicviz.errors import ParameterError
    from musicviz.realism import format_report

    with pytest.raises(ParameterError, match=match):
        format_report(_two_clip_report(), zero_shot=zero_shot)


def test_main_realism_passes_the_zero_shot_figure(monkeypatch, capsys):
    from musicviz import realism

    monkeypatch.setattr(realism, "realism_report", lambda *a, **k: _two_clip_report())
    assert realism.main_realism("anywhere", zero_shot={"recognised": 0.75, "model": "net"}) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-2] == "zero-shot: net recognised 75.0% of 2 synthetic clips" and LAST_LINE.match(out[-1])


def test_realism_figure_on_a_small_generated_set_carries_artists(tmp_path):
    """Fast end to end: three genres, two 3 s clips each (scores on 3 s clips are not the
    30 s figure; this checks the pipeline, the artists and the report's shape)."""
    from musicviz.realism import format_report, realism_report
    from musicviz.synth import generate_dataset

    out = tmp_path / "set"
    generate_dataset(out, seed=0, clips_per_genre=2, duration=3.0, n_jobs=1, progress=False)
    meta = pd.read_csv(out / "metadata.csv")
    keep = meta[meta["genre"].isin(["classical", "metal", "pop"])]
    keep.to_csv(out / "metadata.csv", index=False)
    report = realism_report(out, n_jobs=1, cache=tmp_path / "cache")
    assert report.n_clips == 6 and list(report.recall.index) == ["classical", "metal", "pop"]
    assert list(report.predictions["artist"]) == list(keep["artist"])
    assert all(a.startswith(f"{g}_artist_") for a, g in zip(report.predictions["artist"], report.predictions["genre"]))
    assert int(report.confusion.to_numpy().sum()) == 6
    assert LAST_LINE.match(format_report(report).splitlines()[-1])
    assert report.recognised == pytest.approx(report.predictions["recognised"].mean())
