"""Saved models: a safe file format, honest suffixes, clear errors.

A model file must never run code when it is loaded (pickle and joblib files do), every model
musicviz makes must come back with the same predictions, and a bad output location or a
hand-crafted file must give a musicviz error that names the file, never a bare traceback.
"""

from __future__ import annotations

import os
import pickle
import zipfile

import numpy as np
import pandas as pd
import pytest

from musicviz.baselines._model_checks import parts  # the walker the checks use: the test breaks what they see

from musicviz import baselines as bl
from musicviz.errors import ModelError, OutputError

GENRES4 = ("blues", "jazz", "pop", "rock")


@pytest.fixture(scope="module")
def blobs():
    """Four genre blobs, 30 clips each; ``_var`` columns positive (LogVariance takes their log)."""
    rng = np.random.default_rng(0)
    centres = rng.normal(scale=3.0, size=(4, 5))
    X = np.vstack([c + rng.normal(size=(30, 5)) for c in centres])
    X[:, [1, 3]] = np.exp(X[:, [1, 3]] / 3)
    frame = pd.DataFrame(X, columns=["a_mean", "a_var", "b_mean", "b_var", "tempo"])
    y = np.repeat(np.array(GENRES4), 30)
    return frame, y


# --------------------------------------------------------------------------- pickles never run
class _Boom:
    """Unpickling this creates the marker file: proof that the file ran code."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _write_pickle(path, marker, how):
    if how == "pickle":
        path.write_bytes(pickle.dumps({"musicviz_model_format": 1, "estimator": _Boom(marker)}))
    elif how == "joblib":
        import joblib

        joblib.dump({"musicviz_model_format": 1, "estimator": _Boom(marker)}, path)
    else:  # compressed joblib: not even a recognisable pickle header
        import joblib

        joblib.dump(_Boom(marker), path, compress=3)


@pytest.mark.parametrize("how", ["pickle", "joblib", "joblib-compressed"])
@pytest.mark.parametrize("name", ["model.joblib", "model.skops", "model.pkl", "model"])
def test_malicious_pickle_runs_nothing(tmp_path, how, name):
    marker = tmp_path / "pwned"
    path = tmp_path / name
    _write_pickle(path, marker, how)
    with pytest.raises(ModelError) as info:
        bl.load_model(path)
    assert not marker.exists(), "loading the model file ran code from it"
    assert str(path) in str(info.value)


def test_pickle_is_refused_with_a_clear_message(tmp_path):
    import joblib

    path = tmp_path / "svm_real_gtzan.joblib"
    joblib.dump({"hello": 1}, path)
    with pytest.raises(ModelError, match="pickle") as info:
        bl.load_model(path)
    message = str(info.value)
    assert str(path) in message and "save_model" in message and ".skops" in message


class _Sneaky:
    """A type no allow-list names: restoring it would create the marker file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __setstate__(self, state):
        open(state["marker"], "w").close()
        self.__dict__.update(state)


def test_skops_file_with_an_unknown_type_is_refused_before_anything_runs(tmp_path, blobs):
    import skops.io as sio

    X, y = blobs
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.skops"
    payload = {
        "musicviz_model_format": bl.MODEL_FORMAT,
        "estimator": bl.make_knn().fit(X, y),
        "feature_columns": list(X.columns),
        "classes": list(GENRES4),
        "metadata": "{}",
        "extra": _Sneaky(marker),
    }
    sio.dump(payload, path)
    assert not marker.exists()
    with pytest.raises(ModelError, match="_Sneaky") as info:
        bl.load_model(path)
    assert not marker.exists()
    assert str(path) in str(info.value) and "did not make" in str(info.value)


def test_save_refuses_a_model_load_would_refuse(tmp_path, blobs):
    from sklearn.base import BaseEstimator, ClassifierMixin

    X, y = blobs

    class Mine(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            self.classes_ = np.unique(y)
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
            return self

        def predict(self, X):
            return np.full(len(X), self.classes_[0])

    with pytest.raises(ModelError, match="Mine"):
        bl.save_model(Mine().fit(X, y), tmp_path / "mine.skops")
    assert list(tmp_path.iterdir()) == []


def test_rule_is_documented():
    from pathlib import Path

    assert "never load a model file you did not make" in bl.load_model.__doc__.lower()
    security = Path(__file__).resolve().parents[1] / "docs" / "SECURITY.md"
    assert "never load a model file you did not make" in security.read_text().lower()


# --------------------------------------------------------------------------- round trips
MODELS = {
    "svm": lambda: bl.make_svm(),
    "svm-ovo-linear": lambda: bl.make_svm(kernel="linear", decision_function_shape="ovo"),
    "svm-logvar-proba": lambda: bl.make_svm(log_variance=True, probability=True),
    "knn": lambda: bl.make_knn(n_neighbors=3),
    "knn-logvar-distance": lambda: bl.make_knn(log_variance=True, weights="distance"),
    "knn-ball-tree": lambda: bl.make_knn().set_params(kneighborsclassifier__algorithm="ball_tree"),
    "kmeans": lambda: bl.KMeansGenreClassifier(seed=0),
    "kmeans-logvar": lambda: bl.KMeansGenreClassifier(seed=0, log_variance=True),
    "tuned-svm": lambda: bl.tune(bl.make_svm(log_variance=True), {"svc__C": [1.0, 4.0]}, *_blobs()).best_estimator_,
}


def _blobs():
    rng = np.random.default_rng(1)
    X = pd.DataFrame(np.abs(rng.normal(size=(40, 5))) + np.repeat(np.arange(4), 10)[:, None],
                     columns=["a_mean", "a_var", "b_mean", "b_var", "tempo"])
    return X, np.repeat(np.array(GENRES4), 10)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_musicviz_model_round_trips(tmp_path, blobs, name):
    X, y = blobs
    model = MODELS[name]()
    if not hasattr(model, "classes_"):
        model.fit(X, y)
    saved = bl.save_model(model, tmp_path / f"{name}.skops", name=name, cv_accuracy=np.float64(0.5))
    assert saved.path == tmp_path / f"{name}.skops"
    assert zipfile.is_zipfile(saved.path), "a model file must be a skops zip, not a pickle"
    loaded = bl.load_model(saved.path)
    probe = X.sample(frac=1.0, random_state=0)
    np.testing.assert_array_equal(loaded.predict(probe), model.predict(probe))
    assert loaded.classes == GENRES4 and loaded.feature_columns == tuple(X.columns)
    assert loaded.metadata["name"] == name and loaded.metadata["cv_accuracy"] == 0.5
    if hasattr(model, "predict_proba") and name == "svm-logvar-proba":
        pd.testing.assert_frame_equal(loaded.predict_proba(probe), saved.predict_proba(probe))


def test_real_gtzan_svm_recipe_round_trips(tmp_path):
    """train_real_gtzan_svm's model (LogVariance + SVC with calibrated probabilities) on a small table."""
    from musicviz import GENRES
    from musicviz.features import KAGGLE_FEATURES

    rng = np.random.default_rng(2)
    n = 60
    labels = np.array(GENRES)[np.arange(n) % 10]
    values = np.abs(rng.normal(size=(n, len(KAGGLE_FEATURES)))) + (np.arange(n) % 10)[:, None]
    table = pd.DataFrame(values, columns=list(KAGGLE_FEATURES)).assign(label=labels)
    model = bl.train_real_gtzan_svm(table, path=tmp_path / "svm_real_gtzan.skops", rows="all", tune_grid=False)
    loaded = bl.load_model(tmp_path / "svm_real_gtzan.skops")
    np.testing.assert_array_equal(loaded.predict(table), model.predict(table))
    pd.testing.assert_frame_equal(loaded.predict_proba(table), model.predict_proba(table))
    assert loaded.metadata["params"] == {"C": 10.0, "gamma": "scale"}


def test_old_suffix_is_written_and_read_as_skops(tmp_path, blobs):
    X, y = blobs
    saved = bl.save_model(bl.make_knn().fit(X, y), tmp_path / "knn_course.joblib", name="knn")
    assert saved.path == tmp_path / "knn_course.skops"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["knn_course.skops"]
    # A notebook that still names the .joblib file gets the .skops model next to it.
    loaded = bl.load_model(tmp_path / "knn_course.joblib")
    np.testing.assert_array_equal(loaded.predict(X), saved.predict(X))
    # Even when an old pickle of that name is still there: it is never opened.
    marker = tmp_path / "pwned"
    _write_pickle(tmp_path / "knn_course.joblib", marker, "pickle")
    assert bl.load_model(tmp_path / "knn_course.joblib").metadata["name"] == "knn"
    assert not marker.exists()


# --------------------------------------------------------------------------- bad output locations
@pytest.fixture
def fitted(blobs):
    X, y = blobs
    return bl.make_svm().fit(X, y)


def test_save_to_a_folder(tmp_path, fitted):
    folder = tmp_path / "models.skops"
    folder.mkdir()
    with pytest.raises(OutputError, match="folder") as info:
        bl.save_model(fitted, folder)
    assert str(folder) in str(info.value)


def test_save_below_a_file(tmp_path, fitted):
    (tmp_path / "file.txt").write_text("x")
    target = tmp_path / "file.txt" / "m.skops"
    with pytest.raises(OutputError) as info:
        bl.save_model(fitted, target)
    assert str(target) in str(info.value) and "file.txt" in str(info.value)


def test_save_when_the_write_fails(tmp_path, fitted, monkeypatch):
    """Root ignores chmod, so simulate the write itself failing (read-only folder, full disk)."""
    import musicviz._io

    def refuse(path, data):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(musicviz._io, "atomic_write_bytes", refuse)
    with pytest.raises(OutputError, match="Permission denied") as info:
        bl.save_model(fitted, tmp_path / "m.skops")
    assert str(tmp_path / "m.skops") in str(info.value)


def test_save_into_a_read_only_folder_simulated(tmp_path, fitted, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if str(p).startswith(str(locked)) else real_access(p, mode, **kw))
    with pytest.raises(OutputError, match="writ") as info:
        bl.save_model(fitted, locked / "sub" / "m.skops")
    assert str(locked / "sub" / "m.skops") in str(info.value)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into read-only folders")
def test_save_into_a_read_only_folder(tmp_path, fitted):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(OutputError) as info:
            bl.save_model(fitted, locked / "m.skops")
        assert str(locked / "m.skops") in str(info.value)
    finally:
        locked.chmod(0o755)


# --------------------------------------------------------------------------- hand-crafted files
def test_hand_crafted_joblib_file(tmp_path, fitted):
    """Used to raise TypeError (tuple(5)) after unpickling; now refused without unpickling."""
    import joblib

    path = tmp_path / "crafted.joblib"
    joblib.dump({"musicviz_model_format": 1, "estimator": fitted, "feature_columns": 5, "classes": None}, path)
    with pytest.raises(ModelError):
        bl.load_model(path)


def _skops_payload(fitted, **changes):
    payload = {
        "musicviz_model_format": bl.MODEL_FORMAT,
        "estimator": fitted,
        "feature_columns": list(fitted.feature_names_in_),
        "classes": [str(c) for c in fitted.classes_],
        "metadata": "{}",
    }
    payload.update(changes)
    return {k: v for k, v in payload.items() if v is not _DROP}


_DROP = object()


@pytest.mark.parametrize(
    "changes, match",
    [
        ({"feature_columns": 5}, "feature_columns"),
        ({"feature_columns": ["a", 3]}, "feature_columns"),
        ({"classes": None}, "classes"),
        ({"metadata": "not json"}, "metadata"),
        ({"metadata": "[1, 2]"}, "metadata"),
        ({"metadata": 7}, "metadata"),
        ({"estimator": "an estimator"}, "estimator|predict"),
        ({"estimator": bl.make_knn()}, "not fitted"),
        ({"musicviz_model_format": 99}, "format 99"),
        ({"musicviz_model_format": "2"}, "format"),
        ({"classes": _DROP}, "lacks"),
        ({"feature_columns": ["a_mean"]}, "columns"),
    ],
)
def test_hand_crafted_skops_files(tmp_path, fitted, changes, match):
    import skops.io as sio

    path = tmp_path / "crafted.skops"
    sio.dump(_skops_payload(fitted, **changes), path)
    with pytest.raises(ModelError, match=match) as info:
        bl.load_model(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("content", [b"", b"not a model", b"PK\x03\x04 truncated zip", "zip-without-schema", "bare-estimator", "list"])
def test_files_that_are_not_musicviz_models(tmp_path, fitted, content):
    import skops.io as sio

    path = tmp_path / "x.skops"
    if content == "zip-without-schema":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("hello.txt", "hi")
    elif content == "bare-estimator":
        sio.dump(fitted, path)
    elif content == "list":
        sio.dump([1, 2, 3], path)
    else:
        path.write_bytes(content)
    with pytest.raises(ModelError) as info:
        bl.load_model(path)
    assert str(path) in str(info.value)


def test_missing_and_folder(tmp_path):
    with pytest.raises(ModelError, match="no saved model"):
        bl.load_model(tmp_path / "missing.skops")
    with pytest.raises(ModelError, match="folder"):
        bl.load_model(tmp_path)


# --------------------------------------------------------------------------- crafted numeric state
def _crafted(tmp_path, estimator, columns):
    import skops.io as sio

    path = tmp_path / "crafted.skops"
    sio.dump({"musicviz_model_format": bl.MODEL_FORMAT, "estimator": estimator, "feature_columns": list(columns),
              "classes": [str(c) for c in estimator.classes_], "metadata": "{}"}, path)
    return path


def test_knn_search_trees_are_not_stored_but_rebuilt(tmp_path, blobs):
    """KD/ball trees index raw memory without bounds checks: never read from a file."""
    X, y = blobs
    knn = bl.make_knn().fit(X, y)
    inner = knn.named_steps["kneighborsclassifier"]
    assert inner._tree is not None
    saved = bl.save_model(knn, tmp_path / "knn.skops")
    assert inner._tree is not None, "saving must not change the caller's model"
    import skops.io as sio

    assert not [t for t in sio.get_untrusted_types(file=saved.path) if "Tree" in t]
    loaded = bl.load_model(saved.path)
    assert type(loaded.estimator.named_steps["kneighborsclassifier"]._tree).__name__ == "KDTree"
    # A file that does hold a tree is refused before anything is built.
    with pytest.raises(ModelError, match="KDTree"):
        bl.load_model(_crafted(tmp_path, knn, X.columns))


def test_inconsistent_svm_arrays_are_refused(tmp_path, blobs):
    X, y = blobs
    svm = bl.make_svm().fit(X, y)
    svm.named_steps["svc"]._dual_coef_ = svm.named_steps["svc"]._dual_coef_[:, :3].copy()
    with pytest.raises(ModelError, match="inconsistent"):
        bl.load_model(_crafted(tmp_path, svm, X.columns))


def test_inconsistent_kmeans_arrays_are_refused(tmp_path, blobs):
    X, y = blobs
    km = bl.KMeansGenreClassifier(seed=0).fit(X, y)
    kmeans = km.pipeline_.named_steps["kmeans"]
    kmeans.cluster_centers_ = kmeans.cluster_centers_[:, :2].copy()
    with pytest.raises(ModelError, match="inconsistent"):
        bl.load_model(_crafted(tmp_path, km, X.columns))


def test_unknown_neighbour_method_is_refused(tmp_path, blobs):
    X, y = blobs
    knn = bl.make_knn().fit(X, y)
    inner = knn.named_steps["kneighborsclassifier"]
    inner._tree, inner._fit_method = None, "magic"
    with pytest.raises(ModelError, match="not one save_model writes"):
        bl.load_model(_crafted(tmp_path, knn, X.columns))


# --------------------------------------------------------------------------- part 2: every type checked
def test_nusvc_with_inconsistent_arrays_is_refused(tmp_path, blobs):
    """libsvm read about 47 KB past the array for such a NuSVC: only SVC was checked. Now only
    the course's own types load at all, each one fully checked."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import NuSVC

    X, y = blobs
    model = make_pipeline(StandardScaler(), NuSVC()).fit(X, y)
    model[-1]._n_support = (model[-1]._n_support * 50).astype(np.int32)
    with pytest.raises(ModelError, match="NuSVC") as info:
        bl.load_model(_crafted(tmp_path, model, X.columns))
    assert "musicviz loads only the models it makes" in str(info.value)
    with pytest.raises(ModelError, match="NuSVC"):  # and save_model says so up front
        bl.save_model(make_pipeline(StandardScaler(), NuSVC()).fit(X, y), tmp_path / "nusvc.skops")


def test_minibatch_kmeans_with_inconsistent_arrays_is_refused(tmp_path, blobs):
    from sklearn.cluster import MiniBatchKMeans

    X, y = blobs
    km = bl.KMeansGenreClassifier(seed=0).fit(X, y)
    mini = MiniBatchKMeans(n_clusters=4, random_state=0, n_init=1).fit(X.to_numpy())
    mini.cluster_centers_ = mini.cluster_centers_[:, :2].copy()
    km.pipeline_.steps[-1] = ("kmeans", mini)
    with pytest.raises(ModelError, match="MiniBatchKMeans"):
        bl.load_model(_crafted(tmp_path, km, X.columns))


def _break(attribute, value):
    """A change to one fitted attribute of one part (found by type name) of a model; KNN
    search trees are dropped, as save_model does."""
    def change(model):
        for part in parts(model):
            if getattr(part, "_tree", None) is not None:
                part._tree = None
        for part in parts(model):
            if type(part).__name__ == attribute[0] and hasattr(part, attribute[1]):
                setattr(part, attribute[1], value(getattr(part, attribute[1])))
                return model
        raise AssertionError(f"no {attribute} in {model}")

    return change


@pytest.mark.parametrize(
    "make, change",
    [
        (lambda: bl.make_svm(), _break(("SVC", "support_"), lambda a: a.astype(np.int64))),
        (lambda: bl.make_svm(), _break(("SVC", "kernel"), lambda a: "precomputed")),
        (lambda: bl.make_svm(), _break(("StandardScaler", "scale_"), lambda a: a[:2].copy())),
        (lambda: bl.make_svm(probability=True), _break(("_CalibratedClassifier", "calibrators"), lambda a: a[:1])),
        (lambda: bl.make_svm(log_variance=True), _break(("LogVariance", "columns_"), lambda a: [99])),
        (lambda: bl.make_knn(), _break(("KNeighborsClassifier", "_y"), lambda a: a + 7)),
        (lambda: bl.make_knn(), _break(("KNeighborsClassifier", "_fit_X"), lambda a: a[:, :3].copy())),
        (lambda: bl.make_knn(), _break(("KNeighborsClassifier", "n_neighbors"), lambda a: 10_000)),
        (lambda: bl.KMeansGenreClassifier(seed=0), _break(("KMeansGenreClassifier", "cluster_to_label_"),
                                                         lambda a: {0: "blues"})),
        (lambda: bl.KMeansGenreClassifier(seed=0), _break(("KMeans", "n_clusters"), lambda a: 40)),
    ],
    ids=["svc-support-dtype", "svc-precomputed", "scaler-shape", "calibrators", "logvar-columns", "knn-labels",
         "knn-points", "knn-neighbours", "kmeans-mapping", "kmeans-clusters"],
)
def test_every_part_of_a_course_model_is_checked(tmp_path, blobs, make, change):
    X, y = blobs
    model = change(make().fit(X, y))
    with pytest.raises(ModelError, match="inconsistent") as info:
        bl.load_model(_crafted(tmp_path, model, X.columns))
    assert str(tmp_path) in str(info.value)


def _with_member(path, name, write):
    """Rewrite the zip ``path`` with member ``name`` written by ``write(handle)``."""
    import shutil

    copy = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(copy, "w") as new:
        for info in old.infolist():
            if info.filename == name:
                with new.open(zipfile.ZipInfo(name), "w", force_zip64=True) as handle:
                    write(handle)
            else:
                new.writestr(info, old.read(info))
    shutil.move(copy, path)


def _padding_member(path) -> str:
    import json

    with zipfile.ZipFile(path) as archive:
        schema = json.loads(archive.read("schema.json"))
    return schema["content"]["padding"]["file"]


def test_a_small_model_file_that_unpacks_to_a_huge_array_is_refused_before_decoding(tmp_path, fitted):
    """The issue's 1.95 MB .skops carried a 2 GB array (4.1 GB of RAM to load); here 64 MB of
    zeros in a 100 KB file: refused from the zip's directory, nothing allocated."""
    import tracemalloc

    import skops.io as sio

    path = tmp_path / "bomb.skops"
    sio.dump(_skops_payload(fitted, padding=np.zeros(8)), path)
    member = _padding_member(path)
    n = 8 * 2**20

    def write(handle):
        np.lib.format.write_array_header_1_0(handle, {"descr": "<f8", "fortran_order": False, "shape": (n,)})
        block = bytes(2**20)
        for _ in range(8 * n // len(block)):
            handle.write(block)

    _with_member(path, member, write)
    with zipfile.ZipFile(path) as archive:  # rewrite it deflated (as a crafted file would be)
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    del members
    assert path.stat().st_size < 500_000
    tracemalloc.start()
    try:
        with pytest.raises(ModelError, match="unpack") as info:
            bl.load_model(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000, f"{peak / 1e6:.0f} MB"
    assert str(path) in str(info.value)


def test_model_file_size_limit(tmp_path, fitted, monkeypatch):
    from musicviz.baselines import persistence

    saved = bl.save_model(fitted, tmp_path / "m.skops")
    monkeypatch.setattr(persistence, "MAX_MODEL_BYTES", saved.path.stat().st_size - 1, raising=False)
    with pytest.raises(ModelError, match="more than a model file may hold"):
        bl.load_model(saved.path)


def test_an_array_header_must_match_its_bytes(tmp_path, fitted):
    import skops.io as sio

    path = tmp_path / "liar.skops"
    sio.dump(_skops_payload(fitted, padding=np.zeros(8)), path)

    def write(handle):  # says 10**9 floats, holds 8
        np.lib.format.write_array_header_1_0(handle, {"descr": "<f8", "fortran_order": False, "shape": (10**9,)})
        handle.write(bytes(64))

    _with_member(path, _padding_member(path), write)
    with pytest.raises(ModelError, match=r"shape \(1000000000,\)"):
        bl.load_model(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_model_is_never_saved_over_a_pipe(tmp_path, fitted):
    import stat

    fifo = tmp_path / "m.skops"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="named pipe"):
        bl.save_model(fitted, fifo)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    with pytest.raises(ModelError, match="not a regular file"):  # and loading one never blocks
        bl.load_model(fifo)
