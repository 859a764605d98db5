#!/usr/bin/env python
"""Set up JupyterLab in the course's environment (``make lab``, ``make test``): see :mod:`musicviz.course.lab_setup`.

    python scripts/lab_setup.py [--prefix ENV] [--print]
"""

from __future__ import annotations

from musicviz.course.lab_setup import main

if __name__ == "__main__":
    raise SystemExit(main())
