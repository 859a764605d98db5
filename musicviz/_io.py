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
usual way, so the result has the permissions any ``open(path, "w")`` would give it. The umask
is never read by changing it (``os.umask`` is process-wide: another thread creating a file at
that moment would get the wrong permissions).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import warnings
from pathlib import Path

__all__ = [
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "make_sibling_folder",
    "replace_folder",
    "project_root",
]

_TEMP_ATTEMPTS = 100


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


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path next to ``path``; on success flush it and rename it to ``path``.

    Parameters
    ----------
    path : str or path-like
        The file to write. Its folder is created if needed.

    Yields
    ------
    pathlib.Path
        An empty file ``.<name>.<random>.tmp`` in the same folder (same file system, so the
        final rename is atomic). Write it in any way (``open``, ``to_csv``, ``savefig``, ...).
        On an exception it is deleted and ``path`` is left as it was.

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
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _create_temp(path)
    try:
        yield tmp
        _fsync_file(tmp)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def atomic_write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path.

    Examples
    --------
    >>> import tempfile, os
    >>> from musicviz._io import atomic_write_bytes
    >>> atomic_write_bytes(os.path.join(tempfile.mkdtemp(), "b.bin"), b"\\x00\\x01").stat().st_size
    2
    """
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def atomic_write_text(path, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically and return the path.

    Examples
    --------
    >>> import tempfile, os
    >>> from musicviz._io import atomic_write_text
    >>> atomic_write_text(os.path.join(tempfile.mkdtemp(), "t.txt"), "hi").read_text()
    'hi'
    """
    return atomic_write_bytes(path, text.encode(encoding))


def make_sibling_folder(path, *, tag: str = "tmp") -> Path:
    """Create a new, empty, hidden folder ``.<name>.<tag>-<random>`` next to ``path``.

    Next to it (same parent, so the same file system): :func:`replace_folder` can then rename
    it into place atomically. The parent folder is created if needed. The new folder gets mode
    ``0o777`` filtered by the umask, as ``mkdir`` gives (not :func:`tempfile.mkdtemp`'s 0700).

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
    for _ in range(_TEMP_ATTEMPTS):
        folder = path.parent / f".{path.name}.{tag}-{secrets.token_hex(4)}"
        try:
            os.mkdir(folder, 0o777)
        except FileExistsError:
            continue
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
    _fsync_dir(path.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
        if os.path.lexists(old):
            warnings.warn(f"could not delete the previous folder, now at {old}: delete it by hand", stacklevel=2)


def project_root() -> Path:
    """The folder that holds ``pyproject.toml`` (musicviz is installed editable from it)."""
    return Path(__file__).resolve().parent.parent
