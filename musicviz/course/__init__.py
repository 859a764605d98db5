"""The course tooling: running the notebook series and building what it shows.

Notebook: every notebook (they are run, exported and graded with it); for the course's
authors and instructors, not students.

One runner executes notebooks, for every job that executes them:

=========================================  =================================================
module                                     what it does
=========================================  =================================================
:mod:`musicviz.course.runner`              :func:`~musicviz.course.runner.run_notebook`: one
                                           notebook in a fresh kernel (cwd ``notebooks/``,
                                           timeouts, extra environment, cells run after it),
                                           the real-audio output policy, the key numbers
:mod:`musicviz.course.series`              ``make run`` / ``make execute``
                                           (``scripts/run_series.py``): the whole series
:mod:`musicviz.course.figures`             ``make figures`` (``scripts/export_figures.py``):
                                           the named figures and their contact sheet
:mod:`musicviz.course.pages`               what a notebook becomes on the site; the decks' offline links
:mod:`musicviz.course.build_site`          ``make html`` (``python -m musicviz.course.build_site``):
                                           the course site (Sphinx + MyST-NB, docs/site/) from
                                           the stored outputs, nothing executed
:mod:`musicviz.course.slides`              ``make slides`` (``scripts/slides.py``): the
                                           reveal.js decks, fitted to the canvas by
                                           :mod:`~musicviz.course.slide_fit` on the height
                                           estimates of :mod:`~musicviz.course.slide_layout`
:mod:`musicviz.course.nav`                 ``make nav`` (``scripts/nav.py``): the navigation
                                           cells and the tables of contents
:mod:`musicviz.course.lab_setup`           JupyterLab settings of the environment
                                           (``scripts/lab_setup.py``)
:mod:`musicviz.course.browser`             Chromium through Playwright: offline checks,
                                           JupyterLab, ``make screenshots``
                                           (``scripts/browser.py``)
:mod:`musicviz.grading`                    the student release and grading (runs submissions
                                           with the same runner)
=========================================  =================================================

The scripts in ``scripts/`` are thin command-line shells around these modules' ``main``.
Nothing here is imported by ``import musicviz``; nbclient, nbconvert and Playwright are
imported inside the functions that use them.
"""

from __future__ import annotations

__all__: list[str] = []
