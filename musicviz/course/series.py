"""Execute every notebook of the series, top to bottom, and print a short summary.

Notebook: every notebook (``make run``, ``make execute``: ``scripts/run_series.py``).

``make run``      -> executed copies in build/notebooks/, in the same execution every named
                     figure in build/figures/ (``--figures``), then the course site built from
                     those copies, build/html/index.html (:mod:`musicviz.course.build_site`,
                     the same site ``make html`` builds from the stored outputs) (the committed
                     notebooks are not touched)
``make execute``  -> ``--in-place``: re-run the committed notebooks and store their outputs
                     (after editing a notebook; nbval compares against these outputs), without
                     the outputs of the cells that may show real GTZAN audio
                     (:data:`musicviz.course.runner.REAL_AUDIO_MARKER`)

Each notebook runs in a fresh kernel with :func:`musicviz.course.runner.run_notebook`, as many
at a time as there are cores (``--jobs``; every notebook has its own kernel), a notebook only
after those its metadata names (:func:`prerequisites`). The summary lists each notebook's run
time and its key numbers: the text output of every cell tagged ``summary`` (cell metadata
``tags``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from musicviz._io import atomic_write_text, project_root
from musicviz.course import figures as _figures
from musicviz.course.runner import drop_real_audio_outputs, key_numbers, run_notebook, series

__all__ = ["CELL_TIMEOUT", "main", "prerequisites"]

#: Seconds one cell of the series may run.
CELL_TIMEOUT = 900


def prerequisites(path) -> tuple[str, ...]:
    """The notebooks (stems) that must have run before ``path``: its metadata's ``musicviz.after``.

    Notebook 07 classifies with the CNN that notebook 06 trains and saves, and 08 compares it:
    both say ``"after": ["06_cnn"]``. ``make run`` (several notebooks at a time) starts a
    notebook only when those have finished, and ``make test`` keeps them on one pytest worker,
    in order (the root ``conftest.py``).

    Examples
    --------
    >>> from musicviz.course.series import prerequisites
    >>> from musicviz.course.runner import series
    >>> prerequisites(series("07_*")[0]), prerequisites(series("00_*")[0])
    (('06_cnn',), ())
    """
    import json

    metadata = json.loads(Path(path).read_text(encoding="utf-8")).get("metadata", {})
    return tuple(metadata.get("musicviz", {}).get("after", ()))


def main(argv=None) -> int:
    """``python scripts/run_series.py [--out build] [--in-place] [--only GLOB] [--figures DIR]``.

    Returns the exit status: 0 when every notebook ran, 1 otherwise.

    Examples
    --------
    >>> from musicviz.course.series import main
    >>> main(["--only", "no-such-notebook"])
    1
    """
    parser = argparse.ArgumentParser(
        prog="run_series.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=project_root() / "build",
                        help="where the executed copies (OUT/notebooks) and the course site (OUT/html) go")
    parser.add_argument("--in-place", action="store_true", help="store the outputs in the committed notebooks")
    parser.add_argument("--only", default=None, help="glob of notebooks to run, e.g. '0[1-3]*'")
    parser.add_argument("--figures", type=Path, default=None, help="also export every named figure here")
    parser.add_argument("--jobs", type=int, default=None,
                        help="notebooks executed at the same time (default: one per core, at most 4)")
    args = parser.parse_args(argv)
    jobs = args.jobs if args.jobs is not None else min(os.cpu_count() or 1, 4)
    if jobs < 1:
        parser.error(f"--jobs must be at least 1, got {jobs}")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("PYTHONHASHSEED", "0")
    notebooks = series(args.only)
    if not notebooks:
        print("no notebooks found", file=sys.stderr)
        return 1
    if args.figures is not None:
        args.figures = args.figures.resolve()
        args.figures.mkdir(parents=True, exist_ok=True)
    failed: dict[str, str] = {}
    report, t_all = [], time.perf_counter()
    def execute(path):
        if args.figures is not None:
            return _figures.export_figures(path, args.figures, timeout=CELL_TIMEOUT)[0]
        return run_notebook(path, timeout=CELL_TIMEOUT)

    results = {}
    waiting = {path: set(prerequisites(path)) & {p.stem for p in notebooks} for path in notebooks}
    # Kernels are processes: threads only wait for them. Results are written here, one at a time.
    # A notebook starts once the notebooks it needs (metadata "after": 07 needs 06's CNN) are done.
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {}

        def start_ready():
            for path in [p for p, needs in waiting.items() if not needs]:
                del waiting[path]
                futures[pool.submit(execute, path)] = path

        start_ready()
        while futures:
            future = next(as_completed(futures))
            path = futures.pop(future)
            run = results[path] = future.result()
            for needs in waiting.values():
                needs.discard(path.stem)
            start_ready()
            status = "ok" if run.ok else "FAILED"
            if run.ok:
                if args.in_place:
                    drop_real_audio_outputs(run.nb)
                    atomic_write_text(path, _writes(run.nb))
                else:
                    atomic_write_text(args.out / "notebooks" / path.name, _writes(run.nb))
            else:
                failed[path.stem] = run.error
                if not args.in_place:  # no copy of an earlier run stands in for it on the site
                    (args.out / "notebooks" / path.name).unlink(missing_ok=True)
                print(f"{path.name}: {run.error}", file=sys.stderr)
            print(f"  {path.name:45s} {status:6s} {run.seconds:6.1f} s", flush=True)
    for path in notebooks:  # the summary in the order of the series
        run = results[path]
        report.append((path.name, "ok" if run.ok else "FAILED", run.seconds, key_numbers(run.nb) if run.ok else []))
    total = time.perf_counter() - t_all
    if args.figures is not None:
        index = _figures.write_index(args.figures, failed)
        print(f"figures: {_figures.count_figures(args.figures)} in {index}")
    site_failed = False
    if not args.in_place and len(failed) < len(notebooks):
        site_failed = not _build_site(args.out, only=args.only)
    print("\nSummary")
    print("=======")
    for name, status, seconds, numbers in report:
        print(f"{name} ({status}, {seconds:.1f} s)")
        for line in numbers:
            print(f"    {line}")
    where = "in place" if args.in_place else f"into {args.out}/notebooks"
    print(f"\n{len(report) - len(failed)} of {len(report)} notebooks ran {where} in {total:.0f} s")
    return 1 if failed or site_failed else 0


def _build_site(out: Path, *, only: str | None) -> bool:
    """The course site from the executed copies in ``out/notebooks``; False when Sphinx failed.

    Without MathJax (no npm: ``make assets``) or the ``site`` extra, it says so and goes on:
    the notebooks ran, only the pages are missing.
    """
    import importlib.util

    from musicviz.course.pages import assets_available

    command = f"python -m musicviz.course.build_site --build {out} --notebooks {out / 'notebooks'}"
    if importlib.util.find_spec("myst_nb") is None or not assets_available():
        print(f"warning: the course site needs the `site` extra and `make assets`; then: {command}", file=sys.stderr)
        return True
    from musicviz.course.build_site import build_site
    from musicviz.errors import ParameterError

    start = time.perf_counter()
    try:
        index = build_site(out, source=out / "notebooks", only=only)
    except ParameterError as error:
        print(f"error: {error}", file=sys.stderr)
        return False
    print(f"site: {index} ({time.perf_counter() - start:.0f} s)")
    return True


def _writes(nb) -> str:
    import nbformat

    return nbformat.writes(nb) + "\n"
