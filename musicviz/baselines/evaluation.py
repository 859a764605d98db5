"""Evaluating the baselines: cross-validation, tuning, test scores, reports, cluster scores.

Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``.

* :func:`cross_validate_models` (seeded :class:`~sklearn.model_selection.StratifiedKFold`),
  :func:`knn_curve`, :func:`tune` (:class:`~sklearn.model_selection.GridSearchCV` on training
  data only, over :data:`~musicviz.baselines.SVM_GRID` / :data:`~musicviz.baselines.KNN_GRID`)
  and :func:`tuning_table`;
* :func:`compare_models` (accuracy, macro F1, fit and predict time: :data:`TIME_COLUMNS`),
  :func:`per_genre_report`, :func:`confused_pairs`;
* :func:`cluster_scores` (adjusted Rand index, normalized mutual information, purity, matched
  accuracy) and :func:`contingency_table` for a clustering;
* :func:`grouped_vs_random`: the same model scored by random folds and by folds that keep
  each group (a synthetic artist) on one side;
* :func:`filtered_masks`: the rows of GTZAN's fault-filtered split.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn.base import clone

from musicviz.baselines.inputs import SEED, _as_labels, _check_folds, _check_Xy
from musicviz.baselines.models import _py, make_knn, match_clusters
from musicviz.errors import DatasetError, ModelError, ParameterError
from musicviz.scores import accuracy_interval

__all__ = [
    "TIME_COLUMNS",
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
    "grouped_vs_random",
]

#: The columns of :func:`compare_models` that are wall-clock times (they vary from run to run).
TIME_COLUMNS = ("fit_time_s", "predict_time_s")


# --------------------------------------------------------------------------- clusterings
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


# --------------------------------------------------------------------------- classifiers
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
        n_splits = _check_folds(y, n_splits)
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


def grouped_vs_random(model, X, y, groups, *, n_splits: int = 5, seed: int = SEED) -> pd.DataFrame:
    """Accuracy of one model under random folds and under folds that keep every group together.

    Both schemes are stratified by ``y``, with ``n_splits`` folds shuffled by ``seed``:
    ``StratifiedKFold`` deals clips one by one, so a group's clips (an artist's) land on both
    sides; ``StratifiedGroupKFold`` keeps each group on one side. When a group's clips share what
    the label does not explain (a production), random folds let the model recognise the group
    instead of the label; the grouped score is the honest estimate for clips of *new* groups.

    Notebook: ``05_baseline_models.ipynb`` (the synthetic artists; 05b shows real GTZAN).

    Parameters
    ----------
    model : sklearn estimator
        Unfitted; cloned for every fold (e.g. ``make_svm()``, ``make_knn()``).
    X : DataFrame or array [shape=(n, d)]
    y : sequence [shape=(n,)]
        The labels (genres).
    groups : sequence [shape=(n,)]
        The group of every row (e.g. the artist of every clip).
    n_splits : int >= 2
        Folds of each scheme (needs ``n_splits`` rows per class and distinct groups).
    seed : int
        Shuffling seed of both schemes.

    Returns
    -------
    pandas.DataFrame
        Index ``scheme`` (``"random"``, ``"grouped"``); columns ``fold 1`` ... ``fold n``
        (accuracy of each fold), ``mean`` and ``std`` (over the folds, ``ddof=0`` as in
        :func:`cross_validate_models`); rounded to 3 decimals. ``attrs["gap"]`` is the
        random mean minus the grouped mean (of the rounded means).

    Raises
    ------
    ParameterError
        ``groups`` or ``y`` lacks one entry per row of ``X``; ``model`` is not an estimator.
    ModelError
        Fewer groups than folds, a class with fewer rows than folds, or an empty fold.

    Examples
    --------
    Two classes of ten groups; every group adds an offset of its own (its "production"):

    >>> import numpy as np
    >>> from musicviz.baselines import grouped_vs_random, make_knn
    >>> rng = np.random.default_rng(0)
    >>> groups = np.repeat(np.arange(20), 4)
    >>> y = np.where(groups < 10, "rock", "jazz")
    >>> X = 0.5 * (y == "rock")[:, None] + rng.normal(0, 2, (20, 3))[groups] + rng.normal(0, 0.2, (80, 3))
    >>> table = grouped_vs_random(make_knn(n_neighbors=1), X, y, groups, n_splits=4)
    >>> table.columns.tolist()
    ['fold 1', 'fold 2', 'fold 3', 'fold 4', 'mean', 'std']
    >>> bool(table.loc["random", "mean"] > table.loc["grouped", "mean"])
    True
    """
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_val_score

    X, y = _check_Xy(X, y)
    groups = _as_labels(groups, name="groups")
    if len(groups) != len(y):
        raise ParameterError(f"groups has {len(groups)} entries but X has {len(y)} rows: give one group per row")
    if not (hasattr(model, "fit") and hasattr(model, "predict")):
        raise ParameterError(f"model must be a scikit-learn estimator with fit and predict, got {type(model).__name__}")
    n_splits = _check_folds(y, n_splits)
    n_groups = len(np.unique(groups.astype(str)))
    if n_groups < n_splits:
        raise ModelError(
            f"groups holds {n_groups} distinct group(s): grouped {n_splits}-fold cross-validation needs at least "
            f"{n_splits}, one per fold (use fewer folds)"
        )
    schemes = {
        "random": (StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed), None),
        "grouped": (StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed), groups),
    }
    rows = {}
    for scheme, (cv, by) in schemes.items():
        folds = list(cv.split(X, y, by))
        if any(len(test) == 0 for _, test in folds):
            raise ModelError(
                f"{scheme} {n_splits}-fold cross-validation left a fold without clips: "
                f"too few groups ({n_groups}) for {n_splits} folds; use fewer folds"
            )
        scores = cross_val_score(clone(model), X, y, cv=folds)
        rows[scheme] = {**{f"fold {i + 1}": s for i, s in enumerate(scores)}, "mean": scores.mean(), "std": scores.std()}
    table = pd.DataFrame.from_dict(rows, orient="index").round(3)
    table.index.name = "scheme"
    table.attrs["gap"] = round(float(table.loc["random", "mean"] - table.loc["grouped", "mean"]), 3)
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
    n_splits = _check_folds(y, n_splits)
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
        n_splits = _check_folds(y, n_splits)
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
        Index: model names; columns ``accuracy``, its Wilson 95 % interval ``ci_low``, ``ci_high``
        (:mod:`musicviz.scores`), ``macro_f1``, ``fit_time_s``, ``predict_time_s`` (:data:`TIME_COLUMNS`:
        wall-clock seconds, these vary between runs), all rounded to 3 decimals. The fitted models are in ``table.attrs["fitted"]``
        and their test predictions in ``table.attrs["predictions"]``.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from musicviz.baselines import compare_models, make_knn, make_svm
    >>> X, y = make_blobs(n_samples=80, centers=2, random_state=0)
    >>> t = compare_models({"svm": make_svm(), "knn": make_knn()}, X[:60], y[:60], X[60:], y[60:])
    >>> list(t.columns)
    ['accuracy', 'ci_low', 'ci_high', 'macro_f1', 'fit_time_s', 'predict_time_s']
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
        score = accuracy_interval(y_test, pred)
        rows[name] = {
            "accuracy": accuracy_score(y_test, pred), "ci_low": score.low, "ci_high": score.high,
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
