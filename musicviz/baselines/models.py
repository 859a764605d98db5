"""The baseline models: seeded SVM, KNN and K-means pipelines, and K-means as a classifier.

Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``.

:func:`make_svm`, :func:`make_knn`, :func:`make_kmeans` build seeded
:class:`~sklearn.pipeline.Pipeline` objects (standardization first: SVM and KNN measure
distances, so a feature measured in thousands of Hz must not drown one measured in units),
optionally behind :class:`LogVariance`. :class:`KMeansGenreClassifier` clusters without labels
and names the clusters by genre with :func:`match_clusters` (Hungarian matching); the two
live together here because the classifier needs the matching. :data:`SVM_GRID` and
:data:`KNN_GRID` are the small documented grids :func:`~musicviz.baselines.tune` searches.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin

from musicviz._checks import positive_float, positive_int
from musicviz.baselines.inputs import SEED, _as_labels, _check_Xy
from musicviz.errors import FeatureError, ParameterError

__all__ = [
    "SVM_GRID",
    "KNN_GRID",
    "LogVariance",
    "make_svm",
    "make_knn",
    "make_kmeans",
    "match_clusters",
    "KMeansGenreClassifier",
]

#: The SVM grid of :func:`~musicviz.baselines.tune`: 4 x 3 = 12 candidates. ``C`` trades a wide
#: margin (small C) against fitting every training clip (large C); ``gamma`` is the inverse reach
#: of the RBF kernel (the default ``"scale"`` is 1 / (n_features * variance), about 1/57 = 0.0175
#: on 57 standardized features, inside this range).
SVM_GRID: dict = {"svc__C": [2.0, 4.0, 8.0, 16.0], "svc__gamma": [0.005, 0.01, 0.02]}

#: The KNN grid of :func:`~musicviz.baselines.tune`: 6 x 2 = 12 candidates (odd k avoid ties
#: between two genres).
KNN_GRID: dict = {
    "kneighborsclassifier__n_neighbors": [1, 3, 5, 7, 9, 15],
    "kneighborsclassifier__weights": ["uniform", "distance"],
}


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

    # Saved model files name this class by its module (skops records ``__module__``) and
    # MODEL_TYPES allows it by that name: the public path, so the file format and the files
    # saved before the split stay valid.
    __module__ = "musicviz.baselines"

    def __init__(self, columns=None, eps: float = 1e-12):
        self.columns = columns
        self.eps = eps

    def fit(self, X, y=None):
        positive_float(self.eps, "eps")
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

    C = positive_float(C, "C")
    if decision_function_shape not in ("ovr", "ovo"):
        raise ParameterError(f"decision_function_shape must be 'ovr' or 'ovo', got {decision_function_shape!r}")
    svc = SVC(C=C, gamma=gamma, kernel=kernel, decision_function_shape=decision_function_shape)
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

    n_neighbors = positive_int(n_neighbors, "n_neighbors")
    if weights not in ("uniform", "distance"):
        raise ParameterError(f"weights must be 'uniform' or 'distance', got {weights!r}")
    return Pipeline(_steps(log_variance) + [("kneighborsclassifier", KNeighborsClassifier(n_neighbors=n_neighbors, weights=weights))])


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

    n_clusters = positive_int(n_clusters, "n_clusters", minimum=2)
    return Pipeline(_steps(log_variance) + [("kmeans", KMeans(n_clusters=n_clusters, n_init=n_init, random_state=seed))])


# --------------------------------------------------------------------------- clusters as genres
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

    # Saved model files name this class by its module (skops records ``__module__``) and
    # MODEL_TYPES allows it by that name: the public path, so the file format and the files
    # saved before the split stay valid.
    __module__ = "musicviz.baselines"

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
