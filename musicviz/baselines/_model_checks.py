"""What :func:`musicviz.baselines.load_model` checks in a model file, before and after building it.

Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``,
``07_classify_your_own_clip.ipynb`` (through :mod:`musicviz.baselines.persistence`).

A ``.skops`` file is a zip: :func:`check_container` bounds it before anything is decoded (its
size, its number of entries, the bytes it unpacks to and their ratio to the file, and each
array's header against the bytes that hold it). :func:`foreign_types` reads its JSON schema and
names every type in it that is not a plain value, a numpy array or one of
:data:`~musicviz.baselines.MODEL_TYPES`: the course's own models and their scikit-learn parts,
nothing else (scikit-learn has hundreds of estimators, and their compiled prediction loops
trust their fitted arrays; only the ones musicviz makes are checked, so only those are
loaded). :func:`check_estimator` then checks every fitted array the compiled code of those
types relies on, and rebuilds KNN search trees (never stored) from the training points.
"""

from __future__ import annotations

import json
import math
import zipfile
from numbers import Integral, Real

import numpy as np

from musicviz.errors import ModelError

__all__: list[str] = []

#: The types a model file may hold besides plain values (dict, list, tuple, str, numbers, None)
#: and numpy arrays: the models of :mod:`musicviz.baselines.models` (``make_svm`` with or
#: without calibrated probabilities, ``make_knn``, :class:`KMeansGenreClassifier`, behind
#: :class:`LogVariance` or not, tuned or not) and exactly the scikit-learn parts inside them.
COURSE_TYPES = (
    "musicviz.baselines.KMeansGenreClassifier",
    "musicviz.baselines.LogVariance",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.cluster._kmeans.KMeans",
    "sklearn.model_selection._split.StratifiedKFold",
    "sklearn.neighbors._classification.KNeighborsClassifier",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.svm._classes.SVC",
)
_PLAIN = {
    "DictNode": {"builtins.dict"},
    "ListNode": {"builtins.list"},
    "TupleNode": {"builtins.tuple"},
    "JsonNode": {"builtins.str", "builtins.int", "builtins.float", "builtins.bool", "builtins.NoneType"},
}
_NUMPY_SCALARS = {f"numpy.{name}" for name in ("float64", "float32", "int64", "int32", "int16", "int8", "uint64",
                                               "uint32", "uint16", "uint8", "bool_", "str_")}
_SCHEMA_LIMIT = 16 * 2**20  # bytes of schema.json: a course model's takes a few KB
_MAX_ENTRIES = 10_000
_RATIO_FLOOR = 1 << 20


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


# --------------------------------------------------------------------------- the container
def _entries(source) -> int | None:
    """Entries in a zip's central directory, from its end record only (before ZipFile builds
    an object for each), or None when the end record cannot be read."""
    handle = open(source, "rb") if not hasattr(source, "seek") else source
    try:
        end = zipfile._EndRecData(handle)  # the reader ZipFile itself uses (zip64 aware)
    except (OSError, AttributeError, ValueError):
        return None
    finally:
        if handle is not source:
            handle.close()
    return int(end[zipfile._ECD_ENTRIES_TOTAL]) if end else None


def check_container(source, path, *, size: int, max_bytes: int, max_ratio: float) -> None:
    """Refuse a model file whose zip would take more than ``max_bytes`` to unpack (ModelError).

    ``source`` is the file (a path) or its bytes in a file object; ``size`` its length.
    Checked from the zip's directory and the arrays' ``.npy`` headers, before anything is
    decoded: the file size, the number of entries, the unpacked total and its ratio to the
    file's size, and that every array's header (shape x item size) matches its member's size
    (the bytes ``numpy`` allocates for it).
    """
    if size > max_bytes:
        raise ModelError(f"{path}: {_mb(size)}, more than a model file may hold ({_mb(max_bytes)}): refused")
    entries = _entries(source)
    if entries is not None and entries > _MAX_ENTRIES:
        raise ModelError(f"{path}: lists {entries} entries, more than a model file holds ({_MAX_ENTRIES}): refused")
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
            total = sum(max(info.file_size, 0) for info in infos)
            if total > max_bytes or (total >= _RATIO_FLOOR and total > max_ratio * max(size, 1)):
                raise ModelError(
                    f"{path}: would unpack to {_mb(total)} from {_mb(size)} (limits: {_mb(max_bytes)} and a ratio of "
                    f"{max_ratio:g}:1), far more than a course model: refused before decoding"
                )
            for info in infos:
                if info.filename == "schema.json" and info.file_size > _SCHEMA_LIMIT:
                    raise ModelError(f"{path}: its schema.json holds {_mb(info.file_size)}: refused")
                if info.filename.endswith(".npy"):
                    _check_npy(archive, info, path)
    except ModelError:
        raise
    except Exception as exc:  # a damaged zip or .npy header
        raise ModelError(f"{path}: not a readable model file ({type(exc).__name__}: {exc})") from None


def _check_npy(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path) -> None:
    fmt = np.lib.format
    with archive.open(info) as handle:
        version = fmt.read_magic(handle)
        if version == (1, 0):
            shape, _, dtype = fmt.read_array_header_1_0(handle, max_header_size=10_000)
        elif version in ((2, 0), (3, 0)):
            shape, _, dtype = fmt.read_array_header_2_0(handle, max_header_size=10_000)
        else:
            raise ModelError(f"{path}: {info.filename}: .npy format {version}: refused")
        header = handle.tell()
    if dtype.hasobject:
        raise ModelError(f"{path}: {info.filename} holds Python objects: refused")
    if header + math.prod(shape) * dtype.itemsize != info.file_size:
        raise ModelError(
            f"{path}: {info.filename} says it holds a {dtype} array of shape {shape}, but its member has "
            f"{info.file_size} bytes: refused"
        )


def foreign_types(schema_text: bytes | str, allowed) -> list[str]:
    """Every type named in a skops ``schema.json`` that a model file may not hold (sorted).

    Allowed: plain values, numpy arrays and scalars, and the types in ``allowed``, each only
    through the skops loader that builds it; a loader or type outside that (functions,
    methods, operators, random generators, sparse matrices, any other class) is foreign.
    """
    schema = json.loads(schema_text)
    allowed = set(allowed)
    found, stack = set(), [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        stack.extend(node.values())
        if "__class__" not in node and "__loader__" not in node:
            continue
        name = f"{node.get('__module__')}.{node.get('__class__')}"
        loader = node.get("__loader__")
        ok = (
            name in _PLAIN.get(loader, ())
            or (loader == "NdArrayNode" and (name == "numpy.ndarray" or name in _NUMPY_SCALARS))
            or (loader == "TypeNode" and (name in _PLAIN["JsonNode"] or name in _NUMPY_SCALARS))
            or (loader == "ObjectNode" and name in allowed)
        )
        if not ok:
            found.add(name if loader in ("ObjectNode", None) else f"{name} ({loader})")
    return sorted(found)


# --------------------------------------------------------------------------- the estimators
def parts(estimator):
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


def without_search_trees(estimator):
    """A copy of ``estimator`` whose KNN search trees are dropped (load rebuilds them)."""
    import copy

    if not any(getattr(p, "_tree", None) is not None and hasattr(p, "_fit_X") for p in parts(estimator)):
        return estimator
    estimator = copy.deepcopy(estimator)
    for part in parts(estimator):
        if getattr(part, "_tree", None) is not None and hasattr(part, "_fit_X"):
            part._tree = None
    return estimator


class _Bad(Exception):
    """One fitted attribute is not what the model musicviz saves would hold."""


def _array(part, name, *, dtype=None, shape=None, ndim=None, finite=False):
    value = getattr(part, name, None)
    if not isinstance(value, np.ndarray):
        raise _Bad(f"{name} is not an array")
    if dtype is not None and value.dtype != np.dtype(dtype):
        raise _Bad(f"{name} has dtype {value.dtype}, not {np.dtype(dtype)}")
    if ndim is not None and value.ndim != ndim:
        raise _Bad(f"{name} has {value.ndim} dimensions, not {ndim}")
    if shape is not None and value.shape != tuple(shape):
        raise _Bad(f"{name} has shape {value.shape}, not {tuple(shape)}")
    if finite and value.dtype.kind in "fc" and not np.all(np.isfinite(value)):
        raise _Bad(f"{name} holds NaN or infinite values")
    return value


def _int(part, name, *, low=None, high=None) -> int:
    value = getattr(part, name, None)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise _Bad(f"{name} is not an integer")
    if (low is not None and value < low) or (high is not None and value > high):
        raise _Bad(f"{name}={value} is out of range")
    return int(value)


def _real(part, name) -> float:
    value = getattr(part, name, None)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real) or not math.isfinite(value):
        raise _Bad(f"{name} is not a finite number")
    return float(value)


def _choice(part, name, options):
    value = getattr(part, name, None)
    if not isinstance(value, (str, type(None), bool)) or value not in options:
        raise _Bad(f"{name}={value!r} is not one of {options}")
    return value


def _features(part) -> int:
    return _int(part, "n_features_in_", low=1, high=1_000_000)


def _classes(part, name="classes_"):
    classes = _array(part, name, ndim=1)
    if len(classes) < 2 or (classes.dtype.hasobject and not all(isinstance(c, str) for c in classes)):
        raise _Bad(f"{name} must name at least two classes")
    return classes


def _check_pipeline(part):
    steps = part.steps
    if not isinstance(steps, list) or not steps or not all(isinstance(s, tuple) and len(s) == 2 for s in steps):
        raise _Bad("steps is not a list of (name, step) pairs")
    if part.memory is not None or getattr(part, "transform_input", None) is not None:
        raise _Bad("memory / transform_input must be None")
    from sklearn.preprocessing import StandardScaler

    from musicviz.baselines.models import LogVariance

    *transformers, (_, last) = steps
    if not all(isinstance(name, str) for name, _ in steps):
        raise _Bad("step names must be text")
    if not all(type(step) in (StandardScaler, LogVariance) for _, step in transformers):
        raise _Bad("only LogVariance and StandardScaler may come before the model")
    if not hasattr(last, "predict"):
        raise _Bad("the last step does not predict")
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(last)  # NotFittedError is a ValueError: reported as inconsistent
    widths = {_features(step) for _, step in steps if hasattr(step, "n_features_in_")}
    if len(widths) > 1:
        raise _Bad(f"the steps were fit on different numbers of columns {sorted(widths)}")


def _check_scaler(part):
    n = _features(part)
    for name in ("mean_", "var_", "scale_"):
        if getattr(part, name, None) is not None:
            _array(part, name, dtype=np.float64, shape=(n,), finite=True)


def _check_log_variance(part):
    n = _features(part)
    columns = part.columns_
    if not isinstance(columns, list) or not all(isinstance(c, Integral) and 0 <= c < n for c in columns):
        raise _Bad("columns_ must list column numbers below n_features_in_")
    if _real(part, "eps") <= 0:
        raise _Bad("eps must be > 0")


def _check_svc(part):
    n = _features(part)
    classes = _classes(part)
    k = len(classes)
    pairs = k * (k - 1) // 2
    if part._sparse is not False:
        raise _Bad("a sparse SVC is not one save_model writes")
    _choice(part, "kernel", ("linear", "poly", "rbf", "sigmoid"))
    _choice(part, "decision_function_shape", ("ovo", "ovr"))
    _real(part, "_gamma"), _real(part, "coef0")
    _int(part, "degree", low=0, high=100)
    vectors = _array(part, "support_vectors_", dtype=np.float64, ndim=2, finite=True)
    n_sv = vectors.shape[0]
    if vectors.shape[1] != n or not vectors.flags.c_contiguous:
        raise _Bad(f"support_vectors_ has shape {vectors.shape} for {n} features")
    _array(part, "support_", dtype=np.int32, shape=(n_sv,))
    n_support = _array(part, "_n_support", dtype=np.int32, shape=(k,))
    if np.any(n_support < 0) or int(n_support.sum()) != n_sv:
        raise _Bad("_n_support does not add up to the support vectors")
    _array(part, "_dual_coef_", dtype=np.float64, shape=(k - 1, n_sv), finite=True)
    _array(part, "_intercept_", dtype=np.float64, shape=(pairs,), finite=True)
    prob_a = _array(part, "_probA", dtype=np.float64, ndim=1)
    if prob_a.shape not in ((0,), (pairs,)):
        raise _Bad("_probA has the wrong length")
    _array(part, "_probB", dtype=np.float64, shape=prob_a.shape)
    _array(part, "class_weight_", dtype=np.float64, shape=(k,))


def _check_calibrated(part):
    from sklearn.calibration import _CalibratedClassifier, _SigmoidCalibration

    classes = _classes(part)
    _features(part)
    fitted = part.calibrated_classifiers_
    if not isinstance(fitted, list) or not fitted:
        raise _Bad("calibrated_classifiers_ is empty")
    expected = 1 if len(classes) == 2 else len(classes)
    for one in fitted:
        if type(one) is not _CalibratedClassifier or one.method != "sigmoid":
            raise _Bad("not a sigmoid-calibrated classifier")
        if not np.array_equal(np.asarray(one.classes), classes) or not hasattr(one.estimator, "support_vectors_"):
            raise _Bad("its classes or its fitted SVC do not match")
        if not np.array_equal(one.estimator.classes_, classes):
            raise _Bad("the calibrated SVC's classes differ")
        calibrators = one.calibrators
        if not isinstance(calibrators, list) or len(calibrators) != expected:
            raise _Bad(f"{len(calibrators) if isinstance(calibrators, list) else '?'} calibrators for {len(classes)} classes")
        for calibrator in calibrators:
            if type(calibrator) is not _SigmoidCalibration:
                raise _Bad("a calibrator is not a sigmoid")
            _real(calibrator, "a_"), _real(calibrator, "b_")


def _check_knn(part):
    from sklearn.neighbors import BallTree, KDTree

    n = _features(part)
    classes = _classes(part)
    if part.outputs_2d_ is not False:
        raise _Bad("a multi-output KNN is not one save_model writes")
    points = _array(part, "_fit_X", dtype=np.float64, ndim=2, finite=True)
    if points.shape[1] != n:
        raise _Bad(f"_fit_X has shape {points.shape} for {n} features")
    labels = _array(part, "_y", ndim=1, shape=(len(points),))
    if labels.dtype.kind not in "iu" or (len(labels) and (labels.min() < 0 or labels.max() >= len(classes))):
        raise _Bad("_y does not index classes_")
    if _int(part, "n_samples_fit_") != len(points):
        raise _Bad("n_samples_fit_ differs from the training points")
    _int(part, "n_neighbors", low=1, high=len(points))
    _int(part, "leaf_size", low=1, high=1_000_000)
    _choice(part, "weights", ("uniform", "distance"))
    metric = _choice(part, "effective_metric_", ("euclidean", "manhattan", "chebyshev", "minkowski"))
    params = part.effective_metric_params_
    if not isinstance(params, dict) or set(params) - {"p"}:
        raise _Bad("effective_metric_params_ may only give p")
    if metric == "minkowski" and not (isinstance(params.get("p", part.p), Real) and params.get("p", part.p) >= 1):
        raise _Bad("p must be >= 1")
    method = part._fit_method
    if method not in ("brute", "kd_tree", "ball_tree") or getattr(part, "_tree", None) is not None:
        raise _Bad("its search method is not one save_model writes")
    if method != "brute":
        tree = KDTree if method == "kd_tree" else BallTree
        try:
            part._tree = tree(points, part.leaf_size, metric=metric, **params)
        except Exception as exc:  # bad data, leaf size or metric in a crafted file
            raise _Bad(f"its training points cannot be indexed ({exc})") from None


def _check_kmeans(part):
    n = _features(part)
    k = _int(part, "n_clusters", low=1, high=100_000)
    _array(part, "cluster_centers_", dtype=np.float64, shape=(k, n), finite=True)
    _int(part, "_n_threads", low=1, high=4096)


def _check_kmeans_classifier(part):
    from sklearn.cluster import KMeans
    from sklearn.pipeline import Pipeline

    classes = _classes(part)
    _features(part)
    pipeline = part.pipeline_
    if type(pipeline) is not Pipeline or type(pipeline.steps[-1][1]) is not KMeans:
        raise _Bad("pipeline_ is not the standardize + K-means pipeline")
    k = pipeline.steps[-1][1].n_clusters
    mapping = part.cluster_to_label_
    labels = set(classes.tolist())
    if not isinstance(mapping, dict) or set(mapping) != set(range(k)) or not set(mapping.values()) <= labels:
        raise _Bad("cluster_to_label_ does not name a genre for every cluster")


def _check_folds(part):
    _int(part, "n_splits", low=2, high=1000)


def check_estimator(estimator, path) -> None:
    """Check every part of a loaded model against what save_model writes; rebuild KNN trees.

    Each allowed type has its checks: the shapes, dtypes and ranges its prediction code
    relies on (libsvm, the K-means and neighbour searches run compiled loops sized by one
    array over the others, without bounds checks). Raises ModelError naming the part.
    """
    from sklearn.calibration import CalibratedClassifierCV, _CalibratedClassifier, _SigmoidCalibration
    from sklearn.cluster import KMeans
    from sklearn.model_selection import StratifiedKFold
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from musicviz.baselines.models import KMeansGenreClassifier, LogVariance

    checks = {
        Pipeline: _check_pipeline, StandardScaler: _check_scaler, LogVariance: _check_log_variance,
        SVC: _check_svc, CalibratedClassifierCV: _check_calibrated, KNeighborsClassifier: _check_knn,
        KMeans: _check_kmeans, KMeansGenreClassifier: _check_kmeans_classifier, StratifiedKFold: _check_folds,
        _CalibratedClassifier: lambda part: None, _SigmoidCalibration: lambda part: None,  # checked by their owner
    }
    for part in list(parts(estimator)):
        name = type(part).__name__
        check = checks.get(type(part))
        if check is None:
            raise ModelError(f"{path}: holds a {name}, which is not one of the models musicviz saves")
        fitted = any(key.endswith("_") and not key.startswith("__") for key in vars(part)) or type(part) in (
            Pipeline, StratifiedKFold, _CalibratedClassifier)
        if not fitted:
            continue  # an unfitted template (CalibratedClassifierCV.estimator): never used to predict
        try:
            check(part)
        except _Bad as exc:
            raise ModelError(f"{path}: the {name} in it has inconsistent fitted arrays ({exc})") from None
        except (AttributeError, TypeError, ValueError) as exc:
            raise ModelError(f"{path}: the {name} in it has inconsistent fitted arrays ({type(exc).__name__}: {exc})") from None
