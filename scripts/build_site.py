#!/usr/bin/env python
"""HTML pages from the stored outputs and ``build/index.html`` (``make html``): see :mod:`musicviz.course.build_site`.

    python scripts/build_site.py [--build build] [--html] [--only '0[1-2]*']
"""

from __future__ import annotations

from musicviz.course.build_site import main

if __name__ == "__main__":
    raise SystemExit(main())
