"""The one notebook runner: a notebook, top to bottom, in a fresh kernel.

Notebook: every notebook (``make run``, ``make execute``, ``make figures`` and the grader
execute them with :func:`run_notebook`).

:func:`run_notebook` starts a new ``python3`` kernel (its own process, working folder
``notebooks/`` unless told otherwise), runs every code cell in order and returns a
:class:`NotebookRun`: the executed notebook, what went wrong, whether time ran out. Its
options are what the course's jobs need:

* ``timeout`` per cell and ``notebook_timeout`` for the whole notebook (no cell starts after
  it);
* ``allow_errors``: go on past a cell that raises (grading); a cell that runs out of time is
  then interrupted and the run goes on, instead of stopping there;
* ``env``: variables set (or, with ``None``, removed) in the kernel's environment only (the
  figure export's ``MUSICVIZ_FIGURES_DIR``), never in this process's;
* ``after``: cells run once the notebook's own cells are done (or stopped), in the same
  kernel, and returned apart: the notebook is left as it ran (the grader reads the answer
  variables this way);
* ``quiet``: discard what the kernel process writes to its own stderr;
* for untrusted notebooks (grading, :mod:`musicviz.grading`): ``kernel_prefix`` (a command the
  kernel is started through, such as a sandbox launcher), ``connection_dir`` and
  ``transport="ipc"`` (the connection file and, over ipc, the kernel's sockets in a folder of
  one's choosing), ``max_cell_output`` / ``max_output`` (output bytes kept per cell and per
  notebook: the excess is dropped *as it arrives*, so a cell that prints without end cannot
  make this process grow), ``max_message`` (the largest message frame accepted from the
  kernel: a bigger one is refused by ZeroMQ before it is read), and the hooks
  ``on_kernel_start`` / ``before_kernel_shutdown`` (called with the kernel's process id).

The kernel is started with CurveZMQ transport encryption when jupyter_client and pyzmq can
provide it (:func:`kernel_config`): ipykernel >= 7 warns, once per kernel, "Kernel is
running over TCP without encryption" otherwise.

Also here: the real-audio policy (:data:`REAL_AUDIO_MARKER`, :func:`drop_real_audio_outputs`)
and :func:`key_numbers`, the lines the series summary prints per notebook.
"""

from __future__ import annotations

import math
import os
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from musicviz._io import project_root
from musicviz.errors import ParameterError

__all__ = [
    "REAL_AUDIO_MARKER",
    "TIMEOUT_ENAME",
    "NotebookRun",
    "notebook_dir",
    "series",
    "kernel_config",
    "run_notebook",
    "drop_real_audio_outputs",
    "key_numbers",
    "one_line",
]

#: A cell whose source holds this marker may show a user's real GTZAN audio (copyrighted): its
#: outputs are never stored in the committed notebooks (``make execute`` drops them). Such a
#: cell is also ``# NBVAL_IGNORE_OUTPUT``: what it shows depends on the user's copy.
REAL_AUDIO_MARKER = "# musicviz: real audio, output not stored"

#: The ``ename`` of the error output a cell gets when it is interrupted for running out of time.
TIMEOUT_ENAME = "CellTimeoutError"


def notebook_dir() -> Path:
    """The folder of the course's notebooks (``notebooks/`` of this checkout).

    Examples
    --------
    >>> from musicviz.course.runner import notebook_dir
    >>> notebook_dir().name
    'notebooks'
    """
    return project_root() / "notebooks"


def series(pattern: str | None = None) -> list[Path]:
    """The numbered notebooks of the series in order, or those matching the glob ``pattern``.

    ``pattern`` may leave out ``.ipynb`` (``"0[1-3]*"``).

    Examples
    --------
    >>> from musicviz.course.runner import series
    >>> [p.name for p in series("00_*")]
    ['00_introduction.ipynb']
    """
    pattern = pattern or "[0-9][0-9]*"
    if not pattern.endswith(".ipynb"):
        pattern += ".ipynb"
    return sorted(notebook_dir().glob(pattern))


def one_line(text, limit: int = 160) -> str:
    """``text`` on one line (whitespace collapsed), cut to ``limit`` characters with ``…``.

    Examples
    --------
    >>> from musicviz.course.runner import one_line
    >>> one_line("a\\n  b " + "c" * 20, limit=8)
    'a b ccc…'
    """
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class NotebookRun:
    """What :func:`run_notebook` did.

    Attributes
    ----------
    nb : nbformat.NotebookNode
        The notebook with the outputs of every cell that ran.
    errors : list of str
        What went wrong, one line each: ``"cell 7 raised ValueError: ..."``,
        ``"timeout: cell 7 ran out of time (300 s)"``, a dead kernel. Empty: it ran cleanly.
    timed_out : bool
        A cell or the whole notebook ran out of time.
    seconds : float
        Wall-clock time of the run (kernel start included).
    after : list of nbformat.NotebookNode
        The ``after`` cells with their outputs (not part of ``nb``); empty if the kernel died.
    truncated : list of int
        The cells (numbered from 1, as in :attr:`errors`) whose output was cut at
        ``max_cell_output`` or ``max_output``.
    output_bytes : int
        Output received from the notebook's own cells (bytes of text, kept or dropped).
    """

    nb: object
    errors: list = field(default_factory=list)
    timed_out: bool = False
    seconds: float = 0.0
    after: list = field(default_factory=list)
    truncated: list = field(default_factory=list)
    output_bytes: int = 0

    @property
    def ok(self) -> bool:
        """True when every cell ran without an error or a timeout."""
        return not self.errors

    @property
    def error(self) -> str:
        """The errors as one line (empty when the notebook ran cleanly)."""
        return "; ".join(self.errors)


def kernel_config():
    """The kernel manager's settings: CurveZMQ-encrypted transport where it is available.

    ipykernel >= 7 logs "Kernel is running over TCP without encryption" to the kernel's
    stderr at every start unless the kernel manager provisions CurveZMQ keys.
    jupyter_client >= 8.10 does that with ``transport_encryption = "auto"`` for a kernelspec
    that declares ``"supported_encryption": ["curve"]`` (ipykernel's does), if pyzmq was
    built with CurveZMQ. Where either is missing nothing is set (and nothing warns: older
    ipykernels do not).

    Examples
    --------
    >>> from musicviz.course.runner import kernel_config
    >>> kernel_config().KernelManager.get("transport_encryption", "disabled") in ("auto", "disabled")
    True
    """
    import zmq
    from jupyter_client.manager import KernelManager
    from traitlets.config import Config

    config = Config()
    if "transport_encryption" in KernelManager.class_trait_names() and zmq.has("curve"):
        config.KernelManager.transport_encryption = "auto"
    return config


def _cell_error(cell) -> tuple[str, str] | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return str(output.get("ename", "Error")), str(output.get("evalue", ""))
    return None


def _kernel_env(env: Mapping | None) -> dict | None:
    if not env:
        return None
    merged = dict(os.environ)
    for key, value in env.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    return merged


def _check_seconds(name: str, value, *, optional: bool) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or not math.isfinite(value):
        raise ParameterError(f"{name} must be a positive number of seconds, got {value!r}")


def _check_bytes(name: str, value) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ParameterError(f"{name} must be a positive number of bytes or None, got {value!r}")


def _content_size(value, budget: int = 1 << 62) -> int:
    """Characters of text in a message's content (strings, nested in dicts and lists), counted up to ``budget``."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return len(value)
    total = 0
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        return 8
    for item in items:
        total += _content_size(item, budget - total)
        if total > budget:
            break
    return total


#: The message types whose content becomes a cell's output (and counts against the output limits).
_OUTPUT_MESSAGES = frozenset({"stream", "display_data", "execute_result", "update_display_data", "error",
                              "comm_open", "comm_msg"})
#: The note that replaces what is dropped of a cell's output.
TRUNCATED_TEXT = "\n[musicviz: output truncated here: more than {limit} bytes]\n"


def _limited_client_class(NotebookClient):
    """A NotebookClient that drops a cell's output beyond the byte limits as it arrives."""

    class LimitedNotebookClient(NotebookClient):
        def process_message(self, msg, cell, cell_index):
            limits = getattr(self, "_musicviz_limits", None)
            kind = msg.get("msg_type")
            if limits is None or kind not in _OUTPUT_MESSAGES:
                return super().process_message(msg, cell, cell_index)
            cell_limit, notebook_limit, run, state = limits
            after = state["after"]
            if state.get("cell") != cell_index:
                state["cell"], state["cell_bytes"], state["cut"] = cell_index, 0, False
            size = _content_size(msg.get("content", {}), (cell_limit or notebook_limit or 1 << 40) + 1)
            state["cell_bytes"] += size
            if not after:
                run.output_bytes += size
            over_cell = cell_limit is not None and state["cell_bytes"] > cell_limit
            over_notebook = not after and notebook_limit is not None and run.output_bytes > notebook_limit
            if not (over_cell or over_notebook):
                return super().process_message(msg, cell, cell_index)
            if not state["cut"]:
                import nbformat

                state["cut"] = True
                if not after:
                    run.truncated.append(cell_index + 1)
                limit = cell_limit if over_cell else notebook_limit
                cell.outputs.append(nbformat.v4.new_output("stream", name="stderr", text=TRUNCATED_TEXT.format(limit=limit)))
            if kind == "error":  # keep what raised (the run's errors name it), not its traceback
                content = msg.get("content", {})
                short = dict(msg, content={"ename": str(content.get("ename", "Error"))[:200],
                                           "evalue": str(content.get("evalue", ""))[:500], "traceback": []})
                return super().process_message(short, cell, cell_index)
            return None

    return LimitedNotebookClient


def _kernel_manager_class(prefix, max_message: int | None):
    """An AsyncKernelManager that starts the kernel through ``prefix`` and bounds the client's messages."""
    from jupyter_client.manager import AsyncKernelManager

    class PrefixedKernelManager(AsyncKernelManager):
        def format_kernel_cmd(self, extra_arguments=None):
            cmd = super().format_kernel_cmd(extra_arguments=extra_arguments)
            if prefix is None:
                return cmd
            return list(prefix(cmd)) if callable(prefix) else [*prefix, *cmd]

        def client(self, **kwargs):
            kc = super().client(**kwargs)
            if max_message is not None:
                import zmq

                # A frame larger than this is refused by ZeroMQ before it is read (the peer is
                # disconnected, and that kernel's output is lost); at most RCVHWM messages wait
                # in the queue: what this process holds stays below RCVHWM * max_message.
                kc.context.setsockopt(zmq.MAXMSGSIZE, int(max_message))
                kc.context.setsockopt(zmq.RCVHWM, 32)
            return kc

    return PrefixedKernelManager


def run_notebook(
    notebook,
    *,
    cwd=None,
    timeout: float | None = 900,
    notebook_timeout: float | None = None,
    allow_errors: bool = False,
    env: Mapping | None = None,
    after: Sequence[str] = (),
    after_timeout: float = 30,
    kernel_name: str = "python3",
    quiet: bool = False,
    kernel_prefix=None,
    connection_dir=None,
    transport: str | None = None,
    max_cell_output: int | None = None,
    max_output: int | None = None,
    max_message: int | None = None,
    on_kernel_start=None,
    before_kernel_shutdown=None,
) -> NotebookRun:
    """Run a notebook top to bottom in a fresh kernel and return what happened.

    Every code cell runs in order in a new kernel process (its outputs replace the stored
    ones, execution counts 1..n, timings in the cell metadata, widget state and
    ``language_info`` in the notebook metadata, as ``jupyter nbconvert --execute`` stores
    them). Without ``allow_errors`` the run stops at the first cell that raises or runs out of
    time; with it, a raising cell is recorded and the run goes on, and a cell that runs out of
    time is interrupted (it gets a ``CellTimeoutError`` error output) and the run goes on.
    Nothing is raised for what the notebook does: it is in :attr:`NotebookRun.errors`.

    Parameters
    ----------
    notebook : path-like or nbformat.NotebookNode
        A notebook file (read, never written) or a notebook (executed in place).
    cwd : path-like or None
        The kernel's working folder; default: ``notebooks/`` (:func:`notebook_dir`), where
        the notebooks' relative paths point.
    timeout : float or None
        Seconds one cell may run (``None``: no limit).
    notebook_timeout : float or None
        Seconds the whole notebook may run: no cell starts after that, and a cell is given at
        most the time left (``None``: no limit).
    allow_errors : bool
        Go on past cells that raise or run out of time (see above).
    env : mapping or None
        Variables to set in the kernel's environment (a value ``None`` removes one), on top
        of this process's environment, which is not changed.
    after : sequence of str
        Sources of code cells to run after the notebook's own cells (also after a failure
        or a timeout; not after a dead kernel), each with ``after_timeout`` seconds; they
        are returned in :attr:`NotebookRun.after`, never added to the notebook.
    after_timeout : float
        Seconds each ``after`` cell may run.
    kernel_name : str
        The Jupyter kernel (the environment's ``python3``).
    quiet : bool
        Discard what the kernel process writes to its own stderr (start-up messages, C
        libraries); what the cells print reaches the notebook either way.
    kernel_prefix : sequence of str, callable or None
        Start the kernel through this command: its argv is put before the kernel's (a
        sequence), or ``kernel_prefix(kernel_argv)`` is the whole command (a callable). The
        kernel manager signals (interrupt, kill) the process group of what it started.
    connection_dir : path-like or None
        Where the connection file goes (and, with ``transport="ipc"``, the kernel's sockets);
        default: Jupyter's runtime folder.
    transport : {"tcp", "ipc"} or None
        TCP on the loopback interface, or Unix sockets in ``connection_dir`` (else in a temporary
        folder); default ``"ipc"`` where Unix sockets exist: two processes starting kernels at
        once (``make run``'s parallel notebooks) can be handed the same free TCP port.
    max_cell_output, max_output : int or None
        Output bytes (characters of text) kept per cell, and over the notebook's own cells;
        what comes after is dropped as it arrives, with one note in the cell, and the cell is
        listed in :attr:`NotebookRun.truncated` (``None``: no limit). The ``after`` cells have
        the per-cell limit only.
    max_message : int or None
        The largest message frame (bytes) accepted from the kernel; a larger one is refused
        before it is read and the kernel's channel reconnects (``None``: no limit).
    on_kernel_start, before_kernel_shutdown : callable or None
        Called with the process id of what was started (the kernel, or ``kernel_prefix``'s
        command) once it runs, and once the cells (and the ``after`` cells) are done, before
        the kernel is shut down.

    Returns
    -------
    NotebookRun

    Raises
    ------
    ParameterError
        A timeout that is not a positive number of seconds.
    FileNotFoundError
        ``notebook`` is a path that does not exist.

    Examples
    --------
    >>> import tempfile, nbformat
    >>> from musicviz.course.runner import run_notebook
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 6 * 7"),
    ...                                      nbformat.v4.new_code_cell("1 / 0")])
    >>> run = run_notebook(nb, cwd=tempfile.gettempdir(), timeout=60, after=["print(x)"])
    >>> run.errors, run.after[0].outputs[0]["text"]
    (['cell 2 raised ZeroDivisionError: division by zero'], '42\\n')
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    _check_seconds("timeout", timeout, optional=True)
    _check_seconds("notebook_timeout", notebook_timeout, optional=True)
    _check_seconds("after_timeout", after_timeout, optional=False)
    for name, value in (("max_cell_output", max_cell_output), ("max_output", max_output), ("max_message", max_message)):
        _check_bytes(name, value)
    transport = transport or ("ipc" if os.name == "posix" else "tcp")
    if transport not in ("tcp", "ipc"):
        raise ParameterError(f"transport must be 'tcp' or 'ipc', got {transport!r}")
    own_folder = tempfile.TemporaryDirectory(prefix="musicviz-kernel-") if transport == "ipc" and connection_dir is None else None
    connection_dir = own_folder.name if own_folder is not None else connection_dir
    if isinstance(notebook, (str, os.PathLike)):
        nb = nbformat.read(notebook, as_version=4)
    else:
        nb = notebook
    cwd = Path(cwd) if cwd is not None else notebook_dir()
    started = time.perf_counter()
    deadline = None if notebook_timeout is None else time.monotonic() + notebook_timeout
    state = {"allowed": None, "reply": None, "after": False}

    def timeout_for(cell):
        allowed = after_timeout if state["after"] else timeout
        if deadline is not None and not state["after"]:
            left = deadline - time.monotonic()
            allowed = left if allowed is None else min(allowed, left)
        state["allowed"] = None if allowed is None else max(1, math.ceil(allowed))
        return state["allowed"]

    def remember_reply(cell, cell_index, execute_reply):
        state["reply"] = execute_reply

    limited = max_cell_output is not None or max_output is not None
    custom_manager = kernel_prefix is not None or max_message is not None
    config = kernel_config()
    if connection_dir is not None:
        config.KernelManager.connection_file = str(Path(connection_dir) / "kernel.json")
    if transport != "tcp":
        config.KernelManager.transport = transport
    client_class = _limited_client_class(NotebookClient) if limited else NotebookClient
    extra = {"kernel_manager_class": _kernel_manager_class(kernel_prefix, max_message)} if custom_manager else {}
    client = client_class(
        nb,
        **extra,
        kernel_name=kernel_name,
        timeout_func=timeout_for,
        allow_errors=allow_errors,
        interrupt_on_timeout=True,  # the kernel stays usable (the after cells, a clean shutdown)
        error_on_timeout={"ename": TIMEOUT_ENAME, "evalue": "the cell ran out of time", "traceback": []},
        # A submission's kernel may be stuck: kill it. The series' kernels shut down cleanly.
        shutdown_kernel="immediate" if allow_errors else "graceful",
        on_cell_executed=remember_reply,
        config=config,
        resources={"metadata": {"path": str(cwd)}},
    )
    run = NotebookRun(nb)
    if limited:
        client._musicviz_limits = (max_cell_output, max_output, run, state)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    launch = {}
    if env:
        launch["env"] = _kernel_env(env)
    if quiet:
        launch["stderr"] = subprocess.DEVNULL
    try:
        with client.setup_kernel(**launch):
            if on_kernel_start is not None:
                on_kernel_start(_kernel_pid(client))
            info = client.wait_for_reply(client.kc.kernel_info())
            if info is not None and "language_info" in info.get("content", {}):
                nb.metadata["language_info"] = info["content"]["language_info"]
            _run_cells(client, run, deadline=deadline, notebook_timeout=notebook_timeout, state=state)
            client.set_widgets_metadata()
            state["after"] = True
            for source in after:
                cell = nbformat.v4.new_code_cell(source)
                nb.cells.append(cell)  # the client addresses cells by index
                try:
                    client.execute_cell(cell, len(nb.cells) - 1)
                except (CellExecutionError, CellTimeoutError):
                    pass  # the caller reads the cell's outputs
                finally:
                    nb.cells.pop()
                run.after.append(cell)
            if before_kernel_shutdown is not None:
                before_kernel_shutdown(_kernel_pid(client))
    except DeadKernelError as exc:
        run.errors.append(f"the kernel died ({type(exc).__name__}: {one_line(exc, 120)})")
    except Exception as exc:  # a kernel that would not start, a broken connection
        run.errors.append(f"could not run it ({type(exc).__name__}: {one_line(exc, 120)})")
    finally:
        if own_folder is not None:
            own_folder.cleanup()
    run.seconds = time.perf_counter() - started
    return run


def _kernel_pid(client) -> int | None:
    provisioner = getattr(getattr(client, "km", None), "provisioner", None)
    return getattr(provisioner, "pid", None)


def _run_cells(client, run: NotebookRun, *, deadline, notebook_timeout, state) -> None:
    """Run the notebook's code cells in order (the loop of :func:`run_notebook`)."""
    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    nb = run.nb
    code = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    for n, index in enumerate(code):
        cell = nb.cells[index]
        if deadline is not None and time.monotonic() >= deadline:
            run.timed_out = True
            run.errors.append(
                f"timeout: the notebook ran out of its {notebook_timeout:g} s before cell {index + 1} "
                f"({len(code) - n} code cells not run)"
            )
            return
        state["reply"] = None
        raised = None
        try:
            client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
        except CellTimeoutError:  # no reply in time and no interrupt (nbclient's IOPub timeout)
            run.timed_out = True
            run.errors.append(f"timeout: cell {index + 1} gave no output in time")
            return
        except CellExecutionError as exc:  # without allow_errors: it raised or ran out of time
            raised = exc
        if (state["reply"] or {}).get("content", {}).get("ename") == TIMEOUT_ENAME:  # interrupted
            run.timed_out = True
            run.errors.append(f"timeout: cell {index + 1} ran out of time ({state['allowed']} s)")
            cell.outputs.append(
                nbformat.v4.new_output("error", ename=TIMEOUT_ENAME, evalue=f"interrupted after {state['allowed']} s",
                                       traceback=[])
            )
        elif raised is not None or client.allow_errors:  # (a cell tagged raises-exception may fail)
            failure = _cell_error(cell) or ((raised.ename, raised.evalue) if raised is not None else None)
            if failure is not None:
                run.errors.append(f"cell {index + 1} raised {failure[0]}: {one_line(failure[1], 120)}")
        if raised is not None:
            return


def drop_real_audio_outputs(nb) -> int:
    """Clear the outputs of the cells marked :data:`REAL_AUDIO_MARKER`; returns how many.

    Examples
    --------
    >>> import nbformat
    >>> from musicviz.course.runner import REAL_AUDIO_MARKER, drop_real_audio_outputs
    >>> cell = nbformat.v4.new_code_cell(f"{REAL_AUDIO_MARKER}\\nplay(clip)")
    >>> cell.outputs = [nbformat.v4.new_output("stream", text="x")]
    >>> drop_real_audio_outputs(nbformat.v4.new_notebook(cells=[cell])), cell.outputs
    (1, [])
    """
    dropped = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and REAL_AUDIO_MARKER in cell.source and cell.outputs:
            cell.outputs = []
            dropped += 1
    return dropped


def key_numbers(nb) -> list[str]:
    """The text printed by the cells tagged ``summary`` (cell metadata ``tags``), line by line.

    Examples
    --------
    >>> import nbformat
    >>> from musicviz.course.runner import key_numbers
    >>> cell = nbformat.v4.new_code_cell("print(acc)", metadata={"tags": ["summary"]})
    >>> cell.outputs = [nbformat.v4.new_output("stream", text="accuracy: 0.9\\n")]
    >>> key_numbers(nbformat.v4.new_notebook(cells=[cell]))
    ['accuracy: 0.9']
    """
    lines = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "summary" not in cell.get("metadata", {}).get("tags", []):
            continue
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            lines.extend(line for line in "".join(text).splitlines() if line.strip())
    return lines
