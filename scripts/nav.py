#!/usr/bin/env python
"""Write the navigation cells and the tables of contents of the series (``make nav``): see :mod:`musicviz.course.nav`.

    python scripts/nav.py           # make nav: rewrite what is out of date
    python scripts/nav.py --check   # change nothing; exit 1 when anything is out of date
"""

from __future__ import annotations

from musicviz.course.nav import main

if __name__ == "__main__":
    raise SystemExit(main())
