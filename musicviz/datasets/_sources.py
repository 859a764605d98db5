"""Reading what :func:`musicviz.datasets.import_gtzan` imports from: a folder, a zip, a tar.

Notebook: ``00_introduction.ipynb`` (through :mod:`musicviz.datasets.importing`, which decides
what is written). This module only lists a source's members, from names and headers, within
bounds: a folder is walked without following links (each link is reported), a zip's overlapping
members and oversized directory are found before any member is read, and a tar's headers are
read one at a time with their memory capped.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import struct
import tarfile
import zipfile
from pathlib import Path

from musicviz import GENRES
from musicviz.audio import AUDIO_EXTENSIONS
from musicviz.datasets.scanning import _TRACK_RE, Skipped
from musicviz.datasets.tables import FEATURE_TABLE_NAME
from musicviz.errors import DatasetError

#: Most bytes of archive headers read into memory: a zip's central directory, or all of a
#: tar's extended headers (long names, pax records) together.
MAX_HEADER_BYTES = 16 * 2**20
#: The GTZAN tables :func:`~musicviz.datasets.import_gtzan` copies besides the audio (plus ``*_filtered.txt``).
TABLE_NAMES = (FEATURE_TABLE_NAME, "features_3_sec.csv")

_SPLIT_LIST_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*_filtered\.txt", re.ASCII)
# musicviz's staging folders (``.<name>.<tag>-<8 hex>``, musicviz._io.make_sibling_folder).
_STAGING_RE = re.compile(r"\.[^/]+\.[A-Za-z0-9_]+-[0-9a-f]{8}", re.ASCII)


def _member_name(raw: str) -> str:
    """A member name with Windows separators made ``/`` (archives made on Windows)."""
    return raw.replace("\\", "/")


def _kind(name: str) -> tuple[str | None, str | None]:
    """``(kind, refusal)`` of a (normalised) member name.

    kind is ``"audio"`` or ``"table"`` for what GTZAN holds, None for anything else (ignored,
    not reported); refusal is a reason when the name looks like GTZAN's but is not accepted.
    """
    base = name.rsplit("/", 1)[-1].rsplit(":", 1)[-1]  # "C:blues.00000.wav" is refused as unsafe below
    if base in TABLE_NAMES or _SPLIT_LIST_RE.fullmatch(base):
        return "table", None
    match = _TRACK_RE.fullmatch(base)
    if match is None or match["genre"] not in GENRES:
        return None, None
    if "." + match["ext"].lower() not in AUDIO_EXTENSIONS:
        return None, f"extension .{match['ext']} is not an audio extension ({' '.join(AUDIO_EXTENSIONS)}): refused"
    return "audio", None


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n} bytes"


class _Member:
    """One entry of a source: its name, sizes and how to open it."""

    __slots__ = ("raw", "name", "size", "packed", "open", "refusal", "unreadable")

    def __init__(self, raw, size, packed, opener, refusal=None, unreadable="damaged in the archive"):
        self.raw, self.name = raw, _member_name(raw)
        self.size, self.packed, self.open, self.refusal = size, packed, opener, refusal
        self.unreadable = unreadable  # how a member that fails to read is reported


class _HeaderTooLarge(DatasetError):
    """A tar's extended headers (long names, pax records) exceed :data:`MAX_HEADER_BYTES`."""


_EXTENDED_TYPES = (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK, tarfile.XHDTYPE, tarfile.XGLTYPE,
                   tarfile.SOLARIS_XHDTYPE)


class _BoundedTarInfo(tarfile.TarInfo):
    """A tar header that refuses extended headers beyond :data:`MAX_HEADER_BYTES` *before*
    tarfile reads them into memory (it reads a long name or pax record whole)."""

    def _proc_member(self, tarfile_):
        if self.type in _EXTENDED_TYPES:
            used = getattr(tarfile_, "_musicviz_header_bytes", 0) + max(self.size, 0)
            limit = getattr(tarfile_, "_musicviz_header_limit", MAX_HEADER_BYTES)
            if used > limit:
                raise _HeaderTooLarge(
                    f"{tarfile_.name}: its extended headers (long names, pax records) hold more than "
                    f"{_mb(limit)}, far beyond any GTZAN copy; nothing was written"
                )
            tarfile_._musicviz_header_bytes = used
        return super()._proc_member(tarfile_)


def _link_reason(path: Path, ancestors: set[tuple[int, int]]) -> tuple[str, bool]:
    """``(reason, always)`` for a symbolic link met while walking ``source``: why it is not
    imported, and whether it is reported whatever its name (folders, loops, broken links)."""
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    try:
        info = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop: following the links leads back in a circle; not imported", True
        if isinstance(exc, FileNotFoundError):
            return f"broken symbolic link (to {target}, which does not exist); not imported", True
        return f"symbolic link that cannot be followed ({exc.strerror or exc}); not imported", True
    if stat.S_ISDIR(info.st_mode):
        if (info.st_dev, info.st_ino) in ancestors:
            return (f"symbolic link loop: it leads back to a folder above it ({target}); "
                    "not followed, nothing under it was imported"), True
        return (f"symbolic link to a folder ({target}): not followed, its files were not imported "
                "(import the folder it points to itself)"), True
    return f"symbolic link (to {target}) refused: import the file it points to itself", False


def _folder_members(source: Path, report) -> list[_Member]:
    """The regular files under ``source``; links (to files or folders, loops, broken ones) and
    unreadable folders are reported, never followed."""
    members = []
    try:
        top = os.stat(source)
    except OSError:
        return members
    stack = [(source, {(top.st_dev, top.st_ino)})]  # depth first, without recursion
    while stack:
        folder, ancestors = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            report.skipped.append(Skipped(folder, f"cannot list the folder ({exc.strerror or exc}); "
                                                  "its files were not imported"))
            continue
        below = []
        for entry in entries:
            path = Path(entry.path)
            rel = path.relative_to(source).as_posix()
            if entry.is_symlink():
                reason, always = _link_reason(path, ancestors)
                if always:
                    report.skipped.append(Skipped(path, reason))
                else:  # a link to a file: reported when its name is GTZAN's (as any file)
                    members.append(_Member(rel, 0, None, None, reason))
                continue
            try:
                info = os.lstat(path)
            except OSError as exc:
                members.append(_Member(rel, 0, None, None, f"cannot read the file ({exc.strerror or exc})"))
                continue
            if stat.S_ISDIR(info.st_mode):
                if _STAGING_RE.fullmatch(entry.name):
                    continue  # musicviz's own staging folder (a run in progress or killed)
                below.append((path, ancestors | {(info.st_dev, info.st_ino)}))
                continue
            refusal = None if stat.S_ISREG(info.st_mode) else "not a regular file (a pipe, socket or device) refused"
            members.append(_Member(rel, info.st_size, None, lambda path=path: open(path, "rb"), refusal,
                                   unreadable="cannot read the file"))
        stack.extend(reversed(below))
    return members


def _zip_directory_size(source: Path) -> tuple[int, int] | None:
    """``(entries, bytes)`` of a zip's central directory, read from its end record only
    (before :class:`zipfile.ZipFile` builds an object per entry), or None when unknown."""
    try:
        with open(source, "rb") as handle:
            end = zipfile._EndRecData(handle)  # the same reader ZipFile uses (zip64 aware)
    except (OSError, AttributeError, struct.error):
        return None
    if not end:
        return None
    return int(end[zipfile._ECD_ENTRIES_TOTAL]), int(end[zipfile._ECD_SIZE])


def _zip_overlaps(source: Path, archive: zipfile.ZipFile) -> str | None:
    """Why the members of ``archive`` overlap (two entries share bytes of the file), or None.

    Each entry occupies its local header (30 bytes, the name, the extra field) and its
    compressed data; a legitimate zip lays them out one after the other, before the central
    directory. Overlapping entries, each quoting the next, are how a 500 KB zip writes
    hundreds of MB while every single member looks harmless.
    """
    spans = []
    with open(source, "rb") as handle:
        for info in archive.infolist():
            handle.seek(info.header_offset)
            header = handle.read(30)
            if len(header) < 30 or header[:4] != b"PK\x03\x04":
                return f"{info.filename!r} has no local header where the directory says"
            name_len, extra_len = struct.unpack("<HH", header[26:30])
            end = info.header_offset + 30 + name_len + extra_len + info.compress_size
            spans.append((info.header_offset, end, info.filename))
    spans.sort()
    directory = getattr(archive, "start_dir", None)
    for (start, end, name), (next_start, _, next_name) in zip(spans, spans[1:]):
        if next_start < end:
            return f"{name!r} and {next_name!r} share bytes"
    if spans and directory is not None and spans[-1][1] > directory:
        return f"{spans[-1][2]!r} runs into the central directory"
    return None


