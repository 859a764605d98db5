"""Where a graded submission runs: its own copy of the release, a sandbox, limits, no leftovers.

Notebook: every notebook; for instructors (``make grade``).

One :class:`Workspace` per grading run (a private temporary folder) holds:

* ``release/``: the student release built from this checkout (:func:`student_release`), with
  the exercise checks *withheld* (:func:`withhold_checks`): ``mv.exercises.check`` only says
  the answer was recorded, and the answer code of ``musicviz/_exercise_checks`` is not in it.
  The grader checks the answers in its own process.
* ``data/``: the kernels' read-only copy of the course data (the synthetic set, a GTZAN copy),
  copied from the truth snapshot (:mod:`musicviz.grading.truths`) and checked after every
  submission (a change is flagged and undone).
* ``runs/NNN/``: one folder per submission: the sandbox's mount point, the connection folder
  (the kernel's Unix sockets), the launcher's spec and state files; deleted after the run.

:class:`Sandbox` describes how each kernel is started (:mod:`musicviz.grading.sandbox`: a
namespace, or the session fallback) and with which limits (:class:`Limits`);
:func:`sandbox_members` finds the processes of one kernel's sandbox, :func:`stop_sandbox`
kills them and waits until they are gone.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import stat
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from musicviz.errors import ParameterError

__all__ = [
    "Limits",
    "Sandbox",
    "Workspace",
    "SANDBOX_UID",
    "MARKER_ENV",
    "sandbox_mode",
    "withhold_checks",
    "sandbox_members",
    "stop_sandbox",
    "processes_with_marker",
]

#: The user (and group) a kernel runs as when the grader is root: no capabilities, no files of its
#: own, and one per grader process (``RLIMIT_NPROC`` counts a user's processes machine-wide: two
#: graders running at once must not share the count).
SANDBOX_UID = 61_000 + os.getpid() % 4000
#: The environment variable that marks every process of a graded kernel (its value: the run's token).
MARKER_ENV = "MUSICVIZ_GRADING_RUN"
#: The launcher, run as a script by the grader's interpreter (standard library only).
SANDBOX_SCRIPT = Path(__file__).resolve().with_name("sandbox.py")

GIB = 1 << 30
MIB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """What one submission's kernel may use.

    Attributes
    ----------
    memory : int
        Bytes of resident memory of all the sandbox's processes together; above it the sandbox
        is killed (and the row says so). Each process also gets ``RLIMIT_AS`` of ``memory``
        plus 1 GiB of address space (libraries map more than they use).
    processes : int
        Processes and threads the kernel's user may have (``RLIMIT_NPROC``): a fork bomb stops
        there.
    file_size : int
        Largest file the kernel may write (``RLIMIT_FSIZE``).
    disk : int
        Size of the sandbox's own file system (its copy of the release, ``/tmp``), namespace
        mode.
    cell_output, output : int
        Output bytes kept per cell and per notebook; the excess is dropped as it arrives.
    message : int
        Largest message frame accepted from the kernel (ZeroMQ refuses bigger ones unread).
    """

    memory: int = 4 * GIB
    processes: int = 256
    file_size: int = 256 * MIB
    disk: int = 1 * GIB
    cell_output: int = 2 * MIB
    output: int = 20 * MIB
    message: int = 16 * MIB

    def rlimits(self) -> dict:
        return {
            "as": self.memory + 1 * GIB,
            "nproc": self.processes,
            "fsize": self.file_size,
            "nofile": 4096,
            "core": 0,
            "memory": self.memory,
            "disk": self.disk,
        }


def sandbox_mode(*, force: str | None = None) -> tuple[str, str | None]:
    """``("namespace", None)``, or ``("session", why namespaces are not used)``.

    ``force``: ``"session"`` to use the fallback even where namespaces work (tests), or
    ``"namespace"`` to fail unless they work. The environment variable
    ``MUSICVIZ_GRADING_SANDBOX`` does the same.
    """
    force = force or os.environ.get("MUSICVIZ_GRADING_SANDBOX") or None
    if force == "auto":
        force = None
    if force not in (None, "namespace", "session"):
        raise ParameterError(f"sandbox must be 'namespace' or 'session', got {force!r}")
    if force == "session":
        return "session", "asked for the session fallback"
    from musicviz.grading import sandbox

    why = sandbox.probe()
    if why is None:
        return "namespace", None
    if force == "namespace":
        raise ParameterError(f"the namespace sandbox is not available here: {why}")
    return "session", why


# --------------------------------------------------------------------------- the grading release
_WITHHELD = '''"""The exercise checks are withheld in this copy of musicviz (a graded submission runs with it).

``mv.exercises.check`` says the answer was recorded; the grader checks every answer in its
own process, against truths it computed before any submission ran.
"""

from musicviz._exercise_registry import withhold

withhold({entries!r})
'''


#: Run by IPython when a graded kernel starts (an IPython startup file in the grading copy): a cell's
#: printed text beyond ``LIMIT`` characters is dropped in the kernel, before it is ever sent, so an
#: honest notebook that prints without end costs CPU, not messages. It is a courtesy to honest
#: floods, not a defence: the grader bounds what it receives itself (the runner's output limits,
#: the largest message), whatever a kernel does.
KERNEL_STARTUP = '''\
def _musicviz_cap_output(limit):
    try:
        from ipykernel.iostream import OutStream
    except Exception:
        return
    original = OutStream.write
    seen = {"parent": None, "count": 0, "cut": False}

    def write(self, string):
        try:
            header = self.parent_header or {}
            parent = header.get("msg_id") or (header.get("header") or {}).get("msg_id")
        except Exception:
            parent = None
        if parent != seen["parent"]:
            seen.update(parent=parent, count=0, cut=False)
        seen["count"] += len(string)
        if seen["count"] <= limit:
            return original(self, string)
        if not seen["cut"]:
            seen["cut"] = True
            original(self, "\\n[musicviz: output truncated in the kernel: more than %d characters]\\n" % limit)
        return len(string)

    OutStream.write = write


_musicviz_cap_output(LIMIT)
del _musicviz_cap_output
'''


def withhold_checks(release: Path) -> None:
    """Replace ``release/musicviz/_exercise_checks`` by the exercises' questions and hints only.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from musicviz.grading.isolation import withhold_checks
    >>> release = pathlib.Path(tempfile.mkdtemp())
    >>> (release / "musicviz" / "_exercise_checks").mkdir(parents=True)
    >>> withhold_checks(release)
    >>> [p.name for p in (release / "musicviz" / "_exercise_checks").iterdir()]
    ['__init__.py']
    """
    from musicviz.exercises import EXERCISES

    entries = [(e.id, e.question, list(e.hints), e.kind, e.points) for e in EXERCISES.values()]
    checks = Path(release) / "musicviz" / "_exercise_checks"
    shutil.rmtree(checks, ignore_errors=True)
    checks.mkdir(parents=True)
    (checks / "__init__.py").write_text(_WITHHELD.format(entries=entries), encoding="utf-8")


# --------------------------------------------------------------------------- the sandbox
@dataclass
class Sandbox:
    """How the kernels of one grading run are started (the user they run as: :meth:`user`)."""

    mode: str
    limits: Limits = field(default_factory=Limits)
    uid: int = SANDBOX_UID
    gid: int = SANDBOX_UID
    why: str | None = None  # why the fallback

    def __post_init__(self):
        if os.getuid() != 0:
            self.uid, self.gid = os.getuid(), os.getgid()
        elif self.mode == "session" and not _can_run_python_as(self.uid, self.gid):
            # Without a namespace the kernel sees this machine's paths: if the Python
            # installation is out of the sandbox user's reach (under /root), it runs as root.
            self.uid, self.gid = 0, 0
            self.why = (self.why or "") + f"; this Python is out of reach of user {SANDBOX_UID}: kernels run as root"

    @property
    def isolated(self) -> bool:
        return self.mode == "namespace"


def _can_run_python_as(uid: int, gid: int) -> bool:
    """Whether user ``uid`` can start this interpreter (as it is on this machine, no namespace)."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            os.execv(sys.executable, [sys.executable, "-I", "-S", "-c", "pass"])
        finally:
            os._exit(127)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def _system_paths() -> list[str]:
    """What a kernel needs of the machine, bound read-only: the system and this Python."""
    paths = ["/usr", "/bin", "/lib", "/lib32", "/lib64", "/libx32", "/sbin", "/etc"]
    for prefix in {sys.prefix, sys.base_prefix, os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix),
                   os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))}:
        if prefix and prefix != "/" and not any(prefix == p or prefix.startswith(p + "/") for p in paths):
            paths.append(prefix)
    return paths


class Workspace:
    """The private folder of one grading run (see the module's docstring); a context manager."""

    def __init__(self, *, sandbox: Sandbox, parent=None):
        self.sandbox = sandbox
        self.token = secrets.token_hex(8)
        self.path = Path(tempfile.mkdtemp(prefix="musicviz-grade-", dir=parent))
        # The session fallback as root runs kernels as SANDBOX_UID: they must reach their run
        # folder (through 0711 folders that list nothing) and nothing else of ours.
        os.chmod(self.path, 0o711)
        self.release = self.path / "release"
        self.data = self.path / "data"
        self.runs = self.path / "runs"
        self.runs.mkdir(mode=0o711)
        self._count = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()

    def remove(self) -> None:
        if os.getuid() != 0:  # the read-only data copy: its folders must be writable to be emptied
            for folder, dirs, files in os.walk(self.path):
                for name in dirs:
                    with contextlib.suppress(OSError):
                        os.chmod(os.path.join(folder, name), 0o700)
        shutil.rmtree(self.path, ignore_errors=True)

    # ------------------------------------------------------------------ building
    def build_release(self, root=None) -> Path:
        from musicviz.grading.release import student_release

        student_release(self.release, root=root)
        withhold_checks(self.release)
        startup = self.release / ".grading" / "ipython" / "profile_default" / "startup"
        startup.mkdir(parents=True)
        (startup / "00-musicviz-grading.py").write_text(
            KERNEL_STARTUP.replace("LIMIT", str(self.sandbox.limits.cell_output)), encoding="utf-8"
        )
        return self.release

    def new_run(self) -> "Run":
        self._count += 1
        folder = self.runs / f"{self._count:03d}"
        folder.mkdir(mode=0o711)
        return Run(self, folder, marker=f"{self.token}-{self._count:03d}")


class Run:
    """One submission's folder in the workspace, and the launcher command that starts its kernel."""

    def __init__(self, workspace: Workspace, folder: Path, *, marker: str):
        self.workspace = workspace
        self.folder = folder
        self.marker = marker
        self.conn = folder / "conn"
        self.state = folder / "state.json"
        self.spec = folder / "spec.json"
        sandbox = workspace.sandbox
        self.conn.mkdir(mode=0o700)
        owner = sandbox.uid if os.getuid() == 0 else os.getuid()
        if os.getuid() == 0:
            os.chown(self.conn, sandbox.uid, sandbox.gid)
        if sandbox.isolated:
            self.course = "/course"  # the kernel's view: its copy of the release
            self.root = folder / "root"
            self.root.mkdir(mode=0o700)
        else:
            self.course = str(folder / "course")
            self.root = None
        self.owner = owner

    @property
    def cwd(self) -> str:
        """The kernel's working folder (its copy's ``notebooks/``)."""
        return f"{self.course}/notebooks"

    @property
    def launch_cwd(self) -> str:
        """Where the launcher is started (a folder of the host)."""
        return str(self.folder) if self.workspace.sandbox.isolated else self.cwd

    def kernel_env(self) -> dict:
        course = self.course
        env = {
            "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "HOME": f"{course}/home",
            "TMPDIR": f"{course}/tmp",
            "MPLCONFIGDIR": f"{course}/tmp/matplotlib",
            "XDG_CACHE_HOME": f"{course}/tmp/cache",
            "XDG_CONFIG_HOME": f"{course}/tmp/config",
            "IPYTHONDIR": f"{course}/.grading/ipython",
            "JUPYTER_RUNTIME_DIR": f"{course}/tmp/jupyter",
            "NUMBA_CACHE_DIR": f"{course}/tmp/numba",
            "PYTHONPATH": course,
            "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg",
            "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0"),
            "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3"),
            "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "0"),
            "MUSICVIZ_DATASET": os.environ.get("MUSICVIZ_DATASET", "synth"),
            "MUSICVIZ_GRADING": "1",
            MARKER_ENV: self.marker,
        }
        for name, value in os.environ.items():  # thread counts: the instructor's choice holds
            if name.startswith(("OMP_", "OPENBLAS_", "MKL_", "NUMBA_NUM_THREADS")):
                env[name] = value
        return env

    def prepare(self) -> dict:
        """Write the launcher's spec (and, in the fallback, the copy of the release); return the spec."""
        import json

        ws, sandbox = self.workspace, self.workspace.sandbox
        course = self.course
        folders = [f"{course}/home", f"{course}/tmp", f"{course}/data", f"{course}/data/models"]
        spec = {
            "mode": sandbox.mode,
            "run": course,
            "cwd": self.cwd,
            "uid": sandbox.uid,
            "gid": sandbox.gid,
            "env": self.kernel_env(),
            "limits": sandbox.limits.rlimits(),
            "state": str(self.state),
            "marker": self.marker,
        }
        data = {name: ws.data / name for name in ("synth", "gtzan") if (ws.data / name).is_dir()}
        own = {name: ws.data / name for name in ("cache", "models") if (ws.data / name).is_dir()}  # writable copies
        if sandbox.isolated:
            spec.update(
                root=str(self.root),
                release=str(ws.release),
                system=[[p, p] for p in _system_paths()],
                copies=[[str(path), f"{course}/data/{name}"] for name, path in own.items()],
                folders=folders,
                readonly=[[str(path), f"{course}/data/{name}"] for name, path in data.items()],
                writable=[[str(self.conn), str(self.conn)]],
            )
        else:
            shutil.copytree(ws.release, course, symlinks=True)
            for folder in folders:
                os.makedirs(folder, exist_ok=True)
            for name, path in own.items():
                shutil.copytree(path, f"{course}/data/{name}", symlinks=True, dirs_exist_ok=True)
            for name, path in data.items():  # shared, read-only to SANDBOX_UID; checked after every run
                os.symlink(path, f"{course}/data/{name}")
            if os.getuid() == 0:
                for folder, dirs, files in os.walk(course):
                    os.lchown(folder, sandbox.uid, sandbox.gid)
                    for name in dirs + files:
                        os.lchown(os.path.join(folder, name), sandbox.uid, sandbox.gid)
        self.spec.write_text(json.dumps(spec), encoding="utf-8")
        return spec

    def prefix(self) -> list[str]:
        """The command the kernel is started through (the runner's ``kernel_prefix``)."""
        return [sys.executable, "-I", "-S", str(SANDBOX_SCRIPT), str(self.spec), "--"]

    def read_state(self) -> dict:
        import json

        try:
            return json.loads(self.state.read_text())
        except (OSError, ValueError):
            return {}

    def remove(self) -> None:
        if self.root is not None and os.path.ismount(self.root):  # pragma: no cover  (the namespace's own)
            return
        shutil.rmtree(self.folder, ignore_errors=True)


# --------------------------------------------------------------------------- processes
def _stat(pid: int):
    try:
        raw = Path(f"/proc/{pid}/stat").read_bytes().decode(errors="replace")
    except OSError:
        return None
    rest = raw[raw.rfind(")") + 2:].split()
    try:
        return {"state": rest[0], "ppid": int(rest[1]), "session": int(rest[3])}
    except (IndexError, ValueError):
        return None


def _pids() -> list[int]:
    try:
        return [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return []


def _nspid(pid: int) -> list[int]:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("NSpid:"):
                return [int(x) for x in line.split()[1:]]
    except (OSError, ValueError):
        pass
    return [pid]


def processes_with_marker(marker: str) -> list[int]:
    """Every process (of those this process may read) whose environment holds ``MARKER_ENV=marker...``."""
    needle = f"{MARKER_ENV}={marker}".encode()
    found = []
    for pid in _pids():
        if pid == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if needle in f.read(1 << 20):
                    found.append(pid)
        except OSError:
            continue
    return found


def sandbox_members(run: Run, launcher: int | None) -> dict[int, dict]:
    """The live processes of one kernel's sandbox: pid -> ``{"role", "state", "session", "ppid"}``.

    ``role`` is ``"launcher"``, ``"init"``, ``"kernel"``, or ``"other"`` (what the submission
    started). Namespace mode: every process in the sandbox's PID namespace; fallback: the
    launcher's session, its descendants, and every process carrying the run's marker.
    """
    state = run.read_state()
    members: dict[int, dict] = {}
    table = {pid: st for pid in _pids() if (st := _stat(pid)) is not None}
    if launcher and launcher in table:
        members[launcher] = {**table[launcher], "role": "launcher"}
    pidns = state.get("pidns")
    if pidns:
        for pid, st in table.items():
            try:
                if os.readlink(f"/proc/{pid}/ns/pid") != pidns:
                    continue
            except OSError:
                continue
            inner = _nspid(pid)[-1]
            members[pid] = {**st, "role": "init" if inner == 1 else "kernel" if inner == 2 else "other"}
    leader = launcher or state.get("launcher")
    if leader:
        children: dict[int, list[int]] = {}
        for pid, st in table.items():
            children.setdefault(st["ppid"], []).append(pid)
        todo = [leader]
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in members:
                    role = "kernel" if state.get("mode") == "session" and child == state.get("kernel") else "other"
                    members[child] = {**table[child], "role": role}
                    todo.append(child)
        for pid, st in table.items():
            if st["session"] == leader and pid not in members:
                members[pid] = {**st, "role": "other"}
    for pid in processes_with_marker(run.marker):
        if pid not in members and pid in table:
            members[pid] = {**table[pid], "role": "kernel" if pid == state.get("kernel") else "other"}
    return {pid: m for pid, m in members.items() if m["state"] != "Z"}


def left_behind(members: dict[int, dict], launcher: int | None) -> list[int]:
    """The processes a submission left running on its own: detached (another session) or orphaned.

    A kernel's own children in its session (a multiprocessing helper, a pool's workers) are
    not counted: they end with the kernel.
    """
    kernel = next((pid for pid, m in members.items() if m["role"] == "kernel"), None)
    init = next((pid for pid, m in members.items() if m["role"] == "init"), None)
    found = []
    for pid, m in members.items():
        if m["role"] != "other":
            continue
        detached = launcher is not None and m["session"] != launcher
        orphaned = m["ppid"] in (init, 1) or (kernel is not None and m["ppid"] != kernel and m["ppid"] not in members)
        if detached or orphaned:
            found.append(pid)
    return sorted(found)


def stop_sandbox(run: Run, launcher: int | None, *, wait: float = 10.0) -> list[int]:
    """Kill every process of one kernel's sandbox and wait until they are gone; returns those still alive."""
    deadline = time.monotonic() + wait
    while True:
        members = sandbox_members(run, launcher)
        if not members:
            return []
        # init first (the namespace ends with it), then everything else
        for pid in sorted(members, key=lambda p: members[p]["role"] != "init"):
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        for pid in members:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
        if time.monotonic() > deadline:
            return sorted(sandbox_members(run, launcher))
        time.sleep(0.05)


def tree_signature(folder: Path) -> dict:
    """Path -> (size, mtime, ctime, inode, mode) of every entry under ``folder``: what a write changes.

    ``ctime`` cannot be set back by a user, so a change and a reset of the time stamps shows.
    """
    found = {}
    for path in sorted(Path(folder).rglob("*")):
        try:
            st = path.lstat()
        except OSError:
            continue
        found[path.relative_to(folder).as_posix()] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino,
                                                       stat.S_IMODE(st.st_mode), stat.S_IFMT(st.st_mode))
    return found
