"""The second realism figure: the pretrained network's zero-shot agreement with intended genres."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from musicviz.errors import ParameterError
from musicviz.pretrained import agreement
from musicviz.pretrained.tags import MSD_TAGS


def _table(rows):
    """A fake embedding table: each row (genre, tag that fires) -> that tag at 0.9, others 0.05."""
    data = []
    for genre, tag in rows:
        probs = np.full(len(MSD_TAGS), 0.05)
        probs[MSD_TAGS.index(tag)] = 0.9
        data.append({"genre": genre, **{f"tag:{t}": p for t, p in zip(MSD_TAGS, probs)}})
    table = pd.DataFrame(data)
    table.attrs["tags"] = list(MSD_TAGS)
    return table


def test_agreement_counts_right_guesses_and_untagged_genres_as_wrong(monkeypatch):
    rows = [("jazz", "jazz"), ("jazz", "rock"), ("metal", "heavy metal"), ("reggae", "jazz"), ("", "pop")]
    monkeypatch.setattr("musicviz.pretrained.table.embedding_table", lambda *a, **k: _table(rows))
    figure = agreement.zero_shot_agreement("anywhere")
    assert figure["n_clips"] == 4  # the clip of no GTZAN genre is left out
    assert figure["recognised"] == pytest.approx(2 / 4)
    assert figure["recall"] == {"jazz": 0.5, "metal": 1.0, "reggae": 0.0}
    assert figure["missing"] == ("classical", "disco", "reggae")
    assert "no tag for classical, disco, reggae" in figure["model"]


def test_no_genre_clips_is_a_clear_error(monkeypatch):
    monkeypatch.setattr("musicviz.pretrained.table.embedding_table", lambda *a, **k: _table([("", "pop")]))
    with pytest.raises(ParameterError, match="no clip of a GTZAN genre"):
        agreement.zero_shot_agreement("anywhere")


def test_realism_command_prints_both_figures_svm_last(monkeypatch, capsys):
    from musicviz import cli, realism

    seen = {}
    monkeypatch.setattr(cli, "_check_realism_input", lambda folder: None)
    monkeypatch.setattr(
        agreement, "zero_shot_agreement", lambda folder, n_jobs=-1: {"recognised": 0.25, "n_clips": 4, "model": "net"}
    )
    monkeypatch.setattr(realism, "main_realism", lambda folder, zero_shot=None: seen.setdefault("zero_shot", zero_shot) and 0)
    cli.main(["data", "realism", "somewhere"])
    assert seen["zero_shot"]["recognised"] == 0.25
    seen.clear()
    cli.main(["data", "realism", "somewhere", "--no-zero-shot"])
    assert seen["zero_shot"] is None


def test_transfer_check_scores_three_answers_on_the_same_real_clips(monkeypatch):
    """Zero-shot, probe and SVM on one copy's clips; a genre with too few clips is left out, by name."""
    from musicviz.datasets import load_feature_table
    from musicviz.pretrained import transfer_check

    kaggle = load_feature_table()
    ids = [f"{g}.{i:05d}" for g in ("jazz", "metal") for i in range(6)] + ["rock.00000"]
    rng = np.random.default_rng(0)
    rows = []
    for track_id in ids:
        genre = track_id.split(".")[0]
        probs = np.full(len(MSD_TAGS), 0.05)
        probs[MSD_TAGS.index("jazz")] = 0.9  # the tags always say jazz: zero-shot right on jazz only
        signal = [3.0, 0.0] if genre == "jazz" else [0.0, 3.0]  # an embedding that separates the genres
        rows.append({"track_id": track_id, "genre": genre, "emb_000": signal[0] + rng.normal(),
                     "emb_001": signal[1] + rng.normal(), **{f"tag:{t}": p for t, p in zip(MSD_TAGS, probs)}})
    table = pd.DataFrame(rows)
    table.attrs["tags"] = list(MSD_TAGS)
    monkeypatch.setattr("musicviz.pretrained.table.embedding_table", lambda *a, **k: table)
    result = transfer_check("anywhere", n_splits=3)
    assert list(result.index) == ["zero-shot (no training)", "linear probe (MSD_musicnn pooled)", "SVM (57 features)"]
    assert (result["n"] == 12).all()  # the single rock clip is left out
    assert result.loc["zero-shot (no training)", "accuracy"] == 0.5
    assert result.loc["linear probe (MSD_musicnn pooled)", "accuracy"] == 1.0
    assert (result["ci_low"] <= result["accuracy"]).all() and (result["accuracy"] <= result["ci_high"]).all()
    assert any("left out" in note and "rock" in note for note in result.attrs["notes"])
    assert set(kaggle["track_id"]) >= set(ids)


def test_transfer_check_says_a_copy_is_too_small(monkeypatch):
    from musicviz.errors import DatasetError
    from musicviz.pretrained import transfer_check

    table = _table([("jazz", "jazz"), ("rock", "rock")]).assign(track_id=["jazz.00000", "rock.00000"], emb_000=[0.0, 1.0])
    monkeypatch.setattr("musicviz.pretrained.table.embedding_table", lambda *a, **k: table)
    with pytest.raises(DatasetError, match="at least 5 clips.*jazz 1, rock 1"):
        transfer_check("anywhere")
