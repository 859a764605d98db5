"""Baseline models on the feature table: SVM, k-nearest neighbours and K-means.

Notebooks: ``05_baseline_models.ipynb`` (the synthetic set) and
``05b_baselines_on_real_gtzan.ipynb`` (GTZAN's Kaggle table ``features_30_sec.csv``).

Everything here is scikit-learn, wrapped so a course notebook stays short and every result is
reproducible:

* :func:`make_svm`, :func:`make_knn`, :func:`make_kmeans` build seeded
  :class:`~sklearn.pipeline.Pipeline` objects (standardization first: SVM and KNN measure
  distances, so a feature measured in thousands of Hz must not drown one measured in units).
* :func:`cluster_scores` scores a clustering against the genres (adjusted Rand index,
  normalized mutual information, purity, and the accuracy after matching clusters to genres
  one-to-one with the Hungarian algorithm, :func:`match_clusters`).
* :func:`cross_validate_models` (seeded :class:`~sklearn.model_selection.StratifiedKFold`),
  :func:`tune` (:class:`~sklearn.model_selection.GridSearchCV` on training data only, over the
  small documented grids :data:`SVM_GRID` and :data:`KNN_GRID`), :func:`compare_models`
  (accuracy, macro F1, fit and predict time), :func:`per_genre_report`, :func:`confused_pairs`.
* :func:`save_model` / :func:`load_model`: a trained model saved with its feature column order
  and its classes, in the skops format (``.skops``: JSON and ``.npy`` arrays in a zip, never a
  pickle, so loading cannot run code; types outside :data:`MODEL_TYPES` are refused);
  :class:`SavedModel` predicts from a DataFrame (or one clip's feature dict), reordering
  columns by name and refusing missing ones. :func:`train_real_gtzan_svm` makes the model
  notebook 07 uses to classify any clip. Never load a model file you did not make
  (``docs/SECURITY.md``).

Input problems (lengths that differ, missing columns, NaN, a single class, too few tracks per
genre for the folds) raise :class:`~musicviz.errors.ParameterError`,
:class:`~musicviz.errors.FeatureError` or :class:`~musicviz.errors.ModelError` with a message
that says what to fix.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone

from musicviz.errors import DatasetError, FeatureError, ModelError, OutputError, ParameterError

__all__ = [
    "SEED",
    "TIME_COLUMNS",
    "SVM_GRID",
    "KNN_GRID",
    "MODEL_FORMAT",
    "MODEL_SUFFIX",
    "MODEL_TYPES",
    "PICKLE_SUFFIXES",
    "feature_matrix",
    "LogVariance",
    "make_svm",
    "make_knn",
    "make_kmeans",
    "KMeansGenreClassifier",
    "match_clusters",
    "cluster_scores",
    "contingency_table",
    "cross_validate_models",
    "knn_curve",
    "tune",
    "tuning_table",
    "compare_models",
    "per_genre_report",
    "confused_pairs",
    "filtered_masks",
    "SavedModel",
    "save_model",
    "load_model",
    "models_dir",
    "model_path",
    "train_real_gtzan_svm",
]

#: The seed every baseline uses unless told otherwise.
SEED = 0

#: The columns of :func:`compare_models` that are wall-clock times (they vary from run to run).
TIME_COLUMNS = ("fit_time_s", "predict_time_s")

#: The SVM grid of :func:`tune`: 4 x 3 = 12 candidates. ``C`` trades a wide margin (small C)
#: against fitting every training clip (large C); ``gamma`` is the inverse reach of the RBF
#: kernel (the default ``"scale"`` is 1 / (n_features * variance), about 1/57 = 0.0175 on 57
#: standardized features, inside this range).
SVM_GRID: dict = {"svc__C": [2.0, 4.0, 8.0, 16.0], "svc__gamma": [0.005, 0.01, 0.02]}

#: The KNN grid of :func:`tune`: 6 x 2 = 12 candidates (odd k avoid ties between two genres).
KNN_GRID: dict = {
    "kneighborsclassifier__n_neighbors": [1, 3, 5, 7, 9, 15],
    "kneighborsclassifier__weights": ["uniform", "distance"],
}

#: Version of the saved-model file layout written by :func:`save_model` (2: skops format;
#: 1 was a joblib pickle, which :func:`load_model` refuses).
MODEL_FORMAT = 2


# --------------------------------------------------------------------------- input checks
def _as_labels(y, *, name="y") -> np.ndarray:
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
    """A non-empty 2-D numeric table without NaN/inf (DataFrame kept as a DataFrame)."""
    if isinstance(X, pd.DataFrame):
        if X.shape[0] == 0 or X.shape[1] == 0:
            raise ParameterError(f"{name} is empty (shape {X.shape})")
        non_numeric = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
        if non_numeric:
            raise FeatureError(f"{name}: columns {non_numeric[:5]} are not numeric")
        values = X.to_numpy(dtype=float)
        bad = ~np.isfinite(values)
        if bad.any():
            cols = [str(c) for c in X.columns[bad.any(axis=0)]]
            raise FeatureError(
                f"{name}: {int(bad.any(axis=1).sum())} rows hold NaN or infinite values "
                f"(columns {cols[:5]}{' ...' if len(cols) > 5 else ''}); drop or fix those rows first"
            )
        return X
    try:
        arr = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a 2-D table of numbers, got {type(X).__name__}") from None
    if arr.ndim != 2 or arr.size == 0:
        raise ParameterError(f"{name} must be a non-empty 2-D array (rows x features), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        rows = int((~np.isfinite(arr)).any(axis=1).sum())
        raise FeatureError(f"{name}: {rows} rows hold NaN or infinite values; drop or fix those rows first")
    return arr


def _check_Xy(X, y, *, min_classes=2, name="X"):
    X = _check_X(X, name=name)
    y = _as_labels(y)
    if len(y) != X.shape[0]:
        raise ParameterError(f"{name} has {X.shape[0]} rows but y has {len(y)} labels: they must match")
    n_classes = len(np.unique(y))
    if n_classes < min_classes:
        raise ModelError(f"y holds {n_classes} class(es) ({np.unique(y).tolist()}): a classifier needs at least {min_classes}")
    return X, y


def _check_folds(y, n_splits):
    if isinstance(n_splits, bool) or not isinstance(n_splits, (int, np.integer)) or n_splits < 2:
        raise ParameterError(f"n_splits must be an integer >= 2, got {n_splits!r}")
    _, counts = np.unique(y, return_counts=True)
    if counts.min() < n_splits:
        raise ModelError(
            f"{n_splits}-fold stratified cross-validation needs at least {n_splits} examples of every class; "
            f"the smallest class has {counts.min()}"
        )


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


# --------------------------------------------------------------------------- pipelines
class LogVariance(TransformerMixin, BaseEstimator):
    """Take the logarithm of the variance columns (names ending in ``_var``).

    Variances of frame features are positive and spread over orders of magnitude (a quiet
    and a loud clip differ 100-fold in ``rms_var``); after a log they are closer to normal,
    which suits standardization and RBF kernels. Values are clipped at 0 and offset by
    ``eps`` so a zero variance stays finite.

    Notebook: ``05b_baselines_on_real_gtzan.ipynb``.

    Parameters
    ----------
    columns : sequence of str or int, or None
        Columns to transform; None: every column whose name ends in ``_var`` (needs a
        DataFrame at ``fit``).
    eps : float > 0
        Offset inside the log.

    Examples
    --------
    >>> import pandas as pd
    >>> from musicviz.baselines import LogVariance
    >>> X = pd.DataFrame({"rms_mean": [0.1, 0.2], "rms_var": [1.0, 100.0]})
    >>> LogVariance().fit_transform(X).round(2).tolist()
    [[0.1, 0.0], [0.2, 4.61]]
    """

    def __init__(self, columns=None, eps: float = 1e-12):
        self.columns = columns
        self.eps = eps

    def fit(self, X, y=None):
        names = list(X.columns) if isinstance(X, pd.DataFrame) else None
        self.n_features_in_ = X.shape[1]
        if names is not None:
            self.feature_names_in_ = np.asarray(names, dtype=object)
        if self.columns is None:
            if names is None:
                raise ParameterError("LogVariance(columns=None) needs a DataFrame with column names at fit")
            self.columns_ = [i for i, n in enumerate(names) if str(n).endswith("_var")]
        else:
            idx = []
            for c in self.columns:
                if isinstance(c, (int, np.integer)):
                    idx.append(int(c))
                elif names is not None and c in names:
                    idx.append(names.index(c))
                else:
                    raise ParameterError(f"LogVariance: column {c!r} not found")
            self.columns_ = idx
        return self

    def transform(self, X):
        # The step sees a DataFrame, so it must check the names: StandardScaler after it only
        # gets a bare array and could not catch columns passed in another order.
        names_in = getattr(self, "feature_names_in_", None)
        if isinstance(X, pd.DataFrame) and names_in is not None and list(X.columns) != list(names_in):
            raise FeatureError("LogVariance: the columns differ (names or order) from those seen when fitting")
        arr = np.array(X, dtype=float, copy=True)
        if arr.ndim != 2 or arr.shape[1] != self.n_features_in_:
            raise FeatureError(f"LogVariance expected {self.n_features_in_} columns, got shape {arr.shape}")
        cols = self.columns_
        arr[:, cols] = np.log(np.maximum(arr[:, cols], 0.0) + self.eps)
        return arr

    def get_feature_names_out(self, input_features=None):
        if input_features is not None:
            return np.asarray(input_features, dtype=object)
        if hasattr(self, "feature_names_in_"):
            return self.feature_names_in_
        return np.asarray([f"x{i}" for i in range(self.n_features_in_)], dtype=object)


def _steps(log_variance: bool) -> list:
    from sklearn.preprocessing import StandardScaler

    return ([("logvariance", LogVariance())] if log_variance else []) + [("standardscaler", StandardScaler())]


def make_svm(*, C: float = 10.0, gamma="scale", kernel: str = "rbf", decision_function_shape: str = "ovr",
             log_variance: bool = False, probability: bool = False, seed: int = SEED):
    """StandardScaler + support vector classifier, as one seeded Pipeline.

    scikit-learn's ``SVC`` trains one binary SVM per *pair* of genres (one-vs-one, 45 for 10
    genres) and lets them vote; ``decision_function_shape="ovr"`` only reshapes the scores it
    reports to one column per genre. For a true one-vs-rest SVM (10 binary problems, genre
    vs all others) wrap it: ``OneVsRestClassifier(SVC(...))``.

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``.

    Parameters
    ----------
    C : float > 0
        Penalty of a training clip on the wrong side of the margin.
    gamma : "scale", "auto" or float > 0
        Width of the RBF kernel.
    kernel : str
        ``"rbf"`` (default), ``"linear"``, ``"poly"``.
    decision_function_shape : {"ovr", "ovo"}
        Shape of ``decision_function`` (the training is one-vs-one either way).
    log_variance : bool
        Put :class:`LogVariance` in front (the tuned real-GTZAN model does).
    probability : bool
        Make ``predict_proba`` available: the SVC is wrapped in
        ``CalibratedClassifierCV(SVC(...), ensemble=False)`` (Platt scaling fitted on 5 seeded
        internal folds; scikit-learn >= 1.9 replaces ``SVC(probability=True)`` with this).
        ``predict`` then returns the most probable genre. Its parameters are
        ``svc__estimator__C`` etc.
    seed : int
        Seed of the calibration folds.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps ``[logvariance,] standardscaler, svc``.

    Examples
    --------
    >>> from musicviz.baselines import make_svm
    >>> list(make_svm().named_steps)
    ['standardscaler', 'svc']
    >>> make_svm(log_variance=True).get_params()["svc__C"]
    10.0
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import Pipeline
    from sklearn.svm import SVC

    if isinstance(C, bool) or not (isinstance(C, (int, float, np.number)) and C > 0):
        raise ParameterError(f"C must be a positive number, got {C!r}")
    if decision_function_shape not in ("ovr", "ovo"):
        raise ParameterError(f"decision_function_shape must be 'ovr' or 'ovo', got {decision_function_shape!r}")
    svc = SVC(C=float(C), gamma=gamma, kernel=kernel, decision_function_shape=decision_function_shape)
    if probability:
        folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
        svc = CalibratedClassifierCV(svc, method="sigmoid", cv=folds, ensemble=False)
    return Pipeline(_steps(log_variance) + [("svc", svc)])


def make_knn(*, n_neighbors: int = 5, weights: str = "uniform", log_variance: bool = False):
    """StandardScaler + k-nearest-neighbours classifier, as one Pipeline.

    A clip gets the majority genre of its ``n_neighbors`` closest training clips (Euclidean
    distance on standardized features). KNN is deterministic: nothing to seed.

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``.

    Parameters
    ----------
    n_neighbors : int >= 1
        k.
    weights : {"uniform", "distance"}
        Equal votes, or closer neighbours count more.
    log_variance : bool
        Put :class:`LogVariance` in front.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps ``[logvariance,] standardscaler, kneighborsclassifier``.

    Examples
    --------
    >>> from musicviz.baselines import make_knn
    >>> make_knn(n_neighbors=3).named_steps["kneighborsclassifier"].n_neighbors
    3
    """
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import Pipeline

    if isinstance(n_neighbors, bool) or not isinstance(n_neighbors, (int, np.integer)) or n_neighbors < 1:
        raise ParameterError(f"n_neighbors must be a positive integer, got {n_neighbors!r}")
    if weights not in ("uniform", "distance"):
        raise ParameterError(f"weights must be 'uniform' or 'distance', got {weights!r}")
    return Pipeline(_steps(log_variance) + [("kneighborsclassifier", KNeighborsClassifier(n_neighbors=int(n_neighbors), weights=weights))])


def make_kmeans(n_clusters: int = 10, *, seed: int = SEED, n_init: int = 10, log_variance: bool = False):
    """StandardScaler + K-means, as one seeded Pipeline (labels are never used).

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``.

    Parameters
    ----------
    n_clusters : int >= 2
        Number of clusters (10: one per genre, if the genres were clusters).
    seed : int
        Seed of the initial centres.
    n_init : int >= 1
        Restarts; the run with the smallest within-cluster spread is kept.
    log_variance : bool
        Put :class:`LogVariance` in front.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps ``[logvariance,] standardscaler, kmeans``.

    Examples
    --------
    >>> from musicviz.baselines import make_kmeans
    >>> make_kmeans(4).named_steps["kmeans"].n_clusters
    4
    """
    from sklearn.cluster import KMeans
    from sklearn.pipeline import Pipeline

    if isinstance(n_clusters, bool) or not isinstance(n_clusters, (int, np.integer)) or n_clusters < 2:
        raise ParameterError(f"n_clusters must be an integer >= 2, got {n_clusters!r}")
    return Pipeline(_steps(log_variance) + [("kmeans", KMeans(n_clusters=int(n_clusters), n_init=n_init, random_state=seed))])


# --------------------------------------------------------------------------- clustering
def match_clusters(y_true, clusters) -> dict:
    """Match clusters to genres one-to-one so that the most clips agree (Hungarian algorithm).

    Builds the genre x cluster contingency table and solves the assignment problem with
    :func:`scipy.optimize.linear_sum_assignment` (maximizing the matched counts). With more
    clusters than genres, the unmatched clusters get their majority genre.

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``.

    Parameters
    ----------
    y_true : sequence [shape=(n,)]
        The genres.
    clusters : sequence of int [shape=(n,)]
        Cluster ids.

    Returns
    -------
    dict
        ``{cluster id: genre}``, sorted by cluster id.

    Examples
    --------
    >>> from musicviz.baselines import match_clusters
    >>> match_clusters(["rock", "rock", "jazz", "jazz"], [1, 1, 0, 0])
    {0: 'jazz', 1: 'rock'}
    """
    from scipy.optimize import linear_sum_assignment

    y_true = _as_labels(y_true, name="y_true")
    clusters = _as_labels(clusters, name="clusters")
    if len(y_true) != len(clusters):
        raise ParameterError(f"y_true has {len(y_true)} labels but clusters has {len(clusters)}: they must match")
    genres, g_idx = np.unique(y_true, return_inverse=True)
    ids, c_idx = np.unique(clusters, return_inverse=True)
    counts = np.zeros((len(genres), len(ids)), dtype=int)
    np.add.at(counts, (g_idx, c_idx), 1)
    rows, cols = linear_sum_assignment(counts, maximize=True)
    mapping = {_py(ids[c]): _py(genres[r]) for r, c in zip(rows, cols)}
    for c, cid in enumerate(ids):
        if _py(cid) not in mapping:
            mapping[_py(cid)] = _py(genres[int(np.argmax(counts[:, c]))])
    return dict(sorted(mapping.items()))


def _py(value):
    """A numpy scalar as the plain Python value (keys of the cluster mapping)."""
    return value.item() if hasattr(value, "item") else value


def cluster_scores(y_true, clusters) -> dict:
    """How well clusters found without labels agree with the genres.

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``.

    Parameters
    ----------
    y_true : sequence [shape=(n,)]
        The genres.
    clusters : sequence of int [shape=(n,)]
        Cluster ids.

    Returns
    -------
    dict
        ``ari`` (adjusted Rand index: 0 = chance, 1 = the same partition), ``nmi``
        (normalized mutual information, 0..1), ``purity`` (share of clips in their cluster's
        majority genre) and ``matched_accuracy`` (share of clips whose cluster the Hungarian
        matching, :func:`match_clusters`, names with their genre); rounded to 3 decimals.

    Examples
    --------
    >>> from musicviz.baselines import cluster_scores
    >>> cluster_scores(["a", "a", "b", "b"], [7, 7, 3, 3])
    {'ari': 1.0, 'nmi': 1.0, 'purity': 1.0, 'matched_accuracy': 1.0}
    """
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
    from sklearn.metrics.cluster import contingency_matrix

    mapping = match_clusters(y_true, clusters)
    y_true = np.asarray(y_true)
    clusters = np.asarray(clusters)
    counts = contingency_matrix(y_true, clusters)
    matched = np.array([mapping[_py(c)] for c in clusters]) == y_true
    return {
        "ari": round(float(adjusted_rand_score(y_true, clusters)), 3),
        "nmi": round(float(normalized_mutual_info_score(y_true, clusters)), 3),
        "purity": round(float(counts.max(axis=0).sum() / counts.sum()), 3),
        "matched_accuracy": round(float(matched.mean()), 3),
    }


def contingency_table(y_true, clusters, *, labels=None) -> pd.DataFrame:
    """Genre x cluster counts, clusters ordered (and named) by the genre they are matched to.

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``.

    Parameters
    ----------
    y_true, clusters : sequence [shape=(n,)]
        Genres and cluster ids.
    labels : sequence of str or None
        Row order (default: sorted genres).

    Returns
    -------
    pandas.DataFrame
        Rows: genres; columns: ``"c3→rock"`` style names (cluster id → matched genre).

    Examples
    --------
    >>> from musicviz.baselines import contingency_table
    >>> contingency_table(["rock", "rock", "jazz"], [1, 1, 0]).to_dict("list")
    {'c0→jazz': [1, 0], 'c1→rock': [0, 2]}
    """
    mapping = match_clusters(y_true, clusters)
    y_true = np.asarray(y_true)
    clusters = np.asarray(clusters)
    rows = list(labels) if labels is not None else sorted(np.unique(y_true).tolist())
    missing = sorted(set(np.unique(y_true).tolist()) - set(rows))
    if missing:
        raise ParameterError(f"labels lacks genres present in y_true: {missing}")
    rank = {g: i for i, g in enumerate(rows)}
    order = sorted(mapping, key=lambda c: (rank[mapping[c]], c))
    table = pd.crosstab(pd.Categorical(y_true, categories=rows), clusters).reindex(index=rows, columns=order, fill_value=0)
    table.columns = [f"c{c}→{mapping[c]}" for c in order]
    table.index.name = "genre"
    table.columns.name = "cluster"
    return table.astype(int)


class KMeansGenreClassifier(ClassifierMixin, BaseEstimator):
    """K-means as a (weak) classifier: cluster without labels, then name clusters by genre.

    ``fit`` standardizes and clusters ``X`` without looking at ``y``; only afterwards are the
    clusters named with :func:`match_clusters` (one genre per cluster, Hungarian matching on
    the training clips). ``predict`` gives a clip the genre of its nearest centre. This lets
    K-means sit in the same comparison table as the supervised models.

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``.

    Parameters
    ----------
    n_clusters : int or None
        Clusters (default: the number of genres in ``y``).
    seed : int
        K-means seed.
    n_init : int
        K-means restarts.
    log_variance : bool
        Put :class:`LogVariance` in front.

    Examples
    --------
    >>> import numpy as np
    >>> from musicviz.baselines import KMeansGenreClassifier
    >>> X = np.array([[0.0], [0.1], [5.0], [5.1]])
    >>> KMeansGenreClassifier().fit(X, ["a", "a", "b", "b"]).predict([[4.9]]).tolist()
    ['b']
    """

    def __init__(self, n_clusters=None, *, seed: int = SEED, n_init: int = 10, log_variance: bool = False):
        self.n_clusters = n_clusters
        self.seed = seed
        self.n_init = n_init
        self.log_variance = log_variance

    def fit(self, X, y):
        X, y = _check_Xy(X, y)
        self.classes_ = np.unique(y)
        k = len(self.classes_) if self.n_clusters is None else self.n_clusters
        self.pipeline_ = make_kmeans(k, seed=self.seed, n_init=self.n_init, log_variance=self.log_variance).fit(X)
        clusters = self.pipeline_.named_steps["kmeans"].labels_
        self.cluster_to_label_ = match_clusters(y, clusters)
        if isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        clusters = self.pipeline_.predict(X)
        return np.array([self.cluster_to_label_[int(c)] for c in clusters])


# --------------------------------------------------------------------------- evaluation
def _cv(n_splits, seed):
    from sklearn.model_selection import StratifiedKFold

    return StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)


def cross_validate_models(models: Mapping, X, y, *, n_splits: int = 5, seed: int = SEED, cv=None) -> pd.DataFrame:
    """Stratified k-fold cross-validation of several models: mean and spread of the scores.

    Every model sees the same folds (shuffled with ``seed``); each fold is stratified, so
    every genre keeps its share. Use it on *random* splits of clips; when clips of one
    artist must stay together, pass ``cv`` (e.g. a ``PredefinedSplit``).

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``.

    Parameters
    ----------
    models : mapping
        ``{name: unfitted estimator}``.
    X : DataFrame or array [shape=(n, d)]
    y : sequence [shape=(n,)]
    n_splits : int >= 2
        Folds.
    seed : int
        Shuffling seed of the folds.
    cv : cross-validation splitter or None
        Overrides ``n_splits``/``seed``.

    Returns
    -------
    pandas.DataFrame
        Index: model names; columns ``accuracy``, ``accuracy_std``, ``macro_f1``,
        ``macro_f1_std`` (over folds), rounded to 3 decimals.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from musicviz.baselines import cross_validate_models, make_knn
    >>> X, y = make_blobs(n_samples=60, centers=3, cluster_std=0.5, random_state=0)
    >>> float(cross_validate_models({"knn": make_knn()}, X, y).loc["knn", "accuracy"])
    1.0
    """
    from sklearn.model_selection import cross_validate

    X, y = _check_Xy(X, y)
    if not isinstance(models, Mapping) or not models:
        raise ParameterError("models must be a non-empty mapping {name: estimator}")
    if cv is None:
        _check_folds(y, n_splits)
        cv = _cv(n_splits, seed)
    rows = {}
    for name, model in models.items():
        scores = cross_validate(clone(model), X, y, cv=cv, scoring=("accuracy", "f1_macro"))
        rows[name] = {
            "accuracy": scores["test_accuracy"].mean(),
            "accuracy_std": scores["test_accuracy"].std(),
            "macro_f1": scores["test_f1_macro"].mean(),
            "macro_f1_std": scores["test_f1_macro"].std(),
        }
    table = pd.DataFrame.from_dict(rows, orient="index").round(3)
    table.index.name = "model"
    return table


def knn_curve(X, y, *, ks=(1, 3, 5, 7, 9, 11, 15, 21), n_splits: int = 5, seed: int = SEED,
              log_variance: bool = False, X_test=None, y_test=None) -> pd.DataFrame:
    """Accuracy of KNN as k grows: cross-validated (and, optionally, on a held-out test set).

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``.

    Parameters
    ----------
    X, y
        Training features and genres.
    ks : sequence of int
        Values of k.
    n_splits, seed
        Stratified folds.
    log_variance : bool
        Use :class:`LogVariance`.
    X_test, y_test
        Optional held-out clips (adds a ``test_accuracy`` column).

    Returns
    -------
    pandas.DataFrame
        Index ``k``; columns ``cv_accuracy``, ``cv_std`` [, ``test_accuracy``]; 3 decimals.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from musicviz.baselines import knn_curve
    >>> X, y = make_blobs(n_samples=60, centers=3, cluster_std=0.5, random_state=0)
    >>> knn_curve(X, y, ks=(1, 5)).index.tolist()
    [1, 5]
    """
    from sklearn.model_selection import cross_val_score

    X, y = _check_Xy(X, y)
    _check_folds(y, n_splits)
    ks = [int(k) for k in ks]
    if not ks:
        raise ParameterError("ks is empty")
    smallest_train = len(y) - int(np.ceil(len(y) / n_splits))
    if max(ks) > smallest_train:
        raise ParameterError(f"k={max(ks)} exceeds the {smallest_train} training clips of a fold")
    if (X_test is None) != (y_test is None):
        raise ParameterError("give both X_test and y_test, or neither")
    if X_test is not None:
        X_test, y_test = _check_Xy(X_test, y_test, min_classes=1, name="X_test")
    rows = []
    for k in ks:
        model = make_knn(n_neighbors=k, log_variance=log_variance)
        scores = cross_val_score(model, X, y, cv=_cv(n_splits, seed))
        row = {"k": k, "cv_accuracy": scores.mean(), "cv_std": scores.std()}
        if X_test is not None:
            row["test_accuracy"] = float(np.mean(model.fit(X, y).predict(X_test) == y_test))
        rows.append(row)
    return pd.DataFrame(rows).set_index("k").round(3)


def tune(estimator, param_grid: Mapping, X, y, *, n_splits: int = 5, seed: int = SEED, cv=None, n_jobs=None):
    """Grid search with cross-validation on the *training* clips only; refits the best model.

    Never pass test clips here: the test set must stay unseen until the final, single
    evaluation, or its score stops being an estimate of performance on new music.

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``.

    Parameters
    ----------
    estimator : sklearn estimator
        E.g. ``make_svm()`` with :data:`SVM_GRID`, ``make_knn()`` with :data:`KNN_GRID`.
    param_grid : mapping
        ``{"step__param": [values]}``.
    X, y
        Training features and genres.
    n_splits, seed
        Stratified, shuffled folds.
    cv : splitter or None
        Overrides the folds (e.g. ``PredefinedSplit`` for an artist-conscious validation list).
    n_jobs : int or None
        Parallel fits.

    Returns
    -------
    sklearn.model_selection.GridSearchCV
        Fitted: ``best_params_``, ``best_score_``, ``best_estimator_``, ``cv_results_``.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from musicviz.baselines import make_knn, tune
    >>> X, y = make_blobs(n_samples=60, centers=3, cluster_std=0.5, random_state=0)
    >>> float(tune(make_knn(), {"kneighborsclassifier__n_neighbors": [1, 3]}, X, y).best_score_)
    1.0
    """
    from sklearn.model_selection import GridSearchCV

    X, y = _check_Xy(X, y)
    if not isinstance(param_grid, Mapping) or not param_grid:
        raise ParameterError("param_grid must be a non-empty mapping {'step__param': [values]}")
    valid = estimator.get_params()
    unknown = [p for p in param_grid if p not in valid]
    if unknown:
        raise ParameterError(f"param_grid names parameters the estimator lacks: {unknown}")
    if cv is None:
        _check_folds(y, n_splits)
        cv = _cv(n_splits, seed)
    search = GridSearchCV(clone(estimator), dict(param_grid), cv=cv, scoring="accuracy", n_jobs=n_jobs)
    return search.fit(X, y)


def tuning_table(search, *, top: int | None = None) -> pd.DataFrame:
    """The candidates of a fitted grid search, best first (mean/std CV accuracy, 3 decimals).

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from musicviz.baselines import make_knn, tune, tuning_table
    >>> X, y = make_blobs(n_samples=60, centers=3, cluster_std=0.5, random_state=0)
    >>> s = tune(make_knn(), {"kneighborsclassifier__n_neighbors": [1, 3]}, X, y)
    >>> list(tuning_table(s).columns)
    ['n_neighbors', 'cv_accuracy', 'cv_std']
    """
    if not hasattr(search, "cv_results_"):
        raise ModelError("tuning_table needs a fitted GridSearchCV (call tune(...) first)")
    res = search.cv_results_
    params = pd.DataFrame(list(res["params"]))
    params.columns = [c.split("__")[-1] for c in params.columns]
    table = params.assign(cv_accuracy=res["mean_test_score"], cv_std=res["std_test_score"])
    table = table.sort_values(["cv_accuracy"], ascending=False, kind="stable").reset_index(drop=True)
    table = table.astype({c: str for c in params.columns if params[c].dtype == object})
    return (table.head(top) if top else table).round(3)


def compare_models(models: Mapping, X_train, y_train, X_test, y_test) -> pd.DataFrame:
    """Fit every model on the training clips and score it once on the test clips.

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``.

    Parameters
    ----------
    models : mapping
        ``{name: estimator}`` (each is cloned, so the given objects stay unfitted).
    X_train, y_train, X_test, y_test
        The split.

    Returns
    -------
    pandas.DataFrame
        Index: model names; columns ``accuracy``, ``macro_f1``, ``fit_time_s``,
        ``predict_time_s`` (:data:`TIME_COLUMNS`: wall-clock seconds, these vary between
        runs), all rounded to 3 decimals. The fitted models are in ``table.attrs["fitted"]``
        and their test predictions in ``table.attrs["predictions"]``.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from musicviz.baselines import compare_models, make_knn, make_svm
    >>> X, y = make_blobs(n_samples=80, centers=2, random_state=0)
    >>> t = compare_models({"svm": make_svm(), "knn": make_knn()}, X[:60], y[:60], X[60:], y[60:])
    >>> list(t.columns)
    ['accuracy', 'macro_f1', 'fit_time_s', 'predict_time_s']
    """
    from sklearn.metrics import accuracy_score, f1_score

    X_train, y_train = _check_Xy(X_train, y_train, name="X_train")
    X_test, y_test = _check_Xy(X_test, y_test, min_classes=1, name="X_test")
    if X_train.shape[1] != X_test.shape[1]:
        raise ParameterError(f"X_train has {X_train.shape[1]} features but X_test has {X_test.shape[1]}")
    if not isinstance(models, Mapping) or not models:
        raise ParameterError("models must be a non-empty mapping {name: estimator}")
    rows, fitted, predictions = {}, {}, {}
    for name, model in models.items():
        model = clone(model)
        t0 = time.perf_counter()
        model.fit(X_train, y_train)
        t1 = time.perf_counter()
        pred = model.predict(X_test)
        t2 = time.perf_counter()
        fitted[name], predictions[name] = model, pred
        rows[name] = {
            "accuracy": accuracy_score(y_test, pred),
            "macro_f1": f1_score(y_test, pred, average="macro", labels=np.unique(y_train), zero_division=0),
            "fit_time_s": t1 - t0,
            "predict_time_s": t2 - t1,
        }
    table = pd.DataFrame.from_dict(rows, orient="index").round(3)
    table.index.name = "model"
    table.attrs["fitted"] = fitted
    table.attrs["predictions"] = predictions
    return table


def per_genre_report(y_true, y_pred, *, labels=None) -> pd.DataFrame:
    """Precision, recall, F1 and support per genre (``classification_report`` as a DataFrame).

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``.

    Parameters
    ----------
    y_true, y_pred : sequence [shape=(n,)]
    labels : sequence of str or None
        Row order (default: the sorted labels present).

    Returns
    -------
    pandas.DataFrame
        One row per genre plus ``macro avg`` and ``weighted avg``; columns ``precision``,
        ``recall``, ``f1-score`` (3 decimals) and ``support`` (int).

    Examples
    --------
    >>> from musicviz.baselines import per_genre_report
    >>> float(per_genre_report(["a", "a", "b"], ["a", "b", "b"]).loc["a", "recall"])
    0.5
    """
    from sklearn.metrics import classification_report

    y_true = _as_labels(y_true, name="y_true")
    y_pred = _as_labels(y_pred, name="y_pred")
    if len(y_true) != len(y_pred):
        raise ParameterError(f"y_true has {len(y_true)} labels but y_pred has {len(y_pred)}: they must match")
    labels = list(labels) if labels is not None else sorted(set(y_true.tolist()) | set(y_pred.tolist()))
    report = classification_report(y_true, y_pred, labels=labels, output_dict=True, zero_division=0)
    report.pop("accuracy", None)
    report.pop("micro avg", None)
    table = pd.DataFrame(report).T[["precision", "recall", "f1-score", "support"]]
    table = table.astype({"support": int}).round(3)
    table.index.name = "genre"
    return table


def confused_pairs(y_true, y_pred, *, top: int = 5) -> pd.DataFrame:
    """The most frequent mistakes: which genre is taken for which, and how often.

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``.

    Parameters
    ----------
    y_true, y_pred : sequence [shape=(n,)]
    top : int
        How many pairs.

    Returns
    -------
    pandas.DataFrame
        Columns ``true``, ``predicted``, ``count``, ``share_of_true`` (count / clips of
        that true genre); most frequent first, ties in alphabetical order.

    Examples
    --------
    >>> from musicviz.baselines import confused_pairs
    >>> confused_pairs(["rock", "rock", "metal"], ["metal", "rock", "metal"]).to_dict("records")
    [{'true': 'rock', 'predicted': 'metal', 'count': 1, 'share_of_true': 0.5}]
    """
    y_true = _as_labels(y_true, name="y_true")
    y_pred = _as_labels(y_pred, name="y_pred")
    if len(y_true) != len(y_pred):
        raise ParameterError(f"y_true has {len(y_true)} labels but y_pred has {len(y_pred)}: they must match")
    frame = pd.DataFrame({"true": y_true.astype(str), "predicted": y_pred.astype(str)})
    totals = frame["true"].value_counts()
    wrong = frame[frame["true"] != frame["predicted"]]
    pairs = wrong.groupby(["true", "predicted"]).size().rename("count").reset_index()
    pairs["share_of_true"] = (pairs["count"] / pairs["true"].map(totals)).round(3)
    pairs = pairs.sort_values(["count", "true", "predicted"], ascending=[False, True, True], kind="stable")
    return pairs.head(top).reset_index(drop=True)


def filtered_masks(track_ids, split=None) -> dict:
    """Boolean row masks of the fault-filtered GTZAN split: ``train`` (train + valid), ``test``, and the parts.

    Notebook: ``05b_baselines_on_real_gtzan.ipynb``.

    Parameters
    ----------
    track_ids : sequence of str
        One id per row (``"blues.00029"``), e.g. ``table["track_id"]``.
    split : dict or None
        As :func:`musicviz.datasets.load_filtered_split` returns (default: load it).

    Returns
    -------
    dict of numpy.ndarray of bool
        Keys ``train_only``, ``valid``, ``train`` (train + valid), ``test``; rows in none of
        them are the faulty clips the split leaves out.

    Examples
    --------
    >>> from musicviz.baselines import filtered_masks
    >>> m = filtered_masks(["a.00001", "a.00002", "a.00003"],
    ...                    {"train": ["a.00001"], "valid": [], "test": ["a.00003"]})
    >>> m["train"].tolist(), m["test"].tolist()
    ([True, False, False], [False, False, True])
    """
    if split is None:
        from musicviz.datasets import load_filtered_split

        split = load_filtered_split()
    ids = pd.Series([str(t) for t in track_ids])
    for name in ("train", "valid", "test"):
        if name not in split:
            raise ParameterError(f"split lacks the {name!r} list")
    masks = {
        "train_only": ids.isin(split["train"]).to_numpy(),
        "valid": ids.isin(split["valid"]).to_numpy(),
        "test": ids.isin(split["test"]).to_numpy(),
    }
    masks["train"] = masks["train_only"] | masks["valid"]
    if not masks["train"].any() or not masks["test"].any():
        raise DatasetError("none of the track ids are in the split lists (is this GTZAN's table?)")
    return masks


# --------------------------------------------------------------------------- saved models
#: Suffix of the model files :func:`save_model` writes: the skops format (a zip of JSON and
#: ``.npy`` files, https://skops.readthedocs.io), which is read without unpickling anything.
MODEL_SUFFIX = ".skops"

#: Suffixes that promise a pickle. :func:`save_model` writes such a name with
#: :data:`MODEL_SUFFIX` instead, and :func:`load_model` never unpickles such a file.
PICKLE_SUFFIXES = (".joblib", ".pkl", ".pickle")

#: The types a model file may hold besides those skops trusts by default (Python values,
#: numpy arrays and dtypes, scikit-learn's public estimators): exactly what the models of
#: this module contain (:class:`LogVariance`, :class:`KMeansGenreClassifier`, the calibrated
#: SVM of ``make_svm(probability=True)``). :func:`load_model` refuses a file holding any
#: other type before building a single object. KNN search trees are deliberately absent:
#: they index raw memory without bounds checks, so they are not stored but rebuilt from the
#: training points on load.
MODEL_TYPES = (
    "musicviz.baselines.KMeansGenreClassifier",
    "musicviz.baselines.LogVariance",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.model_selection._split.StratifiedKFold",
)

# First bytes of a pickle (protocol 2+) and of the compressed files joblib writes (zlib,
# gzip, bz2, xz, lzma, lz4): named in the refusal so nobody thinks the file is merely damaged.
_PICKLE_MAGIC = (b"\x80", b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda", b"\x1f\x8b", b"BZh",
                 b"\xfd7zXZ", b"\x5d\x00\x00", b"\x04\x22\x4d\x18", b"ZF0x")
_ZIP_MAGIC = b"PK\x03\x04"
_RULE = "never load a model file you did not make"


def models_dir() -> Path:
    """Where notebooks save trained models: ``<data_dir>/models`` (``data/models``)."""
    from musicviz.datasets import data_dir

    return data_dir() / "models"


def model_path(path) -> Path:
    """The file :func:`save_model` writes for ``path``: a pickle suffix becomes :data:`MODEL_SUFFIX`.

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``.

    Examples
    --------
    >>> from musicviz.baselines import model_path
    >>> model_path("models/svm_real_gtzan.joblib").as_posix()
    'models/svm_real_gtzan.skops'
    >>> model_path("models/svm.skops").as_posix()
    'models/svm.skops'
    """
    path = Path(path)
    return path.with_suffix(MODEL_SUFFIX) if path.suffix.lower() in PICKLE_SUFFIXES else path


def _check_model_target(path: Path) -> None:
    """Refuse, before serializing, a target that cannot become a file (OutputError)."""
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give the model a file name such as {path / ('model' + MODEL_SUFFIX)}")
    folder = Path(os.path.abspath(path.parent))
    existing = folder
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"{path}: cannot create the folder {folder}: {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: cannot write into {existing} (not writable: read-only or no permission)")


def _parts(estimator):
    """Every scikit-learn / musicviz object inside ``estimator``, itself included (pipeline
    steps, the SVC inside a calibrated classifier, the pipeline of a K-means classifier)."""
    stack, seen = [estimator], set()
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, (list, tuple)):
            stack.extend(obj)
        elif isinstance(obj, dict):
            stack.extend(obj.values())
        elif type(obj).__module__.split(".")[0] in ("sklearn", "musicviz") and hasattr(obj, "__dict__"):
            yield obj
            stack.extend(vars(obj).values())


def _without_search_trees(estimator):
    """A copy of ``estimator`` whose KNN search trees are dropped (load rebuilds them)."""
    import copy

    parts = [p for p in _parts(estimator) if getattr(p, "_tree", None) is not None and hasattr(p, "_fit_X")]
    if not parts:
        return estimator
    estimator = copy.deepcopy(estimator)
    for part in _parts(estimator):
        if getattr(part, "_tree", None) is not None and hasattr(part, "_fit_X"):
            part._tree = None
    return estimator


def _restore(estimator, path: Path) -> None:
    """Rebuild KNN search trees and check the array shapes compiled code relies on.

    The SVC and K-means predictions run C/Cython loops sized by one array over the others,
    without bounds checks: a crafted file with arrays of mismatched shapes could read
    outside them. The models musicviz saves always pass these checks.
    """
    from sklearn.cluster import KMeans
    from sklearn.neighbors import BallTree, KDTree
    from sklearn.svm import SVC

    def shape(part, name):
        value = getattr(part, name, None)
        return getattr(value, "shape", None)

    for part in list(_parts(estimator)):
        name = type(part).__name__
        if hasattr(part, "_fit_X") and hasattr(part, "_fit_method"):
            method = part._fit_method
            if method not in ("brute", "kd_tree", "ball_tree") or getattr(part, "_tree", None) is not None:
                raise ModelError(f"{path}: the {name} in it is not one save_model writes")
            if method != "brute":
                tree = KDTree if method == "kd_tree" else BallTree
                try:
                    part._tree = tree(part._fit_X, part.leaf_size, metric=part.effective_metric_,
                                      **part.effective_metric_params_)
                except Exception as exc:  # bad data, leaf size or metric in a crafted file
                    raise ModelError(f"{path}: the {name}'s training points cannot be indexed ({exc})") from None
        elif isinstance(part, SVC) and hasattr(part, "support_vectors_"):
            n_sv = shape(part, "support_vectors_")[0] if shape(part, "support_vectors_") else -1
            k = len(getattr(part, "classes_", ()))
            pairs = k * (k - 1) // 2
            ok = (
                getattr(part, "_sparse", None) is False
                and shape(part, "support_vectors_") == (n_sv, getattr(part, "n_features_in_", -1))
                and shape(part, "support_") == (n_sv,)
                and shape(part, "_n_support") == (k,)
                and int(np.sum(part._n_support)) == n_sv
                and shape(part, "_dual_coef_") == (k - 1, n_sv)
                and shape(part, "_intercept_") == (pairs,)
                and shape(part, "_probA") in ((0,), (pairs,))
                and shape(part, "_probB") == shape(part, "_probA")
            )
            if not ok:
                raise ModelError(f"{path}: the {name} in it has inconsistent fitted arrays")
        elif isinstance(part, KMeans) and hasattr(part, "cluster_centers_"):
            centres = shape(part, "cluster_centers_")
            if centres is None or len(centres) != 2 or centres[1] != getattr(part, "n_features_in_", -1):
                raise ModelError(f"{path}: the {name} in it has inconsistent fitted arrays")


def _json_default(value):
    """numpy scalars and arrays in metadata become plain numbers and lists."""
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    if isinstance(value, (tuple, set, Path)):
        return list(value) if not isinstance(value, Path) else str(value)
    raise TypeError(f"{type(value).__name__} is not a plain value")


@dataclass
class SavedModel:
    """A trained model with what it needs to be applied safely: feature columns and classes.

    ``predict`` / ``predict_proba`` take a DataFrame (extra columns are ignored, columns in a
    different order are put back in the training order) or one clip's ``{column: value}``
    dict, e.g. from :func:`musicviz.features.extract_clip_features`. Missing columns or NaN
    raise :class:`~musicviz.errors.FeatureError`.

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``,
    ``07_classify_your_own_clip.ipynb``.

    Attributes
    ----------
    estimator : fitted sklearn estimator
    feature_columns : tuple of str
        Column order the estimator was trained on.
    classes : tuple of str
        The genres, in the order of ``predict_proba``'s columns.
    metadata : dict
        Name, data it was trained on, scores, library versions (plain JSON values).
    path : pathlib.Path or None
        The file it was saved to or loaded from (None: not saved).
    """

    estimator: object
    feature_columns: tuple
    classes: tuple
    metadata: dict = field(default_factory=dict)
    path: Path | None = field(default=None, compare=False)

    def __post_init__(self):
        self.feature_columns = tuple(str(c) for c in self.feature_columns)
        self.classes = tuple(str(c) for c in self.classes)
        if not self.feature_columns:
            raise ModelError("a saved model needs its feature columns")
        if len(set(self.feature_columns)) != len(self.feature_columns):
            raise ModelError("the feature columns of a saved model must be unique")
        if not hasattr(self.estimator, "predict"):
            raise ModelError(f"{type(self.estimator).__name__} has no predict method")
        fitted_classes = getattr(self.estimator, "classes_", None)
        if fitted_classes is not None and tuple(str(c) for c in fitted_classes) != self.classes:
            raise ModelError(f"classes {self.classes} differ from the estimator's {tuple(fitted_classes)}")
        # The estimator checks the names at predict time; a mismatch must show up here, not there.
        fitted_columns = getattr(self.estimator, "feature_names_in_", None)
        if fitted_columns is not None and tuple(str(c) for c in fitted_columns) != self.feature_columns:
            raise ModelError(
                f"feature columns {list(self.feature_columns)[:5]} differ from the "
                f"{len(fitted_columns)} columns the estimator was fit on ({list(fitted_columns)[:5]} ...)"
            )

    def frame(self, features) -> pd.DataFrame:
        """``features`` as a DataFrame with exactly :attr:`feature_columns`, in order, checked."""
        if isinstance(features, Mapping):
            features = pd.DataFrame([dict(features)])
        elif isinstance(features, pd.Series):
            features = features.to_frame().T
        elif not isinstance(features, pd.DataFrame):
            raise FeatureError(
                f"give the features as a pandas DataFrame or a {{column: value}} dict, not "
                f"{type(features).__name__}: the model needs column names to put them in its order"
            )
        missing = [c for c in self.feature_columns if c not in features.columns]
        if missing:
            raise FeatureError(
                f"{len(missing)} of the model's {len(self.feature_columns)} feature columns are missing: "
                f"{missing[:5]}{' ...' if len(missing) > 5 else ''}"
            )
        frame = features.loc[:, list(self.feature_columns)]
        try:
            frame = frame.astype(float)
        except (TypeError, ValueError):
            raise FeatureError("the feature columns must hold numbers") from None
        return _check_X(frame.reset_index(drop=True), name="features")

    def predict(self, features) -> np.ndarray:
        """The predicted genre of every row."""
        return np.asarray(self.estimator.predict(self.frame(features)))

    def predict_proba(self, features) -> pd.DataFrame:
        """Probability of every genre for every row (columns: :attr:`classes`)."""
        if not hasattr(self.estimator, "predict_proba"):
            raise ModelError(
                f"this {self.metadata.get('name', 'model')} gives no probabilities "
                "(train an SVM with make_svm(probability=True))"
            )
        try:
            proba = self.estimator.predict_proba(self.frame(features))
        except AttributeError as exc:  # SVC(probability=False) raises AttributeError on access
            raise ModelError(f"this model gives no probabilities ({exc})") from None
        return pd.DataFrame(proba, columns=list(self.classes))

    def save(self, path) -> Path:
        """Write the model atomically in the skops format; returns the path written.

        A pickle suffix (``.joblib``, ``.pkl``, ``.pickle``) is replaced by ``.skops``
        (:func:`model_path`); the written path is also kept in :attr:`path`.

        Raises
        ------
        ModelError
            The metadata is not plain JSON values, or the estimator holds a type
            :func:`load_model` would refuse (not in :data:`MODEL_TYPES`).
        OutputError
            The target is a folder, lies below a file, or cannot be written.
        """
        import json

        import skops.io as sio

        from musicviz._io import atomic_write_bytes

        target = model_path(path)
        _check_model_target(target)
        try:
            metadata = json.dumps(dict(self.metadata), default=_json_default, sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise ModelError(f"{target}: the metadata must hold plain values (text, numbers, lists, dicts): {exc}") from None
        payload = {
            "musicviz_model_format": MODEL_FORMAT,
            "estimator": _without_search_trees(self.estimator),
            "feature_columns": list(self.feature_columns),
            "classes": list(self.classes),
            "metadata": metadata,
        }
        try:
            data = sio.dumps(payload)
            foreign = sorted(set(sio.get_untrusted_types(data=data)) - set(MODEL_TYPES))
        except Exception as exc:  # skops cannot store some objects (open files, lambdas, ...)
            raise ModelError(
                f"{target}: cannot store a {type(self.estimator).__name__} ({type(exc).__name__}: {exc})"
            ) from None
        if foreign:
            # A file load_model would refuse is useless: say so now, not when it is needed.
            hint = "; save the search's best_estimator_" if hasattr(self.estimator, "best_estimator_") else ""
            raise ModelError(
                f"{target}: the {type(self.estimator).__name__} holds types load_model does not accept "
                f"({', '.join(foreign[:5])}{' ...' if len(foreign) > 5 else ''}); musicviz saves the models "
                f"it makes (make_svm, make_knn, KMeansGenreClassifier) and scikit-learn estimators without trees{hint}"
            )
        try:
            atomic_write_bytes(target, data)
        except OSError as exc:
            raise OutputError(f"{target}: cannot write the model ({exc.strerror or exc})") from None
        self.path = target
        return target


def save_model(estimator, path, *, feature_columns=None, classes=None, **metadata) -> SavedModel:
    """Save a fitted model with its feature column order and classes (atomically, skops format).

    The file is a ``.skops`` file (a zip of JSON and ``.npy`` arrays, no pickle), so loading
    it cannot run code. A ``.joblib`` / ``.pkl`` / ``.pickle`` name is written with the
    ``.skops`` suffix instead (:func:`model_path`); the returned model's ``path`` says where
    it went, and :func:`load_model` given the old name finds it.

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``.

    Parameters
    ----------
    estimator : fitted sklearn estimator
        One of musicviz's models (:func:`make_svm`, :func:`make_knn`,
        :class:`KMeansGenreClassifier`, a tuned ``best_estimator_``) or a scikit-learn
        estimator; other types are refused (:data:`MODEL_TYPES`).
    path : path-like
        Target file (``models_dir() / "svm.skops"``).
    feature_columns : sequence of str or None
        Default: the estimator's ``feature_names_in_`` (set when it was fit on a DataFrame).
    classes : sequence of str or None
        Default: the estimator's ``classes_``.
    **metadata
        Stored along as JSON (e.g. ``name="svm"``, ``trained_on="features_30_sec.csv"``):
        text, numbers, lists and dicts.

    Returns
    -------
    SavedModel
        With ``path`` set to the file written.

    Raises
    ------
    ModelError
        The estimator is not fitted, its columns/classes are unknown, it holds a type
        :func:`load_model` would refuse, or the metadata is not plain values.
    OutputError
        ``path`` is a folder, lies below a file, or cannot be written.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from sklearn.datasets import make_blobs
    >>> from musicviz.baselines import make_svm, save_model, load_model
    >>> X, y = make_blobs(n_samples=40, centers=2, random_state=0)
    >>> X = pd.DataFrame(X, columns=["f1", "f2"])
    >>> saved = save_model(make_svm().fit(X, y), tempfile.mkdtemp() + "/svm.joblib", name="svm")
    >>> saved.path.name
    'svm.skops'
    >>> load_model(saved.path).feature_columns
    ('f1', 'f2')
    """
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(estimator)
    except NotFittedError:
        raise ModelError(f"{type(estimator).__name__} is not fitted: fit it before saving") from None
    except TypeError as exc:
        raise ModelError(f"not a scikit-learn estimator: {exc}") from None
    if feature_columns is None:
        feature_columns = getattr(estimator, "feature_names_in_", None)
        if feature_columns is None:
            raise ModelError("the estimator was fit on an array: pass feature_columns=[...] (the column order)")
    if classes is None:
        classes = getattr(estimator, "classes_", None)
        if classes is None:
            raise ModelError("the estimator has no classes_: pass classes=[...]")
    import sklearn

    import musicviz

    meta = {"sklearn_version": sklearn.__version__, "musicviz_version": musicviz.__version__, **metadata}
    model = SavedModel(estimator, tuple(feature_columns), tuple(classes), meta)
    model.save(path)
    return model


def _model_file(path: Path) -> Path:
    """The file to read for ``path``: for a pickle name, the ``.skops`` file save_model wrote."""
    if path.suffix.lower() in PICKLE_SUFFIXES and model_path(path).is_file():
        return model_path(path)
    if not path.exists():
        raise ModelError(
            f"{path}: no saved model here (run notebook 05 / 05b, or "
            "musicviz.baselines.train_real_gtzan_svm(path=...))"
        )
    if not path.is_file():
        raise ModelError(f"{path}: is a folder, not a model file")
    return path


def _refuse_pickle(path: Path, head: bytes) -> None:
    if head.startswith(_ZIP_MAGIC):
        return
    if path.suffix.lower() in PICKLE_SUFFIXES or head.startswith(_PICKLE_MAGIC):
        raise ModelError(
            f"{path}: a pickle/joblib file; musicviz does not open those, because unpickling runs "
            f"whatever code the file holds ({_RULE}). Retrain the model and save it with "
            f"musicviz.baselines.save_model, which writes a safe {MODEL_SUFFIX} file"
        )
    raise ModelError(f"{path}: not a readable model file (not the {MODEL_SUFFIX} format save_model writes)")


def _payload_field(payload: dict, key: str, path: Path, *, kind):
    value = payload[key]
    if kind == "names":
        if not isinstance(value, (list, tuple)) or not value or not all(isinstance(v, str) for v in value):
            raise ModelError(f"{path}: {key} must be a non-empty list of names, got {type(value).__name__}")
        return tuple(value)
    import json

    if not isinstance(value, str):
        raise ModelError(f"{path}: metadata must be a JSON text, got {type(value).__name__}")
    try:
        meta = json.loads(value)
    except ValueError as exc:
        raise ModelError(f"{path}: metadata is not valid JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise ModelError(f"{path}: metadata must be a JSON object, got {type(meta).__name__}")
    return meta


def load_model(path) -> SavedModel:
    """Load a model written by :func:`save_model` and check it is complete and usable.

    **Never load a model file you did not make** (or that did not come from someone you
    trust as much as the code you run). musicviz reads only its own ``.skops`` format: the
    file is checked first, and refused if it holds any type outside scikit-learn's
    estimators, numpy arrays and :data:`MODEL_TYPES`; nothing in it is built before that
    check, and pickle/joblib files are never unpickled (unpickling runs code from the
    file). Still, a model decides what your program reports: treat a stranger's model like
    a stranger's script. See ``docs/SECURITY.md``.

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``,
    ``07_classify_your_own_clip.ipynb``.

    Parameters
    ----------
    path : path-like
        A ``.skops`` file written by :func:`save_model`. For a ``.joblib`` (or ``.pkl``,
        ``.pickle``) name, the ``.skops`` file that :func:`save_model` wrote in its place
        is read; the pickle itself never is.

    Returns
    -------
    SavedModel
        With ``path`` set to the file read.

    Raises
    ------
    ModelError
        The file is missing, is a pickle/joblib file, is not a musicviz model, holds a type
        that is not allowed, is incomplete or inconsistent, or was saved with another
        scikit-learn version (retrain it).

    Examples
    --------
    >>> from musicviz.baselines import load_model
    >>> try:
    ...     load_model("no/such/model.skops")
    ... except Exception as exc:
    ...     print(type(exc).__name__)
    ModelError
    """
    import warnings

    import skops.io as sio
    from sklearn.exceptions import InconsistentVersionWarning

    path = _model_file(Path(path))
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the model file ({exc.strerror or exc})") from None
    _refuse_pickle(path, head)
    # Audit first: get_untrusted_types reads the JSON schema without importing or building anything.
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # a damaged zip, no schema.json, bad JSON, unknown node types, ...
        raise ModelError(f"{path}: not a readable model file ({type(exc).__name__}: {exc})") from None
    refused = sorted(set(untrusted) - set(MODEL_TYPES))
    if refused:
        raise ModelError(
            f"{path}: refused: the file holds types musicviz does not load "
            f"({', '.join(refused[:5])}{' ...' if len(refused) > 5 else ''}); {_RULE}"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", category=InconsistentVersionWarning)  # -> ModelError below
            payload = sio.load(path, trusted=list(MODEL_TYPES))
    except InconsistentVersionWarning as exc:
        raise ModelError(f"{path}: saved with another scikit-learn version ({exc}); retrain it") from None
    except Exception as exc:  # allowed types with a crafted state fail while being built
        raise ModelError(f"{path}: not a readable model file ({type(exc).__name__}: {exc})") from None
    return _from_payload(payload, path)


def _from_payload(payload, path: Path) -> SavedModel:
    """Check what skops built is a complete musicviz model."""
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    if not isinstance(payload, dict) or "musicviz_model_format" not in payload:
        raise ModelError(f"{path}: not a musicviz model (save it with musicviz.baselines.save_model)")
    version = payload["musicviz_model_format"]
    if isinstance(version, bool) or not isinstance(version, int) or version != MODEL_FORMAT:
        raise ModelError(f"{path}: model format {version!r}, this musicviz reads format {MODEL_FORMAT}; retrain it")
    missing = [k for k in ("estimator", "feature_columns", "classes", "metadata") if k not in payload]
    if missing:
        raise ModelError(f"{path}: the model file lacks {missing}")
    columns = _payload_field(payload, "feature_columns", path, kind="names")
    classes = _payload_field(payload, "classes", path, kind="names")
    metadata = _payload_field(payload, "metadata", path, kind="json")
    estimator = payload["estimator"]
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        raise ModelError(f"{path}: the {type(estimator).__name__} in it is not fitted") from None
    except TypeError:
        raise ModelError(f"{path}: holds a {type(estimator).__name__}, not a scikit-learn estimator") from None
    _restore(estimator, path)
    try:
        return SavedModel(estimator, columns, classes, metadata, path=path)
    except ModelError as exc:
        raise ModelError(f"{path}: {exc}") from None


def train_real_gtzan_svm(table=None, *, path=None, tune_grid: bool = True, seed: int = SEED) -> SavedModel:
    """Train (and optionally save) the SVM notebook 07 uses on any clip's features.

    Trains on every row of GTZAN's Kaggle table (the 57 columns of
    :data:`musicviz.features.KAGGLE_FEATURES`): :class:`LogVariance` + StandardScaler + RBF
    SVC with probabilities. With ``tune_grid`` the ``C``/``gamma`` of :data:`SVM_GRID` are
    chosen by seeded 5-fold cross-validation on that table (a few seconds); the best CV
    accuracy is kept in ``metadata["cv_accuracy"]`` (an optimistic estimate: random folds of
    GTZAN share artists, see notebook 05b).

    Notebooks: ``05b_baselines_on_real_gtzan.ipynb`` (trains it),
    ``07_classify_your_own_clip.ipynb`` (loads it with :func:`load_model` and calls
    ``model.predict_proba(extract_clip_features(y, sr=sr))``).

    Parameters
    ----------
    table : DataFrame, path-like or None
        The feature table (default: :func:`musicviz.datasets.load_feature_table`, found through
        ``$MUSICVIZ_GTZAN``).
    path : path-like or None
        Save the model there (e.g. ``models_dir() / "svm_real_gtzan.skops"``; a ``.joblib``
        name is written as ``.skops``, see :func:`save_model`).
    tune_grid : bool
        Tune ``C``/``gamma``; otherwise C=10, gamma="scale".
    seed : int
        Seed of the folds and of the probability calibration.

    Returns
    -------
    SavedModel
    """
    from musicviz.datasets import load_feature_table
    from musicviz.features import KAGGLE_FEATURES

    if table is None or not isinstance(table, pd.DataFrame):
        table = load_feature_table(table)
    X, y = feature_matrix(table, columns=KAGGLE_FEATURES)
    base = make_svm(log_variance=True, seed=seed)
    params = {"svc__C": 10.0, "svc__gamma": "scale"}
    cv_accuracy = None
    if tune_grid:
        search = tune(base, SVM_GRID, X, y, seed=seed)
        params, cv_accuracy = search.best_params_, round(float(search.best_score_), 3)
    short = {k.split("__")[-1]: v for k, v in params.items()}
    model = make_svm(log_variance=True, probability=True, seed=seed, **short).fit(X, y)
    meta = {
        "name": "svm_real_gtzan",
        "trained_on": "GTZAN features_30_sec.csv (all rows)",
        "n_train": int(len(y)),
        "params": short,
        "cv_accuracy": cv_accuracy,
    }
    if path is not None:
        return save_model(model, path, **meta)
    import sklearn

    import musicviz

    meta.update(sklearn_version=sklearn.__version__, musicviz_version=musicviz.__version__)
    return SavedModel(model, tuple(X.columns), tuple(model.classes_), meta)
