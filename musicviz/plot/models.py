"""Plots of model results: confusion matrices, comparison bars, per-genre reports, k curves.

Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``, ``06_cnn.ipynb``,
``07_classify_your_own_clip.ipynb``.

The helpers are general: any classifier's predictions (scikit-learn or Keras, as genre
names) and any comparison table with one row per model work.
"""

from __future__ import annotations

import numpy as np

from musicviz.errors import ParameterError
from musicviz.plot._helpers import get_axes

__all__ = [
    "plot_confusion_matrix",
    "plot_comparison",
    "plot_per_genre_report",
    "plot_k_curve",
    "plot_contingency",
]

_NORMALIZE = (None, "true", "pred", "all")


def _labels_pair(y_true, y_pred):
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.ndim != 1 or y_pred.ndim != 1:
        raise ParameterError("y_true and y_pred must be 1-D sequences of labels")
    if len(y_true) != len(y_pred):
        raise ParameterError(f"y_true has {len(y_true)} labels but y_pred has {len(y_pred)}: they must match")
    if len(y_true) == 0:
        raise ParameterError("y_true is empty")
    return y_true, y_pred


def plot_confusion_matrix(y_true, y_pred, *, labels, ax=None, normalize="true", cmap="Blues",
                          colorbar: bool = False, values_format=None, title=None, **kwargs):
    """Confusion matrix with genre names: rows are the true genres, columns the predictions.

    Built with scikit-learn's :class:`~sklearn.metrics.ConfusionMatrixDisplay`. With
    ``normalize="true"`` each row sums to 1: the diagonal is the recall of each genre and
    an off-diagonal cell the share of that genre taken for another.

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``, ``06_cnn.ipynb``.

    Parameters
    ----------
    y_true, y_pred : sequence [shape=(n,)]
        True and predicted labels (genre names).
    labels : sequence of str
        Genres in the order of the rows/columns (e.g. ``musicviz.GENRES``).
    ax : matplotlib.axes.Axes or None
        Where to draw (a new figure when None).
    normalize : {"true", "pred", "all", None}
        Share per true genre (rows), per prediction (columns), of everything, or counts.
    cmap : str
        Colour map.
    colorbar : bool
        Add a colour bar.
    values_format : str or None
        Cell format (default ``".2f"`` for shares, ``"d"`` for counts).
    title : str or None
        Axes title.
    **kwargs
        Passed to :meth:`ConfusionMatrixDisplay.plot` (e.g. ``im_kw``, ``text_kw``).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from musicviz.plot.models import plot_confusion_matrix
    >>> ax = plot_confusion_matrix(["rock", "jazz"], ["rock", "rock"], labels=["jazz", "rock"])
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['jazz', 'rock']
    """
    from sklearn.metrics import ConfusionMatrixDisplay

    y_true, y_pred = _labels_pair(y_true, y_pred)
    if labels is None or len(labels) == 0:
        raise ParameterError("labels must name the genres (e.g. labels=musicviz.GENRES)")
    labels = [str(g) for g in labels]
    unknown = sorted((set(y_true.astype(str)) | set(y_pred.astype(str))) - set(labels))
    if unknown:
        raise ParameterError(f"labels lacks {unknown}, which occur in y_true/y_pred")
    if normalize not in _NORMALIZE:
        raise ParameterError(f"normalize must be one of {_NORMALIZE}, got {normalize!r}")
    fig, ax, created = get_axes(ax)
    if values_format is None:
        values_format = "d" if normalize is None else ".2f"
    text_kw = dict(kwargs.pop("text_kw", None) or {})
    display = ConfusionMatrixDisplay.from_predictions(
        y_true.astype(str), y_pred.astype(str), labels=labels, normalize=normalize, display_labels=labels,
        ax=ax, cmap=cmap, colorbar=colorbar, values_format=values_format, xticks_rotation=45, text_kw=text_kw,
        **kwargs
    )
    if normalize is not None:
        display.im_.set_clim(0, 1)
    ax.set_xlabel("predicted genre")
    ax.set_ylabel("true genre")
    for tick in ax.get_xticklabels():
        tick.set_horizontalalignment("right")
    if title:
        ax.set_title(title)
    if created:
        fig.tight_layout()
    if "fontsize" not in text_kw:
        _fit_cell_texts(ax, display.text_.ravel(), len(labels), cm=display.confusion_matrix)
    return ax


def _fit_cell_texts(ax, texts, n_cells, *, cm) -> None:
    """Cell numbers as large as the cells allow (7 to 11 pt), measured at the figure's size;
    zero cells in light grey, so the mistakes stand out."""
    fig = ax.figure
    box = ax.get_window_extent(fig.canvas.get_renderer())
    cell_pt = min(box.width, box.height) / max(n_cells, 1) * 72.0 / fig.dpi
    longest = max((len(t.get_text()) for t in texts), default=1)
    # A digit is about 0.6 em wide: the text must fit the cell's width with a little air.
    size = float(np.clip(min(0.45 * cell_pt, 0.85 * cell_pt / (0.6 * max(longest, 1))), 7.0, 11.0))
    for text, value in zip(texts, np.ravel(cm)):
        text.set_fontsize(size)
        if value == 0:
            text.set_color("0.6")


def plot_comparison(table, *, metric="accuracy", ax=None, errors=None, reference=None, sort: bool = False,
                    decimals: int = 3, title=None, **kwargs):
    """Bar chart of a model comparison table: one group per model, one bar per metric.

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``, ``06_cnn.ipynb``.

    Every bar carries its value, above its error bar. A metric with an interval gets it as an
    asymmetric error bar: ``accuracy`` takes the ``ci_low`` / ``ci_high`` columns of
    :func:`musicviz.baselines.compare_models` (its Wilson 95 % interval) when the table has them,
    any metric ``m`` takes ``m_ci_low`` / ``m_ci_high``, and ``errors`` can name the columns.
    The legend sits outside the axes, to the right; model names
    that would run into each other are broken into lines (before a parenthesis first), value
    labels that would overlap are turned upright, and the y-limit leaves room for the highest
    label, all measured at the figure's size when it is drawn.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per model (the index names them), e.g. from
        :func:`musicviz.baselines.compare_models` or :func:`~musicviz.baselines.cross_validate_models`.
    metric : str or sequence of str
        Column(s) to draw side by side (e.g. ``("accuracy", "macro_f1")``).
    ax : matplotlib.axes.Axes or None
        Where to draw.
    errors : str, sequence or None
        Error bars, one entry per metric: a column of symmetric errors (e.g. ``"accuracy_std"``),
        a ``(low, high)`` pair of columns holding the interval's ends, or None for that metric.
        Default: each metric's interval columns when the table has them (see above).
    reference : float, mapping or None
        Horizontal dashed line(s): a value, or ``{label: value}``.
    sort : bool
        Order models by the first metric, best first.
    decimals : int
        Decimals of the value printed on each bar.
    title : str or None
        Axes title.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.bar`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from musicviz.plot.models import plot_comparison
    >>> t = pd.DataFrame({"accuracy": [0.7, 0.6]}, index=["svm", "knn"])
    >>> ax = plot_comparison(t)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['svm', 'knn']
    >>> t = t.assign(ci_low=[0.52, 0.42], ci_high=[0.83, 0.76])  # Wilson intervals: error bars
    >>> [t.get_text() for t in plot_comparison(t).get_legend().get_texts()]
    ['accuracy', '95 % interval']
    """
    import pandas as pd

    if not isinstance(table, pd.DataFrame) or table.empty:
        raise ParameterError("table must be a non-empty pandas DataFrame with one row per model")
    metrics = [metric] if isinstance(metric, str) else list(metric)
    if not metrics:
        raise ParameterError("metric names no column")
    missing = [m for m in metrics if m not in table.columns]
    if missing:
        raise ParameterError(f"table has no column(s) {missing}; it has {list(table.columns)}")
    errors = _error_columns(table, metrics, errors)
    if sort:
        table = table.sort_values(metrics[0], ascending=False, kind="stable")
    fig, ax, created = get_axes(ax)
    n_models, n_metrics = len(table), len(metrics)
    x = np.arange(n_models)
    width = 0.8 / n_metrics
    top = 0.0
    value_labels = []
    intervals = False
    for i, m in enumerate(metrics):
        values = table[m].to_numpy(dtype=float)
        err = _yerr(table, values, errors[i])
        intervals = intervals or isinstance(errors[i], tuple)
        centres = x + (i - (n_metrics - 1) / 2) * width
        ax.bar(centres, values, width * 0.95, yerr=err, label=m.replace("_", " "),
               capsize=3 if err is not None else 0, error_kw={"elinewidth": 1, "ecolor": "0.2"}, **kwargs)
        upper = values + (err[1] if err is not None else 0)
        for xc, v, u in zip(centres, values, upper):
            # Above the error bar, on a white ground: no whisker, line or bar runs through a value.
            value_labels.append(ax.annotate(
                f"{v:.{decimals}f}", xy=(xc, u), xytext=(0, 2), textcoords="offset points", ha="center",
                va="bottom", fontsize=8, zorder=4,
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}))
        top = max(top, float(np.nanmax(upper)))
    if reference is not None:
        refs = reference.items() if hasattr(reference, "items") else [("reference", reference)]
        for j, (label, value) in enumerate(refs):
            ax.axhline(float(value), color=f"C{n_metrics + j}", linestyle="--", linewidth=1, label=str(label),
                       zorder=1)
            top = max(top, float(value))
    if intervals:
        ax.errorbar([], [], yerr=[], color="0.2", linewidth=1, capsize=3, label="95 % interval")
    ax.set_xticks(x, [str(i) for i in table.index])
    ax.set_ylabel(metrics[0].replace("_", " ") if n_metrics == 1 else "score")
    ax.set_ylim(0, max(1.0, top) * 1.12)
    if n_metrics > 1 or reference is not None or intervals:
        # Outside the axes, to the right: a legend inside would cover bars or their values.
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, frameon=False)
    if title:
        ax.set_title(title)
    if created:
        fig.tight_layout()
    _declutter_bar_chart(ax, value_labels, group_width=1.0)
    if created:
        fig.tight_layout()
    return ax


def _error_columns(table, metrics, errors) -> list:
    """One entry per metric: None, a column of symmetric errors, or a ``(low, high)`` pair."""
    if errors is None:
        found = []
        for m in metrics:
            pair = (f"{m}_ci_low", f"{m}_ci_high")
            if m == "accuracy" and not set(pair) <= set(table.columns):
                pair = ("ci_low", "ci_high")
            found.append(pair if set(pair) <= set(table.columns) else None)
        return found
    errors = [errors] if isinstance(errors, (str, tuple)) else list(errors)
    if len(errors) != len(metrics):
        raise ParameterError(f"give one error entry per metric ({len(metrics)}), got {len(errors)}")
    out = []
    for e in errors:
        if isinstance(e, list):
            e = tuple(e)
        if isinstance(e, tuple) and len(e) != 2:
            raise ParameterError(f"an interval is a (low, high) pair of columns, got {e!r}")
        names = e if isinstance(e, tuple) else (() if e is None else (e,))
        bad = [n for n in names if n not in table.columns]
        if bad:
            raise ParameterError(f"table has no error column(s) {bad}")
        out.append(e)
    return out


def _yerr(table, values, entry):
    """``(2, n)`` error bar lengths (below, above), or None."""
    if entry is None:
        return None
    if isinstance(entry, tuple):
        low, high = (table[c].to_numpy(dtype=float) for c in entry)
        if np.any(low > values + 1e-9) or np.any(high < values - 1e-9):
            raise ParameterError(f"the interval {entry} must hold the value it belongs to (low <= value <= high)")
        return np.vstack([np.clip(values - low, 0, None), np.clip(high - values, 0, None)])
    err = table[entry].to_numpy(dtype=float)
    return np.vstack([err, err])


def _extents(texts, renderer):
    """Window extents (pixels) of the visible, non-empty texts."""
    return [t.get_window_extent(renderer) for t in texts if t.get_visible() and t.get_text()]


def _any_overlap(boxes, *, pad: float = 1.0) -> bool:
    """Whether any two boxes overlap (``pad`` pixels of air required between them)."""
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a.x0 < b.x1 + pad and b.x0 < a.x1 + pad and a.y0 < b.y1 + pad and b.y0 < a.y1 + pad:
                return True
    return False


def _wrap_label(text: str, width: int) -> str:
    """Break a long tick label in lines: before a parenthesis first, then at spaces."""
    import textwrap

    if len(text) <= width:
        return text
    if " (" in text:
        head, tail = text.split(" (", 1)
        return "\n".join([_wrap_label(head, width), _wrap_label("(" + tail, width)])
    return textwrap.fill(text, width=width, break_long_words=False, break_on_hyphens=False)


def _declutter_bar_chart(ax, value_labels, *, group_width: float) -> None:
    """Keep the texts of a bar chart apart, measured at the figure's current size.

    Tick labels that run into each other are broken into lines; value labels that run into
    each other are turned upright; the y-limit is raised until every value label fits inside
    the axes (below the top spine, where no legend or title sits).
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    ticks = ax.get_xticklabels()
    if len(ticks) > 1 and _any_overlap(_extents(ticks, renderer), pad=4.0):
        group_px = abs(ax.transData.transform((group_width, 0))[0] - ax.transData.transform((0, 0))[0])
        char_px = max(np.mean([b.width / max(len(t.get_text()), 1) for t, b in
                               zip(ticks, _extents(ticks, renderer))]), 1.0)
        width = max(6, int(0.9 * group_px / char_px))
        ax.set_xticks(ax.get_xticks(), [_wrap_label(t.get_text(), width) for t in ticks])
    if len(value_labels) > 1 and _any_overlap(_extents(value_labels, renderer)):
        for text in value_labels:
            text.set_rotation(90)
    # Headroom: the highest value label must end below the top of the axes.
    for _ in range(3):
        boxes = _extents(value_labels, renderer)
        if not boxes:
            break
        label_top = max(b.y1 for b in boxes)
        axes_box = ax.get_window_extent(renderer)
        if label_top <= axes_box.y1 - 2:
            break
        bottom, ylim_top = ax.get_ylim()
        per_px = (ylim_top - bottom) / max(axes_box.height, 1.0)
        ax.set_ylim(bottom, ylim_top + (label_top - axes_box.y1 + 4) * per_px * 1.1)
    return ax


def plot_per_genre_report(report, *, metrics=("precision", "recall", "f1-score"), ax=None, title=None):
    """Grouped bars of precision / recall / F1 per genre (a :func:`~musicviz.baselines.per_genre_report`).

    The ``macro avg`` / ``weighted avg`` rows are left out; the macro F1 is drawn as a dashed line.

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``.

    Parameters
    ----------
    report : pandas.DataFrame
        Rows: genres (plus averages); columns include ``metrics``.
    metrics : sequence of str
        Columns to draw.
    ax : matplotlib.axes.Axes or None
    title : str or None

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from musicviz.baselines import per_genre_report
    >>> from musicviz.plot.models import plot_per_genre_report
    >>> ax = plot_per_genre_report(per_genre_report(["a", "b"], ["a", "a"]))
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['a', 'b']
    """
    import pandas as pd

    if not isinstance(report, pd.DataFrame):
        raise ParameterError("report must be a DataFrame from musicviz.baselines.per_genre_report")
    missing = [m for m in metrics if m not in report.columns]
    if missing:
        raise ParameterError(f"report has no column(s) {missing}")
    genres = report.drop(index=[i for i in ("macro avg", "weighted avg", "accuracy", "micro avg") if i in report.index])
    if genres.empty:
        raise ParameterError("report holds no genre rows")
    fig, ax, created = get_axes(ax)
    x = np.arange(len(genres))
    width = 0.8 / len(metrics)
    for i, m in enumerate(metrics):
        ax.bar(x + (i - (len(metrics) - 1) / 2) * width, genres[m].to_numpy(dtype=float), width * 0.95, label=m)
    if "macro avg" in report.index and "f1-score" in report.columns:
        ax.axhline(float(report.loc["macro avg", "f1-score"]), color="0.3", linestyle="--", linewidth=1,
                   label="macro F1")
    ax.set_xticks(x, [str(g) for g in genres.index], rotation=45, ha="right")
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("score")
    # Outside the axes, to the right: above the axes it would collide with the title.
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, frameon=False)
    if title:
        ax.set_title(title)
    if created:
        fig.tight_layout()
    return ax


def plot_k_curve(curve, *, ax=None, title=None):
    """Accuracy of KNN against k (a :func:`~musicviz.baselines.knn_curve` table).

    Draws the cross-validated accuracy with a band of one standard deviation over the
    folds, and the held-out test accuracy when the table has it.

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``.

    Parameters
    ----------
    curve : pandas.DataFrame
        Index ``k``; columns ``cv_accuracy``, ``cv_std`` [, ``test_accuracy``].
    ax : matplotlib.axes.Axes or None
    title : str or None

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from musicviz.plot.models import plot_k_curve
    >>> c = pd.DataFrame({"cv_accuracy": [0.6, 0.7], "cv_std": [0.05, 0.04]}, index=pd.Index([1, 5], name="k"))
    >>> plot_k_curve(c).get_xlabel()
    'k (neighbours)'
    """
    import pandas as pd

    if not isinstance(curve, pd.DataFrame) or "cv_accuracy" not in curve.columns or curve.empty:
        raise ParameterError("curve must be a knn_curve DataFrame with a 'cv_accuracy' column")
    fig, ax, created = get_axes(ax)
    k = np.asarray(curve.index, dtype=float)
    acc = curve["cv_accuracy"].to_numpy(dtype=float)
    ax.plot(k, acc, marker="o", label="cross-validated")
    if "cv_std" in curve.columns:
        std = curve["cv_std"].to_numpy(dtype=float)
        ax.fill_between(k, acc - std, acc + std, alpha=0.2, linewidth=0)
    if "test_accuracy" in curve.columns:
        ax.plot(k, curve["test_accuracy"].to_numpy(dtype=float), marker="s", linestyle="--", label="test set")
    ax.set_xticks(k)
    ax.set_xlabel("k (neighbours)")
    ax.set_ylabel("accuracy")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    if created:
        fig.tight_layout()
    return ax


def plot_contingency(table, *, ax=None, cmap="Greens", title=None):
    """Heat map of a genre x cluster contingency table (:func:`~musicviz.baselines.contingency_table`).

    Notebooks: ``05_baseline_models.ipynb``, ``05b_baselines_on_real_gtzan.ipynb``.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows: genres; columns: clusters; values: clip counts.
    ax : matplotlib.axes.Axes or None
    cmap : str
    title : str or None

    Returns
    -------
    matplotlib.axes.Axes
        An image with a number in each cell (several artists: see the return contract in
        :mod:`musicviz.plot`); the image itself is ``ax.images[0]``.

    Examples
    --------
    >>> from musicviz.baselines import contingency_table
    >>> from musicviz.plot.models import plot_contingency
    >>> ax = plot_contingency(contingency_table(["a", "a", "b"], [0, 0, 1]))
    >>> ax.get_ylabel()
    'genre'
    """
    import pandas as pd

    if not isinstance(table, pd.DataFrame) or table.empty:
        raise ParameterError("table must be a non-empty genre x cluster DataFrame")
    values = table.to_numpy(dtype=float)
    fig, ax, created = get_axes(ax)
    ax.imshow(values, cmap=cmap, aspect="auto")
    threshold = values.max() / 2 if values.size else 0
    for (r, c), v in np.ndenumerate(values):
        if v:
            ax.text(c, r, f"{v:.0f}", ha="center", va="center", fontsize=7,
                    color="white" if v > threshold else "black")
    ax.set_xticks(np.arange(values.shape[1]), [str(c) for c in table.columns], rotation=45, ha="right", fontsize=8)
    ax.set_yticks(np.arange(values.shape[0]), [str(r) for r in table.index])
    ax.set_xlabel("cluster (→ matched genre)")
    ax.set_ylabel("genre")
    if title:
        ax.set_title(title)
    if created:
        fig.tight_layout()
    return ax
