"""Importing a GTZAN copy (a zip/tar archive or a folder) into ``data/gtzan``, safely.

Notebook: ``00_introduction.ipynb`` (and ``musicviz data import`` on the command line).

:func:`import_gtzan` copies only GTZAN's audio, tables and split lists out of an archive or a
folder, within size limits (:data:`MAX_IMPORT_BYTES`, :data:`MAX_MEMBER_BYTES`,
:data:`MAX_COMPRESSION_RATIO`, :data:`MAX_MEMBERS`), never outside the destination and never
over a file you changed.
"""

from __future__ import annotations

import errno
import filecmp
import lzma
import os
import stat
import struct
import tarfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from musicviz._checks import positive_float
from musicviz._io import atomic_path
from musicviz.config import data_dir
from musicviz.datasets._sources import (
    MAX_HEADER_BYTES,
    TABLE_NAMES,
    _BoundedTarInfo,
    _folder_members,
    _kind,
    _mb,
    _Member,
    _member_name,
    _zip_directory_size,
    _zip_overlaps,
)
from musicviz.datasets.scanning import Skipped, _read_reason
from musicviz.errors import DatasetError, OutputError

__all__ = [
    "MAX_IMPORT_BYTES",
    "MAX_MEMBER_BYTES",
    "MAX_COMPRESSION_RATIO",
    "TABLE_NAMES",
    "ImportReport",
    "import_gtzan",
]

#: Most bytes one :func:`import_gtzan` may write, all files together (GTZAN's audio and
#: tables take about 1.3 GB). Checked from the archive's headers before anything is written.
MAX_IMPORT_BYTES = 2_000_000_000
#: Largest single file :func:`import_gtzan` writes (a GTZAN clip is 1.3 MB, the Kaggle
#: 3-second table 3 MB); larger members are skipped with the reason.
MAX_MEMBER_BYTES = 200_000_000
#: Most a zip member, a whole zip or a compressed tar may expand: uncompressed size over
#: compressed size. Audio barely compresses (about 1.1:1, text 5:1); a "zip bomb" expands
#: 1000:1 or more. A single member under 1 MiB is never refused for its ratio, but all the
#: members of a zip together are (many small bombs are one big bomb).
MAX_COMPRESSION_RATIO = 100
# (MAX_MEMBERS and MAX_HEADER_BYTES are not in __all__ yet: musicviz.datasets re-exports
# every name listed there, and its __init__ is another engineer's file.)
#: Most entries an archive may list, and most files one import may write (GTZAN's Kaggle
#: archive lists about 2,000: 1,000 clips, 999 images, two tables). Checked from the zip's
#: directory before it is read, and while a tar's headers are read.
MAX_MEMBERS = 10_000
_RATIO_FLOOR = 1 << 20
_COPY_BLOCK = 1 << 20
# What reading a damaged, truncated or unsupported archive (or member) raises.
_DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    tarfile.TarError,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    ValueError,
    struct.error,
    NotImplementedError,
    RuntimeError,
    IndexError,
    KeyError,
    OverflowError,
)
# Writing errors that concern the whole destination, not one file: stop the import.
_FATAL_WRITE = (errno.ENOSPC, errno.EROFS, getattr(errno, "EDQUOT", errno.ENOSPC))


@dataclass
class ImportReport:
    """What :func:`import_gtzan` brought in and what it refused.

    ``imported`` lists every file (relative to ``dest``) that now holds the source's content,
    including those that were already there with the same content, which ``unchanged`` lists
    again; ``skipped`` gives each refused member or file with its reason.
    """

    dest: Path
    imported: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


class _Refused(Exception):
    """One member is not imported; ``args[0]`` is the reason."""


class _Unchanged(Exception):
    """The destination already holds this member's exact content."""


def _safe_member(name: str) -> str | None:
    """The relative path to write a (normalised) member to, or None when it is unsafe.

    Refused: absolute paths, ``..``, drive letters and any ``:`` (``C:``, ``C:\\``, NTFS
    streams), control characters, and names with nothing left.
    """
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return None
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts or any(":" in part for part in pure.parts):
        return None
    parts = [part for part in pure.parts if part not in ("", ".")]
    return "/".join(parts) if parts else None


def _copy_member(open_source, target: Path, *, declared: int, limit: int, overwrite: bool, unreadable: str,
                 budget: list[int]) -> None:
    """Copy one member to ``target`` atomically, counting bytes; raise _Refused / _Unchanged.

    ``budget`` is ``[bytes written so far, most bytes of the whole import]``: the bytes really
    written are counted across all members, whatever the headers say. OSErrors from the
    writing side propagate (the caller decides); everything the reading side raises is a
    member that cannot be read (``unreadable`` says how, e.g. "damaged in the archive").
    """
    if target.is_dir() and not target.is_symlink():
        raise _Refused(f"a folder is in the way at {target}: not replaced")
    remaining = max(budget[1] - budget[0], 0)
    cap = min(limit, declared, remaining) if declared >= 0 else min(limit, remaining)
    # A pipe or a device in the way (os.replace would have put a file in its place): refused.
    with atomic_path(target, special="refuse") as tmp:
        with open(tmp, "wb") as out:
            try:
                source = open_source()
            except _DAMAGED as exc:
                raise _Refused(f"{unreadable} ({exc})") from None
            with source:
                written = 0
                while True:
                    try:
                        block = source.read(_COPY_BLOCK)
                    except _DAMAGED as exc:
                        raise _Refused(f"{unreadable} ({exc})") from None
                    if not block:
                        break
                    written += len(block)
                    if written > cap:
                        if cap == remaining and remaining < min(limit, declared if declared >= 0 else limit):
                            raise _Refused(
                                f"the import has written {_mb(budget[0])}: this file would take it past the limit "
                                f"of {_mb(budget[1])} (max_total_bytes=): refused, nothing written"
                            )
                        raise _Refused(
                            f"holds more than its header declares ({_mb(declared)}) or than the per-file limit "
                            f"({_mb(limit)}, max_member_bytes=): refused, nothing written"
                        )
                    out.write(block)
                    budget[0] += len(block)
        if os.path.lexists(target):
            try:
                same = filecmp.cmp(tmp, target, shallow=False)
            except OSError:
                same = False
            if same:
                raise _Unchanged()
            if not overwrite:
                raise _Refused(
                    "exists with different content; kept yours (delete it, or pass overwrite=True, to import this copy)"
                )


def _plan(source: Path, members, report: ImportReport, *, max_total: int, max_member: int, max_ratio: float,
          max_members: int, packed: int | None = None):
    """Decide, from names and headers only, what to extract: ``[(member, relative path)]``.

    Every refusal is added to ``report.skipped``; a total over ``max_total``, more than
    ``max_members`` files, or (for a zip of ``packed`` bytes) a total that expands the archive
    more than ``max_ratio`` times raises.
    """
    plan, claimed, total = [], {}, 0
    for member in members:
        kind, refusal = _kind(member.name)
        if kind is None and refusal is None:
            continue  # not part of GTZAN
        shown = Path(member.raw)
        if refusal is None:
            safe = _safe_member(member.name)
            if safe is None:
                refusal = "unsafe path (absolute, '..' or a drive letter) refused"
        if refusal is None and member.refusal:
            refusal = member.refusal
        if refusal is None:
            key = safe.casefold()
            if key in claimed:
                refusal = f"duplicate member: the archive already holds {claimed[key]}; the first one was kept"
            else:
                claimed[key] = safe
        if refusal is None and member.size > max_member:
            refusal = f"{_mb(member.size)}, more than the per-file limit of {_mb(max_member)} (max_member_bytes=): refused"
        if refusal is None and member.packed is not None and member.size >= _RATIO_FLOOR:
            ratio = member.size / max(member.packed, 1)
            if ratio > max_ratio:
                refusal = (
                    f"compression ratio {ratio:.0f}:1 is above the limit of {max_ratio:g}:1 (max_ratio=; "
                    f"{_mb(member.packed)} would expand to {_mb(member.size)}, like a zip bomb): refused"
                )
        if refusal is not None:
            report.skipped.append(Skipped(shown, refusal))
            continue
        total += member.size
        plan.append((member, safe))
    if total > max_total:
        raise DatasetError(
            f"{source}: would write {_mb(total)}, more than the limit of {_mb(max_total)} "
            f"(max_total_bytes=); nothing was written"
        )
    if len(plan) > max_members:
        raise DatasetError(
            f"{source}: would write {len(plan)} files, more than the limit of {max_members} (max_members=; "
            "GTZAN has about 1,000); nothing was written"
        )
    if packed is not None and total >= _RATIO_FLOOR and total > max_ratio * max(packed, 1):
        raise DatasetError(
            f"{source}: its members together expand {total / max(packed, 1):.0f} times ({_mb(packed)} would "
            f"write {_mb(total)}), above the limit of {max_ratio:g}:1 (max_ratio=; like a zip bomb); "
            "nothing was written"
        )
    return plan, total


def _inside(folder: Path, real_dest: Path) -> bool:
    """Does ``folder`` (which may not exist yet) lie inside ``real_dest`` once links are followed?"""
    try:
        return folder.resolve().is_relative_to(real_dest)
    except (OSError, RuntimeError):  # a symbolic link loop on the way
        return False


def _extract(plan, dest: Path, report: ImportReport, bar, *, max_member: int, max_total: int, overwrite: bool) -> None:
    real_dest = dest.resolve()
    budget = [0, max_total]  # bytes really written, across all members
    for member, safe in bar(plan, total=len(plan)):
        target = dest / safe
        shown = Path(member.raw)
        try:
            if not _inside(target.parent, real_dest):
                raise _Refused(
                    f"would be written outside the destination (a symbolic link in {dest} leads elsewhere, or round a loop)"
                )
            _copy_member(member.open, target, declared=member.size, limit=max_member, overwrite=overwrite,
                         unreadable=member.unreadable, budget=budget)
        except _Refused as exc:
            path = target if "kept yours" in exc.args[0] else shown
            report.skipped.append(Skipped(path, exc.args[0]))
            continue
        except _Unchanged:
            report.unchanged.append(safe)
        except OSError as exc:
            if exc.errno in _FATAL_WRITE:
                raise OutputError(
                    f"{dest}: cannot write ({exc.strerror or exc}); stopped after {len(report.imported)} files"
                ) from None
            report.skipped.append(Skipped(shown, f"cannot write {target} ({exc.strerror or exc})"))
            continue
        report.imported.append(safe)


def _check_dest(dest: Path) -> None:
    if os.path.lexists(dest) and not dest.is_dir():
        raise OutputError(f"{dest}: the destination is a file, not a folder")
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{dest}: cannot create the destination folder ({exc.strerror or exc})") from None
    if not os.access(dest, os.W_OK | os.X_OK):
        raise OutputError(f"{dest}: the destination folder is not writable (permission denied)")


def import_gtzan(
    source,
    *,
    dest=None,
    progress: bool = True,
    overwrite: bool = False,
    max_total_bytes: int = MAX_IMPORT_BYTES,
    max_member_bytes: int = MAX_MEMBER_BYTES,
    max_ratio: float = MAX_COMPRESSION_RATIO,
    max_members: int = MAX_MEMBERS,
) -> ImportReport:
    r"""Bring a GTZAN copy (a .zip/.tar(.gz) archive or a folder) into ``data/gtzan``.

    Only GTZAN audio (``<genre>.<5 digits>`` with an audio extension of
    :data:`musicviz.audio.AUDIO_EXTENSIONS`), the feature tables (:data:`TABLE_NAMES`) and the
    split lists (``*_filtered.txt``) are copied, keeping their relative layout; other files are
    ignored. Each file is written atomically. Refused, each reported in ``skipped`` with its
    reason:

    * members with absolute paths, ``..`` or drive letters (they could write outside the
      destination; Windows ``\`` separators are understood first), links and devices, and
      writing through a symbolic link that leads out of ``dest`` (or over a pipe or device);
    * in a folder: symbolic links to files or folders (not followed: import the folder a link
      points to itself), link loops and broken links, each named;
    * GTZAN-named files with another extension (``blues.00000.exe``);
    * a second member with the name of an earlier one (the first one wins);
    * encrypted (password-protected) zip members;
    * members larger than ``max_member_bytes``, zip members that expand more than
      ``max_ratio`` times, and members holding more bytes than their header says (bytes are
      counted while extracting);
    * a file already in ``dest`` with different content: yours is kept unless ``overwrite``
      (identical content is fine and listed in ``unchanged``).

    Sizes are checked from the archive's headers before anything is extracted: an import that
    would write more than ``max_total_bytes`` or more than ``max_members`` files, a zip whose
    members together expand it more than ``max_ratio`` times or whose members overlap (share
    bytes: a crafted "zip bomb"), a compressed tar that expands more than ``max_ratio`` times,
    and an archive listing more than ``max_members`` entries or :data:`MAX_HEADER_BYTES` of
    headers are refused whole. A tar's headers are read one at a time, never all kept. While
    extracting, the bytes really written are counted across all members (headers can lie).

    Parameters
    ----------
    source : path-like
        A zip or tar archive (as downloaded), or a folder.
    dest : path-like or None
        Destination (default: ``<data_dir>/gtzan``).
    progress : bool
        Show a progress bar.
    overwrite : bool
        Replace files in ``dest`` whose content differs from the source's (default: keep them).
    max_total_bytes : int
        Most bytes written in all (default :data:`MAX_IMPORT_BYTES`, 2 GB).
    max_member_bytes : int
        Largest file written (default :data:`MAX_MEMBER_BYTES`, 200 MB).
    max_ratio : float
        Largest compression ratio accepted (default :data:`MAX_COMPRESSION_RATIO`, 100:1).
    max_members : int
        Most entries an archive may list and most files written (default :data:`MAX_MEMBERS`).

    Returns
    -------
    ImportReport

    Raises
    ------
    DatasetError
        The source is missing, unreadable, damaged, not an archive/folder musicviz can read,
        would write more than ``max_total_bytes`` or ``max_members`` files, expands too
        much, or has overlapping members or too many headers.
    OutputError
        ``dest`` is a file, cannot be created or written, or the disk is full.
    ParameterError
        A limit is not a finite positive number.

    Examples
    --------
    >>> import io, tempfile, zipfile
    >>> from pathlib import Path
    >>> from musicviz.datasets import import_gtzan
    >>> work = Path(tempfile.mkdtemp())
    >>> with zipfile.ZipFile(work / "gtzan.zip", "w") as z:
    ...     z.writestr("Data\\train_filtered.txt", "blues/blues.00000.wav\n")
    ...     z.writestr("../evil/blues.00001.wav", b"RIFF")
    ...     z.writestr("genres/blues/blues.00002.exe", b"MZ")
    >>> report = import_gtzan(work / "gtzan.zip", dest=work / "gtzan", progress=False)
    >>> report.imported
    ['Data/train_filtered.txt']
    >>> [s.reason.split(" ")[0] for s in report.skipped]
    ['unsafe', 'extension']
    """
    for name, value in (("max_total_bytes", max_total_bytes), ("max_member_bytes", max_member_bytes),
                        ("max_ratio", max_ratio), ("max_members", max_members)):
        positive_float(value, name)
    source = Path(source)
    dest = Path(dest) if dest is not None else data_dir() / "gtzan"
    if not os.path.lexists(source):
        raise DatasetError(f"{source}: not found")
    try:
        info = os.stat(source)
    except OSError as exc:
        raise DatasetError(f"{source}: {_read_reason(exc)}") from None
    if not (stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode)):
        raise DatasetError(f"{source}: not a folder, zip or tar archive (a pipe, socket or device)")
    report = ImportReport(dest=dest)

    def bar(items, total=None):
        if not progress:
            return items
        from tqdm.auto import tqdm

        return tqdm(items, total=total, desc="importing", unit="file")

    limits = {"max_total": max_total_bytes, "max_member": max_member_bytes, "max_ratio": max_ratio,
              "max_members": max_members}
    if stat.S_ISDIR(info.st_mode):
        members = _folder_members(source, report)
        plan, _ = _plan(source, members, report, **limits)
        _check_dest(dest)
        _extract(plan, dest, report, bar, max_member=max_member_bytes, max_total=max_total_bytes, overwrite=overwrite)
        return report

    try:
        with open(source, "rb"):
            pass
    except OSError as exc:
        raise DatasetError(f"{source}: {_read_reason(exc)}") from None
    try:
        return _import_archive(source, dest, report, bar, limits, overwrite=overwrite, size=info.st_size)
    except _DAMAGED as exc:
        raise DatasetError(f"{source}: damaged archive ({type(exc).__name__}: {exc})") from None


def _import_archive(source: Path, dest: Path, report: ImportReport, bar, limits, *, overwrite, size):
    extract = {"max_member": limits["max_member"], "max_total": limits["max_total"], "overwrite": overwrite}
    if zipfile.is_zipfile(source):
        directory = _zip_directory_size(source)
        if directory is not None and (directory[0] > limits["max_members"] or directory[1] > MAX_HEADER_BYTES):
            raise DatasetError(
                f"{source}: lists {directory[0]} entries in {_mb(directory[1])} of headers, more than the limits of "
                f"{limits['max_members']} entries (max_members=) and {_mb(MAX_HEADER_BYTES)}; nothing was written"
            )
        with zipfile.ZipFile(source) as archive:
            overlap = _zip_overlaps(source, archive)
            if overlap is not None:
                raise DatasetError(
                    f"{source}: its members overlap ({overlap}): a crafted archive (a zip bomb made of members "
                    "that quote each other), not a GTZAN copy; nothing was written"
                )
            members = []
            for info in archive.infolist():
                if info.is_dir():
                    continue
                refusal = None
                if info.flag_bits & 0x1:
                    refusal = ("encrypted (password-protected) member: musicviz cannot read it; extract the archive "
                               "with its password and import the folder")
                # Unix mode bits in external_attr: a symlink member must not be written out.
                elif (info.external_attr >> 16) & 0o170000 == 0o120000:
                    refusal = "symbolic link refused"
                members.append(_Member(info.filename, info.file_size, info.compress_size,
                                       lambda info=info: archive.open(info), refusal))
            plan, _ = _plan(source, members, report, packed=size, **limits)
            _check_dest(dest)
            _extract(plan, dest, report, bar, **extract)
        return report

    try:  # not tarfile.is_tarfile: it would read a first member's long name whole, unbounded
        tar = tarfile.open(source, tarinfo=_BoundedTarInfo)
    except tarfile.ReadError:
        tar = None
    if tar is not None:
        with tar as archive:
            members = []
            # Headers are read one at a time and only GTZAN's are kept (tarfile would keep them
            # all: 200,000 empty members took 262 MB). Listing a compressed tar decompresses it:
            # stop as soon as it has expanded more than max_ratio times the archive's size (a
            # bomb) or listed more than max_members entries, before anything is written.
            budget, listed = max(limits["max_ratio"] * size, _RATIO_FLOOR), 0
            while True:
                member = archive.next()
                archive.members.clear()  # tarfile appends every header it reads: keep none
                if member is None:
                    break
                listed += 1
                expanded = max(archive.offset, member.offset_data + max(member.size, 0))
                if expanded > budget:
                    raise DatasetError(
                        f"{source}: compression ratio above the limit of {limits['max_ratio']:g}:1 (max_ratio=; its "
                        f"{_mb(size)} hold more than {_mb(expanded)}, like a zip bomb); nothing was written"
                    )
                if listed > limits["max_members"]:
                    raise DatasetError(
                        f"{source}: lists more than {limits['max_members']} entries (max_members=; GTZAN has about "
                        "1,000 clips); nothing was written"
                    )
                if member.isdir():
                    continue
                name = _member_name(member.name)
                if _kind(name) == (None, None):
                    continue  # not GTZAN's: not kept, not reported
                refusal = None if member.isfile() else "not a regular file (link or device) refused"
                members.append(_Member(member.name, max(member.size, 0), None,
                                       lambda member=member: archive.extractfile(member), refusal))
            plan, _ = _plan(source, members, report, **limits)
            _check_dest(dest)
            _extract(plan, dest, report, bar, **extract)
        return report

    raise DatasetError(f"{source}: not a folder, zip or tar archive")
