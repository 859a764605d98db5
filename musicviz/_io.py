"""Atomic file writing shared by every module that writes (caches, data, exported figures).

Nothing is lost: a file is written under a temporary name in the same folder, flushed to disk
(:func:`os.fsync`), and renamed into place with :func:`os.replace`, which is atomic on POSIX
and Windows; the folder is then flushed too, so the rename itself survives a power cut. A crash
or an exception mid-write leaves the previous file (or none), never half a file.

A whole folder is replaced the same way: :func:`make_sibling_folder` makes an empty hidden
folder next to it, the caller fills it, and :func:`replace_folder` swaps it in (rename the old
folder away, rename the new one in, delete the old one), so readers see the old folder or the
new one, never a mix, and a failure before the swap leaves the old folder as it was.

The temporary file is created with mode ``0o666`` and the process umask applies to it the
usual way, so a new file has the permissions any ``open(path, "w")`` would give it; a file that
is replaced keeps its permission bits (a ``0600`` file stays ``0600``) and, where the process
may set it, its owner. The umask is never read by changing it (``os.umask`` is process-wide:
another thread creating a file at that moment would get the wrong permissions).

Only a regular file (or nothing) is ever renamed over. A named pipe, a device (``/dev/null``,
``/dev/full``), a socket, or a symbolic link to one of them is never replaced: each call site
says what to do with one (:func:`write_plan`): ``special="write"`` writes the finished content
*into* it (a table sent to a pipe or to ``/dev/null``), ``special="refuse"`` (the default:
models, cache entries, audio, figures) raises :class:`NotRegularFileError` before anything is
written. A symbolic link to a regular file, a dangling link or a link loop is replaced as a
link (the file it points to is left alone), as before.

Hidden staging folders (:func:`make_sibling_folder`) are locked (``flock``) while their
process uses them; a run that was killed leaves its staging folder behind, unlocked, and the
next :func:`make_sibling_folder` for the same place deletes it
(:func:`clean_stale_siblings`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import stat
import tempfile
import threading
import time
import warnings
from pathlib import Path

from musicviz.errors import OutputError

__all__ = [
    "NotRegularFileError",
    "SPECIAL_POLICIES",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "clean_stale_siblings",
    "make_sibling_folder",
    "replace_folder",
    "project_root",
    "write_plan",
]

_TEMP_ATTEMPTS = 100
_COPY_BLOCK = 1 << 20

#: What :func:`atomic_path` may do with a target that is not a regular file (a pipe, a device,
#: a socket, or a link to one): ``"refuse"`` it (:class:`NotRegularFileError`) or ``"write"``
#: the finished content into it. Renaming over it is never an option.
SPECIAL_POLICIES = ("refuse", "write")

_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


class NotRegularFileError(OutputError, OSError):
    """The target exists and is not a regular file (a pipe, a device, a socket): musicviz
    refuses to write there, and never renames over it. Both an :class:`OutputError` and an
    :class:`OSError`, so callers that handle "cannot write" keep working."""


def _special_kind(mode: int) -> str | None:
    return _KINDS.get(stat.S_IFMT(mode))


def write_plan(path, *, special: str = "refuse") -> tuple[str, os.stat_result | None]:
    """How :func:`atomic_path` writes ``path``: ``("rename", old)`` or ``("write into", old)``.

    The decision, on the file as it is now (``os.lstat``, then ``os.stat`` through a link):

    =================================================  ===================================
    ``path`` is                                        plan
    =================================================  ===================================
    missing                                            ``"rename"`` (``old`` is None)
    a regular file                                     ``"rename"``, keeping ``old``'s mode
    a symbolic link to a regular file, dangling, loop  ``"rename"`` over the link itself
    a folder (or a link to one)                        :class:`IsADirectoryError`
    a pipe, device, socket (or a link to one)          ``special="write"``: ``"write into"``;
                                                       ``"refuse"``: :class:`NotRegularFileError`
    =================================================  ===================================

    Examples
    --------
    >>> import tempfile, os
    >>> from musicviz._io import write_plan
    >>> folder = tempfile.mkdtemp()
    >>> write_plan(os.path.join(folder, "new.csv"))
    ('rename', None)
    >>> write_plan(os.devnull, special="write")[0]
    'write into'
    >>> try:
    ...     write_plan(os.devnull)
    ... except OSError as exc:
    ...     print(type(exc).__name__)
    NotRegularFileError
    """
    if special not in SPECIAL_POLICIES:
        raise ValueError(f"special must be one of {SPECIAL_POLICIES}, got {special!r}")
    path = Path(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return "rename", None
    if stat.S_ISLNK(info.st_mode):
        try:
            target = os.stat(path)
        except OSError:  # dangling, a loop: only the link itself is there to replace
            return "rename", None
        if stat.S_ISREG(target.st_mode):
            return "rename", None  # the link is replaced; the file it points to is untouched
        info = target
    if stat.S_ISREG(info.st_mode):
        return "rename", info
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
    kind = _special_kind(info.st_mode) or "not a regular file"
    if special == "write":
        return "write into", info
    raise NotRegularFileError(
        f"{path}: is {kind}, not a regular file; musicviz writes this only as a regular file and "
        "never replaces a pipe, a device or a socket: give another file name"
    )


def _create_temp(path: Path) -> Path:
    """Create an empty, new ``.<name>.<random>.tmp`` next to ``path`` and return its path.

    ``O_EXCL`` makes the name ours alone (like :func:`tempfile.mkstemp`), but the mode is
    ``0o666`` filtered by the umask instead of mkstemp's ``0o600``.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(_TEMP_ATTEMPTS):
        tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise FileExistsError(f"{path.parent}: could not create a temporary file for {path.name}")


def _fsync_file(path: Path) -> None:
    """Flush a written file's data to the disk (errors propagate: the data may be lost)."""
    if path.is_dir():  # a writer that made a folder: nothing to flush file-wise
        return
    # Read-write: Windows refuses to flush a handle opened read-only (POSIX does not care,
    # which is the fallback for a writer that left the file read-only).
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    except PermissionError:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (the rename), where the OS allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # Windows cannot open folders; the rename is durable there already
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems (and platforms) refuse fsync on a folder
        pass
    finally:
        os.close(fd)


def _keep_owner_and_mode(tmp: Path, old: os.stat_result) -> None:
    """Give the new file the permission bits (and, where allowed, the owner) of the one it replaces."""
    if tmp.is_dir():
        return
    if hasattr(os, "chown") and (old.st_uid, old.st_gid) != (os.stat(tmp).st_uid, os.stat(tmp).st_gid):
        with contextlib.suppress(OSError):  # only root (or the owner, for the group) may
            os.chown(tmp, old.st_uid, old.st_gid)
    os.chmod(tmp, stat.S_IMODE(old.st_mode) & 0o777)  # never setuid/setgid/sticky on new content


def _write_into(source: Path, path: Path) -> None:
    """Copy the finished ``source`` into the existing special file ``path`` (no create, no truncate)."""
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "wb") as out, open(source, "rb") as data:
        shutil.copyfileobj(data, out, _COPY_BLOCK)


@contextlib.contextmanager
def atomic_path(path, *, special: str = "refuse"):
    """Yield a temporary path next to ``path``; on success flush it and rename it to ``path``.

    Parameters
    ----------
    path : str or path-like
        The file to write. Its folder is created if needed. A regular file there is replaced
        and keeps its permission bits (and owner, where allowed).
    special : {"refuse", "write"}
        What to do when ``path`` is a named pipe, a device, a socket or a link to one
        (:func:`write_plan`); nothing is ever renamed over such a file. ``"refuse"`` raises
        :class:`NotRegularFileError` before anything is written (models, cache entries:
        the place is not a file that can hold them). ``"write"`` writes the finished content
        into it (tables and reports: ``--out /dev/null`` or a pipe to another program), from
        a temporary file in the system's temporary folder.

    Yields
    ------
    pathlib.Path
        An empty file ``.<name>.<random>.tmp`` in the same folder (same file system, so the
        final rename is atomic). Write it in any way (``open``, ``to_csv``, ``savefig``, ...).
        On an exception it is deleted and ``path`` is left as it was.

    Raises
    ------
    NotRegularFileError
        ``path`` is not a regular file and ``special="refuse"`` (raised on entering the block).
    IsADirectoryError
        ``path`` is a folder (raised on entering the block).

    Examples
    --------
    >>> import tempfile, os
    >>> from musicviz._io import atomic_path
    >>> target = os.path.join(tempfile.mkdtemp(), "out.txt")
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("hello")
    >>> open(target).read()
    'hello'
    """
    path = Path(path)
    plan, old = write_plan(path, special=special)
    if plan == "write into":
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
        tmp = Path(name)
        try:
            yield tmp
            _write_into(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _create_temp(path)
    try:
        yield tmp
        if old is not None:
            _keep_owner_and_mode(tmp, old)
        _fsync_file(tmp)
        # The target may have changed while the content was being made: decide again.
        if write_plan(path, special=special)[0] == "write into":
            _write_into(tmp, path)
        else:
            os.replace(tmp, path)
            _fsync_dir(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def atomic_write_bytes(path, data: bytes, *, special: str = "refuse") -> Path:
    """Write ``data`` to ``path`` atomically and return the path.

    Examples
    --------
    >>> import tempfile, os
    >>> from musicviz._io import atomic_write_bytes
    >>> atomic_write_bytes(os.path.join(tempfile.mkdtemp(), "b.bin"), b"\\x00\\x01").stat().st_size
    2
    """
    with atomic_path(path, special=special) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def atomic_write_text(path, text: str, *, encoding: str = "utf-8", special: str = "refuse") -> Path:
    """Write ``text`` to ``path`` atomically and return the path.

    Examples
    --------
    >>> import tempfile, os
    >>> from musicviz._io import atomic_write_text
    >>> atomic_write_text(os.path.join(tempfile.mkdtemp(), "t.txt"), "hi").read_text()
    'hi'
    """
    return atomic_write_bytes(path, text.encode(encoding), special=special)


#: A staging folder older than this is stale where folders cannot be locked (no ``fcntl``).
STALE_SECONDS = 24 * 3600
# Staging folders this process holds: path -> a descriptor with an exclusive flock on it.
_HELD: dict[str, int] = {}
# Threads of one process (make run exports figures of two notebooks at once) share _HELD: one
# must not prune it while another adds to it, nor take a sibling being created for stale.
_HELD_LOCK = threading.RLock()


def _lock_folder(folder: Path) -> int | None:
    """An open descriptor of ``folder`` holding an exclusive lock, or None when it is taken.

    Raises OSError when the folder cannot be opened; where locks do not exist (Windows),
    returns -1 (nothing held).
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return -1
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return None
        return -1  # a file system without locks: fall back on the folder's age
    return fd


def _release(folder) -> None:
    with _HELD_LOCK:
        fd = _HELD.pop(str(folder), None)
    if fd is not None and fd >= 0:
        with contextlib.suppress(OSError):
            os.close(fd)


def _prune_held() -> None:
    """Forget staging folders that are gone (deleted by their caller, or swapped in)."""
    with _HELD_LOCK:
        for name in [name for name in list(_HELD) if not os.path.lexists(name)]:
            _release(name)


def _in_use(folder: Path) -> bool:
    """Is the staging folder ``folder`` held by a running process (this one or another)?"""
    if str(folder) in _HELD:
        return True
    try:
        fd = _lock_folder(folder)
    except OSError:
        return True  # cannot even open it: leave it alone
    if fd is None:
        return True
    if fd >= 0:
        os.close(fd)
        return False
    try:  # no locks here: only an old folder is surely abandoned
        return time.time() - os.stat(folder).st_mtime < STALE_SECONDS
    except OSError:
        return True


def clean_stale_siblings(path, *, tag: str = "tmp") -> list[Path]:
    """Delete the staging folders of ``path`` that a killed run left behind; return what was cleaned.

    A staging folder ``.<name>.<tag>-<8 hex digits>`` (:func:`make_sibling_folder`) is locked
    while its process uses it: an unlocked one belongs to a run that ended without removing it
    (killed, power cut) and is deleted. A previous folder ``.<name>.old-<8 hex digits>`` left by
    a kill inside :func:`replace_folder` is deleted when ``path`` exists, or put back in place
    when ``path`` is missing (the kill came between the two renames). Nothing is touched while
    any staging folder of ``path`` is in use. Where folders cannot be locked (Windows), staging
    folders older than :data:`STALE_SECONDS` count as abandoned.

    Examples
    --------
    >>> import tempfile, os
    >>> from pathlib import Path
    >>> from musicviz._io import clean_stale_siblings
    >>> parent = Path(tempfile.mkdtemp())
    >>> (parent / ".set.tmp-0badcafe").mkdir()  # what a killed `musicviz data synth` leaves
    >>> [p.name for p in clean_stale_siblings(parent / "set")]
    ['.set.tmp-0badcafe']
    >>> os.listdir(parent)
    []
    """
    path = Path(path)
    _prune_held()
    staging_re = re.compile(rf"\.{re.escape(path.name)}\.{re.escape(tag)}-[0-9a-f]{{8}}", re.ASCII)
    old_re = re.compile(rf"\.{re.escape(path.name)}\.old-[0-9a-f]{{8}}", re.ASCII)
    try:
        entries = sorted(os.scandir(path.parent), key=lambda e: e.name)
    except OSError:
        return []
    cleaned, busy, olds = [], False, []
    for entry in entries:
        if not entry.is_dir(follow_symlinks=False):
            continue
        folder = Path(entry.path)
        if old_re.fullmatch(entry.name):
            olds.append(folder)
        elif staging_re.fullmatch(entry.name):
            if _in_use(folder):
                busy = True
                continue
            shutil.rmtree(folder, ignore_errors=True)
            if not os.path.lexists(folder):
                cleaned.append(folder)
    if busy:
        return cleaned  # a run is writing this place now: its previous folder is its own business
    for folder in sorted(olds, key=lambda f: f.stat().st_mtime if f.exists() else 0, reverse=True):
        if not os.path.lexists(path):
            try:
                os.rename(folder, path)  # killed between the two renames: the previous folder goes back
            except OSError:
                continue  # leave it where it is rather than lose it
            cleaned.append(folder)
            continue
        shutil.rmtree(folder, ignore_errors=True)
        if not os.path.lexists(folder):
            cleaned.append(folder)
    return cleaned


def make_sibling_folder(path, *, tag: str = "tmp") -> Path:
    """Create a new, empty, hidden folder ``.<name>.<tag>-<random>`` next to ``path``.

    Next to it (same parent, so the same file system): :func:`replace_folder` can then rename
    it into place atomically. The parent folder is created if needed. The new folder gets mode
    ``0o777`` filtered by the umask, as ``mkdir`` gives (not :func:`tempfile.mkdtemp`'s 0700).
    It stays locked while this process uses it; staging folders of ``path`` that earlier,
    killed runs left behind are deleted first (:func:`clean_stale_siblings`).

    Raises
    ------
    OSError
        The parent cannot be created or written (read-only, permission denied, below a file).

    Examples
    --------
    >>> import tempfile, os
    >>> from musicviz._io import make_sibling_folder
    >>> parent = tempfile.mkdtemp()
    >>> make_sibling_folder(os.path.join(parent, "synth")).name.startswith(".synth.tmp-")
    True
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _HELD_LOCK:  # no other thread of this process may clean up a sibling it is creating
        clean_stale_siblings(path, tag=tag)
        for _ in range(_TEMP_ATTEMPTS):
            folder = path.parent / f".{path.name}.{tag}-{secrets.token_hex(4)}"
            try:
                os.mkdir(folder, 0o777)
            except FileExistsError:
                continue
            try:
                fd = _lock_folder(folder)
            except OSError:
                fd = -1
            _HELD[str(folder)] = -1 if fd is None else fd
            return folder
    raise FileExistsError(f"{path.parent}: could not create a temporary folder for {path.name}")


def replace_folder(new, path) -> None:
    """Put the folder ``new`` in place of ``path`` (which may not exist), as a whole.

    ``path`` is renamed away to a hidden sibling, ``new`` is renamed to ``path``, and the old
    folder is deleted. Both renames happen in one parent folder, so each is atomic: a reader
    sees the old folder or the new one, never a mix (there is a moment, between the two
    renames, when ``path`` does not exist). If the second rename fails, the old folder is put
    back and the error is raised.

    Parameters
    ----------
    new : path-like
        A folder in the same parent as ``path`` (see :func:`make_sibling_folder`).
    path : path-like
        The folder to replace.

    Raises
    ------
    OSError
        A rename failed; ``path`` is then unchanged.

    Examples
    --------
    >>> import tempfile, os
    >>> from pathlib import Path
    >>> from musicviz._io import make_sibling_folder, replace_folder
    >>> target = Path(tempfile.mkdtemp()) / "set"
    >>> (target / "old").mkdir(parents=True)
    >>> staging = make_sibling_folder(target)
    >>> _ = (staging / "new.txt").write_text("new")
    >>> replace_folder(staging, target)
    >>> sorted(p.name for p in target.iterdir())
    ['new.txt']
    """
    new, path = Path(new), Path(path)
    _fsync_dir(new)
    old = None
    if os.path.lexists(path):
        for _ in range(_TEMP_ATTEMPTS):
            candidate = path.parent / f".{path.name}.old-{secrets.token_hex(4)}"
            if not os.path.lexists(candidate):
                old = candidate
                break
        else:  # pragma: no cover - 100 random names all taken
            raise FileExistsError(f"{path.parent}: could not find a free name to move {path.name} aside")
        os.rename(path, old)
    try:
        os.rename(new, path)
    except BaseException:
        if old is not None:
            os.rename(old, path)  # put the previous folder back
        raise
    _release(new)  # swapped in: no longer a staging folder
    _fsync_dir(path.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
        if os.path.lexists(old):
            warnings.warn(f"could not delete the previous folder, now at {old}: delete it by hand", stacklevel=2)


def project_root() -> Path:
    """The folder that holds ``pyproject.toml`` (musicviz is installed editable from it)."""
    return Path(__file__).resolve().parent.parent
