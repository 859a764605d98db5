"""The launcher that starts a graded submission's kernel in a sandbox (standard library only).

Notebook: every notebook; for instructors (``make grade``). The grader
(:mod:`musicviz.grading.run`) starts each kernel through this file, run as a script by the
grader's own interpreter (``python -I -S sandbox.py SPEC -- KERNEL ARGV...``, via the runner's
``kernel_prefix``), and reads back what it wrote into ``SPEC``'s ``state`` file. It imports
nothing but the standard library, so it starts in a few milliseconds.

Two modes, chosen by the grader (:func:`probe` tells which this machine allows):

``namespace`` (root, Linux)
    The launcher unshares mount, PID, network, IPC and UTS namespaces and forks their init
    (PID 1), which builds a root in a size-limited tmpfs with only what a kernel needs, bound
    read-only (``/usr``, ``/etc``, Python and the venv, the course data), the submission's own
    copy of the grading release (writable), a fresh ``/proc``, a minimal ``/dev`` and ``/tmp``;
    ``chroot``s into it, sets the limits and starts the kernel as an unprivileged user. The
    checkout, ``solutions/``, other submissions and the grades are not there, nor any network
    (the kernel talks to the grader over Unix sockets). Init reaps every process, kills the
    namespace when its memory goes over the limit, and kills every process left when the
    kernel ends (or the launcher dies, or the grader says so).
``session`` (fallback: no namespaces, e.g. not root)
    The kernel runs in its own session with the same limits; the launcher watches its
    descendants' memory and kills them all at the end. The kernel can read what the grader's
    user can: the grader warns, and flags what it can see.

A kernel interrupt (SIGINT to the launcher's group) is ignored by the launcher and init;
SIGTERM or the grader's death make the launcher kill the namespace (or session) at once.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import shutil
import signal
import sys
import time

__all__ = ["probe", "main"]

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
NAMESPACES = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 1, 4, 38

#: What init reports (exit codes of the launcher beyond the kernel's own).
EXIT_SETUP_FAILED = 121

_libc = None


def _c():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    return _libc


def _check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _unshare(flags):
    _check(_c().unshare(ctypes.c_int(flags)), "unshare")


def _mount(source, target, fstype, flags, data=None):
    enc = lambda s: None if s is None else os.fsencode(s)  # noqa: E731
    _check(
        _c().mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
        f"mount {source} on {target}",
    )


def _prctl(option, value):
    _check(_c().prctl(ctypes.c_int(option), ctypes.c_ulong(value), 0, 0, 0), "prctl")


# --------------------------------------------------------------------------- processes
def _stat(pid):
    """(ppid, session, state, rss pages) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read().decode(errors="replace")
    except OSError:
        return None
    rest = raw[raw.rfind(")") + 2:].split()
    try:
        return int(rest[1]), int(rest[3]), rest[0], int(rest[21])
    except (IndexError, ValueError):
        return None


def _pids():
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []


def _has_marker(pid, marker):
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            return marker in f.read(1 << 20)
    except OSError:
        return False


def _session_members(leader, marker=None):
    """Processes of the session ``leader``, its descendants, and those whose environment holds ``marker``."""
    table = {pid: st for pid in _pids() if (st := _stat(pid)) is not None}
    members = {pid for pid, st in table.items() if st[1] == leader and pid != leader}
    children = {}
    for pid, st in table.items():
        children.setdefault(st[0], []).append(pid)
    todo = [leader]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in members:
                members.add(child)
                todo.append(child)
    if marker:
        members |= {pid for pid in table if pid != os.getpid() and _has_marker(pid, marker)}
    members.discard(leader)
    return {pid: table[pid] for pid in members if pid in table}


def _pss(pid):
    """Proportional set size of a process in bytes (shared pages split among their users).

    0 for a process that is gone (or exiting), ``None`` when it may not be read.
    """
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        return 0
    except (OSError, ValueError, IndexError):
        return None
    return 0


def _memory_bytes(pids):
    """Memory of these processes together: resident sizes, or, when those add up to much, their PSS.

    Forked children share their parent's pages: adding resident sizes counts those pages once
    per process. The cheap sum is an upper bound; only above the limit is the exact one read.
    """
    page = os.sysconf("SC_PAGE_SIZE")
    live = []
    total = 0
    for pid in pids:
        st = _stat(pid)
        if st is not None and st[2] != "Z":
            live.append((pid, st[3] * page))
            total += st[3] * page
    return total, live


def _over(pids, limit):
    total, live = _memory_bytes(pids)
    if total <= limit:
        return False
    exact = 0
    for pid, rss in live:
        pss = _pss(pid)
        exact += rss if pss is None else pss
    return exact > limit


# --------------------------------------------------------------------------- limits
def _set_limits(limits, *, nproc_base=0):
    import resource

    pairs = {
        "as": resource.RLIMIT_AS,
        "fsize": resource.RLIMIT_FSIZE,
        "nofile": resource.RLIMIT_NOFILE,
        "nproc": resource.RLIMIT_NPROC,
        "core": resource.RLIMIT_CORE,
    }
    for name, which in pairs.items():
        value = limits.get(name)
        if value is None:
            continue
        value = int(value) + (nproc_base if name == "nproc" else 0)
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))


def _hand_over_connection_file(argv, uid, gid):
    """The connection file (``-f PATH``) is the grader's (mode 0600): give it to the kernel's user."""
    if os.getuid() != 0 or uid == 0:
        return
    for flag, value in zip(argv, argv[1:]):
        if flag in ("-f", "--f") and os.path.isfile(value):
            os.chown(value, uid, gid)


def _drop_privileges(uid, gid):
    if os.getuid() == 0 and uid != 0:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    _prctl(PR_SET_NO_NEW_PRIVS, 1)


def _exec_kernel(argv, env, *, uid, gid, devnull="/dev/null", keep_stdio=False, keep_fds=()):
    """In the forked child: default signals, no privileges, quiet fds, then the kernel."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    _drop_privileges(uid, gid)
    null = os.open(devnull, os.O_RDWR)
    for fd in (0,) if keep_stdio else (0, 1, 2):
        os.dup2(null, fd)
    for low, high in _ranges_without(3, 65536, sorted(keep_fds)):
        os.closerange(low, high)
    os.execve(argv[0], argv, env)


def _ranges_without(low, high, keep):
    for fd in keep:
        yield low, fd
        low = fd + 1
    yield low, high


# --------------------------------------------------------------------------- the namespace's init
def _bind(source, target, *, readonly, device=False):
    if os.path.islink(source) and not os.path.exists(target):  # /bin -> usr/bin: the same link
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.symlink(os.readlink(source), target)
        return
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.exists(target):
            open(target, "wb").close()
    _mount(source, target, None, MS_BIND | MS_REC)
    flags = MS_BIND | MS_REMOUNT | MS_NOSUID | (0 if device else MS_NODEV) | (MS_RDONLY if readonly else 0)
    _mount(None, target, None, flags)


def _chown_tree(top, uid, gid):
    for folder, dirs, files in os.walk(top):
        os.lchown(folder, uid, gid)
        for name in dirs + files:
            os.lchown(os.path.join(folder, name), uid, gid)


def _build_root(spec):
    root = spec["root"]
    limits = spec.get("limits", {})
    uid, gid = spec["uid"], spec["gid"]
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing done here reaches the host
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, f"size={int(limits.get('disk', 1 << 30))},mode=0755")
    for source, inside in spec.get("system", []):
        if os.path.lexists(source):
            _bind(source, root + inside, readonly=True)
    # /proc of this PID namespace, a minimal /dev, a /tmp for everyone.
    os.makedirs(root + "/proc", exist_ok=True)
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    os.makedirs(root + "/dev", exist_ok=True)
    _mount("tmpfs", root + "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "size=1m,mode=0755")
    for name in ("null", "zero", "full", "random", "urandom"):
        _bind("/dev/" + name, f"{root}/dev/{name}", readonly=False, device=True)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{root}/dev/{name}")
    os.makedirs(root + "/dev/shm")
    _mount("tmpfs", root + "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
    os.makedirs(root + "/tmp", exist_ok=True)
    os.chmod(root + "/tmp", 0o1777)
    # The submission's own copy of the grading release, writable, in this tmpfs.
    run = root + spec["run"]
    shutil.copytree(spec["release"], run, symlinks=True)
    for source, inside in spec.get("copies", []):
        if os.path.isdir(source):
            shutil.copytree(source, root + inside, symlinks=True, dirs_exist_ok=True)
    for inside in spec.get("folders", []):
        os.makedirs(root + inside, exist_ok=True)
    _chown_tree(run, uid, gid)
    for source, inside in spec.get("readonly", []):
        if os.path.exists(source):
            _bind(source, root + inside, readonly=True)
    for source, inside in spec.get("writable", []):
        _bind(source, root + inside, readonly=False)
    try:
        _c().sethostname(b"grading", 7)
    except Exception:  # pragma: no cover  (cosmetic)
        pass
    os.chroot(root)
    os.chdir(spec["cwd"])


def _init(spec, argv, report_fd):
    """PID 1 of the namespace: build the root, start the kernel, reap, watch memory, kill all at the end."""
    state = {"kernel_status": None, "memory_killed": False, "setup_error": None}
    try:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # the launcher dies: so does the namespace
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the kernel's interrupts are the kernel's
        _build_root(spec)
        _set_limits(spec.get("limits", {}))
        _hand_over_connection_file(argv, spec["uid"], spec["gid"])
        kernel = os.fork()
        if kernel == 0:
            try:
                os.set_inheritable(report_fd, False)
                _exec_kernel(argv, spec["env"], uid=spec["uid"], gid=spec["gid"], keep_stdio=spec.get("keep_stdio", False),
                             keep_fds=(report_fd,))
            except BaseException as exc:  # noqa: BLE001  (the exec failed: say why where init can read it)
                os.write(report_fd, json.dumps({"exec_error": f"{type(exc).__name__}: {exc}"[:300]}).encode() + b"\n")
            finally:
                os._exit(127)
    except BaseException as exc:  # noqa: BLE001  (report it, and stop: the grader says what failed)
        state["setup_error"] = f"{type(exc).__name__}: {exc}"[:500]
        os.write(report_fd, json.dumps(state).encode() + b"\n")
        os._exit(EXIT_SETUP_FAILED)

    # Init needs no privilege any more: as the kernel's user it may read its processes' memory
    # maps (root without CAP_SYS_PTRACE, as in many containers, may not) and kill them; not
    # dumpable, so that the kernel cannot trace it.
    try:
        _drop_privileges(spec["uid"], spec["gid"])
        _prctl(PR_SET_DUMPABLE, 0)
    except OSError:
        pass
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *a: stop.update(now=True))
    memory = spec.get("limits", {}).get("memory")
    last, strikes = 0.0, 0
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            pid, status = 0, 0
        if pid == kernel:
            state["kernel_status"] = status
            break
        if pid:
            continue  # reaped an orphan; look again at once
        if stop["now"]:
            break
        now = time.monotonic()
        if memory and now - last > 0.2:
            last = now
            strikes = strikes + 1 if _over([p for p in _pids() if p != 1], memory) else 0
            if strikes >= 2:  # over the limit twice in a row, 0.2 s apart: not a passing fork
                state["memory_killed"] = True
                break
        time.sleep(0.05)
    try:
        os.kill(-1, signal.SIGKILL)  # every process of the namespace but this one
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            pid, status = os.waitpid(-1, 0)
            if pid == kernel and state["kernel_status"] is None:
                state["kernel_status"] = status
        except ChildProcessError:
            break
    os.write(report_fd, json.dumps(state).encode() + b"\n")
    os._exit(0)


# --------------------------------------------------------------------------- the launcher
def _write_state(path, state):
    if not path:
        return
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(state, f)
    os.replace(tmp, path)


def _watch(child, *, parent, on_tick=None):
    """Wait for ``child``; kill it when the grader dies or sends SIGTERM. Returns its wait status."""
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *a: stop.update(now=True))
    signal.signal(signal.SIGHUP, lambda *a: stop.update(now=True))
    while True:
        pid, status = os.waitpid(child, os.WNOHANG)
        if pid == child:
            return status
        if stop["now"] or os.getppid() != parent:
            try:
                os.kill(child, signal.SIGKILL)
            except ProcessLookupError:
                pass
            stop["now"] = False
        if on_tick is not None:
            on_tick()
        time.sleep(0.05)


def _main_namespace(spec, argv):
    parent = os.getppid()
    state = {"mode": "namespace", "launcher": os.getpid()}
    _unshare(NAMESPACES)
    read_fd, write_fd = os.pipe()
    init = os.fork()
    if init == 0:
        os.close(read_fd)
        _init(spec, argv, write_fd)
    os.close(write_fd)
    state["init"] = init
    try:
        state["pidns"] = os.readlink(f"/proc/{init}/ns/pid")
    except OSError:
        state["pidns"] = None
    _write_state(spec.get("state"), state)
    status = _watch(init, parent=parent)
    chunks = []
    while True:
        chunk = os.read(read_fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    for line in b"".join(chunks).splitlines():
        try:
            said = json.loads(line)
        except ValueError:
            continue
        if isinstance(said, dict):
            state.update(said)
    if state.get("exec_error") and not state.get("setup_error"):
        state["setup_error"] = "the kernel could not start: " + state["exec_error"]
    state["init_status"] = status
    _write_state(spec.get("state"), state)
    if state.get("setup_error"):
        print(f"musicviz sandbox: {state['setup_error']}", file=sys.stderr)
        return EXIT_SETUP_FAILED
    kernel = state.get("kernel_status")
    return os.waitstatus_to_exitcode(kernel) % 256 if isinstance(kernel, int) else 1


def _main_session(spec, argv):
    parent = os.getppid()
    limits = spec.get("limits", {})
    marker = spec.get("marker", "").encode() or None
    state = {"mode": "session", "launcher": os.getpid(), "memory_killed": False}
    uid = spec["uid"] if os.getuid() == 0 else os.getuid()
    # RLIMIT_NPROC counts every process of the user: allow the kernel this many more than now.
    mine = sum(1 for pid in _pids() if _uid_of(pid) == uid)
    _hand_over_connection_file(argv, uid, spec["gid"])
    read_fd, write_fd = os.pipe()
    kernel = os.fork()
    if kernel == 0:
        try:
            os.close(read_fd)
            os.set_inheritable(write_fd, False)
            os.chdir(spec["cwd"])
            _set_limits(limits, nproc_base=mine)
            _exec_kernel(argv, spec["env"], uid=uid, gid=spec["gid"] if os.getuid() == 0 else os.getgid(),
                         keep_stdio=spec.get("keep_stdio", False), keep_fds=(write_fd,))
        except BaseException as exc:  # noqa: BLE001  (the exec failed: say why)
            os.write(write_fd, f"{type(exc).__name__}: {exc}".encode()[:300])
        finally:
            os._exit(127)
    os.close(write_fd)
    state["kernel"] = kernel
    _write_state(spec.get("state"), state)
    memory = limits.get("memory")
    last, strikes = [0.0], [0]

    def watch_memory():
        now = time.monotonic()
        if memory and now - last[0] > 0.25:
            last[0] = now
            strikes[0] = strikes[0] + 1 if _over(list(_session_members(os.getpid(), marker)), memory) else 0
            if strikes[0] >= 2:
                state["memory_killed"] = True
                _kill_all(_session_members(os.getpid(), marker))

    status = _watch(kernel, parent=parent, on_tick=watch_memory)
    state["kernel_status"] = status
    said = os.read(read_fd, 1000).decode(errors="replace")
    if said:
        state["setup_error"] = "the kernel could not start: " + said
    for _ in range(50):  # what the kernel left behind: its session, its descendants, the marker
        left = _session_members(os.getpid(), marker)
        if not left:
            break
        _kill_all(left)
        time.sleep(0.1)
    _write_state(spec.get("state"), state)
    return os.waitstatus_to_exitcode(status) % 256


def _uid_of(pid):
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None


def _kill_all(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass


def probe() -> str | None:
    """``None`` when this process may build the namespace sandbox here, else why not.

    Runs the namespace steps (unshare, a PID-1 child, a private tmpfs) in a throwaway child
    process, so nothing changes in the caller.
    """
    if sys.platform != "linux":
        return f"namespaces need Linux (this is {sys.platform})"
    if os.getuid() != 0:
        return "namespaces need root (the grader runs as an ordinary user)"
    read_fd, write_fd = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read_fd)
        message = b""
        try:
            _unshare(NAMESPACES)
            grandchild = os.fork()
            if grandchild == 0:
                try:
                    _mount(None, "/", None, MS_REC | MS_PRIVATE)
                    import tempfile

                    where = tempfile.mkdtemp(prefix="musicviz-probe-")
                    _mount("tmpfs", where, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m")
                    os.makedirs(where + "/proc")
                    _mount("proc", where + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
                    os._exit(0 if os.getpid() == 1 else 3)
                except BaseException as exc:  # noqa: BLE001
                    os.write(write_fd, f"{type(exc).__name__}: {exc}".encode()[:300])
                    os._exit(2)
            _, status = os.waitpid(grandchild, 0)
            os._exit(os.waitstatus_to_exitcode(status))
        except BaseException as exc:  # noqa: BLE001
            message = f"{type(exc).__name__}: {exc}".encode()[:300]
            os.write(write_fd, message)
            os._exit(2)
    os.close(write_fd)
    _, status = os.waitpid(child, 0)
    said = os.read(read_fd, 1000).decode(errors="replace")
    os.close(read_fd)
    for folder in [p for p in os.listdir("/tmp") if p.startswith("musicviz-probe-")]:
        try:
            os.rmdir(os.path.join("/tmp", folder))
        except OSError:
            pass
    code = os.waitstatus_to_exitcode(status)
    if code == 0:
        return None
    return said or f"the namespace probe failed (exit status {code})"


def main(argv=None) -> int:
    """``sandbox.py SPEC -- KERNEL ARGV...`` (or ``sandbox.py --probe``)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--probe"]:
        why = probe()
        print(why or "ok")
        return 0 if why is None else 1
    if len(argv) < 3 or argv[1] != "--":
        print("usage: sandbox.py SPEC.json -- KERNEL ARGV...", file=sys.stderr)
        return 2
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the kernel manager's interrupt is for the kernel
    with open(argv[0]) as f:
        spec = json.load(f)
    kernel_argv = argv[2:]
    if spec.get("mode") == "namespace":
        return _main_namespace(spec, kernel_argv)
    return _main_session(spec, kernel_argv)


if __name__ == "__main__":
    sys.exit(main())
