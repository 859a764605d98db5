"""Scores with their uncertainty: how sure can 30 test clips make us?

Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``, ``06_cnn.ipynb``,
``07_classify_your_own_clip.ipynb``, ``08_transfer_learning.ipynb``.

An accuracy measured on n test clips is a count of successes out of n, so its uncertainty is a
binomial one: :func:`accuracy_interval` gives the Wilson score interval (which, unlike the
textbook ``p ± 1.96·sqrt(p(1-p)/n)``, stays inside [0, 1] and is honest at 30 of 30).
A claim that rests on one random draw (a split, a few-shot sample) is instead repeated over
draws, and :func:`band` summarises the spread of the repeats.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from musicviz.errors import ParameterError

__all__ = ["Score", "wilson_interval", "accuracy_interval", "band"]


def _check_confidence(confidence) -> float:
    try:
        confidence = float(confidence)
    except (TypeError, ValueError):
        raise ParameterError(f"confidence must be a number between 0 and 1, got {confidence!r}") from None
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence must be between 0 and 1 (e.g. 0.95), got {confidence}")
    return confidence


def wilson_interval(correct: int, n: int, *, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``correct / n``.

    Parameters
    ----------
    correct : int
        Successes (e.g. test clips classified right), ``0 <= correct <= n``.
    n : int
        Trials (test clips), at least 1.
    confidence : float
        Coverage of the interval.

    Returns
    -------
    (low, high) : tuple of float

    Examples
    --------
    >>> from musicviz.scores import wilson_interval
    >>> [round(x, 3) for x in wilson_interval(30, 30)]  # 30 of 30 is not "certainly 100 %"
    [0.886, 1.0]
    >>> [round(x, 3) for x in wilson_interval(29, 30)]
    [0.833, 0.994]
    """
    from scipy.stats import binomtest

    confidence = _check_confidence(confidence)
    if isinstance(correct, bool) or isinstance(n, bool):
        raise ParameterError("correct and n must be counts, not booleans")
    try:
        correct_i, n_i = int(correct), int(n)
    except (TypeError, ValueError, OverflowError):
        raise ParameterError(f"correct and n must be whole counts, got {correct!r} and {n!r}") from None
    if correct_i != correct or n_i != n or n_i < 1 or not 0 <= correct_i <= n_i:
        raise ParameterError(f"need whole counts with 0 <= correct <= n and n >= 1, got correct={correct!r}, n={n!r}")
    ci = binomtest(correct_i, n_i).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


@dataclass(frozen=True)
class Score:
    """An accuracy with its interval: ``print(score)`` reads ``0.967 [0.833, 0.994] (29 of 30)``."""

    accuracy: float
    low: float
    high: float
    correct: int
    n: int
    confidence: float = 0.95

    def __str__(self) -> str:
        return f"{self.accuracy:.3f} [{self.low:.3f}, {self.high:.3f}] ({self.correct} of {self.n})"

    def as_dict(self) -> dict:
        """``{"accuracy", "ci_low", "ci_high", "n"}``, rounded to 3 decimals (a table row)."""
        return {"accuracy": round(self.accuracy, 3), "ci_low": round(self.low, 3), "ci_high": round(self.high, 3), "n": self.n}


def accuracy_interval(y_true, y_pred, *, confidence: float = 0.95) -> Score:
    """Accuracy of ``y_pred`` against ``y_true`` with its Wilson interval.

    Parameters
    ----------
    y_true, y_pred : array-like
        True and predicted labels, same length (at least one).
    confidence : float
        Coverage of the interval (0.95: a 95 % interval).

    Returns
    -------
    Score

    Examples
    --------
    >>> from musicviz.scores import accuracy_interval
    >>> print(accuracy_interval(["rock"] * 29 + ["jazz"], ["rock"] * 30))
    0.967 [0.833, 0.994] (29 of 30)
    """
    y_true, y_pred = np.asarray(y_true, dtype=object).ravel(), np.asarray(y_pred, dtype=object).ravel()
    if y_true.size == 0 or y_true.shape != y_pred.shape:
        raise ParameterError(f"y_true and y_pred must be non-empty and of one length, got {y_true.size} and {y_pred.size}")
    correct, n = int((y_true == y_pred).sum()), int(y_true.size)
    low, high = wilson_interval(correct, n, confidence=confidence)
    return Score(correct / n, low, high, correct, n, confidence)


def band(values, *, confidence: float = 0.95) -> dict:
    """The spread of a claim repeated over random draws: mean and central percentile band.

    Parameters
    ----------
    values : array-like of float
        One result per draw (e.g. the accuracy of each of 20 few-shot samples).
    confidence : float
        Share of the draws the band holds (0.95: the 2.5th to the 97.5th percentile).

    Returns
    -------
    dict
        ``{"mean", "low", "high", "draws"}``.

    Examples
    --------
    >>> from musicviz.scores import band
    >>> band([0.5, 0.6, 0.7, 0.8, 0.9], confidence=0.5)
    {'mean': 0.7, 'low': 0.6, 'high': 0.8, 'draws': 5}
    """
    confidence = _check_confidence(confidence)
    values = np.asarray(values, dtype=float).ravel()
    if values.size == 0 or not np.isfinite(values).all():
        raise ParameterError("band needs at least one draw, and every value finite")
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(values, [tail, 100 - tail])
    return {"mean": round(float(values.mean()), 3), "low": round(float(low), 3), "high": round(float(high), 3), "draws": int(values.size)}
