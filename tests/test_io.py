"""``musicviz._io``: special files are never renamed over, modes are kept, stale staging goes.

Issue "Grades and files you can trust", part 2. Each test failed on the code before:
``atomic_path`` renamed its temporary over whatever was at the path (``--out /dev/null`` as root
replaced ``/dev/null`` with a regular file, system-wide; a FIFO became a file), replaced a 0600
file with a 0644 one, and a killed run left its ``.<name>.tmp-*`` staging folder for ever.

The real ``/dev/null`` is never touched: the FIFO tests use a pipe in ``tmp_path``, the device
test makes its own ``null`` and ``full`` devices on a tmpfs inside a throw-away mount
namespace (``unshare --mount``, root only, ``slow``), and the decision itself is tested on a
faked ``stat``.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from musicviz import _io
from musicviz.errors import OutputError

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")


def _read_fifo_in_thread(fifo: Path):
    """Start a reader of ``fifo``; returns a function that waits and gives what was read."""
    got = {}

    def read():
        with open(fifo, "rb") as handle:
            got["data"] = handle.read()

    thread = threading.Thread(target=read, daemon=True)
    thread.start()

    def result():
        thread.join(timeout=10)
        assert not thread.is_alive(), "the reader never saw the end of the data"
        return got.get("data")

    return result


# --- the decision -----------------------------------------------------------------------------

def test_write_plan_of_ordinary_targets(tmp_path):
    assert _io.write_plan(tmp_path / "new.csv") == ("rename", None)
    existing = tmp_path / "old.csv"
    existing.write_text("x")
    plan, old = _io.write_plan(existing)
    assert plan == "rename" and old.st_ino == existing.stat().st_ino
    with pytest.raises(IsADirectoryError):
        _io.write_plan(tmp_path)
    with pytest.raises(ValueError, match="special"):
        _io.write_plan(existing, special="rename")


@pytest.mark.parametrize("kind", [stat.S_IFCHR, stat.S_IFBLK, stat.S_IFIFO, stat.S_IFSOCK])
def test_write_plan_never_renames_over_a_device_pipe_or_socket(tmp_path, monkeypatch, kind):
    """/dev/null, /dev/full, a disk, a pipe, a socket: decided from stat, faked here."""
    fake = tmp_path / "null"
    real_lstat = os.lstat

    def lstat(path, *args, **kwargs):
        if Path(path) == fake:
            return os.stat_result((kind | 0o666, 0, 0, 1, 0, 0, 0, 0, 0, 0))
        return real_lstat(path, *args, **kwargs)

    monkeypatch.setattr(os, "lstat", lstat)
    assert _io.write_plan(fake, special="write")[0] == "write into"
    with pytest.raises(_io.NotRegularFileError, match="not a regular file") as info:
        _io.write_plan(fake)
    assert isinstance(info.value, OutputError) and isinstance(info.value, OSError)
    assert str(fake) in str(info.value)


# --- a named pipe -----------------------------------------------------------------------------

@needs_fifo
def test_a_table_written_to_a_fifo_goes_into_the_pipe(tmp_path):
    fifo = tmp_path / "table.csv"
    os.mkfifo(fifo)
    result = _read_fifo_in_thread(fifo)
    with _io.atomic_path(fifo, special="write") as tmp:
        tmp.write_text("a,b\n1,2\n")
    assert result() == b"a,b\n1,2\n"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still a pipe, not a file
    assert os.listdir(tmp_path) == ["table.csv"]  # no temporary left beside it


@needs_fifo
def test_a_model_or_cache_entry_is_refused_at_a_fifo(tmp_path):
    fifo = tmp_path / "model.skops"
    os.mkfifo(fifo)
    with pytest.raises(_io.NotRegularFileError, match="named pipe"):
        _io.atomic_write_bytes(fifo, b"PK\x03\x04")
    with pytest.raises(_io.NotRegularFileError):
        with _io.atomic_path(fifo):
            raise AssertionError("the writer must not even run")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and os.listdir(tmp_path) == ["model.skops"]


@needs_fifo
def test_a_link_to_a_fifo_is_a_fifo_and_a_link_to_a_file_is_replaced_as_a_link(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "out.csv"
    link.symlink_to(fifo)
    with pytest.raises(_io.NotRegularFileError):
        _io.atomic_write_text(link, "x")
    result = _read_fifo_in_thread(fifo)
    _io.atomic_write_text(link, "through the link\n", special="write")
    assert result() == b"through the link\n"
    assert link.is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    # A link to a regular file: the link itself is replaced, its target untouched (as before).
    target = tmp_path / "target.txt"
    target.write_text("theirs")
    other = tmp_path / "other.txt"
    other.symlink_to(target)
    _io.atomic_write_text(other, "mine")
    assert not other.is_symlink() and other.read_text() == "mine" and target.read_text() == "theirs"


def test_the_target_is_decided_again_after_writing(tmp_path):
    """A folder that appears at the path while the content is made is not renamed over."""
    target = tmp_path / "t.csv"
    with pytest.raises(IsADirectoryError):
        with _io.atomic_path(target) as tmp:
            tmp.write_text("x")
            target.mkdir()
    assert target.is_dir() and [p.name for p in tmp_path.iterdir()] == ["t.csv"]


# --- devices, in a private mount namespace ----------------------------------------------------

_DEVICE_SCRIPT = textwrap.dedent("""
    import os, stat, sys
    from musicviz import _io
    from musicviz._io import NotRegularFileError
    folder = sys.argv[1]
    null, full = os.path.join(folder, "null"), os.path.join(folder, "full")
    _io.atomic_write_text(null, "a table\\n", special="write")
    try:
        _io.atomic_write_bytes(null, b"a model")
    except NotRegularFileError as exc:
        print("refused:", exc)
    try:
        _io.atomic_write_text(full, "x" * 100000, special="write")
    except OSError as exc:
        print("full:", exc.errno)
    for name in (null, full):
        info = os.lstat(name)
        print(os.path.basename(name), stat.S_ISCHR(info.st_mode), os.major(info.st_rdev), os.minor(info.st_rdev))
    print(sorted(os.listdir(folder)))
""")


def _namespace_available() -> bool:
    if not sys.platform.startswith("linux") or os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.slow
def test_devices_are_written_into_or_refused_never_replaced(tmp_path):
    """``null`` (1,3) and ``full`` (1,7) made with mknod on a tmpfs that only a throw-away mount
    namespace sees: the system's own /dev is never involved."""
    if not _namespace_available():
        from conftest import require_or_skip

        require_or_skip("needs root and `unshare --mount` (Linux) to make devices in a private namespace",
                        variable="MUSICVIZ_REQUIRE_NAMESPACES")
    folder = tmp_path / "devices"
    folder.mkdir()
    shell = (
        'set -e; mount -t tmpfs musicviz-test "$1"; mknod "$1/null" c 1 3; mknod "$1/full" c 1 7; '
        'chmod 666 "$1/null" "$1/full"; "$2" -c "$3" "$1"; umount "$1"'
    )
    done = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", shell, "sh", str(folder), sys.executable,
         _DEVICE_SCRIPT],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("refused:") and "character device" in lines[0]
    assert lines[1] == "full: 28"  # ENOSPC: /dev/full reports the failed write
    assert lines[2:4] == ["null True 1 3", "full True 1 7"]  # both still the devices they were
    assert lines[4] == "['full', 'null']"  # no temporary left beside them
    assert list(folder.iterdir()) == []  # the tmpfs went with the namespace


# --- modes ------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444])
def test_a_replaced_file_keeps_its_mode(tmp_path, mode):
    target = tmp_path / "secret.csv"
    target.write_text("old")
    target.chmod(mode)
    _io.atomic_write_text(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == mode


def test_a_new_file_still_gets_the_umask_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        written = _io.atomic_write_text(tmp_path / "fresh.csv", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(written.stat().st_mode) == 0o644


def test_setuid_bits_are_not_carried_over(tmp_path):
    target = tmp_path / "tool"
    target.write_text("old")
    target.chmod(0o4755)
    _io.atomic_write_text(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o755


# --- staging folders left by a killed run -----------------------------------------------------

def test_a_stale_staging_folder_is_deleted_by_the_next_run(tmp_path):
    stale = tmp_path / ".set.tmp-0123abcd"  # what a killed `musicviz data synth --out set` leaves
    (stale / "blues").mkdir(parents=True)
    (stale / "blues" / "blues.00000.wav").write_bytes(b"RIFF")
    unrelated = tmp_path / ".set.tmp-notours"
    unrelated.mkdir()
    staging = _io.make_sibling_folder(tmp_path / "set")
    assert not stale.exists() and unrelated.is_dir() and staging.is_dir()
    shutil.rmtree(staging)


def test_a_staging_folder_in_use_is_left_alone(tmp_path):
    mine = _io.make_sibling_folder(tmp_path / "set")  # held by this process
    theirs = tmp_path / ".set.tmp-00000000"
    theirs.mkdir()
    import fcntl

    fd = os.open(theirs, os.O_RDONLY)  # another process holding its staging folder
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        second = _io.make_sibling_folder(tmp_path / "set")
        assert mine.is_dir() and theirs.is_dir() and second.is_dir()
    finally:
        os.close(fd)
    assert _io.clean_stale_siblings(tmp_path / "set") == [theirs]
    assert mine.is_dir() and second.is_dir()


def test_a_staging_folder_of_a_killed_process_is_cleaned(tmp_path):
    code = ("import os, signal, sys; from musicviz._io import make_sibling_folder; "
            "make_sibling_folder(sys.argv[1]); os.kill(os.getpid(), signal.SIGKILL)")
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "set")], timeout=60)
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".set.tmp-")
    assert [p.name for p in _io.clean_stale_siblings(tmp_path / "set")] == left
    assert list(tmp_path.iterdir()) == []


def test_a_kill_between_the_two_renames_puts_the_previous_folder_back(tmp_path):
    target = tmp_path / "set"
    (target / "old.txt").parent.mkdir()
    (target / "old.txt").write_text("previous")
    os.rename(target, tmp_path / ".set.old-89abcdef")  # replace_folder killed right here
    (tmp_path / ".set.tmp-01234567").mkdir()  # ... its unlocked staging folder beside it
    staging = _io.make_sibling_folder(target)
    assert (target / "old.txt").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["set", staging.name])
    _io.replace_folder(staging, target)
    assert list(target.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["set"]
    assert str(staging) not in _io._HELD  # released once swapped in


def test_threads_making_staging_folders_of_one_target_never_clean_each_others(tmp_path):
    """make run exports two notebooks' figures at once, in threads of one process."""
    target = tmp_path / "figures"
    errors, made = [], []

    def work():
        try:
            for _ in range(40):
                folder = _io.make_sibling_folder(target)
                made.append(folder)
                assert folder.is_dir()  # not taken for stale and removed by the other thread
                (folder / "x").write_text("x")
                shutil.rmtree(folder)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(made) == 160 and not any(p.exists() for p in made)
    _io.clean_stale_siblings(target)  # prunes what the threads held; nothing left behind
    assert not list(tmp_path.glob(".figures.*"))
