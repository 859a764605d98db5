"""Saved models: a trained model with its feature columns and classes, in a safe file format.

Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``,
``07_classify_your_own_clip.ipynb``.

:func:`save_model` / :func:`load_model`: a trained model saved with its feature column order
and its classes, in the skops format (``.skops``: JSON and ``.npy`` arrays in a zip, never a
pickle, so loading cannot run code; types outside :data:`MODEL_TYPES` are refused, and the
fitted arrays of those that are allowed are checked).
:class:`SavedModel` predicts from a DataFrame (or one clip's feature dict), reordering columns
by name and refusing missing ones. Never load a model file you did not make
(``docs/SECURITY.md``). :func:`models_dir` is :func:`musicviz.config.models_dir`, the folder
the notebooks save to.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from musicviz.baselines._model_checks import (
    COURSE_TYPES,
    check_container,
    check_estimator,
    foreign_types,
    without_search_trees,
)
from musicviz.baselines.inputs import _check_X
from musicviz.config import models_dir
from musicviz.errors import FeatureError, ModelError, OutputError

__all__ = [
    "MODEL_FORMAT",
    "MODEL_SUFFIX",
    "MODEL_TYPES",
    "PICKLE_SUFFIXES",
    "SavedModel",
    "save_model",
    "load_model",
    "models_dir",
    "model_path",
]

#: Version of the saved-model file layout written by :func:`save_model` (2: skops format;
#: 1 was a joblib pickle, which :func:`load_model` refuses).
MODEL_FORMAT = 2

#: Suffix of the model files :func:`save_model` writes: the skops format (a zip of JSON and
#: ``.npy`` files, https://skops.readthedocs.io), which is read without unpickling anything.
MODEL_SUFFIX = ".skops"

#: Suffixes that promise a pickle. :func:`save_model` writes such a name with
#: :data:`MODEL_SUFFIX` instead, and :func:`load_model` never unpickles such a file.
PICKLE_SUFFIXES = (".joblib", ".pkl", ".pickle")

#: Every type a model file may hold besides plain values (dict, list, tuple, text, numbers, None)
#: and numpy arrays: exactly what the models of :mod:`musicviz.baselines.models` contain
#: (:func:`make_svm`, calibrated or not, :func:`make_knn`, :class:`KMeansGenreClassifier`,
#: behind :class:`LogVariance` or not, tuned or not), named by their module path (the musicviz
#: classes set ``__module__ = "musicviz.baselines"``). Nothing else, not even other
#: scikit-learn estimators: :func:`load_model` checks every fitted array the compiled
#: prediction code of these types trusts, and it can only do that for types it knows. A file
#: naming any other type is refused before a single object is built. KNN search trees are
#: deliberately absent: they index raw memory without bounds checks, so they are not stored
#: but rebuilt from the training points on load.
MODEL_TYPES = COURSE_TYPES

#: Largest model file :func:`load_model` opens, and most bytes its zip may unpack to (a course
#: model takes well under 10 MB; a model trained on GTZAN's 3-second table about 10 MB).
MAX_MODEL_BYTES = 256 * 2**20
#: Most a model file may expand when unpacked (skops stores its arrays uncompressed: about 1:1).
MAX_MODEL_RATIO = 20

# First bytes of a pickle (protocol 2+) and of the compressed files joblib writes (zlib,
# gzip, bz2, xz, lzma, lz4): named in the refusal so nobody thinks the file is merely damaged.
_PICKLE_MAGIC = (b"\x80", b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda", b"\x1f\x8b", b"BZh",
                 b"\xfd7zXZ", b"\x5d\x00\x00", b"\x04\x22\x4d\x18", b"ZF0x")
_ZIP_MAGIC = b"PK\x03\x04"
_RULE = "never load a model file you did not make"


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
            "estimator": without_search_trees(self.estimator),
            "feature_columns": list(self.feature_columns),
            "classes": list(self.classes),
            "metadata": metadata,
        }
        try:
            data = sio.dumps(payload)
            foreign = foreign_types(_schema_of(data), MODEL_TYPES)
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
                f"it makes (make_svm, make_knn, KMeansGenreClassifier), as they come or tuned{hint}"
            )
        try:
            atomic_write_bytes(target, data)  # a pipe or device at target: refused, never replaced
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
    if path.is_dir():
        raise ModelError(f"{path}: is a folder, not a model file")
    if not path.is_file():
        raise ModelError(f"{path}: not a regular file (a pipe, a device or a socket), not a model file")
    return path


def _read_model_file(path: Path) -> bytes:
    """The bytes of a model file, its size checked (from ``fstat``) before reading; the
    checks and skops then work on these bytes, so what is checked is what is built."""
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_MODEL_BYTES:
                raise ModelError(
                    f"{path}: {size / 1e6:.1f} MB, more than a model file may hold "
                    f"({MAX_MODEL_BYTES / 1e6:.0f} MB): refused"
                )
            data = handle.read(size + 1)  # not read(MAX_MODEL_BYTES): that allocates the whole limit
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the model file ({exc.strerror or exc})") from None
    if len(data) > size:
        raise ModelError(f"{path}: the file changed while it was being read; load it again")
    return data


def _schema_of(data: bytes) -> bytes:
    """The ``schema.json`` of a skops file's bytes."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("schema.json")


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
    file is checked first, and refused if it is larger than :data:`MAX_MODEL_BYTES`, would
    unpack to more (or more than :data:`MAX_MODEL_RATIO` times its size), or holds any type
    beyond plain values, numpy arrays and :data:`MODEL_TYPES` (the models musicviz makes);
    nothing in it is built before those checks, and pickle/joblib files are never unpickled
    (unpickling runs code from the file). Once built, every fitted array the compiled
    prediction code trusts is checked (shapes, dtypes, ranges). Still, a model decides what your program reports: treat a stranger's model like
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
        The file is missing, not a regular file, too large, is a pickle/joblib file, is not a
        musicviz model, holds a type that is not allowed, is incomplete or inconsistent, or
        was saved with another scikit-learn version (retrain it).

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
    data = _read_model_file(path)
    _refuse_pickle(path, data[:8])
    # Bounded before anything is decoded: size, entries, unpacked bytes and their ratio, and
    # every array's header against its bytes (the file is read once: what is checked is what is built).
    check_container(io.BytesIO(data), path, size=len(data), max_bytes=MAX_MODEL_BYTES, max_ratio=MAX_MODEL_RATIO)
    # Audit first, from the JSON schema alone (nothing imported or built): only the course's
    # types, then skops' own audit on top.
    try:
        refused = foreign_types(_schema_of(data), MODEL_TYPES)
        refused += sorted(set(sio.get_untrusted_types(data=data)) - set(MODEL_TYPES) - set(refused))
    except Exception as exc:  # no schema.json, bad JSON, unknown node types, ...
        raise ModelError(f"{path}: not a readable model file ({type(exc).__name__}: {exc})") from None
    if refused:
        raise ModelError(
            f"{path}: refused: the file holds types musicviz does not load "
            f"({', '.join(refused[:5])}{' ...' if len(refused) > 5 else ''}); musicviz loads only the models it "
            f"makes; {_RULE}"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", category=InconsistentVersionWarning)  # -> ModelError below
            payload = sio.loads(data, trusted=list(MODEL_TYPES))
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
    check_estimator(estimator, path)
    try:
        return SavedModel(estimator, columns, classes, metadata, path=path)
    except ModelError as exc:
        raise ModelError(f"{path}: {exc}") from None
