"""The checks of every notebook's exercises, one module per notebook (``nbNN.py``).

Each check recomputes the right answer from the course data, so it stays right when the
data set changes (a new seed, real GTZAN). Importing this package registers them all in
:data:`musicviz._exercise_registry.EXERCISES`.
"""

from musicviz._exercise_checks import (  # noqa: F401  (each import registers its checks)
    nb00,
    nb01,
    nb02,
    nb03,
    nb03b,
    nb04,
    nb05,
    nb05b,
    nb06,
    nb07,
    nb08,
)
