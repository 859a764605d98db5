"""Mutation testing of the core numeric modules (opt-in): do the tests notice a changed line?

mutmut (3.x) rewrites each function of the target modules many times over, one small change
at a time (``<`` for ``<=``, ``+`` for ``-``, a constant changed, a call argument dropped ...),
and runs the tests that reach that function against each change. A change the tests fail on
is *killed*; one they pass is a *survivor*: a line whose behaviour no test pins down. The
score is killed / total. Nothing of the working tree is touched: the package, the selected
tests and mutmut's configuration are copied into a temporary folder, and mutmut runs there
(its configuration lives in this script, written as that folder's ``setup.cfg``).

Usage::

    .venv/bin/python scripts/mutation.py                   # the default targets, about 10 minutes
    .venv/bin/python scripts/mutation.py --max-minutes 3   # stop early: a partial score
    .venv/bin/python scripts/mutation.py --target musicviz/waveforms.py --survivors

Needs ``pip install mutmut==3.8.1`` (not a dependency of musicviz: mutation testing is
opt-in). The last line is ``mutation score: K/N killed (P%) ...``: K mutants the tests
noticed (failed or timed out) out of the N checked; when ``--max-minutes`` stops mutmut
first, the line before says how many of all mutants were checked. The exit code is 0 when
mutmut ran (whatever the score), 2 when it could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: The modules mutated by default: numeric code with fast, focused tests.
TARGETS = ("musicviz/waveforms.py", "musicviz/baselines/evaluation.py")

#: The tests run against the mutants (mutmut runs, for each mutant, only those of them that
#: reach the mutated function).
TESTS = ("tests/test_plot_waveforms.py", "tests/test_robustness.py", "tests/test_baselines.py")

#: Left out: tests that need ../shared/data, start a fresh interpreter or read the source
#: files (mutmut rewrites them): they test imports and layout, not numbers.
PYTEST_ARGS = (
    "-p", "no:cacheprovider", "-p", "no:randomly", "-q",
    "-m", "not shared and not slow",
    "-k", "not fresh_interpreter and not submodule and not reexports and not import_musicviz_is_light "
          "and not importing_changes",
)

MUTMUT_VERSION = "3.8.1"


def _mutmut_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mutmut")
    except PackageNotFoundError:
        return None


def _setup_cfg(targets, tests) -> str:
    def lines(values):
        return "".join(f"\n    {v}" for v in values)

    return (
        "[mutmut]\n"
        "source_paths = musicviz\n"
        f"only_mutate ={lines(targets)}\n"
        f"pytest_add_cli_args_test_selection ={lines(tests)}\n"
        f"pytest_add_cli_args ={lines(PYTEST_ARGS)}\n"
        "use_git_change_detection = false\n"
    )


def _workspace(folder: Path, targets, tests) -> None:
    """The package, the tests and the configuration mutmut runs on, copied into ``folder``."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "musicviz", folder / "musicviz", ignore=ignore)
    (folder / "tests").mkdir()
    for name in ("conftest.py", *(Path(t).name for t in tests)):
        shutil.copy2(ROOT / "tests" / name, folder / "tests" / name)
    # pytest's markers and options, without the [tool.*] tables mutmut would read instead of setup.cfg.
    shutil.copy2(ROOT / "pyproject.toml", folder / "pyproject.toml")
    (folder / "setup.cfg").write_text(_setup_cfg(targets, tests))


def _environment(folder: Path) -> dict:
    env = dict(os.environ)
    shared = Path(os.environ.get("MUSICVIZ_GTZAN") or ROOT.parent / "shared" / "data")
    env.update(
        MUSICVIZ_GTZAN=str(shared),  # tests/conftest.py would look beside the temporary copy
        MUSICVIZ_DATA=str(folder / "data"),  # caches and models of the run stay in the copy
        MPLBACKEND="Agg",
        PYTHONHASHSEED="0",
        TF_CPP_MIN_LOG_LEVEL="3",
        PYTHONDONTWRITEBYTECODE="1",
        # mutmut forks each mutant's test run from a process that has run the tests once: a
        # thread pool (OpenMP in scikit-learn's KNN, BLAS) started before a fork deadlocks in
        # the child, and every such mutant would be counted as a "timeout". One thread each.
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
    )
    return env


def _run_mutmut(folder: Path, env: dict, *, max_children: int, max_seconds: float, log) -> bool:
    """Run ``mutmut run``; True when it finished, False when the time ran out (partial results)."""
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children)]
    process = subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        process.wait(timeout=max_seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGINT)  # mutmut saves what it has on an interrupt
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        return False
    if process.returncode != 0:
        raise RuntimeError(f"mutmut run failed (exit {process.returncode}); see its log")
    return True


def _stats(folder: Path, env: dict) -> dict:
    subprocess.run([sys.executable, "-m", "mutmut", "export-cicd-stats"], cwd=folder, env=env, check=True,
                   capture_output=True, text=True)
    return json.loads((folder / "mutants" / "mutmut-cicd-stats.json").read_text())


def _survivors(folder: Path, env: dict) -> list[str]:
    run = subprocess.run([sys.executable, "-m", "mutmut", "results"], cwd=folder, env=env,
                         capture_output=True, text=True)
    return [line.strip() for line in run.stdout.splitlines() if line.strip().endswith(": survived")]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", action="append", help=f"module to mutate (repeatable; default: {', '.join(TARGETS)})")
    parser.add_argument("--max-minutes", type=float, default=10.0, help="stop mutmut after this long (default 10)")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 1, help="parallel mutants")
    parser.add_argument("--survivors", action="store_true", help="list the surviving mutants")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (mutmut show NAME there)")
    args = parser.parse_args(argv)

    found = _mutmut_version()
    if found is None or not found.startswith("3."):
        print(f"scripts/mutation.py needs mutmut 3.x (pip install mutmut=={MUTMUT_VERSION}); found {found}",
              file=sys.stderr)
        return 2
    targets = tuple(args.target or TARGETS)
    missing = [t for t in targets if not (ROOT / t).is_file()]
    if missing:
        print(f"no such module: {', '.join(missing)}", file=sys.stderr)
        return 2

    folder = Path(tempfile.mkdtemp(prefix="musicviz-mutation-"))
    started = time.monotonic()
    try:
        _workspace(folder, targets, TESTS)
        env = _environment(folder)
        with open(folder / "mutmut.log", "w") as log:
            finished = _run_mutmut(folder, env, max_children=args.max_children,
                                   max_seconds=args.max_minutes * 60, log=log)
        stats = _stats(folder, env)
        if args.survivors:
            for line in _survivors(folder, env):
                print(line)
    except (RuntimeError, subprocess.CalledProcessError, OSError, ValueError) as exc:
        log_tail = (folder / "mutmut.log").read_text(errors="replace")[-3000:] if (folder / "mutmut.log").exists() else ""
        print(f"{log_tail}\nmutation testing could not run: {exc} (files in {folder})", file=sys.stderr)
        return 2
    finally:
        if not args.keep and "stats" in locals():
            shutil.rmtree(folder, ignore_errors=True)
    total = stats["total"]
    # Mutants that time out or crash the interpreter are noticed by the tests too.
    detected = stats["killed"] + stats.get("timeout", 0) + stats.get("segfault", 0)
    verdicts = ("killed", "survived", "no_tests", "skipped", "suspicious", "timeout", "segfault",
                "check_was_interrupted_by_user")
    checked = sum(int(stats.get(k, 0)) for k in verdicts) - stats.get("skipped", 0) - stats.get(
        "check_was_interrupted_by_user", 0)
    score = 100.0 * detected / checked if checked else 0.0
    minutes = (time.monotonic() - started) / 60
    print(f"mutmut {_mutmut_version()} on {', '.join(targets)}; tests: {', '.join(TESTS)}")
    print(f"checked {checked} of {total} mutants{'' if finished else ' (time ran out: a partial score)'}; "
          f"survived {stats['survived']}, no tests {stats['no_tests']}, timeout {stats.get('timeout', 0)}, "
          f"suspicious {stats.get('suspicious', 0)}{f'; kept in {folder}' if args.keep else ''}")
    print(f"mutation score: {detected}/{checked} killed ({score:.1f}%) in {minutes:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
