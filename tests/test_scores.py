"""Scores with their uncertainty (musicviz.scores): Wilson intervals and bands over draws."""

from __future__ import annotations

import math

import numpy as np
import pytest

from musicviz.errors import ParameterError
from musicviz.scores import accuracy_interval, band, wilson_interval


def _wilson_by_formula(k, n, z=1.959963984540054):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


@pytest.mark.parametrize("k, n", [(0, 10), (7, 30), (29, 30), (30, 30), (443, 1000)])
def test_wilson_matches_the_closed_form(k, n):
    assert wilson_interval(k, n) == pytest.approx(_wilson_by_formula(k, n), abs=1e-9)


def test_wider_with_fewer_clips_and_with_more_confidence():
    narrow, wide = wilson_interval(27, 30), wilson_interval(9, 10)
    assert wide[1] - wide[0] > narrow[1] - narrow[0]
    lo95, hi95 = wilson_interval(27, 30)
    lo99, hi99 = wilson_interval(27, 30, confidence=0.99)
    assert lo99 < lo95 and hi99 > hi95


def test_accuracy_interval_counts_and_prints():
    score = accuracy_interval(np.array(["rock", "jazz", "pop", "pop"]), ["rock", "jazz", "pop", "rock"])
    assert (score.correct, score.n, score.accuracy) == (3, 4, 0.75)
    assert score.low < 0.75 < score.high
    assert str(score).startswith("0.750 [") and str(score).endswith("(3 of 4)")
    assert score.as_dict()["n"] == 4


@pytest.mark.parametrize(
    "call",
    [
        lambda: wilson_interval(31, 30),
        lambda: wilson_interval(1, 0),
        lambda: wilson_interval(1.5, 3),
        lambda: wilson_interval(True, 3),
        lambda: wilson_interval("a", 3),
        lambda: wilson_interval(1, 3, confidence=95),
        lambda: accuracy_interval([], []),
        lambda: accuracy_interval(["a", "b"], ["a"]),
        lambda: band([]),
        lambda: band([0.5, float("nan")]),
    ],
)
def test_bad_input_is_a_clear_error(call):
    with pytest.raises(ParameterError):
        call()


def test_band_holds_the_central_draws():
    draws = np.linspace(0, 1, 101)
    summary = band(draws)
    assert summary == {"mean": 0.5, "low": 0.025, "high": 0.975, "draws": 101}
