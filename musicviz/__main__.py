"""``python -m musicviz``: the command line (see :mod:`musicviz.cli`)."""

from musicviz.cli import main

raise SystemExit(main())
