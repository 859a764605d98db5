"""musicviz.baselines: pipelines, cluster matching, evaluation tables, saved models, real GTZAN."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from musicviz import GENRES
from musicviz import baselines as bl
from musicviz.errors import DatasetError, FeatureError, ModelError, ParameterError

GENRES4 = ["blues", "jazz", "metal", "rock"]


@pytest.fixture(scope="module")
def blobs():
    """Four well-separated genre blobs: 30 clips each, 5 named features."""
    from sklearn.datasets import make_blobs

    X, idx = make_blobs(n_samples=120, centers=4, n_features=5, cluster_std=0.6, random_state=0)
    X = pd.DataFrame(np.abs(X) + 0.1, columns=["a_mean", "a_var", "b_mean", "b_var", "tempo"])
    y = np.array(GENRES4)[idx]
    return X, y


@pytest.fixture(scope="module")
def real():
    # The table ships with musicviz: these tests run on every machine.
    from musicviz.datasets import load_feature_table

    table = load_feature_table()
    X, y = bl.feature_matrix(table)
    return table, X, y


# --------------------------------------------------------------------------- pipelines
def test_pipelines_fit_and_predict(blobs):
    X, y = blobs
    for model in (bl.make_svm(), bl.make_knn(), bl.make_svm(log_variance=True), bl.KMeansGenreClassifier()):
        pred = model.fit(X, y).predict(X)
        assert set(pred) <= set(GENRES4)
        assert np.mean(pred == y) > 0.95, type(model).__name__


def test_svm_probability_is_calibrated_and_deterministic(blobs):
    X, y = blobs
    model = bl.make_svm(probability=True, seed=3).fit(X, y)
    p1 = model.predict_proba(X)
    p2 = bl.make_svm(probability=True, seed=3).fit(X, y).predict_proba(X)
    np.testing.assert_allclose(p1.sum(axis=1), 1.0)
    np.testing.assert_array_equal(p1, p2)
    # Separable genres: the probability of the true genre is high, and the most probable genre
    # is the one predict names (columns in the order of classes_).
    true_column = np.searchsorted(model.classes_, y)
    assert p1[np.arange(len(y)), true_column].mean() > 0.8
    assert np.mean(model.classes_[p1.argmax(axis=1)] == model.predict(X)) >= 0.95
    # Features and labels that carry no information: calibrated probabilities stay near 1/4
    # even on the training clips (Platt scaling is fitted on held-out folds; about 0.34 here),
    # where an SVM calibrated on its own training clips is confident (about 0.73).
    noise = pd.DataFrame(np.random.default_rng(0).normal(size=X.shape), columns=X.columns)
    shuffled = np.random.default_rng(0).permutation(y)
    p_random = bl.make_svm(probability=True, seed=3).fit(noise, shuffled).predict_proba(noise)
    assert p_random.max(axis=1).mean() < 0.45


def test_bad_parameters():
    with pytest.raises(ParameterError, match="C must be"):
        bl.make_svm(C=0)
    with pytest.raises(ParameterError, match="n_neighbors"):
        bl.make_knn(n_neighbors=0)
    with pytest.raises(ParameterError, match="n_clusters"):
        bl.make_kmeans(1)


def test_log_variance_only_touches_var_columns(blobs):
    X, _ = blobs
    out = bl.LogVariance().fit(X).transform(X)
    np.testing.assert_allclose(out[:, 0], X["a_mean"])
    np.testing.assert_allclose(out[:, 1], np.log(X["a_var"] + 1e-12))


# --------------------------------------------------------------------------- clustering
def test_hungarian_matching_on_permuted_clusters():
    y = np.random.default_rng(0).permutation(np.repeat(GENRES4, 25))
    perm = {g: c for g, c in zip(GENRES4, [3, 0, 2, 1])}  # cluster ids are a permutation of genres
    clusters = np.array([perm[g] for g in y])
    assert bl.match_clusters(y, clusters) == {3: "blues", 0: "jazz", 2: "metal", 1: "rock"}
    scores = bl.cluster_scores(y, clusters)
    assert scores == {"ari": 1.0, "nmi": 1.0, "purity": 1.0, "matched_accuracy": 1.0}


def test_matching_is_one_to_one_not_majority():
    # Cluster 0 is mostly rock, but cluster 1 is all rock: the one-to-one matching gives rock
    # to cluster 1 and jazz to cluster 0, where a majority vote would name both "rock".
    y = ["rock"] * 3 + ["jazz"] * 2 + ["rock"] * 4
    clusters = [0, 0, 0, 0, 0, 1, 1, 1, 1]
    assert bl.match_clusters(y, clusters) == {0: "jazz", 1: "rock"}
    scores = bl.cluster_scores(y, clusters)
    assert scores["purity"] == round(7 / 9, 3)
    assert scores["matched_accuracy"] == round(6 / 9, 3)


def test_contingency_table_orders_columns_by_genre():
    table = bl.contingency_table(["rock", "rock", "jazz", "blues"], [5, 5, 2, 9], labels=["blues", "jazz", "rock"])
    assert list(table.index) == ["blues", "jazz", "rock"]
    assert list(table.columns) == ["c9→blues", "c2→jazz", "c5→rock"]
    assert np.trace(table.to_numpy()) == 4


def test_kmeans_classifier_recovers_blobs(blobs):
    X, y = blobs
    model = bl.KMeansGenreClassifier(seed=0).fit(X, y)
    assert sorted(model.cluster_to_label_.values()) == GENRES4
    assert np.mean(model.predict(X) == y) == 1.0


# --------------------------------------------------------------------------- evaluation
def test_comparison_table(blobs):
    X, y = blobs
    models = {"svm": bl.make_svm(), "knn": bl.make_knn(), "kmeans": bl.KMeansGenreClassifier()}
    table = bl.compare_models(models, X[:80], y[:80], X[80:], y[80:])
    assert list(table.columns) == ["accuracy", "ci_low", "ci_high", "macro_f1", *bl.TIME_COLUMNS]
    assert (table["ci_low"] <= table["accuracy"]).all() and (table["accuracy"] <= table["ci_high"]).all()
    assert list(table.index) == list(models)
    assert set(table.attrs["predictions"]) == set(models)
    assert table.loc["svm", "accuracy"] == 1.0


def test_cross_validation_is_deterministic(blobs):
    X, y = blobs
    models = {"knn": bl.make_knn(n_neighbors=3)}
    a = bl.cross_validate_models(models, X, y, seed=1)
    b = bl.cross_validate_models(models, X, y, seed=1)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["accuracy", "accuracy_std", "macro_f1", "macro_f1_std"]


class _Slow(ClassifierMixin, BaseEstimator):
    """Predicts the first genre, taking a known time to fit and to predict."""

    def __init__(self, fit_seconds=0.1, predict_seconds=0.3):
        self.fit_seconds = fit_seconds
        self.predict_seconds = predict_seconds

    def fit(self, X, y):
        time.sleep(self.fit_seconds)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        time.sleep(self.predict_seconds)
        return np.full(len(X), self.classes_[0])


def test_comparison_times_fit_and_predict_apart(blobs):
    X, y = blobs
    table = bl.compare_models({"slow": _Slow(0.1, 0.3), "knn": bl.make_knn()}, X[:80], y[:80], X[80:], y[80:])
    fit_s, predict_s = table.loc["slow", list(bl.TIME_COLUMNS)]
    # Each column holds its own step's wall-clock time: at least the sleep, and less than the
    # other step's sleep on top of it (generous upper bounds for a loaded machine).
    assert 0.099 <= fit_s < 0.3, fit_s
    assert 0.299 <= predict_s < 0.5, predict_s
    assert (table.loc["knn", list(bl.TIME_COLUMNS)] < 0.099).all()


@pytest.fixture(scope="module")
def noisy():
    """Four overlapping genre blobs: the number of neighbours matters."""
    from sklearn.datasets import make_blobs

    X, idx = make_blobs(n_samples=120, centers=4, n_features=5, cluster_std=3.0, random_state=0)
    return X, np.array(GENRES4)[idx]


def test_tune_picks_the_best_cross_validated_k(noisy):
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    X, y = noisy
    ks = [1, 3, 5, 9, 15, 25]
    search = bl.tune(bl.make_knn(), {"kneighborsclassifier__n_neighbors": ks}, X, y, seed=0)
    # The same seeded, shuffled, stratified folds, scored without tune:
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    scores = {k: cross_val_score(bl.make_knn(n_neighbors=k), X, y, cv=folds).mean() for k in ks}
    best = max(scores, key=scores.get)
    assert sorted(scores.values())[-2] < scores[best], "the data must single out one k"
    assert best not in (ks[0], ks[-1])  # neither the first nor the last candidate
    assert search.best_params_["kneighborsclassifier__n_neighbors"] == best
    assert search.best_score_ == pytest.approx(scores[best])
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], [scores[k] for k in ks])
    np.testing.assert_array_equal(search.predict(X), bl.make_knn(n_neighbors=best).fit(X, y).predict(X))
    table = bl.tuning_table(search)
    assert list(table.columns) == ["n_neighbors", "cv_accuracy", "cv_std"]
    assert table.loc[0, "n_neighbors"] == best and table.loc[0, "cv_accuracy"] == round(scores[best], 3)


def test_knn_curve_and_tune_errors(blobs):
    X, y = blobs
    curve = bl.knn_curve(X[:80], y[:80], ks=(1, 3), X_test=X[80:], y_test=y[80:])
    assert list(curve.columns) == ["cv_accuracy", "cv_std", "test_accuracy"]
    with pytest.raises(ParameterError, match="lacks"):
        bl.tune(bl.make_knn(), {"svc__C": [1]}, X, y)


def test_reports(blobs):
    y_true = ["rock", "rock", "metal", "metal", "jazz"]
    y_pred = ["rock", "metal", "metal", "metal", "rock"]
    report = bl.per_genre_report(y_true, y_pred, labels=["jazz", "metal", "rock"])
    assert list(report.index) == ["jazz", "metal", "rock", "macro avg", "weighted avg"]
    assert report.loc["metal", "recall"] == 1.0 and report.loc["rock", "support"] == 2
    pairs = bl.confused_pairs(y_true, y_pred)
    assert pairs.iloc[0][["true", "predicted"]].tolist() == ["jazz", "rock"]
    assert len(pairs) == 2


def _artist_table(offset: float, *, seed: int = 0):
    """Four genres x 6 artists x 5 clips. Each artist adds its own random offset (its
    "production", size ``offset``) to a weak genre signal: a model that has heard the artist
    recognises the offset, a model that has not must rely on the genre signal."""
    rng = np.random.default_rng(seed)
    n_genres, n_artists, n_clips, n_features = 4, 6, 5, 6
    artists = np.repeat(np.arange(n_genres * n_artists), n_clips)
    genre_idx = artists // n_artists
    genre_signal = 1.0 * np.eye(n_genres, n_features)[genre_idx]
    production = rng.normal(0.0, 1.0, (n_genres * n_artists, n_features))[artists]
    X = genre_signal + offset * production + rng.normal(0.0, 0.3, (len(artists), n_features))
    return X, np.array(GENRES4)[genre_idx], np.array([f"artist_{a}" for a in artists])


@pytest.mark.parametrize("make", [bl.make_svm, lambda: bl.make_knn(n_neighbors=1)], ids=["svm", "1nn"])
def test_grouped_folds_score_lower_when_groups_share_a_production(make):
    X, y, artists = _artist_table(offset=3.0)
    table = bl.grouped_vs_random(make(), X, y, artists, n_splits=3, seed=0)
    # Random folds put clips of every artist on both sides: the artist's offset gives the genre away.
    # Grouped folds test on unheard artists, whose offsets are noise ten times the genre signal's.
    assert table.loc["random", "mean"] >= 0.9, table
    assert table.loc["grouped", "mean"] <= table.loc["random", "mean"] - 0.3, table
    assert table.attrs["gap"] == pytest.approx(table.loc["random", "mean"] - table.loc["grouped", "mean"])


def test_grouped_and_random_folds_agree_when_groups_share_nothing():
    # The control: the same table without artist offsets. The scheme alone makes no gap.
    X, y, artists = _artist_table(offset=0.0)
    table = bl.grouped_vs_random(bl.make_svm(), X, y, artists, n_splits=3, seed=0)
    assert abs(table.attrs["gap"]) <= 0.1, table


def test_grouped_vs_random_table_and_determinism():
    X, y, artists = _artist_table(offset=3.0)
    a = bl.grouped_vs_random(bl.make_knn(), X, y, artists, n_splits=4, seed=2)
    b = bl.grouped_vs_random(bl.make_knn(), X, y, artists, n_splits=4, seed=2)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.index) == ["random", "grouped"] and a.index.name == "scheme"
    folds = [f"fold {i}" for i in range(1, 5)]
    assert list(a.columns) == [*folds, "mean", "std"]
    assert ((a[folds] >= 0) & (a[folds] <= 1)).all().all()
    # mean and std are over the folds (ddof=0); the folds are rounded, hence the tolerance.
    np.testing.assert_allclose(a["mean"], a[folds].mean(axis=1), atol=1e-3)
    np.testing.assert_allclose(a["std"], a[folds].std(axis=1, ddof=0), atol=1e-3)
    # The random scheme's folds are cross_validate_models' folds (same seed).
    cv = bl.cross_validate_models({"knn": bl.make_knn()}, X, y, n_splits=4, seed=2)
    assert a.loc["random", "mean"] == cv.loc["knn", "accuracy"]


def test_grouped_vs_random_errors():
    X, y, artists = _artist_table(offset=1.0)
    with pytest.raises(ParameterError, match="groups has 119 entries but X has 120 rows"):
        bl.grouped_vs_random(bl.make_knn(), X, y, artists[:-1])
    with pytest.raises(ParameterError, match="rows but y has"):
        bl.grouped_vs_random(bl.make_knn(), X, y[:-1], artists)
    with pytest.raises(ModelError, match="groups holds 3 distinct group.*at least 5"):
        bl.grouped_vs_random(bl.make_knn(), X, y, np.arange(len(y)) % 3)
    with pytest.raises(ModelError, match="at least 31 examples"):
        bl.grouped_vs_random(bl.make_knn(), X, y, artists, n_splits=31)
    with pytest.raises(ParameterError, match="n_splits"):
        bl.grouped_vs_random(bl.make_knn(), X, y, artists, n_splits=1)
    with pytest.raises(ParameterError, match="groups contains missing"):
        bl.grouped_vs_random(bl.make_knn(), X, y, np.array([None, *artists[1:]], dtype=object))
    with pytest.raises(ParameterError, match="model must be a scikit-learn estimator"):
        bl.grouped_vs_random("svm", X, y, artists)


# --------------------------------------------------------------------------- bad input
def test_bad_inputs_raise_musicviz_errors(blobs):
    X, y = blobs
    with pytest.raises(ParameterError, match="rows but y has"):
        bl.cross_validate_models({"knn": bl.make_knn()}, X, y[:-1])
    with pytest.raises(ModelError, match="1 class"):
        bl.compare_models({"svm": bl.make_svm()}, X, np.full(len(y), "rock"), X, y)
    nan = X.copy()
    nan.iloc[3, 2] = np.nan
    with pytest.raises(FeatureError, match="NaN"):
        bl.compare_models({"svm": bl.make_svm()}, nan, y, X, y)
    with pytest.raises(ModelError, match="at least 5 examples"):
        bl.cross_validate_models({"knn": bl.make_knn()}, X[:12], y[:12])
    with pytest.raises(FeatureError, match="lacks 1"):
        bl.feature_matrix(X.assign(label=y), columns=["a_mean", "zzz"])
    with pytest.raises(ParameterError, match="must match"):
        bl.match_clusters(["a", "b"], [0])


# --------------------------------------------------------------------------- saved models
def test_save_load_round_trip_and_columns(blobs, tmp_path):
    X, y = blobs
    model = bl.make_svm(probability=True).fit(X, y)
    saved = bl.save_model(model, tmp_path / "m" / "svm.joblib", name="svm")
    loaded = bl.load_model(tmp_path / "m" / "svm.joblib")
    assert loaded.feature_columns == tuple(X.columns)
    assert loaded.classes == tuple(GENRES4)
    assert loaded.metadata["name"] == "svm"
    np.testing.assert_array_equal(loaded.predict(X), saved.predict(X))
    # Columns in another order (plus an extra one) are reordered by name.
    shuffled = X[X.columns[::-1]].assign(extra=1.0)
    np.testing.assert_array_equal(loaded.predict(shuffled), model.predict(X))
    pd.testing.assert_frame_equal(loaded.predict_proba(shuffled), saved.predict_proba(X))
    # One clip as a dict.
    assert loaded.predict(X.iloc[0].to_dict())[0] == model.predict(X.iloc[[0]])[0]
    with pytest.raises(FeatureError, match="missing.*'tempo'"):
        loaded.predict(X.drop(columns="tempo"))
    with pytest.raises(FeatureError, match="DataFrame"):
        loaded.predict(X.to_numpy())
    with pytest.raises(FeatureError, match="NaN"):
        loaded.predict(X.assign(tempo=np.nan))
    assert not list((tmp_path / "m").glob(".*tmp"))  # atomic write left no temporary


def test_load_model_errors(tmp_path, blobs):
    X, y = blobs
    with pytest.raises(ModelError, match="no saved model"):
        bl.load_model(tmp_path / "missing.joblib")
    (tmp_path / "junk.skops").write_bytes(b"not a model")
    with pytest.raises(ModelError, match="not a readable model"):
        bl.load_model(tmp_path / "junk.skops")
    import joblib
    import skops.io

    # Models are skops files now; a pickle (joblib) is refused, never unpickled.
    joblib.dump({"hello": 1}, tmp_path / "other.joblib")
    with pytest.raises(ModelError, match="pickle"):
        bl.load_model(tmp_path / "other.joblib")
    skops.io.dump({"hello": 1}, tmp_path / "other.skops")
    with pytest.raises(ModelError, match="not a musicviz model"):
        bl.load_model(tmp_path / "other.skops")
    with pytest.raises(ModelError, match="not fitted"):
        bl.save_model(bl.make_svm(), tmp_path / "x.joblib")
    with pytest.raises(ModelError, match="feature_columns"):
        bl.save_model(bl.make_svm().fit(X.to_numpy(), y), tmp_path / "x.joblib")
    no_proba = bl.save_model(bl.make_svm().fit(X, y), tmp_path / "np.joblib")
    with pytest.raises(ModelError, match="probabilities"):
        no_proba.predict_proba(X)


# --------------------------------------------------------------------------- real GTZAN
@pytest.mark.slow
def test_reference_numbers_on_real_gtzan(real):
    table, X, y = real
    assert X.shape == (1000, 57)
    cv = bl.cross_validate_models({"svm": bl.make_svm(C=10), "knn": bl.make_knn(n_neighbors=5)}, X, y, seed=0)
    assert 0.72 <= cv.loc["svm", "accuracy"] <= 0.76
    assert 0.65 <= cv.loc["knn", "accuracy"] <= 0.70
    masks = bl.filtered_masks(table["track_id"])
    assert (masks["train"].sum(), masks["test"].sum()) == (640, 290)
    filt = bl.compare_models({"svm": bl.make_svm(C=10), "knn": bl.make_knn()},
                             X[masks["train"]], y[masks["train"]], X[masks["test"]], y[masks["test"]])
    assert 0.46 <= filt.loc["svm", "accuracy"] <= 0.51
    assert 0.40 <= filt.loc["knn", "accuracy"] <= 0.45
    clusters = bl.make_kmeans(10, seed=0).fit(X).named_steps["kmeans"].labels_
    assert 0.14 <= bl.cluster_scores(y, clusters)["ari"] <= 0.19


@pytest.mark.slow
def test_tuned_svm_beats_reference_on_filtered_split(real):
    table, X, y = real
    masks = bl.filtered_masks(table["track_id"])
    search = bl.tune(bl.make_svm(log_variance=True), bl.SVM_GRID, X[masks["train"]], y[masks["train"]])
    acc = np.mean(search.predict(X[masks["test"]]) == y[masks["test"]])
    assert acc >= 0.50


@pytest.mark.slow
def test_real_gtzan_svm_classifies_clip_features(real, tmp_path):
    table, X, y = real
    model = bl.train_real_gtzan_svm(table, path=tmp_path / "svm_real_gtzan.joblib", tune_grid=False)
    loaded = bl.load_model(tmp_path / "svm_real_gtzan.joblib")
    assert loaded.classes == GENRES
    clip = table.iloc[0].to_dict()  # a clip's {column: value} dict, as extract_clip_features gives
    proba = loaded.predict_proba(clip)
    assert list(proba.columns) == list(GENRES) and proba.shape == (1, 10)
    assert loaded.predict(clip)[0] == model.predict(clip)[0]
    # Trained on the filtered train + valid lists only, scored once on the test list (out of sample).
    masks = bl.filtered_masks(table["track_id"])
    meta = loaded.metadata
    assert (meta["n_train"], meta["n_test"]) == (masks["train"].sum(), masks["test"].sum()) == (640, 290)
    test_acc = np.mean(loaded.predict(table[masks["test"]]) == y[masks["test"]])
    assert meta["test_accuracy"] == pytest.approx(test_acc, abs=1e-3)
    assert meta["test_ci"][0] < test_acc < meta["test_ci"][1] and 0.4 < test_acc < 0.7
    assert np.mean(loaded.predict(table[masks["train"]]) == y[masks["train"]]) > test_acc + 0.2  # seen vs unseen


def test_filtered_masks_errors():
    with pytest.raises(DatasetError, match="none of the track ids"):
        bl.filtered_masks(["x.00001"], {"train": ["a.00001"], "valid": [], "test": ["a.00002"]})
    with pytest.raises(ParameterError, match="'valid'"):
        bl.filtered_masks(["a.00001"], {"train": ["a.00001"], "test": []})


def test_log_variance_pipeline_refuses_reordered_columns():
    import numpy as np
    import pandas as pd

    from musicviz import baselines as bl
    from musicviz.errors import FeatureError

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.uniform(0.1, 1, size=(40, 3)), columns=["a_mean", "a_var", "b_var"])
    y = np.array(["rock", "jazz"] * 20)
    model = bl.make_svm(log_variance=True).fit(X, y)
    assert len(model.predict(X)) == 40
    with pytest.raises(FeatureError, match="order"):
        model.predict(X[["b_var", "a_mean", "a_var"]])


# --------------------------------------------------------------------------- the subpackage
SUBMODULES = ("inputs", "models", "evaluation", "_model_checks", "persistence", "real_gtzan")


def test_submodules_import_one_way():
    """No import cycle: each submodule imports only the siblings before it, never the package."""
    import ast
    from pathlib import Path

    folder = Path(bl.__file__).parent
    assert sorted(p.stem for p in folder.glob("*.py")) == sorted(("__init__", *SUBMODULES))
    for i, name in enumerate(SUBMODULES):
        source = (folder / f"{name}.py").read_text()
        assert len(source.splitlines()) <= 600, f"{name}.py has grown past 600 lines: split it"
        tree = ast.parse(source)
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert "musicviz.baselines" not in imported, f"{name}.py imports the package it is part of"
        siblings = {m.split(".")[2] for m in imported if m.startswith("musicviz.baselines.")}
        assert siblings <= set(SUBMODULES[:i]), f"{name}.py imports {sorted(siblings - set(SUBMODULES[:i]))}"


def test_a_submodule_imports_in_a_fresh_interpreter():
    """Importing any submodule first runs the package, which imports them all: one run covers it."""
    import subprocess
    import sys

    code = "import sys, musicviz.baselines.persistence; assert 'musicviz.baselines.real_gtzan' in sys.modules"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


def test_package_reexports_every_public_name():
    import importlib

    for name in SUBMODULES:
        module = importlib.import_module(f"musicviz.baselines.{name}")
        for public in module.__all__:
            assert public in bl.__all__, f"{name}.{public} is not in musicviz.baselines.__all__"
            assert getattr(bl, public) is getattr(module, public)
    assert len(set(bl.__all__)) == len(bl.__all__) and all(hasattr(bl, n) for n in bl.__all__)
    from musicviz.config import models_dir

    assert bl.models_dir is models_dir


def test_saved_classes_keep_their_public_name():
    """Model files name the classes they hold; the allow-list and older files use these names."""
    for cls in (bl.LogVariance, bl.KMeansGenreClassifier):
        assert f"{cls.__module__}.{cls.__qualname__}" in bl.MODEL_TYPES

