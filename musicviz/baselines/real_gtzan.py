"""The real-GTZAN SVM: trained on GTZAN's Kaggle table, applied to any clip's features.

Notebooks: ``05b_baselines_on_real_gtzan.ipynb`` (trains it), ``07_classify_your_own_clip.ipynb``
(loads it). :func:`train_real_gtzan_svm` makes the model notebook 07 uses to classify any clip;
:func:`real_gtzan_matrix` is the table it trains on, which :mod:`musicviz.realism` uses too.
"""

from __future__ import annotations

import pandas as pd

from musicviz.baselines.evaluation import tune
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
    X, y = real_gtzan_matrix(table)
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
