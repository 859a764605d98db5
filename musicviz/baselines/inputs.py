"""The feature table as ``X, y``, and the input checks every baselines module shares.

Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``.

:func:`feature_matrix` picks the feature columns and the labels out of a feature table.
The private checks (``_check_X``, ``_check_Xy``, ``_as_labels``, ``_check_folds``) build on
:mod:`musicviz._checks`: shapes and arguments raise
:class:`~musicviz.errors.ParameterError`, NaN/inf and non-numeric columns
:class:`~musicviz.errors.FeatureError`, a single class or folds a class cannot fill
:class:`~musicviz.errors.ModelError`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from musicviz._checks import check_matrix, positive_int
from musicviz.errors import FeatureError, ModelError, ParameterError

__all__ = ["SEED", "feature_matrix"]

#: The seed every baseline uses unless told otherwise.
SEED = 0


def _as_labels(y, *, name="y") -> np.ndarray:
    """One label per row, none missing (ParameterError otherwise)."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ParameterError(f"{name} must be one label per row (1-D), got shape {arr.shape}")
    if arr.size == 0:
        raise ParameterError(f"{name} is empty")
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        raise ParameterError(f"{name} contains NaN labels")
    if arr.dtype == object and any(v is None or (isinstance(v, float) and np.isnan(v)) for v in arr):
        raise ParameterError(f"{name} contains missing labels (None/NaN)")
    return arr


def _check_X(X, *, name="X"):
    """A non-empty 2-D numeric table without NaN/inf (a DataFrame stays a DataFrame).

    Shape and type are :func:`musicviz._checks.check_matrix`'s (ParameterError); NaN/inf is
    a :class:`~musicviz.errors.FeatureError` naming the rows (and columns) to fix, since that
    is a problem of the data, not of the argument.
    """
    frame = X if isinstance(X, pd.DataFrame) else None
    if frame is not None and frame.size:
        non_numeric = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
        if non_numeric:
            raise FeatureError(f"{name}: columns {non_numeric[:5]} are not numeric")
    try:
        arr = check_matrix(X, name=name)
    except ParameterError:
        _refuse_non_finite(X, name=name, columns=None if frame is None else frame.columns)
        raise
    return frame if frame is not None else arr


def _refuse_non_finite(X, *, name, columns=None) -> None:
    """FeatureError when ``X`` is a 2-D table of numbers holding NaN/inf; otherwise nothing."""
    try:
        values = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        return
    if values.ndim != 2 or values.size == 0:
        return
    bad = ~np.isfinite(values)
    if not bad.any():
        return
    where = ""
    if columns is not None:
        cols = [str(c) for c in columns[bad.any(axis=0)]]
        where = f" (columns {cols[:5]}{' ...' if len(cols) > 5 else ''})"
    raise FeatureError(
        f"{name}: {int(bad.any(axis=1).sum())} rows hold NaN or infinite values{where}; drop or fix those rows first"
    )


def _check_Xy(X, y, *, min_classes=2, name="X"):
    X = _check_X(X, name=name)
    y = _as_labels(y)
    if len(y) != X.shape[0]:
        raise ParameterError(f"{name} has {X.shape[0]} rows but y has {len(y)} labels: they must match")
    n_classes = len(np.unique(y))
    if n_classes < min_classes:
        raise ModelError(f"y holds {n_classes} class(es) ({np.unique(y).tolist()}): a classifier needs at least {min_classes}")
    return X, y


def _check_folds(y, n_splits) -> int:
    """``n_splits`` as an int >= 2 that every class of ``y`` can fill (ModelError otherwise)."""
    n_splits = positive_int(n_splits, "n_splits", minimum=2)
    _, counts = np.unique(y, return_counts=True)
    if counts.min() < n_splits:
        raise ModelError(
            f"{n_splits}-fold stratified cross-validation needs at least {n_splits} examples of every class; "
            f"the smallest class has {counts.min()}"
        )
    return n_splits


def feature_matrix(table, *, columns=None, label: str = "label"):
    """The feature columns and the labels of a feature table, checked.

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per clip: feature columns and a label column.
    columns : sequence of str or None
        Feature columns, in the order the model will see them (default: the 57 columns of
        :data:`musicviz.features.KAGGLE_FEATURES`).
    label : str
        The label column (``"label"`` in GTZAN's table).

    Returns
    -------
    X : pandas.DataFrame [shape=(n_clips, n_features)]
    y : numpy.ndarray [shape=(n_clips,)] of str

    Raises
    ------
    FeatureError
        Columns are missing, not numeric, or hold NaN/inf.

    Examples
    --------
    >>> import pandas as pd
    >>> from musicviz.baselines import feature_matrix
    >>> t = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0], "label": ["rock", "jazz"]})
    >>> X, y = feature_matrix(t, columns=["b", "a"])
    >>> list(X.columns), y.tolist()
    (['b', 'a'], ['rock', 'jazz'])
    """
    if not isinstance(table, pd.DataFrame):
        raise ParameterError(f"table must be a pandas DataFrame, got {type(table).__name__}")
    if columns is None:
        from musicviz.features import KAGGLE_FEATURES

        columns = KAGGLE_FEATURES
    columns = [str(c) for c in columns]
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise FeatureError(
            f"the feature table lacks {len(missing)} of the {len(columns)} feature columns: "
            f"{missing[:5]}{' ...' if len(missing) > 5 else ''}"
        )
    if label not in table.columns:
        raise FeatureError(f"the feature table has no label column {label!r}")
    X = _check_X(table[columns], name="feature table")
    y = _as_labels(table[label].astype(str).to_numpy(), name=f"column {label!r}")
    return X.reset_index(drop=True), y
