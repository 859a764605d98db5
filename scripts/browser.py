#!/usr/bin/env python
"""Screenshots of a site page, the site's search results, a slide and the clip explorer (``make screenshots``):
see :mod:`musicviz.course.browser`.

    python scripts/browser.py screenshots [--build build]
"""

from __future__ import annotations

from musicviz.course.browser import main

if __name__ == "__main__":
    raise SystemExit(main())
