#!/usr/bin/env python
"""Execute every notebook of the series (``make run``, ``make execute``): see :mod:`musicviz.course.series`.

    python scripts/run_series.py --out build --figures build/figures   # make run (then the site, build/html)
    python scripts/run_series.py --in-place [--only '0[1-3]*']          # make execute
"""

from __future__ import annotations

import sys

from musicviz.course.series import main

if __name__ == "__main__":
    sys.exit(main())
