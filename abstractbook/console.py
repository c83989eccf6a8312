"""The console entry point: signals are set up before anything else is imported.

SIGTERM (a service manager, `kill`, a container stopping) is handled as
Ctrl-C is: the command stops where it is, removes what it half wrote, and exits
143 without a traceback. Worker processes leave both signals to their parent,
which stops them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from types import FrameType


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: stop as Ctrl-C stops (every `except KeyboardInterrupt` applies)."""


_SIGNALS: list[int] = []  # the stopping signals this process received: its state, not a build's


def _terminate(signum: int, _frame: FrameType | None) -> None:
    _SIGNALS.append(signum)
    raise Terminated


def interrupted_code() -> int:
    """130 for Ctrl-C, 143 for SIGTERM (128 + the signal's number, as shells say).
    Asked of the process, not of the exception: typer turns every KeyboardInterrupt
    into a plain exit 130, and watchfiles raises a KeyboardInterrupt of its own."""
    return 128 + (signal.SIGTERM if signal.SIGTERM in _SIGNALS else signal.SIGINT)


STOPPING = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block is done (then act as usual): around
    renames that belong together, and around forking workers, which start with
    them held until `quiet_worker` has run."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def quiet_worker() -> None:
    """A pool worker's start: Ctrl-C is its parent's to handle, SIGTERM (with which the
    parent stops it) simply ends it, and it prints no traceback of its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # A worker's own errors reach the parent with its results; what a worker could
    # print itself is only that the parent is gone ("Broken pipe"), after an interrupt.
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (the worker's whole life)
    _die_with_parent()
    if os.getppid() == 1:  # the parent ended before that took effect
        os._exit(0)


def _die_with_parent() -> None:
    """On Linux, a worker is killed when the command ends, however it ends: one left
    waiting for jobs after an interrupt would wait for ever."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING)


def main() -> None:
    """`abstractbook`: an interrupt while the command line loads exits as any other."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("interrupted; nothing was written.\n")
        sys.stderr.flush()
        os._exit(interrupted_code())
    run()
