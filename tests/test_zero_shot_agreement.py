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
