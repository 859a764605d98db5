"""How real do the synthetic clips sound? Ask a model trained on real GTZAN.

Notebook: ``05b_baselines_on_real_gtzan.ipynb`` (and ``musicviz data realism`` on the command line).

Realism is measured, not claimed, with the pieces the course already has:

* the model is :func:`musicviz.baselines.make_svm` (StandardScaler + SVC, ``C=10``) trained on
  the real GTZAN feature table (``features_30_sec.csv``, 1000 clips, the 57 columns of
  :func:`musicviz.baselines.real_gtzan_matrix`);
* the synthetic clips' features come from :func:`musicviz.features.feature_table` (parallel,
  cached, the same columns): a clip that cannot be used (missing, unreadable, silent) is
  skipped and listed in the report, never aborting it;
* the report says how often the real-music model recognises each clip's intended genre.
  Chance is 10 %; the same model reaches about 74 % on held-out *real* clips (random 5-fold CV).

The table is found through ``$MUSICVIZ_GTZAN`` (a folder holding ``features_30_sec.csv``; else
the copy that ships with musicviz) or passed as ``table_csv``. A set's ``metadata.csv`` is
checked: unreadable, lacking ``track_id``/``path``/``genre``, naming an unknown genre or a
path outside the set is a :class:`~musicviz.errors.DatasetError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from musicviz import GENRES
from musicviz._checks import positive_int
from musicviz.errors import DatasetError, FeatureError

__all__ = ["RealismReport", "train_real_model", "synthetic_features", "realism_report", "format_report", "main_realism"]

#: The columns of a synthetic set's ``metadata.csv`` that the report reads.
_METADATA_COLUMNS = ("track_id", "path", "genre")
#: Read when present (sets written since synthetic artists exist), carried into the predictions.
_OPTIONAL_COLUMNS = ("artist",)


@dataclass
class RealismReport:
    """Result of :func:`realism_report`.

    Attributes
    ----------
    predictions : pandas.DataFrame
        One row per synthetic clip scored: ``track_id``, ``path``, ``genre`` (intended),
        ``predicted`` (by the real-GTZAN model), ``recognised`` (bool).
    confusion : pandas.DataFrame
        Counts, intended genre (rows) x predicted genre (columns), all ten genres.
    recall : pandas.Series
        Fraction recognised per intended genre.
    recognised : float
        Fraction of all clips recognised (chance: 0.1).
    table_csv : pathlib.Path
        The real feature table the model was trained on.
    skipped : list of musicviz.datasets.Skipped
        Clips that could not be used (path and reason); they are not in ``predictions``.
    """

    predictions: "object"
    confusion: "object"
    recall: "object"
    recognised: float
    table_csv: Path
    skipped: list = field(default_factory=list)

    @property
    def n_clips(self) -> int:
        return len(self.predictions)


def _table_path(table_csv) -> Path:
    from musicviz.datasets import find_feature_table, gtzan_dir

    found = find_feature_table(table_csv)
    if found is None:
        where = gtzan_dir() if table_csv is None else table_csv
        raise DatasetError(
            f"{where}: no features_30_sec.csv found; point MUSICVIZ_GTZAN at the folder that holds "
            "GTZAN's Kaggle feature table (e.g. ../shared/data)"
        )
    return Path(found)


def train_real_model(table_csv=None, *, C: float = 10.0):
    """Fit :func:`musicviz.baselines.make_svm` (StandardScaler + SVC) on the real GTZAN table.

    Parameters
    ----------
    table_csv : path-like or None
        ``features_30_sec.csv`` or a folder holding it (default: ``$MUSICVIZ_GTZAN``).
    C : float
        SVC regularisation (10 gives 74 % 5-fold CV accuracy on the real table).

    Returns
    -------
    sklearn.pipeline.Pipeline
        Fitted; its ``feature_names_in_`` are the 57 Kaggle columns.

    Raises
    ------
    DatasetError
        No table found, or it cannot be read or lacks feature columns.

    Examples
    --------
    >>> import os
    >>> from musicviz.realism import train_real_model
    >>> model = train_real_model(os.environ.get("MUSICVIZ_GTZAN", "../shared/data"))  # doctest: +SKIP
    >>> len(model.feature_names_in_)  # doctest: +SKIP
    57
    """
    from musicviz.baselines import make_svm, real_gtzan_matrix

    path = _table_path(table_csv)
    try:
        X, y = real_gtzan_matrix(path)
    except FeatureError as exc:
        raise DatasetError(f"{path}: {exc}") from None
    return make_svm(C=C).fit(X, y)


def _read_metadata(meta: Path):
    """The ``track_id, path, genre`` rows of a set's ``metadata.csv``, checked (DatasetError)."""
    import pandas as pd

    try:
        frame = pd.read_csv(meta, dtype=str, keep_default_na=False)
    except (ValueError, UnicodeDecodeError, OSError) as exc:  # pandas' EmptyDataError/ParserError are ValueErrors
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise DatasetError(f"{meta}: not a readable CSV table ({reason})") from None
    missing = [c for c in _METADATA_COLUMNS if c not in frame.columns]
    if missing:
        raise DatasetError(
            f"{meta}: lacks the columns {missing}; a synthetic set's metadata.csv "
            f"(written by `musicviz data synth`) has {list(_METADATA_COLUMNS)}"
        )
    optional = [c for c in _OPTIONAL_COLUMNS if c in frame.columns]
    frame = frame[list(_METADATA_COLUMNS) + optional].reset_index(drop=True)
    for column in _METADATA_COLUMNS + tuple(optional):
        empty = [i + 1 for i, v in enumerate(frame[column]) if not v.strip()]
        if empty:
            raise DatasetError(f"{meta}: row {empty[0]} has no {column} ({len(empty)} such rows)")
    unknown = sorted(set(frame["genre"]) - set(GENRES))
    if unknown:
        raise DatasetError(f"{meta}: unknown genres {unknown[:5]}; a synthetic set holds only {list(GENRES)}")
    return frame


def _inside(root: Path, relative: str) -> bool:
    """Whether ``root / relative`` stays inside ``root`` (no absolute path, ``..`` or link out)."""
    path = Path(relative)
    if path.is_absolute() or ".." in path.parts:
        return False
    return (root / path).resolve().is_relative_to(root.resolve())


def _synthetic_clips(synth_dir: Path):
    """``track_id, path, genre`` of every clip of a set: from ``metadata.csv``, else the folders."""
    import pandas as pd

    meta = synth_dir / "metadata.csv"
    if meta.is_file():
        frame = _read_metadata(meta)
        outside = [(i + 1, p) for i, p in enumerate(frame["path"]) if not _inside(synth_dir, p)]
        if outside:
            row, value = outside[0]
            raise DatasetError(
                f"{meta}: row {row} names the clip {value!r}, outside the set {synth_dir} "
                f"({len(outside)} such rows); clip paths must be relative paths inside the set"
            )
        return frame
    rows = [{"track_id": p.stem, "path": str(p.relative_to(synth_dir)), "genre": g}
            for g in GENRES for p in sorted((synth_dir / g).glob(f"{g}.*.wav"))]
    return pd.DataFrame(rows, columns=list(_METADATA_COLUMNS))


def synthetic_features(synth_dir, *, n_jobs: int = -1, limit_per_genre: int | None = None,
                       cache=True, progress: bool = False):
    """Kaggle-table features of every clip of a synthetic set (one row per clip).

    The features are :func:`musicviz.features.feature_table`'s: computed in parallel, cached
    (a second run reads them from the cache), and a clip that cannot be used is skipped and
    listed in ``attrs["skipped"]`` instead of aborting the table.

    Parameters
    ----------
    synth_dir : path-like
        A folder written by :func:`musicviz.synth.generate_dataset`.
    n_jobs : int
        Worker processes (-1: all cores).
    limit_per_genre : int or None
        Use only the first clips of each genre (quick checks).
    cache : bool or path-like
        The feature cache: True (:func:`musicviz.features.default_cache_dir`), a folder, or
        False (recompute everything, write nothing).
    progress : bool
        Show a progress bar.

    Returns
    -------
    pandas.DataFrame
        ``track_id``, ``path``, ``genre`` and the feature columns of
        :func:`musicviz.features.feature_table` (the 57 Kaggle columns among them);
        ``attrs["skipped"]``: the clips left out, as :class:`musicviz.datasets.Skipped`.

    Raises
    ------
    DatasetError
        No clips, or a ``metadata.csv`` that cannot be read, lacks columns, names an unknown
        genre or a path outside the set.

    Examples
    --------
    >>> import tempfile
    >>> from musicviz.synth import generate_dataset
    >>> from musicviz.realism import synthetic_features
    >>> folder = tempfile.mkdtemp()
    >>> _ = generate_dataset(folder, clips_per_genre=1, duration=4.0, n_jobs=1, progress=False)
    >>> from musicviz.features import KAGGLE_FEATURES
    >>> feats = synthetic_features(folder, n_jobs=1, cache=False)
    >>> len(feats), set(KAGGLE_FEATURES) <= set(feats.columns), feats.attrs["skipped"]
    (10, True, [])
    """
    import pandas as pd

    from musicviz.features import feature_columns, feature_table

    synth_dir = Path(synth_dir)
    clips = _synthetic_clips(synth_dir)
    if limit_per_genre is not None:
        limit = positive_int(limit_per_genre, "limit_per_genre")
        clips = clips.groupby("genre", sort=False).head(limit).reset_index(drop=True)
    if clips.empty:
        raise DatasetError(f"{synth_dir}: no synthetic clips found (run `python -m musicviz data synth --out {synth_dir}`)")
    paths = [synth_dir / p for p in clips["path"]]
    table = feature_table(paths, warn=False, cache=cache, progress=progress, n_jobs=n_jobs)
    skipped = list(table.attrs.get("skipped", []))
    left_out = {str(s.path) for s in skipped}
    used = [str(p) not in left_out for p in paths]
    kept = clips[used].reset_index(drop=True)
    if list(table["filename"]) != [p.name for p, u in zip(paths, used) if u]:
        raise FeatureError(f"{synth_dir}: the feature rows do not match the clips (a bug: please report it)")
    features = pd.concat([kept, table[feature_columns(table)].reset_index(drop=True)], axis=1)
    features.attrs["skipped"] = skipped
    return features


def realism_report(synth_dir, *, table_csv=None, n_jobs: int = -1, limit_per_genre: int | None = None,
                   features=None, cache=True) -> RealismReport:
    """How often a model trained on real GTZAN recognises each synthetic clip's genre.

    Parameters
    ----------
    synth_dir : path-like
        Synthetic set (``metadata.csv`` and ``<genre>/*.wav``).
    table_csv : path-like or None
        Real feature table or its folder (default: ``$MUSICVIZ_GTZAN``).
    n_jobs : int
        Worker processes for feature extraction.
    limit_per_genre : int or None
        Only the first clips of each genre.
    features : pandas.DataFrame or None
        Precomputed :func:`synthetic_features` (skips extraction).
    cache
        The feature cache (see :func:`synthetic_features`).

    Returns
    -------
    RealismReport
        Clips that could not be used are in ``skipped``, not in the scores.

    Raises
    ------
    DatasetError
        No feature table, no synthetic clips, a bad ``metadata.csv``, or no clip usable.

    Examples
    --------
    >>> from musicviz.realism import realism_report, format_report
    >>> report = realism_report("data/synth", table_csv="../shared/data")  # doctest: +SKIP
    >>> print(format_report(report).splitlines()[-1])  # doctest: +SKIP
    realism: recognised 62.5% of 120 synthetic clips
    """
    import pandas as pd

    model = train_real_model(table_csv)
    table = _table_path(table_csv)
    if features is None:
        features = synthetic_features(synth_dir, n_jobs=n_jobs, limit_per_genre=limit_per_genre,
                                      cache=cache)
    skipped = list(features.attrs.get("skipped", []))
    if features.empty:
        reasons = "; ".join(f"{Path(s.path).name}: {s.reason}" for s in skipped[:3])
        raise DatasetError(f"{synth_dir}: none of the {len(skipped)} synthetic clips could be used ({reasons})")
    predicted = model.predict(features[list(model.feature_names_in_)])
    preds = features[list(_METADATA_COLUMNS) + [c for c in _OPTIONAL_COLUMNS if c in features.columns]].copy()
    preds["predicted"] = predicted
    preds["recognised"] = preds["genre"] == preds["predicted"]
    confusion = pd.crosstab(pd.Categorical(preds["genre"], categories=GENRES),
                            pd.Categorical(preds["predicted"], categories=GENRES), dropna=False)
    confusion.index.name, confusion.columns.name = "intended", "predicted"
    present = [g for g in GENRES if (preds["genre"] == g).any()]
    recall = preds.groupby("genre")["recognised"].mean().reindex(present)
    return RealismReport(predictions=preds, confusion=confusion, recall=recall,
                         recognised=float(preds["recognised"].mean()), table_csv=table, skipped=skipped)


def _check_zero_shot(zero_shot) -> dict:
    """The optional second realism figure, checked (ParameterError naming the problem)."""
    import math

    from musicviz.errors import ParameterError

    if not isinstance(zero_shot, dict):
        raise ParameterError(f"zero_shot must be a dict with a 'recognised' fraction, got {type(zero_shot).__name__}")
    value = zero_shot.get("recognised")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not 0 <= value <= 1:
        raise ParameterError(f"zero_shot['recognised'] must be a fraction between 0 and 1, got {value!r}")
    recall = zero_shot.get("recall") or {}
    bad = {g: v for g, v in dict(recall).items()
           if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1}
    if bad:
        raise ParameterError(f"zero_shot['recall'] must map genres to fractions between 0 and 1, got {bad}")
    return zero_shot


def format_report(report: RealismReport, *, zero_shot: dict | None = None) -> str:
    """A plain-text summary; the last line is ``realism: recognised X% of N synthetic clips``.

    Clips that could not be used are listed (path and reason) before the last line.

    Parameters
    ----------
    report : RealismReport
        The SVM's figure (:func:`realism_report`): always the last line.
    zero_shot : dict or None
        An independent second figure, printed just before the last line, e.g. a pretrained
        network's zero-shot agreement: ``{"recognised": fraction, "n_clips": int,
        "model": str, "recall": {genre: fraction}}`` (only ``recognised`` is required).

    Raises
    ------
    ParameterError
        ``zero_shot`` is not a dict, or its fractions are not between 0 and 1.

    Examples
    --------
    >>> import pandas as pd
    >>> from pathlib import Path
    >>> from musicviz.realism import RealismReport, format_report
    >>> preds = pd.DataFrame({"track_id": ["pop.00000"], "path": ["pop/pop.00000.wav"], "genre": ["pop"],
    ...                       "predicted": ["pop"], "recognised": [True]})
    >>> rep = RealismReport(preds, pd.DataFrame(), pd.Series({"pop": 1.0}), 1.0, Path("t.csv"))
    >>> format_report(rep).splitlines()[-1]
    'realism: recognised 100.0% of 1 synthetic clips'
    >>> format_report(rep, zero_shot={"recognised": 0.5, "n_clips": 1, "model": "net"}).splitlines()[-2]
    'zero-shot: net recognised 50.0% of 1 synthetic clips'
    """
    lines = [f"model: StandardScaler + SVC(C=10) trained on {report.table_csv} (real GTZAN, 57 features)",
             "recognised per genre (chance 10%):"]
    for genre, value in report.recall.items():
        lines.append(f"  {genre:<10s} {100 * value:5.1f}%")
    if getattr(report.confusion, "size", 0):
        lines.append("confusion (rows: intended genre, columns: genre the real-GTZAN model heard):")
        lines.append(report.confusion.to_string())
    if report.skipped:
        lines.append(f"skipped {len(report.skipped)} clip(s) that could not be used:")
        lines.extend(f"  {s.path}: {s.reason}" for s in report.skipped)
    if zero_shot is not None:
        zero_shot = _check_zero_shot(zero_shot)
        recall = dict(zero_shot.get("recall") or {})
        if recall:
            lines.append("zero-shot recognised per genre:")
            lines.extend(f"  {genre:<10s} {100 * value:5.1f}%" for genre, value in recall.items())
        model = zero_shot.get("model") or "pretrained model"
        n = zero_shot.get("n_clips", report.n_clips)
        lines.append(f"zero-shot: {model} recognised {100 * zero_shot['recognised']:.1f}% of {n} synthetic clips")
    lines.append(f"realism: recognised {100 * report.recognised:.1f}% of {report.n_clips} synthetic clips")
    return "\n".join(lines)


def main_realism(synth_dir, *, zero_shot: dict | None = None) -> int:
    """Command-line entry (``musicviz data realism [DIR]``): print the report, return 0.

    ``zero_shot`` (see :func:`format_report`) adds a second, independent figure before the
    SVM's last line.

    Examples
    --------
    >>> from musicviz.realism import main_realism
    >>> main_realism("data/synth")  # doctest: +SKIP
    0
    """
    print(format_report(realism_report(synth_dir), zero_shot=zero_shot))
    return 0
