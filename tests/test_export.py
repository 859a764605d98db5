"""Tests of musicviz.export: slide presets, reproducible bytes, atomic writes, tag()."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import numpy as np
import pytest

from musicviz import export
from musicviz.errors import ParameterError


@pytest.fixture
def fig():
    figure, (ax1, ax2) = plt.subplots(1, 2, figsize=(6.0, 3.0))
    ax1.plot(np.linspace(0, 1, 50), np.sin(np.linspace(0, 6, 50)), label="sine")
    ax1.set_title("A title")
    ax1.set_xlabel("Time (s)")
    ax1.legend()
    mesh = ax2.pcolormesh(np.random.default_rng(0).random((10, 20)))
    figure.colorbar(mesh, ax=ax2, label="Level (dBFS)")
    return figure


def snapshot(figure):
    from matplotlib.text import Text

    figure.canvas.draw()  # positions as shown (colorbars and layouts are placed at draw time)
    return (
        tuple(figure.get_size_inches()),
        figure.get_dpi(),
        [round(t.get_fontsize(), 6) for t in figure.findobj(Text)],
        [tuple(np.round(ax.get_position().bounds, 4)) for ax in figure.axes],
        [ln.get_linewidth() for ax in figure.axes for ln in ax.lines],
    )


def test_save_figure_writes_all_formats(tmp_path, fig):
    paths = export.save_figure(fig, "demo-figure", out_dir=tmp_path)
    assert [p.name for p in paths] == ["demo-figure.svg", "demo-figure.pdf", "demo-figure.png"]
    assert paths[0].read_bytes().lstrip().startswith(b"<?xml")
    assert paths[1].read_bytes().startswith(b"%PDF")
    assert paths[2].read_bytes().startswith(b"\x89PNG")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)  # no temp files left


@pytest.mark.parametrize("fmt", ["svg", "pdf", "png"])
def test_export_is_byte_reproducible(tmp_path, fig, fmt):
    (first,) = export.save_figure(fig, "a", formats=(fmt,), out_dir=tmp_path / "1")
    (second,) = export.save_figure(fig, "a", formats=(fmt,), out_dir=tmp_path / "2")
    assert first.read_bytes() == second.read_bytes()
    data = first.read_bytes()
    for stamp in (b"CreationDate", b"Matplotlib v", b"<dc:date>"):
        assert stamp not in data


def test_presets_set_slide_size_without_changing_the_figure(tmp_path, fig):
    from PIL import Image

    before = snapshot(fig)
    (wide,) = export.save_figure(fig, "wide", formats=("png",), out_dir=tmp_path)
    (square,) = export.save_figure(fig, "square", preset="4:3", formats=("png",), out_dir=tmp_path)
    assert snapshot(fig) == before  # size, dpi, fonts, layout, line widths restored
    w, h = Image.open(wide).size
    assert w / h == pytest.approx(16 / 9, rel=0.01) and w >= 1900
    w, h = Image.open(square).size
    assert w / h == pytest.approx(4 / 3, rel=0.01)


def test_fonts_are_enlarged_in_the_export(tmp_path, fig):
    seen = {}
    original = fig.savefig

    def spy(*args, **kwargs):
        seen["title"] = fig.axes[0].title.get_fontsize()
        seen["size"] = tuple(fig.get_size_inches())
        return original(*args, **kwargs)

    fig.savefig = spy
    export.save_figure(fig, "fonts", formats=("svg",), out_dir=tmp_path)
    assert seen["title"] >= 18 and seen["size"] == export.PRESETS["16:9"]["size"]
    assert fig.axes[0].title.get_fontsize() < 18


def test_transparent_background(tmp_path, fig):
    from PIL import Image

    (white,) = export.save_figure(fig, "white", formats=("png",), out_dir=tmp_path)
    (clear,) = export.save_figure(fig, "clear", formats=("png",), out_dir=tmp_path, transparent=True)
    assert Image.open(white).convert("RGBA").getpixel((0, 0)) == (255, 255, 255, 255)
    assert Image.open(clear).convert("RGBA").getpixel((0, 0))[3] == 0


def test_failed_write_leaves_no_temp_file(tmp_path, fig, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(fig, "savefig", boom)
    with pytest.raises(RuntimeError):
        export.save_figure(fig, "broken", out_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []
    assert tuple(fig.get_size_inches()) == (6.0, 3.0)  # restored even after a failure


@pytest.mark.parametrize("name", ["Genre Grid", "genre_grid", "", "-x", "x--y", "grid.png", "../up", 3])
def test_bad_names(tmp_path, fig, name):
    with pytest.raises(ParameterError, match="slug"):
        export.save_figure(fig, name, out_dir=tmp_path)
    with pytest.raises(ParameterError, match="slug"):
        export.tag(fig, name)


def test_bad_arguments(tmp_path, fig):
    with pytest.raises(ParameterError, match="preset"):
        export.save_figure(fig, "x", preset="21:9", out_dir=tmp_path)
    with pytest.raises(ParameterError, match="formats"):
        export.save_figure(fig, "x", formats=("jpg",), out_dir=tmp_path)
    with pytest.raises(ParameterError, match="Figure"):
        export.save_figure(fig.axes[0], "x", out_dir=tmp_path)


def test_tag_without_env_writes_nothing(tmp_path, fig, monkeypatch, capsys):
    monkeypatch.delenv(export.FIGURES_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    before = snapshot(fig)
    assert export.tag(fig, "genre-grid", caption="Ten genres.") is None
    assert fig.get_label() == "genre-grid" and fig._musicviz_caption == "Ten genres."
    assert list(tmp_path.iterdir()) == []
    assert capsys.readouterr() == ("", "")
    assert snapshot(fig) == before


@pytest.fixture
def small_fig():
    figure, ax = plt.subplots(figsize=(3.0, 2.0))
    ax.plot([0, 1], [1, 0])
    ax.set_xticks([])
    ax.set_yticks([])
    return figure


def test_tag_with_env_exports(tmp_path, small_fig, monkeypatch, capsys):
    fig = small_fig
    monkeypatch.setenv(export.FIGURES_ENV, str(tmp_path))
    monkeypatch.setenv(export.NOTEBOOK_ENV, "01_waveforms")
    before = snapshot(fig)
    n_figs = len(plt.get_fignums())
    export.tag(fig, "genre-grid", caption="Ten genres.")
    export.tag(fig, "zoom", caption="Fifty milliseconds.")
    folder = tmp_path / "01_waveforms"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{n}.{e}" for n in ("genre-grid", "zoom") for e in ("svg", "pdf", "png")] + ["figures.json"]
    )
    manifest = json.loads((folder / "figures.json").read_text())
    assert [(e["name"], e["caption"]) for e in manifest["figures"]] == [
        ("genre-grid", "Ten genres."),
        ("zoom", "Fifty milliseconds."),
    ]
    assert export.read_manifest(folder) == manifest["figures"]
    assert capsys.readouterr() == ("", "")
    assert snapshot(fig) == before and len(plt.get_fignums()) == n_figs


def test_tag_twice_replaces_and_warns(tmp_path, small_fig, monkeypatch):
    fig = small_fig
    monkeypatch.setenv(export.FIGURES_ENV, str(tmp_path))
    monkeypatch.setenv(export.NOTEBOOK_ENV, "nb")
    export.tag(fig, "same", caption="one")
    with pytest.warns(UserWarning, match="twice"):
        export.tag(fig, "same", caption="two")
    assert [e["caption"] for e in export.read_manifest(tmp_path / "nb")] == ["two"]


def test_tag_rejects_bad_notebook_env(tmp_path, fig, monkeypatch):
    monkeypatch.setenv(export.FIGURES_ENV, str(tmp_path))
    monkeypatch.setenv(export.NOTEBOOK_ENV, "../escape")
    with pytest.raises(ParameterError, match="MUSICVIZ_NOTEBOOK"):
        export.tag(fig, "x")


def test_export_of_a_constrained_grid_restores_layout(tmp_path):
    from musicviz.plot.waveforms import plot_waveform_grid

    axes = plot_waveform_grid({g: np.sin(np.arange(2000) / (5 + i)) for i, g in enumerate("ab")}, sr=1000)
    fig = axes[0].figure
    fig.canvas.draw()
    before = snapshot(fig)
    export.save_figure(fig, "grid", formats=("png",), out_dir=tmp_path)
    fig.canvas.draw()
    assert snapshot(fig) == before


def test_contact_sheet_groups_by_notebook_with_relative_links(tmp_path, small_fig, monkeypatch):
    from musicviz.course.figures import contact_sheet

    monkeypatch.setenv(export.FIGURES_ENV, str(tmp_path))
    monkeypatch.setenv(export.NOTEBOOK_ENV, "01_waveforms")
    export.tag(small_fig, "genre-grid", caption="Ten <genres> & one scale.")
    page = contact_sheet(tmp_path, ["01_waveforms", "02_spectrograms"], {"02_spectrograms": "CellExecutionError: boom"})
    assert '<h2 id="01_waveforms">' in page and '<h2 id="02_spectrograms">' in page
    assert 'src="01_waveforms/genre-grid.png"' in page and 'href="01_waveforms/genre-grid.svg"' in page
    assert "Ten &lt;genres&gt; &amp; one scale." in page
    assert "not exported: CellExecutionError: boom" in page
    assert str(tmp_path) not in page  # relative links only


@pytest.mark.slow  # starts two kernels
def test_a_notebook_run_exports_its_figures_and_a_failed_run_keeps_the_last_export(tmp_path):
    import nbformat

    from musicviz.course.figures import export_figures

    code = ("import matplotlib.pyplot as plt\nfrom musicviz.export import tag\n"
            'fig, ax = plt.subplots()\nax.plot([0, 1])\ntag(fig, "a-line", caption="A line.");')
    path = tmp_path / "01_demo.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)]), path)
    out = tmp_path / "figures"
    run, n = export_figures(path, out, timeout=120)
    assert run.ok and n == 1, run.error
    assert sorted(p.name for p in (out / "01_demo").iterdir()) == ["a-line.pdf", "a-line.png", "a-line.svg", "figures.json"]
    assert run.nb.cells[0].outputs  # the executed notebook (the inline figure) comes back too
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 / 0")]), path)
    run, n = export_figures(path, out, timeout=120)
    assert not run.ok and n == 0 and run.error == "cell 1 raised ZeroDivisionError: division by zero"
    assert export.read_manifest(out / "01_demo")[0]["caption"] == "A line."  # untouched
    assert sorted(p.name for p in out.iterdir()) == ["01_demo"]  # no staging folder left
