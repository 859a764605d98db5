"""The ``musicviz`` command line (also ``python -m musicviz``).

::

    musicviz data synth [--out DIR] [--seed N]   write the synthetic 10-genre set (default: the data folder's synth/)
    musicviz data embeddings                     cache musicnn's embeddings of the synthetic set (notebooks 07, 08)
    musicviz data scan DIR                       list the tracks found and the files skipped
    musicviz data import ARCHIVE_OR_DIR          bring a GTZAN copy into data/gtzan
    musicviz data realism [DIR]                  how often a real-GTZAN model recognises the synthetic clips
    musicviz features DIR --out table.csv        the GTZAN-compatible feature table of every clip under DIR
    musicviz bench features                      time the feature table against the naive way
    musicviz pretrained cache [DIR] [--model M]  compute and cache musicnn's taggrams and embeddings
    musicviz notebooks DIR                       copy the course's notebooks into DIR (an installed musicviz)
    musicviz weights [--force]                   install musicnn's weights (pip install --no-deps musicnn==0.1.0)

Arguments are checked before any work (``--jobs`` a non-zero integer, ``--segment-seconds``
finite and > 0, ...; numbers too large to compute with, such as ``--segment-seconds 1e308``,
are refused with the largest value accepted), and so are the output locations (``features --out``, ``data synth
--out``, ``data import --dest``): a folder where a file is expected, a path below a file or a
folder that cannot be written is reported at once, not after minutes of computing.

Every failure prints exactly one line ``error: ...`` on stderr (naming the file or the
argument) and exits with one of these codes (:data:`EXIT_CODES`)::

      0  ok
      1  nothing found to work on
      2  bad command-line usage or argument (also a value the library refuses)
      3  bad input data (audio, table, archive, model)
      4  cannot write the output
     70  unexpected error: a bug in musicviz (the traceback is shown)
    130  interrupted (Ctrl-C)

Ctrl-C, whenever it comes, prints ``error: interrupted`` and exits with 130: worker processes
never see it (they start with it blocked, and are stopped by this process), and an interrupt
that a library swallowed (one that lands in a ctypes callback of numba's compiler) is raised
again instead of being lost.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from musicviz._checks import MAX_SECONDS
from musicviz._interrupts import QuietInterrupts, start_resource_tracker
from musicviz.errors import DatasetError, MusicvizError, OutputError, ParameterError

__all__ = ["main", "build_parser", "EXIT_CODES"]

EXIT_OK = 0
EXIT_NOTHING_FOUND = 1
EXIT_USAGE = 2  # argparse's own code for usage errors
EXIT_BAD_INPUT = 3
EXIT_CANNOT_WRITE = 4
EXIT_BUG = 70  # EX_SOFTWARE of sysexits.h: distinct from 1, which means "nothing found"
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C

#: Every exit status of the command, with its meaning (printed by ``musicviz --help``).
EXIT_CODES = {
    EXIT_OK: "ok",
    EXIT_NOTHING_FOUND: "nothing found to work on",
    EXIT_USAGE: "bad command-line usage or argument (also a value the library refuses)",
    EXIT_BAD_INPUT: "bad input data (audio, table, archive, model)",
    EXIT_CANNOT_WRITE: "cannot write the output",
    EXIT_BUG: "unexpected error: a bug in musicviz (the traceback is shown)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
}


def _exit_code_table() -> str:
    return "\n".join(f"  {code:>3}  {meaning}" for code, meaning in EXIT_CODES.items())


# --------------------------------------------------------------------------- argument types
#: Largest number of seconds a command-line argument may give (about 11.6 days): far beyond any
#: clip, and small enough that seconds x samples per second stays a number a computer can count
#: (``--segment-seconds 1e308`` overflowed into a traceback).
MAX_SECONDS_ARGUMENT = MAX_SECONDS  # one bound with the Python API (musicviz._checks)
#: Largest count (``--clips-per-genre``, ``--clips``, ``--repeats``) and number of workers.
MAX_COUNT_ARGUMENT = 1_000_000
MAX_JOBS_ARGUMENT = 4096


def _jobs(text: str) -> int:
    """``--jobs``: a non-zero integer; -1 means all cores (-2 all but one, as in joblib)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a non-zero integer (-1: all cores), got {text!r}") from None
    if value == 0:
        raise argparse.ArgumentTypeError("must be a non-zero integer (-1: all cores), got 0")
    if abs(value) > MAX_JOBS_ARGUMENT:
        raise argparse.ArgumentTypeError(
            f"must be a non-zero integer of at most {MAX_JOBS_ARGUMENT} either way (-1: all cores), got {text}"
        )
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    if value > MAX_COUNT_ARGUMENT:
        raise argparse.ArgumentTypeError(f"must be a positive integer of at most {MAX_COUNT_ARGUMENT}, got {text}")
    return value


def _seconds(text: str, *, most: float = MAX_SECONDS_ARGUMENT) -> float:
    """A duration in seconds: finite, > 0 and at most ``most`` (``nan``, ``inf``, 0, negatives
    and numbers too large to compute with refused)."""
    try:
        value = float(text)
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(f"must be a number of seconds > 0, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds > 0, got {text!r}")
    if value > most:
        raise argparse.ArgumentTypeError(f"must be a number of seconds of at most {most:g}, got {text}")
    return value


def _clip_seconds(text: str) -> float:
    """``data synth --duration``: seconds per clip, at most MAX_CLIP_SECONDS (longer clips are
    skipped by every table, and take gigabytes to make)."""
    from musicviz._clip_engine import MAX_CLIP_SECONDS

    return _seconds(text, most=MAX_CLIP_SECONDS)


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line ``error:`` message (the usage is one ``--help`` away)."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"error: {self.prog}: {_one_line(message)} (see: {self.prog} --help)\n")


# --------------------------------------------------------------------------- output checks
def _nearest_existing(path: Path) -> Path:
    path = Path(os.path.abspath(path))
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def _check_folder_writable(folder: Path, *, target: Path) -> None:
    """``folder`` exists as a writable folder, or can be created (nothing is created here)."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{target}: {folder} is a file, not a folder")
    existing = _nearest_existing(folder)
    if not existing.is_dir():
        raise OutputError(f"{target}: cannot create the folder {folder}: {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"{target}: cannot write into {existing} (not writable: read-only or no permission)")


def _check_output_file(path: Path) -> None:
    """An output file can be written: not a folder, its folder writable or creatable; a pipe
    or a device (``--out /dev/null``) is written into, so it must be writable itself."""
    from musicviz._io import write_plan

    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name, e.g. {path / 'features.csv'}")
    try:
        plan, _ = write_plan(path, special="write")
    except OSError:
        plan = "rename"  # a link loop, a permission problem: the folder check below names it
    if plan == "write into":
        if not os.access(path, os.W_OK):
            raise OutputError(f"{path}: cannot write into it (not writable: permission denied)")
        return
    _check_folder_writable(path.parent, target=path)


def _check_output_folder(path: Path) -> None:
    """An output folder can be written: not a file, writable or creatable."""
    _check_folder_writable(path, target=path)


# --------------------------------------------------------------------------- commands
def _synth_out(args) -> Path:
    from musicviz.config import synth_dir

    return args.out if args.out is not None else synth_dir()


def _cmd_synth(args) -> int:
    from musicviz import synth

    args.out = _synth_out(args)
    _check_output_folder(args.out)
    kwargs = {"seed": args.seed, "n_jobs": args.jobs, "progress": not args.quiet}
    if args.clips_per_genre is not None:
        kwargs["clips_per_genre"] = args.clips_per_genre
    if args.duration is not None:
        kwargs["duration"] = args.duration
    meta = synth.generate_dataset(args.out, **kwargs)
    print(f"wrote {len(meta)} clips ({meta['genre'].nunique()} genres) to {args.out}")
    return EXIT_OK


def _cmd_scan(args) -> int:
    from musicviz.datasets import scan

    result = scan(args.dir, check_audio=not args.no_check, progress=not args.quiet)
    frame = result.to_frame()
    if len(frame):
        print(frame[["track_id", "genre", "number", "duration", "sr"]].to_string(index=False))
    for skipped in result.skipped:
        print(f"skipped {skipped.path}: {skipped.reason}")
    counts = ", ".join(f"{g} {n}" for g, n in result.genre_counts().items())
    print(f"found {len(result.tracks)} tracks ({counts or 'none'}), skipped {len(result.skipped)} files")
    return EXIT_OK if result.tracks else EXIT_NOTHING_FOUND


def _import_dest(args) -> Path:
    from musicviz.datasets import data_dir

    return args.dest if args.dest is not None else data_dir() / "gtzan"


def _cmd_import(args) -> int:
    from musicviz.datasets import import_gtzan

    dest = _import_dest(args)
    # import_gtzan reports a member it cannot write as "damaged in the archive": make sure
    # the destination is writable first, so that message only ever means a damaged archive.
    _check_output_folder(dest)
    report = import_gtzan(args.source, dest=dest, progress=not args.quiet)
    for skipped in report.skipped:
        print(f"skipped {skipped.path}: {skipped.reason}")
    print(f"imported {len(report.imported)} files into {report.dest}, skipped {len(report.skipped)}")
    return EXIT_OK if report.imported else EXIT_NOTHING_FOUND


_SYNTH_COLUMNS = ("track_id", "path", "genre")


def _check_realism_input(folder: Path) -> None:
    """What ``realism.main_realism`` would read, checked first (it fails with a traceback on
    a damaged ``metadata.csv`` and on a reference table that already has ``track_id``)."""
    import pandas as pd

    from musicviz.datasets import find_feature_table

    if folder.is_file():
        raise DatasetError(
            f"{folder}: is a file; data realism takes the folder of a synthetic set "
            "(written by `musicviz data synth --out DIR`)"
        )
    if not folder.is_dir():
        raise DatasetError(f"{folder}: no such folder (write one with `musicviz data synth --out {folder}`)")
    meta = folder / "metadata.csv"
    if meta.is_file():
        try:
            frame = pd.read_csv(meta)
        except (ValueError, UnicodeDecodeError, OSError) as exc:  # pandas' EmptyDataError/ParserError are ValueErrors
            raise DatasetError(f"{meta}: not a readable CSV table ({_one_line(str(exc))})") from None
        missing = [c for c in _SYNTH_COLUMNS if c not in frame.columns]
        if missing:
            hint = ""
            if "filename" in frame.columns:
                hint = " (it looks like a feature table, not the metadata.csv of `musicviz data synth`)"
            raise DatasetError(f"{meta}: lacks the columns {missing}{hint}; data realism needs {list(_SYNTH_COLUMNS)}")
    table = find_feature_table(None)
    if table is not None and Path(table).is_file():
        try:
            columns = pd.read_csv(table, nrows=0).columns
        except (ValueError, UnicodeDecodeError, OSError):
            return  # realism's own loader reports an unreadable table clearly
        if "track_id" in columns:
            # datasets.load_feature_table inserts track_id and fails when it is already there.
            raise DatasetError(
                f"{table}: has a track_id column, so it is a table written by `musicviz features`, "
                "not GTZAN's Kaggle features_30_sec.csv, which data realism trains on; point "
                "MUSICVIZ_GTZAN at the folder holding the Kaggle table"
            )


def _cmd_realism(args) -> int:
    from musicviz import realism
    from musicviz.datasets import synth_dir

    folder = Path(args.dir) if args.dir else synth_dir()
    _check_realism_input(folder)
    zero_shot = None
    if not args.no_zero_shot:
        # The second, independent figure: a network pretrained on real music, with no training
        # on GTZAN at all. Its weights come with `make env`; without them the SVM's figure stands.
        from musicviz.errors import ModelError
        from musicviz.pretrained.agreement import zero_shot_agreement

        try:
            zero_shot = zero_shot_agreement(folder, n_jobs=args.jobs)
        except ModelError as exc:
            print(f"zero-shot figure skipped: {exc}")
    return realism.main_realism(folder, zero_shot=zero_shot)


def _cmd_features(args) -> int:
    from musicviz import features

    # Checked before computing: a bad --out used to fail only after the whole table was made.
    _check_output_file(args.out)
    return features.run_features_command(
        args.dir,
        out=args.out,
        segment_seconds=args.segment_seconds,
        cache=False if args.no_cache else (args.cache or True),
        progress=not args.quiet,
        max_seconds=args.max_seconds,
        n_jobs=args.jobs,
    )


def _cmd_embeddings(args) -> int:
    from musicviz.datasets import require_embeddings

    computed = require_embeddings(progress=not args.quiet, n_jobs=args.jobs)
    print(f"computed {computed} network outputs" if computed else "every embedding was cached already")
    return EXIT_OK


def _cmd_notebooks(args) -> int:
    from musicviz.install import copy_notebooks

    _check_output_folder(args.dest)
    copied, kept = copy_notebooks(args.dest)
    for path in kept:
        print(f"kept {path} (already there: never overwritten)")
    print(f"copied {len(copied)} files into {args.dest}; open them with: jupyter lab {args.dest}")
    return EXIT_OK


def _cmd_weights(args) -> int:
    from musicviz.install import install_weights

    return install_weights(force=args.force)


def _cmd_bench_features(args) -> int:
    from musicviz import bench

    return bench.run_features_benchmark(n_clips=args.clips, n_jobs=args.jobs, repeats=args.repeats)


def _cmd_pretrained_cache(args) -> int:
    from musicviz.pretrained import run_pretrained_command

    models = tuple(dict.fromkeys(args.model)) if args.model else ("MTT_musicnn", "MSD_musicnn")
    return run_pretrained_command(
        args.dir, models=models, cache=args.cache or True, progress=not args.quiet, max_seconds=args.max_seconds,
        n_jobs=args.jobs,
    )


def _clip_options(command, *, no_cache: bool) -> None:
    """The options of every command over many clips (``--quiet`` turns their progress bar off)."""
    from musicviz._clip_engine import MAX_CLIP_SECONDS

    command.add_argument("--jobs", type=_jobs, default=-1, help="worker processes (-1: all cores)")
    where = command.add_mutually_exclusive_group()
    where.add_argument("--cache", type=Path, default=None, metavar="DIR", help="cache folder (default: data/cache/<kind>)")
    if no_cache:
        where.add_argument("--no-cache", action="store_true", help="recompute everything, cache nothing")
    command.add_argument(
        "--max-seconds", type=_seconds, default=MAX_CLIP_SECONDS, metavar="S",
        help=f"skip clips longer than this, from their header (default {MAX_CLIP_SECONDS})",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``musicviz`` command."""
    parser = _Parser(
        prog="musicviz",
        description="Music genre classification course helpers.",
        epilog="exit codes:\n" + _exit_code_table(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    commands = parser.add_subparsers(dest="command", required=True)

    data = commands.add_parser("data", help="make, find and import audio data")
    data_commands = data.add_subparsers(dest="data_command", required=True)

    synth = data_commands.add_parser("synth", help="write the synthetic 10-genre set")
    synth.add_argument("--out", type=Path, default=None,
                       help="folder to write <genre>/<genre>.000NN.wav into (default: the data folder's synth/)")
    synth.add_argument("--seed", type=int, default=0, help="same seed, byte-identical files (default 0)")
    synth.add_argument("--clips-per-genre", type=_positive_int, default=None, help="clips per genre (default: the course's size)")
    synth.add_argument("--duration", type=_clip_seconds, default=None, help="seconds per clip (default 30, at most 600)")
    synth.add_argument("--jobs", type=_jobs, default=-1, help="worker processes (-1: all cores)")
    synth.set_defaults(func=_cmd_synth)

    embeddings = data_commands.add_parser("embeddings", help="cache musicnn's embeddings of the synthetic set (07, 08)")
    embeddings.add_argument("--jobs", type=_jobs, default=-1, help="worker processes (-1: all cores)")
    embeddings.set_defaults(func=_cmd_embeddings)

    scan = data_commands.add_parser("scan", help="list the tracks found under DIR and every file skipped")
    scan.add_argument("dir", type=Path)
    scan.add_argument("--no-check", action="store_true", help="trust file names, do not decode the audio")
    scan.set_defaults(func=_cmd_scan)

    imp = data_commands.add_parser("import", help="bring a GTZAN copy (archive or folder) into data/gtzan")
    imp.add_argument("source", type=Path)
    imp.add_argument("--dest", type=Path, default=None, help="destination (default: data/gtzan)")
    imp.set_defaults(func=_cmd_import)

    realism = data_commands.add_parser("realism", help="does a model trained on real GTZAN recognise the synthetic clips?")
    realism.add_argument("dir", nargs="?", default=None, help="synthetic set (default: data/synth)")
    realism.add_argument(
        "--no-zero-shot", action="store_true", help="skip the pretrained network's zero-shot figure (it needs its embeddings)"
    )
    realism.add_argument("--jobs", type=_jobs, default=-1, help="worker processes for clips not yet cached (-1: all cores)")
    realism.set_defaults(func=_cmd_realism)

    feats = commands.add_parser("features", help="write the GTZAN-compatible feature table of every clip under DIR")
    feats.add_argument("dir", type=Path)
    feats.add_argument("--out", required=True, type=Path, help="CSV file to write")
    feats.add_argument("--segment-seconds", type=_seconds, default=None, help="one row per segment of this length (e.g. 3)")
    _clip_options(feats, no_cache=True)
    feats.set_defaults(func=_cmd_features)

    bench = commands.add_parser("bench", help="benchmarks")
    bench_commands = bench.add_subparsers(dest="bench_command", required=True)
    bench_features = bench_commands.add_parser("features", help="feature table against the naive way")
    bench_features.add_argument("--clips", type=_positive_int, default=8, help="clips to time")
    bench_features.add_argument("--jobs", type=_jobs, default=-1, help="workers of the parallel run")
    bench_features.add_argument("--repeats", type=_positive_int, default=1, help="timed repeats (best is kept)")
    bench_features.set_defaults(func=_cmd_bench_features)

    pretrained = commands.add_parser("pretrained", help="the pretrained musicnn networks (notebook 08)")
    pretrained_commands = pretrained.add_subparsers(dest="pretrained_command", required=True)
    pretrained_cache = pretrained_commands.add_parser(
        "cache", help="compute and cache musicnn's taggrams and embeddings of every clip under DIR"
    )
    pretrained_cache.add_argument("dir", nargs="?", type=Path, default=None, help="audio folder (default: the course's audio)")
    pretrained_cache.add_argument(
        "--model", action="append", choices=("MTT_musicnn", "MSD_musicnn", "MTT_vgg", "MSD_vgg"), default=None,
        help="model to run (repeat for several; default: MTT_musicnn and MSD_musicnn)",
    )
    _clip_options(pretrained_cache, no_cache=False)
    pretrained_cache.set_defaults(func=_cmd_pretrained_cache)

    notebooks = commands.add_parser("notebooks", help="copy the course's notebooks into a folder of your choosing")
    notebooks.add_argument("dest", type=Path, help="folder to copy them into (made if missing; nothing is overwritten)")
    notebooks.set_defaults(func=_cmd_notebooks)

    weights = commands.add_parser("weights", help="install musicnn's weights (pip install --no-deps musicnn==0.1.0)")
    weights.add_argument("--force", action="store_true", help="reinstall them (damaged files)")
    weights.set_defaults(func=_cmd_weights)
    return parser


# --------------------------------------------------------------------------- errors -> exit codes
def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _outputs(args) -> list[tuple[Path, str]]:
    """The locations a command writes: ``(path, "file" | "folder")``."""
    if args.func is _cmd_features:
        return [(args.out, "file")]
    if args.func is _cmd_synth:
        return [(_synth_out(args), "folder")]
    if args.func is _cmd_notebooks:
        return [(args.dest, "folder")]
    if args.func is _cmd_import:
        return [(_import_dest(args), "folder")]
    return []


def _is_below(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _writing(exc: OSError, args) -> bool:
    """Did ``exc`` happen writing the command's output (rather than reading its input)?"""
    outputs = _outputs(args)
    if not outputs:
        return False
    names = [n for n in (exc.filename, exc.filename2) if n is not None]
    if not names:
        return True  # a failed write(): full disk, quota, I/O error on the output
    for name in names:
        path = Path(os.path.abspath(os.fsdecode(name)))
        for out, kind in outputs:
            out = Path(os.path.abspath(out))
            if kind == "folder" and (_is_below(path, out) or _is_below(out, path)):
                return True
            # The file itself, its atomic temporary ``.<name>.*.tmp`` next to it, or a folder above it.
            if kind == "file" and (path == out or _is_below(out, path)
                                   or (path.parent == out.parent and path.name.startswith(f".{out.name}."))):
                return True
    return False


def _os_error_message(exc: OSError, *, writing: bool) -> str:
    reason = exc.strerror or str(exc)
    if exc.filename is not None:
        return f"{'cannot write' if writing else 'cannot read'} {os.fsdecode(exc.filename)}: {reason}"
    return f"cannot write the output: {reason}" if writing else reason


def _fail(message: str, code: int) -> int:
    print(f"error: {_one_line(message)}", file=sys.stderr)
    return code


def main(argv=None) -> int:
    """Run the command line; returns the exit status (see :data:`EXIT_CODES`).

    Examples
    --------
    >>> from musicviz.cli import main
    >>> main(["features", "clips", "--out", "t.csv", "--jobs", "0"])  # doctest: +SKIP
    error: musicviz features: argument --jobs: must be a non-zero integer (-1: all cores), got 0 (see: ...)
    2
    """
    _names_never_fail_to_print()
    code = None
    try:
        # argv None: the program itself (`musicviz ...`), which ends when main returns.
        with QuietInterrupts(exiting=argv is None):
            try:
                code = _main(argv)
            except KeyboardInterrupt:
                code = _fail("interrupted", EXIT_INTERRUPTED)
    except KeyboardInterrupt:  # one that came as the command returned: it is done, or now it is
        if code is None:
            code = _fail("interrupted", EXIT_INTERRUPTED)
    return code


def _names_never_fail_to_print() -> None:
    """File names that are not valid UTF-8 (Python holds them with surrogate escapes) are
    printed with their original bytes, never a UnicodeEncodeError (under a UTF-8 locale
    Python's streams are strict)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", None) == "strict":
            try:
                reconfigure(errors="surrogateescape" if stream is sys.stdout else "backslashreplace")
            except (ValueError, OSError):  # a stream that cannot change now: leave it
                pass


def _main(argv) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2, message already printed)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if getattr(args, "jobs", 1) != 1:  # worker processes ahead
        start_resource_tracker()
    try:
        return int(args.func(args) or EXIT_OK)
    except OutputError as exc:
        return _fail(str(exc), EXIT_CANNOT_WRITE)
    except ParameterError as exc:  # an argument value argparse let through (e.g. a too short --duration)
        return _fail(str(exc), EXIT_USAGE)
    except BrokenPipeError:
        # stdout was closed early (`musicviz data scan DIR | head`): stop writing to it, and
        # keep Python from reporting the same error again when it flushes stdout at exit.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):  # stdout replaced (tests, notebooks): nothing to do
            pass
        return _fail("cannot write the output: the reading end of the pipe was closed", EXIT_CANNOT_WRITE)
    except MusicvizError as exc:
        return _fail(str(exc), EXIT_BAD_INPUT)
    except OSError as exc:
        writing = _writing(exc, args)
        return _fail(_os_error_message(exc, writing=writing), EXIT_CANNOT_WRITE if writing else EXIT_BAD_INPUT)
    except Exception:
        # A bug, not bad input: keep the traceback for the report, under a one-line hint.
        import traceback

        traceback.print_exc()
        print("musicviz: unexpected error, a bug in musicviz: please report it with the traceback above",
              file=sys.stderr)
        return EXIT_BUG


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
