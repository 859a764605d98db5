"""``python -m musicviz.grading student|grade ...`` (``make student``, ``make grade``)."""

import sys

from musicviz.grading.cli import main

sys.exit(main())
