"""The real-GTZAN SVM: trained on GTZAN's Kaggle table, applied to any clip's features.

Notebooks: ``05b_baselines_on_real_gtzan.ipynb`` (trains it), ``07_classify_your_own_clip.ipynb``
(loads it). :func:`train_real_gtzan_svm` makes the model notebook 07 uses to classify any clip;
:func:`real_gtzan_matrix` is the table it trains on, which :mod:`musicviz.realism` uses too.
"""

from __future__ import annotations

import pandas as pd

from musicviz.baselines.evaluation import filtered_masks, tune
from musicviz.baselines.inputs import SEED, feature_matrix
from musicviz.baselines.models import SVM_GRID, make_svm
from musicviz.baselines.persistence import SavedModel, save_model

__all__ = ["real_gtzan_matrix", "train_real_gtzan_svm"]


def real_gtzan_matrix(table=None):
    """The features and genres of GTZAN's Kaggle table: its 57 columns, in their order.

    Notebooks: ``05b_baselines_on_real_gtzan.ipynb``, ``07_classify_your_own_clip.ipynb``.

    Parameters
    ----------
    table : DataFrame, path-like or None
        The table, or the file / folder to read it from (default:
        :func:`musicviz.datasets.load_feature_table`, found through ``$MUSICVIZ_GTZAN``, else
        the copy that ships with musicviz).

    Returns
    -------
    X : pandas.DataFrame [shape=(n_clips, 57)]
        The columns of :data:`musicviz.features.KAGGLE_FEATURES`.
    y : numpy.ndarray [shape=(n_clips,)] of str

    Raises
    ------
    DatasetError
        No table found, or it cannot be read.
    FeatureError
        Feature columns are missing or hold NaN/inf.

    Examples
    --------
    >>> from musicviz.baselines import real_gtzan_matrix
    >>> X, y = real_gtzan_matrix()
    >>> X.shape[1], sorted(set(y))[:2]
    (57, ['blues', 'classical'])
    """
    from musicviz.datasets import load_feature_table
    from musicviz.features import KAGGLE_FEATURES

    if table is None or not isinstance(table, pd.DataFrame):
        table = load_feature_table(table)
    return feature_matrix(table, columns=KAGGLE_FEATURES)


def train_real_gtzan_svm(
    table=None, *, path=None, rows: str = "filtered", tune_grid: bool = True, seed: int = SEED
) -> SavedModel:
    """Train (and optionally save) the SVM notebook 07 uses on any clip's features.

    Trains on GTZAN's Kaggle table (the 57 columns of :data:`musicviz.features.KAGGLE_FEATURES`):
    :class:`LogVariance` + StandardScaler + RBF SVC with probabilities. With ``rows="filtered"``
    (the default) it sees only the fault-filtered, artist-conscious *train + valid* lists of
    Kereliuk, Sturm & Larsen (2015) and is scored once on their *test* list, so a clip of that
    list (notebook 07's default) is answered out of sample, by a model that never heard its
    artist. With ``tune_grid`` the ``C``/``gamma`` of :data:`SVM_GRID` are chosen on the valid
    list (trained on train), then the model is refitted on train + valid.

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
    rows : {"filtered", "all"}
        ``"filtered"``: train on the filtered train + valid lists, test on the test list
        (``metadata["test_accuracy"]``, with its Wilson 95 % interval ``metadata["test_ci"]``);
        ``"all"``: every row (no held-out clip; tuning by seeded 5-fold CV).
    tune_grid : bool
        Tune ``C``/``gamma``; otherwise C=10, gamma="scale".
    seed : int
        Seed of the folds and of the probability calibration.

    Returns
    -------
    SavedModel
    """
    from musicviz._checks import one_of

    from musicviz.datasets import load_feature_table

    rows = one_of(rows, "rows", ("filtered", "all"))
    if table is None or not isinstance(table, pd.DataFrame):
        table = load_feature_table(table)
    X, y = real_gtzan_matrix(table)
    held_out = None
    cv = None
    if rows == "filtered":
        from sklearn.model_selection import PredefinedSplit

        masks = filtered_masks(_track_ids(table, X))
        (X_test, y_test), X, y = (X[masks["test"]], y[masks["test"]]), X[masks["train"]], y[masks["train"]]
        held_out = (X_test, y_test)
        # Tuned on the valid list with a model trained on the train list: artist-conscious, like the split.
        cv = PredefinedSplit(masks["valid"][masks["train"]].astype(int) - 1)
    base = make_svm(log_variance=True, seed=seed)
    params = {"svc__C": 10.0, "svc__gamma": "scale"}
    cv_accuracy = None
    if tune_grid:
        search = tune(base, SVM_GRID, X, y, seed=seed, cv=cv)
        params, cv_accuracy = search.best_params_, round(float(search.best_score_), 3)
    short = {k.split("__")[-1]: v for k, v in params.items()}
    model = make_svm(log_variance=True, probability=True, seed=seed, **short).fit(X, y)
    meta = {
        "name": "svm_real_gtzan",
        "trained_on": (
            "GTZAN features_30_sec.csv, the fault-filtered train + valid lists" if rows == "filtered"
            else "GTZAN features_30_sec.csv (all rows)"
        ),
        "n_train": int(len(y)),
        "params": short,
        "cv_accuracy": cv_accuracy,
    }
    if held_out is not None:
        from musicviz.scores import accuracy_interval

        score = accuracy_interval(held_out[1], model.predict(held_out[0]))
        meta.update(n_test=score.n, test_accuracy=round(score.accuracy, 3), test_ci=[round(score.low, 3), round(score.high, 3)])
    if path is not None:
        return save_model(model, path, **meta)
    import sklearn

    import musicviz

    meta.update(sklearn_version=sklearn.__version__, musicviz_version=musicviz.__version__)
    return SavedModel(model, tuple(X.columns), tuple(model.classes_), meta)


def _track_ids(table, X):
    """The track id of every row of ``X`` (``table``'s ``track_id``, or its ``filename``)."""
    from musicviz.errors import DatasetError

    for column in ("track_id", "filename"):
        if column in table.columns:
            ids = table.loc[X.index, column].astype(str).str.replace(r"\.(au|wav)$", "", regex=True)
            return ids.tolist()
    raise DatasetError("the table names no tracks (no track_id or filename column): pass rows='all'")
