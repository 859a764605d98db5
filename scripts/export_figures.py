#!/usr/bin/env python
"""Export every tagged figure of the series for slides (``make figures``): see :mod:`musicviz.course.figures`.

    python scripts/export_figures.py --out build/figures [--timeout 1800] [NOTEBOOK ...]
"""

from __future__ import annotations

import sys

from musicviz.course.figures import main

if __name__ == "__main__":
    sys.exit(main())
