#!/usr/bin/env python
"""Turn every notebook into a reveal.js slide deck (``make slides``): see :mod:`musicviz.course.slides`.

    python scripts/slides.py --out build/slides [--only '0[1-2]*'] [--figures build/figures]
"""

from __future__ import annotations

from musicviz.course.slides import main

if __name__ == "__main__":
    raise SystemExit(main())
