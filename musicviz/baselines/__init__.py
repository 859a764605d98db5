"""Baseline models on the feature table: SVM, k-nearest neighbours and K-means.

Notebooks: ``05_baseline_models.ipynb`` (the synthetic set) and
``05b_baselines_on_real_gtzan.ipynb`` (GTZAN's Kaggle table ``features_30_sec.csv``).

Everything here is scikit-learn, wrapped so a course notebook stays short and every result is
reproducible. The notebooks use ``from musicviz import baselines as bl`` and ``bl.X``; every
public name of the submodules is here:

=========================================  ==================================================
:mod:`musicviz.baselines.inputs`           :func:`feature_matrix` (the table as ``X, y``), :data:`SEED`
:mod:`musicviz.baselines.models`           :func:`make_svm`, :func:`make_knn`, :func:`make_kmeans`
                                           (seeded pipelines, standardization first),
                                           :class:`LogVariance`, :class:`KMeansGenreClassifier`
                                           with :func:`match_clusters` (Hungarian matching),
                                           :data:`SVM_GRID`, :data:`KNN_GRID`
:mod:`musicviz.baselines.evaluation`       :func:`cross_validate_models`, :func:`knn_curve`,
                                           :func:`grouped_vs_random`,
                                           :func:`tune`, :func:`tuning_table`,
                                           :func:`compare_models`, :func:`per_genre_report`,
                                           :func:`confused_pairs`, :func:`cluster_scores`,
                                           :func:`contingency_table`, :func:`filtered_masks`
:mod:`musicviz.baselines.persistence`      :func:`save_model` / :func:`load_model` (skops
                                           format, never a pickle; types outside
                                           :data:`MODEL_TYPES` are refused), :class:`SavedModel`,
                                           :func:`model_path`, :func:`models_dir`
:mod:`musicviz.baselines.real_gtzan`       :func:`train_real_gtzan_svm` (the model notebook 07
                                           uses on any clip), :func:`real_gtzan_matrix`
=========================================  ==================================================

Each submodule imports only the ones above it in this table (no cycle). Never load a model
file you did not make (``docs/SECURITY.md``).

Input problems (lengths that differ, missing columns, NaN, a single class, too few tracks per
genre for the folds) raise :class:`~musicviz.errors.ParameterError`,
:class:`~musicviz.errors.FeatureError` or :class:`~musicviz.errors.ModelError` with a message
that says what to fix.
"""

from __future__ import annotations

from musicviz.baselines import evaluation as _evaluation
from musicviz.baselines import inputs as _inputs
from musicviz.baselines import models as _models
from musicviz.baselines import persistence as _persistence
from musicviz.baselines import real_gtzan as _real_gtzan
from musicviz.baselines.evaluation import (
    TIME_COLUMNS,
    cluster_scores,
    compare_models,
    confused_pairs,
    contingency_table,
    cross_validate_models,
    filtered_masks,
    grouped_vs_random,
    knn_curve,
    per_genre_report,
    tune,
    tuning_table,
)
from musicviz.baselines.inputs import SEED, feature_matrix
from musicviz.baselines.models import (
    KNN_GRID,
    SVM_GRID,
    KMeansGenreClassifier,
    LogVariance,
    make_kmeans,
    make_knn,
    make_svm,
    match_clusters,
)
from musicviz.baselines.persistence import (
    MODEL_FORMAT,
    MODEL_SUFFIX,
    MODEL_TYPES,
    PICKLE_SUFFIXES,
    SavedModel,
    load_model,
    model_path,
    models_dir,
    save_model,
)
from musicviz.baselines.real_gtzan import real_gtzan_matrix, train_real_gtzan_svm

# Every public name of the submodules, in the order of the table above.
__all__ = [
    *_inputs.__all__,
    *_models.__all__,
    *_evaluation.__all__,
    *_persistence.__all__,
    *_real_gtzan.__all__,
]
