"""Ctrl-C on the command line: one line and exit 130, never a worker's traceback.

Notebook: none (the ``musicviz`` command, :mod:`musicviz.cli`).
"""

from __future__ import annotations

import signal
import sys
import threading

__all__ = ["QuietInterrupts", "start_resource_tracker"]


class QuietInterrupts:
    """Ctrl-C, whenever it comes, as one ``KeyboardInterrupt`` in this process and in no other.

    On POSIX, SIGINT is blocked in this thread (and so in every thread and process started
    after it: joblib's workers, their manager threads, any subprocess) and a small thread waits
    for it (``sigwait``) and raises ``KeyboardInterrupt`` in the main thread
    (``_thread.interrupt_main``): a worker that is still importing numpy can never print a
    traceback of its own, and this process stops them. Only the first Ctrl-C counts; later
    ones are ignored while the first is being handled. An interrupt swallowed by a library
    (one raised in a ctypes callback, as numba's compiler has, is printed as "Exception
    ignored" and the work went on) is raised again, silently. Everything is put back on exit,
    so ``main`` can be called from Python (tests, notebooks) as often as needed.
    """

    def __init__(self, *, exiting: bool = False):
        self.exiting = exiting  # the process ends after main: a last Ctrl-C is simply never delivered
        self.active = (
            hasattr(signal, "pthread_sigmask") and hasattr(signal, "sigwait")
            and threading.current_thread() is threading.main_thread()
        )
        self.fired = False
        self._stopping = False
        self._thread = None
        self._again: list[threading.Thread] = []

    def __enter__(self):
        self._old_hook = sys.unraisablehook
        sys.unraisablehook = self._unraisable
        if not self.active:
            return self
        self._old_handler = signal.getsignal(signal.SIGINT)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # interrupt_main raises KeyboardInterrupt with it
        self._old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        self._thread = threading.Thread(target=self._wait, name="musicviz-ctrl-c", daemon=True)
        self._thread.start()
        return self

    def _wait(self):
        import _thread

        while True:
            signal.sigwait({signal.SIGINT})
            if self._stopping:
                return
            if not self.fired:
                self.fired = True
                _thread.interrupt_main()

    def _unraisable(self, unraisable):
        if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt):
            import _thread

            # Swallowed where it landed: raise it again, from outside this hook (raised in here,
            # it would be swallowed once more), as soon as the main thread runs Python again.
            self.fired = True
            again = threading.Timer(0.05, _thread.interrupt_main)  # once this hook has returned
            again.daemon = True
            self._again.append(again)
            again.start()
            return
        self._old_hook(unraisable)

    def _wake_waiter(self):
        try:
            signal.pthread_kill(self._thread.ident, signal.SIGINT)  # wakes its sigwait, nothing else
        except (OSError, ValueError):  # it has already returned
            pass

    def __exit__(self, *exc):
        steps = []
        if self._thread is not None:
            self._stopping = True  # from here on the waiter raises nothing
            steps = [self._wake_waiter, lambda: self._thread.join(timeout=5)]
            if not self.exiting:  # called from Python (tests, a notebook): put everything back
                steps += [lambda: signal.pthread_sigmask(signal.SIG_SETMASK, self._old_mask),
                          lambda: signal.signal(signal.SIGINT, self._old_handler)]
        steps += [lambda: [again.join(timeout=5) for again in self._again]]
        steps.append(lambda: setattr(sys, "unraisablehook", self._old_hook))
        for step in steps:  # each one completes, even if an interrupt sent just before lands in it
            while True:
                try:
                    step()
                    break
                except KeyboardInterrupt:
                    self.fired = True
        return False


def start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker now, keeping this thread's signal mask.

    Starting it (joblib does, for its first pool) unblocks SIGINT in the calling thread
    whatever was blocked before (its fix for bpo-33613 restores nothing): the workers started
    after that would see Ctrl-C again and print tracebacks while they import numpy.
    """
    if not hasattr(signal, "pthread_sigmask"):
        return
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    try:
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
    except Exception:  # no tracker on this platform: nothing will unblock anything either
        pass
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
