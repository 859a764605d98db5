"""The explorers render a static default view and re-render when a control moves."""

from __future__ import annotations

from unittest import mock

import ipywidgets as w
import numpy as np
import pytest

from musicviz import widgets
from musicviz.errors import ParameterError


@pytest.fixture
def displayed(monkeypatch):
    """Capture what the explorers display, and the updates of display handles."""
    shown, updates = [], []

    class Handle:
        def __init__(self, item):
            self.item = item

        def update(self, item):
            updates.append(item)

    def fake_display(*items, display_id=None, **kwargs):
        shown.extend(items)
        return Handle(items[0]) if display_id else None

    monkeypatch.setattr("IPython.display.display", fake_display)
    return shown, updates


def test_explorer_shows_default_view_then_updates_in_place(displayed):
    shown, updates = displayed
    slider = w.IntSlider(value=3, min=1, max=5)
    render = mock.Mock(side_effect=lambda n: [f"n = {n}"])
    widgets.explorer(render, {"n": slider}, title="demo")
    assert isinstance(shown[0], w.VBox) and shown[1] == "n = 3"
    slider.value = 4
    assert updates == ["n = 4"] and render.call_count == 2
    with pytest.raises(ParameterError):
        widgets.explorer(render, {})


def test_stft_explorer_renders_resolution(displayed):
    shown, updates = displayed
    sr = 22050
    y = np.sin(2 * np.pi * 440 * np.arange(sr * 2) / sr)
    widgets.stft_explorer(y, sr=sr, seconds=1.0)
    figure, text = shown[1], shown[2]
    assert figure.axes[0].get_title() == "n_fft = 2048, hop = 512"
    assert "10.8 Hz" in text.data


def test_knn_explorer_accuracy_moves_with_k(displayed):
    shown, updates = displayed
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (20, 3)), rng.normal(4, 1, (20, 3))])
    y = np.array(["rock"] * 20 + ["jazz"] * 20)
    widgets.knn_explorer(X[::2], y[::2], X[1::2], y[1::2], labels=["jazz", "rock"], k_max=15)
    assert "test accuracy **1.000**" in shown[1].data
    with pytest.raises(ParameterError):
        widgets.knn_explorer(X, y[:3], X, y, labels=["jazz", "rock"])


def test_clip_explorer_follows_genre(displayed, tmp_path):
    from musicviz.audio import write_wav
    from musicviz.datasets import scan

    sr = 22050
    for name in ("rock.00001", "rock.00002", "jazz.00001"):
        write_wav(tmp_path / f"{name}.wav", 0.3 * np.sin(np.arange(sr * 2) / 7.0), sr=sr)
    tracks = scan(tmp_path).tracks
    shown, updates = displayed
    widgets.clip_explorer(tracks, seconds=1.0)
    box = shown[0]
    genre, clip = box.children[1], box.children[2]
    assert genre.value == "jazz" and list(clip.options) == ["jazz.00001"]
    genre.value = "rock"
    assert list(clip.options) == ["rock.00001", "rock.00002"]
    assert any(hasattr(u, "axes") for u in updates)
    fig = next(u for u in updates if hasattr(u, "axes"))
    fig.canvas.draw()
    wave, mel = fig.axes[:2]
    # The two panels' time axes line up (one colorbar beside both), and the waveform's has numbers.
    assert wave.get_position().x0 == pytest.approx(mel.get_position().x0)
    assert wave.get_position().x1 == pytest.approx(mel.get_position().x1)
    assert any(t.get_visible() and t.get_text() for t in wave.get_xticklabels())
    with pytest.raises(ParameterError):
        widgets.clip_explorer([])
