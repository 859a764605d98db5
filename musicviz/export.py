"""Figure names and figure export for slides.

Notebooks: every notebook (each figure it shows gets a stable name via :func:`tag`).

(Initial contract; the full export machinery is being written.)
"""

from __future__ import annotations

import os

__all__ = ["FIGURES_ENV", "NOTEBOOK_ENV", "tag"]

FIGURES_ENV = "MUSICVIZ_FIGURES_DIR"
NOTEBOOK_ENV = "MUSICVIZ_NOTEBOOK"


def tag(fig, name: str, *, caption: str = "") -> None:
    """Give a notebook figure its stable name (and export it when an export run asks).

    Displays nothing and changes nothing the notebook shows or stores.
    """
    fig.set_label(name)
    fig._musicviz_caption = caption  # read back by the exporter
    if os.environ.get(FIGURES_ENV):
        pass  # export wiring is added with save_figure
