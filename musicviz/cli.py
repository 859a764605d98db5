"""The ``musicviz`` command line (also ``python -m musicviz``).

::

    musicviz data synth --out DIR [--seed N]     write the synthetic 10-genre set
    musicviz data scan DIR                       list the tracks found and the files skipped
    musicviz data import ARCHIVE_OR_DIR          bring a GTZAN copy into data/gtzan
    musicviz data realism [DIR]                  how often a real-GTZAN model recognises the synthetic clips
    musicviz features DIR --out table.csv        the GTZAN-compatible feature table of every clip under DIR
    musicviz bench features                      time the feature table against the naive way

Every command exits 0 on success, 1 when it found nothing to work on, and 2 on bad
input, printing a one-line ``error:`` message instead of a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from musicviz.errors import MusicvizError

__all__ = ["main", "build_parser"]


def _cmd_synth(args) -> int:
    from musicviz import synth

    kwargs = {"seed": args.seed, "n_jobs": args.jobs, "progress": not args.quiet}
    if args.clips_per_genre is not None:
        kwargs["clips_per_genre"] = args.clips_per_genre
    if args.duration is not None:
        kwargs["duration"] = args.duration
    meta = synth.generate_dataset(args.out, **kwargs)
    print(f"wrote {len(meta)} clips ({meta['genre'].nunique()} genres) to {args.out}")
    return 0


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
    return 0 if result.tracks else 1


def _cmd_import(args) -> int:
    from musicviz.datasets import import_gtzan

    report = import_gtzan(args.source, dest=args.dest, progress=not args.quiet)
    for skipped in report.skipped:
        print(f"skipped {skipped.path}: {skipped.reason}")
    print(f"imported {len(report.imported)} files into {report.dest}, skipped {len(report.skipped)}")
    return 0 if report.imported else 1


def _cmd_realism(args) -> int:
    from musicviz import realism
    from musicviz.datasets import synth_dir

    return realism.main_realism(Path(args.dir) if args.dir else synth_dir())


def _cmd_features(args) -> int:
    from musicviz import features

    return features.run_features_command(
        args.dir,
        out=args.out,
        segment_seconds=args.segment_seconds,
        n_jobs=args.jobs,
        use_cache=not args.no_cache,
        progress=not args.quiet,
    )


def _cmd_bench_features(args) -> int:
    from musicviz import bench

    return bench.run_features_benchmark(n_clips=args.clips, n_jobs=args.jobs, repeats=args.repeats)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``musicviz`` command."""
    parser = argparse.ArgumentParser(prog="musicviz", description="Music genre classification course helpers.")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    commands = parser.add_subparsers(dest="command", required=True)

    data = commands.add_parser("data", help="make, find and import audio data")
    data_commands = data.add_subparsers(dest="data_command", required=True)

    synth = data_commands.add_parser("synth", help="write the synthetic 10-genre set")
    synth.add_argument("--out", required=True, type=Path, help="folder to write <genre>/<genre>.000NN.wav into")
    synth.add_argument("--seed", type=int, default=0, help="same seed, byte-identical files (default 0)")
    synth.add_argument("--clips-per-genre", type=int, default=None, help="clips per genre (default: the course's size)")
    synth.add_argument("--duration", type=float, default=None, help="seconds per clip (default 30)")
    synth.add_argument("--jobs", type=int, default=-1, help="worker processes (-1: all cores)")
    synth.set_defaults(func=_cmd_synth)

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
    realism.set_defaults(func=_cmd_realism)

    feats = commands.add_parser("features", help="write the GTZAN-compatible feature table of every clip under DIR")
    feats.add_argument("dir", type=Path)
    feats.add_argument("--out", required=True, type=Path, help="CSV file to write")
    feats.add_argument("--segment-seconds", type=float, default=None, help="one row per segment of this length (e.g. 3)")
    feats.add_argument("--jobs", type=int, default=-1, help="worker processes (-1: all cores)")
    feats.add_argument("--no-cache", action="store_true", help="recompute everything")
    feats.set_defaults(func=_cmd_features)

    bench = commands.add_parser("bench", help="benchmarks")
    bench_commands = bench.add_subparsers(dest="bench_command", required=True)
    bench_features = bench_commands.add_parser("features", help="feature table against the naive way")
    bench_features.add_argument("--clips", type=int, default=8, help="clips to time")
    bench_features.add_argument("--jobs", type=int, default=-1, help="workers of the parallel run")
    bench_features.add_argument("--repeats", type=int, default=1, help="timed repeats (best is kept)")
    bench_features.set_defaults(func=_cmd_bench_features)
    return parser


def main(argv=None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except MusicvizError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
