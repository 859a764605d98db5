"""Interactive explorers (ipywidgets) that degrade to a static view.

Notebooks: ``01_waveforms`` (clip explorer), ``02_spectrograms`` (STFT window/hop),
``05_baseline_models`` (the k of KNN).

How they degrade: an explorer displays its controls, then the view for the default values as
ordinary cell output (a figure, an audio player, text) under a display id. When a widget
front-end is running, moving a control re-renders the view and updates those outputs in place.
Without one (nbval, nbconvert's HTML export, a plain terminal) the controls render as their
text description and the default view stays: the notebook still shows, and stores, a useful
static figure.
"""

from __future__ import annotations

from musicviz.errors import ParameterError

__all__ = ["explorer", "clip_explorer", "stft_explorer", "knn_explorer"]


def explorer(render, controls: dict, *, title: str = "") -> None:
    """Show ``controls`` and the outputs of ``render(**values)``, re-rendered on change.

    Parameters
    ----------
    render : callable
        Called with one keyword argument per control; returns a list of displayable objects
        (matplotlib figures, ``IPython.display.Audio``, strings, DataFrames). Figures are
        closed after display so they are not shown twice.
    controls : dict
        ``{argument name: ipywidgets value widget}``.
    title : str
        Shown above the controls.

    Returns
    -------
    None
        Everything is displayed; keep references to the control widgets to drive them.

    Examples
    --------
    >>> import ipywidgets as w
    >>> from musicviz.widgets import explorer
    >>> explorer(lambda n: [f"n = {n}"], {"n": w.IntSlider(value=3, min=1, max=5)})  # doctest: +SKIP
    """
    import ipywidgets as w
    from IPython.display import display

    if not controls:
        raise ParameterError("an explorer needs at least one control")
    box = w.VBox(([w.HTML(f"<b>{title}</b>")] if title else []) + list(controls.values()))
    display(box)
    handles = []

    def values():
        return {name: widget.value for name, widget in controls.items()}

    def show(items):
        import matplotlib.pyplot as plt

        for i, item in enumerate(items):
            if i < len(handles):
                handles[i].update(item)
            else:
                handles.append(display(item, display_id=True))
            if hasattr(item, "savefig"):
                plt.close(item)

    show(render(**values()))
    for widget in controls.values():
        widget.observe(lambda _change: show(render(**values())), names="value")

