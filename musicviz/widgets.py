"""Interactive explorers (ipywidgets) that degrade to a static view.

Notebooks: ``01_waveforms`` (clip explorer), ``02_spectrograms`` (STFT window/hop),
``05_baseline_models`` (the k of KNN).

How they degrade: an explorer displays its controls, then the view for the default values as
ordinary cell output (a figure, an audio player, text) under a display id. When a widget
front-end is running (JupyterLab with a kernel), moving a control re-renders the view and
updates those outputs in place. Without a kernel the default view stays, as ordinary output,
so the notebook still shows, and stores, a useful static figure:

- in the HTML pages (``make run``: nbconvert's HTML export) and slides, the controls are drawn
  from the saved widget state by the widget renderer shipped in ``build/assets/`` (no network
  needed), showing the default values; moving them changes nothing, since no kernel runs;
- where no widget renderer runs at all (nbval, a plain terminal, a page without its assets),
  the controls show as their text description (``VBox(children=(HTML(...), Dropdown(...)))``)
  or not at all, and the default view below them is all there is.

Each explorer names its figure (``clip-explorer``, ``stft-explorer``, ``knn-explorer``) so
``make figures`` exports the default view for slides.
"""

from __future__ import annotations

from musicviz.errors import ParameterError
from musicviz.export import tag

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



def _markdown(text: str):
    from IPython.display import Markdown

    return Markdown(text)


def clip_explorer(tracks, *, seconds: float = 5.0) -> None:
    """Pick a genre and a clip; see its waveform and mel spectrogram, and hear it.

    Notebook: ``01_waveforms.ipynb``.

    Parameters
    ----------
    tracks : sequence of :class:`musicviz.datasets.Track`
        The clips to choose from (e.g. ``mv.datasets.scan(...).tracks``).
    seconds : float > 0
        Length of the excerpt shown and played, from the start of the clip.
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt

    from musicviz.audio import load_audio, play
    from musicviz.plot.spectrograms import plot_spectrogram
    from musicviz.plot.waveforms import plot_waveform
    from musicviz.spectrograms import mel_db

    tracks = list(tracks)
    if not tracks:
        raise ParameterError("clip_explorer needs at least one track")
    if not seconds > 0:
        raise ParameterError(f"seconds must be > 0, got {seconds}")
    by_genre: dict[str, list] = {}
    for track in tracks:
        by_genre.setdefault(track.genre, []).append(track)
    genre = w.Dropdown(options=list(by_genre), value=next(iter(by_genre)), description="genre")
    clip = w.Dropdown(options=[t.track_id for t in by_genre[genre.value]], description="clip")

    def follow_genre(change):
        clip.options = [t.track_id for t in by_genre[change["new"]]]
        clip.value = clip.options[0]

    genre.observe(follow_genre, names="value")
    lookup = {t.track_id: t for t in tracks}

    def render(genre, clip):
        track = lookup.get(clip) or by_genre[genre][0]
        y, sr = load_audio(track.path, duration=seconds, min_duration=0.5)
        # One colorbar beside both panels, so the two time axes have the same width and line up.
        fig, (ax_wave, ax_mel) = plt.subplots(2, 1, figsize=(8, 5), sharex=True, layout="constrained")
        plot_waveform(y, sr=sr, ax=ax_wave)
        ax_wave.set_title(f"{track.track_id}: waveform")
        ax_wave.tick_params(labelbottom=True)  # sharex hides the upper panel's numbers
        M_db, times, freqs = mel_db(y, sr=sr)
        image = plot_spectrogram(M_db, times=times, freqs=freqs, yscale="mel", ax=ax_mel, vmin=-80, vmax=0, colorbar=False)
        ax_mel.set_title("mel spectrogram")
        fig.colorbar(image, ax=[ax_wave, ax_mel], label="dBFS", shrink=0.5, anchor=(0, 0))
        tag(fig, "clip-explorer", caption=f"Waveform and mel spectrogram of {track.track_id}.")
        return [fig, play(y, sr=sr)]

    explorer(render, {"genre": genre, "clip": clip}, title="Pick a genre and a clip")


def stft_explorer(y, *, sr: int, start: float = 0.0, seconds: float = 3.0) -> None:
    """Sliders for the STFT window length and hop: the time-frequency trade-off, live.

    Notebook: ``02_spectrograms.ipynb``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples.
    sr : int > 0
        Sample rate.
    start, seconds : float
        The excerpt to analyse (short, so the view redraws quickly).
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt

    from musicviz.audio import segment
    from musicviz.plot.spectrograms import plot_spectrogram
    from musicviz.spectrograms import stft_db

    excerpt = segment(y, sr=sr, start=start, end=min(start + seconds, len(y) / sr))
    n_fft = w.SelectionSlider(options=[256, 512, 1024, 2048, 4096], value=2048, description="n_fft")
    overlap = w.SelectionSlider(options=[2, 4, 8], value=4, description="n_fft / hop")

    def render(n_fft, overlap):
        hop = n_fft // overlap
        S_db, times, freqs = stft_db(excerpt, sr=sr, n_fft=n_fft, hop_length=hop)
        fig, ax = plt.subplots(figsize=(8, 3.5))
        plot_spectrogram(S_db, times=times, freqs=freqs, yscale="log", ax=ax, vmin=-80, vmax=0, fmin=50)
        ax.set_title(f"n_fft = {n_fft}, hop = {hop}")
        fig.tight_layout()
        tag(fig, "stft-explorer", caption=f"Spectrogram with n_fft = {n_fft} and hop = {hop}.")
        text = (
            f"window **{1000 * n_fft / sr:.1f} ms**, hop **{1000 * hop / sr:.1f} ms** → "
            f"frequency resolution **{sr / n_fft:.1f} Hz** per bin"
        )
        return [fig, _markdown(text)]

    explorer(render, {"n_fft": n_fft, "overlap": overlap}, title="STFT window and hop")


def knn_explorer(X_train, y_train, X_test, y_test, *, labels, k_max: int = 25, data: str | None = None) -> None:
    """A slider for the k of KNN: test accuracy and confusion matrix for each k.

    Notebook: ``05_baseline_models.ipynb``.

    Parameters
    ----------
    X_train, X_test : array-like [shape=(n, d)]
        Features (unscaled: the pipeline standardizes them, fitted on the training set).
    y_train, y_test : array-like [shape=(n,)]
        Genre labels.
    labels : sequence of str
        Genre names, in the order of the confusion matrix.
    k_max : int
        Largest k offered (capped by the training set size).
    data : str, optional
        What the clips are (``"synthetic"``, ``"real GTZAN"``), said in the figure's title:
        an exported figure loses the notebook around it.
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt

    from musicviz.baselines import make_knn
    from musicviz.plot.models import plot_confusion_matrix

    if len(X_train) != len(y_train) or len(X_test) != len(y_test):
        raise ParameterError("features and labels must have the same number of rows")
    k_max = max(1, min(int(k_max), len(X_train)))
    k = w.IntSlider(value=min(5, k_max), min=1, max=k_max, description="k")

    def render(k):
        model = make_knn(n_neighbors=k).fit(X_train, y_train)
        predicted = model.predict(X_test)
        accuracy = float((predicted == list(y_test)).mean()) if len(y_test) else float("nan")
        fig, ax = plt.subplots(figsize=(5.5, 5))
        plot_confusion_matrix(y_test, predicted, labels=labels, ax=ax)
        ax.set_title(f"KNN, k = {k}" + (f" ({data} test clips)" if data else ""))
        fig.tight_layout()
        tag(fig, "knn-explorer", caption=f"Confusion matrix of KNN with k = {k}.")
        return [_markdown(f"k = {k}: test accuracy **{accuracy:.3f}**"), fig]

    explorer(render, {"k": k}, title="The k of KNN")
